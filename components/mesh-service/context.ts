/**
 * What the builders know besides the service's own declaration: whether the
 * mesh is on, the cluster and trust domains, and the plain facts about Kong
 * they need (its proxy's principal, its mode, its ingress class). The Platform
 * computes these once and hands the same object to every service.
 */
import { durationNanos, type ServiceSpec } from "../config/schema";
import type * as pulumi from "@pulumi/pulumi";
import { KONG_INGRESS_CLASS } from "../kong/types";

/** Plain facts about the Kong gateway a service is exposed through (no reference to the KongGateway component). */
export interface GatewayFacts {
    /** SPIFFE principal of Kong's proxy, e.g. `cluster.local/ns/kong/sa/kong-kong`; allowed to call every exposed service. */
    readonly principal: string;
    /** Kong runs without a database: no `oauth2`, rate-limiting policy `local` or `redis` only. */
    readonly dbless: boolean;
    /** IngressClass the Kong Ingress Controller watches. @default "kong" */
    readonly ingressClass?: string;
    /** The shared Redis for `policy: redis` rate limits; absent, `redis` is refused and the default policy is `local`. @default none */
    readonly rateLimitRedis?: RateLimitRedisFacts;
    /** Kong terminates TLS and port 80 redirects: routes take https only, http gets a 308. @default false */
    readonly httpsRedirect?: boolean;
    /** How routes reach Kong: an Ingress, or an HTTPRoute `<service>-edge` attached to `gatewayRef`. @default "ingress" */
    readonly api?: "ingress" | "gateway-api";
    /** The Kong Gateway edge HTTPRoutes attach to (`api: gateway-api`). @default kong/kong */
    readonly gatewayRef?: { readonly name: string; readonly namespace: string };
}

/** Where Kong's rate-limiting plugins keep shared counters (Kong 3.9 rate-limiting `config.redis`). */
export interface RateLimitRedisFacts {
    /** Host name; may be an Output (an ElastiCache endpoint known after creation). */
    readonly host: pulumi.Input<string>;
    readonly port: number;
    /** TLS to Redis (`redis.ssl`). */
    readonly ssl: boolean;
    /** Verify the server certificate against this name (`redis.ssl_verify` + `server_name`). @default no verification */
    readonly serverName?: string;
    /** Secret (in each service's namespace) and key holding the password, patched in by KIC (`configPatches`). @default no password */
    readonly passwordSecret?: { readonly name: string; readonly key: string };
}

export interface MeshServiceContext {
    /** Emit the Istio side (false: gateway-only mode). @default true */
    readonly mesh?: boolean;
    /** Kubernetes cluster DNS domain. @default "cluster.local" */
    readonly clusterDomain?: string;
    /** Istio trust domain, the first part of every principal. @default "cluster.local" */
    readonly trustDomain?: string;
    /** Kong, for services that declare `gateway`; required for them. */
    readonly gateway?: GatewayFacts;
    /** Labels added to every object. @default {} */
    readonly labels?: Record<string, string>;
    /** How the mesh routes to the versions: a VirtualService, or a Gateway API HTTPRoute on the Service (mesh-routes.ts). @default "virtualservice" */
    readonly meshRouting?: MeshRouting;
}

/** `mesh.routing` of a stack. */
export type MeshRouting = "virtualservice" | "gateway-api";

/** The context with every default applied. */
export interface ResolvedContext {
    readonly mesh: boolean;
    readonly clusterDomain: string;
    readonly trustDomain: string;
    readonly gateway?: GatewayFacts & Required<Pick<GatewayFacts, "principal" | "dbless" | "ingressClass">>;
    readonly labels: Record<string, string>;
    readonly meshRouting: MeshRouting;
}

const defaults = {
    mesh: true,
    clusterDomain: "cluster.local",
    trustDomain: "cluster.local",
    ingressClass: KONG_INGRESS_CLASS,
} as const;

export function resolveContext(ctx: MeshServiceContext = {}): ResolvedContext {
    return {
        mesh: ctx.mesh ?? defaults.mesh,
        clusterDomain: ctx.clusterDomain ?? defaults.clusterDomain,
        trustDomain: ctx.trustDomain ?? defaults.trustDomain,
        gateway: ctx.gateway === undefined ? undefined : { ...ctx.gateway, ingressClass: ctx.gateway.ingressClass ?? defaults.ingressClass },
        labels: ctx.labels ?? {},
        meshRouting: ctx.meshRouting ?? "virtualservice",
    };
}

/** The service's cluster FQDN, `<name>.<namespace>.svc.<cluster domain>`: the host of its DestinationRule and VirtualService and the Host Kong sends. */
export function serviceFqdn(spec: Pick<ServiceSpec, "name" | "namespace">, clusterDomain: string = defaults.clusterDomain): string {
    return `${spec.name}.${spec.namespace}.svc.${clusterDomain}`;
}

/** Istio principal of a workload: `<trust domain>/ns/<namespace>/sa/<service account>`. */
export function workloadPrincipal(trustDomain: string, namespace: string, serviceAccount: string): string {
    return `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/** The principal of a caller written `<namespace>/<serviceaccount>` in `allowFrom`. */
export function callerPrincipal(trustDomain: string, caller: ServiceSpec["allowFrom"][number]): string {
    const ref = typeof caller === "string" ? caller : caller.principal;
    const slash = ref.indexOf("/");
    return workloadPrincipal(trustDomain, ref.slice(0, slash), ref.slice(slash + 1));
}

/** Label on the workload's pods that the Service and the AuthorizationPolicy select. */
export const WORKLOAD_LABEL = "app";
/** Label on the workload's pods that names its version (the DestinationRule's subsets). */
export const VERSION_LABEL = "version";

/** Labels of every object emitted for a service. */
export function objectLabels(spec: Pick<ServiceSpec, "name">, ctx: ResolvedContext): Record<string, string> {
    return { ...ctx.labels, "app.kubernetes.io/name": spec.name, "app.kubernetes.io/managed-by": "meshgate" };
}

/**
 * A Go-style duration ("1m30s", "250ms") as a protobuf Duration in JSON form
 * (seconds with an `s` suffix: "90s", "0.25s"). Istio's CEL rules accept both,
 * but istiod converts the object with protobuf JSON rules, which take only
 * the seconds form; emitting it avoids depending on which parser runs.
 */
export function protoDuration(text: string): string {
    const nanos = durationNanos(text);
    if (nanos === undefined) {
        throw new Error(`"${text}" is not a duration`);
    }
    const total = Math.round(nanos);
    const seconds = Math.floor(total / 1e9);
    const fraction = total % 1e9;
    return fraction === 0 ? `${seconds}s` : `${seconds}.${String(fraction).padStart(9, "0").replace(/0+$/, "")}s`;
}
