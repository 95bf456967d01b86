/**
 * MeshService and MeshNamespace as components under the mock runtime: what
 * they register, with which names, parents and dependencies, and that turning
 * the mesh on adds the Istio side without touching the Kong side.
 */
import { validateCustomResource } from "../../policies/validate";
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import type { ServiceSpec } from "../../components/config";
// runProgram sets the mocks for each run; these modules create nothing when loaded.
import * as mn from "../../components/mesh-namespace";
import * as ms from "../../components/mesh-service";
import { runProgram, type PlanRun, type RecordedResource } from "../../tools/plan/runtime";
import { KONG_PRINCIPAL, orderService, scenario, spec, userService } from "./fixtures";

const gateway = { principal: KONG_PRINCIPAL, dbless: true };

/** A stand-in for the release that installs CRDs (istio/base, the kong chart). */
class FakeRelease extends pulumi.CustomResource {
    constructor(name: string) {
        super("kubernetes:helm.sh/v3:Release", name, { chart: name }, {});
    }
}

/** The scenario the way the Platform composes it: one MeshNamespace per namespace, one MeshService per service. */
function program(specs: ServiceSpec[], mesh: boolean): () => Record<string, unknown> {
    return () => {
        const istioBase = new FakeRelease("istio-base");
        const kong = new FakeRelease("kong");
        const egress = mn.calledNamespaces(specs);
        const namespaces = new Map<string, mn.MeshNamespace>();
        for (const s of specs) {
            if (!namespaces.has(s.namespace)) {
                namespaces.set(
                    s.namespace,
                    new mn.MeshNamespace(s.namespace, { namespace: s.namespace, environment: "dev", mesh, egressNamespaces: egress.get(s.namespace), istioCrds: [istioBase] }),
                );
            }
        }
        const services = specs.map(
            (s) => new ms.MeshService(s.name, { spec: s, mesh, gateway, namespace: namespaces.get(s.namespace)?.namespace, istioCrds: [istioBase], kongCrds: [kong] }),
        );
        return Object.fromEntries(services.map((svc) => [svc.fqdn, { paths: svc.paths, objects: svc.objectNames }]));
    };
}

const kinds = (run: PlanRun, parentName: string) =>
    run.resources
        .filter((r) => r.parent?.endsWith(`::${parentName}`))
        .map((r) => `${r.type} ${r.name}`)
        .sort();

describe("MeshService and MeshNamespace components", function () {
    this.timeout(60000);
    let meshOn: PlanRun;
    let gatewayOnly: PlanRun;

    before(async () => {
        const { user, order } = scenario();
        meshOn = await runProgram(program([user, order], true));
        gatewayOnly = await runProgram(program([user, order], false));
    });

    it("registers for the exposed user-service: DestinationRule, VirtualService, AuthorizationPolicy, Service, three KongPlugins and an Ingress", () => {
        assert.deepEqual(kinds(meshOn, "user-service"), [
            "kubernetes:configuration.konghq.com/v1:KongPlugin user-service-key-auth",
            "kubernetes:configuration.konghq.com/v1:KongPlugin user-service-rate-limiting",
            "kubernetes:configuration.konghq.com/v1:KongPlugin user-service-request-transformer",
            "kubernetes:core/v1:Service user-service-service",
            "kubernetes:networking.istio.io/v1:DestinationRule user-service-destination-rule",
            "kubernetes:networking.istio.io/v1:VirtualService user-service-virtual-service",
            "kubernetes:networking.k8s.io/v1:Ingress user-service-ingress",
            "kubernetes:security.istio.io/v1:AuthorizationPolicy user-service-authorization-policy",
        ]);
    });

    it("registers for the internal order-service: the three Istio objects and its Service", () => {
        assert.deepEqual(kinds(meshOn, "order-service"), [
            "kubernetes:core/v1:Service order-service-service",
            "kubernetes:networking.istio.io/v1:DestinationRule order-service-destination-rule",
            "kubernetes:networking.istio.io/v1:VirtualService order-service-virtual-service",
            "kubernetes:security.istio.io/v1:AuthorizationPolicy order-service-authorization-policy",
        ]);
    });

    it("applies the builders' manifests unchanged, with explicit metadata names", () => {
        const vs = meshOn.byType("kubernetes:networking.istio.io/v1:VirtualService").find((r) => r.name === "user-service-virtual-service");
        const { user } = scenario();
        const expected = ms.virtualService(user, ms.resolveContext({ gateway }));
        assert.deepEqual(vs?.inputs, { ...expected });
        const manifests = meshOn.resources.filter((x) => x.type.startsWith("kubernetes:") && x.type !== "kubernetes:helm.sh/v3:Release");
        assert.ok(manifests.length > 5, `${manifests.length} manifests`);
        for (const r of manifests) {
            const meta = r.inputs.metadata as { name?: string } | undefined;
            assert.ok(typeof meta?.name === "string" && meta.name.length > 0, `${r.name} has metadata.name`);
        }
    });

    it("makes Istio objects wait for the Istio CRDs and KongPlugins for the Kong CRDs, everything for its namespace, and the Ingress for Kong and its plugins", () => {
        const urn = (type: string, name: string) => meshOn.resources.find((r) => r.type === type && r.name === name)?.urn ?? "";
        const istioBase = urn("kubernetes:helm.sh/v3:Release", "istio-base");
        const kong = urn("kubernetes:helm.sh/v3:Release", "kong");
        const usersNs = urn("kubernetes:core/v1:Namespace", "users-namespace");
        const get = (name: string) => meshOn.resources.find((r) => r.name === name) as RecordedResource;
        assert.deepEqual(get("user-service-destination-rule").dependsOn.sort(), [istioBase, usersNs].sort());
        assert.deepEqual(get("user-service-key-auth").dependsOn.sort(), [kong, usersNs].sort());
        assert.deepEqual(get("user-service-service").dependsOn, [usersNs]);
        assert.deepEqual(
            get("user-service-ingress").dependsOn.sort(),
            [kong, usersNs, get("user-service-key-auth").urn, get("user-service-rate-limiting").urn, get("user-service-request-transformer").urn].sort(),
        );
    });

    it("registers the FQDN, the exposed paths and the emitted objects as outputs", () => {
        assert.deepEqual(meshOn.outputs["user-service.users.svc.cluster.local"], {
            paths: ["/api/v1/users"],
            objects: [
                "DestinationRule/users/user-service",
                "VirtualService/users/user-service",
                "AuthorizationPolicy/users/user-service",
                "Service/users/user-service",
                "KongPlugin/users/user-service-key-auth",
                "KongPlugin/users/user-service-rate-limiting",
                "KongPlugin/users/user-service-request-transformer",
                "Ingress/users/user-service",
            ],
        });
        assert.deepEqual(meshOn.outputs["order-service.orders.svc.cluster.local"], {
            paths: [],
            objects: ["DestinationRule/orders/order-service", "VirtualService/orders/order-service", "AuthorizationPolicy/orders/order-service", "Service/orders/order-service"],
        });
    });

    describe("gateway-only mode, then the mesh turned on", () => {
        const kongSide = (run: PlanRun) =>
            run.resources
                .filter((r) => /:(KongPlugin|Ingress|Service)$/.test(r.type) && r.type !== "meshgate:mesh:MeshService")
                .map((r) => ({ urn: r.urn, parent: r.parent, inputs: r.inputs }))
                .sort((a, b) => a.urn.localeCompare(b.urn));

        it("emits only the Kong side and the Services without the mesh", () => {
            assert.deepEqual(kinds(gatewayOnly, "user-service"), [
                "kubernetes:configuration.konghq.com/v1:KongPlugin user-service-key-auth",
                "kubernetes:configuration.konghq.com/v1:KongPlugin user-service-rate-limiting",
                "kubernetes:configuration.konghq.com/v1:KongPlugin user-service-request-transformer",
                "kubernetes:core/v1:Service user-service-service",
                "kubernetes:networking.k8s.io/v1:Ingress user-service-ingress",
            ]);
            assert.deepEqual(kinds(gatewayOnly, "order-service"), ["kubernetes:core/v1:Service order-service-service"]);
            assert.equal(gatewayOnly.resources.filter((r) => /istio\.io/.test(r.type)).length, 0);
        });

        it("keeps every Kong object and Service identical (same URNs, parents and inputs), so nothing is replaced", () => {
            const before = kongSide(gatewayOnly);
            const after = kongSide(meshOn);
            assert.equal(before.length, 6);
            assert.deepEqual(after, before);
        });

        it("only adds resources: every URN of the gateway-only plan is in the mesh plan", () => {
            const on = new Set(meshOn.resources.map((r) => r.urn));
            assert.ok(gatewayOnly.resources.length > 5, `${gatewayOnly.resources.length} resources`);
            assert.deepEqual(
                gatewayOnly.resources.map((r) => r.urn).filter((u) => !on.has(u)),
                [],
            );
        });

        it("labels the namespace for injection only with the mesh on, in place (same URN)", () => {
            const ns = (run: PlanRun) => run.resources.find((r) => r.name === "users-namespace");
            assert.deepEqual(ns(gatewayOnly)?.inputs.metadata, { name: "users", labels: { "meshgate.io/environment": "dev", "app.kubernetes.io/managed-by": "meshgate" } });
            assert.deepEqual(ns(meshOn)?.inputs.metadata, {
                name: "users",
                labels: { "meshgate.io/environment": "dev", "app.kubernetes.io/managed-by": "meshgate", "istio-injection": "enabled" },
            });
            assert.equal(ns(meshOn)?.urn, ns(gatewayOnly)?.urn);
        });
    });

    describe("MeshNamespace", () => {
        it("creates each namespace once with a STRICT PeerAuthentication named default", () => {
            assert.equal(meshOn.byType("kubernetes:core/v1:Namespace").length, 2);
            const pas = meshOn.byType("kubernetes:security.istio.io/v1:PeerAuthentication");
            assert.deepEqual(
                pas.map((p) => p.inputs),
                [
                    { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "default", namespace: "users" }, spec: { mtls: { mode: "STRICT" } } },
                    { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "default", namespace: "orders" }, spec: { mtls: { mode: "STRICT" } } },
                ],
            );
        });

        it("scopes egress of users (which calls orders) to itself, istio-system and orders", () => {
            const sidecar = meshOn.byType("kubernetes:networking.istio.io/v1:Sidecar").find((s) => (s.inputs.metadata as { namespace: string }).namespace === "users");
            assert.deepEqual(sidecar?.inputs.spec, { egress: [{ hosts: ["./*", "istio-system/*", "orders/*"] }] });
            const orders = meshOn.byType("kubernetes:networking.istio.io/v1:Sidecar").find((s) => (s.inputs.metadata as { namespace: string }).namespace === "orders");
            assert.deepEqual(orders?.inputs.spec, { egress: [{ hosts: ["./*", "istio-system/*"] }] });
        });

        it("is just the namespace in gateway-only mode", () => {
            assert.deepEqual(kinds(gatewayOnly, "users"), ["kubernetes:core/v1:Namespace users-namespace"]);
        });

        it("emits no Sidecar unless egress scoping is asked for", async () => {
            const run = await runProgram(() => {
                new mn.MeshNamespace("plain", { namespace: "plain", environment: "prod" });
            });
            assert.deepEqual(kinds(run, "plain"), [
                "kubernetes:core/v1:Namespace plain-namespace",
                "kubernetes:security.istio.io/v1:AuthorizationPolicy plain-default-deny",
                "kubernetes:security.istio.io/v1:PeerAuthentication plain-peer-authentication",
            ]);
        });

        it("denies by default: an allow-nothing AuthorizationPolicy for the whole namespace, after the Istio CRDs", () => {
            const deny = meshOn.byType("kubernetes:security.istio.io/v1:AuthorizationPolicy").find((r) => r.name === "users-default-deny");
            assert.ok(deny, "users has a default-deny policy");
            assert.deepEqual(deny.inputs, {
                apiVersion: "security.istio.io/v1",
                kind: "AuthorizationPolicy",
                metadata: { name: "default-deny", namespace: "users" },
                spec: {},
            });
            assert.deepEqual(validateCustomResource(deny.inputs), []);
            const istioBase = meshOn.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "istio-base");
            assert.ok(istioBase && deny.dependsOn.includes(istioBase.urn));
        });

        it("computes the namespaces each namespace calls in one pass, ignoring external callers and calls within a namespace", () => {
            const called = mn.calledNamespaces([
                { namespace: "a", allowFrom: [] },
                { namespace: "b", allowFrom: ["a/x", "b/y", { principal: "c/z", external: true }] },
                { namespace: "c", allowFrom: ["a/x", "b/y"] },
            ]);
            assert.deepEqual(Object.fromEntries(called), { a: ["b", "c"], b: ["c"], c: [] });
        });
    });

    describe("oauth2 (Kong on postgres)", () => {
        it("generates the provision key with @pulumi/random and keeps it secret in a Secret the plugin is patched from", async () => {
            const s = spec({ name: "billing", namespace: "billing", port: 80, gateway: { paths: ["/billing"], auth: "oauth2" } }, [], {
                gateway: { mode: "postgres", postgres: { external: { host: "db.example.internal" } } },
            });
            const run = await runProgram(() => {
                new ms.MeshService("billing", { spec: s, gateway: { ...gateway, dbless: false } });
            });
            const secret = run.byType("kubernetes:core/v1:Secret")[0];
            assert.equal(secret.inputs.stringData, "[secret]");
            assert.equal((secret.inputs.metadata as { name: string }).name, "billing-oauth2");
            assert.equal(run.byType("random:index/randomPassword:RandomPassword").length, 1);
            const plugin = run.byType("kubernetes:configuration.konghq.com/v1:KongPlugin")[0];
            assert.ok(plugin.dependsOn.includes(secret.urn), "the plugin waits for its Secret");
            assert.equal(JSON.stringify(plugin.inputs).includes("placeholder-"), false, "the key is not in the KongPlugin");
        });
    });

    describe("a Service meshgate does not own", () => {
        it("is annotated with a ServicePatch when exposed, and left alone when internal", async () => {
            const exposed = spec({ ...userService, createService: false });
            const internal = spec({ ...orderService, createService: false }, [userService]);
            const run = await runProgram(() => {
                new ms.MeshService("user-service", { spec: exposed, gateway });
                new ms.MeshService("order-service", { spec: internal, gateway });
            });
            const patches = run.byType("kubernetes:core/v1:ServicePatch");
            assert.deepEqual(
                patches.map((p) => [p.name, p.inputs.metadata]),
                [
                    [
                        "user-service-service-patch",
                        {
                            name: "user-service",
                            namespace: "users",
                            annotations: { "ingress.kubernetes.io/service-upstream": "true", "konghq.com/host-header": "user-service.users.svc.cluster.local" },
                        },
                    ],
                ],
            );
            assert.equal(run.byType("kubernetes:core/v1:Service").length, 0);
        });
    });
});
