// `npm run check` on the hand-written bad manifests reports each mistake with its object and rule
// and exits 1; on the good manifests it exits 0. (The CLI is tools/check.ts, built on the engine.)
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";

const ROOT = path.resolve(__dirname, "..", "..");
const FIXTURES = path.join(ROOT, "test", "fixtures");

function check(dir: string): { status: number | null; stdout: string; stderr: string } {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "meshgate-check-"));
    try {
        const r = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "tools", "check.ts"), dir, "--out", out], { cwd: ROOT, encoding: "utf8" });
        return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    } finally {
        fs.rmSync(out, { recursive: true, force: true });
    }
}

describe("npm run check", function () {
    this.timeout(60_000);

    before(function () {
        if (!fs.existsSync(path.join(ROOT, "tools", "check.ts"))) {
            this.skip();
        }
    });

    it("reports every bad manifest with its object and rule, and exits 1", () => {
        const r = check(path.join(FIXTURES, "bad-manifests"));
        assert.equal(r.status, 1, r.stderr);
        for (const file of fs.readdirSync(path.join(FIXTURES, "bad-manifests"))) {
            for (const doc of parseAllDocuments(fs.readFileSync(path.join(FIXTURES, "bad-manifests", file), "utf8"))) {
                const o = doc.toJS() as { metadata?: { name?: string; annotations?: Record<string, string> }; name?: string } | null;
                const rule = o?.metadata?.annotations?.["meshgate.io/expected-violation"];
                if (!o || !rule) continue;
                const name = o.metadata?.name ?? o.name ?? "";
                const block = r.stdout.split(/\n(?=ok |FAIL)/).find(b => b.startsWith("FAIL") && b.split("\n")[0].endsWith(` ${name}`) && b.includes(`${rule}:`));
                assert.ok(block, `no FAIL line for ${file} ${name} with ${rule}\n${r.stdout}`);
            }
        }
    });

    it("passes the good manifests and exits 0", () => {
        const r = check(path.join(FIXTURES, "good-manifests"));
        assert.equal(r.status, 0, r.stdout + r.stderr);
    });
});
