// Istio rules: mTLS stays on, authorization is scoped, routing does what it says, and every
// reference (subset, telemetry provider) resolves. Semantics checked against Istio 1.30's API
// reference: a VirtualService uses the first matching HTTP route; weights split traffic only among
// the destinations of one route; AuthorizationPolicy rules are OR-ed, `from` and `to` AND-ed.
import * as k8s from "@pulumi/kubernetes";
import { EnforcementLevel, PolicyResource, ResourceValidationPolicy, StackValidationPolicy, remediateResourceOfType, validateResourceOfType } from "@pulumi/policy";
import {
    Obj,
    T,
    arr,
    byType,
    chartName,
    get,
    hasUnknown,
    isClusterHost,
    isObj,
    metaOf,
    obj,
    pushTo,
    schema,
    serviceRef,
    str,
    stringMap,
    tunables,
    typeSet,
    validateTypes,
} from "./common";
import { istioFqdn } from "./analyze/model";

const CLUSTER_DOMAIN = "cluster.local";

/** PeerAuthentication that accepts plaintext. */
export function istioPeerAuthenticationStrict(level: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    const defaults = { allowPermissiveNamespaces: [] as string[] };
    return {
        name: "istio-peer-authentication-strict",
        description: "PeerAuthentication must not set mTLS to PERMISSIVE or DISABLE.",
        enforcementLevel: level,
        configSchema: {
            properties: {
                allowPermissiveNamespaces: schema.strings("Namespaces where PERMISSIVE is accepted (migrations).", defaults.allowPermissiveNamespaces),
            },
        },
        validateResource: validateTypes(T.peerAuthentication, (args, report) => {
            const c = tunables(defaults, args);
            const meta = metaOf(args.props, args.name);
            const bad = (mode: unknown): boolean => mode === "DISABLE" || (mode === "PERMISSIVE" && !c.allowPermissiveNamespaces.includes(meta.namespace));
            const spec = obj(get(args.props, "spec"));
            const mode = get(spec, "mtls", "mode");
            if (bad(mode)) {
                report(`mtls.mode is ${String(mode)}, so workloads accept plaintext; set STRICT.`);
            }
            for (const [port, setting] of Object.entries(obj(spec.portLevelMtls))) {
                const m = get(setting, "mode");
                if (bad(m)) {
                    report(`portLevelMtls[${port}].mode is ${String(m)}, so port ${port} accepts plaintext; set STRICT.`);
                }
            }
        }),
    };
}

const NON_MESH_TLS = new Set(["DISABLE", "SIMPLE", "MUTUAL"]);

/**
 * DestinationRule TLS settings that replace Istio mutual TLS for an in-cluster host with sidecars.
 * Not judged: hosts in namespaces without sidecars (`noSidecarNamespaces`: istiod in istio-system
 * serves its own TLS, as in Istio 1.30.3 samples/multicluster/expose-istiod-https.yaml), and TLS
 * origination that verifies the server with caCertificates or credentialName (the workload serves
 * TLS itself; `istio-tls-origination-ca` covers origination without a CA).
 */
export function istioDestinationRuleTls(level: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    const defaults = { clusterDomain: CLUSTER_DOMAIN, noSidecarNamespaces: ["istio-system", "kube-system"] };
    return {
        name: "istio-destination-rule-tls",
        description: "DestinationRules for in-mesh hosts must not turn Istio mTLS off (tls.mode DISABLE, or SIMPLE/MUTUAL without a CA to verify).",
        enforcementLevel: level,
        configSchema: {
            properties: {
                clusterDomain: schema.string("Cluster DNS domain.", defaults.clusterDomain),
                noSidecarNamespaces: schema.strings("Namespaces whose pods run without sidecars (their hosts are not judged).", defaults.noSidecarNamespaces),
            },
        },
        validateResource: validateTypes(T.destinationRule, (args, report) => {
            const c = tunables(defaults, args);
            const meta = metaOf(args.props, args.name);
            const spec = obj(get(args.props, "spec"));
            const host = str(spec.host) ?? "";
            if (!isClusterHost(host, c.clusterDomain)) {
                return args.notApplicable("host is outside the cluster");
            }
            const ref = serviceRef(host, meta.namespace, c.clusterDomain);
            if (ref?.namespace !== undefined && c.noSidecarNamespaces.includes(ref.namespace)) {
                return args.notApplicable(`namespace ${ref.namespace} runs without sidecars`);
            }
            const check = (tls: unknown, where: string): void => {
                const mode = get(tls, "mode");
                if (typeof mode !== "string" || !NON_MESH_TLS.has(mode)) {
                    return;
                }
                const verified = (str(get(tls, "caCertificates")) ?? "") !== "" || (str(get(tls, "credentialName")) ?? "") !== "";
                if (mode !== "DISABLE" && verified) {
                    return; // deliberate origination to a workload that serves TLS itself
                }
                report(
                    `${where}tls.mode ${mode} for in-mesh host ${host} turns Istio mutual TLS off${mode === "DISABLE" ? "" : " (and sets no CA to verify the server)"}; use ISTIO_MUTUAL or leave tls unset.`,
                );
            };
            const checkPolicy = (policy: unknown, where: string): void => {
                check(get(policy, "tls"), where);
                arr(get(policy, "portLevelSettings")).forEach((p, i) => check(get(p, "tls"), `${where}portLevelSettings[${i}].`));
            };
            checkPolicy(spec.trafficPolicy, "trafficPolicy.");
            arr(spec.subsets).forEach((s, i) => checkPolicy(get(s, "trafficPolicy"), `subsets[${i}].trafficPolicy.`));
        }),
    };
}

function isEmptyObject(v: unknown): boolean {
    return isObj(v) && Object.keys(v).length === 0;
}

function hasWorkloadScope(spec: Obj): boolean {
    const labels = get(spec, "selector", "matchLabels");
    return (isObj(labels) && Object.keys(labels).length > 0) || isObj(spec.targetRef) || arr(spec.targetRefs).length > 0;
}

/** ALLOW AuthorizationPolicies that allow more than they name. */
export function istioAuthorizationAllowScoped(level: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return {
        name: "istio-authorization-allow-scoped",
        description: "ALLOW AuthorizationPolicies must select workloads and name their callers in every rule.",
        enforcementLevel: level,
        validateResource: validateTypes(T.authorizationPolicy, (args, report) => {
            const spec = obj(get(args.props, "spec"));
            const action = str(spec.action) ?? "ALLOW";
            if (action !== "ALLOW") {
                args.notApplicable(`action ${action}`);
            }
            const rules = arr(spec.rules);
            if (rules.length === 0) {
                return; // allow-nothing: denies every request to the selected workloads
            }
            const meta = metaOf(args.props, args.name);
            if (!hasWorkloadScope(spec)) {
                report(`the policy has no selector, targetRef or targetRefs, so it applies to every workload in namespace ${meta.namespace}; select the workload.`);
            }
            rules.forEach((rule, i) => {
                if (isEmptyObject(rule)) {
                    report(`rules[${i}] is empty and allows every request.`);
                    return;
                }
                const from = arr(get(rule, "from"));
                if (from.length === 0 || from.some((f) => isEmptyObject(get(f, "source")) || get(f, "source") === undefined)) {
                    report(`rules[${i}] has no from.source, so it allows any caller; list the principals or namespaces allowed.`);
                    return;
                }
                // `principals: ["*"]` is any authenticated caller, `namespaces: ["*"]` any namespace:
                // a source that names no caller (Istio authorization-policy reference: "*" matches any value).
                from.forEach((f, j) => {
                    const source = obj(get(f, "source"));
                    const named = ["principals", "namespaces", "requestPrincipals", "ipBlocks", "remoteIpBlocks"].filter((k) => arr(source[k]).length > 0);
                    const wildcard = named.filter((k) => arr(source[k]).some((v) => v === "*"));
                    if (wildcard.length > 0 && wildcard.length === named.length) {
                        report(`rules[${i}].from[${j}].source.${wildcard.join("/")} is "*", which matches any caller; name the principals or namespaces allowed.`);
                    }
                });
            });
        }),
    };
}

const ROUTE_SECTIONS = ["http", "tcp", "tls"] as const;

/** Weighted routes whose split is not what the numbers suggest. */
export function istioVirtualServiceWeights(level: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return {
        name: "istio-virtual-service-weights",
        description: "VirtualService route weights must sum to 100; a lone destination must not carry a weight below 100.",
        enforcementLevel: level,
        validateResource: validateTypes(T.virtualService, (args, report) => {
            const spec = obj(get(args.props, "spec"));
            for (const section of ROUTE_SECTIONS) {
                arr(spec[section]).forEach((route, i) => {
                    const dests = arr(get(route, "route"));
                    const label = str(get(route, "name"));
                    const where = `${section}[${i}]${label ? ` (${label})` : ""}`;
                    if (dests.length === 1) {
                        const w = get(dests[0], "weight");
                        if (typeof w === "number" && w < 100) {
                            report(`${where} has one destination with weight ${w}; it still receives all traffic. Add the other destinations or drop the weight.`);
                        }
                    } else if (dests.length > 1) {
                        const weights = dests.map((d) => get(d, "weight"));
                        if (weights.some(hasUnknown)) {
                            return;
                        }
                        const sum = weights.reduce<number>((s, w) => s + (typeof w === "number" ? w : 0), 0);
                        if (sum !== 100) {
                            report(`${where} weights ${weights.map((w) => (typeof w === "number" ? w : "unset")).join(" + ")} sum to ${sum}, not 100.`);
                        }
                    }
                });
            }
        }),
    };
}

function isCatchAll(route: unknown): boolean {
    const match = get(route, "match");
    if (match === undefined || match === null) {
        return true;
    }
    const list = arr(match);
    if (list.length === 0) {
        return true;
    }
    return list.some((m) => {
        if (isEmptyObject(m)) {
            return true;
        }
        const keys = Object.keys(obj(m)).filter((k) => k !== "name");
        if (keys.length === 0) {
            return true;
        }
        if (keys.length === 1 && keys[0] === "uri") {
            const uri = obj(get(m, "uri"));
            return uri.prefix === "/" || uri.regex === ".*" || uri.regex === "/.*";
        }
        return false;
    });
}

/** A route matching everything placed before others, which therefore never match. */
export function istioVirtualServiceRouteOrder(level: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return {
        name: "istio-virtual-service-route-order",
        description: "A VirtualService's catch-all HTTP route must come last.",
        enforcementLevel: level,
        validateResource: validateTypes(T.virtualService, (args, report) => {
            const http = arr(get(args.props, "spec", "http"));
            const idx = http.findIndex(isCatchAll);
            if (idx >= 0 && idx < http.length - 1) {
                const shadowed = http.slice(idx + 1).map((r, j) => str(get(r, "name")) ?? `http[${idx + 1 + j}]`);
                report(`http[${idx}] matches every request, so ${shadowed.join(", ")} can never match; move it last.`);
            }
        }),
    };
}

/** Destinations (with subset) of every route, mirror and mirrors entry. */
function destinations(spec: Obj): { host: string; subset: string; where: string }[] {
    const out: { host: string; subset: string; where: string }[] = [];
    const add = (d: unknown, where: string): void => {
        const host = str(get(d, "host"));
        const subset = str(get(d, "subset"));
        if (host && subset && !hasUnknown(host) && !hasUnknown(subset)) {
            out.push({ host, subset, where });
        }
    };
    for (const section of ROUTE_SECTIONS) {
        arr(spec[section]).forEach((route, i) => {
            arr(get(route, "route")).forEach((r, j) => add(get(r, "destination"), `${section}[${i}].route[${j}]`));
            if (section === "http") {
                add(get(route, "mirror"), `http[${i}].mirror`);
                arr(get(route, "mirrors")).forEach((m, j) => add(get(m, "destination"), `http[${i}].mirrors[${j}]`));
            }
        });
    }
    return out;
}

/** Subsets named by a DestinationRule host, with `*.suffix` hosts kept apart for suffix lookups. */
class SubsetIndex {
    private readonly exact = new Map<string, Set<string>>();
    private readonly wildcard = new Map<string, Set<string>>();

    add(fqdn: string, subsets: string[]): void {
        const [map, key] = fqdn.startsWith("*") ? [this.wildcard, fqdn.replace(/^\*\.?/, "")] : [this.exact, fqdn];
        let set = map.get(key);
        if (!set) {
            set = new Set();
            map.set(key, set);
        }
        subsets.forEach((s) => set.add(s));
    }

    /** Subsets defined for a host, and whether any DestinationRule covers it. */
    lookup(fqdn: string): { covered: boolean; subsets: Set<string> } {
        const found = new Set<string>();
        let covered = false;
        const exact = this.exact.get(fqdn);
        if (exact) {
            covered = true;
            exact.forEach((s) => found.add(s));
        }
        const labels = fqdn.split(".");
        for (let i = 1; i <= labels.length; i++) {
            const w = this.wildcard.get(labels.slice(i).join("."));
            if (w) {
                covered = true;
                w.forEach((s) => found.add(s));
            }
        }
        return { covered, subsets: found };
    }
}

/**
 * VirtualService destinations naming a subset that no DestinationRule of that host defines. Hosts
 * are matched as Istio reads them (analyze/model.ts istioFqdn): `reviews.prod` is not
 * `reviews.prod.svc.cluster.local`.
 */
export function istioSubsetDefined(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    const defaults = { clusterDomain: CLUSTER_DOMAIN };
    const drTypes = typeSet(T.destinationRule);
    const vsTypes = typeSet(T.virtualService);
    return {
        name: "istio-subset-defined",
        description: "Every subset a VirtualService routes to must be defined by a DestinationRule for that host.",
        enforcementLevel: level,
        configSchema: { properties: { clusterDomain: schema.string("Cluster DNS domain.", defaults.clusterDomain) } },
        validateStack: (args, report) => {
            const c = tunables(defaults, args);
            const index = new SubsetIndex();
            const services: PolicyResource[] = [];
            for (const r of args.resources) {
                if (drTypes.has(r.type)) {
                    const meta = metaOf(r.props, r.name);
                    const spec = obj(get(r.props, "spec"));
                    const host = str(spec.host);
                    if (host) {
                        const names = arr(spec.subsets)
                            .map((s) => str(get(s, "name")))
                            .filter((n): n is string => !!n);
                        index.add(istioFqdn(host, meta.namespace, c.clusterDomain), names);
                    }
                } else if (vsTypes.has(r.type)) {
                    services.push(r);
                }
            }
            for (const vs of services) {
                const meta = metaOf(vs.props, vs.name);
                for (const d of destinations(obj(get(vs.props, "spec")))) {
                    const fqdn = istioFqdn(d.host, meta.namespace, c.clusterDomain);
                    const { covered, subsets } = index.lookup(fqdn);
                    if (!subsets.has(d.subset)) {
                        const known = covered
                            ? `its DestinationRules define ${subsets.size > 0 ? [...subsets].join(", ") : "no subsets"}`
                            : "no DestinationRule exists for that host";
                        report(`${d.where} routes to subset "${d.subset}" of ${fqdn}, but ${known}.`, vs.urn);
                    }
                }
            }
        },
    };
}

const TELEMETRY_SECTIONS = ["tracing", "metrics", "accessLogging"] as const;

function providerRefs(spec: Obj): { section: string; where: string; ref: unknown }[] {
    const out: { section: string; where: string; ref: unknown }[] = [];
    for (const section of TELEMETRY_SECTIONS) {
        arr(spec[section]).forEach((entry, i) => {
            arr(get(entry, "providers")).forEach((ref, j) => out.push({ section, where: `${section}[${i}].providers[${j}]`, ref }));
        });
    }
    return out;
}

/** Telemetry provider references carrying anything but `name`. */
export function istioTelemetryProviderRef(level: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return {
        name: "istio-telemetry-provider-ref",
        description: "Telemetry provider references must be { name } only; settings belong on the entry or in meshConfig.",
        enforcementLevel: level,
        validateResource: validateTypes(T.telemetry, (args, report) => {
            for (const { where, ref } of providerRefs(obj(get(args.props, "spec")))) {
                if (!isObj(ref) || typeof ref.name !== "string" || ref.name === "") {
                    report(`${where} must be an object { name: <extensionProvider> }.`);
                    continue;
                }
                const extra = Object.keys(ref).filter((k) => k !== "name");
                if (extra.length > 0) {
                    report(
                        `${where} (${ref.name}) has ${extra.join(", ")}; a provider reference holds only name. Set randomSamplingPercentage and the like on the entry, and service/port in meshConfig.extensionProviders.`,
                    );
                }
            }
        }),
    };
}

/** Providers every Istio mesh has without declaring them. */
export const BUILTIN_PROVIDERS: readonly string[] = ["prometheus", "stackdriver", "envoy"];

/** extensionProviders declared in the values of istiod releases, by name. */
export function meshExtensionProviders(resources: readonly PolicyResource[], istiodCharts: ReadonlySet<string>): { releases: PolicyResource[]; providers: Map<string, Obj> } {
    const releases: PolicyResource[] = [];
    const providers = new Map<string, Obj>();
    for (const r of resources) {
        if ((r.type === T.helmRelease || r.type === T.helmChart) && istiodCharts.has(chartName(r.props))) {
            releases.push(r);
            for (const p of arr(get(r.props, "values", "meshConfig", "extensionProviders"))) {
                const name = str(get(p, "name"));
                if (name && isObj(p)) {
                    providers.set(name, p);
                }
            }
        }
    }
    return { releases, providers };
}

/** Telemetry provider names that the mesh configuration does not define. */
export function istioTelemetryProviderDefined(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    const defaults = { istiodCharts: ["istiod"], builtinProviders: [...BUILTIN_PROVIDERS] };
    const telemetryTypes = typeSet(T.telemetry);
    return {
        name: "istio-telemetry-provider-defined",
        description: "Telemetry must name providers defined in the istiod release's meshConfig.extensionProviders.",
        enforcementLevel: level,
        configSchema: {
            properties: {
                istiodCharts: schema.strings("Chart names whose releases carry meshConfig.", defaults.istiodCharts),
                builtinProviders: schema.strings("Provider names Istio defines without meshConfig.", defaults.builtinProviders),
            },
        },
        validateStack: (args, report) => {
            const c = tunables(defaults, args);
            const { releases, providers } = meshExtensionProviders(args.resources, new Set(c.istiodCharts));
            if (releases.length === 0) {
                args.notApplicable("no istiod release in the stack: meshConfig unknown");
            }
            const builtin = new Set(c.builtinProviders);
            for (const t of byType(args.resources, telemetryTypes)) {
                for (const { where, ref } of providerRefs(obj(get(t.props, "spec")))) {
                    const name = str(get(ref, "name"));
                    if (name && !providers.has(name) && !builtin.has(name)) {
                        const defined = [...providers.keys()];
                        report(
                            `${where} names provider "${name}", which meshConfig.extensionProviders does not define (defined: ${defined.length > 0 ? defined.join(", ") : "none"}).`,
                            t.urn,
                        );
                    }
                }
            }
        },
    };
}

/** Labels that put a namespace's pods in the mesh. */
export function injectionState(labels: Record<string, string>): "enabled" | "disabled" | "unset" {
    if (labels["istio-injection"] === "enabled" || labels["istio.io/rev"] !== undefined || labels["istio.io/dataplane-mode"] === "ambient") {
        return "enabled";
    }
    return labels["istio-injection"] === "disabled" ? "disabled" : "unset";
}

/** Namespaces holding workload-side Istio configuration but no sidecar injection. */
export function istioNamespaceInjection(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    const defaults = { rootNamespace: "istio-system", clusterDomain: CLUSTER_DOMAIN };
    const workloadSide = typeSet(T.authorizationPolicy, T.peerAuthentication, T.requestAuthentication, T.sidecar);
    const hostSide = typeSet(T.destinationRule, T.virtualService);
    return {
        name: "istio-namespace-injection",
        description: "Namespaces whose workloads Istio configuration targets must have sidecar injection enabled.",
        enforcementLevel: level,
        configSchema: {
            properties: {
                rootNamespace: schema.string("Istio root namespace (mesh-wide configuration, never judged).", defaults.rootNamespace),
                clusterDomain: schema.string("Cluster DNS domain.", defaults.clusterDomain),
            },
        },
        validateStack: (args, report) => {
            const c = tunables(defaults, args);
            const reasons = new Map<string, string[]>();
            const namespaces: PolicyResource[] = [];
            for (const r of args.resources) {
                if (r.type === T.namespace) {
                    namespaces.push(r);
                    continue;
                }
                const isWorkload = workloadSide.has(r.type);
                if (!isWorkload && !hostSide.has(r.type)) {
                    continue;
                }
                const meta = metaOf(r.props, r.name);
                if (meta.namespace === c.rootNamespace) {
                    continue;
                }
                if (!isWorkload) {
                    // DestinationRule/VirtualService count when they configure a service of their own namespace.
                    const hosts = r.type.endsWith(":DestinationRule") ? [get(r.props, "spec", "host")] : arr(get(r.props, "spec", "hosts"));
                    const own = `.${meta.namespace}.svc.${c.clusterDomain}`;
                    if (!hosts.some((h) => typeof h === "string" && istioFqdn(h, meta.namespace, c.clusterDomain).endsWith(own))) {
                        continue;
                    }
                }
                pushTo(reasons, meta.namespace, `${r.type.split(":").pop()} ${meta.name}`);
            }
            for (const ns of namespaces) {
                const meta = metaOf(ns.props, ns.name);
                const why = reasons.get(meta.name);
                const state = injectionState(meta.labels);
                if (why && state !== "enabled") {
                    const shown = why.slice(0, 3).join(", ") + (why.length > 3 ? `, and ${why.length - 3} more` : "");
                    report(
                        `namespace ${meta.name} holds ${shown} but sidecar injection is ${state === "disabled" ? "disabled" : "not enabled"}; label it istio-injection: enabled (or istio.io/rev).`,
                        ns.urn,
                    );
                }
            }
        },
    };
}

const TRUTHY = new Set(["true", "yes", "on", "1", "enable", "enabled"]);

/** Why a namespace needs the injection label added, or undefined. */
function missingInjectionLabel(props: unknown, name: string, meshed: readonly string[]): string | undefined {
    const meta = metaOf(props, name);
    const value = meta.labels["istio-injection"];
    if (value !== undefined && value !== "enabled" && TRUTHY.has(value.toLowerCase())) {
        return `label istio-injection: "${value}" is not recognised by Istio (only "enabled" is).`;
    }
    if (meshed.includes(meta.name) && injectionState(meta.labels) !== "enabled") {
        return `namespace ${meta.name} is listed as meshed but has no istio-injection: enabled label.`;
    }
    return undefined;
}

/**
 * Adds `istio-injection: enabled` where that is unambiguous: a namespace listed as meshed in the
 * configuration, or one whose label says yes in a spelling Istio ignores ("true", "Enabled").
 */
export function istioNamespaceInjectionLabel(level: EnforcementLevel = "remediate"): ResourceValidationPolicy {
    const defaults = { meshedNamespaces: [] as string[] };
    return {
        name: "istio-namespace-injection-label",
        description: "Meshed namespaces carry istio-injection: enabled, spelt as Istio expects (remediable).",
        enforcementLevel: level,
        configSchema: {
            properties: {
                meshedNamespaces: schema.strings("Namespaces that must be meshed; the remediation labels them.", defaults.meshedNamespaces),
            },
        },
        validateResource: validateResourceOfType(k8s.core.v1.Namespace, (ns, args, report) => {
            const c = tunables(defaults, args);
            const why = missingInjectionLabel(ns, args.name, c.meshedNamespaces);
            if (why) {
                report(why);
            }
        }),
        remediateResource: remediateResourceOfType(k8s.core.v1.Namespace, (ns, args) => {
            const c = tunables(defaults, args);
            if (!missingInjectionLabel(ns, args.name, c.meshedNamespaces)) {
                return undefined;
            }
            const metadata = obj(ns.metadata);
            return {
                ...ns,
                metadata: { ...metadata, labels: { ...stringMap(metadata.labels), "istio-injection": "enabled" } },
            };
        }),
    };
}

export const istioRules = [
    istioPeerAuthenticationStrict,
    istioDestinationRuleTls,
    istioAuthorizationAllowScoped,
    istioVirtualServiceWeights,
    istioVirtualServiceRouteOrder,
    istioSubsetDefined,
    istioTelemetryProviderRef,
    istioTelemetryProviderDefined,
    istioNamespaceInjection,
    istioNamespaceInjectionLabel,
];
