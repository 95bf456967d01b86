/**
 * metrics-server: the resource metrics API (`metrics.k8s.io`) that HorizontalPodAutoscalers read.
 * EKS does not install it; without it Kong's and istiod's HPAs report `<unknown>` and never
 * scale. One Helm release in kube-system.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { deepMerge, helmRelease, type HelmValues, type ReleaseSpec } from "../helm";
import { chartRef, type ChartRef } from "../versions";
import { metricsServerValues } from "./values";

export { metricsServerValues, type MetricsServerOptions } from "./values";

/** The chart id of metrics-server in data/charts. */
export const METRICS_SERVER_CHART = "metrics-server";
export const METRICS_SERVER_RELEASE = "metrics-server";

/** metrics-server's settings: high availability, chart, values, what it waits for. */
export interface MetricsServerArgs {
    /** Two replicas with a PodDisruptionBudget. @default false */
    readonly highAvailability?: boolean;
    /** Chart repository/version. @default metrics-server 3.13.1 (components/versions.ts) */
    readonly chart?: Partial<ChartRef>;
    /** Namespace of the release. @default "kube-system" */
    readonly namespace?: string;
    /** Extra values, deep-merged last (the user wins). @default {} */
    readonly values?: HelmValues;
    /** What the release waits for: nodes, core add-ons and (on EKS) the LB controller's Service webhook. @default [] */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** The release as plain data (pure). */
export function planMetricsServer(args: MetricsServerArgs = {}): ReleaseSpec {
    const chart = chartRef("metricsServer", args.chart);
    return {
        name: METRICS_SERVER_RELEASE,
        chart: METRICS_SERVER_CHART,
        version: chart.version,
        repository: chart.repository,
        namespace: args.namespace ?? "kube-system",
        values: deepMerge(metricsServerValues({ highAvailability: args.highAvailability ?? false }), args.values),
    };
}

/** metrics-server (the resource metrics API the HPAs of Kong and istiod read), as a Helm release in kube-system. */
export class MetricsServer extends pulumi.ComponentResource {
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: MetricsServerArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("meshgate:cluster:MetricsServer", name, {}, opts);
        const spec = planMetricsServer(args);
        this.release = helmRelease(`${name}-release`, spec, spec.namespace, { parent: this, dependsOn: args.dependsOn ?? [] });
        this.registerOutputs({ status: this.release.status });
    }
}
