/**
 * Mesh HTTPRoutes: Gateway API HTTPRoutes whose parent is a Service (group "", kind Service),
 * which Istio 1.30 applies in the callers' sidecars in place of a VirtualService (GAMMA; Istio
 * converts each into a route for the Service's host, pilot/pkg/config/kube/gateway/conversion.go
 * convertHTTPRoute). Kong's edge HTTPRoutes have a Gateway parent and are read by edge.ts; the
 * two are told apart by parentRef only.
 *
 * Which rule a request takes follows the HTTPRoute spec (gateway-api v1.3.0, HTTPRouteRule
 * `matches`): across every rule of every route attached to the parent, the match with an
 * Exact path, then the longest PathPrefix, then a method match, then the most header matches,
 * then the most query param matches wins; ties go to the older route (creation time, unknown
 * before deploy: then "{namespace}/{name}" order), then the first rule in list order. A request
 * matching no rule gets 404.
 */
import { arr, get, isObj, nameOf, nsOf, num, str, type Obj } from "./objects";
import type { K8sObject } from "./types";

/** The core group as a parentRef or backendRef writes it ("" or left out; "core" is accepted by Istio too). */
function coreGroup(v: unknown): boolean {
    const g = str(v);
    return g === undefined || g === "" || g === "core";
}

/** Is this HTTPRoute a mesh route of the Service `namespace/name` (a parentRef of kind Service naming it)? */
export function isMeshRouteOf(route: K8sObject, namespace: string, name: string): boolean {
    return arr(get(route, "spec", "parentRefs")).some(
        (p) => str(get(p, "kind")) === "Service" && coreGroup(get(p, "group")) && str(get(p, "name")) === name && (str(get(p, "namespace")) ?? nsOf(route)) === namespace,
    );
}

/** Does the HTTPRoute have any Service parent (a mesh route), as opposed to Gateway parents only (an edge route)? */
export function isMeshRoute(route: K8sObject): boolean {
    return arr(get(route, "spec", "parentRefs")).some((p) => str(get(p, "kind")) === "Service" && coreGroup(get(p, "group")));
}

/** The mesh HTTPRoutes attached to a Service, oldest first as far as the objects tell ("{namespace}/{name}" order). */
export function meshRoutesFor(routes: readonly K8sObject[], svc: K8sObject): K8sObject[] {
    return routes.filter((r) => isMeshRouteOf(r, nsOf(svc), nameOf(svc))).sort((a, b) => `${nsOf(a)}/${nameOf(a)}`.localeCompare(`${nsOf(b)}/${nameOf(b)}`));
}

export interface RouteRequest {
    readonly method: string;
    /** Path without the query. */
    readonly path: string;
    /** The query string, without "?". */
    readonly query: string;
    /** Header names lower-cased. */
    readonly headers: Readonly<Record<string, string>>;
}

/** The CRD default of a rule without `matches`: PathPrefix "/". */
const DEFAULT_MATCH: Obj = { path: { type: "PathPrefix", value: "/" } };

function fullRegex(pattern: string, value: string): boolean {
    try {
        // Istio turns RegularExpression into an Envoy safe_regex: RE2, full match.
        return new RegExp(`^(?:${pattern})$`).test(value);
    } catch {
        return false;
    }
}

/** PathPrefix matches whole path elements: "/foo" matches "/foo" and "/foo/bar", not "/foobar" (trailing "/" ignored). */
function prefixMatches(prefix: string, path: string): boolean {
    const p = prefix.replace(/\/+$/, "");
    return p === "" || path === p || path.startsWith(`${p}/`);
}

function pathMatches(m: Obj, path: string): boolean {
    const p = isObj(m.path) ? m.path : undefined;
    if (p === undefined) return true;
    const value = str(p.value) ?? "/";
    const type = str(p.type) ?? "PathPrefix";
    if (type === "Exact") return path === value;
    if (type === "RegularExpression") return fullRegex(value, path);
    return prefixMatches(value, path);
}

function valueMatches(cond: unknown, value: string | undefined): boolean {
    if (value === undefined) return false;
    const want = str(get(cond, "value")) ?? "";
    return (str(get(cond, "type")) ?? "Exact") === "RegularExpression" ? fullRegex(want, value) : value === want;
}

/** One HTTPRouteMatch: every condition ANDed. */
export function routeMatch(m: Obj, req: RouteRequest): boolean {
    if (!pathMatches(m, req.path)) return false;
    if (str(m.method) !== undefined && str(m.method) !== req.method) return false;
    for (const h of arr(m.headers)) {
        if (!valueMatches(h, req.headers[(str(get(h, "name")) ?? "").toLowerCase()])) return false;
    }
    const q = new URLSearchParams(req.query);
    for (const p of arr(m.queryParams)) {
        if (!valueMatches(p, q.get(str(get(p, "name")) ?? "") ?? undefined)) return false;
    }
    return true;
}

/** A match as a reader sees it. */
export function describeRouteMatch(m: Obj): string {
    const parts: string[] = [];
    if (isObj(m.path)) parts.push(`path ${str(m.path.type) ?? "PathPrefix"} ${str(m.path.value) ?? "/"}`);
    if (str(m.method)) parts.push(`method ${str(m.method)}`);
    for (const h of arr(m.headers)) parts.push(`header ${str(get(h, "name"))} ${(str(get(h, "type")) ?? "Exact").toLowerCase()} ${str(get(h, "value"))}`);
    for (const p of arr(m.queryParams)) parts.push(`query ${str(get(p, "name"))} ${(str(get(p, "type")) ?? "Exact").toLowerCase()} ${str(get(p, "value"))}`);
    return parts.join(", ") || "everything";
}

export interface RankedMatch {
    readonly route: K8sObject;
    readonly ruleIndex: number;
    readonly matchIndex: number;
    readonly match: Obj;
    readonly rule: Obj;
}

/** Sort key of a match, per the HTTPRoute spec's precedence (smaller first). */
function precedence(m: Obj): number[] {
    const type = isObj(m.path) ? (str(m.path.type) ?? "PathPrefix") : "PathPrefix";
    const value = isObj(m.path) ? (str(m.path.value) ?? "/") : "/";
    return [type === "Exact" ? 0 : 1, type === "PathPrefix" ? -value.length : 0, str(m.method) !== undefined ? 0 : 1, -arr(m.headers).length, -arr(m.queryParams).length];
}

/** Every match of every rule of the routes, in the order a proxy tries them. */
export function rankedMatches(routes: readonly K8sObject[]): RankedMatch[] {
    const all: (RankedMatch & { key: number[]; order: number })[] = [];
    let order = 0;
    for (const route of routes) {
        arr(get(route, "spec", "rules")).forEach((r, ruleIndex) => {
            const rule = isObj(r) ? r : {};
            const matches = arr(rule.matches);
            (matches.length === 0 ? [DEFAULT_MATCH] : matches).forEach((m, matchIndex) => {
                const match = isObj(m) ? m : {};
                all.push({ route, ruleIndex, matchIndex, match, rule, key: precedence(match), order: order++ });
            });
        });
    }
    all.sort((a, b) => {
        for (let i = 0; i < a.key.length; i++) if (a.key[i] !== b.key[i]) return a.key[i] - b.key[i];
        return a.order - b.order;
    });
    return all.map(({ route, ruleIndex, matchIndex, match, rule }) => ({ route, ruleIndex, matchIndex, match, rule }));
}

export interface RouteBackend {
    /** `<name>.<namespace>.svc.<cluster domain>` of the backend Service. */
    readonly host: string;
    readonly namespace: string;
    readonly name: string;
    readonly port?: number;
    /** Share of the traffic in percent (weights over their sum); 0 for a backend of weight 0. */
    readonly weight: number;
}

/** The rule's backends with their shares (Gateway API weight defaults to 1). Non-Service backends are left out. */
export function ruleBackends(route: K8sObject, rule: Obj, clusterDomain: string): RouteBackend[] {
    const refs = arr(rule.backendRefs).filter((b) => (str(get(b, "kind")) ?? "Service") === "Service" && coreGroup(get(b, "group")));
    const weights = refs.map((b) => num(get(b, "weight")) ?? 1);
    const total = weights.reduce((a, b) => a + b, 0);
    return refs.map((b, i) => {
        const name = str(get(b, "name")) ?? "";
        const namespace = str(get(b, "namespace")) ?? nsOf(route);
        const port = num(get(b, "port"));
        return {
            host: `${name}.${namespace}.svc.${clusterDomain}`,
            namespace,
            name,
            ...(port === undefined ? {} : { port }),
            weight: total === 0 ? 0 : Math.round((weights[i] * 10000) / total) / 100,
        };
    });
}

/** What a rule does about retries: only the experimental `retry` field sets them; otherwise Istio's default policy applies. */
export function ruleRetriesText(rule: Obj): string {
    const r = rule.retry;
    if (!isObj(r)) {
        // conversion.go sets VirtualService retries only from `retry`; route.go then falls back to the mesh
        // default (retry/retry.go DefaultPolicy): 2 attempts on connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes.
        return "retries: Istio's default (2 attempts on connect-failure, refused-stream, unavailable, cancelled, retriable-status-codes; no retry field)";
    }
    const attempts = num(r.attempts) ?? 2;
    return attempts === 0
        ? "retries: none (retry.attempts 0)"
        : `retries: ${attempts} attempts on connect-failure, refused-stream, unavailable, cancelled${arr(r.codes).length > 0 ? `, ${arr(r.codes).join(", ")}` : ""}`;
}

/** The rule's timeout as Istio applies it without `retry`: `timeouts.backendRequest`, else `timeouts.request` ("0s" or none: no timeout; conversion.go). */
export function ruleTimeout(rule: Obj): string | undefined {
    const zero = (t: string | undefined) => t === undefined || /^(0+(h|m|s|ms))+$/.test(t);
    const backend = str(get(rule, "timeouts", "backendRequest"));
    const request = str(get(rule, "timeouts", "request"));
    return !zero(backend) && !isObj(rule.retry) ? backend : zero(request) ? undefined : request;
}

export type MeshRouteDecision =
    | { readonly kind: "refuse"; readonly status: number; readonly text: string; readonly object: K8sObject; readonly field: string }
    | { readonly kind: "route"; readonly object: K8sObject; readonly field: string; readonly backends: RouteBackend[]; readonly text: string };

/**
 * The rule a request takes among the mesh routes of a Service, and its backends. No rule
 * matching: 404; a rule without backends: 404, with backends all of weight 0: 500
 * (conversion.go: a direct response, per the Gateway API spec).
 */
export function decideMeshRoute(routes: readonly K8sObject[], req: RouteRequest, clusterDomain: string): MeshRouteDecision {
    const ranked = rankedMatches(routes);
    const hit = ranked.find((m) => routeMatch(m.match, req));
    const name = (r: K8sObject) => `HTTPRoute ${nsOf(r)}/${nameOf(r)}`;
    if (hit === undefined) {
        const tried = ranked.map((m) => `${nameOf(m.route)} rule [${m.ruleIndex}] ${describeRouteMatch(m.match)}`).join("; ");
        return { kind: "refuse", status: 404, text: `no rule of the mesh HTTPRoutes matches (${tried}): the sidecar answers 404`, object: routes[0], field: "spec.rules" };
    }
    const field = `spec.rules[${hit.ruleIndex}]`;
    const why = `${arr(hit.rule.matches).length === 0 ? "the rule without matches (PathPrefix /)" : `match ${describeRouteMatch(hit.match)}`}, highest in Gateway API precedence`;
    const backends = ruleBackends(hit.route, hit.rule, clusterDomain);
    if (backends.length === 0 || backends.every((b) => b.weight === 0)) {
        const status = backends.length === 0 ? 404 : 500;
        return {
            kind: "refuse",
            status,
            text: `${name(hit.route)} rule [${hit.ruleIndex}] (${why}) has ${backends.length === 0 ? "no backendRefs" : "only backends of weight 0"}: Istio answers ${status}`,
            object: hit.route,
            field,
        };
    }
    const live = backends.filter((b) => b.weight > 0);
    const split = live.map((b) => `${b.name}${live.length > 1 ? ` ${b.weight}%` : ""}`).join(", ");
    const timeout = ruleTimeout(hit.rule);
    const text = `${name(hit.route)} (mesh route, parent Service) rule [${hit.ruleIndex}]: ${why} → ${live.length > 1 ? `weighted split ${split}` : split}; timeout ${timeout ?? "none (Istio's default: disabled)"}; ${ruleRetriesText(hit.rule)}`;
    return { kind: "route", object: hit.route, field, backends: live, text };
}
