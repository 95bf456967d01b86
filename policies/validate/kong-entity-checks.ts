/**
 * Kong's cross-field plugin checks (`entity_checks` and some Lua `custom_validator`s), which
 * the published JSON plugin schemas do not carry: e.g. rate-limiting with `policy: redis`
 * needs `redis.host`, `limit_by: header` needs `header_name`, acl takes exactly one of
 * `allow`/`deny`. The checks per plugin are data (data/kong-plugins/3.9/entity-checks.json,
 * derived from Kong/kong 3.9.3 `kong/plugins/<plugin>/schema.lua`); their meaning follows
 * `Schema.entity_checkers` in Kong/kong 3.9.3 `kong/db/schema/init.lua`:
 *
 * - a field is "non-empty" unless absent, null, `""`, `[]` or `{}` (`is_nonempty`);
 * - checks see the entity after Kong filled in defaults (records get their fields' defaults),
 *   so `redis.port` (default 6379) satisfies `required` and `redis.host` (no default) does not;
 * - deprecated shorthand fields (`redis_host`) are rewritten to the field they set first.
 */
import { formatPath, isRecord, readDataJson } from "./data";

type Match = Readonly<Record<string, unknown>>;

interface Check {
    readonly scope?: string;
    readonly at_least_one_of?: readonly string[];
    readonly only_one_of?: readonly string[];
    readonly mutually_required?: readonly string[];
    readonly mutually_exclusive?: readonly string[];
    readonly distinct?: readonly string[];
    readonly conditional?: { readonly if_field: string; readonly if_match: Match; readonly then_field: string; readonly then_match: Match };
    readonly conditional_at_least_one_of?: {
        readonly if_field: string;
        readonly if_match: Match;
        readonly then_at_least_one_of: readonly string[];
        readonly else_match?: Match;
        readonly else_then_at_least_one_of?: readonly string[];
    };
    readonly custom?: string;
    readonly fields?: readonly string[];
    readonly message?: string;
}

interface PluginChecks {
    readonly source: string;
    readonly checks: readonly Check[];
    readonly shorthands?: Readonly<Record<string, string>>;
}

/** Check kinds this module implements (Kong's names), and the custom validators it models (meshgate's names). */
export const ENTITY_CHECK_KINDS = [
    "at_least_one_of",
    "only_one_of",
    "mutually_required",
    "mutually_exclusive",
    "distinct",
    "conditional",
    "conditional_at_least_one_of",
    "custom",
] as const;
export const CUSTOM_VALIDATORS = ["ordered_periods", "sync_rate_redis_only", "at_least_one_true"] as const;

/** The entity checks of every plugin, by name, for a Kong version. */
export function kongEntityChecks(kongVersion = "3.9"): Readonly<Record<string, PluginChecks>> {
    const raw = readDataJson(`kong-plugins/${kongVersion}/entity-checks.json`);
    if (!isRecord(raw) || !isRecord(raw.plugins)) throw new Error(`data/kong-plugins/${kongVersion}/entity-checks.json: not an entity-checks file`);
    return raw.plugins as unknown as Record<string, PluginChecks>;
}

function isNonEmpty(v: unknown): boolean {
    if (v === undefined || v === null || v === "") return false;
    if (Array.isArray(v)) return v.length > 0;
    if (isRecord(v)) return Object.keys(v).length > 0;
    return true;
}

function getField(entity: unknown, dotted: string): unknown {
    let cur = entity;
    for (const seg of dotted.split(".")) {
        if (!isRecord(cur)) return undefined;
        cur = cur[seg];
    }
    return cur;
}

function setField(entity: Record<string, unknown>, dotted: string, value: unknown): void {
    const segs = dotted.split(".");
    let cur = entity;
    for (const seg of segs.slice(0, -1)) {
        if (!isRecord(cur[seg])) cur[seg] = {};
        cur = cur[seg] as Record<string, unknown>;
    }
    cur[segs[segs.length - 1]] = value;
}

function deleteField(entity: Record<string, unknown>, dotted: string): void {
    const segs = dotted.split(".");
    const parent = getField(entity, segs.slice(0, -1).join("."));
    if (isRecord(parent)) delete parent[segs[segs.length - 1]];
}

/** Kong fills defaults before checking: a field's own default, or for a record without one, a record of its fields' defaults. */
function withDefaults(schema: unknown, value: unknown): unknown {
    if (!isRecord(schema) || !isRecord(schema.properties)) return value;
    if (value !== undefined && !isRecord(value)) return value;
    const out: Record<string, unknown> = { ...(value ?? {}) };
    for (const [name, sub] of Object.entries(schema.properties)) {
        if (!isRecord(sub)) continue;
        if (out[name] === undefined || out[name] === null) {
            if (sub.default !== undefined) out[name] = structuredClone(sub.default);
            else if (isRecord(sub.properties) && out[name] === undefined) out[name] = withDefaults(sub, undefined);
        } else if (isRecord(sub.properties)) {
            out[name] = withDefaults(sub, out[name]);
        }
    }
    return out;
}

/** Kong's field validators as used in `if_match`/`then_match`. */
function matches(match: Match, value: unknown): boolean {
    for (const [op, arg] of Object.entries(match)) {
        switch (op) {
            case "eq":
                if (value !== arg) return false;
                break;
            case "ne":
                if (value === arg) return false;
                break;
            case "gt":
                if (!(typeof value === "number" && value > Number(arg))) return false;
                break;
            case "one_of":
                if (!(Array.isArray(arg) && arg.includes(value))) return false;
                break;
            case "not_one_of":
                if (Array.isArray(arg) && arg.includes(value)) return false;
                break;
            case "match":
                if (!(typeof value === "string" && new RegExp(String(arg)).test(value))) return false;
                break;
            case "contains":
                if (!(Array.isArray(value) && value.includes(arg))) return false;
                break;
            case "required":
                if (arg === true && (value === undefined || value === null)) return false;
                break;
            case "len_min":
                if (!((typeof value === "string" || Array.isArray(value)) && value.length >= Number(arg))) return false;
                break;
            default:
                throw new Error(`entity check: unsupported match operator "${op}"`);
        }
    }
    return true;
}

function describeMatch(field: string, match: Match): string {
    return Object.entries(match)
        .map(([op, arg]) => {
            const v = JSON.stringify(arg);
            switch (op) {
                case "eq":
                    return `${field} is ${v}`;
                case "ne":
                    return `${field} is not ${v}`;
                case "gt":
                    return `${field} > ${v}`;
                case "one_of":
                    return `${field} is one of ${v}`;
                case "contains":
                    return `${field} contains ${v}`;
                default:
                    return `${field} ${op} ${v}`;
            }
        })
        .join(" and ");
}

const list = (fields: readonly string[]) => fields.join(", ");

function runCheck(check: Check, entity: unknown, prefix: string, tag: string): string[] {
    const at = (f: string) => (prefix === "" ? f : `${prefix}.${f}`);
    const nonEmpty = (fields: readonly string[]) => fields.filter((f) => isNonEmpty(getField(entity, f)));
    const where = (fields: readonly string[]) => {
        const first = fields[0]?.split(".") ?? [];
        const common = first.slice(0, -1).filter((seg, i) => fields.every((f) => f.split(".")[i] === seg));
        return prefix === "" ? common.join(".") || "(root)" : [prefix, ...common].join(".");
    };
    if (check.at_least_one_of) {
        const f = check.at_least_one_of;
        return nonEmpty(f).length > 0 ? [] : [`${where(f)}: at least one of these fields must be non-empty: ${list(f.map(at))} (${tag})`];
    }
    if (check.only_one_of) {
        const f = check.only_one_of;
        const set = nonEmpty(f);
        return set.length === 1
            ? []
            : [`${where(f)}: exactly one of these fields must be non-empty: ${list(f.map(at))}${set.length > 1 ? `; got ${list(set.map(at))}` : ""} (${tag})`];
    }
    if (check.mutually_required) {
        const f = check.mutually_required;
        const n = nonEmpty(f).length;
        return n === 0 || n === f.length ? [] : [`${where(f)}: all or none of these fields must be set: ${list(f.map(at))} (${tag})`];
    }
    if (check.mutually_exclusive) {
        const f = check.mutually_exclusive;
        return nonEmpty(f).length <= 1 ? [] : [`${where(f)}: only one or none of these fields must be set: ${list(f.map(at))} (${tag})`];
    }
    if (check.distinct) {
        const values = nonEmpty(check.distinct).map((f) => JSON.stringify(getField(entity, f)));
        return new Set(values).size === values.length ? [] : [`${where(check.distinct)}: these fields must have distinct values: ${list(check.distinct.map(at))} (${tag})`];
    }
    if (check.conditional) {
        const c = check.conditional;
        const ifValue = getField(entity, c.if_field);
        if (ifValue === undefined || ifValue === null || !matches(c.if_match, ifValue)) return [];
        const thenValue = getField(entity, c.then_field);
        if (c.then_match.required === true && (thenValue === undefined || thenValue === null)) {
            return [
                `${at(c.then_field)}: required when ${describeMatch(at(c.if_field), c.if_match)} (${tag}: failed conditional validation given value of field '${at(c.if_field)}')`,
            ];
        }
        const rest = Object.fromEntries(Object.entries(c.then_match).filter(([op]) => op !== "required"));
        return matches(rest, thenValue)
            ? []
            : [
                  `${at(c.then_field)}: must satisfy ${describeMatch(at(c.then_field), rest)} when ${describeMatch(at(c.if_field), c.if_match)}; got ${JSON.stringify(thenValue ?? null)} (${tag}: failed conditional validation given value of field '${at(c.if_field)}')`,
              ];
    }
    if (check.conditional_at_least_one_of) {
        const c = check.conditional_at_least_one_of;
        const ifValue = getField(entity, c.if_field);
        if (ifValue === undefined) return [];
        let fields: readonly string[];
        let cond: string;
        if (matches(c.if_match, ifValue)) {
            fields = c.then_at_least_one_of;
            cond = describeMatch(at(c.if_field), c.if_match);
        } else if (c.else_match !== undefined && c.else_then_at_least_one_of !== undefined && matches(c.else_match, ifValue)) {
            fields = c.else_then_at_least_one_of;
            cond = describeMatch(at(c.if_field), c.else_match);
        } else {
            return [];
        }
        return nonEmpty(fields).length > 0 ? [] : [`${where(fields)}: at least one of these fields must be non-empty when ${cond}: ${list(fields.map(at))} (${tag})`];
    }
    if (check.custom !== undefined) return runCustom(check, entity, at, tag);
    throw new Error(`entity check: unsupported kind ${JSON.stringify(check)}`);
}

function runCustom(check: Check, entity: unknown, at: (f: string) => string, tag: string): string[] {
    const fields = check.fields ?? [];
    switch (check.custom) {
        case "ordered_periods": {
            // Kong/kong 3.9.3 kong/plugins/rate-limiting/schema.lua validate_periods_order.
            for (let i = 0; i < fields.length; i++) {
                const shorter = getField(entity, fields[i]);
                if (typeof shorter !== "number") continue;
                for (const longerField of fields.slice(i + 1)) {
                    const longer = getField(entity, longerField);
                    if (typeof longer === "number" && longer < shorter) {
                        return [
                            `${at(longerField)}: the limit for ${longerField.split(".").pop()} (${longer}) cannot be lower than the limit for ${fields[i].split(".").pop()} (${shorter}) (${tag})`,
                        ];
                    }
                }
            }
            return [];
        }
        case "sync_rate_redis_only": {
            const [policyField, syncField] = fields;
            const policy = getField(entity, policyField);
            const sync = getField(entity, syncField);
            if (typeof sync !== "number" || sync === -1) return [];
            if (policy !== "redis")
                return [`${at(syncField)}: sync_rate can only be used with the redis policy; got ${sync} with ${at(policyField)} ${JSON.stringify(policy)} (${tag})`];
            return sync < 0.02 ? [`${at(syncField)}: sync_rate must be greater than 0.02, or -1 to disable; got ${sync} (${tag})`] : [];
        }
        case "at_least_one_true":
            // Kong/kong 3.9.3 kong/plugins/oauth2/schema.lua validate_flows.
            return fields.some((f) => getField(entity, f) === true) ? [] : [`config: at least one of these fields must be true: ${list(fields.map(at))} (${tag})`];
        default:
            throw new Error(`entity check: unknown custom validator "${String(check.custom)}"`);
    }
}

/** Each value of the map at `scope` (`config.limits.*`), with its path. */
function scoped(entity: unknown, scope: string): { value: unknown; path: string }[] {
    if (!scope.endsWith(".*")) return [{ value: getField(entity, scope), path: scope }];
    const base = scope.slice(0, -2);
    const map = getField(entity, base);
    return isRecord(map) ? Object.entries(map).map(([k, value]) => ({ value, path: formatPath([...base.split("."), k]) })) : [];
}

/**
 * Problems Kong's entity checks find in a plugin's `config` (one message each, naming the
 * field and the check), [] when none. `configSchema` is the plugin's `config` JSON schema,
 * for the defaults Kong fills in first. A plugin without recorded checks has none.
 */
export function entityCheckProblems(plugin: string, config: Record<string, unknown>, configSchema: unknown, kongVersion = "3.9"): string[] {
    const spec = kongEntityChecks(kongVersion)[plugin];
    if (spec === undefined) return [];
    const entity: Record<string, unknown> = { config: structuredClone(config) };
    for (const [from, to] of Object.entries(spec.shorthands ?? {})) {
        const v = getField(entity, from);
        if (v === undefined) continue;
        if (getField(entity, to) === undefined) setField(entity, to, v);
        deleteField(entity, from);
    }
    entity.config = withDefaults(configSchema, entity.config);
    const tag = `Kong ${kongVersion} ${plugin}`;
    return spec.checks.flatMap((check) =>
        check.scope === undefined ? runCheck(check, entity, "", tag) : scoped(entity, check.scope).flatMap(({ value, path }) => runCheck(check, value, path, tag)),
    );
}
