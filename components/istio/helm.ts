/**
 * Small helpers for Helm values shared by meshgate's add-on components.
 */

/** Helm values: a YAML map. Leaves may be Pulumi inputs (a Secret's name, a PVC's name). */
export type HelmValues = { [key: string]: unknown };

function isPlainObject(v: unknown): v is Record<string, unknown> {
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
        return false;
    }
    const proto: unknown = Object.getPrototypeOf(v);
    return proto === Object.prototype || proto === null;
}

/**
 * Deep-merges `overrides` into `base` the way Helm merges values files: maps merge key by
 * key, everything else (lists, scalars, Pulumi outputs) is replaced; `undefined` leaves the
 * base value, `null` replaces it (Helm's way to unset a default). Neither input is modified.
 */
export function deepMerge(base: HelmValues, ...overrides: (HelmValues | undefined)[]): HelmValues {
    let out: HelmValues = { ...base };
    for (const o of overrides) {
        if (o === undefined) {
            continue;
        }
        const next: HelmValues = { ...out };
        for (const [key, value] of Object.entries(o)) {
            if (value === undefined) {
                continue;
            }
            const prev = next[key];
            next[key] = isPlainObject(prev) && isPlainObject(value) ? deepMerge(prev, value) : value;
        }
        out = next;
    }
    return out;
}
