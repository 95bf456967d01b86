// Istio's host and selector semantics as the istioctl-analyze-class rules apply them
// (Istio 1.30.3 pkg/config/analysis/analyzers/util/hosts.go, pkg/config/host), and the index
// they share.
import * as assert from "node:assert/strict";
import { clusterHostNamespace, hostsOverlap, istioFqdn, selects, stableJson } from "../../policies/rules/analyze/model";
import { analyzeRoutes } from "../../policies/rules/analyze/routes";
import { gatewayHostsFor, namespaceMatches } from "../../policies/rules/analyze/references";

describe("istioctl-analyze semantics", () => {
    it("qualifies only a name without a dot: reviews → reviews.<ns>.svc.cluster.local, reviews.prod stays", () => {
        assert.equal(istioFqdn("reviews", "prod"), "reviews.prod.svc.cluster.local");
        assert.equal(istioFqdn("reviews.prod", "default"), "reviews.prod");
        assert.equal(istioFqdn("Reviews.Prod.svc.cluster.local", "x"), "reviews.prod.svc.cluster.local");
        assert.equal(istioFqdn("*.example.com", "x"), "*.example.com");
        assert.equal(clusterHostNamespace("reviews.prod.svc.cluster.local"), "prod");
        assert.equal(clusterHostNamespace("reviews.prod"), undefined);
    });

    it("matches hosts with wildcards on either side", () => {
        assert.ok(hostsOverlap("*.example.com", "shop.example.com"));
        assert.ok(hostsOverlap("shop.example.com", "*"));
        assert.ok(hostsOverlap("*.example.com", "*.shop.example.com"));
        assert.ok(!hostsOverlap("*.example.com", "example.org"));
        assert.ok(!hostsOverlap("a.example.com", "b.example.com"));
    });

    it("reads gateway server hosts for a VirtualService's namespace (./, */, <ns>/)", () => {
        const spec = { servers: [{ hosts: ["./a.example.com", "*/b.example.com", "shop/c.example.com", "other/d.example.com", "e.example.com"] }] };
        assert.deepEqual(gatewayHostsFor(spec, "shop", "shop"), ["a.example.com", "b.example.com", "c.example.com", "e.example.com"]);
        assert.deepEqual(gatewayHostsFor(spec, "istio-system", "shop"), ["b.example.com", "c.example.com", "e.example.com"]);
    });

    it("matches AuthorizationPolicy namespace patterns as Istio does (prefix and suffix wildcards)", () => {
        assert.ok(namespaceMatches("orders-eu", "orders-*"));
        assert.ok(namespaceMatches("eu-orders", "*-orders"));
        assert.ok(namespaceMatches("x", "*"));
        assert.ok(!namespaceMatches("orders", "order"));
    });

    it("selects by matchLabels, and compares match blocks by content regardless of key order", () => {
        assert.ok(selects({ app: "a" }, { app: "a", version: "v1" }));
        assert.ok(!selects({ app: "a", version: "v2" }, { app: "a", version: "v1" }));
        assert.equal(stableJson({ b: 1, a: { d: [1, { f: 2, e: 3 }] } }), stableJson({ a: { d: [1, { e: 3, f: 2 }] }, b: 1 }));
    });

    it("finds unreachable routes in http, tcp and tls, and says nothing of a well-ordered VirtualService", () => {
        const found = analyzeRoutes({
            http: [{ route: [] }, { match: [{ uri: { exact: "/a" } }] }],
            tcp: [{ match: [{ port: 1 }] }, { match: [{ port: 1 }] }],
            tls: [{ route: [] }, { route: [] }],
        });
        assert.deepEqual(
            found.map((f) => f.code),
            ["IST0130", "IST0131", "IST0130", "IST0130"],
        );
        assert.deepEqual(analyzeRoutes({ http: [{ match: [{ uri: { prefix: "/api/v2" } }] }, { match: [{ uri: { prefix: "/api" } }] }, { route: [] }] }), []);
    });
});
