export * from "./schema";
export { crossCheck, RESERVED_NAMESPACES } from "./cross-checks";
export { ConfigError, checkStackConfig, formatIssue, validateStackConfig, type ConfigIssue } from "./validate";
export { gatewayApiDuration, MESH_ROUTING_LIMITS, meshRoutingIssues, versionServiceName } from "./mesh-routing";
export { edgePaths, grpcPath, isGrpc } from "./grpc";
