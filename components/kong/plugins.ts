/**
 * Builders for Kong plugin objects. Pure functions returning plain manifests:
 * MeshService attaches `KongPlugin`s to its Ingress with `konghq.com/plugins`,
 * KongGateway creates the global `KongClusterPlugin`s.
 */
import { INGRESS_CLASS_ANNOTATION, KONG_CONFIGURATION_API_VERSION, KONG_INGRESS_CLASS, KongClusterPluginObject, KongPluginObject, KongProtocol } from "./types";

export type { KongClusterPluginObject, KongPluginObject } from "./types";

/** Arguments of {@link kongPluginObject}. */
export interface KongPluginObjectArgs {
    /** Object name; what `konghq.com/plugins` refers to. */
    name: string;
    namespace: string;
    /** Kong plugin name, e.g. `key-auth`. */
    plugin: string;
    /** Plugin configuration, checked by callers against the Kong 3.9 plugin schema. */
    config: Record<string, unknown>;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    protocols?: KongProtocol[];
}

/**
 * A namespaced `KongPlugin` manifest. `plugin` and `config` sit at the top level
 * of the object (there is no `spec`); empty labels/annotations are left out.
 */
export function kongPluginObject(args: KongPluginObjectArgs): KongPluginObject {
    return {
        apiVersion: KONG_CONFIGURATION_API_VERSION,
        kind: "KongPlugin",
        metadata: {
            name: args.name,
            namespace: args.namespace,
            ...nonEmpty("labels", args.labels),
            ...nonEmpty("annotations", args.annotations),
        },
        plugin: args.plugin,
        config: args.config,
        ...(args.protocols && args.protocols.length > 0 ? { protocols: [...args.protocols] } : {}),
    };
}

/** Positional shorthand for {@link kongPluginObject}. */
export function kongPlugin(name: string, namespace: string, plugin: string, config: Record<string, unknown>): KongPluginObject {
    return kongPluginObject({ name, namespace, plugin, config });
}

/** Arguments of {@link kongClusterPluginObject}. */
export interface KongClusterPluginObjectArgs {
    name: string;
    plugin: string;
    config: Record<string, unknown>;
    /** Apply to every request Kong proxies (label `global: "true"`). @default false */
    global?: boolean;
    /** IngressClass the controller must match (annotation `kubernetes.io/ingress.class`). @default "kong" */
    ingressClass?: string;
    labels?: Record<string, string>;
    protocols?: KongProtocol[];
}

/**
 * A cluster-scoped `KongClusterPlugin` manifest, annotated with the ingress class
 * (KIC ignores KongClusterPlugins without it) and labelled `global: "true"` when global.
 */
export function kongClusterPluginObject(args: KongClusterPluginObjectArgs): KongClusterPluginObject {
    const labels = { ...(args.labels ?? {}), ...(args.global ? { global: "true" } : {}) };
    return {
        apiVersion: KONG_CONFIGURATION_API_VERSION,
        kind: "KongClusterPlugin",
        metadata: {
            name: args.name,
            ...nonEmpty("labels", labels),
            annotations: { [INGRESS_CLASS_ANNOTATION]: args.ingressClass ?? KONG_INGRESS_CLASS },
        },
        plugin: args.plugin,
        config: args.config,
        ...(args.protocols && args.protocols.length > 0 ? { protocols: [...args.protocols] } : {}),
    };
}

/** The value of the `konghq.com/plugins` annotation for these plugin objects. */
export function pluginsAnnotation(plugins: readonly { metadata: { name: string } }[]): string {
    return plugins.map((p) => p.metadata.name).join(",");
}

function nonEmpty<K extends string>(key: K, value: Record<string, string> | undefined): { [P in K]?: Record<string, string> } {
    return value && Object.keys(value).length > 0 ? ({ [key]: { ...value } } as { [P in K]?: Record<string, string> }) : {};
}
