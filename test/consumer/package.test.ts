/**
 * meshgate as another project gets it: `npm pack` of this repository, installed into a
 * fresh project laid out like `pulumi new typescript` (test/fixtures/consumer-project),
 * compiled with that template's tsconfig, planned with the installed `meshgate plan
 * --program`, and its manifests run through `meshgate check`.
 *
 * Offline and quick: the tarball is unpacked into the project's node_modules/meshgate as
 * npm would, and each package it declares (dependencies and peerDependencies, nothing
 * else) is linked from this repository's node_modules, so a dependency missing from the
 * packed package.json fails here as it would for a user. Pack runs with
 * --ignore-scripts: `npm test` has just built dist/ (the `prepare` script does it on a
 * fresh clone, checked below).
 */
import * as assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const FIXTURE = path.join(ROOT, "test", "fixtures", "consumer-project");

interface Manifest {
    name: string;
    bin?: Record<string, string>;
    scripts?: Record<string, string>;
    files?: string[];
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { cwd, env: withoutNpmScript(process.env) });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
}

function withoutNpmScript(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    return Object.fromEntries(Object.entries(env).filter(([k]) => k !== "INIT_CWD" && !k.startsWith("npm_")));
}

describe("the packed package in a consumer project (pulumi new typescript layout)", function () {
    this.timeout(180_000);
    let tmp: string;
    let project: string;
    let packed: string[];
    let manifest: Manifest;
    let compile: Promise<{ code: number | null; stdout: string; stderr: string }>;

    before(function () {
        if (!fs.existsSync(path.join(ROOT, "dist", "tools", "cli.js"))) {
            throw new Error("dist/ is missing: npm test builds it first (npm run build)");
        }
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "meshgate-consumer-"));
        const pack = spawnSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp], { cwd: ROOT, encoding: "utf8", env: withoutNpmScript(process.env) });
        assert.equal(pack.status, 0, pack.stderr);
        const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
        packed = info.files.map((f) => f.path);

        project = path.join(tmp, "shop");
        fs.cpSync(FIXTURE, project, { recursive: true });
        const installed = path.join(project, "node_modules", "meshgate");
        fs.mkdirSync(installed, { recursive: true });
        const untar = spawnSync("tar", ["-xzf", path.join(tmp, info.filename), "-C", installed, "--strip-components=1"], { encoding: "utf8" });
        assert.equal(untar.status, 0, untar.stderr);
        manifest = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8")) as Manifest;
        for (const dep of [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]) {
            const link = path.join(project, "node_modules", dep);
            fs.mkdirSync(path.dirname(link), { recursive: true });
            fs.symlinkSync(path.join(ROOT, "node_modules", dep), link, "dir");
        }
        // What npm does for a package's bin on install.
        const bin = path.join(project, "node_modules", ".bin");
        fs.mkdirSync(bin);
        for (const [name, target] of Object.entries(manifest.bin ?? {})) {
            fs.chmodSync(path.join(installed, target), 0o755);
            fs.symlinkSync(path.join("..", "meshgate", target), path.join(bin, name));
        }
        // The compile takes the longest (the provider SDKs' declarations): start it now, await it in the last test.
        compile = run(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", project, "--noEmit", "--pretty", "false"], project);
    });

    after(async () => {
        await compile?.catch(() => undefined);
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("is installable: built on prepare, the SDKs as ranged peer dependencies, the CLI as its bin, no tool-only dependency", () => {
        assert.equal(manifest.scripts?.prepare, "npm run build", "a git install or a pack of a fresh clone builds dist/");
        assert.deepEqual(Object.keys(manifest.peerDependencies ?? {}).sort(), ["@pulumi/aws", "@pulumi/kubernetes", "@pulumi/pulumi", "@pulumi/random"]);
        for (const [name, range] of Object.entries(manifest.peerDependencies ?? {})) {
            assert.match(range, /^\^\d+\.\d+\.\d+$/, `${name}: a caret range`);
            const tested = manifest.devDependencies?.[name];
            assert.equal(range, `^${tested}`, `${name}: the range starts at the version the tests run (${tested})`);
            assert.equal(manifest.dependencies?.[name], undefined, `${name} is not also a dependency (a nested copy)`);
        }
        for (const tool of ["typescript", "mocha", "@types/node", "@types/mocha"]) {
            assert.equal(manifest.dependencies?.[tool], undefined, `${tool} is for development only`);
        }
        assert.deepEqual(manifest.bin, { meshgate: "dist/tools/cli.js" });
    });

    it("packs the compiled package and its data, not the sources or tests", () => {
        for (const file of ["dist/tools/cli.js", "dist/components/index.js", "dist/components/index.d.ts", "dist/policies/manifests.d.ts", "data/SOURCES.md", "README.md"]) {
            assert.ok(packed.includes(file), file);
        }
        assert.deepEqual(
            packed.filter((f) => f.startsWith("test/") || f.startsWith("components/") || f.startsWith("stacks/")),
            [],
        );
        assert.ok(fs.readFileSync(path.join(ROOT, "dist", "tools", "cli.js"), "utf8").startsWith("#!/usr/bin/env node\n"), "the bin runs with node");
    });

    it("plans its own program with the installed `meshgate plan --program . --stack dev`: its config, the outputs, the policy pack", async () => {
        const r = await run(path.join(project, "node_modules", ".bin", "meshgate"), ["plan", "--program", ".", "--stack", "dev"], project);
        assert.equal(r.code, 0, r.stderr + r.stdout);
        assert.match(r.stdout, /^pulumi:pulumi:Stack shop-dev/m);
        assert.match(r.stdout, /^└─ meshgate:index:Platform shop/m);
        assert.match(r.stdout, /^policy pack: 0 mandatory/m);
        const resources = JSON.parse(fs.readFileSync(path.join(project, "out", "dev", "resources.json"), "utf8")) as { type: string; inputs: Record<string, any> }[];
        const services = resources.filter((x) => x.type === "meshgate:mesh:MeshService");
        assert.equal(services.length, 2, "storefront and basket, from shop:services in Pulumi.dev.yaml");
        assert.ok(fs.existsSync(path.join(project, "out", "dev", "policy-report.json")));
        assert.ok(!fs.existsSync(path.join(project, "node_modules", "meshgate", "out")), "nothing written into the installed package");
    });

    it("without --program, says that meshgate's own stacks are not in the package and what to run instead: exit 2", async () => {
        const r = await run(path.join(project, "node_modules", ".bin", "meshgate"), ["plan"], project);
        assert.equal(r.code, 2, r.stderr + r.stdout);
        assert.equal(
            r.stderr.trim(),
            `No config for stack "dev": meshgate's own stacks are not part of the installed package. Plan your program with --program DIR --stack NAME, or meshgate's program with --config-file FILE.`,
        );
    });

    it("runs the pack over the plan's manifests with the installed `meshgate check`", async () => {
        const r = await run(path.join(project, "node_modules", ".bin", "meshgate"), ["check", "out/dev/manifests", "--out", "out/check"], project);
        assert.equal(r.code, 0, r.stderr + r.stdout);
        // Ingress is a built-in kind meshgate has no schema for: judged, and said to be not validated.
        assert.match(r.stdout, /^n\/v {3}out\/dev\/manifests\/shop\.yaml: networking\.k8s\.io\/v1:Ingress storefront {2}\(not validated: no schema\)$/m);
        assert.ok(fs.existsSync(path.join(project, "out", "check", "policy-report.json")));
    });

    it("compiles with the template's tsconfig (commonjs, node resolution, no esModuleInterop, no skipLibCheck), every documented import included", async () => {
        const tsconfig = JSON.parse(fs.readFileSync(path.join(project, "tsconfig.json"), "utf8")) as { compilerOptions: Record<string, unknown> };
        assert.equal(tsconfig.compilerOptions.module, "commonjs");
        assert.equal(tsconfig.compilerOptions.moduleResolution, "node");
        assert.equal(tsconfig.compilerOptions.esModuleInterop, undefined);
        assert.equal(tsconfig.compilerOptions.skipLibCheck, undefined);
        for (const entry of ['"meshgate"', '"meshgate/policies"', '"meshgate/policies/engine"', '"meshgate/policies/manifests"', '"meshgate/validate"']) {
            assert.ok(fs.readFileSync(path.join(project, "index.ts"), "utf8").includes(`from ${entry}`), entry);
        }
        const r = await compile;
        assert.equal(r.code, 0, r.stdout + r.stderr);
    });
});
