// What the istioctl-analyze-class rules need from a stack, indexed once per run (maps by
// namespace and host; cached per resources array, so every rule of one run shares it) and Istio's
// host semantics, modelled on Istio 1.30.3 pkg/config/analysis/analyzers/util (hosts.go,
// service_lookup.go, in_mesh.go).
//
// "Present in the input": `check` and `plan` see only what they are given, not a cluster. A rule
// that asks whether a reference resolves judges it only where the input describes the target:
// a namespace is described when the input holds its Namespace object, a Service or a workload in
// it; workload selectors are judged only in namespaces whose workloads the input holds.
import type { PolicyResource } from "@pulumi/policy";
import { T, arr, get, hasUnknown, isObj, kindTypes, metaOf, obj, pushTo, releaseName, releaseNamespace, str, stringMap, typeSet, chartName } from "../common";

/** Istio's analyzers qualify hosts with the default domain too (util/constants.go DefaultClusterLocalDomain). */
export const CLUSTER_DOMAIN = "cluster.local";

// ---------------------------------------------------------------------------------------------
// Hosts

/**
 * The FQDN Istio makes of a host written in a resource of `namespace`: only a name without a dot
 * (and not a wildcard) is qualified, `reviews` → `reviews.<ns>.svc.cluster.local`; `reviews.prod`
 * stays as written (util/hosts.go ConvertHostToFQDN).
 */
export function istioFqdn(host: string, namespace: string, clusterDomain = CLUSTER_DOMAIN): string {
    const h = host.trim().toLowerCase();
    return h.startsWith("*") || h.includes(".") ? h : `${h}.${namespace}.svc.${clusterDomain}`;
}

/** Namespace of a `<name>.<ns>.svc.<clusterDomain>` host, or undefined for any other host. */
export function clusterHostNamespace(fqdn: string, clusterDomain = CLUSTER_DOMAIN): string | undefined {
    const suffix = `.svc.${clusterDomain}`;
    if (!fqdn.endsWith(suffix)) {
        return undefined;
    }
    const labels = fqdn.slice(0, -suffix.length).split(".");
    return labels.length === 2 && !labels[0].includes("*") ? labels[1] : undefined;
}

/** Whether two hosts overlap, wildcards (`*`, `*.example.com`) included (pkg/config/host Name.Matches). */
export function hostsOverlap(a: string, b: string): boolean {
    if (a === "*" || b === "*") {
        return true;
    }
    const aw = a.startsWith("*");
    const bw = b.startsWith("*");
    if (!aw && !bw) {
        return a === b;
    }
    if (aw && !bw) {
        return b.endsWith(a.slice(1));
    }
    if (!aw && bw) {
        return a.endsWith(b.slice(1));
    }
    const [sa, sb] = [a.slice(1), b.slice(1)];
    return sa.length > sb.length ? sa.endsWith(sb) : sb.endsWith(sa);
}

/** Kubernetes label selector (matchLabels) against labels. */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
    for (const [k, v] of Object.entries(selector)) {
        if (labels[k] !== v) {
            return false;
        }
    }
    return true;
}

/** `k=v,k2=v2`, sorted, as Kubernetes prints a selector. */
export function selectorString(selector: Record<string, string>): string {
    return Object.keys(selector)
        .sort()
        .map((k) => `${k}=${selector[k]}`)
        .join(",");
}

/** Stable JSON (sorted keys), for comparing match blocks as Istio compares their serialization. */
export function stableJson(v: unknown): string {
    if (Array.isArray(v)) {
        return `[${v.map(stableJson).join(",")}]`;
    }
    if (isObj(v)) {
        return `{${Object.keys(v)
            .sort()
            .filter((k) => v[k] !== undefined)
            .map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`)
            .join(",")}}`;
    }
    return JSON.stringify(v) ?? "null";
}

// ---------------------------------------------------------------------------------------------
// Types

const NET = ["v1", "v1beta1", "v1alpha3"];
export const AT = {
    gateway: typeSet(kindTypes("networking.istio.io", NET, "Gateway")),
    serviceEntry: typeSet(kindTypes("networking.istio.io", NET, "ServiceEntry")),
    virtualService: typeSet(T.virtualService),
    destinationRule: typeSet(T.destinationRule),
    sidecar: typeSet(T.sidecar),
    telemetry: typeSet(T.telemetry),
    authorizationPolicy: typeSet(T.authorizationPolicy),
    peerAuthentication: typeSet(T.peerAuthentication),
};

/** Workload kinds and where their pod labels are. */
const WORKLOADS: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
    ["kubernetes:core/v1:Pod", ["metadata"]],
    ["kubernetes:core/v1:ReplicationController", ["spec", "template", "metadata"]],
    ["kubernetes:apps/v1:Deployment", ["spec", "template", "metadata"]],
    ["kubernetes:apps/v1:StatefulSet", ["spec", "template", "metadata"]],
    ["kubernetes:apps/v1:DaemonSet", ["spec", "template", "metadata"]],
    ["kubernetes:apps/v1:ReplicaSet", ["spec", "template", "metadata"]],
    ["kubernetes:batch/v1:Job", ["spec", "template", "metadata"]],
    ["kubernetes:batch/v1:CronJob", ["spec", "jobTemplate", "spec", "template", "metadata"]],
]);

/** Every type the analyze rules read (for `check`'s "not judged" count). */
export const ANALYZED_TYPES: readonly string[] = [...WORKLOADS.keys(), ...AT.gateway, ...AT.serviceEntry];

// ---------------------------------------------------------------------------------------------
// Index

export interface Workload {
    resource?: PolicyResource;
    /** What the input calls it: `Deployment users/user-service`, `istio/gateway release istio-ingress`. */
    label: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
}

export interface ServicePortInfo {
    number: number;
    targetPort?: number;
    protocol: string;
}

/** A Service or ServiceEntry host, as Istio's analyzers see both (service_lookup.go). */
export interface HostEntry {
    resource?: PolicyResource;
    label: string;
    namespace: string;
    fqdn: string;
    ports: ServicePortInfo[];
    /** Namespaces it is visible from; `*` for all. */
    scopes: string[];
    /** Pods behind it: the Service selector (undefined: none) or ServiceEntry workloadSelector. */
    selector?: Record<string, string>;
}

export interface NamedResource {
    resource: PolicyResource;
    namespace: string;
    name: string;
    labels: Record<string, string>;
    spec: Record<string, unknown>;
}

/** istio/gateway chart Service ports (charts/gateway values.yaml 1.30.3: 15021, 80→80, 443→443). */
const GATEWAY_CHART_PORTS: readonly ServicePortInfo[] = [
    { number: 15021, targetPort: 15021, protocol: "TCP" },
    { number: 80, targetPort: 80, protocol: "TCP" },
    { number: 443, targetPort: 443, protocol: "TCP" },
];

function num(v: unknown): number | undefined {
    return typeof v === "number" && Number.isInteger(v) ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined;
}

function exportScopes(exportTo: unknown, namespace: string): string[] {
    const list = arr(exportTo)
        .filter((x): x is string => typeof x === "string")
        .map((s) => s.trim());
    if (list.length === 0 || list.includes("*")) {
        return ["*"];
    }
    return [...new Set(list.map((s) => (s === "." ? namespace : s)))];
}

export class AnalyzeIndex {
    readonly namespaces = new Map<string, NamedResource>();
    readonly workloads = new Map<string, Workload[]>(); // by namespace
    readonly allWorkloads: Workload[] = [];
    readonly services: HostEntry[] = [];
    /** `${scope}/${fqdn}` → entries; scope `*` or a namespace. */
    private readonly hosts = new Map<string, HostEntry[]>();
    private readonly wildcardHosts: HostEntry[] = [];
    /** Namespaces the input describes (Namespace object, Service, ServiceEntry or workload). */
    readonly described = new Set<string>();
    readonly gateways = new Map<string, NamedResource>(); // `${ns}/${name}`
    readonly virtualServices: NamedResource[] = [];
    readonly destinationRules: NamedResource[] = [];
    readonly sidecars: NamedResource[] = [];
    readonly telemetries: NamedResource[] = [];
    readonly authorizationPolicies: NamedResource[] = [];
    readonly peerAuthentications: NamedResource[] = [];
    /** Whether the input holds any Service or ServiceEntry (a whole to resolve external hosts against). */
    hasServices = false;

    private static readonly cache = new WeakMap<readonly PolicyResource[], AnalyzeIndex>();

    static of(resources: readonly PolicyResource[]): AnalyzeIndex {
        let idx = AnalyzeIndex.cache.get(resources);
        if (!idx) {
            idx = new AnalyzeIndex(resources);
            AnalyzeIndex.cache.set(resources, idx);
        }
        return idx;
    }

    private constructor(resources: readonly PolicyResource[]) {
        // Two documents naming the same object (kind, namespace, name) are one object, as
        // `kubectl apply` makes them: the later one wins (two files holding two versions of a
        // VirtualService are not two VirtualServices).
        const last = new Map<string, PolicyResource>();
        const identity = (r: PolicyResource): string => {
            const m = obj(get(r.props, "metadata"));
            const group = r.type.split(":")[1]?.split("/")[0] ?? "";
            return `${group}|${r.type.split(":").pop() ?? ""}|${str(m.namespace) ?? "default"}|${str(m.name) ?? r.name}`;
        };
        for (const r of resources) {
            if (r.type.startsWith("kubernetes:")) {
                last.set(identity(r), r);
            }
        }
        // Every cluster has the API server's Service; no input declares it.
        this.addHost({
            label: "Service default/kubernetes (the API server)",
            namespace: "default",
            fqdn: `kubernetes.default.svc.${CLUSTER_DOMAIN}`,
            ports: [{ number: 443, targetPort: 6443, protocol: "TCP" }],
            scopes: ["*"],
        });
        for (const r of resources) {
            const t = r.type;
            if (!t.startsWith("kubernetes:") || last.get(identity(r)) !== r) {
                continue;
            }
            if (t === T.helmRelease || t === T.helmChart) {
                this.addGatewayRelease(r);
                continue;
            }
            const path = WORKLOADS.get(t);
            if (path) {
                const meta = metaOf(r.props, r.name);
                const podMeta = obj(get(r.props, ...path));
                const w: Workload = {
                    resource: r,
                    label: `${t.split(":").pop()} ${meta.namespace}/${meta.name}`,
                    namespace: meta.namespace,
                    labels: stringMap(podMeta.labels),
                    annotations: stringMap(podMeta.annotations),
                };
                this.addWorkload(w);
                continue;
            }
            const named = (): NamedResource => {
                const meta = metaOf(r.props, r.name);
                return { resource: r, namespace: meta.namespace, name: meta.name, labels: meta.labels, spec: obj(get(r.props, "spec")) };
            };
            if (t === T.namespace) {
                const meta = metaOf(r.props, r.name);
                this.namespaces.set(meta.name, { resource: r, namespace: meta.name, name: meta.name, labels: meta.labels, spec: {} });
                this.described.add(meta.name);
            } else if (t === T.service) {
                this.addService(r);
            } else if (AT.serviceEntry.has(t)) {
                this.addServiceEntry(named());
            } else if (AT.gateway.has(t)) {
                const n = named();
                this.gateways.set(`${n.namespace}/${n.name}`, n);
            } else if (AT.virtualService.has(t)) {
                this.virtualServices.push(named());
            } else if (AT.destinationRule.has(t)) {
                this.destinationRules.push(named());
            } else if (AT.sidecar.has(t)) {
                this.sidecars.push(named());
            } else if (AT.telemetry.has(t)) {
                this.telemetries.push(named());
            } else if (AT.authorizationPolicy.has(t)) {
                this.authorizationPolicies.push(named());
            } else if (AT.peerAuthentication.has(t)) {
                this.peerAuthentications.push(named());
            }
        }
    }

    private addWorkload(w: Workload): void {
        pushTo(this.workloads, w.namespace, w);
        this.allWorkloads.push(w);
        this.described.add(w.namespace);
    }

    /** An istio/gateway release runs gateway pods labelled app/istio after the release (charts/gateway/templates/_helpers.tpl). */
    private addGatewayRelease(r: PolicyResource): void {
        const repo = `${str(get(r.props, "repositoryOpts", "repo")) ?? ""} ${str(get(r.props, "chart")) ?? ""}`;
        if (chartName(r.props) !== "gateway" || !/istio/i.test(repo)) {
            return;
        }
        const name = releaseName(r.props, r.name);
        const namespace = releaseNamespace(r.props);
        const values = obj(get(r.props, "values"));
        const labels = { app: name, istio: name.replace(/^istio-/, ""), ...stringMap(values.labels) };
        this.addWorkload({ resource: r, label: `istio/gateway release ${namespace}/${name}`, namespace, labels, annotations: {} });
        const given = arr(get(values, "service", "ports"));
        const ports =
            given.length > 0
                ? given.map((p) => ({ number: num(get(p, "port")) ?? 0, targetPort: num(get(p, "targetPort")), protocol: str(get(p, "protocol")) ?? "TCP" }))
                : [...GATEWAY_CHART_PORTS];
        this.addHost({
            resource: r,
            label: `Service ${namespace}/${name} (istio/gateway release)`,
            namespace,
            fqdn: `${name}.${namespace}.svc.${CLUSTER_DOMAIN}`,
            ports,
            scopes: ["*"],
            selector: { app: name, istio: labels.istio },
        });
        this.hasServices = true;
    }

    private addService(r: PolicyResource): void {
        const meta = metaOf(r.props, r.name);
        const spec = obj(get(r.props, "spec"));
        const ports = arr(spec.ports).map((p) => ({ number: num(get(p, "port")) ?? 0, targetPort: num(get(p, "targetPort")), protocol: str(get(p, "protocol")) ?? "TCP" }));
        const exportTo = meta.annotations["networking.istio.io/exportTo"];
        const scopes = exportTo ? exportScopes(exportTo.split(","), meta.namespace) : ["*"];
        const selector = isObj(spec.selector) ? stringMap(spec.selector) : undefined;
        this.addHost({
            resource: r,
            label: `Service ${meta.namespace}/${meta.name}`,
            namespace: meta.namespace,
            fqdn: `${meta.name}.${meta.namespace}.svc.${CLUSTER_DOMAIN}`,
            ports,
            scopes,
            selector,
        });
        this.described.add(meta.namespace);
        this.hasServices = true;
    }

    private addServiceEntry(n: NamedResource): void {
        const ports = arr(n.spec.ports).map((p) => ({ number: num(get(p, "number")) ?? 0, targetPort: num(get(p, "targetPort")), protocol: str(get(p, "protocol")) ?? "TCP" }));
        const scopes = exportScopes(n.spec.exportTo, n.namespace);
        const ws = get(n.spec, "workloadSelector", "labels");
        for (const h of arr(n.spec.hosts)) {
            if (typeof h === "string" && !hasUnknown(h)) {
                this.addHost({
                    resource: n.resource,
                    label: `ServiceEntry ${n.namespace}/${n.name}`,
                    namespace: n.namespace,
                    fqdn: istioFqdn(h, n.namespace),
                    ports,
                    scopes,
                    selector: isObj(ws) ? stringMap(ws) : undefined,
                });
            }
        }
        this.described.add(n.namespace);
        this.hasServices = true;
    }

    private addHost(e: HostEntry): void {
        this.services.push(e);
        if (e.fqdn.startsWith("*")) {
            this.wildcardHosts.push(e);
            return;
        }
        for (const scope of e.scopes) {
            pushTo(this.hosts, `${scope}/${e.fqdn}`, e);
        }
    }

    /**
     * The Service or ServiceEntry a host written in `namespace` (with that resource's exportTo)
     * reaches, as util.GetDestinationHost looks it up: exported to all, then to the namespaces
     * the referrer is visible in, then wildcard ServiceEntries.
     */
    lookupHost(host: string, namespace: string, exportTo: unknown = undefined): HostEntry | undefined {
        const fqdn = istioFqdn(host, namespace);
        const direct = this.hosts.get(`*/${fqdn}`);
        if (direct) {
            return direct[0];
        }
        const scopes = arr(exportTo).length === 0 ? [namespace] : exportScopes(exportTo, namespace).filter((s) => s !== "*");
        for (const s of scopes) {
            const hit = this.hosts.get(`${s}/${fqdn}`);
            if (hit) {
                return hit[0];
            }
        }
        const bare = fqdn.replace(/^\*/, "");
        for (const e of this.wildcardHosts) {
            if ((e.scopes.includes("*") || e.scopes.includes(namespace)) && bare.endsWith(e.fqdn.slice(1))) {
                return e;
            }
        }
        return undefined;
    }

    /**
     * Whether the input can tell that a host resolves: a cluster host (`x.<ns>.svc.cluster.local`)
     * when its namespace is described; any other host when the input holds Services at all.
     */
    judgesHost(host: string, namespace: string): boolean {
        const fqdn = istioFqdn(host, namespace);
        if (fqdn.includes("*")) {
            return false;
        }
        const ns = clusterHostNamespace(fqdn);
        return ns !== undefined ? this.described.has(ns) : this.hasServices;
    }

    /** Workloads of a namespace matching a selector. */
    matching(namespace: string, selector: Record<string, string>): Workload[] {
        return (this.workloads.get(namespace) ?? []).filter((w) => selects(selector, w.labels));
    }

    /** Whether a namespace is in ambient mode (util/in_mesh.go NamespaceInAmbientMode). */
    isAmbient(namespace: string): boolean {
        const labels = this.namespaces.get(namespace)?.labels;
        if (!labels || labels["istio-injection"] === "enabled" || (labels["istio.io/rev"] ?? "") !== "") {
            return false;
        }
        return labels["istio.io/dataplane-mode"] === "ambient";
    }
}

/** `selector.matchLabels` (AuthorizationPolicy, Telemetry, PeerAuthentication) or `workloadSelector.labels` (Sidecar); undefined when absent or empty. */
export function workloadSelector(spec: Record<string, unknown>): Record<string, string> | undefined {
    const labels = get(spec, "selector", "matchLabels") ?? get(spec, "workloadSelector", "labels");
    const m = stringMap(labels);
    return Object.keys(m).length > 0 ? m : undefined;
}

/** Whether a policy attaches by targetRef(s) instead of a selector. */
export function hasTargetRef(spec: Record<string, unknown>): boolean {
    return isObj(spec.targetRef) || arr(spec.targetRefs).length > 0;
}

/** `ns/name` of resources, sorted, for messages. */
export function names(list: readonly { namespace: string; name: string }[]): string {
    return [...new Set(list.map((x) => `${x.namespace}/${x.name}`))].sort().join(", ");
}
