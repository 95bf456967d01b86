/**
 * npm run bench -- [--sizes 10,100,1000] [--repeats 3,3,2] [--quick] [--large] [--no-startup] [--no-critical-path] [--no-check] [--out FILE | --update]
 *
 * The meshgate benchmark (not a timed test):
 * - scale: the offline plan (program under mocks, then the policy pack) of
 *   generated stacks of 10, 100 and 1,000 services (and 10,000 with
 *   `--large`), each run in a fresh child process with the flags
 *   `npm run plan` uses; wall and CPU time per phase and of the whole
 *   process, GC, peak RSS, resources registered, growth ratios;
 * - start-up: loading the program before it registers anything, as
 *   `pulumi preview` (ts-node), as `npm run plan` (tsx) and from dist/;
 * - the deploy critical path of the prod stack and of the 100-service stack
 *   against the lower bound of the unavoidable dependencies;
 * - `npm run check` over the manifests the 100- and 1,000-service plans
 *   write: its time against the number of objects.
 * Writes out/bench/results.json (--update: the committed bench/results.json)
 * and prints a summary that says which targets are met and which are missed. See bench/README.md.
 */
import { fork, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type { PlanSample } from "./bench/child";
import type { CriticalPathReport, PathResult } from "./bench/critical-path";
import { durationTable } from "./bench/durations";
import { startupCommand, type StartupSample, type StartupVariant } from "./bench/startup";
import { runReportBench } from "./bench/report";

const ROOT = path.resolve(__dirname, "..");
/**
 * How `npm run plan` runs (package.json, tools/run.cjs): from the compiled dist/ when it is
 * fresh, else from the sources under tsx. The bench's child runs the same way (MESHGATE_FROM_SOURCE=1
 * forces the sources for both).
 */
const FROM_DIST = (require("./run.cjs") as { distIsFresh(): boolean }).distIsFresh();
const CHILD = FROM_DIST ? path.join(ROOT, "dist", "tools", "bench", "child.js") : path.join(__dirname, "bench", "child.ts");
// From dist/, tools/run.cjs also enables the compile cache: the child preloads it.
const PLAN_FLAGS = FROM_DIST ? ["--require", path.join(ROOT, "tools", "compile-cache.cjs"), "--max-semi-space-size=64"] : ["--import", "tsx", "--max-semi-space-size=64"];
/** How `npm run check` runs (package.json). */
const CHECK_COMMAND = FROM_DIST ? [path.join(ROOT, "dist", "tools", "check.js")] : ["--import", "tsx", path.join(ROOT, "tools", "check.ts")];

const TARGETS = {
    // issue 7
    plan1000Ms: 15_000,
    growth100to1000: 11,
    criticalPathOverLowerBound: 1.05,
    // issue 19: ahead of AWS CDK synthesizing the same objects (2.6–3.0 s, ~480 MB for 1,000 services)
    process1000Ms: 2_500,
    rss1000MiB: 450 / 1.048576, // 450 MB
    process10000Ms: 45_000,
    rss10000MiB: 4_000 / 1.048576, // 4 GB
};

/** `--large`: the size added to the default ones, and its runs. */
const LARGE = 10_000;

interface Options {
    sizes: number[];
    repeats: number[];
    startup: boolean;
    criticalPath: boolean;
    check: boolean;
    out: string;
}

function options(): Options {
    const { values } = parseArgs({
        options: {
            sizes: { type: "string" },
            repeats: { type: "string" },
            quick: { type: "boolean", default: false },
            large: { type: "boolean", default: false },
            "no-startup": { type: "boolean", default: false },
            "no-critical-path": { type: "boolean", default: false },
            "no-check": { type: "boolean", default: false },
            out: { type: "string" },
            update: { type: "boolean", default: false },
            help: { type: "boolean", short: "h", default: false },
        },
    });
    if (values.help) {
        console.log(
            "usage: npm run bench -- [--sizes 10,100,1000] [--repeats 3,3,2] [--quick] [--large] [--no-startup] [--no-critical-path] [--no-check] [--out FILE | --update]\n  writes out/bench/results.json; --update writes the committed bench/results.json",
        );
        process.exit(0);
    }
    const sizes = (values.sizes ?? (values.quick ? "10,100" : "10,100,1000")).split(",").map(Number);
    if (values.large && !sizes.includes(LARGE)) {
        sizes.push(LARGE);
    }
    const repeats = values.repeats !== undefined ? values.repeats.split(",").map(Number) : sizes.map((n) => (values.quick || n >= LARGE ? 1 : 3));
    if (sizes.some((n) => !Number.isInteger(n) || n < 1) || repeats.length !== sizes.length || repeats.some((n) => !Number.isInteger(n) || n < 1)) {
        console.error("--sizes and --repeats take comma-separated positive whole numbers, one repeat count per size");
        process.exit(2);
    }
    if (values.update && values.out !== undefined) {
        console.error("--update writes bench/results.json; give --out FILE or --update, not both");
        process.exit(2);
    }
    // The committed results change only when asked (--update); a run for a look goes to out/.
    const out = values.out ?? path.join(ROOT, ...(values.update ? ["bench", "results.json"] : ["out", "bench", "results.json"]));
    return {
        sizes,
        repeats,
        startup: !values["no-startup"],
        criticalPath: !values["no-critical-path"],
        check: !values["no-check"],
        out: path.resolve(out),
    };
}

/** Runs tools/bench/child.ts in a fresh process and returns what it measured. */
function runPlanChild(args: string[]): Promise<PlanSample> {
    return new Promise((resolve, reject) => {
        const child = fork(CHILD, args, { cwd: ROOT, execArgv: PLAN_FLAGS, stdio: ["ignore", "inherit", "inherit", "ipc"] });
        let settled = false;
        child.on("message", (msg: { ok: boolean; sample?: PlanSample; error?: string }) => {
            settled = true;
            if (msg.ok && msg.sample !== undefined) {
                resolve(msg.sample);
            } else {
                reject(new Error(`benchmark child ${args.join(" ")} failed: ${msg.error ?? "no result"}`));
            }
        });
        child.on("exit", (code) => {
            if (!settled) {
                reject(new Error(`benchmark child ${args.join(" ")} exited with ${code} before reporting`));
            }
        });
    });
}

function runStartupChild(variant: StartupVariant, tmpdir: string): Promise<StartupSample> {
    const { args, env } = startupCommand(variant, ROOT, tmpdir);
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => (err += d.toString()));
        child.on("exit", (code) => {
            const line = out.trim().split("\n").pop() ?? "";
            if (code !== 0 || !line.startsWith("{")) {
                reject(new Error(`start-up variant ${variant} failed (exit ${code}): ${err.slice(0, 2000)}`));
                return;
            }
            resolve({ variant, ...(JSON.parse(line) as Omit<StartupSample, "variant">) });
        });
    });
}

/** Sizes whose plan outputs `npm run check` is timed on. */
const CHECK_SIZES = [100, 1000];

interface CheckResult {
    services: number;
    /** Kubernetes objects (YAML documents) in the plan's manifests/. */
    objects: number;
    /** Best wall time of the whole `check` process. */
    bestMs: number;
    allMs: number[];
}

/** Times `npm run check` (same flags, fresh process) over `dir`, `runs` times. */
function timeCheck(dir: string, out: string, runs: number): number[] {
    const times: number[] = [];
    for (let k = 0; k < runs; k++) {
        const t = performance.now();
        const res = spawnSync(process.execPath, [...CHECK_COMMAND, dir, "--out", out], { cwd: ROOT, encoding: "utf8" });
        times.push(performance.now() - t);
        if (res.status !== 0 && res.status !== 1) {
            throw new Error(`check over ${dir} exited with ${res.status}: ${res.stderr.slice(0, 2000)}`);
        }
    }
    return times;
}

/** YAML documents in a plan's manifests/ (each starts with its `# <urn>` line). */
function countObjects(dir: string): number {
    return fs
        .readdirSync(dir)
        .map(
            (f) =>
                fs
                    .readFileSync(path.join(dir, f), "utf8")
                    .split("\n")
                    .filter((l) => l.startsWith("# urn:")).length,
        )
        .reduce((a, b) => a + b, 0);
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const pad = (s: string, n: number) => s.padStart(n);

interface ScaleResult {
    services: number;
    runs: number;
    /** The run with the lowest plan wall time (noise on a shared machine only adds). */
    best: PlanSample;
    median: { planMs: number; programMs: number; policyMs: number; totalMs: number; processCpuMs: number; peakRssMiB: number };
    all: { planMs: number; programMs: number; policyMs: number; planCpuMs: number; processCpuMs: number; gcMs: number; totalMs: number; peakRssMiB: number }[];
}

function summarizeScale(services: number, samples: PlanSample[]): ScaleResult {
    const best = samples.reduce((a, b) => (b.totalMs < a.totalMs ? b : a));
    const pick = (k: "planMs" | "programMs" | "policyMs" | "totalMs" | "processCpuMs" | "peakRssMiB") => median(samples.map((s) => s[k]));
    return {
        services,
        runs: samples.length,
        best: { ...best, criticalPath: undefined },
        median: {
            planMs: pick("planMs"),
            programMs: pick("programMs"),
            policyMs: pick("policyMs"),
            totalMs: pick("totalMs"),
            processCpuMs: pick("processCpuMs"),
            peakRssMiB: pick("peakRssMiB"),
        },
        all: samples.map((s) => ({
            planMs: s.planMs,
            programMs: s.programMs,
            policyMs: s.policyMs,
            planCpuMs: s.planCpuMs,
            processCpuMs: s.processCpuMs,
            gcMs: s.gcMs,
            totalMs: s.totalMs,
            peakRssMiB: s.peakRssMiB,
        })),
    };
}

function chainLines(p: PathResult): string[] {
    return p.chain.map(
        (s) =>
            `    ${pad(fmtMin(s.start), 6)} → ${pad(fmtMin(s.finish), 6)}  ${s.name}  [${s.key}, ${s.seconds} s]${s.via.length > 0 ? `  after previous: ${s.via.join(", ")}` : ""}`,
    );
}

function fmtMin(seconds: number): string {
    const m = Math.floor(seconds / 60);
    const s = Math.round(seconds - m * 60);
    return `${m}:${String(s).padStart(2, "0")}`;
}

function criticalPathSummary(label: string, r: CriticalPathReport): string[] {
    const lines = [
        `  ${label}: ${r.resources} resources; serial sum ${fmtMin(r.serialSeconds)}`,
        `    planned critical path ${fmtMin(r.planned.seconds)} (${r.planned.seconds} s), lower bound ${fmtMin(r.lowerBound.seconds)} (${r.lowerBound.seconds} s), ratio ${r.ratio.toFixed(3)} — target ≤ ${TARGETS.criticalPathOverLowerBound}: ${r.ratio <= TARGETS.criticalPathOverLowerBound ? "met" : "MISSED"}`,
        "    chain (start → finish, m:ss):",
        ...chainLines(r.planned),
    ];
    if (r.avoidableOnPath.length > 0) {
        lines.push("    avoidable edges on the planned path:");
        for (const e of r.avoidableOnPath) {
            lines.push(`      ${e.from} → ${e.to}: costs ${e.costSeconds} s`);
        }
    } else {
        lines.push("    every edge on the planned path is an unavoidable one");
    }
    for (const w of r.awaitWaits) {
        lines.push(
            `    ${w.exceedsTimeout ? "FAILS:" : "risk: "} ${w.name} (${w.type.slice(w.type.lastIndexOf(":") + 1)}) is created ${fmtMin(w.waitSeconds)} before ${w.waitsFor} gives its await what it waits for; Pulumi's await times out at 10:00`,
        );
    }
    const tight = r.avoidable.slice(0, 4);
    if (tight.length > 0) {
        lines.push(`    avoidable orderings off the path, least slack first (${r.avoidable.length} groups in results.json):`);
        for (const a of tight) {
            lines.push(`      ${a.to} wait${a.edges === 1 ? "s" : ""} for ${a.from}: slack ${a.slackSeconds} s`);
        }
    }
    return lines;
}

function sensitivitySummary(label: string, sens: PlanSample["sensitivity"]): string[] {
    return (sens ?? []).map((s) => {
        const costs = s.report.avoidableOnPath.map((e) => `${e.from} → ${e.to} costs ${e.costSeconds} s`);
        const fails = s.report.awaitWaits.filter((w) => w.exceedsTimeout).map((w) => `${w.name}'s await would time out (${fmtMin(w.waitSeconds)} wait)`);
        const notes = [...costs, ...fails];
        return `  ${label}, ${s.label}: planned ${fmtMin(s.report.planned.seconds)}, lower bound ${fmtMin(s.report.lowerBound.seconds)}, ratio ${s.report.ratio.toFixed(3)}${notes.length > 0 ? ` — ${notes.join("; ")}` : ""}`;
    });
}

function sdkVersions(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const p of ["@pulumi/pulumi", "@pulumi/kubernetes", "@pulumi/aws", "@pulumi/random", "tsx", "typescript"]) {
        try {
            out[p] = (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", p, "package.json"), "utf8")) as { version: string }).version;
        } catch {
            out[p] = "?";
        }
    }
    return out;
}

async function main(): Promise<void> {
    const opts = options();
    const started = performance.now();
    const loadBefore = os.loadavg();
    const cpus = os.cpus();
    console.log(`meshgate bench: node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? "?"}, load average ${loadBefore.map((l) => l.toFixed(2)).join(" ")}`);
    if (loadBefore[0] > cpus.length * 0.5) {
        console.log(`  note: the machine is busy (1-min load ${loadBefore[0].toFixed(2)} on ${cpus.length} cores); wall times will be high and noisy — compare CPU times too`);
    }

    // ---------------------------------------------------------------- scale
    console.log(
        `\nscale: ${opts.sizes.map((n, i) => `${n} services × ${opts.repeats[i]}`).join(", ")} (fresh process each, ${FROM_DIST ? "compiled dist/" : "sources under tsx"}; flags ${PLAN_FLAGS.join(" ")})`,
    );
    const samples = new Map<number, PlanSample[]>(opts.sizes.map((n) => [n, []]));
    let cp100: CriticalPathReport | undefined;
    let sens100: PlanSample["sensitivity"];
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "meshgate-bench-plans-"));
    const planOut = (n: number) => path.join(work, `plan-${n}`);
    // Round-robin over sizes so that load from other processes spreads over all sizes.
    for (let rep = 0; rep < Math.max(...opts.repeats); rep++) {
        for (const [i, n] of opts.sizes.entries()) {
            if (rep >= opts.repeats[i]) {
                continue;
            }
            const wantCp = opts.criticalPath && n === 100 && cp100 === undefined;
            const wantOut = opts.check && rep === 0 && CHECK_SIZES.includes(n);
            const s = await runPlanChild(["--services", String(n), ...(wantCp ? ["--critical-path"] : []), ...(wantOut ? ["--out", planOut(n)] : [])]);
            if (s.criticalPath !== undefined) {
                cp100 = s.criticalPath;
                sens100 = s.sensitivity;
            }
            samples.get(n)?.push(s);
            console.log(
                `  ${pad(String(n), 5)} services run ${rep + 1}: plan ${sec(s.planMs)} (program ${sec(s.programMs)}, policies ${sec(s.policyMs)}; CPU ${sec(s.planCpuMs)}, GC ${sec(s.gcMs)}), process ${sec(s.totalMs)} (CPU ${sec(s.processCpuMs)}), peak RSS ${s.peakRssMiB.toFixed(0)} MiB, ${s.customResources} resources`,
            );
        }
    }
    const scale = opts.sizes.map((n) => summarizeScale(n, samples.get(n) ?? []));
    const bySize = new Map(scale.map((s) => [s.services, s]));
    const ratio = (a: number, b: number, k: "planMs" | "programMs" | "policyMs" | "totalMs" | "processCpuMs" | "peakRssMiB") => {
        const x = bySize.get(a)?.best;
        const y = bySize.get(b)?.best;
        return x !== undefined && y !== undefined ? x[k] / y[k] : undefined;
    };
    const resourcesRatio = (a: number, b: number) => {
        const x = bySize.get(a)?.best;
        const y = bySize.get(b)?.best;
        return x !== undefined && y !== undefined ? x.customResources / y.customResources : undefined;
    };
    const ratios = {
        "plan(1000)/plan(100)": ratio(1000, 100, "planMs"),
        "plan(100)/plan(10)": ratio(100, 10, "planMs"),
        "program(1000)/program(100)": ratio(1000, 100, "programMs"),
        "program(100)/program(10)": ratio(100, 10, "programMs"),
        "policies(1000)/policies(100)": ratio(1000, 100, "policyMs"),
        "policies(100)/policies(10)": ratio(100, 10, "policyMs"),
        "resources(1000)/resources(100)": resourcesRatio(1000, 100),
        "resources(100)/resources(10)": resourcesRatio(100, 10),
        "plan(10000)/plan(1000)": ratio(LARGE, 1000, "planMs"),
        "process(10000)/process(1000)": ratio(LARGE, 1000, "totalMs"),
        "processCPU(10000)/processCPU(1000)": ratio(LARGE, 1000, "processCpuMs"),
        "peakRSS(10000)/peakRSS(1000)": ratio(LARGE, 1000, "peakRssMiB"),
        "resources(10000)/resources(1000)": resourcesRatio(LARGE, 1000),
    };

    // ---------------------------------------------------------------- check
    const check: CheckResult[] = [];
    if (opts.check) {
        console.log("\ncheck (`npm run check` over a plan's manifests/, fresh process each, best of 2):");
        for (const n of CHECK_SIZES.filter((size) => fs.existsSync(planOut(size)))) {
            const manifests = path.join(planOut(n), "manifests");
            const allMs = timeCheck(manifests, path.join(work, `check-${n}`), 2);
            const r = { services: n, objects: countObjects(manifests), bestMs: Math.min(...allMs), allMs };
            check.push(r);
            console.log(`  ${pad(String(n), 5)} services: ${r.objects} objects in ${sec(r.bestMs)}`);
        }
    }
    fs.rmSync(work, { recursive: true, force: true });
    const [checkSmall, checkLarge] = check;
    const checkGrowth =
        checkSmall !== undefined && checkLarge !== undefined
            ? {
                  time: checkLarge.bestMs / checkSmall.bestMs,
                  objects: checkLarge.objects / checkSmall.objects,
                  /** What each further object costs: the slope between the two sizes. */
                  msPerObject: (checkLarge.bestMs - checkSmall.bestMs) / (checkLarge.objects - checkSmall.objects),
                  /** What a check of no object would cost: start-up. */
                  fixedMs: checkSmall.bestMs - ((checkLarge.bestMs - checkSmall.bestMs) / (checkLarge.objects - checkSmall.objects)) * checkSmall.objects,
              }
            : undefined;

    // ---------------------------------------------------------------- start-up
    const startup: { variant: StartupVariant; runs: number; best: StartupSample; all: number[] }[] = [];
    if (opts.startup) {
        console.log("\nstart-up (fresh process each; loading only, no registration):");
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "meshgate-bench-"));
        try {
            const plan: [StartupVariant, number][] = [
                ["pulumi-default", 1],
                ["pulumi-transpile-only", 2],
                ["tsx-cold", 1],
                ["tsx-warm", 3],
                ["tsx-cjs", 3],
                ["dist", 3],
                ["tsx-lean", 3],
            ];
            for (const [variant, runs] of plan) {
                const got: StartupSample[] = [];
                for (let k = 0; k < runs; k++) {
                    // tsx-cold: a fresh, empty cache directory each time; tsx-warm reuses the one tsx-cold filled.
                    const dir = variant === "tsx-cold" ? fs.mkdtempSync(path.join(tmp, "cold-")) : path.join(tmp, "warm");
                    fs.mkdirSync(dir, { recursive: true });
                    if (variant === "tsx-cold") {
                        got.push(await runStartupChild(variant, dir));
                        fs.cpSync(dir, path.join(tmp, "warm"), { recursive: true });
                    } else {
                        got.push(await runStartupChild(variant, dir));
                    }
                }
                const best = got.reduce((a, b) => (b.totalMs < a.totalMs ? b : a));
                startup.push({ variant, runs, best, all: got.map((g) => g.totalMs) });
                const stepText = Object.entries(best.steps)
                    .map(([k, v]) => `${k} ${sec(v)}`)
                    .join(", ");
                console.log(
                    `  ${variant.padEnd(22)} ${sec(best.totalMs)} (best of ${runs}): boot ${sec(best.bootMs)}${best.registerMs > 1 ? `, ts-node register ${sec(best.registerMs)}` : ""}, ${stepText}`,
                );
            }
        } finally {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    }

    // ---------------------------------------------------------------- critical path
    let cpProd: CriticalPathReport | undefined;
    let sensProd: PlanSample["sensitivity"];
    if (opts.criticalPath) {
        const prod = await runPlanChild(["--stack", "prod", "--critical-path"]);
        cpProd = prod.criticalPath;
        sensProd = prod.sensitivity;
        if (cp100 === undefined) {
            const s = await runPlanChild(["--services", "100", "--critical-path"]);
            cp100 = s.criticalPath;
            sens100 = s.sensitivity;
        }
    }

    // ---------------------------------------------------------------- targets
    const big = bySize.get(1000)?.best;
    const large = bySize.get(LARGE)?.best;
    const growth = ratios["plan(1000)/plan(100)"];
    const resources10k = ratios["resources(10000)/resources(1000)"];
    const notRun = { value: "not run", met: undefined };
    const targets = [
        {
            name: "plan + policy check of 1,000 services",
            target: `< ${TARGETS.plan1000Ms / 1000} s`,
            value: big === undefined ? "not run" : sec(big.planMs),
            met: big === undefined ? undefined : big.planMs < TARGETS.plan1000Ms,
        },
        {
            name: "whole `npm run plan` process for 1,000 services (boot + imports + plan; informative)",
            target: `< ${TARGETS.plan1000Ms / 1000} s`,
            value: big === undefined ? "not run" : sec(big.totalMs),
            met: big === undefined ? undefined : big.totalMs < TARGETS.plan1000Ms,
        },
        {
            name: "whole process for 1,000 services, wall (boot + imports + plan; issue 19)",
            target: `< ${TARGETS.process1000Ms / 1000} s`,
            ...(big === undefined ? notRun : { value: `${sec(big.totalMs)} (CPU ${sec(big.processCpuMs)})`, met: big.totalMs < TARGETS.process1000Ms }),
        },
        {
            name: "peak RSS for 1,000 services",
            target: "< 450 MB",
            ...(big === undefined ? notRun : { value: `${(big.peakRssMiB * 1.048576).toFixed(0)} MB`, met: big.peakRssMiB < TARGETS.rss1000MiB }),
        },
        {
            name: `whole process for ${LARGE.toLocaleString("en")} services, wall`,
            target: `< ${TARGETS.process10000Ms / 1000} s`,
            ...(large === undefined ? notRun : { value: `${sec(large.totalMs)} (CPU ${sec(large.processCpuMs)})`, met: large.totalMs < TARGETS.process10000Ms }),
        },
        {
            name: `peak RSS for ${LARGE.toLocaleString("en")} services`,
            target: "< 4 GB",
            ...(large === undefined ? notRun : { value: `${(large.peakRssMiB * 1.048576).toFixed(0)} MB`, met: large.peakRssMiB < TARGETS.rss10000MiB }),
        },
        ...(
            [
                ["process CPU", "processCPU(10000)/processCPU(1000)"],
                ["peak RSS", "peakRSS(10000)/peakRSS(1000)"],
            ] as const
        ).map(([what, key]) => {
            const r = ratios[key];
            return {
                name: `growth of ${what} from 1,000 to ${LARGE.toLocaleString("en")} services, no worse than linear in resources`,
                target: resources10k === undefined ? "≤ resources ratio" : `≤ ${resources10k.toFixed(2)}× (resources)`,
                ...(r === undefined || resources10k === undefined ? notRun : { value: `${r.toFixed(2)}×`, met: r <= resources10k }),
            };
        }),
        {
            name: "npm run check linear in objects: time(1,000 services' manifests) / time(100 services')",
            target: checkGrowth === undefined ? "≤ objects ratio" : `≤ ${checkGrowth.objects.toFixed(2)}× (objects)`,
            ...(checkGrowth === undefined
                ? notRun
                : {
                      value: `${checkGrowth.time.toFixed(2)}× (${checkGrowth.msPerObject.toFixed(2)} ms per object after ${sec(checkGrowth.fixedMs)} of start-up)`,
                      met: checkGrowth.time <= checkGrowth.objects,
                  }),
        },
        {
            name: "growth plan(1000)/plan(100)",
            target: `≤ ${TARGETS.growth100to1000}×`,
            value: growth === undefined ? "not run" : `${growth.toFixed(2)}×`,
            met: growth === undefined ? undefined : growth <= TARGETS.growth100to1000,
        },
        ...[
            ["prod", cpProd],
            ["100 services", cp100],
        ].map(([label, r]) => {
            const report = r as CriticalPathReport | undefined;
            return {
                name: `critical path / lower bound (${String(label)})`,
                target: `≤ ${TARGETS.criticalPathOverLowerBound}`,
                value: report === undefined ? "not run" : report.ratio.toFixed(3),
                met: report === undefined ? undefined : report.ratio <= TARGETS.criticalPathOverLowerBound,
            };
        }),
    ];

    const loadAfter = os.loadavg();
    const results = {
        generatedAt: new Date().toISOString(),
        machine: {
            cpus: cpus.length,
            model: cpus[0]?.model ?? "?",
            memoryGiB: Math.round(os.totalmem() / 2 ** 30),
            platform: `${os.platform()} ${os.release()}`,
            loadAverageBefore: loadBefore,
            loadAverageAfter: loadAfter,
        },
        node: process.version,
        versions: sdkVersions(),
        method: {
            childFlags: PLAN_FLAGS,
            childRuntime: FROM_DIST ? "dist" : "tsx",
            cpu: "planCpuMs: process.cpuUsage() around plan(); processCpuMs: process.cpuUsage() at the end of plan(), i.e. the whole process so far (boot, imports, plan), user + system, all threads",
            stackTraceLimit: 0,
            statistic: "best (lowest whole-process wall time) of the runs per size, each in a fresh process; medians and every run are listed too",
            generator: "tools/bench/generate.ts on the prod stack's cluster, mesh, gateway and observability settings",
            planMs: "plan(): config validation + program under mocks + policy pack",
            totalMs: "process start to the end of plan(): node and tsx boot, module loading, plan",
        },
        scale,
        ratios,
        startup,
        check: { runs: check, growth: checkGrowth },
        criticalPath: {
            durationTable: durationTable(),
            prod: cpProd,
            services100: cp100,
            sensitivity: { prod: sensProd, services100: sens100 },
        },
        targets,
        benchSeconds: (performance.now() - started) / 1000,
    };
    fs.mkdirSync(path.dirname(opts.out), { recursive: true });
    fs.writeFileSync(opts.out, `${JSON.stringify(results, null, 2)}\n`);

    // ---------------------------------------------------------------- summary
    const lines: string[] = ["", "== summary =="];
    lines.push("scale (best of N runs per size: lowest process wall time; CPU = user + sys):");
    lines.push(
        `  ${"services".padStart(8)} ${"resources".padStart(9)} ${"program".padStart(9)} ${"policies".padStart(9)} ${"plan".padStart(9)} ${"plan CPU".padStart(9)} ${"GC".padStart(8)} ${"process".padStart(9)} ${"proc CPU".padStart(9)} ${"peak RSS".padStart(9)} ${"runs".padStart(5)}`,
    );
    for (const s of scale) {
        const b = s.best;
        lines.push(
            `  ${pad(String(s.services), 8)} ${pad(String(b.customResources), 9)} ${pad(sec(b.programMs), 9)} ${pad(sec(b.policyMs), 9)} ${pad(sec(b.planMs), 9)} ${pad(sec(b.planCpuMs), 9)} ${pad(sec(b.gcMs), 8)} ${pad(sec(b.totalMs), 9)} ${pad(sec(b.processCpuMs), 9)} ${pad(`${b.peakRssMiB.toFixed(0)} MiB`, 9)} ${pad(String(s.runs), 5)}`,
        );
    }
    lines.push(
        `  growth: ${Object.entries(ratios)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => `${k} = ${(v as number).toFixed(2)}`)
            .join(", ")}`,
    );
    if (checkGrowth !== undefined) {
        lines.push(
            `check: ${check.map((c) => `${c.objects} objects ${sec(c.bestMs)}`).join(", ")}; ${checkGrowth.msPerObject.toFixed(2)} ms per object after ${sec(checkGrowth.fixedMs)} of start-up`,
        );
    }
    if (startup.length > 0) {
        lines.push("start-up (load the program, nothing registered):");
        for (const s of startup) {
            lines.push(`  ${s.variant.padEnd(22)} ${pad(sec(s.best.totalMs), 9)}  (best of ${s.runs})`);
        }
    }
    if (cpProd !== undefined || cp100 !== undefined) {
        lines.push("deploy critical path (`pulumi up` from scratch, durations from tools/bench/durations.ts):");
        if (cpProd !== undefined) {
            lines.push(...criticalPathSummary("prod", cpProd));
        }
        if (cp100 !== undefined) {
            lines.push(...criticalPathSummary("100 services", cp100));
        }
        const sens = [...sensitivitySummary("prod", sensProd), ...sensitivitySummary("100 services", sens100)];
        if (sens.length > 0) {
            lines.push("  sensitivity (a duration at its reported worst):", ...sens);
        }
    }
    lines.push("targets:");
    for (const t of targets) {
        lines.push(`  ${t.met === undefined ? "n/a   " : t.met ? "met   " : "MISSED"} ${t.name}: ${t.value} (target ${t.target})`);
    }
    lines.push(...(await runReportBench(path.join(path.dirname(opts.out), "report-results.json"))));
    lines.push(`wrote ${path.relative(process.cwd(), opts.out)} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    console.log(lines.join("\n"));
}

main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
});
