/**
 * Fixed names of the Kong installation that other components rely on
 * (MeshService's AuthorizationPolicies, Observability's ServiceMonitor).
 *
 * Worked out from the kong/kong 3.4.1 chart templates (`_helpers.tpl`): the chart's
 * fullname is `<release>-<chart>` (it does not collapse "kong-kong"), the ServiceAccount is
 * `kong.serviceAccountName` = `deployment.serviceAccount.name` or the fullname, and a
 * Service is `<service>.nameOverride` or `<fullname>-<service>`. meshgate sets the
 * ServiceAccount and proxy Service names explicitly in the values, so they cannot drift
 * with the release name or a `fullnameOverride`.
 */

/** Namespace Kong runs in. */
export const KONG_NAMESPACE = "kong";

/** Helm release name of kong/kong. */
export const KONG_RELEASE = "kong";

/** The chart's fullname for release `kong` (prefix of the objects the chart names itself). */
export const KONG_FULLNAME = `${KONG_RELEASE}-kong`;

/** ServiceAccount the Kong pods (proxy and ingress controller) run as. */
export const KONG_SERVICE_ACCOUNT = KONG_FULLNAME;

/** The proxy Service (type LoadBalancer) in front of Kong. */
export const KONG_PROXY_SERVICE = `${KONG_FULLNAME}-proxy`;

/** Labels the chart puts on the Kong pods (`kong.selectorLabels`). */
export const KONG_POD_LABELS = {
    "app.kubernetes.io/name": "kong",
    "app.kubernetes.io/component": "app",
    "app.kubernetes.io/instance": KONG_RELEASE,
} as const;

/** The mesh identity of the Kong pods: `<trustDomain>/ns/kong/sa/kong-kong`. */
export function kongPrincipal(trustDomain: string): string {
    return `${trustDomain}/ns/${KONG_NAMESPACE}/sa/${KONG_SERVICE_ACCOUNT}`;
}

/** ClusterIP Service meshgate adds in front of the Kong pods' status and controller-metrics ports. */
export const KONG_METRICS_SERVICE = `${KONG_FULLNAME}-status`;

/** Labels of {@link KONG_METRICS_SERVICE} (what a ServiceMonitor selects). */
export const KONG_METRICS_SERVICE_LABELS = {
    "app.kubernetes.io/name": "kong",
    "app.kubernetes.io/instance": KONG_RELEASE,
    "meshgate.io/metrics": "kong",
} as const;

/**
 * Where Prometheus scrapes Kong. Kong serves `/metrics` on its status listener (pod port
 * `status`, 8100), filled by the global `prometheus` plugin. The chart exposes that port on
 * no Service, so KongGateway adds {@link KONG_METRICS_SERVICE} (selected by `selector`, port
 * `port`); a ServiceMonitor needs only these fields: `selector.matchLabels = selector`,
 * `namespaceSelector.matchNames = [namespace]`, `endpoints: [{port, path}]`. The same Service
 * has port `controllerPort` for the ingress controller's own metrics (same path). Kong's
 * inbound ports are not intercepted by the sidecar (chart default
 * `traffic.sidecar.istio.io/includeInboundPorts: ""`), so Prometheus scrapes plain HTTP even
 * in the mesh.
 */
export const kongMetrics = {
    namespace: KONG_NAMESPACE,
    /** `matchLabels` of the metrics Service. */
    selector: KONG_METRICS_SERVICE_LABELS,
    /** Name of the Service port serving Kong's metrics. */
    port: "status",
    path: "/metrics",
    /** Name of the metrics Service. */
    service: KONG_METRICS_SERVICE,
    /** Port number of `port` (the Service port and the container port). */
    portNumber: 8100,
    /** Service port of the ingress controller's metrics (container port `cmetrics`, 10255). */
    controllerPort: "cmetrics",
    controllerPortNumber: 10255,
} as const;

export type KongMetrics = typeof kongMetrics;
