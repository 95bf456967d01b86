#!/usr/bin/env node
/**
 * The `meshgate` command (package.json `bin`; `npm run plan` and `npm run check`
 * are aliases of its subcommands):
 *
 *   meshgate plan [stack] [--program DIR] [--config-file FILE] [--policy-config FILE] [--out DIR]
 *   meshgate check <yaml files or dirs> [--policy-config FILE] [--out DIR]
 *
 * Each subcommand is a module exporting `main(argv): Promise<number>` (the exit
 * code), loaded only when asked for. Exit codes: 0 clean, 1 a mandatory policy
 * violation (or a refused request), 2 invalid input or usage, 3 a crash.
 */
import * as fs from "node:fs";
import * as path from "node:path";

interface Command {
    readonly summary: string;
    readonly load: () => { main(argv: string[]): Promise<number> };
}

/* eslint-disable @typescript-eslint/no-require-imports */
const COMMANDS: Record<string, Command> = {
    plan: { summary: "plan a stack offline under Pulumi mocks and run the policy pack", load: () => require("./plan") as typeof import("./plan") },
    check: { summary: "run the policy pack on plain Kubernetes manifests", load: () => require("./check") as typeof import("./check") },
    explain: { summary: "say whether a request would reach a workload, and why not", load: () => require("./explain") as typeof import("./explain") },
};
/* eslint-enable @typescript-eslint/no-require-imports */

export function usage(): string {
    const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
    return [
        "usage: meshgate <command> [options]   (meshgate <command> --help for its options)",
        "commands:",
        ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    ].join("\n");
}

/**
 * Runs one command line (without `node` and the script) and returns its exit code.
 * Never prints a stack trace for bad input; a crash says how to get one (--debug).
 */
export async function dispatch(argv: string[]): Promise<number> {
    const [name, ...rest] = argv;
    if (name === undefined || name === "help" || name === "--help" || name === "-h") {
        (name === undefined ? console.error : console.log)(usage());
        return name === undefined ? 2 : 0;
    }
    if (name === "--version" || name === "-v") {
        console.log(version());
        return 0;
    }
    const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (command === undefined) {
        console.error(`meshgate: unknown command "${name}"\n${usage()}`);
        return 2;
    }
    return command.load().main(rest);
}

/** Runs `argv` as the process's command line and exits with its code. */
export function run(argv: string[]): void {
    useCallersDirectory();
    dispatch(argv).then(
        (code) => process.exit(code),
        (err: unknown) => {
            const debug = argv.includes("--debug");
            console.error(debug ? err : `meshgate ${argv[0] ?? ""} failed: ${err instanceof Error ? err.message : String(err)}\n(run with --debug for a stack trace)`);
            process.exit(3);
        },
    );
}

/**
 * `npm run plan` runs in the package's root, not where the user typed it; npm passes
 * that directory as INIT_CWD. Relative paths (and the default out/) are the user's, so
 * go back there, but only when this process is meshgate's own npm script: a meshgate
 * started by some other script keeps the directory it was given.
 */
function useCallersDirectory(): void {
    const init = process.env.INIT_CWD;
    if (
        init !== undefined &&
        process.env.npm_package_name === "meshgate" &&
        process.env.npm_lifecycle_event !== undefined &&
        Object.hasOwn(COMMANDS, process.env.npm_lifecycle_event) &&
        fs.existsSync(init)
    ) {
        process.chdir(init);
    }
}

function version(): string {
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
        const file = path.join(dir, "package.json");
        if (fs.existsSync(file)) {
            const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
            if (pkg.name === "meshgate") {
                return `meshgate ${pkg.version ?? "unknown"}`;
            }
        }
        if (path.dirname(dir) === dir) {
            return "meshgate (unknown version)";
        }
    }
}

if (require.main === module) {
    run(process.argv.slice(2));
}
