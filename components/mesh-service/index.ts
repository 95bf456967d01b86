/**
 * MeshService: one service declaration becomes its Kong route and its Istio
 * policy, consistent by construction. A thin component over the pure builders
 * in this folder; it creates only what the declaration needs:
 *
 * | | mesh on | gateway-only |
 * |---|---|---|
 * | internal | DestinationRule, VirtualService, AuthorizationPolicy, Service | Service |
 * | internal, `meshRouting: gateway-api` | DestinationRule (+ one per version), AuthorizationPolicy, Service, a Service per version, HTTPRoute | Service |
 * | exposed | the above + Ingress + one KongPlugin per plugin | Service, Ingress, KongPlugins |
 *
 * The Kong objects and the Service have the same names, parent and inputs in
 * both modes, so turning the mesh on only adds the Istio objects.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { ServiceSpecInput } from "../config/schema";
import { meshServiceSpec } from "./args";
import { resolveContext, type MeshServiceContext } from "./context";
import { workloadContract, type WorkloadContract } from "./contract";
import { OAUTH2_PROVISION_KEY } from "./kong";
import { meshServiceObjects, type MeshServiceObjects } from "./objects";

export * from "./args";
export * from "./context";
export * from "./contract";
export * from "./gateway-api";
export * from "./istio";
export * from "./kong";
export * from "./mesh-routes";
export * from "./objects";
export * from "./service";
export * from "./types";

/** The service's declaration (as a user writes it) and the facts of the mesh and gateway it joins. */
export interface MeshServiceArgs extends MeshServiceContext {
    /**
     * The service's declaration, as in a stack's `meshgate:services` list (see `ServiceSpecInput`);
     * validated, defaults applied, by the component.
     */
    readonly spec: ServiceSpecInput;
    /** The Namespace the service lives in (e.g. `MeshNamespace.namespace`); every object waits for it. @default none (the namespace exists) */
    readonly namespace?: pulumi.Resource;
    /** What installs the Istio CRDs (the istio/base release); Istio objects wait for it. @default [] */
    readonly istioCrds?: pulumi.Resource[];
    /** What installs the Kong CRDs (the kong release); KongPlugins wait for it. @default [] */
    readonly kongCrds?: pulumi.Resource[];
    /** What the edge HTTPRoute waits for besides `kongCrds` (the Gateway API CRDs and Kong's Gateway). @default [] */
    readonly edgeGateway?: pulumi.Resource[];
    /** What installs the Gateway API CRDs; the mesh HTTPRoute (`meshRouting: gateway-api`) waits for it. @default [] */
    readonly gatewayApiCrds?: pulumi.Resource[];
}

/** One service declaration becomes its Kong route and plugins and its Istio policy, consistent by construction. */
export class MeshService extends pulumi.ComponentResource {
    /** `<name>.<namespace>.svc.<cluster domain>`. */
    readonly fqdn: string;
    /** Paths exposed through Kong; empty when internal. */
    readonly paths: string[];
    /** The emitted objects as `<Kind>/<namespace>/<name>`, in creation order. */
    readonly objectNames: string[];
    /** The manifests this component applied. */
    readonly objects: MeshServiceObjects;
    /** What the team's pods must look like for these objects to apply (labels, service account, ports, callers). */
    readonly contract: WorkloadContract;
    readonly service?: k8s.core.v1.Service;
    readonly servicePatch?: k8s.core.v1.ServicePatch;
    readonly destinationRule?: k8s.apiextensions.CustomResource;
    readonly virtualService?: k8s.apiextensions.CustomResource;
    /** `meshRouting: gateway-api`: the HTTPRoute on the Service. */
    readonly meshRoute?: k8s.apiextensions.CustomResource;
    /** `meshRouting: gateway-api`: one Service per declared version, and a DestinationRule for each. */
    readonly versionServices: k8s.core.v1.Service[] = [];
    readonly versionDestinationRules: k8s.apiextensions.CustomResource[] = [];
    readonly authorizationPolicy?: k8s.apiextensions.CustomResource;
    readonly plugins: k8s.apiextensions.CustomResource[] = [];
    readonly ingress?: k8s.networking.v1.Ingress;
    /** The edge HTTPRoute (`gateway.api: gateway-api`). */
    readonly httpRoute?: k8s.apiextensions.CustomResource;
    /** The edge GRPCRoute of a gRPC service (`gateway.api: gateway-api`). */
    readonly grpcRoute?: k8s.apiextensions.CustomResource;

    constructor(name: string, args: MeshServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("meshgate:mesh:MeshService", name, {}, opts);
        const spec = meshServiceSpec(args, name);
        const objects = meshServiceObjects(spec, args);
        this.objects = objects;
        this.contract = workloadContract(spec, resolveContext(args));
        this.fqdn = objects.fqdn;
        this.paths = objects.paths;
        const inNamespace = args.namespace === undefined ? [] : [args.namespace];
        const istioDeps = [...(args.istioCrds ?? []), ...inNamespace];
        const kongDeps = [...(args.kongCrds ?? []), ...inNamespace];
        const names: string[] = [];
        const note = (o: { kind: string; metadata: { namespace: string; name: string } }) => names.push(`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`);

        const custom = (role: string, obj: { apiVersion: string; kind: string; metadata: { namespace: string; name: string } }, dependsOn: pulumi.Resource[]) => {
            note(obj);
            return new k8s.apiextensions.CustomResource(`${name}-${role}`, { ...obj }, { parent: this, dependsOn });
        };
        if (objects.destinationRule !== undefined) {
            this.destinationRule = custom("destination-rule", objects.destinationRule, istioDeps);
        }
        for (const dr of objects.versionDestinationRules ?? []) {
            this.versionDestinationRules.push(custom(`destination-rule-${dr.metadata.name.slice(args.spec.name.length + 1)}`, dr, istioDeps));
        }
        if (objects.virtualService !== undefined) {
            this.virtualService = custom("virtual-service", objects.virtualService, istioDeps);
        }
        if (objects.authorizationPolicy !== undefined) {
            this.authorizationPolicy = custom("authorization-policy", objects.authorizationPolicy, istioDeps);
        }
        if (objects.service !== undefined) {
            note(objects.service);
            this.service = new k8s.core.v1.Service(`${name}-service`, objects.service, { parent: this, dependsOn: inNamespace });
        }
        if (objects.servicePatch !== undefined) {
            note(objects.servicePatch);
            this.servicePatch = new k8s.core.v1.ServicePatch(`${name}-service-patch`, objects.servicePatch, { parent: this, dependsOn: inNamespace });
        }
        for (const svc of objects.versionServices ?? []) {
            note(svc);
            this.versionServices.push(
                new k8s.core.v1.Service(`${name}-service-${svc.metadata.name.slice(args.spec.name.length + 1)}`, svc, { parent: this, dependsOn: inNamespace }),
            );
        }
        if (objects.meshRoute !== undefined) {
            // Istio reads the route once its backends exist; the Gateway API CRDs must be installed first.
            this.meshRoute = custom("mesh-route", objects.meshRoute, [...(args.gatewayApiCrds ?? []), ...inNamespace, ...this.versionServices]);
        }
        const pluginDeps = [...kongDeps];
        if (objects.oauth2Secret !== undefined) {
            const key = new random.RandomPassword(`${name}-oauth2-provision-key`, { length: 40, special: false }, { parent: this });
            pluginDeps.push(
                new k8s.core.v1.Secret(
                    `${name}-oauth2`,
                    {
                        metadata: { ...objects.oauth2Secret, labels: objects.plugins[0]?.metadata.labels },
                        type: "Opaque",
                        stringData: { [OAUTH2_PROVISION_KEY]: key.result },
                    },
                    { parent: this, dependsOn: inNamespace },
                ),
            );
            names.push(`Secret/${objects.oauth2Secret.namespace}/${objects.oauth2Secret.name}`);
        }
        for (const plugin of objects.plugins) {
            this.plugins.push(custom(plugin.plugin, plugin, pluginDeps));
        }
        if (objects.ingress !== undefined) {
            note(objects.ingress);
            this.ingress = new k8s.networking.v1.Ingress(`${name}-ingress`, objects.ingress, { parent: this, dependsOn: [...kongDeps, ...this.plugins] });
        }
        if (objects.httpRoute !== undefined) {
            this.httpRoute = custom("http-route", objects.httpRoute, [...kongDeps, ...(args.edgeGateway ?? []), ...this.plugins]);
        }
        if (objects.grpcRoute !== undefined) {
            this.grpcRoute = custom("grpc-route", objects.grpcRoute, [...kongDeps, ...(args.edgeGateway ?? []), ...this.plugins]);
        }
        this.objectNames = names;
        this.registerOutputs({ fqdn: this.fqdn, paths: this.paths, objects: this.objectNames, contract: this.contract });
    }
}
