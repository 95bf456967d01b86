/**
 * Topology spread constraints, built in one place for every chart meshgate configures
 * (istiod and the Istio gateway, Kong, Prometheus and Alertmanager, the AWS Load
 * Balancer Controller, metrics-server). Always soft (`ScheduleAnyway`): a single-zone
 * or single-node cluster still schedules every replica.
 * The fields are Kubernetes' `TopologySpreadConstraint` (core/v1, Kubernetes 1.35).
 */

/** The well-known node label of a node's availability zone. */
export const ZONE_TOPOLOGY_KEY = "topology.kubernetes.io/zone";

/** The well-known node label of a node's name. */
export const NODE_TOPOLOGY_KEY = "kubernetes.io/hostname";

/** Kubernetes TopologySpreadConstraint (the subset meshgate sets). */
export interface TopologySpreadConstraint {
    readonly maxSkew: number;
    readonly topologyKey: string;
    readonly whenUnsatisfiable: "DoNotSchedule" | "ScheduleAnyway";
    readonly labelSelector: { readonly matchLabels: Readonly<Record<string, string>> };
    readonly matchLabelKeys?: readonly string[];
}

export interface TopologySpreadOptions {
    /** What to spread over, in this order. @default ["zone", "node"] */
    readonly over?: readonly ("zone" | "node")[];
    /**
     * Pod label keys whose values narrow the selector to the pod's own generation, e.g.
     * `pod-template-hash` so a rollout's new ReplicaSet spreads on its own. @default none
     */
    readonly matchLabelKeys?: readonly string[];
}

/** Soft spread (maxSkew 1) of the pods matching `matchLabels`, one constraint per topology in `over`. Pure. */
export function topologySpread(matchLabels: Readonly<Record<string, string>>, options: TopologySpreadOptions = {}): TopologySpreadConstraint[] {
    const over = options.over ?? ["zone", "node"];
    return over.map((t) => ({
        maxSkew: 1,
        topologyKey: t === "zone" ? ZONE_TOPOLOGY_KEY : NODE_TOPOLOGY_KEY,
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: { ...matchLabels } },
        ...(options.matchLabelKeys === undefined ? {} : { matchLabelKeys: [...options.matchLabelKeys] }),
    }));
}
