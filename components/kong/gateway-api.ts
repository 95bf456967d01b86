/**
 * Kong at the edge through the Gateway API: a GatewayClass for the Kong Ingress Controller
 * and one Gateway bound to the Kong proxy the kong release already runs.
 *
 * Modelled on KIC 3.5 (github.com/Kong/kubernetes-ingress-controller v3.5.13):
 * - internal/controllers/gateway/gatewayclass_controller.go: the controller name is
 *   `konghq.com/kic-gateway-controller`; internal/annotations/annotations.go: a GatewayClass
 *   annotated `konghq.com/gatewayclass-unmanaged: "true"` is served by the running KIC, whose
 *   Gateways are bound to its publish service (the chart's proxy Service) instead of
 *   provisioning a data plane.
 * - internal/controllers/gateway/gateway_controller.go determineListenersFromDataPlane and
 *   gateway_utils.go getListenerStatus: a listener is accepted only when the proxy Service has
 *   that port and Kong listens behind it with that protocol (a TLS listener of Kong: HTTPS; a
 *   plain one: HTTP), so the listeners follow the proxy's ports: 80 HTTP, 443 HTTPS when Kong
 *   ends TLS with a Secret, 443 HTTP when the NLB ends it (ACM) and forwards plain HTTP.
 * - internal/dataplane/translator/subtranslator/httproute.go protocolsFromHTTPRoutesGatewayListeners:
 *   the routes' protocols are those of the listeners of their parent Gateway.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GATEWAY_API_VERSION_STRING } from "../gateway-api";
import { KONG_NAMESPACE } from "./names";

/** KIC's Gateway controller name. */
export const KONG_GATEWAY_CONTROLLER = "konghq.com/kic-gateway-controller";
/** Annotation that makes a GatewayClass unmanaged: served by the running KIC and its proxy. */
export const GATEWAYCLASS_UNMANAGED_ANNOTATION = "konghq.com/gatewayclass-unmanaged";
/** Name of the GatewayClass (the pack's Kong rules judge routes of Gateways of this class by default). */
export const KONG_GATEWAY_CLASS = "kong";
/** Name of the Gateway, in Kong's namespace. */
export const KONG_GATEWAY = "kong";
/** Label every namespace carries (Kubernetes >= 1.22): what the listeners' allowedRoutes select on. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** The Gateway routes attach to: `parentRefs` of every edge HTTPRoute. */
export interface KongGatewayRef {
    readonly name: string;
    readonly namespace: string;
}

export const DEFAULT_KONG_GATEWAY_REF: KongGatewayRef = { name: KONG_GATEWAY, namespace: KONG_NAMESPACE };

export interface GatewayClassObject {
    readonly apiVersion: typeof GATEWAY_API_VERSION_STRING;
    readonly kind: "GatewayClass";
    readonly metadata: { readonly name: string; readonly annotations: Record<string, string>; readonly labels?: Record<string, string> };
    readonly spec: { readonly controllerName: string };
}

export interface GatewayListener {
    readonly name: string;
    readonly port: number;
    readonly protocol: "HTTP" | "HTTPS";
    readonly tls?: { readonly mode: "Terminate"; readonly certificateRefs: { readonly group: ""; readonly kind: "Secret"; readonly name: string }[] };
    readonly allowedRoutes: {
        readonly namespaces:
            | { readonly from: "Same" }
            | { readonly from: "Selector"; readonly selector: { readonly matchExpressions: { readonly key: string; readonly operator: "In"; readonly values: string[] }[] } };
    };
}

export interface GatewayObject {
    readonly apiVersion: typeof GATEWAY_API_VERSION_STRING;
    readonly kind: "Gateway";
    readonly metadata: { readonly name: string; readonly namespace: string; readonly labels?: Record<string, string> };
    readonly spec: { readonly gatewayClassName: string; readonly listeners: GatewayListener[] };
}

/** The edge as the proxy is set up: what port 80 does and who ends TLS on 443. */
export interface KongGatewaySettings {
    /** Namespaces whose routes may attach (the exposed services' namespaces). */
    readonly routeNamespaces: readonly string[];
    /** `secretName`: Kong ends TLS with this kubernetes.io/tls Secret (in Kong's namespace); `certificateArn`: the NLB ends it. @default neither */
    readonly tls?: { readonly certificateArn?: string; readonly secretName?: string; readonly http?: "open" | "redirect" | "close" };
    /** Kong's namespace. @default "kong" */
    readonly namespace?: string;
    /** Labels of both objects. @default { "app.kubernetes.io/managed-by": "meshgate" } */
    readonly labels?: Record<string, string>;
}

const MANAGED = { "app.kubernetes.io/managed-by": "meshgate" };

export function kongGatewayClassObject(labels: Record<string, string> = MANAGED): GatewayClassObject {
    return {
        apiVersion: GATEWAY_API_VERSION_STRING,
        kind: "GatewayClass",
        metadata: { name: KONG_GATEWAY_CLASS, annotations: { [GATEWAYCLASS_UNMANAGED_ANNOTATION]: "true" }, labels },
        spec: { controllerName: KONG_GATEWAY_CONTROLLER },
    };
}

/**
 * The listeners of the Kong proxy: `http` on 80 unless port 80 is closed; `https` on 443 as
 * HTTPS with the Secret when Kong ends TLS, as HTTP when the NLB ends it (ACM). Without a
 * certificate there is no https listener: an HTTPS listener needs a certificate reference
 * (Gateway API v1.3.0 CEL rule on listeners), so routes take http only.
 */
export function kongGatewayListeners(s: KongGatewaySettings): GatewayListener[] {
    const namespaces = [...new Set(s.routeNamespaces)].sort();
    const allowedRoutes: GatewayListener["allowedRoutes"] =
        namespaces.length === 0
            ? { namespaces: { from: "Same" } }
            : { namespaces: { from: "Selector", selector: { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: "In", values: namespaces }] } } };
    const out: GatewayListener[] = [];
    if ((s.tls?.http ?? "open") !== "close") out.push({ name: "http", port: 80, protocol: "HTTP", allowedRoutes });
    if (s.tls?.secretName !== undefined) {
        out.push({
            name: "https",
            port: 443,
            protocol: "HTTPS",
            tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: s.tls.secretName }] },
            allowedRoutes,
        });
    } else if (s.tls?.certificateArn !== undefined) {
        out.push({ name: "https", port: 443, protocol: "HTTP", allowedRoutes });
    }
    if (out.length === 0) throw new Error("gateway: the Kong Gateway would have no listener (tls.http close without a certificate)");
    return out;
}

export function kongGatewayObject(s: KongGatewaySettings): GatewayObject {
    return {
        apiVersion: GATEWAY_API_VERSION_STRING,
        kind: "Gateway",
        metadata: { name: KONG_GATEWAY, namespace: s.namespace ?? KONG_NAMESPACE, labels: s.labels ?? MANAGED },
        spec: { gatewayClassName: KONG_GATEWAY_CLASS, listeners: kongGatewayListeners(s) },
    };
}

/** What KongEdgeGateway needs: the listeners' settings (which namespaces may attach routes, TLS) and what to wait for. */
export interface KongEdgeGatewayArgs extends KongGatewaySettings {
    /** The kong release (KIC serves the class) and the Gateway API CRDs: both objects wait for them. */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

/** The GatewayClass and Gateway through which Kong serves HTTPRoutes. */
export class KongEdgeGateway extends pulumi.ComponentResource {
    readonly gatewayClass: k8s.apiextensions.CustomResource;
    readonly gateway: k8s.apiextensions.CustomResource;
    /** What edge routes name in `parentRefs`. */
    readonly ref: KongGatewayRef;

    constructor(name: string, args: KongEdgeGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("meshgate:kong:KongEdgeGateway", name, {}, opts);
        const cls = kongGatewayClassObject(args.labels);
        const gw = kongGatewayObject(args);
        this.ref = { name: gw.metadata.name, namespace: gw.metadata.namespace };
        this.gatewayClass = new k8s.apiextensions.CustomResource(`${name}-class`, { ...cls }, { parent: this, dependsOn: args.dependsOn });
        this.gateway = new k8s.apiextensions.CustomResource(`${name}-gateway`, { ...gw }, { parent: this, dependsOn: [...args.dependsOn, this.gatewayClass] });
        this.registerOutputs({ gatewayClass: KONG_GATEWAY_CLASS, gateway: `${this.ref.namespace}/${this.ref.name}` });
    }
}
