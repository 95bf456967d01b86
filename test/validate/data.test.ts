import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { packageRoot } from "../../policies/validate/data";

const root = packageRoot();
const dataDir = path.join(root, "data");

function files(dir: string): string[] {
    return readdirSync(dir).flatMap((f) => {
        const full = path.join(dir, f);
        return statSync(full).isDirectory() ? files(full) : [full];
    });
}

function json(rel: string): Record<string, unknown> {
    return JSON.parse(readFileSync(path.join(dataDir, rel), "utf8")) as Record<string, unknown>;
}

describe("data/: the trimmed reference slice", () => {
    it("is found from the package root named meshgate", () => {
        assert.equal((JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { name: string }).name, "meshgate");
        assert.ok(existsSync(path.join(dataDir, "SOURCES.md")));
    });

    it("stays well under 1 MB", () => {
        const size = files(dataDir).reduce((sum, f) => sum + statSync(f).size, 0);
        assert.ok(size < 1_000_000, `${size} bytes`);
    });

    it("every file carries its source and version", () => {
        for (const file of files(dataDir).filter((f) => f.endsWith(".json"))) {
            const rel = path.relative(dataDir, file);
            const body = json(rel);
            assert.equal(typeof body.source, "string", `${rel}: source`);
            // reference/… (the shared reference), github.com/<repo> @ <tag>: <path> (charts fetched at an upstream tag),
            // or derived by hand from an upstream file (tools/refdata/kong-derived.ts).
            assert.match(String(body.source), /^(reference\/|tools\/refdata\/|github\.com\/[\w.-]+\/[\w.-]+ @ [\w.-]+: )/, rel);
            if (String(body.source).startsWith("tools/")) assert.match(String(body.upstream), /^Kong\/kong .*tag 3\.9\.3/, rel);
            assert.equal(typeof (body.version ?? body.kongVersion), "string", `${rel}: version`);
        }
    });

    it("records the real chart versions (Istio 1.30.3, kiali-server 2.29.0), not Chart.yaml's placeholders", () => {
        for (const chart of ["istio-base", "istiod", "istio-gateway"]) {
            assert.equal(json(`charts/${chart}.json`).version, "1.30.3", chart);
            assert.equal(json(`charts/${chart}.json`).chartYamlVersion, "1.0.0", chart);
        }
        assert.equal(json("charts/kiali-server.json").version, "2.29.0");
        assert.equal(json("charts/kong.json").version, "3.4.1");
        assert.equal(json("charts/kube-prometheus-stack.json").version, "88.5.3");
        assert.equal(json("charts/jaeger.json").source, "reference/charts/jaeger/values.yaml");
    });

    it("CRDs keep CEL rules and structure but no descriptions; Kong CRDs are version 1.5.2, Istio 1.30.3", () => {
        const vs = readFileSync(path.join(dataDir, "crds/virtualservices.networking.istio.io.json"), "utf8");
        assert.ok(vs.includes("x-kubernetes-validations"));
        assert.ok(!vs.includes('"description"'));
        assert.equal(json("crds/virtualservices.networking.istio.io.json").version, "1.30.3");
        assert.equal(json("crds/kongplugins.configuration.konghq.com.json").version, "1.5.2");
    });

    it("Kong plugin schemas have no descriptions and say Kong 3.9", () => {
        const text = readFileSync(path.join(dataDir, "kong-plugins/3.9/rate-limiting.json"), "utf8");
        assert.ok(!text.includes('"description"'));
        assert.equal(json("kong-plugins/3.9/rate-limiting.json").kongVersion, "3.9");
    });

    it("refdata regenerates data/ byte for byte (only when ../shared/reference is present)", function () {
        const reference = path.resolve(root, "../shared/reference");
        if (!existsSync(path.join(reference, "SOURCES.md"))) this.skip();
        const out = mkdtempSync(path.join(tmpdir(), "meshgate-refdata-"));
        try {
            execFileSync(process.execPath, ["--import", "tsx", path.join(root, "tools/refdata.ts"), "--reference", reference, "--out", out], { cwd: root, stdio: "pipe" });
            const ours = files(dataDir).map((f) => path.relative(dataDir, f)).sort();
            const fresh = files(out).map((f) => path.relative(out, f)).sort();
            assert.deepEqual(fresh, ours);
            for (const rel of ours) assert.equal(readFileSync(path.join(out, rel), "utf8"), readFileSync(path.join(dataDir, rel), "utf8"), rel);
        } finally {
            rmSync(out, { recursive: true, force: true });
        }
    });

    it("the compiled validators work from a package copy that has data/ and no ../shared", function () {
        this.timeout(120_000);
        const pkg = mkdtempSync(path.join(tmpdir(), "meshgate-pkg-"));
        try {
            writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "meshgate", version: "0.0.0-test" }));
            cpSync(dataDir, path.join(pkg, "data"), { recursive: true });
            symlinkSync(path.join(root, "node_modules"), path.join(pkg, "node_modules"), "dir");
            const tsc = path.join(root, "node_modules/typescript/bin/tsc");
            execFileSync(process.execPath, [tsc, path.join(root, "policies/validate/index.ts"), "--outDir", path.join(pkg, "dist/policies/validate"), "--rootDir", path.join(root, "policies/validate"),
                "--module", "node16", "--moduleResolution", "node16", "--target", "ES2022", "--strict", "--esModuleInterop", "--skipLibCheck", "--types", "node"], { cwd: root, stdio: "pipe" });
            assert.ok(!existsSync(path.join(path.dirname(pkg), "shared", "reference")), "the copy must have no ../shared/reference beside it");
            const script = `
                const fs = require("node:fs");
                const read = fs.readFileSync;
                const seen = [];
                fs.readFileSync = function (file, ...rest) { seen.push(String(file)); return read.call(this, file, ...rest); };
                const v = require(${JSON.stringify(path.join(pkg, "dist/policies/validate/index.js"))});
                const out = {
                    root: v.packageRoot(),
                    helm: v.unknownValueKeys("istiod", { meshConfig: { enableTracng: true } }),
                    crd: v.validateCustomResource({ apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "default" }, spec: { mtls: { mode: "STRICTER" } } }),
                    cel: v.validateCustomResource({ apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "a" }, spec: { hosts: ["a"], http: [{ route: [{ destination: { host: "a" } }], timeout: "0.5ms" }] } }),
                    kong: v.validateKongPluginConfig("rate-limiting", { minute: 1, window_size: [60] }).length,
                    iam: v.diffFromLbControllerPolicy(v.lbControllerReferencePolicy().policy).length,
                    // module loading reads dist/ and node_modules; everything else must be data/ or package.json
                    reads: seen.filter((f) => !f.includes("node_modules") && !f.includes("/dist/")),
                };
                process.stdout.write(JSON.stringify(out));
            `;
            const result = JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: pkg, encoding: "utf8" })) as {
                root: string; helm: string[]; crd: string[]; cel: string[]; kong: number; iam: number; reads: string[];
            };
            assert.equal(result.root, pkg);
            assert.deepEqual(result.helm, ["meshConfig.enableTracng"]);
            assert.equal(result.crd.length, 1);
            assert.deepEqual(result.cel, ["spec.http[0].timeout: must be a valid duration greater than 1ms"]);
            assert.equal(result.kong, 1);
            assert.equal(result.iam, 0);
            for (const file of result.reads) {
                assert.ok(file === path.join(pkg, "package.json") || file.startsWith(path.join(pkg, "data") + path.sep), `read outside data/: ${file}`);
            }
            assert.ok(result.reads.some((f) => f.includes(`${path.sep}data${path.sep}crds${path.sep}`)));
        } finally {
            rmSync(pkg, { recursive: true, force: true });
        }
    });
});
