/**
 * npm run plan -- [stack] [--config-file FILE] [--out DIR] [--debug]
 *
 * Runs infra/ under Pulumi mocks with the stack's config (no cloud
 * credentials), writes out/<stack>/{resources.json,manifests/,policy-report.json}
 * and prints the component tree. Exit 0 clean, 1 on a mandatory policy
 * violation, 2 on invalid input.
 */
// First: defers the SDK modules a plan never runs (must load before @pulumi/pulumi).
import "./plan/lean-sdk";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { formatIssue } from "../components/config";
import { plan } from "./plan/plan";
import { countsByPackage, componentTree } from "./plan/summary";
import { REPO_ROOT, listStacks, readStackConfig, stackConfigPath } from "./plan/stack-config";
import { printViolations } from "./plan/report";

const USAGE = "usage: npm run plan -- [stack] [--config-file FILE] [--out DIR] [--debug]";

async function main(): Promise<number> {
    const { values, positionals } = parseArgs({
        allowPositionals: true,
        options: {
            "config-file": { type: "string" },
            out: { type: "string" },
            debug: { type: "boolean", default: false },
            help: { type: "boolean", short: "h", default: false },
        },
    });
    if (values.help) {
        console.log(USAGE);
        return 0;
    }
    // Stack traces cost a third of the plan's time (the SDK captures one per
    // promise and resource); user errors never need them. --debug brings them back.
    Error.stackTraceLimit = values.debug ? 50 : 0;
    const stack = positionals[0] ?? "dev";
    if (positionals.length > 1) {
        console.error(USAGE);
        return 2;
    }
    const configFile = values["config-file"] ?? stackConfigPath(stack);
    if (!fs.existsSync(configFile)) {
        console.error(`No config for stack "${stack}": ${configFile} does not exist. Stacks: ${listStacks().join(", ")}`);
        return 2;
    }
    let config: Record<string, unknown>;
    try {
        config = readStackConfig(configFile);
    } catch (err) {
        console.error((err as Error).message);
        return 2;
    }
    const outDir = path.resolve(values.out ?? path.join(REPO_ROOT, "out", stack));
    const tty = process.stderr.isTTY === true;
    let lastShown = 0;
    const started = performance.now();
    const progress = (count: number) => {
        const now = performance.now();
        if (now - lastShown > (tty ? 100 : 2000)) {
            lastShown = now;
            process.stderr.write(`${tty ? "\r" : ""}planning ${stack}: ${count} resources registered (${((now - started) / 1000).toFixed(1)} s)${tty ? "" : "\n"}`);
        }
    };
    const result = await plan({ stack, config, outDir, onResource: progress });
    if (tty) {
        process.stderr.write("\r\x1b[K");
    }
    if (result.kind === "invalid") {
        console.error(`Invalid configuration for stack "${stack}" (${path.relative(process.cwd(), configFile)}), ${result.issues.length} problem${result.issues.length === 1 ? "" : "s"}:`);
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
    const pkgs = Object.entries(countsByPackage(run.resources)).map(([k, n]) => `${k} ${n}`).join(", ");
    console.log(`stack ${stack}: ${total} resources (${pkgs}) in ${run.resources.length - total} components`);
    console.log(`timings: program ${(timings.programMs / 1000).toFixed(2)} s, policies ${(timings.policyMs / 1000).toFixed(2)} s, write ${(timings.writeMs / 1000).toFixed(2)} s`);
    console.log(`wrote ${path.relative(process.cwd(), outDir) || "."}/{resources.json, manifests/, policy-report.json}`);
    const mandatory = printViolations(violations, (urn) => urn.slice(urn.lastIndexOf("::") + 2));
    return mandatory > 0 ? 1 : 0;
}

main().then(
    (code) => process.exit(code),
    (err: unknown) => {
        if (err instanceof Error && err.name === "ConfigError") {
            console.error(err.message);
            process.exit(2);
        }
        console.error(Error.stackTraceLimit === 0 ? `plan failed: ${String(err)}\n(run with --debug for a stack trace)` : err);
        process.exit(3);
    },
);
