/**
 * Typed values for the kong/kong 3.4.1 chart and the pure builder that turns
 * KongGateway's settings into them. Only the keys meshgate sets are typed; every key
 * exists in the chart's values.yaml, or is one the chart documents in a comment and its
 * templates read (listed in {@link KONG_CHART_COMMENTED_KEYS}).
 */
import { KONG_POD_LABELS, KONG_PROXY_SERVICE, KONG_SERVICE_ACCOUNT, kongMetrics } from "./names";
import { KONG_INGRESS_CLASS } from "./types";

/** Keys the chart documents only in comments of values.yaml but its templates read. */
export const KONG_CHART_COMMENTED_KEYS = [
    /** `kong.serviceAccountName` in _helpers.tpl: `default (fullname) .Values.deployment.serviceAccount.name`. */
    "deployment.serviceAccount.name",
    /** templates/pdb.yaml: `{{- if .Values.podDisruptionBudget.maxUnavailable }}`. */
    "podDisruptionBudget.maxUnavailable",
    /** templates/deployment.yaml: `{{- if .Values.topologySpreadConstraints }}`. */
    "topologySpreadConstraints",
] as const;

export type Scheme = "internet-facing" | "internal";
/**
 * What the proxy Service is: `aws-nlb` a LoadBalancer the AWS Load Balancer Controller backs
 * with an NLB; `generic` a LoadBalancer the cluster's own cloud provider serves; `none` a
 * NodePort, for clusters without load balancers (kind, k3d, bare metal).
 */
export type LoadBalancerKind = "aws-nlb" | "generic" | "none";

/** A Kubernetes `env[].valueFrom.secretKeyRef`, as the chart renders a map-valued `env` entry. */
export interface SecretEnvValue {
    readonly valueFrom: { readonly secretKeyRef: { readonly name: string; readonly key: string } };
}

export interface KongResourceRequirements {
    readonly requests?: { readonly cpu?: string; readonly memory?: string };
    readonly limits?: { readonly cpu?: string; readonly memory?: string };
}

export interface KongTopologySpreadConstraint {
    readonly maxSkew: number;
    readonly topologyKey: string;
    readonly whenUnsatisfiable: "DoNotSchedule" | "ScheduleAnyway";
    readonly labelSelector: { readonly matchLabels: Record<string, string> };
}

/** The subset of kong/kong 3.4.1 values meshgate sets. */
export interface KongChartValues {
    readonly deployment: { readonly serviceAccount: { readonly create: boolean; readonly name: string; readonly automountServiceAccountToken: boolean } };
    /** Kong configuration; each key becomes `KONG_<KEY>`. A map value is rendered as the env entry itself (valueFrom). */
    readonly env: Readonly<Record<string, string | number | SecretEnvValue>>;
    readonly admin: {
        readonly enabled: boolean;
        readonly type: "ClusterIP";
        readonly http: { readonly enabled: boolean };
        readonly ingress: { readonly enabled: boolean };
    };
    readonly manager: { readonly enabled: boolean };
    readonly status: { readonly enabled: boolean; readonly http: { readonly enabled: boolean; readonly containerPort: number } };
    readonly proxy: {
        readonly enabled: boolean;
        readonly type: "LoadBalancer" | "NodePort";
        readonly nameOverride: string;
        readonly annotations: Record<string, string>;
        readonly loadBalancerSourceRanges: string[];
        readonly http: { readonly enabled: boolean };
        readonly tls: { readonly enabled: boolean };
    };
    readonly ingressController: {
        readonly enabled: boolean;
        readonly ingressClass: string;
        readonly createIngressClass: boolean;
        readonly env: Record<string, string | boolean>;
        readonly resources?: KongResourceRequirements;
    };
    readonly podAnnotations: Record<string, string>;
    readonly replicaCount: number;
    readonly autoscaling: {
        readonly enabled: boolean;
        readonly minReplicas?: number;
        readonly maxReplicas?: number;
        readonly metrics?: { type: "Resource"; resource: { name: "cpu"; target: { type: "Utilization"; averageUtilization: number } } }[];
    };
    readonly podDisruptionBudget: { readonly enabled: boolean; readonly maxUnavailable?: number };
    readonly topologySpreadConstraints?: KongTopologySpreadConstraint[];
    readonly resources?: KongResourceRequirements;
    /** Off: Observability creates the ServiceMonitor from `kongMetrics`, so this release needs no Prometheus CRDs. */
    readonly serviceMonitor: { readonly enabled: boolean };
    readonly postgresql: {
        readonly enabled: boolean;
        readonly auth?: {
            readonly username: string;
            readonly database: string;
            readonly existingSecret: string;
            readonly secretKeys: { readonly adminPasswordKey: string; readonly userPasswordKey: string };
        };
        readonly primary?: { readonly podLabels: Record<string, string> };
    };
}

/** Keys of the Secret holding the Postgres passwords (also the bitnami subchart's `auth.secretKeys`). */
export const POSTGRES_SECRET_KEYS = { userPassword: "password", adminPassword: "postgres-password" } as const;

/** Where Kong's database lives. */
export type DatabaseSettings =
    | { readonly mode: "dbless" }
    | {
          readonly mode: "postgres";
          /** Name of the Secret (in Kong's namespace) holding the passwords under {@link POSTGRES_SECRET_KEYS}. */
          readonly secretName: string;
          /** Absent: the chart's bundled PostgreSQL (bitnami subchart). */
          readonly external?: { readonly host: string; readonly port: number; readonly user: string; readonly database: string; readonly ssl: boolean };
      };

export interface KongValuesSettings {
    /** Kong pods join the Istio mesh (namespace injection on). */
    readonly mesh: boolean;
    readonly highAvailability: boolean;
    readonly loadBalancer: LoadBalancerKind;
    readonly scheme: Scheme;
    readonly sourceRanges: readonly string[];
    readonly database: DatabaseSettings;
    /** Proxy replicas without autoscaling. */
    readonly replicas: number;
    readonly autoscaling?: { readonly minReplicas: number; readonly maxReplicas: number; readonly targetCPUUtilizationPercentage: number };
    /** Kong's own tracing (`tracing_sampling_rate`, 0–1); absent: tracing off. */
    readonly tracing?: { readonly samplingRate: number };
}

/** The annotations the AWS Load Balancer Controller reads to make an NLB with IP targets. */
export function nlbAnnotations(scheme: Scheme): Record<string, string> {
    return {
        "service.beta.kubernetes.io/aws-load-balancer-type": "external",
        "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": scheme,
    };
}

/** The chart's default pod annotations (kept: Kong at the edge takes plain TCP from the NLB). */
export const CHART_DEFAULT_POD_ANNOTATIONS = {
    "kuma.io/gateway": "enabled",
    "traffic.sidecar.istio.io/includeInboundPorts": "",
} as const;

/**
 * Istio proxy settings for the Kong pods: the controller and Kong reach the API server and
 * upstreams through the sidecar, so they start only once it is ready; Kong drains for up to
 * 25 s on shutdown (`kong quit --wait=15` plus in-flight requests), so the sidecar keeps
 * forwarding that long.
 */
export const KONG_PROXY_CONFIG = { holdApplicationUntilProxyStarts: true, terminationDrainDuration: "25s" } as const;

/** Resource requests set when the proxy autoscales (the HPA computes utilisation against requests). */
export const AUTOSCALING_RESOURCES = {
    proxy: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
    controller: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
} as const;

/** Default autoscaling when highly available and not configured. */
export const HA_AUTOSCALING = { minReplicas: 2, maxReplicas: 6, targetCPUUtilizationPercentage: 70 } as const;

/** meshgate's values for kong/kong, before the user's `values` are merged. Throws on settings the chart would reject. */
export function kongValues(s: KongValuesSettings): KongChartValues {
    const problems = checkSettings(s);
    if (problems.length > 0) {
        throw new Error(`KongGateway: ${problems.join("; ")}`);
    }
    const autoscaling = s.autoscaling ?? (s.highAvailability ? HA_AUTOSCALING : undefined);
    const env: Record<string, string | number | SecretEnvValue> = {
        database: s.database.mode === "dbless" ? "off" : "postgres",
        // No usage reports to Kong Inc. from Kong or the controller.
        anonymous_reports: "off",
        ...(s.tracing ? { tracing_instrumentations: "all", tracing_sampling_rate: s.tracing.samplingRate } : {}),
        ...databaseEnv(s.database),
    };
    const podAnnotations: Record<string, string> = { ...CHART_DEFAULT_POD_ANNOTATIONS };
    if (s.mesh) {
        podAnnotations["proxy.istio.io/config"] = JSON.stringify(KONG_PROXY_CONFIG);
        if (s.database.mode === "postgres") {
            // Kong's wait-for-db init container runs before the sidecar; the database is outside the mesh.
            podAnnotations["traffic.sidecar.istio.io/excludeOutboundPorts"] = String(s.database.external?.port ?? 5432);
        }
    }
    return {
        deployment: { serviceAccount: { create: true, name: KONG_SERVICE_ACCOUNT, automountServiceAccountToken: false } },
        env,
        // The Admin API listens on 127.0.0.1/[::1] only (the chart's behaviour with admin.enabled false):
        // no admin Service, no Ingress. The controller reaches it inside the pod.
        admin: { enabled: false, type: "ClusterIP", http: { enabled: false }, ingress: { enabled: false } },
        // Kong Manager (a NodePort Service by default) is a GUI for the Admin API: off.
        manager: { enabled: false },
        status: { enabled: true, http: { enabled: true, containerPort: kongMetrics.portNumber } },
        proxy: {
            enabled: true,
            type: s.loadBalancer === "none" ? "NodePort" : "LoadBalancer",
            nameOverride: KONG_PROXY_SERVICE,
            annotations: s.loadBalancer === "aws-nlb" ? nlbAnnotations(s.scheme) : {},
            loadBalancerSourceRanges: s.loadBalancer === "none" ? [] : [...s.sourceRanges],
            http: { enabled: true },
            tls: { enabled: true },
        },
        ingressController: {
            enabled: true,
            ingressClass: KONG_INGRESS_CLASS,
            createIngressClass: true,
            env: { anonymous_reports: "false" },
            ...(autoscaling ? { resources: AUTOSCALING_RESOURCES.controller } : {}),
        },
        podAnnotations,
        replicaCount: s.replicas,
        autoscaling: autoscaling
            ? {
                  enabled: true,
                  minReplicas: autoscaling.minReplicas,
                  maxReplicas: autoscaling.maxReplicas,
                  metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: autoscaling.targetCPUUtilizationPercentage } } }],
              }
            : { enabled: false },
        podDisruptionBudget: s.highAvailability ? { enabled: true, maxUnavailable: 1 } : { enabled: false },
        ...(s.highAvailability
            ? {
                  topologySpreadConstraints: [
                      { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { ...KONG_POD_LABELS } } },
                      { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { ...KONG_POD_LABELS } } },
                  ],
              }
            : {}),
        ...(autoscaling ? { resources: AUTOSCALING_RESOURCES.proxy } : {}),
        serviceMonitor: { enabled: false },
        postgresql: postgresqlValues(s),
    };
}

function checkSettings(s: KongValuesSettings): string[] {
    const problems: string[] = [];
    if (!Number.isInteger(s.replicas) || s.replicas < 1) problems.push(`replicas must be a whole number of at least 1, got ${s.replicas}`);
    if (s.highAvailability && s.replicas < 2) problems.push(`replicas must be at least 2 when highly available, got ${s.replicas}`);
    if (s.autoscaling) {
        const a = s.autoscaling;
        if (a.minReplicas < 1 || a.maxReplicas < a.minReplicas) problems.push(`autoscaling needs 1 <= minReplicas <= maxReplicas, got ${a.minReplicas}..${a.maxReplicas}`);
        if (s.highAvailability && a.minReplicas < 2) problems.push(`autoscaling.minReplicas must be at least 2 when highly available, got ${a.minReplicas}`);
    }
    if (s.tracing && !(s.tracing.samplingRate >= 0 && s.tracing.samplingRate <= 1)) {
        problems.push(`tracing.samplingRate must be from 0 to 1 (a fraction, not a percentage), got ${s.tracing.samplingRate}`);
    }
    return problems;
}

function secretRef(name: string, key: string): SecretEnvValue {
    return { valueFrom: { secretKeyRef: { name, key } } };
}

function databaseEnv(db: DatabaseSettings): Record<string, string | number | SecretEnvValue> {
    if (db.mode === "dbless") return {};
    // With the bundled chart, KONG_PG_HOST/PORT come from the chart; the password always comes
    // from meshgate's Secret (the chart would otherwise point at the subchart's own Secret).
    const password = { pg_password: secretRef(db.secretName, POSTGRES_SECRET_KEYS.userPassword) };
    if (!db.external) return password;
    const e = db.external;
    return { pg_host: e.host, pg_port: e.port, pg_user: e.user, pg_database: e.database, pg_ssl: e.ssl ? "on" : "off", ...password };
}

function postgresqlValues(s: KongValuesSettings): KongChartValues["postgresql"] {
    const db = s.database;
    if (db.mode === "dbless" || db.external) return { enabled: false };
    return {
        enabled: true,
        auth: {
            username: "kong",
            database: "kong",
            existingSecret: db.secretName,
            secretKeys: { adminPasswordKey: POSTGRES_SECRET_KEYS.adminPassword, userPasswordKey: POSTGRES_SECRET_KEYS.userPassword },
        },
        // Outside the mesh: Kong's migrations Job runs without a sidecar and reaches it in plain TCP.
        ...(s.mesh ? { primary: { podLabels: { "sidecar.istio.io/inject": "false" } } } : {}),
    };
}
