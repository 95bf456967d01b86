/**
 * Istio 1.30 tasks, with the outcomes their pages state, as explain sees them
 * before deploy. Objects are the tasks' own (Bookinfo, httpbin, sleep).
 */
import { strict as assert } from "node:assert";
import { assertReached, assertRefused, authorizationPolicy, destinationRule, namespace, peerAuthentication, run, service, virtualService } from "./helpers";

const bookinfo = [
    namespace("default"),
    ...["productpage", "reviews", "ratings", "details"].map((s) => service(s, "default", 9080)),
    destinationRule("reviews", "default", ["v1", "v2", "v3"]),
];

describe("explain: Istio's request-routing task (istio.io/v1.30 docs/tasks/traffic-management/request-routing)", () => {
    const routeByUser = virtualService("reviews", "default", [
        { match: [{ headers: { "end-user": { exact: "jason" } } }], route: [{ destination: { host: "reviews", subset: "v2" } }] },
        { route: [{ destination: { host: "reviews", subset: "v1" } }] },
    ]);

    it("sends user jason to reviews v2 (black stars)", () => {
        const e = run([...bookinfo, routeByUser], "GET http://reviews:9080/reviews/0", { from: "default/bookinfo-productpage", headers: { "end-user": "jason" } });
        assertReached(e, { v2: 100 });
        assert.deepEqual(e.outcome.destinations[0].podLabels, { app: "reviews", version: "v2" });
        const sidecar = e.hops.find((h) => h.hop === "source-sidecar");
        assert.equal(sidecar?.object, "networking.istio.io/v1 VirtualService default/reviews");
        assert.equal(sidecar?.field, "spec.http[0]");
    });

    it("sends every other user to reviews v1 (no stars)", () => {
        assertReached(run([...bookinfo, routeByUser], "GET http://reviews:9080/reviews/0", { from: "default/bookinfo-productpage" }), { v1: 100 });
    });

    it("without a VirtualService balances over every version (no subset)", () => {
        const e = run(bookinfo, "GET http://reviews:9080/reviews/0", { from: "default/bookinfo-productpage" });
        assert.equal(e.outcome.reached, true);
        assert.deepEqual(e.outcome.destinations, [{ host: "reviews.default.svc.cluster.local", subset: null, weight: 100, podLabels: { app: "reviews" } }]);
    });
});

describe("explain: Istio's traffic-shifting task (docs/tasks/traffic-management/traffic-shifting)", () => {
    it("splits reviews 50/50 between v1 and v3", () => {
        const vs = virtualService("reviews", "default", [
            {
                route: [
                    { destination: { host: "reviews", subset: "v1" }, weight: 50 },
                    { destination: { host: "reviews", subset: "v3" }, weight: 50 },
                ],
            },
        ]);
        const e = run([...bookinfo, vs], "GET http://reviews:9080/reviews/0", { from: "default/bookinfo-productpage" });
        assertReached(e, { v1: 50, v3: 50 });
        assert.match(e.hops.find((h) => h.hop === "source-sidecar")!.decision, /weighted split v1 50%, v3 50%/);
    });

    it("refuses with 503 a subset no DestinationRule defines", () => {
        const vs = virtualService("ratings", "default", [{ route: [{ destination: { host: "ratings", subset: "v2" } }] }]);
        assertRefused(
            run([...bookinfo, vs], "GET http://ratings:9080/ratings/0", { from: "default/bookinfo-reviews" }),
            "source-sidecar",
            503,
            /subset v2 is defined by no DestinationRule/,
        );
    });
});

describe("explain: Istio's HTTP authorization task (docs/tasks/security/authorization/authz-http)", () => {
    const allowNothing = authorizationPolicy("allow-nothing", "default", {});
    const productpageViewer = authorizationPolicy("productpage-viewer", "default", {
        selector: { matchLabels: { app: "productpage" } },
        action: "ALLOW",
        rules: [{ to: [{ operation: { methods: ["GET"] } }] }],
    });
    const detailsViewer = authorizationPolicy("details-viewer", "default", {
        selector: { matchLabels: { app: "details" } },
        action: "ALLOW",
        rules: [{ from: [{ source: { principals: ["cluster.local/ns/default/sa/bookinfo-productpage"] } }], to: [{ operation: { methods: ["GET"] } }] }],
    });
    const objects = [...bookinfo, allowNothing, productpageViewer, detailsViewer];

    it("allow-nothing denies everything with RBAC: access denied", () => {
        assertRefused(run([...bookinfo, allowNothing], "GET http://productpage:9080/productpage", { from: "default/sleep" }), "destination-sidecar", 403, /RBAC: access denied/);
    });

    it("productpage-viewer then allows GET to productpage from anyone", () => {
        assert.equal(run(objects, "GET http://productpage:9080/productpage", { from: "default/sleep" }).outcome.reached, true);
        assertRefused(run(objects, "POST http://productpage:9080/productpage", { from: "default/sleep" }), "destination-sidecar", 403);
    });

    it("details-viewer allows the productpage service account and no one else", () => {
        const ok = run(objects, "GET http://details:9080/details/0", { from: "default/bookinfo-productpage" });
        assert.equal(ok.outcome.reached, true);
        assert.equal(ok.hops.find((h) => h.hop === "destination-sidecar")?.object, "security.istio.io/v1 AuthorizationPolicy default/details-viewer");
        assertRefused(
            run(objects, "GET http://details:9080/details/0", { from: "default/sleep" }),
            "destination-sidecar",
            403,
            /cluster\.local\/ns\/default\/sa\/sleep matches no ALLOW policy/,
        );
    });
});

describe("explain: Istio's deny task (docs/tasks/security/authorization/authz-deny) and policy precedence CUSTOM → DENY → ALLOW", () => {
    const objects = [
        namespace("foo"),
        service("httpbin", "foo", 8000),
        namespace("sleep"),
        authorizationPolicy("deny-method-get", "foo", { selector: { matchLabels: { app: "httpbin" } }, action: "DENY", rules: [{ to: [{ operation: { methods: ["GET"] } }] }] }),
    ];

    it("denies GET and lets POST through", () => {
        assertRefused(run(objects, "GET http://httpbin.foo:8000/get", { from: "sleep/sleep" }), "destination-sidecar", 403, /DENY policy foo\/deny-method-get/);
        assert.equal(run(objects, "POST http://httpbin.foo:8000/post", { from: "sleep/sleep" }).outcome.reached, true);
    });

    it("DENY wins over an ALLOW that also matches", () => {
        const allowAll = authorizationPolicy("allow-all", "foo", { action: "ALLOW", rules: [{}] });
        assertRefused(run([...objects, allowAll], "GET http://httpbin.foo:8000/get", { from: "sleep/sleep" }), "destination-sidecar", 403, /DENY/);
    });

    it("a mesh-wide policy in the root namespace applies to every namespace", () => {
        const meshDeny = authorizationPolicy("global-deny", "istio-system", { action: "DENY", rules: [{ to: [{ operation: { paths: ["/admin*"] } }] }] });
        assertRefused(
            run([...objects.slice(0, 3), meshDeny], "POST http://httpbin.foo:8000/admin/x", { from: "sleep/sleep" }),
            "destination-sidecar",
            403,
            /istio-system\/global-deny/,
        );
    });
});

describe("explain: Istio's mutual TLS migration task (docs/tasks/security/authentication/mtls-migration)", () => {
    const base = [namespace("foo"), namespace("bar"), namespace("legacy", false), service("httpbin", "foo", 8000)];

    it("PERMISSIVE (no PeerAuthentication) accepts plain text from sleep.legacy", () => {
        const e = run(base, "GET http://httpbin.foo:8000/ip", { from: "legacy/sleep" });
        assert.equal(e.outcome.reached, true);
        assert.match(e.hops.find((h) => h.hop === "destination-sidecar")!.decision, /PERMISSIVE, the caller sends plain text/);
    });

    it("STRICT in foo refuses sleep.legacy (no sidecar, plain text) and accepts sleep.bar", () => {
        const strict = [...base, peerAuthentication("foo", "STRICT")];
        assertRefused(run(strict, "GET http://httpbin.foo:8000/ip", { from: "legacy/sleep" }), "destination-sidecar", 0, /STRICT accepts only Istio mTLS/);
        assert.equal(run(strict, "GET http://httpbin.foo:8000/ip", { from: "bar/sleep" }).outcome.reached, true);
    });

    it("a workload-level PeerAuthentication overrides the namespace's, and a DestinationRule with tls DISABLE breaks STRICT", () => {
        const objects = [
            ...base,
            peerAuthentication("foo", "PERMISSIVE"),
            peerAuthentication("foo", "STRICT", "httpbin", { app: "httpbin" }),
            destinationRule("httpbin", "foo", [], { tls: { mode: "DISABLE" } }),
        ];
        assertRefused(run(objects, "GET http://httpbin.foo:8000/ip", { from: "bar/sleep" }), "destination-sidecar", 503, /workload-level PeerAuthentication: mode STRICT/);
    });
});
