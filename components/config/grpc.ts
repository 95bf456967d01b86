/**
 * gRPC services (`protocol: grpc`): how Kong routes them, and what a declaration cannot ask of
 * a gRPC route. A gRPC call is an HTTP/2 POST to `/<package.Service>/<Method>` with
 * `content-type: application/grpc` and its status in trailers.
 *
 * Upstream, at the pinned versions:
 * - Kong 3.9 kong/db/schema/entities/routes.lua (grpc_subschema): a route whose protocols are
 *   grpc or grpcs refuses `methods` ("cannot set 'methods' when 'protocols' is 'grpc' or
 *   'grpcs'") and `strip_path: true`.
 * - kong/kong chart 3.4.1 values.yaml: `proxy.http.parameters: []`, `proxy.tls.parameters:
 *   [http2]`: Kong's plain listener does not speak HTTP/2, so gRPC clients reach Kong over TLS
 *   (grpcs) on the listener where Kong ends TLS. An NLB that ends TLS itself (ACM) forwards to
 *   Kong's plain listener, where a gRPC call cannot work.
 * - KIC 3.5 (Kong/kubernetes-ingress-controller v3.5.13)
 *   internal/dataplane/translator/translate_grpcroute.go: a GRPCRoute's Kong routes take the
 *   protocols of its Gateway's listeners (HTTP: grpc, HTTPS: grpcs); without an HTTPS listener
 *   (no `tls.secretName`) the route is grpc only, on the plain listener.
 */
import type { ConfigIssue } from "./cross-checks";
import type { GatewayConfig, GrpcMethodSpec, ServiceSpec } from "./schema";

/** Does the service speak gRPC? (`protocol` absent means http.) */
export function isGrpc(spec: Pick<Partial<ServiceSpec>, "protocol">): boolean {
    return spec.protocol === "grpc";
}

/** The path prefix of a `gateway.grpc` entry's calls: `/<service>` or `/<service>/<method>` (an Ingress Prefix path). */
export function grpcPath(m: GrpcMethodSpec): string {
    return m.method === undefined ? `/${m.service}` : `/${m.service}/${m.method}`;
}

/**
 * The paths Kong routes for an exposed service: the declared paths (HTTP), or for gRPC the
 * prefixes of the declared gRPC services and methods, `/` when every call is routed.
 */
export function edgePaths(spec: Pick<Partial<ServiceSpec>, "protocol" | "gateway">): string[] {
    const gw = spec.gateway;
    if (gw === undefined) return [];
    if (!isGrpc(spec)) return [...gw.paths];
    return gw.grpc === undefined ? ["/"] : gw.grpc.map(grpcPath);
}

/** Where the k-th edge path of a service is declared: `gateway.paths[k]`, or `gateway.grpc[k]` (gRPC; `gateway` when every call is routed). */
export function edgePathField(spec: Pick<Partial<ServiceSpec>, "protocol" | "gateway">, k: number): string {
    if (!isGrpc(spec)) return `gateway.paths[${k}]`;
    return spec.gateway?.grpc === undefined ? "gateway" : `gateway.grpc[${k}]`;
}

/**
 * What a service's own declaration asks that cannot work with its protocol: a gRPC route with
 * paths, methods, strip-path, CORS or oauth2; an HTTP route without paths, or with gRPC matches.
 * `at` prefixes each path (`services[2]`).
 */
export function protocolIssues(spec: Partial<ServiceSpec>, at: string): ConfigIssue[] {
    const out: ConfigIssue[] = [];
    const add = (path: string, message: string) => out.push({ path: `${at}.${path}`, message });
    const gw = spec.gateway;
    if (gw === undefined) return out;
    if (!isGrpc(spec)) {
        if (gw.paths.length === 0) add("gateway.paths", "must list at least one path");
        if (gw.grpc !== undefined)
            add("gateway.grpc", `routes gRPC calls, but the service's protocol is ${spec.protocol ?? "http (the default)"}; set protocol: grpc, or list paths`);
        return out;
    }
    if (gw.paths.length > 0) {
        add(
            "gateway.paths",
            "a gRPC service is routed by gRPC service and method, not by path: list them in gateway.grpc ([{service: helloworld.Greeter}, {service: helloworld.Greeter, method: SayHello}]), or leave both out to route every call",
        );
    }
    if (gw.methods.length > 0) {
        add(
            "gateway.methods",
            "every gRPC call is an HTTP/2 POST, and Kong refuses methods on a grpc route (Kong 3.9 routes.lua: cannot set 'methods' when 'protocols' is 'grpc' or 'grpcs'); remove methods",
        );
    }
    if (gw.stripPath) {
        add(
            "gateway.stripPath",
            "a gRPC call's path names its service and method, and Kong refuses strip_path on a grpc route (Kong 3.9 routes.lua: cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs'); remove stripPath",
        );
    }
    if (gw.cors !== undefined) {
        add(
            "gateway.cors",
            "browsers cannot make gRPC calls (they read no HTTP/2 trailers; gRPC-Web is another protocol, translated by a proxy), so CORS has nothing to allow on a gRPC route; remove cors",
        );
    }
    if (gw.auth === "oauth2") {
        add(
            "gateway.auth",
            "oauth2's token endpoint (<route path>/oauth2/token) is a form POST over HTTP, which a route with the grpc protocols does not serve, so no client could get a token; use key-auth or jwt (a gRPC client sends them as metadata)",
        );
    }
    return out;
}

/** What a gRPC service exposed by Kong needs from the stack's edge: Kong ends TLS (HTTP/2 is on Kong's TLS listener only), and a Gateway with an HTTPS listener. */
export function grpcEdgeIssues(spec: Partial<ServiceSpec>, at: string, gateway: GatewayConfig | undefined): ConfigIssue[] {
    if (!isGrpc(spec) || spec.gateway === undefined || gateway === undefined) return [];
    const out: ConfigIssue[] = [];
    if (gateway.tls?.certificateArn !== undefined) {
        out.push({
            path: `${at}.protocol`,
            message:
                "grpc needs Kong to end TLS, but gateway.tls.certificateArn ends it at the NLB, which forwards plain bytes to Kong's HTTP listener: that listener does not speak HTTP/2 (kong/kong chart proxy.http.parameters: []), so every gRPC call fails; use gateway.tls.secretName, or expose no gRPC service",
        });
    } else if (gateway.api === "gateway-api" && gateway.tls?.secretName === undefined) {
        out.push({
            path: `${at}.protocol`,
            message:
                "grpc with gateway.api gateway-api needs gateway.tls.secretName: without it Kong's Gateway has only the plain HTTP listener, KIC gives the GRPCRoute the grpc protocol only, and Kong's plain listener does not speak HTTP/2 (kong/kong chart proxy.http.parameters: []); set tls.secretName, or use gateway.api: ingress (Kong's self-signed TLS listener)",
        });
    }
    return out;
}
