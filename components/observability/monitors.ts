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
    /** Port name (PodMonitor: container port name; ServiceMonitor: Service port name). */
    readonly port: string;
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
 * Envoy's own stats on every injected sidecar and gateway, in every namespace: the container
 * port `http-envoy-prom` (15090, `/stats/prometheus`) the injector adds. Selecting by port
 * name catches sidecars and gateways alike; a pod labelled `istio-prometheus-ignore` opts out
 * (Istio's own convention). Port 15090 is not intercepted, so STRICT mTLS does not block it.
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
            podMetricsEndpoints: [{ port: ENVOY_PROMETHEUS_PORT.name, path: ENVOY_PROMETHEUS_PORT.path, interval: p.interval }],
        },
    };
}

/** istiod's control-plane metrics: Service port `http-monitoring` (15014) in Istio's namespace. */
export function istiodServiceMonitor(p: MonitorPlacement & { readonly istioNamespace?: string }): ServiceMonitor {
    return {
        apiVersion: MONITORING_API_VERSION,
        kind: "ServiceMonitor",
        metadata: { name: "istiod", namespace: p.namespace, labels: { ...(p.labels ?? MONITOR_LABELS) } },
        spec: {
            jobLabel: "istio",
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
