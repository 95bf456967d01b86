// Kong at the edge through the Gateway API: the Gateways and GatewayClasses the Kong rules treat
// as Kong's must really be served by KIC, and a route attaches to a Kong Gateway only where a
// listener allows it. Modelled on KIC 3.5 (Kong/kubernetes-ingress-controller v3.5.13
// internal/controllers/gateway/gatewayclass_controller.go: controller name
// konghq.com/kic-gateway-controller, GatewayClassIsUnmanaged: only classes annotated
// konghq.com/gatewayclass-unmanaged are reconciled) and the Gateway API v1.3.0 spec
// (Listener.allowedRoutes: namespaces.from Same (default) | All | Selector; kinds).
import type { EnforcementLevel, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { arr, get, kindOf, kindTypes, metaOf, schema, str, stringMap, tunables, typeSet, T } from "./common";
import { GRPC_ROUTE_TYPES } from "./kong-gateway-api";

export const KIC_GATEWAY_CONTROLLER = "konghq.com/kic-gateway-controller";
export const GATEWAYCLASS_UNMANAGED = "konghq.com/gatewayclass-unmanaged";
const GATEWAY_GROUP = "gateway.networking.k8s.io";
const gatewayClassTypes = typeSet(kindTypes(GATEWAY_GROUP, ["v1", "v1beta1"], "GatewayClass"));
const gatewayTypes = typeSet(T.gateway);
const routeTypes = typeSet(T.httpRoute, GRPC_ROUTE_TYPES);
const DEFAULT_KINDS: Record<string, readonly string[]> = {
    HTTP: ["HTTPRoute", "GRPCRoute"],
    HTTPS: ["HTTPRoute", "GRPCRoute"],
    TCP: ["TCPRoute"],
    UDP: ["UDPRoute"],
    TLS: ["TLSRoute"],
};
/** Every namespace carries it (Kubernetes >= 1.22). */
const NAME_LABEL = "kubernetes.io/metadata.name";

const defaults = { gatewayClasses: ["kong"] };
const configSchema = { properties: { gatewayClasses: schema.strings("GatewayClasses served by Kong.", defaults.gatewayClasses) } };

/** GatewayClasses treated as Kong's that KIC would not serve. */
export function kongGatewayClass(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return {
        name: "kong-gateway-class",
        description: `A GatewayClass served by Kong (gatewayClasses) must name KIC's controller ${KIC_GATEWAY_CONTROLLER} and be annotated ${GATEWAYCLASS_UNMANAGED}: "true"; KIC 3.5 ignores other classes, and the Gateways and routes of them get no Kong route.`,
        enforcementLevel: level,
        configSchema,
        validateStack: (args, report) => {
            const c = tunables(defaults, args);
            for (const r of args.resources) {
                if (!gatewayClassTypes.has(r.type)) continue;
                const meta = metaOf(r.props, r.name);
                if (!c.gatewayClasses.includes(meta.name)) continue;
                const controller = str(get(r.props, "spec", "controllerName")) ?? "";
                if (controller !== KIC_GATEWAY_CONTROLLER) {
                    report(
                        `GatewayClass ${meta.name} is one of Kong's gatewayClasses but names controller "${controller}", not ${KIC_GATEWAY_CONTROLLER}: KIC does not serve its Gateways, so their routes never reach Kong.`,
                        r.urn,
                    );
                } else if (meta.annotations[GATEWAYCLASS_UNMANAGED] !== "true") {
                    report(
                        `GatewayClass ${meta.name} names KIC's controller but lacks ${GATEWAYCLASS_UNMANAGED}: "true": KIC 3.5 reconciles only unmanaged classes (bound to the Kong proxy it runs), so its Gateways are never programmed.`,
                        r.urn,
                    );
                }
            }
        },
    };
}

type Known = boolean | undefined;

/** A label selector against a namespace's labels; undefined when a label it asks about is not known (namespace not among the objects). */
function selects(selector: unknown, labels: Record<string, string>, complete: boolean): Known {
    const known = (k: string): boolean => complete || k === NAME_LABEL;
    let result: Known = true;
    for (const [k, v] of Object.entries(stringMap(get(selector, "matchLabels")))) {
        if (!known(k)) result = result === false ? false : undefined;
        else if (labels[k] !== v) return false;
    }
    for (const e of arr(get(selector, "matchExpressions"))) {
        const key = str(get(e, "key")) ?? "";
        const values = arr(get(e, "values")).map(String);
        if (!known(key)) {
            result = result === false ? false : undefined;
            continue;
        }
        const has = labels[key] !== undefined;
        const ok =
            { In: has && values.includes(labels[key]), NotIn: !has || !values.includes(labels[key]), Exists: has, DoesNotExist: !has }[str(get(e, "operator")) ?? ""] ?? false;
        if (!ok) return false;
    }
    return result;
}

/**
 * Does a Gateway listener admit a route of `kind` from `namespace`? `nsLabels`: the namespace's
 * labels when it is among the objects. undefined when it cannot be told.
 */
export function listenerAllows(listener: unknown, gatewayNs: string, kind: string, namespace: string, nsLabels: Record<string, string> | undefined): Known {
    const kinds = arr(get(listener, "allowedRoutes", "kinds"));
    if (kinds.length > 0 && !kinds.some((k) => (str(get(k, "group")) ?? GATEWAY_GROUP) === GATEWAY_GROUP && str(get(k, "kind")) === kind)) return false;
    // No kinds: those of the listener's protocol (Gateway API v1.3.0 AllowedRoutes.kinds; KIC 3.5
    // internal/controllers/gateway/gateway_utils.go getListenerSupportedRouteKinds: HTTP and HTTPS
    // admit HTTPRoute and GRPCRoute, TCP TCPRoute, UDP UDPRoute, TLS TLSRoute).
    const protocol = str(get(listener, "protocol"));
    if (kinds.length === 0 && protocol !== undefined && DEFAULT_KINDS[protocol] !== undefined && !DEFAULT_KINDS[protocol].includes(kind)) return false;
    const from = str(get(listener, "allowedRoutes", "namespaces", "from")) ?? "Same";
    if (from === "All") return true;
    if (from === "Same") return namespace === gatewayNs;
    if (from === "Selector") {
        const labels = { ...(nsLabels ?? {}), [NAME_LABEL]: namespace };
        return selects(get(listener, "allowedRoutes", "namespaces", "selector"), labels, nsLabels !== undefined);
    }
    return false;
}

function describeListener(l: unknown): string {
    const from = str(get(l, "allowedRoutes", "namespaces", "from")) ?? "Same";
    const kinds = arr(get(l, "allowedRoutes", "kinds"))
        .map((k) => str(get(k, "kind")))
        .filter(Boolean);
    return `${str(get(l, "name")) ?? "?"} (from ${from}${kinds.length > 0 ? `, kinds ${kinds.join(", ")}` : ""})`;
}

/** Routes naming a Kong Gateway none of whose listeners admits them. */
export function kongRouteParentAllowed(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return {
        name: "kong-route-parent-allowed",
        description:
            "An HTTPRoute or GRPCRoute whose parentRef is a Kong Gateway must be admitted by one of the listeners it names (allowedRoutes: namespaces from Same by default, All or a Selector; kinds); otherwise the route is not attached and Kong serves nothing for it.",
        enforcementLevel: level,
        configSchema,
        validateStack: (args, report) => {
            const c = tunables(defaults, args);
            const gateways = new Map<string, PolicyResource>();
            const namespaces = new Map<string, PolicyResource>();
            for (const r of args.resources) {
                if (gatewayTypes.has(r.type)) {
                    const m = metaOf(r.props, r.name);
                    if (c.gatewayClasses.includes(str(get(r.props, "spec", "gatewayClassName")) ?? "")) gateways.set(`${m.namespace}/${m.name}`, r);
                } else if (r.type === T.namespace) {
                    namespaces.set(metaOf(r.props, r.name).name, r);
                }
            }
            for (const r of args.resources) {
                if (!routeTypes.has(r.type)) continue;
                const meta = metaOf(r.props, r.name);
                const kind = kindOf(r.type);
                for (const ref of arr(get(r.props, "spec", "parentRefs"))) {
                    if ((str(get(ref, "kind")) ?? "Gateway") !== "Gateway" || (str(get(ref, "group")) ?? GATEWAY_GROUP) !== GATEWAY_GROUP) continue;
                    const key = `${str(get(ref, "namespace")) ?? meta.namespace}/${str(get(ref, "name")) ?? ""}`;
                    const gw = gateways.get(key);
                    if (!gw) continue;
                    const section = str(get(ref, "sectionName"));
                    const port = get(ref, "port");
                    const listeners = arr(get(gw.props, "spec", "listeners")).filter(
                        (l) => (section === undefined || str(get(l, "name")) === section) && (port === undefined || get(l, "port") === port),
                    );
                    const gwNs = metaOf(gw.props, gw.name).namespace;
                    const nsObject = namespaces.get(meta.namespace);
                    const verdicts = listeners.map((l) => listenerAllows(l, gwNs, kind, meta.namespace, nsObject ? metaOf(nsObject.props, nsObject.name).labels : undefined));
                    if (verdicts.some((v) => v !== false)) continue;
                    const which =
                        listeners.length === 0
                            ? `it has no listener${section !== undefined ? ` named ${section}` : ""}${port !== undefined ? ` on port ${String(port)}` : ""}`
                            : `no listener admits ${kind}s from namespace ${meta.namespace}: ${listeners.map(describeListener).join(", ")}`;
                    report(`${kind} ${meta.namespace}/${meta.name} names Gateway ${key}, but ${which}; the route is not attached and Kong serves nothing for it.`, r.urn);
                }
            }
        },
    };
}

export const kongGatewayEdgeRules = [kongGatewayClass, kongRouteParentAllowed];
