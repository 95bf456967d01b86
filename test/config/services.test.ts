/**
 * One test per validation rule of the per-service declaration, showing the
 * exact error a user gets: the path of the field, the service it belongs to,
 * and a message saying what is wrong and what is allowed.
 */
import * as assert from "node:assert/strict";
import { checkStackConfig, ConfigError, validateStackConfig, type ConfigIssue } from "../../components/config";
import { orderService, userService } from "../mesh-service/fixtures";

const base = { name: "svc", namespace: "team", port: 8080 };
const twoVersions = [
    { name: "v1", weight: 100 },
    { name: "v2", weight: 0 },
];

function issues(services: unknown[], extra: Record<string, unknown> = {}): ConfigIssue[] {
    return checkStackConfig({ cluster: { type: "existing" }, services, ...extra }).issues;
}

/** The stack has exactly these problems. */
function expectIssues(services: unknown[], expected: ConfigIssue[], extra: Record<string, unknown> = {}): void {
    assert.deepEqual(issues(services, extra), expected);
}

/** The stack has exactly this one problem, in service "svc". */
function expectIssue(services: unknown[], path: string, message: string, extra: Record<string, unknown> = {}): void {
    expectIssues(services, [{ path, message, service: "svc" }], extra);
}

const DNS_LABEL = "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit";
const DURATION = 'must be a duration such as "250ms", "10s" or "1m30s" (units h, m, s, ms, us, ns), at least 1ms';

describe("service declaration validation", () => {
    it("accepts the issue's scenario without a problem", () => {
        expectIssues([userService, orderService], []);
    });

    describe("names", () => {
        it("rejects a service name that is not a DNS-1123 label", () => {
            expectIssues([{ ...base, name: "User_Service" }], [{ path: "services[0].name", message: `${DNS_LABEL}; got "User_Service"`, service: "User_Service" }]);
        });

        it("rejects a service name longer than 63 characters", () => {
            const name = "a".repeat(64);
            expectIssues(
                [{ ...base, name }],
                [{ path: "services[0].name", message: `must be at most 63 characters (a DNS-1123 label); got "${"a".repeat(56)}...`, service: name }],
            );
        });

        it("rejects a namespace that is not a DNS-1123 label", () => {
            expectIssue([{ ...base, namespace: "Team" }], "services[0].namespace", `${DNS_LABEL}; got "Team"`);
        });

        it("rejects a service account that is not a DNS-1123 label", () => {
            expectIssue([{ ...base, serviceAccount: "Web" }], "services[0].serviceAccount", `${DNS_LABEL}; got "Web"`);
        });

        it("rejects a namespace reserved for the platform", () => {
            expectIssue(
                [{ ...base, namespace: "kube-system" }],
                "services[0].namespace",
                '"kube-system" is reserved for the platform (kube-system, kube-public, kube-node-lease, default, istio-system, kong, observability); use a namespace of your own',
            );
        });

        it("rejects two services with the same name, even in different namespaces", () => {
            expectIssue([base, { ...base, namespace: "other" }], "services[1].name", '"svc" is already declared by services[0]; service names must be unique in a stack');
        });

        it("names a misspelt field and suggests the right one", () => {
            expectIssue([{ ...base, alowFrom: [] }], "services[0].alowFrom", 'unknown field (did you mean "allowFrom"?)');
        });
    });

    describe("ports", () => {
        it("rejects a port outside 1-65535", () => {
            expectIssue([{ ...base, port: 0 }], "services[0].port", "must be a port from 1 to 65535; got 0");
            expectIssue([{ ...base, port: 70000 }], "services[0].port", "must be a port from 1 to 65535; got 70000");
        });

        it("rejects a fractional port", () => {
            expectIssue([{ ...base, port: 80.5 }], "services[0].port", "must be a whole number; got 80.5");
        });

        it("rejects a targetPort outside 1-65535", () => {
            expectIssue([{ ...base, targetPort: 65536 }], "services[0].targetPort", "must be a port from 1 to 65535; got 65536");
        });

        it("rejects a container port the Istio sidecar uses, on port when there is no targetPort", () => {
            expectIssue(
                [{ ...base, port: 15001 }],
                "services[0].port",
                "15001 is reserved by the Istio sidecar in every pod (15000, 15001, 15004, 15006, 15008, 15009, 15020, 15021, 15053, 15090); the workload must listen on another port (or set targetPort)",
            );
        });

        it("rejects a reserved targetPort, and accepts a reserved service port with another targetPort", () => {
            expectIssue(
                [{ ...base, port: 80, targetPort: 15020 }],
                "services[0].targetPort",
                "15020 is reserved by the Istio sidecar in every pod (15000, 15001, 15004, 15006, 15008, 15009, 15020, 15021, 15053, 15090); the workload must listen on another port",
            );
            expectIssues([{ ...base, port: 15001, targetPort: 8080 }], []);
        });
    });

    describe("versions and weights", () => {
        it("takes an empty list as no versions (the validated config validates again unchanged)", () => {
            expectIssues([{ ...base, versions: [] }], []);
        });

        it("rejects a version name that is not a DNS-1123 label (it becomes a pod label and a subset name)", () => {
            expectIssue([{ ...base, versions: [{ name: "V1", weight: 100 }] }], "services[0].versions[0].name", `${DNS_LABEL}; got "V1"`);
        });

        it("rejects the same version twice", () => {
            expectIssue(
                [
                    {
                        ...base,
                        versions: [
                            { name: "v1", weight: 50 },
                            { name: "v1", weight: 50 },
                        ],
                    },
                ],
                "services[0].versions[1].name",
                '"v1" is already declared by versions[0]; version names must be unique',
            );
        });

        it("rejects a weight outside 0-100", () => {
            expectIssue([{ ...base, versions: [{ name: "v1", weight: 120 }] }], "services[0].versions[0].weight", "must be from 0 to 100; got 120");
        });

        it("rejects a fractional weight (Istio weights are integers)", () => {
            expectIssues(
                [
                    {
                        ...base,
                        versions: [
                            { name: "v1", weight: 50.5 },
                            { name: "v2", weight: 49.5 },
                        ],
                    },
                ],
                [
                    { path: "services[0].versions[0].weight", message: "must be a whole number from 0 to 100; got 50.5", service: "svc" },
                    { path: "services[0].versions[1].weight", message: "must be a whole number from 0 to 100; got 49.5", service: "svc" },
                ],
            );
        });

        it("rejects weights that do not add up to 100", () => {
            expectIssue(
                [
                    {
                        ...base,
                        versions: [
                            { name: "v1", weight: 90 },
                            { name: "v2", weight: 20 },
                        ],
                    },
                ],
                "services[0].versions",
                "weights add up to 110 (v1: 90, v2: 20); they must add up to 100",
            );
        });
    });

    describe("canary", () => {
        it("rejects a canary version the service does not have", () => {
            expectIssue(
                [{ ...base, versions: [{ name: "v1", weight: 100 }], canary: { header: "x-version", equals: "v2", version: "v2" } }],
                "services[0].canary.version",
                '"v2" is not one of this service\'s versions (v1)',
            );
        });

        it("rejects a canary on a service that declares no versions, saying what to declare", () => {
            expectIssue(
                [{ ...base, canary: { header: "x-version", equals: "v2", version: "v2" } }],
                "services[0].canary.version",
                '"v2" is not a declared version: a canary needs versions (e.g. [{name: v1, weight: 100}, {name: v2, weight: 0}])',
            );
        });

        it("requires exactly one of equals, prefix, regex", () => {
            expectIssue(
                [{ ...base, versions: twoVersions, canary: { header: "x-version", equals: "v2", prefix: "v", version: "v2" } }],
                "services[0].canary",
                'must set exactly one of equals, prefix, regex; got {"header":"x-version","equals":"v2","prefix":"v","version...',
            );
        });

        it("requires a lower-case header name", () => {
            expectIssue(
                [{ ...base, versions: twoVersions, canary: { header: "X-Version", equals: "v2", version: "v2" } }],
                "services[0].canary.header",
                'must be a lower-case HTTP header name; got "X-Version"',
            );
        });
    });

    describe("durations and retries", () => {
        it("rejects a malformed duration", () => {
            expectIssue([{ ...base, resilience: { timeout: "10 seconds" } }], "services[0].resilience.timeout", `${DURATION}; got "10 seconds"`);
        });

        it("rejects durations below 1ms and units Go does not know, wherever they are", () => {
            expectIssues(
                [{ ...base, resilience: { timeout: "0s", retries: { attempts: 2, perTryTimeout: "500us" }, outlierDetection: { interval: "1d" } } }],
                [
                    { path: "services[0].resilience.timeout", message: `${DURATION}; got "0s"`, service: "svc" },
                    { path: "services[0].resilience.retries.perTryTimeout", message: `${DURATION}; got "500us"`, service: "svc" },
                    { path: "services[0].resilience.outlierDetection.interval", message: `${DURATION}; got "1d"`, service: "svc" },
                ],
            );
        });

        it("rejects more than 10 retry attempts", () => {
            expectIssue([{ ...base, resilience: { retries: { attempts: 11 } } }], "services[0].resilience.retries.attempts", "must be from 0 to 10; got 11");
        });

        it("rejects retry conditions Istio does not accept, and accepts HTTP status codes", () => {
            expectIssue(
                [{ ...base, resilience: { retries: { attempts: 2, retryOn: "5xx,connect-faliure,503,999" } } }],
                "services[0].resilience.retries.retryOn",
                '"connect-faliure", "999" are not retry conditions Istio accepts (5xx, gateway-error, reset, reset-before-request, connect-failure, retriable-4xx, refused-stream, retriable-status-codes, retriable-headers, envoy-ratelimited, http3-post-connect-failure, cancelled, deadline-exceeded, internal, resource-exhausted, unavailable, or an HTTP status code); got "5xx,connect-faliure,503,999"',
            );
        });

        it("rejects a connection pool size beyond Istio's 32-bit integers", () => {
            expectIssue(
                [{ ...base, resilience: { connectionPool: { maxConnections: 3000000000 } } }],
                "services[0].resilience.connectionPool.maxConnections",
                "must be at most 2147483647 (a 32-bit integer); got 3000000000",
            );
        });
    });

    describe("callers", () => {
        it("rejects a caller that no service in the stack runs as", () => {
            expectIssue(
                [{ ...base, allowFrom: ["users/web"] }],
                "services[0].allowFrom[0]",
                'no service in this stack runs as users/web (namespace/serviceaccount); declare it, or write {principal: "users/web", external: true} for a caller meshgate does not manage',
            );
        });

        it("accepts a caller declared external, and one that runs under a declared service account", () => {
            expectIssues(
                [
                    { ...base, allowFrom: [{ principal: "legacy/batch", external: true }, "users/web-sa"] },
                    { name: "web", namespace: "users", port: 80, serviceAccount: "web-sa" },
                ],
                [],
            );
        });

        it("rejects a caller not written namespace/serviceaccount", () => {
            expectIssue([{ ...base, allowFrom: ["web"] }], "services[0].allowFrom[0]", 'must be "<namespace>/<serviceaccount>"; got "web"');
        });
    });

    describe("gateway paths, methods and hosts", () => {
        it("rejects a path another service already routes, even written with a trailing slash", () => {
            expectIssues(
                [
                    { ...base, gateway: { paths: ["/api"] } },
                    { ...base, name: "b", gateway: { paths: ["/api/"] } },
                ],
                [{ path: "services[1].gateway.paths[0]", message: '"/api/" is already routed to svc (services[0]); a path may belong to one service only', service: "b" }],
            );
        });

        it("accepts the same path for two services when their methods do not overlap", () => {
            expectIssues(
                [
                    { ...base, gateway: { paths: ["/api"], methods: ["GET"] } },
                    { ...base, name: "b", gateway: { paths: ["/api"], methods: ["POST"] } },
                ],
                [],
            );
        });

        it("rejects a path listed twice by one service", () => {
            expectIssue([{ ...base, gateway: { paths: ["/api", "/api"] } }], "services[0].gateway.paths[1]", '"/api" is listed twice');
        });

        it("rejects a relative path", () => {
            expectIssue([{ ...base, gateway: { paths: ["api"] } }], "services[0].gateway.paths[0]", 'must be an absolute URL path such as "/api/v1/users"; got "api"');
        });

        it("rejects paths Kubernetes refuses in an Ingress", () => {
            expectIssues(
                [{ ...base, gateway: { paths: ["/api//v1", "/api/."] } }],
                [
                    { path: "services[0].gateway.paths[0]", message: 'must not contain "//" (Kubernetes rejects such Ingress paths); got "/api//v1"', service: "svc" },
                    { path: "services[0].gateway.paths[1]", message: 'must not end with "/." (Kubernetes rejects such Ingress paths); got "/api/."', service: "svc" },
                ],
            );
        });

        it("rejects an unknown HTTP method", () => {
            expectIssue(
                [{ ...base, gateway: { paths: ["/x"], methods: ["FETCH"] } }],
                "services[0].gateway.methods[0]",
                'must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE, CONNECT; got "FETCH"',
            );
        });

        it("rejects a host that is not a lower-case DNS name", () => {
            expectIssue([{ ...base, gateway: { paths: ["/x"], hosts: ["API.example.com"] } }], "services[0].gateway.hosts[0]", 'must be a DNS host name; got "API.example.com"');
        });
    });

    describe("authentication, consumers and the Kong mode", () => {
        it("rejects an unknown auth type", () => {
            expectIssue([{ ...base, gateway: { paths: ["/x"], auth: "basic" } }], "services[0].gateway.auth", 'must be one of key-auth, jwt, oauth2, none; got "basic"');
        });

        it("rejects oauth2 with DB-less Kong, and accepts it with postgres", () => {
            expectIssue(
                [{ ...base, gateway: { paths: ["/x"], auth: "oauth2" } }],
                "services[0].gateway.auth",
                "oauth2 needs Kong with a database (gateway.mode: postgres); in dbless mode use key-auth, jwt or none",
            );
            expectIssues([{ ...base, gateway: { paths: ["/x"], auth: "oauth2" } }], [], { gateway: { mode: "postgres", postgres: { external: { host: "db.example.internal" } } } });
        });

        it("rejects restricting consumers without authentication", () => {
            expectIssue(
                [{ ...base, gateway: { paths: ["/x"], auth: "none", consumers: ["acme"] } }],
                "services[0].gateway.consumers",
                "restricting consumers needs authentication, but gateway.auth is none; use key-auth or jwt",
                { gateway: { consumers: [{ name: "acme" }] } },
            );
        });

        it("rejects a consumer the gateway does not declare", () => {
            expectIssue(
                [{ ...base, gateway: { paths: ["/x"], consumers: ["acme"] } }],
                "services[0].gateway.consumers[0]",
                'no consumer "acme" in gateway.consumers (declared: globex)',
                {
                    gateway: { consumers: [{ name: "globex" }] },
                },
            );
        });
    });

    describe("rate limits and plugins", () => {
        it("requires at least one window", () => {
            expectIssue(
                [{ ...base, gateway: { paths: ["/x"], rateLimit: {} } }],
                "services[0].gateway.rateLimit",
                "must set at least one of second, minute, hour, day, month, year; got {}",
            );
        });

        it("rejects a longer window with a lower limit, which Kong refuses", () => {
            expectIssue(
                [{ ...base, gateway: { paths: ["/x"], rateLimit: { minute: 100, hour: 50 } } }],
                "services[0].gateway.rateLimit.hour",
                "must be at least the limit per minute (100): Kong rejects limits that decrease with a longer window; got 50",
            );
        });

        it("rejects the cluster policy with DB-less Kong", () => {
            expectIssue(
                [{ ...base, gateway: { paths: ["/x"], rateLimit: { minute: 1, policy: "cluster" } } }],
                "services[0].gateway.rateLimit.policy",
                "cluster needs Kong with a database (gateway.mode: postgres); in dbless mode use local or redis",
            );
        });

        it("rejects limiting by consumer when requests are not authenticated", () => {
            expectIssue(
                [{ ...base, gateway: { paths: ["/x"], auth: "none", rateLimit: { minute: 1, limitBy: "consumer" } } }],
                "services[0].gateway.rateLimit.limitBy",
                "consumer needs authentication, but gateway.auth is none; use ip, service, header or path",
            );
        });

        it("limitBy header needs headerName and limitBy path needs path (what Kong's entity checks demand); neither stands alone", () => {
            expectIssue(
                [{ ...base, gateway: { paths: ["/x"], rateLimit: { minute: 1, limitBy: "header" } } }],
                "services[0].gateway.rateLimit.headerName",
                "is required with limitBy: header (the header whose value is counted; Kong refuses limit_by header without header_name)",
            );
            expectIssue(
                [{ ...base, gateway: { paths: ["/x"], rateLimit: { minute: 1, limitBy: "path" } } }],
                "services[0].gateway.rateLimit.path",
                "is required with limitBy: path (the path whose requests are counted; Kong refuses limit_by path without path)",
            );
            expectIssue(
                [{ ...base, gateway: { paths: ["/x"], rateLimit: { minute: 1, headerName: "x-tenant" } } }],
                "services[0].gateway.rateLimit.headerName",
                "is used only with limitBy: header; limitBy is the default (consumer or ip)",
            );
            expectIssue(
                [{ ...base, gateway: { paths: ["/x"], rateLimit: { minute: 1, limitBy: "path", path: "/a//b" } } }],
                "services[0].gateway.rateLimit.path",
                'must not have empty segments (//); got "/a//b"',
            );
            expectIssues([{ ...base, gateway: { paths: ["/x"], rateLimit: { minute: 1, limitBy: "header", headerName: "x-tenant" } } }], []);
        });

        it("policy redis needs a Redis for the counters (gateway.rateLimitRedis), else Kong refuses the plugin", () => {
            expectIssue(
                [{ ...base, gateway: { paths: ["/x"], rateLimit: { minute: 1, policy: "redis" } } }],
                "services[0].gateway.rateLimit.policy",
                "redis needs a Redis for the counters: set gateway.rateLimitRedis ({type: elasticache} on EKS, or {type: external, host, passwordSecret}); Kong refuses policy redis without redis.host",
            );
            expectIssues([{ ...base, gateway: { paths: ["/x"], rateLimit: { minute: 1, policy: "redis" } } }], [], {
                gateway: { rateLimitRedis: { type: "external", host: "redis.example" } },
            });
        });

        it("requires allow or deny CIDRs for an IP restriction, each a valid CIDR", () => {
            expectIssue([{ ...base, gateway: { paths: ["/x"], ipRestriction: {} } }], "services[0].gateway.ipRestriction", "must list allow or deny CIDRs; got {}");
            expectIssue(
                [{ ...base, gateway: { paths: ["/x"], ipRestriction: { allow: ["10.0.0.0/33"] } } }],
                "services[0].gateway.ipRestriction.allow[0]",
                'must be an IPv4 CIDR such as "203.0.113.0/24"; got "10.0.0.0/33"',
            );
        });
    });

    describe("the error users see", () => {
        it("names the stack, then each problem's field and service, all problems at once", () => {
            const raw = {
                cluster: { type: "existing" },
                services: [
                    { name: "user-service", namespace: "users", port: 8080, gateway: { paths: ["/api"], auth: "oauth2" } },
                    { name: "order-service", namespace: "orders", port: 8080, allowFrom: ["billing/invoicer"] },
                    { name: "stock-service", namespace: "orders", port: 0 },
                ],
            };
            assert.throws(
                () => validateStackConfig(raw, { stack: "prod" }),
                (err: unknown) => {
                    assert.ok(err instanceof ConfigError);
                    assert.equal(err.stackName, "prod");
                    assert.equal(
                        err.message,
                        [
                            'Invalid configuration for stack "prod" (3 problems):',
                            "  - services[2].port (service stock-service): must be a port from 1 to 65535; got 0",
                            "  - services[0].gateway.auth (service user-service): oauth2 needs Kong with a database (gateway.mode: postgres); in dbless mode use key-auth, jwt or none",
                            '  - services[1].allowFrom[0] (service order-service): no service in this stack runs as billing/invoicer (namespace/serviceaccount); declare it, or write {principal: "billing/invoicer", external: true} for a caller meshgate does not manage',
                        ].join("\n"),
                    );
                    // Error.stack is still the stack trace, not the stack's name.
                    assert.match(err.stack ?? "", /^ConfigError: Invalid configuration/);
                    return true;
                },
            );
        });

        it("returns the config with defaults applied when it is valid", () => {
            const config = validateStackConfig({ cluster: { type: "existing" }, services: [base] }, { stack: "dev" });
            assert.deepEqual(config.services[0], { ...base, createService: true, versions: [], resilience: {}, allowFrom: [] });
        });
    });
});
