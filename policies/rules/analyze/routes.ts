// Routes that can never be used and matches that repeat earlier ones, in http, tcp and tls, as
// Istio's validation warns about them (Istio 1.30.3 pkg/config/validation/validation.go,
// analyzeUnreachableHTTPRules/TCP/TLS, genMatchHTTPRoutes, coveredValidation; reported by
// istioctl analyze through analyzers/schema/validation.go as IST0130 and IST0131).
import type { EnforcementLevel, ResourceValidationPolicy } from "@pulumi/policy";
import { T, arr, get, isObj, obj, str, validateTypes } from "../common";
import { stableJson } from "./model";

export interface RouteFinding {
    code: "IST0130" | "IST0131";
    message: string;
}

function routeName(route: unknown, i: number, section: string): string {
    const name = section === "http" ? str(get(route, "name")) : undefined;
    return name ? `${section}[${i}] "${name}"` : `${section}[${i}]`;
}

function matchName(match: unknown, j: number, section: string): string {
    const name = section === "http" ? str(get(match, "name")) : undefined;
    return name ? `match "${name}"` : `match[${j}]`;
}

/** A match block as Istio serializes it for comparison: without its name. */
function matchKey(match: unknown): string {
    const { name: _name, ...rest } = obj(match);
    return stableJson(rest);
}

interface PrefixMatch {
    route: string;
    match: string;
    prefix: string;
    port: string;
    method: string;
    authority: string;
    headers: Record<string, string>;
    query: Record<string, string>;
    without: Record<string, string>;
}

function exactOrPrefix(m: unknown): string {
    const exact = str(get(m, "exact"));
    if (exact) {
        return `exact:${exact}`;
    }
    const prefix = str(get(m, "prefix"));
    return prefix ? `prefix:${prefix}` : "";
}

function stringMatches(v: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, m] of Object.entries(obj(v))) {
        out[k] = exactOrPrefix(m);
    }
    return out;
}

/** genMatchHTTPRoutes: the fields Istio compares for overlapping prefix matches. */
function prefixMatch(match: unknown, route: string, matchLabel: string): PrefixMatch | undefined {
    const prefix = str(get(match, "uri", "prefix"));
    if (!isObj(match) || !prefix) {
        return undefined;
    }
    const port = get(match, "port");
    return {
        route,
        match: matchLabel,
        prefix,
        port: port === undefined ? "" : String(port),
        method: exactOrPrefix(match.method) || "exact:GET",
        authority: exactOrPrefix(match.authority),
        headers: stringMatches(match.headers),
        query: stringMatches(match.queryParams),
        without: stringMatches(match.withoutHeaders),
    };
}

function mapCovered(a: Record<string, string>, b: Record<string, string>): boolean {
    if (Object.keys(a).length !== Object.keys(b).length) {
        return false;
    }
    return Object.entries(a).every(([k, v]) => k in b && (v === b[k] || v.startsWith(b[k])));
}

/** coveredValidation: whether the earlier match `a` covers the later `b` (as Istio 1.30.3 computes it). */
function covered(a: PrefixMatch, b: PrefixMatch): boolean {
    return (
        b.prefix.startsWith(a.prefix) &&
        a.port === b.port &&
        (a.method === b.method || a.method.startsWith(b.method)) &&
        (a.authority === b.authority || a.authority.startsWith(b.authority)) &&
        mapCovered(a.headers, b.headers) &&
        mapCovered(a.query, b.query) &&
        mapCovered(a.without, b.without)
    );
}

/** Every IST0130/IST0131 finding of a VirtualService spec, in Istio's order. */
export function analyzeRoutes(spec: Record<string, unknown>): RouteFinding[] {
    const out: RouteFinding[] = [];
    for (const section of ["http", "tcp", "tls"]) {
        const routes = arr(spec[section]);
        const seen = new Map<string, number>();
        let catchAll = -1;
        const prefixes: PrefixMatch[] = [];
        routes.forEach((route, i) => {
            if (!isObj(route)) {
                return;
            }
            const name = routeName(route, i, section);
            const matches = arr(route.match);
            if (matches.length === 0) {
                if (catchAll >= 0) {
                    out.push({
                        code: "IST0130",
                        message: `${name} can never be used: only the last rule can have no matches (${routeName(routes[catchAll], catchAll, section)} has none) (IST0130).`,
                    });
                }
                catchAll = i;
                return;
            }
            if (catchAll >= 0) {
                out.push({
                    code: "IST0130",
                    message: `${name} can never be used: ${routeName(routes[catchAll], catchAll, section)} before it has no matches and takes every request (IST0130).`,
                });
                return;
            }
            let duplicates = 0;
            matches.forEach((m, j) => {
                const key = matchKey(m);
                const dup = seen.get(key);
                if (dup !== undefined) {
                    out.push({
                        code: "IST0131",
                        message: `${name} ${matchName(m, j, section)} repeats a match of ${routeName(routes[dup], dup, section)} and never takes effect (IST0131).`,
                    });
                    duplicates++;
                    return;
                }
                seen.set(key, i);
                if (section === "http") {
                    const p = prefixMatch(m, name, matchName(m, j, section));
                    if (p) {
                        prefixes.push(p);
                    }
                }
            });
            if (duplicates === matches.length) {
                out.push({ code: "IST0130", message: `${name} can never be used: all its matches are used by earlier rules (IST0130).` });
            }
        });
        for (let a = 0; a < prefixes.length; a++) {
            for (let b = a + 1; b < prefixes.length; b++) {
                if (prefixes[b].prefix !== prefixes[a].prefix && covered(prefixes[a], prefixes[b])) {
                    const [pa, pb] = [prefixes[a], prefixes[b]];
                    out.push({
                        code: "IST0131",
                        message: `${pb.route} ${pb.match} (prefix ${pb.prefix}) is covered by ${pa.route} ${pa.match} (prefix ${pa.prefix}) before it and never takes effect (IST0131).`,
                    });
                }
            }
        }
    }
    return out;
}

/** Routes no request can reach (IST0130). */
export function istioVirtualServiceUnreachableRoutes(level: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return {
        name: "istio-virtual-service-unreachable-routes",
        description:
            "Every http, tcp and tls route of a VirtualService must be reachable: no route after one without matches, no route whose matches all repeat earlier ones (IST0130).",
        enforcementLevel: level,
        validateResource: validateTypes(T.virtualService, (args, report) => {
            analyzeRoutes(obj(get(args.props, "spec")))
                .filter((f) => f.code === "IST0130")
                .forEach((f) => report(f.message));
        }),
    };
}

/** Matches repeated or covered by earlier ones (IST0131). */
export function istioVirtualServiceIneffectiveMatch(level: EnforcementLevel = "advisory"): ResourceValidationPolicy {
    return {
        name: "istio-virtual-service-ineffective-match",
        description: "A VirtualService match must not repeat, or be covered by the prefix of, an earlier match (IST0131).",
        enforcementLevel: level,
        validateResource: validateTypes(T.virtualService, (args, report) => {
            analyzeRoutes(obj(get(args.props, "spec")))
                .filter((f) => f.code === "IST0131")
                .forEach((f) => report(f.message));
        }),
    };
}

export const routeRules = [istioVirtualServiceUnreachableRoutes, istioVirtualServiceIneffectiveMatch];
