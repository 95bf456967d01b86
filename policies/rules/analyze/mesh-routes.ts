// Gateway API mesh routes: HTTPRoutes whose parentRef is a Service (group "", kind Service; GAMMA,
// Istio 1.30 "mesh" support), which Istio converts into a VirtualService for the Service's host
// (pilot/pkg/config/kube/gateway/conversion.go). Istio 1.30.3's analyzers have no HTTPRoute
// counterpart of the VirtualService checks (pkg/config/analysis/analyzers has only the
// k8sgateway CRD-version and workload-selector analyzers); the controller reports the same
// faults in the route's status instead (conversion.go: "parent service not found",
// ResolvedRefs BackendNotFound, and requests to a rule whose backends are all unresolved get
// 500). These rules catch them before apply, and the mistakes a VirtualService→HTTPRoute move
// makes: a VirtualService left for the same host (one of the two is ignored), weighted backends
// that select the same pods (no version split), version Services without the DestinationRule
// the service had (no outlier detection or connection pool on the routed traffic).
// Kong's edge HTTPRoutes (Gateway parents) are judged by the Kong rules; these read only routes
// with a Service parent.
import type { EnforcementLevel, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { arr, get, hasUnknown, isObj, metaOf, str, T, typeSet } from "../common";
import { AnalyzeIndex, istioFqdn, names, type HostEntry } from "./model";

const HTTP_ROUTE = typeSet(T.httpRoute);

interface MeshRoute {
    resource: PolicyResource;
    namespace: string;
    name: string;
    /** Parent Services as `<name>.<ns>.svc.cluster.local`. */
    parents: { fqdn: string; namespace: string; name: string; port?: number }[];
    rules: { index: number; backends: { fqdn: string; namespace: string; name: string; port?: number; weight: number; at: string }[] }[];
}

const core = (g: unknown): boolean => g === undefined || g === "" || g === "core";

/** The HTTPRoutes of the input that have a Service parent. */
export function meshRoutes(resources: readonly PolicyResource[]): MeshRoute[] {
    const out: MeshRoute[] = [];
    for (const r of resources) {
        if (!HTTP_ROUTE.has(r.type)) continue;
        const meta = metaOf(r.props, r.name);
        const spec = get(r.props, "spec");
        const parents = arr(get(spec, "parentRefs"))
            .filter((p) => str(get(p, "kind")) === "Service" && core(get(p, "group")) && typeof get(p, "name") === "string" && !hasUnknown(get(p, "name")))
            .map((p) => {
                const namespace = str(get(p, "namespace")) ?? meta.namespace;
                const name = str(get(p, "name")) ?? "";
                const port = get(p, "port");
                return { fqdn: istioFqdn(name, namespace), namespace, name, ...(typeof port === "number" ? { port } : {}) };
            });
        if (parents.length === 0) continue;
        const rules = arr(get(spec, "rules")).map((rule, index) => ({
            index,
            backends: arr(get(rule, "backendRefs"))
                .map((b, j) => ({ b, j }))
                .filter(({ b }) => (str(get(b, "kind")) ?? "Service") === "Service" && core(get(b, "group")) && typeof get(b, "name") === "string" && !hasUnknown(get(b, "name")))
                .map(({ b, j }) => {
                    const namespace = str(get(b, "namespace")) ?? meta.namespace;
                    const name = str(get(b, "name")) ?? "";
                    const port = get(b, "port");
                    const weight = get(b, "weight");
                    return {
                        fqdn: istioFqdn(name, namespace),
                        namespace,
                        name,
                        ...(typeof port === "number" ? { port } : {}),
                        weight: typeof weight === "number" ? weight : 1,
                        at: `spec.rules[${index}].backendRefs[${j}]`,
                    };
                }),
        }));
        out.push({ resource: r, namespace: meta.namespace, name: meta.name, parents, rules });
    }
    return out;
}

/** A mesh HTTPRoute and a VirtualService bound to the mesh for the same Service host. */
export function meshRouteVirtualServiceConflict(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return {
        name: "mesh-route-virtual-service-conflict",
        description:
            "A Service routed by a Gateway API HTTPRoute (parent: the Service) must not also have a mesh VirtualService: Istio turns the route into a VirtualService for the same host and a sidecar applies only one of them.",
        enforcementLevel: level,
        validateStack: (args, report) => {
            const routes = meshRoutes(args.resources);
            if (routes.length === 0) return;
            const idx = AnalyzeIndex.of(args.resources);
            for (const route of routes) {
                for (const parent of route.parents) {
                    const vss = idx.virtualServices.filter((vs) => {
                        const gateways = arr(vs.spec.gateways);
                        const mesh = gateways.length === 0 || gateways.includes("mesh");
                        return mesh && arr(vs.spec.hosts).some((h) => typeof h === "string" && !hasUnknown(h) && istioFqdn(h, vs.namespace) === parent.fqdn);
                    });
                    if (vss.length > 0) {
                        report(
                            `HTTPRoute ${route.namespace}/${route.name} routes Service ${parent.namespace}/${parent.name} in the mesh, and VirtualService ${names(vss)} routes the same host ${parent.fqdn}; a sidecar applies one of them (the caller's own namespace's route first, else the older) and ignores the other's routes. Keep one: remove the VirtualService (mesh.routing gateway-api) or the HTTPRoute.`,
                            route.resource.urn,
                        );
                    }
                }
            }
        },
    };
}

/** Parent and backend Services of mesh routes that the input does not have, or ports they do not expose. */
export function meshRouteReferencesResolve(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return {
        name: "mesh-route-references-resolve",
        description:
            "A mesh HTTPRoute's parent Service and every backendRef must be a Service of the input with the port named (Istio: parent not found, ResolvedRefs BackendNotFound, 500).",
        enforcementLevel: level,
        validateStack: (args, report) => {
            const routes = meshRoutes(args.resources);
            if (routes.length === 0) return;
            const idx = AnalyzeIndex.of(args.resources);
            const find = (fqdn: string, ns: string): HostEntry | undefined => idx.lookupHost(fqdn, ns);
            for (const route of routes) {
                for (const p of route.parents) {
                    if (!idx.described.has(p.namespace)) continue;
                    const svc = find(p.fqdn, route.namespace);
                    if (svc === undefined) {
                        report(
                            `HTTPRoute ${route.namespace}/${route.name}: parent Service ${p.namespace}/${p.name} is not in the input; Istio attaches the route to nothing ("parent service not found") and no request uses it.`,
                            route.resource.urn,
                        );
                    } else if (p.port !== undefined && !svc.ports.some((x) => x.number === p.port)) {
                        report(
                            `HTTPRoute ${route.namespace}/${route.name}: parent Service ${p.namespace}/${p.name} has no port ${p.port} (ports ${svc.ports.map((x) => x.number).join(", ")}); the route attaches to nothing.`,
                            route.resource.urn,
                        );
                    }
                }
                for (const rule of route.rules) {
                    for (const b of rule.backends) {
                        if (!idx.described.has(b.namespace)) continue;
                        const svc = find(b.fqdn, route.namespace);
                        if (svc === undefined) {
                            report(
                                `HTTPRoute ${route.namespace}/${route.name} ${b.at}: Service ${b.namespace}/${b.name} is not in the input; Istio marks the reference unresolved (BackendNotFound) and its share of requests fails with 500.`,
                                route.resource.urn,
                            );
                        } else if (b.port !== undefined && !svc.ports.some((x) => x.number === b.port)) {
                            report(
                                `HTTPRoute ${route.namespace}/${route.name} ${b.at}: Service ${b.namespace}/${b.name} has no port ${b.port} (ports ${svc.ports.map((x) => x.number).join(", ")}); requests sent there fail.`,
                                route.resource.urn,
                            );
                        }
                    }
                }
            }
        },
    };
}

/** Two selectors that a pod can satisfy both (no label key with different values). */
function overlapping(a: Record<string, string>, b: Record<string, string>): boolean {
    return Object.keys(a).every((k) => b[k] === undefined || b[k] === a[k]);
}

/** Weighted backends of one rule whose Services select the same pods: the weights do not split versions. */
export function meshRouteVersionSplit(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return {
        name: "mesh-route-version-split",
        description:
            "The weighted backendRefs of a mesh HTTPRoute rule must be Services selecting different pods (e.g. one `version` label value each); overlapping selectors send a version's share to every version.",
        enforcementLevel: level,
        validateStack: (args, report) => {
            const routes = meshRoutes(args.resources);
            if (routes.length === 0) return;
            const idx = AnalyzeIndex.of(args.resources);
            for (const route of routes) {
                for (const rule of route.rules) {
                    const live = rule.backends
                        .filter((b) => b.weight > 0)
                        .map((b) => ({ b, svc: idx.lookupHost(b.fqdn, route.namespace) }))
                        .filter((x): x is { b: typeof x.b; svc: HostEntry } => x.svc?.selector !== undefined && isObj(x.svc.selector));
                    for (let i = 0; i < live.length; i++) {
                        for (let j = i + 1; j < live.length; j++) {
                            const [a, b] = [live[i], live[j]];
                            if (a.b.fqdn === b.b.fqdn || !overlapping(a.svc.selector ?? {}, b.svc.selector ?? {})) continue;
                            const fmt = (s: Record<string, string>) =>
                                Object.entries(s)
                                    .map(([k, v]) => `${k}=${v}`)
                                    .join(",") || "everything";
                            report(
                                `HTTPRoute ${route.namespace}/${route.name} rule [${rule.index}] splits between Services ${a.b.namespace}/${a.b.name} (selects ${fmt(a.svc.selector ?? {})}) and ${b.b.namespace}/${b.b.name} (selects ${fmt(b.svc.selector ?? {})}), which can select the same pods: the weights do not separate versions. Give each version Service a distinct version label in its selector.`,
                                route.resource.urn,
                            );
                        }
                    }
                }
            }
        },
    };
}

/**
 * The parent Service has a DestinationRule with resilience (outlier detection, connection pool)
 * or TLS settings, but a backend Service of its mesh route has none: a DestinationRule applies
 * to its own host only, so the routed traffic loses them.
 */
export function meshRouteBackendDestinationRule(level: EnforcementLevel = "advisory"): StackValidationPolicy {
    return {
        name: "mesh-route-backend-destination-rule",
        description:
            "When a mesh HTTPRoute sends a Service's traffic to other Services (one per version), each needs the DestinationRule settings the Service has (TLS, outlier detection, connection pool): a DestinationRule reaches its own host only.",
        enforcementLevel: level,
        validateStack: (args, report) => {
            const routes = meshRoutes(args.resources);
            if (routes.length === 0) return;
            const idx = AnalyzeIndex.of(args.resources);
            const drOf = (fqdn: string) => idx.destinationRules.find((d) => typeof d.spec.host === "string" && istioFqdn(d.spec.host, d.namespace) === fqdn);
            for (const route of routes) {
                for (const p of route.parents) {
                    const parentDr = drOf(p.fqdn);
                    const tp = isObj(parentDr?.spec.trafficPolicy) ? parentDr.spec.trafficPolicy : undefined;
                    if (parentDr === undefined || tp === undefined) continue;
                    const settings = ["tls", "outlierDetection", "connectionPool"].filter((k) => tp[k] !== undefined);
                    if (settings.length === 0) continue;
                    const missing = [...new Set(route.rules.flatMap((r) => r.backends.map((b) => b.fqdn)))].filter((fqdn) => fqdn !== p.fqdn && drOf(fqdn) === undefined);
                    if (missing.length > 0) {
                        report(
                            `HTTPRoute ${route.namespace}/${route.name} sends Service ${p.namespace}/${p.name}'s traffic to ${missing.join(", ")}, which no DestinationRule names; DestinationRule ${parentDr.namespace}/${parentDr.name} (${settings.join(", ")}) applies to ${p.fqdn} only, so the routed requests go without it. Add a DestinationRule per backend host with the same trafficPolicy.`,
                            route.resource.urn,
                        );
                    }
                }
            }
        },
    };
}

export const meshRouteRules = [meshRouteVirtualServiceConflict, meshRouteReferencesResolve, meshRouteVersionSplit, meshRouteBackendDestinationRule];
