import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { generateStackConfig } from "../../tools/bench/generate";
export { meshObjects as generatedObjects } from "../../tools/bench/report";
import { plan } from "../../tools/plan/plan";
import type { RecordedResource } from "../../tools/plan/runtime";
import { readStackConfig, stackConfigPath } from "../../tools/plan/stack-config";
import type { Violation } from "../../tools/plan/outputs";
import type { RoutesFile } from "../../tools/report";

export const ROOT = path.resolve(__dirname, "..", "..");

/** routes.json of the dev stack, written by hand to the contract (/work/coord/routes-contract.md). */
export const DEV_ROUTES = path.join(__dirname, "fixtures", "dev-routes.json");
export const devRoutes = (): RoutesFile => JSON.parse(fs.readFileSync(DEV_ROUTES, "utf8")) as RoutesFile;

export interface Planned {
    readonly resources: RecordedResource[];
    readonly violations: readonly Violation[];
}

const cache = new Map<string, Promise<Planned>>();

/** A stack's plan (`services`: a generated stack of that many services on the prod config, as the benchmark makes), once per test run. */
export function planned(stack: string, services?: number): Promise<Planned> {
    const key = `${stack}:${services ?? ""}`;
    let p = cache.get(key);
    if (p === undefined) {
        p = (async () => {
            const base = readStackConfig(stackConfigPath(stack));
            const r = await plan({ stack, config: services === undefined ? base : generateStackConfig(services, base) });
            if (r.kind !== "planned") {
                assert.fail(`invalid config: ${r.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
            }
            return { resources: r.run.resources, violations: r.violations };
        })();
        cache.set(key, p);
    }
    return p;
}
