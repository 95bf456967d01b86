// gRPC through Kong: the backend Service of a gRPC route must be HTTP/2 for Kong (konghq.com/protocol) and for Istio (the port's appProtocol or name).
import { k8s } from "../harness";
import type { RuleCases } from "./types";

const GW = "gateway.networking.k8s.io/v1";
const gateway = k8s(GW, "Gateway", "kong", "kong", {
    spec: { gatewayClassName: "kong", listeners: [{ name: "https", port: 443, protocol: "HTTPS", allowedRoutes: { namespaces: { from: "All" } } }] },
});
const meshed = k8s("v1", "Namespace", "shop", undefined, {}, { labels: { "istio-injection": "enabled" } });
const service = (port: Record<string, unknown>, annotations: Record<string, string> = { "konghq.com/protocol": "grpc" }) =>
    k8s("v1", "Service", "catalog", "shop", { spec: { selector: { app: "catalog" }, ports: [{ port: 8080, targetPort: 8080, protocol: "TCP", ...port }] } }, { annotations });
const grpcRoute = k8s(GW, "GRPCRoute", "catalog-edge", "shop", {
    spec: {
        parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "kong", namespace: "kong" }],
        rules: [{ matches: [{ method: { service: "shop.v1.Catalog" } }], backendRefs: [{ name: "catalog", port: 8080 }] }],
    },
});
const ingress = (protocols: string) =>
    k8s(
        "networking.k8s.io/v1",
        "Ingress",
        "catalog",
        "shop",
        {
            spec: {
                ingressClassName: "kong",
                rules: [{ http: { paths: [{ path: "/shop.v1.Catalog", pathType: "Prefix", backend: { service: { name: "catalog", port: { number: 8080 } } } }] } }],
            },
        },
        { annotations: { "konghq.com/protocols": protocols } },
    );

const keyAuth = (protocols: string[] | undefined) =>
    k8s("configuration.konghq.com/v1", "KongPlugin", "catalog-key-auth", "shop", { plugin: "key-auth", ...(protocols ? { protocols } : {}), config: { key_names: ["apikey"] } });
const withPlugins = (props: Record<string, unknown>, plugins: string) => {
    const meta = props.metadata as { annotations?: Record<string, string> };
    return { ...props, metadata: { ...meta, annotations: { ...(meta.annotations ?? {}), "konghq.com/plugins": plugins } } };
};

export const kongGrpcCases: RuleCases[] = [
    {
        rule: "kong-grpc-upstream-protocol",
        bad: [
            {
                name: "a GRPCRoute whose meshed backend port is named http (HTTP/1.1 for Istio)",
                resources: [gateway, meshed, grpcRoute, service({ name: "http" })],
                expect: [
                    /GRPCRoute shop\/catalog-edge serves gRPC, but port 8080 of its Service shop\/catalog is http for Istio's sidecars \(port name "http"\): they proxy it as HTTP\/1\.1/,
                ],
            },
            {
                name: "a GRPCRoute whose backend port says appProtocol http (appProtocol wins over a grpc name)",
                resources: [gateway, grpcRoute, service({ name: "grpc", appProtocol: "http" })],
                expect: [/is http for Istio's sidecars \(appProtocol http\)/],
            },
            {
                name: "a grpc Ingress whose Service has no konghq.com/protocol (Kong's service is http)",
                resources: [meshed, ingress("grpc,grpcs"), service({ name: "grpc", appProtocol: "grpc" }, {})],
                expect: [/Ingress shop\/catalog serves gRPC, but its Service shop\/catalog has no konghq.com\/protocol, so Kong's service is http/],
            },
            {
                name: "a GRPCRoute whose Service says konghq.com/protocol: http",
                resources: [gateway, grpcRoute, service({ name: "grpc" }, { "konghq.com/protocol": "http" })],
                expect: [/says konghq.com\/protocol: http: Kong sends the calls upstream as HTTP\/1\.1/],
            },
        ],
        good: [
            {
                name: "meshgate's gRPC service: appProtocol grpc and konghq.com/protocol grpc, behind a GRPCRoute",
                resources: [gateway, meshed, grpcRoute, service({ name: "grpc", appProtocol: "grpc" })],
            },
            { name: "a grpc Ingress to a port named grpc-api with konghq.com/protocol grpc", resources: [meshed, ingress("grpcs"), service({ name: "grpc-api" })] },
            {
                name: "a GRPCRoute without konghq.com/protocol (KIC derives grpc/grpcs from the listeners) to an h2c port",
                resources: [gateway, grpcRoute, service({ name: "web", appProtocol: "kubernetes.io/h2c" }, {})],
            },
            { name: "an HTTP Ingress (protocols http, https) to a port named http", resources: [meshed, ingress("http,https"), service({ name: "http" }, {})] },
            {
                name: "a GRPCRoute into a namespace without sidecars (no Istio protocol selection)",
                resources: [gateway, k8s("v1", "Namespace", "shop", undefined, {}), grpcRoute, service({ name: "http" })],
            },
        ],
    },
    {
        rule: "kong-plugin-route-protocols",
        bad: [
            {
                name: "a key-auth limited to http and https on a GRPCRoute",
                resources: [gateway, keyAuth(["http", "https"]), { ...grpcRoute, props: withPlugins(grpcRoute.props, "catalog-key-auth") }],
                expect: [
                    /GRPCRoute shop\/catalog-edge serves grpc, grpcs, but its plugin catalog-key-auth \(key-auth\) runs only on http, https: Kong refuses a plugin that matches none of its route's protocols/,
                ],
            },
            {
                name: "a plugin limited to grpc on an HTTP Ingress",
                resources: [keyAuth(["grpc"]), { ...ingress("http,https"), props: withPlugins(ingress("http,https").props, "catalog-key-auth") }],
                expect: [/Ingress shop\/catalog serves http, https, but its plugin catalog-key-auth \(key-auth\) runs only on grpc/],
            },
        ],
        good: [
            {
                name: "a key-auth limited to grpc and grpcs on a GRPCRoute",
                resources: [gateway, keyAuth(["grpc", "grpcs"]), { ...grpcRoute, props: withPlugins(grpcRoute.props, "catalog-key-auth") }],
            },
            {
                name: "a key-auth without protocols (its default covers every protocol) on a gRPC Ingress",
                resources: [keyAuth(undefined), { ...ingress("grpcs"), props: withPlugins(ingress("grpcs").props, "catalog-key-auth") }],
            },
            {
                name: "a plugin limited to https on an Ingress of http and https (one protocol in common)",
                resources: [keyAuth(["https"]), { ...ingress("http,https"), props: withPlugins(ingress("http,https").props, "catalog-key-auth") }],
            },
        ],
    },
];
