// Gateway API mesh routes (HTTPRoute with a Service parent; mesh.routing gateway-api): each firing
// case is the mistake a VirtualService→HTTPRoute move makes, each quiet case what meshgate emits.
import { k8s } from "../harness";
import type { RuleCases } from "./types";

const GW = "gateway.networking.k8s.io/v1";
const NET = "networking.istio.io/v1";

const svc = (name: string, namespace: string, selector: Record<string, string>, port = 8080) =>
    k8s("v1", "Service", name, namespace, { spec: { selector, ports: [{ name: "http", port }] } });
const meshRoute = (name: string, namespace: string, rules: Record<string, unknown>[], parent = name) =>
    k8s(GW, "HTTPRoute", name, namespace, { spec: { parentRefs: [{ group: "", kind: "Service", name: parent }], rules } });
const split = (svcName: string, weights: [string, number][], port = 8080) => ({
    matches: [{ path: { type: "PathPrefix", value: "/" } }],
    backendRefs: weights.map(([v, weight]) => ({ name: v === "" ? svcName : `${svcName}-${v}`, port, weight })),
});
const dr = (
    name: string,
    namespace: string,
    host: string,
    trafficPolicy: Record<string, unknown> = { tls: { mode: "ISTIO_MUTUAL" }, outlierDetection: { consecutive5xxErrors: 5 } },
) => k8s(NET, "DestinationRule", name, namespace, { spec: { host, trafficPolicy } });
/** What meshgate emits for user-service with v1 90 / v2 10 in gateway-api mode. */
const versioned = () => [
    svc("user-service", "users", { app: "user-service" }),
    svc("user-service-v1", "users", { app: "user-service", version: "v1" }),
    svc("user-service-v2", "users", { app: "user-service", version: "v2" }),
    dr("user-service", "users", "user-service.users.svc.cluster.local"),
    dr("user-service-v1", "users", "user-service-v1.users.svc.cluster.local"),
    dr("user-service-v2", "users", "user-service-v2.users.svc.cluster.local"),
    meshRoute("user-service", "users", [
        split("user-service", [
            ["v1", 90],
            ["v2", 10],
        ]),
    ]),
];
const kongGateway = k8s(GW, "Gateway", "kong", "kong", { spec: { gatewayClassName: "kong", listeners: [] } });
/** A Kong edge route (Gateway parent) to the same Service: not a mesh route. */
const edgeRoute = k8s(GW, "HTTPRoute", "user-service-edge", "users", {
    spec: { parentRefs: [{ name: "kong", namespace: "kong" }], rules: [{ backendRefs: [{ name: "user-service", port: 8080 }] }] },
});

export const meshRouteCases: RuleCases[] = [
    {
        rule: "mesh-route-virtual-service-conflict",
        bad: [
            {
                name: "a mesh HTTPRoute and a VirtualService left for the same Service host",
                resources: [
                    k8s(NET, "VirtualService", "user-service", "users", {
                        spec: { hosts: ["user-service.users.svc.cluster.local"], http: [{ route: [{ destination: { host: "user-service.users.svc.cluster.local" } }] }] },
                    }),
                    ...versioned(),
                ],
                expect: [
                    /HTTPRoute users\/user-service routes Service users\/user-service in the mesh, and VirtualService users\/user-service routes the same host user-service\.users\.svc\.cluster\.local/,
                ],
            },
        ],
        good: [
            { name: "the HTTPRoute alone (meshgate's gateway-api output)", resources: versioned() },
            {
                name: "a VirtualService bound to an ingress gateway only, and a Kong edge HTTPRoute",
                resources: [
                    k8s(NET, "VirtualService", "user-service", "users", {
                        spec: { hosts: ["user-service.users.svc.cluster.local"], gateways: ["istio-system/ingress"], http: [] },
                    }),
                    edgeRoute,
                ],
            },
        ],
    },
    {
        rule: "mesh-route-references-resolve",
        bad: [
            {
                name: "a backendRef to a version Service that does not exist, and a port the parent lacks",
                resources: [
                    svc("user-service", "users", { app: "user-service" }),
                    svc("user-service-v1", "users", { app: "user-service", version: "v1" }),
                    k8s(GW, "HTTPRoute", "user-service", "users", {
                        spec: {
                            parentRefs: [{ group: "", kind: "Service", name: "user-service", port: 9090 }],
                            rules: [
                                split("user-service", [
                                    ["v1", 90],
                                    ["v2", 10],
                                ]),
                            ],
                        },
                    }),
                ],
                expect: [/spec\.rules\[0\]\.backendRefs\[1\]: Service users\/user-service-v2 is not in the input/, /parent Service users\/user-service has no port 9090/],
            },
        ],
        good: [
            { name: "meshgate's gateway-api output", resources: versioned() },
            { name: "a route whose namespace the input does not describe (not judged)", resources: [meshRoute("web", "elsewhere", [split("web", [["", 100]])])] },
        ],
    },
    {
        rule: "mesh-route-version-split",
        bad: [
            {
                name: "a weighted split between the Service itself and a version Service (the parent selects every version)",
                resources: [
                    svc("user-service", "users", { app: "user-service" }),
                    svc("user-service-v2", "users", { app: "user-service", version: "v2" }),
                    meshRoute("user-service", "users", [
                        split("user-service", [
                            ["", 90],
                            ["v2", 10],
                        ]),
                    ]),
                ],
                expect: [
                    /splits between Services users\/user-service \(selects app=user-service\) and users\/user-service-v2 \(selects app=user-service,version=v2\), which can select the same pods/,
                ],
            },
            {
                name: "a version Service that selects no version label",
                resources: [
                    svc("user-service-v1", "users", { app: "user-service", version: "v1" }),
                    svc("user-service-v2", "users", { app: "user-service" }),
                    meshRoute("user-service", "users", [
                        split("user-service", [
                            ["v1", 90],
                            ["v2", 10],
                        ]),
                    ]),
                ],
                expect: [/users\/user-service-v2 \(selects app=user-service\)/],
            },
        ],
        good: [
            { name: "version Services with one version label value each", resources: versioned() },
            {
                name: "a backend of weight 0 beside the live one",
                resources: [
                    svc("user-service", "users", { app: "user-service" }),
                    svc("user-service-v2", "users", { app: "user-service", version: "v2" }),
                    meshRoute("user-service", "users", [
                        split("user-service", [
                            ["", 100],
                            ["v2", 0],
                        ]),
                    ]),
                ],
            },
        ],
    },
    {
        rule: "mesh-route-backend-destination-rule",
        bad: [
            {
                name: "version Services without the DestinationRule the Service has (outlier detection lost on routed traffic)",
                resources: [
                    ...versioned().filter((r) => !/user-service-v\d$/.test(r.name) || r.type.endsWith(":Service")),
                    meshRoute("user-service", "users", [
                        split("user-service", [
                            ["v1", 90],
                            ["v2", 10],
                        ]),
                    ]),
                ],
                expect: [
                    /sends Service users\/user-service's traffic to user-service-v1\.users\.svc\.cluster\.local, user-service-v2\.users\.svc\.cluster\.local, which no DestinationRule names; DestinationRule users\/user-service \(tls, outlierDetection\)/,
                ],
            },
        ],
        good: [
            { name: "a DestinationRule per version Service", resources: versioned() },
            {
                name: "a route to the Service itself (no versions)",
                resources: [svc("web", "shop", { app: "web" }), dr("web", "shop", "web.shop.svc.cluster.local"), meshRoute("web", "shop", [split("web", [["", 100]])])],
            },
        ],
    },
    {
        // The CRD rule validates mesh routes like any HTTPRoute (Gateway API v1.3.0 schema + CEL).
        rule: "kubernetes-crd-schema",
        bad: [
            {
                name: "a mesh HTTPRoute whose backendRef to a Service has no port (Gateway API CEL rule)",
                resources: [
                    k8s(GW, "HTTPRoute", "user-service", "users", {
                        spec: { parentRefs: [{ group: "", kind: "Service", name: "user-service" }], rules: [{ backendRefs: [{ name: "user-service-v1" }] }] },
                    }),
                ],
                expect: [/Must have port for Service reference/],
            },
        ],
        good: [
            {
                name: "meshgate's mesh HTTPRoute",
                resources: [
                    meshRoute("user-service", "users", [
                        split("user-service", [
                            ["v1", 90],
                            ["v2", 10],
                        ]),
                    ]),
                ],
            },
        ],
    },
    {
        // Kong's rules judge Kong's routes only: a mesh route (Service parent) is not exposed by Kong.
        rule: "kong-route-authentication",
        bad: [
            {
                name: "a Kong edge HTTPRoute without authentication",
                resources: [kongGateway, edgeRoute],
                expect: [/HTTPRoute users\/user-service-edge is exposed by Kong without an authentication plugin/],
            },
        ],
        good: [{ name: "a mesh HTTPRoute (parent: a Service) without plugins", resources: [kongGateway, ...versioned()] }],
    },
];
