/**
 * prometheus-operator monitors (`monitoring.coreos.com/v1`) meshgate creates: typed with the
 * fields meshgate sets (names as in the prometheus-operator API reference), built by pure
 * functions. kube-prometheus-stack installs the CRDs; its Prometheus selects monitors by the
 * `release: <kps release>` label (`*SelectorNilUsesHelmValues: true`), in every namespace.
 */
import { ENVOY_PROMETHEUS_PORT, ISTIO_NAMESPACE, ISTIOD_MONITORING_PORT, ISTIOD_SERVICE_LABELS } from "../istio/names";
import { MONITOR_LABELS } from "./names";

export const MONITORING_API_VERSION = "monitoring.coreos.com/v1";

export interface MonitorMeta {
    readonly name: string;
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
}

/** Kubernetes `LabelSelector`. */
export interface LabelSelector {
    readonly matchLabels?: Readonly<Record<string, string>>;
    readonly matchExpressions?: readonly {
        readonly key: string;
        readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
        readonly values?: readonly string[];
    }[];
}

/** Which namespaces a monitor looks in: all, or a list. */
export type NamespaceSelector = { readonly any: true } | { readonly matchNames: readonly string[] };

/** Prometheus `RelabelConfig` as prometheus-operator spells it. */
export interface RelabelConfig {
    readonly sourceLabels?: readonly string[];
    readonly targetLabel?: string;
    readonly regex?: string;
    readonly replacement?: string;
    readonly action?: "replace" | "keep" | "drop" | "labelmap" | "labeldrop" | "labelkeep";
}

/** A scrape endpoint: a named container port (PodMonitor) or Service port (ServiceMonitor). */
export interface MonitorEndpoint {
    /** Port name (PodMonitor: container port name; ServiceMonitor: Service port name); absent: every container port, narrowed by relabelings. */
    readonly port?: string;
    readonly path: string;
    /** Prometheus duration, e.g. "15s". */
    readonly interval: string;
    readonly scheme?: "http" | "https";
    readonly relabelings?: readonly RelabelConfig[];
}

export interface PodMonitor {
    readonly apiVersion: typeof MONITORING_API_VERSION;
    readonly kind: "PodMonitor";
    readonly metadata: MonitorMeta;
    readonly spec: {
        readonly jobLabel?: string;
        readonly selector: LabelSelector;
        readonly namespaceSelector: NamespaceSelector;
        readonly podMetricsEndpoints: readonly MonitorEndpoint[];
    };
}

export interface ServiceMonitor {
    readonly apiVersion: typeof MONITORING_API_VERSION;
    readonly kind: "ServiceMonitor";
    readonly metadata: MonitorMeta;
    readonly spec: {
        readonly jobLabel?: string;
        /** Labels copied from the Service onto every series (`app` for the Istio dashboards). */
        readonly targetLabels?: readonly string[];
        readonly selector: LabelSelector;
        readonly namespaceSelector: NamespaceSelector;
        readonly endpoints: readonly MonitorEndpoint[];
    };
}

/** Where Kong's Prometheus metrics are (from the KongGateway component, passed as plain values). */
export interface KongMetricsTarget {
    /** Namespace of Kong's metrics Service. */
    readonly namespace: string;
    /** Labels selecting that Service. */
    readonly selector: Readonly<Record<string, string>>;
    /** Name of the Service port serving the metrics. */
    readonly port: string;
    /** HTTP path of the metrics. @default "/metrics" */
    readonly path?: string;
    /** Service port of the ingress controller's own metrics (same path), scraped too when given. @default none */
    readonly controllerPort?: string;
}

interface MonitorPlacement {
    /** Namespace the monitor object lives in (the observability namespace). */
    readonly namespace: string;
    /** Scrape interval. */
    readonly interval: string;
    /** Labels Prometheus selects monitors by. @default MONITOR_LABELS */
    readonly labels?: Readonly<Record<string, string>>;
}

/**
 * Istio's metrics merging, scraped the way Istio's own prometheus-operator example does
 * (istio/istio 1.30.3 samples/addons/extras/prometheus-operator.yaml, PodMonitor
 * `envoy-stats-monitor`; kept in ../shared/reference/istio-addons): on every injected pod, the
 * `istio-proxy` container's target is moved to the port of the pod's `prometheus.io/port`
 * annotation, which the injector sets to 15020 (`meshConfig.enablePrometheusMerge`, on by
 * default and set by meshgate). There the sidecar's agent serves Envoy's stats merged with the
 * application's own metrics, which it scrapes inside the pod from the application's original
 * `prometheus.io/scrape|port|path` annotations: so a Prometheus outside the mesh gets
 * application metrics even under STRICT mTLS, without scraping the application's port (which
 * STRICT would refuse) and without one PodMonitor per service. Port 15020 is not intercepted.
 * A pod labelled `istio-prometheus-ignore` opts out (Istio's convention).
 */
export function envoyStatsPodMonitor(p: MonitorPlacement): PodMonitor {
    return {
        apiVersion: MONITORING_API_VERSION,
        kind: "PodMonitor",
        metadata: { name: "envoy-stats", namespace: p.namespace, labels: { ...(p.labels ?? MONITOR_LABELS) } },
        spec: {
            jobLabel: "envoy-stats",
            selector: { matchExpressions: [{ key: "istio-prometheus-ignore", operator: "DoesNotExist" }] },
            namespaceSelector: { any: true },
            podMetricsEndpoints: [{ path: MERGED_METRICS_PATH, interval: p.interval, relabelings: mergedMetricsRelabelings() }],
        },
    };
}

/** Path of the merged metrics on the agent's port (`prometheus.io/path` as the injector sets it). */
export const MERGED_METRICS_PATH = ENVOY_PROMETHEUS_PORT.path;

/** Port the sidecar's agent serves merged metrics on (`prometheus.io/port` as the injector sets it). */
export const MERGED_METRICS_PORT = 15020;

/** The relabelings of Istio's example PodMonitor: keep istio-proxy on annotated pods, scrape the annotated port (IPv4 and IPv6), namespace and pod labels. */
export function mergedMetricsRelabelings(): RelabelConfig[] {
    return [
        { action: "keep", sourceLabels: ["__meta_kubernetes_pod_container_name"], regex: "istio-proxy" },
        { action: "keep", sourceLabels: ["__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape"] },
        {
            action: "replace",
            regex: "(\\d+);(([A-Fa-f0-9]{1,4}::?){1,7}[A-Fa-f0-9]{1,4})",
            replacement: "[$2]:$1",
            sourceLabels: ["__meta_kubernetes_pod_annotation_prometheus_io_port", "__meta_kubernetes_pod_ip"],
            targetLabel: "__address__",
        },
        {
            action: "replace",
            regex: "(\\d+);((([0-9]+?)(\\.|$)){4})",
            replacement: "$2:$1",
            sourceLabels: ["__meta_kubernetes_pod_annotation_prometheus_io_port", "__meta_kubernetes_pod_ip"],
            targetLabel: "__address__",
        },
        { action: "labeldrop", regex: "__meta_kubernetes_pod_label_(.+)" },
        { sourceLabels: ["__meta_kubernetes_namespace"], action: "replace", targetLabel: "namespace" },
        { sourceLabels: ["__meta_kubernetes_pod_name"], action: "replace", targetLabel: "pod" },
    ];
}

/**
 * istiod's control-plane metrics: Service port `http-monitoring` (15014) in Istio's namespace,
 * with the Service's `app` label on every series (`targetLabels`, as Istio's example
 * `istio-component-monitor` does): the Istio control-plane dashboard filters on `app="istiod"`.
 */
export function istiodServiceMonitor(p: MonitorPlacement & { readonly istioNamespace?: string }): ServiceMonitor {
    return {
        apiVersion: MONITORING_API_VERSION,
        kind: "ServiceMonitor",
        metadata: { name: "istiod", namespace: p.namespace, labels: { ...(p.labels ?? MONITOR_LABELS) } },
        spec: {
            jobLabel: "istio",
            targetLabels: ["app"],
            selector: { matchLabels: { istio: ISTIOD_SERVICE_LABELS.istio } },
            namespaceSelector: { matchNames: [p.istioNamespace ?? ISTIO_NAMESPACE] },
            endpoints: [{ port: ISTIOD_MONITORING_PORT.name, path: "/metrics", interval: p.interval }],
        },
    };
}

/** Kong's Prometheus plugin metrics, on the Service and port the KongGateway component reports. */
export function kongServiceMonitor(p: MonitorPlacement & { readonly target: KongMetricsTarget }): ServiceMonitor {
    return {
        apiVersion: MONITORING_API_VERSION,
        kind: "ServiceMonitor",
        metadata: { name: "kong", namespace: p.namespace, labels: { ...(p.labels ?? MONITOR_LABELS) } },
        spec: {
            selector: { matchLabels: { ...p.target.selector } },
            namespaceSelector: { matchNames: [p.target.namespace] },
            endpoints: [p.target.port, ...(p.target.controllerPort !== undefined ? [p.target.controllerPort] : [])].map((port) => ({
                port,
                path: p.target.path ?? "/metrics",
                interval: p.interval,
            })),
        },
    };
}
