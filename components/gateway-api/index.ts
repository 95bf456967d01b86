/**
 * The Kubernetes Gateway API (standard channel, v1.3.0) in a cluster: its CRDs, installed
 * before the controllers that serve them. KIC 3.5 (Kong/kubernetes-ingress-controller v3.5.13
 * internal/manager/controllerdef.go) runs its Gateway, HTTPRoute and GRPCRoute controllers
 * behind a DynamicCRDController that starts each once the CRDs it needs exist, and decides
 * other Gateway API behaviour once at start-up (`HTTPRouteEnabled: utils.CRDExists(...)` of
 * the KongUpstreamPolicy controller). Installing the CRDs first (the kong release depends on
 * {@link GatewayApiCrds}) makes KIC start with all of it on. The kong/kong 3.4.1 chart grants
 * KIC the Gateway API RBAC whether or not the CRDs exist when it renders
 * (values.yaml `ingressController.rbac.gatewayAPI.enabled: true`, templates/_helpers.tpl
 * `.Capabilities.APIVersions.Has "gateway.networking.k8s.io/v1"` otherwise), so no value changes.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { readDataJson } from "../../policies/validate/data";

/** The Gateway API release whose CRDs meshgate installs (data/gateway-api/standard-crds.json). */
export const GATEWAY_API_VERSION = "1.3.0";
/** API group of the Gateway API. */
export const GATEWAY_API_GROUP = "gateway.networking.k8s.io";
/** The Gateway API version meshgate writes objects in. */
export const GATEWAY_API_VERSION_STRING = `${GATEWAY_API_GROUP}/v1`;

/** One CustomResourceDefinition as kept in data/ (the upstream object without prose). */
export interface CrdObject {
    readonly apiVersion: "apiextensions.k8s.io/v1";
    readonly kind: "CustomResourceDefinition";
    readonly metadata: { readonly name: string; readonly annotations: Record<string, string> };
    readonly spec: k8s.types.input.apiextensions.v1.CustomResourceDefinitionSpec;
}

/**
 * The standard-channel CRDs (GatewayClass, Gateway, HTTPRoute, GRPCRoute, ReferenceGrant) of
 * kubernetes-sigs/gateway-api v1.3.0 (config/crd/standard), whole, from data/ (npm run refdata).
 */
export function gatewayApiCrdObjects(): CrdObject[] {
    const file = readDataJson("gateway-api/standard-crds.json") as { version: string; crds: StoredCrd[] };
    if (file.version !== GATEWAY_API_VERSION) {
        throw new Error(`data/gateway-api/standard-crds.json holds Gateway API ${file.version}, expected ${GATEWAY_API_VERSION} (npm run refdata)`);
    }
    return file.crds.map((crd) => ({
        ...crd,
        spec: { ...crd.spec, versions: crd.spec.versions.map(({ schemaFrom, ...v }) => ({ ...v, schema: { openAPIV3Schema: storedSchema(schemaFrom) } })) },
    }));
}

/** A CRD as stored: each version names where its schema is kept (`crds/<plural>.<group>.json#<version>`, the same trimming). */
interface StoredCrd extends Omit<CrdObject, "spec"> {
    readonly spec: Omit<k8s.types.input.apiextensions.v1.CustomResourceDefinitionSpec, "versions"> & {
        readonly versions: (Omit<k8s.types.input.apiextensions.v1.CustomResourceDefinitionVersion, "schema"> & { readonly schemaFrom: string })[];
    };
}

function storedSchema(ref: string): k8s.types.input.apiextensions.v1.JSONSchemaProps {
    const [file, version] = ref.split("#");
    const crd = readDataJson(file) as { versions: Record<string, { schema?: k8s.types.input.apiextensions.v1.JSONSchemaProps; sameSchemaAs?: string }> };
    const v = crd.versions[version];
    const schema = v?.schema ?? (v?.sameSchemaAs !== undefined ? crd.versions[v.sameSchemaAs]?.schema : undefined);
    if (schema === undefined) throw new Error(`meshgate reference data: no schema for ${ref} (npm run refdata)`);
    return schema;
}

/** What GatewayApiCrds needs: only what the CRDs wait for (the version is the one data/ holds). */
export interface GatewayApiCrdsArgs {
    /** What the CRDs wait for (the cluster's workloads-ready signal). @default [] */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** Installs the Gateway API v1.3.0 standard-channel CRDs. */
export class GatewayApiCrds extends pulumi.ComponentResource {
    /** One CustomResourceDefinition per kind. */
    readonly crds: k8s.apiextensions.v1.CustomResourceDefinition[];
    /** Names of the installed CRDs (`<plural>.gateway.networking.k8s.io`). */
    readonly names: string[];

    constructor(name: string, args: GatewayApiCrdsArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("meshgate:gateway-api:GatewayApiCrds", name, {}, opts);
        const objects = gatewayApiCrdObjects();
        this.names = objects.map((o) => o.metadata.name);
        this.crds = objects.map(
            (o) =>
                new k8s.apiextensions.v1.CustomResourceDefinition(
                    `${name}-${o.metadata.name.split(".")[0]}`,
                    { metadata: { ...o.metadata }, spec: o.spec },
                    { parent: this, dependsOn: args.dependsOn ?? [] },
                ),
        );
        this.registerOutputs({ names: this.names, version: GATEWAY_API_VERSION });
    }
}
