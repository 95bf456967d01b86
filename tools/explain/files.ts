/**
 * Where explain's objects come from and where routes.json goes: the plan's
 * resources.json, YAML manifests, and the routes.json the plan writes beside
 * its other outputs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { matrix } from "./matrix";
import { buildIndex } from "./model-index";
import { isObj, objectsFromRecorded, type RecordedLike } from "./objects";
import type { K8sObject, RoutesDocument } from "./types";

/** The Kubernetes objects of a plan's out/<stack>/resources.json. */
export function objectsFromPlanOutput(outDir: string): K8sObject[] {
    const resources = JSON.parse(fs.readFileSync(path.join(outDir, "resources.json"), "utf8")) as RecordedLike[];
    return objectsFromRecorded(resources);
}

/** Every .yaml/.yml under the paths, sorted; each document that is an object. Throws with file and document on a YAML error. */
export function objectsFromManifests(paths: readonly string[]): K8sObject[] {
    const files: string[] = [];
    const visit = (p: string) => {
        if (fs.statSync(p).isDirectory()) {
            for (const e of fs.readdirSync(p).sort()) visit(path.join(p, e));
        } else if (/\.ya?ml$/.test(p)) {
            files.push(p);
        }
    };
    paths.forEach(visit);
    const out: K8sObject[] = [];
    for (const file of files) {
        parseAllDocuments(fs.readFileSync(file, "utf8")).forEach((doc, i) => {
            if (doc.errors.length > 0) throw new Error(`${file}: document ${i + 1}: ${doc.errors[0].message}`);
            const o: unknown = doc.toJS();
            if (isObj(o)) out.push(o);
        });
    }
    return out;
}

/** routes.json for a set of objects. */
export function routesDocument(objects: readonly K8sObject[], stack: string, source: RoutesDocument["source"]): RoutesDocument {
    return matrix(buildIndex(objects), stack, source);
}

export function writeRoutes(dir: string, doc: RoutesDocument): string {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "routes.json");
    fs.writeFileSync(file, JSON.stringify(doc, null, 1) + "\n");
    return file;
}

/** The plan's hook: routes.json from what the plan recorded. */
export function writePlanRoutes(dir: string, stack: string, resources: readonly RecordedLike[]): string {
    return writeRoutes(dir, routesDocument(objectsFromRecorded(resources), stack, "plan"));
}
