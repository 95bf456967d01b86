// The pack as a whole: rule metadata, the README table, the configuration example, the pack
// folder Pulumi runs, and that nothing but Pulumi starts the pack's gRPC server.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { runPolicies } from "../../policies/engine";
import { meshgatePolicies, policies, rules } from "../../policies/rules";
import { READMES, renderReadme } from "../../policies/tools/render-readme";

const ROOT = path.resolve(__dirname, "..", "..");
const PACK = path.join(ROOT, "policies");

describe("policy pack", () => {
    it("has unique kebab-case ids, one-line descriptions and a default level per rule", () => {
        const ids = rules.map((r) => r.id);
        assert.ok(ids.length >= 63, `${ids.length} rules`);
        assert.equal(new Set(ids).size, ids.length);
        for (const r of rules) {
            assert.match(r.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
            assert.ok(r.id !== "all");
            assert.ok(r.description.length > 0 && !r.description.includes("\n"), r.id);
            assert.ok(["advisory", "mandatory", "remediate"].includes(r.level), r.id);
            assert.ok(r.fix.length > 0, `${r.id} has no remediation text`);
        }
        assert.equal(policies.length, rules.length);
    });

    it("declares tunables with defaults, never enforcementLevel, and accepts its own defaults", async () => {
        assert.ok(policies.length >= 63, `${policies.length} policies`);
        assert.ok(policies.filter((p) => Object.keys(p.configSchema?.properties ?? {}).length > 0).length >= 29, "policies with tunables");
        for (const p of policies) {
            for (const [key, prop] of Object.entries(p.configSchema?.properties ?? {})) {
                assert.notEqual(key, "enforcementLevel");
                assert.ok(prop.default !== undefined, `${p.name}.${key} has no default`);
            }
        }
        const defaults = Object.fromEntries(
            policies.filter((p) => p.configSchema).map((p) => [p.name, Object.fromEntries(Object.entries(p.configSchema?.properties ?? {}).map(([k, v]) => [k, v.default]))]),
        );
        assert.deepEqual(await runPolicies([], { config: defaults }), []);
    });

    it("builds the policies at other levels and leaves disabled ones out", () => {
        const ps = meshgatePolicies({ "kong-route-rate-limit": "mandatory", "kong-no-kongingress": "disabled" });
        assert.equal(ps.find((p) => p.name === "kong-route-rate-limit")?.enforcementLevel, "mandatory");
        assert.equal(
            ps.some((p) => p.name === "kong-no-kongingress"),
            false,
        );
    });

    it("ships a valid policy configuration example", async () => {
        const config: unknown = JSON.parse(fs.readFileSync(path.join(PACK, "config.example.json"), "utf8"));
        assert.ok(typeof config === "object" && config !== null);
        await runPolicies([], { config: config as Record<string, unknown> });
    });

    it("keeps the README rule tables (policies/README.md and the project README) generated from the rules", () => {
        assert.deepEqual(
            READMES.map((f) => path.relative(ROOT, f)),
            ["policies/README.md", "README.md"],
        );
        assert.ok(rules.length >= 63, `${rules.length} rules`);
        for (const file of READMES) {
            const text = fs.readFileSync(file, "utf8");
            assert.equal(renderReadme(text), text, `${file}: run npm run policy:readme`);
            for (const r of rules) {
                assert.ok(text.includes(`\`${r.id}\``), `${file} lists ${r.id}`);
            }
        }
    });

    it("is a Pulumi policy pack folder: PulumiPolicy.yaml (nodejs), a versioned package.json not named meshgate, an entry point", () => {
        const project: unknown = parse(fs.readFileSync(path.join(PACK, "PulumiPolicy.yaml"), "utf8"));
        assert.equal((project as { runtime?: unknown }).runtime, "nodejs");
        const pkg = JSON.parse(fs.readFileSync(path.join(PACK, "package.json"), "utf8")) as { name: string; version: string; dependencies: Record<string, string> };
        assert.match(pkg.version, /^\d+\.\d+\.\d+/);
        assert.notEqual(pkg.name, "meshgate");
        // The root declares ranges (peer dependencies for the SDKs); its lockfile has the versions the tests run.
        const rootLock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string }> };
        for (const dep of ["@pulumi/policy", "@pulumi/pulumi", "@pulumi/aws", "@pulumi/kubernetes", "ajv", "@bufbuild/cel"]) {
            assert.equal(pkg.dependencies[dep], rootLock.packages[`node_modules/${dep}`].version, `${dep} pinned at the version the root installs`);
        }
        const index = fs.readFileSync(path.join(PACK, "index.ts"), "utf8");
        assert.equal((index.match(/new PolicyPack\(/g) ?? []).length, 1);
    });

    it("is constructed only in policies/index.ts, which nothing imports", () => {
        const offenders: string[] = [];
        const visit = (dir: string): void => {
            for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
                const p = path.join(dir, e.name);
                if (e.isDirectory()) {
                    if (e.name !== "node_modules" && !e.name.startsWith(".")) visit(p);
                    continue;
                }
                if (!/\.(ts|js|mjs|cjs)$/.test(e.name) || p === path.join(PACK, "index.ts")) continue;
                const text = fs.readFileSync(p, "utf8");
                if (/new\s+PolicyPack\s*\(/.test(text) && !p.includes(`${path.sep}test${path.sep}`)) offenders.push(`${p}: constructs a PolicyPack`);
                for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)["']([^"']+)["']/g)) {
                    const spec = m[1];
                    if (!spec.startsWith(".")) continue;
                    const target = path.resolve(path.dirname(p), spec).replace(/(\.ts|\.js)$/, "");
                    if (target === PACK || target === path.join(PACK, "index")) offenders.push(`${p}: imports ${spec}`);
                }
            }
        };
        for (const dir of ["components", "infra", "policies", "tools", "test", "examples"]) {
            if (fs.existsSync(path.join(ROOT, dir))) visit(path.join(ROOT, dir));
        }
        assert.deepEqual(offenders, []);
    });

    it("stages a publishable copy holding the pack and the reference data", function () {
        this.timeout(30_000);
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "meshgate-pack-"));
        try {
            const r = spawnSync(process.execPath, ["--import", "tsx", path.join(PACK, "tools", "stage-pack.ts"), out], { cwd: ROOT, encoding: "utf8" });
            assert.equal(r.status, 0, r.stderr);
            for (const f of [
                "PulumiPolicy.yaml",
                "package.json",
                "tsconfig.json",
                "index.ts",
                "rules/index.ts",
                "validate/kong-plugin.ts",
                "data/kong-plugins/3.9/rate-limiting.json",
            ]) {
                assert.ok(fs.existsSync(path.join(out, f)), f);
            }
            assert.equal(fs.existsSync(path.join(out, "tools")), false);
            assert.equal((JSON.parse(fs.readFileSync(path.join(out, "package.json"), "utf8")) as { name: string }).name, "meshgate");
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });
});
