import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { consumerProgram } from "../examples/consumer/program";
import { runPolicies } from "../policies/engine";
import { toPlainResource } from "../tools/plan/plan";
import { runProgram } from "../tools/plan/runtime";

const ROOT = path.resolve(__dirname, "..");

describe("the npm package, used from another Pulumi project (examples/consumer)", () => {
    before(function () {
        if (!fs.existsSync(path.join(ROOT, "dist", "components", "index.js"))) {
            throw new Error("dist/ is missing: npm test builds it first (npm run build)");
        }
    });

    it('resolves "meshgate" to the built package in dist/, with type declarations', () => {
        const resolved = require.resolve("meshgate", { paths: [path.join(ROOT, "examples", "consumer")] });
        assert.equal(path.relative(ROOT, resolved), path.join("dist", "components", "index.js"));
        assert.ok(fs.existsSync(path.join(ROOT, "dist", "components", "index.d.ts")));
    });

    it("plans the example's platform: two services on an existing cluster, no AWS resources", async () => {
        const run = await runProgram(consumerProgram, { stack: "example" });
        const types = run.resources.map((r) => r.type);
        assert.ok(types.includes("meshgate:index:Platform"), "a Platform component");
        assert.equal(run.resources.filter((r) => r.type === "meshgate:mesh:MeshService").length, 2);
        assert.equal(types.filter((t) => t.startsWith("aws:")).length, 0);
        const ingresses = run.byType("kubernetes:networking.k8s.io/v1:Ingress");
        assert.deepEqual(
            ingresses.map((r) => (r.inputs.metadata as { name: string }).name),
            ["storefront"],
        );
    });

    it("passes the policy pack: the mesh on and observability off traces nowhere instead of at a missing Jaeger", async () => {
        const run = await runProgram(consumerProgram, { stack: "example" });
        assert.ok(run.resources.length >= 30, `${run.resources.length} resources judged`);
        const violations = await runPolicies(run.resources.map(toPlainResource));
        assert.deepEqual(
            violations.filter((v) => v.level === "mandatory"),
            [],
        );
        const istiod = run.byType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.name === "istiod");
        assert.ok(istiod, "the mesh is on");
        assert.deepEqual((istiod.inputs.values as { meshConfig: { extensionProviders: unknown[] } }).meshConfig.extensionProviders, []);
    });
});
