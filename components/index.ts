/**
 * meshgate: Kong at the edge, Istio inside, configured together from one
 * declaration per service. The public API of the npm package, listed name by
 * name (test/consumer/public-api.test.ts records the list, so a change to it is
 * a reviewed decision): the Platform, the components it composes with their
 * args, the stack declaration's validation and types, and the chart versions.
 * Builders, chart internals and wiring helpers stay internal (import them by
 * path inside this repository).
 */

// The whole platform from one declaration.
export { Platform } from "./platform";
export type { PlatformArgs, PlatformHelmValues, PlatformOptions, PlatformOutputs } from "./platform";

// The stack declaration: validation, errors, types.
export { ConfigError, checkStackConfig, formatIssue, validateStackConfig } from "./config";
export type { ConfigIssue, Environment, ServiceSpec, ServiceSpecInput, StackConfig, StackConfigInput } from "./config";

// The cluster layer.
export { EksCluster, ExistingCluster } from "./cluster";
export type { ClusterConnection, EksClusterArgs, ExistingClusterArgs, NodeGroupSpec } from "./cluster";
export { LoadBalancerController } from "./lb-controller";
export type { LoadBalancerControllerArgs } from "./lb-controller";
export { MetricsServer } from "./metrics-server";
export type { MetricsServerArgs } from "./metrics-server";
export { ClusterAutoscaler } from "./cluster-autoscaler";
export type { ClusterAutoscalerArgs } from "./cluster-autoscaler";

// The mesh, the gateway, observability.
export { IstioMesh } from "./istio";
export type { IstioMeshArgs, TracingCollector } from "./istio";
export { ApiConsumers, KongEdgeGateway, KongGateway, kongMetrics } from "./kong";
export type { ApiConsumerSpec, ApiConsumersArgs, ConsumerCredentials, ExternalPostgres, KongEdgeGatewayArgs, KongGatewayArgs, KongGatewayRef } from "./kong";
export { GatewayApiCrds, GATEWAY_API_VERSION } from "./gateway-api";
export type { GatewayApiCrdsArgs } from "./gateway-api";
export { Observability, jaegerOtlp } from "./observability";
export type { GrafanaDashboard, JaegerOtlpEndpoints, KongMetricsTarget, ObservabilityArgs } from "./observability";
export { ElastiCacheRedis, RedisPasswordSecrets } from "./rate-limit-store";
export type { ElastiCacheRedisArgs, RedisPasswordSecretsArgs } from "./rate-limit-store";

// One declaration per service.
export { MeshNamespace } from "./mesh-namespace";
export type { MeshNamespaceArgs } from "./mesh-namespace";
export { MeshService } from "./mesh-service";
export type { GatewayFacts, MeshServiceArgs, RateLimitRedisFacts, WorkloadContract } from "./mesh-service";

// Chart versions and values.
export { CHART_DEFAULTS, chartRef } from "./versions";
export type { ChartName, ChartRef } from "./versions";
export type { HelmValues } from "./helm";
