// Kong and the Gateway API: GRPCRoutes served by Kong are judged like HTTPRoutes (kong.ts reads
// GRPC_ROUTE_TYPES), and a `konghq.com/plugins` entry `<namespace>:<plugin>` naming a KongPlugin of
// another namespace is honoured only with a ReferenceGrant in the plugin's namespace (KIC 3.2+;
// docs.konghq.com kubernetes-ingress-controller/plugins/cross-namespace.md: `from` the referrer's
// group, kind and namespace, `to` group configuration.konghq.com kind KongPlugin).
import type { EnforcementLevel, StackValidationPolicy } from "@pulumi/policy";
import { arr, get, kindOf, kindTypes, metaOf, pushTo, splitList, str, typeSet } from "./common";

export const GRPC_ROUTE_TYPES: readonly string[] = kindTypes("gateway.networking.k8s.io", ["v1", "v1alpha2"], "GRPCRoute");
const referenceGrantTypes = typeSet(kindTypes("gateway.networking.k8s.io", ["v1", "v1beta1", "v1alpha2"], "ReferenceGrant"));
const PLUGINS_ANNOTATION = "konghq.com/plugins";
const KONG_GROUP = "configuration.konghq.com";

/** API group of a `kubernetes:<group>/<version>:<Kind>` token; the core group is "". */
export function groupOf(type: string): string {
    const gv = type.split(":")[1] ?? "";
    const group = gv.includes("/") ? gv.slice(0, gv.indexOf("/")) : "";
    return group === "core" ? "" : group;
}

interface Grant {
    from: { group: string; kind: string; namespace: string }[];
    to: { group: string; kind: string; name?: string }[];
}

/** Cross-namespace plugin references without a ReferenceGrant. */
export function kongPluginReferenceGrant(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return {
        name: "kong-plugin-reference-grant",
        description: "A konghq.com/plugins entry <namespace>:<plugin> needs a ReferenceGrant in the plugin's namespace allowing the referring kind and namespace.",
        enforcementLevel: level,
        validateStack: (args, report) => {
            const grants = new Map<string, Grant[]>();
            const refs: { urn: string; type: string; namespace: string; entry: string; pluginNs: string; plugin: string }[] = [];
            for (const r of args.resources) {
                if (!r.type.startsWith("kubernetes:")) {
                    continue;
                }
                const meta = metaOf(r.props, r.name);
                if (referenceGrantTypes.has(r.type)) {
                    const spec = get(r.props, "spec");
                    pushTo(grants, meta.namespace, {
                        from: arr(get(spec, "from")).map((f) => ({
                            group: str(get(f, "group")) ?? "",
                            kind: str(get(f, "kind")) ?? "",
                            namespace: str(get(f, "namespace")) ?? "",
                        })),
                        to: arr(get(spec, "to")).map((t) => ({
                            group: str(get(t, "group")) ?? "",
                            kind: str(get(t, "kind")) ?? "",
                            ...(str(get(t, "name")) ? { name: str(get(t, "name")) } : {}),
                        })),
                    });
                }
                for (const entry of splitList(meta.annotations[PLUGINS_ANNOTATION])) {
                    const i = entry.indexOf(":");
                    if (i > 0 && entry.slice(0, i) !== meta.namespace) {
                        refs.push({ urn: r.urn, type: r.type, namespace: meta.namespace, entry, pluginNs: entry.slice(0, i), plugin: entry.slice(i + 1) });
                    }
                }
            }
            for (const ref of refs) {
                const group = groupOf(ref.type);
                const kind = kindOf(ref.type);
                const allowed = (grants.get(ref.pluginNs) ?? []).some(
                    (g) =>
                        g.from.some((f) => f.group === group && f.kind === kind && f.namespace === ref.namespace) &&
                        g.to.some((t) => t.group === KONG_GROUP && t.kind === "KongPlugin" && (t.name === undefined || t.name === ref.plugin)),
                );
                if (!allowed) {
                    report(
                        `${PLUGINS_ANNOTATION} entry "${ref.entry}" uses a KongPlugin of namespace ${ref.pluginNs}, but no ReferenceGrant there allows ${kind}s (group "${group}") from namespace ${ref.namespace}; Kong ignores the plugin.`,
                        ref.urn,
                    );
                }
            }
        },
    };
}

export const kongGatewayApiRules = [kongPluginReferenceGrant];
