// gRPC through Kong: a route that serves gRPC (a GRPCRoute on a Kong Gateway, or an Ingress whose
// konghq.com/protocols are grpc/grpcs only) reaches a working upstream only when every hop speaks
// HTTP/2 to it.
// - Kong: the Kong service's protocol is the backend Service's konghq.com/protocol (KIC 3.5
//   internal/dataplane/kongstate/service.go overrideProtocol); without it an Ingress's Kong service
//   is http, so Kong sends the call as HTTP/1.1 and it fails. For a GRPCRoute KIC derives grpc or
//   grpcs from the Gateway's listeners (translate_grpcroute.go getProtocolForKongService), so
//   only an explicit http/https annotation is wrong there.
// - Istio (1.30 ops/configuration/traffic-management/protocol-selection): the sidecars pick the
//   port's protocol from `appProtocol`, else from the port name `<protocol>[-<suffix>]`; grpc,
//   grpc-web and http2 (and kubernetes.io/h2c) are HTTP/2, `http` is HTTP/1.1, anything else is
//   sniffed or TCP. A gRPC port named `http` makes Kong's sidecar send HTTP/1.1 upstream.
import type { EnforcementLevel, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { arr, get, metaOf, splitList, str, tunables, typeSet, T } from "./common";
import { GRPC_ROUTE_TYPES } from "./kong-gateway-api";
import { injectionState } from "./istio";
import { KongIndex, kongRoutes, PLUGINS_ANNOTATION, routeClassProperties } from "./kong";

const ingressTypes = typeSet(T.ingress);
const grpcRouteTypes = typeSet(GRPC_ROUTE_TYPES);
const gatewayTypes = typeSet(T.gateway);
const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);
const GRPC_PROTOCOLS = new Set(["grpc", "grpcs"]);
/** Istio 1.30 protocols (appProtocol or the port name's prefix) that are HTTP/2 on the sidecars. */
const HTTP2_PROTOCOLS = new Set(["grpc", "grpc-web", "http2"]);
const HTTP2_APP_PROTOCOLS = new Set([...HTTP2_PROTOCOLS, "kubernetes.io/h2c"]);

/** How Istio's sidecars treat a Service port: its protocol as Istio selects it, and whether that is HTTP/2. */
export function istioPortProtocol(port: unknown): { protocol: string; http2: boolean; by: string } {
    const app = str(get(port, "appProtocol"))?.toLowerCase();
    if (app !== undefined && app !== "") return { protocol: app, http2: HTTP2_APP_PROTOCOLS.has(app), by: `appProtocol ${app}` };
    const name = (str(get(port, "name")) ?? "").toLowerCase();
    // grpc-web is a protocol of its own; any other name is <protocol>[-<suffix>].
    const protocol = name.startsWith("grpc-web") ? "grpc-web" : name.split("-")[0];
    const known = ["http", "http2", "https", "grpc", "grpc-web", "tcp", "tls", "mongo", "mysql", "redis", "udp"].includes(protocol);
    return { protocol: known ? protocol : "auto-detected", http2: HTTP2_PROTOCOLS.has(protocol), by: name === "" ? "an unnamed port" : `port name "${name}"` };
}

interface GrpcRoute {
    resource: PolicyResource;
    kind: "Ingress" | "GRPCRoute";
    namespace: string;
    name: string;
    backends: { name: string; port: number | string | undefined }[];
}

/** Routes Kong serves as gRPC: GRPCRoutes on a Gateway of Kong's classes, Ingresses of Kong's classes with only grpc/grpcs protocols. */
function grpcRoutes(resources: readonly PolicyResource[], ingressClasses: readonly string[], gatewayClasses: readonly string[]): GrpcRoute[] {
    const gatewayClass = new Map<string, string>();
    for (const r of resources) {
        if (!gatewayTypes.has(r.type)) continue;
        const m = metaOf(r.props, r.name);
        gatewayClass.set(`${m.namespace}/${m.name}`, str(get(r.props, "spec", "gatewayClassName")) ?? "");
    }
    const out: GrpcRoute[] = [];
    for (const r of resources) {
        const meta = metaOf(r.props, r.name);
        if (ingressTypes.has(r.type)) {
            const cls = str(get(r.props, "spec", "ingressClassName")) ?? meta.annotations["kubernetes.io/ingress.class"];
            const protocols = splitList(meta.annotations["konghq.com/protocols"]).map((p) => p.toLowerCase());
            if (cls === undefined || !ingressClasses.includes(cls) || protocols.length === 0 || !protocols.every((p) => GRPC_PROTOCOLS.has(p))) continue;
            const backends: GrpcRoute["backends"] = [];
            const add = (b: unknown) => {
                const name = str(get(b, "service", "name"));
                if (name !== undefined) backends.push({ name, port: num(get(b, "service", "port", "number")) ?? str(get(b, "service", "port", "name")) });
            };
            add(get(r.props, "spec", "defaultBackend"));
            for (const rule of arr(get(r.props, "spec", "rules"))) for (const p of arr(get(rule, "http", "paths"))) add(get(p, "backend"));
            out.push({ resource: r, kind: "Ingress", namespace: meta.namespace, name: meta.name, backends });
        } else if (grpcRouteTypes.has(r.type)) {
            const onKong = arr(get(r.props, "spec", "parentRefs")).some(
                (ref) =>
                    (str(get(ref, "kind")) ?? "Gateway") === "Gateway" &&
                    gatewayClasses.includes(gatewayClass.get(`${str(get(ref, "namespace")) ?? meta.namespace}/${str(get(ref, "name")) ?? ""}`) ?? ""),
            );
            if (!onKong) continue;
            const backends: GrpcRoute["backends"] = [];
            for (const rule of arr(get(r.props, "spec", "rules")))
                for (const b of arr(get(rule, "backendRefs"))) {
                    const name = str(get(b, "name"));
                    if ((str(get(b, "kind")) ?? "Service") === "Service" && name !== undefined && (str(get(b, "namespace")) ?? meta.namespace) === meta.namespace)
                        backends.push({ name, port: num(get(b, "port")) });
                }
            out.push({ resource: r, kind: "GRPCRoute", namespace: meta.namespace, name: meta.name, backends });
        }
    }
    return out;
}

const defaults = { ingressClasses: ["kong"], gatewayClasses: ["kong"] };

/** gRPC routes whose backend Service Kong or Istio would talk HTTP/1.1 (or opaque TCP) to. */
export function kongGrpcUpstreamProtocol(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return {
        name: "kong-grpc-upstream-protocol",
        description:
            "The backend Service of a gRPC route Kong serves (a GRPCRoute, or an Ingress with konghq.com/protocols grpc/grpcs) must speak HTTP/2 on every hop: its port appProtocol grpc (or a grpc-/http2- name) for Istio's sidecars, and konghq.com/protocol grpc or grpcs for Kong (an Ingress's Kong service is http otherwise).",
        enforcementLevel: level,
        configSchema: {
            properties: {
                ...routeClassProperties(defaults),
            },
        },
        validateStack: (args, report) => {
            const c = tunables(defaults, args);
            const services = new Map<string, PolicyResource>();
            const namespaces = new Map<string, PolicyResource>();
            for (const r of args.resources) {
                if (r.type === T.service) services.set(`${metaOf(r.props, r.name).namespace}/${metaOf(r.props, r.name).name}`, r);
                else if (r.type === T.namespace) namespaces.set(metaOf(r.props, r.name).name, r);
            }
            for (const route of grpcRoutes(args.resources, c.ingressClasses, c.gatewayClasses)) {
                const what = `${route.kind} ${route.namespace}/${route.name}`;
                const seen = new Set<string>();
                for (const b of route.backends) {
                    const key = `${b.name}:${String(b.port)}`;
                    if (seen.has(key)) continue;
                    seen.add(key);
                    const svc = services.get(`${route.namespace}/${b.name}`);
                    if (svc === undefined) continue;
                    const svcMeta = metaOf(svc.props, svc.name);
                    const kongProtocol = svcMeta.annotations["konghq.com/protocol"];
                    if (kongProtocol !== undefined ? !GRPC_PROTOCOLS.has(kongProtocol) : route.kind === "Ingress") {
                        report(
                            `${what} serves gRPC, but its Service ${route.namespace}/${b.name} ${kongProtocol === undefined ? "has no konghq.com/protocol, so Kong's service is http" : `says konghq.com/protocol: ${kongProtocol}`}: Kong sends the calls upstream as HTTP/1.1 and they fail; annotate the Service konghq.com/protocol: grpc (grpcs when the workload itself serves TLS).`,
                            svc.urn,
                        );
                    }
                    const ns = namespaces.get(route.namespace);
                    if (ns !== undefined && injectionState(metaOf(ns.props, ns.name).labels) !== "enabled") continue;
                    const ports = arr(get(svc.props, "spec", "ports"));
                    const port = ports.find((p) => (typeof b.port === "number" ? num(get(p, "port")) === b.port : b.port === undefined || str(get(p, "name")) === b.port));
                    if (port === undefined) continue;
                    const sel = istioPortProtocol(port);
                    if (!sel.http2) {
                        report(
                            `${what} serves gRPC, but port ${String(num(get(port, "port")) ?? b.port)} of its Service ${route.namespace}/${b.name} is ${sel.protocol} for Istio's sidecars (${sel.by}): they proxy it as ${sel.protocol === "http" ? "HTTP/1.1" : sel.protocol === "auto-detected" ? "whatever they sniff, plain TCP for a server-first or TLS stream" : sel.protocol}, not HTTP/2, so gRPC calls from Kong's sidecar fail; set the port's appProtocol: grpc (or name it grpc or grpc-<suffix>).`,
                            svc.urn,
                        );
                    }
                }
            }
        },
    };
}

/**
 * KongPlugins limited by `protocols` to protocols a route they are attached to does not serve
 * (e.g. key-auth with protocols [http, https] on a gRPC route): Kong refuses the pair (Kong 3.9
 * kong/db/dao/plugins.lua check_protocols_match: "must match the associated route's protocols"),
 * so the route runs without the plugin. The route's protocols: konghq.com/protocols, else KIC's
 * defaults (http, https; grpc, grpcs for a GRPCRoute).
 */
export function kongPluginRouteProtocols(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return {
        name: "kong-plugin-route-protocols",
        description:
            "A KongPlugin attached to a route must share a protocol with it (its `protocols` against the route's konghq.com/protocols, or http/https, grpc/grpcs for a GRPCRoute): Kong refuses a plugin that matches none of the route's protocols, and the route runs without it (a key-auth limited to http/https leaves a gRPC route open).",
        enforcementLevel: level,
        configSchema: {
            properties: {
                ...routeClassProperties(defaults),
            },
        },
        validateStack: (args, report) => {
            const c = tunables(defaults, args);
            const idx = KongIndex.of(args.resources);
            for (const route of kongRoutes(idx, c.ingressClasses, c.gatewayClasses)) {
                for (const entry of splitList(route.annotations[PLUGINS_ANNOTATION])) {
                    const p = idx.resolve(entry, route.namespace);
                    if (p === undefined || p.disabled || p.protocols === undefined || p.protocols.some((x) => route.protocols.includes(x))) continue;
                    report(
                        `${route.kind} ${route.namespace}/${route.name} serves ${route.protocols.join(", ")}, but its plugin ${entry} (${p.plugin}) runs only on ${p.protocols.join(", ")}: Kong refuses a plugin that matches none of its route's protocols ("must match the associated route's protocols"), so the route runs without ${p.plugin}; add the route's protocols to the plugin's protocols, or drop the field.`,
                        route.resource.urn,
                    );
                }
            }
        },
    };
}

export const kongGrpcRules = [kongGrpcUpstreamProtocol, kongPluginRouteProtocols];
