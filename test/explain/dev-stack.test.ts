/**
 * meshgate's own dev stack, planned offline, explained: what its declarations
 * promise must be what the planned objects do.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { explain } from "../../tools/explain/explain";
import { buildIndex, type ModelIndex } from "../../tools/explain/model-index";
import { objectsFromRecorded } from "../../tools/explain/objects";
import type { K8sObject, RoutesDocument } from "../../tools/explain/types";
import { plan } from "../../tools/plan/plan";
import { readStackConfig, stackConfigPath } from "../../tools/plan/stack-config";
import { assertReached, assertRefused, request } from "./helpers";

const EDGE = "http://edge.invalid";

describe("explain: the dev stack as planned", () => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "meshgate-explain-dev-"));
    let index: ModelIndex;
    let objects: K8sObject[];
    const run = (line: string, opts: Parameters<typeof request>[1] = {}) => explain(index, request(line, opts));

    before(async () => {
        const result = await plan({ stack: "dev", config: readStackConfig(stackConfigPath("dev")), outDir });
        assert.equal(result.kind, "planned");
        if (result.kind === "planned") objects = objectsFromRecorded(result.run.resources);
        index = buildIndex(objects);
    });

    after(() => fs.rmSync(outDir, { recursive: true, force: true }));

    it("a canary header (x-version: v2) from the internet is removed at the edge, so the request is split 90/10 like any other", () => {
        // The dev stack does not opt in to client-selected canaries (canary.clientSelectable): Kong's
        // request-transformer removes x-version before the mesh sees it (issue 11, item 7).
        const e = run(`GET ${EDGE}/api/v1/users`, { consumer: "mobile-app", headers: { "x-version": "v2" } });
        assertReached(e, { v1: 90, v2: 10 });
        assert.equal(e.service, "users/user-service");
        assert.equal(e.route, "users/user-service#/api/v1/users");
        assert.ok(
            e.hops.some((h) => h.hop === "kong-plugin" && /request-transformer/.test(h.title + h.decision) && /x-version/.test(h.decision)),
            JSON.stringify(e.hops, null, 1),
        );
    });

    it("without the header the request is split 90/10 between v1 and v2", () => {
        assertReached(run(`GET ${EDGE}/api/v1/users`, { consumer: "partner-portal" }), { v1: 90, v2: 10 });
    });

    it("a request without a key gets 401 at Kong", () => {
        assertRefused(run(`GET ${EDGE}/api/v1/users`), "kong-plugin", 401, /key-auth refuses/);
    });

    it("a caller not in allowFrom gets 403 at the destination sidecar", () => {
        const e = run("GET http://order-service.orders:8080/orders", { from: "catalog/catalog-service" });
        assertRefused(e, "destination-sidecar", 403, /cluster\.local\/ns\/catalog\/sa\/catalog-service matches no ALLOW policy/);
        assert.equal(e.hops.find((h) => h.result === "refuse")?.object, "security.istio.io/v1 AuthorizationPolicy orders/order-service");
    });

    it("a caller in allowFrom reaches order-service", () => {
        assert.equal(run("GET http://order-service.orders:8080/orders", { from: "users/user-service" }).outcome.reached, true);
    });

    it("a CORS preflight to catalog is answered by Kong when its route accepts OPTIONS, and refused truthfully (404 at the router) when it does not", () => {
        const ing = objects.find((o) => o.kind === "Ingress" && o.metadata?.name === "catalog-service");
        assert.ok(ing, "the planned catalog Ingress");
        const methods = (ing.metadata?.annotations?.["konghq.com/methods"] ?? "").split(",").map((m) => m.trim());
        const e = run(`OPTIONS ${EDGE}/api/v1/catalog`, { headers: { origin: "https://shop.example.com", "access-control-request-method": "GET" } });
        if (methods.includes("OPTIONS") || methods.join("") === "") {
            assert.equal(e.outcome.answered, true, e.outcome.reason);
            assert.equal(e.outcome.status, 200);
            assert.equal(e.outcome.hop, "kong-plugin");
        } else {
            assertRefused(e, "kong-route", 404, /method OPTIONS is not among/);
        }
    });

    it("the plan wrote routes.json: unique ids, the contract's fields, every hop in order", () => {
        const doc = JSON.parse(fs.readFileSync(path.join(outDir, "routes.json"), "utf8")) as RoutesDocument;
        assert.equal(doc.stack, "dev");
        assert.equal(doc.source, "plan");
        assert.ok(doc.entries.length >= 10, `entries: ${doc.entries.length}`);
        assert.equal(new Set(doc.entries.map((e) => e.id)).size, doc.entries.length);
        const hopKinds = ["nlb", "kong-route", "kong-plugin", "kong-upstream", "source-sidecar", "destination-sidecar", "tracing"];
        for (const e of doc.entries) {
            assert.deepEqual(Object.keys(e).slice(0, 7).sort(), ["hops", "id", "outcome", "request", "route", "service", "spans"]);
            assert.deepEqual(Object.keys(e.request).sort(), ["consumer", "from", "headers", "method", "url"]);
            assert.ok(["reached", "status", "hop", "reason", "destinations"].every((k) => k in e.outcome));
            assert.ok(e.hops.length > 0 && e.hops.every((h) => hopKinds.includes(h.hop) && ["pass", "refuse", "info"].includes(h.result)));
        }
        const ids = doc.entries.map((e) => e.id);
        assert.ok(ids.includes("users/user-service GET /api/v1/users [x-version: v2] consumer=mobile-app"), ids.join("\n"));
        assert.ok(ids.includes("orders/order-service GET / from=users/user-service"), ids.join("\n"));
        const noKey = doc.entries.find((e) => e.id === "users/user-service GET /api/v1/users")!;
        assert.equal(noKey.outcome.status, 401);
    });
});
