import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { plan, type PlanResult } from "../../tools/plan/plan";
import { listStacks, readStackConfig, stackConfigPath } from "../../tools/plan/stack-config";
import { GOLDEN_FILE, planDigests } from "../golden/digest";

const ROOT = path.resolve(__dirname, "..", "..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "meshgate-plan-"));

function cli(tool: "plan" | "check", args: string[]) {
    return spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "tools", `${tool}.ts`), ...args], { cwd: ROOT, encoding: "utf8" });
}

function planned(result: PlanResult): Extract<PlanResult, { kind: "planned" }> {
    if (result.kind !== "planned") {
        assert.fail(`invalid config: ${result.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
    }
    return result;
}

describe("the offline plan (npm run plan)", () => {
    const stacks = listStacks();

    it("has the stacks dev (default), staging, prod and local", () => {
        assert.deepEqual(stacks, ["dev", "local", "prod", "staging"]);
    });

    for (const stack of ["dev", "local", "prod", "staging"]) {
        it(`plans ${stack}: writes resources.json, manifests/ and policy-report.json, with no mandatory violation`, async () => {
            const outDir = path.join(tmp, stack);
            const result = planned(await plan({ stack, config: readStackConfig(stackConfigPath(stack)), outDir }));
            const resources = JSON.parse(fs.readFileSync(path.join(outDir, "resources.json"), "utf8")) as Record<string, unknown>[];
            assert.ok(resources.length > 20, `${resources.length} resources`);
            assert.equal(resources.length, result.run.resources.length);
            for (const r of resources) {
                assert.deepEqual(Object.keys(r), ["urn", "type", "name", "parent", "dependsOn", "inputs"]);
            }
            assert.ok(fs.readdirSync(path.join(outDir, "manifests")).length > 0);
            const report = JSON.parse(fs.readFileSync(path.join(outDir, "policy-report.json"), "utf8")) as { violations: { level: string }[] };
            const mandatory = report.violations.filter((v) => v.level === "mandatory");
            assert.deepEqual(mandatory, [], `mandatory violations in ${stack}`);
            if (stack === "prod") {
                // Only the warnings that its example account ID and CIDR are examples (pulumi up refuses them).
                assert.deepEqual(
                    [...new Set(report.violations.map((v) => `${v.level} ${(v as unknown as { policy: string }).policy}`))],
                    ["advisory aws-placeholder-values"],
                    "prod plans with no other violation",
                );
            }
        });
    }

    it("emits exactly the recorded bytes on every stack (test/golden/plans.json; after an intended change: npm run golden)", () => {
        const golden = JSON.parse(fs.readFileSync(GOLDEN_FILE, "utf8")) as Record<string, Record<string, string>>;
        assert.deepEqual(Object.keys(golden).sort(), stacks);
        for (const stack of stacks) {
            const digests = planDigests(path.join(tmp, stack));
            assert.ok(Object.keys(digests).length > 5, `${stack}: ${Object.keys(digests).length} files`);
            assert.deepEqual(digests, golden[stack], `${stack}: the plan output changed; if intended, run npm run golden and say why in the commit`);
        }
    });

    it('keeps generated secrets out of resources.json and manifests (only "[secret]")', () => {
        const text = fs.readFileSync(path.join(tmp, "dev", "resources.json"), "utf8");
        assert.ok(text.includes('"[secret]"'), "secret inputs are recorded as [secret]");
        // The mock runtime's RandomPassword results all start with "placeholder-".
        assert.ok(!text.includes("placeholder-"), "no generated password, key or token in resources.json");
        const manifests = fs.readdirSync(path.join(tmp, "dev", "manifests"));
        // the Helm releases (chart values hold the generated secrets), Kong's objects and a service's
        assert.ok(
            ["_helm-releases.yaml", "kong.yaml", "users.yaml"].every((f) => manifests.includes(f)),
            manifests.join(", "),
        );
        for (const f of manifests) {
            assert.ok(!fs.readFileSync(path.join(tmp, "dev", "manifests", f), "utf8").includes("placeholder-"), f);
        }
    });

    it("plans local (an existing cluster) without a single AWS resource, and prod with AWS and Kubernetes resources", () => {
        const types = (stack: string) => (JSON.parse(fs.readFileSync(path.join(tmp, stack, "resources.json"), "utf8")) as { type: string }[]).map((r) => r.type);
        assert.equal(types("local").filter((t) => t.startsWith("aws:")).length, 0);
        assert.ok(types("prod").some((t) => t === "aws:eks/cluster:Cluster"));
        assert.ok(types("prod").some((t) => t.startsWith("kubernetes:")));
    });

    it("exits 2 on a config file with three mistakes, lists all three with their paths, and writes nothing", () => {
        const out = path.join(tmp, "invalid");
        const res = cli("plan", ["dev", "--config-file", path.join(ROOT, "test", "fixtures", "invalid", "three-mistakes.yaml"), "--out", out]);
        assert.equal(res.status, 2, res.stderr);
        assert.match(res.stderr, /Invalid configuration for stack "dev".*3 problems/);
        assert.match(res.stderr, /services\[0\]\.versions\[1\]\.weight \(service user-service\): must be from 0 to 100; got 120/);
        assert.match(res.stderr, /services\[1\]\.name \(service Order_Service\): must be a DNS-1123 label.*got "Order_Service"/);
        assert.match(res.stderr, /services\[2\]\.gateway\.auth \(service catalog-service\): must be one of key-auth, jwt, oauth2, none; got "basic"/);
        assert.ok(!fs.existsSync(out), "no output directory for an invalid stack");
    });

    it("exits 2 on a declaration Kong or the edge would refuse, naming each field", () => {
        const out = path.join(tmp, "invalid-edge");
        const res = cli("plan", ["prod", "--config-file", path.join(ROOT, "test", "fixtures", "invalid", "edge-kong-refuses.yaml"), "--out", out]);
        assert.equal(res.status, 2, res.stderr);
        assert.match(res.stderr, /4 problems/);
        assert.match(res.stderr, /services\[0\]\.gateway\.rateLimit\.policy \(service catalog-service\): redis needs a Redis for the counters: set gateway\.rateLimitRedis/);
        assert.match(res.stderr, /services\[1\]\.gateway\.rateLimit\.headerName \(service tenant-service\): is required with limitBy: header/);
        assert.match(res.stderr, /gateway\.postgres: postgres mode needs postgres\.external .* or postgres\.image/);
        assert.match(res.stderr, /gateway\.tls: prod serves HTTPS only: give a certificate/);
        assert.doesNotMatch(res.stderr, /\n\s+at /, "no stack trace");
        assert.ok(!fs.existsSync(out), "no output directory for an invalid stack");
    });

    it("runs from the command line: `plan dev` exits 0 and prints the component tree", () => {
        const res = cli("plan", ["dev", "--out", path.join(tmp, "cli-dev")]);
        assert.equal(res.status, 0, res.stderr + res.stdout);
        assert.match(res.stdout, /pulumi:pulumi:Stack meshgate-dev/);
        assert.match(res.stdout, /meshgate:index:Platform meshgate/);
        assert.match(res.stdout, /policy pack: 0 mandatory/);
    });

    it("exits 2 naming the stacks when a stack has no config file", () => {
        const res = cli("plan", ["nope"]);
        assert.equal(res.status, 2);
        assert.match(res.stderr, /No config for stack "nope".*Stacks: dev, local, prod, staging/);
    });
});

describe("the manifest check (npm run check)", () => {
    it("exits 0 on clean manifests and reports every object", () => {
        const res = cli("check", [path.join(ROOT, "test", "fixtures", "good-manifests"), "--out", path.join(tmp, "check-good")]);
        assert.equal(res.status, 0, res.stdout + res.stderr);
        assert.match(res.stdout, /^ok {4}/m);
        assert.doesNotMatch(res.stdout, /^FAIL/m);
    });

    it("checks the plan's own manifests clean: what the plan writes passes the pack as plain YAML", () => {
        const res = cli("check", [path.join(tmp, "prod", "manifests"), "--out", path.join(tmp, "check-prod")]);
        assert.equal(res.status, 0, res.stdout + res.stderr);
    });

    it("exits 2 on a path that does not exist", () => {
        const res = cli("check", [path.join(tmp, "no-such-dir")]);
        assert.equal(res.status, 2);
        assert.match(res.stderr, /no such file or directory/);
    });
});
