/**
 * The scenario, object by object and field by field: user-service
 * exposed at /api/v1/users (GET, POST) with key-auth and 100 requests per
 * minute, v1/v2 at 90/10 with `x-version: v2` pinned to v2, 10 s timeout and
 * 3 retries; order-service internal, callable only by user-service.
 */
import * as assert from "node:assert/strict";
import { allManifests, meshServiceObjects, type MeshServiceObjects } from "../../components/mesh-service";
import { KONG_PRINCIPAL, scenario } from "./fixtures";

const gateway = { principal: KONG_PRINCIPAL, dbless: true };
const labels = (name: string) => ({ "app.kubernetes.io/name": name, "app.kubernetes.io/managed-by": "meshgate" });

describe("scenario: user-service exposed with a canary, order-service internal", () => {
    let user: MeshServiceObjects;
    let order: MeshServiceObjects;
    const USER_FQDN = "user-service.users.svc.cluster.local";
    const ORDER_FQDN = "order-service.orders.svc.cluster.local";

    before(() => {
        const specs = scenario();
        user = meshServiceObjects(specs.user, { gateway });
        order = meshServiceObjects(specs.order, { gateway });
    });

    describe("user-service", () => {
        it("has the cluster FQDN and exposes /api/v1/users", () => {
            assert.equal(user.fqdn, USER_FQDN);
            assert.deepEqual(user.paths, ["/api/v1/users"]);
        });

        it("emits a DestinationRule with ISTIO_MUTUAL and one subset per version", () => {
            assert.deepEqual(user.destinationRule, {
                apiVersion: "networking.istio.io/v1",
                kind: "DestinationRule",
                metadata: { name: "user-service", namespace: "users", labels: labels("user-service") },
                spec: {
                    host: USER_FQDN,
                    trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } },
                    subsets: [
                        { name: "v1", labels: { version: "v1" } },
                        { name: "v2", labels: { version: "v2" } },
                    ],
                },
            });
        });

        it("routes x-version: v2 to v2 first, then splits 90/10, both with a 10s timeout and 3 retries (only where no write can run twice)", () => {
            // The default retryOn "5xx,reset,connect-failure,refused-stream" narrowed: POST /api/v1/users is not idempotent.
            const retries = { attempts: 3, retryOn: "connect-failure,refused-stream" };
            assert.deepEqual(user.virtualService, {
                apiVersion: "networking.istio.io/v1",
                kind: "VirtualService",
                metadata: { name: "user-service", namespace: "users", labels: labels("user-service") },
                spec: {
                    hosts: [USER_FQDN],
                    http: [
                        {
                            name: "canary",
                            match: [{ headers: { "x-version": { exact: "v2" } } }],
                            route: [{ destination: { host: USER_FQDN, subset: "v2" } }],
                            timeout: "10s",
                            retries,
                        },
                        {
                            name: "default",
                            route: [
                                { destination: { host: USER_FQDN, subset: "v1" }, weight: 90 },
                                { destination: { host: USER_FQDN, subset: "v2" }, weight: 10 },
                            ],
                            timeout: "10s",
                            retries,
                        },
                    ],
                },
            });
        });

        it("lets only Kong's proxy call it (it declares no callers)", () => {
            assert.deepEqual(user.authorizationPolicy, {
                apiVersion: "security.istio.io/v1",
                kind: "AuthorizationPolicy",
                metadata: { name: "user-service", namespace: "users", labels: labels("user-service") },
                spec: {
                    selector: { matchLabels: { app: "user-service" } },
                    action: "ALLOW",
                    rules: [{ from: [{ source: { principals: ["cluster.local/ns/kong/sa/kong-kong"] } }] }],
                },
            });
        });

        it("authenticates with key-auth from the header only, hiding the key from the upstream", () => {
            assert.deepEqual(user.plugins[0], {
                apiVersion: "configuration.konghq.com/v1",
                kind: "KongPlugin",
                metadata: { name: "user-service-key-auth", namespace: "users", labels: labels("user-service") },
                plugin: "key-auth",
                config: { key_names: ["apikey"], hide_credentials: true, key_in_query: false },
            });
        });

        it("limits to 100 requests per minute per consumer, counted locally (DB-less)", () => {
            assert.deepEqual(user.plugins[1], {
                apiVersion: "configuration.konghq.com/v1",
                kind: "KongPlugin",
                metadata: { name: "user-service-rate-limiting", namespace: "users", labels: labels("user-service") },
                plugin: "rate-limiting",
                config: { minute: 100, policy: "local", limit_by: "consumer" },
            });
        });

        it("removes the canary header x-version at the edge: internet clients cannot pin themselves to v2", () => {
            assert.deepEqual(user.plugins[2], {
                apiVersion: "configuration.konghq.com/v1",
                kind: "KongPlugin",
                metadata: { name: "user-service-request-transformer", namespace: "users", labels: labels("user-service") },
                plugin: "request-transformer",
                config: { remove: { headers: ["x-version"] } },
            });
            assert.equal(user.plugins.length, 3);
        });

        it("routes GET and POST on /api/v1/users through a kong Ingress with its plugins and the upstream Host not preserved", () => {
            assert.deepEqual(user.ingress, {
                apiVersion: "networking.k8s.io/v1",
                kind: "Ingress",
                metadata: {
                    name: "user-service",
                    namespace: "users",
                    labels: labels("user-service"),
                    annotations: {
                        "konghq.com/plugins": "user-service-key-auth,user-service-rate-limiting,user-service-request-transformer",
                        "konghq.com/methods": "GET,POST",
                        "konghq.com/strip-path": "false",
                        "konghq.com/preserve-host": "false",
                        "pulumi.com/skipAwait": "true",
                    },
                },
                spec: {
                    ingressClassName: "kong",
                    rules: [
                        {
                            http: {
                                paths: [{ path: "/api/v1/users", pathType: "Prefix", backend: { service: { name: "user-service", port: { number: 8080 } } } }],
                            },
                        },
                    ],
                },
            });
        });

        it("has a Service on port http that makes Kong send to the ClusterIP with the FQDN as Host", () => {
            assert.deepEqual(user.service, {
                apiVersion: "v1",
                kind: "Service",
                metadata: {
                    name: "user-service",
                    namespace: "users",
                    labels: { ...labels("user-service"), app: "user-service" },
                    annotations: {
                        "ingress.kubernetes.io/service-upstream": "true",
                        "konghq.com/host-header": USER_FQDN,
                        "pulumi.com/skipAwait": "true",
                    },
                },
                spec: {
                    selector: { app: "user-service" },
                    ports: [{ name: "http", port: 8080, targetPort: 8080, protocol: "TCP" }],
                },
            });
            assert.equal(user.servicePatch, undefined);
        });

        it("emits exactly these eight objects", () => {
            assert.deepEqual(
                allManifests(user).map((m) => `${m.kind}/${m.metadata.name}`),
                [
                    "DestinationRule/user-service",
                    "VirtualService/user-service",
                    "AuthorizationPolicy/user-service",
                    "Service/user-service",
                    "KongPlugin/user-service-key-auth",
                    "KongPlugin/user-service-rate-limiting",
                    "KongPlugin/user-service-request-transformer",
                    "Ingress/user-service",
                ],
            );
        });
    });

    describe("order-service", () => {
        it("emits a DestinationRule without subsets: it declares no versions, so its pods need no version label", () => {
            assert.deepEqual(order.destinationRule, {
                apiVersion: "networking.istio.io/v1",
                kind: "DestinationRule",
                metadata: { name: "order-service", namespace: "orders", labels: labels("order-service") },
                spec: {
                    host: ORDER_FQDN,
                    trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } },
                },
            });
        });

        it("has a plain route to its host, without subset, weight, timeout or retries (no `version: v1` label needed, no 503)", () => {
            assert.deepEqual(order.virtualService?.spec, {
                hosts: [ORDER_FQDN],
                http: [{ name: "default", route: [{ destination: { host: ORDER_FQDN } }] }],
            });
        });

        it("is callable by user-service only: Kong is not added to an internal service", () => {
            assert.deepEqual(order.authorizationPolicy?.spec, {
                selector: { matchLabels: { app: "order-service" } },
                action: "ALLOW",
                rules: [{ from: [{ source: { principals: ["cluster.local/ns/users/sa/user-service"] } }] }],
            });
        });

        it("has no Kong objects and no Kong annotations on its Service (which does not wait for the workload's pods)", () => {
            assert.equal(order.ingress, undefined);
            assert.deepEqual(order.plugins, []);
            assert.deepEqual(order.paths, []);
            assert.deepEqual(order.service?.metadata, {
                name: "order-service",
                namespace: "orders",
                labels: { ...labels("order-service"), app: "order-service" },
                annotations: { "pulumi.com/skipAwait": "true" },
            });
            assert.deepEqual(order.service?.spec, {
                selector: { app: "order-service" },
                ports: [{ name: "http", port: 8080, targetPort: 8080, protocol: "TCP" }],
            });
        });

        it("emits exactly four objects", () => {
            assert.deepEqual(
                allManifests(order).map((m) => `${m.kind}/${m.metadata.name}`),
                ["DestinationRule/order-service", "VirtualService/order-service", "AuthorizationPolicy/order-service", "Service/order-service"],
            );
        });
    });
});
