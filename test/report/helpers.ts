import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { generateStackConfig } from "../../tools/bench/generate";
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

/**
 * The mesh objects (Service, DestinationRule, VirtualService, AuthorizationPolicy,
 * KongPlugins, Ingress) of a generated stack of `n` services, from the pure
 * builders the MeshService component uses: the traffic view of a big stack
 * without running the program (a 200-service plan takes seconds).
 */
export function generatedObjects(n: number): { urn: string; type: string; name: string; custom: true; inputs: Record<string, unknown> }[] {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { checkStackConfig } = require("../../components/config") as typeof import("../../components/config");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { meshServiceObjects, allManifests } = require("../../components/mesh-service/objects") as typeof import("../../components/mesh-service/objects");
    const { config, issues } = checkStackConfig({ services: generateStackConfig(n, {})["meshgate:services"], environment: "dev", cluster: { type: "existing" } });
    assert.ok(config !== undefined, issues.map((i) => i.message).join("; "));
    const ctx = { gateway: { principal: "cluster.local/ns/kong/sa/kong-kong", dbless: true } };
    return config.services.flatMap((spec) =>
        allManifests(meshServiceObjects(spec, ctx)).map((o) => {
            const obj = o as unknown as { apiVersion: string; kind: string; metadata: { name: string; namespace: string } };
            const gv = obj.apiVersion.includes("/") ? obj.apiVersion : `core/${obj.apiVersion}`;
            const type = `kubernetes:${gv}:${obj.kind}`;
            return { urn: `urn:pulumi:gen::meshgate::${type}::${obj.metadata.namespace}/${obj.metadata.name}`, type, name: obj.metadata.name, custom: true as const, inputs: o as unknown as Record<string, unknown> };
        }),
    );
}
