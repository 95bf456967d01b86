import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { knownCustomResources, validateCustomResource } from "../../policies/validate/crd";
import { packageRoot } from "../../policies/validate/data";

const meta = (name: string, namespace = "users") => ({ name, namespace });

function virtualService(): { apiVersion: string; kind: string; metadata: object; spec: { hosts: string[]; http: Record<string, unknown>[] } } {
    return {
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: meta("user-service"),
        spec: {
            hosts: ["user-service.users.svc.cluster.local"],
            http: [
                {
                    name: "canary",
                    match: [{ headers: { "x-version": { exact: "v2" } } }],
                    route: [{ destination: { host: "user-service.users.svc.cluster.local", subset: "v2", port: { number: 8080 } } }],
                },
                {
                    name: "weighted",
                    route: [
                        { destination: { host: "user-service.users.svc.cluster.local", subset: "v1", port: { number: 8080 } }, weight: 90 },
                        { destination: { host: "user-service.users.svc.cluster.local", subset: "v2", port: { number: 8080 } }, weight: 10 },
                    ],
                    timeout: "10s",
                    retries: { attempts: 3, perTryTimeout: "2s", retryOn: "5xx,reset,connect-failure" },
                },
            ],
        },
    };
}

const destinationRule = {
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    metadata: meta("user-service"),
    spec: {
        host: "user-service.users.svc.cluster.local",
        trafficPolicy: {
            tls: { mode: "ISTIO_MUTUAL" },
            connectionPool: { tcp: { maxConnections: 100, connectTimeout: "1s" }, http: { http1MaxPendingRequests: 100, maxRequestsPerConnection: 10 } },
            outlierDetection: { consecutive5xxErrors: 5, interval: "10s", baseEjectionTime: "30s", maxEjectionPercent: 50 },
        },
        subsets: [
            { name: "v1", labels: { version: "v1" } },
            { name: "v2", labels: { version: "v2" } },
        ],
    },
};

const authorizationPolicy = {
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: meta("user-service"),
    spec: {
        selector: { matchLabels: { app: "user-service" } },
        action: "ALLOW",
        rules: [{ from: [{ source: { principals: ["cluster.local/ns/orders/sa/order-service", "cluster.local/ns/kong/sa/kong-kong"] } }] }],
    },
};

const peerAuthentication = { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: meta("default", "istio-system"), spec: { mtls: { mode: "STRICT" } } };

const telemetry = {
    apiVersion: "telemetry.istio.io/v1",
    kind: "Telemetry",
    metadata: meta("mesh-default", "istio-system"),
    spec: { tracing: [{ providers: [{ name: "jaeger" }], randomSamplingPercentage: 10 }] },
};

const kongPlugin = {
    apiVersion: "configuration.konghq.com/v1",
    kind: "KongPlugin",
    metadata: meta("user-service-rate-limit"),
    plugin: "rate-limiting",
    config: { minute: 100, policy: "local", limit_by: "consumer" },
};

const kongConsumer = {
    apiVersion: "configuration.konghq.com/v1",
    kind: "KongConsumer",
    metadata: { ...meta("order-client"), annotations: { "kubernetes.io/ingress.class": "kong" } },
    username: "order-client",
    credentials: ["order-client-key-auth"],
};

describe("validate/crd: custom resources against the CRD schemas and their CEL rules", () => {
    it("lists the Istio and Kong kinds meshgate emits, every served version", () => {
        const names = new Set(knownCustomResources().map((t) => `${t.apiVersion}/${t.kind}`));
        for (const id of [
            "networking.istio.io/v1/VirtualService",
            "networking.istio.io/v1beta1/DestinationRule",
            "networking.istio.io/v1alpha3/Gateway",
            "networking.istio.io/v1/Sidecar",
            "networking.istio.io/v1/ServiceEntry",
            "security.istio.io/v1/PeerAuthentication",
            "security.istio.io/v1/AuthorizationPolicy",
            "security.istio.io/v1/RequestAuthentication",
            "telemetry.istio.io/v1/Telemetry",
            "configuration.konghq.com/v1/KongPlugin",
            "configuration.konghq.com/v1/KongClusterPlugin",
            "configuration.konghq.com/v1/KongConsumer",
            "configuration.konghq.com/v1beta1/KongConsumerGroup",
            "configuration.konghq.com/v1/KongIngress",
            "configuration.konghq.com/v1beta1/KongUpstreamPolicy",
        ]) {
            assert.ok(names.has(id), id);
        }
    });

    describe("valid objects pass", () => {
        const valid: [string, object][] = [
            ["VirtualService (header route first, weighted route, timeout, retries)", virtualService()],
            ["DestinationRule (ISTIO_MUTUAL, pool, outlier detection, subsets)", destinationRule],
            ["AuthorizationPolicy (ALLOW from principals)", authorizationPolicy],
            ["PeerAuthentication (STRICT)", peerAuthentication],
            ["Telemetry (provider by name, explicit sampling)", telemetry],
            ["KongPlugin (rate-limiting)", kongPlugin],
            [
                "KongClusterPlugin (global prometheus)",
                {
                    apiVersion: "configuration.konghq.com/v1",
                    kind: "KongClusterPlugin",
                    metadata: { name: "prometheus", labels: { global: "true" }, annotations: { "kubernetes.io/ingress.class": "kong" } },
                    plugin: "prometheus",
                    config: { per_consumer: false },
                },
            ],
            ["KongConsumer (username, credentials)", kongConsumer],
            [
                "Sidecar (egress scoping)",
                { apiVersion: "networking.istio.io/v1", kind: "Sidecar", metadata: meta("default"), spec: { egress: [{ hosts: ["./*", "istio-system/*", "orders/*"] }] } },
            ],
            [
                "ServiceEntry (external HTTPS)",
                {
                    apiVersion: "networking.istio.io/v1",
                    kind: "ServiceEntry",
                    metadata: meta("payments-api"),
                    spec: { hosts: ["api.payments.example.com"], location: "MESH_EXTERNAL", resolution: "DNS", ports: [{ number: 443, name: "https", protocol: "TLS" }] },
                },
            ],
            [
                "RequestAuthentication (jwksUri over https)",
                {
                    apiVersion: "security.istio.io/v1",
                    kind: "RequestAuthentication",
                    metadata: meta("jwt"),
                    spec: {
                        selector: { matchLabels: { app: "user-service" } },
                        jwtRules: [{ issuer: "https://issuer.example.com", jwksUri: "https://issuer.example.com/.well-known/jwks.json" }],
                    },
                },
            ],
            [
                "KongUpstreamPolicy (consistent hashing on a header)",
                {
                    apiVersion: "configuration.konghq.com/v1beta1",
                    kind: "KongUpstreamPolicy",
                    metadata: meta("sticky"),
                    spec: { algorithm: "consistent-hashing", hashOn: { header: "x-user" } },
                },
            ],
        ];
        for (const [what, obj] of valid) {
            it(what, () => assert.deepEqual(validateCustomResource(obj), []));
        }
        it("an older served version (v1beta1 VirtualService) with int-or-string and nullable fields", () => {
            const vs = virtualService();
            vs.apiVersion = "networking.istio.io/v1beta1";
            vs.spec.http[1].corsPolicy = null; // null of a non-nullable field is pruned, as the API server does
            assert.deepEqual(validateCustomResource(vs), []);
        });
    });

    describe("invalid objects fail with the path and the reason", () => {
        it("unknown field", () => {
            const vs = virtualService();
            vs.spec.http[1].timout = "5s";
            const [message, ...rest] = validateCustomResource(vs);
            assert.deepEqual(rest, []);
            assert.match(message, /^spec\.http\[1\]\.timout: unknown field "timout" \(known fields: .*\btimeout\b/);
        });

        it("bad enum: PeerAuthentication mtls.mode STRICTER", () => {
            assert.deepEqual(validateCustomResource({ ...peerAuthentication, spec: { mtls: { mode: "STRICTER" } } }), [
                'spec.mtls.mode: unsupported value "STRICTER": supported values: "UNSET", "DISABLE", "PERMISSIVE", "STRICT"',
            ]);
        });

        it("CEL rule: a VirtualService timeout of 0.5ms", () => {
            const vs = virtualService();
            vs.spec.http[1].timeout = "0.5ms";
            assert.deepEqual(validateCustomResource(vs), ["spec.http[1].timeout: must be a valid duration greater than 1ms"]);
        });

        it("CEL rule: a VirtualService timeout of 10 without a unit", () => {
            const vs = virtualService();
            vs.spec.http[1].timeout = "10";
            const errors = validateCustomResource(vs);
            assert.equal(errors.length, 1);
            assert.match(errors[0], /^spec\.http\[1\]\.timeout: must be a valid duration greater than 1ms \(evaluation error: .*duration/);
        });

        it("CEL rule: an AuthorizationPolicy with both selector and targetRef", () => {
            const ap = { ...authorizationPolicy, spec: { ...authorizationPolicy.spec, targetRef: { group: "", kind: "Service", name: "user-service" } } };
            assert.deepEqual(validateCustomResource(ap), ["spec: only one of targetRefs or selector can be set"]);
        });

        it("CEL rule on the root object: a KongConsumer without username or custom_id", () => {
            assert.deepEqual(validateCustomResource({ apiVersion: "configuration.konghq.com/v1", kind: "KongConsumer", metadata: meta("nobody") }), [
                "(root): Need to provide either username or custom_id",
            ]);
        });

        it("CEL rule: a RequestAuthentication jwksUri over ftp", () => {
            const errors = validateCustomResource({
                apiVersion: "security.istio.io/v1",
                kind: "RequestAuthentication",
                metadata: meta("jwt"),
                spec: { jwtRules: [{ issuer: "x", jwksUri: "ftp://issuer.example.com/jwks" }] },
            });
            assert.deepEqual(errors, ["spec.jwtRules[0].jwksUri: url must have scheme http:// or https://"]);
        });

        it("CEL rules with integers: a ServiceEntry port 0 and a duplicated port number", () => {
            const errors = validateCustomResource({
                apiVersion: "networking.istio.io/v1",
                kind: "ServiceEntry",
                metadata: meta("ext"),
                spec: {
                    hosts: ["a.example.com"],
                    resolution: "DNS",
                    ports: [
                        { number: 443, name: "https" },
                        { number: 443, name: "https-2" },
                        { number: 0, name: "zero" },
                    ],
                },
            });
            assert.deepEqual(errors, ["spec.ports: port number cannot be duplicated", "spec.ports[2].number: port must be between 1-65535"]);
        });

        it("oneOf: a header match with both exact and prefix", () => {
            const vs = virtualService();
            vs.spec.http[0] = { match: [{ headers: { "x-version": { exact: "v2", prefix: "v" } } }], route: [{ destination: { host: "user-service" } }] };
            assert.deepEqual(validateCustomResource(vs), ["spec.http[0].match[0].headers.x-version: at most one of exact, prefix, regex may be set"]);
        });

        it("types, bounds and required fields, all reported at once", () => {
            const errors = validateCustomResource({
                ...destinationRule,
                spec: { trafficPolicy: { connectionPool: { tcp: { maxConnections: "many" } } }, subsets: [{ labels: { version: "v1" } }] },
            });
            assert.ok(errors.includes("spec.host: required value"), errors.join("\n"));
            assert.ok(errors.includes("spec.subsets[0].name: required value"), errors.join("\n"));
            assert.ok(
                errors.some((e) => e.startsWith("spec.trafficPolicy.connectionPool.tcp.maxConnections: must be integer")),
                errors.join("\n"),
            );
        });

        it("metadata: an invalid name", () => {
            assert.match(validateCustomResource({ ...peerAuthentication, metadata: { name: "Default_PA" } }).join("\n"), /^metadata\.name: must match pattern/);
        });

        it("unknown kind, unknown group, unserved version and core kinds are errors, not passes", () => {
            assert.match(
                validateCustomResource({ apiVersion: "networking.istio.io/v1", kind: "VirtualServise", metadata: meta("x") })[0],
                /^kind: no custom resource definition for kind VirtualServise in group networking\.istio\.io/,
            );
            assert.match(validateCustomResource({ apiVersion: "example.com/v1", kind: "Widget", metadata: meta("x") })[0], /^kind: no custom resource definition/);
            assert.match(
                validateCustomResource({ apiVersion: "networking.istio.io/v2", kind: "VirtualService", metadata: meta("x") })[0],
                /^apiVersion: version v2 of VirtualService\.networking\.istio\.io is not served \(served: v1, v1alpha3, v1beta1\)/,
            );
            assert.match(validateCustomResource({ apiVersion: "v1", kind: "Service", metadata: meta("x") })[0], /^apiVersion: v1 is a core API version/);
            assert.deepEqual(validateCustomResource({ kind: "VirtualService" }), ["apiVersion: required value"]);
            assert.deepEqual(validateCustomResource("nope"), ["(root): a Kubernetes object must be a map"]);
        });

        it("skips transition rules (oldSelf) on create: a KongPlugin is not checked against an old plugin name", () => {
            assert.deepEqual(validateCustomResource(kongPlugin), []);
        });

        it("does not modify the object it validates", () => {
            const vs = virtualService();
            const before = JSON.stringify(vs);
            validateCustomResource(vs);
            assert.equal(JSON.stringify(vs), before);
        });
    });

    it("compiles every served version of every CRD (ajv schema and CEL rules)", () => {
        // What data/crds serves, read from the files (37 versions of 20 CRDs when this was written).
        const dir = path.join(packageRoot(), "data", "crds");
        const served = readdirSync(dir).flatMap((f) => {
            const crd = JSON.parse(readFileSync(path.join(dir, f), "utf8")) as { group: string; kind: string; versions: Record<string, { served?: boolean }> };
            return Object.entries(crd.versions)
                .filter(([, v]) => v.served === true)
                .map(([v]) => `${crd.group}/${v} ${crd.kind}`);
        });
        assert.ok(served.length >= 37, `${served.length} served versions`);
        assert.deepEqual(
            knownCustomResources()
                .map((t) => `${t.apiVersion} ${t.kind}`)
                .sort(),
            served.sort(),
        );
        for (const t of knownCustomResources()) {
            const errors = validateCustomResource({ apiVersion: t.apiVersion, kind: t.kind, metadata: { name: "probe", namespace: "default" } });
            // Whatever the object lacks, the answer is a list of messages, never a throw.
            assert.ok(Array.isArray(errors), t.apiVersion);
        }
    });

    it("validates 10,000 objects quickly (compiled validators are cached)", function () {
        const objects = [virtualService(), destinationRule, authorizationPolicy, kongPlugin];
        for (const o of objects) validateCustomResource(o); // compile
        const n = 10_000;
        const start = performance.now();
        for (let i = 0; i < n; i++) assert.equal(validateCustomResource(objects[i % objects.length]).length, 0);
        const perObject = (performance.now() - start) / n;
        if (this.test) this.test.title += ` [${perObject.toFixed(3)} ms/object]`;
        assert.ok(perObject < 2, `${perObject} ms per object`);
    });
});
