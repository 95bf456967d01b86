// The staged policy pack (`npm run policy:stage`) is a package of its own, as `pulumi policy
// publish` uploads it and the Pulumi Cloud installs it: its package.json declares every
// package its code imports, its lockfile pins them, and it compiles with only those installed
// (linked here from this repository's node_modules, so the test stays offline).
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stagePack } from "../../policies/tools/stage-pack";

const ROOT = path.resolve(__dirname, "..", "..");

interface PackageJson {
    name: string;
    dependencies: Record<string, string>;
}

function tsFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? (e.name === "node_modules" ? [] : tsFiles(p)) : e.name.endsWith(".ts") ? [p] : [];
    });
}

/** `@scope/name` or `name` of a bare import specifier. */
function packageOf(specifier: string): string {
    const parts = specifier.split("/");
    return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

describe("the staged policy pack as a package of its own", function () {
    this.timeout(120_000);
    let out: string;
    let pkg: PackageJson;

    before(() => {
        out = stagePack(fs.mkdtempSync(path.join(os.tmpdir(), "meshgate-staged-")));
        pkg = JSON.parse(fs.readFileSync(path.join(out, "package.json"), "utf8")) as PackageJson;
    });
    after(() => {
        fs.rmSync(out, { recursive: true, force: true });
    });

    it("declares every package its code imports", () => {
        const imported = new Set<string>();
        const files = tsFiles(out);
        assert.ok(files.length > 10, `the pack's sources (${files.length} files)`);
        for (const file of files) {
            for (const m of fs.readFileSync(file, "utf8").matchAll(/(?:^|\s)(?:import|export)\s[^;]*?from\s+"([^".][^"]*)"/g)) {
                if (!m[1].startsWith("node:")) {
                    imported.add(packageOf(m[1]));
                }
            }
        }
        assert.ok(imported.has("@pulumi/policy") && imported.has("@bufbuild/cel"), [...imported].join(", "));
        assert.deepEqual(
            [...imported].filter((p) => pkg.dependencies[p] === undefined),
            [],
            "imported but not in package.json",
        );
    });

    it("has a lockfile for npm ci that pins exactly its package.json's dependencies, under the staged name", () => {
        const lock = JSON.parse(fs.readFileSync(path.join(out, "package-lock.json"), "utf8")) as {
            name: string;
            packages: Record<string, { name?: string; version?: string; dependencies?: Record<string, string> }>;
        };
        assert.equal(lock.name, "meshgate");
        assert.equal(lock.packages[""].name, "meshgate");
        assert.deepEqual(lock.packages[""].dependencies, pkg.dependencies);
        assert.ok(Object.keys(pkg.dependencies).length >= 2, "the staged pack has dependencies (@pulumi/policy, @bufbuild/cel)");
        for (const [name, version] of Object.entries(pkg.dependencies)) {
            const locked = lock.packages[`node_modules/${name}`]?.version;
            assert.ok(locked !== undefined, `${name} is locked`);
            if (/^\d/.test(version)) {
                assert.equal(locked, version, name);
            }
        }
    });

    it("compiles on its own with its own tsconfig, only its declared dependencies installed", () => {
        for (const dep of Object.keys(pkg.dependencies)) {
            const link = path.join(out, "node_modules", dep);
            fs.mkdirSync(path.dirname(link), { recursive: true });
            fs.symlinkSync(path.join(ROOT, "node_modules", dep), link, "dir");
        }
        const tsc = path.join(out, "node_modules", "typescript", "bin", "tsc");
        const r = spawnSync(process.execPath, [tsc, "-p", path.join(out, "tsconfig.json"), "--noEmit", "--pretty", "false"], { cwd: out, encoding: "utf8" });
        assert.equal(r.status, 0, r.stdout + r.stderr);
    });
});
