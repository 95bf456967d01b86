/**
 * Everything one service declaration becomes, as plain manifests: the single
 * entry point the component (and the tests) call. The Istio side exists only
 * when the mesh is on; the Kong side only when the service is exposed; the
 * Kong side is the same in both modes, so turning the mesh on adds objects
 * and changes none.
 */
import type { ServiceSpec } from "../config/schema";
import { resolveContext, serviceFqdn, type MeshServiceContext } from "./context";
import { authorizationPolicy, destinationRule, virtualService } from "./istio";
import { edgeGrpcRoute, edgeHttpRoute, type EdgeGRPCRouteObject, type EdgeHTTPRouteObject } from "./gateway-api";
import { edgePaths, isGrpc } from "../config/grpc";
import { meshHttpRoute, meshRoutingDestinationRule, versionDestinationRules, versionServices, type MeshHttpRouteObject } from "./mesh-routes";
import { ingress, kongPlugins, oauth2SecretName, type ServicePlugin } from "./kong";
import { kubernetesService, servicePatch } from "./service";
import type { AuthorizationPolicyObject, DestinationRuleObject, IngressObject, ServiceObject, ServicePatchObject, VirtualServiceObject } from "./types";

export interface MeshServiceObjects {
    /** `<name>.<namespace>.svc.<cluster domain>`. */
    readonly fqdn: string;
    /** Paths exposed through Kong; empty for an internal service. */
    readonly paths: string[];
    /** The Service, when meshgate creates it (`createService: true`). */
    readonly service?: ServiceObject;
    /** Annotations for a Service meshgate does not own, when there are any to add. */
    readonly servicePatch?: ServicePatchObject;
    readonly destinationRule?: DestinationRuleObject;
    readonly virtualService?: VirtualServiceObject;
    /** `mesh.routing: gateway-api`: the HTTPRoute on the Service, in place of the VirtualService. */
    readonly meshRoute?: MeshHttpRouteObject;
    /** `mesh.routing: gateway-api`: a Service per declared version (the route's backends). */
    readonly versionServices?: ServiceObject[];
    /** `mesh.routing: gateway-api`: a DestinationRule per version Service (mTLS, pool, outlier detection). */
    readonly versionDestinationRules?: DestinationRuleObject[];
    readonly authorizationPolicy?: AuthorizationPolicyObject;
    /** KongPlugins attached to the Ingress, in attachment order. */
    readonly plugins: ServicePlugin[];
    readonly ingress?: IngressObject;
    /** The edge HTTPRoute instead of the Ingress (`gateway.api: gateway-api`). */
    readonly httpRoute?: EdgeHTTPRouteObject;
    /** The edge GRPCRoute of a gRPC service instead of the Ingress (`gateway.api: gateway-api`, `protocol: grpc`). */
    readonly grpcRoute?: EdgeGRPCRouteObject;
    /** The Secret (name and namespace) KIC reads the oauth2 provision key from, when auth is oauth2. */
    readonly oauth2Secret?: { readonly name: string; readonly namespace: string };
}

export function meshServiceObjects(spec: ServiceSpec, context: MeshServiceContext = {}): MeshServiceObjects {
    const ctx = resolveContext(context);
    const plugins = kongPlugins(spec, ctx);
    const exposed = spec.gateway !== undefined;
    return {
        fqdn: serviceFqdn(spec, ctx.clusterDomain),
        paths: edgePaths(spec),
        ...(spec.createService ? { service: kubernetesService(spec, ctx) } : optional("servicePatch", servicePatch(spec, ctx))),
        ...(ctx.mesh && ctx.meshRouting === "virtualservice"
            ? {
                  destinationRule: destinationRule(spec, ctx),
                  virtualService: virtualService(spec, ctx),
                  authorizationPolicy: authorizationPolicy(spec, ctx),
              }
            : {}),
        ...(ctx.mesh && ctx.meshRouting === "gateway-api"
            ? {
                  destinationRule: meshRoutingDestinationRule(spec, ctx),
                  versionDestinationRules: versionDestinationRules(spec, ctx),
                  meshRoute: meshHttpRoute(spec, ctx),
                  versionServices: versionServices(spec, ctx),
                  authorizationPolicy: authorizationPolicy(spec, ctx),
              }
            : {}),
        plugins,
        ...(exposed ? (ctx.gateway?.api === "gateway-api" ? edgeRoute(spec, ctx, plugins) : { ingress: ingress(spec, ctx, plugins) }) : {}),
        ...(plugins.some((p) => p.plugin === "oauth2") ? { oauth2Secret: { name: oauth2SecretName(spec), namespace: spec.namespace } } : {}),
    };
}

/** Every manifest in the order the component creates them (Istio, Service, plugins, Ingress, HTTPRoute or GRPCRoute), for tests and validation. */
export function allManifests(
    objects: MeshServiceObjects,
): (
    | ServiceObject
    | ServicePatchObject
    | DestinationRuleObject
    | VirtualServiceObject
    | MeshHttpRouteObject
    | AuthorizationPolicyObject
    | ServicePlugin
    | IngressObject
    | EdgeHTTPRouteObject
    | EdgeGRPCRouteObject
)[] {
    return [
        objects.destinationRule,
        ...(objects.versionDestinationRules ?? []),
        objects.virtualService,
        objects.authorizationPolicy,
        objects.service,
        ...(objects.versionServices ?? []),
        objects.meshRoute,
        objects.servicePatch,
        ...objects.plugins,
        objects.ingress,
        objects.httpRoute,
        objects.grpcRoute,
    ].filter((o) => o !== undefined);
}

/** The Gateway API edge route: a GRPCRoute for a gRPC service, else an HTTPRoute. */
function edgeRoute(spec: ServiceSpec, ctx: ReturnType<typeof resolveContext>, plugins: ServicePlugin[]): { httpRoute: EdgeHTTPRouteObject } | { grpcRoute: EdgeGRPCRouteObject } {
    return isGrpc(spec) ? { grpcRoute: edgeGrpcRoute(spec, ctx, plugins) } : { httpRoute: edgeHttpRoute(spec, ctx, plugins) };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
    return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}
