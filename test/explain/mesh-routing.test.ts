/**
 * Acceptance of `mesh.routing: gateway-api` (issue 18 part B): the dev stack planned with mesh
 * HTTPRoutes (parent: the Service) routes every declared route and caller as the dev stack with
 * VirtualServices does, route by route (status, refusing hop, destination service, version
 * split, header canary); the pack finds no mandatory violation; every mesh object is valid
 * against the Gateway API v1.3.0 / Istio 1.30 CRDs, CEL included. Declarations the Gateway API
 * cannot express (retries) are refused with their paths, as in staging and prod.
 */
import { strict as assert } from "node:assert";
import { explain } from "../../tools/explain/explain";
import { matrix } from "../../tools/explain/matrix";
import { buildIndex, type ModelIndex } from "../../tools/explain/model-index";
import { objectsFromRecorded } from "../../tools/explain/objects";
import type { Explanation, K8sObject } from "../../tools/explain/types";
import { plan } from "../../tools/plan/plan";
import { readStackConfig, stackConfigPath } from "../../tools/plan/stack-config";
import { validateCustomResource } from "../../policies/validate";
import { request } from "./helpers";

type Config = Record<string, unknown>;
type Service = {
    name: string;
    namespace: string;
    port: number;
    resilience?: Record<string, unknown>;
    canary?: { header: string; equals?: string };
    allowFrom?: unknown[];
    gateway?: unknown;
};

/** A stack's config with `mesh.routing` set (and, when asked, every service's retries removed). */
function withRouting(stack: string, routing: string, dropRetries: boolean): Config {
    const config = structuredClone(readStackConfig(stackConfigPath(stack)));
    config["meshgate:mesh"] = { ...(config["meshgate:mesh"] ?? {}), routing };
    if (dropRetries) {
        for (const s of config["meshgate:services"] as Service[]) {
            if (s.resilience !== undefined) delete s.resilience.retries;
        }
    }
    return config;
}

async function planned(stack: string, config: Config): Promise<{ objects: K8sObject[]; mandatory: string[]; routeDeps: string[][]; crds: string[] }> {
    const result = await plan({ stack, config });
    assert.equal(result.kind, "planned", result.kind === "invalid" ? result.issues.map((i) => `${i.path}: ${i.message}`).join("\n") : "");
    if (result.kind !== "planned") throw new Error("not planned");
    const rs = result.run.resources;
    return {
        objects: objectsFromRecorded(rs),
        mandatory: result.violations.filter((v) => v.level === "mandatory").map((v) => `${v.policy}: ${v.message}`),
        routeDeps: rs.filter((r) => r.type.endsWith(":HTTPRoute")).map((r) => [...(r.dependsOn ?? [])]),
        crds: rs.filter((r) => r.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition" && r.urn.includes("GatewayApiCrds")).map((r) => r.urn),
    };
}

/** What a route promises, independent of how the mesh routes it: version label → share. */
function outcome(e: Explanation): Record<string, unknown> {
    const split: Record<string, number> = {};
    for (const d of e.outcome.destinations) {
        const key = `${d.podLabels.app ?? "?"}/${d.podLabels.version ?? "any"}`;
        split[key] = (split[key] ?? 0) + d.weight;
    }
    return { reached: e.outcome.reached, status: e.outcome.status, hop: e.outcome.hop, service: e.service, route: e.route, split };
}

/** Internal calls: each service from each of its declared callers, and from Kong when exposed, with and without its canary header. */
function internalCalls(services: readonly Service[]): { id: string; line: string; opts: Parameters<typeof request>[1] }[] {
    const out: { id: string; line: string; opts: Parameters<typeof request>[1] }[] = [];
    for (const s of services) {
        const callers = [...(s.allowFrom ?? []).filter((c): c is string => typeof c === "string"), ...(s.gateway !== undefined ? ["kong/kong-kong"] : []), "catalog/not-allowed"];
        for (const from of callers) {
            const line = `GET http://${s.name}.${s.namespace}:${s.port}/`;
            out.push({ id: `${line} from=${from}`, line, opts: { from } });
            if (s.canary?.equals !== undefined)
                out.push({ id: `${line} [${s.canary.header}: ${s.canary.equals}] from=${from}`, line, opts: { from, headers: { [s.canary.header]: s.canary.equals } } });
        }
    }
    return out;
}

describe("mesh.routing gateway-api: the dev stack routes as with VirtualServices", function () {
    this.timeout(120_000);
    let vs: ModelIndex;
    let gw: ModelIndex;
    let gwObjects: K8sObject[];
    let gwMandatory: string[];
    let gwRouteDeps: string[][];
    let gwCrds: string[];
    const services = (readStackConfig(stackConfigPath("dev"))["meshgate:services"] as Service[]) ?? [];

    before(async () => {
        const a = await planned("dev", readStackConfig(stackConfigPath("dev")));
        const b = await planned("dev", withRouting("dev", "gateway-api", true));
        vs = buildIndex(a.objects);
        gw = buildIndex(b.objects);
        gwObjects = b.objects;
        gwMandatory = b.mandatory;
        gwRouteDeps = b.routeDeps;
        gwCrds = b.crds;
    });

    it("emits a mesh HTTPRoute per service (parent: the Service), a Service and a DestinationRule per version, and no VirtualService", () => {
        const routes = gwObjects.filter((o) => o.kind === "HTTPRoute");
        assert.equal(routes.length, services.length);
        for (const r of routes) {
            assert.deepEqual((r.spec as { parentRefs: unknown[] }).parentRefs, [{ group: "", kind: "Service", name: r.metadata?.name }]);
        }
        assert.equal(gwObjects.filter((o) => o.kind === "VirtualService").length, 0);
        const names = (kind: string) =>
            gwObjects
                .filter((o) => o.kind === kind && o.metadata?.namespace === "users")
                .map((o) => o.metadata?.name)
                .sort();
        assert.deepEqual(names("Service"), ["user-service", "user-service-v1", "user-service-v2"]);
        assert.deepEqual(names("DestinationRule"), ["user-service", "user-service-v1", "user-service-v2"]);
    });

    it("installs the Gateway API v1.3.0 CRDs once, and every mesh HTTPRoute waits for them", () => {
        // One CustomResourceDefinition per standard-channel kind, from one GatewayApiCrds; a dependency on the
        // component is recorded as one on each of its resources.
        assert.deepEqual(
            gwCrds.map((u) => u.split("::").pop()).sort(),
            ["gatewayclasses", "gateways", "grpcroutes", "httproutes", "referencegrants"].map((k) => `meshgate-gateway-api-crds-${k}`),
        );
        assert.equal(gwRouteDeps.length, services.length);
        for (const deps of gwRouteDeps)
            assert.deepEqual(
                gwCrds.filter((c) => !deps.includes(c)),
                [],
                deps.join(", "),
            );
    });

    it("has no mandatory violation, and every mesh object is valid against its CRD (schema and CEL)", () => {
        assert.deepEqual(gwMandatory, []);
        const custom = gwObjects.filter((o) => ["HTTPRoute", "DestinationRule", "AuthorizationPolicy"].includes(o.kind ?? ""));
        assert.ok(custom.length >= services.length * 3, `only ${custom.length} objects`);
        for (const o of custom) assert.deepEqual(validateCustomResource(o), [], `${o.kind} ${o.metadata?.namespace}/${o.metadata?.name}`);
    });

    it("gives every declared route and caller of the matrix the same outcome, route by route", () => {
        const a = matrix(vs, "dev", "plan").entries;
        const b = matrix(gw, "dev", "plan").entries;
        assert.ok(a.length >= 10, `only ${a.length} entries`);
        assert.deepEqual(
            b.map((e) => e.id),
            a.map((e) => e.id),
        );
        for (let i = 0; i < a.length; i++) assert.deepEqual(outcome(b[i]), outcome(a[i]), a[i].id);
        // The split and the canary are really there (not vacuously equal).
        assert.ok(a.some((e) => JSON.stringify(outcome(e).split) === JSON.stringify({ "user-service/v1": 90, "user-service/v2": 10 })));
    });

    it("gives every internal call, with and without the canary header, the same outcome", () => {
        const calls = internalCalls(services);
        assert.ok(calls.length >= 8, `only ${calls.length} calls`);
        for (const c of calls) {
            assert.deepEqual(outcome(explain(gw, request(c.line, c.opts))), outcome(explain(vs, request(c.line, c.opts))), c.id);
        }
        const pinned = explain(gw, request("GET http://user-service.users:8080/", { from: "kong/kong-kong", headers: { "x-version": "v2" } }));
        assert.deepEqual(outcome(pinned).split, { "user-service/v2": 100 });
        assert.match(
            pinned.hops.find((h) => h.hop === "source-sidecar")?.decision ?? "",
            /HTTPRoute users\/user-service \(mesh route, parent Service\) rule \[0\]: match path PathPrefix \/, header x-version exact v2/,
        );
    });
});

describe("mesh.routing gateway-api: what it cannot express is refused (exit 2) with its path", () => {
    for (const stack of ["dev", "staging", "prod"]) {
        it(`refuses ${stack} as declared: its services set retries, which an HTTPRoute cannot carry`, async () => {
            const result = await plan({ stack, config: withRouting(stack, "gateway-api", false) });
            assert.equal(result.kind, "invalid");
            if (result.kind !== "invalid") return;
            const withRetries = (readStackConfig(stackConfigPath(stack))["meshgate:services"] as Service[]).flatMap((s, i) =>
                s.resilience?.retries !== undefined ? [`services[${i}].resilience.retries`] : [],
            );
            assert.ok(withRetries.length > 0);
            assert.deepEqual(
                result.issues.map((i) => i.path),
                withRetries,
            );
            for (const issue of result.issues) {
                assert.match(
                    issue.message,
                    /mesh\.routing is gateway-api, and an HTTPRoute cannot carry retries: its retry field is in the Gateway API experimental channel only .*remove resilience\.retries .* or keep mesh\.routing: virtualservice/,
                );
            }
        });
    }
});
