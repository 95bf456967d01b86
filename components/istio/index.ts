/**
 * IstioMesh: the Istio control plane (istio/base, then istio/istiod, optionally istio/gateway)
 * in istio-system, with the mesh-wide defaults: STRICT mTLS, access logs, Prometheus metrics
 * merging, and, when a collector is given, tracing to it through a mesh-wide Telemetry
 * resource. Without a collector the mesh traces nowhere: no extension provider, no Telemetry,
 * `enableTracing: false` (a provider naming a Service that does not exist would only fail).
 *
 * Ordering (only what must be ordered): istiod waits for base (CRDs, webhook config); the
 * custom resources wait for base (their CRDs); the gateway waits for istiod (its pods are
 * injected). Nothing here waits for Jaeger: the collector address is a plain string.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartRef, type ChartRef } from "../versions";
import { checkArgs } from "../config/args";
import { istioMeshArgsSchema } from "./args";
import { deepMerge, helmRelease, type HelmValues, type ReleaseSpec } from "../helm";
import { ISTIO_BASE_RELEASE, ISTIO_GATEWAY_RELEASE, ISTIO_NAMESPACE, ISTIOD_RELEASE, OTEL_TRACING_PROVIDER } from "./names";
import { meshStrictPeerAuthentication, meshTelemetry, type PeerAuthentication, type Telemetry } from "./resources";
import { istioBaseValues, istiodValues, istioGatewayValues, type TracingCollector } from "./values";

export * from "./names";
export * from "./resources";
export * from "./values";
export * from "./args";

/** IstioMesh's settings; checked when the component is constructed (istioMeshArgsSchema), every problem at once. */
export interface IstioMeshArgs {
    /**
     * Production settings: istiod with at least two replicas under an HPA, a PodDisruptionBudget
     * and zone spread (and the same for the optional gateway).
     * @default false
     */
    readonly highAvailability?: boolean;
    /** Chart repository/version for base, istiod and gateway (one Istio version). @default chartRef("istio") (1.30.3) */
    readonly chart?: Partial<ChartRef>;
    /** SPIFFE trust domain of the mesh. @default "cluster.local" */
    readonly trustDomain?: string;
    /** Envoy access logs (JSON) on every proxy's stdout. @default true */
    readonly accessLogging?: boolean;
    /** Tracing of the proxies. @default 1% of requests, to no collector (off) */
    readonly tracing?: {
        /** Percentage of requests traced, 0–100. @default 1 */
        readonly samplingPercentage?: number;
        /**
         * OTLP/gRPC collector the proxies send spans to, e.g. the Jaeger of meshgate's
         * Observability (`jaegerOtlp("jaeger", "observability")`: the Platform passes it when the
         * stack has observability).
         * @default none: the mesh traces nowhere
         */
        readonly collector?: TracingCollector;
    };
    /** istiod replicas (the HPA minimum in HA). @default 1, or 2 with highAvailability */
    readonly istiodReplicas?: number;
    /** istiod HPA maximum (HA only). @default 5 */
    readonly istiodMaxReplicas?: number;
    /** Also install istio/gateway (an Istio ingress gateway, release `istio-ingressgateway`). @default false */
    readonly ingressGateway?: boolean;
    /**
     * What istiod (and the gateway) wait for besides the base release: the cluster's nodes and
     * core add-ons (`ClusterConnection.workloadsReady`). The base release holds only CRDs and
     * webhook configuration, so it does not wait. @default []
     */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
    /** Extra chart values per release, deep-merged last (the user wins). @default {} */
    readonly values?: {
        /** istio/base. @default {} */
        readonly base?: HelmValues;
        /** istio/istiod. @default {} */
        readonly istiod?: HelmValues;
        /** istio/gateway. @default {} */
        readonly gateway?: HelmValues;
    };
}

const defaults = {
    highAvailability: false,
    trustDomain: "cluster.local",
    accessLogging: true,
    samplingPercentage: 1,
    istiodMaxReplicas: 5,
    ingressGateway: false,
};

/** A Helm release as meshgate installs it. */
/** Everything IstioMesh creates, as plain data. */
export interface IstioMeshPlan {
    readonly namespace: string;
    readonly base: ReleaseSpec;
    readonly istiod: ReleaseSpec;
    readonly gateway?: ReleaseSpec;
    /** The mesh-wide tracing Telemetry; absent without a collector. */
    readonly telemetry?: Telemetry;
    readonly peerAuthentication: PeerAuthentication;
    /** Name of the tracing provider in meshConfig; absent without a collector. */
    readonly tracingProviderName?: string;
    readonly rootNamespace: string;
}

/** The pure plan of an IstioMesh: release specs with merged values and the mesh-wide objects. Throws on invalid args. */
export function planIstioMesh(args: IstioMeshArgs = {}): IstioMeshPlan {
    checkArgs("IstioMesh", istioMeshArgsSchema, args);
    const ha = args.highAvailability ?? defaults.highAvailability;
    const chart = chartRef("istio", args.chart);
    const release = (name: string, chartName: string, values: HelmValues): ReleaseSpec => ({
        name,
        chart: chartName,
        version: chart.version,
        repository: chart.repository,
        namespace: ISTIO_NAMESPACE,
        values,
    });
    const samplingPercentage = args.tracing?.samplingPercentage ?? defaults.samplingPercentage;
    const istiod = istiodValues({
        highAvailability: ha,
        trustDomain: args.trustDomain ?? defaults.trustDomain,
        accessLogging: args.accessLogging ?? defaults.accessLogging,
        tracingCollector: args.tracing?.collector,
        samplingPercentage,
        replicas: args.istiodReplicas ?? (ha ? 2 : 1),
        maxReplicas: args.istiodMaxReplicas ?? defaults.istiodMaxReplicas,
    });
    const rootNamespace = istiod.meshConfig.rootNamespace;
    return {
        namespace: ISTIO_NAMESPACE,
        base: release(ISTIO_BASE_RELEASE, "base", deepMerge(istioBaseValues(), args.values?.base)),
        istiod: release(ISTIOD_RELEASE, "istiod", deepMerge({ ...istiod }, args.values?.istiod)),
        gateway:
            (args.ingressGateway ?? defaults.ingressGateway)
                ? release(ISTIO_GATEWAY_RELEASE, "gateway", deepMerge(istioGatewayValues({ highAvailability: ha }), args.values?.gateway))
                : undefined,
        telemetry: args.tracing?.collector === undefined ? undefined : meshTelemetry({ rootNamespace, provider: OTEL_TRACING_PROVIDER, samplingPercentage }),
        peerAuthentication: meshStrictPeerAuthentication(rootNamespace),
        tracingProviderName: args.tracing?.collector === undefined ? undefined : OTEL_TRACING_PROVIDER,
        rootNamespace,
    };
}

/** The Istio control plane (istio/base, istiod, optionally istio/gateway) with mesh-wide STRICT mTLS, access logs and tracing. */
export class IstioMesh extends pulumi.ComponentResource {
    /** The istio-system Namespace's name. */
    public readonly namespace: pulumi.Output<string>;
    /** What custom resources of Istio's kinds must wait for: the istio/base release (CRDs). */
    public readonly crdsReady: pulumi.Resource;
    /** What injected workloads must wait for: the istiod release (sidecar injector, ready when istiod is). */
    public readonly controlPlaneReady: pulumi.Resource;
    /** The istio/gateway release, when asked for. */
    public readonly gateway?: k8s.helm.v3.Release;
    /** Name of the tracing provider in meshConfig (Telemetry resources refer to it); undefined without a collector. */
    public readonly tracingProviderName?: string;
    /** Istio's root namespace (mesh-wide Telemetry, PeerAuthentication). */
    public readonly rootNamespace: string;

    constructor(name: string, args: IstioMeshArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("meshgate:istio:IstioMesh", name, {}, opts);
        const plan = planIstioMesh(args);

        const ns = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: plan.namespace } }, { parent: this });
        const base = helmRelease(`${name}-base`, plan.base, ns.metadata.name, { parent: this });
        const istiod = helmRelease(`${name}-istiod`, plan.istiod, ns.metadata.name, { parent: this, dependsOn: [base, ...(args.dependsOn ?? [])] });
        if (plan.gateway !== undefined) {
            this.gateway = helmRelease(`${name}-gateway`, plan.gateway, ns.metadata.name, { parent: this, dependsOn: [istiod] });
        }
        const custom = (role: string, obj: Telemetry | PeerAuthentication) =>
            new k8s.apiextensions.CustomResource(
                `${name}-${role}`,
                { apiVersion: obj.apiVersion, kind: obj.kind, metadata: { ...obj.metadata, namespace: ns.metadata.name }, spec: obj.spec },
                { parent: this, dependsOn: [base] },
            );
        if (plan.telemetry !== undefined) {
            custom("telemetry", plan.telemetry);
        }
        custom("peer-authentication", plan.peerAuthentication);

        this.namespace = ns.metadata.name;
        this.crdsReady = base;
        this.controlPlaneReady = istiod;
        this.tracingProviderName = plan.tracingProviderName;
        this.rootNamespace = plan.rootNamespace;
        this.registerOutputs({
            namespace: this.namespace,
            baseStatus: base.status,
            istiodStatus: istiod.status,
            gatewayStatus: this.gateway?.status,
            tracingProviderName: this.tracingProviderName,
            rootNamespace: this.rootNamespace,
        });
    }
}
