/**
 * Values of the optional kiali-server release. Kiali runs in Istio's root namespace and reads
 * this stack's Prometheus (required), Jaeger (traces, over gRPC) and Grafana (links).
 * The chart copies `external_services` into Kiali's ConfigMap; the keys follow the Kiali CR.
 */
import { type HelmValues } from "../helm";

export interface KialiOptions {
    readonly highAvailability: boolean;
    /** Istio's root namespace. */
    readonly istioNamespace: string;
    /** In-cluster Prometheus URL. */
    readonly prometheusUrl: string;
    /** In-cluster Grafana URL (API calls). */
    readonly grafanaUrl: string;
    /** Grafana URL for users' browsers (Kiali's links). */
    readonly grafanaExternalUrl: string;
    /** In-cluster Jaeger query gRPC URL. */
    readonly jaegerGrpcUrl: string;
    /** Jaeger UI URL for users' browsers. */
    readonly jaegerExternalUrl: string;
}

export function kialiValues(o: KialiOptions): HelmValues {
    return {
        deployment: {
            replicas: o.highAvailability ? 2 : 1,
            ...(o.highAvailability ? { pod_disruption_budget: { spec: { minAvailable: 1 } } } : {}),
        },
        external_services: {
            istio: { root_namespace: o.istioNamespace },
            prometheus: { url: o.prometheusUrl },
            grafana: { enabled: true, internal_url: o.grafanaUrl, external_url: o.grafanaExternalUrl },
            tracing: {
                enabled: true,
                provider: "jaeger",
                internal_url: o.jaegerGrpcUrl,
                use_grpc: true,
                external_url: o.jaegerExternalUrl,
            },
        },
    };
}
