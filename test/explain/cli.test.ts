/** `meshgate explain` through main(argv): output, --json, --matrix and the exit codes 0/1/2. */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { main } from "../../tools/explain";
import type { Explanation, K8sObject, RoutesDocument } from "../../tools/explain/types";
import { authorizationPolicy, consumer, destinationRule, exposedService, ingress, kongPlugin, kongRelease, namespace, peerAuthentication, virtualService } from "./helpers";

const objects: K8sObject[] = [
    namespace("kong"),
    namespace("shop"),
    kongRelease({ deployment: { serviceAccount: { name: "kong-kong" } } }),
    peerAuthentication("shop", "STRICT"),
    exposedService("cart", "shop"),
    destinationRule("cart", "shop", ["v1", "v2"], undefined, "cart.shop.svc.cluster.local"),
    virtualService(
        "cart",
        "shop",
        [
            { match: [{ headers: { "x-canary": { exact: "yes" } } }], route: [{ destination: { host: "cart", subset: "v2" } }] },
            { route: [{ destination: { host: "cart", subset: "v1" } }] },
        ],
        ["cart.shop.svc.cluster.local"],
    ),
    authorizationPolicy("cart", "shop", {
        selector: { matchLabels: { app: "cart" } },
        rules: [{ from: [{ source: { principals: ["cluster.local/ns/kong/sa/kong-kong", "cluster.local/ns/shop/sa/checkout"] } }] }],
    }),
    kongPlugin("cart-key-auth", "shop", "key-auth"),
    ...consumer("web", "kong", ["key-auth"]),
    ingress("cart", "shop", [{ path: "/cart" }], { "konghq.com/plugins": "cart-key-auth", "konghq.com/preserve-host": "false" }),
];

/** Runs main with console captured. */
async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const log = console.log;
    const error = console.error;
    console.log = (...a: unknown[]) => void out.push(a.join(" "));
    console.error = (...a: unknown[]) => void err.push(a.join(" "));
    try {
        const code = await main(argv);
        return { code, out: out.join("\n"), err: err.join("\n") };
    } finally {
        console.log = log;
        console.error = error;
    }
}

describe("meshgate explain (tools/explain.ts main)", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "meshgate-explain-cli-"));
    const manifests = path.join(tmp, "manifests");
    before(() => {
        fs.mkdirSync(manifests);
        fs.writeFileSync(path.join(manifests, "all.yaml"), objects.map((o) => stringify(o)).join("---\n"));
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("exits 0 and prints each hop when the request reaches a workload", async () => {
        const r = await cli(["--manifests", manifests, "GET http://edge.invalid/cart/1", "-H", "X-Canary: yes", "--consumer", "web"]);
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /^GET http:\/\/edge\.invalid\/cart\/1 {2}\[x-canary: yes\] {2}consumer=web/);
        assert.match(r.out, /kong-route +Kong route: matched \/cart/);
        assert.match(r.out, /=> reached \(200\): reaches shop\/cart subset v2/);
    });

    it("exits 1 with the hop and status of a refusal", async () => {
        const r = await cli(["--manifests", manifests, "GET http://edge.invalid/cart"]);
        assert.equal(r.code, 1);
        assert.match(r.out, /=> REFUSED at kong-plugin, the client sees 401/);
    });

    it("--from explains an internal call; a caller outside the policy exits 1 with 403", async () => {
        assert.equal((await cli(["--manifests", manifests, "GET http://cart.shop:8080/", "--from", "shop/checkout"])).code, 0);
        const r = await cli(["--manifests", manifests, "GET http://cart.shop:8080/", "--from", "shop/intruder"]);
        assert.equal(r.code, 1);
        assert.match(r.out, /the client sees 403/);
    });

    it("--json prints the explanation as data", async () => {
        const r = await cli(["--manifests", manifests, "GET http://edge.invalid/cart", "--consumer", "web", "--json"]);
        assert.equal(r.code, 0, r.err);
        const e = JSON.parse(r.out) as Explanation & { stack: string; source: string };
        assert.equal(e.source, "manifests");
        assert.equal(e.service, "shop/cart");
        assert.deepEqual(
            e.outcome.destinations.map((d) => d.subset),
            ["v1"],
        );
        assert.equal(e.hops[e.hops.length - 1].hop, "tracing");
    });

    it("--matrix writes routes.json with every route × canary header × credential and every declared caller", async () => {
        const out = path.join(tmp, "out");
        const r = await cli(["--manifests", manifests, "--matrix", "--out", out]);
        assert.equal(r.code, 0, r.err);
        const doc = JSON.parse(fs.readFileSync(path.join(out, "routes.json"), "utf8")) as RoutesDocument;
        assert.equal(doc.stack, "check");
        assert.equal(doc.source, "manifests");
        assert.deepEqual(
            doc.entries.map((e) => `${e.id} => ${e.outcome.status}`),
            [
                "shop/cart GET /cart => 401",
                "shop/cart GET /cart consumer=web => 200",
                "shop/cart GET /cart [x-canary: yes] => 401",
                "shop/cart GET /cart [x-canary: yes] consumer=web => 200",
                "shop/cart GET / from=shop/checkout => 200",
                "shop/cart GET / [x-canary: yes] from=shop/checkout => 200",
            ],
        );
    });

    it("reads a plan's resources.json for a stack (here through --out)", async () => {
        const out = path.join(tmp, "planned");
        fs.mkdirSync(out);
        const resources = objects.map((o) => ({
            type: o.kind === "Release" ? "kubernetes:helm.sh/v3:Release" : `kubernetes:${o.apiVersion?.includes("/") ? o.apiVersion : `core/${o.apiVersion}`}:${o.kind}`,
            inputs: o.kind === "Release" ? Object.fromEntries(Object.entries(o).filter(([k]) => k !== "apiVersion" && k !== "kind")) : o,
        }));
        fs.writeFileSync(path.join(out, "resources.json"), JSON.stringify(resources));
        const r = await cli(["dev", "GET http://edge.invalid/cart", "--consumer", "web", "--out", out]);
        assert.equal(r.code, 0, r.err);
        assert.match(r.err, /using the plan in/);
        assert.match(r.out, /reaches shop\/cart subset v1/);
    });

    it("exits 2 on invalid input, listing every problem at once", async () => {
        const r = await cli(["dev", "FETCH! nowhere", "-H", "no-colon", "--from", "Bad/Name"]);
        assert.equal(r.code, 2);
        assert.match(r.err, /Invalid arguments, 4 problems/);
        assert.match(r.err, /request method: must be letters/);
        assert.match(r.err, /request URL: must be an absolute http:\/\/ or https:\/\/ URL; got "nowhere"/);
    });

    it("exits 2 on a bad header, a bad --from, --matrix with a request, or no request", async () => {
        const r = await cli(["dev", "GET http://edge.invalid/", "-H", "no-colon", "--from", "Bad/Name", "--consumer", "x"]);
        assert.equal(r.code, 2);
        assert.match(r.err, /-H: must be "Name: value"; got "no-colon"/);
        assert.match(r.err, /--from: must be <namespace>\/<serviceaccount>/);
        assert.match(r.err, /--consumer is a Kong consumer/);
        assert.equal((await cli(["dev", "GET http://edge.invalid/", "--matrix"])).code, 2);
        assert.match((await cli(["dev"])).err, /a request is required/);
    });

    it("exits 2 for an unknown consumer, naming the known ones, and for a stack without config", async () => {
        const r = await cli(["--manifests", manifests, "GET http://edge.invalid/cart", "--consumer", "nobody"]);
        assert.equal(r.code, 2);
        assert.match(r.err, /no KongConsumer "nobody" among the objects; consumers: web/);
        const s = await cli(["no-such-stack", "GET http://edge.invalid/"]);
        assert.equal(s.code, 2);
        assert.match(s.err, /no config for stack "no-such-stack"/);
    });
});

describe("meshgate explain planning a stack (tools/explain.ts main)", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "meshgate-explain-plan-"));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("with --config-file plans the stack first (writing its plan and routes.json) and explains on it", async () => {
        const r = await cli([
            "dev",
            "GET http://edge.invalid/api/v1/users",
            "--consumer",
            "mobile-app",
            "-H",
            "x-version: v2",
            "--config-file",
            path.join(__dirname, "..", "..", "stacks", "Pulumi.dev.yaml"),
            "--out",
            tmp,
        ]);
        assert.equal(r.code, 0, r.err);
        assert.match(r.err, /planning dev from/);
        assert.match(r.out, /=> reached \(200\)/);
        assert.match(r.out, /user-service/);
        assert.ok(fs.existsSync(path.join(tmp, "routes.json")));
    });

    it("exits 2 with every problem of an invalid config", async () => {
        const r = await cli(["dev", "GET http://edge.invalid/", "--config-file", path.join(__dirname, "..", "fixtures", "invalid", "three-mistakes.yaml"), "--out", tmp]);
        assert.equal(r.code, 2);
        assert.match(r.err, /invalid configuration for stack "dev"/);
        assert.equal(r.err.split("\n").filter((l) => l.startsWith("  services[")).length, 3);
    });
});
