/**
 * meshgate plan [stack] [--config-file FILE] [--program DIR] [--stack NAME]
 *               [--policy-config FILE] [--out DIR] [--debug]
 * (npm run plan -- ... is the same command.)
 *
 * Runs a Pulumi program under mocks with a stack's config (no cloud credentials),
 * runs the policy pack over what it registered, writes
 * out/<stack>/{resources.json,manifests/,policy-report.json} and prints the
 * component tree. Without --program the program is meshgate's own (infra/, its
 * stacks in stacks/); with --program it is the Pulumi project in DIR (its
 * Pulumi.yaml and Pulumi.<stack>.yaml). Relative paths are taken from the current
 * directory. Exit 0 clean, 1 on a mandatory policy violation, 2 on invalid input.
 */
// First: defers the SDK modules a plan never runs (must load before @pulumi/pulumi).
import "./plan/lean-sdk";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { formatIssue } from "../components/config";
import { runPolicies } from "../policies/engine";
import { plan } from "./plan/plan";
import { programRunner, readProject, type PulumiProject } from "./plan/program";
import { countsByPackage, componentTree } from "./plan/summary";
import {
    InputError,
    REPO_ROOT,
    STACKS_DIR,
    configKeyProblems,
    installedProviders,
    listStacks,
    readPolicyConfig,
    readStackConfig,
    stackConfigPath,
    stackNameOfFile,
} from "./plan/stack-config";
import { printViolations } from "./plan/report";
import { writePlanReport } from "./report";

export const USAGE = `usage: meshgate plan [stack] [options]
  stack                  the stack to plan (default: dev); its config is Pulumi.<stack>.yaml
options:
  --program DIR          plan the Pulumi program in DIR (its Pulumi.yaml and Pulumi.<stack>.yaml)
                         instead of meshgate's own
  --stack NAME           the stack, as an option (same as the positional stack)
  --config-file FILE     read the config from FILE instead of the stack's file; without a
                         stack name the stack is named after FILE (Pulumi.<name>.yaml or <name>.yaml)
  --policy-config FILE   the policy pack's config (levels, tunables), as for pulumi policy enable --config
  --out DIR              write the results here (default: out/<stack>)
  --debug                keep stack traces
  -h, --help             show this help`;

const OPTIONS = {
    program: { type: "string" },
    stack: { type: "string" },
    "config-file": { type: "string" },
    "policy-config": { type: "string" },
    out: { type: "string" },
    debug: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
} as const;

/** The plan command; returns the exit code. Input errors are printed with the usage where it helps, never with a stack trace. */
export async function main(argv: string[]): Promise<number> {
    let parsed;
    try {
        parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
    } catch (err) {
        console.error(`meshgate plan: ${(err as Error).message}\n${USAGE}`);
        return 2;
    }
    const { values, positionals } = parsed;
    if (values.help) {
        console.log(USAGE);
        return 0;
    }
    if (positionals.length > 1 || (positionals.length === 1 && values.stack !== undefined && values.stack !== positionals[0])) {
        console.error(`meshgate plan: one stack only (got ${[...positionals, ...(values.stack === undefined ? [] : [values.stack])].join(", ")})\n${USAGE}`);
        return 2;
    }
    // Stack traces cost a third of the plan's time (the SDK captures one per
    // promise and resource); user errors never need them. --debug brings them back.
    Error.stackTraceLimit = values.debug ? 50 : 0;
    try {
        return await planCommand({
            stack: values.stack ?? positionals[0],
            program: values.program,
            configFile: values["config-file"],
            policyConfig: values["policy-config"],
            out: values.out,
        });
    } catch (err) {
        if (err instanceof InputError || (err instanceof Error && err.name === "ConfigError")) {
            console.error(err.message);
            return 2;
        }
        throw err;
    }
}

interface PlanCommand {
    stack?: string;
    program?: string;
    configFile?: string;
    policyConfig?: string;
    out?: string;
}

async function planCommand(cmd: PlanCommand): Promise<number> {
    const project: PulumiProject | undefined = cmd.program === undefined ? undefined : readProject(cmd.program);
    const projectName = project?.name ?? "meshgate";
    const stackDir = project?.stackConfigDir ?? STACKS_DIR;
    const stack = cmd.stack ?? (cmd.configFile !== undefined ? stackNameOfFile(cmd.configFile) : project === undefined ? "dev" : undefined);
    if (stack === undefined) {
        const stacks = listStacks(stackDir);
        throw new InputError(`meshgate plan --program: name the stack (--stack NAME)${stacks.length > 0 ? `; stacks of ${projectName}: ${stacks.join(", ")}` : ""}`);
    }
    const configFile = cmd.configFile !== undefined ? path.resolve(cmd.configFile) : stackConfigPath(stack, stackDir);
    if (cmd.configFile === undefined && !fs.existsSync(configFile)) {
        if (project === undefined && !fs.existsSync(STACKS_DIR)) {
            throw new InputError(
                `No config for stack "${stack}": meshgate's own stacks are not part of the installed package. Plan your program with --program DIR --stack NAME, or meshgate's program with --config-file FILE.`,
            );
        }
        const stacks = listStacks(stackDir);
        throw new InputError(`No config for stack "${stack}": ${shown(configFile)} does not exist. Stacks: ${stacks.length > 0 ? stacks.join(", ") : "none"}`);
    }
    const config = readStackConfig(configFile);
    const keyProblems = configKeyProblems(config, projectName, installedProviders(project?.dir ?? REPO_ROOT));
    if (keyProblems.length > 0) {
        throw new InputError(
            `Invalid configuration for stack "${stack}" (${shown(configFile)}), ${count(keyProblems.length, "problem")}:\n${keyProblems.map((p) => `  - ${p}`).join("\n")}\nNothing was planned.`,
        );
    }
    let policyConfig: Record<string, unknown> | undefined;
    if (cmd.policyConfig !== undefined) {
        const file = path.resolve(cmd.policyConfig);
        policyConfig = readPolicyConfig(file);
        try {
            await runPolicies([], { config: policyConfig });
        } catch (err) {
            throw new InputError(`${shown(file)}: ${(err as Error).message}`);
        }
    }
    const outDir = path.resolve(cmd.out ?? path.join("out", stack));

    const tty = process.stderr.isTTY === true;
    let lastShown = 0;
    const started = performance.now();
    const progress = (n: number) => {
        const now = performance.now();
        if (now - lastShown > (tty ? 100 : 2000)) {
            lastShown = now;
            process.stderr.write(`${tty ? "\r" : ""}planning ${stack}: ${n} resources registered (${((now - started) / 1000).toFixed(1)} s)${tty ? "" : "\n"}`);
        }
    };
    const result = await plan({
        stack,
        config,
        outDir,
        onResource: progress,
        policyConfig,
        program: project === undefined ? undefined : { run: programRunner(project), project: project.name },
    });
    if (tty) {
        process.stderr.write("\r\x1b[K");
    }
    if (result.kind === "invalid") {
        console.error(`Invalid configuration for stack "${stack}" (${shown(configFile)}), ${count(result.issues.length, "problem")}:`);
        for (const issue of result.issues) {
            console.error(`  - ${formatIssue(issue)}`);
        }
        console.error("Nothing was planned.");
        return 2;
    }
    const { run, violations, timings } = result;
    const total = run.resources.filter((r) => r.custom).length;
    console.log(componentTree(run.resources));
    console.log("");
    const pkgs = Object.entries(countsByPackage(run.resources))
        .map(([k, n]) => `${k} ${n}`)
        .join(", ");
    console.log(`stack ${stack}: ${total} resources (${pkgs}) in ${run.resources.length - total} components`);
    console.log(`timings: program ${(timings.programMs / 1000).toFixed(2)} s, policies ${(timings.policyMs / 1000).toFixed(2)} s, write ${(timings.writeMs / 1000).toFixed(2)} s`);
    writePlanReport(outDir, stack, run.resources, violations);
    console.log(`wrote ${shown(outDir)}/{resources.json, manifests/, policy-report.json, workloads.json, routes.json, report.html}`);
    const mandatory = printViolations(violations, (urn) => urn.slice(urn.lastIndexOf("::") + 2));
    return mandatory > 0 ? 1 : 0;
}

/** A path as the user should read it: relative to the current directory when under it. */
function shown(p: string): string {
    const rel = path.relative(process.cwd(), p);
    return rel === "" ? "." : rel.startsWith("..") ? p : rel;
}

function count(n: number, what: string): string {
    return `${n} ${what}${n === 1 ? "" : "s"}`;
}

if (require.main === module) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require("./cli") as typeof import("./cli")).run(["plan", ...process.argv.slice(2)]);
}
