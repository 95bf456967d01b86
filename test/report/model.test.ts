import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readInput } from "../../tools/check/read";
import { manifestsToResources } from "../../policies/manifests";
import { runPolicies } from "../../policies/engine";
import { buildReportModel, readRoutes, renderReport, writeCheckReport, writePlanReport, type ReportModel } from "../../tools/report";
import { ROOT, devRoutes, planned } from "./helpers";

describe("plan report: the model", () => {
    let dev: ReportModel;
    before(async () => {
        const p = await planned("dev");
        dev = buildReportModel({ stack: "dev", source: "plan", resources: p.resources, violations: p.violations, routes: devRoutes() });
    });

    it("has the dev stack's four services and its two Kong routes, with methods, auth and rate limits", () => {
        assert.deepEqual(
            dev.services.map((s) => s.id),
            ["catalog/catalog-service", "orders/order-service", "payments/payment-service", "users/user-service"],
        );
        assert.deepEqual(
            dev.routes.map((r) => [r.id, r.methods.join(","), r.auth.join(","), r.rateLimit.join(",")]),
            [
                ["users/user-service#/api/v1/users", "GET,POST", "key-auth", "100/min per consumer"],
                ["catalog/catalog-service#/api/v1/catalog", "GET,OPTIONS", "", "50/s per ip"],
            ],
        );
        assert.deepEqual(
            dev.routes.map((r) => r.problems),
            [[], []],
        );
    });

    it("reads versions with their weights and the canary header route from the VirtualService", () => {
        const users = dev.services.find((s) => s.id === "users/user-service");
        assert.deepEqual(
            users?.versions.map((v) => [v.subset, v.weight, v.labels.version]),
            [
                ["v1", 90, "v1"],
                ["v2", 10, "v2"],
            ],
        );
        assert.deepEqual(users?.canary, { header: "x-version", value: "v2", subset: "v2" });
        assert.equal(users?.timeout, "10s");
    });

    it("reads internal callers from the AuthorizationPolicies, Kong's service account as the gateway", () => {
        const callers = (id: string) => dev.services.find((s) => s.id === id)?.callers.map((c) => `${c.from}:${c.kind}`);
        assert.deepEqual(callers("users/user-service"), ["kong/kong-kong:kong"]);
        assert.deepEqual(callers("orders/order-service"), ["users/user-service:service"]);
        assert.deepEqual(callers("payments/payment-service"), ["orders/order-service:service"]);
        assert.equal(dev.services.length, 4);
        assert.ok(dev.services.every((s) => s.access === "allow-list"));
    });

    it("has the edge (NLB from Kong's release, global plugins, consumers), the component tree and the critical path estimate", () => {
        assert.equal(dev.edge.nlb?.kind, "AWS NLB");
        assert.deepEqual(dev.edge.globalPlugins.map((p) => p.plugin).sort(), ["opentelemetry", "prometheus"]);
        assert.deepEqual(dev.edge.consumers, ["mobile-app", "partner-portal"]);
        assert.equal(dev.tree.length, 1);
        assert.equal(dev.tree[0].total, dev.counts.resources);
        assert.ok(dev.timeline !== null && dev.timeline.steps.length > 3);
        assert.ok(dev.timeline.seconds >= dev.timeline.lowerBoundSeconds);
        assert.equal(dev.timeline.steps[dev.timeline.steps.length - 1].finish, dev.timeline.seconds);
    });

    it("marks a route whose service does not allow Kong, a missing backend and a missing plugin", async () => {
        const p = await planned("dev");
        const resources = p.resources.map((r) => {
            if (r.type.endsWith(":AuthorizationPolicy") && (r.inputs.metadata as { name?: string }).name === "catalog-service") {
                return {
                    ...r,
                    inputs: {
                        ...r.inputs,
                        spec: {
                            action: "ALLOW",
                            selector: { matchLabels: { app: "catalog-service" } },
                            rules: [{ from: [{ source: { principals: ["cluster.local/ns/shop/sa/web"] } }] }],
                        },
                    },
                };
            }
            if (r.type.endsWith(":Ingress") && (r.inputs.metadata as { name?: string }).name === "user-service") {
                const meta = r.inputs.metadata as { annotations: Record<string, string> };
                const spec = JSON.parse(JSON.stringify(r.inputs.spec)) as { rules: { http: { paths: { backend: { service: { name: string } } }[] } }[] };
                spec.rules[0].http.paths[0].backend.service.name = "users-svc";
                return { ...r, inputs: { ...r.inputs, metadata: { ...meta, annotations: { ...meta.annotations, "konghq.com/plugins": "user-service-key-auth,nope" } }, spec } };
            }
            return r;
        });
        const m = buildReportModel({ stack: "dev", source: "plan", resources, violations: [] });
        const catalog = m.routes.find((r) => r.service === "catalog/catalog-service");
        assert.deepEqual(catalog?.problems, ["catalog/catalog-service does not allow Kong: 403 from its sidecar"]);
        assert.match(m.services.find((s) => s.id === "catalog/catalog-service")?.problems.join("\n") ?? "", /allows shop\/web, which is not a service/);
        const users = m.routes.find((r) => r.namespace === "users");
        assert.deepEqual(users?.problems, [
            "backend Service users/users-svc does not exist: Kong answers 503",
            "plugin nope is not defined: Kong ignores the route's configuration",
        ]);
    });

    it("puts each policy violation on the object and graph node it concerns, with the rule's description and fix", async () => {
        const docs = readInput([path.join(ROOT, "test/fixtures/bad-manifests")]).docs;
        const resources = manifestsToResources(docs);
        const violations = await runPolicies(resources);
        assert.ok(violations.length > 0);
        const m = buildReportModel({
            stack: "check",
            source: "manifests",
            resources: resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, custom: true, inputs: r.props, file: r.file })),
            violations,
        });
        assert.equal(m.policy.length, violations.length);
        assert.ok(m.policy.every((p) => p.description !== "" && p.object !== ""));
        assert.ok(m.policy.some((p) => p.fix !== ""));
        assert.ok(m.policy.some((p) => p.nodes.some((n) => n.startsWith("route:") || n.startsWith("svc:"))));
        assert.equal(m.timeline, null);
        assert.ok(m.tree.length > 0 && m.tree.every((t) => t.type === "namespace" || t.label.startsWith("(")));
    });
});

describe("plan report: the page", () => {
    it("is one self-contained page: the layout library, styles and data inlined, a CSP that allows no network", async () => {
        const p = await planned("dev");
        const html = renderReport({ stack: "dev", source: "plan", resources: p.resources, violations: p.violations, routes: devRoutes() });
        assert.match(html, /^<!doctype html>/);
        assert.match(html, /content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"/);
        assert.match(html, /var dagre=/);
        assert.doesNotMatch(html, /<(script|link|img|iframe)[^>]+(src|href)=/i);
        assert.doesNotMatch(html, /sourceMappingURL/);
        // Exactly the three script elements' closing tags: no data closes one early.
        assert.equal(html.match(/<\/script>/g)?.length, 3);
    });

    it("escapes data that would end the script element", async () => {
        const p = await planned("dev");
        const routes = devRoutes();
        const evil = { ...routes, entries: [{ ...routes.entries[0], outcome: { ...routes.entries[0].outcome, reason: "</script><script>alert(1)</script>" } }] };
        const html = renderReport({ stack: "dev", source: "plan", resources: p.resources, violations: [], routes: evil });
        assert.equal(html.match(/<\/script>/g)?.length, 3);
    });

    it("writes report.html for plan and check, reading routes.json next to it, and says when routes.json is unusable", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshgate-report-"));
        const p = await planned("dev");
        const without = fs.readFileSync(writePlanReport(dir, "dev", p.resources, p.violations), "utf8");
        assert.match(without, /"traces":\{"available":false,"problem":null,"entries":\[\]\}/);
        fs.writeFileSync(path.join(dir, "routes.json"), JSON.stringify(devRoutes()));
        const withRoutes = fs.readFileSync(writePlanReport(dir, "dev", p.resources, p.violations), "utf8");
        assert.match(withRoutes, /"traces":\{"available":true,"problem":null,"entries":\[\{"id":"users\/user-service GET/);
        fs.writeFileSync(path.join(dir, "routes.json"), "{ not json");
        assert.match(readRoutes(dir).problem ?? "", /^routes\.json is not valid JSON/);
        fs.writeFileSync(path.join(dir, "routes.json"), JSON.stringify({ entries: [{ id: "x" }] }));
        assert.equal(readRoutes(dir).problem, "routes.json: entries[0] lacks id, request, outcome or hops");
        const docs = readInput([path.join(ROOT, "test/fixtures/good-manifests")]).docs;
        const checkDir = path.join(dir, "check");
        const html = fs.readFileSync(writeCheckReport(checkDir, manifestsToResources(docs), []), "utf8");
        assert.match(html, /<title>meshgate check<\/title>/);
    });
});

describe("plan report: who may call a service", () => {
    const ap = (name: string, spec: Record<string, unknown>) => ({
        urn: `urn:ap:${name}`,
        type: "kubernetes:security.istio.io/v1:AuthorizationPolicy",
        name,
        custom: true,
        inputs: { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name, namespace: "shop" }, spec },
    });
    const svc = {
        urn: "urn:svc",
        type: "kubernetes:core/v1:Service",
        name: "cart",
        custom: true,
        inputs: { apiVersion: "v1", kind: "Service", metadata: { name: "cart", namespace: "shop" }, spec: { selector: { app: "cart" }, ports: [{ port: 80 }] } },
    };
    const access = (...aps: ReturnType<typeof ap>[]) =>
        buildReportModel({ stack: "t", source: "manifests", resources: [svc, ...aps], violations: [] }).services.map((s) => [s.id, s.access]);
    const selector = { matchLabels: { app: "cart" } };

    it("is an allow list when an ALLOW policy names sources", () => {
        assert.deepEqual(access(ap("cart", { selector, rules: [{ from: [{ source: { principals: ["cluster.local/ns/web/sa/web"] } }] }] })), [["shop/cart", "allow-list"]]);
    });
    it("is nobody under an allow-nothing policy, and anyone under a rule without a source or a DENY alone", () => {
        assert.deepEqual(access(ap("default-deny", {})), [["shop/cart", "deny-all"]]);
        assert.deepEqual(access(ap("default-deny", {}), ap("cart", { selector, rules: [{}] })), [["shop/cart", "open"]]);
        assert.deepEqual(access(ap("no-web", { selector, action: "DENY", rules: [{ from: [{ source: { namespaces: ["web"] } }] }] })), [["shop/cart", "open"]]);
    });
});

describe("plan report: Gateway API routes", () => {
    it("reads an HTTPRoute's matches, backend and KongPlugins (annotation and ExtensionRef filter)", () => {
        const obj = (kind: string, apiVersion: string, name: string, rest: Record<string, unknown>) => ({
            urn: `urn:${kind}:${name}`,
            type: `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`,
            name,
            custom: true,
            inputs: { apiVersion, kind, ...rest, metadata: { name, namespace: "shop", ...(rest.metadata as object) } },
        });
        const m = buildReportModel({
            stack: "t",
            source: "manifests",
            violations: [],
            resources: [
                obj("Service", "v1", "cart", { spec: { selector: { app: "cart" }, ports: [{ port: 8080 }] } }),
                obj("KongPlugin", "configuration.konghq.com/v1", "cart-auth", { plugin: "jwt", config: {} }),
                obj("KongPlugin", "configuration.konghq.com/v1", "cart-limit", { plugin: "rate-limiting", config: { second: 5, limit_by: "ip" } }),
                obj("HTTPRoute", "gateway.networking.k8s.io/v1", "cart", {
                    metadata: { annotations: { "konghq.com/plugins": "cart-auth" } },
                    spec: {
                        hostnames: ["shop.example.com"],
                        rules: [
                            {
                                matches: [{ path: { type: "PathPrefix", value: "/cart" }, method: "POST" }],
                                filters: [{ type: "ExtensionRef", extensionRef: { group: "configuration.konghq.com", kind: "KongPlugin", name: "cart-limit" } }],
                                backendRefs: [{ name: "cart", port: 8080 }],
                            },
                        ],
                    },
                }),
            ],
        });
        assert.deepEqual(
            m.routes.map((r) => [r.id, r.methods.join(","), r.host, r.service, r.auth.join(","), r.rateLimit.join(","), r.problems.length]),
            [["shop/cart#/cart", "POST", "shop.example.com", "shop/cart", "jwt", "5/s per ip", 0]],
        );
        assert.deepEqual(
            m.services.map((s) => [s.id, s.routes.length]),
            [["shop/cart", 1]],
        );
    });
});
