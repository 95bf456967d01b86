/** Small pure helpers shared by meshgate's components. */

export { editDistance, isRecord } from "../policies/validate/util";

/**
 * Label (on namespaces) and AWS tag (on cluster resources) naming the meshgate environment
 * (dev, staging, prod). The policy pack cannot import components, so it keeps its own
 * `ENVIRONMENT_KEY` in policies/rules/common.ts with the same value.
 */
export const ENVIRONMENT_LABEL = "meshgate.io/environment";

/** `T` with `undefined` removed from its optional fields (what {@link definedOnly} returns). */
export type Defined<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & { [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined> };

/** `o` without its undefined fields, so `{ ...defaults, ...definedOnly(args) }` keeps a default when an arg is undefined. */
export function definedOnly<T extends object>(o: T): Defined<T> {
    return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Defined<T>;
}
