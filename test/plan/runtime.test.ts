import { strict as assert } from "node:assert";
import { generateStackConfig } from "../../tools/bench/generate";
import { protobufOrder } from "../../tools/plan/monitor";
import { plan, type PlanResult } from "../../tools/plan/plan";
import { readStackConfig, stackConfigPath } from "../../tools/plan/stack-config";

function planned(result: PlanResult): Extract<PlanResult, { kind: "planned" }> {
    if (result.kind !== "planned") {
        assert.fail(`invalid config: ${result.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
    }
    return result;
}

/** Everything a plan records and reports, in order: what resources.json, manifests/ and policy-report.json are made of. */
async function recorded(stack: string, config: Record<string, unknown>, monitor: "in-process" | "sdk-mocks") {
    const { run, violations } = planned(await plan({ stack, config, monitor }));
    return { resources: run.resources.map((r) => ({ ...r })), outputs: run.outputs, violations };
}

// The plan's fast path (tools/plan/monitor.ts: no protobuf, less SDK
// bookkeeping) must record exactly what the SDK's own setMocks records: same
// resources in the same (construction) order, same inputs (key order included), same
// dependencies, same stack outputs, same policy report. Compared on the real
// program, so whatever the components emit today and tomorrow is covered.
describe("the in-process monitor against the SDK's setMocks", () => {
    const cases: [string, string, () => Record<string, unknown>][] = [
        ["the dev stack", "dev", () => readStackConfig(stackConfigPath("dev"))],
        ["the local stack (an existing cluster, reads)", "local", () => readStackConfig(stackConfigPath("local"))],
        ["a generated stack of 40 services", "bench", () => generateStackConfig(40, readStackConfig(stackConfigPath("prod")))],
    ];
    for (const [label, stack, config] of cases) {
        it(`records the same plan for ${label}`, async () => {
            const sdk = await recorded(stack, config(), "sdk-mocks");
            const fast = await recorded(stack, config(), "in-process");
            assert.ok(sdk.resources.length > 20, `the reference recorded ${sdk.resources.length} resources`);
            assert.deepEqual(
                fast.resources.map((r) => r.urn),
                sdk.resources.map((r) => r.urn),
                "same resources in the same order",
            );
            for (const [i, r] of sdk.resources.entries()) {
                assert.deepEqual(fast.resources[i], r, r.urn);
                // deepEqual ignores key order; resources.json and the manifests do not.
                assert.equal(JSON.stringify(fast.resources[i].inputs), JSON.stringify(r.inputs), `${r.urn}: key order of the inputs`);
            }
            // Construction order (tools/plan/order.ts): the stack first, every parent before its children.
            assert.equal(sdk.resources[0].type, "pulumi:pulumi:Stack");
            const seen = new Set<string>();
            for (const r of sdk.resources) {
                assert.ok(r.parent === undefined || seen.has(r.parent), `${r.urn} comes after its parent`);
                seen.add(r.urn);
            }
            assert.equal(JSON.stringify(fast.outputs), JSON.stringify(sdk.outputs), "stack outputs");
            assert.deepEqual(fast.violations, sdk.violations, "policy report");
        });
    }

    it("orders keys as a protobuf Struct round trip does (sorted; integer-like keys first, as JavaScript does)", () => {
        const value = { b: 1, a: [{ z: null, y: "x" }], "10": true, "9": 0, B: { d: 1, c: 2 } };
        const ordered = protobufOrder(value);
        assert.equal(JSON.stringify(ordered), '{"9":0,"10":true,"B":{"c":2,"d":1},"a":[{"y":"x","z":null}],"b":1}');
        assert.deepEqual(ordered, value, "same values");
    });
});
