/**
 * The mesh half of a request: the caller's Envoy sidecar (Sidecar egress
 * scope, virtual host by Host header, VirtualService route, DestinationRule
 * subset and TLS) and the destination's sidecar (PeerAuthentication mode,
 * AuthorizationPolicy CUSTOM → DENY → ALLOW). Semantics of Istio 1.30; the
 * sources are tabled in docs/explain.md.
 */
import { decideMeshRoute, meshRoutesFor } from "./mesh-routes";
import { namespaceInjected, qualify, serviceSelector, type ModelIndex } from "./model-index";
import { arr, get, isObj, nameOf, nsOf, num, obj, selectorMatches, str, strs } from "./objects";
import type { Destination, K8sObject } from "./types";
import type { Walk } from "./walk";

export interface MeshCall {
    /** The caller: Kong's proxy or an in-mesh workload. */
    readonly via: "kong" | "internal";
    readonly sourceNamespace: string;
    readonly sourceServiceAccount: string;
    /** Does the caller's pod run an Envoy sidecar that intercepts this traffic? */
    readonly sourceSidecar: boolean;
    readonly sourceSidecarWhy: string;
    readonly service: K8sObject;
    readonly port: number;
    readonly targetPort: number | string;
    /** The Host header / :authority as the caller sends it. */
    readonly hostHeader: string;
    /** True when the caller connects to the Service (ClusterIP); false when to pod IPs (Kong without service-upstream). */
    readonly toService: boolean;
    readonly method: string;
    readonly path: string;
    readonly headers: Readonly<Record<string, string>>;
}

export interface MeshResult {
    readonly destinations: Destination[];
    /** The span-relevant facts: which sidecars handled it. */
    readonly destinationSidecars: { namespace: string; workload: string; injected: boolean }[];
    readonly viaSidecarRoute: boolean;
}

function fqdnOf(index: ModelIndex, svc: K8sObject): string {
    return `${nameOf(svc)}.${nsOf(svc)}.svc.${index.mesh.clusterDomain}`;
}

/** The caller's principal as AuthorizationPolicy spells it (`<trust domain>/ns/<ns>/sa/<sa>`). */
export function principalOf(index: ModelIndex, ns: string, sa: string): string {
    return `${index.mesh.trustDomain}/ns/${ns}/sa/${sa}`;
}

/**
 * The domains of a Service's virtual host in a caller's outbound route
 * (istio 1.30.3 pilot/pkg/networking/core/httproute.go
 * generateVirtualHostDomains): FQDN, `name.ns.svc`, `name.ns`, the bare name
 * only from the same namespace; each also with `:port`.
 */
export function virtualHostDomains(index: ModelIndex, svc: K8sObject, port: number, callerNs: string): string[] {
    const name = nameOf(svc);
    const ns = nsOf(svc);
    const base = [fqdnOf(index, svc), `${name}.${ns}.svc`, `${name}.${ns}`];
    if (callerNs === ns) base.push(name);
    return base.flatMap((d) => [d, `${d}:${port}`]);
}

function exportedTo(o: K8sObject, callerNs: string): boolean {
    const to = strs(get(o, "spec", "exportTo"));
    return to.length === 0 || to.includes("*") || to.includes(callerNs) || (to.includes(".") && nsOf(o) === callerNs);
}

/** Does a Sidecar egress listener of the caller's namespace import the host? (Istio 1.30 Sidecar reference: hosts "namespace/dnsName".) */
function sidecarImports(index: ModelIndex, callerNs: string, svc: K8sObject): { sidecar?: K8sObject; imported: boolean } {
    const sc =
        (index.sidecars.get(callerNs) ?? []).find((s) => get(s, "spec", "workloadSelector") === undefined) ??
        index.sidecars.get(index.mesh.rootNamespace)?.find((s) => get(s, "spec", "workloadSelector") === undefined);
    if (!sc) return { imported: true };
    const fq = fqdnOf(index, svc);
    const hosts = arr(get(sc, "spec", "egress")).flatMap((e) => strs(get(e, "hosts")));
    const imported = hosts.some((h) => {
        const [ns, dns] = h.includes("/") ? [h.slice(0, h.indexOf("/")), h.slice(h.indexOf("/") + 1)] : ["*", h];
        const nsOk = ns === "*" || ns === nsOf(svc) || (ns === "." && nsOf(sc) === nsOf(svc));
        const dnsOk = dns === "*" || dns === fq || (dns.startsWith("*.") && fq.endsWith(dns.slice(1)));
        return nsOk && dnsOk;
    });
    return { sidecar: sc, imported };
}

function stringMatch(m: unknown, value: string | undefined): boolean {
    if (!isObj(m)) return true;
    if (value === undefined) return false;
    if (typeof m.exact === "string") return value === m.exact;
    if (typeof m.prefix === "string") return value.startsWith(m.prefix);
    if (typeof m.regex === "string") {
        try {
            // Envoy RE2, full match.
            return new RegExp(`^(?:${m.regex})$`).test(value);
        } catch {
            return false;
        }
    }
    return true;
}

function describeMatch(m: unknown): string {
    const parts: string[] = [];
    const sm = (x: unknown) =>
        isObj(x)
            ? Object.entries(x)
                  .map(([k, v]) => `${k} ${String(v)}`)
                  .join(" ")
            : "";
    if (isObj(m)) {
        if (m.uri) parts.push(`uri ${sm(m.uri)}`);
        for (const [h, v] of Object.entries(obj(m.headers))) parts.push(`header ${h} ${sm(v)}`);
        if (m.method) parts.push(`method ${sm(m.method)}`);
        if (m.sourceNamespace) parts.push(`sourceNamespace ${String(m.sourceNamespace)}`);
        if (m.sourceLabels) parts.push(`sourceLabels ${JSON.stringify(m.sourceLabels)}`);
        for (const [h] of Object.entries(obj(m.withoutHeaders))) parts.push(`without header ${h}`);
    }
    return parts.join(", ") || "everything";
}

/** One HTTPMatchRequest (all conditions ANDed; Istio 1.30 VirtualService reference). */
function httpMatch(m: unknown, call: MeshCall, uriPath: string): boolean {
    if (!isObj(m)) return true;
    if (m.uri !== undefined && !stringMatch(m.uri, uriPath)) return false;
    if (m.method !== undefined && !stringMatch(m.method, call.method)) return false;
    if (m.authority !== undefined && !stringMatch(m.authority, call.hostHeader)) return false;
    for (const [h, cond] of Object.entries(obj(m.headers))) {
        if (!stringMatch(cond, call.headers[h.toLowerCase()])) return false;
        if (isObj(cond) && Object.keys(cond).length === 0 && call.headers[h.toLowerCase()] === undefined) return false;
    }
    for (const [h] of Object.entries(obj(m.withoutHeaders))) {
        if (call.headers[h.toLowerCase()] !== undefined) return false;
    }
    if (m.port !== undefined && num(m.port) !== call.port) return false;
    if (typeof m.sourceNamespace === "string" && m.sourceNamespace !== call.sourceNamespace) return false;
    if (m.sourceLabels !== undefined) return false; // the caller's pod labels are not among the objects
    if (isObj(m.queryParams)) {
        const q = new URLSearchParams(call.path.includes("?") ? call.path.slice(call.path.indexOf("?") + 1) : "");
        for (const [k, cond] of Object.entries(m.queryParams)) if (!stringMatch(cond, q.get(k) ?? undefined)) return false;
    }
    return true;
}

/** The DestinationRule for a host as the caller sees it: client namespace, then the service's, then the root namespace (Istio 1.30 DestinationRule lookup). */
function destinationRuleFor(index: ModelIndex, host: string, callerNs: string, svcNs: string): K8sObject | undefined {
    const drs = (index.destinationRules.get(host) ?? []).filter((d) => exportedTo(d, callerNs));
    return drs.find((d) => nsOf(d) === callerNs) ?? drs.find((d) => nsOf(d) === svcNs) ?? drs.find((d) => nsOf(d) === index.mesh.rootNamespace) ?? drs[0];
}

/** Effective traffic policy: the subset's fields override the DR's (Istio 1.30 Subset.trafficPolicy), port-level settings the policy's. */
function trafficPolicy(dr: K8sObject | undefined, subset: string | null, port: number): { policy: Record<string, unknown>; field: string } {
    const base = obj(get(dr, "spec", "trafficPolicy"));
    const pick = (tp: Record<string, unknown>) => {
        const pl = arr(tp.portLevelSettings).find((p) => num(get(p, "port", "number")) === port);
        return pl ? { ...tp, ...obj(pl) } : tp;
    };
    let policy = pick(base);
    let field = "spec.trafficPolicy";
    if (subset !== null) {
        const i = arr(get(dr, "spec", "subsets")).findIndex((s) => get(s, "name") === subset);
        const stp = obj(get(dr, "spec", "subsets", i, "trafficPolicy"));
        if (i >= 0 && Object.keys(stp).length > 0) {
            policy = { ...policy, ...pick(stp) };
            field = `spec.subsets[${i}].trafficPolicy`;
        }
    }
    return { policy, field };
}

/** PeerAuthentication mode for a workload: workload-selector > namespace > mesh (root namespace); UNSET inherits; port-level overrides (Istio 1.30 PeerAuthentication reference). */
export function peerAuthMode(
    index: ModelIndex,
    ns: string,
    podLabels: Record<string, string>,
    targetPort: number | string,
): { mode: string; object?: K8sObject; field: string | null; why: string } {
    const inNs = index.peerAuthentications.get(ns) ?? [];
    const workload = inNs.filter((p) => get(p, "spec", "selector") !== undefined && selectorMatches(get(p, "spec", "selector"), podLabels));
    const nsWide = inNs.filter((p) => get(p, "spec", "selector") === undefined);
    const meshWide = (index.peerAuthentications.get(index.mesh.rootNamespace) ?? []).filter((p) => get(p, "spec", "selector") === undefined);
    const levels: [string, K8sObject | undefined][] = [
        ["workload", workload[0]],
        ["namespace", nsWide[0]],
        ["mesh", meshWide[0]],
    ];
    for (const [level, pa] of levels) {
        if (!pa) continue;
        const portMode = typeof targetPort === "number" ? str(get(pa, "spec", "portLevelMtls", String(targetPort), "mode")) : undefined;
        if (level === "workload" && portMode !== undefined && portMode !== "UNSET") {
            return { mode: portMode, object: pa, field: `spec.portLevelMtls.${targetPort}.mode`, why: `${level}-level PeerAuthentication, port ${targetPort}` };
        }
        const mode = str(get(pa, "spec", "mtls", "mode"));
        if (mode !== undefined && mode !== "UNSET") {
            return { mode, object: pa, field: "spec.mtls.mode", why: `${level}-level PeerAuthentication` };
        }
    }
    return { mode: "PERMISSIVE", field: null, why: "no PeerAuthentication sets a mode (Istio's default)" };
}

function valueMatch(pattern: string, value: string | undefined): boolean {
    if (value === undefined || value === "") return false;
    if (pattern === "*") return true;
    if (pattern.startsWith("*")) return value.endsWith(pattern.slice(1));
    if (pattern.endsWith("*")) return value.startsWith(pattern.slice(0, -1));
    return pattern === value;
}

function anyMatch(patterns: string[], value: string | undefined, ci = false): boolean {
    return patterns.some((p) => (ci ? valueMatch(p.toLowerCase(), value?.toLowerCase()) : valueMatch(p, value)));
}

interface AuthzRequest {
    readonly principal: string | undefined;
    readonly namespace: string | undefined;
    readonly host: string;
    readonly method: string;
    readonly path: string;
    readonly port: number | string;
    readonly headers: Readonly<Record<string, string>>;
}

/** One AuthorizationPolicy rule: from (any source), to (any operation), when (all conditions) — Istio 1.30 AuthorizationPolicy reference. */
function ruleMatches(rule: unknown, r: AuthzRequest): boolean {
    const froms = arr(get(rule, "from"));
    if (froms.length > 0 && !froms.some((f) => sourceMatches(obj(get(f, "source")), r))) return false;
    const tos = arr(get(rule, "to"));
    if (tos.length > 0 && !tos.some((t) => operationMatches(obj(get(t, "operation")), r))) return false;
    for (const c of arr(get(rule, "when"))) {
        const key = str(get(c, "key")) ?? "";
        const values = strs(get(c, "values"));
        const notValues = strs(get(c, "notValues"));
        const v = conditionValue(key, r);
        if (values.length > 0 && !anyMatch(values, v)) return false;
        if (notValues.length > 0 && anyMatch(notValues, v)) return false;
    }
    return true;
}

function conditionValue(key: string, r: AuthzRequest): string | undefined {
    const h = /^request\.headers\[(.+)\]$/.exec(key);
    if (h) return r.headers[h[1].toLowerCase()];
    if (key === "source.principal") return r.principal;
    if (key === "source.namespace") return r.namespace;
    if (key === "destination.port") return String(r.port);
    return undefined; // request.auth.*, source.ip, remote.ip, connection.sni: unknown before deploy
}

function sourceMatches(s: Record<string, unknown>, r: AuthzRequest): boolean {
    const check = (field: string, value: string | undefined, negate: boolean) => {
        const list = strs(s[field]);
        if (list.length === 0) return true;
        return negate ? !anyMatch(list, value) : anyMatch(list, value);
    };
    if (strs(s.requestPrincipals).length > 0) return false; // no JWT in the request
    if (strs(s.ipBlocks).length > 0 || strs(s.remoteIpBlocks).length > 0) return false; // addresses unknown before deploy
    return (
        check("principals", r.principal, false) && check("notPrincipals", r.principal, true) && check("namespaces", r.namespace, false) && check("notNamespaces", r.namespace, true)
    );
}

function operationMatches(o: Record<string, unknown>, r: AuthzRequest): boolean {
    const check = (field: string, value: string | undefined, negate: boolean, ci = false) => {
        const list = strs(o[field]);
        if (list.length === 0) return true;
        return negate ? !anyMatch(list, value, ci) : anyMatch(list, value, ci);
    };
    const path = r.path.split("?")[0];
    return (
        check("hosts", r.host, false, true) &&
        check("notHosts", r.host, true, true) &&
        check("methods", r.method, false) &&
        check("notMethods", r.method, true) &&
        check("paths", path, false) &&
        check("notPaths", path, true) &&
        check("ports", String(r.port), false) &&
        check("notPorts", String(r.port), true)
    );
}

/** AuthorizationPolicies that apply to a workload: root-namespace (mesh-wide) and own-namespace ones whose selector matches; targetRef(s) policies are for waypoints/gateways. */
function applicablePolicies(index: ModelIndex, ns: string, podLabels: Record<string, string>): K8sObject[] {
    const all = [...(index.authorizationPolicies.get(index.mesh.rootNamespace) ?? []), ...(ns === index.mesh.rootNamespace ? [] : (index.authorizationPolicies.get(ns) ?? []))];
    return all.filter(
        (p) =>
            get(p, "spec", "targetRef") === undefined &&
            get(p, "spec", "targetRefs") === undefined &&
            (get(p, "spec", "selector") === undefined || selectorMatches(get(p, "spec", "selector"), podLabels)),
    );
}

/** CUSTOM → DENY → ALLOW (Istio 1.30 concepts/security "Authorization policy precedence"). */
export function authorize(
    index: ModelIndex,
    ns: string,
    podLabels: Record<string, string>,
    r: AuthzRequest,
): { allowed: boolean; decision: string; object?: K8sObject; field: string | null } {
    const policies = applicablePolicies(index, ns, podLabels);
    const action = (p: K8sObject) => str(get(p, "spec", "action")) ?? "ALLOW";
    const notes: string[] = [];
    for (const p of policies.filter((x) => action(x) === "CUSTOM")) {
        notes.push(`CUSTOM ${nsOf(p)}/${nameOf(p)} sends matching requests to the ${str(get(p, "spec", "provider", "name")) ?? "?"} provider, whose answer is not modelled`);
    }
    for (const p of policies.filter((x) => action(x) === "DENY")) {
        const i = arr(get(p, "spec", "rules")).findIndex((rule) => ruleMatches(rule, r));
        if (i >= 0) return { allowed: false, decision: `DENY policy ${nsOf(p)}/${nameOf(p)} rule ${i} matches: 403 "RBAC: access denied"`, object: p, field: `spec.rules[${i}]` };
    }
    const allows = policies.filter((x) => action(x) === "ALLOW");
    if (allows.length === 0) {
        return { allowed: true, decision: [...notes, "no ALLOW policy selects the workload: allowed"].join("; "), field: null };
    }
    for (const p of allows) {
        const i = arr(get(p, "spec", "rules")).findIndex((rule) => ruleMatches(rule, r));
        if (i >= 0)
            return {
                allowed: true,
                decision: [...notes, `ALLOW policy ${nsOf(p)}/${nameOf(p)} rule ${i} matches ${r.principal ? `principal ${r.principal}` : "(no principal)"}`].join("; "),
                object: p,
                field: `spec.rules[${i}]`,
            };
    }
    const named = allows.map((p) => `${nsOf(p)}/${nameOf(p)}${arr(get(p, "spec", "rules")).length === 0 ? " (no rules: allows nothing)" : ` (allows ${describeAllowed(p)})`}`);
    const p0 = allows.find((p) => arr(get(p, "spec", "rules")).length > 0) ?? allows[0];
    return {
        allowed: false,
        decision: `${r.principal ? `principal ${r.principal}` : "a caller without an mTLS identity"} matches no ALLOW policy selecting the workload (${named.join(", ")}): 403 "RBAC: access denied"`,
        object: p0,
        field: arr(get(p0, "spec", "rules")).length > 0 ? "spec.rules" : "spec",
    };
}

function describeAllowed(p: K8sObject): string {
    const principals = arr(get(p, "spec", "rules")).flatMap((rule) =>
        arr(get(rule, "from")).flatMap((f) => [...strs(get(f, "source", "principals")), ...strs(get(f, "source", "namespaces")).map((n) => `namespace ${n}`)]),
    );
    return principals.length > 0 ? principals.join(", ") : "requests matching its rules";
}

function retriesText(route: Record<string, unknown>): string {
    const r = obj(route.retries);
    if (Object.keys(r).length === 0) {
        // Istio 1.30 default retry policy (pilot/pkg/networking/core/route/retry/retry.go DefaultPolicy): 2 attempts on connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes.
        return "retries: Istio's default (2 attempts on connect-failure, refused-stream, unavailable, cancelled, retriable-status-codes)";
    }
    if (num(r.attempts) === 0) return "retries: none (attempts 0)";
    return `retries: ${num(r.attempts) ?? 2} attempts${r.perTryTimeout ? `, ${String(r.perTryTimeout)} each` : ""}${r.retryOn ? ` on ${String(r.retryOn)}` : ""}`;
}

/** Walks the mesh hops; false when refused (walk.stop set). */
export function meshHops(index: ModelIndex, call: MeshCall, walk: Walk): MeshResult | false {
    const svc = call.service;
    const fqdn = fqdnOf(index, svc);
    const caller =
        call.via === "kong"
            ? `Kong's sidecar (${call.sourceNamespace}/${call.sourceServiceAccount})`
            : `the caller's sidecar (${call.sourceNamespace}/${call.sourceServiceAccount})`;
    const plaintextFail = (why: string, obj0?: K8sObject, field?: string | null, status = call.via === "kong" ? 502 : 0) =>
        walk.refuse("destination-sidecar", "Destination sidecar", status, why, obj0 ?? null, field ?? null);
    const uriPath = call.path.split("?")[0];
    if (!call.sourceSidecar) {
        walk.info(
            "source-sidecar",
            "Caller's sidecar",
            `${call.sourceSidecarWhy}: no sidecar intercepts the call, so no VirtualService or DestinationRule applies; it goes in plain text to ${call.toService ? `the ClusterIP of ${nsOf(svc)}/${nameOf(svc)}` : "the pod IPs"}`,
            null,
        );
        return destinationHop(index, call, [{ host: fqdn, subset: null, weight: 100, podLabels: serviceSelector(svc) }], false, "plaintext", walk, plaintextFail);
    }
    const scope = sidecarImports(index, call.sourceNamespace, svc);
    if (!scope.imported) {
        walk.add(
            "source-sidecar",
            "Caller's sidecar",
            `${fqdn} is not among the hosts the Sidecar ${nsOf(scope.sidecar!)}/${nameOf(scope.sidecar!)} imports: ${caller} sends it through PassthroughCluster in plain text, no VirtualService applies`,
            "info",
            scope.sidecar,
            "spec.egress",
        );
        return destinationHop(index, call, [{ host: fqdn, subset: null, weight: 100, podLabels: serviceSelector(svc) }], false, "plaintext", walk, plaintextFail);
    }
    const listenPort = call.toService ? call.port : typeof call.targetPort === "number" ? call.targetPort : call.port;
    const domains = call.toService || listenPort === call.port ? virtualHostDomains(index, svc, call.port, call.sourceNamespace) : [];
    const hostLc = call.hostHeader.toLowerCase();
    if (!domains.includes(hostLc)) {
        const outbound = str(get(index.mesh.meshConfig, "outboundTrafficPolicy", "mode")) ?? "ALLOW_ANY";
        if (outbound === "REGISTRY_ONLY") {
            return walk.refuse(
                "source-sidecar",
                "Caller's sidecar",
                502,
                `Host ${call.hostHeader} matches no virtual host on port ${listenPort} and meshConfig.outboundTrafficPolicy is REGISTRY_ONLY: BlackHoleCluster, 502`,
                index.mesh.istiod ?? null,
                "values.meshConfig.outboundTrafficPolicy",
            );
        }
        walk.add(
            "source-sidecar",
            "Caller's sidecar",
            `Host ${call.hostHeader} matches no virtual host of ${nsOf(svc)}/${nameOf(svc)} on port ${listenPort} (it would be one of ${domains.slice(0, 4).join(", ")}${domains.length === 0 ? "none: the caller targets pod port " + listenPort : ""}…): ${caller} sends it through PassthroughCluster (outboundTrafficPolicy ALLOW_ANY) in plain text, without the VirtualService, DestinationRule or mTLS`,
            "info",
            svc,
            call.via === "kong" ? 'metadata.annotations["konghq.com/host-header"]' : null,
        );
        return destinationHop(index, call, [{ host: fqdn, subset: null, weight: 100, podLabels: serviceSelector(svc) }], false, "plaintext", walk, plaintextFail);
    }
    const vss = (index.virtualServices.get(fqdn) ?? []).filter(
        (v) => exportedTo(v, call.sourceNamespace) && (strs(get(v, "spec", "gateways")).length === 0 || strs(get(v, "spec", "gateways")).includes("mesh")),
    );
    let destinations: Destination[];
    const notes: string[] = [];
    let routeText: string;
    let vsObj: K8sObject | undefined;
    let vsField: string | null = null;
    // Gateway API mesh routes (HTTPRoutes whose parent is the Service): see mesh-routes.ts.
    const meshRoutes = meshRoutesFor(index.httpRoutes, svc);
    const useMeshRoutes = meshRoutes.length > 0 && (vss.length === 0 || meshRoutes.some((r) => nsOf(r) === call.sourceNamespace));
    if (meshRoutes.length > 0 && vss.length > 0) {
        // Istio turns each route into a VirtualService for the host; a sidecar takes one per host, the caller's own namespace's route first (push_context.go, virtualservice.go).
        notes.push(
            `both VirtualService ${nsOf(vss[0])}/${nameOf(vss[0])} and HTTPRoute ${nsOf(meshRoutes[0])}/${nameOf(meshRoutes[0])} route ${fqdn}: Istio uses one and ignores the other (here the ${useMeshRoutes ? "HTTPRoute" : "VirtualService"})`,
        );
    }
    if (useMeshRoutes) {
        const q = call.path.includes("?") ? call.path.slice(call.path.indexOf("?") + 1) : "";
        const d = decideMeshRoute(meshRoutes, { method: call.method, path: uriPath, query: q, headers: call.headers }, index.mesh.clusterDomain);
        if (d.kind === "refuse") {
            return walk.refuse("source-sidecar", "Caller's sidecar", d.status, d.text, d.object, d.field);
        }
        vsObj = d.object;
        vsField = d.field;
        routeText = d.text;
        destinations = d.backends.map((b) => ({ host: b.host, subset: null, weight: b.weight, podLabels: {} }));
    } else if (vss.length === 0) {
        routeText = `no VirtualService for ${fqdn}: the default route balances over every pod of the Service (any version); no timeout; ${retriesText({})}`;
        destinations = [{ host: fqdn, subset: null, weight: 100, podLabels: serviceSelector(svc) }];
    } else {
        vsObj = vss[0];
        if (vss.length > 1) notes.push(`${vss.length} VirtualServices name ${fqdn}; a sidecar uses one (the oldest): ${vss.map((v) => `${nsOf(v)}/${nameOf(v)}`).join(", ")}`);
        const routes = arr(get(vsObj, "spec", "http"));
        let chosen = -1;
        let matchIndex = -1;
        for (let i = 0; i < routes.length && chosen < 0; i++) {
            const matches = arr(get(routes[i], "match"));
            if (matches.length === 0) {
                chosen = i;
                break;
            }
            matchIndex = matches.findIndex((m) => httpMatch(m, call, uriPath));
            if (matchIndex >= 0) chosen = i;
        }
        if (chosen < 0) {
            // Envoy: no route in the virtual host matches → 404 (response flag NR).
            return walk.refuse(
                "source-sidecar",
                "Caller's sidecar",
                404,
                `no http route of VirtualService ${nsOf(vsObj)}/${nameOf(vsObj)} matches (${routes.map((r, i) => `[${i}] ${arr(get(r, "match")).map(describeMatch).join(" or ")}`).join("; ")}): the sidecar answers 404`,
                vsObj,
                "spec.http",
            );
        }
        const route = obj(routes[chosen]);
        vsField = `spec.http[${chosen}]`;
        const rname = str(route.name) ? ` "${str(route.name)}"` : "";
        const why = arr(route.match).length === 0 ? "the catch-all route (no match)" : `match ${describeMatch(arr(route.match)[matchIndex])}`;
        if (isObj(route.directResponse)) {
            const status = num(get(route, "directResponse", "status")) ?? 200;
            walk.add(
                "source-sidecar",
                "Caller's sidecar",
                `route [${chosen}]${rname} (${why}) answers directly with ${status}`,
                status >= 400 ? "refuse" : "pass",
                vsObj,
                `${vsField}.directResponse`,
            );
            walk.stop = { status, hop: "source-sidecar", reason: `VirtualService direct response ${status}`, answered: status < 400 };
            return false;
        }
        if (isObj(route.redirect)) {
            const status = num(get(route, "redirect", "redirectCode")) ?? 301;
            walk.add("source-sidecar", "Caller's sidecar", `route [${chosen}]${rname} (${why}) redirects with ${status}`, "info", vsObj, `${vsField}.redirect`);
            walk.stop = { status, hop: "source-sidecar", reason: `VirtualService redirect ${status}`, answered: true };
            return false;
        }
        const abort = obj(get(route, "fault", "abort"));
        if (Object.keys(abort).length > 0) notes.push(`fault injection aborts ${num(get(abort, "percentage", "value")) ?? 100}% with ${num(abort.httpStatus) ?? "?"}`);
        const dests = arr(route.route);
        destinations = dests.map((d) => {
            const host = qualify(str(get(d, "destination", "host")) ?? fqdn, nsOf(vsObj!), index.mesh.clusterDomain);
            const subset = str(get(d, "destination", "subset")) ?? null;
            return { host, subset, weight: num(get(d, "weight")) ?? (dests.length === 1 ? 100 : 0), podLabels: {} };
        });
        const split = destinations.map((d) => `${d.subset ?? d.host}${destinations.length > 1 || d.weight !== 100 ? ` ${d.weight}%` : ""}`).join(", ");
        const timeout = str(route.timeout);
        routeText = `VirtualService ${nsOf(vsObj)}/${nameOf(vsObj)} route [${chosen}]${rname}: ${why} → ${destinations.length > 1 ? `weighted split ${split}` : split}; timeout ${timeout ?? "none (Istio's default: disabled)"}; ${retriesText(route)}`;
    }
    // Subsets and traffic policy per destination.
    const resolved: Destination[] = [];
    const tlsModes: string[] = [];
    for (const d of destinations) {
        if (d.weight === 0 && destinations.length > 1) continue;
        const dsvc = index.services.get(d.host.endsWith(`.svc.${index.mesh.clusterDomain}`) ? d.host.split(".").slice(0, 2).reverse().join("/") : "");
        if (!dsvc) {
            return walk.refuse(
                "source-sidecar",
                "Caller's sidecar",
                503,
                `${routeText}; destination ${d.host} is not a Service among the objects: no endpoints, 503`,
                vsObj ?? null,
                vsField,
            );
        }
        const dr = destinationRuleFor(index, d.host, call.sourceNamespace, nsOf(dsvc));
        let podLabels = serviceSelector(dsvc);
        if (d.subset !== null) {
            const sub = arr(get(dr, "spec", "subsets")).find((s) => get(s, "name") === d.subset);
            if (!sub) {
                return walk.refuse(
                    "source-sidecar",
                    "Caller's sidecar",
                    503,
                    `${routeText}; subset ${d.subset} is defined by no DestinationRule for ${d.host}${
                        dr
                            ? ` (${nsOf(dr)}/${nameOf(dr)} has ${
                                  arr(get(dr, "spec", "subsets"))
                                      .map((s) => str(get(s, "name")))
                                      .join(", ") || "none"
                              })`
                            : ""
                    }: no cluster, 503`,
                    dr ?? vsObj ?? null,
                    dr ? "spec.subsets" : vsField,
                );
            }
            podLabels = { ...podLabels, ...(obj(get(sub, "labels")) as Record<string, string>) };
        }
        const { policy, field } = trafficPolicy(dr, d.subset, call.port);
        const tlsMode = str(get(policy, "tls", "mode")) ?? "auto";
        tlsModes.push(tlsMode);
        const od = obj(policy.outlierDetection);
        const cp = obj(policy.connectionPool);
        const drText = dr
            ? `DestinationRule ${nsOf(dr)}/${nameOf(dr)} (${field}): TLS ${tlsMode === "auto" ? "unset (auto mTLS)" : tlsMode}${Object.keys(od).length > 0 ? `; outlier detection ejects a pod after ${num(od.consecutive5xxErrors) ?? num(od.consecutiveGatewayErrors) ?? 5} consecutive errors for ${str(od.baseEjectionTime) ?? "30s"}` : ""}${Object.keys(cp).length > 0 ? `; connection pool ${JSON.stringify(cp)}` : ""}`
            : "no DestinationRule: auto mTLS";
        notes.push(
            `${d.subset ?? d.host} needs pods labelled ${Object.entries(podLabels)
                .map(([k, v]) => `${k}=${v}`)
                .join(",")}; ${drText}`,
        );
        resolved.push({ ...d, podLabels });
    }
    walk.pass(
        "source-sidecar",
        "Caller's sidecar",
        `${caller}: Host ${call.hostHeader} → virtual host ${fqdn}:${call.port}; ${routeText}; ${notes.join("; ")}`,
        vsObj ?? svc,
        vsField,
    );
    const mode = tlsModes.includes("DISABLE")
        ? "plaintext"
        : tlsModes.some((m) => m === "SIMPLE" || m === "MUTUAL")
          ? "tls-non-istio"
          : tlsModes.includes("ISTIO_MUTUAL")
            ? "istio-mutual"
            : "auto";
    return destinationHop(index, call, resolved, true, mode, walk, (why, o, f) => walk.refuse("destination-sidecar", "Destination sidecar", 503, why, o ?? null, f ?? null));
}

function destinationHop(
    index: ModelIndex,
    call: MeshCall,
    destinations: Destination[],
    viaSidecarRoute: boolean,
    tls: "plaintext" | "tls-non-istio" | "istio-mutual" | "auto",
    walk: Walk,
    fail: (why: string, o?: K8sObject, field?: string | null) => false,
): MeshResult | false {
    const sidecars: MeshResult["destinationSidecars"] = [];
    const seen = new Set<string>();
    for (const d of destinations) {
        const [name, ns] = d.host.split(".");
        const key = `${ns}/${name}/${d.subset ?? ""}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const svc = index.services.get(`${ns}/${name}`);
        const inj = namespaceInjected(index, ns);
        const who = `${ns}/${name}${d.subset ? ` (${d.subset})` : ""}`;
        if (!sidecars.some((x) => x.namespace === ns && x.workload === name)) sidecars.push({ namespace: ns, workload: name, injected: inj.injected });
        if (!inj.injected) {
            if (tls === "istio-mutual" || tls === "tls-non-istio") {
                return fail(`${who} has no sidecar (${inj.why}) but the DestinationRule makes the caller's sidecar send TLS: the plain-text workload cannot answer, 503`, svc);
            }
            walk.info(
                "destination-sidecar",
                "Destination sidecar",
                `${who} has no sidecar (${inj.why}): plain text; no PeerAuthentication or AuthorizationPolicy is enforced`,
                svc ?? null,
            );
            continue;
        }
        const pa = peerAuthMode(index, ns, d.podLabels, call.targetPort);
        const mtls = tls === "istio-mutual" || (tls === "auto" && viaSidecarRoute);
        const tlsText =
            tls === "plaintext"
                ? "plain text"
                : tls === "tls-non-istio"
                  ? "TLS with certificates other than Istio's"
                  : mtls
                    ? `Istio mTLS${tls === "auto" ? " (auto mTLS: the destination has a sidecar)" : ""}`
                    : "plain text";
        if (pa.mode === "STRICT" && !mtls) {
            return fail(
                `${who}: ${pa.why}: mode STRICT accepts only Istio mTLS, the caller sends ${tlsText}: the connection is reset${call.via === "kong" && !viaSidecarRoute ? "; Kong answers 502" : ""}`,
                pa.object,
                pa.field,
            );
        }
        if (pa.mode === "DISABLE" && mtls) {
            return fail(`${who}: ${pa.why}: mode DISABLE accepts only plain text, the caller sends Istio mTLS: the handshake fails, 503`, pa.object, pa.field);
        }
        const principal = mtls ? principalOf(index, call.sourceNamespace, call.sourceServiceAccount) : undefined;
        const authz = authorize(index, ns, d.podLabels, {
            principal,
            namespace: mtls ? call.sourceNamespace : undefined,
            host: call.hostHeader,
            method: call.method,
            path: call.path,
            port: call.targetPort,
            headers: call.headers,
        });
        const paText = `${pa.why}: mode ${pa.mode}, the caller sends ${tlsText}`;
        if (!authz.allowed) {
            return walk.refuse("destination-sidecar", "Destination sidecar", 403, `${who}: ${authz.decision} (${paText})`, authz.object ?? null, authz.field);
        }
        walk.pass(
            "destination-sidecar",
            "Destination sidecar",
            `${who}: ${paText}; ${authz.decision}; reaches pods labelled ${Object.entries(d.podLabels)
                .map(([k, v]) => `${k}=${v}`)
                .join(",")}`,
            authz.object ?? pa.object ?? svc ?? null,
            authz.field ?? pa.field,
        );
    }
    return { destinations, destinationSidecars: sidecars, viaSidecarRoute };
}
