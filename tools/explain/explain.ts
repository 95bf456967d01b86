/**
 * explain(): one request through the indexed objects, hop by hop. External
 * requests (no `from`) go NLB → Kong route → Kong plugins → Kong upstream →
 * Kong's sidecar → the destination sidecar; internal ones (`from` =
 * namespace/serviceaccount) start at the caller's sidecar. Pure: no I/O.
 */
import { kongRoutes, matchRoute, nlbHop } from "./edge";
import { meshHops, type MeshResult } from "./mesh";
import { annotation, namespaceInjected, servicePort, serviceSelector, type ModelIndex } from "./model-index";
import { arr, get, nameOf, nsOf, num, obj, str, strs } from "./objects";
import { istioPortProtocol } from "../../policies/rules/kong-grpc";
import { effectivePlugins, globalPlugins, runPlugins, type ChainState } from "./plugins";
import { kongSpan, sidecarSpan, type KongTrace } from "./tracing";
import type { ExplainRequest, Explanation, K8sObject, Span } from "./types";
import { Walk } from "./walk";

export { buildIndex } from "./model-index";
export { kongRoutes };

function hostWithPort(host: string, port: number | string): string {
    return port === 80 || port === 443 ? host : `${host}:${port}`;
}

/** Does Kong's pod run a sidecar that intercepts its outbound traffic to this port? */
function kongSidecar(index: ModelIndex, port: number): { on: boolean; why: string } {
    const v = index.kong.values;
    const podAnn = obj(v.podAnnotations) as Record<string, string>;
    const podLabels = obj(v.podLabels) as Record<string, string>;
    const inject = podLabels["sidecar.istio.io/inject"] ?? podAnn["sidecar.istio.io/inject"];
    const ns = namespaceInjected(index, index.kong.namespace);
    // Istio 1.30 injection: the pod label/annotation sidecar.istio.io/inject overrides the namespace's label.
    if (inject === "false") return { on: false, why: "Kong's pods opt out of injection (sidecar.istio.io/inject: false)" };
    if (!ns.injected && inject !== "true") return { on: false, why: `Kong has no sidecar (${ns.why})` };
    const excluded = (podAnn["traffic.sidecar.istio.io/excludeOutboundPorts"] ?? "").split(",").map((s) => s.trim());
    if (excluded.includes(String(port))) return { on: false, why: `Kong's sidecar does not intercept port ${port} (traffic.sidecar.istio.io/excludeOutboundPorts)` };
    return { on: true, why: ns.why };
}

function lastHop(walk: Walk) {
    const real = walk.hops.filter((h) => h.hop !== "tracing");
    return real[real.length - 1]?.hop ?? "nlb";
}

function finish(walk: Walk, request: ExplainRequest, service: string | null, route: string | null, mesh: MeshResult | undefined, spans: Span[]): Explanation {
    walk.info(
        "tracing",
        "Tracing",
        spans.length === 0
            ? "no span is produced"
            : spans
                  .map(
                      (s) =>
                          `${s.by}: ${s.missingBecause === null ? `span sent to ${s.sentTo}` : s.sentTo !== null && s.missingBecause.startsWith("sent for") ? `span sent to ${s.sentTo}, ${s.missingBecause}` : `no span: ${s.missingBecause}`}${(s as { note?: string }).note ? ` (${(s as { note?: string }).note})` : ""}`,
                  )
                  .join("; "),
        null,
    );
    const stop = walk.stop;
    const destinations = stop === undefined && mesh ? mesh.destinations.filter((d) => d.weight > 0) : [];
    const reached = stop === undefined;
    const outcome = stop
        ? { reached: false, status: stop.status, hop: stop.hop, reason: stop.reason, destinations: [], answered: stop.answered === true }
        : {
              reached,
              status: 200,
              hop: lastHop(walk),
              reason: `reaches ${destinations.map((d) => `${d.host.split(".").slice(0, 2).reverse().join("/")}${d.subset ? ` subset ${d.subset}` : ""}${destinations.length > 1 ? ` (${d.weight}%)` : ""}`).join(", ")}`,
              destinations,
              answered: false,
          };
    return { service, route, request, outcome, hops: walk.hops, spans };
}

/** Is the request a gRPC call? gRPC sets `content-type: application/grpc` (or `application/grpc+proto`, …) on every call (grpc/doc/PROTOCOL-HTTP2.md). */
export function isGrpcCall(headers: Readonly<Record<string, string>>): boolean {
    return /^application\/grpc($|[+;])/i.test(headers["content-type"] ?? "");
}

/** Parses `namespace/serviceaccount`. */
export function parseFrom(from: string): { ns: string; sa: string } | undefined {
    const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/.exec(from);
    return m ? { ns: m[1], sa: m[3] } : undefined;
}

/** The Service an in-cluster host names, resolved from the caller's namespace as cluster DNS does. */
export function serviceForHost(index: ModelIndex, host: string, callerNs: string): K8sObject | undefined {
    const parts = host.toLowerCase().split(".");
    const suffix = parts.slice(2).join(".");
    if (parts.length === 1) return index.services.get(`${callerNs}/${parts[0]}`);
    if (suffix === "" || suffix === "svc" || suffix === `svc.${index.mesh.clusterDomain}`) return index.services.get(`${parts[1]}/${parts[0]}`);
    return undefined;
}

export function explain(index: ModelIndex, request: ExplainRequest): Explanation {
    const url = new URL(request.url);
    const walk = new Walk();
    const path = `${url.pathname}${url.search}`;
    const headers: Record<string, string> = { ...request.headers };
    const method = request.method.toUpperCase();
    const spans: Span[] = [];
    if (request.from !== null) {
        return internal(index, request, url, path, headers, method, walk);
    }
    const edge = nlbHop(index, url, walk);
    if (edge === false) return finish(walk, request, null, null, undefined, spans);
    const host = url.hostname;
    const matched = matchRoute(index, host, method, path, headers, walk);
    if (matched === false) {
        spans.push(kongSpan(index, globalPlugins(index)).span);
        return finish(walk, request, null, null, undefined, spans);
    }
    const route = matched.route;
    const ns = nsOf(route.ingress);
    const svc = index.services.get(`${ns}/${route.backend.service}`);
    const svcId = `${ns}/${route.backend.service}`;
    // A gRPC call (content-type application/grpc…) on a route that serves gRPC is grpc over plain
    // HTTP/2, grpcs over TLS (Kong's route protocols; KIC grpc routes take grpc/grpcs only).
    const grpcCall = isGrpcCall(headers);
    const grpcRoute = route.protocols.some((p) => p === "grpc" || p === "grpcs");
    const protocolAtKong = grpcCall && grpcRoute ? (edge.schemeAtKong === "https" ? "grpcs" : "grpc") : edge.schemeAtKong;
    if (grpcCall && !edge.http2) {
        // kong/kong 3.4.1 values.yaml: proxy.http.parameters [] (no http2), proxy.tls.parameters [http2]; nginx speaks HTTP/2 on a listener only with `http2`.
        walk.refuse(
            "kong-route",
            "Kong listener",
            0,
            `a gRPC call needs HTTP/2, but the Kong listener it reaches (${edge.schemeAtKong}) has no http2 parameter: the call fails before any route is chosen; call over TLS on Kong's TLS listener`,
            index.kong.release ?? null,
            "values.proxy.http.parameters",
        );
        spans.push(kongSpan(index, globalPlugins(index)).span);
        return finish(walk, request, svcId, route.id, undefined, spans);
    }
    // Kong 3.9 runloop: a route whose protocols lack the request's scheme answers https_redirect_status_code (426 by default).
    if (!route.protocols.includes(protocolAtKong)) {
        walk.refuse(
            "kong-route",
            "Kong route protocols",
            route.httpsRedirectStatus,
            `the route accepts ${route.protocols.join(", ")} but Kong receives ${protocolAtKong}${grpcRoute && !grpcCall ? " (not a gRPC call: no content-type application/grpc)" : ""}: Kong answers ${route.httpsRedirectStatus}`,
            route.ingress,
            'metadata.annotations["konghq.com/protocols"]',
        );
        spans.push(kongSpan(index, effectivePlugins(index, route, svc, undefined, [])).span);
        return finish(walk, request, svcId, route.id, undefined, spans);
    }
    const state: ChainState = { headers, consumer: undefined, consumerName: null, authenticated: false };
    const consumerObj = request.consumer !== null ? index.consumers.get(request.consumer) : undefined;
    const plugins = effectivePlugins(index, route, svc, consumerObj, []);
    const kt = kongSpan(index, plugins);
    spans.push(kt.span);
    const contentLength = num(headers["content-length"]);
    if (!runPlugins(index, route, svc, { method, consumer: request.consumer, contentLength }, state, edge.clientIpPreserved, walk)) {
        return finish(walk, request, svcId, route.id, undefined, spans);
    }
    if (!svc) {
        walk.refuse(
            "kong-upstream",
            "Kong upstream",
            503,
            `the backend Service ${svcId} is not among the objects: Kong has no target and answers 503`,
            route.ingress,
            `${route.field}.backend.service`,
        );
        return finish(walk, request, svcId, route.id, undefined, spans);
    }
    const port = servicePort(svc, route.backend.port);
    if (!port) {
        walk.refuse(
            "kong-upstream",
            "Kong upstream",
            503,
            `Service ${svcId} has no port ${String(route.backend.port)}: Kong has no target and answers 503`,
            route.ingress,
            `${route.field}.backend.service.port`,
        );
        return finish(walk, request, svcId, route.id, undefined, spans);
    }
    // KIC 3.5 translate_upstreams.go: ingress.kubernetes.io/service-upstream → one target <svc>.<ns>.svc:<port>; else the pod endpoints.
    const serviceUpstream = annotation(svc, "ingress.kubernetes.io/service-upstream") === "true";
    const hostHeaderAnn = annotation(svc, "konghq.com/host-header");
    const targetHost = `${nameOf(svc)}.${nsOf(svc)}.svc`;
    const target = serviceUpstream ? `${targetHost}:${port.port}` : `the pod IPs of ${svcId} on port ${String(port.targetPort)}`;
    // Kong 3.9 kong/runloop/balancer/init.lua set_host_header: preserve_host keeps the client's Host; else upstream host_header (konghq.com/host-header) or the target's name, with the port unless 80/443.
    const sentPort = serviceUpstream ? port.port : typeof port.targetPort === "number" ? port.targetPort : port.port;
    let hostHeader: string;
    let hostWhy: string;
    if (route.preserveHost) {
        hostHeader = url.host;
        hostWhy = "the client's Host (preserve-host true)";
    } else if (hostHeaderAnn !== undefined) {
        hostHeader = hostWithPort(hostHeaderAnn, sentPort);
        hostWhy = "konghq.com/host-header on the Service";
    } else {
        hostHeader = serviceUpstream ? hostWithPort(targetHost, sentPort) : `<pod IP>:${String(port.targetPort)}`;
        hostWhy = "the target's name (preserve-host false, no konghq.com/host-header)";
    }
    // KIC 3.5 translate_grpcroute.go getProtocolForKongService: a GRPCRoute's Kong service is grpc when its Gateway has an HTTP listener, else grpcs.
    const proto = annotation(svc, "konghq.com/protocol") ?? (route.ingress.kind === "GRPCRoute" ? (route.protocols.includes("grpc") ? "grpc" : "grpcs") : "http");
    if (grpcCall && grpcRoute && proto !== "grpc" && proto !== "grpcs") {
        // KIC 3.5 kongstate/service.go: the Service's konghq.com/protocol is the Kong service's protocol (http by default for an Ingress).
        walk.refuse(
            "kong-upstream",
            "Kong upstream",
            502,
            `Kong's service for ${svcId} is ${proto} (konghq.com/protocol on the Service): Kong sends the gRPC call upstream as HTTP/1.1 and the gRPC server cannot answer it; annotate the Service konghq.com/protocol: grpc`,
            svc,
            'metadata.annotations["konghq.com/protocol"]',
        );
        return finish(walk, request, svcId, route.id, undefined, spans);
    }
    const rawPort = arr(get(svc, "spec", "ports")).find((p) => num(get(p, "port")) === port.port);
    const portProtocol = istioPortProtocol(rawPort);
    if (grpcCall && grpcRoute && kongSidecar(index, port.port).on && !portProtocol.http2) {
        // Istio 1.30 protocol selection: appProtocol, else the port name's prefix; grpc/http2 are HTTP/2, http is HTTP/1.1.
        walk.refuse(
            "kong-upstream",
            "Kong upstream",
            502,
            `port ${port.port} of ${svcId} is ${portProtocol.protocol} for Istio (${portProtocol.by}): Kong's sidecar proxies the gRPC call as ${portProtocol.protocol === "http" ? "HTTP/1.1" : portProtocol.protocol} and it fails; give the port appProtocol: grpc`,
            svc,
            "spec.ports",
        );
        return finish(walk, request, svcId, route.id, undefined, spans);
    }
    const forwardedPath = route.stripPath ? `/${path.slice(matched.matchedPrefix.length).replace(/^\/+/, "")}` : path;
    walk.pass(
        "kong-upstream",
        "Kong upstream",
        `Kong proxies ${proto}://${target}${forwardedPath} with Host ${hostHeader} (${hostWhy})${serviceUpstream ? "; one target, so the sidecar balances and the VirtualService applies" : "; Kong balances over pod IPs itself (no ingress.kubernetes.io/service-upstream)"}${route.backendSplit ? `; ${route.backendSplit}` : ""}`,
        svc,
        serviceUpstream ? 'metadata.annotations["ingress.kubernetes.io/service-upstream"]' : "metadata.annotations",
    );
    const sc = kongSidecar(index, sentPort);
    const mesh = meshHops(
        index,
        {
            via: "kong",
            sourceNamespace: index.kong.namespace,
            sourceServiceAccount: index.kong.serviceAccount,
            sourceSidecar: sc.on,
            sourceSidecarWhy: sc.why,
            service: svc,
            port: port.port,
            targetPort: port.targetPort,
            hostHeader,
            toService: serviceUpstream,
            method,
            path: forwardedPath,
            headers: state.headers,
        },
        walk,
    );
    if (sc.on) spans.push(sidecarSpan(index, index.kong.namespace, str(index.kong.release?.name) ?? "kong", {}, true, kt));
    addDestinationSpans(index, walk, mesh, svc, spans, kt);
    return finish(walk, request, svcId, route.id, mesh === false ? undefined : mesh, spans);
}

function addDestinationSpans(index: ModelIndex, walk: Walk, mesh: MeshResult | false, svc: K8sObject, spans: Span[], parent: KongTrace | null): void {
    if (mesh !== false) {
        for (const d of mesh.destinationSidecars)
            spans.push(sidecarSpan(index, d.namespace, d.workload, serviceSelector(index.services.get(`${d.namespace}/${d.workload}`)), d.injected, parent));
    } else if (walk.stop?.hop === "destination-sidecar") {
        // A refusal at the destination sidecar still produces its span (the 403 or reset is traced).
        spans.push(sidecarSpan(index, nsOf(svc), nameOf(svc), serviceSelector(svc), namespaceInjected(index, nsOf(svc)).injected, parent));
    }
}

function internal(index: ModelIndex, request: ExplainRequest, url: URL, path: string, headers: Record<string, string>, method: string, walk: Walk): Explanation {
    const from = parseFrom(request.from!)!;
    const spans: Span[] = [];
    const svc = serviceForHost(index, url.hostname, from.ns);
    if (!svc) {
        walk.refuse(
            "source-sidecar",
            "Caller's sidecar",
            0,
            `${url.hostname} names no Service among the objects (resolved from namespace ${from.ns}): DNS fails, no request is sent`,
            null,
        );
        return finish(walk, request, null, null, undefined, spans);
    }
    const svcId = `${nsOf(svc)}/${nameOf(svc)}`;
    const wanted = url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
    const port = servicePort(svc, wanted);
    if (!port) {
        const ports = (get(svc, "spec", "ports") as unknown[] | undefined)?.map((p) => num(get(p, "port"))).join(", ");
        walk.refuse(
            "source-sidecar",
            "Caller's sidecar",
            0,
            `Service ${svcId} has no port ${wanted} (ports: ${ports}): the connection fails; give the port in the URL`,
            svc,
            "spec.ports",
        );
        return finish(walk, request, svcId, null, undefined, spans);
    }
    const inj = namespaceInjected(index, from.ns);
    const mesh = meshHops(
        index,
        {
            via: "internal",
            sourceNamespace: from.ns,
            sourceServiceAccount: from.sa,
            sourceSidecar: inj.injected,
            sourceSidecarWhy: inj.why,
            service: svc,
            port: port.port,
            targetPort: port.targetPort,
            hostHeader: url.host,
            toService: true,
            method,
            path,
            headers,
        },
        walk,
    );
    spans.push(sidecarSpan(index, from.ns, from.sa, {}, inj.injected, null));
    addDestinationSpans(index, walk, mesh, svc, spans, null);
    return finish(walk, request, svcId, null, mesh === false ? undefined : mesh, spans);
}

/** Declared callers of a workload: the principals named by ALLOW policies that select it, as namespace/serviceaccount. */
export function declaredCallers(index: ModelIndex, svc: K8sObject): string[] {
    const labels = serviceSelector(svc);
    const out = new Set<string>();
    for (const p of [...(index.authorizationPolicies.get(nsOf(svc)) ?? []), ...(index.authorizationPolicies.get(index.mesh.rootNamespace) ?? [])]) {
        if ((str(get(p, "spec", "action")) ?? "ALLOW") !== "ALLOW") continue;
        const sel = get(p, "spec", "selector", "matchLabels") as Record<string, string> | undefined;
        if (sel !== undefined && !Object.entries(sel).every(([k, v]) => labels[k] === v)) continue;
        for (const rule of (get(p, "spec", "rules") as unknown[] | undefined) ?? []) {
            for (const f of (get(rule, "from") as unknown[] | undefined) ?? []) {
                for (const pr of strs(get(f, "source", "principals"))) {
                    const m = /\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(pr);
                    if (m && !pr.includes("*")) out.add(`${m[1]}/${m[2]}`);
                }
            }
        }
    }
    return [...out].sort();
}
