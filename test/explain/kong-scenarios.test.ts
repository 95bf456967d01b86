/**
 * Kong 3.9 and KIC 3.5 behaviour with the outcomes their docs and source
 * state (key-auth 401, cors preflight, router priority, rate-limiting
 * policies, request-transformer), plus the Kong → Istio seams: the Host Kong
 * sends, the NLB's TLS and PROXY protocol, and tracing.
 */
import { strict as assert } from "node:assert";
import type { K8sObject } from "../../tools/explain/types";
import { kongPaths } from "../../tools/explain/edge";
import {
    assertReached,
    assertRefused,
    authorizationPolicy,
    consumer,
    destinationRule,
    exposedService,
    ingress,
    istiodRelease,
    kongClusterPlugin,
    kongPlugin,
    kongRelease,
    namespace,
    peerAuthentication,
    run,
    service,
    virtualService,
} from "./helpers";

const NLB = {
    "service.beta.kubernetes.io/aws-load-balancer-type": "external",
    "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
};

function stack(
    over: {
        kongValues?: Record<string, unknown>;
        ingressAnnotations?: Record<string, string>;
        svc?: K8sObject;
        extra?: K8sObject[];
        paths?: { path: string; pathType?: string }[];
    } = {},
): K8sObject[] {
    return [
        namespace("kong"),
        namespace("users"),
        namespace("istio-system", false),
        istiodRelease({
            trustDomain: "cluster.local",
            defaultProviders: { tracing: ["otel"] },
            extensionProviders: [{ name: "otel", opentelemetry: { service: "jaeger.observability.svc.cluster.local", port: 4317 } }],
        }),
        { apiVersion: "helm.sh/v3", kind: "Release", chart: "jaeger", name: "jaeger", namespace: "observability", values: {} },
        kongRelease({
            proxy: { annotations: NLB },
            deployment: { serviceAccount: { name: "kong-kong" } },
            env: { database: "off", tracing_instrumentations: "all", tracing_sampling_rate: 1 },
            ...over.kongValues,
        }),
        peerAuthentication("istio-system", "STRICT"),
        over.svc ?? exposedService("user-service", "users"),
        destinationRule("user-service", "users", ["v1", "v2"], { tls: { mode: "ISTIO_MUTUAL" } }, "user-service.users.svc.cluster.local"),
        virtualService(
            "user-service",
            "users",
            [
                {
                    name: "canary",
                    match: [{ headers: { "x-version": { exact: "v2" } } }],
                    route: [{ destination: { host: "user-service.users.svc.cluster.local", subset: "v2" } }],
                },
                {
                    name: "default",
                    route: [
                        { destination: { host: "user-service.users.svc.cluster.local", subset: "v1" }, weight: 90 },
                        { destination: { host: "user-service.users.svc.cluster.local", subset: "v2" }, weight: 10 },
                    ],
                },
            ],
            ["user-service.users.svc.cluster.local"],
        ),
        authorizationPolicy("default-deny", "users", {}),
        authorizationPolicy("user-service", "users", {
            action: "ALLOW",
            selector: { matchLabels: { app: "user-service" } },
            rules: [{ from: [{ source: { principals: ["cluster.local/ns/kong/sa/kong-kong"] } }] }],
        }),
        kongPlugin("user-service-key-auth", "users", "key-auth", { key_names: ["apikey"], hide_credentials: true }),
        kongClusterPlugin("otel", "opentelemetry", { traces_endpoint: "http://jaeger.observability.svc.cluster.local:4318/v1/traces", propagation: { default_format: "w3c" } }),
        ...consumer("mobile-app", "kong", ["key-auth", "acl"]),
        ...consumer("batch", "kong", ["jwt"]),
        ingress("user-service", "users", over.paths ?? [{ path: "/api/v1/users" }], {
            "konghq.com/plugins": "user-service-key-auth",
            "konghq.com/strip-path": "false",
            "konghq.com/preserve-host": "false",
            "konghq.com/methods": "GET,POST",
            ...over.ingressAnnotations,
        }),
        ...(over.extra ?? []),
    ];
}

const URL = "http://edge.invalid/api/v1/users";

describe("explain: Kong key-auth (Kong 3.9 kong/plugins/key-auth/handler.lua)", () => {
    it("answers 401 at Kong when no key is sent", () => {
        assertRefused(run(stack(), `GET ${URL}`), "kong-plugin", 401, /no credential sent \(key_names: apikey\)/);
    });

    it("answers 401 for a consumer that holds no key-auth credential", () => {
        assertRefused(
            run(stack(), `GET ${URL}`, { consumer: "batch" }),
            "kong-plugin",
            401,
            /batch holds no key-auth credential \(labels konghq.com\/credential of its Secrets: jwt\)/,
        );
    });

    it("passes a consumer holding a key-auth credential on through Kong's sidecar to the 90/10 split", () => {
        const e = run(stack(), `GET ${URL}`, { consumer: "mobile-app" });
        assertReached(e, { v1: 90, v2: 10 });
        assert.deepEqual(
            e.hops.map((h) => h.hop),
            // one destination-sidecar hop per subset of the split: each needs its own pod labels
            ["nlb", "kong-route", "kong-plugin", "kong-plugin", "kong-plugin", "kong-upstream", "source-sidecar", "destination-sidecar", "destination-sidecar", "tracing"],
        );
    });

    it("with anonymous set, a request without a key continues as the anonymous consumer", () => {
        const objects = stack().map((o) =>
            o.kind === "KongPlugin" && o.metadata?.name === "user-service-key-auth" ? kongPlugin("user-service-key-auth", "users", "key-auth", { anonymous: "guest" }) : o,
        );
        assert.equal(run(objects, `GET ${URL}`).outcome.reached, true);
    });
});

describe("explain: canary header through Kong to the VirtualService", () => {
    it("x-version: v2 reaches v2 pods only, with their labels", () => {
        const e = run(stack(), `GET ${URL}`, { consumer: "mobile-app", headers: { "x-version": "v2" } });
        assertReached(e, { v2: 100 });
        assert.deepEqual(e.outcome.destinations[0].podLabels, { app: "user-service", version: "v2" });
    });

    it("a request-transformer that strips the header at the edge sends it to the weighted split (plugin priority 801 runs before proxying)", () => {
        const strip = kongPlugin("strip-canary", "users", "request-transformer", { remove: { headers: ["x-version"] } });
        const e = run(stack({ extra: [strip], ingressAnnotations: { "konghq.com/plugins": "user-service-key-auth,strip-canary" } }), `GET ${URL}`, {
            consumer: "mobile-app",
            headers: { "x-version": "v2" },
        });
        assertReached(e, { v1: 90, v2: 10 });
        assert.match(e.hops.find((h) => h.title === "Kong plugin request-transformer")!.decision, /removes x-version/);
    });
});

describe("explain: KIC 3.5 Ingress translation and Kong 3.9's traditional router", () => {
    it("translates path types as KIC does (Prefix → /a/ and ~/a$, Exact → ~/a$)", () => {
        assert.deepEqual(kongPaths("/api/v1/users", "Prefix"), ["/api/v1/users/", "~/api/v1/users$"]);
        assert.deepEqual(kongPaths("/", "Prefix"), ["/"]);
        assert.deepEqual(kongPaths("/exact", "Exact"), ["~/exact$"]);
        assert.deepEqual(kongPaths("/~/v[0-9]+/x", "ImplementationSpecific"), ["~/v[0-9]+/x"]);
    });

    it("a Prefix path matches whole path elements only: /api/v1/usersX gets 404", () => {
        assertRefused(run(stack(), "GET http://edge.invalid/api/v1/usersX", { consumer: "mobile-app" }), "kong-route", 404, /no Route matched/);
        assert.equal(run(stack(), "GET http://edge.invalid/api/v1/users/42", { consumer: "mobile-app" }).outcome.reached, true);
    });

    it("a method outside konghq.com/methods gets 404 and names the route that would match", () => {
        assertRefused(run(stack(), `DELETE ${URL}`, { consumer: "mobile-app" }), "kong-route", 404, /method DELETE is not among GET, POST/);
    });

    it("the longest prefix wins among routes of the same rank (sort_routes: max_uri_length)", () => {
        const same = { "konghq.com/methods": "GET,POST" };
        const extra = [
            exposedService("admin", "users"),
            ingress("admin", "users", [{ path: "/api/v1/users/admin" }], same),
            ingress("wide", "users", [{ path: "/api", service: "admin" }], same),
        ];
        assert.equal(run(stack({ extra }), "GET http://edge.invalid/api/v1/users/admin/x").route, "users/admin#/api/v1/users/admin");
        assert.equal(run(stack({ extra }), "GET http://edge.invalid/api/v2").route, "users/wide#/api");
    });

    it("more match criteria outrank a longer path: a route with methods beats a longer one without", () => {
        const extra = [exposedService("admin", "users"), ingress("admin", "users", [{ path: "/api/v1/users/admin" }])];
        const e = run(stack({ extra }), "GET http://edge.invalid/api/v1/users/admin/x", { consumer: "mobile-app" });
        assert.equal(e.route, "users/user-service#/api/v1/users");
        assert.match(e.hops.find((h) => h.hop === "kong-route")!.decision, /1 other route also match/);
    });

    it("a route with a host ranks above one without (match count first)", () => {
        const extra = [
            exposedService("admin", "users"),
            ingress("hosted", "users", [{ path: "/api", pathType: "ImplementationSpecific", service: "admin" }], {}, "api.example.com"),
        ];
        assert.equal(run(stack({ extra }), "GET http://api.example.com/api/v1/users").route, "users/hosted#/api");
        assert.equal(run(stack({ extra }), `GET ${URL}`, { consumer: "mobile-app" }).route, "users/user-service#/api/v1/users");
    });

    it("strip-path removes the matched prefix before proxying", () => {
        const e = run(stack({ ingressAnnotations: { "konghq.com/strip-path": "true" } }), "GET http://edge.invalid/api/v1/users/42", { consumer: "mobile-app" });
        assert.match(e.hops.find((h) => h.hop === "kong-upstream")!.decision, /svc:8080\/42 with Host/);
    });
});

describe("explain: Kong cors (Kong 3.9 kong/plugins/cors/handler.lua) and preflights", () => {
    const cors = kongPlugin("user-service-cors", "users", "cors", { origins: ["https://shop.example.com"], methods: ["GET"] });
    const preflight = { headers: { Origin: "https://shop.example.com", "Access-Control-Request-Method": "GET" } };

    it("answers the preflight at Kong with 200 before key-auth runs (cors 2000 > key-auth 1250) when the route accepts OPTIONS", () => {
        const e = run(
            stack({ extra: [cors], ingressAnnotations: { "konghq.com/plugins": "user-service-key-auth,user-service-cors", "konghq.com/methods": "GET,OPTIONS" } }),
            `OPTIONS ${URL}`,
            preflight,
        );
        assert.equal(e.outcome.reached, false);
        assert.equal(e.outcome.answered, true);
        assert.equal(e.outcome.status, 200);
        assert.equal(e.outcome.hop, "kong-plugin");
        assert.ok(!e.hops.some((h) => h.title === "Kong plugin key-auth"), "key-auth never runs");
    });

    it("refuses the preflight with 404 when the route's methods leave out OPTIONS: cors never runs", () => {
        assertRefused(
            run(
                stack({ extra: [cors], ingressAnnotations: { "konghq.com/plugins": "user-service-key-auth,user-service-cors", "konghq.com/methods": "GET" } }),
                `OPTIONS ${URL}`,
                preflight,
            ),
            "kong-route",
            404,
            /method OPTIONS is not among GET/,
        );
    });

    it("answers without Access-Control-Allow-Origin for an origin it does not list: the browser refuses", () => {
        const e = run(stack({ extra: [cors], ingressAnnotations: { "konghq.com/plugins": "user-service-cors", "konghq.com/methods": "GET,OPTIONS" } }), `OPTIONS ${URL}`, {
            headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "GET" },
        });
        assert.equal(e.outcome.answered, false);
        assert.equal(e.outcome.status, 200);
        assert.match(e.outcome.reason, /browser refuses/);
    });

    it("an OPTIONS request without cors is authenticated unless run_on_preflight is false", () => {
        const annotations = { "konghq.com/methods": "GET,OPTIONS" };
        assertRefused(run(stack({ ingressAnnotations: annotations }), `OPTIONS ${URL}`, preflight), "kong-plugin", 401);
        const noPreflight = stack({ ingressAnnotations: annotations }).map((o) => (o.kind === "KongPlugin" ? { ...o, config: { run_on_preflight: false } } : o));
        assert.equal(run(noPreflight, `OPTIONS ${URL}`, preflight).outcome.reached, true);
    });
});

describe("explain: rate limiting across Kong replicas (Kong 3.9 rate-limiting policies)", () => {
    const rl = (policy: string) => kongPlugin("rl", "users", "rate-limiting", { minute: 100, policy, limit_by: "consumer" });

    it("policy local multiplies the limit by the HPA's replicas", () => {
        const e = run(
            stack({
                extra: [rl("local")],
                kongValues: { autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 5 } },
                ingressAnnotations: { "konghq.com/plugins": "user-service-key-auth,rl" },
            }),
            `GET ${URL}`,
            { consumer: "mobile-app" },
        );
        assert.match(e.hops.find((h) => h.title === "Kong plugin rate-limiting")!.decision, /2–5 replicas a client may get up to 200\/minute to 500\/minute/);
    });

    it("policy redis holds the limit across replicas; an unidentified consumer falls back to the client IP, which Kong does not see behind the NLB", () => {
        const objects = stack({ extra: [rl("redis")], kongValues: { replicaCount: 3 }, ingressAnnotations: { "konghq.com/plugins": "rl" } });
        const d = run(objects, `GET ${URL}`).hops.find((h) => h.title === "Kong plugin rate-limiting")!.decision;
        assert.match(d, /one counter shared by all Kong nodes/);
        assert.match(d, /no consumer identified: counted per client IP, but Kong sees the NLB's address/);
    });
});

describe("explain: what Kong sends into the mesh", () => {
    it("without konghq.com/host-header or service-upstream, Kong's Host matches no virtual host: plain text through PassthroughCluster, STRICT resets, 502", () => {
        const e = run(stack({ svc: service("user-service", "users", 8080) }), `GET ${URL}`, { consumer: "mobile-app" });
        assertRefused(e, "destination-sidecar", 502, /STRICT accepts only Istio mTLS/);
        assert.match(e.hops.find((h) => h.hop === "source-sidecar")!.decision, /PassthroughCluster/);
    });

    it("service-upstream alone sends Host <svc>.<ns>.svc:<port>, a domain of the virtual host", () => {
        const svc = service("user-service", "users", 8080, { "ingress.kubernetes.io/service-upstream": "true" });
        assertReached(run(stack({ svc }), `GET ${URL}`, { consumer: "mobile-app" }), { v1: 90, v2: 10 });
    });

    it("a Kong outside the mesh sends plain text and STRICT refuses it", () => {
        const objects = stack().map((o) => (o.kind === "Namespace" && o.metadata?.name === "kong" ? namespace("kong", false) : o));
        assertRefused(run(objects, `GET ${URL}`, { consumer: "mobile-app" }), "destination-sidecar", 502, /mode STRICT/);
    });

    it("Kong's principal defaults to the chart's fullname service account (kong/kong 3.4.1 kong.serviceAccountName: <release>-kong)", () => {
        const objects = stack().map((o) => (o.kind === "Release" && o.chart === "kong" ? kongRelease({ proxy: { annotations: NLB } }) : o));
        const e = run(objects, `GET ${URL}`, { consumer: "mobile-app" });
        assert.equal(e.outcome.reached, true, e.outcome.reason);
        assert.match(e.hops.find((h) => h.hop === "destination-sidecar")!.decision, /principal cluster\.local\/ns\/kong\/sa\/kong-kong/);
    });

    it("a caller outside the AuthorizationPolicy is refused 403 at the destination sidecar", () => {
        const objects = stack().map((o) =>
            o.kind === "Release" && o.chart === "kong" ? kongRelease({ proxy: { annotations: NLB }, deployment: { serviceAccount: { name: "other" } } }) : o,
        );
        assertRefused(run(objects, `GET ${URL}`, { consumer: "mobile-app" }), "destination-sidecar", 403, /cluster\.local\/ns\/kong\/sa\/other matches no ALLOW policy/);
    });
});

describe("explain: the NLB in front of Kong (AWS Load Balancer Controller v3.5 annotations, kong/kong 3.4.1 values)", () => {
    const tls = {
        ...NLB,
        "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": "arn:aws:acm:eu-west-1:111122223333:certificate/x",
        "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "443",
    };

    it("TLS terminated at the NLB and forwarded to Kong's TLS port gets 400", () => {
        assertRefused(
            run(stack({ kongValues: { proxy: { annotations: tls } } }), `GET https://edge.invalid/api/v1/users`, { consumer: "mobile-app" }),
            "nlb",
            400,
            /plain HTTP request was sent to HTTPS port/,
        );
    });

    it("with overrideServiceTargetPort 8000 Kong receives plain HTTP; a route limited to https then answers 426", () => {
        const values = { proxy: { annotations: tls, tls: { enabled: true, overrideServiceTargetPort: 8000 } } };
        assert.equal(run(stack({ kongValues: values }), `GET https://edge.invalid/api/v1/users`, { consumer: "mobile-app" }).outcome.reached, true);
        assertRefused(
            run(stack({ kongValues: values, ingressAnnotations: { "konghq.com/protocols": "https" } }), `GET https://edge.invalid/api/v1/users`, { consumer: "mobile-app" }),
            "kong-route",
            426,
        );
    });

    it("PROXY protocol at the NLB needs proxy_protocol on Kong's listener; with real_ip_header Kong sees the client", () => {
        const pp = { ...NLB, "service.beta.kubernetes.io/aws-load-balancer-proxy-protocol": "*" };
        assertRefused(run(stack({ kongValues: { proxy: { annotations: pp } } }), `GET ${URL}`, { consumer: "mobile-app" }), "nlb", 400, /no proxy_protocol parameter/);
        const ok = run(
            stack({
                kongValues: {
                    proxy: { annotations: pp, http: { enabled: true, parameters: ["proxy_protocol"] } },
                    env: { real_ip_header: "proxy_protocol", trusted_ips: "0.0.0.0/0,::/0" },
                },
            }),
            `GET ${URL}`,
            { consumer: "mobile-app" },
        );
        assert.equal(ok.outcome.reached, true);
        assert.match(ok.hops[0].decision, /Kong reads the client address from PROXY protocol/);
    });
});

describe("explain: tracing", () => {
    it("Kong's plugin, Kong's sidecar and the destination sidecar each send a span to the collector", () => {
        const e = run(stack(), `GET ${URL}`, { consumer: "mobile-app" });
        assert.deepEqual(
            e.spans.map((s) => [s.by, s.sentTo, s.missingBecause]),
            [
                ["kong", "http://jaeger.observability.svc.cluster.local:4318/v1/traces", null],
                ["sidecar:kong/kong", "jaeger.observability.svc.cluster.local:4317", null],
                ["sidecar:users/user-service", "jaeger.observability.svc.cluster.local:4317", null],
            ],
        );
    });

    it("with Kong's tracing_instrumentations off no span is recorded anywhere (Kong propagates an unsampled context)", () => {
        const e = run(stack({ kongValues: { env: { tracing_instrumentations: "off" } } }), `GET ${URL}`, { consumer: "mobile-app" });
        assert.equal(e.spans.length, 3);
        assert.match(e.spans[0].missingBecause ?? "", /tracing_instrumentations is off/);
        assert.match(e.spans[2].missingBecause ?? "", /unsampled/);
    });

    it("a provider missing from meshConfig.extensionProviders leaves the sidecars without spans", () => {
        const objects = stack().map((o) => (o.kind === "Release" && o.chart === "istiod" ? istiodRelease({ defaultProviders: { tracing: ["zipkin"] } }) : o));
        const e = run(objects, `GET ${URL}`, { consumer: "mobile-app" });
        assert.match(e.spans[2].missingBecause ?? "", /provider zipkin .* is not defined in meshConfig.extensionProviders/);
    });
});

describe("explain: HTTPRoutes as KIC 3.5 translates them (subtranslator/httproute.go)", () => {
    const gatewayClass = {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "GatewayClass",
        metadata: { name: "kong", annotations: { "konghq.com/gatewayclass-unmanaged": "true" } },
        spec: { controllerName: "konghq.com/kic-gateway-controller" },
    };
    const gateway = {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "Gateway",
        metadata: { name: "kong", namespace: "kong" },
        spec: { gatewayClassName: "kong", listeners: [{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "All" } } }] },
    };
    const httpRoute = (path: unknown, filters: unknown[] = [], annotations: Record<string, string> = { "konghq.com/preserve-host": "false" }) => ({
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: "users-route", namespace: "users", annotations },
        spec: { parentRefs: [{ name: "kong", namespace: "kong" }], rules: [{ matches: [{ path, method: "GET" }], filters, backendRefs: [{ name: "user-service", port: 8080 }] }] },
    });

    it("routes a PathPrefix match through the HTTPRoute's ExtensionRef KongPlugin to the mesh", () => {
        const filter = { type: "ExtensionRef", extensionRef: { group: "configuration.konghq.com", kind: "KongPlugin", name: "user-service-key-auth" } };
        const objects = stack({ paths: [{ path: "/other" }], extra: [gatewayClass, gateway, httpRoute({ type: "PathPrefix", value: "/v2/users" }, [filter])] });
        assertRefused(run(objects, "GET http://edge.invalid/v2/users/1"), "kong-plugin", 401);
        const e = run(objects, "GET http://edge.invalid/v2/users/1", { consumer: "mobile-app" });
        assertReached(e, { v1: 90, v2: 10 });
        assert.equal(e.route, "users/users-route#/v2/users");
        assert.equal(e.hops.find((h) => h.hop === "kong-route")?.field, "spec.rules[0].matches[0]");
    });

    it("keeps the client's Host by default (preserve_host true), which matches no virtual host: STRICT resets it, 502", () => {
        const objects = stack({ paths: [{ path: "/other" }], extra: [gatewayClass, gateway, httpRoute({ type: "PathPrefix", value: "/v2/users" }, [], {})] });
        const e = run(objects, "GET http://edge.invalid/v2/users");
        assertRefused(e, "destination-sidecar", 502, /STRICT/);
        assert.match(e.hops.find((h) => h.hop === "kong-upstream")!.decision, /Host edge\.invalid \(the client's Host \(preserve-host true\)\)/);
    });

    it("ignores HTTPRoutes of another controller's Gateway", () => {
        const other = { ...gatewayClass, spec: { controllerName: "istio.io/gateway-controller" } };
        assertRefused(run(stack({ extra: [other, gateway, httpRoute({ type: "PathPrefix", value: "/v2/users" })] }), "GET http://edge.invalid/v2/users"), "kong-route", 404);
    });

    it("ignores HTTPRoutes of a Kong class KIC does not reconcile (no konghq.com/gatewayclass-unmanaged), and of a listener that admits only its own namespace", () => {
        const managed = { ...gatewayClass, metadata: { name: "kong" } };
        assertRefused(run(stack({ extra: [managed, gateway, httpRoute({ type: "PathPrefix", value: "/v2/users" })] }), "GET http://edge.invalid/v2/users"), "kong-route", 404);
        const same = { ...gateway, spec: { gatewayClassName: "kong", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] } };
        assertRefused(run(stack({ extra: [gatewayClass, same, httpRoute({ type: "PathPrefix", value: "/v2/users" })] }), "GET http://edge.invalid/v2/users"), "kong-route", 404);
    });
});
