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
import { validateStackConfig, type StackConfig, type StackConfigInput } from "../config";
import { IstioMesh } from "../istio";
import { ApiConsumers, KongGateway, kongMetrics } from "../kong";
import { MeshNamespace, calledNamespaces } from "../mesh-namespace";
import { MeshService } from "../mesh-service";
import { JAEGER_RELEASE, OBSERVABILITY_NAMESPACE, Observability, jaegerOtlp } from "../observability";

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
    readonly services: Record<string, { fqdn: string; paths: string[] }>;
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

    /** Throws ConfigError, listing every problem, before registering anything when `args` is invalid. */
    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        const config = validateStackConfig(args, { stack: pulumi.getStack() });
        super("meshgate:index:Platform", name, {}, opts);
        this.config = config;
        const { environment, mesh: meshConfig, gateway: gatewayConfig, observability: obsConfig, charts } = config;
        const highAvailability = environment === "prod";

        const cluster = clusterFor(name, config, this);
        this.cluster = cluster;
        this.kubeconfig = cluster instanceof EksCluster ? cluster.kubeconfig : undefined;
        const k8sOpts = { parent: this, providers: [cluster.provider] };

        const tracing = obsConfig.enabled ? jaegerOtlp(JAEGER_RELEASE, OBSERVABILITY_NAMESPACE) : undefined;
        const sampling = meshConfig.tracing.samplingPercentage;

        const mesh = meshConfig.enabled
            ? new IstioMesh(
                  `${name}-mesh`,
                  {
                      highAvailability,
                      chart: charts.istio,
                      trustDomain: meshConfig.trustDomain,
                      accessLogging: meshConfig.accessLogging,
                      tracing: { samplingPercentage: tracing === undefined ? 0 : sampling, collector: tracing && { service: tracing.grpcHost, port: tracing.grpcPort } },
                      istiodReplicas: meshConfig.istiodReplicas,
                      ingressGateway: meshConfig.ingressGateway,
                      dependsOn: cluster.workloadsReady,
                  },
                  k8sOpts,
              )
            : undefined;
        this.mesh = mesh;

        const gateway = new KongGateway(
            `${name}-gateway`,
            {
                environment,
                mesh: mesh !== undefined,
                trustDomain: meshConfig.trustDomain,
                highAvailability,
                loadBalancer: cluster.loadBalancer,
                scheme: gatewayConfig.loadBalancer.scheme,
                sourceRanges: gatewayConfig.loadBalancer.sourceRanges,
                mode: gatewayConfig.mode,
                replicas: gatewayConfig.replicas,
                autoscaling: gatewayConfig.autoscaling,
                tracing: tracing && { endpoint: tracing.httpTracesEndpoint, samplingRate: sampling / 100 },
                chart: charts.kong,
                dependsOn: [...cluster.workloadsReady, ...cluster.loadBalancerReady, ...(mesh ? [mesh.controlPlaneReady] : [])],
            },
            k8sOpts,
        );
        this.gateway = gateway;

        if (gatewayConfig.consumers.length > 0) {
            this.consumers = new ApiConsumers(`${name}-consumers`, { consumers: gatewayConfig.consumers, gateway }, k8sOpts);
        }

        if (obsConfig.enabled) {
            this.observability = new Observability(
                `${name}-observability`,
                {
                    highAvailability,
                    charts: { kubePrometheusStack: charts.kubePrometheusStack, jaeger: charts.jaeger, kiali: charts.kiali },
                    prometheus: { retention: obsConfig.prometheus.retention, storageGiB: obsConfig.prometheus.storageGiB },
                    jaeger: { storage: obsConfig.jaeger.storage, storageGiB: obsConfig.jaeger.storageGiB },
                    kiali: { enabled: obsConfig.kiali.enabled && mesh !== undefined, namespace: mesh?.namespace },
                    meshMonitoring: mesh !== undefined,
                    istioNamespace: mesh?.rootNamespace,
                    kongMetrics,
                    // Prometheus, Alertmanager and Jaeger (badger) mount EBS volumes.
                    dependsOn: [...cluster.workloadsReady, ...cluster.storageReady],
                },
                k8sOpts,
            );
        }

        // One namespace component per distinct namespace; the egress each needs is computed once for all services.
        const egress = meshConfig.egressScoping ? calledNamespaces(config.services) : undefined;
        const namespaces = new Map<string, MeshNamespace>();
        for (const svc of config.services) {
            if (!namespaces.has(svc.namespace)) {
                namespaces.set(
                    svc.namespace,
                    new MeshNamespace(
                        `${name}-ns-${svc.namespace}`,
                        {
                            namespace: svc.namespace,
                            environment,
                            mesh: mesh !== undefined,
                            egressNamespaces: egress?.get(svc.namespace),
                            extraEgressHosts: tracing ? [`${OBSERVABILITY_NAMESPACE}/*`] : [],
                            istioCrds: mesh ? [mesh.crdsReady] : [],
                            dependsOn: cluster.workloadsReady,
                        },
                        k8sOpts,
                    ),
                );
            }
        }
        this.namespaces = namespaces;

        const gatewayContext = { principal: gateway.principal, dbless: gateway.dbless, ingressClass: gateway.ingressClass };
        const services = new Map<string, MeshService>();
        for (const spec of config.services) {
            services.set(
                spec.name,
                new MeshService(
                    `${name}-${spec.name}`,
                    {
                        spec,
                        mesh: mesh !== undefined,
                        trustDomain: meshConfig.trustDomain,
                        gateway: gatewayContext,
                        namespace: namespaces.get(spec.namespace)?.namespace,
                        istioCrds: mesh ? [mesh.crdsReady] : [],
                        kongCrds: [gateway.crdsReady],
                    },
                    k8sOpts,
                ),
            );
        }
        this.services = services;

        this.registerOutputs({
            environment,
            clusterName: cluster.clusterName,
            services: config.services.length,
            mesh: mesh !== undefined,
            observability: obsConfig.enabled,
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
            services: Object.fromEntries([...this.services].map(([n, s]) => [n, { fqdn: s.fqdn, paths: s.paths }])),
        };
    }
}

function clusterFor(name: string, config: StackConfig, parent: pulumi.Resource): EksCluster | ExistingCluster {
    const c = config.cluster;
    if (c.type === "existing") {
        return new ExistingCluster(`${name}-cluster`, { kubeconfig: c.kubeconfig, context: c.context, loadBalancer: c.loadBalancer }, { parent });
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
        },
        { parent },
    );
}
