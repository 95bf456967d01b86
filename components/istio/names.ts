/**
 * Names the rest of the platform relies on: where Istio lives, what its Helm
 * releases are called, and the names of the mesh-wide objects IstioMesh creates.
 * In-cluster names, not Pulumi resource names (those are always `${name}-<role>`).
 */

/** Namespace of the control plane, and Istio's root namespace (mesh-wide config lives here). */
export const ISTIO_NAMESPACE = "istio-system";

/** Helm release of `istio/base` (CRDs, validation webhook). */
export const ISTIO_BASE_RELEASE = "istio-base";

/** Helm release of `istio/istiod` (control plane, sidecar injector). */
export const ISTIOD_RELEASE = "istiod";

/** Helm release of the optional `istio/gateway`; also the gateway pods' `app` label. */
export const ISTIO_GATEWAY_RELEASE = "istio-ingressgateway";

/** Name of the OpenTelemetry tracing provider in meshConfig `extensionProviders`; Telemetry resources refer to it. */
export const OTEL_TRACING_PROVIDER = "otel-tracing";

/** Name of the mesh-wide Telemetry resource in the root namespace. */
export const MESH_TELEMETRY_NAME = "mesh-default";

/** Name of the mesh-wide PeerAuthentication in the root namespace (Istio's convention: `default`). */
export const MESH_PEER_AUTHENTICATION_NAME = "default";

/** Labels of the istiod Service (set by the istiod chart; the Service exposes `http-monitoring` 15014). */
export const ISTIOD_SERVICE_LABELS = { app: "istiod", istio: "pilot" } as const;

/** Port name and number of istiod's Prometheus endpoint on its Service. */
export const ISTIOD_MONITORING_PORT = { name: "http-monitoring", port: 15014 } as const;

/** Port name and number of Envoy's own Prometheus endpoint on every injected sidecar and gateway. */
export const ENVOY_PROMETHEUS_PORT = { name: "http-envoy-prom", port: 15090, path: "/stats/prometheus" } as const;
