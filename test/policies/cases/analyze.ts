// The istioctl-analyze-class rules, the CRD schema rule and the Kong Gateway API rule. Each firing
// case is the trigger Istio's message documentation gives (istio.io/latest/docs/reference/config/
// analysis/ist0xxx), written for this project; each quiet case is the documented fix.
import { k8s, release } from "../harness";
import type { RuleCases } from "./types";

const NET = "networking.istio.io/v1";
const SEC = "security.istio.io/v1";
const TEL = "telemetry.istio.io/v1";
const GW = "gateway.networking.k8s.io/v1beta1";

const ns = (name: string, labels: Record<string, string> = { "istio-injection": "enabled" }) => k8s("v1", "Namespace", name, undefined, {}, { labels });
const svc = (name: string, namespace: string, ports: number[] = [9080], selector: Record<string, string> = { app: name }, annotations?: Record<string, string>) =>
    k8s("v1", "Service", name, namespace, { spec: { selector, ports: ports.map((p) => ({ name: `http-${p}`, port: p })) } }, annotations ? { annotations } : {});
const deploy = (name: string, namespace: string, labels: Record<string, string>) =>
    k8s("apps/v1", "Deployment", name, namespace, {
        spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name, image: `example.com/${name}:1.0.0` }] } } },
    });
const vs = (name: string, namespace: string, spec: Record<string, unknown>) => k8s(NET, "VirtualService", name, namespace, { spec });
const dr = (name: string, namespace: string, spec: Record<string, unknown>) => k8s(NET, "DestinationRule", name, namespace, { spec });
const gw = (name: string, namespace: string, spec: Record<string, unknown>) => k8s(NET, "Gateway", name, namespace, { spec });
const ap = (name: string, namespace: string, spec: Record<string, unknown>) => k8s(SEC, "AuthorizationPolicy", name, namespace, { spec });
const pa = (name: string, namespace: string, mode: string) => k8s(SEC, "PeerAuthentication", name, namespace, { spec: { mtls: { mode } } });
const sidecar = (name: string, namespace: string, labels?: Record<string, string>) =>
    k8s(NET, "Sidecar", name, namespace, { spec: { ...(labels ? { workloadSelector: { labels } } : {}), egress: [{ hosts: ["./*"] }] } });
const telemetry = (name: string, namespace: string, labels?: Record<string, string>) =>
    k8s(TEL, "Telemetry", name, namespace, { spec: { ...(labels ? { selector: { matchLabels: labels } } : {}), accessLogging: [{ providers: [{ name: "envoy" }] }] } });
const route = (host: string, extra: Record<string, unknown> = {}) => ({ destination: { host, ...extra } });
const httpServer = (port: number, hosts: string[]) => ({ port: { number: port, name: `http-${port}`, protocol: "HTTP" }, hosts });

export const analyzeCases: RuleCases[] = [
    {
        rule: "kubernetes-crd-schema",
        bad: [
            {
                name: "PeerAuthentication mtls.mode BLAH (enum)",
                resources: [pa("default", "users", "BLAH")],
                expect: [/spec\.mtls\.mode: unsupported value "BLAH": supported values: .*"STRICT"/],
            },
            {
                name: "a DestinationRule warmup minimumPercent of 150 (CEL / maximum)",
                resources: [
                    dr("reviews", "users", { host: "reviews", trafficPolicy: { loadBalancer: { simple: "ROUND_ROBIN", warmup: { duration: "60s", minimumPercent: 150 } } } }),
                ],
                expect: [/spec\.trafficPolicy\.loadBalancer\.warmup\.minimumPercent/],
            },
            {
                name: "an HTTPRoute path that does not start with / (Gateway API CEL rule)",
                resources: [
                    k8s("gateway.networking.k8s.io/v1", "HTTPRoute", "users", "users", {
                        spec: {
                            parentRefs: [{ name: "kong", namespace: "kong" }],
                            rules: [{ matches: [{ path: { type: "PathPrefix", value: "api" } }], backendRefs: [{ name: "user-service", port: 8080 }] }],
                        },
                    }),
                ],
                expect: [/spec\.rules\[0\]\.matches\[0\]\.path: value must be an absolute path and start with '\/'/],
            },
            {
                name: "an apiVersion the CRD does not serve",
                resources: [k8s("networking.istio.io/v1beta2", "VirtualService", "reviews", "users", { spec: { hosts: ["reviews"] } })],
                expect: [/apiVersion networking\.istio\.io\/v1beta2 is not served for VirtualService \(served: .*networking\.istio\.io\/v1\b/],
            },
        ],
        good: [
            { name: "a valid STRICT PeerAuthentication", resources: [pa("default", "users", "STRICT")] },
            {
                name: "values unknown before deployment or secret, and no metadata (Pulumi auto-names it)",
                resources: [
                    {
                        urn: "urn:pulumi:test::meshgate::kubernetes:networking.istio.io/v1:DestinationRule::reviews",
                        type: "kubernetes:networking.istio.io/v1:DestinationRule",
                        name: "reviews",
                        props: {
                            apiVersion: NET,
                            kind: "DestinationRule",
                            spec: {
                                host: "[unknown]",
                                trafficPolicy: { connectionPool: { tcp: { maxConnections: "[secret]" } }, portLevelSettings: [{ port: { number: { __pulumiUnknown: true } } }] },
                            },
                        },
                    },
                ],
            },
            { name: "a kind meshgate has no CRD of (not validated, not failed)", resources: [k8s(NET, "WorkloadEntry", "vm-1", "users", { spec: { address: "10.0.0.1" } })] },
        ],
    },
    {
        rule: "istio-destination-host-exists",
        bad: [
            {
                name: "a destination host with no Service (IST0101)",
                resources: [ns("users"), svc("reviews", "users"), vs("reviews", "users", { hosts: ["reviews"], http: [{ route: [route("ratings")] }] })],
                expect: [/http\[0\]\.route\[0\]\.destination\.host "ratings" \(ratings\.users\.svc\.cluster\.local\) matches no Service or ServiceEntry \(IST0101\)/],
            },
            {
                name: "reviews.prod, which Istio does not expand",
                resources: [ns("prod"), svc("reviews", "prod"), vs("reviews", "prod", { hosts: ["reviews"], http: [{ route: [route("reviews.prod")] }] })],
                expect: [
                    /"reviews\.prod" \(reviews\.prod\) matches no Service or ServiceEntry \(IST0101\)\. Istio qualifies only a name without a dot; write reviews\.prod\.svc\.cluster\.local/,
                ],
            },
            {
                name: "no port to a Service with two ports (IST0112), and a port it does not expose",
                resources: [
                    svc("reviews", "users", [9080, 9090]),
                    vs("reviews", "users", { hosts: ["reviews"], http: [{ route: [route("reviews")] }], tcp: [{ route: [route("reviews", { port: { number: 7000 } })] }] }),
                ],
                expect: [
                    /http\[0\]\.route\[0\]\.destination has no port, but Service users\/reviews exposes 9080, 9090; set destination\.port\.number \(IST0112\)/,
                    /tcp\[0\]\.route\[0\]\.destination port 7000 is not a port of Service users\/reviews/,
                ],
            },
        ],
        good: [
            {
                name: "short, FQDN and cross-namespace hosts that resolve",
                resources: [
                    svc("reviews", "users"),
                    svc("ratings", "shop"),
                    vs("reviews", "users", {
                        hosts: ["reviews"],
                        http: [{ route: [route("reviews"), route("ratings.shop.svc.cluster.local")], mirror: { host: "reviews.users.svc.cluster.local" } }],
                    }),
                ],
            },
            {
                name: "an external host defined by a ServiceEntry",
                resources: [
                    svc("reviews", "users"),
                    k8s(NET, "ServiceEntry", "httpbin", "egress", { spec: { hosts: ["httpbin.org"], ports: [{ number: 443, name: "tls", protocol: "TLS" }], resolution: "DNS" } }),
                    vs("httpbin", "egress", {
                        hosts: ["httpbin.org"],
                        tls: [{ match: [{ port: 443, sniHosts: ["httpbin.org"] }], route: [route("httpbin.org", { port: { number: 443 } })] }],
                    }),
                ],
            },
            {
                name: "a host in a namespace the input does not describe",
                resources: [svc("reviews", "users"), vs("reviews", "users", { hosts: ["reviews"], http: [{ route: [route("ledger.finance.svc.cluster.local")] }] })],
            },
        ],
    },
    {
        rule: "istio-virtual-service-gateway",
        bad: [
            {
                name: "a gateway that does not exist (IST0101)",
                resources: [ns("shop"), vs("web", "shop", { hosts: ["shop.example.com"], gateways: ["shop-gateway"], http: [{ route: [route("web")] }] })],
                expect: [/gateways\[0\] "shop-gateway" names no Gateway \(shop\/shop-gateway\) \(IST0101\)/],
            },
            {
                name: "a host the gateway does not serve (IST0132)",
                resources: [
                    gw("edge", "istio-system", { selector: { istio: "ingressgateway" }, servers: [httpServer(80, ["*.example.com"])] }),
                    vs("web", "shop", { hosts: ["shop.example.org"], gateways: ["istio-system/edge"], http: [{ route: [route("web")] }] }),
                ],
                expect: [/hosts shop\.example\.org are not served by Gateway istio-system\/edge \(its servers offer \*\.example\.com\), so the routes never apply \(IST0132\)/],
            },
        ],
        good: [
            {
                name: "a gateway in another namespace serving the host",
                resources: [
                    gw("edge", "istio-system", { selector: { istio: "ingressgateway" }, servers: [httpServer(80, ["shop/*.example.com"])] }),
                    vs("web", "shop", { hosts: ["shop.example.com"], gateways: ["istio-system/edge", "mesh"], http: [{ route: [route("web")] }] }),
                ],
            },
            {
                name: "a shared gateway in a namespace the input does not describe",
                resources: [
                    gw("shop", "shop", { selector: { app: "shop-gw" }, servers: [httpServer(80, ["shop.example.com"])] }),
                    vs("web", "shop", { hosts: ["shop.example.com"], gateways: ["istio-system/public"], http: [{ route: [route("web")] }] }),
                ],
            },
        ],
    },
    {
        rule: "istio-destination-rule-targets",
        bad: [
            {
                name: "a host with no service (IST0174)",
                resources: [ns("users"), svc("reviews", "users"), dr("ratings", "users", { host: "ratings" })],
                expect: [/host "ratings" \(ratings\.users\.svc\.cluster\.local\) matches no Service or ServiceEntry, so the DestinationRule applies to nothing \(IST0174\)/],
            },
            {
                name: "a subset selecting no pod (IST0173)",
                resources: [
                    svc("reviews", "users"),
                    deploy("reviews-v1", "users", { app: "reviews", version: "v1" }),
                    dr("reviews", "users", {
                        host: "reviews",
                        subsets: [
                            { name: "v1", labels: { version: "v1" } },
                            { name: "v2", labels: { version: "v2" } },
                        ],
                    }),
                ],
                expect: [/subset "v2" \(version=v2\) selects no pod of Service users\/reviews in the input; traffic to it fails with 503 \(IST0173\)/],
            },
        ],
        good: [
            {
                name: "subsets that select pods of the service",
                resources: [
                    svc("reviews", "users"),
                    deploy("reviews-v1", "users", { app: "reviews", version: "v1" }),
                    dr("reviews", "users", { host: "reviews", subsets: [{ name: "v1", labels: { version: "v1" } }] }),
                ],
            },
            {
                name: "the API server's Service, which every cluster has",
                resources: [
                    svc("web", "default"),
                    dr("kube-api", "default", {
                        host: "kubernetes.default.svc.cluster.local",
                        trafficPolicy: { tls: { mode: "SIMPLE", caCertificates: "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt" } },
                    }),
                ],
            },
            {
                name: "subsets when the input holds no workloads (meshgate's own plan)",
                resources: [svc("reviews", "users"), dr("reviews", "users", { host: "reviews.users.svc.cluster.local", subsets: [{ name: "v2", labels: { version: "v2" } }] })],
            },
        ],
    },
    {
        rule: "istio-authorization-references",
        bad: [
            {
                name: "a source namespace that does not exist (IST0101)",
                resources: [
                    ns("users"),
                    ns("orders"),
                    ap("reviews", "users", { selector: { matchLabels: { app: "reviews" } }, rules: [{ from: [{ source: { namespaces: ["order"] } }] }] }),
                ],
                expect: [/rules\[0\]\.from\[0\]\.source\.namespaces names namespace "order", which the input does not hold \(IST0101\)/],
            },
            {
                name: "a selector matching no workload (IST0127)",
                resources: [
                    deploy("reviews", "users", { app: "reviews" }),
                    ap("reviews", "users", {
                        selector: { matchLabels: { app: "review" } },
                        rules: [{ from: [{ source: { principals: ["cluster.local/ns/users/sa/productpage"] } }] }],
                    }),
                ],
                expect: [/selector app=review matches no workload in namespace users, so the policy protects nothing \(IST0127\)/],
            },
        ],
        good: [
            {
                name: "existing namespaces (with a wildcard) and a matching selector",
                resources: [
                    ns("users"),
                    ns("orders-eu"),
                    deploy("reviews", "users", { app: "reviews" }),
                    ap("reviews", "users", { selector: { matchLabels: { app: "reviews" } }, rules: [{ from: [{ source: { namespaces: ["orders-*", "users"] } }] }] }),
                ],
            },
            {
                name: "a selector when the input holds none of the namespace's workloads",
                resources: [ap("reviews", "users", { selector: { matchLabels: { app: "reviews" } }, rules: [{ from: [{ source: { namespaces: ["orders"] } }] }] })],
            },
        ],
    },
    {
        rule: "istio-virtual-service-host-conflict",
        bad: [
            {
                name: "two mesh VirtualServices for one host, short and FQDN (IST0109)",
                resources: [
                    vs("reviews-a", "users", { hosts: ["reviews"], http: [{ route: [route("reviews")] }] }),
                    vs("reviews-b", "users", { hosts: ["reviews.users.svc.cluster.local"], http: [{ route: [route("reviews")] }] }),
                ],
                expect: [/host reviews\.users\.svc\.cluster\.local is also claimed for the mesh by users\/reviews-a; .*\(IST0109\)/],
                spread: true,
            },
            {
                name: "two VirtualServices for one host on one gateway",
                resources: [
                    vs("a", "shop", { hosts: ["shop.example.com"], gateways: ["edge"], http: [{ route: [route("web")] }] }),
                    vs("b", "shop", { hosts: ["shop.example.com"], gateways: ["shop/edge"], http: [{ route: [route("web")] }] }),
                ],
                expect: [/host shop\.example\.com on gateway shop\/edge is also claimed by shop\/a/],
                spread: true,
            },
        ],
        good: [
            {
                name: "two versions of one VirtualService (same name) in two files: one object, as kubectl apply makes it",
                resources: [
                    vs("reviews", "users", { hosts: ["reviews"], http: [{ route: [route("reviews", { subset: "v1" })] }] }),
                    {
                        ...vs("reviews", "users", { hosts: ["reviews"], http: [{ route: [route("reviews", { subset: "v2" })] }] }),
                        urn: "urn:pulumi:test::meshgate::kubernetes:networking.istio.io/v1:VirtualService::users/reviews#2",
                    },
                ],
            },
            {
                name: "one VirtualService per host; exportTo keeping two apart",
                resources: [
                    vs("reviews", "users", { hosts: ["reviews"], http: [{ route: [route("reviews")] }] }),
                    vs("r1", "a", { hosts: ["x.example.com"], exportTo: ["."], http: [{ route: [route("x.example.com")] }] }),
                    vs("r2", "b", { hosts: ["x.example.com"], exportTo: ["."], http: [{ route: [route("x.example.com")] }] }),
                ],
            },
        ],
    },
    {
        rule: "istio-gateway-conflict",
        bad: [
            {
                name: "two Gateways with the same selector, port and an overlapping host (IST0145)",
                resources: [
                    gw("a", "edge", { selector: { istio: "ingressgateway" }, servers: [httpServer(80, ["*.example.com"])] }),
                    gw("b", "edge", { selector: { istio: "ingressgateway" }, servers: [httpServer(80, ["shop.example.com"])] }),
                ],
                expect: [
                    /servers\[0\] \(port 80, hosts shop\.example\.com\) conflicts with edge\/a on the same selector istio=ingressgateway; only one of them gets the port \(IST0145\)/,
                ],
                spread: true,
            },
        ],
        good: [
            {
                name: "different hosts, or different ports",
                resources: [
                    gw("a", "edge", { selector: { istio: "ingressgateway" }, servers: [httpServer(80, ["a.example.com"])] }),
                    gw("b", "edge", { selector: { istio: "ingressgateway" }, servers: [httpServer(80, ["b.example.com"]), httpServer(8080, ["a.example.com"])] }),
                ],
            },
        ],
    },
    {
        rule: "istio-gateway-workload",
        bad: [
            {
                name: "a selector matching no gateway workload (IST0101)",
                resources: [
                    deploy("ingressgateway", "istio-system", { istio: "ingressgateway" }),
                    gw("edge", "shop", { selector: { istio: "ingres" }, servers: [httpServer(80, ["*"])] }),
                ],
                expect: [/selector istio=ingres matches no gateway workload of the input \(istio=ingressgateway\), so no gateway serves it \(IST0101\)/],
            },
            {
                name: "a port the gateway Service does not expose (IST0162)",
                resources: [
                    release("istio-ingress", {
                        chart: "gateway",
                        version: "1.30.3",
                        namespace: "istio-ingress",
                        repositoryOpts: { repo: "https://istio-release.storage.googleapis.com/charts" },
                    }),
                    gw("edge", "istio-ingress", { selector: { istio: "ingress" }, servers: [httpServer(8080, ["*"])] }),
                ],
                expect: [
                    /servers\[0\] port 8080 is not exposed by the Service of the gateway workload \(istio=ingress; ports 80, 443, 15021\), so clients cannot reach it \(IST0162\)/,
                ],
            },
        ],
        good: [
            {
                name: "the istio/gateway release's pods and ports",
                resources: [
                    release("istio-ingress", {
                        chart: "gateway",
                        version: "1.30.3",
                        namespace: "istio-ingress",
                        repositoryOpts: { repo: "https://istio-release.storage.googleapis.com/charts" },
                    }),
                    gw("edge", "istio-ingress", { selector: { istio: "ingress" }, servers: [httpServer(80, ["*"])] }),
                ],
            },
            {
                name: "a Deployment and Service mapping port 80 to 8080",
                resources: [
                    deploy("gw", "edge", { istio: "edge" }),
                    k8s("v1", "Service", "gw", "edge", { spec: { selector: { istio: "edge" }, ports: [{ name: "http", port: 80, targetPort: 8080 }] } }),
                    gw("edge", "edge", { selector: { istio: "edge" }, servers: [httpServer(8080, ["*"]), httpServer(80, ["a.example.com"])] }),
                ],
            },
            {
                name: "gateway pods installed elsewhere (application workloads only, as in Bookinfo)",
                resources: [deploy("web", "shop", { app: "web" }), gw("edge", "shop", { selector: { istio: "ingressgateway" }, servers: [httpServer(80, ["*"])] })],
            },
        ],
    },
    {
        rule: "istio-sidecar-selector",
        bad: [
            {
                name: "two Sidecars selecting one workload (IST0110)",
                resources: [deploy("api", "shop", { app: "api" }), sidecar("a", "shop", { app: "api" }), sidecar("b", "shop", { app: "api" })],
                expect: [/Sidecar selects Deployment shop\/api together with shop\/a; which one applies is undefined \(IST0110\)/],
                spread: true,
            },
            {
                name: "two namespace-wide Sidecars (IST0111)",
                resources: [sidecar("a", "shop"), sidecar("b", "shop")],
                expect: [/Sidecar has no workload selector, like shop\/a in namespace shop; only one namespace-wide Sidecar may exist \(IST0111\)/],
                spread: true,
            },
            {
                name: "a selector matching no workload (IST0101)",
                resources: [deploy("api", "shop", { app: "api" }), sidecar("a", "shop", { app: "ap" })],
                expect: [/selector app=ap matches no workload in namespace shop \(IST0101\)/],
            },
        ],
        good: [
            {
                name: "one Sidecar per workload and one namespace-wide",
                resources: [
                    deploy("api", "shop", { app: "api" }),
                    deploy("web", "shop", { app: "web" }),
                    sidecar("api", "shop", { app: "api" }),
                    sidecar("web", "shop", { app: "web" }),
                    sidecar("default", "shop"),
                ],
            },
        ],
    },
    {
        rule: "istio-telemetry-selector",
        bad: [
            {
                name: "two Telemetries selecting one workload (IST0159)",
                resources: [deploy("api", "shop", { app: "api" }), telemetry("a", "shop", { app: "api" }), telemetry("b", "shop", { app: "api" })],
                expect: [/Telemetry selects Deployment shop\/api together with shop\/a; which one applies is undefined \(IST0159\)/],
                spread: true,
            },
            {
                name: "two namespace-wide Telemetries (IST0160)",
                resources: [telemetry("a", "istio-system"), telemetry("b", "istio-system")],
                expect: [/only one namespace-wide Telemetry may exist \(IST0160\)/],
                spread: true,
            },
        ],
        good: [
            {
                name: "a mesh-wide Telemetry and one per workload",
                resources: [
                    deploy("api", "shop", { app: "api" }),
                    telemetry("mesh-default", "istio-system"),
                    telemetry("api", "shop", { app: "api" }),
                    k8s(TEL, "Telemetry", "gw", "shop", {
                        spec: { targetRefs: [{ kind: "Gateway", group: "gateway.networking.k8s.io", name: "edge" }], accessLogging: [{ providers: [{ name: "envoy" }] }] },
                    }),
                ],
            },
        ],
    },
    {
        rule: "istio-ambient-no-sidecar",
        bad: [
            {
                name: "a Sidecar in an ambient namespace (IST0167)",
                resources: [ns("shop", { "istio.io/dataplane-mode": "ambient" }), sidecar("default", "shop")],
                expect: [/namespace shop is in ambient mode, so this Sidecar has no effect \(IST0167\)/],
            },
            {
                name: "a workload asking for a sidecar in an ambient namespace",
                resources: [ns("shop", { "istio.io/dataplane-mode": "ambient" }), deploy("api", "shop", { app: "api", "sidecar.istio.io/inject": "true" })],
                expect: [/Deployment shop\/api asks for a sidecar \(sidecar\.istio\.io\/inject: "true"\) in ambient namespace shop/],
            },
        ],
        good: [
            {
                name: "Sidecars in sidecar namespaces; ambient overridden by istio-injection",
                resources: [
                    ns("shop"),
                    sidecar("default", "shop"),
                    ns("legacy", { "istio.io/dataplane-mode": "ambient", "istio-injection": "enabled" }),
                    sidecar("default", "legacy"),
                ],
            },
        ],
    },
    {
        rule: "istio-namespace-injection-labels",
        bad: [
            {
                name: "istio-injection and istio.io/rev (IST0123)",
                resources: [ns("shop", { "istio-injection": "enabled", "istio.io/rev": "canary" })],
                expect: [/namespace shop has istio-injection=enabled, istio\.io\/rev=canary; keep one .*\(IST0123\)/],
            },
            {
                name: "istio.io/rev and ambient",
                resources: [ns("shop", { "istio.io/rev": "canary", "istio.io/dataplane-mode": "ambient" })],
                expect: [/istio\.io\/rev=canary, istio\.io\/dataplane-mode=ambient/],
            },
        ],
        good: [
            {
                name: "one label each; injection disabled next to a revision label",
                resources: [ns("a"), ns("b", { "istio.io/rev": "canary" }), ns("c", { "istio-injection": "disabled", "istio.io/rev": "canary" })],
            },
        ],
    },
    {
        rule: "istio-virtual-service-unreachable-routes",
        bad: [
            {
                name: "a route after one without matches (IST0130)",
                resources: [vs("r", "shop", { hosts: ["r"], http: [{ route: [route("r")] }, { match: [{ uri: { exact: "/a" } }], route: [route("r")] }] })],
                expect: [/http\[1\] can never be used: http\[0\] before it has no matches and takes every request \(IST0130\)/],
            },
            {
                name: "two tcp routes without matches",
                resources: [vs("r", "shop", { hosts: ["r"], tcp: [{ route: [route("r")] }, { route: [route("r")] }] })],
                expect: [/tcp\[1\] can never be used: only the last rule can have no matches/],
            },
            {
                name: "a tls route whose matches all repeat earlier ones",
                resources: [
                    vs("r", "shop", {
                        hosts: ["r.example.com"],
                        tls: [
                            { match: [{ sniHosts: ["r.example.com"] }], route: [route("r")] },
                            { match: [{ sniHosts: ["r.example.com"] }], route: [route("s")] },
                        ],
                    }),
                ],
                expect: [/tls\[1\] can never be used: all its matches are used by earlier rules \(IST0130\)/],
            },
        ],
        good: [
            {
                name: "distinct matches, the route without matches last",
                resources: [
                    vs("r", "shop", {
                        hosts: ["r"],
                        http: [
                            { name: "v2", match: [{ headers: { "x-version": { exact: "v2" } } }], route: [route("r", { subset: "v2" })] },
                            { route: [route("r", { subset: "v1" })] },
                        ],
                        tcp: [{ match: [{ port: 27017 }], route: [route("db")] }],
                    }),
                ],
            },
        ],
    },
    {
        rule: "istio-virtual-service-ineffective-match",
        bad: [
            {
                name: "a match repeating an earlier one (IST0131)",
                resources: [
                    vs("r", "shop", {
                        hosts: ["r"],
                        http: [
                            { match: [{ uri: { exact: "/a" } }, { uri: { exact: "/b" } }], route: [route("r")] },
                            { match: [{ name: "again", uri: { exact: "/a" } }, { uri: { exact: "/c" } }], route: [route("s")] },
                        ],
                    }),
                ],
                expect: [/http\[1\] match "again" repeats a match of http\[0\] and never takes effect \(IST0131\)/],
            },
            {
                name: "a longer prefix after a shorter one (IST0131)",
                resources: [
                    vs("r", "shop", {
                        hosts: ["r"],
                        http: [
                            { match: [{ uri: { prefix: "/api" } }], route: [route("r")] },
                            { match: [{ uri: { prefix: "/api/v2" } }], route: [route("s")] },
                        ],
                    }),
                ],
                expect: [/http\[1\] match\[0\] \(prefix \/api\/v2\) is covered by http\[0\] match\[0\] \(prefix \/api\) before it/],
            },
        ],
        good: [
            {
                name: "the longer prefix first; prefixes told apart by a header",
                resources: [
                    vs("r", "shop", {
                        hosts: ["r"],
                        http: [
                            { match: [{ uri: { prefix: "/api/v2" } }], route: [route("s")] },
                            { match: [{ uri: { prefix: "/api" }, headers: { "x-beta": { exact: "1" } } }], route: [route("r")] },
                            { match: [{ uri: { prefix: "/api/v3" } }], route: [route("r")] },
                        ],
                    }),
                ],
            },
        ],
    },
    {
        rule: "istio-tls-origination-ca",
        bad: [
            {
                name: "SIMPLE without caCertificates (IST0128)",
                resources: [dr("httpbin", "egress", { host: "httpbin.org", trafficPolicy: { tls: { mode: "SIMPLE" } } })],
                expect: [/trafficPolicy\.tls\.mode SIMPLE to httpbin\.org sets no caCertificates.*\(IST0128\)/],
            },
            {
                name: "MUTUAL on a port without caCertificates (IST0129)",
                resources: [
                    dr("db", "egress", {
                        host: "db.example.com",
                        trafficPolicy: { portLevelSettings: [{ port: { number: 5432 }, tls: { mode: "MUTUAL", clientCertificate: "/etc/c.pem", privateKey: "/etc/k.pem" } }] },
                    }),
                ],
                expect: [/portLevelSettings\[0\] \(port 5432\) tls\.mode MUTUAL to db\.example\.com sets no caCertificates; set caCertificates \(IST0129\)/],
            },
        ],
        good: [
            {
                name: "caCertificates set; credentialName with a workloadSelector; ISTIO_MUTUAL",
                resources: [
                    dr("httpbin", "egress", { host: "httpbin.org", trafficPolicy: { tls: { mode: "SIMPLE", caCertificates: "/etc/ssl/certs/ca.pem" } } }),
                    dr("api", "egress", {
                        host: "api.example.com",
                        workloadSelector: { matchLabels: { app: "egress" } },
                        trafficPolicy: { tls: { mode: "MUTUAL", credentialName: "api-client" } },
                    }),
                    dr("reviews", "users", { host: "reviews", trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } }),
                ],
            },
        ],
    },
    {
        rule: "istio-mtls-strict-coverage",
        bad: [
            {
                name: "an ISTIO_MUTUAL DestinationRule for a namespace without STRICT",
                resources: [dr("reviews", "users", { host: "reviews", trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } }), ns("users")],
                expect: [
                    /namespace users is meshed by DestinationRule users\/reviews, but no PeerAuthentication in users or istio-system says STRICT, so its workloads still accept plaintext; a DestinationRule with ISTIO_MUTUAL only makes clients send mTLS/,
                ],
            },
            {
                name: "a namespace PERMISSIVE under a STRICT mesh (reported on the first resource meshing it)",
                resources: [
                    pa("default", "istio-system", "STRICT"),
                    pa("default", "users", "PERMISSIVE"),
                    ap("reviews", "users", { selector: { matchLabels: { app: "reviews" } }, rules: [{ from: [{ source: { namespaces: ["orders"] } }] }] }),
                ],
                expect: [/namespace users is meshed by AuthorizationPolicy users\/reviews, but its PeerAuthentication says PERMISSIVE/],
            },
        ],
        good: [
            {
                name: "a namespace allowed to stay PERMISSIVE by configuration",
                resources: [pa("default", "legacy", "PERMISSIVE"), dr("old", "legacy", { host: "old" })],
                config: { allowPermissiveNamespaces: ["legacy"] },
            },
            {
                name: "mesh-wide STRICT in the root namespace",
                resources: [pa("default", "istio-system", "STRICT"), dr("reviews", "users", { host: "reviews", trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } })],
            },
            {
                name: "namespace STRICT; a namespace without injection (not meshed); external hosts",
                resources: [
                    pa("default", "users", "STRICT"),
                    vs("reviews", "users", { hosts: ["reviews"], http: [{ route: [route("reviews")] }] }),
                    ns("legacy", {}),
                    dr("old", "legacy", { host: "old" }),
                    dr("httpbin", "egress", { host: "httpbin.org" }),
                ],
            },
        ],
    },
    {
        rule: "kong-plugin-reference-grant",
        bad: [
            {
                name: "a KongConsumer using a KongPlugin of another namespace without a ReferenceGrant",
                resources: [
                    k8s(
                        "configuration.konghq.com/v1",
                        "KongConsumer",
                        "gold",
                        "consumers",
                        { username: "gold" },
                        { annotations: { "kubernetes.io/ingress.class": "kong", "konghq.com/plugins": "plugins:rate-limit-gold" } },
                    ),
                ],
                expect: [
                    /konghq\.com\/plugins entry "plugins:rate-limit-gold" uses a KongPlugin of namespace plugins, but no ReferenceGrant there allows KongConsumers \(group "configuration\.konghq\.com"\) from namespace consumers/,
                ],
            },
            {
                name: "a grant for another kind (HTTPRoute, not Service)",
                resources: [
                    k8s(GW, "ReferenceGrant", "routes", "plugins", {
                        spec: {
                            from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "shop" }],
                            to: [{ group: "configuration.konghq.com", kind: "KongPlugin" }],
                        },
                    }),
                    k8s("v1", "Service", "web", "shop", { spec: { ports: [{ port: 80 }] } }, { annotations: { "konghq.com/plugins": "plugins:auth" } }),
                ],
                expect: [/allows Services \(group ""\) from namespace shop/],
            },
        ],
        good: [
            {
                name: "the grant of KIC's cross-namespace guide; same-namespace plugins",
                resources: [
                    k8s(GW, "ReferenceGrant", "consumers-rate-limit", "plugins", {
                        spec: {
                            from: [{ group: "configuration.konghq.com", kind: "KongConsumer", namespace: "consumers" }],
                            to: [{ group: "configuration.konghq.com", kind: "KongPlugin" }],
                        },
                    }),
                    k8s(
                        "configuration.konghq.com/v1",
                        "KongConsumer",
                        "gold",
                        "consumers",
                        { username: "gold" },
                        { annotations: { "konghq.com/plugins": "plugins:rate-limit-gold, local-plugin" } },
                    ),
                    k8s("v1", "Service", "web", "shop", { spec: { ports: [{ port: 80 }] } }, { annotations: { "konghq.com/plugins": "shop:auth" } }),
                ],
            },
        ],
    },
];
