/**
 * `mesh.routing`: virtualservice by default; gateway-api refuses, with the path and the reason,
 * what a mesh HTTPRoute cannot express.
 */
import * as assert from "node:assert/strict";
import { checkStackConfig, formatIssue, gatewayApiDuration, validateStackConfig, type ServiceSpecInput } from "../../components/config";

const base: ServiceSpecInput = { name: "svc", namespace: "team", port: 8080 };
const issues = (services: ServiceSpecInput[], mesh: Record<string, unknown> = { routing: "gateway-api" }) =>
    checkStackConfig({ cluster: { type: "existing" }, mesh, services }).issues.map(formatIssue);

describe("config: mesh.routing", () => {
    it("defaults to virtualservice", () => {
        assert.equal(validateStackConfig({ cluster: { type: "existing" } }, { stack: "t" }).mesh.routing, "virtualservice");
        assert.equal(validateStackConfig({ cluster: { type: "existing" }, mesh: { tracing: { samplingPercentage: 5 } } }, { stack: "t" }).mesh.routing, "virtualservice");
    });

    it("accepts only virtualservice and gateway-api", () => {
        assert.deepEqual(issues([], { routing: "httproute" }), ['mesh.routing: must be one of virtualservice, gateway-api; got "httproute"']);
    });

    it("accepts under gateway-api what an HTTPRoute expresses: versions, canary (equals, prefix, regex), timeout, outlier detection, connection pool", () => {
        assert.deepEqual(
            issues([
                {
                    ...base,
                    versions: [
                        { name: "v1", weight: 90 },
                        { name: "v2", weight: 10 },
                    ],
                    canary: { header: "x-version", prefix: "v2", version: "v2" },
                    resilience: { timeout: "1m30s", outlierDetection: {}, connectionPool: { maxConnections: 10 } },
                },
            ]),
            [],
        );
    });

    it("refuses retries (any: attempts, per-try timeout, conditions, or 0 to turn them off) in every service at once, each with its path and what to do", () => {
        const got = issues([
            { ...base, resilience: { retries: { attempts: 3, perTryTimeout: "2s" } } },
            { ...base, name: "other", resilience: { retries: { attempts: 0 } } },
        ]);
        assert.equal(got.length, 2);
        assert.match(
            got[0],
            /^services\[0\]\.resilience\.retries \(service svc\): mesh\.routing is gateway-api, and an HTTPRoute cannot carry retries: its retry field is in the Gateway API experimental channel only \(not in the v1\.3\.0 standard CRDs\), and without it Istio 1\.30 applies its default policy \(2 attempts on connect-failure, refused-stream, unavailable, cancelled; no per-try timeout\) whatever is declared; remove resilience\.retries .* or keep mesh\.routing: virtualservice$/,
        );
        assert.match(got[1], /^services\[1\]\.resilience\.retries \(service other\):/);
        assert.deepEqual(issues([{ ...base, resilience: { retries: { attempts: 3 } } }], { routing: "virtualservice" }), []);
    });

    it("refuses a timeout finer than a millisecond (Gateway API durations)", () => {
        assert.deepEqual(issues([{ ...base, resilience: { timeout: "1500us" } }]), [
            'services[0].resilience.timeout (service svc): mesh.routing is gateway-api, and Gateway API durations have millisecond resolution (timeouts.request, GEP-2257); got "1500us": write a whole number of milliseconds or keep mesh.routing: virtualservice',
        ]);
    });

    it("refuses a version whose Service name (<service>-<version>) is too long or already taken in the namespace", () => {
        const long = "a".repeat(61);
        const got = issues([
            { ...base, name: long, versions: [{ name: "v1", weight: 100 }] },
            { ...base, name: "shop", versions: [{ name: "v1", weight: 100 }] },
            { ...base, name: "shop-v1" },
        ]);
        assert.equal(got.length, 2, got.join("\n"));
        assert.match(
            got[0],
            /^services\[0\]\.versions\[0\]\.name \(service a{61}\): mesh\.routing is gateway-api: each version becomes a Service named <service>-<version> .* at most 63 characters; "a{61}-v1" has 64: shorten the service or version name/,
        );
        assert.match(
            got[1],
            /^services\[1\]\.versions\[0\]\.name \(service shop\): mesh\.routing is gateway-api, so this version becomes the Service "shop-v1" in namespace team, which services\[2\] already names/,
        );
    });

    it("needs the mesh", () => {
        assert.deepEqual(issues([], { enabled: false, routing: "gateway-api" }), [
            "mesh.routing: gateway-api needs mesh.enabled: true: mesh.routing chooses how Istio routes inside the mesh; without the mesh nothing does; remove mesh.routing or set mesh.routing: virtualservice",
        ]);
    });

    it("writes durations as Gateway API does", () => {
        assert.equal(gatewayApiDuration("10s"), "10s");
        assert.equal(gatewayApiDuration("1m30s"), "1m30s");
        assert.equal(gatewayApiDuration("90s"), "1m30s");
        assert.equal(gatewayApiDuration("1.5s"), "1s500ms");
        assert.equal(gatewayApiDuration("2h"), "2h");
        assert.equal(gatewayApiDuration("1500us"), undefined);
    });
});
