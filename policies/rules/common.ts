// Small, pure helpers shared by the rule modules: reading untyped property bags, Kubernetes
// type tokens and object metadata, service host names, tunables with schema defaults.
// Nothing here calls a cloud SDK or touches the file system.
import type { PolicyConfigSchema, PolicyResource, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import { ENVIRONMENT_LABEL, isRecord as isObj } from "../validate/util";

export type Obj = Record<string, unknown>;

/** `v` is a plain object (not null, not an array): policies/validate/util.ts's isRecord. */
export { isObj };

export function str(v: unknown): string | undefined {
    return typeof v === "string" ? v : undefined;
}

export function arr(v: unknown): unknown[] {
    return Array.isArray(v) ? v : [];
}

export function obj(v: unknown): Obj {
    return isObj(v) ? v : {};
}

/** Reads a nested property; undefined as soon as a step is not an object. */
export function get(root: unknown, ...path: string[]): unknown {
    let cur: unknown = root;
    for (const key of path) {
        if (!isObj(cur)) {
            return undefined;
        }
        cur = cur[key];
    }
    return cur;
}

/** A string-valued map (labels, annotations, tags); non-string values are dropped. */
export function stringMap(v: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    if (isObj(v)) {
        for (const [k, val] of Object.entries(v)) {
            if (typeof val === "string") {
                out[k] = val;
            } else if (typeof val === "number" || typeof val === "boolean") {
                out[k] = String(val);
            }
        }
    }
    return out;
}

/** Parses an IAM-style JSON string; objects pass through; anything else gives undefined. */
export function parseJsonObject(v: unknown): Obj | undefined {
    if (isObj(v)) {
        return v;
    }
    if (typeof v === "string") {
        try {
            const parsed: unknown = JSON.parse(v);
            return isObj(parsed) ? parsed : undefined;
        } catch {
            return undefined;
        }
    }
    return undefined;
}

/** The value Pulumi's offline plan writes in place of a secret. */
export const SECRET_PLACEHOLDER = "[secret]";

/** What the offline plan writes for a value not known until deployment. */
export const UNKNOWN_PLACEHOLDER = "[unknown]";

/**
 * A value not known before deployment: the plan's "[unknown]" placeholder or an SDK unknown
 * (`{__pulumiUnknown: true}`). Rules do not judge such values (Pulumi's own preview cannot either).
 */
export function isUnknown(v: unknown): boolean {
    return v === UNKNOWN_PLACEHOLDER || (isObj(v) && v.__pulumiUnknown === true);
}

/** True when the value, or an element of it if it is an array, is unknown. */
export function hasUnknown(v: unknown): boolean {
    return isUnknown(v) || (Array.isArray(v) && v.some(isUnknown));
}

// ---------------------------------------------------------------------------------------------
// Kubernetes type tokens

/** `kubernetes:<group>/<version>:<Kind>` for each version; the core group is spelt `core`. */
export function kindTypes(group: string, versions: readonly string[], kind: string): string[] {
    return versions.map((v) => `kubernetes:${group === "" ? "core" : group}/${v}:${kind}`);
}

export const T = {
    namespace: "kubernetes:core/v1:Namespace",
    service: "kubernetes:core/v1:Service",
    secret: "kubernetes:core/v1:Secret",
    ingress: kindTypes("networking.k8s.io", ["v1", "v1beta1"], "Ingress").concat("kubernetes:extensions/v1beta1:Ingress"),
    httpRoute: kindTypes("gateway.networking.k8s.io", ["v1", "v1beta1"], "HTTPRoute"),
    gateway: kindTypes("gateway.networking.k8s.io", ["v1", "v1beta1"], "Gateway"),
    helmRelease: "kubernetes:helm.sh/v3:Release",
    helmChart: "kubernetes:helm.sh/v4:Chart",
    destinationRule: kindTypes("networking.istio.io", ["v1", "v1beta1", "v1alpha3"], "DestinationRule"),
    virtualService: kindTypes("networking.istio.io", ["v1", "v1beta1", "v1alpha3"], "VirtualService"),
    sidecar: kindTypes("networking.istio.io", ["v1", "v1beta1", "v1alpha3"], "Sidecar"),
    authorizationPolicy: kindTypes("security.istio.io", ["v1", "v1beta1"], "AuthorizationPolicy"),
    peerAuthentication: kindTypes("security.istio.io", ["v1", "v1beta1"], "PeerAuthentication"),
    requestAuthentication: kindTypes("security.istio.io", ["v1", "v1beta1"], "RequestAuthentication"),
    telemetry: kindTypes("telemetry.istio.io", ["v1", "v1alpha1"], "Telemetry"),
    kongPlugin: kindTypes("configuration.konghq.com", ["v1"], "KongPlugin"),
    kongClusterPlugin: kindTypes("configuration.konghq.com", ["v1"], "KongClusterPlugin"),
    kongIngress: kindTypes("configuration.konghq.com", ["v1", "v1beta1"], "KongIngress"),
    kongConsumer: kindTypes("configuration.konghq.com", ["v1"], "KongConsumer"),
    serviceMonitor: kindTypes("monitoring.coreos.com", ["v1"], "ServiceMonitor"),
    podMonitor: kindTypes("monitoring.coreos.com", ["v1"], "PodMonitor"),
} as const;

/** Membership test over one or more type tokens. */
export function typeSet(...groups: (string | readonly string[])[]): ReadonlySet<string> {
    const s = new Set<string>();
    for (const g of groups) {
        if (typeof g === "string") {
            s.add(g);
        } else {
            for (const t of g) {
                s.add(t);
            }
        }
    }
    return s;
}

/** The Kind of a `kubernetes:<gv>:<Kind>` token (last segment). */
export function kindOf(type: string): string {
    const i = type.lastIndexOf(":");
    return i >= 0 ? type.slice(i + 1) : type;
}

export interface ObjectMeta {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
}

/**
 * Name, namespace, labels and annotations of a Kubernetes object's props. A missing
 * `metadata.name` falls back to the Pulumi resource name (Pulumi auto-names it from there), a
 * missing namespace to `default`.
 */
export function metaOf(props: unknown, resourceName: string): ObjectMeta {
    const m = obj(get(props, "metadata"));
    return {
        name: str(m.name) ?? resourceName,
        namespace: str(m.namespace) ?? "default",
        labels: stringMap(m.labels),
        annotations: stringMap(m.annotations),
    };
}

/** Splits a comma-separated annotation value (`konghq.com/plugins: "a, b"`). */
export function splitList(v: string | undefined): string[] {
    return (v ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0 && s !== UNKNOWN_PLACEHOLDER);
}

// ---------------------------------------------------------------------------------------------
// Validations bound to type tokens (the CRDs have no typed class for validateResourceOfType)

/**
 * Like `validateResourceOfType`, for resources known by type token only (custom resources have
 * no typed class). A single token is attached as `__pulumiType`, which the Pulumi policy server
 * also uses to skip other types; several as `__pulumiTypes`, which the in-process engine uses to
 * dispatch (the server calls the function, which declares itself not applicable).
 */
export function validateTypes(types: readonly string[] | ReadonlySet<string>, validate: ResourceValidation): ResourceValidation {
    const list = [...types];
    const set = new Set(list);
    const fn: ResourceValidation = (args, report) => {
        if (!set.has(args.type)) {
            args.notApplicable(`Policy only applies to ${list.join(", ")}`);
        }
        return validate(args, report);
    };
    return tag(fn, list);
}

function tag<F extends object>(fn: F, types: string[]): F {
    if (types.length === 1) {
        Object.assign(fn, { __pulumiType: types[0] });
    } else {
        Object.assign(fn, { __pulumiTypes: types });
    }
    return fn;
}

// ---------------------------------------------------------------------------------------------
// Tunables

type ConfigSource = Pick<ResourceValidationArgs, "getConfig">;

/**
 * The rule's tunables: the engine (Pulumi CLI or meshgate's in-process engine) applies schema
 * defaults already; merging over `defaults` keeps a rule correct under any host that does not.
 */
export function tunables<C extends object>(defaults: C, args: ConfigSource): C {
    const given = args.getConfig<Partial<C>>();
    const out: C = { ...defaults };
    for (const key of Object.keys(given) as (keyof C)[]) {
        const v = given[key];
        if (v !== undefined) {
            out[key] = v;
        }
    }
    return out;
}

export type JsonSchemaProp = PolicyConfigSchema["properties"][string];

export const schema = {
    strings(description: string, def: readonly string[]): JsonSchemaProp {
        return { type: "array", items: { type: "string" }, default: [...def], description };
    },
    string(description: string, def: string): JsonSchemaProp {
        return { type: "string", default: def, description };
    },
    integer(description: string, def: number, minimum = 0): JsonSchemaProp {
        return { type: "integer", default: def, minimum, description };
    },
    boolean(description: string, def: boolean): JsonSchemaProp {
        return { type: "boolean", default: def, description };
    },
};

// ---------------------------------------------------------------------------------------------
// Environments (prod-only rules)

/** meshgate tags AWS resources and labels namespaces with this key (the components' ENVIRONMENT_LABEL). */
export const ENVIRONMENT_KEY = ENVIRONMENT_LABEL;
export const PROD_ENVIRONMENTS: readonly string[] = ["prod", "production"];

// ---------------------------------------------------------------------------------------------
// Service host names

export interface ServiceRef {
    name: string;
    /** undefined when the host was a short name and no namespace context was given. */
    namespace?: string;
}

/**
 * Resolves a Kubernetes service host as the DNS search path of a pod in `contextNamespace`
 * would: `name`, `name.ns`, `name.ns.svc`, `name.ns.svc.<clusterDomain>`. Anything else (an
 * external host, a wildcard) gives undefined.
 */
export function serviceRef(host: string, contextNamespace: string | undefined, clusterDomain: string): ServiceRef | undefined {
    const h = host.trim().toLowerCase().replace(/\.$/, "");
    if (h.length === 0 || h.includes("*")) {
        return undefined;
    }
    const labels = h.split(".");
    const suffix = `svc.${clusterDomain.toLowerCase()}`.split(".");
    if (labels.length === 1) {
        return { name: labels[0], namespace: contextNamespace };
    }
    if (labels.length === 2) {
        return { name: labels[0], namespace: labels[1] };
    }
    const rest = labels.slice(2);
    const isClusterSuffix = rest.length <= suffix.length && rest.every((l, i) => l === suffix[i]);
    return isClusterSuffix ? { name: labels[0], namespace: labels[1] } : undefined;
}

/**
 * Fully-qualified form of a host as Istio reads it in a resource of `namespace`: short names and
 * `name.ns` are qualified with the namespace and cluster domain; other hosts stay as written.
 */
export function qualifyHost(host: string, namespace: string, clusterDomain: string): string {
    const ref = serviceRef(host, namespace, clusterDomain);
    if (ref && ref.namespace !== undefined) {
        return `${ref.name}.${ref.namespace}.svc.${clusterDomain}`.toLowerCase();
    }
    return host.trim().toLowerCase();
}

/** Hosts served inside the cluster (and so inside the mesh when their namespace is meshed). */
export function isClusterHost(host: string, clusterDomain: string): boolean {
    const h = host.trim().toLowerCase().replace(/\.$/, "");
    if (h.length === 0) {
        return false;
    }
    if (!h.includes(".")) {
        return true;
    }
    const d = clusterDomain.toLowerCase();
    return h.endsWith(".svc") || h.endsWith(`.svc.${d}`) || h === d || h.endsWith(`.${d}`);
}

// ---------------------------------------------------------------------------------------------
// Stack indexes

/** Groups resources by type once, so a stack rule touches each resource a bounded number of times. */
export function byType(resources: readonly PolicyResource[], types: ReadonlySet<string>): PolicyResource[] {
    const out: PolicyResource[] = [];
    for (const r of resources) {
        if (types.has(r.type)) {
            out.push(r);
        }
    }
    return out;
}

/** Map with array values. */
export function pushTo<K, V>(m: Map<K, V[]>, k: K, v: V): void {
    const list = m.get(k);
    if (list) {
        list.push(v);
    } else {
        m.set(k, [v]);
    }
}

/** Last path segment of a chart reference (`oci://…/kube-prometheus-stack`, `kong/kong`). */
export function chartName(props: unknown): string {
    const chart = str(get(props, "chart")) ?? "";
    const base = chart.replace(/\/+$/, "").split("/").pop() ?? "";
    return base
        .replace(/-\d+(\.\d+)*(-[\w.]+)?\.tgz$/, "")
        .replace(/\.tgz$/, "")
        .toLowerCase();
}

/** Release name of a Helm release resource (`name` input, else the Pulumi resource name). */
export function releaseName(props: unknown, resourceName: string): string {
    return str(get(props, "name")) ?? resourceName;
}

export function releaseNamespace(props: unknown): string {
    return str(get(props, "namespace")) ?? "default";
}
