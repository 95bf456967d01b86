/**
 * The service's Kubernetes Service, or the annotations meshgate adds to one it
 * does not own. Kong must send to the ClusterIP (not to pod IPs) with the
 * service's FQDN as Host: then the Kong pod's sidecar applies the service's
 * VirtualService (subsets, canary, retries) and mTLS.
 */
import type { ServiceSpec } from "../config/schema";
import { objectLabels, serviceFqdn, WORKLOAD_LABEL, type ResolvedContext } from "./context";
import type { ServiceObject, ServicePatchObject } from "./types";

/** KIC annotations read from the Service (not the Ingress) in KIC 3.5. */
export const SERVICE_ANNOTATIONS = {
    /** Kong's upstream is the Service's ClusterIP (one target) instead of the pod endpoints. */
    serviceUpstream: "ingress.kubernetes.io/service-upstream",
    /** Sets the upstream's `host_header`: the Host Kong sends when the route does not preserve the client's. */
    hostHeader: "konghq.com/host-header",
} as const;

/** The annotations an exposed service's Service carries; none for an internal one (Kong never routes to it). */
export function upstreamAnnotations(spec: ServiceSpec, ctx: ResolvedContext): Record<string, string> {
    if (spec.gateway === undefined) {
        return {};
    }
    return {
        [SERVICE_ANNOTATIONS.serviceUpstream]: "true",
        [SERVICE_ANNOTATIONS.hostHeader]: serviceFqdn(spec, ctx.clusterDomain),
    };
}

/**
 * The Service selecting the workload's pods (`app: <name>`) on one port named
 * `http`, so Istio treats the traffic as HTTP (protocol selection by port
 * name) and applies HTTP routing and authorization.
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
            ports: [{ name: "http", port: spec.port, targetPort: spec.targetPort ?? spec.port, protocol: "TCP" }],
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
