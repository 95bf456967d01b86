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

/**
 * Where Prometheus scrapes Kong. Kong serves `/metrics` on its status listener (pod port
 * `status`, 8100; the global `prometheus` plugin fills it). No Service exposes that port,
 * so a ServiceMonitor selects the proxy Service (labelled `enable-metrics: "true"`) and
 * names the pod port as `targetPort`, as the chart's own ServiceMonitor does (Prometheus
 * discovers every container port of the pods behind a Service). A PodMonitor can use
 * `podSelector` and `port` instead. The ingress controller's own metrics are on pod port
 * `controllerPort`. Kong's inbound ports are not intercepted by the sidecar (chart default
 * `traffic.sidecar.istio.io/includeInboundPorts: ""`), so plain HTTP scraping works in the mesh.
 */
export const kongMetrics = {
    namespace: KONG_NAMESPACE,
    /** `matchLabels` for a ServiceMonitor's `selector` (the proxy Service). */
    selector: {
        "app.kubernetes.io/name": "kong",
        "app.kubernetes.io/instance": KONG_RELEASE,
        "enable-metrics": "true",
    },
    /** `matchLabels` for a PodMonitor's `selector` (the Kong pods). */
    podSelector: KONG_POD_LABELS,
    /** Pod port name: a ServiceMonitor endpoint's `targetPort`, a PodMonitor endpoint's `port`. */
    port: "status",
    /** Container port number behind `port`. */
    portNumber: 8100,
    path: "/metrics",
    /** Pod port name of the ingress controller's metrics (same path). */
    controllerPort: "cmetrics",
} as const;

export type KongMetrics = typeof kongMetrics;
