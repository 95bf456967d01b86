/** Shared helpers of the Kong tests. */
import { PlanRun, RecordedResource } from "../../tools/plan/runtime";

export const KONG_CLUSTER_PLUGIN = "kubernetes:configuration.konghq.com/v1:KongClusterPlugin";
export const KONG_CONSUMER = "kubernetes:configuration.konghq.com/v1:KongConsumer";
export const RELEASE = "kubernetes:helm.sh/v3:Release";
export const SECRET = "kubernetes:core/v1:Secret";
export const NAMESPACE = "kubernetes:core/v1:Namespace";

/** The only resource of a type in a run (fails when there are none or several). */
export function only(run: PlanRun, type: string): RecordedResource {
    const found = run.byType(type);
    if (found.length !== 1) {
        throw new Error(`expected exactly one ${type}, found ${found.length}`);
    }
    return found[0];
}

/** A recorded input as a plain record (for field-by-field assertions). */
export function field(value: unknown, ...path: string[]): unknown {
    let cur: unknown = value;
    for (const key of path) {
        if (typeof cur !== "object" || cur === null || Array.isArray(cur)) {
            throw new Error(`no field ${path.join(".")}: ${key} is not under a map`);
        }
        cur = (cur as Record<string, unknown>)[key];
    }
    return cur;
}

/** Every string leaf of a value, with its dotted path. */
export function stringLeaves(value: unknown, prefix = ""): [string, string][] {
    if (typeof value === "string") return [[prefix, value]];
    if (Array.isArray(value)) return value.flatMap((v, i) => stringLeaves(v, `${prefix}[${i}]`));
    if (typeof value === "object" && value !== null) {
        return Object.entries(value).flatMap(([k, v]) => stringLeaves(v, prefix === "" ? k : `${prefix}.${k}`));
    }
    return [];
}
