import { strict as assert } from "node:assert";
import { CUSTOM_VALIDATORS, ENTITY_CHECK_KINDS, kongEntityChecks } from "../../policies/validate/kong-entity-checks";
import { KONG_PLUGIN_NAMES, validateKongPluginConfig } from "../../policies/validate/kong-plugin";

// Outcomes below are Kong 3.9's own (Kong/kong 3.9.3 kong/plugins/*/schema.lua entity_checks,
// kong/db/schema/init.lua entity_checkers): each refused config is one Kong's Admin API refuses.
describe("validate/kong-entity-checks: Kong's cross-field plugin checks", () => {
    it("records checks for every plugin meshgate emits, in kinds the validator implements", () => {
        const checks = kongEntityChecks();
        for (const plugin of [
            "rate-limiting",
            "key-auth",
            "jwt",
            "acl",
            "cors",
            "ip-restriction",
            "request-size-limiting",
            "opentelemetry",
            "prometheus",
            "request-transformer",
            "oauth2",
        ]) {
            assert.ok(checks[plugin] !== undefined, `no entity checks recorded for ${plugin}`);
            assert.ok((KONG_PLUGIN_NAMES as readonly string[]).includes(plugin), `${plugin} has no schema`);
        }
        const all = Object.values(checks).flatMap((c) => c.checks);
        assert.ok(all.length >= 12, `only ${all.length} checks recorded`);
        for (const check of all) {
            const kinds = Object.keys(check).filter((k) => k !== "scope" && k !== "fields" && k !== "message");
            assert.equal(kinds.length, 1, JSON.stringify(check));
            assert.ok((ENTITY_CHECK_KINDS as readonly string[]).includes(kinds[0]), kinds[0]);
            if (check.custom !== undefined) assert.ok((CUSTOM_VALIDATORS as readonly string[]).includes(check.custom), check.custom);
        }
    });

    it("refuses rate-limiting policy: redis without redis.host (port and timeout have defaults)", () => {
        const errors = validateKongPluginConfig("rate-limiting", { minute: 100, policy: "redis" });
        assert.deepEqual(errors, [
            `config.redis.host: required when config.policy is "redis" (Kong 3.9 rate-limiting: failed conditional validation given value of field 'config.policy')`,
        ]);
        assert.deepEqual(validateKongPluginConfig("rate-limiting", { minute: 100, policy: "redis", redis: { host: "redis.example", ssl: true } }), []);
        // The deprecated shorthand sets the same field.
        assert.deepEqual(validateKongPluginConfig("rate-limiting", { minute: 100, policy: "redis", redis_host: "redis.example" }), []);
    });

    it("refuses limit_by: header without header_name and limit_by: path without path", () => {
        assert.match(validateKongPluginConfig("rate-limiting", { minute: 1, limit_by: "header" }).join("\n"), /^config\.header_name: required when config\.limit_by is "header"/);
        assert.match(validateKongPluginConfig("rate-limiting", { minute: 1, limit_by: "path" }).join("\n"), /^config\.path: required when config\.limit_by is "path"/);
        assert.deepEqual(validateKongPluginConfig("rate-limiting", { minute: 1, limit_by: "header", header_name: "x-tenant" }), []);
    });

    it("refuses rate-limiting without any period, periods that decrease, and sync_rate without redis", () => {
        assert.match(validateKongPluginConfig("rate-limiting", { policy: "local" })[0], /^config: at least one of these fields must be non-empty: config\.second, config\.minute/);
        assert.match(
            validateKongPluginConfig("rate-limiting", { minute: 100, hour: 50 })[0],
            /^config\.hour: the limit for hour \(50\) cannot be lower than the limit for minute \(100\)/,
        );
        assert.match(validateKongPluginConfig("rate-limiting", { minute: 100, sync_rate: 1 })[0], /^config\.sync_rate: sync_rate can only be used with the redis policy/);
    });

    it("acl: exactly one of allow and deny (only_one_of + at_least_one_of)", () => {
        assert.match(
            validateKongPluginConfig("acl", { allow: ["a"], deny: ["b"] })[0],
            /^config: exactly one of these fields must be non-empty: config\.allow, config\.deny; got config\.allow, config\.deny/,
        );
        assert.equal(validateKongPluginConfig("acl", {}).length, 2);
        assert.deepEqual(validateKongPluginConfig("acl", { allow: ["a"] }), []);
    });

    it("ip-restriction needs allow or deny; an empty list counts as empty", () => {
        assert.match(validateKongPluginConfig("ip-restriction", { allow: [] })[0], /at least one of these fields must be non-empty: config\.allow, config\.deny/);
        assert.deepEqual(validateKongPluginConfig("ip-restriction", { deny: ["192.0.2.0/24"] }), []);
    });

    it("jwt: maximum_expiration > 0 needs exp in claims_to_verify (conditional with contains)", () => {
        assert.match(
            validateKongPluginConfig("jwt", { maximum_expiration: 3600, claims_to_verify: ["nbf"] })[0],
            /^config\.claims_to_verify: must satisfy config\.claims_to_verify contains "exp" when config\.maximum_expiration > 0/,
        );
        assert.deepEqual(validateKongPluginConfig("jwt", { maximum_expiration: 3600, claims_to_verify: ["exp"] }), []);
        assert.deepEqual(validateKongPluginConfig("jwt", { claims_to_verify: ["nbf"] }), []);
    });

    it("opentelemetry needs traces_endpoint or logs_endpoint (the deprecated endpoint counts)", () => {
        assert.match(validateKongPluginConfig("opentelemetry", { sampling_rate: 1 })[0], /config\.traces_endpoint, config\.logs_endpoint/);
        assert.deepEqual(validateKongPluginConfig("opentelemetry", { endpoint: "http://collector:4318/v1/traces" }), []);
    });

    it("oauth2: one grant flow enabled; mandatory_scope needs scopes", () => {
        const errors = validateKongPluginConfig("oauth2", { mandatory_scope: true });
        assert.equal(errors.length, 2, errors.join("\n"));
        assert.ok(errors.some((e) => e.startsWith("config.scopes: required when config.mandatory_scope is true")));
        assert.ok(errors.some((e) => /^config: at least one of these fields must be true: config\.enable_authorization_code/.test(e)));
    });

    it("response-ratelimiting: each limit needs a period (checks scoped to map values) and redis needs a host", () => {
        const errors = validateKongPluginConfig("response-ratelimiting", { limits: { sms: {} }, policy: "redis" });
        assert.ok(
            errors.some((e) => e.startsWith("config.limits.sms: at least one of these fields must be non-empty: config.limits.sms.second")),
            errors.join("\n"),
        );
        assert.ok(
            errors.some((e) => e.startsWith("config.redis.host: required")),
            errors.join("\n"),
        );
    });

    it("request-transformer (schema derived from the Lua): removes headers; rejects an unknown section", () => {
        assert.deepEqual(validateKongPluginConfig("request-transformer", { remove: { headers: ["x-version"] } }), []);
        assert.match(validateKongPluginConfig("request-transformer", { strip: { headers: ["x"] } })[0], /unknown field "strip"/);
        assert.match(validateKongPluginConfig("request-transformer", { add: { headers: ["no-colon"] } })[0], /^config\.add\.headers\[0\]/);
    });
});
