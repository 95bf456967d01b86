/**
 * Program start-up: how long loading the program takes before it registers
 * anything, measured in a fresh process per variant. Each variant is a small
 * CommonJS script run by plain `node` (with tsx's loader where the variant
 * uses it), so that no TypeScript hook of the benchmark itself is involved:
 *
 * - `pulumi-default`: what `pulumi preview` does for this project
 *   (Pulumi.yaml `typescript: true`, no `noCheck`): the language host registers
 *   ts-node (the copy vendored in @pulumi/pulumi) with type checking, then
 *   requires the program;
 * - `pulumi-transpile-only`: the same with PULUMI_NODEJS_TRANSPILE_ONLY=true;
 * - `tsx-cold` / `tsx-warm`: `node --import tsx` (as `npm run plan`), with an
 *   empty tsx cache and then with the cache the cold run filled;
 * - `tsx-cjs`: `node --require tsx/cjs` (tsx's CommonJS hook only, no ESM
 *   loader thread; the project is CommonJS), warm cache;
 * - `dist`: the compiled package (`npm run build` output, dist/), plain node;
 * - `tsx-lean`: `tsx-warm` after tools/plan/lean-sdk.ts, as `npm run plan`
 *   loads the program (SDK parts a plan never runs deferred).
 */
import * as path from "node:path";

export type StartupVariant = "pulumi-default" | "pulumi-transpile-only" | "tsx-cold" | "tsx-warm" | "tsx-cjs" | "dist" | "tsx-lean";

export interface StartupSample {
    readonly variant: StartupVariant;
    /** Process start to the script's first line (node bootstrap, plus tsx's loader where used). */
    readonly bootMs: number;
    /** Registering the TypeScript hook (ts-node variants only). */
    readonly registerMs: number;
    /** Each step's load time, in order: SDK packages, then meshgate's modules. */
    readonly steps: Record<string, number>;
    /** Process start to everything loaded. */
    readonly totalMs: number;
    readonly peakRssMiB: number;
}

export interface StartupCommand {
    readonly args: string[];
    readonly env: Record<string, string>;
}

const SDK = ["@pulumi/pulumi", "@pulumi/kubernetes", "@pulumi/aws", "@pulumi/random"];

/** The node arguments and environment that measure `variant` from `root`; `tmpdir` holds tsx's cache. */
export function startupCommand(variant: StartupVariant, root: string, tmpdir: string): StartupCommand {
    const r = (p: string) => JSON.stringify(path.join(root, p));
    const own: [string, string][] =
        variant === "dist"
            ? [
                  ["meshgate components", r("dist/components/index.js")],
                  ["meshgate policy engine + rules", r("dist/policies/engine.js")],
              ]
            : variant.startsWith("pulumi")
              ? [["meshgate program (infra/program.ts and what it imports)", r("infra/program.ts")]]
              : [
                    ["meshgate components", r("components/index.ts")],
                    ["meshgate policy engine + rules", r("policies/engine.ts")],
                    ["meshgate program (infra/program.ts)", r("infra/program.ts")],
                ];
    const register = variant.startsWith("pulumi")
        ? `
const ts = require(require.resolve("typescript", { paths: [${r(".")}] }));
const cfg = ts.readConfigFile(${r("tsconfig.json")}, ts.sys.readFile).config.compilerOptions;
// As @pulumi/pulumi/cmd/run/run.js does: vendored ts-node 7.0.1, transpileOnly from PULUMI_NODEJS_TRANSPILE_ONLY or the tsconfig's noCheck.
const env = process.env.PULUMI_NODEJS_TRANSPILE_ONLY;
require(${r("node_modules/@pulumi/pulumi/vendor/ts-node@7.0.1")}).register({
  compiler: "typescript", transpileOnly: env ? env === "true" : cfg.noCheck, project: ${r("tsconfig.json")}, skipProject: false,
  compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true", ...cfg },
});`
        : "";
    const lean: [string, string][] = variant === "tsx-lean" ? [["defer unused SDK modules (tools/plan/lean-sdk.ts)", r("tools/plan/lean-sdk.ts")]] : [];
    const script = `
const bootMs = performance.now();
process.chdir(${r(".")});
const t = performance.now();
${register}
const registerMs = performance.now() - t;
const steps = {};
for (const [name, mod] of [${[...lean, ...SDK.map((s) => [s, JSON.stringify(require.resolve(s, { paths: [root] }))]), ...own].map(([n, m]) => `[${JSON.stringify(n)}, ${m}]`).join(", ")}]) {
  const a = performance.now();
  require(mod);
  steps[name] = performance.now() - a;
}
process.stdout.write(JSON.stringify({ bootMs, registerMs, steps, totalMs: performance.now(), peakRssMiB: process.resourceUsage().maxRSS / 1024 }) + "\\n");
`;
    const env: Record<string, string> = { TMPDIR: tmpdir };
    if (variant.startsWith("pulumi")) {
        env.PULUMI_NODEJS_TRANSPILE_ONLY = variant === "pulumi-transpile-only" ? "true" : "";
    }
    const loader = variant === "tsx-cjs" ? ["--require", "tsx/cjs"] : variant.startsWith("tsx") ? ["--import", "tsx"] : [];
    return { args: [...loader, "-e", script], env };
}
