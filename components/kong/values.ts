/**
 * Typed values for the kong/kong 3.4.1 chart and the pure builder that turns
 * KongGateway's settings into them. Only the keys meshgate sets are typed; every key
 * exists in the chart's values.yaml, or is one the chart documents in a comment and its
 * templates read (listed in {@link KONG_CHART_COMMENTED_KEYS}).
 */
import { topologySpread, type TopologySpreadConstraint } from "../topology-spread";
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
    /** values.yaml `proxy.tls`: "# overrideServiceTargetPort: 8000"; _helpers.tpl kong.service: `targetPort: {{ .tls.overrideServiceTargetPort | default .tls.containerPort }}`. */
    "proxy.tls.overrideServiceTargetPort",
    /** _helpers.tpl kong.service (kong/charts tag kong-3.4.1): `{{- if .externalTrafficPolicy }} externalTrafficPolicy: ...`. */
    "proxy.externalTrafficPolicy",
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

/** A topology spread constraint in Kong's values (components/topology-spread.ts builds them). */
export type KongTopologySpreadConstraint = TopologySpreadConstraint;

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
        readonly http: { readonly enabled: boolean; readonly servicePort?: number; readonly parameters?: string[] };
        readonly tls: { readonly enabled: boolean; readonly overrideServiceTargetPort?: number; readonly parameters?: string[] };
        /** `Local` keeps the client's source address on a generic LoadBalancer. */
        readonly externalTrafficPolicy?: "Local";
    };
    /** Secrets mounted at /etc/secrets/<name>/ (Kong's own TLS certificate). */
    readonly secretVolumes: string[];
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
        readonly image?: { readonly registry: string; readonly repository: string; readonly tag: string };
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
          /** Absent: the chart's bundled PostgreSQL (bitnami subchart), which then needs `bundledImage`. */
          readonly external?: { readonly host: string; readonly port: number; readonly user: string; readonly database: string; readonly ssl: boolean };
          /** The bundled PostgreSQL's image: the kong/kong 3.4.1 chart ships none ("Default bitnami/postgres image is not available anymore"). */
          readonly bundledImage?: { readonly registry: string; readonly repository: string; readonly tag: string };
      };

/**
 * How Kong learns the client's address: `preserve` (NLB target-group attribute
 * `preserve_client_ip.enabled=true`; `externalTrafficPolicy: Local` on a generic load balancer),
 * `proxy-protocol` (NLB PROXY protocol v2, Kong `real_ip_header: proxy_protocol`), `none`.
 */
export type ClientIpMode = "preserve" | "proxy-protocol" | "none";

/** TLS at the edge: an ACM certificate on the NLB, or a Secret Kong serves; what port 80 does. */
export interface EdgeTlsSettings {
    readonly certificateArn?: string;
    readonly secretName?: string;
    /** NLB TLS security policy (ACM). */
    readonly sslPolicy: string;
    /** `open` plaintext, `redirect` (routes redirect; Kong's certificate only), `close` (no port 80). */
    readonly http: "open" | "redirect" | "close";
}

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
    /** How Kong sees the client's address. @default "preserve" */
    readonly clientIp?: ClientIpMode;
    /** Addresses Kong trusts to tell the client's address (`trusted_ips`) with proxy-protocol: the NLB's subnets. @default ["0.0.0.0/0", "::/0"] */
    readonly trustedIps?: readonly string[];
    /** TLS at the edge. @default Kong's self-signed certificate on 443, plaintext on 80 */
    readonly tls?: EdgeTlsSettings;
}

/** Kong's HTTP container port (chart default `proxy.http.containerPort`): where an NLB that ended TLS sends 443. */
export const KONG_HTTP_CONTAINER_PORT = 8000;

/**
 * The annotations the AWS Load Balancer Controller reads to make an NLB with IP targets
 * (kubernetes-sigs/aws-load-balancer-controller v3.5.0 docs/guide/service/annotations.md).
 * IP targets do not preserve the client's address by default ("preserve client IP is disabled
 * by default for IP targets", and `loadBalancerSourceRanges` is then ignored), so `preserve`
 * sets the target-group attribute; `proxy-protocol` sends PROXY v2 instead. With an ACM
 * certificate the NLB ends TLS on 443 with the given security policy.
 */
export function nlbAnnotations(scheme: Scheme, clientIp: ClientIpMode = "preserve", tls?: EdgeTlsSettings): Record<string, string> {
    return {
        "service.beta.kubernetes.io/aws-load-balancer-type": "external",
        "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": scheme,
        ...(clientIp === "preserve" ? { "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes": "preserve_client_ip.enabled=true" } : {}),
        ...(clientIp === "proxy-protocol" ? { "service.beta.kubernetes.io/aws-load-balancer-proxy-protocol": "*" } : {}),
        ...(tls?.certificateArn !== undefined
            ? {
                  "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": tls.certificateArn,
                  "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "443",
                  "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy": tls.sslPolicy,
              }
            : {}),
    };
}

/** Where Kong mounts a TLS Secret listed in `secretVolumes` (kong/charts kong-3.4.1 values.yaml: "/etc/secrets/{secret-name}/"). */
export function secretVolumePath(secretName: string, file: "tls.crt" | "tls.key"): string {
    return `/etc/secrets/${secretName}/${file}`;
}

/** The proxy's listeners and Service ports for the edge settings. */
function proxyListeners(s: KongValuesSettings): Pick<KongChartValues["proxy"], "http" | "tls" | "externalTrafficPolicy"> {
    const clientIp = s.clientIp ?? "preserve";
    const pp = clientIp === "proxy-protocol" && s.loadBalancer === "aws-nlb";
    const acm = s.tls?.certificateArn !== undefined && s.loadBalancer === "aws-nlb";
    const http = s.tls?.http ?? "open";
    return {
        // close: no port 80 on the Service. With ACM the 8000 listener stays (the NLB sends 443 there), only its Service port goes (servicePort 0).
        http:
            http === "close" && acm
                ? { enabled: true, servicePort: 0, ...(pp ? { parameters: ["proxy_protocol"] } : {}) }
                : { enabled: http !== "close", ...(pp ? { parameters: ["proxy_protocol"] } : {}) },
        tls: { enabled: true, ...(acm ? { overrideServiceTargetPort: KONG_HTTP_CONTAINER_PORT } : {}), ...(pp ? { parameters: ["http2", "proxy_protocol"] } : {}) },
        // A generic cloud load balancer health-checks the nodes and sends only to those with a Kong pod;
        // a bare NodePort (loadBalancer none) is left Cluster: Local would drop traffic to nodes without one.
        ...(clientIp === "preserve" && s.loadBalancer === "generic" ? { externalTrafficPolicy: "Local" as const } : {}),
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

/** meshgate's values for kong/kong, before the user's `values` are merged. The settings come from checked KongGatewayArgs (kongGatewayArgsSchema). */
export function kongValues(s: KongValuesSettings): KongChartValues {
    const autoscaling = s.autoscaling ?? (s.highAvailability ? HA_AUTOSCALING : undefined);
    const env: Record<string, string | number | SecretEnvValue> = {
        database: s.database.mode === "dbless" ? "off" : "postgres",
        // No usage reports to Kong Inc. from Kong or the controller.
        anonymous_reports: "off",
        ...(s.tracing ? { tracing_instrumentations: "all", tracing_sampling_rate: s.tracing.samplingRate } : {}),
        ...databaseEnv(s.database),
        // PROXY protocol v2 from the NLB: Kong takes the client address from its header, trusting only the NLB's side.
        ...((s.clientIp ?? "preserve") === "proxy-protocol" && s.loadBalancer === "aws-nlb"
            ? { real_ip_header: "proxy_protocol", trusted_ips: [...(s.trustedIps ?? ["0.0.0.0/0", "::/0"])].join(",") }
            : {}),
        ...(s.tls?.secretName !== undefined ? { ssl_cert: secretVolumePath(s.tls.secretName, "tls.crt"), ssl_cert_key: secretVolumePath(s.tls.secretName, "tls.key") } : {}),
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
            annotations: s.loadBalancer === "aws-nlb" ? nlbAnnotations(s.scheme, s.clientIp ?? "preserve", s.tls) : {},
            loadBalancerSourceRanges: s.loadBalancer === "none" ? [] : [...s.sourceRanges],
            ...proxyListeners(s),
        },
        secretVolumes: s.tls?.secretName !== undefined ? [s.tls.secretName] : [],
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
                  topologySpreadConstraints: topologySpread(KONG_POD_LABELS),
              }
            : {}),
        ...(autoscaling ? { resources: AUTOSCALING_RESOURCES.proxy } : {}),
        serviceMonitor: { enabled: false },
        postgresql: postgresqlValues(s),
    };
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
        ...(db.bundledImage ? { image: { ...db.bundledImage } } : {}),
    };
}
