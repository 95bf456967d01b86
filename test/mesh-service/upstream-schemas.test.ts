/**
 * Every object MeshService and MeshNamespace emit, for declarations covering
 * every option, is accepted by the Istio 1.30 CRDs (OpenAPI schema and CEL
 * rules) and the KIC 3.5 CRDs, and every KongPlugin config by the Kong 3.9
 * plugin schema (unknown fields rejected), through policies/validate.
 */
import * as assert from "node:assert/strict";
import type { ServiceSpecInput, StackConfigInput } from "../../components/config";
import { egressSidecar, peerAuthentication } from "../../components/mesh-namespace";
import { allManifests, meshServiceObjects, type MeshServiceContext } from "../../components/mesh-service";
import { validateCustomResource, validateKongPluginConfig } from "../../policies/validate";
import { KONG_PRINCIPAL, orderService, spec, userService } from "./fixtures";

const dbless: MeshServiceContext = { gateway: { principal: KONG_PRINCIPAL, dbless: true } };
const postgres: MeshServiceContext = { gateway: { principal: KONG_PRINCIPAL, dbless: false } };
const REDIS = { host: "master.rl.abc123.euw1.cache.amazonaws.com", port: 6379, ssl: true, passwordSecret: { name: "meshgate-rate-limit-redis", key: "password" } };
const withRedis: MeshServiceContext = { gateway: { principal: KONG_PRINCIPAL, dbless: true, rateLimitRedis: REDIS, httpsRedirect: true } };
const redisStack: Partial<StackConfigInput> = {
    gateway: { consumers: [{ name: "acme", credentials: ["jwt"] }], rateLimitRedis: { type: "external", host: REDIS.host, passwordSecret: REDIS.passwordSecret } },
};

/** What Kong receives: the config with KIC's configPatches applied (values from their Secrets). */
function patched(config: Record<string, unknown> | undefined, patches: readonly { path: string }[] | undefined): Record<string, unknown> {
    const out: Record<string, unknown> = structuredClone(config ?? {});
    for (const { path } of patches ?? []) {
        const segs = path.slice(1).split("/");
        let cur = out;
        for (const seg of segs.slice(0, -1)) cur = (cur[seg] ??= {}) as Record<string, unknown>;
        cur[segs[segs.length - 1]] = "from-the-secret";
    }
    return out;
}
const web: ServiceSpecInput = { name: "web", namespace: "users", port: 80 };

const cases: { title: string; input: ServiceSpecInput; others?: ServiceSpecInput[]; stack?: Partial<StackConfigInput>; ctx: MeshServiceContext }[] = [
    { title: "the scenario's user-service", input: userService, others: [orderService], ctx: dbless },
    { title: "the scenario's order-service", input: orderService, others: [userService], ctx: dbless },
    {
        title: "a service using every option (jwt, acl, all windows, cors, ip-restriction, size limit, hosts, regex path, full resilience)",
        input: {
            name: "everything",
            namespace: "team",
            port: 8443,
            targetPort: 9000,
            serviceAccount: "everything-sa",
            versions: [
                { name: "v1", weight: 70 },
                { name: "v2", weight: 20 },
                { name: "v3", weight: 10 },
            ],
            canary: { header: "x-tenant", regex: "^beta-.*$", version: "v3" },
            gateway: {
                paths: ["/api/everything", "/~/items/.+$"],
                methods: ["GET", "PUT", "DELETE"],
                hosts: ["api.example.com", "*.example.org"],
                stripPath: true,
                auth: "jwt",
                consumers: ["acme"],
                rateLimit: { second: 10, minute: 100, hour: 1000, day: 10000, month: 100000, year: 1000000, limitBy: "credential", policy: "redis" },
                cors: { origins: ["https://app.example.com"], methods: ["GET", "PUT"], headers: ["authorization"], credentials: true, maxAge: 3600 },
                ipRestriction: { allow: ["10.0.0.0/8"], deny: ["10.1.0.0/16"] },
                maxRequestMegabytes: 2.5,
            },
            resilience: {
                timeout: "1m30s",
                retries: { attempts: 5, perTryTimeout: "250ms", retryOn: "gateway-error,reset" },
                outlierDetection: { consecutive5xxErrors: 7, interval: "5s", baseEjectionTime: "1m", maxEjectionPercent: 100 },
                connectionPool: { maxConnections: 1000, http1MaxPendingRequests: 100, http2MaxRequests: 1000, maxRequestsPerConnection: 10 },
            },
            allowFrom: ["users/web", { principal: "legacy/batch", external: true }],
        },
        others: [web],
        stack: redisStack,
        ctx: withRedis,
    },
    {
        title: "rate limits by header and by path, counted locally",
        input: {
            name: "tenants",
            namespace: "team",
            port: 80,
            gateway: { paths: ["/tenants"], auth: "none", rateLimit: { minute: 50, limitBy: "header", headerName: "x-tenant" } },
        },
        others: [
            { name: "reports", namespace: "team", port: 80, gateway: { paths: ["/reports"], auth: "none", rateLimit: { hour: 10, limitBy: "path", path: "/reports/export" } } },
        ],
        ctx: dbless,
    },
    {
        title: "an oauth2 service with Kong on postgres and a cluster rate-limiting policy",
        input: { name: "billing", namespace: "billing", port: 80, gateway: { paths: ["/billing"], auth: "oauth2", rateLimit: { minute: 5, policy: "cluster" } } },
        stack: { gateway: { mode: "postgres", postgres: { external: { host: "db.example.internal" } } } },
        ctx: postgres,
    },
    {
        title: "a public route with retries off",
        input: { name: "status", namespace: "ops", port: 80, gateway: { paths: ["/status"], auth: "none" }, resilience: { retries: { attempts: 0 } } },
        ctx: dbless,
    },
    { title: "a service nobody may call", input: { name: "lonely", namespace: "ops", port: 80 }, ctx: dbless },
    {
        title: "an exposed service whose Service exists already",
        input: { name: "legacy", namespace: "ops", port: 80, createService: false, gateway: { paths: ["/legacy"], auth: "key-auth" } },
        ctx: dbless,
    },
];

describe("emitted objects against the upstream schemas", () => {
    for (const c of cases) {
        it(`${c.title}: every custom resource and plugin config is valid`, () => {
            const objects = meshServiceObjects(spec(c.input, c.others, c.stack), c.ctx);
            const problems: string[] = [];
            let checked = 0;
            for (const m of allManifests(objects)) {
                if (m.apiVersion === "v1" || m.apiVersion === "networking.k8s.io/v1") {
                    continue; // core kinds: typed by @pulumi/kubernetes
                }
                checked++;
                problems.push(...validateCustomResource(m).map((p) => `${m.kind}/${m.metadata.name}: ${p}`));
                if (m.kind === "KongPlugin") {
                    // What Kong receives: config with the configPatches applied (oauth2 provision key, Redis password).
                    const config = patched(m.config, "configPatches" in m ? m.configPatches : undefined);
                    problems.push(...validateKongPluginConfig(m.plugin, config).map((p) => `${m.kind}/${m.metadata.name} config: ${p}`));
                }
            }
            assert.deepEqual(problems, []);
            assert.ok(checked > 0, "checked at least one custom resource");
        });
    }

    it("MeshNamespace's PeerAuthentication and Sidecar are valid", () => {
        const problems = [...validateCustomResource(peerAuthentication("users")), ...validateCustomResource(egressSidecar("users", ["orders"], ["observability/*"]))];
        assert.deepEqual(problems, []);
    });

    it("the validators do reject what the API server and Kong would (so the checks above mean something)", () => {
        const objects = meshServiceObjects(spec(userService, [orderService]), dbless);
        const vs = objects.virtualService;
        assert.ok(vs !== undefined);
        const badVs = { ...vs, spec: { ...vs.spec, http: [{ ...vs.spec.http[1], timeout: "0s" }] } };
        assert.notDeepEqual(validateCustomResource(badVs), []);
        assert.notDeepEqual(validateKongPluginConfig("rate-limiting", { minute: 100, window_size: [60] }), []);
        // What meshgate emitted before it carried the Redis endpoint: Kong refuses it (entity check).
        assert.notDeepEqual(validateKongPluginConfig("rate-limiting", { minute: 100, policy: "redis", limit_by: "consumer" }), []);
    });
});
