/**
 * `--matrix`: every declared route × method × canary header × credential
 * present or absent, and every declared caller of each meshed Service, as
 * routes.json entries (the contract in the coordinator's routes-contract.md).
 */
import { declaredCallers, explain, kongRoutes } from "./explain";
import { AUTH_PLUGINS, consumerCredentials, effectivePlugins } from "./plugins";
import { meshRoutesFor } from "./mesh-routes";
import type { ModelIndex } from "./model-index";
import { arr, get, isObj, nameOf, nsOf, num, obj, str, strs } from "./objects";
import type { ExplainRequest, K8sObject, RoutesDocument, RoutesEntry } from "./types";
import { istioPortProtocol } from "../../policies/rules/kong-grpc";

/** What marks a request as a gRPC call. */
const GRPC_HEADERS: Readonly<Record<string, string>> = { "content-type": "application/grpc" };

/** The host external matrix requests use when an Ingress rule names none: the NLB's name is known only after deploy. */
export const EDGE_HOST = "edge.invalid";

/** Exact-value header matches of the VirtualServices for a host: the canary headers worth trying. */
function canaryHeaders(index: ModelIndex, svc: K8sObject | undefined): Record<string, string>[] {
    if (!svc) return [];
    const fqdn = `${nameOf(svc)}.${nsOf(svc)}.svc.${index.mesh.clusterDomain}`;
    const out: Record<string, string>[] = [];
    const seen = new Set<string>();
    for (const vs of index.virtualServices.get(fqdn) ?? []) {
        for (const route of arr(get(vs, "spec", "http"))) {
            for (const m of arr(get(route, "match"))) {
                const hs = obj(get(m, "headers"));
                const h: Record<string, string> = {};
                for (const [k, cond] of Object.entries(hs)) {
                    if (isObj(cond) && typeof cond.exact === "string") h[k.toLowerCase()] = cond.exact;
                    else if (isObj(cond) && typeof cond.prefix === "string") h[k.toLowerCase()] = cond.prefix;
                }
                const key = JSON.stringify(h);
                if (Object.keys(h).length > 0 && !seen.has(key)) {
                    seen.add(key);
                    out.push(h);
                }
            }
        }
    }
    // Mesh HTTPRoutes (parent: the Service): Exact header matches of their rules.
    for (const route of meshRoutesFor(index.httpRoutes, svc)) {
        for (const rule of arr(get(route, "spec", "rules"))) {
            for (const m of arr(get(rule, "matches"))) {
                const h: Record<string, string> = {};
                for (const hm of arr(get(m, "headers"))) {
                    if ((str(get(hm, "type")) ?? "Exact") === "Exact" && typeof get(hm, "value") === "string")
                        h[(str(get(hm, "name")) ?? "").toLowerCase()] = str(get(hm, "value")) ?? "";
                }
                const key = JSON.stringify(h);
                if (Object.keys(h).length > 0 && !seen.has(key)) {
                    seen.add(key);
                    out.push(h);
                }
            }
        }
    }
    return out;
}

/** A concrete path for a Kong route's declared path (regex paths lose their markers). */
function samplePath(path: string): string {
    const p = path.replace(/^\/~/, "/").replace(/[\^$]/g, "");
    return /[\\()[\]{}|*+?]/.test(p) ? p.replace(/[\\()[\]{}|*+?]/g, "") || "/" : p || "/";
}

function idOf(service: string, r: ExplainRequest, path: string): string {
    const hs = Object.entries(r.headers)
        .filter(([k]) => k !== "origin" && k !== "access-control-request-method")
        .map(([k, v]) => `${k}: ${v}`);
    const preflight = r.headers["access-control-request-method"] !== undefined ? " preflight" : "";
    return `${service} ${r.method}${preflight} ${path}${hs.length > 0 ? ` [${hs.join(", ")}]` : ""}${r.consumer !== null ? ` consumer=${r.consumer}` : ""}${r.from !== null ? ` from=${r.from}` : ""}`;
}

export function matrix(index: ModelIndex, stack: string, source: RoutesDocument["source"]): RoutesDocument {
    const entries: RoutesEntry[] = [];
    const ids = new Map<string, number>();
    const add = (r: ExplainRequest, path: string, target: string) => {
        const e = explain(index, r);
        let id = idOf(e.service ?? target, r, path);
        const n = ids.get(id) ?? 0;
        ids.set(id, n + 1);
        if (n > 0) id = `${id} #${n + 1}`;
        entries.push({ id, ...e });
    };
    const tls = index.kong.values.proxy !== undefined && str(get(index.kong.values, "proxy", "annotations", "service.beta.kubernetes.io/aws-load-balancer-ssl-cert")) !== undefined;
    const scheme = tls ? "https" : "http";
    const consumers = [...index.consumers.entries()].sort(([a], [b]) => a.localeCompare(b));
    for (const route of kongRoutes(index)) {
        const target = `${nsOf(route.ingress)}/${route.backend.service}`;
        const svc = index.services.get(target);
        // A gRPC route on a whole gRPC service (/<package.Service>) is called on one of its methods: /<package.Service>/Method.
        const grpcOnly = route.protocols.length > 0 && route.protocols.every((p) => p === "grpc" || p === "grpcs");
        const declared = samplePath(route.declaredPath);
        const path = grpcOnly && /^\/[^/]+$/.test(declared) && declared !== "/" ? `${declared}/Method` : declared;
        const url = `${scheme}://${route.host !== null && !route.host.includes("*") ? route.host : EDGE_HOST}${path}`;
        const plugins = effectivePlugins(index, route, svc, undefined, []);
        const auth = plugins.map((p) => AUTH_PLUGINS[p.name]).filter((t): t is string => t !== undefined);
        // Credential absent, and present: per credential type the route accepts, the first consumer (by name) holding one.
        const holders = [
            ...new Set(auth.map((t) => consumers.find(([, c]) => consumerCredentials(index, c).some((x) => x.type === t))?.[0]).filter((n): n is string => n !== undefined)),
        ];
        const credentialCases: (string | null)[] = [null, ...holders];
        const headerCases: Record<string, string>[] = [{}, ...canaryHeaders(index, svc)];
        // A route that serves gRPC only is called as gRPC: an HTTP/2 POST with content-type application/grpc, over TLS (Kong's plain listener has no HTTP/2).
        const grpc = grpcOnly;
        const methods = grpc ? ["POST"] : route.methods.length > 0 ? [...route.methods] : ["GET"];
        const callUrl = grpc && !tls ? url.replace(/^http:/, "https:") : url;
        for (const method of methods) {
            for (const h of headerCases) {
                for (const consumer of credentialCases) add({ method, url: callUrl, headers: { ...(grpc ? GRPC_HEADERS : {}), ...h }, consumer, from: null }, path, target);
            }
        }
        const cors = plugins.find((p) => p.name === "cors");
        if (cors) {
            const origin = strs(cors.config.origins).find((o) => o !== "*") ?? "https://example.com";
            add({ method: "OPTIONS", url, headers: { origin, "access-control-request-method": methods[0] }, consumer: null, from: null }, path, target);
        }
    }
    // Internal calls: every declared caller (ALLOW principals) of every Service with mesh routing or policy.
    for (const svc of index.services.values()) {
        const callers = declaredCallers(index, svc).filter((c) => c.split("/")[0] !== index.kong.namespace);
        if (callers.length === 0) continue;
        const port = num(get(svc, "spec", "ports", 0, "port")) ?? 80;
        const url = `http://${nameOf(svc)}.${nsOf(svc)}${port === 80 ? "" : `:${port}`}/`;
        // A gRPC port (appProtocol grpc, or a grpc name) is called as gRPC.
        const grpc = istioPortProtocol(get(svc, "spec", "ports", 0)).protocol === "grpc";
        for (const from of callers) {
            for (const h of [{}, ...canaryHeaders(index, svc)])
                add({ method: grpc ? "POST" : "GET", url, headers: { ...(grpc ? GRPC_HEADERS : {}), ...h }, consumer: null, from }, "/", `${nsOf(svc)}/${nameOf(svc)}`);
        }
    }
    return { stack, source, entries };
}
