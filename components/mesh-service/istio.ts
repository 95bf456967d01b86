/**
 * The Istio side of a service: pure builders from its declaration to the
 * DestinationRule, VirtualService and AuthorizationPolicy that Istio 1.30
 * applies to it.
 */
import { SAFE_RETRY_ON, type ServiceSpec } from "../config/schema";
import { ISTIO_SECURITY_API_VERSION } from "../istio/resources";
import type { NamespacedMeta } from "../kong/types";
import { callerPrincipal, objectLabels, protoDuration, serviceFqdn, VERSION_LABEL, WORKLOAD_LABEL, type ResolvedContext } from "./context";
import {
    ISTIO_NETWORKING_API_VERSION,
    type AuthorizationPolicyObject,
    type ConnectionPoolSettings,
    type DestinationRuleObject,
    type HTTPRetry,
    type HTTPRoute,
    type HTTPRouteDestination,
    type StringMatch,
    type TrafficPolicy,
    type VirtualServiceObject,
} from "./types";
import { definedOnly } from "../util";

function meta(spec: ServiceSpec, ctx: ResolvedContext): NamespacedMeta {
    return { name: spec.name, namespace: spec.namespace, labels: objectLabels(spec, ctx) };
}

/**
 * DestinationRule for the service's FQDN: mTLS with Istio's certificates,
 * one subset per declared version (pods labelled `version: <name>`; none when
 * no versions are declared), and the connection pool and outlier detection of
 * `resilience` when declared.
 */
export function destinationRule(spec: ServiceSpec, ctx: ResolvedContext): DestinationRuleObject {
    const r = spec.resilience;
    const trafficPolicy: TrafficPolicy = {
        tls: { mode: "ISTIO_MUTUAL" },
        ...(connectionPool(r.connectionPool) ?? {}),
        ...(r.outlierDetection === undefined
            ? {}
            : {
                  outlierDetection: {
                      consecutive5xxErrors: r.outlierDetection.consecutive5xxErrors,
                      interval: protoDuration(r.outlierDetection.interval),
                      baseEjectionTime: protoDuration(r.outlierDetection.baseEjectionTime),
                      maxEjectionPercent: r.outlierDetection.maxEjectionPercent,
                  },
              }),
    };
    return {
        apiVersion: ISTIO_NETWORKING_API_VERSION,
        kind: "DestinationRule",
        metadata: meta(spec, ctx),
        spec: {
            host: serviceFqdn(spec, ctx.clusterDomain),
            trafficPolicy,
            ...(spec.versions.length === 0 ? {} : { subsets: spec.versions.map((v) => ({ name: v.name, labels: { [VERSION_LABEL]: v.name } })) }),
        },
    };
}

function connectionPool(pool: ServiceSpec["resilience"]["connectionPool"]): { connectionPool: ConnectionPoolSettings } | undefined {
    if (pool === undefined) {
        return undefined;
    }
    const http = definedOnly({
        http1MaxPendingRequests: pool.http1MaxPendingRequests,
        http2MaxRequests: pool.http2MaxRequests,
        maxRequestsPerConnection: pool.maxRequestsPerConnection,
    });
    const settings: ConnectionPoolSettings = {
        ...(pool.maxConnections === undefined ? {} : { tcp: { maxConnections: pool.maxConnections } }),
        ...(Object.keys(http).length === 0 ? {} : { http }),
    };
    return Object.keys(settings).length === 0 ? undefined : { connectionPool: settings };
}

/**
 * VirtualService for the service's FQDN. When a canary is declared, the route
 * matching its header comes first and sends everything to the canary's
 * version; then one default route holds every version with a weight above 0
 * (weights split traffic only among the destinations of one route), or the
 * host without a subset when no versions are declared. A single destination
 * gets no weight. Timeout and retries apply to both routes.
 */
export function virtualService(spec: ServiceSpec, ctx: ResolvedContext): VirtualServiceObject {
    const host = serviceFqdn(spec, ctx.clusterDomain);
    const http: HTTPRoute[] = [];
    if (spec.canary !== undefined) {
        const c = spec.canary;
        const match: StringMatch = c.equals !== undefined ? { exact: c.equals } : c.prefix !== undefined ? { prefix: c.prefix } : { regex: c.regex ?? "" };
        http.push({
            name: "canary",
            match: [{ headers: { [c.header]: match } }],
            route: [{ destination: { host, subset: c.version } }],
            ...routePolicy(spec.resilience),
        });
    }
    const weighted = spec.versions.filter((v) => v.weight > 0);
    // No versions declared: the Service's host itself, no subset, so any pod the Service selects
    // serves (a subset would need a `version` label nobody asked the workload for: 503 otherwise).
    const route: HTTPRouteDestination[] =
        weighted.length === 0
            ? [{ destination: { host } }]
            : weighted.length === 1
              ? [{ destination: { host, subset: weighted[0].name } }]
              : weighted.map((v) => ({ destination: { host, subset: v.name }, weight: v.weight }));
    http.push({ name: "default", route, ...routePolicy(spec.resilience) });
    return {
        apiVersion: ISTIO_NETWORKING_API_VERSION,
        kind: "VirtualService",
        metadata: meta(spec, ctx),
        spec: { hosts: [host], http },
    };
}

/**
 * The retry conditions a route gets. A VirtualService route serves every method, and Envoy's
 * retry policy has no method filter, so unless the service opts in (`retryNonIdempotent`), only
 * conditions where the request never reached the upstream are kept (SAFE_RETRY_ON): a POST that
 * failed with a 5xx or a reset after the service got it is not sent twice. When none of the
 * declared conditions is safe, connect-failure and refused-stream stand in.
 */
export function effectiveRetryOn(retries: Pick<NonNullable<ServiceSpec["resilience"]["retries"]>, "retryOn" | "retryNonIdempotent">): string {
    if (retries.retryNonIdempotent) return retries.retryOn;
    const safe = retries.retryOn.split(",").filter((c) => (SAFE_RETRY_ON as readonly string[]).includes(c));
    return (safe.length > 0 ? safe : ["connect-failure", "refused-stream"]).join(",");
}

/** Timeout and retries of a route; a fresh object per route (no shared references in the manifests). */
function routePolicy(r: ServiceSpec["resilience"]): { timeout?: string; retries?: HTTPRetry } {
    const retries: HTTPRetry | undefined =
        r.retries === undefined
            ? undefined
            : r.retries.attempts === 0
              ? { attempts: 0 }
              : {
                    attempts: r.retries.attempts,
                    ...(r.retries.perTryTimeout === undefined ? {} : { perTryTimeout: protoDuration(r.retries.perTryTimeout) }),
                    retryOn: effectiveRetryOn(r.retries),
                };
    return {
        ...(r.timeout === undefined ? {} : { timeout: protoDuration(r.timeout) }),
        ...(retries === undefined ? {} : { retries }),
    };
}

/**
 * The principals allowed to call the service: its declared callers (in
 * declaration order, without repeats), then Kong's proxy when the service is
 * exposed through the gateway.
 */
export function allowedPrincipals(spec: ServiceSpec, ctx: ResolvedContext): string[] {
    const principals = spec.allowFrom.map((c) => callerPrincipal(ctx.trustDomain, c));
    if (spec.gateway !== undefined) {
        principals.push(requireGateway(spec, ctx).principal);
    }
    return [...new Set(principals)];
}

/**
 * AuthorizationPolicy on the service's workload (pods labelled `app: <name>`):
 * ALLOW with one rule whose source lists the allowed principals. With nobody
 * allowed, the policy has no rules at all. That is deliberate: an ALLOW policy
 * without rules matches nothing, so every request to the workload is denied,
 * whereas a rule with an empty `principals` list would match every source.
 */
export function authorizationPolicy(spec: ServiceSpec, ctx: ResolvedContext): AuthorizationPolicyObject {
    const principals = allowedPrincipals(spec, ctx);
    return {
        apiVersion: ISTIO_SECURITY_API_VERSION,
        kind: "AuthorizationPolicy",
        metadata: meta(spec, ctx),
        spec: {
            selector: { matchLabels: { [WORKLOAD_LABEL]: spec.name } },
            action: "ALLOW",
            ...(principals.length === 0 ? {} : { rules: [{ from: [{ source: { principals } }] }] }),
        },
    };
}

/** The gateway facts, or an error naming the service that needs them. */
export function requireGateway(spec: ServiceSpec, ctx: ResolvedContext): NonNullable<ResolvedContext["gateway"]> {
    if (ctx.gateway === undefined) {
        throw new Error(`service "${spec.name}" (namespace ${spec.namespace}) declares gateway exposure, but no Kong gateway was given (MeshServiceArgs.gateway)`);
    }
    return ctx.gateway;
}
