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
import { validateStackConfig, type ServiceSpec, type StackConfig, type StackConfigInput } from "../config";
import { GatewayApiCrds } from "../gateway-api-crds";
import { IstioMesh, type IstioMeshArgs } from "../istio";
import { ApiConsumers, KongGateway, kongMetrics, type KongGatewayArgs } from "../kong";
import { MeshNamespace, calledNamespaces, type MeshNamespaceArgs } from "../mesh-namespace";
import { MeshService, type MeshServiceArgs, type WorkloadContract } from "../mesh-service";
import { MetricsServer } from "../metrics-server";
import { JAEGER_RELEASE, OBSERVABILITY_NAMESPACE, Observability, jaegerOtlp, type ObservabilityArgs } from "../observability";
import { effectiveHttpListener, effectiveRateLimitPolicy } from "../config/schema";
import type { RateLimitRedisFacts } from "../mesh-service/context";
import { ENVIRONMENT_LABEL } from "../util";
import { ElastiCacheRedis, RATE_LIMIT_REDIS_SECRET, RedisPasswordSecrets, REDIS_PORT } from "../rate-limit-store";

/**
 * A whole platform, declared as a meshgate stack config is: `environment`,
 * `cluster`, `charts`, `mesh`, `gateway`, `observability`, `services`
 * (see `components/config/schema.ts` for every field, its default and what is
 * allowed). Validated as a whole before any resource is created.
 */
export type PlatformArgs = StackConfigInput;

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

export class Platform extends pulumi.ComponentResource {
    /** The validated declaration, defaults applied. */
    public readonly config: StackConfig;
    public readonly cluster: ClusterConnection;
    public readonly kubeconfig?: pulumi.Output<string>;
    public readonly mesh?: IstioMesh;
    public readonly gateway: KongGateway;
    public readonly consumers?: ApiConsumers;
    public readonly observability?: Observability;
    public readonly namespaces: ReadonlyMap<string, MeshNamespace>;
    public readonly services: ReadonlyMap<string, MeshService>;
    /** metrics-server installed for an existing cluster (`cluster.metricsServer.enabled`); on EKS it is the EksCluster's. */
    public readonly metricsServer?: MetricsServer;
    /** The managed Redis of the rate-limit counters (`gateway.rateLimitRedis.type: elasticache`). */
    public readonly rateLimitRedis?: ElastiCacheRedis;
    /** The Gateway API CRDs, installed for `mesh.routing: gateway-api`. */
    public readonly gatewayApiCrds?: GatewayApiCrds;

    /** Throws ConfigError, listing every problem, before registering anything when `args` is invalid. */
    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        const config = validateStackConfig(args, { stack: pulumi.getStack() });
        super("meshgate:index:Platform", name, {}, opts);
        this.config = config;
        const cluster = clusterFor(name, config, this);
        this.cluster = cluster;
        this.kubeconfig = cluster instanceof EksCluster ? cluster.kubeconfig : undefined;
        const k8sOpts = { parent: this, providers: [cluster.provider] };
        if (config.cluster.type === "existing" && config.cluster.metricsServer.enabled) {
            this.metricsServer = new MetricsServer(
                `${name}-metrics-server`,
                { highAvailability: config.environment === "prod", chart: config.charts.metricsServer, dependsOn: cluster.workloadsReady },
                k8sOpts,
            );
        }

        const mesh = config.mesh.enabled ? new IstioMesh(`${name}-mesh`, istioMeshArgs(config, cluster), k8sOpts) : undefined;
        this.mesh = mesh;
        const gateway = new KongGateway(`${name}-gateway`, kongGatewayArgs(config, cluster, mesh), k8sOpts);
        this.gateway = gateway;
        if (config.gateway.consumers.length > 0) {
            this.consumers = new ApiConsumers(`${name}-consumers`, { consumers: config.gateway.consumers, gateway }, k8sOpts);
        }
        if (config.observability.enabled) {
            this.observability = new Observability(`${name}-observability`, observabilityArgs(config, cluster, mesh), k8sOpts);
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
                    tags: { [ENVIRONMENT_LABEL]: config.environment },
                },
                { parent: this },
            );
            // TLS without certificate verification: the endpoint is reachable only from the nodes inside the VPC,
            // and verifying Amazon's chain would need Kong's lua_ssl_verify_depth raised above its default of 1
            // (Kong/kong 3.9.3 kong/templates/kong_defaults.lua); an external Redis can ask for it (serverName).
            redis = { host: this.rateLimitRedis.host, port: REDIS_PORT, ssl: true, passwordSecret: { ...RATE_LIMIT_REDIS_SECRET } };
            const users = redisNamespaces(config);
            if (users.length > 0) {
                new RedisPasswordSecrets(`${name}-rate-limit-redis-password`, { namespaces: users, password: this.rateLimitRedis.password, dependsOn: users.flatMap((ns) => namespaces.get(ns)?.namespace ?? []) }, k8sOpts);
            }
        } else if (store?.type === "external") {
            redis = { host: store.host, port: store.port, ssl: store.tls, serverName: store.serverName, passwordSecret: store.passwordSecret };
        }

        // mesh.routing gateway-api: the mesh HTTPRoutes need the Gateway API CRDs.
        if (mesh !== undefined && config.mesh.routing === "gateway-api") {
            this.gatewayApiCrds = new GatewayApiCrds(`${name}-gateway-api-crds`, { dependsOn: cluster.workloadsReady }, k8sOpts);
        }
        const gatewayApiCrds = this.gatewayApiCrds === undefined ? [] : [this.gatewayApiCrds];
        const services = new Map<string, MeshService>();
        for (const spec of config.services) {
            services.set(spec.name, new MeshService(`${name}-${spec.name}`, { ...meshServiceArgs(config, mesh, gateway, spec, namespaces.get(spec.namespace), redis), gatewayApiCrds }, k8sOpts));
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

function clusterFor(name: string, config: StackConfig, parent: pulumi.Resource): EksCluster | ExistingCluster {
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
            loadBalancerController: { chart: config.charts.awsLoadBalancerController },
            kubeconfig: c.kubeconfig,
            metricsServer: { enabled: c.metricsServer.enabled, chart: config.charts.metricsServer },
            clusterAutoscaler: { enabled: c.autoscaler.enabled, chart: config.charts.clusterAutoscaler },
        },
        { parent },
    );
}

// ------------------------------------------------------------------ what each component gets
// Pure mappings from the validated declaration to each component's args: the whole policy of
// the composition (what is HA in prod, who waits for what, where traces go) in one place.

/** Jaeger's OTLP endpoints when the stack has observability; names known up front, so nothing waits for Jaeger. */
function tracingTarget(config: StackConfig) {
    return config.observability.enabled ? jaegerOtlp(JAEGER_RELEASE, OBSERVABILITY_NAMESPACE) : undefined;
}

export function istioMeshArgs(config: StackConfig, cluster: ClusterConnection): IstioMeshArgs {
    const m = config.mesh;
    const tracing = tracingTarget(config);
    return {
        highAvailability: config.environment === "prod",
        chart: config.charts.istio,
        trustDomain: m.trustDomain,
        accessLogging: m.accessLogging,
        tracing: { samplingPercentage: tracing === undefined ? 0 : m.tracing.samplingPercentage, collector: tracing && { service: tracing.grpcHost, port: tracing.grpcPort } },
        istiodReplicas: m.istiodReplicas,
        ingressGateway: m.ingressGateway,
        dependsOn: cluster.workloadsReady,
    };
}

export function kongGatewayArgs(config: StackConfig, cluster: ClusterConnection, mesh: IstioMesh | undefined): KongGatewayArgs {
    const g = config.gateway;
    const tracing = tracingTarget(config);
    return {
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
        ...(g.tls ? { tls: { certificateArn: g.tls.certificateArn, secretName: g.tls.secretName, sslPolicy: g.tls.sslPolicy, http: effectiveHttpListener(g.tls, config.environment) } } : {}),
        replicas: g.replicas,
        autoscaling: g.autoscaling,
        tracing: tracing && { endpoint: tracing.httpTracesEndpoint, samplingRate: config.mesh.tracing.samplingPercentage / 100 },
        chart: config.charts.kong,
        // Its proxy Service needs the LB controller; its pods are injected, so istiod's injector must be up.
        dependsOn: [...cluster.workloadsReady, ...cluster.loadBalancerReady, ...(mesh ? [mesh.controlPlaneReady] : [])],
    };
}

export function observabilityArgs(config: StackConfig, cluster: ClusterConnection, mesh: IstioMesh | undefined): ObservabilityArgs {
    const o = config.observability;
    const { charts } = config;
    return {
        highAvailability: config.environment === "prod",
        charts: { kubePrometheusStack: charts.kubePrometheusStack, jaeger: charts.jaeger, kiali: charts.kiali },
        // Every claim names the cluster's class: on EKS the gp3 class EksCluster creates (EKS >= 1.30 has no default).
        prometheus: { retention: o.prometheus.retention, retentionSize: o.prometheus.retentionSize, storageGiB: o.prometheus.storageGiB, storageClassName: cluster.storageClassName },
        jaeger: { storage: o.jaeger.storage, storageGiB: o.jaeger.storageGiB, storageClassName: cluster.storageClassName },
        // On EKS kube-controller-manager, kube-scheduler and etcd run outside the cluster: their alerts would fire forever.
        controlPlaneMetrics: o.controlPlaneMetrics ?? !cluster.managedControlPlane,
        kiali: { enabled: o.kiali.enabled && mesh !== undefined, namespace: mesh?.namespace },
        meshMonitoring: mesh !== undefined,
        istioNamespace: mesh?.rootNamespace,
        kongMetrics,
        // Prometheus and Jaeger (badger) mount EBS volumes: after the EBS CSI driver and the StorageClass.
        dependsOn: [...cluster.workloadsReady, ...cluster.storageReady],
    };
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
): MeshServiceArgs {
    return {
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
        },
        namespace: namespace?.namespace,
        istioCrds: mesh ? [mesh.crdsReady] : [],
        kongCrds: [gateway.crdsReady],
    };
}
