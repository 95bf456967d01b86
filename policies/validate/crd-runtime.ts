/**
 * What the CRD validators call while validating, in a module of its own so that the
 * standalone code the build generates (precompiled.ts) can require it: the string formats
 * Kubernetes checks, and the uniqueness of `x-kubernetes-list-type: set | map` lists.
 * Dependency-free (only node:net).
 */
import { isIPv4, isIPv6 } from "node:net";

/** Formats Kubernetes checks on strings; numeric formats (int32, int64, double, float) do not constrain. */
export const CRD_FORMATS = {
    "date-time": /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/,
    byte: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
    // Gateway API addresses (kube-openapi strfmt "ipv4"/"ipv6").
    ipv4: { type: "string" as const, validate: (v: string): boolean => isIPv4(v) },
    ipv6: { type: "string" as const, validate: (v: string): boolean => isIPv6(v) },
    // `true`: known to ajv, checks nothing (as kube-openapi does for numbers).
    int32: true as const,
    int64: true as const,
    double: true as const,
    float: true as const,
};

/**
 * True when a `x-kubernetes-list-type` list has two equal entries: whole items for a `set`,
 * the values of `keys` (x-kubernetes-list-map-keys, a missing key as null) for a `map`.
 */
export function hasDuplicateEntries(list: readonly unknown[], kind: "set" | "map", keys: readonly string[]): boolean {
    const seen = new Set<string>();
    for (const item of list) {
        const record = typeof item === "object" && item !== null && !Array.isArray(item) ? (item as Record<string, unknown>) : undefined;
        const id = kind === "set" ? JSON.stringify(item) : JSON.stringify(keys.map((k) => (record === undefined ? undefined : record[k]) ?? null));
        if (seen.has(id)) return true;
        seen.add(id);
    }
    return false;
}
