/**
 * Values of the kubernetes-sigs/metrics-server chart 3.13.1 (every key checked against its
 * values.yaml, kept as data/charts/metrics-server.json).
 */
import type { HelmValues } from "../helm";
import { topologySpread } from "../topology-spread";

export interface MetricsServerOptions {
    /** Two replicas and a PodDisruptionBudget (the resource metrics API is what every HPA reads). */
    readonly highAvailability: boolean;
}

/** metrics-server values: the chart's secure defaults (TLS to kubelets on the node status port), HA in prod. */
export function metricsServerValues(o: MetricsServerOptions): HelmValues {
    const ha = o.highAvailability;
    return {
        replicas: ha ? 2 : 1,
        podDisruptionBudget: { enabled: ha, minAvailable: 1 },
        // Spread replicas over nodes: two on one node go down together.
        topologySpreadConstraints: ha ? topologySpread({ "app.kubernetes.io/name": "metrics-server" }, { over: ["node"] }) : [],
        resources: { requests: { cpu: "100m", memory: "200Mi" } },
    };
}
