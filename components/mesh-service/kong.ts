/**
 * The Kong side of an exposed service: pure builders from its `gateway`
 * declaration to the KongPlugins (configs valid for Kong 3.9) and the Ingress
 * that the Kong Ingress Controller 3.5 turns into a route.
 */
import type { ServiceSpec } from "../config/schema";
import { kongPluginObject, pluginsAnnotation, type KongPluginObject } from "../kong/plugins";
import { objectLabels, type RateLimitRedisFacts, type ResolvedContext } from "./context";
import { edgePaths, isGrpc } from "../config/grpc";
import { requireGateway } from "./istio";
import { SKIP_AWAIT } from "./service";
import type { IngressObject, IngressPath } from "./types";
import { definedOnly } from "../util";

export type GatewayExposure = NonNullable<ServiceSpec["gateway"]>;

/** Kong plugins a service's exposure can use, in the order they are attached. */
export const SERVICE_PLUGINS = ["key-auth", "jwt", "oauth2", "acl", "rate-limiting", "cors", "ip-restriction", "request-size-limiting", "request-transformer"] as const;
export type ServicePluginName = (typeof SERVICE_PLUGINS)[number];

/** Where key-auth looks for the key (header or query parameter). */
export const KEY_AUTH_KEY_NAMES = ["apikey"];

/** KIC annotations meshgate sets on a route's Ingress. */
export const INGRESS_ANNOTATIONS = {
    plugins: "konghq.com/plugins",
    methods: "konghq.com/methods",
    stripPath: "konghq.com/strip-path",
    preserveHost: "konghq.com/preserve-host",
    protocols: "konghq.com/protocols",
    httpsRedirect: "konghq.com/https-redirect-status-code",
    /** Declares a route public on purpose (`auth: none`); the policy pack asks for it on unauthenticated routes. */
    publicRoute: "meshgate.io/auth",
} as const;

/**
 * The `config` of each Kong plugin the exposure needs, by plugin name, in
 * attachment order. Only fields that differ from Kong's defaults or that
 * meshgate wants explicit are set.
 */
export function pluginConfigs(spec: ServiceSpec, ctx: ResolvedContext): { plugin: ServicePluginName; config: Record<string, unknown> }[] {
    const gw = spec.gateway;
    if (gw === undefined) {
        return [];
    }
    const { dbless } = requireGateway(spec, ctx);
    const out: { plugin: ServicePluginName; config: Record<string, unknown> }[] = [];
    // With cors, a browser's preflight (OPTIONS, no credentials) must reach the cors plugin:
    // Kong 3.9 key-auth/jwt default run_on_preflight to true and would answer it 401.
    const preflight = gw.cors === undefined ? {} : { run_on_preflight: false };
    switch (gw.auth) {
        case "key-auth":
            // The key is stripped before the request goes upstream, and read from the header only:
            // a key in the query string ends up in access logs, proxies and browser history.
            out.push({ plugin: "key-auth", config: { key_names: [...KEY_AUTH_KEY_NAMES], hide_credentials: true, key_in_query: false, ...preflight } });
            break;
        case "jwt":
            out.push({ plugin: "jwt", config: { claims_to_verify: ["exp"], ...preflight } });
            break;
        case "oauth2":
            if (dbless) {
                throw new Error(`service "${spec.name}": oauth2 needs Kong with a database (gateway.mode: postgres); in dbless mode use key-auth, jwt or none`);
            }
            out.push({ plugin: "oauth2", config: { enable_client_credentials: true, hide_credentials: true } });
            break;
        case "none":
            break;
    }
    if (gw.consumers !== undefined) {
        // Each consumer carries an acl credential whose group is its name.
        out.push({ plugin: "acl", config: { allow: [...gw.consumers], hide_groups_header: true } });
    }
    if (gw.rateLimit !== undefined) {
        out.push({ plugin: "rate-limiting", config: rateLimitingConfig(spec, gw, gw.rateLimit, dbless, requireGateway(spec, ctx).rateLimitRedis) });
    }
    if (gw.cors !== undefined) {
        const c = gw.cors;
        out.push({
            plugin: "cors",
            config: {
                origins: [...c.origins],
                ...(c.methods === undefined ? {} : { methods: [...c.methods] }),
                ...(c.headers === undefined ? {} : { headers: [...c.headers] }),
                credentials: c.credentials,
                ...(c.maxAge === undefined ? {} : { max_age: c.maxAge }),
            },
        });
    }
    if (gw.ipRestriction !== undefined) {
        const r = gw.ipRestriction;
        out.push({
            plugin: "ip-restriction",
            config: { ...(r.allow.length > 0 ? { allow: [...r.allow] } : {}), ...(r.deny.length > 0 ? { deny: [...r.deny] } : {}) },
        });
    }
    if (gw.maxRequestMegabytes !== undefined) {
        out.push({ plugin: "request-size-limiting", config: requestSizeConfig(gw.maxRequestMegabytes) });
    }
    if (spec.canary !== undefined && !spec.canary.clientSelectable) {
        // The canary header selects a version inside the mesh; from the internet it would let any
        // client pin itself to the canary. Kong drops it before the request goes upstream.
        out.push({ plugin: "request-transformer", config: { remove: { headers: [spec.canary.header] } } });
    }
    return out;
}

function rateLimitingConfig(
    spec: ServiceSpec,
    gw: GatewayExposure,
    rl: NonNullable<GatewayExposure["rateLimit"]>,
    dbless: boolean,
    redis: RateLimitRedisFacts | undefined,
): Record<string, unknown> {
    const policy = rl.policy ?? (redis !== undefined ? "redis" : "local");
    if (dbless && policy === "cluster") {
        throw new Error(`service "${spec.name}": rate-limiting policy cluster needs Kong with a database; in dbless mode use local or redis`);
    }
    if (policy === "redis" && redis === undefined) {
        throw new Error(`service "${spec.name}": rate-limiting policy redis needs a Redis (gateway.rateLimitRedis; GatewayFacts.rateLimitRedis)`);
    }
    const limitBy = rl.limitBy ?? (gw.auth === "none" ? "ip" : "consumer");
    // Kong 3.9 rate-limiting entity checks: limit_by header needs header_name, path needs path.
    if (limitBy === "header" && rl.headerName === undefined) throw new Error(`service "${spec.name}": rateLimit.limitBy header needs rateLimit.headerName`);
    if (limitBy === "path" && rl.path === undefined) throw new Error(`service "${spec.name}": rateLimit.limitBy path needs rateLimit.path`);
    const windows = definedOnly({ second: rl.second, minute: rl.minute, hour: rl.hour, day: rl.day, month: rl.month, year: rl.year });
    return {
        ...windows,
        policy,
        // Default: per consumer when requests are authenticated, per client IP otherwise.
        limit_by: limitBy,
        ...(limitBy === "header" ? { header_name: rl.headerName } : {}),
        ...(limitBy === "path" ? { path: rl.path } : {}),
        ...(policy === "redis" && redis !== undefined
            ? {
                  redis: {
                      host: redis.host,
                      port: redis.port,
                      ssl: redis.ssl,
                      ...(redis.serverName !== undefined ? { ssl_verify: true, server_name: redis.serverName } : {}),
                  },
              }
            : {}),
    };
}

/** Kong's `allowed_payload_size` is an integer: whole megabytes as such, anything else in bytes (Kong's megabyte is 10^6 bytes). */
function requestSizeConfig(megabytes: number): Record<string, unknown> {
    return Number.isInteger(megabytes) ? { allowed_payload_size: megabytes, size_unit: "megabytes" } : { allowed_payload_size: Math.round(megabytes * 1e6), size_unit: "bytes" };
}

/** A JSON patch KIC applies to a KongPlugin's config from a Secret (CRD field `configPatches`). */
export interface KongConfigPatch {
    readonly path: string;
    readonly valueFrom: { readonly secretKeyRef: { readonly name: string; readonly key: string } };
}

/** A KongPlugin manifest, possibly completed from Secrets through `configPatches`. */
export type ServicePlugin = KongPluginObject & { readonly configPatches?: readonly KongConfigPatch[] };

/** Key of the oauth2 provision key in its Secret. */
export const OAUTH2_PROVISION_KEY = "provision_key";

/** Name of the Secret holding a service's oauth2 provision key (generated, never in the KongPlugin itself). */
export function oauth2SecretName(spec: Pick<ServiceSpec, "name">): string {
    return `${spec.name}-oauth2`;
}

/**
 * One KongPlugin per plugin the exposure needs, named `<service>-<plugin>`, in
 * the service's namespace (where the Ingress is). The oauth2 plugin's
 * `provision_key` is secret: KIC patches it in from the Secret
 * {@link oauth2SecretName}, so it never appears in the KongPlugin.
 */
export function kongPlugins(spec: ServiceSpec, ctx: ResolvedContext): ServicePlugin[] {
    return pluginConfigs(spec, ctx).map(({ plugin, config }) => {
        const obj = kongPluginObject({ name: `${spec.name}-${plugin}`, namespace: spec.namespace, plugin, config, labels: objectLabels(spec, ctx) });
        if (plugin === "oauth2") {
            const patch: KongConfigPatch = { path: `/${OAUTH2_PROVISION_KEY}`, valueFrom: { secretKeyRef: { name: oauth2SecretName(spec), key: OAUTH2_PROVISION_KEY } } };
            return { ...obj, configPatches: [patch] };
        }
        const password = ctx.gateway?.rateLimitRedis?.passwordSecret;
        if (plugin === "rate-limiting" && config.policy === "redis" && password !== undefined) {
            // The Redis password never sits in the KongPlugin: KIC 3.5 patches it in from the
            // Secret (CRD kongplugins.configuration.konghq.com v1 `configPatches[].valueFrom.secretKeyRef`).
            const patch: KongConfigPatch = { path: "/redis/password", valueFrom: { secretKeyRef: { name: password.name, key: password.key } } };
            return { ...obj, configPatches: [patch] };
        }
        return obj;
    });
}

/** The route's methods: as declared, plus OPTIONS when cors is on (a browser's preflight must reach the cors plugin, or Kong answers 404). Empty: any method. */
export function routeMethods(gw: GatewayExposure): string[] {
    if (gw.methods.length === 0) return [];
    return gw.cors !== undefined && !gw.methods.includes("OPTIONS") ? [...gw.methods, "OPTIONS"] : [...gw.methods];
}

/**
 * `konghq.com/protocols` of a gRPC service's Ingress (KIC 3.5 annotations.go ProtocolsKey): the
 * route serves gRPC only, never HTTP/1.1. `grpcs` alone when port 80 redirects (a gRPC client
 * follows no redirect: plaintext calls are refused), else `grpc,grpcs` as KIC's own gRPC examples
 * (a grpc call on Kong's plain listener still fails there: it does not speak HTTP/2).
 */
export function grpcRouteProtocols(httpsOnly: boolean): string {
    return httpsOnly ? "grpcs" : "grpc,grpcs";
}

/**
 * Path type per KIC: a path starting with `/~` is a Kong regex and must be
 * `ImplementationSpecific`; any other path is a `Prefix` (the path itself and
 * everything below it).
 */
export function ingressPath(path: string, spec: ServiceSpec): IngressPath {
    return {
        path,
        pathType: path.startsWith("/~") ? "ImplementationSpecific" : "Prefix",
        backend: { service: { name: spec.name, port: { number: spec.port } } },
    };
}

/**
 * The Ingress routing the exposure's paths (per host, or for any host) to
 * the service's port, with its plugins attached by `konghq.com/plugins`, its
 * methods, its strip-path choice, and `preserve-host: "false"` so that Kong
 * sends the Host set on the Service (`konghq.com/host-header`, the FQDN) and
 * the VirtualService matches.
 */
export function ingress(spec: ServiceSpec, ctx: ResolvedContext, plugins: ServicePlugin[]): IngressObject {
    const gw = spec.gateway;
    if (gw === undefined) {
        throw new Error(`service "${spec.name}" is not exposed (no gateway); it has no Ingress`);
    }
    const { ingressClass } = requireGateway(spec, ctx);
    const paths = () => edgePaths(spec).map((p) => ingressPath(p, spec));
    const annotations: Record<string, string> = {
        ...(plugins.length > 0 ? { [INGRESS_ANNOTATIONS.plugins]: pluginsAnnotation(plugins) } : {}),
        ...(gw.methods.length > 0 ? { [INGRESS_ANNOTATIONS.methods]: routeMethods(gw).join(",") } : {}),
        // Kong terminates TLS and port 80 redirects: the route takes https, http gets a 308 (method and body kept).
        ...(requireGateway(spec, ctx).httpsRedirect === true && !isGrpc(spec) ? { [INGRESS_ANNOTATIONS.protocols]: "https", [INGRESS_ANNOTATIONS.httpsRedirect]: "308" } : {}),
        ...(isGrpc(spec) ? { [INGRESS_ANNOTATIONS.protocols]: grpcRouteProtocols(requireGateway(spec, ctx).httpsRedirect === true) } : {}),
        [INGRESS_ANNOTATIONS.stripPath]: String(gw.stripPath),
        [INGRESS_ANNOTATIONS.preserveHost]: "false",
        ...(gw.auth === "none" ? { [INGRESS_ANNOTATIONS.publicRoute]: "none" } : {}),
        [SKIP_AWAIT]: "true",
    };
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: { name: spec.name, namespace: spec.namespace, labels: objectLabels(spec, ctx), annotations },
        spec: {
            ingressClassName: ingressClass,
            rules: gw.hosts.length === 0 ? [{ http: { paths: paths() } }] : gw.hosts.map((host) => ({ host, http: { paths: paths() } })),
        },
    };
}
