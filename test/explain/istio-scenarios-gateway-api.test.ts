/**
 * The Istio 1.30 tasks of istio-scenarios.test.ts written with the Gateway API (the tasks' "Gateway
 * API" tabs: an HTTPRoute whose parentRef is the Service, one Service per version), with the same
 * outcomes: the same pods reached with the same shares, the same refusals. Plus the Gateway API's
 * own semantics: rule precedence (HTTPRoute spec, gateway-api v1.3.0 HTTPRouteRule.matches), 404
 * when no rule matches, 500 when every backend has weight 0 (Istio conversion.go), and a
 * VirtualService beside an HTTPRoute for one host.
 */
import { strict as assert } from "node:assert";
import type { Explanation, K8sObject } from "../../tools/explain/types";
import { assertReached, assertRefused, destinationRule, namespace, run, service, virtualService } from "./helpers";

const versionService = (name: string, ns: string, version: string, port = 9080): K8sObject => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: `${name}-${version}`, namespace: ns },
    spec: { selector: { app: name, version }, ports: [{ name: "http", port }] },
});
const meshRoute = (name: string, ns: string, rules: unknown[], parent = name): K8sObject => ({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name, namespace: ns },
    spec: { parentRefs: [{ group: "", kind: "Service", name: parent, port: 9080 }], rules },
});
const to = (name: string, weight?: number) => ({ name, port: 9080, ...(weight === undefined ? {} : { weight }) });

const bookinfo = [
    namespace("default"),
    ...["productpage", "reviews", "ratings", "details"].map((s) => service(s, "default", 9080)),
    ...["v1", "v2", "v3"].map((v) => versionService("reviews", "default", v)),
];

/** Pods reached and their shares, by version label: what both APIs must agree on. */
const byVersion = (e: Explanation) => Object.fromEntries(e.outcome.destinations.map((d) => [d.podLabels.version ?? "any", d.weight]));

describe("explain (Gateway API mesh routes): Istio's request-routing task", () => {
    const routeByUser = meshRoute("reviews", "default", [
        { matches: [{ headers: [{ type: "Exact", name: "end-user", value: "jason" }] }], backendRefs: [to("reviews-v2")] },
        { backendRefs: [to("reviews-v1")] },
    ]);
    const vsRouteByUser = virtualService("reviews", "default", [
        { match: [{ headers: { "end-user": { exact: "jason" } } }], route: [{ destination: { host: "reviews", subset: "v2" } }] },
        { route: [{ destination: { host: "reviews", subset: "v1" } }] },
    ]);
    const vsObjects = [...bookinfo, destinationRule("reviews", "default", ["v1", "v2", "v3"]), vsRouteByUser];

    it("sends user jason to reviews v2, as the VirtualService does", () => {
        const opts = { from: "default/bookinfo-productpage", headers: { "end-user": "jason" } };
        const e = run([...bookinfo, routeByUser], "GET http://reviews:9080/reviews/0", opts);
        assertReached(e, { "reviews-v2.default.svc.cluster.local": 100 });
        assert.deepEqual(e.outcome.destinations[0].podLabels, { app: "reviews", version: "v2" });
        assert.deepEqual(byVersion(e), byVersion(run(vsObjects, "GET http://reviews:9080/reviews/0", opts)));
        const sidecar = e.hops.find((h) => h.hop === "source-sidecar");
        assert.equal(sidecar?.object, "gateway.networking.k8s.io/v1 HTTPRoute default/reviews");
        assert.equal(sidecar?.field, "spec.rules[0]");
    });

    it("sends every other user to reviews v1, as the VirtualService does", () => {
        const opts = { from: "default/bookinfo-productpage" };
        const e = run([...bookinfo, routeByUser], "GET http://reviews:9080/reviews/0", opts);
        assert.deepEqual(byVersion(e), { v1: 100 });
        assert.deepEqual(byVersion(e), byVersion(run(vsObjects, "GET http://reviews:9080/reviews/0", opts)));
    });

    it("takes the header rule even when it is listed after the catch-all (more header matches win; a VirtualService would take the first)", () => {
        const reversed = meshRoute("reviews", "default", [
            { backendRefs: [to("reviews-v1")] },
            { matches: [{ headers: [{ name: "end-user", value: "jason" }] }], backendRefs: [to("reviews-v2")] },
        ]);
        const e = run([...bookinfo, reversed], "GET http://reviews:9080/reviews/0", { from: "default/bookinfo-productpage", headers: { "end-user": "jason" } });
        assert.deepEqual(byVersion(e), { v2: 100 });
        assert.equal(e.hops.find((h) => h.hop === "source-sidecar")?.field, "spec.rules[1]");
    });

    it("prefers an Exact path over a longer prefix, and the longest prefix among prefixes", () => {
        const paths = meshRoute("reviews", "default", [
            { matches: [{ path: { type: "PathPrefix", value: "/reviews" } }], backendRefs: [to("reviews-v1")] },
            { matches: [{ path: { type: "PathPrefix", value: "/reviews/0" } }], backendRefs: [to("reviews-v2")] },
            { matches: [{ path: { type: "Exact", value: "/reviews/1" } }], backendRefs: [to("reviews-v3")] },
        ]);
        const objs = [...bookinfo, paths];
        const opts = { from: "default/bookinfo-productpage" };
        assert.deepEqual(byVersion(run(objs, "GET http://reviews:9080/reviews/0/x", opts)), { v2: 100 });
        assert.deepEqual(byVersion(run(objs, "GET http://reviews:9080/reviews/1", opts)), { v3: 100 });
        assert.deepEqual(byVersion(run(objs, "GET http://reviews:9080/reviews/10", opts)), { v1: 100 }, "PathPrefix matches whole path elements");
        assertRefused(run(objs, "GET http://reviews:9080/other", opts), "source-sidecar", 404, /no rule of the mesh HTTPRoutes matches/);
    });
});

describe("explain (Gateway API mesh routes): Istio's traffic-shifting task", () => {
    it("splits reviews 50/50 between v1 and v3, as the VirtualService does", () => {
        const split = meshRoute("reviews", "default", [{ backendRefs: [to("reviews-v1", 50), to("reviews-v3", 50)] }]);
        const e = run([...bookinfo, split], "GET http://reviews:9080/reviews/0", { from: "default/bookinfo-productpage" });
        assert.deepEqual(byVersion(e), { v1: 50, v3: 50 });
        assert.match(e.hops.find((h) => h.hop === "source-sidecar")!.decision, /weighted split reviews-v1 50%, reviews-v3 50%/);
        const vs = virtualService("reviews", "default", [
            {
                route: [
                    { destination: { host: "reviews", subset: "v1" }, weight: 50 },
                    { destination: { host: "reviews", subset: "v3" }, weight: 50 },
                ],
            },
        ]);
        assert.deepEqual(
            byVersion(
                run([...bookinfo, destinationRule("reviews", "default", ["v1", "v2", "v3"]), vs], "GET http://reviews:9080/reviews/0", { from: "default/bookinfo-productpage" }),
            ),
            byVersion(e),
        );
    });

    it("refuses with 503 a backend Service that does not exist (the subset no DestinationRule defines, in VirtualService terms)", () => {
        const r = meshRoute("ratings", "default", [{ backendRefs: [to("ratings-v2")] }]);
        assertRefused(
            run([...bookinfo, r], "GET http://ratings:9080/ratings/0", { from: "default/bookinfo-reviews" }),
            "source-sidecar",
            503,
            /ratings-v2\.default\.svc\.cluster\.local is not a Service among the objects/,
        );
    });

    it("answers 500 when every backend has weight 0 (Istio conversion.go, per the Gateway API spec)", () => {
        const r = meshRoute("reviews", "default", [{ backendRefs: [to("reviews-v1", 0)] }]);
        assertRefused(run([...bookinfo, r], "GET http://reviews:9080/reviews/0", { from: "default/bookinfo-productpage" }), "source-sidecar", 500, /only backends of weight 0/);
    });

    it("applies the version Service's DestinationRule (mTLS, outlier detection), not the parent's", () => {
        const r = meshRoute("reviews", "default", [{ backendRefs: [to("reviews-v1")] }]);
        const dr = destinationRule("reviews-v1", "default", [], { tls: { mode: "ISTIO_MUTUAL" }, outlierDetection: { consecutive5xxErrors: 3 } }, "reviews-v1");
        const e = run([...bookinfo, r, dr], "GET http://reviews:9080/reviews/0", { from: "default/bookinfo-productpage" });
        assert.match(
            e.hops.find((h) => h.hop === "source-sidecar")!.decision,
            /DestinationRule default\/reviews-v1 \(spec\.trafficPolicy\): TLS ISTIO_MUTUAL; outlier detection ejects a pod after 3 consecutive errors/,
        );
    });
});

describe("explain (Gateway API mesh routes): an HTTPRoute and a VirtualService for one host", () => {
    const r = meshRoute("reviews", "default", [{ backendRefs: [to("reviews-v2")] }]);
    const vs = virtualService(
        "reviews",
        "other",
        [{ route: [{ destination: { host: "reviews.default.svc.cluster.local", subset: "v1" } }] }],
        ["reviews.default.svc.cluster.local"],
    );
    const objs = [...bookinfo, namespace("other"), destinationRule("reviews", "default", ["v1"]), r, vs];

    it("a caller in the route's namespace gets the HTTPRoute, and explain says one of the two is ignored", () => {
        const e = run(objs, "GET http://reviews:9080/reviews/0", { from: "default/bookinfo-productpage" });
        assert.deepEqual(byVersion(e), { v2: 100 });
        assert.match(
            e.hops.find((h) => h.hop === "source-sidecar")!.decision,
            /both VirtualService other\/reviews and HTTPRoute default\/reviews route reviews\.default\.svc\.cluster\.local: Istio uses one and ignores the other \(here the HTTPRoute\)/,
        );
    });

    it("a Kong edge HTTPRoute (parent: a Gateway) is not a mesh route", () => {
        const edge: K8sObject = {
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "HTTPRoute",
            metadata: { name: "reviews-edge", namespace: "default" },
            spec: { parentRefs: [{ name: "kong", namespace: "kong" }], rules: [{ backendRefs: [to("reviews-v3")] }] },
        };
        const e = run([...bookinfo, edge], "GET http://reviews:9080/reviews/0", { from: "default/bookinfo-productpage" });
        assert.deepEqual(byVersion(e), { any: 100 });
    });
});
