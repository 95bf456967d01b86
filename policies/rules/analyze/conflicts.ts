// Configuration that collides or selects nothing, as istioctl analyze checks it (Istio 1.30.3,
// pkg/config/analysis/analyzers): VirtualService hosts claimed twice
// (virtualservice/conflictingmeshgatewayhosts.go: IST0109), Gateways on the same selector, port and
// host (gateway/conflictinggateway.go: IST0145), gateway ports the gateway Service does not expose
// and gateway selectors matching no workload (gateway/gateway.go: IST0162, IST0101), Sidecar
// selectors (sidecar/selector.go: IST0110, IST0111, IST0101), Telemetry selectors
// (telemetry/selector.go, telemetry/default_selector.go: IST0159, IST0160, IST0101), sidecars in
// ambient namespaces (sidecar/selector.go IST0167, util/in_mesh.go), several injection labels on a
// namespace (injection/injection.go: IST0123).
import * as k8s from "@pulumi/kubernetes";
import { EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { arr, get, hasUnknown, metaOf, pushTo, str, stringMap } from "../common";
import { AnalyzeIndex, NamedResource, Workload, hasTargetRef, hostsOverlap, istioFqdn, names, selectorString, selects, workloadSelector } from "./model";
import { gatewayKey } from "./references";

interface Claim {
    vs: NamedResource;
    fqdn: string;
    scopes: string[];
}

/** One host claimed by several VirtualServices for the mesh (sidecars), or twice on one gateway. */
export function istioVirtualServiceHostConflict(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return {
        name: "istio-virtual-service-host-conflict",
        description: "A host may be claimed by one VirtualService for the mesh, and by one VirtualService per gateway (IST0109).",
        enforcementLevel: level,
        validateStack: (args, report) => {
            const idx = AnalyzeIndex.of(args.resources);
            const mesh = new Map<string, Claim[]>(); // fqdn → claims
            const wildcard: Claim[] = [];
            const gateway = new Map<string, NamedResource[]>(); // `${gateway}|${host}` → VirtualServices
            for (const vs of idx.virtualServices) {
                const gateways = arr(vs.spec.gateways).filter((g): g is string => typeof g === "string" && !hasUnknown(g));
                const hosts = arr(vs.spec.hosts).filter((h): h is string => typeof h === "string" && !hasUnknown(h));
                const exportTo = arr(vs.spec.exportTo).filter((x): x is string => typeof x === "string");
                const scopes = exportTo.length === 0 || exportTo.includes("*") ? ["*"] : [...new Set(exportTo.map((e) => (e === "." ? vs.namespace : e)))];
                if (gateways.length === 0 || gateways.includes("mesh")) {
                    for (const h of hosts) {
                        const claim = { vs, fqdn: istioFqdn(h, vs.namespace), scopes };
                        if (claim.fqdn.startsWith("*")) {
                            wildcard.push(claim);
                        } else {
                            pushTo(mesh, claim.fqdn, claim);
                        }
                    }
                }
                for (const g of gateways.filter((x) => x !== "mesh")) {
                    for (const h of new Set(hosts.map((x) => x.toLowerCase()))) {
                        pushTo(gateway, `${gatewayKey(g, vs.namespace)}|${h}`, vs);
                    }
                }
            }
            const reported = new Set<string>();
            const overlap = (a: Claim, b: Claim): boolean => a.vs !== b.vs && (a.scopes.includes("*") || b.scopes.includes("*") || a.scopes.some((s) => b.scopes.includes(s)));
            const claims = [...[...mesh.values()].flat(), ...wildcard];
            const conflicts = (c: Claim): Claim[] => {
                const same = (mesh.get(c.fqdn) ?? []).filter((o) => overlap(c, o));
                const wild = [...wildcard, ...(c.fqdn.startsWith("*") ? claims : [])].filter(
                    (o) => o !== c && hostsOverlap(o.fqdn, c.fqdn) && overlap(c, o) && (o.scopes.includes("*") || c.scopes.includes("*")),
                );
                return [...new Set([...same, ...wild])];
            };
            for (const c of claims) {
                const others = conflicts(c);
                if (others.length === 0 || reported.has(c.vs.resource.urn)) {
                    continue;
                }
                reported.add(c.vs.resource.urn);
                report(
                    `host ${c.fqdn} is also claimed for the mesh by ${names(others.map((o) => o.vs))}; sidecars apply only one VirtualService per host, so the others' routes are ignored. Merge them into one (IST0109).`,
                    c.vs.resource.urn,
                );
            }
            for (const [key, list] of gateway) {
                const distinct = [...new Set(list)];
                if (distinct.length < 2) {
                    continue;
                }
                const [gw, host] = key.split("|");
                for (const vs of distinct) {
                    if (!reported.has(vs.resource.urn)) {
                        reported.add(vs.resource.urn);
                        report(
                            `host ${host} on gateway ${gw} is also claimed by ${names(distinct.filter((o) => o !== vs))}; Istio merges their routes for the gateway in no defined order, so one may shadow the other. Keep one VirtualService per gateway host or use delegation.`,
                            vs.resource.urn,
                        );
                    }
                }
            }
        },
    };
}

interface Server {
    gw: NamedResource;
    port: number;
    hosts: string[];
    bind: string;
    index: number;
}

function servers(gw: NamedResource): Server[] {
    return arr(gw.spec.servers).map((s, index) => ({
        gw,
        index,
        port: typeof get(s, "port", "number") === "number" ? (get(s, "port", "number") as number) : 0,
        hosts: arr(get(s, "hosts"))
            .filter((h): h is string => typeof h === "string")
            .map((h) => (h.includes("/") ? h.slice(h.indexOf("/") + 1) : h).toLowerCase()),
        bind: str(get(s, "bind")) ?? "",
    }));
}

/** Gateways with the same selector, port and an overlapping host. */
export function istioGatewayConflict(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return {
        name: "istio-gateway-conflict",
        description: "Two Gateways must not serve the same host on the same port of the same gateway workload (IST0145).",
        enforcementLevel: level,
        validateStack: (args, report) => {
            const idx = AnalyzeIndex.of(args.resources);
            const byKey = new Map<string, Server[]>(); // `${selector}~${port}`
            for (const gw of idx.gateways.values()) {
                const sel = selectorString(stringMap(gw.spec.selector));
                for (const s of servers(gw)) {
                    pushTo(byKey, `${sel}~${s.port}`, s);
                }
            }
            for (const [key, list] of byKey) {
                const [sel, port] = key.split("~");
                for (const s of list) {
                    const clash = list.filter((o) => o.gw !== s.gw && o.bind === s.bind && o.hosts.some((h) => s.hosts.some((x) => hostsOverlap(h, x))));
                    if (clash.length > 0) {
                        report(
                            `servers[${s.index}] (port ${port}, hosts ${s.hosts.join(", ")}) conflicts with ${names(clash.map((o) => o.gw))} on the same selector ${sel || "(none)"}; only one of them gets the port (IST0145).`,
                            s.gw.resource.urn,
                        );
                    }
                }
            }
        },
    };
}

/** Gateway selectors that match no gateway workload, or ports the gateway's Service does not expose. */
export function istioGatewayWorkload(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return {
        name: "istio-gateway-workload",
        description: "When the input holds gateway workloads, a Gateway's selector must match one and its ports must be exposed by that workload's Service (IST0101, IST0162).",
        enforcementLevel: level,
        validateStack: (args, report) => {
            const idx = AnalyzeIndex.of(args.resources);
            // Judged only when the input holds gateway workloads (an istio/gateway release, or pods
            // labelled `istio`): application manifests usually meet a gateway installed elsewhere.
            const gateways = idx.allWorkloads.filter((w) => w.labels.istio !== undefined);
            if (gateways.length === 0) {
                return;
            }
            for (const gw of idx.gateways.values()) {
                const selector = stringMap(gw.spec.selector);
                if (Object.keys(selector).length === 0) {
                    continue;
                }
                const pods = idx.allWorkloads.filter((w) => selects(selector, w.labels));
                if (pods.length === 0) {
                    report(
                        `selector ${selectorString(selector)} matches no gateway workload of the input (${[...new Set(gateways.map((g) => selectorString({ istio: g.labels.istio })))].join(", ")}), so no gateway serves it (IST0101).`,
                        gw.resource.urn,
                    );
                    continue;
                }
                const ports = new Set<number>();
                let services = 0;
                for (const e of idx.services) {
                    if (!e.selector || e.fqdn.startsWith("*") || !pods.some((p) => p.namespace === e.namespace && selects(e.selector ?? {}, p.labels))) {
                        continue;
                    }
                    services++;
                    for (const p of e.ports) {
                        if (p.protocol.toUpperCase() === "TCP") {
                            ports.add(p.targetPort ?? p.number);
                            ports.add(p.number);
                        }
                    }
                }
                if (services === 0) {
                    continue;
                }
                for (const s of servers(gw)) {
                    if (s.port > 0 && !ports.has(s.port)) {
                        report(
                            `servers[${s.index}] port ${s.port} is not exposed by the Service of the gateway workload (${selectorString(selector)}; ports ${[...ports].sort((a, b) => a - b).join(", ")}), so clients cannot reach it (IST0162).`,
                            gw.resource.urn,
                        );
                    }
                }
            }
        },
    };
}

/** Workloads each selector-scoped resource selects, by workload; reports selectors that select nothing. */
function selectorConflicts(
    idx: AnalyzeIndex,
    list: readonly NamedResource[],
    kind: string,
    code: { none: string; conflict: string; multiple: string },
    report: (message: string, urn: string) => void,
    skip: (r: NamedResource) => boolean = () => false,
): void {
    const byWorkload = new Map<Workload, NamedResource[]>();
    const unscoped = new Map<string, NamedResource[]>();
    for (const r of list) {
        if (skip(r)) {
            continue;
        }
        const selector = workloadSelector(r.spec);
        if (!selector) {
            if (!hasTargetRef(r.spec)) {
                pushTo(unscoped, r.namespace, r);
            }
            continue;
        }
        const candidates = idx.workloads.get(r.namespace) ?? [];
        if (candidates.length === 0) {
            continue; // the namespace's workloads are not in the input
        }
        const hit = candidates.filter((w) => selects(selector, w.labels));
        if (hit.length === 0) {
            report(`selector ${selectorString(selector)} matches no workload in namespace ${r.namespace} (${code.none}).`, r.resource.urn);
        }
        hit.forEach((w) => pushTo(byWorkload, w, r));
    }
    const reported = new Set<string>();
    for (const [w, rs] of byWorkload) {
        if (rs.length < 2) {
            continue;
        }
        for (const r of rs) {
            if (!reported.has(r.resource.urn)) {
                reported.add(r.resource.urn);
                report(`${kind} selects ${w.label} together with ${names(rs.filter((o) => o !== r))}; which one applies is undefined (${code.conflict}).`, r.resource.urn);
            }
        }
    }
    for (const [ns, rs] of unscoped) {
        if (rs.length < 2) {
            continue;
        }
        for (const r of rs) {
            report(
                `${kind} has no workload selector, like ${names(rs.filter((o) => o !== r))} in namespace ${ns}; only one namespace-wide ${kind} may exist (${code.multiple}).`,
                r.resource.urn,
            );
        }
    }
}

/** Sidecars that conflict or select nothing. */
export function istioSidecarSelector(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return {
        name: "istio-sidecar-selector",
        description:
            "Each workload is selected by at most one Sidecar, one Sidecar per namespace has no selector, and selectors match a workload of the input (IST0110, IST0111, IST0101).",
        enforcementLevel: level,
        validateStack: (args, report) => {
            const idx = AnalyzeIndex.of(args.resources);
            selectorConflicts(idx, idx.sidecars, "Sidecar", { none: "IST0101", conflict: "IST0110", multiple: "IST0111" }, report, (r) => idx.isAmbient(r.namespace));
        },
    };
}

/** Telemetries that conflict or select nothing. */
export function istioTelemetrySelector(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return {
        name: "istio-telemetry-selector",
        description:
            "Each workload is selected by at most one Telemetry, one Telemetry per namespace has no selector, and selectors match a workload of the input (IST0159, IST0160, IST0101).",
        enforcementLevel: level,
        validateStack: (args, report) => {
            const idx = AnalyzeIndex.of(args.resources);
            selectorConflicts(idx, idx.telemetries, "Telemetry", { none: "IST0101", conflict: "IST0159", multiple: "IST0160" }, report);
        },
    };
}

/** Sidecar configuration and sidecar-injected workloads in ambient namespaces. */
export function istioAmbientNoSidecar(level: EnforcementLevel = "advisory"): StackValidationPolicy {
    return {
        name: "istio-ambient-no-sidecar",
        description: "Ambient namespaces (istio.io/dataplane-mode: ambient) take no Sidecar resources and no sidecar-injected workloads (IST0167).",
        enforcementLevel: level,
        validateStack: (args, report) => {
            const idx = AnalyzeIndex.of(args.resources);
            for (const s of idx.sidecars) {
                if (idx.isAmbient(s.namespace)) {
                    report(`namespace ${s.namespace} is in ambient mode, so this Sidecar has no effect (IST0167); configure the waypoint instead.`, s.resource.urn);
                }
            }
            for (const [ns, list] of idx.workloads) {
                if (!idx.isAmbient(ns)) {
                    continue;
                }
                for (const w of list) {
                    if (w.resource && (w.labels["sidecar.istio.io/inject"] === "true" || w.annotations["sidecar.istio.io/inject"] === "true")) {
                        report(
                            `${w.label} asks for a sidecar (sidecar.istio.io/inject: "true") in ambient namespace ${ns}; it would run both data planes. Drop the label, or take the namespace out of ambient.`,
                            w.resource.urn,
                        );
                    }
                }
            }
        },
    };
}

/** Namespaces carrying more than one kind of injection label (injection.go). */
export function istioNamespaceInjectionLabels(level: EnforcementLevel = "advisory"): ResourceValidationPolicy {
    return {
        name: "istio-namespace-injection-labels",
        description: "A namespace carries one kind of Istio data-plane label: istio-injection, istio.io/rev or istio.io/dataplane-mode (IST0123).",
        enforcementLevel: level,
        validateResource: validateResourceOfType(k8s.core.v1.Namespace, (ns, args, report) => {
            const meta = metaOf(ns, args.name);
            if (meta.name === "istio-system") {
                args.notApplicable("istio-system");
            }
            const l = meta.labels;
            const found: string[] = [];
            if (l["istio-injection"] !== undefined) {
                found.push(`istio-injection=${l["istio-injection"]}`);
            }
            for (const key of ["istio.io/rev", "istio.io/dataplane-mode"]) {
                if (l[key] !== undefined && (l["istio-injection"] === undefined || l["istio-injection"] === "enabled")) {
                    found.push(`${key}=${l[key]}`);
                }
            }
            if (found.length > 1) {
                report(`namespace ${meta.name} has ${found.join(", ")}; keep one (istio-injection wins over istio.io/rev, and sidecar injection over ambient) (IST0123).`);
            }
        }),
    };
}

export const conflictRules = [
    istioVirtualServiceHostConflict,
    istioGatewayConflict,
    istioGatewayWorkload,
    istioSidecarSelector,
    istioTelemetrySelector,
    istioAmbientNoSidecar,
    istioNamespaceInjectionLabels,
];
