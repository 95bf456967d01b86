/**
 * Both halves of issue 18 at once: the dev stack with Kong's routes as HTTPRoutes on Kong's
 * Gateway (`gateway.api: gateway-api`) and the mesh's as HTTPRoutes on the Services
 * (`mesh.routing: gateway-api`) routes every declared request as the dev stack with Ingresses
 * and VirtualServices does (routes.json, route by route), installs one set of Gateway API CRDs
 * before Kong, and gives no mandatory violation. Retries are left out on both sides: the Gateway
 * API's standard channel cannot say them (mesh.routing refuses them, test/explain/mesh-routing).
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { RoutesDocument, RoutesEntry } from "../../tools/explain/types";
import { plan } from "../../tools/plan/plan";
import type { RecordedResource } from "../../tools/plan/runtime";
import { readStackConfig, stackConfigPath } from "../../tools/plan/stack-config";

type Config = Record<string, unknown>;

/** dev's config without retries, with the given Gateway API settings. */
function devWith(settings: { edge?: boolean; mesh?: boolean }): Config {
    const config = structuredClone(readStackConfig(stackConfigPath("dev")));
    for (const s of config["meshgate:services"] as { resilience?: Record<string, unknown> }[]) {
        if (s.resilience !== undefined) delete s.resilience.retries;
    }
    if (settings.edge) config["meshgate:gateway"] = { ...(config["meshgate:gateway"] as Config), api: "gateway-api" };
    if (settings.mesh) config["meshgate:mesh"] = { ...(config["meshgate:mesh"] ?? {}), routing: "gateway-api" };
    return config;
}

interface Planned {
    resources: readonly RecordedResource[];
    mandatory: string[];
    routes: RoutesDocument;
}

async function planned(config: Config): Promise<Planned> {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "meshgate-both-"));
    try {
        const result = await plan({ stack: "dev", config, outDir });
        if (result.kind !== "planned") throw new Error(`dev was not planned: ${result.kind}`);
        return {
            resources: result.run.resources,
            mandatory: result.violations.filter((v) => v.level === "mandatory").map((v) => `${v.policy}: ${v.message}`),
            routes: JSON.parse(fs.readFileSync(path.join(outDir, "routes.json"), "utf8")) as RoutesDocument,
        };
    } finally {
        fs.rmSync(outDir, { recursive: true, force: true });
    }
}

/**
 * What a client sees of a request: compared route by route. Destinations by the pods they
 * reach and their share: the mesh HTTPRoute names a Service per version where the
 * VirtualService names a subset of one host, the pods are the same.
 */
function outcome(e: RoutesEntry) {
    const destinations = e.outcome.destinations.map((d) => ({ pods: d.podLabels, weight: d.weight }));
    return { service: e.service, reached: e.outcome.reached, status: e.outcome.status, hop: e.outcome.hop, answered: e.outcome.answered, destinations };
}

function byRequest(doc: RoutesDocument): Map<string, ReturnType<typeof outcome>> {
    return new Map(doc.entries.map((e) => [e.id, outcome(e)]));
}

describe("gateway.api and mesh.routing both gateway-api: the dev stack routes as with Ingresses and VirtualServices", function () {
    this.timeout(120_000);
    let classic: Planned;
    let both: Planned;

    before(async () => {
        classic = await planned(devWith({}));
        both = await planned(devWith({ edge: true, mesh: true }));
    });

    it("gives every declared route the same outcome (status, refusing hop, destinations and their shares)", () => {
        const a = byRequest(classic.routes);
        const b = byRequest(both.routes);
        assert.ok(a.size >= 10, `${a.size} routes in dev`);
        assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
        const differing = [...a]
            .filter(([k, v]) => JSON.stringify(b.get(k)) !== JSON.stringify(v))
            .map(([k, v]) => `${k}\n  ingress+virtualservice: ${JSON.stringify(v)}\n  gateway-api both:       ${JSON.stringify(b.get(k))}`);
        assert.deepEqual(differing, []);
    });

    it("emits no Ingress and no VirtualService, and HTTPRoutes for both the edge and the mesh", () => {
        const types = both.resources.map((r) => r.type);
        assert.equal(types.filter((t) => t === "kubernetes:networking.k8s.io/v1:Ingress").length, 0);
        assert.equal(types.filter((t) => t === "kubernetes:networking.istio.io/v1:VirtualService").length, 0);
        const routes = both.resources.filter((r) => r.type === "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute");
        const parentKinds = routes.map((r) => ((r.inputs as { spec?: { parentRefs?: { kind?: string }[] } }).spec?.parentRefs ?? []).map((p) => p.kind ?? "Gateway").join(","));
        assert.ok(parentKinds.filter((k) => k === "Gateway").length >= 1, `edge routes: ${parentKinds.join(" ")}`);
        assert.ok(parentKinds.filter((k) => k === "Service").length >= 1, `mesh routes: ${parentKinds.join(" ")}`);
        assert.equal(parentKinds.length, parentKinds.filter((k) => k === "Gateway" || k === "Service").length);
    });

    it("installs the Gateway API CRDs once, before the kong release", () => {
        const crds = both.resources.filter((r) => r.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition" && r.urn.includes("GatewayApiCrds"));
        assert.deepEqual(
            crds.map((r) => r.name).sort(),
            ["gatewayclasses", "gateways", "grpcroutes", "httproutes", "referencegrants"].map((k) => `meshgate-gateway-api-crds-${k}`),
        );
        const release = both.resources.find((r) => r.name === "meshgate-gateway-release");
        assert.ok(release !== undefined, "the kong release");
        assert.deepEqual(
            crds.map((c) => c.urn).filter((u) => !(release.dependsOn ?? []).includes(u)),
            [],
        );
    });

    it("has no mandatory violation", () => {
        assert.deepEqual(both.mandatory, []);
    });
});
