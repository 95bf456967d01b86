import { k8s, release, type PlainResource } from "../harness";
import type { RuleCases } from "./types";

const KONG = "configuration.konghq.com/v1";

const plugin = (name: string, ns: string, type: string, config: Record<string, unknown> = {}) => k8s(KONG, "KongPlugin", name, ns, { plugin: type, config });
const clusterPlugin = (name: string, type: string, config: Record<string, unknown>, labels: Record<string, string> = {}) =>
    k8s(KONG, "KongClusterPlugin", name, undefined, { plugin: type, config }, { labels, annotations: { "kubernetes.io/ingress.class": "kong" } });
const keyAuth = plugin("key-auth", "users", "key-auth", { key_names: ["apikey"] });
const rateLimit = plugin("rate-limit", "users", "rate-limiting", { minute: 100, policy: "local" });

function ingress(name: string, plugins: string | undefined, opts: { cls?: string; service?: string; annotations?: Record<string, string> } = {}): PlainResource {
    const annotations = { ...(plugins !== undefined ? { "konghq.com/plugins": plugins } : {}), ...(opts.annotations ?? {}) };
    return k8s(
        "networking.k8s.io/v1",
        "Ingress",
        name,
        "users",
        {
            spec: {
                ingressClassName: opts.cls ?? "kong",
                rules: [
                    { http: { paths: [{ path: "/api/v1/users", pathType: "Prefix", backend: { service: { name: opts.service ?? "user-service", port: { number: 8080 } } } }] } },
                ],
            },
        },
        { annotations },
    );
}

const service = (name: string, annotations: Record<string, string> = {}) =>
    k8s("v1", "Service", name, "users", { spec: { selector: { app: name }, ports: [{ name: "http", port: 8080 }] } }, { annotations });
const meshedNs = k8s("v1", "Namespace", "users", undefined, {}, { labels: { "istio-injection": "enabled" } });
const plainNs = k8s("v1", "Namespace", "users", undefined, {});
const consumer = (credentials: string[]) =>
    k8s(KONG, "KongConsumer", "alice", "users", { username: "alice", credentials }, { annotations: { "kubernetes.io/ingress.class": "kong" } });
const secret = (name: string, labels: Record<string, string>) => k8s("v1", "Secret", name, "users", { stringData: { key: "[secret]" } }, { labels });
const kongRelease = (database: string | undefined) =>
    release("kong", { chart: "kong", version: "3.4.1", namespace: "kong", values: { env: database === undefined ? {} : { database } } });

const canaryVs = k8s("networking.istio.io/v1", "VirtualService", "user-service", "users", {
    spec: {
        hosts: ["user-service.users.svc.cluster.local"],
        http: [
            { name: "canary", match: [{ headers: { "x-version": { exact: "v2" } } }], route: [{ destination: { host: "user-service", subset: "v2" } }] },
            { name: "default", route: [{ destination: { host: "user-service", subset: "v1" } }] },
        ],
    },
});
const canaryRoute = ingress("users", "key-auth");
const corsPlugin = plugin("cors", "users", "cors", { origins: ["https://app.example.com"] });
const kongReleaseWith = (values: Record<string, unknown>, namespace = "kong") => release("kong", { chart: "kong", version: "3.4.1", namespace, values });
const kongNs = (env: string) => k8s("v1", "Namespace", "kong", undefined, {}, { labels: { "meshgate.io/environment": env } });
const nlb = (extra: Record<string, string> = {}) => ({
    "service.beta.kubernetes.io/aws-load-balancer-type": "external",
    "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
    ...extra,
});
const PRESERVE = { "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes": "preserve_client_ip.enabled=true" };
const ACM = { "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": "arn:aws:acm:eu-west-1:123456789012:certificate/0f8c2a4e-5b6d-4e7f-8a9b-1c2d3e4f5a6b" };

export const kongCases: RuleCases[] = [
    {
        rule: "kong-no-kongingress",
        bad: [
            {
                name: "a KongIngress",
                resources: [k8s(KONG, "KongIngress", "timeouts", "users", { upstream: { hash_on: "ip" } })],
                expect: [/KongIngress is deprecated/],
                level: "advisory",
            },
            {
                name: "a KongIngress with a spec (silently dropped)",
                resources: [k8s(KONG, "KongIngress", "routes", "users", { spec: { routes: [] } })],
                expect: [/Its spec field is not part of the CRD/],
                level: "advisory",
            },
        ],
        good: [
            {
                name: "a KongUpstreamPolicy",
                resources: [k8s("configuration.konghq.com/v1beta1", "KongUpstreamPolicy", "sticky", "users", { spec: { hashOn: { header: "x-user" } } })],
            },
        ],
    },
    {
        rule: "kong-route-authentication",
        bad: [
            {
                name: "a Kong Ingress with only a rate limit",
                resources: [rateLimit, ingress("users", "rate-limit")],
                expect: [/Ingress users\/users is exposed by Kong without an authentication plugin/],
            },
            { name: "a Kong Ingress whose plugin name does not resolve", resources: [ingress("users", "key-auth")], expect: [/without an authentication plugin/] },
            {
                name: "an HTTPRoute on a Kong Gateway without plugins",
                resources: [
                    k8s("gateway.networking.k8s.io/v1", "Gateway", "edge", "kong", { spec: { gatewayClassName: "kong", listeners: [] } }),
                    k8s("gateway.networking.k8s.io/v1", "HTTPRoute", "users", "users", {
                        spec: { parentRefs: [{ name: "edge", namespace: "kong" }], rules: [{ backendRefs: [{ name: "user-service", port: 8080 }] }] },
                    }),
                ],
                expect: [/HTTPRoute users\/users is exposed by Kong without an authentication plugin/],
            },
            {
                name: "a gRPC Ingress whose key-auth runs only on http and https (Kong refuses it on the grpc route)",
                resources: [
                    k8s(KONG, "KongPlugin", "key-auth", "users", { plugin: "key-auth", protocols: ["http", "https"], config: { key_names: ["apikey"] } }),
                    ingress("users", "key-auth", { annotations: { "konghq.com/protocols": "grpc,grpcs" } }),
                ],
                expect: [/Ingress users\/users is exposed by Kong without an authentication plugin/],
            },
        ],
        good: [
            { name: "key-auth on the Ingress", resources: [keyAuth, rateLimit, ingress("users", "key-auth, rate-limit")] },
            {
                name: "a gRPC Ingress whose key-auth runs on grpc and grpcs",
                resources: [
                    k8s(KONG, "KongPlugin", "key-auth", "users", { plugin: "key-auth", protocols: ["grpc", "grpcs"], config: { key_names: ["apikey"] } }),
                    ingress("users", "key-auth", { annotations: { "konghq.com/protocols": "grpc,grpcs" } }),
                ],
            },
            { name: "key-auth on the backend Service", resources: [keyAuth, service("user-service", { "konghq.com/plugins": "key-auth" }), ingress("users", undefined)] },
            { name: "a global jwt KongClusterPlugin", resources: [clusterPlugin("jwt", "jwt", {}, { global: "true" }), ingress("users", undefined)] },
            { name: "a route declared public", resources: [ingress("status", undefined, { annotations: { "meshgate.io/auth": "none" } })] },
            { name: "an Ingress of another class", resources: [ingress("users", undefined, { cls: "nginx" })] },
        ],
    },
    {
        rule: "kong-route-rate-limit",
        bad: [
            {
                name: "a Kong Ingress without a rate limit",
                resources: [keyAuth, ingress("users", "key-auth")],
                expect: [/exposed by Kong without a rate limit \(rate-limiting, rate-limiting-advanced\)/],
                level: "advisory",
            },
        ],
        good: [
            { name: "rate-limiting on the Ingress", resources: [keyAuth, rateLimit, ingress("users", "key-auth,rate-limit")] },
            { name: "rate limits not required by configuration", resources: [keyAuth, ingress("users", "key-auth")], config: { required: false } },
        ],
    },
    {
        rule: "kong-plugin-exists",
        bad: [
            {
                name: "a plugin name with no KongPlugin",
                resources: [keyAuth, ingress("users", "key-auth, rate-limit")],
                expect: [/konghq\.com\/plugins names "rate-limit", but no KongPlugin in namespace users or KongClusterPlugin has that name/],
            },
        ],
        good: [
            {
                name: "a KongPlugin in the namespace and a KongClusterPlugin",
                resources: [keyAuth, clusterPlugin("rate-limit-global", "rate-limiting", { minute: 5 }), ingress("users", "key-auth, rate-limit-global")],
            },
            { name: "a KongPlugin of another namespace, by namespace:name", resources: [plugin("shared-auth", "shared", "key-auth"), ingress("users", "shared:shared-auth")] },
        ],
    },
    {
        rule: "kong-plugin-config",
        bad: [
            {
                name: "window_size on OSS rate-limiting",
                resources: [plugin("rl", "users", "rate-limiting", { minute: 100, window_size: [60] })],
                expect: [/rate-limiting: .*window_size/],
            },
            { name: "a rejected value", resources: [plugin("rl", "users", "rate-limiting", { minute: 100, policy: "memcached" })], expect: [/rate-limiting: .*policy/] },
            { name: "an empty plugin name", resources: [k8s(KONG, "KongPlugin", "x", "users", { config: {} })], expect: [/plugin is empty/] },
            // Kong's entity checks (Kong/kong 3.9.3 kong/plugins/rate-limiting/schema.lua), which the JSON schemas do not carry.
            {
                name: "policy redis without redis.host (Kong refuses it)",
                resources: [plugin("rl", "users", "rate-limiting", { minute: 100, policy: "redis" })],
                expect: [/rate-limiting: config\.redis\.host: required when config\.policy is "redis"/],
            },
            {
                name: "limit_by header without header_name",
                resources: [plugin("rl", "users", "rate-limiting", { minute: 100, limit_by: "header" })],
                expect: [/config\.header_name: required when config\.limit_by is "header"/],
            },
            {
                name: "acl with both allow and deny",
                resources: [plugin("acl", "users", "acl", { allow: ["a"], deny: ["b"] })],
                expect: [/exactly one of these fields must be non-empty: config\.allow, config\.deny/],
            },
        ],
        good: [
            { name: "a valid rate-limiting config", resources: [rateLimit] },
            {
                name: "a global opentelemetry KongClusterPlugin",
                resources: [clusterPlugin("otel", "opentelemetry", { traces_endpoint: "http://jaeger.observability.svc.cluster.local:4318/v1/traces" }, { global: "true" })],
            },
            {
                name: "a request-transformer config (schema derived from Kong's Lua schema)",
                resources: [plugin("rt", "users", "request-transformer", { add: { headers: ["x:1"] } })],
            },
            { name: "a plugin meshgate has no schema for", resources: [plugin("bots", "users", "bot-detection", { allow: ["curl"] })] },
            {
                name: "policy redis whose host and password KIC patches in from a Secret (configPatches)",
                resources: [
                    k8s(KONG, "KongPlugin", "rl", "users", {
                        plugin: "rate-limiting",
                        config: { minute: 100, policy: "redis" },
                        configPatches: [
                            { path: "/redis/host", valueFrom: { secretKeyRef: { name: "redis", key: "host" } } },
                            { path: "/redis/password", valueFrom: { secretKeyRef: { name: "redis", key: "password" } } },
                        ],
                    }),
                ],
            },
        ],
    },
    {
        rule: "kong-dbless-compatible",
        bad: [
            {
                name: "oauth2 with no Kong release (DB-less assumed)",
                resources: [plugin("oauth", "users", "oauth2", { enable_client_credentials: true })],
                expect: [/oauth2 needs a database/],
            },
            {
                name: "policy: cluster with a DB-less Kong release",
                resources: [kongRelease("off"), plugin("rl", "users", "rate-limiting", { minute: 5, policy: "cluster" })],
                expect: [/rate-limiting policy "cluster" needs a database/],
            },
            {
                name: "policy: cluster with a Kong release leaving database unset",
                resources: [kongRelease(undefined), plugin("rl", "users", "rate-limiting", { minute: 5, policy: "cluster" })],
                expect: [/needs a database/],
            },
        ],
        good: [
            { name: "policy: local DB-less", resources: [kongRelease("off"), rateLimit] },
            { name: "oauth2 with Kong on Postgres", resources: [kongRelease("postgres"), plugin("oauth", "users", "oauth2", { enable_client_credentials: true })] },
            {
                name: "oauth2 when configured not to assume DB-less",
                resources: [plugin("oauth", "users", "oauth2", { enable_client_credentials: true })],
                config: { assumeDbless: false },
            },
        ],
    },
    {
        rule: "kong-service-upstream-in-mesh",
        bad: [
            (() => {
                const svc = service("user-service");
                return {
                    name: "a meshed Service behind Kong without service-upstream",
                    resources: [meshedNs, svc, keyAuth, ingress("users", "key-auth")],
                    on: svc,
                    expect: [/Service users\/user-service is exposed by Ingress users\/users in a meshed namespace without ingress\.kubernetes\.io\/service-upstream: "true"/],
                };
            })(),
        ],
        good: [
            {
                name: "the Service annotated service-upstream",
                resources: [meshedNs, service("user-service", { "ingress.kubernetes.io/service-upstream": "true" }), ingress("users", undefined)],
            },
            { name: "a Service in a namespace outside the mesh", resources: [plainNs, service("user-service"), ingress("users", undefined)] },
        ],
    },
    {
        rule: "kong-cors-preflight",
        bad: [
            {
                name: "a GET-only route with cors (preflights answered 404)",
                resources: [corsPlugin, ingress("users", "cors", { annotations: { "konghq.com/methods": "GET", "meshgate.io/auth": "none" } })],
                expect: [/Ingress users\/users has the cors plugin but konghq\.com\/methods "GET" leaves out OPTIONS/],
            },
            {
                name: "a cors route whose key-auth authenticates preflights (401)",
                resources: [corsPlugin, keyAuth, ingress("users", "key-auth,cors")],
                expect: [/its key-auth plugin key-auth authenticates preflights \(run_on_preflight defaults to true\)/],
            },
        ],
        good: [
            {
                name: "OPTIONS among the methods and run_on_preflight false",
                resources: [
                    corsPlugin,
                    plugin("key-auth", "users", "key-auth", { run_on_preflight: false }),
                    ingress("users", "key-auth,cors", { annotations: { "konghq.com/methods": "GET,OPTIONS" } }),
                ],
            },
            { name: "a method-restricted route without cors", resources: [keyAuth, ingress("users", "key-auth", { annotations: { "konghq.com/methods": "GET" } })] },
        ],
    },
    {
        rule: "kong-rate-limit-local-replicas",
        bad: [
            {
                name: "policy local while Kong autoscales 3-10 pods",
                resources: [kongReleaseWith({ autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 10 } }), rateLimit],
                expect: [/rate-limiting rate-limit counts per Kong pod \(policy local\) and Kong runs 3-10 pods: 100\/minute is really 300-1000\/minute/],
                level: "advisory",
            },
            {
                name: "policy left at its default (local) with 2 replicas",
                resources: [kongReleaseWith({ replicaCount: 2 }), plugin("rl", "users", "rate-limiting", { second: 5 })],
                expect: [/Kong runs 2 pods: 5\/second is really 10\/second/],
                level: "advisory",
            },
        ],
        good: [
            {
                name: "policy redis with 3-10 pods",
                resources: [
                    kongReleaseWith({ autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 10 } }),
                    plugin("rl", "users", "rate-limiting", { minute: 100, policy: "redis", redis: { host: "redis" } }),
                ],
            },
            { name: "policy local with one Kong pod", resources: [kongReleaseWith({ replicaCount: 1 }), rateLimit] },
        ],
    },
    {
        rule: "kong-nlb-client-ip",
        bad: [
            {
                name: "Kong behind an NLB with IP targets and no client IP preservation",
                resources: [kongReleaseWith({ proxy: { annotations: nlb() } })],
                expect: [/Kong's proxy is behind an NLB with IP targets that neither preserves client IPs .* loadBalancerSourceRanges are ignored/],
                level: "advisory",
            },
            {
                name: "a plain LoadBalancer Service with IP targets",
                resources: [k8s("v1", "Service", "edge", "kong", { spec: { type: "LoadBalancer", ports: [{ port: 80 }] } }, { annotations: nlb() })],
                expect: [/Service kong\/edge is behind an NLB with IP targets/],
                level: "advisory",
            },
        ],
        good: [
            { name: "preserve_client_ip.enabled=true", resources: [kongReleaseWith({ proxy: { annotations: nlb(PRESERVE) } })] },
            { name: "PROXY protocol v2", resources: [kongReleaseWith({ proxy: { annotations: nlb({ "service.beta.kubernetes.io/aws-load-balancer-proxy-protocol": "*" }) } })] },
            {
                name: "instance targets (client IP kept by default)",
                resources: [kongReleaseWith({ proxy: { annotations: { "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "instance" } } })],
            },
        ],
    },
    {
        rule: "kong-edge-https-only",
        bad: [
            {
                name: "a prod Kong serving port 80 and its self-signed certificate on a public NLB",
                resources: [kongNs("prod"), kongReleaseWith({ proxy: { annotations: nlb(PRESERVE), http: { enabled: true }, tls: { enabled: true } } })],
                expect: [/Kong release kong\/kong in environment prod serves plaintext HTTP on port 80 of a public load balancer \(and gives no certificate/],
            },
            {
                name: "a prod Kong with an ACM certificate that leaves port 80 open",
                resources: [kongNs("prod"), kongReleaseWith({ proxy: { annotations: nlb({ ...PRESERVE, ...ACM }) } })],
                expect: [/serves plaintext HTTP on port 80/],
            },
        ],
        good: [
            {
                name: "ACM on 443 and port 80 left off the Service",
                resources: [
                    kongNs("prod"),
                    kongReleaseWith({
                        proxy: { annotations: nlb({ ...PRESERVE, ...ACM }), http: { enabled: true, servicePort: 0 }, tls: { enabled: true, overrideServiceTargetPort: 8000 } },
                    }),
                ],
            },
            {
                name: "Kong's certificate and every route redirecting to https",
                resources: [
                    kongNs("prod"),
                    kongReleaseWith({ env: { ssl_cert: "/etc/secrets/edge/tls.crt" }, proxy: { annotations: nlb(PRESERVE) } }),
                    keyAuth,
                    ingress("users", "key-auth", { annotations: { "konghq.com/protocols": "https", "konghq.com/https-redirect-status-code": "308" } }),
                ],
            },
            { name: "a dev Kong on port 80", resources: [kongNs("dev"), kongReleaseWith({ proxy: { annotations: nlb(PRESERVE) } })] },
            {
                name: "an internal NLB in prod",
                resources: [kongNs("prod"), kongReleaseWith({ proxy: { annotations: nlb({ "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" }) } })],
            },
        ],
    },
    {
        rule: "kong-canary-header-at-edge",
        bad: [
            {
                name: "a Kong route to a service whose VirtualService routes x-version: v2 to the canary",
                resources: [keyAuth, canaryRoute, canaryVs],
                on: canaryRoute,
                expect: [/Ingress users\/users lets internet clients send x-version, which the VirtualService of users\/user-service routes by/],
                level: "advisory",
            },
        ],
        good: [
            {
                name: "the header removed at the edge by request-transformer",
                resources: [keyAuth, plugin("strip", "users", "request-transformer", { remove: { headers: ["x-version"] } }), ingress("users", "key-auth,strip"), canaryVs],
            },
            { name: "a header clients may set on purpose", resources: [keyAuth, ingress("users", "key-auth"), canaryVs], config: { allowedHeaders: ["x-version"] } },
            { name: "a header-routed service Kong does not expose", resources: [canaryVs] },
        ],
    },
    {
        rule: "kong-plugin-no-plaintext-secrets",
        bad: [
            {
                name: "a Redis password written into rate-limiting",
                resources: [plugin("rl", "users", "rate-limiting", { minute: 5, policy: "redis", redis: { host: "redis", password: "hunter2" } })],
                expect: [/config\.redis\.password holds a literal credential/],
            },
            {
                name: "the deprecated redis_password shorthand",
                resources: [plugin("rl", "users", "rate-limiting", { minute: 5, policy: "redis", redis_host: "redis", redis_password: "hunter2" })],
                expect: [/config\.redis_password/],
            },
        ],
        good: [
            {
                name: "the password patched in from a Secret",
                resources: [
                    k8s(KONG, "KongPlugin", "rl", "users", {
                        plugin: "rate-limiting",
                        config: { minute: 5, policy: "redis", redis: { host: "redis" } },
                        configPatches: [{ path: "/redis/password", valueFrom: { secretKeyRef: { name: "redis", key: "password" } } }],
                    }),
                ],
            },
            {
                name: "a Kong vault reference",
                resources: [plugin("rl", "users", "rate-limiting", { minute: 5, policy: "redis", redis: { host: "redis", password: "{vault://env/redis-password}" } })],
            },
        ],
    },
    {
        rule: "kong-consumer-credentials-exist",
        bad: [
            {
                name: "a credential Secret that does not exist",
                resources: [consumer(["alice-key-auth"])],
                expect: [/credential Secret "alice-key-auth" does not exist in namespace users/],
            },
            {
                name: "a credential Secret without the konghq.com/credential label",
                resources: [secret("alice-key-auth", {}), consumer(["alice-key-auth"])],
                expect: [/has no konghq\.com\/credential label/],
            },
        ],
        good: [{ name: "a labelled credential Secret", resources: [secret("alice-key-auth", { "konghq.com/credential": "key-auth" }), consumer(["alice-key-auth"])] }],
    },
];
