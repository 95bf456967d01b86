/**
 * Small readers over plain Kubernetes objects, and the two ways explain gets
 * them: the plan's recorded resources (resources.json) or YAML manifests.
 * No Pulumi import here: explain after a plan must start fast.
 */
import { isRecord as isObj } from "../../policies/validate/util";
import type { K8sObject } from "./types";

export type Obj = Record<string, unknown>;

/** `v` is a plain object (not null, not an array): policies/validate/util.ts's isRecord. */
export { isObj };
export function obj(v: unknown): Obj {
    return isObj(v) ? v : {};
}
export function arr(v: unknown): unknown[] {
    return Array.isArray(v) ? v : [];
}
export function str(v: unknown): string | undefined {
    return typeof v === "string" ? v : undefined;
}
export function strs(v: unknown): string[] {
    return arr(v).filter((x): x is string => typeof x === "string");
}
export function num(v: unknown): number | undefined {
    if (typeof v === "number" && Number.isFinite(v)) return v;
    if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
    return undefined;
}
export function get(root: unknown, ...path: (string | number)[]): unknown {
    let cur: unknown = root;
    for (const key of path) {
        if (Array.isArray(cur) && typeof key === "number") cur = cur[key];
        else if (isObj(cur)) cur = cur[key];
        else return undefined;
    }
    return cur;
}
export function labels(o: K8sObject): Record<string, string> {
    return o.metadata?.labels ?? {};
}
export function annotations(o: K8sObject): Record<string, string> {
    return o.metadata?.annotations ?? {};
}
export function nameOf(o: K8sObject): string {
    return o.metadata?.name ?? "";
}
export function nsOf(o: K8sObject, fallback = "default"): string {
    return o.metadata?.namespace ?? fallback;
}
/** `apiVersion Kind namespace/name` (or `… name` for cluster-scoped objects): how hops name objects. */
export function ref(o: K8sObject): string {
    if (o.kind === "Release" && o.metadata === undefined) {
        // Helm release documents (the plan's _helm-releases.yaml) carry name and namespace at the top.
        return `${o.apiVersion ?? "helm.sh/v3"} Release ${str(o.namespace) ? `${str(o.namespace)}/` : ""}${str(o.name) ?? "?"}`;
    }
    const ns = o.metadata?.namespace;
    return `${o.apiVersion ?? "?"} ${o.kind ?? "?"} ${ns ? `${ns}/` : ""}${nameOf(o)}`;
}
/** A comma-separated annotation value as a list (blank entries dropped). */
export function splitList(v: string | undefined): string[] {
    return (v ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
}
/** Kubernetes label selector (matchLabels + matchExpressions) against labels. */
export function selectorMatches(selector: unknown, podLabels: Record<string, string>): boolean {
    for (const [k, v] of Object.entries(obj(get(selector, "matchLabels")))) {
        if (podLabels[k] !== v) return false;
    }
    for (const e of arr(get(selector, "matchExpressions"))) {
        const key = str(get(e, "key")) ?? "";
        const values = strs(get(e, "values"));
        const has = key in podLabels;
        const op = str(get(e, "operator"));
        if (op === "In" && !(has && values.includes(podLabels[key]))) return false;
        if (op === "NotIn" && has && values.includes(podLabels[key])) return false;
        if (op === "Exists" && !has) return false;
        if (op === "DoesNotExist" && has) return false;
    }
    return true;
}

/** A resources.json entry (or a RecordedResource): what the plan recorded. */
export interface RecordedLike {
    readonly type: string;
    readonly inputs: Record<string, unknown>;
    readonly custom?: boolean;
}

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/**
 * The Kubernetes objects among recorded resources: custom `kubernetes:*`
 * resources as they are, Helm releases as `helm.sh/v3 Release` documents (as
 * tools/plan/outputs.ts writes them to manifests/).
 */
export function objectsFromRecorded(resources: readonly RecordedLike[]): K8sObject[] {
    const out: K8sObject[] = [];
    for (const r of resources) {
        if (r.type === HELM_RELEASE) {
            out.push({ apiVersion: "helm.sh/v3", kind: "Release", ...r.inputs });
        } else if (r.custom !== false && r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm") && !r.type.startsWith("kubernetes:yaml")) {
            out.push(r.inputs);
        }
    }
    return out;
}
