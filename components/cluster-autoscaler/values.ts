/**
 * Values of the kubernetes/autoscaler cluster-autoscaler chart 9.59.0 (every key checked
 * against its values.yaml, kept as data/charts/cluster-autoscaler.json).
 */
import type { HelmValues } from "../helm";

/** The service account the autoscaler runs as; its IRSA role trusts only this one. */
export const CLUSTER_AUTOSCALER_SERVICE_ACCOUNT = "cluster-autoscaler";

export interface ClusterAutoscalerOptions {
    /** The EKS cluster's name: auto-discovery finds the Auto Scaling groups tagged for it. */
    readonly clusterName: unknown;
    readonly region: string;
    /** The IRSA role's ARN (an output that resolves once its policy is attached). */
    readonly roleArn: unknown;
}

/**
 * Auto-discovery of the cluster's managed node groups by the tags EKS puts on their Auto
 * Scaling groups (`k8s.io/cluster-autoscaler/enabled`, `k8s.io/cluster-autoscaler/<cluster>`,
 * the chart's default `autoDiscovery.tags`), credentials through IRSA, similar groups balanced
 * across zones, the least-waste expander.
 */
export function clusterAutoscalerValues(o: ClusterAutoscalerOptions): HelmValues {
    return {
        cloudProvider: "aws",
        awsRegion: o.region,
        autoDiscovery: { clusterName: o.clusterName },
        rbac: {
            serviceAccount: {
                create: true,
                name: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
                annotations: { "eks.amazonaws.com/role-arn": o.roleArn },
            },
        },
        extraArgs: {
            "balance-similar-node-groups": true,
            expander: "least-waste",
            // Pods of kube-system DaemonSets/Deployments (coredns, metrics-server) must not pin a node forever.
            "skip-nodes-with-system-pods": false,
        },
        resources: { requests: { cpu: "100m", memory: "300Mi" }, limits: { memory: "600Mi" } },
    };
}
