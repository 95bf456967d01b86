/** Small pure helpers shared by the cluster-layer components. */

/** `T` with `undefined` removed from its optional fields (what {@link definedOnly} returns). */
export type Defined<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & { [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined> };

/** `o` without its undefined fields, so `{ ...defaults, ...definedOnly(args) }` keeps a default when an arg is undefined. */
export function definedOnly<T extends object>(o: T): Defined<T> {
    return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Defined<T>;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/**
 * Deep merge for Helm values: maps merge key by key, anything else (lists, scalars,
 * Outputs) in `override` replaces what `base` has. `undefined` in `override` keeps `base`.
 */
export function deepMerge(base: Readonly<Record<string, unknown>>, override: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) {
        if (value === undefined) {
            continue;
        }
        const current = out[key];
        out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
    }
    return out;
}
