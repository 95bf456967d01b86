/**
 * Writes what a plan recorded: resources.json (the contract's
 * `{urn, type, name, parent, dependsOn, inputs}`), manifests/ (every
 * Kubernetes object as YAML, one multi-document file per namespace; Helm
 * releases as `helm.sh/v3` `Release` documents holding their release spec),
 * policy-report.json, and workloads.json (the workload contract per service,
 * from the stack output `services`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import type { Violation } from "../../policies/engine";
import type { RecordedResource } from "./runtime";

/** policies/engine's, re-exported for the plan's modules (one violation type). */
export type { Violation };

export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/** The Kubernetes object a recorded resource stands for, or undefined for non-Kubernetes resources. */
export function manifestOf(r: RecordedResource): Record<string, unknown> | undefined {
    if (r.type === HELM_RELEASE) {
        return { apiVersion: "helm.sh/v3", kind: "Release", ...r.inputs };
    }
    if (!r.custom || !r.type.startsWith("kubernetes:") || r.type.startsWith("kubernetes:helm") || r.type.startsWith("kubernetes:yaml")) {
        return undefined;
    }
    return r.inputs;
}

function namespaceOf(obj: Record<string, unknown>): string {
    const meta = obj.metadata as { namespace?: unknown } | undefined;
    const ns = meta?.namespace ?? obj.namespace;
    return typeof ns === "string" && ns !== "" ? ns : "_cluster";
}

export function writePlan(dir: string, resources: readonly RecordedResource[], violations: readonly Violation[]): { manifests: number; files: number } {
    fs.rmSync(dir, { recursive: true, force: true });
    const manifestsDir = path.join(dir, "manifests");
    fs.mkdirSync(manifestsDir, { recursive: true });
    fs.writeFileSync(
        path.join(dir, "resources.json"),
        JSON.stringify(
            resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, parent: r.parent ?? null, dependsOn: r.dependsOn, inputs: r.inputs })),
            null,
            1,
        ) + "\n",
    );
    const byNamespace = new Map<string, string[]>();
    let manifests = 0;
    for (const r of resources) {
        const obj = manifestOf(r);
        if (obj === undefined) {
            continue;
        }
        manifests++;
        const ns = r.type === HELM_RELEASE ? "_helm-releases" : namespaceOf(obj);
        const docs = byNamespace.get(ns) ?? [];
        docs.push(`# ${r.urn}\n${stringify(obj, { lineWidth: 0 })}`);
        byNamespace.set(ns, docs);
    }
    for (const [ns, docs] of byNamespace) {
        fs.writeFileSync(path.join(manifestsDir, `${ns}.yaml`), docs.join("---\n"));
    }
    writeReport(dir, violations);
    return { manifests, files: byNamespace.size };
}

export function writeReport(dir: string, violations: readonly Violation[]): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "policy-report.json"), JSON.stringify({ violations }, null, 2) + "\n");
}

/**
 * workloads.json: per service, what its pods must look like (labels, versions, service account,
 * ports, callers), taken from the program's stack output `services.<name>.contract`. Nothing is
 * written when the outputs carry no contracts (a program other than meshgate's).
 */
export function writeWorkloadContracts(dir: string, outputs: Readonly<Record<string, unknown>>): number {
    const services = outputs.services;
    if (typeof services !== "object" || services === null) {
        return 0;
    }
    const contracts = Object.fromEntries(
        Object.entries(services as Record<string, unknown>).flatMap(([name, s]) => (typeof s === "object" && s !== null && "contract" in s ? [[name, s.contract]] : [])),
    );
    if (Object.keys(contracts).length === 0) {
        return 0;
    }
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "workloads.json"), JSON.stringify(contracts, null, 2) + "\n");
    return Object.keys(contracts).length;
}
