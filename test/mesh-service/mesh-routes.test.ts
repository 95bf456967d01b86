/**
 * `meshRouting: gateway-api` builders: the mesh HTTPRoute on the Service, a Service and a
 * DestinationRule per version, what they carry, and that every object is valid against the
 * Gateway API v1.3.0 and Istio 1.30 CRDs (schema and CEL) through policies/validate.
 */
import * as assert from "node:assert/strict";
import type { ServiceSpecInput } from "../../components/config";
import {
    allManifests,
    canaryHeaderMatch,
    workloadContract,
    destinationRule,
    meshHttpRoute,
    meshServiceObjects,
    resolveContext,
    versionDestinationRules,
    versionServices,
} from "../../components/mesh-service";
import { validateCustomResource } from "../../policies/validate";
import { KONG_PRINCIPAL, spec } from "./fixtures";

const gateway = { principal: KONG_PRINCIPAL, dbless: true };
const ctx = resolveContext({ gateway, meshRouting: "gateway-api" });
const user: ServiceSpecInput = {
    name: "user-service",
    namespace: "users",
    port: 8080,
    targetPort: 9000,
    versions: [
        { name: "v1", weight: 90 },
        { name: "v2", weight: 10 },
        { name: "v3", weight: 0 },
    ],
    canary: { header: "x-version", equals: "v2", version: "v2" },
    gateway: { paths: ["/api/v1/users"], auth: "key-auth" },
    resilience: { timeout: "2.5s", outlierDetection: { consecutive5xxErrors: 3 }, connectionPool: { maxConnections: 50 } },
};

describe("MeshService builders, mesh.routing gateway-api", () => {
    it("routes on an HTTPRoute whose parent is the Service: the canary's header rule, then the weighted versions (weight 0 left out), each with the timeout", () => {
        const r = meshHttpRoute(spec(user), ctx);
        assert.deepEqual(r.metadata.name, "user-service");
        assert.deepEqual(r.spec.parentRefs, [{ group: "", kind: "Service", name: "user-service" }]);
        assert.deepEqual(r.spec.rules, [
            {
                matches: [{ path: { type: "PathPrefix", value: "/" }, headers: [{ type: "Exact", name: "x-version", value: "v2" }] }],
                backendRefs: [{ name: "user-service-v2", port: 8080 }],
                timeouts: { request: "2s500ms" },
            },
            {
                matches: [{ path: { type: "PathPrefix", value: "/" } }],
                backendRefs: [
                    { name: "user-service-v1", port: 8080, weight: 90 },
                    { name: "user-service-v2", port: 8080, weight: 10 },
                ],
                timeouts: { request: "2s500ms" },
            },
        ]);
        assert.notEqual(r.spec.rules[0].timeouts, r.spec.rules[1].timeouts, "no shared references in the manifests");
    });

    it("routes a service without versions to its own Service, one backend without weight, and no timeout when none is declared", () => {
        const r = meshHttpRoute(spec({ name: "web", namespace: "shop", port: 80 }), ctx);
        assert.deepEqual(r.spec.rules, [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name: "web", port: 80 }] }]);
    });

    it("matches a canary prefix as an escaped regular expression and passes a regex through", () => {
        assert.deepEqual(canaryHeaderMatch({ header: "x-t", prefix: "beta.1+", version: "v2", clientSelectable: false }), {
            type: "RegularExpression",
            name: "x-t",
            value: "beta\\.1\\+.*",
        });
        assert.deepEqual(canaryHeaderMatch({ header: "x-t", regex: "^b.*$", version: "v2", clientSelectable: false }), { type: "RegularExpression", name: "x-t", value: "^b.*$" });
    });

    it("gives every declared version a Service selecting app and version on the http port (weight 0 included: the canary may pin it)", () => {
        const svcs = versionServices(spec(user), ctx);
        assert.deepEqual(
            svcs.map((s) => s.metadata.name),
            ["user-service-v1", "user-service-v2", "user-service-v3"],
        );
        assert.deepEqual(svcs[1].spec, { selector: { app: "user-service", version: "v2" }, ports: [{ name: "http", port: 8080, targetPort: 9000, protocol: "TCP" }] });
        assert.equal(svcs[1].metadata.annotations?.["konghq.com/host-header"], undefined, "Kong sends to the Service itself, never to a version Service");
    });

    it("gives every version Service the service's traffic policy (mTLS, outlier detection, connection pool), and the service's DestinationRule loses its unused subsets", () => {
        const s = spec(user);
        const drs = versionDestinationRules(s, ctx);
        const vsMode = destinationRule(s, resolveContext({ gateway }));
        assert.deepEqual(
            drs.map((d) => d.spec.host),
            ["user-service-v1.users.svc.cluster.local", "user-service-v2.users.svc.cluster.local", "user-service-v3.users.svc.cluster.local"],
        );
        for (const d of drs) assert.deepEqual(d.spec.trafficPolicy, vsMode.spec.trafficPolicy);
        const objects = meshServiceObjects(s, { gateway, meshRouting: "gateway-api" });
        assert.equal(objects.destinationRule?.spec.subsets, undefined);
        assert.equal(objects.virtualService, undefined);
        assert.deepEqual(objects.authorizationPolicy, meshServiceObjects(s, { gateway }).authorizationPolicy, "authorization selects pods, so it does not change");
        assert.deepEqual(objects.ingress, meshServiceObjects(s, { gateway }).ingress, "the Kong side does not change");
    });

    it("adds the version Services to the workload contract (a contract change: the team must not create Services of these names); none with VirtualServices", () => {
        assert.deepEqual(workloadContract(spec(user), ctx).versionServices, ["user-service-v1", "user-service-v2", "user-service-v3"]);
        assert.equal("versionServices" in workloadContract(spec(user), resolveContext({ gateway })), false);
    });

    it("emits nothing of the mesh routing in gateway-only mode", () => {
        const objects = meshServiceObjects(spec(user), { gateway, mesh: false, meshRouting: "gateway-api" });
        assert.equal(objects.meshRoute, undefined);
        assert.equal(objects.versionServices, undefined);
        assert.equal(objects.destinationRule, undefined);
    });

    it("emits only objects valid against the Gateway API v1.3.0 and Istio 1.30 CRDs, CEL included", () => {
        for (const input of [user, { name: "web", namespace: "shop", port: 80 }, { ...user, canary: { header: "x-tenant", regex: "^beta-.*$", version: "v3" } }]) {
            const manifests = allManifests(meshServiceObjects(spec(input), { gateway, meshRouting: "gateway-api" })).filter(
                (m) => m.apiVersion !== "v1" && m.apiVersion !== "networking.k8s.io/v1",
            );
            assert.ok(manifests.some((m) => m.kind === "HTTPRoute"));
            for (const m of manifests) assert.deepEqual(validateCustomResource(m), [], `${m.kind} ${m.metadata.name}`);
        }
    });
});
