/**
 * Names the rest of the platform relies on: the observability namespace, the
 * Helm releases, and the in-cluster Services those releases create (derived the
 * way each chart's `fullname` helper derives them, so they are right by construction).
 */

/** Namespace of Prometheus, Grafana, Alertmanager and Jaeger. */
export const OBSERVABILITY_NAMESPACE = "observability";

/** Helm release of kube-prometheus-stack. Prometheus selects monitors labelled `release: <this>`. */
export const KUBE_PROMETHEUS_STACK_RELEASE = "kube-prometheus-stack";

/** Helm release of jaegertracing/jaeger. */
export const JAEGER_RELEASE = "jaeger";

/** Helm release of kiali-server (installed in Istio's namespace). */
export const KIALI_RELEASE = "kiali";

/** Labels every ServiceMonitor/PodMonitor needs so that this Prometheus selects it. */
export const MONITOR_LABELS: Readonly<Record<string, string>> = Object.freeze({ release: KUBE_PROMETHEUS_STACK_RELEASE });

/** Name of the Kubernetes Secret holding Grafana's admin credentials. */
export const GRAFANA_ADMIN_SECRET = "grafana-admin-credentials";

/** Keys of that Secret (the grafana chart's `admin.userKey` / `admin.passwordKey` defaults). */
export const GRAFANA_ADMIN_KEYS = { user: "admin-user", password: "admin-password" } as const;

/** UID of the Prometheus datasource kube-prometheus-stack provisions in Grafana (set explicitly in its values). */
export const PROMETHEUS_DATASOURCE_UID = "prometheus";

/** UID of the Jaeger datasource meshgate adds to Grafana. */
export const JAEGER_DATASOURCE_UID = "jaeger";

/** Truncates like Helm's `trunc n | trimSuffix "-"`. */
function helmTrunc(name: string, n: number): string {
    return name.slice(0, n).replace(/-+$/, "");
}

/**
 * A chart's `fullname` the way the common Helm helper computes it: the release name when it
 * contains the chart name, else `<release>-<chart>`, truncated to `max` characters.
 */
export function helmFullname(releaseName: string, chartName: string, max = 63): string {
    return helmTrunc(releaseName.includes(chartName) ? releaseName : `${releaseName}-${chartName}`, max);
}

/** In-cluster Services of a kube-prometheus-stack release (its fullname is truncated to 26 characters). */
export function kubePrometheusStackServices(releaseName: string, namespace: string, clusterDomain = "cluster.local") {
    const fullname = helmFullname(releaseName, "kube-prometheus-stack", 26);
    // Grafana is a subchart: its own fullname helper, with the chart name "grafana".
    const grafana = helmFullname(releaseName, "grafana");
    const fqdn = (svc: string) => `${svc}.${namespace}.svc.${clusterDomain}`;
    return {
        prometheus: { name: `${fullname}-prometheus`, port: 9090, url: `http://${fqdn(`${fullname}-prometheus`)}:9090` },
        alertmanager: { name: `${fullname}-alertmanager`, port: 9093, url: `http://${fqdn(`${fullname}-alertmanager`)}:9093` },
        grafana: { name: grafana, port: 80, url: `http://${fqdn(grafana)}` },
    };
}
