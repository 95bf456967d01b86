// Plain Kubernetes manifests as the resources a Pulumi program would register, so the policy pack
// judges YAML exactly as it judges `@pulumi/kubernetes` objects. `npm run check` and the tests use it.
import type { PlainResource } from "./engine";

export interface ManifestDoc {
    /** File the object came from (kept on the resource for reports). */
    file: string;
    object: Record<string, unknown>;
}

/** A resource made from a manifest, with the file it came from. */
export interface ManifestResource extends PlainResource {
    file: string;
}

const STACK = "check";
const PROJECT = "manifests";

function text(v: unknown): string | undefined {
    return typeof v === "string" && v.length > 0 ? v : undefined;
}

function record(v: unknown): Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** `v1` → `kubernetes:core/v1:Kind`, `apps/v1` → `kubernetes:apps/v1:Kind`. */
export function kubernetesType(apiVersion: string, kind: string): string {
    return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`;
}

/**
 * One resource per document, in order (so `resources[i]` is `docs[i]`): type
 * `kubernetes:<group/version>:<Kind>`, props the object itself, name `metadata.name`, and a URN
 * `urn:pulumi:check::manifests::<type>::<namespace>/<name>` (cluster-scoped objects: `<name>`),
 * made unique with `#2`, `#3`… when two documents share it. Helm release documents written by the
 * plan (`apiVersion: helm.sh/v3`, `kind: Release`, the release inputs at the top level) become
 * `kubernetes:helm.sh/v3:Release` resources named after their `name`. Throws on a document
 * without apiVersion or kind, naming the file.
 */
export function manifestsToResources(docs: { file: string; object: Record<string, unknown> }[]): ManifestResource[] {
    const seen = new Map<string, number>();
    return docs.map(({ file, object }, i) => {
        const apiVersion = text(object.apiVersion);
        const kind = text(object.kind);
        if (!apiVersion || !kind) {
            throw new Error(`${file}: object ${i + 1} has no ${!apiVersion ? "apiVersion" : "kind"}`);
        }
        const type = kubernetesType(apiVersion, kind);
        const meta = record(object.metadata);
        const isRelease = type === "kubernetes:helm.sh/v3:Release";
        const name = (isRelease ? text(object.name) : undefined) ?? text(meta.name) ?? `${kind.toLowerCase()}-${i + 1}`;
        const namespace = text(meta.namespace) ?? (isRelease ? text(object.namespace) : undefined);
        const base = `urn:pulumi:${STACK}::${PROJECT}::${type}::${namespace ? `${namespace}/${name}` : name}`;
        const n = (seen.get(base) ?? 0) + 1;
        seen.set(base, n);
        return { urn: n === 1 ? base : `${base}#${n}`, type, name, props: object, file };
    });
}
