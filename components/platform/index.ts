/**
 * Platform: what a consumer project instantiates. It validates one stack
 * declaration (the same shape as a stack's `meshgate:*` config), then composes
 * the cluster, the AWS Load Balancer Controller, Istio, Kong, the
 * observability stack and one MeshService per service, ordering only what must
 * be ordered:
 *
 * - CRDs before custom resources (istio/base before Istio objects, the kong
 *   release before KongPlugins, kube-prometheus-stack before monitors);
 * - istiod before injected workloads (Kong's pods);
 * - the cluster's nodes, add-ons and LB controller before releases and Services;
 * - Jaeger's address is a name known up front, so istiod, Kong and Jaeger
 *   install in parallel, as do kube-prometheus-stack and Kong.
 */
import * as pulumi from "@pulumi/pulumi";
import { EksCluster, ExistingCluster, type ClusterConnection } from "../cluster";
import { isValidated, validatedArgs } from "../config/args";
import { checkStackConfig, ConfigError, type ServiceSpec, type StackConfig, type StackConfigInput } from "../config";
import { platformOptionIssues, withVersions, type PlatformOptions } from "./options";

export type { PlatformHelmValues, PlatformOptions } from "./options";
import { IstioMesh, type IstioMeshArgs } from "../istio";
import { ApiConsumers, KongEdgeGateway, KongGateway, kongMetrics, type KongGatewayArgs } from "../kong";
import { GatewayApiCrds } from "../gateway-api";
import { MeshNamespace, calledNamespaces, type MeshNamespaceArgs } from "../mesh-namespace";
import { MeshService, type MeshServiceArgs, type WorkloadContract } from "../mesh-service";
import { MetricsServer } from "../metrics-server";
import { JAEGER_RELEASE, OBSERVABILITY_NAMESPACE, Observability, jaegerOtlp, type ObservabilityArgs } from "../observability";
import { effectiveHttpListener, effectiveRateLimitPolicy } from "../config/schema";
import type { RateLimitRedisFacts } from "../mesh-service/context";
import { ENVIRONMENT_LABEL } from "../util";
import { ElastiCacheRedis, RATE_LIMIT_REDIS_SECRET, RedisPasswordSecrets, REDIS_PORT } from "../rate-limit-store";

/**
 * A whole platform, declared as a meshgate stack config is: `environment`, `cluster`,
 * `charts`, `mesh`, `gateway`, `observability`, `services` (the README's configuration
 * reference and `components/config/schema.ts` give every field, its default and what is
 * allowed), plus the {@link PlatformOptions} (`helmValues`, `tags`, `versions`). Validated
 * as a whole before any resource is created.
 */
export interface PlatformArgs extends PlatformOptions {
    /** `dev`, `staging` or `prod`; prod turns on high availability and the production checks. @default "dev" */
    readonly environment?: StackConfigInput["environment"];
    /** The cluster: `{type: "eks", region, nodeGroups, ...}` (meshgate creates it) or `{type: "existing", context, ...}`. Required. */
    readonly cluster: StackConfigInput["cluster"];
    /** Chart repository and exact version per chart. @default the pinned charts (components/versions.ts) */
    readonly charts?: StackConfigInput["charts"];
    /** Istio: on or off (gateway-only), trust domain, tracing, access logs, ingress gateway, egress scoping. @default { enabled: true } (mTLS STRICT, 1% tracing, access logs on) */
    readonly mesh?: StackConfigInput["mesh"];
    /** Kong: DB-less or Postgres, the load balancer, TLS at the edge, replicas, consumers, the rate-limit Redis. @default { mode: "dbless" } behind an internet-facing NLB */
    readonly gateway?: StackConfigInput["gateway"];
    /** Prometheus, Grafana, Jaeger, Kiali. @default { enabled: true } (10d retention, in-memory Jaeger, no Kiali) */
    readonly observability?: StackConfigInput["observability"];
    /** One declaration per service (see ServiceSpecInput). @default [] */
    readonly services?: StackConfigInput["services"];
}

/** What a stack exports (see {@link Platform.stackOutputs}): where the gateway and the dashboards are, the credentials (secrets), each service's contract. */
export interface PlatformOutputs {
    readonly environment: string;
    readonly clusterName: pulumi.Input<string>;
    readonly kubeconfig?: pulumi.Output<string>;
    readonly gateway: {
        readonly ingressClass: string;
        readonly proxyService: pulumi.Output<unknown>;
        /** The NLB's (or load balancer's) hostname; absent without a load balancer. */
        readonly hostname?: pulumi.Output<string>;
        readonly hostnameCommand: pulumi.Output<string>;
        readonly mode: string;
    };
    readonly consumerCredentials?: pulumi.Output<unknown>;
    readonly observability?: Record<string, pulumi.Input<unknown>>;
    /** Per service: where it is, and the contract its pods must meet (see WorkloadContract). */
    readonly services: Record<string, { fqdn: string; paths: string[]; contract: WorkloadContract }>;
}

/**
 * The whole platform from one declaration: the cluster (EKS or an existing one), the AWS Load
 * Balancer Controller, Istio, Kong, observability and one MeshService per service, composed with
 * secure, highly available (prod) defaults. Validates the declaration and the options first and
 * throws one ConfigError listing every problem before anything is created.
 */
export class Platform extends pulumi.ComponentResource {
    /** The validated declaration, defaults applied. */
    public readonly config: StackConfig;
    /** The Helm values, tags and chart versions given besides the declaration. */
    public readonly options: PlatformOptions;
    public readonly cluster: ClusterConnection;
    public readonly kubeconfig?: pulumi.Output<string>;
    public readonly mesh?: IstioMesh;
    public readonly gateway: KongGateway;
    /** The Gateway API CRDs (`gateway.api: gateway-api` or `mesh.routing: gateway-api`), installed before Kong. */
    public readonly gatewayApiCrds?: GatewayApiCrds;
    /** Kong's GatewayClass and Gateway (`gateway.api: gateway-api`). */
    public readonly edgeGateway?: KongEdgeGateway;
    public readonly consumers?: ApiConsumers;
    public readonly observability?: Observability;
    public readonly namespaces: ReadonlyMap<string, MeshNamespace>;
    public readonly services: ReadonlyMap<string, MeshService>;
    /** metrics-server installed for an existing cluster (`cluster.metricsServer.enabled`); on EKS it is the EksCluster's. */
    public readonly metricsServer?: MetricsServer;
    /** The managed Redis of the rate-limit counters (`gateway.rateLimitRedis.type: elasticache`). */
    public readonly rateLimitRedis?: ElastiCacheRedis;

    /** Throws ConfigError, listing every problem, before registering anything when `args` is invalid. */
    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        const { helmValues, tags, versions, ...declaration } = args;
        const options: PlatformOptions = { ...(helmValues ? { helmValues } : {}), ...(tags ? { tags } : {}), ...(versions ? { versions } : {}) };
        // Validated once: a config validateStackConfig returned (the program's) is taken as it is.
        const config = isValidated(args) ? (args as StackConfig) : platformConfig(declaration, options);
        super("meshgate:index:Platform", name, {}, opts);
        this.config = config;
        this.options = options;
        const cluster = clusterFor(name, config, this, options);
        this.cluster = cluster;
        this.kubeconfig = cluster instanceof EksCluster ? cluster.kubeconfig : undefined;
        const k8sOpts = { parent: this, providers: [cluster.provider] };
        if (config.cluster.type === "existing" && config.cluster.metricsServer.enabled) {
            this.metricsServer = new MetricsServer(
                `${name}-metrics-server`,
                {
                    highAvailability: config.environment === "prod",
                    chart: config.charts.metricsServer,
                    dependsOn: cluster.workloadsReady,
                    ...(options.helmValues?.metricsServer ? { values: options.helmValues.metricsServer } : {}),
                },
                k8sOpts,
            );
        }

        const mesh = config.mesh.enabled ? new IstioMesh(`${name}-mesh`, istioMeshArgs(config, cluster, options), k8sOpts) : undefined;
        this.mesh = mesh;
        // The Gateway API CRDs, for Kong at the edge (gateway.api) and for mesh HTTPRoutes (mesh.routing), installed once.
        // They exist before Kong's controller starts (it turns its Gateway API support on at start-up), the Gateway once it runs.
        const edgeApi = config.gateway.api === "gateway-api";
        const meshApi = mesh !== undefined && config.mesh.routing === "gateway-api";
        const gatewayApiCrds = edgeApi || meshApi ? new GatewayApiCrds(`${name}-gateway-api-crds`, { dependsOn: cluster.workloadsReady }, k8sOpts) : undefined;
        this.gatewayApiCrds = gatewayApiCrds;
        const gateway = new KongGateway(`${name}-gateway`, kongGatewayArgs(config, cluster, mesh, options, gatewayApiCrds), k8sOpts);
        this.gateway = gateway;
        if (edgeApi && gatewayApiCrds !== undefined) {
            this.edgeGateway = new KongEdgeGateway(`${name}-edge-gateway`, edgeGatewayArgs(config, gateway, gatewayApiCrds), k8sOpts);
        }
        if (config.gateway.consumers.length > 0) {
            this.consumers = new ApiConsumers(`${name}-consumers`, derivedArgs(config, { consumers: config.gateway.consumers, gateway }), k8sOpts);
        }
        if (config.observability.enabled) {
            this.observability = new Observability(`${name}-observability`, observabilityArgs(config, cluster, mesh, options), k8sOpts);
        }

        // One namespace component per distinct namespace; the egress each needs is computed once for all services.
        const egress = config.mesh.egressScoping ? calledNamespaces(config.services) : undefined;
        const namespaces = new Map<string, MeshNamespace>();
        for (const { namespace } of config.services) {
            if (!namespaces.has(namespace)) {
                namespaces.set(namespace, new MeshNamespace(`${name}-ns-${namespace}`, meshNamespaceArgs(config, cluster, mesh, namespace, egress?.get(namespace)), k8sOpts));
            }
        }
        this.namespaces = namespaces;

        // Shared rate-limit counters: a managed Redis on EKS, whose password goes to each namespace that uses it.
        let redis: RateLimitRedisFacts | undefined;
        const store = config.gateway.rateLimitRedis;
        if (store?.type === "elasticache" && cluster instanceof EksCluster) {
            this.rateLimitRedis = new ElastiCacheRedis(
                `${name}-rate-limit-redis`,
                {
                    region: cluster.region,
                    vpcId: cluster.vpcId,
                    subnetIds: cluster.privateSubnetIds,
                    nodeSecurityGroupId: cluster.cluster.vpcConfig.clusterSecurityGroupId,
                    nodeType: store.nodeType,
                    replicas: store.replicas ?? (config.environment === "prod" ? 1 : 0),
                    engineVersion: store.engineVersion,
                    tags: { ...options.tags, [ENVIRONMENT_LABEL]: config.environment },
                },
                { parent: this },
            );
            // TLS without certificate verification: the endpoint is reachable only from the nodes inside the VPC,
            // and verifying Amazon's chain would need Kong's lua_ssl_verify_depth raised above its default of 1
            // (Kong/kong 3.9.3 kong/templates/kong_defaults.lua); an external Redis can ask for it (serverName).
            redis = { host: this.rateLimitRedis.host, port: REDIS_PORT, ssl: true, passwordSecret: { ...RATE_LIMIT_REDIS_SECRET } };
            const users = redisNamespaces(config);
            if (users.length > 0) {
                new RedisPasswordSecrets(
                    `${name}-rate-limit-redis-password`,
                    { namespaces: users, password: this.rateLimitRedis.password, dependsOn: users.flatMap((ns) => namespaces.get(ns)?.namespace ?? []) },
                    k8sOpts,
                );
            }
        } else if (store?.type === "external") {
            redis = { host: store.host, port: store.port, ssl: store.tls, serverName: store.serverName, passwordSecret: store.passwordSecret };
        }

        const services = new Map<string, MeshService>();
        for (const spec of config.services) {
            services.set(
                spec.name,
                new MeshService(
                    `${name}-${spec.name}`,
                    meshServiceArgs(config, mesh, gateway, spec, namespaces.get(spec.namespace), redis, this.edgeGateway, gatewayApiCrds),
                    k8sOpts,
                ),
            );
        }
        this.services = services;

        this.registerOutputs({
            environment: config.environment,
            clusterName: cluster.clusterName,
            services: config.services.length,
            mesh: mesh !== undefined,
            observability: config.observability.enabled,
        });
    }

    /** What a stack exports: where the gateway and the dashboards are, and the credentials, as secrets. */
    stackOutputs(): PlatformOutputs & Record<string, unknown> {
        const obs = this.observability;
        return {
            environment: this.config.environment,
            clusterName: this.cluster.clusterName,
            ...(this.kubeconfig ? { kubeconfig: pulumi.secret(this.kubeconfig) } : {}),
            gateway: {
                ingressClass: this.gateway.ingressClass,
                proxyService: this.gateway.proxyService,
                hostname: this.gateway.proxyHostname,
                hostnameCommand: this.gateway.proxyHostnameCommand,
                mode: this.config.gateway.mode,
            },
            ...(this.consumers ? { consumerCredentials: pulumi.secret(this.consumers.credentials) } : {}),
            ...(obs
                ? {
                      observability: {
                          grafanaUrl: obs.grafanaUrl,
                          grafanaPortForward: obs.grafanaPortForward,
                          grafanaAdminUser: obs.grafanaAdminUser,
                          grafanaAdminPassword: obs.grafanaAdminPassword,
                          jaegerUrl: obs.jaegerUrl,
                          jaegerPortForward: obs.jaegerPortForward,
                          prometheusUrl: obs.prometheusUrl,
                      },
                  }
                : {}),
            services: Object.fromEntries([...this.services].map(([n, s]) => [n, { fqdn: s.fqdn, paths: s.paths, contract: s.contract }])),
        };
    }
}

/** The declaration validated with the options, every problem in one ConfigError; `versions` go into `charts` first. */
function platformConfig(declaration: StackConfigInput, options: PlatformOptions): StackConfig {
    const input = options.versions === undefined ? declaration : { ...declaration, charts: withVersions(declaration.charts, options.versions) as StackConfigInput["charts"] };
    const { config, issues } = checkStackConfig(input);
    const all = [...issues, ...platformOptionIssues(options)];
    if (config === undefined || all.length > 0) {
        throw new ConfigError(pulumi.getStack(), all);
    }
    return validatedArgs(config);
}

function clusterFor(name: string, config: StackConfig, parent: pulumi.Resource, options: PlatformOptions): EksCluster | ExistingCluster {
    const hv = options.helmValues ?? {};
    const c = config.cluster;
    if (c.type === "existing") {
        return new ExistingCluster(
            `${name}-cluster`,
            { kubeconfig: c.kubeconfig, context: c.context, loadBalancer: c.loadBalancer, storageClassName: c.storageClass, managedControlPlane: c.managedControlPlane },
            { parent },
        );
    }
    return new EksCluster(
        `${name}-cluster`,
        {
            environment: config.environment,
            region: c.region,
            kubernetesVersion: c.kubernetesVersion,
            vpc: c.vpc,
            existingVpc: c.existingVpc,
            endpoint: c.endpoint,
            nodeGroups: c.nodeGroups,
            accessEntries: c.accessEntries,
            loadBalancerController: { chart: config.charts.awsLoadBalancerController, ...(hv.awsLoadBalancerController ? { values: hv.awsLoadBalancerController } : {}) },
            kubeconfig: c.kubeconfig,
            metricsServer: { enabled: c.metricsServer.enabled, chart: config.charts.metricsServer, ...(hv.metricsServer ? { values: hv.metricsServer } : {}) },
            clusterAutoscaler: { enabled: c.autoscaler.enabled, chart: config.charts.clusterAutoscaler, ...(hv.clusterAutoscaler ? { values: hv.clusterAutoscaler } : {}) },
            ...(options.tags ? { tags: options.tags } : {}),
        },
        { parent },
    );
}

// ------------------------------------------------------------------ what each component gets
// Pure mappings from the validated declaration to each component's args: the whole policy of
// the composition (what is HA in prod, who waits for what, where traces go) in one place.

/**
 * `args` derived from `config`: when `config` is one validateStackConfig returned, `args` are
 * valid by construction (the stack schema and cross-checks hold every rule the component
 * checks), so the component does not check them again.
 */
function derivedArgs<T extends object>(config: StackConfig, args: T): T {
    return isValidated(config) ? validatedArgs(args) : args;
}

/** Jaeger's OTLP endpoints when the stack has observability; names known up front, so nothing waits for Jaeger. */
function tracingTarget(config: StackConfig) {
    return config.observability.enabled ? jaegerOtlp(JAEGER_RELEASE, OBSERVABILITY_NAMESPACE) : undefined;
}

export function istioMeshArgs(config: StackConfig, cluster: ClusterConnection, options: PlatformOptions = {}): IstioMeshArgs {
    const m = config.mesh;
    const hv = options.helmValues ?? {};
    const tracing = tracingTarget(config);
    return derivedArgs(config, {
        highAvailability: config.environment === "prod",
        chart: config.charts.istio,
        trustDomain: m.trustDomain,
        accessLogging: m.accessLogging,
        tracing: { samplingPercentage: tracing === undefined ? 0 : m.tracing.samplingPercentage, collector: tracing && { service: tracing.grpcHost, port: tracing.grpcPort } },
        istiodReplicas: m.istiodReplicas,
        ingressGateway: m.ingressGateway,
        dependsOn: cluster.workloadsReady,
        ...(hv.istioBase || hv.istiod || hv.istioGateway ? { values: { base: hv.istioBase, istiod: hv.istiod, gateway: hv.istioGateway } } : {}),
    });
}

/** Kong's GatewayClass and Gateway: listeners as the proxy's ports, routes allowed from the exposed services' namespaces. */
export function edgeGatewayArgs(config: StackConfig, gateway: KongGateway, crds: GatewayApiCrds): ConstructorParameters<typeof KongEdgeGateway>[1] {
    const tls = config.gateway.tls;
    return {
        routeNamespaces: config.services.filter((s) => s.gateway !== undefined).map((s) => s.namespace),
        ...(tls ? { tls: { certificateArn: tls.certificateArn, secretName: tls.secretName, http: effectiveHttpListener(tls, config.environment) } } : {}),
        dependsOn: [gateway.release, crds],
    };
}

export function kongGatewayArgs(
    config: StackConfig,
    cluster: ClusterConnection,
    mesh: IstioMesh | undefined,
    options: PlatformOptions = {},
    gatewayApiCrds?: GatewayApiCrds,
): KongGatewayArgs {
    const g = config.gateway;
    const tracing = tracingTarget(config);
    return derivedArgs(config, {
        environment: config.environment,
        mesh: mesh !== undefined,
        trustDomain: config.mesh.trustDomain,
        highAvailability: config.environment === "prod",
        loadBalancer: cluster.loadBalancer,
        scheme: g.loadBalancer.scheme,
        sourceRanges: g.loadBalancer.sourceRanges,
        mode: g.mode,
        ...(g.postgres ? { postgres: g.postgres } : {}),
        clientIp: g.loadBalancer.clientIp,
        // PROXY headers are trusted from the VPC only (the NLB's addresses), when meshgate knows the VPC's range.
        ...(config.cluster.type === "eks" && config.cluster.existingVpc === undefined ? { trustedIps: [config.cluster.vpc.cidr] } : {}),
        ...(g.tls
            ? { tls: { certificateArn: g.tls.certificateArn, secretName: g.tls.secretName, sslPolicy: g.tls.sslPolicy, http: effectiveHttpListener(g.tls, config.environment) } }
            : {}),
        replicas: g.replicas,
        autoscaling: g.autoscaling,
        tracing: tracing && { endpoint: tracing.httpTracesEndpoint, samplingRate: config.mesh.tracing.samplingPercentage / 100 },
        chart: config.charts.kong,
        ...(options.helmValues?.kong ? { values: options.helmValues.kong } : {}),
        // Its proxy Service needs the LB controller; its pods are injected, so istiod's injector must be up.
        // With the Gateway API, its CRDs too: KIC turns its Gateway API support on at start-up.
        dependsOn: [...cluster.workloadsReady, ...cluster.loadBalancerReady, ...(mesh ? [mesh.controlPlaneReady] : []), ...(gatewayApiCrds ? [gatewayApiCrds] : [])],
    });
}

export function observabilityArgs(config: StackConfig, cluster: ClusterConnection, mesh: IstioMesh | undefined, options: PlatformOptions = {}): ObservabilityArgs {
    const o = config.observability;
    const hv = options.helmValues ?? {};
    const { charts } = config;
    return derivedArgs(config, {
        highAvailability: config.environment === "prod",
        charts: { kubePrometheusStack: charts.kubePrometheusStack, jaeger: charts.jaeger, kiali: charts.kiali },
        // Every claim names the cluster's class: on EKS the gp3 class EksCluster creates (EKS >= 1.30 has no default).
        prometheus: {
            retention: o.prometheus.retention,
            retentionSize: o.prometheus.retentionSize,
            storageGiB: o.prometheus.storageGiB,
            storageClassName: cluster.storageClassName,
        },
        jaeger: { storage: o.jaeger.storage, storageGiB: o.jaeger.storageGiB, storageClassName: cluster.storageClassName },
        // On EKS kube-controller-manager, kube-scheduler and etcd run outside the cluster: their alerts would fire forever.
        controlPlaneMetrics: o.controlPlaneMetrics ?? !cluster.managedControlPlane,
        kiali: { enabled: o.kiali.enabled && mesh !== undefined, namespace: mesh?.namespace },
        meshMonitoring: mesh !== undefined,
        istioNamespace: mesh?.rootNamespace,
        kongMetrics,
        // Prometheus and Jaeger (badger) mount EBS volumes: after the EBS CSI driver and the StorageClass.
        dependsOn: [...cluster.workloadsReady, ...cluster.storageReady],
        ...(hv.kubePrometheusStack || hv.jaeger || hv.kiali ? { values: { kubePrometheusStack: hv.kubePrometheusStack, jaeger: hv.jaeger, kiali: hv.kiali } } : {}),
    });
}

export function meshNamespaceArgs(
    config: StackConfig,
    cluster: ClusterConnection,
    mesh: IstioMesh | undefined,
    namespace: string,
    egressNamespaces: readonly string[] | undefined,
): MeshNamespaceArgs {
    return {
        namespace,
        environment: config.environment,
        mesh: mesh !== undefined,
        egressNamespaces,
        extraEgressHosts: config.observability.enabled ? [`${OBSERVABILITY_NAMESPACE}/*`] : [],
        istioCrds: mesh ? [mesh.crdsReady] : [],
        dependsOn: cluster.workloadsReady,
    };
}

/** Namespaces with an exposed service whose rate limit uses the Redis (they get its password Secret). */
export function redisNamespaces(config: StackConfig): string[] {
    const out = new Set<string>();
    for (const s of config.services) {
        const rl = s.gateway?.rateLimit;
        if (rl !== undefined && effectiveRateLimitPolicy(rl, config.gateway) === "redis") out.add(s.namespace);
    }
    return [...out].sort();
}

export function meshServiceArgs(
    config: StackConfig,
    mesh: IstioMesh | undefined,
    gateway: KongGateway,
    spec: ServiceSpec,
    namespace: MeshNamespace | undefined,
    rateLimitRedis?: RateLimitRedisFacts,
    edgeGateway?: KongEdgeGateway,
    gatewayApiCrds?: GatewayApiCrds,
): MeshServiceArgs {
    return derivedArgs(config, {
        spec,
        mesh: mesh !== undefined,
        trustDomain: config.mesh.trustDomain,
        ...(config.mesh.routing === "gateway-api" ? { meshRouting: config.mesh.routing } : {}),
        gateway: {
            principal: gateway.principal,
            dbless: gateway.dbless,
            ingressClass: gateway.ingressClass,
            ...(rateLimitRedis ? { rateLimitRedis } : {}),
            ...(effectiveHttpListener(config.gateway.tls, config.environment) === "redirect" ? { httpsRedirect: true } : {}),
            ...(edgeGateway ? { api: "gateway-api" as const, gatewayRef: edgeGateway.ref } : {}),
        },
        namespace: namespace?.namespace,
        istioCrds: mesh ? [mesh.crdsReady] : [],
        kongCrds: [gateway.crdsReady],
        ...(edgeGateway ? { edgeGateway: [...(gatewayApiCrds ? [gatewayApiCrds] : []), edgeGateway] } : {}),
        ...(config.mesh.routing === "gateway-api" && gatewayApiCrds ? { gatewayApiCrds: [gatewayApiCrds] } : {}),
    });
}
