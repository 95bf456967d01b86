/**
 * Reading `check`'s input: files and directories of Kubernetes manifests (YAML, several documents
 * per file, or JSON), with every problem collected instead of thrown, so one bad document does not
 * stop the others being judged.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import type { ManifestDoc, ManifestProblem } from "../../policies/manifests";

/** Manifest files under a directory: .yaml, .yml and .json, sorted. */
const MANIFEST_FILE = /\.(ya?ml|json)$/i;

export interface Input {
    docs: ManifestDoc[];
    problems: ManifestProblem[];
    files: string[];
}

/** Every manifest file under the given paths (a file named explicitly is read whatever its extension). */
export function manifestFiles(paths: readonly string[], problems: ManifestProblem[]): string[] {
    const out: string[] = [];
    const visit = (p: string, explicit: boolean): void => {
        let stat: fs.Stats;
        try {
            stat = fs.statSync(p);
        } catch {
            problems.push({ file: p, where: "path", message: "no such file or directory" });
            return;
        }
        if (stat.isDirectory()) {
            for (const entry of fs.readdirSync(p).sort()) {
                visit(path.join(p, entry), false);
            }
        } else if (explicit || MANIFEST_FILE.test(p)) {
            out.push(p);
        }
    };
    paths.forEach((p) => visit(p, true));
    return out;
}

function describe(v: unknown): string {
    return Array.isArray(v) ? "a list" : v === null ? "null" : typeof v === "string" ? "text" : typeof v;
}

/** The documents of one file; what is not a Kubernetes object becomes a problem naming the file and document. */
export function readFile(file: string, docs: ManifestDoc[], problems: ManifestProblem[]): void {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        problems.push({ file, where: "file", message: `cannot be read (${(e as Error).message})` });
        return;
    }
    if (text.includes("\u0000")) {
        problems.push({ file, where: "file", message: "is binary, not a Kubernetes manifest" });
        return;
    }
    if (/\.json$/i.test(file)) {
        let parsed: unknown;
        try {
            parsed = JSON.parse(text);
        } catch (e) {
            problems.push({ file, where: "file", message: `is not valid JSON (${(e as Error).message})` });
            return;
        }
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
            problems.push({ file, where: "file", message: `is ${describe(parsed)}, not a Kubernetes object` });
            return;
        }
        docs.push({ file, object: parsed as Record<string, unknown>, where: "document 1" });
        return;
    }
    let found = 0;
    parseAllDocuments(text).forEach((doc, i) => {
        const where = `document ${i + 1}`;
        if (doc.errors.length > 0) {
            problems.push({ file, where, message: `is not valid YAML (${doc.errors[0].message.split("\n")[0]})` });
            return;
        }
        const object: unknown = doc.toJS();
        if (object === null || object === undefined) {
            return; // an empty document (`---` at the end, comments only)
        }
        if (typeof object !== "object" || Array.isArray(object)) {
            problems.push({ file, where, message: `is ${describe(object)}, not a Kubernetes object` });
            return;
        }
        found++;
        docs.push({ file, object: object as Record<string, unknown>, where });
    });
    if (found === 0 && !problems.some((p) => p.file === file) && text.trim() !== "" && !/^(\s*#.*\n?|\s*---\s*\n?)*$/.test(text)) {
        problems.push({ file, where: "file", message: "holds no Kubernetes object" });
    }
}

/** Reads every path; never throws on bad input. */
export function readInput(paths: readonly string[]): Input {
    const problems: ManifestProblem[] = [];
    const files = manifestFiles(paths, problems);
    const docs: ManifestDoc[] = [];
    for (const f of files) {
        readFile(f, docs, problems);
    }
    return { docs, problems, files };
}
