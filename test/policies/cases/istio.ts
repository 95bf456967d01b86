import { k8s, release } from "../harness";
import type { RuleCases } from "./types";

const NET = "networking.istio.io/v1";
const SEC = "security.istio.io/v1";
const TEL = "telemetry.istio.io/v1";

const pa = (ns: string, mtls: Record<string, unknown>, extra: Record<string, unknown> = {}) => k8s(SEC, "PeerAuthentication", "default", ns, { spec: { mtls, ...extra } });
const dr = (name: string, ns: string, spec: Record<string, unknown>) => k8s(NET, "DestinationRule", name, ns, { spec });
const vs = (name: string, ns: string, spec: Record<string, unknown>) => k8s(NET, "VirtualService", name, ns, { spec });
const ap = (name: string, ns: string, spec: Record<string, unknown>) => k8s(SEC, "AuthorizationPolicy", name, ns, { spec });
const ns = (name: string, labels?: Record<string, string>) => k8s("v1", "Namespace", name, undefined, {}, labels ? { labels } : {});
const dest = (host: string, subset?: string, weight?: number) => ({ destination: { host, ...(subset ? { subset } : {}) }, ...(weight !== undefined ? { weight } : {}) });
const telemetry = (providers: unknown[]) => k8s(TEL, "Telemetry", "mesh-default", "istio-system", { spec: { tracing: [{ providers, randomSamplingPercentage: 10 }] } });
const istiod = (providers: unknown[]) =>
    release("istiod", { chart: "istiod", version: "1.30.3", namespace: "istio-system", values: { meshConfig: { extensionProviders: providers } } });
const selector = { matchLabels: { app: "user-service" } };
const fromOrders = [{ source: { principals: ["cluster.local/ns/orders/sa/order-service"] } }];

export const istioCases: RuleCases[] = [
    {
        rule: "istio-peer-authentication-strict",
        bad: [
            { name: "PERMISSIVE mTLS", resources: [pa("users", { mode: "PERMISSIVE" })], expect: [/mtls\.mode is PERMISSIVE, so workloads accept plaintext/] },
            {
                name: "a port with mTLS DISABLE",
                resources: [pa("users", { mode: "STRICT" }, { portLevelMtls: { "8080": { mode: "DISABLE" } } })],
                expect: [/portLevelMtls\[8080\]\.mode is DISABLE/],
            },
        ],
        good: [
            { name: "STRICT mTLS", resources: [pa("users", { mode: "STRICT" })] },
            { name: "PERMISSIVE in a namespace allowed by configuration", resources: [pa("legacy", { mode: "PERMISSIVE" })], config: { allowPermissiveNamespaces: ["legacy"] } },
        ],
    },
    {
        rule: "istio-destination-rule-tls",
        bad: [
            {
                name: "tls DISABLE for a cluster service",
                resources: [dr("users", "users", { host: "user-service.users.svc.cluster.local", trafficPolicy: { tls: { mode: "DISABLE" } } })],
                expect: [/trafficPolicy\.tls\.mode DISABLE for in-mesh host user-service\.users\.svc\.cluster\.local turns Istio mutual TLS off/],
            },
            {
                name: "tls SIMPLE on a subset of a short host",
                resources: [dr("users", "users", { host: "user-service", subsets: [{ name: "v1", labels: { version: "v1" }, trafficPolicy: { tls: { mode: "SIMPLE" } } }] })],
                expect: [/subsets\[0\]\.trafficPolicy\.tls\.mode SIMPLE/],
            },
        ],
        good: [
            { name: "ISTIO_MUTUAL", resources: [dr("users", "users", { host: "user-service", trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } })] },
            { name: "SIMPLE TLS to an external host", resources: [dr("payments-api", "orders", { host: "api.payments.example.com", trafficPolicy: { tls: { mode: "SIMPLE" } } })] },
            {
                name: "TLS to istiod, which has no sidecar (Istio's multicluster expose-istiod sample)",
                resources: [
                    dr("istiod-dr", "istio-system", {
                        host: "istiod.istio-system.svc.cluster.local",
                        trafficPolicy: { portLevelSettings: [{ port: { number: 15012 }, tls: { mode: "SIMPLE" } }] },
                    }),
                ],
            },
            {
                name: "TLS origination that verifies the server with caCertificates",
                resources: [
                    dr("ledger", "payments", {
                        host: "ledger.payments.svc.cluster.local",
                        trafficPolicy: { tls: { mode: "SIMPLE", caCertificates: "/etc/certs/ledger-ca.pem", sni: "ledger.payments.svc.cluster.local" } },
                    }),
                ],
            },
        ],
    },
    {
        rule: "istio-authorization-allow-scoped",
        bad: [
            {
                name: "an ALLOW policy without a selector",
                resources: [ap("allow-orders", "users", { rules: [{ from: fromOrders }] })],
                expect: [/no selector, targetRef or targetRefs, so it applies to every workload in namespace users/],
            },
            {
                name: "a rule without from",
                resources: [ap("allow-get", "users", { selector, rules: [{ to: [{ operation: { methods: ["GET"] } }] }] })],
                expect: [/rules\[0\] has no from\.source, so it allows any caller/],
            },
            { name: "an empty rule", resources: [ap("allow-all", "users", { selector, action: "ALLOW", rules: [{}] })], expect: [/rules\[0\] is empty and allows every request/] },
            {
                name: 'principals: ["*"] (any authenticated caller)',
                resources: [ap("allow-any", "users", { selector, rules: [{ from: [{ source: { principals: ["*"] } }] }] })],
                expect: [/rules\[0\]\.from\[0\]\.source\.principals is "\*", which matches any caller/],
            },
        ],
        good: [
            { name: "a selected workload with named callers", resources: [ap("user-service", "users", { selector, action: "ALLOW", rules: [{ from: fromOrders }] })] },
            {
                name: "a targetRefs policy",
                resources: [ap("gw", "users", { targetRefs: [{ kind: "Gateway", group: "gateway.networking.k8s.io", name: "edge" }], rules: [{ from: fromOrders }] })],
            },
            { name: "allow-nothing (spec {})", resources: [ap("allow-nothing", "users", {})] },
            { name: "a DENY policy", resources: [ap("deny-all", "users", { action: "DENY", rules: [{}] })] },
        ],
    },
    {
        rule: "istio-virtual-service-weights",
        bad: [
            {
                name: "weights summing to 110",
                resources: [vs("users", "users", { hosts: ["user-service"], http: [{ route: [dest("user-service", "v1", 90), dest("user-service", "v2", 20)] }] })],
                expect: [/http\[0\] weights 90 \+ 20 sum to 110, not 100/],
            },
            {
                name: "a lone destination with weight 50",
                resources: [vs("users", "users", { hosts: ["user-service"], http: [{ name: "primary", route: [dest("user-service", "v1", 50)] }] })],
                expect: [/http\[0\] \(primary\) has one destination with weight 50; it still receives all traffic/],
            },
            {
                name: "a weight left unset among weighted destinations",
                resources: [vs("users", "users", { hosts: ["user-service"], tcp: [{ route: [dest("user-service", "v1", 90), dest("user-service", "v2")] }] })],
                expect: [/tcp\[0\] weights 90 \+ unset sum to 90/],
            },
        ],
        good: [
            {
                name: "a 90/10 split",
                resources: [vs("users", "users", { hosts: ["user-service"], http: [{ route: [dest("user-service", "v1", 90), dest("user-service", "v2", 10)] }] })],
            },
            { name: "a lone destination without weight", resources: [vs("users", "users", { hosts: ["user-service"], http: [{ route: [dest("user-service")] }] })] },
            {
                name: "weights unknown before deployment",
                resources: [
                    vs("users", "users", { hosts: ["user-service"], http: [{ route: [{ ...dest("user-service", "v1"), weight: "[unknown]" }, dest("user-service", "v2", 10)] }] }),
                ],
            },
        ],
    },
    {
        rule: "istio-virtual-service-route-order",
        bad: [
            {
                name: "a catch-all route before the header route",
                resources: [
                    vs("users", "users", {
                        hosts: ["user-service"],
                        http: [
                            { route: [dest("user-service", "v1")] },
                            { name: "canary", match: [{ headers: { "x-version": { exact: "v2" } } }], route: [dest("user-service", "v2")] },
                        ],
                    }),
                ],
                expect: [/http\[0\] matches every request, so canary can never match; move it last/],
            },
            {
                name: "a prefix / route before others",
                resources: [
                    vs("users", "users", {
                        hosts: ["user-service"],
                        http: [
                            { match: [{ uri: { prefix: "/" } }], route: [dest("user-service")] },
                            { match: [{ uri: { prefix: "/api" } }], route: [dest("user-service")] },
                        ],
                    }),
                ],
                expect: [/http\[0\] matches every request, so http\[1\] can never match/],
            },
        ],
        good: [
            {
                name: "the header route first, the catch-all last",
                resources: [
                    vs("users", "users", {
                        hosts: ["user-service"],
                        http: [
                            { name: "canary", match: [{ headers: { "x-version": { exact: "v2" } } }], route: [dest("user-service", "v2")] },
                            { route: [dest("user-service", "v1", 90), dest("user-service", "v2", 10)] },
                        ],
                    }),
                ],
            },
        ],
    },
    {
        rule: "istio-subset-defined",
        bad: [
            {
                name: "a host written name.namespace, which Istio does not expand (so no DestinationRule applies)",
                resources: [
                    dr("users", "users", { host: "user-service.users.svc.cluster.local", subsets: [{ name: "v1" }] }),
                    vs("users", "users", { hosts: ["user-service"], http: [{ route: [dest("user-service.users", "v1")] }] }),
                ],
                expect: [/http\[0\]\.route\[0\] routes to subset "v1" of user-service\.users, but no DestinationRule exists for that host/],
            },
            {
                name: "a subset the DestinationRule does not define",
                resources: [
                    dr("users", "users", { host: "user-service", subsets: [{ name: "v1", labels: { version: "v1" } }] }),
                    vs("users", "users", { hosts: ["user-service"], http: [{ route: [dest("user-service", "v1", 90), dest("user-service", "v2", 10)] }] }),
                ],
                expect: [/http\[0\]\.route\[1\] routes to subset "v2" of user-service\.users\.svc\.cluster\.local, but its DestinationRules define v1/],
            },
            {
                name: "a subset of a host without DestinationRule",
                resources: [vs("orders", "orders", { hosts: ["order-service"], http: [{ route: [dest("order-service", "v1")] }] })],
                expect: [/no DestinationRule exists for that host/],
            },
        ],
        good: [
            {
                name: "a short VirtualService host matching a fully qualified DestinationRule host in another namespace",
                resources: [
                    dr("users", "istio-system", { host: "user-service.users.svc.cluster.local", subsets: [{ name: "v1" }, { name: "v2" }] }),
                    vs("users", "users", { hosts: ["user-service"], http: [{ route: [dest("user-service", "v1", 90), dest("user-service.users.svc.cluster.local", "v2", 10)] }] }),
                ],
            },
            {
                name: "a wildcard DestinationRule host",
                resources: [
                    dr("all", "users", { host: "*.users.svc.cluster.local", subsets: [{ name: "v1" }] }),
                    vs("users", "users", { hosts: ["user-service"], http: [{ route: [dest("user-service", "v1")] }] }),
                ],
            },
        ],
    },
    {
        rule: "istio-telemetry-provider-ref",
        bad: [
            {
                name: "a provider reference with randomSamplingPercentage",
                resources: [telemetry([{ name: "otel", randomSamplingPercentage: 100 }])],
                expect: [/tracing\[0\]\.providers\[0\] \(otel\) has randomSamplingPercentage; a provider reference holds only name/],
            },
            { name: "a provider given as a string", resources: [telemetry(["otel"])], expect: [/tracing\[0\]\.providers\[0\] must be an object \{ name: <extensionProvider> \}/] },
        ],
        good: [{ name: "a reference by name", resources: [telemetry([{ name: "otel" }])] }],
    },
    {
        rule: "istio-telemetry-provider-defined",
        bad: [
            {
                name: "a provider meshConfig does not define",
                resources: [istiod([{ name: "otel", opentelemetry: { service: "jaeger.observability.svc.cluster.local", port: 4317 } }]), telemetry([{ name: "jaeger" }])],
                expect: [/names provider "jaeger", which meshConfig\.extensionProviders does not define \(defined: otel\)/],
            },
        ],
        good: [
            {
                name: "a defined provider",
                resources: [istiod([{ name: "otel", opentelemetry: { service: "jaeger.observability.svc.cluster.local", port: 4317 } }]), telemetry([{ name: "otel" }])],
            },
            { name: "a stack without istiod (meshConfig unknown)", resources: [telemetry([{ name: "anything" }])] },
        ],
    },
    {
        rule: "istio-namespace-injection",
        bad: [
            (() => {
                const n = ns("users");
                return {
                    name: "a namespace with an AuthorizationPolicy and no injection label",
                    resources: [n, ap("user-service", "users", { selector, rules: [{ from: fromOrders }] })],
                    on: n,
                    expect: [/namespace users holds AuthorizationPolicy user-service but sidecar injection is not enabled/],
                };
            })(),
            (() => {
                const n = ns("users", { "istio-injection": "disabled" });
                return {
                    name: "a namespace with injection disabled and its own DestinationRule",
                    resources: [n, dr("user-service", "users", { host: "user-service" })],
                    on: n,
                    expect: [/holds DestinationRule user-service but sidecar injection is disabled/],
                };
            })(),
        ],
        good: [
            { name: "an injected namespace", resources: [ns("users", { "istio-injection": "enabled" }), ap("user-service", "users", { selector, rules: [{ from: fromOrders }] })] },
            { name: "a revision-labelled namespace", resources: [ns("users", { "istio.io/rev": "1-30" }), pa("users", { mode: "STRICT" })] },
            {
                name: "a namespace holding only a DestinationRule for another namespace's host",
                resources: [ns("clients"), dr("users", "clients", { host: "user-service.users.svc.cluster.local" })],
            },
            { name: "the root namespace", resources: [ns("istio-system"), pa("istio-system", { mode: "STRICT" })] },
        ],
    },
    {
        rule: "istio-namespace-injection-label",
        bad: [
            {
                name: 'istio-injection: "true" (ignored by Istio)',
                resources: [ns("users", { "istio-injection": "true" })],
                expect: [/label istio-injection: "true" is not recognised by Istio/],
                level: "remediate",
            },
            {
                name: "a configured meshed namespace without the label",
                resources: [ns("users")],
                config: { meshedNamespaces: ["users"] },
                expect: [/namespace users is listed as meshed/],
                level: "remediate",
            },
        ],
        good: [
            { name: "istio-injection: enabled", resources: [ns("users", { "istio-injection": "enabled" })] },
            { name: "an unlabelled namespace not listed as meshed", resources: [ns("monitoring")] },
        ],
    },
];
