// GRPCRoutes exposed through Kong are judged like HTTPRoutes (KIC serves both from a Kong Gateway).
import { k8s } from "../harness";
import type { RuleCases } from "./types";

const GW = "gateway.networking.k8s.io/v1";
const kongGateway = k8s(GW, "Gateway", "edge", "kong", { spec: { gatewayClassName: "kong", listeners: [{ name: "grpc", port: 443, protocol: "HTTPS" }] } });
const grpcRoute = (plugins?: string) =>
    k8s(
        GW,
        "GRPCRoute",
        "orders",
        "orders",
        {
            spec: {
                parentRefs: [{ name: "edge", namespace: "kong" }],
                rules: [{ matches: [{ method: { service: "orders.v1.Orders" } }], backendRefs: [{ name: "order-service", port: 9090 }] }],
            },
        },
        plugins ? { annotations: { "konghq.com/plugins": plugins } } : {},
    );
const plugin = (name: string, type: string, config: Record<string, unknown>) => k8s("configuration.konghq.com/v1", "KongPlugin", name, "orders", { plugin: type, config });

export const kongGatewayApiCases: RuleCases[] = [
    {
        rule: "kong-route-authentication",
        bad: [
            {
                name: "a GRPCRoute on a Kong Gateway without plugins",
                resources: [kongGateway, grpcRoute()],
                expect: [/GRPCRoute orders\/orders is exposed by Kong without an authentication plugin/],
            },
        ],
        good: [{ name: "a GRPCRoute with key-auth", resources: [kongGateway, plugin("key-auth", "key-auth", { key_names: ["apikey"] }), grpcRoute("key-auth")] }],
    },
    {
        rule: "kong-route-rate-limit",
        bad: [
            {
                name: "a GRPCRoute without a rate limit",
                resources: [kongGateway, plugin("key-auth", "key-auth", {}), grpcRoute("key-auth")],
                expect: [/GRPCRoute orders\/orders is exposed by Kong without a rate limit/],
                level: "advisory",
            },
        ],
        good: [
            {
                name: "a GRPCRoute with rate-limiting",
                resources: [kongGateway, plugin("key-auth", "key-auth", {}), plugin("rl", "rate-limiting", { minute: 100, policy: "local" }), grpcRoute("key-auth, rl")],
            },
        ],
    },
];
