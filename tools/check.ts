/**
 * npm run check -- <yaml files or dirs> [--out DIR]
 *
 * Runs the meshgate policy pack on plain Kubernetes manifests: each object is
 * judged as the Pulumi resource `kubernetes:<group/version>:<Kind>` (Helm
 * release documents written by the plan, `helm.sh/v3` `Release`, as Helm
 * releases). Prints every object with its verdict, writes policy-report.json.
 * Exit 0 clean, 1 on a mandatory violation, 2 on unreadable input.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parseAllDocuments } from "yaml";
import { runPolicies } from "../policies/engine";
import { manifestsToResources } from "../policies/manifests";
import { writeReport } from "./plan/outputs";
import { printViolations } from "./plan/report";
import { REPO_ROOT } from "./plan/stack-config";
import { writeCheckReport } from "./report";

const USAGE = "usage: npm run check -- <yaml files or dirs> [--out DIR]";

/** Every .yaml/.yml file under the given paths, sorted. */
export function yamlFiles(paths: readonly string[]): string[] {
    const out: string[] = [];
    const visit = (p: string) => {
        const stat = fs.statSync(p);
        if (stat.isDirectory()) {
            for (const entry of fs.readdirSync(p).sort()) {
                visit(path.join(p, entry));
            }
        } else if (/\.ya?ml$/.test(p)) {
            out.push(p);
        }
    };
    paths.forEach(visit);
    return out;
}

/** The objects in the files; throws with file and document number on a YAML error. */
export function readManifests(files: readonly string[]): { file: string; object: Record<string, unknown> }[] {
    const out: { file: string; object: Record<string, unknown> }[] = [];
    for (const file of files) {
        parseAllDocuments(fs.readFileSync(file, "utf8")).forEach((doc, i) => {
            if (doc.errors.length > 0) {
                throw new Error(`${file}: document ${i + 1}: ${doc.errors[0].message}`);
            }
            const object: unknown = doc.toJS();
            if (object === null || object === undefined) {
                return;
            }
            if (typeof object !== "object" || Array.isArray(object)) {
                throw new Error(`${file}: document ${i + 1} is not a Kubernetes object`);
            }
            out.push({ file, object: object as Record<string, unknown> });
        });
    }
    return out;
}

async function main(): Promise<number> {
    const { values, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: "string" } } });
    if (positionals.length === 0) {
        console.error(USAGE);
        return 2;
    }
    Error.stackTraceLimit = 0;
    let docs: { file: string; object: Record<string, unknown> }[];
    try {
        const missing = positionals.filter((p) => !fs.existsSync(p));
        if (missing.length > 0) {
            throw new Error(`no such file or directory: ${missing.join(", ")}`);
        }
        docs = readManifests(yamlFiles(positionals));
    } catch (err) {
        console.error((err as Error).message);
        return 2;
    }
    const resources = manifestsToResources(docs);
    const violations = await runPolicies(resources);
    const byUrn = new Map<string, typeof violations>();
    for (const v of violations) {
        byUrn.set(v.urn, [...(byUrn.get(v.urn) ?? []), v]);
    }
    resources.forEach((r, i) => {
        const found = byUrn.get(r.urn) ?? [];
        const where = `${path.relative(process.cwd(), docs[i].file)}: ${r.type.slice("kubernetes:".length)} ${r.name}`;
        console.log(found.length === 0 ? `ok    ${where}` : `FAIL  ${where}\n${found.map((v) => `        [${v.level}] ${v.policy}: ${v.message}`).join("\n")}`);
    });
    const outDir = path.resolve(values.out ?? path.join(REPO_ROOT, "out", "check"));
    writeReport(outDir, violations);
    writeCheckReport(outDir, resources, violations);
    console.log(`\nchecked ${resources.length} objects in ${new Set(docs.map((d) => d.file)).size} files; report: ${path.relative(process.cwd(), outDir)}/policy-report.json`);
    const mandatory = printViolations(violations, (urn) => urn.slice(urn.lastIndexOf("::") + 2), 0);
    return mandatory > 0 ? 1 : 0;
}

if (require.main === module) {
    main().then(
        (code) => process.exit(code),
        (err: unknown) => {
            console.error(`check failed: ${String(err)}`);
            process.exit(3);
        },
    );
}
