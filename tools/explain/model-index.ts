/**
 * Every object explain reads, indexed once (by kind, namespace, host), so one
 * request or a whole matrix walks maps instead of scanning the object list.
 */
import { annotations, arr, get, labels, nameOf, nsOf, num, obj, str, strs } from "./objects";
import type { K8sObject } from "./types";

export interface KongEdge {
    /** The kong/kong Helm release, or undefined when the objects hold none. */
    readonly release?: K8sObject;
    readonly values: Record<string, unknown>;
    readonly releaseName: string;
    readonly namespace: string;
    readonly ingressClass: string;
    /** The proxy's service account: the principal Kong's sidecar presents. */
    readonly serviceAccount: string;
}

export interface MeshSettings {
    readonly istiod?: K8sObject;
    readonly rootNamespace: string;
    readonly trustDomain: string;
    readonly meshConfig: Record<string, unknown>;
    readonly clusterDomain: string;
}

export interface ModelIndex {
    readonly objects: readonly K8sObject[];
    readonly services: Map<string, K8sObject>;
    readonly namespaces: Map<string, K8sObject>;
    readonly ingresses: K8sObject[];
    readonly httpRoutes: K8sObject[];
    /** Gateway API GRPCRoutes (Kong's edge routes of gRPC services). */
    readonly grpcRoutes: K8sObject[];
    /** Gateway API Gateways by namespace/name and GatewayClasses by name. */
    readonly gateways: Map<string, K8sObject>;
    readonly gatewayClasses: Map<string, K8sObject>;
    readonly kongPlugins: Map<string, K8sObject>;
    readonly kongClusterPlugins: Map<string, K8sObject>;
    readonly consumers: Map<string, K8sObject>;
    readonly secrets: Map<string, K8sObject>;
    readonly virtualServices: Map<string, K8sObject[]>;
    readonly destinationRules: Map<string, K8sObject[]>;
    readonly peerAuthentications: Map<string, K8sObject[]>;
    readonly authorizationPolicies: Map<string, K8sObject[]>;
    readonly telemetries: Map<string, K8sObject[]>;
    readonly sidecars: Map<string, K8sObject[]>;
    readonly releases: K8sObject[];
    readonly kong: KongEdge;
    readonly mesh: MeshSettings;
}

function push<V>(m: Map<string, V[]>, k: string, v: V): void {
    const list = m.get(k);
    if (list) list.push(v);
    else m.set(k, [v]);
}

/** Istio's short-name rule: a host without a dot is `<host>.<namespace of the rule>.svc.<domain>`. */
export function qualify(host: string, namespace: string, clusterDomain: string): string {
    return host.includes(".") || host === "*" ? host : `${host}.${namespace}.svc.${clusterDomain}`;
}

export function buildIndex(objects: readonly K8sObject[]): ModelIndex {
    const services = new Map<string, K8sObject>();
    const namespaces = new Map<string, K8sObject>();
    const ingresses: K8sObject[] = [];
    const httpRoutes: K8sObject[] = [];
    const grpcRoutes: K8sObject[] = [];
    const gateways = new Map<string, K8sObject>();
    const gatewayClasses = new Map<string, K8sObject>();
    const kongPlugins = new Map<string, K8sObject>();
    const kongClusterPlugins = new Map<string, K8sObject>();
    const consumers = new Map<string, K8sObject>();
    const secrets = new Map<string, K8sObject>();
    const releases: K8sObject[] = [];
    const vsRaw: K8sObject[] = [];
    const drRaw: K8sObject[] = [];
    const peerAuthentications = new Map<string, K8sObject[]>();
    const authorizationPolicies = new Map<string, K8sObject[]>();
    const telemetries = new Map<string, K8sObject[]>();
    const sidecars = new Map<string, K8sObject[]>();
    for (const o of objects) {
        const key = `${nsOf(o)}/${nameOf(o)}`;
        switch (o.kind) {
            case "Service":
                services.set(key, o);
                break;
            case "Namespace":
                namespaces.set(nameOf(o), o);
                break;
            case "Ingress":
                ingresses.push(o);
                break;
            case "HTTPRoute":
                httpRoutes.push(o);
                break;
            case "GRPCRoute":
                grpcRoutes.push(o);
                break;
            case "Gateway":
                if (o.apiVersion?.startsWith("gateway.networking.k8s.io/")) gateways.set(key, o);
                break;
            case "GatewayClass":
                gatewayClasses.set(nameOf(o), o);
                break;
            case "KongPlugin":
                kongPlugins.set(key, o);
                break;
            case "KongClusterPlugin":
                kongClusterPlugins.set(nameOf(o), o);
                break;
            case "KongConsumer":
                consumers.set(str(o.username) ?? nameOf(o), o);
                break;
            case "Secret":
                secrets.set(key, o);
                break;
            case "Release":
                releases.push(o);
                break;
            case "VirtualService":
                vsRaw.push(o);
                break;
            case "DestinationRule":
                drRaw.push(o);
                break;
            case "PeerAuthentication":
                push(peerAuthentications, nsOf(o), o);
                break;
            case "AuthorizationPolicy":
                push(authorizationPolicies, nsOf(o), o);
                break;
            case "Telemetry":
                push(telemetries, nsOf(o), o);
                break;
            case "Sidecar":
                push(sidecars, nsOf(o), o);
                break;
        }
    }
    const istiod = releases.find((r) => str(r.chart) === "istiod");
    const meshConfig = obj(get(istiod, "values", "meshConfig"));
    // istiod chart 1.30.3 values: meshConfig.trustDomain, meshConfig.rootNamespace (default the istio namespace), global.proxy.clusterDomain? (values.global.meshID aside): cluster domain defaults to cluster.local.
    const mesh: MeshSettings = {
        istiod,
        rootNamespace: str(meshConfig.rootNamespace) ?? str(get(istiod, "values", "global", "istioNamespace")) ?? str(get(istiod, "namespace")) ?? "istio-system",
        trustDomain: str(meshConfig.trustDomain) ?? "cluster.local",
        meshConfig,
        clusterDomain: "cluster.local",
    };
    const virtualServices = new Map<string, K8sObject[]>();
    for (const vs of vsRaw) {
        for (const h of strs(get(vs, "spec", "hosts"))) push(virtualServices, qualify(h, nsOf(vs), mesh.clusterDomain), vs);
    }
    const destinationRules = new Map<string, K8sObject[]>();
    for (const dr of drRaw) {
        const h = str(get(dr, "spec", "host"));
        if (h) push(destinationRules, qualify(h, nsOf(dr), mesh.clusterDomain), dr);
    }
    const kongRelease = releases.find((r) => str(r.chart) === "kong" || str(r.chart) === "ingress");
    const values = obj(kongRelease?.values);
    const releaseName = str(kongRelease?.name) ?? "kong";
    const kong: KongEdge = {
        release: kongRelease,
        values,
        releaseName,
        namespace: str(kongRelease?.namespace) ?? "kong",
        // kong/kong 3.4.1 values.yaml: ingressController.ingressClass defaults to "kong".
        ingressClass: str(get(values, "ingressController", "ingressClass")) ?? "kong",
        // kong/kong 3.4.1 templates/_helpers.tpl kong.serviceAccountName: deployment.serviceAccount.name, else (create, the default)
        // kong.fullname = fullnameOverride or "<release>-<nameOverride or kong>", or "default" when not created.
        serviceAccount:
            str(get(values, "deployment", "serviceAccount", "name")) ??
            (get(values, "deployment", "serviceAccount", "create") === false
                ? "default"
                : (str(values.fullnameOverride) ?? `${releaseName}-${str(values.nameOverride) ?? "kong"}`)),
    };
    return {
        objects,
        services,
        namespaces,
        ingresses,
        httpRoutes,
        grpcRoutes,
        gateways,
        gatewayClasses,
        kongPlugins,
        kongClusterPlugins,
        consumers,
        secrets,
        virtualServices,
        destinationRules,
        peerAuthentications,
        authorizationPolicies,
        telemetries,
        sidecars,
        releases,
        kong,
        mesh,
    };
}

/** Is a namespace's workload given an Envoy sidecar? Unknown namespaces (objects not given) count as injected, with a note. */
export function namespaceInjected(index: ModelIndex, namespace: string): { injected: boolean; known: boolean; why: string } {
    const ns = index.namespaces.get(namespace);
    if (!ns) {
        return { injected: true, known: false, why: `namespace ${namespace} is not among the objects; assumed injected` };
    }
    const l = labels(ns);
    // Istio 1.30 sidecar injector: istio-injection=enabled or an istio.io/rev label selects the namespace; istio-injection=disabled wins.
    if (l["istio-injection"] === "enabled") return { injected: true, known: true, why: `namespace ${namespace} has istio-injection=enabled` };
    if (l["istio-injection"] === undefined && l["istio.io/rev"] !== undefined)
        return { injected: true, known: true, why: `namespace ${namespace} has istio.io/rev=${l["istio.io/rev"]}` };
    return {
        injected: false,
        known: true,
        why: `namespace ${namespace} has ${l["istio-injection"] !== undefined ? `istio-injection=${l["istio-injection"]}` : "no istio-injection label"}`,
    };
}

/** The Service's selector (the pod labels every pod behind it has). */
export function serviceSelector(svc: K8sObject | undefined): Record<string, string> {
    return { ...(obj(get(svc, "spec", "selector")) as Record<string, string>) };
}

/** A Service port by number or name. */
export function servicePort(svc: K8sObject, port: number | string | undefined): { port: number; targetPort: number | string; name?: string } | undefined {
    const ports = arr(get(svc, "spec", "ports"));
    const p = ports.find((x) => (typeof port === "number" ? num(get(x, "port")) === port : port === undefined ? true : str(get(x, "name")) === port));
    if (!p) return undefined;
    const n = num(get(p, "port")) ?? 0;
    return { port: n, targetPort: (get(p, "targetPort") as number | string | undefined) ?? n, name: str(get(p, "name")) };
}

export function annotation(o: K8sObject | undefined, key: string): string | undefined {
    return o ? annotations(o)[key] : undefined;
}
