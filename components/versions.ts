/**
 * Pinned Helm charts: the versions meshgate is tested against (checked against
 * the upstream values.yaml and CRDs kept in data/). Every one can be overridden
 * per stack (`meshgate:charts`) or per component (`chart` args).
 */
import { definedOnly } from "./util";

/** Where a chart comes from: repository (HTTPS or OCI) and exact version. */
export interface ChartRef {
    /** Chart repository URL (HTTPS). */
    readonly repository: string;
    /** Exact chart version. */
    readonly version: string;
}

/** Istio's base, istiod and gateway charts share one version. */
export const ISTIO_VERSION = "1.30.3";
export const KONG_CHART_VERSION = "3.4.1";
export const KUBE_PROMETHEUS_STACK_VERSION = "88.5.3";
export const JAEGER_CHART_VERSION = "4.11.1";
export const AWS_LOAD_BALANCER_CONTROLLER_VERSION = "3.5.0";
export const KIALI_SERVER_VERSION = "2.29.0";
/** kubernetes-sigs/metrics-server chart (metrics-server 0.8.1). */
export const METRICS_SERVER_CHART_VERSION = "3.13.1";
/** kubernetes/autoscaler cluster-autoscaler chart (cluster-autoscaler 1.35.0, for Kubernetes 1.35). */
export const CLUSTER_AUTOSCALER_CHART_VERSION = "9.59.0";

/** The pinned chart of each release (repository and exact version); a stack's `charts` or PlatformArgs `versions` override them. */
export const CHART_DEFAULTS = {
    istio: { repository: "https://istio-release.storage.googleapis.com/charts", version: ISTIO_VERSION },
    kong: { repository: "https://charts.konghq.com", version: KONG_CHART_VERSION },
    kubePrometheusStack: { repository: "https://prometheus-community.github.io/helm-charts", version: KUBE_PROMETHEUS_STACK_VERSION },
    jaeger: { repository: "https://jaegertracing.github.io/helm-charts", version: JAEGER_CHART_VERSION },
    awsLoadBalancerController: { repository: "https://aws.github.io/eks-charts", version: AWS_LOAD_BALANCER_CONTROLLER_VERSION },
    kiali: { repository: "https://kiali.org/helm-charts", version: KIALI_SERVER_VERSION },
    metricsServer: { repository: "https://kubernetes-sigs.github.io/metrics-server", version: METRICS_SERVER_CHART_VERSION },
    clusterAutoscaler: { repository: "https://kubernetes.github.io/autoscaler", version: CLUSTER_AUTOSCALER_CHART_VERSION },
} as const satisfies Record<string, ChartRef>;

/** A chart meshgate installs, by its key in CHART_DEFAULTS (`istio` serves base, istiod and gateway). */
export type ChartName = keyof typeof CHART_DEFAULTS;

/** The chart reference for `name`, with a stack's or caller's overrides applied. */
export function chartRef(name: ChartName, override?: Partial<ChartRef>): ChartRef {
    return { ...CHART_DEFAULTS[name], ...definedOnly(override ?? {}) };
}
