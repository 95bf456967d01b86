// The policy test harness: plain objects in, violations out, through the in-process engine
// (which builds real ResourceValidationArgs / StackValidationArgs / PolicyResource objects).
import { runPolicies, type PlainResource, type Violation } from "../../policies/engine";
import { kubernetesType } from "../../policies/manifests";
import { rules } from "../../policies/rules";

export type { PlainResource, Violation } from "../../policies/engine";

const STACK = "urn:pulumi:test::meshgate";

export interface Meta {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}

/** A Kubernetes object as `@pulumi/kubernetes` would register it. */
export function k8s(apiVersion: string, kind: string, name: string, namespace: string | undefined, fields: Record<string, unknown> = {}, meta: Meta = {}): PlainResource {
    const type = kubernetesType(apiVersion, kind);
    const metadata: Record<string, unknown> = { name, ...(namespace ? { namespace } : {}), ...meta };
    return {
        urn: `${STACK}::${type}::${namespace ? `${namespace}/` : ""}${name}`,
        type,
        name,
        props: { apiVersion, kind, metadata, ...fields },
    };
}

/** Any other resource (AWS, Helm) by type token. */
export function resource(type: string, name: string, props: Record<string, unknown>, extra: Partial<PlainResource> = {}): PlainResource {
    return { urn: `${STACK}::${type}::${name}`, type, name, props, ...extra };
}

/** A `kubernetes:helm.sh/v3:Release` with release name `name`. */
export function release(name: string, props: Record<string, unknown>): PlainResource {
    return resource("kubernetes:helm.sh/v3:Release", name, { name, ...props });
}

/** Runs one rule (at its default level, or as configured) over the resources. */
export async function runRule(id: string, resources: PlainResource[], config?: Record<string, unknown>): Promise<Violation[]> {
    const rule = rules.find((r) => r.id === id);
    if (!rule) {
        throw new Error(`no rule ${id}`);
    }
    return runPolicies(resources, { policies: [rule.factory()], config: config ? { [id]: config } : undefined });
}

/** Runs every rule. */
export function runAll(resources: PlainResource[], config?: Record<string, unknown>): Promise<Violation[]> {
    return runPolicies(resources, { config });
}

export function show(vs: readonly Violation[]): string {
    return vs.length === 0 ? "(none)" : vs.map((v) => `[${v.level}] ${v.policy} ${v.urn}: ${v.message}`).join("\n");
}
