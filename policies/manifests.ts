// Plain Kubernetes manifests as the resources a Pulumi program would register, so the policy pack
// judges YAML exactly as it judges `@pulumi/kubernetes` objects. `npm run check` and the tests use it.
import type { PlainResource } from "./engine";

export interface ManifestDoc {
    /** File the object came from (kept on the resource for reports). */
    file: string;
    object: Record<string, unknown>;
    /** Where in the file: `document 2`, `document 1, item 3` (a `kind: List`). */
    where?: string;
}

/** A resource made from a manifest, with the file it came from. */
export interface ManifestResource extends PlainResource {
    file: string;
    where?: string;
}

/** A document that is not a Kubernetes object, with where it is. */
export interface ManifestProblem {
    file: string;
    where: string;
    message: string;
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

/** Whether an object is a list of objects (`kind: List`, `ServiceList`… as `kubectl get -o yaml` prints). */
export function isList(object: Record<string, unknown>): boolean {
    const kind = text(object.kind);
    return kind !== undefined && /List$/.test(kind) && Array.isArray(object.items);
}

/** Replaces every list document by its items (`where`: `<doc>, item <n>`); other documents pass through. */
export function expandLists(docs: readonly ManifestDoc[], onProblem?: (p: ManifestProblem) => void): ManifestDoc[] {
    const out: ManifestDoc[] = [];
    for (const d of docs) {
        if (!isList(d.object)) {
            out.push(d);
            continue;
        }
        (d.object.items as unknown[]).forEach((item, i) => {
            const where = `${d.where ?? "document"}, item ${i + 1}`;
            if (typeof item === "object" && item !== null && !Array.isArray(item)) {
                out.push({ file: d.file, object: item as Record<string, unknown>, where });
            } else {
                onProblem?.({ file: d.file, where, message: "is not a Kubernetes object" });
            }
        });
    }
    return out;
}

/**
 * One resource per document, in order: type `kubernetes:<group/version>:<Kind>`, props the object
 * itself, name `metadata.name`, and a URN `urn:pulumi:check::manifests::<type>::<namespace>/<name>`
 * (cluster-scoped objects: `<name>`), made unique with `#2`, `#3`… when two documents share it.
 * Helm release documents written by the plan (`apiVersion: helm.sh/v3`, `kind: Release`, the
 * release inputs at the top level) become `kubernetes:helm.sh/v3:Release` resources named after
 * their `name`. Lists (`kind: List`) are judged by their items. A document without apiVersion or
 * kind is passed to `onProblem` and skipped; without `onProblem` it throws, naming the file.
 */
export function manifestsToResources(docs: readonly ManifestDoc[], onProblem?: (p: ManifestProblem) => void): ManifestResource[] {
    const seen = new Map<string, number>();
    const out: ManifestResource[] = [];
    expandLists(docs, onProblem).forEach(({ file, object, where }, i) => {
        const apiVersion = text(object.apiVersion);
        const kind = text(object.kind);
        if (!apiVersion || !kind) {
            const missing = !apiVersion && !kind ? "apiVersion and kind" : !apiVersion ? "apiVersion" : "kind";
            const problem = { file, where: where ?? `object ${i + 1}`, message: `has no ${missing}: not a Kubernetes object` };
            if (!onProblem) {
                throw new Error(`${file}: ${problem.where} has no ${!apiVersion ? "apiVersion" : "kind"}`);
            }
            onProblem(problem);
            return;
        }
        const type = kubernetesType(apiVersion, kind);
        const meta = record(object.metadata);
        const isRelease = type === "kubernetes:helm.sh/v3:Release";
        const name = (isRelease ? text(object.name) : undefined) ?? text(meta.name) ?? `${kind.toLowerCase()}-${i + 1}`;
        const namespace = text(meta.namespace) ?? (isRelease ? text(object.namespace) : undefined);
        const base = `urn:pulumi:${STACK}::${PROJECT}::${type}::${namespace ? `${namespace}/${name}` : name}`;
        const n = (seen.get(base) ?? 0) + 1;
        seen.set(base, n);
        out.push({ urn: n === 1 ? base : `${base}#${n}`, type, name, props: object, file, ...(where ? { where } : {}) });
    });
    return out;
}
