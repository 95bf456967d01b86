/**
 * Helm values meshgate sets on eks/aws-load-balancer-controller 3.5.0. Every key
 * exists in the chart's values.yaml (test/cluster checks them against
 * data/charts/aws-load-balancer-controller.json: the chart has no values schema, so
 * Helm would silently ignore a misspelt key).
 */
import { topologySpread, type TopologySpreadConstraint } from "../topology-spread";

/** The part of the chart's values meshgate sets. */
export interface LoadBalancerControllerValues<S = string> {
    readonly clusterName: S;
    /** Set explicitly so the controller never needs IMDS (nodes allow one IMDS hop). */
    readonly region: string;
    /** Set explicitly so the controller never needs IMDS. */
    readonly vpcId: S;
    readonly replicaCount: number;
    readonly serviceAccount: {
        readonly create: true;
        readonly name: string;
        readonly annotations: { readonly "eks.amazonaws.com/role-arn": S };
    };
    readonly podDisruptionBudget: { readonly maxUnavailable: number };
    readonly topologySpreadConstraints: readonly TopologySpreadConstraint[];
    /** Tags the controller puts on every AWS resource it creates (NLBs, target groups, security groups). */
    readonly defaultTags: Readonly<Record<string, string>>;
}

export interface ControllerValuesArgs<S> {
    readonly releaseName: string;
    readonly clusterName: S;
    readonly region: string;
    readonly vpcId: S;
    readonly roleArn: S;
    readonly serviceAccount: string;
    readonly replicas: number;
    readonly tags: Readonly<Record<string, string>>;
}

/**
 * meshgate's values: cluster facts given explicitly (no IMDS), the IRSA annotation,
 * two replicas spread over zones (the chart's default affinity already spreads them
 * over nodes) with a PodDisruptionBudget, and AWS tags on what the controller creates.
 * Generic in the string type so it works with plain strings (tests) and Outputs.
 */
export function controllerValues<S>(a: ControllerValuesArgs<S>): LoadBalancerControllerValues<S> {
    return {
        clusterName: a.clusterName,
        region: a.region,
        vpcId: a.vpcId,
        replicaCount: a.replicas,
        serviceAccount: { create: true, name: a.serviceAccount, annotations: { "eks.amazonaws.com/role-arn": a.roleArn } },
        podDisruptionBudget: { maxUnavailable: 1 },
        topologySpreadConstraints: topologySpread({ "app.kubernetes.io/name": "aws-load-balancer-controller", "app.kubernetes.io/instance": a.releaseName }, { over: ["zone"] }),
        defaultTags: a.tags,
    };
}
