/**
 * Kong facts the published JSON plugin schemas (reference/kong-plugin-schemas) do not carry,
 * written by hand from Kong's Lua sources and emitted by tools/refdata.ts as JSON under
 * data/kong-plugins/3.9/. A derived description (field paths, check kinds, values), not a
 * copy of the Lua.
 *
 * Source: github.com/Kong/kong at tag 3.9.3, `kong/plugins/<plugin>/schema.lua` (their
 * `entity_checks` and `custom_validator`s) and `kong/tools/redis/schema.lua`; the check kinds'
 * semantics from `kong/db/schema/init.lua` (`Schema.entity_checkers`). These files are
 * identical in tags 3.9.0 to 3.9.3 (the kong/kong 3.4.1 chart runs image tag "3.9").
 */

export const KONG_DERIVED_SOURCE = {
    upstream: "Kong/kong (kong/plugins/<plugin>/schema.lua, kong/db/schema/init.lua)",
    tag: "3.9.3",
    sameIn: ["3.9.0", "3.9.1", "3.9.2", "3.9.3"],
} as const;

/** One entity check, in Kong's own vocabulary; field paths are dotted from the plugin entity (`config.redis.host`). */
export type EntityCheck =
    | { readonly at_least_one_of: readonly string[] }
    | { readonly only_one_of: readonly string[] }
    | { readonly mutually_required: readonly string[] }
    | { readonly mutually_exclusive: readonly string[] }
    | { readonly distinct: readonly string[] }
    | {
          readonly conditional: {
              readonly if_field: string;
              readonly if_match: Readonly<Record<string, unknown>>;
              readonly then_field: string;
              readonly then_match: Readonly<Record<string, unknown>>;
          };
      }
    | {
          readonly conditional_at_least_one_of: {
              readonly if_field: string;
              readonly if_match: Readonly<Record<string, unknown>>;
              readonly then_at_least_one_of: readonly string[];
              readonly else_match?: Readonly<Record<string, unknown>>;
              readonly else_then_at_least_one_of?: readonly string[];
          };
      }
    /** A Lua `custom_validator` meshgate models, by a name of its own (see policies/validate/kong-entity-checks.ts). */
    | { readonly custom: string; readonly fields: readonly string[]; readonly message: string };

export interface PluginChecks {
    /** File in Kong/kong the checks come from. */
    readonly source: string;
    /** Checks on the plugin entity; `scope` (e.g. `config.limits.*`) runs them on each value of a map instead. */
    readonly checks: readonly (EntityCheck & { readonly scope?: string })[];
    /** Deprecated shorthand fields and the field each one sets (Kong rewrites them before checking). */
    readonly shorthands?: Readonly<Record<string, string>>;
    /** Lua validators not modelled, and why (so a reader knows what is not checked). */
    readonly notModelled?: readonly string[];
}

const PERIODS = ["second", "minute", "hour", "day", "month", "year"] as const;
const REDIS_SUBFIELDS = ["host", "port", "password", "username", "ssl", "ssl_verify", "server_name", "timeout", "database"] as const;

const redisShorthands = Object.fromEntries(REDIS_SUBFIELDS.map((f) => [`config.redis_${f}`, `config.redis.${f}`]));
const redisRequired = (["host", "port", "timeout"] as const).map((f) => ({
    conditional: { if_field: "config.policy", if_match: { eq: "redis" }, then_field: `config.redis.${f}`, then_match: { required: true } },
}));

export const KONG_ENTITY_CHECKS: Readonly<Record<string, PluginChecks>> = {
    acl: {
        source: "kong/plugins/acl/schema.lua",
        checks: [{ only_one_of: ["config.allow", "config.deny"] }, { at_least_one_of: ["config.allow", "config.deny"] }],
    },
    cors: {
        source: "kong/plugins/cors/schema.lua",
        checks: [],
        notModelled: ["config.origins elements: '*' or a valid PCRE regex (validate_asterisk_or_regex); JavaScript regexes differ from PCRE"],
    },
    "ip-restriction": {
        source: "kong/plugins/ip-restriction/schema.lua",
        checks: [{ at_least_one_of: ["config.allow", "config.deny"] }],
    },
    jwt: {
        source: "kong/plugins/jwt/schema.lua",
        checks: [{ conditional: { if_field: "config.maximum_expiration", if_match: { gt: 0 }, then_field: "config.claims_to_verify", then_match: { contains: "exp" } } }],
    },
    "key-auth": { source: "kong/plugins/key-auth/schema.lua", checks: [] },
    oauth2: {
        source: "kong/plugins/oauth2/schema.lua",
        checks: [
            { conditional: { if_field: "config.mandatory_scope", if_match: { eq: true }, then_field: "config.scopes", then_match: { required: true } } },
            {
                custom: "at_least_one_true",
                fields: ["config.enable_authorization_code", "config.enable_implicit_grant", "config.enable_client_credentials", "config.enable_password_grant"],
                message: "at least one of these fields must be true: %s (validate_flows)",
            },
        ],
    },
    opentelemetry: {
        source: "kong/plugins/opentelemetry/schema.lua",
        checks: [{ at_least_one_of: ["config.traces_endpoint", "config.logs_endpoint"] }],
        shorthands: { "config.endpoint": "config.traces_endpoint" },
    },
    prometheus: {
        source: "kong/plugins/prometheus/schema.lua",
        checks: [],
        notModelled: ["validate_shared_dict: the node's prometheus_metrics shared dict must exist (a deployment matter)"],
    },
    "rate-limiting": {
        source: "kong/plugins/rate-limiting/schema.lua",
        checks: [
            { at_least_one_of: PERIODS.map((p) => `config.${p}`) },
            ...redisRequired,
            { conditional: { if_field: "config.limit_by", if_match: { eq: "header" }, then_field: "config.header_name", then_match: { required: true } } },
            { conditional: { if_field: "config.limit_by", if_match: { eq: "path" }, then_field: "config.path", then_match: { required: true } } },
            {
                custom: "ordered_periods",
                fields: PERIODS.map((p) => `config.${p}`),
                message: "the limit for a longer period cannot be lower than for a shorter one (validate_periods_order)",
            },
            {
                custom: "sync_rate_redis_only",
                fields: ["config.policy", "config.sync_rate"],
                message: "sync_rate can only be used with the redis policy, and must be at least 0.02 or -1 (validate_periods_order)",
            },
        ],
        shorthands: redisShorthands,
    },
    "request-size-limiting": { source: "kong/plugins/request-size-limiting/schema.lua", checks: [] },
    "request-transformer": {
        source: "kong/plugins/request-transformer/schema.lua",
        checks: [],
        notModelled: ["header names and 'name:value' elements (validate_headers, check_for_value): the JSON schema's pattern covers the colon form"],
    },
    "response-ratelimiting": {
        source: "kong/plugins/response-ratelimiting/schema.lua",
        checks: [{ scope: "config.limits.*", at_least_one_of: [...PERIODS] }, ...redisRequired],
        shorthands: redisShorthands,
    },
    zipkin: { source: "kong/plugins/zipkin/schema.lua", checks: [], notModelled: ["static_tags: unique names (validate_static_tags)"] },
};

const stringArray = { type: "array", items: { type: "string" }, default: [] };
/** `name:value` elements (request-transformer's colon arrays; the Lua `match = "^[^:]+:.*$"`). */
const colonArray = { type: "array", items: { type: "string", pattern: "^[^:]+:.*$" }, default: [] };
const record = (properties: Record<string, unknown>) => ({ type: "object", properties });

/**
 * request-transformer's config schema (Kong 3.9), in the form of the other files of
 * data/kong-plugins/3.9 (JSON Schema, Kong defaults), derived from
 * kong/plugins/request-transformer/schema.lua: the reference has no published schema for it.
 */
export const REQUEST_TRANSFORMER_SCHEMA = {
    properties: {
        config: record({
            http_method: { type: "string", pattern: "^[A-Z]+$" },
            remove: record({ body: stringArray, headers: stringArray, querystring: stringArray }),
            rename: record({ body: colonArray, headers: colonArray, querystring: colonArray }),
            replace: record({ body: colonArray, headers: colonArray, querystring: colonArray, uri: { type: "string" } }),
            add: record({ body: colonArray, headers: colonArray, querystring: colonArray }),
            append: record({ body: colonArray, headers: colonArray, querystring: colonArray }),
        }),
        protocols: {
            type: "array",
            items: { type: "string", enum: ["grpc", "grpcs", "http", "https", "tcp", "tls", "tls_passthrough", "udp", "ws", "wss"] },
            default: ["grpc", "grpcs", "http", "https"],
        },
        consumer: { type: "object", additionalProperties: false, properties: { id: { type: "string" } } },
        route: { type: "object", additionalProperties: false, properties: { id: { type: "string" } } },
        service: { type: "object", additionalProperties: false, properties: { id: { type: "string" } } },
    },
} as const;
