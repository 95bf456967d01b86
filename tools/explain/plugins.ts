/**
 * Kong's plugin chain for one request: which plugin instances apply (KIC 3.5
 * attachment by `konghq.com/plugins` on Ingress, Service and KongConsumer,
 * global KongClusterPlugins), in the order Kong 3.9 runs them (PRIORITY in
 * kong/plugins/<name>/handler.lua), and what each decides.
 */
import type { KongRoute } from "./edge";
import type { ModelIndex } from "./model-index";
import { annotations, get, isObj, labels, nameOf, nsOf, num, obj, str, strs, splitList } from "./objects";
import type { K8sObject } from "./types";
import type { Walk } from "./walk";

/** Kong 3.9.3 plugin priorities: `PRIORITY` in kong/plugins/<name>/handler.lua. Higher runs first. */
export const KONG_PRIORITIES: Readonly<Record<string, number>> = {
    "correlation-id": 100001,
    zipkin: 100000,
    "bot-detection": 2500,
    cors: 2000,
    session: 1900,
    acme: 1705,
    jwt: 1450,
    oauth2: 1400,
    "key-auth": 1250,
    "ldap-auth": 1200,
    "basic-auth": 1100,
    "hmac-auth": 1030,
    "grpc-gateway": 998,
    "ip-restriction": 990,
    "request-size-limiting": 951,
    acl: 950,
    "rate-limiting": 910,
    "response-ratelimiting": 900,
    "request-transformer": 801,
    "response-transformer": 800,
    redirect: 779,
    "aws-lambda": 750,
    "proxy-cache": 100,
    opentelemetry: 14,
    prometheus: 13,
    "http-log": 12,
    statsd: 11,
    datadog: 10,
    "file-log": 9,
    "request-termination": 2,
};

/** Authentication plugins and the credential type (`konghq.com/credential` label value) each accepts. */
export const AUTH_PLUGINS: Readonly<Record<string, string>> = {
    "key-auth": "key-auth",
    jwt: "jwt",
    "basic-auth": "basic-auth",
    "hmac-auth": "hmac-auth",
    oauth2: "oauth2",
    "ldap-auth": "ldap-auth",
};

export interface PluginInstance {
    readonly name: string;
    readonly object: K8sObject;
    readonly config: Record<string, unknown>;
    /** Where it is attached: route (Ingress), service, consumer or global. */
    readonly scope: "route" | "service" | "consumer" | "global";
}

function resolvePlugin(index: ModelIndex, namespace: string, name: string): K8sObject | undefined {
    // KIC 3.5: a konghq.com/plugins name is a KongPlugin in the object's namespace, else a KongClusterPlugin.
    return index.kongPlugins.get(`${namespace}/${name}`) ?? index.kongClusterPlugins.get(name);
}

function instances(index: ModelIndex, owner: K8sObject | undefined, scope: PluginInstance["scope"], missing: string[], extra: readonly string[] = []): PluginInstance[] {
    if (!owner) return [];
    const out: PluginInstance[] = [];
    for (const n of [...splitList(annotations(owner)["konghq.com/plugins"]), ...extra]) {
        const o = resolvePlugin(index, nsOf(owner), n);
        if (!o) {
            missing.push(`${n} (on ${owner.kind} ${nsOf(owner)}/${nameOf(owner)})`);
            continue;
        }
        if (o.disabled === true) continue;
        out.push({ name: str(o.plugin) ?? n, object: o, config: obj(o.config), scope });
    }
    return out;
}

const globalCache = new WeakMap<ModelIndex, PluginInstance[]>();

/** KongClusterPlugins labelled `global: "true"` of Kong's ingress class (KIC 3.5 global plugins). */
export function globalPlugins(index: ModelIndex): PluginInstance[] {
    const cached = globalCache.get(index);
    if (cached) return cached;
    const out: PluginInstance[] = [];
    for (const o of index.kongClusterPlugins.values()) {
        const cls = annotations(o)["kubernetes.io/ingress.class"];
        if (labels(o).global === "true" && (cls === undefined || cls === index.kong.ingressClass) && o.disabled !== true) {
            out.push({ name: str(o.plugin) ?? nameOf(o), object: o, config: obj(o.config), scope: "global" });
        }
    }
    globalCache.set(index, out);
    return out;
}

/**
 * The effective instance per plugin name. Kong 3.9 plugin precedence
 * (docs: Plugins → Precedence): consumer > route > service > global.
 */
export function effectivePlugins(index: ModelIndex, route: KongRoute, service: K8sObject | undefined, consumer: K8sObject | undefined, missing: string[]): PluginInstance[] {
    const byName = new Map<string, PluginInstance>();
    for (const list of [
        globalPlugins(index),
        instances(index, service, "service", missing),
        instances(index, route.ingress, "route", missing, route.filterPlugins),
        instances(index, consumer, "consumer", missing),
    ]) {
        // Kong 3.9 kong/db/dao/plugins.lua check_protocols_match: a plugin whose `protocols` match none of its route's is refused, so it never runs there.
        for (const p of list) {
            const protocols = strs(p.object.protocols);
            if (protocols.length === 0 || protocols.some((x) => route.protocols.includes(x))) byName.set(p.name, p);
        }
    }
    return [...byName.values()].sort((a, b) => (KONG_PRIORITIES[b.name] ?? 0) - (KONG_PRIORITIES[a.name] ?? 0));
}

/** Credential types (label `konghq.com/credential`) a KongConsumer holds, from the Secrets it names. */
export function consumerCredentials(index: ModelIndex, consumer: K8sObject): { type: string; secret: K8sObject }[] {
    const out: { type: string; secret: K8sObject }[] = [];
    for (const name of strs(consumer.credentials)) {
        const s = index.secrets.get(`${nsOf(consumer)}/${name}`);
        const type = s ? labels(s)["konghq.com/credential"] : undefined;
        if (s && type) out.push({ type, secret: s });
    }
    return out;
}

/** A credential Secret's field (stringData, or base64 data); undefined when the plan masks it. */
function secretField(secret: K8sObject, key: string): string | undefined {
    const sd = secret.stringData;
    if (isObj(sd) && typeof sd[key] === "string") return sd[key];
    const d = secret.data;
    if (isObj(d) && typeof d[key] === "string") return Buffer.from(d[key], "base64").toString("utf8");
    return undefined;
}

export interface ChainState {
    headers: Record<string, string>;
    consumer: K8sObject | undefined;
    consumerName: string | null;
    authenticated: boolean;
}

/** Effective limit of a rate-limiting plugin across Kong's replicas (policy local counts per node). */
function rateLimitText(index: ModelIndex, p: PluginInstance, clientIpPreserved: boolean, state: ChainState): string {
    const windows = ["second", "minute", "hour", "day", "month", "year"].filter((w) => num(p.config[w]) !== undefined);
    const limits = windows.map((w) => `${num(p.config[w])}/${w}`).join(", ") || "no limit set";
    const policy = str(p.config.policy) ?? "local";
    const limitBy = str(p.config.limit_by) ?? "consumer";
    const v = index.kong.values;
    const hpa = get(v, "autoscaling", "enabled") === true;
    const replicas = num(get(v, "replicaCount")) ?? 1;
    const min = num(get(v, "autoscaling", "minReplicas")) ?? 2;
    const max = num(get(v, "autoscaling", "maxReplicas")) ?? 5;
    let effective: string;
    // Kong 3.9 rate-limiting policies: local counts in each node's memory; cluster (database) and redis share one counter.
    if (policy === "local") {
        const scale = (n: number) => windows.map((w) => `${(num(p.config[w]) ?? 0) * n}/${w}`).join(", ");
        effective = hpa
            ? `policy local counts per Kong node: with the HPA's ${min}–${max} replicas a client may get up to ${scale(min)} to ${scale(max)} (the NLB spreads connections)`
            : replicas > 1
              ? `policy local counts per Kong node: with ${replicas} replicas a client may get up to ${scale(replicas)}`
              : "policy local on 1 replica: the limit is exact";
    } else {
        effective = `policy ${policy}: one counter shared by all Kong nodes, the limit holds across replicas`;
    }
    // rate-limiting handler.lua get_identifier: consumer → credential → forwarded IP.
    let who: string;
    if (limitBy === "consumer" || limitBy === "credential") {
        who = state.consumerName !== null ? `counted per ${limitBy} (${state.consumerName})` : `no ${limitBy} identified: counted per client IP`;
    } else if (limitBy === "ip") {
        who = "counted per client IP";
    } else {
        who = `counted per ${limitBy}`;
    }
    if (who.endsWith("client IP") && !clientIpPreserved) who += ", but Kong sees the NLB's address, so clients behind the same NLB node share one counter";
    return `${limits}, ${who}; ${effective}; over the limit Kong answers 429`;
}

/** request-transformer's header operations in its order (Kong 3.9 kong/plugins/request-transformer/access.lua: remove, rename, replace, add, append). */
export function transformHeaders(config: Record<string, unknown>, headers: Record<string, string>): string[] {
    const changes: string[] = [];
    const pairs = (list: unknown) =>
        strs(list).map((s) => {
            const i = s.indexOf(":");
            return i < 0 ? [s.toLowerCase(), ""] : [s.slice(0, i).trim().toLowerCase(), s.slice(i + 1).trim()];
        });
    for (const name of strs(get(config, "remove", "headers"))) {
        const n = name.toLowerCase();
        if (n in headers) {
            delete headers[n];
            changes.push(`removes ${n}`);
        }
    }
    for (const [from, to] of pairs(get(config, "rename", "headers"))) {
        if (from in headers) {
            headers[to.toLowerCase()] = headers[from];
            delete headers[from];
            changes.push(`renames ${from} to ${to}`);
        }
    }
    for (const [n, val] of pairs(get(config, "replace", "headers"))) {
        if (n in headers) {
            headers[n] = val;
            changes.push(`replaces ${n} with ${val}`);
        }
    }
    for (const [n, val] of pairs(get(config, "add", "headers"))) {
        if (!(n in headers)) {
            headers[n] = val;
            changes.push(`adds ${n}: ${val}`);
        }
    }
    for (const [n, val] of pairs(get(config, "append", "headers"))) {
        headers[n] = n in headers ? `${headers[n]}, ${val}` : val;
        changes.push(`appends ${n}: ${val}`);
    }
    return changes;
}

function isPreflight(method: string, headers: Record<string, string>): boolean {
    // Kong 3.9 kong/plugins/cors/handler.lua access: OPTIONS with Origin and Access-Control-Request-Method.
    return method === "OPTIONS" && headers.origin !== undefined && headers["access-control-request-method"] !== undefined;
}

function originAllowed(config: Record<string, unknown>, origin: string | undefined): boolean {
    const origins = strs(config.origins);
    if (origins.length === 0 || origins.includes("*")) return true;
    if (origin === undefined) return false;
    return origins.some(
        (o) =>
            o === origin ||
            (/[\\^$*+?()[\]{}|]/.test(o) &&
                (() => {
                    try {
                        return new RegExp(`^${o}$`).test(origin);
                    } catch {
                        return false;
                    }
                })()),
    );
}

/**
 * Runs the plugins' access phase in priority order. The first plugin that
 * answers ends it (Kong 3.9 kong/init.lua execute_collecting_plugins_iterator
 * stops once ctx.delayed_response is set).
 */
export function runPlugins(
    index: ModelIndex,
    route: KongRoute,
    service: K8sObject | undefined,
    req: { method: string; consumer: string | null; contentLength?: number },
    state: ChainState,
    clientIpPreserved: boolean,
    walk: Walk,
): boolean {
    const missing: string[] = [];
    const declaredConsumer = req.consumer !== null ? index.consumers.get(req.consumer) : undefined;
    // Consumer-scoped plugins apply once authentication identifies the consumer; resolve them up front with the declared consumer.
    const plugins = effectivePlugins(index, route, service, declaredConsumer, missing);
    if (missing.length > 0) {
        // KIC 3.5 skips a konghq.com/plugins name it cannot resolve (and logs an event); the route stays, without it.
        walk.info("kong-plugin", "Kong plugins", `not found, so not applied: ${missing.join(", ")}`, route.ingress, 'metadata.annotations["konghq.com/plugins"]');
    }
    const names = plugins.map((p) => `${p.name} (${KONG_PRIORITIES[p.name] ?? "priority unknown to the model"})`);
    walk.info(
        "kong-plugin",
        "Kong plugin chain",
        names.length > 0 ? `runs in priority order: ${names.join(" → ")}` : "no plugins apply",
        route.ingress,
        'metadata.annotations["konghq.com/plugins"]',
    );
    const preflight = isPreflight(req.method, state.headers);
    const auth = plugins.filter((p) => AUTH_PLUGINS[p.name] !== undefined);
    const anonymousOr = auth.some((p) => str(p.config.anonymous) !== undefined && str(p.config.anonymous) !== "");
    for (const p of plugins) {
        const title = `Kong plugin ${p.name}`;
        const f = "config";
        if (p.name === "cors") {
            if (!preflight) {
                const origin = state.headers.origin;
                const adds =
                    origin === undefined
                        ? "no Origin header, so no CORS headers on the response"
                        : originAllowed(p.config, origin)
                          ? `adds Access-Control-Allow-Origin for ${origin} to the response`
                          : `${origin} is not in config.origins: no Access-Control-Allow-Origin, the browser will not expose the response`;
                walk.pass("kong-plugin", title, `not a preflight: passes; ${adds}`, p.object, "config.origins");
                continue;
            }
            if (p.config.preflight_continue === true) {
                walk.pass("kong-plugin", title, "preflight passed on to the upstream (preflight_continue: true)", p.object, "config.preflight_continue");
                continue;
            }
            const allowed = originAllowed(p.config, state.headers.origin);
            const methods = strs(p.config.methods);
            const text = `answers the preflight itself with 200 (Access-Control-Allow-Methods: ${methods.length > 0 ? methods.join(",") : "GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT"})${allowed ? "" : `, but without Access-Control-Allow-Origin: ${state.headers.origin ?? "no Origin"} is not in config.origins, so the browser refuses`}; later plugins do not run`;
            walk.add("kong-plugin", title, text, allowed ? "pass" : "refuse", p.object, "config.origins");
            walk.stop = {
                status: 200,
                hop: "kong-plugin",
                reason: allowed ? "CORS preflight answered by Kong's cors plugin" : "CORS preflight answered by Kong without Access-Control-Allow-Origin: the browser refuses",
                answered: allowed,
            };
            return false;
        }
        const credType = AUTH_PLUGINS[p.name];
        if (credType !== undefined) {
            if (req.method === "OPTIONS" && p.config.run_on_preflight === false) {
                walk.pass("kong-plugin", title, "OPTIONS request: not authenticated (run_on_preflight: false)", p.object, "config.run_on_preflight");
                continue;
            }
            if (p.name === "oauth2" && get(index.kong.values, "env", "database") === "off") {
                walk.info("kong-plugin", title, "oauth2 needs a database; Kong runs DB-less (env.database: off) and rejects this plugin's configuration", p.object, null);
            }
            const anonymous = str(p.config.anonymous);
            let holds: boolean;
            let who: string;
            if (req.consumer !== null) {
                if (!declaredConsumer) {
                    holds = false;
                    who = `no KongConsumer ${req.consumer} among the objects, so its credential is unknown to Kong`;
                } else {
                    const creds = consumerCredentials(index, declaredConsumer).filter((c) => c.type === credType);
                    holds = creds.length > 0;
                    who = holds
                        ? `${req.consumer} holds a ${credType} credential (Secret ${nsOf(creds[0].secret)}/${nameOf(creds[0].secret)})`
                        : `${req.consumer} holds no ${credType} credential (labels konghq.com/credential of its Secrets: ${
                              consumerCredentials(index, declaredConsumer)
                                  .map((c) => c.type)
                                  .join(", ") || "none"
                          })`;
                }
            } else {
                const keyNames = p.name === "key-auth" ? (strs(p.config.key_names).length > 0 ? strs(p.config.key_names) : ["apikey"]) : [];
                const carried =
                    p.name === "key-auth"
                        ? keyNames.find((k) => state.headers[k.toLowerCase()] !== undefined)
                        : p.name === "jwt" || p.name === "basic-auth" || p.name === "hmac-auth"
                          ? state.headers.authorization !== undefined
                              ? "authorization"
                              : undefined
                          : undefined;
                holds = carried !== undefined;
                who = holds
                    ? `a credential is sent in ${carried}; whose it is is unknown (give --consumer), assumed valid`
                    : `no credential sent${p.name === "key-auth" ? ` (key_names: ${keyNames.join(", ")})` : ""}`;
            }
            if (holds) {
                state.authenticated = true;
                if (req.consumer !== null) {
                    state.consumer = declaredConsumer;
                    state.consumerName = req.consumer;
                }
                walk.pass(
                    "kong-plugin",
                    title,
                    `authenticated: ${who}${p.config.hide_credentials === true ? "; the credential is removed before proxying (hide_credentials)" : ""}`,
                    p.object,
                    f,
                );
                continue;
            }
            if (anonymous !== undefined && anonymous !== "") {
                walk.pass("kong-plugin", title, `${who}: continues as the anonymous consumer ${anonymous} (config.anonymous)`, p.object, "config.anonymous");
                continue;
            }
            if (anonymousOr && state.authenticated) {
                walk.pass("kong-plugin", title, `${who}, but another authentication plugin already identified the consumer (anonymous set: logical OR)`, p.object, f);
                continue;
            }
            // key-auth/jwt handler.lua: missing or unknown credential → 401.
            return walk.refuse("kong-plugin", title, 401, `${p.name} refuses: ${who}; Kong answers 401`, p.object, f);
        }
        switch (p.name) {
            case "ip-restriction": {
                const allow = strs(p.config.allow);
                const deny = strs(p.config.deny);
                walk.info(
                    "kong-plugin",
                    title,
                    `${allow.length > 0 ? `allows only ${allow.join(", ")}` : ""}${deny.length > 0 ? ` denies ${deny.join(", ")}` : ""} (403 otherwise); it judges ${clientIpPreserved ? "the client's address" : "the NLB's private address, not the client's: the lists see every client as the load balancer"}`,
                    p.object,
                    "config",
                );
                continue;
            }
            case "request-size-limiting": {
                const size = num(p.config.allowed_payload_size) ?? 128;
                const unit = str(p.config.size_unit) ?? "megabytes";
                const bytes = size * (unit === "kilobytes" ? 1024 : unit === "bytes" ? 1 : 1024 * 1024);
                if (req.contentLength !== undefined && req.contentLength > bytes) {
                    return walk.refuse(
                        "kong-plugin",
                        title,
                        413,
                        `Content-Length ${req.contentLength} exceeds ${size} ${unit}: Kong answers 413`,
                        p.object,
                        "config.allowed_payload_size",
                    );
                }
                walk.pass(
                    "kong-plugin",
                    title,
                    `bodies up to ${size} ${unit}${req.contentLength !== undefined ? ` (this one: ${req.contentLength} bytes)` : ""}`,
                    p.object,
                    "config.allowed_payload_size",
                );
                continue;
            }
            case "acl": {
                const allow = strs(p.config.allow);
                const deny = strs(p.config.deny);
                // Kong 3.9 kong/plugins/acl/handler.lua: no authenticated consumer → 401; group not allowed / denied → 403.
                if (!state.authenticated || state.consumer === undefined) {
                    if (!state.authenticated) return walk.refuse("kong-plugin", title, 401, "no authenticated consumer: acl answers 401", p.object, "config");
                    walk.info(
                        "kong-plugin",
                        title,
                        `the consumer is not known (no --consumer): cannot check groups ${allow.length > 0 ? `allow ${allow.join(", ")}` : `deny ${deny.join(", ")}`}`,
                        p.object,
                        "config",
                    );
                    continue;
                }
                const groups = consumerCredentials(index, state.consumer)
                    .filter((c) => c.type === "acl")
                    .map((c) => secretField(c.secret, "group"));
                if (groups.length === 0) {
                    return walk.refuse(
                        "kong-plugin",
                        title,
                        403,
                        `${state.consumerName} belongs to no acl group: acl answers 403 "You cannot consume this service"`,
                        p.object,
                        "config",
                    );
                }
                if (groups.some((g) => g === undefined)) {
                    walk.info(
                        "kong-plugin",
                        title,
                        `${state.consumerName}'s acl group is in a Secret whose value the plan masks ("[secret]"): cannot decide ${allow.length > 0 ? `allow ${allow.join(", ")}` : `deny ${deny.join(", ")}`}; assumed allowed`,
                        p.object,
                        "config",
                    );
                    continue;
                }
                const gs = groups as string[];
                const ok = deny.some((d) => gs.includes(d)) ? false : allow.length === 0 || allow.some((a) => gs.includes(a));
                if (!ok)
                    return walk.refuse(
                        "kong-plugin",
                        title,
                        403,
                        `${state.consumerName}'s groups (${gs.join(", ")}) are not allowed (${allow.length > 0 ? `allow ${allow.join(", ")}` : `deny ${deny.join(", ")}`}): acl answers 403`,
                        p.object,
                        "config",
                    );
                walk.pass("kong-plugin", title, `${state.consumerName}'s group ${gs.join(", ")} is allowed`, p.object, "config");
                continue;
            }
            case "rate-limiting":
            case "rate-limiting-advanced":
                walk.pass("kong-plugin", title, rateLimitText(index, p, clientIpPreserved, state), p.object, "config");
                continue;
            case "request-transformer": {
                const changes = transformHeaders(p.config, state.headers);
                walk.pass("kong-plugin", title, changes.length > 0 ? `${changes.join("; ")} before proxying` : "changes no header of this request", p.object, "config");
                continue;
            }
            case "request-termination": {
                const status = num(p.config.status_code) ?? 503;
                return walk.refuse(
                    "kong-plugin",
                    title,
                    status,
                    `request-termination answers ${status}${str(p.config.message) ? ` (${str(p.config.message)})` : ""}`,
                    p.object,
                    "config.status_code",
                );
            }
            case "opentelemetry":
            case "zipkin":
                walk.info("kong-plugin", title, "traces the request (see tracing)", p.object, "config");
                continue;
            default:
                walk.info(
                    "kong-plugin",
                    title,
                    KONG_PRIORITIES[p.name] === undefined ? "a plugin the model does not know: its effect is not modelled" : "does not decide whether the request passes",
                    p.object,
                    "config",
                );
        }
    }
    return true;
}
