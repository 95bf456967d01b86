/**
 * The `meshgate` command as a person uses it: each case with its exit code and message.
 * Most run in-process through the dispatcher (the same code path as the binary, without
 * a Node start per case); the cases about the process itself (no stack trace, the npm
 * script's directory) start one.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { dispatch } from "../../tools/cli";

const ROOT = path.resolve(__dirname, "..", "..");
const FIXTURES = path.join(ROOT, "test", "fixtures");
const PROGRAM = path.join(FIXTURES, "program");

interface Result {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs `meshgate <argv>` in-process from `cwd`, capturing what it prints. */
async function meshgate(argv: string[], cwd: string): Promise<Result> {
    const out: string[] = [];
    const err: string[] = [];
    const saved = { log: console.log, error: console.error, limit: Error.stackTraceLimit, cwd: process.cwd() };
    console.log = (...a: unknown[]) => out.push(a.map(String).join(" "));
    console.error = (...a: unknown[]) => err.push(a.map(String).join(" "));
    process.chdir(cwd);
    try {
        const code = await dispatch(argv);
        return { code, stdout: out.join("\n"), stderr: err.join("\n") };
    } finally {
        console.log = saved.log;
        console.error = saved.error;
        Error.stackTraceLimit = saved.limit;
        process.chdir(saved.cwd);
    }
}

/** Starts the real process: `node --import tsx tools/cli.ts <argv>`. */
function spawnMeshgate(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Result {
    const r = spawnSync(process.execPath, ["--import", pathToFileURL(require.resolve("tsx")).href, path.join(ROOT, "tools", "cli.ts"), ...argv], {
        cwd,
        encoding: "utf8",
        env: { ...withoutNpmScript(process.env), ...env },
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The environment without what `npm test` sets for its own script (INIT_CWD, npm_lifecycle_event, ...). */
function withoutNpmScript(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    return Object.fromEntries(Object.entries(env).filter(([k]) => k !== "INIT_CWD" && !k.startsWith("npm_")));
}

const NO_STACK_TRACE = /^\s+at .+\(.+:\d+:\d+\)$/m;

describe("the meshgate command", function () {
    this.timeout(120_000);
    let tmp: string;

    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "meshgate-cli-"));
    });
    after(() => {
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    /** Writes `text` to tmp/<name> and returns its path. */
    function file(name: string, text: string): string {
        const p = path.join(tmp, name);
        fs.mkdirSync(path.dirname(p), { recursive: true });
        fs.writeFileSync(p, text);
        return p;
    }

    describe("usage", () => {
        it("without a command: exit 2 with the list of commands", async () => {
            const r = await meshgate([], tmp);
            assert.equal(r.code, 2);
            assert.match(r.stderr, /^usage: meshgate <command>/);
            assert.match(r.stderr, /^ {2}plan {2}/m);
            assert.match(r.stderr, /^ {2}check {1}/m);
        });

        it("an unknown command: exit 2 naming it, with the usage", async () => {
            const r = await meshgate(["deploy"], tmp);
            assert.equal(r.code, 2);
            assert.match(r.stderr, /^meshgate: unknown command "deploy"\nusage: meshgate <command>/);
        });

        it("an unknown option: exit 2 with the option and the plan usage, no stack trace (the real process)", () => {
            const r = spawnMeshgate(["plan", "dev", "--bogus"], tmp);
            assert.equal(r.code, 2, r.stderr);
            assert.match(r.stderr, /^meshgate plan: Unknown option '--bogus'.*\nusage: meshgate plan \[stack\] \[options\]/);
            assert.doesNotMatch(r.stderr, NO_STACK_TRACE);
            assert.equal(r.stdout, "");
        });

        it("an option without its value: exit 2 with the usage", async () => {
            const r = await meshgate(["plan", "--out"], tmp);
            assert.equal(r.code, 2);
            assert.match(r.stderr, /^meshgate plan: Option '--out <value>' argument missing\nusage: meshgate plan/);
        });

        it("two stacks: exit 2", async () => {
            const r = await meshgate(["plan", "dev", "prod"], tmp);
            assert.equal(r.code, 2);
            assert.match(r.stderr, /^meshgate plan: one stack only \(got dev, prod\)/);
        });

        it("plan --help: exit 0 with every option", async () => {
            const r = await meshgate(["plan", "--help"], tmp);
            assert.equal(r.code, 0);
            for (const option of ["--program DIR", "--stack NAME", "--config-file FILE", "--policy-config FILE", "--out DIR", "--debug"]) {
                assert.ok(r.stdout.includes(option), option);
            }
        });
    });

    describe("paths", () => {
        it("resolves --config-file and --out from the directory it runs in; without a stack name, names the stack and its output after the file", async () => {
            const dir = path.join(tmp, "work");
            fs.mkdirSync(dir);
            fs.copyFileSync(path.join(ROOT, "stacks", "Pulumi.local.yaml"), path.join(dir, "team-a.yaml"));
            const r = await meshgate(["plan", "--config-file", "team-a.yaml"], dir);
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, /^pulumi:pulumi:Stack meshgate-team-a/m);
            assert.match(r.stdout, /^wrote out\/team-a\/\{resources\.json, manifests\/, policy-report\.json, workloads\.json, routes\.json, report\.html\}$/m);
            assert.ok(fs.existsSync(path.join(dir, "out", "team-a", "resources.json")));
            assert.deepEqual(fs.readdirSync(path.join(dir, "out")), ["team-a"], "no other stack's output (out/dev) written over");
        });

        it("a Pulumi.<stack>.yaml given as --config-file names the stack <stack>", async () => {
            const dir = path.join(tmp, "named");
            fs.mkdirSync(dir);
            fs.copyFileSync(path.join(ROOT, "stacks", "Pulumi.local.yaml"), path.join(dir, "Pulumi.team-b.yaml"));
            const r = await meshgate(["plan", "--config-file", "Pulumi.team-b.yaml", "--out", "plans/b"], dir);
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, /^pulumi:pulumi:Stack meshgate-team-b/m);
            assert.ok(fs.existsSync(path.join(dir, "plans", "b", "policy-report.json")), "--out relative to the directory it ran in");
        });

        it("npm run plan takes relative paths from where npm was run, not from the package root (the real npm script)", () => {
            const r = spawnSync("npm", ["run", "-s", "plan", "--", "dev", "--config-file", "invalid/three-mistakes.yaml"], {
                cwd: FIXTURES,
                encoding: "utf8",
                env: withoutNpmScript(process.env),
            });
            assert.equal(r.status, 2, r.stderr);
            assert.match(r.stderr, /^Invalid configuration for stack "dev" \(invalid\/three-mistakes\.yaml\), 3 problems:/m);
        });
    });

    describe("config files", () => {
        it("a stack with no config file: exit 2 naming the file and the stacks there are", async () => {
            const r = await meshgate(["plan", "nope"], ROOT);
            assert.equal(r.code, 2);
            assert.equal(r.stderr, 'No config for stack "nope": stacks/Pulumi.nope.yaml does not exist. Stacks: dev, local, prod, staging');
        });

        it("a --config-file that does not exist: exit 2", async () => {
            const r = await meshgate(["plan", "--config-file", "missing.yaml"], tmp);
            assert.equal(r.code, 2);
            assert.equal(r.stderr, `${path.join(tmp, "missing.yaml")} does not exist`);
        });

        it("a YAML syntax error: exit 2 naming the file, line and column", async () => {
            file("broken.yaml", "config:\n  meshgate:environment: dev\n  meshgate:services: [a, b\n");
            const r = await meshgate(["plan", "--config-file", "broken.yaml"], tmp);
            assert.equal(r.code, 2);
            assert.equal(r.stderr, `${path.join(tmp, "broken.yaml")}:4:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]`);
            assert.doesNotMatch(r.stderr, NO_STACK_TRACE);
        });

        it("a directory as --config-file: exit 2 saying so", async () => {
            const r = await meshgate(["plan", "--config-file", "."], tmp);
            assert.equal(r.code, 2);
            assert.equal(r.stderr, `${tmp} is a directory, not a stack config file`);
        });

        it("a path that cannot be read: exit 2 saying why", async () => {
            const plain = file("plain.txt", "x");
            const r = await meshgate(["plan", "--config-file", path.join(plain, "Pulumi.dev.yaml")], tmp);
            assert.equal(r.code, 2);
            assert.equal(r.stderr, `${path.join(plain, "Pulumi.dev.yaml")} cannot be read (ENOTDIR)`);
        });

        it("a file without a top-level config: map: exit 2, not the defaults planned", async () => {
            file("flat.yaml", "meshgate:environment: dev\nmeshgate:cluster: { type: existing }\n");
            const r = await meshgate(["plan", "--config-file", "flat.yaml"], tmp);
            assert.equal(r.code, 2);
            assert.match(r.stderr, /flat\.yaml: no top-level "config:" map; stack settings go under it .*found only "meshgate:environment", "meshgate:cluster"$/s);
        });

        it("a misspelt project prefix (meshgat:services): exit 2 with the key and the spelling meant, nothing planned", async () => {
            file("typo.yaml", "config:\n  meshgate:cluster: { type: existing }\n  meshgat:services: []\n  kubernetes:context: kind\n");
            const r = await meshgate(["plan", "--config-file", "typo.yaml", "--out", "typo-out"], tmp);
            assert.equal(r.code, 2);
            assert.equal(
                r.stderr,
                'Invalid configuration for stack "typo" (typo.yaml), 1 problem:\n' +
                    '  - meshgat:services: unknown namespace "meshgat" (did you mean "meshgate:services"?); this project is "meshgate", so its keys start with "meshgate:"\n' +
                    "Nothing was planned.",
            );
            assert.ok(!fs.existsSync(path.join(tmp, "typo-out")));
        });

        it("a config key without a namespace: exit 2", async () => {
            file("bare.yaml", "config:\n  meshgate:cluster: { type: existing }\n  services: []\n");
            const r = await meshgate(["plan", "--config-file", "bare.yaml"], tmp);
            assert.equal(r.code, 2);
            assert.match(r.stderr, /- services: config keys are "<namespace>:<name>"; did you mean "meshgate:services"\?/);
        });
    });

    describe("plan --program: any Pulumi program (test/fixtures/program, Kong and Istio objects written by hand)", () => {
        it("plans it with its Pulumi.yaml and stack file, writes the outputs and runs the policy pack: exit 0, one advisory", async () => {
            const r = await meshgate(["plan", "--program", path.relative(tmp, PROGRAM), "--stack", "dev", "--out", "prog"], tmp);
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, /^pulumi:pulumi:Stack storefront-dev {2}\[Namespace 1, KongPlugin 1, Deployment 1, Service 1, Ingress 1\]$/m);
            assert.match(r.stdout, /^policy pack: 0 mandatory, 1 advisory violation$/m);
            const resources = JSON.parse(fs.readFileSync(path.join(tmp, "prog", "resources.json"), "utf8")) as { type: string; inputs: Record<string, any> }[];
            const deployment = resources.find((x) => x.type === "kubernetes:apps/v1:Deployment");
            assert.equal(deployment?.inputs.spec.replicas, 2, "storefront:replicas from stacks/Pulumi.dev.yaml");
            const report = JSON.parse(fs.readFileSync(path.join(tmp, "prog", "policy-report.json"), "utf8")) as { violations: { policy: string; level: string }[] };
            assert.deepEqual(
                report.violations.map((v) => `${v.level} ${v.policy}`),
                ["advisory kong-route-rate-limit"],
            );
            assert.ok(fs.readFileSync(path.join(tmp, "prog", "manifests", "shop.yaml"), "utf8").includes("kind: Ingress"));
        });

        it("--program on meshgate's own project (Pulumi.yaml: main infra/, stackConfigDir stacks) plans exactly what `plan dev` does", async () => {
            const own = await meshgate(["plan", "dev", "--out", path.join(tmp, "own-dev")], ROOT);
            const program = await meshgate(["plan", "--program", ".", "--stack", "dev", "--out", path.join(tmp, "program-dev")], ROOT);
            assert.equal(own.code, 0, own.stderr);
            assert.equal(program.code, 0, program.stderr);
            const read = (dir: string) => fs.readFileSync(path.join(tmp, dir, "resources.json"), "utf8");
            assert.ok(JSON.parse(read("own-dev")).length > 100);
            assert.equal(read("program-dev"), read("own-dev"));
        });

        it('plans an ES module program ("type": "module", a default-exported async function) as well', async () => {
            const r = await meshgate(["plan", "--program", path.join(FIXTURES, "program-esm"), "--stack", "dev", "--out", "esm"], tmp);
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, /^pulumi:pulumi:Stack storefront-esm-dev {2}\[Namespace 1\]$/m);
            const resources = JSON.parse(fs.readFileSync(path.join(tmp, "esm", "resources.json"), "utf8")) as { type: string; inputs: Record<string, any> }[];
            assert.equal(resources.find((x) => x.type === "kubernetes:core/v1:Namespace")?.inputs.metadata.name, "web", "storefront-esm:namespace from Pulumi.dev.yaml");
        });

        it("--policy-config makes the pack's levels the file's: the missing rate limit becomes mandatory, exit 1", async () => {
            file("policy.json", JSON.stringify({ "kong-route-rate-limit": "mandatory" }));
            const r = await meshgate(["plan", "--program", PROGRAM, "--stack", "dev", "--policy-config", "policy.json", "--out", "prog-strict"], tmp);
            assert.equal(r.code, 1, r.stderr);
            assert.match(r.stdout, /^policy pack: 1 mandatory, 0 advisory violations\n {2}\[mandatory\] kong-route-rate-limit: storefront: /m);
        });

        it("a policy config naming an unknown policy: exit 2 naming the file, before planning", async () => {
            file("bad-policy.json", JSON.stringify({ "kong-route-ratelimit": "mandatory" }));
            const r = await meshgate(["plan", "--program", PROGRAM, "--stack", "dev", "--policy-config", "bad-policy.json", "--out", "prog-bad"], tmp);
            assert.equal(r.code, 2);
            assert.match(r.stderr, /^bad-policy\.json: invalid policy configuration:\n {2}policy config names unknown policy "kong-route-ratelimit"$/);
            assert.ok(!fs.existsSync(path.join(tmp, "prog-bad")));
        });

        it("a policy config that is not JSON: exit 2", async () => {
            file("policy.yaml", "kong-route-rate-limit: mandatory\n");
            const r = await meshgate(["plan", "--policy-config", "policy.yaml"], tmp);
            assert.equal(r.code, 2);
            assert.match(r.stderr, /policy\.yaml: not valid JSON .*pulumi policy enable --config/);
        });

        it("without --stack: exit 2 listing the program's stacks", async () => {
            const r = await meshgate(["plan", "--program", PROGRAM], tmp);
            assert.equal(r.code, 2);
            assert.equal(r.stderr, "meshgate plan --program: name the stack (--stack NAME); stacks of storefront: dev");
        });

        it("a stack the program has no file for: exit 2", async () => {
            const r = await meshgate(["plan", "--program", PROGRAM, "--stack", "prod"], tmp);
            assert.equal(r.code, 2);
            assert.match(r.stderr, /^No config for stack "prod": .*stacks\/Pulumi\.prod\.yaml does not exist\. Stacks: dev$/);
        });

        it("a directory without Pulumi.yaml, or not a Node.js project: exit 2", async () => {
            let r = await meshgate(["plan", "--program", ".", "--stack", "dev"], tmp);
            assert.equal(r.code, 2);
            assert.match(r.stderr, /^--program \.: no Pulumi\.yaml in /);
            file("py/Pulumi.yaml", "name: py\nruntime: python\n");
            r = await meshgate(["plan", "--program", "py", "--stack", "dev"], tmp);
            assert.equal(r.code, 2);
            assert.match(r.stderr, /Pulumi\.yaml: runtime is "python"; meshgate plans Node\.js programs \(runtime: nodejs\) only$/);
        });

        it("the program's own config keys: a misspelt project prefix is an error there too", async () => {
            file("Pulumi.typo.yaml", "config:\n  storefrnt:namespace: shop\n");
            const r = await meshgate(["plan", "--program", PROGRAM, "--config-file", "Pulumi.typo.yaml"], tmp);
            assert.equal(r.code, 2);
            assert.match(r.stderr, /- storefrnt:namespace: unknown namespace "storefrnt" \(did you mean "storefront:namespace"\?\)/);
        });
    });
});
