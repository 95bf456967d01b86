// `npm run check` on the hand-written bad manifests reports each mistake with its object and rule
// and exits 1. (The CLI is tools/check.ts, built on the engine; test/plan/plan.test.ts covers the
// good manifests, the plan's own manifests and unreadable input.)
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";

const ROOT = path.resolve(__dirname, "..", "..");
const FIXTURES = path.join(ROOT, "test", "fixtures");

function check(dir: string): { status: number | null; stdout: string; stderr: string; report: { violations: { policy: string; level: string }[] } } {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "meshgate-check-"));
    try {
        const r = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "tools", "check.ts"), dir, "--out", out], { cwd: ROOT, encoding: "utf8" });
        const report = JSON.parse(fs.readFileSync(path.join(out, "policy-report.json"), "utf8")) as { violations: { policy: string; level: string }[] };
        return { status: r.status, stdout: r.stdout, stderr: r.stderr, report };
    } finally {
        fs.rmSync(out, { recursive: true, force: true });
    }
}

describe("npm run check", function () {
    this.timeout(60_000);

    it("reports every bad manifest with its object and rule, and exits 1", () => {
        const r = check(path.join(FIXTURES, "bad-manifests"));
        assert.equal(r.status, 1, r.stderr);
        assert.ok(r.report.violations.some((v) => v.level === "mandatory"), "policy-report.json lists the mandatory violations");
        for (const file of fs.readdirSync(path.join(FIXTURES, "bad-manifests"))) {
            for (const doc of parseAllDocuments(fs.readFileSync(path.join(FIXTURES, "bad-manifests", file), "utf8"))) {
                const o = doc.toJS() as { metadata?: { name?: string; annotations?: Record<string, string> }; name?: string } | null;
                const rule = o?.metadata?.annotations?.["meshgate.io/expected-violation"];
                if (!o || !rule) continue;
                const name = o.metadata?.name ?? o.name ?? "";
                // The annotation may name several rules, comma-separated.
                const rules = rule.split(",").map((x) => x.trim());
                const block = r.stdout.split(/\n(?=ok |FAIL)/).find(b => b.startsWith("FAIL") && b.split("\n")[0].endsWith(` ${name}`) && rules.every((x) => b.includes(`${x}:`)));
                assert.ok(block, `no FAIL line for ${file} ${name} with ${rule}\n${r.stdout}`);
            }
        }
    });
});
