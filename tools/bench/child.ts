/**
 * One benchmark measurement in a fresh process (started by tools/bench.ts with
 * the flags `npm run plan` uses): plan a generated stack of N services, or a
 * stack from stacks/, and report the phases' wall and CPU time, garbage
 * collection, peak RSS and what was registered. Optionally, after the timed
 * part, the deploy critical path of what was planned.
 *
 *   node --import tsx --max-semi-space-size=64 tools/bench/child.ts --services 100 [--critical-path]
 *   node --import tsx --max-semi-space-size=64 tools/bench/child.ts --stack prod --critical-path
 *
 * Sends the result to the parent over IPC (or prints it as JSON when run alone).
 * Modules are imported dynamically so that their load time is measured.
 * `--out DIR` also writes the plan's outputs (after the timed part), to diff
 * runs; `--monitor sdk-mocks` plans with the SDK's setMocks instead of the
 * in-process monitor (tools/plan/monitor.ts).
 */
// First, as in tools/plan.ts: defer the SDK modules a plan never runs.
import "../plan/lean-sdk";
import { PerformanceObserver } from "node:perf_hooks";
import { parseArgs } from "node:util";
import type { CriticalPathReport } from "./critical-path";

export interface PlanSample {
    readonly label: string;
    readonly services: number;
    /** Process start to the first line of this script (node, tsx's loader). */
    readonly bootMs: number;
    /** Loading the plan library: the program, components, policy pack, @pulumi/* (lazy SDK modules load later, on first use). */
    readonly importMs: number;
    readonly generateMs: number;
    /** Config validation, program under mocks, policies: what `plan()` takes. */
    readonly planMs: number;
    readonly programMs: number;
    readonly policyMs: number;
    /** CPU time (user + system) of `plan()`, all threads. */
    readonly planCpuMs: number;
    /** CPU time (user + system) of the whole process up to the end of `plan()`, all threads. */
    readonly processCpuMs: number;
    /** Time in garbage-collection pauses during `plan()`. */
    readonly gcMs: number;
    /** Process start to the end of `plan()`. */
    readonly totalMs: number;
    readonly peakRssMiB: number;
    readonly heapUsedMiB: number;
    /** Everything registered (components included). */
    readonly registered: number;
    readonly customResources: number;
    readonly violations: { readonly mandatory: number; readonly advisory: number };
    readonly criticalPath?: CriticalPathReport;
    /** The critical path again with some durations at their reported worst (see SENSITIVITY). */
    readonly sensitivity?: { readonly label: string; readonly overrides: Record<string, number>; readonly report: CriticalPathReport }[];
}

/** Durations whose reported tails are far above the table's typical value. */
export const SENSITIVITY: { label: string; overrides: Record<string, number> }[] = [
    {
        label: "EBS CSI add-on at the 15 min reported in aws-ia/terraform-aws-eks-blueprints#642",
        overrides: { "eks-addon:aws-ebs-csi-driver": 900 },
    },
    {
        label: "managed node group at 5 min (the top of the usual 3-5 min)",
        overrides: { "aws:eks/nodeGroup:NodeGroup": 300 },
    },
];

async function main(): Promise<PlanSample> {
    const bootMs = performance.now();
    const { values } = parseArgs({
        options: {
            services: { type: "string" },
            stack: { type: "string" },
            "critical-path": { type: "boolean", default: false },
            debug: { type: "boolean", default: false },
            out: { type: "string" },
            monitor: { type: "string", default: "in-process" },
        },
    });
    if (values.monitor !== "in-process" && values.monitor !== "sdk-mocks") {
        throw new Error(`--monitor takes in-process or sdk-mocks; got ${values.monitor}`);
    }
    // As `npm run plan` does (tools/plan.ts): no stack traces unless debugging.
    Error.stackTraceLimit = values.debug ? 50 : 0;

    const t0 = performance.now();
    // require, not import(): the same under `--import tsx` and `--require tsx/cjs` (the project is CommonJS).
    const { plan } = require("../plan/plan") as typeof import("../plan/plan");
    const { generateStackConfig } = require("./generate") as typeof import("./generate");
    const stackConfig = require("../plan/stack-config") as typeof import("../plan/stack-config");
    const importMs = performance.now() - t0;

    const t1 = performance.now();
    const base = stackConfig.readStackConfig(stackConfig.stackConfigPath(values.stack ?? "prod"));
    const services = values.services === undefined ? undefined : Number(values.services);
    const config = services === undefined ? base : generateStackConfig(services, base);
    const generateMs = performance.now() - t1;
    const label = services === undefined ? `stack ${values.stack ?? "prod"}` : `${services} services`;

    let gcMs = 0;
    const observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
            gcMs += e.duration;
        }
    });
    observer.observe({ type: "gc" });
    const cpu0 = process.cpuUsage();
    const t2 = performance.now();
    const result = await plan({ stack: "bench", config, monitor: values.monitor });
    const planMs = performance.now() - t2;
    const cpu = process.cpuUsage(cpu0);
    const processCpu = process.cpuUsage();
    const totalMs = performance.now();
    // GC entries are delivered asynchronously.
    await new Promise((resolve) => setTimeout(resolve, 20));
    observer.disconnect();

    if (result.kind === "invalid") {
        throw new Error(`the ${label} stack is invalid: ${result.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
    }
    const { run, violations, timings } = result;
    const sample: PlanSample = {
        label,
        services: Array.isArray(config["meshgate:services"]) ? config["meshgate:services"].length : 0,
        bootMs,
        importMs,
        generateMs,
        planMs,
        programMs: timings.programMs,
        policyMs: timings.policyMs,
        planCpuMs: (cpu.user + cpu.system) / 1000,
        processCpuMs: (processCpu.user + processCpu.system) / 1000,
        gcMs,
        totalMs,
        peakRssMiB: process.resourceUsage().maxRSS / 1024,
        heapUsedMiB: process.memoryUsage().heapUsed / 2 ** 20,
        registered: run.resources.length,
        customResources: run.resources.filter((r) => r.custom).length,
        violations: { mandatory: violations.filter((v) => v.level === "mandatory").length, advisory: violations.filter((v) => v.level !== "mandatory").length },
    };
    if (values.out !== undefined) {
        const { writePlan } = require("../plan/outputs") as typeof import("../plan/outputs");
        writePlan(values.out, run.resources, violations);
    }
    if (!values["critical-path"]) {
        return sample;
    }
    const { criticalPath } = require("./critical-path") as typeof import("./critical-path");
    return {
        ...sample,
        criticalPath: criticalPath(run.resources),
        sensitivity: SENSITIVITY.map((s) => ({ ...s, report: criticalPath(run.resources, s.overrides) })),
    };
}

main().then(
    (sample) => {
        if (process.send !== undefined) {
            process.send({ ok: true, sample }, () => process.exit(0));
        } else {
            console.log(JSON.stringify(sample, null, 2));
            process.exit(0);
        }
    },
    (err: unknown) => {
        const message = err instanceof Error ? `${err.message}${err.stack === undefined ? "" : `\n${err.stack}`}` : String(err);
        if (process.send !== undefined) {
            process.send({ ok: false, error: message }, () => process.exit(1));
        } else {
            console.error(message);
            process.exit(1);
        }
    },
);
