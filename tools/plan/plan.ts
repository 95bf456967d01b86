/**
 * The offline plan as a library (the CLI, the benchmark and the tests use it):
 * validate a stack's config, run the real program under mocks, run the policy
 * pack over what it registered, and optionally write the results.
 */
// First: defers the SDK modules a plan never runs (must load before @pulumi/pulumi).
import "./lean-sdk";
import { ConfigError, type ConfigIssue } from "../../components/config";
import { runPolicies, type PlainResource } from "../../policies/engine";
import { program } from "../../infra/program";
import { writePlanRoutes } from "../explain/files";
import { writePlan, writeWorkloadContracts, type Violation } from "./outputs";
import { runProgram, type PlanRun, type RecordedResource } from "./runtime";

export interface PlanOptions {
    readonly stack: string;
    /** The stack's `config:` block (`meshgate:*` keys and others such as `aws:region`). */
    readonly config: Record<string, unknown>;
    /** Write resources.json, manifests/ and policy-report.json here. */
    readonly outDir?: string;
    /** Run as `pulumi preview` would (dry run). Default true: a plan is a preview. */
    readonly preview?: boolean;
    readonly onResource?: (count: number) => void;
    /** The policy pack's config (`pulumi policy enable --config` shape): levels and tunables per policy. */
    readonly policyConfig?: Record<string, unknown>;
    /**
     * Plan this program instead of meshgate's own (`infra/`): a Pulumi program loaded by
     * `--program` (tools/plan/program.ts). meshgate's config validation is then the
     * program's own business; the project name scopes its config keys.
     */
    readonly program?: { readonly run: () => unknown; readonly project: string };
    /** The resource monitor (see RunOptions.monitor). Default "in-process". */
    readonly monitor?: "in-process" | "sdk-mocks";
}

export type PlanResult =
    | { readonly kind: "invalid"; readonly issues: readonly ConfigIssue[] }
    | {
          readonly kind: "planned";
          readonly run: PlanRun;
          readonly violations: readonly Violation[];
          readonly timings: { readonly programMs: number; readonly policyMs: number; readonly writeMs: number };
      };

export async function plan(opts: PlanOptions): Promise<PlanResult> {
    const t0 = performance.now();
    let run: PlanRun;
    try {
        // The program validates the config (once per plan); its ConfigError is the plan's "invalid" result.
        run = await runProgram(opts.program?.run ?? program, {
            project: opts.program?.project,
            stack: opts.stack,
            config: opts.config,
            preview: opts.preview ?? true,
            onResource: opts.onResource,
            monitor: opts.monitor,
        });
    } catch (e) {
        const error = opts.program === undefined ? configErrorOf(e) : undefined;
        if (error !== undefined) {
            return { kind: "invalid", issues: [...error.issues] };
        }
        throw e;
    }
    const t1 = performance.now();
    const violations = await runPolicies(run.resources.map(toPlainResource), { config: opts.policyConfig });
    const t2 = performance.now();
    if (opts.outDir !== undefined) {
        writePlan(opts.outDir, run.resources, violations);
        writeWorkloadContracts(opts.outDir, run.outputs);
        // routes.json: every declared route and caller through `meshgate explain`'s model (tools/explain).
        writePlanRoutes(opts.outDir, opts.stack, run.resources);
    }
    const t3 = performance.now();
    return { kind: "planned", run, violations, timings: { programMs: t1 - t0, policyMs: t2 - t1, writeMs: t3 - t2 } };
}

/** The ConfigError `e` is, or was caused by. */
function configErrorOf(e: unknown): ConfigError | undefined {
    for (let cur: unknown = e, depth = 0; cur instanceof Error && depth < 5; cur = cur.cause, depth++) {
        if (cur instanceof ConfigError) return cur;
    }
    return undefined;
}

export function toPlainResource(r: RecordedResource): PlainResource {
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        props: r.inputs,
        parent: r.parent,
        dependencies: r.dependsOn,
        propertyDependencies: r.propertyDependencies,
        provider: r.provider,
    };
}
