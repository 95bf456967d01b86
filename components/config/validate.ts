/**
 * Validates a whole stack's configuration before any resource exists: the
 * schema's field rules and the cross-checks, every problem at once, each with
 * its path, the value found and what is allowed.
 */
import type { z } from "zod";
import { crossCheck, type ConfigIssue, type ParsedParts, type ParsedService } from "./cross-checks";
import { editDistance, isRecord } from "../util";
import { countValidation, formatPath, validatedArgs, valueAt } from "./args";
import { clusterSchema, gatewaySchema, meshSchema, observabilitySchema, serviceSchema, stackSchema, type ServiceSpec, type StackConfig } from "./schema";

export type { ConfigIssue } from "./cross-checks";

/**
 * Thrown for invalid configuration; `issues` lists every problem found. The
 * message names the stack, then per problem the field's path and, for a
 * service's field, the service's name.
 */
export class ConfigError extends Error {
    constructor(
        /** The stack whose config is invalid (not `stack`: that is Error's stack trace). */
        readonly stackName: string,
        readonly issues: readonly ConfigIssue[],
    ) {
        super(
            `Invalid configuration for stack "${stackName}" (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` + issues.map((i) => `  - ${formatIssue(i)}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/**
 * Validates `raw` (the stack's `meshgate:*` config as plain data) and returns it with defaults
 * applied; throws ConfigError listing every problem. A Platform given the returned object uses
 * it as it is (no second validation).
 */
export function validateStackConfig(raw: unknown, opts: { stack: string }): StackConfig {
    const { config, issues } = checkStackConfig(raw);
    if (config === undefined || issues.length > 0) {
        throw new ConfigError(opts.stack, issues);
    }
    // A Platform given this config does not validate it again (see args.ts).
    return validatedArgs(config);
}

/** Like validateStackConfig, but returns the issues instead of throwing. */
export function checkStackConfig(raw: unknown): { config?: StackConfig; issues: ConfigIssue[] } {
    countValidation("stack");
    const parsed = stackSchema.safeParse(raw);
    const issues = parsed.success ? [] : parsed.error.issues.flatMap((i) => describeIssue(i, raw));
    issues.push(...crossCheck(parsedParts(raw, parsed.success ? parsed.data : undefined)));
    return { config: parsed.success ? parsed.data : undefined, issues: dedupe(issues).map((i) => withService(i, raw)) };
}

/** `path (service name): message`, as a user reads it. */
export function formatIssue(issue: ConfigIssue): string {
    return `${issue.path}${issue.service === undefined ? "" : ` (service ${issue.service})`}: ${issue.message}`;
}

/** Adds the service's name to an issue whose path points into `services[i]`, when that entry has a name. */
function withService(issue: ConfigIssue, raw: unknown): ConfigIssue {
    const m = /^services\[(\d+)\]/.exec(issue.path);
    if (m === null || !isRecord(raw) || !Array.isArray(raw.services)) {
        return issue;
    }
    const entry: unknown = raw.services[Number(m[1])];
    return isRecord(entry) && typeof entry.name === "string" && entry.name !== "" ? { ...issue, service: entry.name } : issue;
}

/** The parts that parse on their own, so that cross-checks still run when some field is wrong. */
function parsedParts(raw: unknown, whole: StackConfig | undefined): ParsedParts {
    if (whole !== undefined) {
        return { ...whole, services: whole.services.map((spec, index) => ({ index, spec, unknown: NONE })) };
    }
    const obj = isRecord(raw) ? raw : {};
    const services = Array.isArray(obj.services) ? obj.services : [];
    const env = obj.environment;
    return {
        environment: env === "dev" || env === "staging" || env === "prod" ? env : undefined,
        cluster: clusterSchema.safeParse(obj.cluster).data,
        gateway: gatewaySchema.safeParse(obj.gateway).data,
        mesh: meshSchema.safeParse(obj.mesh).data,
        observability: observabilitySchema.safeParse(obj.observability).data,
        services: services.flatMap((s, index) => {
            const service = parsedService(s, index);
            return service === undefined ? [] : [service];
        }),
    };
}

const NONE: ReadonlySet<keyof ServiceSpec> = new Set();
const SERVICE_FIELDS = Object.keys(serviceSchema.shape) as (keyof ServiceSpec)[];

/**
 * A service declaration field by field when it does not parse as a whole: a field is
 * known when it parses, or when it is absent (its default applies) and no misspelt key
 * may stand for it (`alowFrom` stands for allowFrom). Undefined for an entry that is not
 * a map.
 */
function parsedService(raw: unknown, index: number): ParsedService | undefined {
    const whole = serviceSchema.safeParse(raw);
    if (whole.success) {
        return { index, spec: whole.data, unknown: NONE };
    }
    if (!isRecord(raw)) {
        return undefined;
    }
    const shadowed = new Set(
        Object.keys(raw)
            .filter((k) => !(SERVICE_FIELDS as string[]).includes(k))
            .flatMap((k) => nearest(k, SERVICE_FIELDS) ?? []),
    );
    const spec: Record<string, unknown> = {};
    const unknown = new Set<keyof ServiceSpec>();
    for (const field of SERVICE_FIELDS) {
        if (!(field in raw) && shadowed.has(field)) {
            unknown.add(field);
            continue;
        }
        const r = (serviceSchema.shape[field] as z.ZodType).safeParse(raw[field]);
        if (r.success) {
            if (r.data !== undefined) {
                spec[field] = r.data;
            }
        } else {
            unknown.add(field);
        }
    }
    return { index, spec: spec, unknown };
}

/**
 * Problems with `value` against one piece of the stack schema (`eksClusterSchema.shape.endpoint`),
 * as config issues with paths relative to `value`. Typed without zod: the published
 * declarations must not name it (tools/build/declarations.ts).
 */
export function schemaPieceIssues(piece: { safeParse(value: unknown): unknown }, value: unknown): ConfigIssue[] {
    const result = (piece as z.ZodType).safeParse(value);
    return result.success ? [] : result.error.issues.flatMap((i) => describeIssue(i, value));
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): ConfigIssue[] {
    const path = formatPath(issue.path);
    const value = valueAt(raw, issue.path);
    if (issue.code === "unrecognized_keys") {
        return issue.keys.map((key) => ({
            path: path === "" ? key : `${path}.${key}`,
            message: `unknown field${suggest(key)}`,
        }));
    }
    if (value === undefined && issue.code === "invalid_type") {
        return [{ path, message: "is required" }];
    }
    return [{ path, message: `${issue.message}; got ${show(value)}` }];
}

function show(value: unknown): string {
    const text = value === undefined ? "nothing" : JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** " (did you mean "x"?)" for a misspelt key, from the field names the schema knows. */
function suggest(key: string): string {
    const best = nearest(key, KNOWN_KEYS);
    return best === undefined ? "" : ` (did you mean "${best}"?)`;
}

/** The name in `known` that `key` is most likely a misspelling of, if any is close enough. */
function nearest<T extends string>(key: string, known: readonly T[]): T | undefined {
    let best: T | undefined;
    let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
    for (const k of known) {
        const d = editDistance(key.toLowerCase(), k.toLowerCase());
        if (d < bestDistance) {
            best = k;
            bestDistance = d;
        }
    }
    return best;
}

/** Every field name the schema knows, for suggestions. */
const KNOWN_KEYS: readonly string[] = [...new Set(collectKeys(stackSchema))];

function collectKeys(schema: z.core.$ZodType, seen = new Set<z.core.$ZodType>()): string[] {
    if (seen.has(schema)) {
        return [];
    }
    seen.add(schema);
    const def = schema._zod.def as unknown as Record<string, unknown>;
    const out: string[] = [];
    const shape = def.shape;
    if (isRecord(shape)) {
        for (const [k, v] of Object.entries(shape)) {
            out.push(k, ...collectKeys(v as z.core.$ZodType, seen));
        }
    }
    for (const key of ["innerType", "element", "in", "out", "schema"]) {
        const inner = def[key];
        if (isRecord(inner) && "_zod" in inner) {
            out.push(...collectKeys(inner as unknown as z.core.$ZodType, seen));
        }
    }
    if (Array.isArray(def.options)) {
        for (const o of def.options) {
            out.push(...collectKeys(o as z.core.$ZodType, seen));
        }
    }
    return out;
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
    const seen = new Set<string>();
    return issues.filter((i) => {
        const k = `${i.path}\u0000${i.message}`;
        return seen.has(k) ? false : (seen.add(k), true);
    });
}
