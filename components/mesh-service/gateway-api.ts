/**
 * The Kong side of an exposed service through the Gateway API (`gateway.api: gateway-api`):
 * one HTTPRoute `<service>-edge` attached to Kong's Gateway, with the same KongPlugins,
 * strip-path, preserve-host and https choices as the Ingress path.
 *
 * KIC 3.5 (Kong/kubernetes-ingress-controller v3.5.13):
 * - internal/dataplane/kongstate/route.go overrideByAnnotation: the `konghq.com/*` route
 *   annotations (strip-path, preserve-host, protocols, https-redirect-status-code, plugins)
 *   apply to routes of an HTTPRoute as to those of an Ingress;
 * - internal/dataplane/translator/subtranslator/httproute.go: a PathPrefix /a becomes the
 *   Kong paths "~/a$" and "/a/" (as an Ingress Prefix path), RegularExpression "~<value>";
 *   strip_path defaults to false and preserve_host to true; one `method` per match.
 * gRPC services (`protocol: grpc`) get a GRPCRoute instead ({@link edgeGrpcRoute}).
 * The name is `<service>-edge`, never `<service>`: an HTTPRoute named after the service whose
 * parentRef is the Service itself is the mesh's (GAMMA) route, not Kong's.
 */
import type { ServiceSpec } from "../config/schema";
import { isGrpc } from "../config/grpc";
import { GATEWAY_API_GROUP, GATEWAY_API_VERSION_STRING } from "../gateway-api";
import { DEFAULT_KONG_GATEWAY_REF } from "../kong/gateway-api";
import { pluginsAnnotation } from "../kong/plugins";
import { objectLabels, type ResolvedContext } from "./context";
import { requireGateway } from "./istio";
import { grpcRouteProtocols, INGRESS_ANNOTATIONS, routeMethods, type ServicePlugin } from "./kong";
import type { NamespacedMeta } from "../kong/types";

/** Suffix of an edge HTTPRoute's name. */
export const EDGE_ROUTE_SUFFIX = "-edge";

/** Gateway API v1.3.0 HTTPRoute limits (CRD: rules maxItems 16, matches maxItems 64, and a CEL rule: fewer than 128 matches in all). */
export const HTTPROUTE_LIMITS = { rules: 16, matchesPerRule: 64, matches: 127 } as const;

export interface HTTPRouteMatch {
    readonly path: { readonly type: "PathPrefix" | "RegularExpression"; readonly value: string };
    readonly method?: string;
}

export interface EdgeHTTPRouteObject {
    readonly apiVersion: typeof GATEWAY_API_VERSION_STRING;
    readonly kind: "HTTPRoute";
    readonly metadata: NamespacedMeta;
    readonly spec: {
        readonly parentRefs: { readonly group: typeof GATEWAY_API_GROUP; readonly kind: "Gateway"; readonly namespace: string; readonly name: string }[];
        readonly hostnames?: string[];
        readonly rules: {
            readonly matches: HTTPRouteMatch[];
            readonly backendRefs: { readonly group: ""; readonly kind: "Service"; readonly name: string; readonly port: number }[];
        }[];
    };
}

export function edgeRouteName(spec: Pick<ServiceSpec, "name">): string {
    return `${spec.name}${EDGE_ROUTE_SUFFIX}`;
}

/** A declared path as an HTTPRoute path match: `/~<regex>` (a Kong regex, as on the Ingress) is RegularExpression, anything else PathPrefix. */
export function httpRoutePath(path: string): HTTPRouteMatch["path"] {
    return path.startsWith("/~") ? { type: "RegularExpression", value: path.slice(2) } : { type: "PathPrefix", value: path };
}

/**
 * The HTTPRoute routing the exposure's paths (and methods: one match per path and method) on
 * its hosts to the service's port, attached to Kong's Gateway, with the Ingress path's
 * annotations except `konghq.com/methods` (methods are matches here).
 */
export function edgeHttpRoute(spec: ServiceSpec, ctx: ResolvedContext, plugins: ServicePlugin[]): EdgeHTTPRouteObject {
    const gw = spec.gateway;
    if (gw === undefined) {
        throw new Error(`service "${spec.name}" is not exposed (no gateway); it has no HTTPRoute`);
    }
    const facts = requireGateway(spec, ctx);
    const parent = facts.gatewayRef ?? DEFAULT_KONG_GATEWAY_REF;
    const methods = routeMethods(gw);
    const matches: HTTPRouteMatch[] = gw.paths.flatMap((p) =>
        methods.length === 0 ? [{ path: httpRoutePath(p) }] : methods.map((method) => ({ path: httpRoutePath(p), method })),
    );
    if (matches.length > HTTPROUTE_LIMITS.matches) {
        throw new Error(
            `service "${spec.name}": gateway.paths × gateway.methods make ${matches.length} HTTPRoute matches; the Gateway API allows at most ${HTTPROUTE_LIMITS.matches} (use fewer paths or methods, or gateway.api: ingress)`,
        );
    }
    const rules: EdgeHTTPRouteObject["spec"]["rules"] = [];
    for (let i = 0; i < matches.length; i += HTTPROUTE_LIMITS.matchesPerRule) {
        rules.push({ matches: matches.slice(i, i + HTTPROUTE_LIMITS.matchesPerRule), backendRefs: [{ group: "", kind: "Service", name: spec.name, port: spec.port }] });
    }
    const annotations: Record<string, string> = {
        ...(plugins.length > 0 ? { [INGRESS_ANNOTATIONS.plugins]: pluginsAnnotation(plugins) } : {}),
        ...(facts.httpsRedirect === true ? { [INGRESS_ANNOTATIONS.protocols]: "https", [INGRESS_ANNOTATIONS.httpsRedirect]: "308" } : {}),
        [INGRESS_ANNOTATIONS.stripPath]: String(gw.stripPath),
        [INGRESS_ANNOTATIONS.preserveHost]: "false",
        ...(gw.auth === "none" ? { [INGRESS_ANNOTATIONS.publicRoute]: "none" } : {}),
    };
    return {
        apiVersion: GATEWAY_API_VERSION_STRING,
        kind: "HTTPRoute",
        metadata: { name: edgeRouteName(spec), namespace: spec.namespace, labels: objectLabels(spec, ctx), annotations },
        spec: {
            parentRefs: [{ group: GATEWAY_API_GROUP, kind: "Gateway", namespace: parent.namespace, name: parent.name }],
            ...(gw.hosts.length > 0 ? { hostnames: [...gw.hosts] } : {}),
            rules,
        },
    };
}

/** Gateway API v1.3.0 GRPCMethodMatch (type Exact, the default, left out). */
export interface GRPCRouteMatch {
    readonly method: { readonly service: string; readonly method?: string };
}

export interface EdgeGRPCRouteObject {
    readonly apiVersion: typeof GATEWAY_API_VERSION_STRING;
    readonly kind: "GRPCRoute";
    readonly metadata: NamespacedMeta;
    readonly spec: {
        readonly parentRefs: { readonly group: typeof GATEWAY_API_GROUP; readonly kind: "Gateway"; readonly namespace: string; readonly name: string }[];
        readonly hostnames?: string[];
        readonly rules: {
            /** Absent: every call (KIC 3.5 grpcroute.go: a rule without matches is a catch-all route, path "/" without hostnames). */
            readonly matches?: GRPCRouteMatch[];
            readonly backendRefs: { readonly group: ""; readonly kind: "Service"; readonly name: string; readonly port: number }[];
        }[];
    };
}

/** Gateway API v1.3.0 GRPCRoute limits (CRD: matches maxItems 64 per rule, and a CEL rule on rules: at most 128 matches in all). */
export const GRPCROUTE_LIMITS = { rules: 16, matchesPerRule: 64, matches: 128 } as const;

/**
 * A gRPC service's edge route with `gateway.api: gateway-api`: a GRPCRoute `<service>-edge`
 * attached to Kong's Gateway, one match per `gateway.grpc` entry (a service, or one of its
 * methods; none: every call), the hosts as `hostnames`, the Service as backend, and the same
 * KongPlugins, preserve-host and public-route annotations as the Ingress.
 *
 * KIC 3.5 (v3.5.13) internal/dataplane/translator/subtranslator/grpcroute.go: each match becomes a
 * Kong route with the path `~/<service>/<method>` (method absent: `~/<service>/`), protocols
 * grpc/grpcs from the Gateway's listeners (translate_grpcroute.go), and KIC applies the
 * `konghq.com/*` route annotations to GRPCRoutes as to HTTPRoutes (kongstate/route.go
 * overrideByAnnotation: preserve-host, protocols; kongstate.go getPluginRelations: the plugins of
 * every route's object). No strip-path (refused for grpc routes); when port
 * 80 redirects, `konghq.com/protocols: grpcs` (a gRPC client follows no redirect).
 */
export function edgeGrpcRoute(spec: ServiceSpec, ctx: ResolvedContext, plugins: ServicePlugin[]): EdgeGRPCRouteObject {
    const gw = spec.gateway;
    if (gw === undefined || !isGrpc(spec)) {
        throw new Error(`service "${spec.name}" is not an exposed gRPC service (protocol: grpc with gateway); it has no GRPCRoute`);
    }
    const facts = requireGateway(spec, ctx);
    const parent = facts.gatewayRef ?? DEFAULT_KONG_GATEWAY_REF;
    const backendRefs: EdgeGRPCRouteObject["spec"]["rules"][number]["backendRefs"] = [{ group: "", kind: "Service", name: spec.name, port: spec.port }];
    const matches: GRPCRouteMatch[] = (gw.grpc ?? []).map((m) => ({ method: { service: m.service, ...(m.method === undefined ? {} : { method: m.method }) } }));
    if (matches.length > GRPCROUTE_LIMITS.matches) {
        throw new Error(`service "${spec.name}": gateway.grpc makes ${matches.length} GRPCRoute matches; the Gateway API allows at most ${GRPCROUTE_LIMITS.matches}`);
    }
    const rules: EdgeGRPCRouteObject["spec"]["rules"][number][] = [];
    if (matches.length === 0) rules.push({ backendRefs });
    for (let i = 0; i < matches.length; i += GRPCROUTE_LIMITS.matchesPerRule) {
        rules.push({ matches: matches.slice(i, i + GRPCROUTE_LIMITS.matchesPerRule), backendRefs });
    }
    const annotations: Record<string, string> = {
        ...(plugins.length > 0 ? { [INGRESS_ANNOTATIONS.plugins]: pluginsAnnotation(plugins) } : {}),
        // Port 80 redirects: the route takes grpcs only, as the Ingress (KIC 3.5 kongstate/route.go overrideProtocols applies to every route's object).
        ...(facts.httpsRedirect === true ? { [INGRESS_ANNOTATIONS.protocols]: grpcRouteProtocols(true) } : {}),
        [INGRESS_ANNOTATIONS.preserveHost]: "false",
        ...(gw.auth === "none" ? { [INGRESS_ANNOTATIONS.publicRoute]: "none" } : {}),
    };
    return {
        apiVersion: GATEWAY_API_VERSION_STRING,
        kind: "GRPCRoute",
        metadata: { name: edgeRouteName(spec), namespace: spec.namespace, labels: objectLabels(spec, ctx), annotations },
        spec: {
            parentRefs: [{ group: GATEWAY_API_GROUP, kind: "Gateway", namespace: parent.namespace, name: parent.name }],
            ...(gw.hosts.length > 0 ? { hostnames: [...gw.hosts] } : {}),
            rules,
        },
    };
}
