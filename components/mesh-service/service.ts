/**
 * The service's Kubernetes Service, or the annotations meshgate adds to one it
 * does not own. Kong must send to the ClusterIP (not to pod IPs) with the
 * service's FQDN as Host: then the Kong pod's sidecar applies the service's
 * VirtualService (subsets, canary, retries) and mTLS.
 */
import type { ServiceSpec } from "../config/schema";
import { objectLabels, serviceFqdn, WORKLOAD_LABEL, type ResolvedContext } from "./context";
import { isGrpc } from "../config/grpc";
import type { ServiceObject, ServicePatchObject, ServicePort } from "./types";

/** KIC annotations read from the Service (not the Ingress) in KIC 3.5. */
export const SERVICE_ANNOTATIONS = {
    /** Kong's upstream is the Service's ClusterIP (one target) instead of the pod endpoints. */
    serviceUpstream: "ingress.kubernetes.io/service-upstream",
    /** Sets the upstream's `host_header`: the Host Kong sends when the route does not preserve the client's. */
    hostHeader: "konghq.com/host-header",
    /**
     * The Kong service's protocol, how Kong talks to the upstream: `grpc` is HTTP/2 cleartext
     * (the sidecars do mTLS). KIC 3.5 internal/dataplane/kongstate/service.go overrideProtocol:
     * the Service's annotation overrides what KIC derives (for a GRPCRoute: grpcs when the
     * Gateway has no HTTP listener, translate_grpcroute.go getProtocolForKongService).
     */
    protocol: "konghq.com/protocol",
} as const;

/** The annotations an exposed service's Service carries; none for an internal one (Kong never routes to it). */
export function upstreamAnnotations(spec: ServiceSpec, ctx: ResolvedContext): Record<string, string> {
    if (spec.gateway === undefined) {
        return {};
    }
    return {
        [SERVICE_ANNOTATIONS.serviceUpstream]: "true",
        [SERVICE_ANNOTATIONS.hostHeader]: serviceFqdn(spec, ctx.clusterDomain),
        // Kong 3.9 nginx_kong.lua `location @grpc` sends Host (:authority) from $upstream_host, so the host-header keeps working for gRPC.
        ...(isGrpc(spec) ? { [SERVICE_ANNOTATIONS.protocol]: "grpc" } : {}),
    };
}

/**
 * The Service's one port. HTTP: named `http`, so Istio treats the traffic as HTTP (protocol
 * selection by port name). gRPC: named `grpc` with `appProtocol: grpc` (Istio 1.30
 * ops/configuration/traffic-management/protocol-selection: `appProtocol` first, else the name
 * prefix `grpc`/`grpc-`), so every sidecar proxies HTTP/2; as `http` it would proxy HTTP/1.1
 * and a gRPC call would fail.
 */
export function servicePort(spec: ServiceSpec): ServicePort {
    const targetPort = spec.targetPort ?? spec.port;
    return isGrpc(spec) ? { name: "grpc", port: spec.port, targetPort, protocol: "TCP", appProtocol: "grpc" } : { name: "http", port: spec.port, targetPort, protocol: "TCP" };
}

/**
 * The Service selecting the workload's pods (`app: <name>`) on one port named
 * `http` (or `grpc`, see {@link servicePort}), so Istio treats the traffic as HTTP
 * and applies HTTP routing and authorization.
 */
/**
 * Pulumi's Kubernetes provider waits for a Service to select pods and for an Ingress to get
 * an address, up to 10 minutes. meshgate deploys neither the workloads nor the load balancer
 * behind an Ingress (Kong's release already waited for its own), so it does not wait.
 */
export const SKIP_AWAIT = "pulumi.com/skipAwait";

export function kubernetesService(spec: ServiceSpec, ctx: ResolvedContext): ServiceObject {
    const annotations = upstreamAnnotations(spec, ctx);
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: {
            name: spec.name,
            namespace: spec.namespace,
            labels: { ...objectLabels(spec, ctx), [WORKLOAD_LABEL]: spec.name },
            // The workload is deployed by its team, maybe later: do not wait for its pods.
            annotations: { ...annotations, [SKIP_AWAIT]: "true" },
        },
        spec: {
            selector: { [WORKLOAD_LABEL]: spec.name },
            ports: [servicePort(spec)],
        },
    };
}

/** For `createService: false`: the annotations to add to the existing Service; undefined when there are none to add. */
export function servicePatch(spec: ServiceSpec, ctx: ResolvedContext): ServicePatchObject | undefined {
    const annotations = upstreamAnnotations(spec, ctx);
    if (Object.keys(annotations).length === 0) {
        return undefined;
    }
    return { apiVersion: "v1", kind: "Service", metadata: { name: spec.name, namespace: spec.namespace, annotations } };
}
