/**
 * The external half of a request: the AWS NLB in front of Kong, and Kong's
 * router as KIC translates Ingresses for it. Sources (pinned versions) are
 * cited next to each decision and tabled in docs/explain.md.
 */
import type { ModelIndex } from "./model-index";
import { listenerAllows } from "../../policies/rules/kong-gateway-edge";
import { annotations, get, labels, nameOf, nsOf, num, obj, splitList, str, strs } from "./objects";
import type { K8sObject } from "./types";
import type { Walk } from "./walk";

const LB = "service.beta.kubernetes.io/aws-load-balancer-";

export interface EdgeResult {
    /** The scheme Kong sees (the NLB may terminate TLS). */
    readonly schemeAtKong: "http" | "https";
    /** Does Kong see the client's address (for ip-restriction and limit_by ip)? */
    readonly clientIpPreserved: boolean;
    /** Does Kong's listener speak HTTP/2 (nginx `http2` listen parameter)? Needed by gRPC calls. */
    readonly http2: boolean;
}

function listenerHasProxyProtocol(params: unknown): boolean {
    return strs(params).includes("proxy_protocol");
}

/** The NLB listener the request arrives on and what Kong receives from it; false when the connection cannot work. */
export function nlbHop(index: ModelIndex, url: URL, walk: Walk): EdgeResult | false {
    const v = index.kong.values;
    const proxy = obj(v.proxy);
    const proxyName = `${index.kong.namespace}/${str(proxy.nameOverride) ?? `${index.kong.releaseName}-kong-proxy`}`;
    const where = index.kong.release ?? null;
    const scheme = url.protocol === "https:" ? "https" : "http";
    const port = url.port !== "" ? Number(url.port) : scheme === "https" ? 443 : 80;
    if (!index.kong.release) {
        walk.info(
            "nlb",
            "Load balancer",
            "no kong/kong Helm release among the objects: the NLB and Kong's listeners are not modelled; assuming the request reaches Kong as sent",
            null,
        );
        return { schemeAtKong: scheme, clientIpPreserved: false, http2: true };
    }
    if (proxy.enabled === false) {
        return walk.refuse("nlb", "Load balancer", 0, "the Kong proxy Service is disabled (proxy.enabled: false): nothing listens", where, "values.proxy.enabled");
    }
    const anns = obj(proxy.annotations) as Record<string, string>;
    // kong/kong 3.4.1 values.yaml: proxy.http {enabled: true, servicePort: 80, containerPort: 8000}, proxy.tls {enabled: true, servicePort: 443, containerPort: 8443, parameters: [http2]}.
    const http = {
        enabled: get(proxy, "http", "enabled") !== false,
        servicePort: num(get(proxy, "http", "servicePort")) ?? 80,
        containerPort: num(get(proxy, "http", "containerPort")) ?? 8000,
        parameters: get(proxy, "http", "parameters") ?? [],
    };
    const tls = {
        enabled: get(proxy, "tls", "enabled") !== false,
        servicePort: num(get(proxy, "tls", "servicePort")) ?? 443,
        containerPort: num(get(proxy, "tls", "containerPort")) ?? 8443,
        override: num(get(proxy, "tls", "overrideServiceTargetPort")),
        parameters: get(proxy, "tls", "parameters") ?? ["http2"],
    };
    const type = str(proxy.type) ?? "LoadBalancer";
    // AWS Load Balancer Controller v3.5 docs (guide/service/annotations): type external or loadBalancerClass service.k8s.aws/nlb → NLB; scheme defaults to internal.
    const byLbc = anns[`${LB}type`] === "external" || anns[`${LB}type`] === "nlb-ip" || str(proxy.loadBalancerClass) === "service.k8s.aws/nlb";
    const schemeLb = anns[`${LB}scheme`] ?? (byLbc ? "internal" : "internet-facing");
    const targetType = anns[`${LB}nlb-target-type`] ?? (anns[`${LB}type`] === "nlb-ip" ? "ip" : "instance");
    const certs = anns[`${LB}ssl-cert`];
    // Without ssl-ports every listener gets TLS once a certificate is set (LBC docs: aws-load-balancer-ssl-ports).
    const sslPorts = anns[`${LB}ssl-ports`];
    const tlsAtNlb = (p: number, name: string) =>
        certs !== undefined && (sslPorts === undefined || sslPorts === "*" || splitList(sslPorts).some((x) => x === String(p) || x === name));
    const proxyProtocol = anns[`${LB}proxy-protocol`] === "*";
    const backendTls = anns[`${LB}backend-protocol`] === "ssl";
    const tgAttrs = anns[`${LB}target-group-attributes`] ?? "";
    const preserveAttr = /preserve_client_ip\.enabled=(true|false)/.exec(tgAttrs)?.[1];
    const lbDesc =
        type !== "LoadBalancer"
            ? `Service type ${type} (no load balancer)`
            : byLbc
              ? `${schemeLb} NLB (AWS Load Balancer Controller, ${targetType} targets)`
              : "load balancer of the in-tree cloud provider";
    const listener = http.enabled && port === http.servicePort ? "http" : tls.enabled && port === tls.servicePort ? "tls" : undefined;
    if (listener === undefined) {
        return walk.refuse(
            "nlb",
            "Load balancer",
            0,
            `${lbDesc} has no listener on port ${port} (ports: ${[http.enabled ? http.servicePort : undefined, tls.enabled ? tls.servicePort : undefined].filter((x) => x !== undefined).join(", ") || "none"}): connection refused`,
            where,
            "values.proxy",
        );
    }
    const nlbTerminates = listener === "tls" ? tlsAtNlb(tls.servicePort, "https") : tlsAtNlb(http.servicePort, "http");
    const targetPort = listener === "http" ? http.containerPort : (tls.override ?? tls.containerPort);
    const targetIsKongTls = listener === "tls" && targetPort === tls.containerPort;
    const targetParams = targetIsKongTls ? tls.parameters : listener === "tls" && targetPort === http.containerPort ? http.parameters : listener === "http" ? http.parameters : [];
    const parts = [`${scheme}://…:${port} arrives on the ${lbDesc} listener ${port} of ${proxyName}`];
    if (schemeLb === "internal") parts.push("the load balancer is internal: reachable only from inside the VPC");
    // TLS: where it ends decides what Kong's listener receives.
    let kongScheme: "http" | "https";
    if (nlbTerminates) {
        if (scheme !== "https") {
            return walk.refuse(
                "nlb",
                "Load balancer",
                0,
                `${parts[0]}, which terminates TLS (${LB}ssl-cert): a plain-HTTP client fails the TLS handshake`,
                where,
                `values.proxy.annotations["${LB}ssl-cert"]`,
            );
        }
        const sends = backendTls ? "TLS" : "plain HTTP";
        if (targetIsKongTls && !backendTls) {
            // Kong's TLS listener answers plaintext with nginx's 400 "The plain HTTP request was sent to HTTPS port".
            return walk.refuse(
                "nlb",
                "Load balancer",
                400,
                `the NLB terminates TLS and forwards plain HTTP to Kong's TLS listener ${targetPort}: Kong answers 400 "The plain HTTP request was sent to HTTPS port" (set proxy.tls.overrideServiceTargetPort: ${http.containerPort}, or ${LB}backend-protocol: ssl)`,
                where,
                "values.proxy.tls",
            );
        }
        parts.push(`TLS ends at the NLB (certificate ${certs}); it sends ${sends} to Kong's container port ${targetPort}`);
        kongScheme = backendTls && targetIsKongTls ? "https" : "http";
    } else if (listener === "tls") {
        if (scheme !== "https" && targetIsKongTls) {
            return walk.refuse(
                "nlb",
                "Load balancer",
                400,
                `plain HTTP on port ${port} reaches Kong's TLS listener ${targetPort} (TCP passthrough): Kong answers 400 "The plain HTTP request was sent to HTTPS port"`,
                where,
                "values.proxy.tls",
            );
        }
        parts.push(
            targetIsKongTls
                ? `TCP passthrough: Kong terminates TLS on ${targetPort} (with its default self-signed certificate unless one is configured)`
                : `TCP passthrough to Kong's plain listener ${targetPort}`,
        );
        kongScheme = targetIsKongTls ? "https" : "http";
        if (scheme === "https" && !targetIsKongTls) {
            return walk.refuse(
                "nlb",
                "Load balancer",
                400,
                `TLS from the client reaches Kong's plain listener ${targetPort} through TCP passthrough: the handshake fails`,
                where,
                "values.proxy.tls.overrideServiceTargetPort",
            );
        }
    } else {
        if (scheme === "https") {
            return walk.refuse(
                "nlb",
                "Load balancer",
                0,
                `TLS from the client reaches Kong's plain HTTP listener ${targetPort} on port ${port}: the handshake fails`,
                where,
                "values.proxy.http",
            );
        }
        parts.push(`TCP passthrough to Kong's plain listener ${targetPort}`);
        kongScheme = "http";
    }
    // Proxy protocol: both ends must agree (LBC docs aws-load-balancer-proxy-protocol; Kong 3.9 kong.conf proxy_listen "proxy_protocol").
    const kongPP = listenerHasProxyProtocol(targetParams);
    if (proxyProtocol && !kongPP) {
        return walk.refuse(
            "nlb",
            "Load balancer",
            400,
            `the NLB sends PROXY protocol v2 (${LB}proxy-protocol: "*") but Kong's listener ${targetPort} has no proxy_protocol parameter: Kong reads the header as HTTP and answers 400`,
            where,
            `values.proxy.annotations["${LB}proxy-protocol"]`,
        );
    }
    if (!proxyProtocol && kongPP) {
        return walk.refuse(
            "nlb",
            "Load balancer",
            0,
            `Kong's listener ${targetPort} expects PROXY protocol but the NLB does not send it (no ${LB}proxy-protocol annotation): nginx drops the connection`,
            where,
            "values.proxy",
        );
    }
    const env = obj(v.env);
    let preserved: boolean;
    let ipWhy: string;
    if (proxyProtocol) {
        // Kong 3.9 kong.conf: real_ip_header = proxy_protocol with trusted_ips covering the NLB makes $remote_addr the client's.
        preserved = str(env.real_ip_header) === "proxy_protocol" && str(env.trusted_ips) !== undefined;
        ipWhy = preserved
            ? "Kong reads the client address from PROXY protocol (real_ip_header: proxy_protocol, trusted_ips)"
            : "PROXY protocol carries the client address but Kong does not use it (env.real_ip_header: proxy_protocol and env.trusted_ips are needed): Kong sees the NLB's private address";
    } else if (preserveAttr !== undefined || targetType === "instance") {
        preserved = preserveAttr !== "false";
        ipWhy = preserved ? "the NLB preserves the client address (preserve_client_ip.enabled)" : "preserve_client_ip.enabled=false: Kong sees the NLB's private address";
    } else {
        // AWS NLB target groups: client IP preservation is off by default for ip targets over TCP/TLS.
        preserved = false;
        ipWhy = "ip targets over TCP do not preserve the client address by default and no PROXY protocol is set: Kong sees the NLB's private address";
    }
    parts.push(ipWhy);
    const ranges = strs(proxy.loadBalancerSourceRanges);
    if (ranges.length > 0) parts.push(`only clients from ${ranges.join(", ")} may connect (loadBalancerSourceRanges)`);
    walk.pass("nlb", "Load balancer", parts.join("; "), where, "values.proxy");
    return { schemeAtKong: kongScheme, clientIpPreserved: preserved, http2: strs(targetParams).includes("http2") };
}

/** One Kong route as KIC 3.5 translates an Ingress rule path. */
export interface KongRoute {
    /** The Ingress or HTTPRoute the route comes from. */
    readonly ingress: K8sObject;
    /** KongPlugins named by HTTPRoute ExtensionRef filters (the Ingress's come from konghq.com/plugins). */
    readonly filterPlugins: readonly string[];
    /** Set when an HTTPRoute rule splits across several backendRefs: explain follows the first. */
    readonly backendSplit?: string;
    readonly field: string;
    /** `namespace/ingress#path`: the contract's route id. */
    readonly id: string;
    readonly host: string | null;
    readonly declaredPath: string;
    readonly pathType: string;
    readonly paths: readonly string[];
    readonly methods: readonly string[];
    readonly headers: Readonly<Record<string, readonly string[]>>;
    readonly protocols: readonly string[];
    readonly stripPath: boolean;
    readonly preserveHost: boolean;
    readonly regexPriority: number;
    readonly httpsRedirectStatus: number;
    readonly backend: { readonly service: string; readonly port: number | string | undefined };
    /** Sort key of Kong 3.9's traditional router, most significant first. */
    readonly priority: readonly number[];
}

/**
 * Kong paths for an Ingress path: KIC 3.5
 * internal/dataplane/translator/subtranslator/ingress.go PathsFromIngressPaths:
 * Prefix /a → "/a/" and "~/a$"; Exact /a → "~/a$"; ImplementationSpecific as
 * given, "/~" marking a regex (ControllerPathRegexPrefix, MaybePrependRegexPrefix).
 */
export function kongPaths(path: string, pathType: string, regexPrefix = "/~"): string[] {
    const withRegex = (p: string) => (p.startsWith(regexPrefix) ? `~${p.slice(regexPrefix.length)}` : p);
    if (pathType === "Prefix") {
        const base = path.replace(/^\/+|\/+$/g, "");
        return base === "" ? ["/"] : [`/${base}/`, `~/${base}$`];
    }
    if (pathType === "Exact") {
        return [`~/${path.replace(/^\/+/, "")}$`];
    }
    return [withRegex(path === "" ? "/" : path)];
}

// Kong 3.9 kong/router/traditional.lua MATCH_RULES and MATCH_SUBRULES.
const HOST = 0x40,
    HEADER = 0x20,
    URI = 0x10,
    METHOD = 0x08;
const HAS_REGEX_URI = 0x01,
    PLAIN_HOSTS_ONLY = 0x02,
    HAS_WILDCARD_HOST_PORT = 0x04;

function routePriority(r: Omit<KongRoute, "priority">): number[] {
    let rules = 0;
    let weight = 0;
    let sub = 0;
    if (r.host !== null) {
        rules |= HOST;
        weight++;
        if (!r.host.includes("*")) sub |= PLAIN_HOSTS_ONLY;
        else if (/:\d+$/.test(r.host)) sub |= HAS_WILDCARD_HOST_PORT;
    }
    const headerCount = Object.keys(r.headers).length;
    if (headerCount > 0) {
        rules |= HEADER;
        weight++;
    }
    if (r.paths.length > 0) {
        rules |= URI;
        weight++;
        if (r.paths.some((p) => p.startsWith("~"))) sub |= HAS_REGEX_URI;
    }
    if (r.methods.length > 0) {
        rules |= METHOD;
        weight++;
    }
    const maxUri = Math.max(0, ...r.paths.filter((p) => !p.startsWith("~")).map((p) => p.length));
    // sort_categories: match_weight, then the category bits; sort_routes: submatch_weight, header count, regex_priority (regex routes), longest plain path.
    return [weight, rules, sub, headerCount, sub & HAS_REGEX_URI ? r.regexPriority : 0, maxUri];
}

function comparePriority(a: readonly number[], b: readonly number[]): number {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return b[i] - a[i];
    return 0;
}

function ingressClassOf(ing: K8sObject): string | undefined {
    return str(get(ing, "spec", "ingressClassName")) ?? annotations(ing)["kubernetes.io/ingress.class"];
}

function boolAnn(v: string | undefined): boolean | undefined {
    return v === undefined ? undefined : v.toLowerCase() === "true" ? true : v.toLowerCase() === "false" ? false : undefined;
}

const routeCache = new WeakMap<ModelIndex, KongRoute[]>();

/** Every Kong route of the Ingresses of Kong's class, in router priority order. */
export function kongRoutes(index: ModelIndex): KongRoute[] {
    const cached = routeCache.get(index);
    if (cached) return cached;
    const routes: KongRoute[] = [];
    for (const ing of index.ingresses) {
        if (ingressClassOf(ing) !== index.kong.ingressClass) continue;
        const a = annotations(ing);
        const ns = nsOf(ing);
        // KIC 3.5 internal/dataplane/kongstate/route.go overrideByAnnotation; translateIntoKongRoute defaults: strip_path false, preserve_host true, protocols http+https.
        const methods = splitList(a["konghq.com/methods"]).map((m) => m.toUpperCase());
        const protocols = splitList(a["konghq.com/protocols"]);
        const headers: Record<string, string[]> = {};
        for (const [k, val] of Object.entries(a)) {
            if (k.startsWith("konghq.com/headers.")) headers[k.slice("konghq.com/headers.".length).toLowerCase()] = splitList(val);
        }
        const base = {
            ingress: ing,
            filterPlugins: [] as string[],
            methods,
            headers,
            protocols: protocols.length > 0 ? protocols : ["http", "https"],
            stripPath: boolAnn(a["konghq.com/strip-path"]) ?? false,
            preserveHost: boolAnn(a["konghq.com/preserve-host"]) ?? true,
            regexPriority: num(a["konghq.com/regex-priority"]) ?? 0,
            httpsRedirectStatus: num(a["konghq.com/https-redirect-status-code"]) ?? 426,
        };
        const regexPrefix = a["konghq.com/regex-prefix"] ?? "/~";
        const rules = (get(ing, "spec", "rules") as unknown[] | undefined) ?? [];
        rules.forEach((rule, ri) => {
            const host = str(get(rule, "host")) ?? null;
            const paths = (get(rule, "http", "paths") as unknown[] | undefined) ?? [];
            paths.forEach((p, pi) => {
                const declaredPath = str(get(p, "path")) ?? "/";
                const pathType = str(get(p, "pathType")) ?? "ImplementationSpecific";
                const backend = {
                    service: str(get(p, "backend", "service", "name")) ?? "",
                    port: num(get(p, "backend", "service", "port", "number")) ?? str(get(p, "backend", "service", "port", "name")),
                };
                const r = {
                    ...base,
                    field: `spec.rules[${ri}].http.paths[${pi}]`,
                    id: `${ns}/${nameOf(ing)}#${declaredPath}`,
                    host,
                    declaredPath,
                    pathType,
                    paths: kongPaths(declaredPath, pathType, regexPrefix),
                    backend,
                };
                routes.push({ ...r, priority: routePriority(r) });
            });
        });
        const def = get(ing, "spec", "defaultBackend", "service");
        if (def !== undefined) {
            const r = {
                ...base,
                field: "spec.defaultBackend",
                id: `${ns}/${nameOf(ing)}#/`,
                host: null,
                declaredPath: "/",
                pathType: "Prefix",
                paths: ["/"],
                backend: { service: str(get(def, "name")) ?? "", port: num(get(def, "port", "number")) ?? str(get(def, "port", "name")) },
            };
            routes.push({ ...r, priority: routePriority(r) });
        }
    }
    routes.push(...httpRouteRoutes(index));
    routes.push(...grpcRouteRoutes(index));
    // Stable for equal keys: Kong then falls back to created_at, i.e. the order KIC sent them in.
    routes.sort((x, y) => comparePriority(x.priority, y.priority));
    routeCache.set(index, routes);
    return routes;
}

function hostMatches(pattern: string, host: string): boolean {
    if (pattern.startsWith("*.")) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
    if (pattern.endsWith(".*")) return host.startsWith(pattern.slice(0, -1));
    return pattern.toLowerCase() === host.toLowerCase();
}

/** KIC's Gateway API controller name (KIC 3.5 gateway controller). */
const KIC_GATEWAY_CONTROLLER = "konghq.com/kic-gateway-controller";

/**
 * Does an HTTPRoute attach to a Gateway of Kong's class? A Gateway not among the objects is
 * assumed Kong's. A Gateway among them must admit the route on a listener its parentRef names
 * (Gateway API v1.3.0 Listener.allowedRoutes; see policies/rules/kong-gateway-edge.ts).
 */
function attachedToKong(index: ModelIndex, route: K8sObject): boolean {
    const refs = (get(route, "spec", "parentRefs") as unknown[] | undefined) ?? [];
    return refs.some((ref) => {
        if ((str(get(ref, "kind")) ?? "Gateway") !== "Gateway") return false;
        const gw = index.gateways.get(`${str(get(ref, "namespace")) ?? nsOf(route)}/${str(get(ref, "name")) ?? ""}`);
        if (!gw) return true;
        const cls = index.gatewayClasses.get(str(get(gw, "spec", "gatewayClassName")) ?? "");
        // KIC 3.5 gatewayclass_controller.go GatewayClassIsUnmanaged: only unmanaged classes of its controller are served.
        if (cls !== undefined && (str(get(cls, "spec", "controllerName")) !== KIC_GATEWAY_CONTROLLER || annotations(cls)["konghq.com/gatewayclass-unmanaged"] !== "true"))
            return false;
        const section = str(get(ref, "sectionName"));
        const port = get(ref, "port");
        const ns = index.namespaces.get(nsOf(route));
        return ((get(gw, "spec", "listeners") as unknown[] | undefined) ?? [])
            .filter((l) => (section === undefined || str(get(l, "name")) === section) && (port === undefined || get(l, "port") === port))
            .some((l) => listenerAllows(l, nsOf(gw), route.kind ?? "HTTPRoute", nsOf(route), ns ? labels(ns) : undefined) !== false);
    });
}

/**
 * The protocols of an HTTPRoute's Kong routes: those of the listeners of its parent Gateways
 * (KIC 3.5 internal/dataplane/translator/subtranslator/httproute.go
 * protocolsFromHTTPRoutesGatewayListeners: HTTP → http, HTTPS → https, a parentRef's
 * sectionName picks one listener); http and https when no parent Gateway is among the objects.
 */
function listenerProtocols(index: ModelIndex, route: K8sObject, grpc = false): string[] {
    const out = new Set<string>();
    let found = false;
    for (const ref of (get(route, "spec", "parentRefs") as unknown[] | undefined) ?? []) {
        if ((str(get(ref, "kind")) ?? "Gateway") !== "Gateway") continue;
        const gw = index.gateways.get(`${str(get(ref, "namespace")) ?? nsOf(route)}/${str(get(ref, "name")) ?? ""}`);
        if (!gw) continue;
        found = true;
        const section = str(get(ref, "sectionName"));
        for (const l of (get(gw, "spec", "listeners") as unknown[] | undefined) ?? []) {
            if (section !== undefined && str(get(l, "name")) !== section) continue;
            const proto = str(get(l, "protocol"));
            if (proto === "HTTP") out.add(grpc ? "grpc" : "http");
            else if (proto === "HTTPS") out.add(grpc ? "grpcs" : "https");
        }
    }
    return found ? [...out].sort() : grpc ? ["grpc", "grpcs"] : ["http", "https"];
}

/**
 * Kong routes of GRPCRoutes: KIC 3.5 internal/dataplane/translator/subtranslator/grpcroute.go
 * GenerateKongRoutesFromGRPCRouteRule: one Kong route per match, path
 * `~/<service>/<method>` (Exact type; a missing method is "", a missing service ".+"), the
 * match's headers, the route's hostnames; a rule without matches is one route on the hostnames,
 * or path "/" without them. Protocols grpc/grpcs from the parent Gateway's listeners
 * (translate_grpcroute.go getProtocolsForKongRoute); the konghq.com/* annotations apply as to
 * HTTPRoutes. No methods: Kong refuses them on grpc routes.
 */
function grpcRouteRoutes(index: ModelIndex): KongRoute[] {
    const out: KongRoute[] = [];
    for (const gr of index.grpcRoutes) {
        if (!attachedToKong(index, gr)) continue;
        const a = annotations(gr);
        const ns = nsOf(gr);
        const hostnames = strs(get(gr, "spec", "hostnames"));
        const annProtocols = splitList(a["konghq.com/protocols"]);
        const protocols = annProtocols.length > 0 ? annProtocols : listenerProtocols(index, gr, true);
        ((get(gr, "spec", "rules") as unknown[] | undefined) ?? []).forEach((rule, ri) => {
            const backends = ((get(rule, "backendRefs") as unknown[] | undefined) ?? []).filter(
                (b) => (num(get(b, "weight")) ?? 1) > 0 && (str(get(b, "kind")) ?? "Service") === "Service",
            );
            const first = backends[0];
            const split =
                backends.length > 1
                    ? `Kong splits this rule across ${backends.map((b) => `${str(get(b, "name"))} (weight ${num(get(b, "weight")) ?? 1})`).join(", ")}; explained for the first`
                    : undefined;
            const filterPlugins = ((get(rule, "filters") as unknown[] | undefined) ?? [])
                .filter((f) => str(get(f, "type")) === "ExtensionRef" && str(get(f, "extensionRef", "kind")) === "KongPlugin")
                .map((f) => str(get(f, "extensionRef", "name")) ?? "");
            const matches = (get(rule, "matches") as unknown[] | undefined) ?? [];
            const items: { field: string; declared: string; paths: string[]; headers: Record<string, string[]> }[] =
                matches.length === 0
                    ? [{ field: `spec.rules[${ri}]`, declared: "/", paths: hostnames.length > 0 ? [] : ["/"], headers: {} }]
                    : matches.map((m, mi) => {
                          const headers: Record<string, string[]> = {};
                          for (const h of (get(m, "headers") as unknown[] | undefined) ?? []) {
                              const name = (str(get(h, "name")) ?? "").toLowerCase();
                              if ((str(get(h, "type")) ?? "Exact") === "Exact") headers[name] = [...(headers[name] ?? []), str(get(h, "value")) ?? ""];
                          }
                          const method = get(m, "method");
                          if (method === undefined) return { field: `spec.rules[${ri}].matches[${mi}]`, declared: "/", paths: [], headers };
                          const regex = str(get(method, "type")) === "RegularExpression";
                          const svc = str(get(method, "service")) ?? ".+";
                          const meth = str(get(method, "method")) ?? (regex ? ".+" : "");
                          // Declared as the call's path prefix (as the Ingress of a gRPC service declares it): /<service> or /<service>/<method>.
                          return { field: `spec.rules[${ri}].matches[${mi}]`, declared: meth === "" ? `/${svc}` : `/${svc}/${meth}`, paths: [`~/${svc}/${meth}`], headers };
                      });
            for (const it of items) {
                for (const host of hostnames.length > 0 ? hostnames : [null]) {
                    const r = {
                        ingress: gr,
                        filterPlugins,
                        backendSplit: split,
                        field: it.field,
                        id: `${ns}/${nameOf(gr)}#${it.declared}`,
                        host,
                        declaredPath: it.declared,
                        pathType: "gRPC",
                        paths: it.paths,
                        methods: [] as string[],
                        headers: it.headers,
                        protocols,
                        stripPath: false,
                        preserveHost: boolAnn(a["konghq.com/preserve-host"]) ?? true,
                        regexPriority: num(a["konghq.com/regex-priority"]) ?? 0,
                        httpsRedirectStatus: num(a["konghq.com/https-redirect-status-code"]) ?? 426,
                        backend: { service: str(get(first, "name")) ?? "", port: num(get(first, "port")) },
                    };
                    out.push({ ...r, priority: routePriority(r) });
                }
            }
        });
    }
    return out;
}

/**
 * Kong routes of HTTPRoutes: KIC 3.5
 * internal/dataplane/translator/subtranslator/httproute.go. Rules with the same filters are
 * grouped, and their matches by header and query matches (httpRouteMatchMeta.getKey); each
 * group becomes one Kong route carrying every path and every method of its matches
 * (getRoutesFromMatches), so a method of one match applies to every path of the group.
 * Paths: PathPrefix /a → "~/a$" and "/a/", Exact → "~/a$", RegularExpression → "~<value>"
 * (generateKongRoutePathFromHTTPRouteMatch); strip_path false and preserve_host true; the
 * protocols of the parent Gateway's listeners; then the konghq.com/* annotations as for
 * Ingresses (kongstate/route.go overrideByAnnotation). One KongRoute is modelled per path of
 * a group (as for an Ingress's paths).
 */
function httpRouteRoutes(index: ModelIndex): KongRoute[] {
    const out: KongRoute[] = [];
    for (const hr of index.httpRoutes) {
        if (!attachedToKong(index, hr)) continue;
        const a = annotations(hr);
        const ns = nsOf(hr);
        const hostnames = strs(get(hr, "spec", "hostnames"));
        const listenerProtos = listenerProtocols(index, hr);
        const annMethods = splitList(a["konghq.com/methods"]).map((x) => x.toUpperCase());
        const annProtocols = splitList(a["konghq.com/protocols"]);
        interface Item {
            rule: unknown;
            ri: number;
            mi: number;
            match: unknown;
            headers: Record<string, string[]>;
        }
        const groups = new Map<string, Item[]>();
        ((get(hr, "spec", "rules") as unknown[] | undefined) ?? []).forEach((rule, ri) => {
            const matches = (get(rule, "matches") as unknown[] | undefined) ?? [{ path: { type: "PathPrefix", value: "/" } }];
            matches.forEach((m, mi) => {
                const headers: Record<string, string[]> = {};
                for (const h of (get(m, "headers") as unknown[] | undefined) ?? []) {
                    const name = (str(get(h, "name")) ?? "").toLowerCase();
                    if ((str(get(h, "type")) ?? "Exact") === "Exact" && headers[name] === undefined) headers[name] = [str(get(h, "value")) ?? ""];
                }
                const key = `${JSON.stringify(get(rule, "filters") ?? [])}|${JSON.stringify(Object.entries(headers).sort())}|${JSON.stringify(get(m, "queryParams") ?? [])}`;
                const list = groups.get(key) ?? [];
                list.push({ rule, ri, mi, match: m, headers });
                groups.set(key, list);
            });
        });
        for (const items of groups.values()) {
            const groupMethods = [...new Set(items.map((i) => str(get(i.match, "method"))).filter((x): x is string => x !== undefined))];
            const seenPaths = new Set<string>();
            for (const { rule, ri, mi, match, headers } of items) {
                const type = str(get(match, "path", "type")) ?? "PathPrefix";
                const value = str(get(match, "path", "value")) ?? "/";
                if (seenPaths.has(`${type} ${value}`)) continue;
                seenPaths.add(`${type} ${value}`);
                const backends = ((get(rule, "backendRefs") as unknown[] | undefined) ?? []).filter(
                    (b) => (num(get(b, "weight")) ?? 1) > 0 && (str(get(b, "kind")) ?? "Service") === "Service",
                );
                const first = backends[0];
                const split =
                    backends.length > 1
                        ? `Kong splits this rule across ${backends.map((b) => `${str(get(b, "name"))} (weight ${num(get(b, "weight")) ?? 1})`).join(", ")}; explained for the first`
                        : undefined;
                const filterPlugins = ((get(rule, "filters") as unknown[] | undefined) ?? [])
                    .filter((f) => str(get(f, "type")) === "ExtensionRef" && str(get(f, "extensionRef", "kind")) === "KongPlugin")
                    .map((f) => str(get(f, "extensionRef", "name")) ?? "");
                const paths =
                    type === "Exact"
                        ? [`~${value}$`]
                        : type === "RegularExpression"
                          ? [`~${value}`]
                          : value === "/"
                            ? ["/"]
                            : [`~${value.replace(/\/+$/, "")}$`, value.endsWith("/") ? value : `${value}/`];
                for (const host of hostnames.length > 0 ? hostnames : [null]) {
                    const r = {
                        ingress: hr,
                        filterPlugins,
                        backendSplit: split,
                        field: `spec.rules[${ri}].matches[${mi}]`,
                        id: `${ns}/${nameOf(hr)}#${value}`,
                        host,
                        declaredPath: value,
                        pathType: type === "PathPrefix" ? "Prefix" : type === "Exact" ? "Exact" : "RegularExpression",
                        paths,
                        methods: annMethods.length > 0 ? annMethods : groupMethods,
                        headers,
                        protocols: annProtocols.length > 0 ? annProtocols : listenerProtos,
                        stripPath: boolAnn(a["konghq.com/strip-path"]) ?? false,
                        preserveHost: boolAnn(a["konghq.com/preserve-host"]) ?? true,
                        regexPriority: num(a["konghq.com/regex-priority"]) ?? 0,
                        httpsRedirectStatus: num(a["konghq.com/https-redirect-status-code"]) ?? 426,
                        backend: { service: str(get(first, "name")) ?? "", port: num(get(first, "port")) },
                    };
                    out.push({ ...r, priority: routePriority(r) });
                }
            }
        }
    }
    return out;
}

const regexCache = new Map<string, RegExp | null>();

/** A Kong regex path as a JS RegExp, compiled once; anchored at the start as Kong does (traditional.lua: "^" … with the "ajo" flags). */
function kongRegex(p: string): RegExp | null {
    let re = regexCache.get(p);
    if (re === undefined) {
        try {
            re = new RegExp(`^(?:${p.slice(1)})`);
        } catch {
            re = null;
        }
        regexCache.set(p, re);
    }
    return re;
}

/** Which of a route's paths match, and the prefix it strips. */
export function pathMatch(route: KongRoute, path: string): { path: string; matched: string } | undefined {
    // A route without paths (a GRPCRoute rule without matches, on hostnames) takes any path.
    if (route.paths.length === 0) return { path: "(any)", matched: "" };
    for (const p of route.paths) {
        if (p.startsWith("~")) {
            const m = kongRegex(p)?.exec(path);
            if (m) return { path: p, matched: m[0] };
        } else if (path.startsWith(p)) {
            return { path: p, matched: p };
        }
    }
    return undefined;
}

export interface RouteMatch {
    readonly route: KongRoute;
    readonly matchedPath: string;
    readonly matchedPrefix: string;
}

/** Why a route does not take the request, or undefined when it does. */
function mismatch(r: KongRoute, host: string, method: string, path: string, headers: Readonly<Record<string, string>>): string | undefined {
    if (r.host !== null && !hostMatches(r.host, host)) return `host ${host} is not ${r.host}`;
    for (const [h, vals] of Object.entries(r.headers)) {
        const got = headers[h];
        if (got === undefined || !vals.some((v) => v.toLowerCase() === got.toLowerCase())) return `header ${h} must be one of ${vals.join(", ")}`;
    }
    if (!pathMatch(r, path)) return `path ${path} matches none of ${r.paths.join(", ")}`;
    if (r.methods.length > 0 && !r.methods.includes(method)) return `method ${method} is not among ${r.methods.join(", ")} (konghq.com/methods)`;
    return undefined;
}

/** Kong's route choice for a request: the first route in priority order that matches host, headers, path and method. */
interface RouteBuckets {
    /** Prefix and Exact routes by their literal path (no trailing slash): only a request path under it can match. */
    readonly byBase: Map<string, KongRoute[]>;
    /** Routes any path may match (ImplementationSpecific, "/"). */
    readonly wild: KongRoute[];
    readonly rank: Map<KongRoute, number>;
}

const bucketCache = new WeakMap<ModelIndex, RouteBuckets>();

function buckets(index: ModelIndex): RouteBuckets {
    let b = bucketCache.get(index);
    if (!b) {
        b = { byBase: new Map(), wild: [], rank: new Map() };
        kongRoutes(index).forEach((r, i) => {
            b!.rank.set(r, i);
            const base = r.declaredPath.replace(/\/+$/, "");
            if ((r.pathType === "Prefix" || r.pathType === "Exact") && base !== "") {
                const list = b!.byBase.get(base) ?? [];
                list.push(r);
                b!.byBase.set(base, list);
            } else {
                b!.wild.push(r);
            }
        });
        bucketCache.set(index, b);
    }
    return b;
}

/** The routes that could match a path, in priority order: those whose literal path is a segment prefix of it, and the wild ones. One index, so a request costs the same with 10 or 1,000 routes. */
function candidates(index: ModelIndex, path: string): KongRoute[] {
    const b = buckets(index);
    const out = [...b.wild];
    const p = path.split("?")[0];
    for (let i = p.indexOf("/", 1); ; i = p.indexOf("/", i + 1)) {
        const prefix = i < 0 ? p.replace(/\/+$/, "") : p.slice(0, i);
        const hit = b.byBase.get(prefix);
        if (hit) out.push(...hit);
        if (i < 0) break;
    }
    return out.sort((x, y) => b.rank.get(x)! - b.rank.get(y)!);
}

export function matchRoute(index: ModelIndex, host: string, method: string, path: string, headers: Readonly<Record<string, string>>, walk: Walk): RouteMatch | false {
    const routes = candidates(index, path);
    for (const r of routes) {
        if (mismatch(r, host, method, path, headers) === undefined) {
            const pm = pathMatch(r, path)!;
            const others = routes.filter((o) => o !== r && mismatch(o, host, method, path, headers) === undefined).length;
            const kind = pm.path.startsWith("~") ? `regex ${pm.path}` : `prefix ${pm.path}`;
            walk.pass(
                "kong-route",
                "Kong route",
                `matched ${r.declaredPath} (${r.pathType}: Kong path ${kind}${r.methods.length > 0 ? `, methods ${r.methods.join(",")}` : ", any method"}${r.host ? `, host ${r.host}` : ", any host"}; strip-path ${r.stripPath}, preserve-host ${r.preserveHost}) on ${r.ingress.kind ?? "Ingress"} ${nsOf(r.ingress)}/${nameOf(r.ingress)}${others > 0 ? `; ${others} other route${others === 1 ? "" : "s"} also match but rank lower in Kong's traditional router (match count, host, headers, regex, regex_priority, longest path)` : ""}`,
                r.ingress,
                r.field,
            );
            return { route: r, matchedPath: pm.path, matchedPrefix: pm.matched };
        }
    }
    // Near misses tell why nothing matched: the route that matches the path, or the host.
    const near = routes
        .map((r) => ({ r, why: mismatch(r, host, method, path, headers)! }))
        .filter((x) => pathMatch(x.r, path) !== undefined || x.r.paths.some((p) => !p.startsWith("~") && p.startsWith(path)));
    const why =
        near.length > 0
            ? `; closest: ${near
                  .slice(0, 3)
                  .map((x) => `${x.r.id} (${x.why})`)
                  .join("; ")}`
            : kongRoutes(index).length === 0
              ? `; no Ingress of class ${index.kong.ingressClass} among the objects`
              : "";
    const first = near[0]?.r;
    return walk.refuse(
        "kong-route",
        "Kong route",
        404,
        `no Kong route matches ${method} ${host}${path}: Kong answers 404 "no Route matched with those values"${why}`,
        first?.ingress ?? null,
        first?.field ?? null,
    );
}
