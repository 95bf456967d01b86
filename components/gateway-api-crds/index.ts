/**
 * GatewayApiCrds: the Kubernetes Gateway API CRDs (standard channel), which neither istio/base
 * nor kong/kong installs. Istio's mesh support reads HTTPRoutes only once the CRDs exist
 * (istio.io 1.30 docs/tasks/traffic-management/ingress/gateway-api: "the Gateway API CRDs do not
 * come installed by default on most Kubernetes clusters"), and an HTTPRoute cannot be created
 * before them. One `kubernetes:yaml/v2:ConfigFile` of the release's `standard-install.yaml`
 * (kubernetes-sigs/gateway-api v1.3.0, the version data/crds validates against).
 *
 * Built for `mesh.routing: gateway-api` (issue 18 part B); the Kong edge (part A) needs the same
 * CRDs: one instance per stack serves both.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** The Gateway API release whose CRDs meshgate validates against (data/crds, refdata). */
export const GATEWAY_API_RELEASE = "v1.3.0";

/** The release asset with every standard-channel CRD (GatewayClass, Gateway, HTTPRoute, GRPCRoute, ReferenceGrant). */
export function gatewayApiCrdsUrl(version: string = GATEWAY_API_RELEASE): string {
    return `https://github.com/kubernetes-sigs/gateway-api/releases/download/${version}/standard-install.yaml`;
}

export interface GatewayApiCrdsArgs {
    /** Gateway API release. @default "v1.3.0" */
    readonly version?: string;
    /** What the CRDs wait for (the cluster's nodes and add-ons). @default [] */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export class GatewayApiCrds extends pulumi.ComponentResource {
    /** The CRDs; objects of their kinds depend on this. */
    readonly crds: k8s.yaml.v2.ConfigFile;

    constructor(name: string, args: GatewayApiCrdsArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("meshgate:gateway-api:GatewayApiCrds", name, {}, opts);
        this.crds = new k8s.yaml.v2.ConfigFile(`${name}-standard`, { file: gatewayApiCrdsUrl(args.version) }, { parent: this, dependsOn: args.dependsOn ?? [] });
        this.registerOutputs({ version: args.version ?? GATEWAY_API_RELEASE });
    }
}
