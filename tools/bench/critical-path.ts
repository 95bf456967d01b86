/**
 * The deploy critical path: from the dependency graph an offline plan records,
 * the wall time `pulumi up` needs from scratch (the longest path, each resource
 * weighted by its creation time from `durations.ts`), compared with the lower
 * bound that only the unavoidable dependencies impose.
 *
 * - Components do no work: a dependency on a component is a dependency on all
 *   of its descendants (the SDK already sends children's URNs; this expands
 *   whatever component URN remains).
 * - The estimate ("planned") is the longest path over the recorded edges
 *   (dependsOn, property dependencies, the provider) together with the
 *   unavoidable ones: a resource the program does not order after the node
 *   group still cannot run its pods before there are nodes.
 * - The lower bound is the longest path over the unavoidable edges alone,
 *   whose classes are listed in `UNAVOIDABLE` with the reason for each.
 */
import { apiGroupOf, chartFacts, chartOf, durationOf, isHelmRelease, skipsAwait, type Duration, type ResourceLike } from "./durations";

export interface GraphResource extends ResourceLike {
    readonly urn: string;
    readonly name: string;
    readonly parent?: string;
    readonly dependsOn: readonly string[];
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
    readonly provider?: string;
}

/** Why a resource must wait for another, whatever the program says. */
export const UNAVOIDABLE = {
    data: "reads an output of the other (a property dependency): it cannot be created without the value",
    provider: "is created through that provider (for Kubernetes objects: the cluster's API must be up)",
    iam: "uses an IAM role whose policy attachment must be in place first (a node role without the worker policy cannot join; an IRSA role without its policy cannot act)",
    egress: "launches nodes into a subnet whose route to the NAT gateway they need to bootstrap (private subnets)",
    cni: "node groups need the VPC CNI and kube-proxy add-ons to become Ready (the cluster is created without the self-managed add-ons)",
    nodes: "runs pods (a Helm release, or the coredns / EBS CSI add-ons), which need nodes",
    dns: "runs pods that resolve names through CoreDNS (cluster services, AWS API endpoints)",
    storage: "mounts EBS volumes, which need the EBS CSI driver and the StorageClass its claims name (EKS >= 1.30 has no default class)",
    crd: "is a custom resource whose CRD that Helm release installs, or a controller (istiod) that needs those CRDs to start",
    namespace: "lives in a namespace the stack creates",
    injection: "runs pods in a namespace labelled for sidecar injection: istiod must be serving the injection webhook",
    "lb-webhook":
        "creates a Service or an Ingress on EKS: the AWS Load Balancer Controller's webhooks (mservice, vingress; failurePolicy Fail, every object) must be serving (kubernetes-sigs/aws-load-balancer-controller#4140)",
    "plugin-ref": "is an Ingress naming that KongPlugin in konghq.com/plugins: created first, Kong would serve the route without the plugin (e.g. without authentication)",
    await: "Pulumi's await logic waits for it: an Ingress for its backend Service's Endpoints and for Kong to publish its status; a Service for the pods of the release it selects",
} as const;

export type UnavoidableKind = keyof typeof UNAVOIDABLE;
export type EdgeKind = "recorded" | UnavoidableKind;

export interface Edge {
    /** Must complete first (or, with `lag`, must have started that long before). */
    readonly from: string;
    readonly to: string;
    readonly kind: EdgeKind;
    /** `to` may start this many seconds after `from` starts, rather than after it finishes. */
    readonly lag?: number;
}

/** A Deployment's pods have addresses (and so fill a Service's Endpoints) about this long after a release starts: schedule, sandbox, CNI (estimate). */
export const POD_ADDRESSES_SECONDS = 30;

export interface PathStep {
    readonly urn: string;
    readonly name: string;
    readonly type: string;
    /** Table row that gave the duration. */
    readonly key: string;
    readonly seconds: number;
    readonly start: number;
    readonly finish: number;
    /** Why this step waits for the previous one. */
    readonly via: EdgeKind[];
}

export interface PathResult {
    readonly seconds: number;
    readonly chain: PathStep[];
}

export interface AvoidableEdge {
    readonly from: string;
    readonly to: string;
    /** How much sooner the deploy would finish without this edge alone. */
    readonly costSeconds: number;
}

export interface AvoidableGroup {
    /** The resource waited for. */
    readonly from: string;
    /** What waits, summarised: a resource name, or `<n> × <type>`. */
    readonly to: string;
    readonly edges: number;
    /**
     * How much longer `from` could take before these edges delay the deploy
     * (the least, over the group, of the latest start of the waiting resource
     * minus the earliest finish of `from`, on the planned graph); 0 on the critical path.
     */
    readonly slackSeconds: number;
}

/** A resource Pulumi creates long before what its await logic waits for is there. */
export interface AwaitWait {
    readonly name: string;
    readonly type: string;
    /** What its await waits for (the latest of them). */
    readonly waitsFor: string;
    /** From its creation (all its other dependencies done) to what it awaits being ready, on the planned schedule. */
    readonly waitSeconds: number;
    /** Pulumi's default await timeout for Services and Ingresses is 10 minutes: past it, `pulumi up` fails. */
    readonly exceedsTimeout: boolean;
}

/** pulumi-kubernetes' default await timeout (DefaultServiceTimeoutMins, DefaultIngressTimeoutMins). */
export const AWAIT_TIMEOUT_SECONDS = 600;

export interface CriticalPathReport {
    readonly resources: number;
    /** Sum of all durations: the time of a fully serial deploy. */
    readonly serialSeconds: number;
    readonly planned: PathResult;
    readonly lowerBound: PathResult;
    /** planned / lowerBound. */
    readonly ratio: number;
    /** Recorded edges on the planned critical path that no unavoidable class explains, with what each costs. */
    readonly avoidableOnPath: AvoidableEdge[];
    /**
     * Every recorded edge that no unavoidable edge implies, even transitively, grouped by the
     * resource waited for and the type of what waits, with its slack: orderings the program
     * imposes that cost nothing at these durations but would if `from` took longer.
     */
    readonly avoidable: AvoidableGroup[];
    /** Resources created more than a minute before what Pulumi's await logic waits for them to see, longest wait first. */
    readonly awaitWaits: AwaitWait[];
}

export class DeployGraph {
    readonly byUrn: ReadonlyMap<string, GraphResource>;
    private readonly children = new Map<string, string[]>();
    private readonly expanded = new Map<string, string[]>();

    /**
     * @param overrides seconds by duration-table key (`eks-addon:aws-ebs-csi-driver`, `helm:kong`, …), to ask "what if this took longer"
     */
    constructor(
        readonly resources: readonly GraphResource[],
        private readonly overrides: Readonly<Record<string, number>> = {},
    ) {
        this.byUrn = new Map(resources.map((r) => [r.urn, r]));
        for (const r of resources) {
            if (r.parent !== undefined) {
                const list = this.children.get(r.parent) ?? [];
                list.push(r.urn);
                this.children.set(r.parent, list);
            }
        }
    }

    /** A resource's creation time, from the duration table unless overridden. */
    duration(r: GraphResource): Duration {
        const d = durationOf(r);
        const o = this.overrides[d.key];
        return o === undefined ? d : { ...d, seconds: o, source: `override (table: ${d.seconds} s)` };
    }

    /** Resources that take part in the deploy: custom resources and providers (not components, not the stack). */
    get nodes(): GraphResource[] {
        return this.resources.filter((r) => r.custom);
    }

    /** A URN as what must complete: itself for a custom resource, every custom descendant for a component, nothing if unknown. */
    expand(urn: string): string[] {
        const known = this.expanded.get(urn);
        if (known !== undefined) {
            return known;
        }
        const r = this.byUrn.get(urn);
        let out: string[];
        if (r === undefined) {
            out = [];
        } else if (r.custom) {
            out = [urn];
        } else {
            out = (this.children.get(urn) ?? []).flatMap((c) => this.expand(c));
        }
        this.expanded.set(urn, out);
        return out;
    }
}

/** The edges the program recorded: dependsOn (which includes the property dependencies) and the provider. */
export function recordedEdges(g: DeployGraph): Edge[] {
    const edges: Edge[] = [];
    for (const r of g.nodes) {
        const deps = new Set<string>([...r.dependsOn, ...Object.values(r.propertyDependencies).flat(), ...(r.provider !== undefined ? [r.provider] : [])]);
        for (const d of deps) {
            for (const from of g.expand(d)) {
                if (from !== r.urn) {
                    edges.push({ from, to: r.urn, kind: "recorded" });
                }
            }
        }
    }
    return edges;
}

/** The edges no ordering can avoid, by class (see UNAVOIDABLE). */
export function unavoidableEdges(g: DeployGraph): Edge[] {
    const edges: Edge[] = [];
    const seen = new Set<string>();
    const add = (from: string | undefined, to: string, kind: UnavoidableKind, lag?: number) => {
        const key = `${from}\n${to}\n${kind}`;
        if (from !== undefined && from !== to && !seen.has(key)) {
            seen.add(key);
            edges.push(lag === undefined ? { from, to, kind } : { from, to, kind, lag });
        }
    };
    const nodes = g.nodes;
    const ofType = (type: string) => nodes.filter((r) => r.type === type);
    const releases = nodes.filter(isHelmRelease);
    const withPods = releases.filter((r) => chartFacts(r).pods);
    const addons = new Map(ofType("aws:eks/addon:Addon").map((a) => [String(a.inputs.addonName), a]));
    const nodeGroups = ofType("aws:eks/nodeGroup:NodeGroup");
    const kubeObjects = nodes.filter((r) => r.type.startsWith("kubernetes:") && !isHelmRelease(r));

    for (const r of nodes) {
        // data: property dependencies.
        for (const urns of Object.values(r.propertyDependencies)) {
            for (const u of urns) {
                for (const from of g.expand(u)) {
                    add(from, r.urn, "data");
                }
            }
        }
        // provider.
        if (r.provider !== undefined) {
            for (const from of g.expand(r.provider)) {
                add(from, r.urn, "provider");
            }
        }
    }

    // iam: a role's attachments before anything that uses the role.
    const attachmentsByRole = new Map<string, string[]>();
    for (const a of [...ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment"), ...ofType("aws:iam/rolePolicy:RolePolicy")]) {
        for (const role of a.propertyDependencies.role ?? []) {
            attachmentsByRole.set(role, [...(attachmentsByRole.get(role) ?? []), a.urn]);
        }
    }
    for (const r of nodes) {
        const uses = new Set(Object.values(r.propertyDependencies).flat());
        for (const role of uses) {
            const attachments = attachmentsByRole.get(role) ?? [];
            if (attachments.includes(r.urn)) {
                continue;
            }
            for (const a of attachments) {
                add(a, r.urn, "iam");
            }
        }
    }

    // egress: route-table associations of the subnets a node group launches into.
    const associationsBySubnet = new Map<string, string[]>();
    for (const a of ofType("aws:ec2/routeTableAssociation:RouteTableAssociation")) {
        for (const s of a.propertyDependencies.subnetId ?? []) {
            associationsBySubnet.set(s, [...(associationsBySubnet.get(s) ?? []), a.urn]);
        }
    }
    for (const ng of nodeGroups) {
        for (const s of ng.propertyDependencies.subnetIds ?? []) {
            for (const a of associationsBySubnet.get(s) ?? []) {
                add(a, ng.urn, "egress");
            }
        }
    }

    // cni: without the self-managed add-ons, nodes need the vpc-cni and kube-proxy add-ons.
    const bare = ofType("aws:eks/cluster:Cluster").some((c) => c.inputs.bootstrapSelfManagedAddons === false);
    if (bare) {
        for (const ng of nodeGroups) {
            add(addons.get("vpc-cni")?.urn, ng.urn, "cni");
            add(addons.get("kube-proxy")?.urn, ng.urn, "cni");
        }
    }

    // nodes: releases with pods, and the add-ons that run Deployments.
    const podAddons = ["coredns", "aws-ebs-csi-driver"].flatMap((n) => (addons.has(n) ? [addons.get(n) as GraphResource] : []));
    for (const ng of nodeGroups) {
        for (const r of [...withPods, ...podAddons]) {
            add(ng.urn, r.urn, "nodes");
        }
    }

    // dns: releases with pods after CoreDNS.
    const coredns = addons.get("coredns");
    for (const r of withPods) {
        add(coredns?.urn, r.urn, "dns");
    }

    // storage: releases that mount EBS volumes after the EBS CSI driver.
    const ebs = addons.get("aws-ebs-csi-driver");
    const storageClasses = ofType("kubernetes:storage.k8s.io/v1:StorageClass");
    for (const r of withPods) {
        if (mountsVolumes(r)) {
            add(ebs?.urn, r.urn, "storage");
            for (const sc of storageClasses) {
                add(sc.urn, r.urn, "storage");
            }
        }
    }

    // crd: custom resources after the release that installs their CRDs.
    const installerOf = new Map<string, string>();
    for (const r of releases) {
        for (const group of chartFacts(r).crdGroups) {
            installerOf.set(group, r.urn);
        }
    }
    // CRDs the stack applies as objects (GatewayApiCrds: gateway.networking.k8s.io): their custom resources after them.
    const crdObjectsOf = new Map<string, string[]>();
    for (const r of ofType("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition")) {
        const group = (r.inputs.spec as { group?: unknown } | undefined)?.group;
        if (typeof group === "string") crdObjectsOf.set(group, [...(crdObjectsOf.get(group) ?? []), r.urn]);
    }
    for (const r of kubeObjects) {
        add(installerOf.get(apiGroupOf(r.type)), r.urn, "crd");
        for (const crd of crdObjectsOf.get(apiGroupOf(r.type)) ?? []) add(crd, r.urn, "crd");
    }
    for (const r of releases) {
        for (const group of chartFacts(r).watchesGroups ?? []) {
            add(installerOf.get(group), r.urn, "crd");
        }
    }

    // namespace: objects and releases after the Namespace the stack creates for them.
    const namespaces = new Map<string, GraphResource>();
    for (const ns of ofType("kubernetes:core/v1:Namespace")) {
        const name = metadataOf(ns).name;
        if (typeof name === "string") {
            namespaces.set(name, ns);
        }
    }
    const namespaceOf = (r: GraphResource): string | undefined => {
        const ns = isHelmRelease(r) ? r.inputs.namespace : metadataOf(r).namespace;
        return typeof ns === "string" ? ns : undefined;
    };
    for (const r of [...kubeObjects, ...releases]) {
        const ns = namespaceOf(r);
        if (ns !== undefined && r.type !== "kubernetes:core/v1:Namespace") {
            add(namespaces.get(ns)?.urn, r.urn, "namespace");
        }
    }

    // injection: releases in injected namespaces after istiod.
    const istiod = releases.find((r) => chartOf(r) === "istiod");
    for (const r of withPods) {
        const ns = namespaceOf(r);
        const labels = ns === undefined ? undefined : metadataOf(namespaces.get(ns)).labels;
        if (istiod !== undefined && typeof labels === "object" && labels !== null && (labels as Record<string, unknown>)["istio-injection"] === "enabled") {
            add(istiod.urn, r.urn, "injection");
        }
    }

    // lb-webhook: Services, Ingresses and releases that create Services after the LB controller.
    const lbController = releases.find((r) => chartOf(r) === "aws-load-balancer-controller");
    if (lbController !== undefined) {
        for (const r of nodes) {
            const createsServices = r.type === "kubernetes:core/v1:Service" || r.type === "kubernetes:networking.k8s.io/v1:Ingress" || (isHelmRelease(r) && chartFacts(r).services);
            if (createsServices && r.urn !== lbController.urn) {
                add(lbController.urn, r.urn, "lb-webhook");
            }
        }
    }

    // plugin-ref and await for Ingresses; await for Services selecting a release's pods.
    const byNamespacedName = (type: string) => {
        const m = new Map<string, string>();
        for (const r of ofType(type)) {
            const md = metadataOf(r);
            m.set(`${String(md.namespace)}/${String(md.name)}`, r.urn);
        }
        return m;
    };
    const plugins = byNamespacedName("kubernetes:configuration.konghq.com/v1:KongPlugin");
    const services = byNamespacedName("kubernetes:core/v1:Service");
    const kong = releases.find((r) => chartOf(r) === "kong");
    for (const ing of ofType("kubernetes:networking.k8s.io/v1:Ingress")) {
        const md = metadataOf(ing);
        const annotations = (md.annotations ?? {}) as Record<string, unknown>;
        const refs = typeof annotations["konghq.com/plugins"] === "string" ? annotations["konghq.com/plugins"].split(",").map((p) => p.trim()) : [];
        for (const p of refs) {
            add(plugins.get(`${String(md.namespace)}/${p}`), ing.urn, "plugin-ref");
        }
        if (skipsAwait(ing)) {
            continue;
        }
        for (const svc of ingressBackends(ing)) {
            add(services.get(`${String(md.namespace)}/${svc}`), ing.urn, "await");
        }
        const spec = (ing.inputs.spec ?? {}) as { ingressClassName?: unknown };
        if (spec.ingressClassName === "kong") {
            add(kong?.urn, ing.urn, "await");
        }
    }
    for (const svc of ofType("kubernetes:core/v1:Service").filter((s) => !skipsAwait(s))) {
        const selector = ((svc.inputs.spec ?? {}) as { selector?: Record<string, unknown> }).selector ?? {};
        const instance = selector["app.kubernetes.io/instance"];
        const release = releases.find((r) => r.inputs.name === instance && r.inputs.namespace === metadataOf(svc).namespace);
        // The await is satisfied once the release's pods have addresses, long before the release is ready.
        add(release?.urn, svc.urn, "await", POD_ADDRESSES_SECONDS);
    }
    return edges;
}

function metadataOf(r: GraphResource | undefined): Record<string, unknown> {
    const md = r?.inputs.metadata;
    return typeof md === "object" && md !== null ? (md as Record<string, unknown>) : {};
}

function ingressBackends(ing: GraphResource): string[] {
    const spec = (ing.inputs.spec ?? {}) as {
        defaultBackend?: { service?: { name?: unknown } };
        rules?: { http?: { paths?: { backend?: { service?: { name?: unknown } } }[] } }[];
    };
    const names = [spec.defaultBackend?.service?.name, ...(spec.rules ?? []).flatMap((rule) => (rule.http?.paths ?? []).map((p) => p.backend?.service?.name))];
    return [...new Set(names.filter((n): n is string => typeof n === "string"))];
}

/** A release whose values ask for a persistent volume (a PVC template, an existing claim, persistence on). */
function mountsVolumes(r: GraphResource): boolean {
    const found = { hit: false };
    const walk = (v: unknown): void => {
        if (found.hit || typeof v !== "object" || v === null) {
            return;
        }
        if (Array.isArray(v)) {
            v.forEach(walk);
            return;
        }
        for (const [k, child] of Object.entries(v)) {
            if (
                k === "volumeClaimTemplate" ||
                k === "claimName" ||
                k === "existingClaim" ||
                (k === "persistence" && typeof child === "object" && child !== null && (child as { enabled?: unknown }).enabled === true)
            ) {
                found.hit = true;
                return;
            }
            walk(child);
        }
    };
    walk(r.inputs.values);
    return found.hit;
}

interface Schedule {
    readonly order: string[];
    readonly preds: ReadonlyMap<string, ReadonlyMap<string, number | undefined>>;
    readonly succs: ReadonlyMap<string, readonly string[]>;
    readonly kinds: ReadonlyMap<string, ReadonlySet<EdgeKind>>;
    readonly finish: ReadonlyMap<string, number>;
    /** The predecessor that set each node's start. */
    readonly via: ReadonlyMap<string, string | undefined>;
    readonly durations: ReadonlyMap<string, Duration>;
}

/**
 * Earliest start and finish of every node over `edges` (topological order).
 * Between two nodes, a finish-to-start edge wins over lagged start-to-start ones.
 * Throws on a cycle.
 */
function schedule(g: DeployGraph, edges: readonly Edge[]): Schedule {
    const nodes = g.nodes;
    // pred → undefined (after it finishes) or the lag after it starts.
    const preds = new Map<string, Map<string, number | undefined>>(nodes.map((n) => [n.urn, new Map()]));
    const succs = new Map<string, string[]>(nodes.map((n) => [n.urn, []]));
    const kinds = new Map<string, Set<EdgeKind>>();
    for (const e of edges) {
        const p = preds.get(e.to);
        if (p === undefined || !preds.has(e.from)) {
            continue;
        }
        if (!p.has(e.from)) {
            p.set(e.from, e.lag);
            succs.get(e.from)?.push(e.to);
        } else {
            const cur = p.get(e.from);
            p.set(e.from, cur === undefined || e.lag === undefined ? undefined : Math.max(cur, e.lag));
        }
        const key = `${e.from}\n${e.to}`;
        kinds.set(key, (kinds.get(key) ?? new Set<EdgeKind>()).add(e.kind));
    }
    const durations = new Map(nodes.map((n) => [n.urn, g.duration(n)]));
    const remaining = new Map(nodes.map((n) => [n.urn, preds.get(n.urn)?.size ?? 0]));
    const ready = nodes.filter((n) => remaining.get(n.urn) === 0).map((n) => n.urn);
    const order: string[] = [];
    const finish = new Map<string, number>();
    const via = new Map<string, string | undefined>();
    while (ready.length > 0) {
        const urn = ready.pop() as string;
        order.push(urn);
        let start = 0;
        let best: string | undefined;
        for (const [p, lag] of preds.get(urn) ?? []) {
            const pf = finish.get(p) ?? 0;
            const t = lag === undefined ? pf : pf - (durations.get(p)?.seconds ?? 0) + lag;
            if (t > start || (t === start && best !== undefined && p < best)) {
                start = t;
                best = p;
            }
        }
        finish.set(urn, start + (durations.get(urn)?.seconds ?? 0));
        via.set(urn, best);
        for (const s of succs.get(urn) ?? []) {
            const left = (remaining.get(s) ?? 0) - 1;
            remaining.set(s, left);
            if (left === 0) {
                ready.push(s);
            }
        }
    }
    if (order.length < nodes.length) {
        const stuck = nodes
            .filter((n) => (remaining.get(n.urn) ?? 0) > 0)
            .slice(0, 5)
            .map((n) => n.name);
        throw new Error(`the dependency graph has a cycle (involving ${stuck.join(", ")})`);
    }
    return { order, preds, succs, kinds, finish, via, durations };
}

/** Latest start of every node that keeps the schedule's end (backward pass). */
function latestStarts(s: Schedule): Map<string, number> {
    const end = Math.max(0, ...s.finish.values());
    const latest = new Map<string, number>();
    for (let i = s.order.length - 1; i >= 0; i--) {
        const urn = s.order[i];
        const dur = s.durations.get(urn)?.seconds ?? 0;
        let ls = end - dur;
        for (const next of s.succs.get(urn) ?? []) {
            const lag = s.preds.get(next)?.get(urn);
            const nextLs = latest.get(next) ?? end;
            ls = Math.min(ls, lag === undefined ? nextLs - dur : nextLs - lag);
        }
        latest.set(urn, ls);
    }
    return latest;
}

/** For each node, the set of its ancestors over `edges`, as bitsets over the schedule's order. */
function ancestors(s: Schedule): Map<string, Uint32Array> {
    const index = new Map(s.order.map((u, i) => [u, i]));
    const words = Math.ceil(s.order.length / 32);
    const out = new Map<string, Uint32Array>();
    for (const urn of s.order) {
        const bits = new Uint32Array(words);
        for (const p of (s.preds.get(urn) ?? new Map<string, number | undefined>()).keys()) {
            const pb = out.get(p);
            if (pb !== undefined) {
                for (let w = 0; w < words; w++) {
                    bits[w] |= pb[w];
                }
            }
            const i = index.get(p) ?? 0;
            bits[i >>> 5] |= 1 << (i & 31);
        }
        out.set(urn, bits);
    }
    return out;
}

/** The longest path through `edges`, each node weighted by its creation time. Throws on a cycle. */
export function longestPath(g: DeployGraph, edges: readonly Edge[]): PathResult {
    const sch = schedule(g, edges);
    let end: string | undefined;
    for (const urn of sch.order) {
        if (end === undefined || (sch.finish.get(urn) ?? 0) > (sch.finish.get(end) ?? 0)) {
            end = urn;
        }
    }
    const chain: PathStep[] = [];
    for (let cur = end; cur !== undefined; cur = sch.via.get(cur)) {
        const r = g.byUrn.get(cur) as GraphResource;
        const d = sch.durations.get(cur) ?? { seconds: 0, key: "?" };
        const f = sch.finish.get(cur) ?? 0;
        const prev = sch.via.get(cur);
        chain.push({
            urn: cur,
            name: r.name,
            type: r.type,
            key: d.key,
            seconds: d.seconds,
            start: f - d.seconds,
            finish: f,
            via: prev === undefined ? [] : [...(sch.kinds.get(`${prev}\n${cur}`) ?? [])],
        });
    }
    chain.reverse();
    return { seconds: end === undefined ? 0 : (sch.finish.get(end) ?? 0), chain };
}

/** The planned critical path, the lower bound, their ratio and what the avoidable edges on the path cost. */
export function criticalPath(resources: readonly GraphResource[], overrides: Readonly<Record<string, number>> = {}): CriticalPathReport {
    const g = new DeployGraph(resources, overrides);
    const recorded = recordedEdges(g);
    const unavoidable = unavoidableEdges(g);
    const all = [...recorded, ...unavoidable];
    const planned = longestPath(g, all);
    const lowerBound = longestPath(g, unavoidable);
    const justified = new Set(unavoidable.map((e) => `${e.from}\n${e.to}`));
    const avoidableOnPath: AvoidableEdge[] = [];
    for (let i = 1; i < planned.chain.length; i++) {
        const from = planned.chain[i - 1].urn;
        const to = planned.chain[i].urn;
        if (justified.has(`${from}\n${to}`)) {
            continue;
        }
        const without = longestPath(
            g,
            all.filter((e) => !(e.from === from && e.to === to)),
        );
        avoidableOnPath.push({ from: g.byUrn.get(from)?.name ?? from, to: g.byUrn.get(to)?.name ?? to, costSeconds: planned.seconds - without.seconds });
    }
    return {
        resources: g.nodes.length,
        serialSeconds: g.nodes.reduce((sum, r) => sum + g.duration(r).seconds, 0),
        planned,
        lowerBound,
        ratio: lowerBound.seconds === 0 ? 1 : planned.seconds / lowerBound.seconds,
        avoidableOnPath,
        avoidable: g.nodes.length <= MAX_NODES_FOR_SLACK ? avoidableGroups(g, recorded, unavoidable, all) : [],
        awaitWaits: awaitWaits(g, all),
    };
}

/** On the planned schedule, how long each awaiting resource sits between its creation and what it awaits. */
function awaitWaits(g: DeployGraph, all: readonly Edge[]): AwaitWait[] {
    // Pulumi creates a resource when its recorded dependencies are done; its await then waits for the rest.
    const awaited = new Map<string, Set<string>>();
    const other = new Map<string, Set<string>>();
    for (const e of all) {
        const m = e.kind === "await" ? awaited : e.kind === "recorded" ? other : undefined;
        m?.set(e.to, (m.get(e.to) ?? new Set()).add(e.from));
    }
    const planned = schedule(g, all);
    const out: AwaitWait[] = [];
    for (const [to, froms] of awaited) {
        // Created once every recorded dependency is done, including one it also awaits (then the await is met at once).
        const created = Math.max(0, ...[...(other.get(to) ?? [])].map((f) => planned.finish.get(f) ?? 0));
        const readyAt = (f: string) => {
            const lag = planned.preds.get(to)?.get(f);
            const fin = planned.finish.get(f) ?? 0;
            return lag === undefined ? fin : fin - (planned.durations.get(f)?.seconds ?? 0) + lag;
        };
        let latest: string | undefined;
        for (const f of froms) {
            if (latest === undefined || readyAt(f) > readyAt(latest)) {
                latest = f;
            }
        }
        const wait = (latest === undefined ? 0 : readyAt(latest)) - created;
        if (latest !== undefined && wait > 60) {
            const r = g.byUrn.get(to) as GraphResource;
            out.push({ name: r.name, type: r.type, waitsFor: g.byUrn.get(latest)?.name ?? latest, waitSeconds: wait, exceedsTimeout: wait > AWAIT_TIMEOUT_SECONDS });
        }
    }
    return out.sort((a, b) => b.waitSeconds - a.waitSeconds || a.name.localeCompare(b.name));
}

/** Ancestor bitsets are quadratic in memory; the slack analysis is for stacks of a few thousand resources. */
const MAX_NODES_FOR_SLACK = 4000;

function avoidableGroups(g: DeployGraph, recorded: readonly Edge[], unavoidable: readonly Edge[], all: readonly Edge[]): AvoidableGroup[] {
    const must = schedule(g, unavoidable);
    const index = new Map(must.order.map((u, i) => [u, i]));
    const implied = ancestors(must);
    const planned = schedule(g, all);
    const latest = latestStarts(planned);
    const groups = new Map<string, { from: string; toType: string; to: Set<string>; edges: number; slack: number }>();
    const seen = new Set<string>();
    for (const e of recorded) {
        const key = `${e.from}\n${e.to}`;
        if (seen.has(key)) {
            continue;
        }
        seen.add(key);
        const i = index.get(e.from);
        const bits = implied.get(e.to);
        if (i === undefined || bits === undefined || (bits[i >>> 5] & (1 << (i & 31))) !== 0) {
            continue;
        }
        const from = g.byUrn.get(e.from) as GraphResource;
        const to = g.byUrn.get(e.to) as GraphResource;
        const slack = (latest.get(e.to) ?? 0) - (planned.finish.get(e.from) ?? 0);
        const gk = `${from.name}\n${to.type}`;
        const group = groups.get(gk) ?? { from: from.name, toType: to.type, to: new Set<string>(), edges: 0, slack: Number.POSITIVE_INFINITY };
        group.to.add(to.name);
        group.edges++;
        group.slack = Math.min(group.slack, slack);
        groups.set(gk, group);
    }
    return [...groups.values()]
        .map((x) => ({
            from: x.from,
            to: x.to.size === 1 ? [...x.to][0] : `${x.to.size} × ${x.toType.slice(x.toType.lastIndexOf(":") + 1)}`,
            edges: x.edges,
            slackSeconds: x.slack,
        }))
        .sort((a, b) => a.slackSeconds - b.slackSeconds || a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}
