// `npm run bench` leaves the committed results alone unless asked: a run writes
// out/bench/results.json, `--update` writes bench/results.json. (A tiny run: one service,
// one repeat, no start-up or critical-path parts; nothing here asserts a time.)
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const TINY = ["--sizes", "1", "--repeats", "1", "--no-startup", "--no-critical-path"];

function bench(args: string[]) {
    return spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "tools", "bench.ts"), ...args], { cwd: ROOT, encoding: "utf8" });
}

describe("npm run bench: where the results go", function () {
    this.timeout(120_000);

    it("writes out/bench/results.json, not the committed bench/results.json", () => {
        const committed = fs.readFileSync(path.join(ROOT, "bench", "results.json"), "utf8");
        const out = path.join(ROOT, "out", "bench", "results.json");
        fs.rmSync(out, { force: true });
        const r = bench(TINY);
        assert.equal(r.status, 0, r.stderr);
        const written = JSON.parse(fs.readFileSync(out, "utf8")) as Record<string, unknown>;
        assert.ok(Object.keys(written).length > 0);
        assert.equal(fs.readFileSync(path.join(ROOT, "bench", "results.json"), "utf8"), committed);
    });

    it("refuses --update with --out: exit 2", () => {
        const r = bench([...TINY, "--update", "--out", "x.json"]);
        assert.equal(r.status, 2);
        assert.match(r.stderr, /give --out FILE or --update, not both/);
    });
});
