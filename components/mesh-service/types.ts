/**
 * Plain, typed shapes of the Kubernetes and Istio objects a MeshService emits:
 * only the fields meshgate sets, named and typed as in the Istio 1.30 CRDs
 * (`networking.istio.io/v1`, `security.istio.io/v1`) and Kubernetes
 * `networking.k8s.io/v1` / `v1`. Builders return these; the component hands
 * them to the provider unchanged, so what a test asserts is what is applied.
 */
import { ISTIO_SECURITY_API_VERSION } from "../istio/resources";
import type { NamespacedMeta } from "../kong/types";

export const ISTIO_NETWORKING_API_VERSION = "networking.istio.io/v1";

// ---------------------------------------------------------------- Istio

/** Istio `StringMatch`: exactly one of the three. */
export type StringMatch = { readonly exact: string } | { readonly prefix: string } | { readonly regex: string };

export interface Subset {
    readonly name: string;
    readonly labels: Record<string, string>;
}

export interface ConnectionPoolSettings {
    readonly tcp?: { readonly maxConnections?: number };
    readonly http?: {
        readonly http1MaxPendingRequests?: number;
        readonly http2MaxRequests?: number;
        readonly maxRequestsPerConnection?: number;
    };
}

export interface OutlierDetection {
    readonly consecutive5xxErrors: number;
    /** Protobuf duration ("10s"). */
    readonly interval: string;
    readonly baseEjectionTime: string;
    readonly maxEjectionPercent: number;
}

export interface TrafficPolicy {
    readonly tls: { readonly mode: "ISTIO_MUTUAL" };
    readonly connectionPool?: ConnectionPoolSettings;
    readonly outlierDetection?: OutlierDetection;
}

/** `networking.istio.io/v1` DestinationRule. */
export interface DestinationRuleObject {
    readonly apiVersion: typeof ISTIO_NETWORKING_API_VERSION;
    readonly kind: "DestinationRule";
    readonly metadata: NamespacedMeta;
    readonly spec: {
        readonly host: string;
        readonly trafficPolicy: TrafficPolicy;
        /** Absent when the service declares no versions. */
        readonly subsets?: Subset[];
    };
}

export interface HTTPRouteDestination {
    /** `subset` is absent when the service declares no versions. */
    readonly destination: { readonly host: string; readonly subset?: string };
    /** Left out when the route has a single destination. */
    readonly weight?: number;
}

export interface HTTPRetry {
    readonly attempts: number;
    readonly perTryTimeout?: string;
    readonly retryOn?: string;
}

export interface HTTPRoute {
    readonly name: string;
    readonly match?: { readonly headers: Record<string, StringMatch> }[];
    readonly route: HTTPRouteDestination[];
    readonly timeout?: string;
    readonly retries?: HTTPRetry;
}

/** `networking.istio.io/v1` VirtualService. */
export interface VirtualServiceObject {
    readonly apiVersion: typeof ISTIO_NETWORKING_API_VERSION;
    readonly kind: "VirtualService";
    readonly metadata: NamespacedMeta;
    readonly spec: {
        readonly hosts: string[];
        readonly http: HTTPRoute[];
    };
}

export interface AuthorizationRule {
    readonly from: { readonly source: { readonly principals: string[] } }[];
}

/** `security.istio.io/v1` AuthorizationPolicy. */
export interface AuthorizationPolicyObject {
    readonly apiVersion: typeof ISTIO_SECURITY_API_VERSION;
    readonly kind: "AuthorizationPolicy";
    readonly metadata: NamespacedMeta;
    readonly spec: {
        readonly selector: { readonly matchLabels: Record<string, string> };
        readonly action: "ALLOW";
        /** Absent when nobody may call: an ALLOW policy without rules matches no request, so all are denied. */
        readonly rules?: AuthorizationRule[];
    };
}

/** `security.istio.io/v1` AuthorizationPolicy with an empty spec: ALLOW nothing, for every workload of its namespace. */
export interface DenyAllAuthorizationPolicyObject {
    readonly apiVersion: typeof ISTIO_SECURITY_API_VERSION;
    readonly kind: "AuthorizationPolicy";
    readonly metadata: NamespacedMeta;
    readonly spec: Record<string, never>;
}

/** `security.istio.io/v1` PeerAuthentication. */
export interface PeerAuthenticationObject {
    readonly apiVersion: typeof ISTIO_SECURITY_API_VERSION;
    readonly kind: "PeerAuthentication";
    readonly metadata: NamespacedMeta;
    readonly spec: { readonly mtls: { readonly mode: "STRICT" } };
}

/** `networking.istio.io/v1` Sidecar. */
export interface SidecarObject {
    readonly apiVersion: typeof ISTIO_NETWORKING_API_VERSION;
    readonly kind: "Sidecar";
    readonly metadata: NamespacedMeta;
    readonly spec: { readonly egress: { readonly hosts: string[] }[] };
}

export type IstioObject = DestinationRuleObject | VirtualServiceObject | AuthorizationPolicyObject | PeerAuthenticationObject | SidecarObject;

// ---------------------------------------------------------------- Kubernetes

export interface IngressPath {
    readonly path: string;
    readonly pathType: "Prefix" | "ImplementationSpecific";
    readonly backend: { readonly service: { readonly name: string; readonly port: { readonly number: number } } };
}

export interface IngressRule {
    readonly host?: string;
    readonly http: { readonly paths: IngressPath[] };
}

/** `networking.k8s.io/v1` Ingress. */
export interface IngressObject {
    readonly apiVersion: "networking.k8s.io/v1";
    readonly kind: "Ingress";
    readonly metadata: NamespacedMeta;
    readonly spec: {
        readonly ingressClassName: string;
        readonly rules: IngressRule[];
    };
}

export interface ServicePort {
    readonly name: "http" | "grpc";
    readonly port: number;
    readonly targetPort: number;
    readonly protocol: "TCP";
    /** `grpc` on a gRPC service's port: Istio's protocol selection reads it first. */
    readonly appProtocol?: "grpc";
}

/** `v1` Service. */
export interface ServiceObject {
    readonly apiVersion: "v1";
    readonly kind: "Service";
    readonly metadata: NamespacedMeta;
    readonly spec: {
        readonly selector: Record<string, string>;
        readonly ports: ServicePort[];
    };
}

/** What a `ServicePatch` applies to a Service meshgate does not own: annotations only. */
export interface ServicePatchObject {
    readonly apiVersion: "v1";
    readonly kind: "Service";
    readonly metadata: NamespacedMeta & { readonly annotations: Record<string, string> };
}
