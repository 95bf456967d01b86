/** Small pure helpers shared by meshgate's components. */

// Defined in the policy pack (which must not import components/), so the pack and the components share one definition.
export { editDistance, ENVIRONMENT_LABEL, isRecord } from "../policies/validate/util";

/** `T` with `undefined` removed from its optional fields (what {@link definedOnly} returns). */
export type Defined<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & { [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined> };

/** `o` without its undefined fields, so `{ ...defaults, ...definedOnly(args) }` keeps a default when an arg is undefined. */
export function definedOnly<T extends object>(o: T): Defined<T> {
    return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Defined<T>;
}
