// `check` as a CI gate (tools/check.ts): what it judges, how it reports, and its exit codes.
// The bad manifests report each mistake with its object and rule; input that is not Kubernetes
// YAML, documents without apiVersion/kind, lists, unknown kinds and remediations are each
// reported as what they are. (test/plan/plan.test.ts covers the good manifests and the plan's own.)
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { main } from "../../tools/check";

const ROOT = path.resolve(__dirname, "..", "..");
const FIXTURES = path.join(ROOT, "test", "fixtures");
const INPUT = path.join(FIXTURES, "check");

interface Report {
    violations: { policy: string; level: string; urn: string; message: string }[];
    inputProblems: { file: string; where: string; message: string }[];
}

/**
 * Runs check's main() in-process as `npm run check` would from `cwd` (npm passes the user's
 * directory in INIT_CWD), capturing what it prints; a spawned process costs seconds of start-up.
 */
async function check(args: string[], cwd = ROOT): Promise<{ status: number; stdout: string; stderr: string; report?: Report }> {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "meshgate-check-"));
    const stdout: string[] = [];
    const stderr: string[] = [];
    const saved = { log: console.log, error: console.error, initCwd: process.env.INIT_CWD };
    console.log = (...a: unknown[]) => void stdout.push(a.join(" "));
    console.error = (...a: unknown[]) => void stderr.push(a.join(" "));
    process.env.INIT_CWD = cwd;
    try {
        const status = await main([...args, "--out", out]);
        const file = path.join(out, "policy-report.json");
        const report = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Report) : undefined;
        return { status, stdout: stdout.join("\n"), stderr: stderr.join("\n"), ...(report ? { report } : {}) };
    } finally {
        console.log = saved.log;
        console.error = saved.error;
        if (saved.initCwd === undefined) {
            delete process.env.INIT_CWD;
        } else {
            process.env.INIT_CWD = saved.initCwd;
        }
        fs.rmSync(out, { recursive: true, force: true });
    }
}

/** The block of output lines for one object (verdict line and its violations). */
function block(stdout: string, file: string, kind: string, name: string): string | undefined {
    return stdout.split(/\n(?=\S)/).find((b) => b.split("\n")[0].endsWith(`${file}: ${kind} ${name}`) || b.split("\n")[0].includes(`${file}: ${kind} ${name}  (`));
}

describe("npm run check", function () {
    this.timeout(60_000);

    it("reports every bad manifest with its object and each rule it breaks, and exits 1", async () => {
        const r = await check([path.join(FIXTURES, "bad-manifests")]);
        assert.equal(r.status, 1, r.stderr);
        assert.ok(
            r.report?.violations.some((v) => v.level === "mandatory"),
            "policy-report.json lists the mandatory violations",
        );
        let expected = 0;
        const files = fs.readdirSync(path.join(FIXTURES, "bad-manifests"));
        assert.ok(files.length >= 5, `bad-manifests: ${files.join(", ")}`);
        for (const file of files) {
            for (const doc of parseAllDocuments(fs.readFileSync(path.join(FIXTURES, "bad-manifests", file), "utf8"))) {
                const o = doc.toJS() as { metadata?: { name?: string; annotations?: Record<string, string> }; name?: string } | null;
                const rules = (o?.metadata?.annotations?.["meshgate.io/expected-violation"] ?? "")
                    .split(",")
                    .map((s) => s.trim())
                    .filter(Boolean);
                const name = o?.metadata?.name ?? o?.name ?? "";
                for (const rule of rules) {
                    expected++;
                    const b = r.stdout.split(/\n(?=\S)/).find((x) => /^(FAIL|warn|fix) /.test(x) && x.split("\n")[0].endsWith(` ${name}`) && x.includes(`] ${rule}:`));
                    assert.ok(b, `no verdict line for ${file} ${name} with ${rule}\n${r.stdout}`);
                }
            }
        }
        assert.ok(expected > 40, `${expected} annotated mistakes`);
    });

    it("runs the upstream validation: PeerAuthentication mtls.mode BLAH and warmup minimumPercent 150 fail", async () => {
        const r = await check([path.join(INPUT, "upstream-validation.yaml")]);
        assert.equal(r.status, 1, r.stdout + r.stderr);
        assert.match(
            block(r.stdout, "upstream-validation.yaml", "security.istio.io/v1:PeerAuthentication", "default") ?? "",
            /^FAIL[\s\S]*\[mandatory\] kubernetes-crd-schema: spec\.mtls\.mode: unsupported value "BLAH"/,
        );
        assert.match(
            block(r.stdout, "upstream-validation.yaml", "networking.istio.io/v1:DestinationRule", "reviews") ?? "",
            /\[mandatory\] kubernetes-crd-schema: spec\.trafficPolicy\.loadBalancer\.warmup\.minimumPercent: must be <= 100/,
        );
    });

    it("judges the items of a kind: List, and reports kinds without a schema as not validated", async () => {
        const r = await check([path.join(INPUT, "kubectl-list.yaml")]);
        assert.equal(r.status, 1, r.stdout + r.stderr);
        assert.match(r.stdout, /^n\/v {3}test\/fixtures\/check\/kubectl-list\.yaml: core\/v1:Service reviews {2}\(not validated: no schema\)$/m);
        assert.match(
            r.stdout,
            /^FAIL {2}test\/fixtures\/check\/kubectl-list\.yaml: networking\.istio\.io\/v1:VirtualService reviews\n.*istio-destination-host-exists: http\[0\]\.route\[0\]\.destination\.host "ratings"/m,
        );
        assert.doesNotMatch(r.stdout, /^ok {4}.*Service reviews/m, "a Service is never 'ok': meshgate has no schema for it");
        assert.match(r.stdout, /checked 2 objects in 1 files: 1 failed, 1 not validated \(no schema\)/);
    });

    it("reports a document without apiVersion/kind with its file and number, judges the rest, counts unknown kinds and remediations, and exits 2", async () => {
        const r = await check([path.join(INPUT, "mixed.yaml")]);
        assert.equal(r.status, 2, r.stdout + r.stderr);
        assert.match(r.stderr, /invalid input: test\/fixtures\/check\/mixed\.yaml: document 2 has no apiVersion and kind/);
        assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
        assert.match(r.stdout, /^ok {4}.*PeerAuthentication default$/m);
        assert.match(r.stdout, /^skip {2}.*example\.com\/v1:Widget gadget {2}\(not judged: no rule reads this kind\)$/m);
        assert.match(r.stdout, /^fix {3}.*core\/v1:Namespace legacy\n\s+\[remediate\] istio-namespace-injection-label:/m);
        assert.match(r.stdout, /checked 3 objects in 1 files: 1 remediable, 1 ok, 1 not judged \(no rule for the kind\)/);
        assert.match(r.stdout, /policy pack: 0 mandatory, 0 advisory, 1 remediate violations/);
        assert.deepEqual(
            r.report?.inputProblems.map((p) => `${p.file} ${p.where}`),
            ["test/fixtures/check/mixed.yaml document 2"],
        );
    });

    it("exits 2 naming a text file or a JSON file that is not a manifest, instead of checking 0 objects", async () => {
        for (const [file, message] of [
            ["notes.txt", /notes\.txt: document 1 is text, not a Kubernetes object/],
            ["settings.json", /settings\.json: document 1 has no apiVersion and kind/],
        ] as const) {
            const r = await check([path.join(INPUT, file)]);
            assert.equal(r.status, 2, `${file}: ${r.stdout}${r.stderr}`);
            assert.match(r.stderr, message);
        }
        const empty = fs.mkdtempSync(path.join(os.tmpdir(), "meshgate-empty-"));
        try {
            const r = await check([empty]);
            assert.equal(r.status, 2);
            assert.match(r.stderr, /no Kubernetes manifests in/);
        } finally {
            fs.rmSync(empty, { recursive: true, force: true });
        }
    });

    it("reads paths relative to the directory it is started from", async () => {
        const r = await check(["kubectl-list.yaml"], INPUT);
        assert.equal(r.status, 1, r.stdout + r.stderr);
        assert.match(r.stdout, /^n\/v {3}kubectl-list\.yaml: core\/v1:Service reviews/m);
    });

    it("exits 2 with the usage on an unknown option or no paths, without a stack trace (as a process)", () => {
        for (const args of [["--bogus", INPUT], []]) {
            const r = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "tools", "check.ts"), ...args], { cwd: ROOT, encoding: "utf8" });
            assert.equal(r.status, 2, r.stderr);
            assert.match(r.stderr, /usage: meshgate check <manifest files or dirs>/);
            assert.doesNotMatch(r.stderr, /\n\s+at /);
        }
    });

    it("takes the pack's configuration from --policy-config, and exits 2 on an invalid one", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshgate-policy-config-"));
        try {
            fs.writeFileSync(
                path.join(dir, "lenient.json"),
                JSON.stringify({ "kubernetes-crd-schema": "advisory", "istio-mtls-strict-coverage": { enforcementLevel: "disabled" } }),
            );
            fs.writeFileSync(path.join(dir, "bad.json"), JSON.stringify({ "no-such-rule": "mandatory" }));
            const lenient = await check([path.join(INPUT, "upstream-validation.yaml"), "--policy-config", path.join(dir, "lenient.json")]);
            assert.equal(lenient.status, 0, lenient.stdout + lenient.stderr);
            assert.match(lenient.stdout, /^warn {2}.*PeerAuthentication default\n\s+\[advisory\] kubernetes-crd-schema/m);
            const bad = await check([INPUT, "--policy-config", path.join(dir, "bad.json")]);
            assert.equal(bad.status, 2);
            assert.match(bad.stderr, /policy config names unknown policy "no-such-rule"/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("answers --help with the usage and exit 0", async () => {
        const r = await check(["--help"]);
        assert.equal(r.status, 0);
        assert.match(r.stdout, /usage: meshgate check/);
    });
});
