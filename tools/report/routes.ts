/**
 * The routes.json contract (/work/coord/routes-contract.md, written by
 * `meshgate explain --matrix` and `meshgate plan`): one entry per enumerated
 * request, with the hops that decided it. The report only reads it; fields
 * may be added upstream, so everything beyond what is used here is ignored.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export type HopKind = "nlb" | "kong-route" | "kong-plugin" | "kong-upstream" | "source-sidecar" | "destination-sidecar" | "tracing";

export interface RouteHop {
    /** A HopKind today; any string, since hop kinds may be added upstream. */
    readonly hop: string;
    readonly title: string;
    readonly decision: string;
    readonly object: string | null;
    readonly field: string | null;
    readonly result: "pass" | "refuse" | "info";
}

export interface RouteEntry {
    readonly id: string;
    /** namespace/name of the target service, or null when nothing matched. */
    readonly service: string | null;
    /** `<namespace>/<Ingress or HTTPRoute name>#<path>`, or null for internal calls. */
    readonly route: string | null;
    readonly request: {
        readonly method: string;
        readonly url: string;
        readonly headers: Readonly<Record<string, string>>;
        readonly consumer: string | null;
        /** namespace/serviceaccount of an internal caller, or null for requests through the edge. */
        readonly from: string | null;
    };
    readonly outcome: {
        readonly reached: boolean;
        readonly status: number;
        readonly hop: string;
        readonly reason: string;
        readonly destinations: readonly {
            readonly host: string;
            readonly subset?: string | null;
            readonly weight: number;
            readonly podLabels?: Readonly<Record<string, string>>;
        }[];
    };
    readonly hops: readonly RouteHop[];
    readonly spans?: readonly { readonly by: string; readonly sentTo: string | null; readonly missingBecause: string | null }[];
}

export interface RoutesFile {
    readonly stack: string;
    readonly source: "plan" | "manifests";
    readonly entries: readonly RouteEntry[];
}

/** The problems that make a value unusable as routes.json (empty when it is usable). */
export function routesProblems(value: unknown): string[] {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return ["routes.json: not a JSON object"];
    }
    const entries = (value as { entries?: unknown }).entries;
    if (!Array.isArray(entries)) {
        return ["routes.json: `entries` is not an array"];
    }
    const problems: string[] = [];
    entries.forEach((e: unknown, i) => {
        const x = e as Partial<RouteEntry> | null;
        if (typeof x !== "object" || x === null) {
            problems.push(`routes.json: entries[${i}] is not an object`);
        } else if (typeof x.id !== "string" || typeof x.request !== "object" || typeof x.outcome !== "object" || !Array.isArray(x.hops)) {
            problems.push(`routes.json: entries[${i}] lacks id, request, outcome or hops`);
        }
    });
    return problems;
}

/**
 * routes.json of an output directory: the file's content, `undefined` when it
 * is not there, or the reason it cannot be used (the report then says so).
 */
export function readRoutes(dir: string): { routes?: RoutesFile; problem?: string } {
    const file = path.join(dir, "routes.json");
    if (!fs.existsSync(file)) {
        return {};
    }
    let value: unknown;
    try {
        value = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        return { problem: `routes.json is not valid JSON: ${(err as Error).message}` };
    }
    const problems = routesProblems(value);
    return problems.length > 0 ? { problem: problems.slice(0, 3).join("; ") } : { routes: value as RoutesFile };
}
