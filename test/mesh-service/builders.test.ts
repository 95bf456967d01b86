/**
 * The builders beyond the scenario: every option of a declaration and what it
 * becomes, and the edge cases where a naive translation would be wrong.
 */
import * as assert from "node:assert/strict";
import type { ServiceSpecInput } from "../../components/config";
import {
    authorizationPolicy,
    destinationRule,
    ingress,
    kongPlugins,
    meshServiceObjects,
    protoDuration,
    resolveContext,
    serviceFqdn,
    servicePatch,
    virtualService,
} from "../../components/mesh-service";
import { KONG_PRINCIPAL, spec } from "./fixtures";

const gateway = { principal: KONG_PRINCIPAL, dbless: true };
const ctx = resolveContext({ gateway });
const base: ServiceSpecInput = { name: "svc", namespace: "team", port: 80 };
const exposed = (gw: NonNullable<ServiceSpecInput["gateway"]>, extra: Partial<ServiceSpecInput> = {}): ServiceSpecInput => ({ ...base, ...extra, gateway: gw });
const FQDN = "svc.team.svc.cluster.local";

describe("MeshService builders", () => {
    describe("names and durations", () => {
        it("builds the FQDN from the cluster domain", () => {
            assert.equal(serviceFqdn({ name: "a", namespace: "b" }), "a.b.svc.cluster.local");
            assert.equal(serviceFqdn({ name: "a", namespace: "b" }, "corp.internal"), "a.b.svc.corp.internal");
        });

        it("writes durations as protobuf seconds, which every Istio parser accepts", () => {
            assert.equal(protoDuration("10s"), "10s");
            assert.equal(protoDuration("1m30s"), "90s");
            assert.equal(protoDuration("250ms"), "0.25s");
            assert.equal(protoDuration("1.5s"), "1.5s");
            assert.equal(protoDuration("1h"), "3600s");
            assert.equal(protoDuration("1ms"), "0.001s");
        });

        it("uses the cluster domain and trust domain it is given", () => {
            const c = resolveContext({ gateway, clusterDomain: "corp.internal", trustDomain: "example.org" });
            const s = spec({ ...base, allowFrom: ["users/web"] }, [{ name: "web", namespace: "users", port: 80 }]);
            assert.equal(destinationRule(s, c).spec.host, "svc.team.svc.corp.internal");
            assert.deepEqual(authorizationPolicy(s, c).spec.rules, [{ from: [{ source: { principals: ["example.org/ns/users/sa/web"] } }] }]);
        });
    });

    describe("DestinationRule", () => {
        it("carries connection pool and outlier detection from resilience", () => {
            const s = spec({
                ...base,
                resilience: {
                    connectionPool: { maxConnections: 100, http1MaxPendingRequests: 10, http2MaxRequests: 1000, maxRequestsPerConnection: 5 },
                    outlierDetection: { consecutive5xxErrors: 3, interval: "1m", baseEjectionTime: "30s" },
                },
            });
            assert.deepEqual(destinationRule(s, ctx).spec.trafficPolicy, {
                tls: { mode: "ISTIO_MUTUAL" },
                connectionPool: { tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 10, http2MaxRequests: 1000, maxRequestsPerConnection: 5 } },
                outlierDetection: { consecutive5xxErrors: 3, interval: "60s", baseEjectionTime: "30s", maxEjectionPercent: 50 },
            });
        });

        it("leaves out the parts of a connection pool that are not declared", () => {
            const s = spec({ ...base, resilience: { connectionPool: { http2MaxRequests: 50 } } });
            assert.deepEqual(destinationRule(s, ctx).spec.trafficPolicy, { tls: { mode: "ISTIO_MUTUAL" }, connectionPool: { http: { http2MaxRequests: 50 } } });
        });
    });

    describe("VirtualService", () => {
        it("matches a canary header by prefix or regex as declared", () => {
            const versions = [
                { name: "v1", weight: 100 },
                { name: "v2", weight: 0 },
            ];
            const byPrefix = spec({ ...base, versions, canary: { header: "x-tenant", prefix: "beta-", version: "v2" } });
            assert.deepEqual(virtualService(byPrefix, ctx).spec.http[0].match, [{ headers: { "x-tenant": { prefix: "beta-" } } }]);
            const byRegex = spec({ ...base, versions, canary: { header: "x-tenant", regex: "^beta-.*", version: "v2" } });
            assert.deepEqual(virtualService(byRegex, ctx).spec.http[0].match, [{ headers: { "x-tenant": { regex: "^beta-.*" } } }]);
        });

        it("sends default traffic only to versions with a weight: a dark-launched v2 (weight 0) is reachable through its header only", () => {
            const s = spec({
                ...base,
                versions: [
                    { name: "v1", weight: 100 },
                    { name: "v2", weight: 0 },
                ],
                canary: { header: "x-version", equals: "v2", version: "v2" },
            });
            assert.deepEqual(virtualService(s, ctx).spec.http, [
                { name: "canary", match: [{ headers: { "x-version": { exact: "v2" } } }], route: [{ destination: { host: FQDN, subset: "v2" } }] },
                { name: "default", route: [{ destination: { host: FQDN, subset: "v1" } }] },
            ]);
        });

        it("puts three weighted versions in one route", () => {
            const s = spec({
                ...base,
                versions: [
                    { name: "v1", weight: 50 },
                    { name: "v2", weight: 30 },
                    { name: "v3", weight: 20 },
                ],
            });
            const http = virtualService(s, ctx).spec.http;
            assert.equal(http.length, 1);
            assert.deepEqual(
                http[0].route.map((r) => [r.destination.subset, r.weight]),
                [
                    ["v1", 50],
                    ["v2", 30],
                    ["v3", 20],
                ],
            );
        });

        it("sets perTryTimeout and retryOn as declared when retries of every method are opted into, and keeps a configured 0 attempts (retries off)", () => {
            const s = spec({ ...base, resilience: { timeout: "1m", retries: { attempts: 2, perTryTimeout: "500ms", retryOn: "gateway-error", retryNonIdempotent: true } } });
            const route = virtualService(s, ctx).spec.http[0];
            assert.equal(route.timeout, "60s");
            assert.deepEqual(route.retries, { attempts: 2, perTryTimeout: "0.5s", retryOn: "gateway-error" });
            const off = spec({ ...base, resilience: { retries: { attempts: 0 } } });
            assert.deepEqual(virtualService(off, ctx).spec.http[0].retries, { attempts: 0 });
        });
    });

    describe("retries of writes", () => {
        it("by default retries only where the service never got the request, so a POST is never applied twice", () => {
            const s = spec({ ...base, resilience: { retries: { attempts: 3, retryOn: "5xx,reset,connect-failure,refused-stream" } } });
            assert.equal(virtualService(s, ctx).spec.http[0].retries?.retryOn, "connect-failure,refused-stream");
            const unsafeOnly = spec({ ...base, resilience: { retries: { attempts: 3, retryOn: "5xx,gateway-error" } } });
            assert.equal(virtualService(unsafeOnly, ctx).spec.http[0].retries?.retryOn, "connect-failure,refused-stream", "safe conditions stand in");
            const dflt = spec({ ...base, resilience: { retries: { attempts: 2 } } });
            assert.equal(virtualService(dflt, ctx).spec.http[0].retries?.retryOn, "connect-failure,refused-stream");
        });

        it("keeps every declared condition for every method only when the service opts in (retryNonIdempotent)", () => {
            const s = spec({ ...base, resilience: { retries: { attempts: 3, retryOn: "5xx,reset,connect-failure", retryNonIdempotent: true } } });
            assert.equal(virtualService(s, ctx).spec.http[0].retries?.retryOn, "5xx,reset,connect-failure");
        });
    });

    describe("AuthorizationPolicy", () => {
        it("denies everything when nobody may call: ALLOW with no rules (a rule with no principals would allow everyone)", () => {
            const ap = authorizationPolicy(spec(base), ctx);
            assert.deepEqual(ap.spec, { selector: { matchLabels: { app: "svc" } }, action: "ALLOW" });
            assert.equal("rules" in ap.spec, false);
        });

        it("lists declared callers in order, external ones included, then Kong when exposed, without repeats", () => {
            const s = spec(exposed({ paths: ["/x"], auth: "none" }, { allowFrom: ["users/web", { principal: "legacy/batch", external: true }, "users/web"] }), [
                { name: "web", namespace: "users", port: 80 },
            ]);
            assert.deepEqual(authorizationPolicy(s, ctx).spec.rules, [
                { from: [{ source: { principals: ["cluster.local/ns/users/sa/web", "cluster.local/ns/legacy/sa/batch", KONG_PRINCIPAL] } }] },
            ]);
        });

        it("uses a caller's declared service account", () => {
            const s = spec({ ...base, allowFrom: ["users/web-sa"] }, [{ name: "web", namespace: "users", port: 80, serviceAccount: "web-sa" }]);
            assert.deepEqual(authorizationPolicy(s, ctx).spec.rules?.[0].from[0].source.principals, ["cluster.local/ns/users/sa/web-sa"]);
        });

        it("refuses to expose a service when no Kong gateway is given", () => {
            assert.throws(
                () => authorizationPolicy(spec(exposed({ paths: ["/x"] })), resolveContext({})),
                /service "svc" \(namespace team\) declares gateway exposure, but no Kong gateway was given/,
            );
        });
    });

    describe("KongPlugins", () => {
        const plugins = (gw: NonNullable<ServiceSpecInput["gateway"]>, c = ctx) =>
            kongPlugins(
                spec(exposed(gw), [], {
                    gateway: {
                        ...(c.gateway?.dbless === false ? { mode: "postgres", postgres: { external: { host: "db.example.internal" } } } : { mode: "dbless" }),
                        consumers: [{ name: "acme" }, { name: "globex" }],
                    },
                }),
                c,
            ).map((p) => ({
                name: p.metadata.name,
                plugin: p.plugin,
                config: p.config,
                ...("configPatches" in p ? { configPatches: p.configPatches } : {}),
            }));

        it("emits none for a public route without limits", () => {
            assert.deepEqual(plugins({ paths: ["/x"], auth: "none" }), []);
        });

        it("verifies the expiry of JWTs", () => {
            assert.deepEqual(plugins({ paths: ["/x"], auth: "jwt" }), [{ name: "svc-jwt", plugin: "jwt", config: { claims_to_verify: ["exp"] } }]);
        });

        it("restricts to the listed consumers with an acl plugin whose groups are the consumers' names", () => {
            assert.deepEqual(plugins({ paths: ["/x"], auth: "key-auth", consumers: ["acme", "globex"] })[1], {
                name: "svc-acl",
                plugin: "acl",
                config: { allow: ["acme", "globex"], hide_groups_header: true },
            });
        });

        it("limits per IP when requests are not authenticated, and takes every window and limitBy as declared", () => {
            assert.deepEqual(plugins({ paths: ["/x"], auth: "none", rateLimit: { second: 5, hour: 1000 } })[0].config, { second: 5, hour: 1000, policy: "local", limit_by: "ip" });
            assert.deepEqual(plugins({ paths: ["/x"], auth: "key-auth", rateLimit: { day: 10, month: 100, year: 1000, limitBy: "credential", policy: "local" } })[1].config, {
                day: 10,
                month: 100,
                year: 1000,
                policy: "local",
                limit_by: "credential",
            });
        });

        it("limits by a header or a path with the header_name or path Kong requires", () => {
            assert.deepEqual(plugins({ paths: ["/x"], auth: "none", rateLimit: { minute: 5, limitBy: "header", headerName: "x-tenant" } })[0].config, {
                minute: 5,
                policy: "local",
                limit_by: "header",
                header_name: "x-tenant",
            });
            assert.deepEqual(plugins({ paths: ["/x"], auth: "none", rateLimit: { minute: 5, limitBy: "path", path: "/x/report" } })[0].config, {
                minute: 5,
                policy: "local",
                limit_by: "path",
                path: "/x/report",
            });
        });

        describe("with a shared Redis", () => {
            const redis = { host: "master.rl.abc123.euw1.cache.amazonaws.com", port: 6379, ssl: true, passwordSecret: { name: "meshgate-rate-limit-redis", key: "password" } };
            const withRedis = resolveContext({ gateway: { ...gateway, rateLimitRedis: redis } });
            const stack = { gateway: { rateLimitRedis: { type: "external" as const, host: redis.host } } };
            const redisPlugins = (rl: object) =>
                kongPlugins(spec(exposed({ paths: ["/x"], auth: "key-auth", rateLimit: rl }), [], stack), withRedis).filter((p) => p.plugin === "rate-limiting");

            it("counts in Redis by default: its endpoint over TLS in the config, the password patched in from a Secret, never in the KongPlugin", () => {
                const [rl] = redisPlugins({ minute: 100 });
                assert.deepEqual(rl.config, { minute: 100, policy: "redis", limit_by: "consumer", redis: { host: redis.host, port: 6379, ssl: true } });
                assert.deepEqual("configPatches" in rl ? rl.configPatches : undefined, [
                    { path: "/redis/password", valueFrom: { secretKeyRef: { name: "meshgate-rate-limit-redis", key: "password" } } },
                ]);
                assert.doesNotMatch(JSON.stringify(rl.config), /password/);
            });

            it("keeps local counting when a service asks for it", () => {
                const [rl] = redisPlugins({ minute: 100, policy: "local" });
                assert.deepEqual(rl.config, { minute: 100, policy: "local", limit_by: "consumer" });
                assert.equal("configPatches" in rl, false);
            });

            it("verifies the server's certificate when a server name is given", () => {
                const named = resolveContext({ gateway: { ...gateway, rateLimitRedis: { ...redis, serverName: "redis.example.com" } } });
                const [rl] = kongPlugins(spec(exposed({ paths: ["/x"], auth: "none", rateLimit: { minute: 1 } }), [], stack), named).filter((p) => p.plugin === "rate-limiting");
                assert.deepEqual((rl.config as { redis: unknown }).redis, { host: redis.host, port: 6379, ssl: true, ssl_verify: true, server_name: "redis.example.com" });
            });
        });

        it("refuses policy redis when the gateway has no Redis", () => {
            const s = spec(exposed({ paths: ["/x"], auth: "none", rateLimit: { minute: 1, policy: "redis" } }), [], {
                gateway: { rateLimitRedis: { type: "external", host: "r" } },
            });
            assert.throws(() => kongPlugins(s, ctx), /service "svc": rate-limiting policy redis needs a Redis/);
        });

        it("reads API keys from the header only (key_in_query: false), so keys stay out of logs and browser history", () => {
            assert.deepEqual(plugins({ paths: ["/x"], auth: "key-auth" })[0].config, { key_names: ["apikey"], hide_credentials: true, key_in_query: false });
        });

        it("lets CORS preflights through authentication: run_on_preflight false on key-auth and jwt of cors routes", () => {
            const cors = { origins: ["https://app.example.com"] };
            assert.equal(plugins({ paths: ["/x"], auth: "key-auth", cors })[0].config?.run_on_preflight, false);
            assert.equal(plugins({ paths: ["/x"], auth: "jwt", cors })[0].config?.run_on_preflight, false);
            assert.equal("run_on_preflight" in (plugins({ paths: ["/x"], auth: "jwt" })[0].config ?? {}), false, "no cors: Kong's default (authenticate OPTIONS too)");
        });

        it("removes the canary header at the edge unless the service lets clients select the canary", () => {
            const canary = { header: "x-version", equals: "v2", version: "v2" };
            const versions = [
                { name: "v1", weight: 90 },
                { name: "v2", weight: 10 },
            ];
            const pinned = kongPlugins(spec(exposed({ paths: ["/x"], auth: "none" }, { versions, canary })), ctx);
            assert.deepEqual(
                pinned.map((p) => [p.plugin, p.config]),
                [["request-transformer", { remove: { headers: ["x-version"] } }]],
            );
            const selectable = kongPlugins(spec(exposed({ paths: ["/x"], auth: "none" }, { versions, canary: { ...canary, clientSelectable: true } })), ctx);
            assert.deepEqual(selectable, []);
            assert.deepEqual(kongPlugins(spec({ ...base, versions, canary }), ctx), [], "an internal service has no edge");
        });

        it("adds cors, ip-restriction and request-size-limiting when declared, in that order after auth and rate limiting", () => {
            const all = plugins({
                paths: ["/x"],
                auth: "key-auth",
                rateLimit: { minute: 10 },
                cors: { origins: ["https://app.example.com"], methods: ["GET"], headers: ["x-request-id"], credentials: true, maxAge: 600 },
                ipRestriction: { allow: ["10.0.0.0/8"] },
                maxRequestMegabytes: 8,
            });
            assert.deepEqual(
                all.map((p) => p.plugin),
                ["key-auth", "rate-limiting", "cors", "ip-restriction", "request-size-limiting"],
            );
            assert.equal(all[0].config?.run_on_preflight, false);
            assert.deepEqual(all[2].config, { origins: ["https://app.example.com"], methods: ["GET"], headers: ["x-request-id"], credentials: true, max_age: 600 });
            assert.deepEqual(all[3].config, { allow: ["10.0.0.0/8"] });
            assert.deepEqual(all[4].config, { allowed_payload_size: 8, size_unit: "megabytes" });
        });

        it("writes a fractional request size limit in bytes (Kong takes an integer)", () => {
            assert.deepEqual(plugins({ paths: ["/x"], auth: "none", maxRequestMegabytes: 0.5 })[0].config, { allowed_payload_size: 500000, size_unit: "bytes" });
        });

        it("emits a deny-only ip-restriction without an empty allow list", () => {
            assert.deepEqual(plugins({ paths: ["/x"], auth: "none", ipRestriction: { deny: ["192.0.2.0/24"] } })[0].config, { deny: ["192.0.2.0/24"] });
        });

        it("refuses oauth2 with DB-less Kong", () => {
            const s = spec(exposed({ paths: ["/x"], auth: "oauth2" }), [], { gateway: { mode: "postgres", postgres: { external: { host: "db.example.internal" } } } });
            assert.throws(() => kongPlugins(s, ctx), /service "svc": oauth2 needs Kong with a database/);
        });

        it("with Kong on postgres, enables oauth2 client credentials and patches the provision key in from a Secret", () => {
            const pg = resolveContext({ gateway: { ...gateway, dbless: false } });
            assert.deepEqual(plugins({ paths: ["/x"], auth: "oauth2" }, pg), [
                {
                    name: "svc-oauth2",
                    plugin: "oauth2",
                    config: { enable_client_credentials: true, hide_credentials: true },
                    configPatches: [{ path: "/provision_key", valueFrom: { secretKeyRef: { name: "svc-oauth2", key: "provision_key" } } }],
                },
            ]);
            const objects = meshServiceObjects(
                spec(exposed({ paths: ["/x"], auth: "oauth2" }), [], { gateway: { mode: "postgres", postgres: { external: { host: "db.example.internal" } } } }),
                { gateway: { ...gateway, dbless: false } },
            );
            assert.deepEqual(objects.oauth2Secret, { name: "svc-oauth2", namespace: "team" });
        });
    });

    describe("Ingress", () => {
        it("has one rule per host, each with every path", () => {
            const s = spec(exposed({ paths: ["/a", "/b"], hosts: ["api.example.com", "*.example.org"], auth: "none" }));
            const rules = ingress(s, ctx, []).spec.rules;
            assert.deepEqual(
                rules.map((r) => [r.host, r.http.paths.map((p) => p.path)]),
                [
                    ["api.example.com", ["/a", "/b"]],
                    ["*.example.org", ["/a", "/b"]],
                ],
            );
        });

        it("uses ImplementationSpecific for Kong regex paths (/~) and Prefix otherwise", () => {
            const s = spec(exposed({ paths: ["/~/items/.+$", "/items"], auth: "none" }));
            assert.deepEqual(
                ingress(s, ctx, []).spec.rules[0].http.paths.map((p) => [p.path, p.pathType]),
                [
                    ["/~/items/.+$", "ImplementationSpecific"],
                    ["/items", "Prefix"],
                ],
            );
        });

        it("adds OPTIONS to a method-restricted cors route, so preflights reach the cors plugin instead of a 404", () => {
            const s = spec(exposed({ paths: ["/x"], auth: "none", methods: ["GET"], cors: { origins: ["https://app.example.com"] } }));
            assert.equal(ingress(s, ctx, []).metadata.annotations?.["konghq.com/methods"], "GET,OPTIONS");
            const noCors = spec(exposed({ paths: ["/x"], auth: "none", methods: ["GET"] }));
            assert.equal(ingress(noCors, ctx, []).metadata.annotations?.["konghq.com/methods"], "GET");
        });

        it("takes https only and redirects http with 308 when Kong terminates TLS and port 80 redirects", () => {
            const s = spec(exposed({ paths: ["/x"], auth: "none" }));
            const ann = ingress(s, resolveContext({ gateway: { ...gateway, httpsRedirect: true } }), []).metadata.annotations ?? {};
            assert.equal(ann["konghq.com/protocols"], "https");
            assert.equal(ann["konghq.com/https-redirect-status-code"], "308");
            assert.equal("konghq.com/protocols" in (ingress(s, ctx, []).metadata.annotations ?? {}), false);
        });

        it("strips the path when asked, omits methods and plugins when there are none, marks a public route, and uses the gateway's ingress class", () => {
            const s = spec(exposed({ paths: ["/x"], auth: "none", stripPath: true }));
            const ing = ingress(s, resolveContext({ gateway: { ...gateway, ingressClass: "kong-internal" } }), []);
            assert.deepEqual(ing.metadata.annotations, {
                "konghq.com/strip-path": "true",
                "konghq.com/preserve-host": "false",
                "meshgate.io/auth": "none",
                "pulumi.com/skipAwait": "true",
            });
            assert.equal(ing.spec.ingressClassName, "kong-internal");
        });
    });

    describe("Service", () => {
        it("targets the container port when it differs from the service port", () => {
            const objects = meshServiceObjects(spec({ ...base, targetPort: 8080 }), { gateway });
            assert.deepEqual(objects.service?.spec.ports, [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }]);
        });

        it("for a Service meshgate does not own, patches in only Kong's annotations, and only when exposed", () => {
            const s = spec(exposed({ paths: ["/x"], auth: "none" }, { createService: false }));
            const objects = meshServiceObjects(s, { gateway });
            assert.equal(objects.service, undefined);
            assert.deepEqual(objects.servicePatch, {
                apiVersion: "v1",
                kind: "Service",
                metadata: { name: "svc", namespace: "team", annotations: { "ingress.kubernetes.io/service-upstream": "true", "konghq.com/host-header": FQDN } },
            });
            assert.equal(servicePatch(spec({ ...base, createService: false }), ctx), undefined);
            assert.equal(meshServiceObjects(spec({ ...base, createService: false }), { gateway }).servicePatch, undefined);
        });
    });

    describe("gateway-only mode", () => {
        it("emits no Istio object, and the same Kong objects and Service as with the mesh on", () => {
            const s = spec(exposed({ paths: ["/x"], auth: "key-auth", rateLimit: { minute: 1 } }));
            const on = meshServiceObjects(s, { gateway, mesh: true });
            const off = meshServiceObjects(s, { gateway, mesh: false });
            assert.equal(off.destinationRule, undefined);
            assert.equal(off.virtualService, undefined);
            assert.equal(off.authorizationPolicy, undefined);
            assert.deepEqual(off.plugins, on.plugins);
            assert.deepEqual(off.ingress, on.ingress);
            assert.deepEqual(off.service, on.service);
        });
    });
});
