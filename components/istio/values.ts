/**
 * Typed values of the istio/base, istio/istiod and istio/gateway releases (Istio 1.30).
 *
 * Istio's charts keep their defaults under `_internal_defaults_do_not_set`; a release sets
 * those keys at the TOP level of its values (`meshConfig`, `replicaCount`, `pdb`), never under
 * `pilot` (the pre-1.19 layout, silently ignored now) nor under `_internal_defaults_do_not_set`.
 */
import { type HelmValues } from "../helm";
import { topologySpread, type TopologySpreadConstraint } from "../topology-spread";
import { ISTIO_GATEWAY_RELEASE, ISTIO_NAMESPACE, OTEL_TRACING_PROVIDER } from "./names";

/** An OpenTelemetry tracing collector reachable over OTLP/gRPC. */
export interface TracingCollector {
    /** Cluster FQDN of the collector's Service (`<svc>.<ns>.svc.cluster.local`). */
    readonly service: string;
    /** OTLP/gRPC port. */
    readonly port: number;
}

/** MeshConfig `extensionProviders[]` entry of the OpenTelemetry kind (istio.mesh.v1alpha1). */
export interface OpenTelemetryExtensionProvider {
    readonly name: string;
    readonly opentelemetry: { readonly service: string; readonly port: number };
}

/** The MeshConfig fields meshgate sets. */
export interface MeshConfigValues {
    readonly rootNamespace: string;
    readonly trustDomain: string;
    /** "/dev/stdout" for Envoy access logs on the proxy's stdout; "" for none. */
    readonly accessLogFile: string;
    readonly accessLogEncoding: "TEXT" | "JSON";
    /** Generate trace spans and request ids (spans go to the Telemetry-selected provider). */
    readonly enableTracing: boolean;
    /**
     * Metrics merging: the injector annotates every injected pod `prometheus.io/port: 15020`,
     * `prometheus.io/path: /stats/prometheus`, and the sidecar's agent serves there Envoy's
     * metrics merged with the application's (scraped from the app's own `prometheus.io/*`
     * annotations, inside the pod, so STRICT mTLS does not get in the way). Istio's default,
     * set explicitly because meshgate's PodMonitor relies on it.
     */
    readonly enablePrometheusMerge: boolean;
    readonly defaultConfig: {
        /** Application containers start only after the sidecar is ready. */
        readonly holdApplicationUntilProxyStarts: boolean;
    };
    /** Empty without a tracing collector. */
    readonly extensionProviders: readonly OpenTelemetryExtensionProvider[];
    /** Providers used when a Telemetry resource names none. */
    readonly defaultProviders: { readonly tracing: readonly string[] };
}

/** The istiod chart values meshgate sets (top level, see the module comment). */
export interface IstiodValues {
    readonly global: {
        readonly istioNamespace: string;
        /** The chart creates istiod's PDB only with this on and more than one replica. */
        readonly defaultPodDisruptionBudget: { readonly enabled: boolean };
    };
    readonly meshConfig: MeshConfigValues;
    /** Pilot's default trace sampling (percent) for proxies no Telemetry resource covers. */
    readonly traceSampling: number;
    readonly replicaCount: number;
    readonly autoscaleEnabled: boolean;
    readonly autoscaleMin: number;
    readonly autoscaleMax: number;
    readonly pdb: { readonly minAvailable: number };
    readonly topologySpreadConstraints: readonly TopologySpreadConstraint[];
}

/** Zone and node spread of an Istio Deployment's pods, each rollout generation (`pod-template-hash`) on its own. */
function istioSpread(matchLabels: Record<string, string>): TopologySpreadConstraint[] {
    return topologySpread(matchLabels, { matchLabelKeys: ["pod-template-hash"] });
}

/** istio/base values: only which namespace istiod lives in (CRDs and the validation webhook are defaults). */
export function istioBaseValues(): HelmValues {
    return { global: { istioNamespace: ISTIO_NAMESPACE } };
}

export interface IstiodOptions {
    readonly highAvailability: boolean;
    readonly trustDomain: string;
    readonly accessLogging: boolean;
    /** Where the proxies send spans (OTLP/gRPC); undefined: nowhere (no provider, tracing off). */
    readonly tracingCollector?: TracingCollector;
    /** Percentage of requests traced. */
    readonly samplingPercentage: number;
    /** istiod replicas (the autoscaler's minimum in HA). */
    readonly replicas: number;
    /** Autoscaler maximum in HA. */
    readonly maxReplicas: number;
}

/**
 * istiod values: meshConfig with access logs on stdout, metrics merging, tracing to the
 * OpenTelemetry provider `otel-tracing` (the collector's service and port) when there is a
 * collector and no tracing at all when there is none, applications held until their proxy is
 * ready; in HA at least two replicas under an HPA, a PodDisruptionBudget and zone spread; in
 * dev one fixed replica and no PDB (a PDB on one replica blocks node drains).
 */
export function istiodValues(o: IstiodOptions): IstiodValues {
    const ha = o.highAvailability;
    const replicas = ha ? Math.max(2, o.replicas) : o.replicas;
    const c = o.tracingCollector;
    return {
        global: {
            istioNamespace: ISTIO_NAMESPACE,
            defaultPodDisruptionBudget: { enabled: ha },
        },
        meshConfig: {
            rootNamespace: ISTIO_NAMESPACE,
            trustDomain: o.trustDomain,
            accessLogFile: o.accessLogging ? "/dev/stdout" : "",
            accessLogEncoding: "JSON",
            enableTracing: c !== undefined,
            enablePrometheusMerge: true,
            defaultConfig: { holdApplicationUntilProxyStarts: true },
            extensionProviders: c === undefined ? [] : [{ name: OTEL_TRACING_PROVIDER, opentelemetry: { service: c.service, port: c.port } }],
            defaultProviders: { tracing: c === undefined ? [] : [OTEL_TRACING_PROVIDER] },
        },
        traceSampling: c === undefined ? 0 : o.samplingPercentage,
        replicaCount: replicas,
        autoscaleEnabled: ha,
        autoscaleMin: replicas,
        autoscaleMax: Math.max(replicas, o.maxReplicas),
        pdb: { minAvailable: 1 },
        topologySpreadConstraints: ha ? istioSpread({ app: "istiod" }) : [],
    };
}

export interface IstioGatewayOptions {
    readonly highAvailability: boolean;
}

/** istio/gateway values: in HA two to five replicas under an HPA, a PDB and zone spread. */
export function istioGatewayValues(o: IstioGatewayOptions): HelmValues {
    const ha = o.highAvailability;
    return {
        autoscaling: { enabled: true, minReplicas: ha ? 2 : 1, maxReplicas: 5 },
        podDisruptionBudget: ha ? { minAvailable: 1 } : {},
        topologySpreadConstraints: ha ? istioSpread({ app: ISTIO_GATEWAY_RELEASE }) : [],
    };
}
