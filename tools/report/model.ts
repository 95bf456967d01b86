/**
 * What the report shows, as plain data: the traffic graph read from the
 * planned objects (Ingress/HTTPRoute, KongPlugins, Services, VirtualServices,
 * DestinationRules, AuthorizationPolicies), the policy results on the objects
 * they concern, the component tree with resource counts and the deploy
 * critical path (an estimate). Pure: the page's script draws it.
 */
import { DeployGraph, longestPath, recordedEdges, unavoidableEdges, type GraphResource } from "../bench/critical-path";
import type { Violation } from "../../policies/engine";
import { rules } from "../../policies/rules";
import { isMeshHttpRoute, meshRouteBackends, meshRouteParents, meshRouteView } from "./mesh-routes";
import type { RouteEntry, RoutesFile } from "./routes";

/** A recorded resource (`npm run plan`) or a manifest judged as one (`npm run check`). */
export interface ReportResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent?: string;
    /** False for component resources. */
    readonly custom: boolean;
    readonly inputs: Record<string, unknown>;
    readonly dependsOn?: readonly string[];
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
    readonly provider?: string;
    /** The file a manifest came from (check). */
    readonly file?: string;
}

/** A policy result as the report shows it: policies/engine's Violation. */
export type ReportViolation = Violation;

export interface ReportInput {
    /** Stack name, or `check` for manifests. */
    readonly stack: string;
    readonly source: "plan" | "manifests";
    readonly resources: readonly ReportResource[];
    readonly violations: readonly ReportViolation[];
    /** routes.json (the explain matrix); absent: the page says the traces are unavailable. */
    readonly routes?: RoutesFile;
    /** Why routes.json could not be used, when it was there but unusable. */
    readonly routesProblem?: string;
}

export interface PluginRef {
    readonly name: string;
    readonly plugin: string;
    readonly scope: "route" | "global";
    /** Named in konghq.com/plugins but defined nowhere. */
    readonly missing: boolean;
    readonly summary: string;
}

export interface RouteModel {
    /** `<namespace>/<object name>#<path>`: the routes.json `route` field. */
    readonly id: string;
    readonly object: string;
    readonly namespace: string;
    readonly path: string;
    readonly pathType: string;
    readonly methods: readonly string[];
    readonly host: string | null;
    /** namespace/name of the backend Service. */
    readonly service: string;
    readonly port: string;
    readonly auth: readonly string[];
    readonly rateLimit: readonly string[];
    readonly plugins: readonly PluginRef[];
    readonly stripPath: boolean | null;
    /** Why requests on this route cannot reach the service (empty when they can). */
    readonly problems: readonly string[];
}

export interface VersionModel {
    readonly subset: string;
    readonly weight: number;
    readonly labels: Readonly<Record<string, string>>;
}

export interface CallerModel {
    /** namespace/serviceaccount */
    readonly from: string;
    readonly principal: string;
    readonly kind: "kong" | "service" | "unknown";
    /** The caller's service node when one has that service account's name. */
    readonly service: string | null;
}

export interface ServiceModel {
    readonly id: string;
    readonly namespace: string;
    readonly name: string;
    readonly ports: string;
    readonly versions: readonly VersionModel[];
    readonly canary: { readonly header: string; readonly value: string; readonly subset: string } | null;
    readonly timeout: string | null;
    readonly retries: string | null;
    readonly outlier: string | null;
    readonly tls: string | null;
    readonly routes: readonly string[];
    readonly callers: readonly CallerModel[];
    /** `allow-list`: only the callers; `deny-all`: nobody; `open`: any workload (no AuthorizationPolicy applies, or a rule names no source). */
    readonly access: "allow-list" | "deny-all" | "open";
    readonly objects: readonly string[];
    readonly problems: readonly string[];
    readonly exists: boolean;
}

export interface NamespaceModel {
    readonly name: string;
    readonly services: readonly string[];
    readonly routes: readonly string[];
    readonly injection: boolean | null;
    readonly mtls: string | null;
    readonly defaultDeny: boolean;
}

export interface EdgeInfo {
    readonly nlb: { readonly name: string; readonly scheme: string; readonly sourceRanges: readonly string[]; readonly kind: string } | null;
    readonly kongNamespace: string;
    readonly globalPlugins: readonly PluginRef[];
    readonly consumers: readonly string[];
}

export interface PolicyRow {
    readonly policy: string;
    readonly level: string;
    readonly message: string;
    readonly description: string;
    readonly fix: string;
    /** `Kind namespace/name` of the object concerned (or the resource name). */
    readonly object: string;
    readonly type: string;
    readonly file: string | null;
    /** Graph nodes the violation concerns: `route:<id>`, `svc:<id>`, `ns:<name>`, `kong`, `nlb`. */
    readonly nodes: readonly string[];
}

export interface TreeNode {
    readonly label: string;
    readonly type: string;
    /** Resources created directly by this component (or group), by kind. */
    readonly counts: readonly (readonly [string, number])[];
    /** Custom resources underneath, all levels. */
    readonly total: number;
    readonly children: readonly TreeNode[];
}

export interface TimelineModel {
    readonly seconds: number;
    readonly lowerBoundSeconds: number;
    readonly serialSeconds: number;
    readonly resources: number;
    readonly steps: readonly {
        readonly name: string;
        readonly type: string;
        readonly key: string;
        readonly start: number;
        readonly finish: number;
        readonly via: readonly string[];
    }[];
}

export interface ReportModel {
    readonly stack: string;
    readonly source: "plan" | "manifests";
    readonly counts: { readonly resources: number; readonly components: number; readonly objects: number; readonly rules: number };
    readonly edge: EdgeInfo;
    readonly namespaces: readonly NamespaceModel[];
    readonly services: readonly ServiceModel[];
    readonly routes: readonly RouteModel[];
    readonly policy: readonly PolicyRow[];
    readonly tree: readonly TreeNode[];
    readonly timeline: TimelineModel | null;
    readonly traces: { readonly available: boolean; readonly problem: string | null; readonly entries: readonly RouteEntry[] };
}

type Obj = Record<string, unknown>;

const rec = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined);
const strMap = (v: unknown): Record<string, string> => Object.fromEntries(Object.entries(rec(v)).flatMap(([k, x]) => (str(x) === undefined ? [] : [[k, str(x) as string]])));

interface K8sObject {
    readonly urn: string;
    readonly apiVersion: string;
    readonly kind: string;
    readonly namespace: string;
    readonly name: string;
    readonly body: Obj;
    readonly labels: Record<string, string>;
    readonly annotations: Record<string, string>;
}

/** `Kind namespace/name`, the way the page names objects. */
const refOf = (o: K8sObject): string => `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;

/** Kubernetes objects among the resources (not Helm releases, not components). */
function objectsOf(resources: readonly ReportResource[]): K8sObject[] {
    const out: K8sObject[] = [];
    for (const r of resources) {
        if (!r.custom || !r.type.startsWith("kubernetes:") || r.type.startsWith("kubernetes:helm") || r.type.startsWith("kubernetes:yaml")) {
            continue;
        }
        const body = r.inputs;
        const meta = rec(body.metadata);
        const [, gv = "", kind = ""] = r.type.split(":");
        const apiVersion = str(body.apiVersion) ?? (gv.startsWith("core/") ? gv.slice(5) : gv);
        out.push({
            urn: r.urn,
            apiVersion,
            kind: str(body.kind) ?? kind,
            namespace: str(meta.namespace) ?? "",
            name: str(meta.name) ?? r.name,
            body,
            labels: strMap(meta.labels),
            annotations: strMap(meta.annotations),
        });
    }
    return out;
}

const AUTH_PLUGINS = new Set(["key-auth", "jwt", "oauth2", "basic-auth", "hmac-auth", "openid-connect", "ldap-auth", "mtls-auth"]);
const RATE_PLUGINS = new Set(["rate-limiting", "rate-limiting-advanced", "response-ratelimiting"]);
const RATE_UNITS: readonly (readonly [string, string])[] = [
    ["second", "s"],
    ["minute", "min"],
    ["hour", "h"],
    ["day", "day"],
    ["month", "month"],
    ["year", "year"],
];

/** One line about a plugin's configuration: the numbers a person asks about first. */
function pluginSummary(plugin: string, config: Obj): string {
    if (RATE_PLUGINS.has(plugin)) {
        const limits = RATE_UNITS.flatMap(([k, u]) => (typeof config[k] === "number" ? [`${String(config[k])}/${u}`] : []));
        const by = str(config.limit_by);
        return [limits.join(", "), by ? `per ${by}` : ""].filter(Boolean).join(" ");
    }
    if (plugin === "key-auth") {
        return `key in ${arr(config.key_names).map(String).join(", ") || "apikey"}`;
    }
    if (plugin === "cors") {
        return `origins ${arr(config.origins).map(String).join(", ") || "*"}`;
    }
    if (plugin === "ip-restriction") {
        const allow = arr(config.allow).map(String);
        return allow.length > 0 ? `allow ${allow.join(", ")}` : `deny ${arr(config.deny).map(String).join(", ")}`;
    }
    if (plugin === "request-size-limiting") {
        return `≤ ${String(config.allowed_payload_size ?? "?")} ${String(config.size_unit ?? "megabytes")}`;
    }
    if (plugin === "acl") {
        return `allow ${arr(config.allow).map(String).join(", ")}`;
    }
    if (plugin === "opentelemetry") {
        return `spans to ${String(config.traces_endpoint ?? config.endpoint ?? "?")}`;
    }
    return "";
}

function pluginRef(o: K8sObject, scope: "route" | "global"): PluginRef {
    const plugin = str(o.body.plugin) ?? "?";
    return { name: o.name, plugin, scope, missing: false, summary: pluginSummary(plugin, rec(o.body.config)) };
}

const splitList = (s: string | undefined): string[] =>
    (s ?? "")
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean);

/** The service a host names: `name`, `name.ns`, `name.ns.svc[.cluster.local]`, relative to `ns`. */
function hostService(host: string, ns: string): string {
    const labels = host.split(".");
    return labels.length === 1 ? `${ns}/${labels[0]}` : `${labels[1]}/${labels[0]}`;
}

const textOrNull = (v: unknown): string | null => str(v) ?? null;

interface Built {
    edge: EdgeInfo;
    namespaces: NamespaceModel[];
    services: ServiceModel[];
    routes: RouteModel[];
    /** object ref → graph nodes it concerns */
    nodesOf: Map<string, string[]>;
    objectOfUrn: Map<string, K8sObject>;
}

/** The traffic graph of a set of objects. */
function traffic(resources: readonly ReportResource[]): Built {
    const objects = objectsOf(resources);
    const byKind = (kind: string): K8sObject[] => objects.filter((o) => o.kind === kind);
    const nodesOf = new Map<string, string[]>();
    const attach = (o: K8sObject, node: string) => {
        const list = nodesOf.get(refOf(o)) ?? [];
        if (!list.includes(node)) {
            list.push(node);
        }
        nodesOf.set(refOf(o), list);
    };

    // The edge: Kong's Helm release (plan) gives the NLB; its namespace is where Kong's principal lives.
    const kongRelease = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && (str(r.inputs.chart) === "kong" || str(rec(r.inputs).name) === "kong"));
    const kongNamespace = str(kongRelease?.inputs.namespace) ?? "kong";
    const proxy = rec(rec(kongRelease?.inputs.values).proxy);
    const proxyAnn = strMap(proxy.annotations);
    const lbType = proxyAnn["service.beta.kubernetes.io/aws-load-balancer-type"];
    const nlb =
        kongRelease === undefined
            ? null
            : {
                  name: str(proxy.nameOverride) ?? "kong-proxy",
                  scheme: proxyAnn["service.beta.kubernetes.io/aws-load-balancer-scheme"] ?? "internet-facing",
                  sourceRanges: arr(proxy.loadBalancerSourceRanges).map(String),
                  kind: lbType === "external" || lbType === "nlb" ? "AWS NLB" : str(proxy.type) === "LoadBalancer" ? "load balancer" : (str(proxy.type) ?? "load balancer"),
              };
    const globals = byKind("KongClusterPlugin").filter((o) => o.labels.global === "true");
    const globalPlugins = globals.map((o) => pluginRef(o, "global"));
    const consumers = byKind("KongConsumer").map((o) => str(o.body.username) ?? o.name);

    // Services that take part in traffic.
    const svcObjects = new Map(byKind("Service").map((o) => [`${o.namespace}/${o.name}`, o]));
    const namespaces = new Map(byKind("Namespace").map((o) => [o.name, o]));

    // Routes: Ingresses of class kong and HTTPRoutes.
    const plugins = byKind("KongPlugin");
    const clusterPlugins = byKind("KongClusterPlugin");
    const resolvePlugins = (ns: string, names: string[], routeNode: () => string): PluginRef[] =>
        names.map((n) => {
            const p = plugins.find((x) => x.namespace === ns && x.name === n) ?? clusterPlugins.find((x) => x.name === n);
            if (p === undefined) {
                return { name: n, plugin: "?", scope: "route" as const, missing: true, summary: `no KongPlugin ${ns}/${n} or KongClusterPlugin ${n}` };
            }
            attach(p, routeNode());
            return pluginRef(p, "route");
        });
    const routes: RouteModel[] = [];
    const addRoute = (o: K8sObject, r: Omit<RouteModel, "id" | "object" | "namespace" | "auth" | "rateLimit" | "problems" | "plugins">, pluginNames: string[]) => {
        let id = `${o.namespace}/${o.name}#${r.path}`;
        for (let n = 2; routes.some((x) => x.id === id); n++) {
            id = `${o.namespace}/${o.name}#${r.path}#${n}`;
        }
        const node = `route:${id}`;
        const refs = resolvePlugins(o.namespace, pluginNames, () => node);
        const all = [...refs, ...globalPlugins];
        const problems: string[] = [];
        if (!svcObjects.has(r.service)) {
            problems.push(`backend Service ${r.service} does not exist: Kong answers 503`);
        }
        refs.filter((p) => p.missing).forEach((p) => problems.push(`plugin ${p.name} is not defined: Kong ignores the route's configuration`));
        attach(o, node);
        routes.push({
            ...r,
            id,
            object: `${o.apiVersion} ${o.kind} ${o.namespace}/${o.name}`,
            namespace: o.namespace,
            plugins: refs,
            auth: all.filter((p) => AUTH_PLUGINS.has(p.plugin)).map((p) => p.plugin),
            rateLimit: all.filter((p) => RATE_PLUGINS.has(p.plugin)).map((p) => p.summary || p.plugin),
            problems,
        });
    };
    for (const o of byKind("Ingress")) {
        const spec = rec(o.body.spec);
        const cls = str(spec.ingressClassName) ?? o.annotations["kubernetes.io/ingress.class"];
        if (cls !== undefined && cls !== "kong") {
            continue;
        }
        const methods = splitList(o.annotations["konghq.com/methods"]).map((m) => m.toUpperCase());
        const pluginNames = splitList(o.annotations["konghq.com/plugins"]);
        const strip = o.annotations["konghq.com/strip-path"];
        for (const rule of arr(spec.rules).map(rec)) {
            for (const p of arr(rec(rule.http).paths).map(rec)) {
                const backend = rec(rec(p.backend).service);
                const port = rec(backend.port);
                addRoute(
                    o,
                    {
                        path: str(p.path) ?? "/",
                        pathType: str(p.pathType) ?? "ImplementationSpecific",
                        methods,
                        host: str(rule.host) ?? null,
                        service: `${o.namespace}/${str(backend.name) ?? "?"}`,
                        port: str(port.number) ?? str(port.name) ?? "",
                        stripPath: strip === undefined ? null : strip === "true",
                    },
                    pluginNames,
                );
            }
        }
    }
    // HTTPRoutes Kong serves: a parentRef to a Gateway of class kong (or not among the objects). An HTTPRoute whose
    // parent is a Service is the mesh's (GAMMA), not a Kong route. KIC 3.5 (subtranslator/httproute.go) gives the
    // matches of a rule one Kong route with every method of them: one report route per path, with those methods.
    const gatewayClassOf = new Map(
        byKind("Gateway")
            .filter((g) => g.apiVersion.startsWith("gateway.networking.k8s.io/"))
            .map((g) => [`${g.namespace}/${g.name}`, str(rec(g.body.spec).gatewayClassName)]),
    );
    const kongParent = (o: K8sObject): boolean => {
        const refs = arr(rec(o.body.spec).parentRefs).map(rec);
        // Without parentRefs the route attaches nowhere; shown as Kong's, like a Gateway not among the objects.
        return (
            refs.length === 0 ||
            refs.some(
                (ref) => (str(ref.kind) ?? "Gateway") === "Gateway" && (gatewayClassOf.get(`${str(ref.namespace) ?? o.namespace}/${str(ref.name) ?? ""}`) ?? "kong") === "kong",
            )
        );
    };
    for (const o of byKind("HTTPRoute").filter(kongParent)) {
        const spec = rec(o.body.spec);
        const hosts = arr(spec.hostnames).map(String);
        const annPlugins = splitList(o.annotations["konghq.com/plugins"]);
        const strip = o.annotations["konghq.com/strip-path"];
        for (const rule of arr(spec.rules).map(rec)) {
            const filterPlugins = arr(rule.filters)
                .map(rec)
                .filter((f) => str(f.type) === "ExtensionRef")
                .map((f) => str(rec(f.extensionRef).name) ?? "?");
            const backends = arr(rule.backendRefs).map(rec);
            const backend = backends[0] ?? {};
            const matches = arr(rule.matches).map(rec);
            const methods = [
                ...new Set(
                    matches
                        .map((m) => str(m.method))
                        .filter((m): m is string => m !== undefined)
                        .map((m) => m.toUpperCase()),
                ),
            ];
            const seen = new Set<string>();
            for (const m of matches.length > 0 ? matches : [{}]) {
                const path = rec(m.path);
                const key = `${str(path.type) ?? "PathPrefix"} ${str(path.value) ?? "/"}`;
                if (seen.has(key)) continue;
                seen.add(key);
                addRoute(
                    o,
                    {
                        path: str(path.value) ?? "/",
                        pathType: str(path.type) ?? "PathPrefix",
                        methods,
                        host: hosts[0] ?? null,
                        service: `${str(backend.namespace) ?? o.namespace}/${str(backend.name) ?? "?"}`,
                        port: backend.port === undefined ? "" : String(backend.port),
                        stripPath: strip === undefined ? null : strip === "true",
                    },
                    [...annPlugins, ...filterPlugins],
                );
            }
        }
    }

    // GRPCRoutes Kong serves (KIC 3.5 subtranslator/grpcroute.go): one Kong route per match, on the call's path
    // /<service>[/<method>]; a rule without matches takes every call ("/"). Kong routes gRPC by path, never by method.
    for (const o of byKind("GRPCRoute").filter(kongParent)) {
        const spec = rec(o.body.spec);
        const hosts = arr(spec.hostnames).map(String);
        const annPlugins = splitList(o.annotations["konghq.com/plugins"]);
        for (const rule of arr(spec.rules).map(rec)) {
            const filterPlugins = arr(rule.filters)
                .map(rec)
                .filter((f) => str(f.type) === "ExtensionRef")
                .map((f) => str(rec(f.extensionRef).name) ?? "?");
            const backend = arr(rule.backendRefs).map(rec)[0] ?? {};
            const matches = arr(rule.matches).map(rec);
            const seen = new Set<string>();
            for (const m of matches.length > 0 ? matches : [{}]) {
                const method = rec(m.method);
                const path = str(method.service) === undefined ? "/" : `/${str(method.service)}${str(method.method) === undefined ? "" : `/${str(method.method)}`}`;
                if (seen.has(path)) continue;
                seen.add(path);
                addRoute(
                    o,
                    {
                        path,
                        pathType: "gRPC",
                        methods: [],
                        host: hosts[0] ?? null,
                        service: `${str(backend.namespace) ?? o.namespace}/${str(backend.name) ?? "?"}`,
                        port: backend.port === undefined ? "" : String(backend.port),
                        stripPath: null,
                    },
                    [...annPlugins, ...filterPlugins],
                );
            }
        }
    }

    // Istio objects by the service they concern.
    const vsOf = new Map<string, K8sObject>();
    for (const o of byKind("VirtualService")) {
        for (const h of arr(rec(o.body.spec).hosts).map(String)) {
            vsOf.set(hostService(h, o.namespace), o);
        }
    }
    const drOf = new Map<string, K8sObject>();
    for (const o of byKind("DestinationRule")) {
        const h = str(rec(o.body.spec).host);
        if (h !== undefined) {
            drOf.set(hostService(h, o.namespace), o);
        }
    }
    // Mesh HTTPRoutes (mesh.routing gateway-api) by parent Service; their backend Services (one per version) belong to the parent.
    const meshRouteOf = new Map<string, K8sObject>();
    const versionServiceIds = new Set<string>();
    for (const o of byKind("HTTPRoute").filter((r) => isMeshHttpRoute(r.body))) {
        const parents = meshRouteParents(o.body, o.namespace);
        parents.forEach((id) => meshRouteOf.set(id, o));
        meshRouteBackends(o.body, o.namespace)
            .filter((id) => !parents.includes(id))
            .forEach((id) => versionServiceIds.add(id));
    }
    const aps = byKind("AuthorizationPolicy");
    const selects = (ap: K8sObject, svc: K8sObject | undefined): boolean => {
        const match = strMap(rec(rec(rec(ap.body.spec).selector).matchLabels));
        const keys = Object.keys(match);
        if (keys.length === 0 || svc === undefined) {
            return false;
        }
        const sel = strMap(rec(svc.body.spec).selector);
        return keys.every((k) => sel[k] === match[k]);
    };

    // Which Services are part of the traffic: route backends, VirtualService/DestinationRule hosts, Services in meshed namespaces or under an AuthorizationPolicy.
    const svcIds = new Set<string>();
    routes.forEach((r) => svcIds.add(r.service));
    [...vsOf.keys(), ...drOf.keys()].forEach((k) => svcIds.add(k));
    meshRouteOf.forEach((_o, id) => svcIds.add(id));
    for (const [id, o] of svcObjects) {
        const ns = namespaces.get(o.namespace);
        if (o.namespace === kongNamespace) {
            continue; // Kong's own Services (status, metrics) are not traffic targets
        }
        if (ns?.labels["istio-injection"] === "enabled" || aps.some((ap) => ap.namespace === o.namespace)) {
            svcIds.add(id);
        }
    }

    const principalOf = (p: string): { from: string; principal: string } => {
        const m = /^(?:[^/]+\/)?ns\/([^/]+)\/sa\/([^/]+)$/.exec(p);
        return { from: m ? `${m[1]}/${m[2]}` : p, principal: p };
    };
    versionServiceIds.forEach((id) => svcIds.delete(id));
    const services: ServiceModel[] = [...svcIds].sort().map((id) => {
        const [namespace, name] = id.split("/");
        const svc = svcObjects.get(id);
        const vs = vsOf.get(id);
        const dr = drOf.get(id);
        const node = `svc:${id}`;
        const objects: K8sObject[] = [svc, vs, dr].filter((x): x is K8sObject => x !== undefined);
        const labelsOf = new Map(
            arr(rec(dr?.body.spec).subsets)
                .map(rec)
                .map((s) => [str(s.name) ?? "", strMap(s.labels)]),
        );
        const http = arr(rec(vs?.body.spec).http).map(rec);
        const isCanary = (h: Obj) => arr(h.match).some((m) => Object.keys(rec(rec(m).headers)).length > 0);
        const main = http.find((h) => !isCanary(h)) ?? http[0];
        const canaryRoute = http.find(isCanary);
        const versions: VersionModel[] = arr(main?.route)
            .map(rec)
            .map((d, _i, all) => {
                const subset = str(rec(d.destination).subset) ?? "all pods";
                return { subset, weight: typeof d.weight === "number" ? d.weight : all.length === 1 ? 100 : 0, labels: labelsOf.get(subset) ?? {} };
            });
        if (versions.length === 0) {
            versions.push({ subset: "all pods", weight: 100, labels: strMap(rec(svc?.body.spec).selector) });
        }
        let canary: ServiceModel["canary"] = null;
        if (canaryRoute !== undefined) {
            const headers = rec(rec(arr(canaryRoute.match)[0]).headers);
            const [header = "?"] = Object.keys(headers);
            const match = rec(headers[header]);
            canary = {
                header,
                value: str(match.exact) ?? str(match.prefix) ?? str(match.regex) ?? "?",
                subset: str(rec(rec(arr(canaryRoute.route)[0]).destination).subset) ?? "?",
            };
        }
        const meshRoute = meshRouteOf.get(id);
        const view = meshRoute === undefined ? undefined : meshRouteView(meshRoute.body, meshRoute.namespace, (b) => strMap(rec(svcObjects.get(b)?.body.spec).selector));
        if (meshRoute !== undefined && view !== undefined) {
            objects.push(meshRoute);
            for (const b of meshRouteBackends(meshRoute.body, meshRoute.namespace).filter((b) => b !== id)) {
                [svcObjects.get(b), drOf.get(b)].forEach((o) => o !== undefined && objects.push(o));
            }
            versions.splice(0, versions.length, ...view.versions);
            canary = view.canary;
        }
        const retries = rec(main?.retries);
        const outlier = rec(rec(rec(dr?.body.spec).trafficPolicy).outlierDetection);
        // Authorization: ALLOW policies selecting the service; a namespace-wide empty policy denies all.
        const mine = aps.filter((ap) => ap.namespace === namespace && selects(ap, svc));
        mine.forEach((ap) => objects.push(ap));
        const allow = mine.filter((ap) => (str(rec(ap.body.spec).action) ?? "ALLOW") === "ALLOW");
        // An allow-nothing policy (an ALLOW without rules, e.g. `spec: {}`) on the namespace or the workload: nobody unless another ALLOW says so.
        const allowNothing = aps.filter(
            (ap) =>
                ap.namespace === namespace &&
                (Object.keys(strMap(rec(rec(rec(ap.body.spec).selector).matchLabels))).length === 0 || selects(ap, svc)) &&
                (str(rec(ap.body.spec).action) ?? "ALLOW") === "ALLOW" &&
                arr(rec(ap.body.spec).rules).length === 0,
        );
        const callers: CallerModel[] = [];
        for (const ap of allow) {
            for (const rule of arr(rec(ap.body.spec).rules).map(rec)) {
                for (const f of arr(rule.from).map(rec)) {
                    for (const p of arr(rec(f.source).principals).map(String)) {
                        const c = principalOf(p);
                        if (callers.some((x) => x.principal === c.principal)) {
                            continue;
                        }
                        const [cns] = c.from.split("/");
                        const kind = cns === kongNamespace ? "kong" : svcIds.has(c.from) ? "service" : "unknown";
                        callers.push({ ...c, kind, service: kind === "service" ? c.from : null });
                    }
                }
            }
        }
        const withRules = allow.filter((ap) => arr(rec(ap.body.spec).rules).length > 0);
        const anySource = withRules.some((ap) => arr(rec(ap.body.spec).rules).some((r) => arr(rec(r).from).length === 0));
        const access: ServiceModel["access"] = anySource ? "open" : withRules.length > 0 ? "allow-list" : allowNothing.length > 0 ? "deny-all" : "open";
        const myRoutes = routes.filter((r) => r.service === id).map((r) => r.id);
        const problems: string[] = [];
        if (svc === undefined) {
            problems.push("no Service object with this name");
        }
        if (myRoutes.length > 0 && access !== "open" && !callers.some((c) => c.kind === "kong")) {
            problems.push(`exposed by Kong, but no AuthorizationPolicy allows Kong's service account (${kongNamespace}/*): requests through the gateway get 403`);
        }
        if (myRoutes.length === 0 && access === "deny-all") {
            problems.push("no route and no allowed caller: nothing can reach it (deny-all)");
        }
        for (const c of callers.filter((x) => x.kind === "unknown")) {
            problems.push(`allows ${c.from}, which is not a service of this ${resources.some((r) => r.file !== undefined) ? "input" : "stack"}`);
        }
        objects.forEach((o) => attach(o, node));
        const port = arr(rec(svc?.body.spec).ports)
            .map(rec)
            .map((p) => (str(p.targetPort) !== undefined && str(p.targetPort) !== str(p.port) ? `${str(p.port)}→${str(p.targetPort)}` : (str(p.port) ?? "")))
            .join(", ");
        return {
            id,
            namespace,
            name,
            ports: port,
            versions,
            canary,
            timeout: view !== undefined ? view.timeout : textOrNull(main?.timeout),
            retries:
                view !== undefined
                    ? view.retries
                    : Object.keys(retries).length > 0
                      ? `${String(retries.attempts ?? "?")} attempts${retries.perTryTimeout ? `, ${String(retries.perTryTimeout)} each` : ""}${retries.retryOn ? ` on ${String(retries.retryOn)}` : ""}`
                      : null,
            outlier:
                Object.keys(outlier).length > 0
                    ? `eject after ${String(outlier.consecutive5xxErrors ?? outlier.consecutiveGatewayErrors ?? "?")} × 5xx for ${String(outlier.baseEjectionTime ?? "30s")}`
                    : null,
            tls: str(rec(rec(rec(dr?.body.spec).trafficPolicy).tls).mode) ?? null,
            routes: myRoutes,
            callers,
            access,
            objects: objects.map(refOf),
            problems,
            exists: svc !== undefined,
        };
    });
    for (const r of routes) {
        const s = services.find((x) => x.id === r.service);
        if (s !== undefined && s.exists && s.access !== "open" && !s.callers.some((c) => c.kind === "kong")) {
            (r.problems as string[]).push(`${s.id} does not allow Kong: 403 from its sidecar`);
        }
    }

    // Namespaces: those of services and routes, with their mesh-wide settings.
    const nsNames = new Set([...services.map((s) => s.namespace), ...routes.map((r) => r.namespace)]);
    const pas = byKind("PeerAuthentication");
    const nsModels: NamespaceModel[] = [...nsNames].sort().map((name) => {
        const ns = namespaces.get(name);
        const pa = pas.find((p) => p.namespace === name && Object.keys(rec(rec(p.body.spec).selector)).length === 0);
        const deny = aps.find((ap) => ap.namespace === name && Object.keys(rec(ap.body.spec)).length === 0);
        [ns, pa, deny].forEach((o) => o && attach(o, `ns:${name}`));
        return {
            name,
            services: services.filter((s) => s.namespace === name).map((s) => s.id),
            routes: routes.filter((r) => r.namespace === name).map((r) => r.id),
            injection: ns === undefined ? null : ns.labels["istio-injection"] === "enabled",
            mtls: pa === undefined ? null : (str(rec(rec(pa.body.spec).mtls).mode) ?? null),
            defaultDeny: deny !== undefined,
        };
    });
    globals.forEach((o) => attach(o, "kong"));
    byKind("KongConsumer").forEach((o) => attach(o, "kong"));
    const objectOfUrn = new Map(objects.map((o) => [o.urn, o]));
    return { edge: { nlb, kongNamespace, globalPlugins, consumers }, namespaces: nsModels, services, routes, nodesOf, objectOfUrn };
}

/** Policy results with the rule's description and fix, on the graph nodes they concern. */
function policyRows(input: ReportInput, built: Built): PolicyRow[] {
    const info = new Map(rules.map((r) => [r.id, r]));
    const byUrn = new Map(input.resources.map((r) => [r.urn, r]));
    const order = { mandatory: 0, remediate: 1, advisory: 2 } as Record<string, number>;
    return input.violations
        .map((v) => {
            const o = built.objectOfUrn.get(v.urn);
            const r = byUrn.get(v.urn);
            const nodes = o !== undefined ? (built.nodesOf.get(refOf(o)) ?? []) : r?.type === "kubernetes:helm.sh/v3:Release" && str(r.inputs.chart) === "kong" ? ["kong"] : [];
            return {
                policy: v.policy,
                level: v.level,
                message: v.message,
                description: info.get(v.policy)?.description ?? "",
                fix: info.get(v.policy)?.fix ?? "",
                object:
                    o !== undefined ? refOf(o) : r !== undefined ? `${r.type.slice(r.type.lastIndexOf(":") + 1)} ${r.name}` : v.urn.slice(v.urn.lastIndexOf("::") + 2) || "(stack)",
                type: r?.type ?? "",
                file: r?.file ?? null,
                nodes,
            };
        })
        .sort((a, b) => (order[a.level] ?? 3) - (order[b.level] ?? 3) || a.object.localeCompare(b.object) || a.policy.localeCompare(b.policy));
}

const shortKind = (type: string): string => {
    const k = type.slice(type.lastIndexOf(":") + 1);
    return type.startsWith("pulumi:providers:") ? `Provider(${k})` : k;
};

/** Siblings of one component type are folded into one group from this many on. */
const FOLD_AT = 4;

/** The component tree (plan) or the objects by namespace (check), with resource counts. */
function tree(input: ReportInput): TreeNode[] {
    const resources = input.resources;
    if (input.source === "manifests" || !resources.some((r) => !r.custom)) {
        const byNs = new Map<string, Map<string, number>>();
        for (const o of objectsOf(resources)) {
            const ns = o.namespace || "(cluster-scoped)";
            const m = byNs.get(ns) ?? new Map<string, number>();
            m.set(o.kind, (m.get(o.kind) ?? 0) + 1);
            byNs.set(ns, m);
        }
        const releases = resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release").length;
        if (releases > 0) {
            byNs.set("(Helm releases)", new Map([["Release", releases]]));
        }
        return [...byNs]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([ns, m]) => {
                const counts = [...m].sort(([a], [b]) => a.localeCompare(b));
                return { label: ns, type: ns.startsWith("(") ? "" : "namespace", counts, total: counts.reduce((s, [, n]) => s + n, 0), children: [] };
            });
    }
    const children = new Map<string | undefined, ReportResource[]>();
    for (const r of resources) {
        const list = children.get(r.parent) ?? [];
        list.push(r);
        children.set(r.parent, list);
    }
    const build = (group: ReportResource[]): TreeNode => {
        const head = group[0];
        const kinds = new Map<string, number>();
        const sub = new Map<string, ReportResource[]>();
        for (const r of group.flatMap((g) => children.get(g.urn) ?? [])) {
            if (r.custom) {
                const k = shortKind(r.type);
                kinds.set(k, (kinds.get(k) ?? 0) + 1);
            } else {
                sub.set(r.type, [...(sub.get(r.type) ?? []), r]);
            }
        }
        const kids: TreeNode[] = [];
        for (const list of sub.values()) {
            if (list.length >= FOLD_AT && group.length === 1) {
                const members = list.map((r) => build([r]));
                const agg = new Map<string, number>();
                members.forEach((m) => m.counts.forEach(([k, n]) => agg.set(k, (agg.get(k) ?? 0) + n)));
                kids.push({
                    label: `${list[0].type.slice(list[0].type.lastIndexOf(":") + 1)} ×${list.length}`,
                    type: list[0].type,
                    counts: [...agg],
                    total: members.reduce((s, m) => s + m.total, 0),
                    children: members,
                });
            } else {
                kids.push(...list.map((r) => build([r])));
            }
        }
        const counts = [...kinds];
        return { label: head.name, type: head.type, counts, total: counts.reduce((s, [, n]) => s + n, 0) + kids.reduce((s, k) => s + k.total, 0), children: kids };
    };
    return (children.get(undefined) ?? []).filter((r) => !r.custom).map((r) => build([r]));
}

/** The deploy critical path on the benchmark's model (tools/bench/critical-path.ts): an estimate. */
function timeline(input: ReportInput): TimelineModel | null {
    // Plain manifests record no dependencies; a plan does (components: its resources come from the program).
    if (input.source !== "plan" || !input.resources.some((r) => !r.custom)) {
        return null;
    }
    const graph: GraphResource[] = input.resources.map((r) => ({
        urn: r.urn,
        name: r.name,
        type: r.type,
        custom: r.custom,
        inputs: r.inputs,
        parent: r.parent,
        dependsOn: r.dependsOn ?? [],
        propertyDependencies: r.propertyDependencies ?? {},
        provider: r.provider,
    }));
    const g = new DeployGraph(graph);
    const unavoidable = unavoidableEdges(g);
    const planned = longestPath(g, [...recordedEdges(g), ...unavoidable]);
    const lower = longestPath(g, unavoidable);
    return {
        seconds: planned.seconds,
        lowerBoundSeconds: lower.seconds,
        serialSeconds: g.nodes.reduce((s, r) => s + g.duration(r).seconds, 0),
        resources: g.nodes.length,
        steps: planned.chain.map((s) => ({ name: s.name, type: s.type, key: s.key, start: s.start, finish: s.finish, via: s.via })),
    };
}

export function buildReportModel(input: ReportInput): ReportModel {
    const built = traffic(input.resources);
    const custom = input.resources.filter((r) => r.custom);
    return {
        stack: input.stack,
        source: input.source,
        counts: { resources: custom.length, components: input.resources.length - custom.length, objects: objectsOf(input.resources).length, rules: rules.length },
        edge: built.edge,
        namespaces: built.namespaces,
        services: built.services,
        routes: built.routes,
        policy: policyRows(input, built),
        tree: tree(input),
        timeline: timeline(input),
        traces: { available: input.routes !== undefined, problem: input.routesProblem ?? null, entries: input.routes?.entries ?? [] },
    };
}
