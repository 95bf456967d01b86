/**
 * Values of the kube-prometheus-stack release: Prometheus, Alertmanager, the Prometheus
 * operator (and its CRDs), and Grafana (a subchart: its keys live under `grafana`, checked
 * against the grafana chart).
 */
import { type HelmValues } from "../helm";
import { topologySpread } from "../topology-spread";
import { GRAFANA_ADMIN_KEYS, JAEGER_DATASOURCE_UID, PROMETHEUS_DATASOURCE_UID } from "./names";

/** A dashboard provisioned from grafana.com by id and pinned revision. */
export interface GrafanaDashboard {
    /** File name (without .json) and key under the provider. */
    readonly name: string;
    /** grafana.com dashboard id. */
    readonly gnetId: number;
    /** grafana.com revision: pinned, so a plan is reproducible. */
    readonly revision: number;
    /** Grafana folder (one dashboard provider per folder). */
    readonly folder: string;
}

/**
 * Istio's dashboards (published by the Istio project at grafana.com/orgs/istio) and Kong's
 * official one. Revisions are pinned; override them through `ObservabilityArgs.grafana.dashboards`.
 */
export const DEFAULT_DASHBOARDS: readonly GrafanaDashboard[] = [
    { name: "istio-mesh", gnetId: 7639, revision: 278, folder: "Istio" },
    { name: "istio-service", gnetId: 7636, revision: 278, folder: "Istio" },
    { name: "istio-workload", gnetId: 7630, revision: 278, folder: "Istio" },
    { name: "istio-control-plane", gnetId: 7645, revision: 278, folder: "Istio" },
    { name: "kong", gnetId: 7424, revision: 11, folder: "Kong" },
];

/** Name of the dashboard provider (and directory) for a folder. */
export function dashboardProviderName(folder: string): string {
    return folder
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "");
}

/**
 * The grafana chart's `dashboardProviders` and `dashboards` for `dashboards`: one file
 * provider per folder at /var/lib/grafana/dashboards/<provider>, and per dashboard
 * `{gnetId, revision, datasource}`. The chart's download script replaces `${DS_PROMETHEUS}`
 * (the input grafana.com exports use) with the UID of kube-prometheus-stack's Prometheus datasource.
 */
export function grafanaDashboardValues(dashboards: readonly GrafanaDashboard[]): { dashboardProviders: HelmValues; dashboards: HelmValues } {
    const providers = [...new Set(dashboards.map((d) => d.folder))].map((folder) => {
        const name = dashboardProviderName(folder);
        return {
            name,
            orgId: 1,
            folder,
            type: "file",
            disableDeletion: true,
            editable: false,
            options: { path: `/var/lib/grafana/dashboards/${name}` },
        };
    });
    const byProvider: Record<string, Record<string, unknown>> = {};
    for (const d of dashboards) {
        const provider = dashboardProviderName(d.folder);
        byProvider[provider] ??= {};
        byProvider[provider][d.name] = {
            gnetId: d.gnetId,
            revision: d.revision,
            datasource: [{ name: "DS_PROMETHEUS", value: PROMETHEUS_DATASOURCE_UID }],
        };
    }
    return {
        dashboardProviders: { "dashboardproviders.yaml": { apiVersion: 1, providers } },
        dashboards: byProvider,
    };
}

export interface KubePrometheusStackOptions {
    readonly highAvailability: boolean;
    /** Prometheus retention (Prometheus duration, e.g. "10d"). */
    readonly retention: string;
    /** Size cap on the TSDB ("50GiB"). @default 85% of storageGiB with a volume, none without */
    readonly retentionSize?: string;
    /** PersistentVolumeClaim size for each Prometheus replica, in GiB; absent: emptyDir (data lost on restart). */
    readonly storageGiB?: number;
    readonly storageClassName?: string;
    /** Prometheus replicas. */
    readonly prometheusReplicas: number;
    /** Alertmanager replicas. */
    readonly alertmanagerReplicas: number;
    /** Name of the Secret holding Grafana's admin user and password (a Pulumi input: its name output). */
    readonly grafanaAdminSecret: unknown;
    readonly dashboards: readonly GrafanaDashboard[];
    /** Jaeger query URL for Grafana's Jaeger datasource; absent: no Jaeger datasource. */
    readonly jaegerQueryUrl?: string;
    /**
     * Scrape (and alert on) kube-controller-manager, kube-scheduler, etcd and kube-proxy. Off
     * where the cluster does not expose them: on EKS the first three run outside the cluster
     * and kube-proxy's metrics listen on 127.0.0.1 only, so their monitors never find a target
     * and `KubeControllerManagerDown`, `KubeSchedulerDown` (and `KubeProxyDown`) fire forever.
     */
    readonly controlPlaneMetrics: boolean;
    /** Resource requests and limits per stateful component. */
    readonly resources: ObservabilityResources;
}

/** Kubernetes container resources. */
export interface ContainerResources {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly memory: string };
}

export interface ObservabilityResources {
    readonly prometheus: ContainerResources;
    readonly alertmanager: ContainerResources;
    readonly grafana: ContainerResources;
}

/**
 * Requests (what the scheduler reserves) and memory limits of the stateful components: without
 * requests Prometheus lands on any node and is the first evicted under memory pressure, losing
 * its head block. Estimates for meshgate's scrape load (Envoy, istiod, Kong, the cluster);
 * override with `values`.
 */
export function defaultObservabilityResources(highAvailability: boolean): ObservabilityResources {
    return {
        prometheus: highAvailability
            ? { requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "4Gi" } }
            : { requests: { cpu: "200m", memory: "512Mi" }, limits: { memory: "2Gi" } },
        alertmanager: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
        grafana: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
    };
}

/**
 * The size cap Prometheus keeps its TSDB under on a volume of `storageGiB`: 85%, the most the
 * Prometheus documentation advises ("Operational aspects": set `retention.size` to at most
 * 80–85% of the disk, leaving room for the WAL and compaction); without it a full volume stops
 * ingestion before the time retention deletes anything.
 */
export function defaultRetentionSize(storageGiB: number): string {
    return `${Math.max(1, Math.floor(storageGiB * 0.85))}GiB`;
}

/**
 * kube-prometheus-stack values. In HA: Prometheus and Alertmanager replicas with hard
 * node anti-affinity, zone spread and PodDisruptionBudgets. Grafana stays at one replica:
 * without a shared database (the chart's default is SQLite on the pod) replicas would each
 * have their own sessions and state; give Grafana a database through `values` to scale it.
 */
export function kubePrometheusStackValues(o: KubePrometheusStackOptions): HelmValues {
    const ha = o.highAvailability;
    const storageSpec: HelmValues =
        o.storageGiB === undefined
            ? {}
            : {
                  volumeClaimTemplate: {
                      // The claim names its class whenever one is given: EKS >= 1.30 has no default class.
                      spec: {
                          accessModes: ["ReadWriteOnce"],
                          resources: { requests: { storage: `${o.storageGiB}Gi` } },
                          ...(o.storageClassName !== undefined ? { storageClassName: o.storageClassName } : {}),
                      },
                  },
              };
    const { dashboardProviders, dashboards } = grafanaDashboardValues(o.dashboards);
    const retentionSize = o.retentionSize ?? (o.storageGiB === undefined ? "" : defaultRetentionSize(o.storageGiB));
    const cp = o.controlPlaneMetrics;
    return {
        // kube-prometheus-stack 88.5.3: each component's `enabled` gates its Service, ServiceMonitor
        // and (with defaultRules.rules.*) its alerts; both are set, so no Down alert is left behind.
        kubeControllerManager: { enabled: cp },
        kubeScheduler: { enabled: cp },
        kubeEtcd: { enabled: cp },
        kubeProxy: { enabled: cp },
        defaultRules: { rules: { kubeControllerManager: cp, kubeSchedulerAlerting: cp, kubeSchedulerRecording: cp, etcd: cp, kubeProxy: cp } },
        prometheus: {
            prometheusSpec: {
                replicas: o.prometheusReplicas,
                retention: o.retention,
                retentionSize,
                storageSpec,
                resources: o.resources.prometheus,
                // Select monitors and rules labelled `release: <this release>` in every namespace.
                serviceMonitorSelectorNilUsesHelmValues: true,
                podMonitorSelectorNilUsesHelmValues: true,
                ruleSelectorNilUsesHelmValues: true,
                podAntiAffinity: ha ? "hard" : "soft",
                topologySpreadConstraints: ha ? topologySpread({ "app.kubernetes.io/name": "prometheus" }) : [],
            },
            podDisruptionBudget: { enabled: ha, minAvailable: 1 },
        },
        alertmanager: {
            alertmanagerSpec: {
                replicas: o.alertmanagerReplicas,
                resources: o.resources.alertmanager,
                podAntiAffinity: ha ? "hard" : "soft",
                topologySpreadConstraints: ha ? topologySpread({ "app.kubernetes.io/name": "alertmanager" }) : [],
            },
            podDisruptionBudget: { enabled: ha, minAvailable: 1 },
        },
        grafana: {
            replicas: 1,
            resources: o.resources.grafana,
            admin: { existingSecret: o.grafanaAdminSecret, userKey: GRAFANA_ADMIN_KEYS.user, passwordKey: GRAFANA_ADMIN_KEYS.password },
            sidecar: { datasources: { uid: PROMETHEUS_DATASOURCE_UID } },
            additionalDataSources:
                o.jaegerQueryUrl === undefined ? [] : [{ name: "Jaeger", uid: JAEGER_DATASOURCE_UID, type: "jaeger", access: "proxy", url: o.jaegerQueryUrl, editable: false }],
            dashboardProviders,
            dashboards,
        },
    };
}
