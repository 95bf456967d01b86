/**
 * meshgate check <manifest files or dirs> [--out DIR] [--policy-config FILE]
 * (npm run check -- …)
 *
 * Runs the meshgate policy pack on plain Kubernetes manifests (YAML or JSON; `kind: List` is
 * judged by its items): each object is judged as the Pulumi resource
 * `kubernetes:<group/version>:<Kind>` (Helm release documents written by the plan, `helm.sh/v3`
 * `Release`, as Helm releases), with the same rules, CRD schema and CEL validation, Kong plugin
 * schemas and Helm value keys as `plan` and the CrossGuard pack. Prints every object with its
 * verdict, every input problem with its file and document, a summary, and writes
 * policy-report.json. Exit 0 clean, 1 on a mandatory violation, 2 on invalid input or options
 * (after judging everything readable), 3 on an internal error.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { runPolicies, type Violation } from "../policies/engine";
import { manifestsToResources, type ManifestProblem } from "../policies/manifests";
import { readInput } from "./check/read";
import { LEGEND, SUMMARY, judgedTypes, verdictOf, type Verdict } from "./check/verdict";
import { writeCheckReport } from "./report";

export const USAGE = `usage: meshgate check <manifest files or dirs>… [--out DIR] [--policy-config FILE]
       npm run check -- <manifest files or dirs>… [--out DIR] [--policy-config FILE]

  Judges Kubernetes manifests (YAML, JSON, kind: List) with the meshgate policy pack.
  --out DIR              where policy-report.json goes (default: out/check)
  --policy-config FILE   policy configuration, as \`pulumi policy enable --config\` takes it:
                         {"<rule>": "<level>" | {"enforcementLevel": …, <tunables>}, "all": …}
  --debug                stack traces on internal errors
  -h, --help             this text

  Verdicts:
${(Object.keys(LEGEND) as Verdict[]).map((k) => `    ${k.padEnd(5)} ${LEGEND[k]}`).join("\n")}

  Exit: 0 clean, 1 mandatory violation, 2 invalid input or options, 3 internal error.`;

class UsageError extends Error {}

/** Relative paths are the user's: npm runs scripts from the package root and says where it was started in INIT_CWD. */
function baseDir(): string {
    return process.env.INIT_CWD ?? process.cwd();
}

function show(p: string, base: string): string {
    const rel = path.relative(base, p);
    return rel === "" ? "." : rel.startsWith("..") && path.isAbsolute(p) ? p : rel;
}

function readPolicyConfig(file: string): Record<string, unknown> {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch {
        throw new UsageError(`--policy-config ${file}: no such file`);
    }
    let parsed: unknown;
    try {
        parsed = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
    } catch (e) {
        throw new UsageError(`--policy-config ${file}: not valid ${/\.json$/i.test(file) ? "JSON" : "YAML"} (${(e as Error).message.split("\n")[0]})`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw new UsageError(`--policy-config ${file}: must be a map of policy names to levels or settings`);
    }
    return parsed as Record<string, unknown>;
}

interface Options {
    paths: string[];
    out: string;
    config?: Record<string, unknown>;
    configFile?: string;
}

function options(argv: readonly string[], base: string): Options | "help" {
    let parsed: ReturnType<
        typeof parseArgs<{
            options: { out: { type: "string" }; "policy-config": { type: "string" }; help: { type: "boolean"; short: "h" }; debug: { type: "boolean" } };
            allowPositionals: true;
            args: string[];
        }>
    >;
    try {
        parsed = parseArgs({
            args: [...argv],
            allowPositionals: true,
            // --debug is the caller's (stack traces on internal errors); accepted and ignored here.
            options: { out: { type: "string" }, "policy-config": { type: "string" }, help: { type: "boolean", short: "h" }, debug: { type: "boolean" } },
        });
    } catch (e) {
        throw new UsageError((e as Error).message);
    }
    if (parsed.values.help) {
        return "help";
    }
    if (parsed.positionals.length === 0) {
        throw new UsageError("no manifest files or directories given");
    }
    const configFile = parsed.values["policy-config"];
    return {
        paths: parsed.positionals.map((p) => path.resolve(base, p)),
        out: path.resolve(base, parsed.values.out ?? path.join("out", "check")),
        ...(configFile !== undefined ? { configFile, config: readPolicyConfig(path.resolve(base, configFile)) } : {}),
    };
}

function writeReport(dir: string, violations: readonly Violation[], problems: readonly ManifestProblem[], base: string): void {
    fs.mkdirSync(dir, { recursive: true });
    const inputProblems = problems.map((p) => ({ file: show(p.file, base), where: p.where, message: p.message }));
    fs.writeFileSync(path.join(dir, "policy-report.json"), JSON.stringify({ violations, inputProblems }, null, 2) + "\n");
}

/**
 * Runs `check` with the arguments after the command name (`["dir/", "--out", "o"]`); returns the
 * exit code (0, 1 or 2) having printed everything. Throws only on an internal error (exit 3).
 */
export async function main(argv: readonly string[]): Promise<number> {
    const base = baseDir();
    let opts: Options | "help";
    try {
        opts = options(argv, base);
    } catch (e) {
        if (e instanceof UsageError) {
            console.error(`check: ${e.message}\n\n${USAGE}`);
            return 2;
        }
        throw e;
    }
    if (opts === "help") {
        console.log(USAGE);
        return 0;
    }
    const input = readInput(opts.paths);
    const problems: ManifestProblem[] = [...input.problems];
    const resources = manifestsToResources(input.docs, (p) => problems.push(p));

    let violations: Violation[];
    try {
        violations = await runPolicies(resources, opts.config ? { config: opts.config } : {});
    } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        if (message.startsWith("invalid policy configuration")) {
            console.error(`check: --policy-config ${opts.configFile ?? ""}: ${message}`);
            return 2;
        }
        throw e;
    }

    const byUrn = new Map<string, Violation[]>();
    for (const v of violations) {
        byUrn.set(v.urn, [...(byUrn.get(v.urn) ?? []), v]);
    }
    const judged = judgedTypes();
    const counts: Record<Verdict, number> = { FAIL: 0, warn: 0, fix: 0, ok: 0, "n/v": 0, skip: 0 };
    for (const r of resources) {
        const found = byUrn.get(r.urn) ?? [];
        const verdict = verdictOf(r, found, judged);
        counts[verdict]++;
        const where = `${show(r.file, base)}: ${r.type.slice("kubernetes:".length)} ${r.name}`;
        const note = verdict === "n/v" ? "  (not validated: no schema)" : verdict === "skip" ? "  (not judged: no rule reads this kind)" : "";
        console.log(`${verdict.padEnd(6)}${where}${note}`);
        for (const v of found) {
            console.log(`        [${v.level}] ${v.policy}: ${v.message}`);
        }
    }
    const stackWide = byUrn.get("") ?? [];
    for (const v of stackWide) {
        console.log(`stack   [${v.level}] ${v.policy}: ${v.message}`);
    }
    for (const p of problems) {
        console.error(`invalid input: ${show(p.file, base)}: ${p.where} ${p.message}`);
    }
    if (resources.length === 0 && problems.length === 0) {
        problems.push({ file: opts.paths.join(", "), where: "input", message: "holds no Kubernetes manifests (.yaml, .yml, .json)" });
        console.error(`invalid input: no Kubernetes manifests in ${opts.paths.map((p) => show(p, base)).join(", ")}`);
    }

    writeReport(opts.out, violations, problems, base);
    writeCheckReport(opts.out, resources, violations);
    const level = (l: Violation["level"]): number => violations.filter((v) => v.level === l).length;
    const files = new Set(resources.map((r) => r.file)).size;
    const parts = (Object.keys(counts) as Verdict[]).filter((k) => counts[k] > 0).map((k) => `${counts[k]} ${SUMMARY[k]}`);
    console.log(`\nchecked ${resources.length} objects in ${files} files: ${parts.length > 0 ? parts.join(", ") : "nothing"}`);
    console.log(
        `policy pack: ${level("mandatory")} mandatory, ${level("advisory")} advisory, ${level("remediate")} remediate violations; report: ${show(path.join(opts.out, "policy-report.json"), base)}`,
    );
    if (problems.length > 0) {
        console.error(`${problems.length} input problem${problems.length === 1 ? "" : "s"}: the rest was judged; exit 2.`);
        return 2;
    }
    return level("mandatory") > 0 ? 1 : 0;
}

if (require.main === module) {
    Error.stackTraceLimit = process.argv.includes("--debug") ? 10 : 0;
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (err: unknown) => {
            console.error(`check failed (internal error): ${err instanceof Error ? err.message : String(err)}`);
            process.exitCode = 3;
        },
    );
}
