// References that must resolve, as istioctl analyze checks them (Istio 1.30.3,
// pkg/config/analysis/analyzers): VirtualService destinations (virtualservice/destinationhosts.go:
// IST0101 host and host:port, IST0112), VirtualService gateways (virtualservice/gateways.go:
// IST0101 gateway, IST0132), DestinationRule hosts and subsets (destinationrule/subset.go: IST0174,
// IST0173), AuthorizationPolicy namespaces and selectors (authz/authorizationpolicies.go: IST0101
// namespace, IST0127). Hosts resolve with Istio's semantics (model.ts istioFqdn: `reviews.prod` is
// not expanded). Only what the input describes is judged (see model.ts).
import type { EnforcementLevel, StackValidationPolicy } from "@pulumi/policy";
import { arr, get, hasUnknown, isObj, schema, str, stringMap, tunables } from "../common";
import { AnalyzeIndex, clusterHostNamespace, hostsOverlap, istioFqdn, selectorString, selects, workloadSelector } from "./model";

interface Destination {
    where: string;
    host: string;
    port?: number;
    subset?: string;
}

/** Route destinations (http, tcp, tls) and http mirrors (virtualservice/util.go). */
export function vsDestinations(spec: Record<string, unknown>): Destination[] {
    const out: Destination[] = [];
    const add = (d: unknown, where: string): void => {
        const host = str(get(d, "host"));
        if (!host || hasUnknown(host)) {
            return;
        }
        const port = get(d, "port", "number");
        out.push({ where, host, ...(typeof port === "number" ? { port } : {}), ...(str(get(d, "subset")) ? { subset: str(get(d, "subset")) } : {}) });
    };
    for (const section of ["http", "tcp", "tls"]) {
        arr(spec[section]).forEach((route, i) => {
            arr(get(route, "route")).forEach((r, j) => add(get(r, "destination"), `${section}[${i}].route[${j}].destination`));
            if (section === "http") {
                if (isObj(get(route, "mirror"))) {
                    add(get(route, "mirror"), `http[${i}].mirror`);
                }
                arr(get(route, "mirrors")).forEach((m, j) => add(get(m, "destination"), `http[${i}].mirrors[${j}].destination`));
            }
        });
    }
    return out;
}

function hint(host: string): string {
    const labels = host.split(".");
    return labels.length === 2 || (labels.length === 3 && labels[2] === "svc")
        ? ` Istio qualifies only a name without a dot; write ${labels[0]}.${labels[1]}.svc.cluster.local.`
        : "";
}

/** VirtualService destinations that reach no Service or ServiceEntry, or no port of it. */
export function istioDestinationHostExists(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return {
        name: "istio-destination-host-exists",
        description: "VirtualService destinations must name a Service or ServiceEntry of the input, and a port it exposes (IST0101, IST0112).",
        enforcementLevel: level,
        validateStack: (args, report) => {
            const idx = AnalyzeIndex.of(args.resources);
            for (const vs of idx.virtualServices) {
                for (const d of vsDestinations(vs.spec)) {
                    if (!idx.judgesHost(d.host, vs.namespace)) {
                        continue;
                    }
                    const target = idx.lookupHost(d.host, vs.namespace, vs.spec.exportTo);
                    if (!target) {
                        report(`${d.where}.host "${d.host}" (${istioFqdn(d.host, vs.namespace)}) matches no Service or ServiceEntry (IST0101).${hint(d.host)}`, vs.resource.urn);
                        continue;
                    }
                    const ports = target.ports.map((p) => p.number).filter((n) => n > 0);
                    if (d.port === undefined) {
                        if (ports.length > 1) {
                            report(`${d.where} has no port, but ${target.label} exposes ${ports.join(", ")}; set destination.port.number (IST0112).`, vs.resource.urn);
                        }
                    } else if (ports.length > 0 && !ports.includes(d.port)) {
                        report(`${d.where} port ${d.port} is not a port of ${target.label} (${ports.join(", ")}) (IST0101).`, vs.resource.urn);
                    }
                }
            }
        },
    };
}

/** Hosts a Gateway offers a VirtualService of `vsNamespace` (gateways.go sanitizeServerHostNamespace, host.NamesForNamespace). */
export function gatewayHostsFor(gatewaySpec: Record<string, unknown>, gatewayNamespace: string, vsNamespace: string): string[] {
    const out: string[] = [];
    for (const server of arr(gatewaySpec.servers)) {
        for (const h of arr(get(server, "hosts"))) {
            if (typeof h !== "string") {
                continue;
            }
            const slash = h.indexOf("/");
            if (slash < 0) {
                out.push(h.toLowerCase());
                continue;
            }
            const ns = h.slice(0, slash);
            const name = h.slice(slash + 1).toLowerCase();
            if (ns === "*" || ns === vsNamespace || (ns === "." && gatewayNamespace === vsNamespace)) {
                out.push(name);
            }
        }
    }
    return out;
}

/** `<ns>/<name>` of a gateway reference made from `namespace` (resource.NewShortOrFullName). */
export function gatewayKey(ref: string, namespace: string): string {
    return ref.includes("/") ? ref : `${namespace}/${ref}`;
}

/** VirtualService gateways that do not exist or do not serve its hosts. */
export function istioVirtualServiceGateway(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return {
        name: "istio-virtual-service-gateway",
        description: "VirtualService gateways must exist and serve the VirtualService's hosts (IST0101, IST0132).",
        enforcementLevel: level,
        validateStack: (args, report) => {
            const idx = AnalyzeIndex.of(args.resources);
            for (const vs of idx.virtualServices) {
                const hosts = arr(vs.spec.hosts)
                    .filter((h): h is string => typeof h === "string" && !hasUnknown(h))
                    .map((h) => h.toLowerCase());
                arr(vs.spec.gateways).forEach((g, i) => {
                    if (typeof g !== "string" || g === "mesh" || hasUnknown(g)) {
                        return;
                    }
                    const key = gatewayKey(g, vs.namespace);
                    const gw = idx.gateways.get(key);
                    if (!gw) {
                        const gwNs = key.split("/")[0];
                        // Judged where the input describes the gateway's namespace: a shared gateway
                        // (istio-system/…) usually lives in another repository.
                        if (idx.described.has(gwNs) || [...idx.gateways.keys()].some((k) => k.startsWith(`${gwNs}/`))) {
                            report(`gateways[${i}] "${g}" names no Gateway (${key}) (IST0101); a gateway in another namespace is written <namespace>/<name>.`, vs.resource.urn);
                        }
                        return;
                    }
                    const offered = gatewayHostsFor(gw.spec, gw.namespace, vs.namespace);
                    if (hosts.length > 0 && !hosts.some((h) => offered.some((o) => hostsOverlap(o, h)))) {
                        report(
                            `hosts ${hosts.join(", ")} are not served by Gateway ${key} (its servers offer ${offered.length > 0 ? offered.join(", ") : "nothing to this namespace"}), so the routes never apply (IST0132).`,
                            vs.resource.urn,
                        );
                    }
                });
            }
        },
    };
}

/** DestinationRules whose host is no Service/ServiceEntry, or whose subsets select no pod. */
export function istioDestinationRuleTargets(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return {
        name: "istio-destination-rule-targets",
        description: "DestinationRule hosts must match a Service or ServiceEntry and each subset must select a pod of the input (IST0174, IST0173).",
        enforcementLevel: level,
        validateStack: (args, report) => {
            const idx = AnalyzeIndex.of(args.resources);
            for (const dr of idx.destinationRules) {
                const host = str(dr.spec.host);
                if (!host || hasUnknown(host) || !idx.judgesHost(host, dr.namespace)) {
                    continue;
                }
                const target = idx.lookupHost(host, dr.namespace, dr.spec.exportTo);
                if (!target) {
                    report(
                        `host "${host}" (${istioFqdn(host, dr.namespace)}) matches no Service or ServiceEntry, so the DestinationRule applies to nothing (IST0174).${hint(host)}`,
                        dr.resource.urn,
                    );
                    continue;
                }
                const podNs = clusterHostNamespace(target.fqdn) ?? target.namespace;
                const pods = (idx.workloads.get(podNs) ?? []).filter((w) => target.selector === undefined || selects(target.selector, w.labels));
                if ((idx.workloads.get(podNs) ?? []).length === 0 || target.selector === undefined) {
                    continue; // the input holds none of the namespace's workloads, or the service has no selector: nothing to judge
                }
                arr(dr.spec.subsets).forEach((s, i) => {
                    const name = str(get(s, "name")) ?? `subsets[${i}]`;
                    const labels = stringMap(get(s, "labels"));
                    if (!pods.some((w) => selects(labels, w.labels))) {
                        report(
                            `subset "${name}" (${selectorString(labels) || "no labels"}) selects no pod of ${target.label} in the input; traffic to it fails with 503 (IST0173).`,
                            dr.resource.urn,
                        );
                    }
                });
            }
        },
    };
}

/** Whether an AuthorizationPolicy namespace pattern names a namespace (authorizationpolicies.go namespaceMatch). */
export function namespaceMatches(ns: string, pattern: string): boolean {
    if (pattern === "*") {
        return true;
    }
    if (pattern.startsWith("*")) {
        return ns.endsWith(pattern.slice(1));
    }
    if (pattern.endsWith("*")) {
        return ns.startsWith(pattern.slice(0, -1));
    }
    return ns.toLowerCase() === pattern.toLowerCase();
}

/** AuthorizationPolicies naming namespaces or selecting workloads the input does not have. */
export function istioAuthorizationReferences(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    const defaults = { rootNamespace: "istio-system" };
    return {
        name: "istio-authorization-references",
        description: "AuthorizationPolicy source namespaces must exist and selectors must match a workload of the input (IST0101, IST0127).",
        enforcementLevel: level,
        configSchema: { properties: { rootNamespace: schema.string("Istio root namespace: its policies apply mesh-wide.", defaults.rootNamespace) } },
        validateStack: (args, report) => {
            const c = tunables(defaults, args);
            const idx = AnalyzeIndex.of(args.resources);
            const namespaces = [...idx.namespaces.keys()];
            for (const ap of idx.authorizationPolicies) {
                if (namespaces.length > 0) {
                    arr(ap.spec.rules).forEach((rule, i) => {
                        arr(get(rule, "from")).forEach((from, j) => {
                            for (const field of ["namespaces", "notNamespaces"]) {
                                for (const ns of arr(get(from, "source", field))) {
                                    if (typeof ns === "string" && !hasUnknown(ns) && !namespaces.some((n) => namespaceMatches(n, ns))) {
                                        report(`rules[${i}].from[${j}].source.${field} names namespace "${ns}", which the input does not hold (IST0101).`, ap.resource.urn);
                                    }
                                }
                            }
                        });
                    });
                }
                const selector = workloadSelector(ap.spec);
                if (!selector) {
                    continue;
                }
                const meshWide = ap.namespace === c.rootNamespace;
                const candidates = meshWide ? idx.allWorkloads : (idx.workloads.get(ap.namespace) ?? []);
                if (candidates.length > 0 && !candidates.some((w) => selects(selector, w.labels))) {
                    report(
                        `selector ${selectorString(selector)} matches no workload ${meshWide ? "of the input" : `in namespace ${ap.namespace}`}, so the policy protects nothing (IST0127).`,
                        ap.resource.urn,
                    );
                }
            }
        },
    };
}

export const referenceRules = [istioDestinationHostExists, istioVirtualServiceGateway, istioDestinationRuleTargets, istioAuthorizationReferences];
