/**
 * Validation of component args, once: a component checks its args against its
 * argument schema (built from the same pieces as the stack schema, see pieces.ts)
 * the first time it sees them. Args the Platform derives from a stack config that
 * `validateStackConfig` accepted are marked validated when they are made, so a plan
 * validates its config once (the stack schema) and no component re-checks it; a
 * consumer constructing a component directly gets its args checked, every problem
 * at once, each with its field path.
 */
import { isRecord } from "../util";

/** What an argument schema offers (a zod schema at run time; its zod type stays out of the published declarations). */
export interface ArgsSchema {
    safeParse(data: unknown): { success: true } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
}

/** Args objects already validated: by their component, or derived from a validated stack config. */
const VALIDATED = new WeakSet<object>();

/** How many times each kind of validation ran in this process (stack schema, and per component kind); for tests. */
export const validationRuns: Record<string, number> = {};

/** Counts one validation run of `kind`. */
export function countValidation(kind: string): void {
    validationRuns[kind] = (validationRuns[kind] ?? 0) + 1;
}

/** Marks `args` as valid by construction (derived from a validated stack config), so its component does not check it again. Returns `args`. */
export function validatedArgs<T extends object>(args: T): T {
    VALIDATED.add(args);
    return args;
}

/** Whether `args` was already validated. */
export function isValidated(args: object): boolean {
    return VALIDATED.has(args);
}

/** Every problem `schema` finds in `args`: its path (`tracing.samplingPercentage`) and what is wrong, with the value found. */
export function argIssues(schema: ArgsSchema, args: unknown): { path: string; message: string }[] {
    const r = schema.safeParse(args);
    return r.success ? [] : r.error.issues.map((i) => ({ path: formatPath(i.path), message: `${i.message}${gotSuffix(i.message, valueAt(args, i.path))}` }));
}

/** Every problem `schema` finds in `args`, as `path: message, got value`. */
export function argProblems(schema: ArgsSchema, args: unknown): string[] {
    return argIssues(schema, args).map((i) => `${i.path}${i.path === "" ? "" : ": "}${i.message}`);
}

/**
 * Checks `args` against `schema` unless they were already validated; throws one Error
 * (`invalid <Kind> args for "<name>":` and one line per problem) listing every problem.
 */
export function checkArgs(kind: string, schema: ArgsSchema, args: object, name?: string): void {
    if (VALIDATED.has(args)) {
        return;
    }
    countValidation(kind);
    const problems = argProblems(schema, args);
    if (problems.length > 0) {
        throw new Error(`invalid ${kind} args${name === undefined ? "" : ` for "${name}"`}:\n  ${problems.join("\n  ")}`);
    }
    VALIDATED.add(args);
}

/** A zod issue path as the declaration writes it: `services[2].gateway.paths[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
    return path.reduce<string>((out, seg) => (typeof seg === "number" ? `${out}[${seg}]` : out === "" ? String(seg) : `${out}.${String(seg)}`), "");
}

/** The value at a zod issue path in the raw input, or undefined where the path leaves it. */
export function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
    let cur: unknown = raw;
    for (const seg of path) {
        if (Array.isArray(cur) && typeof seg === "number") {
            cur = cur[seg];
        } else if (isRecord(cur) && typeof seg === "string") {
            cur = cur[seg];
        } else {
            return undefined;
        }
    }
    return cur;
}

/** ", got <value>" for a scalar the message does not already quote. */
function gotSuffix(message: string, value: unknown): string {
    if (value === undefined || isRecord(value) || Array.isArray(value)) {
        return "";
    }
    const text = JSON.stringify(value);
    return message.includes(text) ? "" : `, got ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}
