// Kong rules: routes exposed by the Kong Ingress Controller are authenticated and rate limited,
// every plugin they name exists and is configured as the plugin's schema allows, DB-less Kong is
// not asked for what needs a database, and Kong inside the mesh reaches services through their
// ClusterIP. Annotation semantics from the KIC 3.x annotation reference: `konghq.com/plugins` is a
// comma-separated list of KongPlugin (same namespace) or KongClusterPlugin names, on an Ingress,
// HTTPRoute, Service or KongConsumer; plugins on a Service apply to every route to it.
import { EnforcementLevel, PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { GRPC_ROUTE_TYPES } from "./kong-gateway-api";
import { KONG_SCHEMA_VERSIONS, KongSchemaVersion, isKongPluginName, validateKongPluginConfig } from "../validate/kong-plugin";
import { ENVIRONMENT_KEY, Obj, T, arr, chartName, get, hasUnknown, isObj, metaOf, obj, schema, serviceRef, splitList, str, tunables, typeSet, validateTypes } from "./common";
import { injectionState } from "./istio";

export const PLUGINS_ANNOTATION = "konghq.com/plugins";
export const SERVICE_UPSTREAM_ANNOTATION = "ingress.kubernetes.io/service-upstream";
export const INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class";
export const CREDENTIAL_LABEL = "konghq.com/credential";

const AUTH_PLUGINS: readonly string[] = [
    "key-auth",
    "key-auth-enc",
    "jwt",
    "oauth2",
    "basic-auth",
    "hmac-auth",
    "ldap-auth",
    "ldap-auth-advanced",
    "openid-connect",
    "mtls-auth",
    "jwt-signer",
    "oauth2-introspection",
    "vault-auth",
];
const RATE_LIMIT_PLUGINS: readonly string[] = ["rate-limiting", "rate-limiting-advanced"];

const ingressTypes = typeSet(T.ingress);
const httpRouteTypes = typeSet(T.httpRoute, GRPC_ROUTE_TYPES); // GRPCRoutes are served and judged like HTTPRoutes
const gatewayTypes = typeSet(T.gateway);
const kongPluginTypes = typeSet(T.kongPlugin);
const kongClusterPluginTypes = typeSet(T.kongClusterPlugin);
const kongConsumerTypes = typeSet(T.kongConsumer);
const virtualServiceTypes = typeSet(T.virtualService);

interface PluginObject {
    resource: PolicyResource;
    plugin: string;
    disabled: boolean;
    /** The KongPlugin's `protocols` (CRD field): Kong runs it only on requests of these; absent: the plugin's default (every protocol of its schema). */
    protocols?: string[];
}

/**
 * Does Kong run a plugin on a route? Only when the plugin's `protocols` share one with the route's
 * (Kong 3.9 runloop: a plugin configured for http/https is skipped on a grpc/grpcs request, so a
 * key-auth limited to http/https leaves a gRPC route unauthenticated).
 */
function runsOn(p: PluginObject, route: Route): boolean {
    return p.protocols === undefined || p.protocols.length === 0 || p.protocols.some((x) => route.protocols.includes(x));
}

/** A route Kong may serve: an Ingress or HTTPRoute with its class and backend Services. */
interface Route {
    resource: PolicyResource;
    kind: string;
    namespace: string;
    name: string;
    annotations: Record<string, string>;
    /** Ingress class (spec or annotation) or the gateway classes of its parent Gateways. */
    classes: string[];
    backends: { namespace: string; name: string }[];
    /** HTTPRoute: the methods of its matches (KIC 3.5 gives a rule's Kong route every method of its matches); empty: any. */
    matchMethods?: string[];
    /** The Kong route's protocols: konghq.com/protocols, else http and https (grpc and grpcs for a GRPCRoute). */
    protocols: string[];
}

/**
 * What the Kong rules need from a stack, built in one pass. Cached per resources array, so the
 * rules of one run share it.
 */
export class KongIndex {
    readonly plugins = new Map<string, PluginObject>(); // "<ns>/<name>"
    readonly clusterPlugins = new Map<string, PluginObject>(); // "<name>"
    readonly globalPlugins: PluginObject[] = [];
    readonly routes: Route[] = [];
    readonly services = new Map<string, PolicyResource>(); // "<ns>/<name>"
    readonly secrets = new Map<string, PolicyResource>(); // "<ns>/<name>"
    readonly namespaces = new Map<string, PolicyResource>();
    readonly consumers: PolicyResource[] = [];
    readonly releases: PolicyResource[] = [];
    /** Every object carrying konghq.com/plugins. */
    readonly annotated: { resource: PolicyResource; namespace: string; names: string[] }[] = [];

    private static readonly cache = new WeakMap<readonly PolicyResource[], KongIndex>();

    static of(resources: readonly PolicyResource[]): KongIndex {
        let idx = KongIndex.cache.get(resources);
        if (!idx) {
            idx = new KongIndex(resources);
            KongIndex.cache.set(resources, idx);
        }
        return idx;
    }

    private constructor(resources: readonly PolicyResource[]) {
        const gatewayClass = new Map<string, string>(); // "<ns>/<gateway>" -> class
        const httpRoutes: PolicyResource[] = [];
        for (const r of resources) {
            const t = r.type;
            if (!t.startsWith("kubernetes:")) {
                continue;
            }
            if (t === T.helmRelease || t === T.helmChart) {
                this.releases.push(r);
                continue;
            }
            const meta = metaOf(r.props, r.name);
            const pluginNames = splitList(meta.annotations[PLUGINS_ANNOTATION]);
            if (pluginNames.length > 0) {
                this.annotated.push({ resource: r, namespace: meta.namespace, names: pluginNames });
            }
            if (kongPluginTypes.has(t) || kongClusterPluginTypes.has(t)) {
                const protocols = arr(get(r.props, "protocols")).filter((x): x is string => typeof x === "string");
                const p: PluginObject = {
                    resource: r,
                    plugin: str(get(r.props, "plugin")) ?? "",
                    disabled: get(r.props, "disabled") === true,
                    ...(protocols.length > 0 ? { protocols } : {}),
                };
                if (kongPluginTypes.has(t)) {
                    this.plugins.set(`${meta.namespace}/${meta.name}`, p);
                } else {
                    this.clusterPlugins.set(meta.name, p);
                    if (meta.labels.global === "true" && !p.disabled) {
                        this.globalPlugins.push(p);
                    }
                }
            } else if (t === T.service) {
                this.services.set(`${meta.namespace}/${meta.name}`, r);
            } else if (t === T.secret) {
                this.secrets.set(`${meta.namespace}/${meta.name}`, r);
            } else if (t === T.namespace) {
                this.namespaces.set(meta.name, r);
            } else if (kongConsumerTypes.has(t)) {
                this.consumers.push(r);
            } else if (ingressTypes.has(t)) {
                this.routes.push(ingressRoute(r, meta.namespace, meta.name, meta.annotations));
            } else if (httpRouteTypes.has(t)) {
                httpRoutes.push(r);
            } else if (gatewayTypes.has(t)) {
                gatewayClass.set(`${meta.namespace}/${meta.name}`, str(get(r.props, "spec", "gatewayClassName")) ?? "");
            }
        }
        for (const r of httpRoutes) {
            this.routes.push(httpRoute(r, gatewayClass));
        }
    }

    /** The plugin object an annotation entry names, from a resource in `namespace`. */
    resolve(entry: string, namespace: string): PluginObject | undefined {
        const i = entry.indexOf(":");
        if (i > 0) {
            return this.plugins.get(`${entry.slice(0, i)}/${entry.slice(i + 1)}`);
        }
        return this.plugins.get(`${namespace}/${entry}`) ?? this.clusterPlugins.get(entry);
    }

    /** Plugin objects applied to a route (its own, its backend Services', global ones), enabled only. */
    effectivePluginObjects(route: Route): PluginObject[] {
        const out: PluginObject[] = [];
        const addAll = (annotations: Record<string, string>, ns: string): void => {
            for (const entry of splitList(annotations[PLUGINS_ANNOTATION])) {
                const p = this.resolve(entry, ns);
                if (p && !p.disabled && runsOn(p, route)) out.push(p);
            }
        };
        addAll(route.annotations, route.namespace);
        for (const b of route.backends) {
            const svc = this.services.get(`${b.namespace}/${b.name}`);
            if (svc) addAll(metaOf(svc.props, svc.name).annotations, b.namespace);
        }
        out.push(...this.globalPlugins.filter((p) => runsOn(p, route)));
        return out;
    }

    /** Plugin types applied to a route: its own, its backend Services', and global ones. */
    effectivePlugins(route: Route): Set<string> {
        const out = new Set<string>();
        const addAll = (annotations: Record<string, string>, ns: string): void => {
            for (const entry of splitList(annotations[PLUGINS_ANNOTATION])) {
                const p = this.resolve(entry, ns);
                if (p && !p.disabled && runsOn(p, route)) {
                    out.add(p.plugin);
                }
            }
        };
        addAll(route.annotations, route.namespace);
        for (const b of route.backends) {
            const svc = this.services.get(`${b.namespace}/${b.name}`);
            if (svc) {
                addAll(metaOf(svc.props, svc.name).annotations, b.namespace);
            }
        }
        for (const g of this.globalPlugins) {
            if (runsOn(g, route)) out.add(g.plugin);
        }
        return out;
    }
}

function ingressRoute(r: PolicyResource, namespace: string, name: string, annotations: Record<string, string>): Route {
    const spec = obj(get(r.props, "spec"));
    const cls = str(spec.ingressClassName) ?? annotations[INGRESS_CLASS_ANNOTATION];
    const backends: { namespace: string; name: string }[] = [];
    const add = (backend: unknown): void => {
        const svc = str(get(backend, "service", "name")) ?? str(get(backend, "serviceName"));
        if (svc) {
            backends.push({ namespace, name: svc });
        }
    };
    add(spec.defaultBackend ?? spec.backend);
    for (const rule of arr(spec.rules)) {
        for (const path of arr(get(rule, "http", "paths"))) {
            add(get(path, "backend"));
        }
    }
    return { resource: r, kind: "Ingress", namespace, name, annotations, classes: cls ? [cls] : [], backends, protocols: routeProtocols(annotations, false) };
}

function httpRoute(r: PolicyResource, gatewayClass: Map<string, string>): Route {
    const meta = metaOf(r.props, r.name);
    const spec = obj(get(r.props, "spec"));
    const classes: string[] = [];
    for (const ref of arr(spec.parentRefs)) {
        const kind = str(get(ref, "kind")) ?? "Gateway";
        const cls = kind === "Gateway" ? gatewayClass.get(`${str(get(ref, "namespace")) ?? meta.namespace}/${str(get(ref, "name")) ?? ""}`) : undefined;
        if (cls) {
            classes.push(cls);
        }
    }
    const backends: { namespace: string; name: string }[] = [];
    const matchMethods = new Set<string>();
    for (const rule of arr(spec.rules)) {
        for (const m of arr(get(rule, "matches"))) {
            const method = str(get(m, "method"));
            if (method) matchMethods.add(method.toUpperCase());
        }
        for (const ref of arr(get(rule, "backendRefs"))) {
            const kind = str(get(ref, "kind")) ?? "Service";
            const name = str(get(ref, "name"));
            if (kind === "Service" && name) {
                backends.push({ namespace: str(get(ref, "namespace")) ?? meta.namespace, name });
            }
        }
    }
    const grpc = r.type.endsWith(":GRPCRoute");
    return {
        resource: r,
        protocols: routeProtocols(meta.annotations, grpc),
        kind: grpc ? "GRPCRoute" : "HTTPRoute",
        namespace: meta.namespace,
        name: meta.name,
        annotations: meta.annotations,
        classes,
        backends,
        matchMethods: [...matchMethods],
    };
}

/** konghq.com/protocols (KIC 3.5 annotations.go), else KIC's defaults: http and https, grpc and grpcs for a GRPCRoute (translate_grpcroute.go). */
function routeProtocols(annotations: Record<string, string>, grpc: boolean): string[] {
    const declared = splitList(annotations["konghq.com/protocols"]).map((p) => p.toLowerCase());
    return declared.length > 0 ? declared : grpc ? ["grpc", "grpcs"] : ["http", "https"];
}

export function kongRoutes(idx: KongIndex, ingressClasses: readonly string[], gatewayClasses: readonly string[]): Route[] {
    const ing = new Set(ingressClasses);
    const gw = new Set(gatewayClasses);
    return idx.routes.filter((r) => r.classes.some((c) => (r.kind === "Ingress" ? ing : gw).has(c)));
}

const routeSchema = {
    ingressClasses: ["kong"],
    gatewayClasses: ["kong"],
};

/** The configSchema properties of a rule that judges Kong's routes: which Ingress classes and GatewayClasses Kong serves. */
export function routeClassProperties(defaults: { readonly ingressClasses: readonly string[]; readonly gatewayClasses: readonly string[] }) {
    return {
        ingressClasses: schema.strings("Ingress classes served by Kong.", defaults.ingressClasses),
        gatewayClasses: schema.strings("GatewayClasses served by Kong.", defaults.gatewayClasses),
    };
}

/** Deprecated KongIngress objects. */
export function kongNoKongIngress(level: EnforcementLevel = "advisory"): ResourceValidationPolicy {
    return {
        name: "kong-no-kongingress",
        description: "KongIngress is deprecated; use konghq.com annotations, KongPlugin and KongUpstreamPolicy.",
        enforcementLevel: level,
        validateResource: validateTypes(T.kongIngress, (args, report) => {
            const fields = ["spec", "routes", "plugins"].filter((f) => f in args.props);
            const ignored = fields.length > 0 ? ` Its ${fields.join(", ")} field${fields.length > 1 ? "s are" : " is"} not part of the CRD and is silently dropped.` : "";
            report(`KongIngress is deprecated: move route settings to konghq.com/* annotations, upstream settings to a KongUpstreamPolicy and plugins to KongPlugins.${ignored}`);
        }),
    };
}

/** Kong-exposed routes without an authentication plugin. */
export function kongRouteAuthentication(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    const defaults = { ...routeSchema, authPlugins: [...AUTH_PLUGINS], publicAnnotation: "meshgate.io/auth" };
    return {
        name: "kong-route-authentication",
        description: "Routes exposed through Kong must carry an authentication plugin.",
        enforcementLevel: level,
        configSchema: {
            properties: {
                ...routeClassProperties(defaults),
                authPlugins: schema.strings("Plugins that authenticate a request.", defaults.authPlugins),
                publicAnnotation: schema.string('A route annotated with this key and value "none" is deliberately public.', defaults.publicAnnotation),
            },
        },
        validateStack: (args, report) => {
            const c = tunables(defaults, args);
            const idx = KongIndex.of(args.resources);
            const auth = new Set(c.authPlugins);
            for (const route of kongRoutes(idx, c.ingressClasses, c.gatewayClasses)) {
                if (route.annotations[c.publicAnnotation] === "none") {
                    continue;
                }
                const plugins = idx.effectivePlugins(route);
                if (![...plugins].some((p) => auth.has(p))) {
                    report(
                        `${route.kind} ${route.namespace}/${route.name} is exposed by Kong without an authentication plugin (${[...auth].slice(0, 4).join(", ")}, …) in ${PLUGINS_ANNOTATION}, on its Service or global; annotate ${c.publicAnnotation}: "none" if it is public on purpose.`,
                        route.resource.urn,
                    );
                }
            }
        },
    };
}

/** Kong-exposed routes without a rate limit. */
export function kongRouteRateLimit(level: EnforcementLevel = "advisory"): StackValidationPolicy {
    const defaults = { ...routeSchema, required: true, rateLimitPlugins: [...RATE_LIMIT_PLUGINS] };
    return {
        name: "kong-route-rate-limit",
        description: "Routes exposed through Kong should carry a rate-limiting plugin.",
        enforcementLevel: level,
        configSchema: {
            properties: {
                required: schema.boolean("Whether every Kong route needs a rate limit.", defaults.required),
                ...routeClassProperties(defaults),
                rateLimitPlugins: schema.strings("Plugins that limit request rates.", defaults.rateLimitPlugins),
            },
        },
        validateStack: (args, report) => {
            const c = tunables(defaults, args);
            if (!c.required) {
                args.notApplicable("rate limits not required by configuration");
            }
            const idx = KongIndex.of(args.resources);
            const limits = new Set(c.rateLimitPlugins);
            for (const route of kongRoutes(idx, c.ingressClasses, c.gatewayClasses)) {
                if (![...idx.effectivePlugins(route)].some((p) => limits.has(p))) {
                    report(`${route.kind} ${route.namespace}/${route.name} is exposed by Kong without a rate limit (${c.rateLimitPlugins.join(", ")}).`, route.resource.urn);
                }
            }
        },
    };
}

/** konghq.com/plugins entries naming no KongPlugin/KongClusterPlugin. */
export function kongPluginExists(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return {
        name: "kong-plugin-exists",
        description: "Every plugin named in konghq.com/plugins must exist as a KongPlugin in the namespace or a KongClusterPlugin.",
        enforcementLevel: level,
        validateStack: (args, report) => {
            const idx = KongIndex.of(args.resources);
            for (const a of idx.annotated) {
                const missing = a.names.filter((n) => !idx.resolve(n, a.namespace));
                if (missing.length > 0) {
                    report(
                        `${PLUGINS_ANNOTATION} names ${missing.map((m) => `"${m}"`).join(", ")}, but no KongPlugin in namespace ${a.namespace} or KongClusterPlugin has that name; Kong ignores it.`,
                        a.resource.urn,
                    );
                }
            }
        },
    };
}

/** Plugin configuration the plugin's schema rejects (unknown fields, wrong values). */
export function kongPluginConfig(level: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    const defaults: { kongVersion: KongSchemaVersion } = { kongVersion: "3.9" };
    return {
        name: "kong-plugin-config",
        description: "KongPlugin/KongClusterPlugin config must match the plugin's schema and Kong's cross-field entity checks (for the plugins meshgate has schemas of).",
        enforcementLevel: level,
        configSchema: {
            properties: {
                kongVersion: { type: "string", enum: [...KONG_SCHEMA_VERSIONS], default: defaults.kongVersion, description: "Kong Gateway version whose plugin schemas apply." },
            },
        },
        validateResource: validateTypes([...T.kongPlugin, ...T.kongClusterPlugin], (args, report) => {
            const c = tunables(defaults, args);
            const plugin = str(args.props.plugin);
            if (!plugin) {
                report("plugin is empty; name the Kong plugin to run.");
                return;
            }
            if (!isKongPluginName(plugin)) {
                args.notApplicable(`no schema for plugin ${plugin}`);
            }
            if (args.props.configFrom !== undefined) {
                args.notApplicable("configuration comes from a Secret");
            }
            // KIC applies configPatches (values from Secrets) before Kong sees the config: a patched
            // field is present for Kong's checks (e.g. redis.password, or redis.host from a Secret).
            const config = withPatchedFields(obj(args.props.config), arr(args.props.configPatches));
            for (const problem of validateKongPluginConfig(plugin, config, { kongVersion: c.kongVersion })) {
                report(`${plugin}: ${problem}`);
            }
        }),
    };
}

/** The config with a placeholder string at each `configPatches[].path` (a JSON pointer), as KIC would fill it from a Secret. */
export function withPatchedFields(config: Obj, patches: readonly unknown[]): Obj {
    const out: Obj = structuredClone(config);
    for (const patch of patches) {
        const path = str(get(patch, "path"));
        if (path === undefined || !path.startsWith("/")) continue;
        const segs = path
            .slice(1)
            .split("/")
            .map((x) => x.replace(/~1/g, "/").replace(/~0/g, "~"));
        let cur: Obj = out;
        for (const seg of segs.slice(0, -1)) {
            if (!isObj(cur[seg])) cur[seg] = {};
            cur = cur[seg] as Obj;
        }
        cur[segs[segs.length - 1]] = "(from Secret)";
    }
    return out;
}

/** Whether Kong runs without a database, from the kong release values; undefined without a release. */
export function kongDbless(releases: readonly PolicyResource[], kongCharts: ReadonlySet<string>): boolean | undefined {
    let found: boolean | undefined;
    for (const r of releases) {
        if (!kongCharts.has(chartName(r.props))) {
            continue;
        }
        const values = obj(get(r.props, "values"));
        const db = str(get(values, "env", "database")) ?? str(get(values, "gateway", "env", "database"));
        const dbless = db === undefined || db === "off";
        found = (found ?? false) || dbless;
    }
    return found;
}

function dblessProblem(plugin: string, config: Obj): string | undefined {
    if (plugin === "oauth2") {
        return "oauth2 needs a database (it stores tokens) and cannot run DB-less; use jwt, key-auth or openid-connect.";
    }
    if ((plugin === "rate-limiting" || plugin === "response-ratelimiting") && config.policy === "cluster") {
        return `${plugin} policy "cluster" needs a database; DB-less Kong supports "local" or "redis".`;
    }
    if (plugin === "rate-limiting-advanced" && config.strategy === "cluster") {
        return `rate-limiting-advanced strategy "cluster" needs a database; DB-less Kong supports "local" or "redis".`;
    }
    return undefined;
}

/** Plugins that need a database, when Kong runs DB-less. */
export function kongDblessCompatible(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    const defaults = { kongCharts: ["kong", "ingress"], assumeDbless: true };
    return {
        name: "kong-dbless-compatible",
        description: "Plugins must work DB-less when Kong runs without a database (no oauth2, no policy: cluster).",
        enforcementLevel: level,
        configSchema: {
            properties: {
                kongCharts: schema.strings("Chart names of Kong releases (env.database decides DB-less).", defaults.kongCharts),
                assumeDbless: schema.boolean("Treat Kong as DB-less when the stack has no Kong release.", defaults.assumeDbless),
            },
        },
        validateStack: (args, report) => {
            const c = tunables(defaults, args);
            const idx = KongIndex.of(args.resources);
            const dbless = kongDbless(idx.releases, new Set(c.kongCharts)) ?? c.assumeDbless;
            if (!dbless) {
                args.notApplicable("Kong runs with a database");
            }
            for (const p of [...idx.plugins.values(), ...idx.clusterPlugins.values()]) {
                const problem = dblessProblem(p.plugin, obj(get(p.resource.props, "config")));
                if (problem && !p.disabled) {
                    report(problem, p.resource.urn);
                }
            }
        },
    };
}

/** Services behind Kong routes, in meshed namespaces, that Kong would reach by Pod IP. */
export function kongServiceUpstreamInMesh(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    const defaults = { ...routeSchema };
    return {
        name: "kong-service-upstream-in-mesh",
        description: `Services exposed through Kong in meshed namespaces must be annotated ${SERVICE_UPSTREAM_ANNOTATION}: "true".`,
        enforcementLevel: level,
        configSchema: {
            properties: {
                ...routeClassProperties(defaults),
            },
        },
        validateStack: (args, report) => {
            const c = tunables(defaults, args);
            const idx = KongIndex.of(args.resources);
            const seen = new Set<string>();
            for (const route of kongRoutes(idx, c.ingressClasses, c.gatewayClasses)) {
                for (const b of route.backends) {
                    const key = `${b.namespace}/${b.name}`;
                    const svc = idx.services.get(key);
                    const ns = idx.namespaces.get(b.namespace);
                    if (!svc || !ns || seen.has(key)) {
                        continue;
                    }
                    seen.add(key);
                    if (injectionState(metaOf(ns.props, ns.name).labels) !== "enabled") {
                        continue;
                    }
                    if (metaOf(svc.props, svc.name).annotations[SERVICE_UPSTREAM_ANNOTATION] !== "true") {
                        report(
                            `Service ${key} is exposed by ${route.kind} ${route.namespace}/${route.name} in a meshed namespace without ${SERVICE_UPSTREAM_ANNOTATION}: "true"; Kong would send to Pod IPs and bypass the VirtualService.`,
                            svc.urn,
                        );
                    }
                }
            }
        },
    };
}

/** KongConsumer credentials naming Secrets that are not there (or that KIC ignores). */
export function kongConsumerCredentialsExist(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return {
        name: "kong-consumer-credentials-exist",
        description: `KongConsumer credentials must name Secrets in its namespace labelled ${CREDENTIAL_LABEL}.`,
        enforcementLevel: level,
        validateStack: (args, report) => {
            const idx = KongIndex.of(args.resources);
            for (const consumer of idx.consumers) {
                const meta = metaOf(consumer.props, consumer.name);
                for (const cred of arr(get(consumer.props, "credentials"))) {
                    if (typeof cred !== "string" || hasUnknown(cred)) {
                        continue;
                    }
                    const secret = idx.secrets.get(`${meta.namespace}/${cred}`);
                    if (!secret) {
                        report(`credential Secret "${cred}" does not exist in namespace ${meta.namespace}.`, consumer.urn);
                    } else if (!isObj(get(secret.props, "metadata", "labels")) || metaOf(secret.props, secret.name).labels[CREDENTIAL_LABEL] === undefined) {
                        report(`credential Secret ${meta.namespace}/${cred} has no ${CREDENTIAL_LABEL} label (e.g. key-auth); the controller ignores it.`, consumer.urn);
                    }
                }
            }
        },
    };
}

// ---------------------------------------------------------------- the edge in production

/** Auth plugins with a `run_on_preflight` field (Kong 3.9 schemas: default true, i.e. OPTIONS is authenticated). */
const PREFLIGHT_AUTH_PLUGINS: readonly string[] = ["key-auth", "jwt", "basic-auth", "hmac-auth", "ldap-auth", "key-auth-enc", "openid-connect"];
export const METHODS_ANNOTATION = "konghq.com/methods";

/** CORS on a route whose preflight never reaches the cors plugin. */
export function kongCorsPreflight(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    const defaults = { ...routeSchema };
    return {
        name: "kong-cors-preflight",
        description:
            "Routes with the cors plugin must let preflights through: OPTIONS among konghq.com/methods (an HTTPRoute's match methods), and run_on_preflight: false on their auth plugins.",
        enforcementLevel: level,
        configSchema: {
            properties: {
                ...routeClassProperties(defaults),
            },
        },
        validateStack: (args, report) => {
            const c = tunables(defaults, args);
            const idx = KongIndex.of(args.resources);
            for (const route of kongRoutes(idx, c.ingressClasses, c.gatewayClasses)) {
                const plugins = idx.effectivePluginObjects(route);
                if (!plugins.some((p) => p.plugin === "cors")) continue;
                const annotated = splitList(route.annotations[METHODS_ANNOTATION]).map((m) => m.toUpperCase());
                // An HTTPRoute's methods are its matches' (unless the annotation overrides them, as KIC's Route.Override does).
                const methods = annotated.length > 0 ? annotated : (route.matchMethods ?? []);
                if (methods.length > 0 && !methods.includes("OPTIONS")) {
                    const where = annotated.length > 0 ? METHODS_ANNOTATION : "the methods of its matches";
                    report(
                        `${route.kind} ${route.namespace}/${route.name} has the cors plugin but ${where} "${methods.join(",")}" leaves out OPTIONS: Kong answers every browser preflight 404 and cross-origin calls fail.`,
                        route.resource.urn,
                    );
                }
                for (const p of plugins.filter((x) => PREFLIGHT_AUTH_PLUGINS.includes(x.plugin))) {
                    if (get(p.resource.props, "config", "run_on_preflight") !== false) {
                        report(
                            `${route.kind} ${route.namespace}/${route.name} has the cors plugin, but its ${p.plugin} plugin ${metaOf(p.resource.props, p.resource.name).name} authenticates preflights (run_on_preflight defaults to true): browsers send OPTIONS without credentials and get 401.`,
                            route.resource.urn,
                        );
                    }
                }
            }
        },
    };
}

/** The proxy replica range of a kong/kong release (chart defaults: replicaCount 1; autoscaling 2-5). */
export function kongProxyReplicas(values: Obj): { min: number; max: number } {
    const num = (v: unknown, d: number) => (typeof v === "number" && Number.isFinite(v) ? v : d);
    if (get(values, "autoscaling", "enabled") === true) {
        return { min: num(get(values, "autoscaling", "minReplicas"), 2), max: num(get(values, "autoscaling", "maxReplicas"), 5) };
    }
    const n = num(get(values, "replicaCount"), 1);
    return { min: n, max: n };
}

/** The stack's Kong releases: Helm releases of one of the `kongCharts` tunable's charts. */
function kongReleases(idx: KongIndex, kongCharts: readonly string[]): KongIndex["releases"] {
    const charts = new Set(kongCharts);
    return idx.releases.filter((r) => charts.has(chartName(r.props)));
}

/** rate-limiting counted per Kong pod while Kong runs several pods. */
export function kongRateLimitLocalReplicas(level: EnforcementLevel = "advisory"): StackValidationPolicy {
    const defaults = { kongCharts: ["kong"] };
    return {
        name: "kong-rate-limit-local-replicas",
        description: "rate-limiting with policy local counts per Kong pod; with several pods the real limit is the limit times the pods.",
        enforcementLevel: level,
        configSchema: { properties: { kongCharts: schema.strings("Chart names of Kong releases (replicaCount, autoscaling).", defaults.kongCharts) } },
        validateStack: (args, report) => {
            const c = tunables(defaults, args);
            const idx = KongIndex.of(args.resources);
            const ranges = kongReleases(idx, c.kongCharts).map((r) => kongProxyReplicas(obj(get(r.props, "values"))));
            if (ranges.length === 0) args.notApplicable("no Kong release in the stack");
            const min = Math.max(...ranges.map((r) => r.min));
            const max = Math.max(...ranges.map((r) => r.max));
            if (max <= 1) args.notApplicable("Kong runs one pod");
            for (const p of [...idx.plugins.values(), ...idx.clusterPlugins.values()]) {
                if (p.disabled || (p.plugin !== "rate-limiting" && p.plugin !== "response-ratelimiting")) continue;
                const config = obj(get(p.resource.props, "config"));
                if ((str(config.policy) ?? "local") !== "local") continue;
                const windows = ["second", "minute", "hour", "day", "month", "year"]
                    .filter((w) => typeof config[w] === "number")
                    .map((w) => {
                        const n = config[w] as number;
                        return `${n}/${w} is really ${min === max ? n * min : `${n * min}-${n * max}`}/${w}`;
                    });
                report(
                    `${p.plugin} ${metaOf(p.resource.props, p.resource.name).name} counts per Kong pod (policy local) and Kong runs ${min === max ? min : `${min}-${max}`} pods: ${windows.join(", ") || "each limit is multiplied by the pods"}. Use policy redis (one shared count).`,
                    p.resource.urn,
                );
            }
        },
    };
}

const NLB_TARGET_TYPE = "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type";
const NLB_TG_ATTRIBUTES = "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes";
const NLB_PROXY_PROTOCOL = "service.beta.kubernetes.io/aws-load-balancer-proxy-protocol";
const NLB_SCHEME = "service.beta.kubernetes.io/aws-load-balancer-scheme";
const NLB_SSL_CERT = "service.beta.kubernetes.io/aws-load-balancer-ssl-cert";

/** Why an NLB with these annotations hides the client address from its targets; undefined when it does not. */
function nlbClientIpProblem(annotations: Record<string, string>): string | undefined {
    if (annotations[NLB_TARGET_TYPE] !== "ip") return undefined;
    const attrs = splitList(annotations[NLB_TG_ATTRIBUTES]).map((a) => a.replace(/\s+/g, ""));
    // AWS Load Balancer Controller v3.5 docs/guide/service/annotations.md: "preserve client IP is disabled by default for IP targets".
    if (attrs.includes("preserve_client_ip.enabled=true") || annotations[NLB_PROXY_PROTOCOL] === "*" || attrs.includes("proxy_protocol_v2.enabled=true")) return undefined;
    return "an NLB with IP targets that neither preserves client IPs (target-group attribute preserve_client_ip.enabled=true) nor sends PROXY protocol v2: the pods see the NLB's addresses, so limit_by ip, ip-restriction and access logs see the NLB, and loadBalancerSourceRanges are ignored";
}

/** NLBs in front of Kong (or any LoadBalancer Service) that hide the client's address. */
export function kongNlbClientIp(level: EnforcementLevel = "advisory"): StackValidationPolicy {
    const defaults = { kongCharts: ["kong"] };
    return {
        name: "kong-nlb-client-ip",
        description: "NLBs with IP targets in front of Kong must preserve the client IP (preserve_client_ip.enabled=true) or send PROXY protocol v2.",
        enforcementLevel: level,
        configSchema: { properties: { kongCharts: schema.strings("Chart names of Kong releases (proxy.annotations).", defaults.kongCharts) } },
        validateStack: (args, report) => {
            const c = tunables(defaults, args);
            const idx = KongIndex.of(args.resources);
            for (const r of kongReleases(idx, c.kongCharts)) {
                const annotations = Object.fromEntries(Object.entries(obj(get(r.props, "values", "proxy", "annotations"))).map(([k, v]) => [k, String(v)]));
                const problem = nlbClientIpProblem(annotations);
                if (problem !== undefined) report(`Kong's proxy is behind ${problem}.`, r.urn);
            }
            for (const svc of idx.services.values()) {
                if (str(get(svc.props, "spec", "type")) !== "LoadBalancer") continue;
                const meta = metaOf(svc.props, svc.name);
                const problem = nlbClientIpProblem(meta.annotations);
                if (problem !== undefined) report(`Service ${meta.namespace}/${meta.name} is behind ${problem}.`, svc.urn);
            }
        },
    };
}

/** A public plaintext HTTP listener on Kong's proxy in production. */
export function kongEdgeHttpsOnly(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    const defaults = { kongCharts: ["kong"], environments: ["prod", "production"], environmentLabel: ENVIRONMENT_KEY };
    return {
        name: "kong-edge-https-only",
        description: "In production, Kong's public proxy must not serve plaintext HTTP: close port 80, or redirect every route to HTTPS.",
        enforcementLevel: level,
        configSchema: {
            properties: {
                kongCharts: schema.strings("Chart names of Kong releases.", defaults.kongCharts),
                environments: schema.strings("Values of the environment label that mean production.", defaults.environments),
                environmentLabel: schema.string("Label on Kong's Namespace naming its environment.", defaults.environmentLabel),
            },
        },
        validateStack: (args, report) => {
            const c = tunables(defaults, args);
            const idx = KongIndex.of(args.resources);
            const prod = new Set(c.environments);
            const kongRoutesAll = kongRoutes(idx, routeSchema.ingressClasses, routeSchema.gatewayClasses);
            const allRedirect =
                kongRoutesAll.length > 0 &&
                kongRoutesAll.every(
                    (r) =>
                        splitList(r.annotations["konghq.com/protocols"]).every((p) => p === "https" || p === "grpcs") &&
                        splitList(r.annotations["konghq.com/protocols"]).length > 0,
                );
            for (const r of kongReleases(idx, c.kongCharts)) {
                const namespace = str(get(r.props, "namespace")) ?? "default";
                const ns = idx.namespaces.get(namespace);
                const env = ns ? metaOf(ns.props, ns.name).labels[c.environmentLabel] : undefined;
                if (env === undefined || !prod.has(env)) continue;
                const proxy = obj(get(obj(get(r.props, "values")), "proxy"));
                const annotations = obj(proxy.annotations);
                const type = str(proxy.type) ?? "LoadBalancer";
                const internal = annotations[NLB_SCHEME] === "internal" || annotations["service.beta.kubernetes.io/aws-load-balancer-internal"] === "true";
                if (proxy.enabled === false || type !== "LoadBalancer" || internal) continue;
                const http = obj(proxy.http);
                const httpOpen = http.enabled !== false && String(http.servicePort ?? 80) !== "0";
                if (httpOpen && !allRedirect) {
                    const tlsNote =
                        annotations[NLB_SSL_CERT] === undefined && get(r.props, "values", "env", "ssl_cert") === undefined
                            ? " (and gives no certificate: 443 serves Kong's self-signed one)"
                            : "";
                    report(
                        `Kong release ${namespace}/${str(get(r.props, "name")) ?? r.name} in environment ${env} serves plaintext HTTP on port 80 of a public load balancer${tlsNote}: set proxy.http.enabled false (or servicePort 0 behind an ACM listener), or make every route https-only with konghq.com/protocols: https and konghq.com/https-redirect-status-code.`,
                        r.urn,
                    );
                }
            }
        },
    };
}

/** Header names an Istio VirtualService route in `http` matches on (its canary selectors). */
function matchedHeaders(vs: PolicyResource): string[] {
    const out = new Set<string>();
    for (const route of arr(get(vs.props, "spec", "http"))) {
        for (const m of arr(get(route, "match"))) {
            for (const h of Object.keys(obj(get(m, "headers")))) out.add(h.toLowerCase());
        }
    }
    return [...out];
}

/** Internet clients pinning themselves to a version: a Kong route to a service whose VirtualService routes by a header Kong lets through. */
export function kongCanaryHeaderAtEdge(level: EnforcementLevel = "advisory"): StackValidationPolicy {
    const defaults = { ...routeSchema, clusterDomain: "cluster.local", allowedHeaders: [] as string[] };
    return {
        name: "kong-canary-header-at-edge",
        description:
            "Kong routes to services whose VirtualService routes by a request header should remove that header (request-transformer), so internet clients cannot select a version.",
        enforcementLevel: level,
        configSchema: {
            properties: {
                ...routeClassProperties(defaults),
                clusterDomain: schema.string("Kubernetes cluster DNS domain.", defaults.clusterDomain),
                allowedHeaders: schema.strings("Headers clients may set on purpose (client-selected canaries).", defaults.allowedHeaders),
            },
        },
        validateStack: (args, report) => {
            const c = tunables(defaults, args);
            const idx = KongIndex.of(args.resources);
            const byService = new Map<string, string[]>(); // "<ns>/<name>" -> headers
            for (const r of args.resources) {
                if (!virtualServiceTypes.has(r.type)) continue;
                const meta = metaOf(r.props, r.name);
                const headers = matchedHeaders(r);
                if (headers.length === 0) continue;
                for (const host of arr(get(r.props, "spec", "hosts"))) {
                    const ref = typeof host === "string" ? serviceRef(host, meta.namespace, c.clusterDomain) : undefined;
                    if (ref?.namespace !== undefined) byService.set(`${ref.namespace}/${ref.name}`, [...(byService.get(`${ref.namespace}/${ref.name}`) ?? []), ...headers]);
                }
            }
            if (byService.size === 0) args.notApplicable("no VirtualService routes by a header");
            for (const route of kongRoutes(idx, c.ingressClasses, c.gatewayClasses)) {
                const removed = new Set(
                    idx
                        .effectivePluginObjects(route)
                        .filter((p) => p.plugin === "request-transformer")
                        .flatMap((p) => arr(get(p.resource.props, "config", "remove", "headers")).map((h) => String(h).toLowerCase())),
                );
                for (const b of route.backends) {
                    const open = [...new Set(byService.get(`${b.namespace}/${b.name}`) ?? [])].filter(
                        (h) => !removed.has(h) && !c.allowedHeaders.includes(h) && !h.startsWith(":"),
                    );
                    if (open.length > 0) {
                        report(
                            `${route.kind} ${route.namespace}/${route.name} lets internet clients send ${open.join(", ")}, which the VirtualService of ${b.namespace}/${b.name} routes by: anyone can pin themselves to that version. Remove it at the edge (request-transformer remove.headers), or list it in allowedHeaders if clients may choose.`,
                            route.resource.urn,
                        );
                    }
                }
            }
        },
    };
}

/** Config keys whose literal value is a credential (Kong plugin configs). */
const SECRET_CONFIG_KEY = /(^|_)(password|secret|token|api_key|private_key)$/i;

function literalSecrets(value: unknown, path: string[] = []): string[] {
    if (isObj(value)) return Object.entries(value).flatMap(([k, v]) => literalSecrets(v, [...path, k]));
    if (Array.isArray(value)) return value.flatMap((v, i) => literalSecrets(v, [...path, String(i)]));
    const key = path[path.length - 1] ?? "";
    // "[secret]" (the plan's stand-in for a Pulumi secret) and Kong vault references {vault://...} are not literals.
    if (typeof value === "string" && value !== "" && value !== "[secret]" && !value.startsWith("{vault://") && SECRET_CONFIG_KEY.test(key)) return [path.join(".")];
    return [];
}

/** Credentials written into a KongPlugin's config, where anyone who can read the object reads them. */
export function kongPluginNoPlaintextSecrets(level: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return {
        name: "kong-plugin-no-plaintext-secrets",
        description: "KongPlugin/KongClusterPlugin configs must not carry literal passwords or tokens (e.g. redis.password); patch them in from a Secret.",
        enforcementLevel: level,
        validateResource: validateTypes([...T.kongPlugin, ...T.kongClusterPlugin], (args, report) => {
            const found = literalSecrets(obj(args.props.config));
            if (found.length > 0) {
                report(
                    `config.${found.join(", config.")} holds a literal credential; put it in a Secret and patch it in with configPatches (valueFrom.secretKeyRef), or use a Kong vault reference.`,
                );
            }
        }),
    };
}

export const kongRules = [
    kongNoKongIngress,
    kongRouteAuthentication,
    kongRouteRateLimit,
    kongPluginExists,
    kongPluginConfig,
    kongDblessCompatible,
    kongServiceUpstreamInMesh,
    kongConsumerCredentialsExist,
    kongCorsPreflight,
    kongRateLimitLocalReplicas,
    kongNlbClientIp,
    kongEdgeHttpsOnly,
    kongCanaryHeaderAtEdge,
    kongPluginNoPlaintextSecrets,
];
