/**
 * Acceptance of `gateway.api: gateway-api` (issue 18, part A): meshgate's stacks planned with
 * Kong's routes as HTTPRoutes on a Kong Gateway route every declared request exactly as with
 * Ingresses (explained route by route), break no mandatory rule, and every Gateway API object
 * they hold is valid against the v1.3.0 CRDs, CEL included.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { objectsFromRecorded } from "../../tools/explain/objects";
import type { K8sObject, RoutesDocument, RoutesEntry } from "../../tools/explain/types";
import { plan, toPlainResource } from "../../tools/plan/plan";
import type { RecordedResource } from "../../tools/plan/runtime";
import { readStackConfig, stackConfigPath } from "../../tools/plan/stack-config";
import { runRule } from "../policies/harness";
import { run } from "../explain/helpers";
import { buildReportModel } from "../../tools/report";
import { DeployGraph, recordedEdges, unavoidableEdges } from "../../tools/bench/critical-path";

type Config = Record<string, unknown>;

function withSetting(config: Config, key: string, setting: Record<string, unknown>): Config {
    const current = config[key];
    return { ...config, [key]: { ...(typeof current === "object" && current !== null ? current : {}), ...setting } };
}
const gatewayApi = (config: Config): Config => withSetting(config, "meshgate:gateway", { api: "gateway-api" });
const meshOff = (config: Config): Config => withSetting(config, "meshgate:mesh", { enabled: false });

interface Planned {
    resources: readonly RecordedResource[];
    objects: K8sObject[];
    mandatory: string[];
    routes: RoutesDocument;
}

async function planned(stack: string, config: Config, outDir: string): Promise<Planned> {
    const result = await plan({ stack, config, outDir });
    assert.equal(result.kind, "planned");
    if (result.kind !== "planned") throw new Error("not planned");
    return {
        resources: result.run.resources,
        objects: objectsFromRecorded(result.run.resources),
        mandatory: result.violations.filter((v) => v.level === "mandatory").map((v) => `${v.policy}: ${v.message}`),
        routes: JSON.parse(fs.readFileSync(path.join(outDir, "routes.json"), "utf8")) as RoutesDocument,
    };
}

/** What a client sees of a request, and what Kong did to it: compared route by route. */
function outcome(e: RoutesEntry) {
    return {
        service: e.service,
        reached: e.outcome.reached,
        status: e.outcome.status,
        hop: e.outcome.hop,
        answered: e.outcome.answered,
        destinations: e.outcome.destinations,
        plugins: e.hops.filter((h) => h.hop === "kong-plugin").map((h) => `${h.result}: ${h.decision}`),
        upstream: e.hops.filter((h) => h.hop === "kong-upstream").map((h) => `${h.result}: ${h.decision}`),
    };
}

function assertSameRouting(ingress: RoutesDocument, gateway: RoutesDocument, atLeast: number): void {
    const external = (d: RoutesDocument) => d.entries.filter((e) => e.request.from === null);
    assert.ok(external(ingress).length >= atLeast, `requests through Kong: ${external(ingress).length}`);
    assert.deepEqual(
        gateway.entries.map((e) => e.id),
        ingress.entries.map((e) => e.id),
        "the same requests are enumerated",
    );
    const byId = new Map(gateway.entries.map((e) => [e.id, e]));
    for (const e of ingress.entries) {
        const g = byId.get(e.id)!;
        assert.deepEqual(outcome(g), outcome(e), `${e.id}`);
        if (e.route !== null) {
            // Same declared path, on the service's HTTPRoute <service>-edge instead of its Ingress.
            assert.equal(g.route, e.route.replace("#", "-edge#"), e.id);
            assert.match(g.hops.find((h) => h.hop === "kong-route")?.object ?? "", /^gateway\.networking\.k8s\.io\/v1 HTTPRoute /, e.id);
        }
    }
}

const GATEWAY_API = /^gateway\.networking\.k8s\.io\//;

describe("gateway.api: gateway-api on meshgate's stacks", function () {
    this.timeout(120_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "meshgate-gwapi-"));
    const dir = (name: string) => path.join(tmp, name);
    let devIngress: Planned;
    let devGateway: Planned;

    before(async () => {
        const dev = readStackConfig(stackConfigPath("dev"));
        devIngress = await planned("dev", dev, dir("dev-ingress"));
        devGateway = await planned("dev", gatewayApi(dev), dir("dev-gateway"));
    });

    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("dev routes every declared request as with Ingresses: same status, service, plugins and version split, route by route", () => {
        assert.deepEqual(devGateway.mandatory, []);
        assertSameRouting(devIngress.routes, devGateway.routes, 7);
    });

    it("dev holds no Ingress, one HTTPRoute <service>-edge per exposed service on Kong's Gateway, the GatewayClass, the Gateway and the five CRDs", () => {
        const kinds = (p: Planned, kind: string) => p.objects.filter((o) => o.kind === kind);
        assert.equal(kinds(devGateway, "Ingress").length, 0);
        const routes = kinds(devGateway, "HTTPRoute");
        assert.deepEqual(
            routes.map((r) => `${r.metadata?.namespace}/${r.metadata?.name}`).sort(),
            kinds(devIngress, "Ingress")
                .map((i) => `${i.metadata?.namespace}/${i.metadata?.name}-edge`)
                .sort(),
        );
        assert.ok(routes.length >= 2);
        for (const r of routes)
            assert.deepEqual((r.spec as { parentRefs: unknown }).parentRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", namespace: "kong", name: "kong" }]);
        assert.equal(kinds(devGateway, "GatewayClass").length, 1);
        assert.equal(kinds(devGateway, "Gateway").filter((g) => GATEWAY_API.test(g.apiVersion ?? "")).length, 1);
        assert.equal(devGateway.resources.filter((r) => r.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition").length, 5);
    });

    it("the Gateway API CRDs are installed before the kong release (KIC starts with its Gateway API support on), the Gateway after it", () => {
        const byName = (type: string) => devGateway.resources.find((r) => r.type === type && (type !== "kubernetes:helm.sh/v3:Release" || r.name === "meshgate-gateway-release"));
        const release = byName("kubernetes:helm.sh/v3:Release");
        const crds = devGateway.resources.filter((r) => r.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition").map((r) => r.urn);
        const gateway = devGateway.resources.find((r) => r.type === "kubernetes:gateway.networking.k8s.io/v1:Gateway");
        assert.ok(release && gateway, "the kong release and the Gateway are planned");
        assert.equal(crds.length, 5);
        // A dependency on a component is recorded as one on each of its resources.
        assert.deepEqual(
            crds.filter((u) => !release.dependsOn.includes(u)),
            [],
            `kong release dependsOn: ${release.dependsOn.join(", ")}`,
        );
        assert.ok(gateway.dependsOn.includes(release.urn), `Gateway dependsOn: ${gateway.dependsOn.join(", ")}`);
        assert.deepEqual(
            crds.filter((u) => !gateway.dependsOn.includes(u)),
            [],
        );
    });

    it("the deploy model has the edges: CRDs → kong release (recorded), CRDs → every Gateway API object (unavoidable)", () => {
        const g = new DeployGraph(devGateway.resources);
        const crds = devGateway.resources.filter((r) => r.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition").map((r) => r.urn);
        const release = devGateway.resources.find((r) => r.name === "meshgate-gateway-release")!.urn;
        const recorded = recordedEdges(g);
        assert.equal(crds.length, 5, "GatewayClass, Gateway, HTTPRoute, GRPCRoute, ReferenceGrant");
        assert.deepEqual(
            crds.filter((c) => !recorded.some((e) => e.from === c && e.to === release)),
            [],
        );
        const unavoidable = unavoidableEdges(g).filter((e) => e.kind === "crd" && crds.includes(e.from));
        const objects = devGateway.resources.filter((r) => r.type.startsWith("kubernetes:gateway.networking.k8s.io/"));
        assert.equal(objects.length, 4);
        for (const o of objects)
            assert.ok(
                unavoidable.some((e) => e.to === o.urn),
                `no crd edge to ${o.urn}`,
            );
    });

    it("every Gateway API object planned is valid against the v1.3.0 CRDs (kubernetes-crd-schema evaluates their schema and CEL), and a broken HTTPRoute is refused", async () => {
        const gw = devGateway.resources.filter((r) => r.type.startsWith("kubernetes:gateway.networking.k8s.io/"));
        assert.equal(gw.length, 4, gw.map((r) => r.type).join(", "));
        assert.deepEqual(await runRule("kubernetes-crd-schema", gw.map(toPlainResource)), []);
        const route = toPlainResource(gw.find((r) => r.type.endsWith(":HTTPRoute"))!);
        const props = structuredClone(route.props) as { spec: { rules: { matches: { path: { value: string } }[] }[] } };
        props.spec.rules[0].matches[0].path.value = "api/v1/users";
        const vs = await runRule("kubernetes-crd-schema", [{ ...route, props }]);
        assert.ok(
            vs.some((v) => /must be an absolute path and start with '\/'/.test(v.message)),
            JSON.stringify(vs),
        );
    });

    it("the report shows the same Kong routes (path, methods, service, auth, rate limit) on the HTTPRoutes, and no route for a mesh HTTPRoute whose parent is a Service", () => {
        const routes = (p: Planned, extra: RecordedResource[] = []) =>
            buildReportModel({ stack: "dev", source: "plan", resources: [...p.resources, ...extra], violations: [] }).routes.map((r) => [
                r.id,
                r.pathType,
                r.methods.join(","),
                r.service,
                r.auth.join(","),
                r.rateLimit.join(","),
                r.problems.join("; "),
            ]);
        const viaIngress = routes(devIngress);
        assert.ok(viaIngress.length >= 2);
        const expected = viaIngress.map(([id, pathType, ...rest]) => [id.replace("#", "-edge#"), pathType === "Prefix" ? "PathPrefix" : pathType, ...rest]);
        const mesh: RecordedResource = {
            ...devGateway.resources.find((r) => r.type === "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")!,
            urn: "urn:pulumi:dev::meshgate::mesh-route",
            name: "user-service",
            inputs: {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "HTTPRoute",
                metadata: { name: "user-service", namespace: "users" },
                spec: { parentRefs: [{ group: "", kind: "Service", name: "user-service", port: 8080 }], rules: [{ backendRefs: [{ name: "user-service", port: 8080 }] }] },
            },
        };
        assert.deepEqual(routes(devGateway, [mesh]), expected);
    });

    it("gateway-only mode (mesh off) with gateway-api routes as gateway-only with Ingresses, without a mandatory violation", async () => {
        const dev = meshOff(readStackConfig(stackConfigPath("dev")));
        const ingress = await planned("dev", dev, dir("dev-gwonly-ingress"));
        const gateway = await planned("dev", gatewayApi(dev), dir("dev-gwonly-gateway"));
        assert.deepEqual(gateway.mandatory, []);
        assert.equal(gateway.objects.filter((o) => o.kind === "VirtualService").length, 0);
        assertSameRouting(ingress.routes, gateway.routes, 7);
    });

    for (const stack of ["staging", "prod"]) {
        it(`${stack} planned with gateway-api has no mandatory violation and no Ingress`, async () => {
            const p = await planned(stack, gatewayApi(readStackConfig(stackConfigPath(stack))), dir(stack));
            assert.deepEqual(p.mandatory, []);
            assert.equal(p.objects.filter((o) => o.kind === "Ingress").length, 0);
            assert.ok(p.objects.filter((o) => o.kind === "HTTPRoute").length >= 2);
        });
    }

    it("explain refuses (404 at Kong's router) a request whose HTTPRoute the Kong Gateway does not admit", () => {
        const objects = devGateway.objects.map((o) =>
            o.kind === "Gateway" && GATEWAY_API.test(o.apiVersion ?? "")
                ? { ...o, spec: { ...(o.spec as object), listeners: [{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Same" } } }] } }
                : o,
        );
        const admitted = run(devGateway.objects, "GET http://edge.invalid/api/v1/catalog");
        assert.equal(admitted.outcome.reached, true, admitted.outcome.reason);
        const refused = run(objects, "GET http://edge.invalid/api/v1/catalog");
        assert.equal(refused.outcome.reached, false);
        assert.equal(refused.outcome.hop, "kong-route");
        assert.equal(refused.outcome.status, 404);
    });
});
