import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

// In a fresh process (this one loaded the SDK long ago): what the plan's
// start-up defers is not loaded, and still works when a program uses it.
describe("plan start-up: deferred SDK modules (tools/plan/lean-sdk.ts)", () => {
    it("loads neither TypeScript, arborist, the Automation API nor unused provider namespaces, and each works on first use", () => {
        const script = `
const loaded = (re) => Object.keys(require.cache).filter((f) => re.test(f)).length;
require("./tools/plan/lean-sdk.ts");
const pulumi = require("@pulumi/pulumi");
const aws = require("@pulumi/aws");
const k8s = require("@pulumi/kubernetes");
const before = {
  typescript: loaded(/node_modules\\/typescript\\//),
  arborist: loaded(/@npmcli\\/arborist/),
  automation: loaded(/@pulumi\\/pulumi\\/automation\\/(?!index\\.js)/),
  awsEc2: loaded(/@pulumi\\/aws\\/ec2\\/(?!index\\.js$)/),
  k8sApps: loaded(/@pulumi\\/kubernetes\\/apps\\/(?!index\\.js$)/),
};
const used = {
  vpc: typeof aws.ec2.Vpc,
  ec2Keys: Object.keys(aws.ec2).includes("Vpc"),
  deployment: typeof k8s.apps.v1.Deployment,
  workspace: typeof pulumi.automation.LocalWorkspace,
  codePaths: typeof pulumi.runtime.computeCodePaths,
  findWorkspaceRoot: typeof require("@pulumi/pulumi/runtime/closure/codePaths").findWorkspaceRoot,
};
const serialized = pulumi.runtime.serializeFunction(() => 42).then((f) => f.text.includes("42"));
serialized.then((ok) => console.log(JSON.stringify({ before, used, serialized: ok, awsEc2After: loaded(/@pulumi\\/aws\\/ec2\\/(?!index\\.js$)/) > 0 })));
`;
        const res = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: ROOT, encoding: "utf8" });
        assert.equal(res.status, 0, res.stderr);
        const out = JSON.parse(res.stdout.trim().split("\n").pop() ?? "{}") as Record<string, unknown>;
        assert.deepEqual(out.before, { typescript: 0, arborist: 0, automation: 0, awsEc2: 0, k8sApps: 0 });
        assert.deepEqual(out.used, { vpc: "function", ec2Keys: true, deployment: "function", workspace: "function", codePaths: "function", findWorkspaceRoot: "function" });
        assert.equal(out.serialized, true, "serializeFunction loads the real module and works");
        assert.equal(out.awsEc2After, true);
    });
});
