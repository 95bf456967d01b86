// Kong at the edge through the Gateway API: Kong's GatewayClass, and routes a Kong Gateway's listeners admit.
import { k8s } from "../harness";
import type { RuleCases } from "./types";

const GW = "gateway.networking.k8s.io/v1";
const gatewayClass = (controllerName: string, annotations: Record<string, string> = { "konghq.com/gatewayclass-unmanaged": "true" }) =>
    k8s(GW, "GatewayClass", "kong", undefined, { spec: { controllerName } }, { annotations });
const selectorListener = (namespaces: string[]) => ({
    name: "http",
    port: 80,
    protocol: "HTTP",
    allowedRoutes: { namespaces: { from: "Selector", selector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: namespaces }] } } },
});
const gateway = (listeners: unknown[]) => k8s(GW, "Gateway", "kong", "kong", { spec: { gatewayClassName: "kong", listeners } });
const route = (namespace: string, parentRef: Record<string, unknown> = { name: "kong", namespace: "kong" }) =>
    k8s(GW, "HTTPRoute", "shop-edge", namespace, {
        spec: { parentRefs: [parentRef], rules: [{ matches: [{ path: { type: "PathPrefix", value: "/shop" } }], backendRefs: [{ name: "shop", port: 8080 }] }] },
    });

export const kongGatewayEdgeCases: RuleCases[] = [
    {
        rule: "kong-gateway-class",
        bad: [
            {
                name: "a GatewayClass kong of another controller (Istio's)",
                resources: [gatewayClass("istio.io/gateway-controller")],
                expect: [/GatewayClass kong is one of Kong's gatewayClasses but names controller "istio\.io\/gateway-controller"/],
            },
            {
                name: "KIC's controller without the unmanaged annotation",
                resources: [gatewayClass("konghq.com/kic-gateway-controller", {})],
                expect: [/lacks konghq\.com\/gatewayclass-unmanaged: "true"/],
            },
        ],
        good: [
            { name: "meshgate's GatewayClass (KIC's controller, unmanaged)", resources: [gatewayClass("konghq.com/kic-gateway-controller")] },
            {
                name: "another controller's class of another name",
                resources: [k8s(GW, "GatewayClass", "istio", undefined, { spec: { controllerName: "istio.io/gateway-controller" } })],
            },
        ],
    },
    {
        rule: "kong-route-parent-allowed",
        bad: [
            {
                name: "an HTTPRoute from a namespace the listener's selector leaves out",
                resources: [gateway([selectorListener(["users"])]), route("shop")],
                expect: [/HTTPRoute shop\/shop-edge names Gateway kong\/kong, but no listener admits HTTPRoutes from namespace shop: http \(from Selector\)/],
            },
            {
                name: "an HTTPRoute of another namespace on a listener with the default (Same)",
                resources: [gateway([{ name: "http", port: 80, protocol: "HTTP" }]), route("shop")],
                expect: [/no listener admits HTTPRoutes from namespace shop: http \(from Same\)/],
            },
            {
                name: "a parentRef naming a listener that does not exist",
                resources: [gateway([{ ...selectorListener(["shop"]) }]), route("shop", { name: "kong", namespace: "kong", sectionName: "https" })],
                expect: [/it has no listener named https/],
            },
            {
                name: "a TCP listener (by default it admits TCPRoutes only)",
                resources: [gateway([{ name: "tcp", port: 9000, protocol: "TCP", allowedRoutes: { namespaces: { from: "All" } } }]), route("shop")],
                expect: [/no listener admits HTTPRoutes from namespace shop: tcp \(from All\)/],
            },
            {
                name: "a listener that admits only GRPCRoutes",
                resources: [gateway([{ ...selectorListener(["shop"]), allowedRoutes: { namespaces: { from: "All" }, kinds: [{ kind: "GRPCRoute" }] } }]), route("shop")],
                expect: [/kinds GRPCRoute/],
            },
        ],
        good: [
            { name: "meshgate's Gateway: the selector lists the route's namespace", resources: [gateway([selectorListener(["shop", "users"])]), route("shop")] },
            {
                name: "a GRPCRoute on an HTTPS listener without kinds (HTTP and HTTPS listeners admit HTTPRoutes and GRPCRoutes)",
                resources: [
                    gateway([{ name: "https", port: 443, protocol: "HTTPS", allowedRoutes: { namespaces: { from: "All" } } }]),
                    k8s(GW, "GRPCRoute", "shop-edge", "shop", {
                        spec: { parentRefs: [{ name: "kong", namespace: "kong" }], rules: [{ backendRefs: [{ name: "shop", port: 8080 }] }] },
                    }),
                ],
            },
            { name: "a listener from All", resources: [gateway([{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "All" } } }]), route("shop")] },
            {
                name: "a selector on a label of a namespace that is not among the objects (cannot be told)",
                resources: [
                    gateway([{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Selector", selector: { matchLabels: { team: "shop" } } } } }]),
                    route("shop"),
                ],
            },
            {
                name: "a mesh HTTPRoute whose parent is a Service (not Kong's)",
                resources: [gateway([selectorListener(["users"])]), route("shop", { group: "", kind: "Service", name: "shop" })],
            },
        ],
    },
    {
        rule: "kong-service-upstream-in-mesh",
        bad: [
            {
                name: "a Service in a meshed namespace behind a Kong Gateway's HTTPRoute without service-upstream",
                resources: [
                    k8s("v1", "Namespace", "shop", undefined, {}, { labels: { "istio-injection": "enabled" } }),
                    gateway([selectorListener(["shop"])]),
                    route("shop"),
                    k8s("v1", "Service", "shop", "shop", { spec: { ports: [{ port: 8080 }] } }),
                ],
                expect: [/Service shop\/shop is exposed by HTTPRoute shop\/shop-edge in a meshed namespace without ingress\.kubernetes\.io\/service-upstream: "true"/],
            },
        ],
        good: [
            {
                name: "the same Service annotated service-upstream (as meshgate's)",
                resources: [
                    k8s("v1", "Namespace", "shop", undefined, {}, { labels: { "istio-injection": "enabled" } }),
                    gateway([selectorListener(["shop"])]),
                    route("shop"),
                    k8s("v1", "Service", "shop", "shop", { spec: { ports: [{ port: 8080 }] } }, { annotations: { "ingress.kubernetes.io/service-upstream": "true" } }),
                ],
            },
        ],
    },
    {
        rule: "kong-cors-preflight",
        bad: [
            {
                name: "an HTTPRoute with cors whose matches allow GET only (no OPTIONS)",
                resources: [
                    gateway([selectorListener(["shop"])]),
                    k8s("configuration.konghq.com/v1", "KongPlugin", "shop-cors", "shop", { plugin: "cors", config: { origins: ["https://shop.example.com"] } }),
                    k8s(
                        GW,
                        "HTTPRoute",
                        "shop-edge",
                        "shop",
                        {
                            spec: {
                                parentRefs: [{ name: "kong", namespace: "kong" }],
                                rules: [{ matches: [{ path: { type: "PathPrefix", value: "/shop" }, method: "GET" }], backendRefs: [{ name: "shop", port: 8080 }] }],
                            },
                        },
                        { annotations: { "konghq.com/plugins": "shop-cors" } },
                    ),
                ],
                expect: [/HTTPRoute shop\/shop-edge has the cors plugin but the methods of its matches "GET" leaves out OPTIONS/],
            },
        ],
        good: [
            {
                name: "the same HTTPRoute with an OPTIONS match (as meshgate writes)",
                resources: [
                    gateway([selectorListener(["shop"])]),
                    k8s("configuration.konghq.com/v1", "KongPlugin", "shop-cors", "shop", { plugin: "cors", config: { origins: ["https://shop.example.com"] } }),
                    k8s(
                        GW,
                        "HTTPRoute",
                        "shop-edge",
                        "shop",
                        {
                            spec: {
                                parentRefs: [{ name: "kong", namespace: "kong" }],
                                rules: [
                                    {
                                        matches: ["GET", "OPTIONS"].map((method) => ({ path: { type: "PathPrefix", value: "/shop" }, method })),
                                        backendRefs: [{ name: "shop", port: 8080 }],
                                    },
                                ],
                            },
                        },
                        { annotations: { "konghq.com/plugins": "shop-cors" } },
                    ),
                ],
            },
        ],
    },
];
