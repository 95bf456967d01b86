/**
 * meshgate: Kong at the edge, Istio inside, configured together from one
 * declaration per service. The components of the npm package.
 */
export * from "./versions";
export * from "./config";
export * from "./cluster";
export * from "./lb-controller";
export * from "./metrics-server";
export * from "./cluster-autoscaler";
export * from "./istio";
export * from "./kong";
export * from "./observability";
export * from "./mesh-namespace";
export * from "./mesh-service";
export * from "./gateway-api-crds";
export * from "./rate-limit-store";
export * from "./platform";
