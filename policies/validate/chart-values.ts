/**
 * Checks Helm values against the keys a chart's values.yaml defines.
 *
 * Only istio/gateway ships a values schema, so Helm silently ignores a misspelt key in every
 * other chart meshgate installs. data/charts/<chart>.json holds each chart's key tree (see
 * tools/refdata.ts); this module reports the keys of a values object that are not in it.
 *
 * What is and is not checked:
 * - A key absent from the tree is reported, as a dotted path (`meshConfig.enableTracng`).
 * - Below an "open" map (default `{}` or null, or a Kubernetes pass-through such as
 *   resources, affinity, podAnnotations, env) any key is accepted.
 * - Below a "list" the items are not checked: values.yaml gives no item shape.
 * - A map given where the chart's default is a scalar is reported (`replicaCount: {min: 1}`).
 * - Value types are otherwise not checked (null, to unset a map, is fine).
 * - Keys the chart only mentions in comments are unknown to the tree (refdata does not
 *   capture commented-out keys); pass them through `opts.allow` when a chart template reads them.
 * - Subcharts: a section named after a subchart that is in data/charts (kube-prometheus-stack's
 *   `grafana`, kong-ingress's `controller`/`gateway`) is checked against the union of the
 *   parent's section and the subchart's tree; other subchart sections are open. `global` is
 *   the union of the parent's and those subcharts' globals, and open when no chart defines it.
 */
import { isRecord, listDataJson, readDataJson } from "./data";
import { editDistance } from "./util";

/** A node of a chart's key tree. */
export type KeyTree = "open" | "list" | "scalar" | { readonly [key: string]: KeyTree };

export interface ChartKeys {
    /** File of the reference the tree was made from. */
    readonly source: string;
    readonly chart: string;
    /** Real chart version (Istio charts say 1.0.0 in Chart.yaml). */
    readonly version: string;
    /** The tree, with subchart sections already merged in. */
    readonly keys: { readonly [key: string]: KeyTree };
    readonly subcharts: Readonly<Record<string, { readonly chart: string; readonly checkedAgainst: string | null }>>;
    /** Names values.yaml (or a checked subchart's) shows only in comments (`# adminPassword: …`). */
    readonly commentedKeys: ReadonlySet<string>;
}

export interface ValueKeyProblem {
    /** Dotted path of the offending key. */
    readonly path: string;
    /** `unknown`: not a key of the chart; `not-a-map`: a map where the chart has a scalar or list. */
    readonly reason: "unknown" | "not-a-map";
    /** Known sibling keys closest in spelling, best first (for an unknown key). */
    readonly suggestions: readonly string[];
    readonly message: string;
}

export interface ValueKeyOptions {
    /** Dotted paths accepted in addition to the chart's keys; everything below them is accepted too. */
    readonly allow?: readonly string[];
    /**
     * Accept an unknown key whose name values.yaml shows commented out (`# adminPassword: …`):
     * charts document keys their templates read that way. Coarse (by name, not path): it keeps
     * typos caught, not every misplaced documented key.
     * @default false
     */
    readonly acceptCommented?: boolean;
}

/**
 * Keys a chart's templates read although its values.yaml neither sets nor mentions them, per chart
 * of data/charts. Each was read in the pinned chart's templates:
 * - kong 3.4.1 `proxy.externalTrafficPolicy`: _helpers.tpl `kong.service`, `{{- if .externalTrafficPolicy }}`.
 * - jaeger 4.11.1 `jaeger.resources`: templates/deployment.yaml reads `.Values.jaeger.resources`.
 */
export const TEMPLATE_READ_KEYS: Readonly<Record<string, readonly string[]>> = {
    kong: ["proxy.externalTrafficPolicy"],
    jaeger: ["jaeger.resources"],
};

const cache = new Map<string, ChartKeys>();

/** Charts with a key tree in data/charts. */
export function knownCharts(): string[] {
    return listDataJson("charts");
}

interface ChartFile {
    source: string;
    chart: string;
    version: string;
    keys: Record<string, KeyTree>;
    subcharts?: Record<string, { chart: string; checkedAgainst: string | null }>;
    commentedKeys: string[];
}

function isKeyTree(v: unknown): v is KeyTree {
    if (v === "open" || v === "list" || v === "scalar") return true;
    return isRecord(v) && Object.values(v).every(isKeyTree);
}

function readChartFile(chart: string): ChartFile {
    if (!knownCharts().includes(chart)) {
        throw new Error(`unknown chart "${chart}": known charts are ${knownCharts().join(", ")}`);
    }
    const raw = readDataJson(`charts/${chart}.json`);
    if (!isRecord(raw) || typeof raw.source !== "string" || typeof raw.version !== "string" || !isRecord(raw.keys) || !isKeyTree(raw.keys)) {
        throw new Error(`data/charts/${chart}.json: not a chart key tree`);
    }
    const subcharts: ChartFile["subcharts"] = {};
    if (isRecord(raw.subcharts)) {
        for (const [alias, sub] of Object.entries(raw.subcharts)) {
            if (isRecord(sub)) subcharts[alias] = { chart: String(sub.chart), checkedAgainst: typeof sub.checkedAgainst === "string" ? sub.checkedAgainst : null };
        }
    }
    const commentedKeys = Array.isArray(raw.commentedKeys) ? raw.commentedKeys.map(String) : [];
    return { source: raw.source, chart, version: raw.version, keys: raw.keys, subcharts, commentedKeys };
}

/** Union of two trees: open > map > list > scalar. */
function union(a: KeyTree | undefined, b: KeyTree | undefined): KeyTree {
    if (a === undefined) return b ?? "open";
    if (b === undefined) return a;
    if (a === "open" || b === "open") return "open";
    if (typeof a === "object" && typeof b === "object") {
        const out: Record<string, KeyTree> = { ...a };
        for (const [key, sub] of Object.entries(b)) out[key] = union(out[key], sub);
        return out;
    }
    if (typeof a === "object" || typeof b === "object") return "open";
    return a === "list" || b === "list" ? "list" : "scalar";
}

/** The key tree of a chart, subchart sections merged in (cached). */
export function chartKeys(chart: string): ChartKeys {
    const hit = cache.get(chart);
    if (hit) return hit;
    const file = readChartFile(chart);
    const keys: Record<string, KeyTree> = { ...file.keys };
    let global: KeyTree | undefined = keys.global;
    const commentedKeys = new Set(file.commentedKeys);
    for (const [alias, sub] of Object.entries(file.subcharts ?? {})) {
        if (sub.checkedAgainst === null) {
            keys[alias] = "open";
            continue;
        }
        const subChart = chartKeys(sub.checkedAgainst);
        subChart.commentedKeys.forEach((k) => commentedKeys.add(k));
        const subKeys = subChart.keys;
        const { global: subGlobal, ...rest } = subKeys;
        keys[alias] = union(union(keys[alias], rest), { enabled: "scalar" });
        if (subGlobal !== undefined) global = union(global, subGlobal);
    }
    keys.global = global ?? "open";
    const built: ChartKeys = { source: file.source, chart, version: file.version, keys, subcharts: file.subcharts ?? {}, commentedKeys };
    cache.set(chart, built);
    return built;
}

function suggest(key: string, known: readonly string[]): string[] {
    const limit = Math.max(2, Math.floor(key.length / 3));
    return known
        .map((k) => ({ k, d: editDistance(key.toLowerCase(), k.toLowerCase()) }))
        .filter((x) => x.d <= limit)
        .sort((x, y) => x.d - y.d || x.k.localeCompare(y.k))
        .slice(0, 3)
        .map((x) => x.k);
}

function leafPaths(value: unknown, path: string): string[] {
    if (!isRecord(value) || Object.keys(value).length === 0) return [path];
    return Object.entries(value).flatMap(([k, v]) => leafPaths(v, `${path}.${k}`));
}

/** Every problem with the keys of `values` for `chart`, in document order. */
export function checkValueKeys(chart: string, values: unknown, opts: ValueKeyOptions = {}): ValueKeyProblem[] {
    const tree = chartKeys(chart);
    if (values === undefined || values === null) return [];
    if (!isRecord(values)) throw new TypeError(`values for chart ${chart} must be a map, got ${Array.isArray(values) ? "a list" : typeof values}`);
    const allow = new Set(opts.allow ?? []);
    const problems: ValueKeyProblem[] = [];
    const walk = (node: { readonly [key: string]: KeyTree }, value: Record<string, unknown>, prefix: string): void => {
        for (const [key, sub] of Object.entries(value)) {
            const path = prefix === "" ? key : `${prefix}.${key}`;
            if (allow.has(path)) continue;
            const kind = Object.prototype.hasOwnProperty.call(node, key) ? node[key] : undefined;
            if (kind === undefined) {
                if (opts.acceptCommented === true && tree.commentedKeys.has(key)) continue;
                const suggestions = suggest(key, Object.keys(node));
                const hint = suggestions.length > 0 ? `; did you mean ${suggestions.map((s) => `"${s}"`).join(" or ")}?` : "";
                const what = prefix === "" ? `"${key}" is not a value of chart ${chart} ${tree.version}` : `"${key}" is not a key of ${prefix} in chart ${chart} ${tree.version}`;
                // Report every leaf set below the unknown key: `pilot.replicaCount`, not just `pilot`.
                for (const leaf of leafPaths(sub, path)) problems.push({ path: leaf, reason: "unknown", suggestions, message: `${leaf}: ${what}${hint}` });
            } else if (kind === "open") {
                continue;
            } else if (kind === "scalar" || kind === "list") {
                if (isRecord(sub)) {
                    problems.push({
                        path,
                        reason: "not-a-map",
                        suggestions: [],
                        message: `${path}: chart ${chart} ${tree.version} expects a ${kind === "list" ? "list" : "scalar"} here, not a map`,
                    });
                }
            } else if (isRecord(sub)) {
                walk(kind, sub, path);
            }
        }
    };
    walk(tree.keys, values, "");
    return problems;
}

/**
 * Dotted paths of the keys of `values` that chart `chart` does not define (see the module
 * comment for what is checked). Throws on an unknown chart.
 */
export function unknownValueKeys(chart: string, values: unknown, opts: ValueKeyOptions = {}): string[] {
    return checkValueKeys(chart, values, opts).map((p) => p.path);
}
