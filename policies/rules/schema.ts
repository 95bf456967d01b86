// Upstream validation as policy rules, so `plan`, `check` and the CrossGuard pack all run what the
// tests run: custom resources against their CRD (OpenAPI structural schema and CEL
// `x-kubernetes-validations`, data/crds, see policies/validate/crd.ts). Kong plugin configs
// against Kong's schemas are `kong-plugin-config` (kong.ts); Helm value keys against the chart's
// values.yaml are `helm-values-known-keys` (helm.ts).
import type { EnforcementLevel, ResourceValidation, ResourceValidationPolicy } from "@pulumi/policy";
import { knownCustomResources, validateCustomResource } from "../validate/crd";
import { formatPath } from "../validate/data";
import { SECRET_PLACEHOLDER, isObj, isUnknown, kindOf, validateTypes } from "./common";

/** `kubernetes:<group>/<version>:<Kind>` of every served version data/crds holds a schema for. */
export function crdTypes(): string[] {
    return knownCustomResources().map((t) => `kubernetes:${t.apiVersion}:${t.kind}`);
}

let kindsCache: Map<string, string[]> | undefined;

/** `<group>/<Kind>` → served versions, for kinds data/crds knows. */
function servedVersions(): Map<string, string[]> {
    if (!kindsCache) {
        kindsCache = new Map();
        for (const t of knownCustomResources()) {
            const key = `${t.group}/${t.kind}`;
            kindsCache.set(key, [...(kindsCache.get(key) ?? []), t.version]);
        }
    }
    return kindsCache;
}

/** Group and version of a `kubernetes:<group>/<version>:<Kind>` token. */
function groupVersion(type: string): { group: string; version: string } | undefined {
    const m = /^kubernetes:([^:/]+)\/([^:]+):[^:]+$/.exec(type);
    return m ? { group: m[1], version: m[2] } : undefined;
}

/**
 * Paths of values not known before deployment (`[unknown]`, SDK unknowns) or hidden (`[secret]`),
 * as the validator prints paths: a problem there, below it or at its parent is not judged.
 */
function unknownPaths(v: unknown, at: (string | number)[] = [], out: string[] = []): string[] {
    // `at` is one stack, pushed and popped: paths are formatted only for what is found.
    if (isUnknown(v) || v === SECRET_PLACEHOLDER) {
        out.push(formatPath(at), formatPath(at.slice(0, -1)));
    } else if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
            at.push(i);
            unknownPaths(v[i], at, out);
            at.pop();
        }
    } else if (isObj(v)) {
        for (const k of Object.keys(v)) {
            at.push(k);
            unknownPaths(v[k], at, out);
            at.pop();
        }
    }
    return out;
}

function concerns(message: string, path: string): boolean {
    return path !== "(root)" && (message.startsWith(`${path}:`) || message.startsWith(`${path}.`) || message.startsWith(`${path}[`));
}

/** Objects the API server would reject on create: schema, CEL rules, or an unserved version. */
export function kubernetesCrdSchema(level: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    const types = crdTypes();
    const known = new Set(types);
    const validate: ResourceValidation = validateTypes(types, (args, report) => {
        // Pulumi auto-names an object without metadata.name; the validator needs the map.
        const props = isObj(args.props.metadata) ? args.props : { ...args.props, metadata: {} };
        const unknown = unknownPaths(props);
        for (const problem of validateCustomResource(props)) {
            if (!unknown.some((p) => concerns(problem, p))) {
                report(problem);
            }
        }
    });
    // A kind data/crds knows, at a version its CRD does not serve (`networking.istio.io/v1beta2`):
    // the API server answers "no matches for kind". Untyped, so it sees every type; cheap.
    const unserved: ResourceValidation = (args, report) => {
        if (known.has(args.type)) {
            args.notApplicable("served version");
        }
        const gv = groupVersion(args.type);
        const served = gv ? servedVersions().get(`${gv.group}/${kindOf(args.type)}`) : undefined;
        if (!gv || !served) {
            return args.notApplicable("not a custom resource meshgate has a CRD of");
        }
        report(
            `apiVersion ${gv.group}/${gv.version} is not served for ${kindOf(args.type)} (served: ${served.map((v) => `${gv.group}/${v}`).join(", ")}); the API server rejects it.`,
        );
    };
    return {
        name: "kubernetes-crd-schema",
        description: "Custom resources (Istio, Kong, Gateway API) must validate against their CRD: structural schema, CEL rules, served version.",
        enforcementLevel: level,
        validateResource: [validate, unserved],
    };
}

export const schemaRules = [kubernetesCrdSchema];
