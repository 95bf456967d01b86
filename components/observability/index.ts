/**
 * Observability: the `observability` namespace with kube-prometheus-stack (Prometheus,
 * Alertmanager, Grafana with the Istio and Kong dashboards), Jaeger v2 receiving OTLP, the
 * monitors that make Prometheus scrape Envoy, istiod and Kong, and optionally Kiali.
 *
 * Ordering (only what must be ordered): monitors wait for the kube-prometheus-stack release
 * (its CRDs); kube-prometheus-stack references the Grafana admin Secret by name; Jaeger's
 * badger storage references its PVC by name. Nothing waits for Istio or Kong: their metrics
 * endpoints are plain names, so the three install in parallel. Kiali, when enabled, is
 * installed in Istio's namespace and so needs it to exist (pass IstioMesh's `namespace`).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { deepMerge, helmRelease, type HelmValues, type ReleaseSpec } from "../helm";
import { ISTIO_NAMESPACE } from "../istio/names";
import { chartRef, type ChartRef } from "../versions";
import { checkArgs } from "../config/args";
import { observabilityArgsSchema } from "./args";
import { JAEGER_PORTS, jaegerOtlp, jaegerQuery, jaegerServiceName, jaegerValues, type JaegerOtlpEndpoints, type JaegerStorage } from "./jaeger";
import { kialiValues } from "./kiali";
import { envoyStatsPodMonitor, istiodServiceMonitor, kongServiceMonitor, type KongMetricsTarget, type PodMonitor, type ServiceMonitor } from "./monitors";
import {
    GRAFANA_ADMIN_KEYS,
    GRAFANA_ADMIN_SECRET,
    JAEGER_RELEASE,
    KIALI_RELEASE,
    KUBE_PROMETHEUS_STACK_RELEASE,
    kubePrometheusStackServices,
    MONITOR_LABELS,
    OBSERVABILITY_NAMESPACE,
} from "./names";
import { DEFAULT_DASHBOARDS, defaultObservabilityResources, kubePrometheusStackValues, type GrafanaDashboard } from "./prometheus";

export * from "./args";
export * from "./jaeger";
export * from "./kiali";
export * from "./monitors";
export * from "./names";
export * from "./prometheus";

/** Observability's settings; checked when the component is constructed (observabilityArgsSchema), every problem at once. */
export interface ObservabilityArgs {
    /**
     * Production settings: two Prometheus and two Alertmanager replicas with hard node
     * anti-affinity, zone spread and PodDisruptionBudgets; Kiali with two replicas and a PDB.
     * @default false
     */
    readonly highAvailability?: boolean;
    /** Chart repository/version overrides. @default the versions pinned in components/versions.ts */
    readonly charts?: {
        /** @default the pinned kube-prometheus-stack */
        readonly kubePrometheusStack?: Partial<ChartRef>;
        /** @default the pinned jaegertracing/jaeger */
        readonly jaeger?: Partial<ChartRef>;
        /** @default the pinned kiali-server */
        readonly kiali?: Partial<ChartRef>;
    };
    /** Prometheus. @default 10d retention, no volume, 1 replica (2 with highAvailability) */
    readonly prometheus?: {
        /** How long samples are kept (Prometheus duration). @default "10d" */
        readonly retention?: string;
        /** Size cap of the TSDB, e.g. "45GiB". @default 85% of storageGiB (see defaultRetentionSize), none without a volume */
        readonly retentionSize?: string;
        /** PVC per replica, GiB. @default none: emptyDir, data lost when the pod goes */
        readonly storageGiB?: number;
        /** StorageClass of those PVCs (on EKS, `ClusterConnection.storageClassName`). @default the cluster's default class */
        readonly storageClassName?: string;
        /** @default 1, or 2 with highAvailability */
        readonly replicas?: number;
    };
    /**
     * Scrape kube-controller-manager, kube-scheduler, etcd and kube-proxy (and keep their
     * alerts). Turn off where the cluster does not expose them (EKS: the control plane runs
     * outside the cluster, kube-proxy serves metrics on 127.0.0.1 only), or their Down alerts
     * fire forever.
     * @default true
     */
    readonly controlPlaneMetrics?: boolean;
    /** Alertmanager. @default 1 replica (2 with highAvailability) */
    readonly alertmanager?: {
        /** @default 1, or 2 with highAvailability */
        readonly replicas?: number;
    };
    /** Grafana. @default the default dashboards, admin user "admin" */
    readonly grafana?: {
        /** Dashboards provisioned from grafana.com. @default DEFAULT_DASHBOARDS (Istio mesh/service/workload/control plane, Kong) */
        readonly dashboards?: readonly GrafanaDashboard[];
        /** Admin login. @default "admin" */
        readonly adminUser?: string;
    };
    /** Jaeger. @default in-memory storage */
    readonly jaeger?: {
        /**
         * `memory` (lost on restart, for dev) or `badger` on a PersistentVolumeClaim (one replica;
         * for an HA Jaeger point `values.jaeger.userconfig` at Elasticsearch/OpenSearch/Cassandra).
         * @default "memory"
         */
        readonly storage?: "memory" | "badger";
        /** Badger PVC size, GiB. @default 10 */
        readonly storageGiB?: number;
        /** StorageClass of the badger PVC (on EKS, `ClusterConnection.storageClassName`). @default the cluster's default class */
        readonly storageClassName?: string;
        /** Memory storage: traces kept. @default 100000 */
        readonly maxTraces?: number;
        /** Badger storage: how long spans are kept (Go duration). @default "72h" */
        readonly spanTtl?: string;
    };
    /** Kiali. @default not installed */
    readonly kiali?: {
        /** Install kiali-server. @default false */
        readonly enabled?: boolean;
        /** Namespace to install Kiali in: Istio's root namespace, as an output of IstioMesh so Kiali waits for it. @default "istio-system" */
        readonly namespace?: pulumi.Input<string>;
        /** Grafana URL in users' browsers. @default "http://localhost:3000" (the port-forward hint) */
        readonly grafanaExternalUrl?: string;
        /** Jaeger UI URL in users' browsers. @default "http://localhost:16686" (the port-forward hint) */
        readonly jaegerExternalUrl?: string;
    };
    /** Create the Envoy PodMonitor and the istiod ServiceMonitor (off in gateway-only mode). @default true */
    readonly meshMonitoring?: boolean;
    /** Namespace of istiod, for its ServiceMonitor. @default "istio-system" */
    readonly istioNamespace?: string;
    /** Kong's metrics Service (`kongMetrics`). @default none: no Kong ServiceMonitor */
    readonly kongMetrics?: KongMetricsTarget;
    /** Scrape interval of meshgate's monitors. @default "15s" */
    readonly scrapeInterval?: string;
    /** Extra chart values per release, deep-merged last (the user wins). @default {} */
    readonly values?: {
        /** @default {} */
        readonly kubePrometheusStack?: HelmValues;
        /** @default {} */
        readonly jaeger?: HelmValues;
        /** @default {} */
        readonly kiali?: HelmValues;
    };
    /** What the releases wait for: the cluster's nodes and core add-ons (`ClusterConnection.workloadsReady`). @default [] */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

const defaults = {
    highAvailability: false,
    retention: "10d",
    grafanaAdminUser: "admin",
    jaegerStorage: "memory" as const,
    jaegerStorageGiB: 10,
    jaegerMaxTraces: 100_000,
    jaegerSpanTtl: "72h",
    kialiEnabled: false,
    grafanaExternalUrl: "http://localhost:3000",
    jaegerExternalUrl: `http://localhost:${JAEGER_PORTS.queryHttp}`,
    meshMonitoring: true,
    controlPlaneMetrics: true,
    scrapeInterval: "15s",
};

/** Name of the badger PVC in the observability namespace. */
export const JAEGER_BADGER_PVC = "jaeger-badger-data";

/** A Helm release as meshgate installs it. Values may hold Pulumi inputs (resource names). */
/** How to reach what Observability installs. */
export interface ObservabilityEndpoints {
    readonly grafanaUrl: string;
    readonly grafanaPortForward: string;
    readonly prometheusUrl: string;
    readonly prometheusPortForward: string;
    readonly jaegerUrl: string;
    readonly jaegerPortForward: string;
    readonly jaegerOtlp: JaegerOtlpEndpoints;
}

export interface ObservabilityPlan {
    readonly namespace: string;
    readonly kubePrometheusStack: ReleaseSpec;
    readonly jaeger: ReleaseSpec;
    readonly kiali?: ReleaseSpec;
    /** Badger PVC size, when Jaeger persists. */
    readonly jaegerPvc?: { readonly name: string; readonly storageGiB: number; readonly storageClassName?: string };
    readonly grafanaAdmin: { readonly secretName: string; readonly user: string };
    readonly monitors: readonly (PodMonitor | ServiceMonitor)[];
    readonly monitorLabels: Readonly<Record<string, string>>;
    readonly endpoints: ObservabilityEndpoints;
}

/** The badger PVC Jaeger needs, or undefined for in-memory storage. */
export function jaegerBadgerPvc(args: ObservabilityArgs): ObservabilityPlan["jaegerPvc"] {
    if ((args.jaeger?.storage ?? defaults.jaegerStorage) !== "badger") {
        return undefined;
    }
    return { name: JAEGER_BADGER_PVC, storageGiB: args.jaeger?.storageGiB ?? defaults.jaegerStorageGiB, storageClassName: args.jaeger?.storageClassName };
}

/**
 * The pure plan of an Observability stack: releases with merged values, monitors and
 * endpoints. `refs` are the names of the Secret and PVC the component creates (outputs, so
 * the releases wait for them); tests pass plain strings. Throws on invalid args.
 */
export function planObservability(
    args: ObservabilityArgs = {},
    refs: { readonly grafanaAdminSecret: unknown; readonly jaegerBadgerClaim: unknown } = { grafanaAdminSecret: GRAFANA_ADMIN_SECRET, jaegerBadgerClaim: JAEGER_BADGER_PVC },
): ObservabilityPlan {
    checkArgs("Observability", observabilityArgsSchema, args);
    const ha = args.highAvailability ?? defaults.highAvailability;
    const namespace = OBSERVABILITY_NAMESPACE;
    const services = kubePrometheusStackServices(KUBE_PROMETHEUS_STACK_RELEASE, namespace);
    const query = jaegerQuery(JAEGER_RELEASE, namespace);
    const spec = (name: string, chart: string, ref: ChartRef, ns: string, values: HelmValues): ReleaseSpec => ({
        name,
        chart,
        version: ref.version,
        repository: ref.repository,
        namespace: ns,
        values,
    });

    const kps = spec(
        KUBE_PROMETHEUS_STACK_RELEASE,
        "kube-prometheus-stack",
        chartRef("kubePrometheusStack", args.charts?.kubePrometheusStack),
        namespace,
        deepMerge(
            kubePrometheusStackValues({
                highAvailability: ha,
                retention: args.prometheus?.retention ?? defaults.retention,
                retentionSize: args.prometheus?.retentionSize,
                storageGiB: args.prometheus?.storageGiB,
                storageClassName: args.prometheus?.storageClassName,
                prometheusReplicas: args.prometheus?.replicas ?? (ha ? 2 : 1),
                alertmanagerReplicas: args.alertmanager?.replicas ?? (ha ? 2 : 1),
                grafanaAdminSecret: refs.grafanaAdminSecret,
                dashboards: args.grafana?.dashboards ?? DEFAULT_DASHBOARDS,
                jaegerQueryUrl: query.httpUrl,
                controlPlaneMetrics: args.controlPlaneMetrics ?? defaults.controlPlaneMetrics,
                resources: defaultObservabilityResources(ha),
            }),
            args.values?.kubePrometheusStack,
        ),
    );

    const storageType = args.jaeger?.storage ?? defaults.jaegerStorage;
    const storage: JaegerStorage =
        storageType === "memory"
            ? { type: "memory", maxTraces: args.jaeger?.maxTraces ?? defaults.jaegerMaxTraces }
            : { type: "badger", claimName: refs.jaegerBadgerClaim, spanTtl: args.jaeger?.spanTtl ?? defaults.jaegerSpanTtl };
    const jaeger = spec(JAEGER_RELEASE, "jaeger", chartRef("jaeger", args.charts?.jaeger), namespace, deepMerge(jaegerValues(storage), args.values?.jaeger));

    const istioNamespace = args.istioNamespace ?? ISTIO_NAMESPACE;
    const kiali =
        (args.kiali?.enabled ?? defaults.kialiEnabled)
            ? spec(
                  KIALI_RELEASE,
                  "kiali-server",
                  chartRef("kiali", args.charts?.kiali),
                  istioNamespace,
                  deepMerge(
                      kialiValues({
                          highAvailability: ha,
                          istioNamespace,
                          prometheusUrl: services.prometheus.url,
                          grafanaUrl: services.grafana.url,
                          grafanaExternalUrl: args.kiali?.grafanaExternalUrl ?? defaults.grafanaExternalUrl,
                          jaegerGrpcUrl: query.grpcUrl,
                          jaegerExternalUrl: args.kiali?.jaegerExternalUrl ?? defaults.jaegerExternalUrl,
                      }),
                      args.values?.kiali,
                  ),
              )
            : undefined;

    const interval = args.scrapeInterval ?? defaults.scrapeInterval;
    const monitors: (PodMonitor | ServiceMonitor)[] = [];
    if (args.meshMonitoring ?? defaults.meshMonitoring) {
        monitors.push(envoyStatsPodMonitor({ namespace, interval }));
        monitors.push(istiodServiceMonitor({ namespace, interval, istioNamespace }));
    }
    if (args.kongMetrics !== undefined) {
        monitors.push(kongServiceMonitor({ namespace, interval, target: args.kongMetrics }));
    }

    const jaegerSvc = jaegerServiceName(JAEGER_RELEASE);
    return {
        namespace,
        kubePrometheusStack: kps,
        jaeger,
        kiali,
        jaegerPvc: jaegerBadgerPvc(args),
        grafanaAdmin: { secretName: GRAFANA_ADMIN_SECRET, user: args.grafana?.adminUser ?? defaults.grafanaAdminUser },
        monitors,
        monitorLabels: { ...MONITOR_LABELS },
        endpoints: {
            grafanaUrl: services.grafana.url,
            grafanaPortForward: `kubectl -n ${namespace} port-forward svc/${services.grafana.name} 3000:${services.grafana.port}`,
            prometheusUrl: services.prometheus.url,
            prometheusPortForward: `kubectl -n ${namespace} port-forward svc/${services.prometheus.name} 9090:${services.prometheus.port}`,
            jaegerUrl: query.httpUrl,
            jaegerPortForward: `kubectl -n ${namespace} port-forward svc/${jaegerSvc} ${JAEGER_PORTS.queryHttp}:${JAEGER_PORTS.queryHttp}`,
            jaegerOtlp: jaegerOtlp(JAEGER_RELEASE, namespace),
        },
    };
}

/** kube-prometheus-stack (Prometheus, Alertmanager, Grafana with the Istio and Kong dashboards), Jaeger (OTLP), the monitors for Envoy, istiod and Kong, optionally Kiali. */
export class Observability extends pulumi.ComponentResource {
    /** The observability Namespace's name. */
    public readonly namespace: pulumi.Output<string>;
    /** The kube-prometheus-stack release: monitors (and anything else of the monitoring.coreos.com kinds) wait for it. */
    public readonly monitoringCrdsReady: pulumi.Resource;
    /** The Jaeger release. */
    public readonly jaeger: k8s.helm.v3.Release;
    /** In-cluster Grafana URL. */
    public readonly grafanaUrl: string;
    /** `kubectl port-forward` command for Grafana (then http://localhost:3000). */
    public readonly grafanaPortForward: string;
    public readonly prometheusUrl: string;
    public readonly prometheusPortForward: string;
    /** In-cluster Jaeger UI URL. */
    public readonly jaegerUrl: string;
    /** `kubectl port-forward` command for the Jaeger UI (then http://localhost:16686). */
    public readonly jaegerPortForward: string;
    /** Where to send OTLP spans (the same as `jaegerOtlp("jaeger", "observability")`). */
    public readonly jaegerOtlp: JaegerOtlpEndpoints;
    public readonly grafanaAdminUser: string;
    /** Grafana's generated admin password (secret). */
    public readonly grafanaAdminPassword: pulumi.Output<string>;
    /** Labels a ServiceMonitor/PodMonitor needs for this Prometheus to select it. */
    public readonly monitorLabels: Readonly<Record<string, string>>;

    constructor(name: string, args: ObservabilityArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("meshgate:observability:Observability", name, {}, opts);
        checkArgs("Observability", observabilityArgsSchema, args, name);

        const ns = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            // Not in the mesh: Prometheus scrapes pods directly, Jaeger takes spans from sidecars in plain text.
            { metadata: { name: OBSERVABILITY_NAMESPACE, labels: { "istio-injection": "disabled" } } },
            { parent: this },
        );
        const password = new random.RandomPassword(`${name}-grafana-admin-password`, { length: 32, special: false }, { parent: this });
        const adminUser = args.grafana?.adminUser ?? defaults.grafanaAdminUser;
        const adminSecret = new k8s.core.v1.Secret(
            `${name}-grafana-admin`,
            {
                metadata: { name: GRAFANA_ADMIN_SECRET, namespace: ns.metadata.name },
                type: "Opaque",
                stringData: { [GRAFANA_ADMIN_KEYS.user]: adminUser, [GRAFANA_ADMIN_KEYS.password]: password.result },
            },
            { parent: this },
        );
        const pvcSpec = jaegerBadgerPvc(args);
        const pvc =
            pvcSpec === undefined
                ? undefined
                : new k8s.core.v1.PersistentVolumeClaim(
                      `${name}-jaeger-badger`,
                      {
                          // A WaitForFirstConsumer class binds the claim only once Jaeger's pod is scheduled: do not wait for Bound.
                          metadata: { name: pvcSpec.name, namespace: ns.metadata.name, annotations: { "pulumi.com/skipAwait": "true" } },
                          spec: {
                              accessModes: ["ReadWriteOnce"],
                              resources: { requests: { storage: `${pvcSpec.storageGiB}Gi` } },
                              storageClassName: pvcSpec.storageClassName,
                          },
                      },
                      { parent: this },
                  );
        const plan = planObservability(args, { grafanaAdminSecret: adminSecret.metadata.name, jaegerBadgerClaim: pvc?.metadata.name ?? JAEGER_BADGER_PVC });

        const workloads = { parent: this, dependsOn: args.dependsOn ?? [] };
        const kps = helmRelease(`${name}-kube-prometheus-stack`, plan.kubePrometheusStack, ns.metadata.name, workloads);
        const jaeger = helmRelease(`${name}-jaeger`, plan.jaeger, ns.metadata.name, workloads);
        if (plan.kiali !== undefined) {
            helmRelease(`${name}-kiali`, plan.kiali, args.kiali?.namespace ?? plan.kiali.namespace, workloads);
        }
        for (const m of plan.monitors) {
            new k8s.apiextensions.CustomResource(
                `${name}-${m.kind === "PodMonitor" ? "podmonitor" : "servicemonitor"}-${m.metadata.name}`,
                { apiVersion: m.apiVersion, kind: m.kind, metadata: { ...m.metadata, namespace: ns.metadata.name }, spec: m.spec },
                { parent: this, dependsOn: [kps] },
            );
        }

        this.namespace = ns.metadata.name;
        this.monitoringCrdsReady = kps;
        this.jaeger = jaeger;
        this.grafanaUrl = plan.endpoints.grafanaUrl;
        this.grafanaPortForward = plan.endpoints.grafanaPortForward;
        this.prometheusUrl = plan.endpoints.prometheusUrl;
        this.prometheusPortForward = plan.endpoints.prometheusPortForward;
        this.jaegerUrl = plan.endpoints.jaegerUrl;
        this.jaegerPortForward = plan.endpoints.jaegerPortForward;
        this.jaegerOtlp = plan.endpoints.jaegerOtlp;
        this.grafanaAdminUser = adminUser;
        this.grafanaAdminPassword = pulumi.secret(password.result);
        this.monitorLabels = plan.monitorLabels;
        this.registerOutputs({
            namespace: this.namespace,
            grafanaUrl: this.grafanaUrl,
            grafanaPortForward: this.grafanaPortForward,
            prometheusUrl: this.prometheusUrl,
            jaegerUrl: this.jaegerUrl,
            jaegerPortForward: this.jaegerPortForward,
            jaegerOtlp: this.jaegerOtlp,
            grafanaAdminUser: this.grafanaAdminUser,
            grafanaAdminPassword: this.grafanaAdminPassword,
            monitorLabels: this.monitorLabels,
            kubePrometheusStackStatus: kps.status,
            jaegerStatus: jaeger.status,
        });
    }
}
