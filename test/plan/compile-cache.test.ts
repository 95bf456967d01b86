import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

// tools/compile-cache.cjs: V8's code of CommonJS modules kept between runs of the plan process.
const PRELOAD = path.resolve(__dirname, "..", "..", "tools", "compile-cache.cjs");

interface Run {
    output: Record<string, unknown>;
    stats?: { hits: number; misses: number; rejected: number; fallbacks: number; written: number };
}

describe("the plan process's compile cache (tools/compile-cache.cjs)", () => {
    let root: string;
    const cacheDir = (): string => path.join(root, "cache");

    function run(env: Record<string, string> = {}): Run {
        const res = spawnSync(process.execPath, ["--require", PRELOAD, path.join(root, "main.js")], {
            encoding: "utf8",
            env: { ...process.env, MESHGATE_COMPILE_CACHE_DIR: cacheDir(), MESHGATE_COMPILE_CACHE_DEBUG: "1", ...env },
        });
        assert.equal(res.status, 0, res.stderr);
        const stats = /compile cache [^:]+: (\{.*\})/.exec(res.stderr);
        assert.equal(res.stderr.replace(/compile cache [^\n]*\n/, ""), "", "nothing else on stderr (no warning)");
        return { output: JSON.parse(res.stdout) as Record<string, unknown>, ...(stats ? { stats: JSON.parse(stats[1]) as Run["stats"] } : {}) };
    }

    function writeLib(value: string): void {
        // Same length whatever the value: V8's own check (source length) would not see the edit.
        writeFileSync(path.join(root, "lib", "a.js"), `"use strict";\nmodule.exports = { value: "${value}", self: this === module.exports, file: __filename, dir: __dirname };\n`);
    }

    before(() => {
        root = mkdtempSync(path.join(tmpdir(), "meshgate-compile-cache-test-"));
        mkdirSync(path.join(root, "lib"));
        writeLib("one");
        writeFileSync(path.join(root, "lib", "bin.js"), `#!/usr/bin/env node\n"use strict";\nmodule.exports = "hashbang kept";\n`);
        writeFileSync(path.join(root, "lib", "esm.mjs"), `export const answer = 42;\n`);
        writeFileSync(path.join(root, "lib", "dyn.js"), `"use strict";\nexports.load = () => import("./esm.mjs").then((m) => m.answer);\n`);
        writeFileSync(
            path.join(root, "lib", "index.js"),
            [
                `"use strict";`,
                `const a = require("./a");`,
                `exports.a = a;`,
                `exports.bin = require("./bin.js");`,
                `exports.resolved = require.resolve("./a") === a.file;`,
                `exports.paths = Array.isArray(require.resolve.paths("x"));`,
                `exports.cacheShared = require.cache === require("node:module")._cache;`,
                `exports.main = require.main !== undefined && require.main === process.mainModule;`,
                `exports.load = require("./dyn").load;`,
            ].join("\n"),
        );
        writeFileSync(
            path.join(root, "main.js"),
            `const lib = require("./lib");\nlib.load().then((answer) => process.stdout.write(JSON.stringify({ ...lib, a: { ...lib.a, file: undefined, dir: lib.a.dir === require("node:path").join(__dirname, "lib") }, answer })));\n`,
        );
    });

    after(() => rmSync(root, { recursive: true, force: true }));

    const expected = (value: string): Record<string, unknown> => ({
        a: { value, self: true, dir: true },
        bin: "hashbang kept",
        resolved: true,
        paths: true,
        cacheShared: true,
        main: true,
        answer: 42,
    });

    it("compiles and runs modules as Node does, and writes their code at exit", () => {
        const first = run();
        assert.deepEqual(first.output, expected("one"));
        // lib/index.js, lib/a.js, lib/bin.js; lib/dyn.js calls import(): Node's own compile, as are the main module and the ES module.
        assert.deepEqual(first.stats, { hits: 0, misses: 3, rejected: 0, fallbacks: 1, written: 3 });
        assert.equal(readdirSync(cacheDir()).filter((f) => f.endsWith(".bin")).length, 3);
    });

    it("uses the stored code on the next run, with the same results", () => {
        const second = run();
        assert.deepEqual(second.output, expected("one"));
        assert.deepEqual(second.stats, { hits: 3, misses: 0, rejected: 0, fallbacks: 1, written: 0 });
    });

    it("recompiles a module whose source changed, even to the same length", () => {
        writeLib("two");
        const third = run();
        assert.deepEqual(third.output, expected("two"));
        assert.deepEqual(third.stats, { hits: 2, misses: 1, rejected: 0, fallbacks: 1, written: 1 }, "a.js: stale entry, a miss, rewritten");
        const fourth = run();
        assert.deepEqual(fourth.output, expected("two"));
        assert.deepEqual(fourth.stats, { hits: 3, misses: 0, rejected: 0, fallbacks: 1, written: 0 });
    });

    it("is off with MESHGATE_COMPILE_CACHE=0", () => {
        const off = run({ MESHGATE_COMPILE_CACHE: "0" });
        assert.deepEqual(off.output, expected("two"));
        assert.equal(off.stats, undefined);
    });
});
