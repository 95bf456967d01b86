/**
 * The report's reading of a mesh HTTPRoute (parent: a Service; `mesh.routing: gateway-api`):
 * the versions and weights of its rule without header matches, the header canary of its rule
 * with one, and its timeout. Backends are Services (one per version), so a version's name is
 * the backend Service's `version` selector (else the Service's name) and its pod labels the
 * backend's selector. Kong's edge HTTPRoutes (Gateway parents) are routes, not this.
 */
import { isMeshRoute, ruleTimeout } from "../explain/mesh-routes";

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined);

/** An HTTPRoute body with a Service parent. */
export function isMeshHttpRoute(body: Obj): boolean {
    return isMeshRoute(body);
}

/** `namespace/name` of every Service parent of a mesh route. */
export function meshRouteParents(body: Obj, namespace: string): string[] {
    return arr(rec(body.spec).parentRefs)
        .map(rec)
        .filter((p) => str(p.kind) === "Service")
        .map((p) => `${str(p.namespace) ?? namespace}/${str(p.name) ?? "?"}`);
}

/** `namespace/name` of every backend Service of a mesh route. */
export function meshRouteBackends(body: Obj, namespace: string): string[] {
    return [
        ...new Set(
            arr(rec(body.spec).rules).flatMap((r) =>
                arr(rec(r).backendRefs)
                    .map(rec)
                    .map((b) => `${str(b.namespace) ?? namespace}/${str(b.name) ?? "?"}`),
            ),
        ),
    ];
}

export interface MeshRouteView {
    readonly versions: { subset: string; weight: number; labels: Record<string, string> }[];
    readonly canary: { header: string; value: string; subset: string } | null;
    readonly timeout: string | null;
    /** Istio's default unless the rule has the experimental `retry` field. */
    readonly retries: string;
}

/** Versions, canary and timeout of a mesh route; `selectorOf` gives a backend Service's selector by `namespace/name`. */
export function meshRouteView(body: Obj, namespace: string, selectorOf: (id: string) => Record<string, string>): MeshRouteView {
    const rules = arr(rec(body.spec).rules).map(rec);
    const headerCount = (r: Obj) => arr(r.matches).reduce<number>((n, m) => Math.max(n, arr(rec(m).headers).length), 0);
    const main = rules.find((r) => headerCount(r) === 0) ?? rules[0] ?? {};
    const canaryRule = rules.find((r) => headerCount(r) > 0);
    const version = (b: Obj) => {
        const id = `${str(b.namespace) ?? namespace}/${str(b.name) ?? "?"}`;
        const labels = selectorOf(id);
        return { subset: labels.version ?? "all pods", labels };
    };
    const refs = arr(main.backendRefs).map(rec);
    const total = refs.reduce((n, b) => n + (typeof b.weight === "number" ? b.weight : 1), 0);
    const versions = refs.map((b) => ({ ...version(b), weight: total === 0 ? 0 : Math.round(((typeof b.weight === "number" ? b.weight : 1) * 10000) / total) / 100 }));
    let canary: MeshRouteView["canary"] = null;
    if (canaryRule !== undefined) {
        const h = rec(arr(rec(arr(canaryRule.matches).find((m) => arr(rec(m).headers).length > 0)).headers)[0]);
        canary = { header: str(h.name) ?? "?", value: str(h.value) ?? "?", subset: version(rec(arr(canaryRule.backendRefs)[0])).subset };
    }
    return {
        versions,
        canary,
        timeout: ruleTimeout(main) ?? null,
        retries:
            rec(main.retry).attempts !== undefined
                ? `${String(rec(main.retry).attempts)} attempts (HTTPRoute retry)`
                : "Istio's default (2 attempts on connect-failure, refused-stream, unavailable, cancelled)",
    };
}
