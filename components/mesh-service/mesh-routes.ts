/**
 * `mesh.routing: gateway-api`: the service's mesh routing as a Gateway API HTTPRoute whose parent
 * is the Service itself (group "", kind Service: GAMMA, Istio's "mesh" support), in place of the
 * VirtualService. Pure builders; components/config/mesh-routing.ts refuses the declarations
 * these cannot express (retries, sub-millisecond timeouts, version Service names).
 *
 * A backendRef names a Service, never a DestinationRule subset, so each declared version gets a
 * Service of its own, `<service>-<version>`, selecting `app: <service>, version: <version>` (the
 * layout of Istio's "Traffic Shifting" task with the Gateway API, istio.io 1.30
 * docs/tasks/traffic-management/traffic-shifting). Istio 1.30.3 converts the route into a
 * VirtualService-like route for the parent Service's host (pilot/pkg/config/kube/gateway/conversion.go
 * convertHTTPRoute): header matches, weights on backendRefs and `timeouts.request` carry over.
 * Each version Service is its own host, so the DestinationRule of the service does not reach
 * it: every version Service gets a DestinationRule with the same traffic policy (ISTIO_MUTUAL,
 * connection pool, outlier detection). Envoy keeps a cluster per subset in the VirtualService
 * mode too, so the limits and ejection stay per version as before. AuthorizationPolicies select
 * the pods (`app` label), not Services: unchanged.
 */
import { gatewayApiDuration, versionServiceName, type ServiceSpec } from "../config";
import type { NamespacedMeta } from "../kong/types";
import { objectLabels, serviceFqdn, VERSION_LABEL, WORKLOAD_LABEL, type ResolvedContext } from "./context";
import { destinationRule } from "./istio";
import { servicePort, SKIP_AWAIT } from "./service";
import type { DestinationRuleObject, ServiceObject } from "./types";

export const MESH_ROUTE_API_VERSION = "gateway.networking.k8s.io/v1";

/** Gateway API v1.3.0 `HTTPHeaderMatch` (standard channel: Exact, RegularExpression). */
export interface HTTPHeaderMatch {
    readonly type: "Exact" | "RegularExpression";
    readonly name: string;
    readonly value: string;
}

export interface MeshRouteBackendRef {
    readonly name: string;
    readonly port: number;
    /** Left out when the rule has a single backend. */
    readonly weight?: number;
}

export interface MeshRouteRule {
    readonly matches: { readonly path: { readonly type: "PathPrefix"; readonly value: "/" }; readonly headers?: HTTPHeaderMatch[] }[];
    readonly backendRefs: MeshRouteBackendRef[];
    readonly timeouts?: { readonly request: string };
}

/** `gateway.networking.k8s.io/v1` HTTPRoute attached to a Service (a mesh route). */
export interface MeshHttpRouteObject {
    readonly apiVersion: typeof MESH_ROUTE_API_VERSION;
    readonly kind: "HTTPRoute";
    readonly metadata: NamespacedMeta;
    readonly spec: {
        readonly parentRefs: { readonly group: ""; readonly kind: "Service"; readonly name: string }[];
        readonly rules: MeshRouteRule[];
    };
}

/** Regex special characters (RE2), escaped so that a prefix matches literally. */
function escapeRegex(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The canary header match. The standard channel has Exact and RegularExpression only; Istio
 * turns RegularExpression into a StringMatch `regex` (conversion.go createHeadersMatch), which
 * Envoy matches against the whole value (RE2 full match), so a prefix becomes `<prefix>.*`.
 */
export function canaryHeaderMatch(canary: NonNullable<ServiceSpec["canary"]>): HTTPHeaderMatch {
    if (canary.equals !== undefined) return { type: "Exact", name: canary.header, value: canary.equals };
    if (canary.prefix !== undefined) return { type: "RegularExpression", name: canary.header, value: `${escapeRegex(canary.prefix)}.*` };
    return { type: "RegularExpression", name: canary.header, value: canary.regex ?? "" };
}

/** The Services standing for the declared versions (every one, weight 0 included: the canary may pin to it). */
export function versionServices(spec: ServiceSpec, ctx: ResolvedContext): ServiceObject[] {
    return spec.versions.map((v) => ({
        apiVersion: "v1",
        kind: "Service",
        metadata: {
            name: versionServiceName(spec.name, v.name),
            namespace: spec.namespace,
            labels: { ...objectLabels(spec, ctx), [WORKLOAD_LABEL]: spec.name, [VERSION_LABEL]: v.name },
            annotations: { [SKIP_AWAIT]: "true" },
        },
        spec: {
            selector: { [WORKLOAD_LABEL]: spec.name, [VERSION_LABEL]: v.name },
            ports: [servicePort(spec)],
        },
    }));
}

/** The service's DestinationRule without subsets (nothing routes to a subset in this mode). */
export function meshRoutingDestinationRule(spec: ServiceSpec, ctx: ResolvedContext): DestinationRuleObject {
    const dr = destinationRule(spec, ctx);
    return { ...dr, spec: { host: dr.spec.host, trafficPolicy: dr.spec.trafficPolicy } };
}

/** One DestinationRule per version Service: the service's traffic policy on that host. */
export function versionDestinationRules(spec: ServiceSpec, ctx: ResolvedContext): DestinationRuleObject[] {
    const base = meshRoutingDestinationRule(spec, ctx);
    return spec.versions.map((v) => {
        const name = versionServiceName(spec.name, v.name);
        return {
            ...base,
            metadata: { ...base.metadata, name, labels: { ...base.metadata.labels } },
            spec: { host: serviceFqdn({ name, namespace: spec.namespace }, ctx.clusterDomain), trafficPolicy: structuredClone(base.spec.trafficPolicy) },
        };
    });
}

/**
 * The mesh HTTPRoute, named after the service. Rules in the VirtualService's order, which is
 * also Gateway API precedence (HTTPRoute spec, rules: among equal paths the match with more
 * header matches wins): the canary's header rule, then the default rule with every version of
 * weight above 0 (a single backend gets no weight), or the Service itself when no versions are
 * declared. Both rules match PathPrefix "/" explicitly (the CRD's default, written out) and
 * carry the declared timeout as `timeouts.request`.
 */
export function meshHttpRoute(spec: ServiceSpec, ctx: ResolvedContext): MeshHttpRouteObject {
    const timeouts = spec.resilience.timeout === undefined ? undefined : gatewayApiDuration(spec.resilience.timeout);
    if (spec.resilience.timeout !== undefined && timeouts === undefined) {
        throw new Error(`service "${spec.name}": timeout "${spec.resilience.timeout}" has no Gateway API form (whole milliseconds)`);
    }
    const policy = timeouts === undefined ? {} : { timeouts: { request: timeouts } };
    const root = { type: "PathPrefix", value: "/" } as const;
    const rules: MeshRouteRule[] = [];
    if (spec.canary !== undefined) {
        rules.push({
            matches: [{ path: { ...root }, headers: [canaryHeaderMatch(spec.canary)] }],
            backendRefs: [{ name: versionServiceName(spec.name, spec.canary.version), port: spec.port }],
            ...structuredClone(policy),
        });
    }
    const weighted = spec.versions.filter((v) => v.weight > 0);
    const backendRefs: MeshRouteBackendRef[] =
        weighted.length === 0
            ? [{ name: spec.name, port: spec.port }]
            : weighted.length === 1
              ? [{ name: versionServiceName(spec.name, weighted[0].name), port: spec.port }]
              : weighted.map((v) => ({ name: versionServiceName(spec.name, v.name), port: spec.port, weight: v.weight }));
    rules.push({ matches: [{ path: { ...root } }], backendRefs, ...structuredClone(policy) });
    return {
        apiVersion: MESH_ROUTE_API_VERSION,
        kind: "HTTPRoute",
        metadata: { name: spec.name, namespace: spec.namespace, labels: objectLabels(spec, ctx) },
        spec: { parentRefs: [{ group: "", kind: "Service", name: spec.name }], rules },
    };
}
