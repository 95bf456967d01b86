/**
 * KongGateway: Kong (kong/kong chart, with the Kong Ingress Controller) at the edge of the
 * cluster, DB-less by default, behind an NLB made by the AWS Load Balancer Controller,
 * with global prometheus and opentelemetry plugins. ApiConsumers (consumers.ts) adds
 * KongConsumers with generated credentials.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ChartRef, chartRef } from "../versions";
import { openTelemetryPlugin, PrometheusPluginSettings, prometheusPlugin } from "./global-plugins";
import { KONG_NAMESPACE, KONG_POD_LABELS, KONG_PROXY_SERVICE, KONG_RELEASE, kongMetrics, KongMetrics, kongPrincipal } from "./names";
import { KONG_INGRESS_CLASS, KongClusterPluginObject } from "./types";
import { deepMerge, helmRelease, releaseChartSource } from "../helm";
import { checkArgs } from "../config/args";
import { kongGatewayArgsSchema } from "./args";
import { ClientIpMode, DatabaseSettings, KongChartValues, kongValues, LoadBalancerKind, POSTGRES_SECRET_KEYS, Scheme } from "./values";
import { definedOnly, ENVIRONMENT_LABEL } from "../util";

export * from "./args";
export * from "../config/kong-edge-checks";
export * from "./consumers";
export * from "./consumers-args";
export * from "./gateway-api";
export * from "./global-plugins";
export * from "./names";
export * from "./plugins";
export * from "./types";
export {
    AUTOSCALING_RESOURCES,
    CHART_DEFAULT_POD_ANNOTATIONS,
    HA_AUTOSCALING,
    KONG_CHART_COMMENTED_KEYS,
    KONG_HTTP_CONTAINER_PORT,
    KONG_PROXY_CONFIG,
    kongValues,
    nlbAnnotations,
    POSTGRES_SECRET_KEYS,
    secretVolumePath,
} from "./values";
export type {
    ClientIpMode,
    EdgeTlsSettings,
    DatabaseSettings,
    KongChartValues,
    KongResourceRequirements,
    KongTopologySpreadConstraint,
    KongValuesSettings,
    LoadBalancerKind,
    Scheme,
    SecretEnvValue,
} from "./values";

/** Name of the Secret holding the Postgres passwords (Postgres mode). */
export const KONG_POSTGRES_SECRET = "kong-postgres-credentials";

/** A Postgres database Kong connects to instead of the chart's bundled one. */
export interface ExternalPostgres {
    readonly host: string;
    /** @default 5432 */
    readonly port?: number;
    /** @default "kong" */
    readonly user?: string;
    /** @default "kong" */
    readonly database?: string;
    /** Connect with TLS (`pg_ssl`). @default true */
    readonly ssl?: boolean;
    /** The user's password; stored in a Kubernetes Secret. @default generated (see `KongGateway.postgresPassword`) */
    readonly password?: pulumi.Input<string>;
}

/** KongGateway's settings; checked when the component is constructed (kongGatewayArgsSchema and Kong's edge rules), every problem at once. */
export interface KongGatewayArgs {
    /** Stack environment; labels the namespace `meshgate.io/environment`. */
    readonly environment: string;
    /** Kong's pods join the Istio mesh (namespace labelled `istio-injection: enabled`). @default true */
    readonly mesh?: boolean;
    /** The mesh's trust domain, for `principal`. @default "cluster.local" */
    readonly trustDomain?: string;
    /** Production settings: at least 2 replicas, HPA, PodDisruptionBudget, spread over zones and nodes. @default false */
    readonly highAvailability?: boolean;
    /** `aws-nlb`: annotations for the AWS Load Balancer Controller (NLB, IP targets); `generic`: a plain LoadBalancer Service. @default "aws-nlb" */
    readonly loadBalancer?: LoadBalancerKind;
    /** NLB scheme. @default "internet-facing" */
    readonly scheme?: Scheme;
    /** Client CIDRs allowed through the load balancer (`loadBalancerSourceRanges`); empty means anyone. @default [] */
    readonly sourceRanges?: readonly string[];
    /** DB-less (declarative, configured by the controller) or Postgres-backed. @default "dbless" */
    readonly mode?: "dbless" | "postgres";
    /**
     * Postgres mode: an external database, or the chart's bundled PostgreSQL with `image` (required
     * then: the kong/kong 3.4.1 chart's default bitnami/postgres image is not available any more).
     * @default none (postgres mode needs one of the two)
     */
    readonly postgres?: {
        /** A database of yours. @default none: the bundled PostgreSQL */
        readonly external?: ExternalPostgres;
        /** The bundled PostgreSQL's image. @default none (required without `external`) */
        readonly image?: {
            /** @default "" (Docker Hub) */
            readonly registry?: string;
            readonly repository: string;
            readonly tag: string;
        };
    };
    /** How Kong learns the client's address behind the load balancer (see {@link ClientIpMode}). @default "preserve" */
    readonly clientIp?: ClientIpMode;
    /** With `clientIp: "proxy-protocol"`: the addresses allowed to send the PROXY header (the VPC's CIDR). @default ["0.0.0.0/0", "::/0"] */
    readonly trustedIps?: readonly string[];
    /**
     * TLS at the edge: `certificateArn` (ACM, ends at the NLB) or `secretName` (a kubernetes.io/tls
     * Secret in Kong's namespace, served by Kong); `http` what port 80 does.
     * @default Kong's self-signed certificate on 443, plaintext on 80
     */
    readonly tls?: {
        /** An ACM certificate the NLB serves. @default none */
        readonly certificateArn?: string;
        /** A kubernetes.io/tls Secret in Kong's namespace that Kong serves. @default none */
        readonly secretName?: string;
        /** The NLB's TLS security policy (ACM). @default "ELBSecurityPolicy-TLS13-1-2-2021-06" */
        readonly sslPolicy?: string;
        /** What port 80 does. @default "open" */
        readonly http?: "open" | "redirect" | "close";
    };
    /** Proxy replicas when not autoscaling. @default 1, or 2 when highly available */
    readonly replicas?: number;
    /** Horizontal Pod Autoscaler for the proxy. @default none; when highly available 2–6 replicas at 70% CPU */
    readonly autoscaling?: {
        readonly minReplicas: number;
        readonly maxReplicas: number;
        /** @default 70 */
        readonly targetCPUUtilizationPercentage?: number;
    };
    /** Tracing: OTLP/HTTP traces endpoint (Observability's `jaegerOtlp(...).httpTracesEndpoint`) and the fraction of requests traced (0–1). @default off */
    readonly tracing?: { readonly endpoint: string; readonly samplingRate: number };
    /** Settings of the global prometheus plugin. @default { perConsumer: false } */
    readonly prometheus?: PrometheusPluginSettings;
    /** Chart repository/version override. @default kong/kong 3.4.1 from https://charts.konghq.com */
    readonly chart?: Partial<ChartRef>;
    /** Extra chart values, deep-merged over meshgate's (the user wins). @default {} */
    readonly values?: Record<string, unknown>;
    /** What the release waits for: the AWS Load Balancer Controller (its webhook must see the proxy Service), istiod (the pods need sidecars). @default [] */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
    /** Seconds Helm waits for the release (including the load balancer's address). @default 600 */
    readonly timeout?: number;
}

const defaults = {
    mesh: true,
    trustDomain: "cluster.local",
    highAvailability: false,
    loadBalancer: "aws-nlb" as LoadBalancerKind,
    scheme: "internet-facing" as Scheme,
    sourceRanges: [] as readonly string[],
    mode: "dbless" as "dbless" | "postgres",
    values: {} as Record<string, unknown>,
    dependsOn: [] as pulumi.Input<pulumi.Resource>[],
    timeout: 600,
};

/** Settings for {@link kongValues} from KongGateway's args (defaults applied). */
export function kongValuesSettings(args: Omit<KongGatewayArgs, "environment">): Parameters<typeof kongValues>[0] {
    const a = { ...defaults, ...definedOnly(args) };
    const ext = a.postgres?.external;
    const database: DatabaseSettings =
        a.mode === "dbless"
            ? { mode: "dbless" }
            : {
                  mode: "postgres",
                  secretName: KONG_POSTGRES_SECRET,
                  ...(ext ? { external: { host: ext.host, port: ext.port ?? 5432, user: ext.user ?? "kong", database: ext.database ?? "kong", ssl: ext.ssl ?? true } } : {}),
                  ...(a.postgres?.image ? { bundledImage: { registry: a.postgres.image.registry ?? "", repository: a.postgres.image.repository, tag: a.postgres.image.tag } } : {}),
              };
    return {
        mesh: a.mesh,
        highAvailability: a.highAvailability,
        loadBalancer: a.loadBalancer,
        scheme: a.scheme,
        sourceRanges: a.sourceRanges,
        database,
        replicas: a.replicas ?? (a.highAvailability ? 2 : 1),
        ...(a.autoscaling
            ? {
                  autoscaling: {
                      minReplicas: a.autoscaling.minReplicas,
                      maxReplicas: a.autoscaling.maxReplicas,
                      targetCPUUtilizationPercentage: a.autoscaling.targetCPUUtilizationPercentage ?? 70,
                  },
              }
            : {}),
        ...(a.tracing ? { tracing: { samplingRate: a.tracing.samplingRate } } : {}),
        clientIp: a.clientIp ?? "preserve",
        ...(a.trustedIps ? { trustedIps: a.trustedIps } : {}),
        ...(a.tls
            ? { tls: { certificateArn: a.tls.certificateArn, secretName: a.tls.secretName, sslPolicy: a.tls.sslPolicy ?? DEFAULT_NLB_SSL_POLICY, http: a.tls.http ?? "open" } }
            : {}),
    };
}

/** The NLB's TLS security policy when none is given: TLS 1.3 and 1.2 only. */
export const DEFAULT_NLB_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** The release's values: meshgate's, with the user's `values` deep-merged last. Throws, listing every problem, on invalid args. */
export function kongReleaseValues(args: Omit<KongGatewayArgs, "environment">): Record<string, unknown> {
    checkArgs("KongGateway", kongGatewayArgsSchema, args);
    const ours: KongChartValues = kongValues(kongValuesSettings(args));
    return deepMerge(toRecord(ours), args.values ?? {});
}

/**
 * How a Helm Release names the chart: from an HTTPS repository by name and `repositoryOpts`;
 * from an OCI registry by its full `oci://…/kong` reference, without a repository.
 */
export function releaseChart(chart: ChartRef): { chart: string; repositoryOpts?: { repo: string } } {
    return releaseChartSource("kong", chart.repository);
}

/** Labels of Kong's namespace. */
export function kongNamespaceLabels(environment: string, mesh: boolean): Record<string, string> {
    return {
        [ENVIRONMENT_LABEL]: environment,
        ...(mesh ? { "istio-injection": "enabled" } : {}),
        // AWS Load Balancer Controller v3.5 (docs/deploy/pod_readiness_gate.md): pods in a namespace
        // with this label get a readiness gate that holds until their NLB target is healthy, so a
        // rollout does not take old pods away before the new ones receive traffic.
        [NLB_READINESS_GATE_LABEL]: "enabled",
    };
}

/** Namespace label that makes the AWS Load Balancer Controller inject target-health readiness gates. */
export const NLB_READINESS_GATE_LABEL = "elbv2.k8s.aws/pod-readiness-gate-inject";

/** The global KongClusterPlugins for these settings: prometheus always, opentelemetry with tracing. */
export function globalPluginObjects(args: Pick<KongGatewayArgs, "tracing" | "prometheus">): KongClusterPluginObject[] {
    return [prometheusPlugin(args.prometheus), ...(args.tracing ? [openTelemetryPlugin({ endpoint: args.tracing.endpoint, samplingRate: args.tracing.samplingRate })] : [])];
}

/** The ClusterIP Service exposing Kong's status port (`/metrics`) and the controller's metrics port, for Prometheus. */
export function kongMetricsServiceObject(namespace: string) {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: kongMetrics.service, namespace, labels: { ...kongMetrics.selector } },
        spec: {
            type: "ClusterIP",
            selector: { ...KONG_POD_LABELS },
            ports: [
                { name: kongMetrics.port, port: kongMetrics.portNumber, targetPort: "status", protocol: "TCP", appProtocol: "http" },
                { name: kongMetrics.controllerPort, port: kongMetrics.controllerPortNumber, targetPort: "cmetrics", protocol: "TCP", appProtocol: "http" },
            ],
        },
    } as const;
}

/** Where the proxy's load balancer address is read once the release is deployed. */
export interface ProxyServiceRef {
    readonly namespace: string;
    readonly name: string;
}

/**
 * Kong with its ingress controller, in namespace `kong`, release `kong`.
 *
 * The load balancer's hostname exists only once the cloud made the NLB: `proxyHostname` reads
 * it from the proxy Service after the release is deployed (Helm waits for the address), so it
 * is unknown in the first preview. `proxyService` names the Service, `proxyHostnameCommand` is
 * the kubectl command that prints the address (or the NodePort without a load balancer).
 */
export class KongGateway extends pulumi.ComponentResource {
    /** Kong's namespace (`kong`), known once the Namespace exists. */
    public readonly namespace: pulumi.Output<string>;
    public readonly release: k8s.helm.v3.Release;
    /** The release, which installs the KIC CRDs: custom resources depend on it. */
    public readonly crdsReady: pulumi.Resource;
    /** IngressClass served by this Kong. */
    public readonly ingressClass: string = KONG_INGRESS_CLASS;
    /** Mesh identity of the Kong pods (`<trustDomain>/ns/kong/sa/kong-kong`). */
    public readonly principal: string;
    /** True when Kong runs without a database (oauth2 and cluster-policy rate limiting unavailable). */
    public readonly dbless: boolean;
    /** The proxy Service (type LoadBalancer), resolved after the release is deployed. */
    public readonly proxyService: pulumi.Output<ProxyServiceRef>;
    /** A kubectl command printing the load balancer's hostname (or IP), or the NodePort without a load balancer. */
    public readonly proxyHostnameCommand: pulumi.Output<string>;
    /**
     * The load balancer's hostname (or IP), read from the proxy Service once the release is
     * deployed (Helm waited for it); unknown during the first preview, undefined with
     * `loadBalancer: "none"`.
     */
    public readonly proxyHostname?: pulumi.Output<string>;
    /** What Prometheus scrapes (for Observability's ServiceMonitor). */
    public readonly metrics: KongMetrics = kongMetrics;
    /** The Service in front of Kong's metrics ports. */
    public readonly metricsService: k8s.core.v1.Service;
    /** The global KongClusterPlugins. */
    public readonly globalPlugins: k8s.apiextensions.CustomResource[];
    /** External Postgres without a given password: the generated one, to set on the database (secret). */
    public readonly postgresPassword?: pulumi.Output<string>;

    constructor(name: string, args: KongGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("meshgate:kong:KongGateway", name, {}, opts);
        const a = { ...defaults, ...definedOnly(args) };
        const chart = chartRef("kong", a.chart);
        // Validates the settings before anything is created.
        const values = kongReleaseValues(args);
        this.dbless = a.mode === "dbless";
        this.principal = kongPrincipal(a.trustDomain);

        const ns = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: KONG_NAMESPACE, labels: kongNamespaceLabels(args.environment, a.mesh) } }, { parent: this });
        this.namespace = ns.metadata.name;

        const releaseDeps: pulumi.Input<pulumi.Resource>[] = [...a.dependsOn];
        if (a.mode === "postgres") {
            const ext = a.postgres?.external;
            const userPassword = ext?.password !== undefined ? pulumi.secret(ext.password) : pulumi.secret(newPassword(`${name}-postgres-password`, this));
            const stringData: Record<string, pulumi.Input<string>> = { [POSTGRES_SECRET_KEYS.userPassword]: userPassword };
            if (!ext) {
                stringData[POSTGRES_SECRET_KEYS.adminPassword] = pulumi.secret(newPassword(`${name}-postgres-admin-password`, this));
            } else if (ext.password === undefined) {
                this.postgresPassword = userPassword;
            }
            releaseDeps.push(
                new k8s.core.v1.Secret(
                    `${name}-postgres`,
                    { metadata: { name: KONG_POSTGRES_SECRET, namespace: ns.metadata.name, labels: { "app.kubernetes.io/managed-by": "meshgate" } }, type: "Opaque", stringData },
                    { parent: this },
                ),
            );
        }

        this.release = helmRelease(
            `${name}-release`,
            { name: KONG_RELEASE, chart: "kong", version: chart.version, repository: chart.repository, namespace: KONG_NAMESPACE, values },
            ns.metadata.name,
            { parent: this, dependsOn: releaseDeps },
            { createNamespace: false, timeout: a.timeout },
        );
        this.crdsReady = this.release;

        const metricsService = kongMetricsServiceObject(KONG_NAMESPACE);
        this.metricsService = new k8s.core.v1.Service(
            `${name}-metrics`,
            {
                metadata: { ...metricsService.metadata, namespace: ns.metadata.name },
                spec: { ...metricsService.spec, selector: { ...metricsService.spec.selector }, ports: metricsService.spec.ports.map((p) => ({ ...p })) },
            },
            // Selects Kong's pods: create it once the release has them, or Pulumi waits for pods that do not exist yet.
            { parent: this, dependsOn: [this.release] },
        );

        this.globalPlugins = globalPluginObjects(a).map((p) => new k8s.apiextensions.CustomResource(`${name}-${p.plugin}`, { ...p }, { parent: this, dependsOn: [this.release] }));

        // `status` is absent under unit-test mocks whose state is the inputs (Pulumi's testing guide).
        this.proxyService = this.release.status.apply((s) => ({ namespace: s?.namespace ?? KONG_NAMESPACE, name: KONG_PROXY_SERVICE }));
        this.proxyHostnameCommand = this.proxyService.apply((s) =>
            a.loadBalancer === "none"
                ? `kubectl -n ${s.namespace} get service ${s.name} -o jsonpath='{.spec.ports[0].nodePort}'`
                : `kubectl -n ${s.namespace} get service ${s.name} -o jsonpath='{.status.loadBalancer.ingress[0].hostname}{.status.loadBalancer.ingress[0].ip}'`,
        );

        if (a.loadBalancer !== "none") {
            // The documented way to read what a Helm release created: get it by the release's namespace.
            const proxy = k8s.core.v1.Service.get(
                `${name}-proxy`,
                this.proxyService.apply((p) => `${p.namespace}/${p.name}`),
                { parent: this },
            );
            this.proxyHostname = proxy.status.apply((s) => s?.loadBalancer?.ingress?.[0]?.hostname ?? s?.loadBalancer?.ingress?.[0]?.ip ?? "");
        }

        this.registerOutputs({
            namespace: this.namespace,
            proxyHostname: this.proxyHostname,
            ingressClass: this.ingressClass,
            principal: this.principal,
            dbless: this.dbless,
            proxyService: this.proxyService,
            proxyHostnameCommand: this.proxyHostnameCommand,
            ...(this.postgresPassword ? { postgresPassword: this.postgresPassword } : {}),
        });
    }
}

function newPassword(name: string, parent: pulumi.Resource): pulumi.Output<string> {
    return new random.RandomPassword(name, { length: 32, special: false }, { parent }).result;
}

function toRecord(values: KongChartValues): Record<string, unknown> {
    return JSON.parse(JSON.stringify(values)) as Record<string, unknown>;
}
