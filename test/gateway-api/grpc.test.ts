/**
 * gRPC services (`protocol: grpc`, issue 18): what the declaration becomes (the Service port
 * Istio proxies as HTTP/2, Kong's upstream protocol, an Ingress with the grpc protocols or a
 * GRPCRoute on Kong's Gateway), what it refuses, and the dev stack with one service switched to
 * gRPC, planned with both `gateway.api` values.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkStackConfig, type ServiceSpecInput } from "../../components/config";
import { edgeGrpcRoute, ingress, kongPlugins, meshServiceObjects, resolveContext, versionServices, workloadContract, SERVICE_PLUGINS } from "../../components/mesh-service";
import { validateCustomResource } from "../../policies/validate/crd";
import { objectsFromRecorded } from "../../tools/explain/objects";
import { explain } from "../../tools/explain/explain";
import { buildIndex } from "../../tools/explain/model-index";
import type { K8sObject, RoutesDocument } from "../../tools/explain/types";
import { plan, toPlainResource } from "../../tools/plan/plan";
import type { RecordedResource } from "../../tools/plan/runtime";
import { readStackConfig, stackConfigPath } from "../../tools/plan/stack-config";
import { buildReportModel } from "../../tools/report";
import { runRule } from "../policies/harness";
import { KONG_PRINCIPAL, spec } from "../mesh-service/fixtures";

const ctx = resolveContext({ gateway: { principal: KONG_PRINCIPAL, dbless: true } });
const gwCtx = resolveContext({ gateway: { principal: KONG_PRINCIPAL, dbless: true, api: "gateway-api" } });
const greeter: ServiceSpecInput = {
    name: "greeter",
    namespace: "hello",
    port: 50051,
    protocol: "grpc",
    gateway: { auth: "key-auth", rateLimit: { minute: 600 }, grpc: [{ service: "helloworld.Greeter" }, { service: "helloworld.Admin", method: "Reload" }] },
};

describe("gRPC services (protocol: grpc)", () => {
    describe("what the declaration becomes", () => {
        it("a Service port named grpc with appProtocol grpc, and the Kong annotations service-upstream, host-header and protocol grpc", () => {
            const o = meshServiceObjects(spec(greeter), { gateway: { principal: KONG_PRINCIPAL, dbless: true } });
            assert.deepEqual(o.service?.spec.ports, [{ name: "grpc", port: 50051, targetPort: 50051, protocol: "TCP", appProtocol: "grpc" }]);
            assert.deepEqual(o.service?.metadata.annotations, {
                "ingress.kubernetes.io/service-upstream": "true",
                "konghq.com/host-header": "greeter.hello.svc.cluster.local",
                "konghq.com/protocol": "grpc",
                "pulumi.com/skipAwait": "true",
            });
            assert.deepEqual(o.paths, ["/helloworld.Greeter", "/helloworld.Admin/Reload"]);
        });

        it("an HTTP service keeps its port named http without appProtocol, and no konghq.com/protocol", () => {
            const o = meshServiceObjects(spec({ ...greeter, protocol: undefined, gateway: { paths: ["/hello"] } }), { gateway: { principal: KONG_PRINCIPAL, dbless: true } });
            assert.deepEqual(o.service?.spec.ports, [{ name: "http", port: 50051, targetPort: 50051, protocol: "TCP" }]);
            assert.equal(o.service?.metadata.annotations?.["konghq.com/protocol"], undefined);
        });

        it("with the Service not created, the patch adds konghq.com/protocol: grpc", () => {
            const o = meshServiceObjects(spec({ ...greeter, createService: false }), { gateway: { principal: KONG_PRINCIPAL, dbless: true } });
            assert.equal(o.servicePatch?.metadata.annotations["konghq.com/protocol"], "grpc");
        });

        it("the Ingress serves the calls' paths with konghq.com/protocols grpc,grpcs, no methods, no https redirect; grpcs only when port 80 redirects", () => {
            const s = spec(greeter);
            const ing = ingress(s, ctx, kongPlugins(s, ctx));
            assert.deepEqual(
                ing.spec.rules[0].http.paths.map((p) => `${p.pathType} ${p.path}`),
                ["Prefix /helloworld.Greeter", "Prefix /helloworld.Admin/Reload"],
            );
            const a = ing.metadata.annotations ?? {};
            assert.equal(a["konghq.com/protocols"], "grpc,grpcs");
            assert.equal(a["konghq.com/methods"], undefined);
            assert.equal(a["konghq.com/strip-path"], "false");
            assert.equal(a["konghq.com/preserve-host"], "false");
            assert.equal(a["konghq.com/plugins"], "greeter-key-auth,greeter-rate-limiting");
            const redirect = resolveContext({ gateway: { principal: KONG_PRINCIPAL, dbless: true, httpsRedirect: true } });
            const r = ingress(s, redirect, kongPlugins(s, redirect)).metadata.annotations ?? {};
            assert.equal(r["konghq.com/protocols"], "grpcs");
            assert.equal(r["konghq.com/https-redirect-status-code"], undefined);
        });

        it("without gateway.grpc, the Ingress routes every call (/)", () => {
            const s = spec({ ...greeter, gateway: { auth: "none" } });
            assert.deepEqual(
                ingress(s, ctx, []).spec.rules[0].http.paths.map((p) => p.path),
                ["/"],
            );
        });

        it("with gateway-api: a GRPCRoute greeter-edge on Kong's Gateway, one method match per entry, valid against the Gateway API v1.3.0 CRD (CEL included)", () => {
            const s = spec({ ...greeter, gateway: { ...greeter.gateway, hosts: ["grpc.example.com"] } });
            const o = meshServiceObjects(s, { gateway: { principal: KONG_PRINCIPAL, dbless: true, api: "gateway-api" } });
            assert.equal(o.ingress, undefined);
            assert.equal(o.httpRoute, undefined);
            assert.deepEqual(o.grpcRoute, {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "GRPCRoute",
                metadata: {
                    name: "greeter-edge",
                    namespace: "hello",
                    labels: { "app.kubernetes.io/name": "greeter", "app.kubernetes.io/managed-by": "meshgate" },
                    annotations: { "konghq.com/plugins": "greeter-key-auth,greeter-rate-limiting", "konghq.com/preserve-host": "false" },
                },
                spec: {
                    parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", namespace: "kong", name: "kong" }],
                    hostnames: ["grpc.example.com"],
                    rules: [
                        {
                            matches: [{ method: { service: "helloworld.Greeter" } }, { method: { service: "helloworld.Admin", method: "Reload" } }],
                            backendRefs: [{ group: "", kind: "Service", name: "greeter", port: 50051 }],
                        },
                    ],
                },
            });
            assert.deepEqual(validateCustomResource(o.grpcRoute), []);
        });

        it("a GRPCRoute without gateway.grpc has one rule without matches (every call), also CRD-valid; a public one says meshgate.io/auth: none", () => {
            const route = edgeGrpcRoute(spec({ ...greeter, gateway: { auth: "none" } }), gwCtx, []);
            assert.deepEqual(route.spec.rules, [{ backendRefs: [{ group: "", kind: "Service", name: "greeter", port: 50051 }] }]);
            assert.equal(route.metadata.annotations?.["meshgate.io/auth"], "none");
            assert.deepEqual(validateCustomResource(route), []);
            const broken = { ...route, spec: { ...route.spec, rules: [{ ...route.spec.rules[0], matches: [{ method: { service: "not a service" } }] }] } };
            assert.ok(validateCustomResource(broken).some((m) => /service must only contain valid characters/.test(m)));
        });

        it("the mesh side is unchanged for gRPC: the DestinationRule, VirtualService, and with mesh.routing gateway-api the mesh HTTPRoute, all CRD-valid", () => {
            const s = spec({
                ...greeter,
                versions: [
                    { name: "v1", weight: 90 },
                    { name: "v2", weight: 10 },
                ],
                canary: { header: "x-version", equals: "v2", version: "v2" },
            });
            const vs = meshServiceObjects(s, { gateway: { principal: KONG_PRINCIPAL, dbless: true } });
            const gw = meshServiceObjects(s, { gateway: { principal: KONG_PRINCIPAL, dbless: true }, meshRouting: "gateway-api" });
            const objects = [vs.destinationRule, vs.virtualService, vs.authorizationPolicy, gw.meshRoute, ...(gw.versionDestinationRules ?? [])];
            assert.equal(objects.filter((o) => o !== undefined).length, 6);
            assert.deepEqual(
                objects.flatMap((o) => validateCustomResource(o)),
                [],
            );
            assert.equal(gw.meshRoute?.kind, "HTTPRoute");
        });

        it("with mesh.routing gateway-api, the version Services are gRPC ports too", () => {
            const s = spec({ ...greeter, versions: [{ name: "v1", weight: 100 }] });
            assert.deepEqual(
                versionServices(s, ctx).map((v) => v.spec.ports),
                [[{ name: "grpc", port: 50051, targetPort: 50051, protocol: "TCP", appProtocol: "grpc" }]],
            );
        });

        it("the workload contract says the port speaks grpc", () => {
            assert.deepEqual(workloadContract(spec(greeter), ctx).ports, [{ name: "grpc", servicePort: 50051, containerPort: 50051, protocol: "grpc" }]);
        });

        it("every plugin a declaration can attach runs on grpc and grpcs routes (Kong 3.9 plugin schemas: protocols)", () => {
            const plugins = [...SERVICE_PLUGINS];
            assert.equal(plugins.length, 9);
            const missing = plugins.filter((p) => {
                const file = path.join(__dirname, "..", "..", "data", "kong-plugins", "3.9", `${p}.json`);
                const schema = JSON.parse(fs.readFileSync(file, "utf8")) as { schema: { properties: { protocols: { items: { enum: string[] } } } } };
                const allowed = schema.schema.properties.protocols.items.enum;
                return !allowed.includes("grpc") || !allowed.includes("grpcs");
            });
            assert.deepEqual(missing, []);
        });
    });

    describe("what the declaration refuses (exit 2, every problem with its path)", () => {
        const issues = (services: unknown[], gateway: Record<string, unknown> = {}) =>
            checkStackConfig({ cluster: { type: "existing" }, gateway, services }).issues.map((i) => `${i.path}: ${i.message}`);

        it("accepts a gRPC service with gateway.grpc, without it, and an internal one", () => {
            assert.deepEqual(issues([greeter, { name: "internal", namespace: "hello", port: 9000, protocol: "grpc" }]), []);
            assert.deepEqual(issues([{ ...greeter, gateway: { auth: "jwt" } }]), []);
        });

        it("refuses paths, methods, stripPath, cors and oauth2 on a gRPC route, all at once", () => {
            const bad = {
                ...greeter,
                gateway: { paths: ["/hello"], methods: ["POST"], stripPath: true, auth: "oauth2", cors: { origins: ["https://a.example.com"] } },
            };
            assert.deepEqual(issues([bad], { mode: "postgres", postgres: { external: { host: "db" } } }), [
                "services[0].gateway.paths: a gRPC service is routed by gRPC service and method, not by path: list them in gateway.grpc ([{service: helloworld.Greeter}, {service: helloworld.Greeter, method: SayHello}]), or leave both out to route every call",
                "services[0].gateway.methods: every gRPC call is an HTTP/2 POST, and Kong refuses methods on a grpc route (Kong 3.9 routes.lua: cannot set 'methods' when 'protocols' is 'grpc' or 'grpcs'); remove methods",
                "services[0].gateway.stripPath: a gRPC call's path names its service and method, and Kong refuses strip_path on a grpc route (Kong 3.9 routes.lua: cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs'); remove stripPath",
                "services[0].gateway.cors: browsers cannot make gRPC calls (they read no HTTP/2 trailers; gRPC-Web is another protocol, translated by a proxy), so CORS has nothing to allow on a gRPC route; remove cors",
                "services[0].gateway.auth: oauth2's token endpoint (<route path>/oauth2/token) is a form POST over HTTP, which a route with the grpc protocols does not serve, so no client could get a token; use key-auth or jwt (a gRPC client sends them as metadata)",
            ]);
        });

        it("refuses gateway.grpc on an HTTP service, an HTTP route without paths, and bad gRPC names", () => {
            assert.deepEqual(issues([{ name: "web", namespace: "w", port: 80, gateway: { paths: ["/w"], grpc: [{ service: "a.B" }] } }]), [
                "services[0].gateway.grpc: routes gRPC calls, but the service's protocol is http (the default); set protocol: grpc, or list paths",
            ]);
            assert.deepEqual(issues([{ name: "web", namespace: "w", port: 80, gateway: { auth: "none" } }]), ["services[0].gateway.paths: must list at least one path"]);
            assert.deepEqual(issues([{ ...greeter, gateway: { grpc: [{ service: "hello world", method: "Say-Hello" }] } }]), [
                'services[0].gateway.grpc[0].service: must be a fully qualified gRPC service name such as "helloworld.Greeter"; got "hello world"',
                'services[0].gateway.grpc[0].method: must be a gRPC method name such as "SayHello"; got "Say-Hello"',
            ]);
            assert.deepEqual(issues([{ ...greeter, protocol: "http2" }]), ['services[0].protocol: must be one of http, grpc; got "http2"']);
        });

        it("refuses TLS ended at the NLB (ACM) and gateway-api without tls.secretName: Kong's plain listener has no HTTP/2", () => {
            const acm = { tls: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0f8c2a4e-5b6d-4e7f-8a9b-1c2d3e4f5a6b" } };
            const eks = { type: "eks", region: "eu-west-1", nodeGroups: [{ name: "g", minSize: 1, maxSize: 2 }] };
            const acmIssues = checkStackConfig({ cluster: eks, gateway: acm, services: [greeter] }).issues.map((i) => `${i.path}: ${i.message}`);
            assert.deepEqual(
                acmIssues.filter((i) => i.startsWith("services")),
                [
                    "services[0].protocol: grpc needs Kong to end TLS, but gateway.tls.certificateArn ends it at the NLB, which forwards plain bytes to Kong's HTTP listener: that listener does not speak HTTP/2 (kong/kong chart proxy.http.parameters: []), so every gRPC call fails; use gateway.tls.secretName, or expose no gRPC service",
                ],
            );
            assert.deepEqual(issues([greeter], { api: "gateway-api" }), [
                "services[0].protocol: grpc with gateway.api gateway-api needs gateway.tls.secretName: without it Kong's Gateway has only the plain HTTP listener, KIC gives the GRPCRoute the grpc protocol only, and Kong's plain listener does not speak HTTP/2 (kong/kong chart proxy.http.parameters: []); set tls.secretName, or use gateway.api: ingress (Kong's self-signed TLS listener)",
            ]);
            assert.deepEqual(issues([greeter], { api: "gateway-api", tls: { secretName: "edge-tls" } }), []);
            // An internal gRPC service needs nothing of the edge.
            assert.deepEqual(issues([{ name: "internal", namespace: "hello", port: 9000, protocol: "grpc" }], { api: "gateway-api" }), []);
        });

        it("npm run plan exits 2 on them, listing each with its service and field, no stack trace, nothing written", () => {
            const root = path.resolve(__dirname, "..", "..");
            const out = fs.mkdtempSync(path.join(os.tmpdir(), "meshgate-grpc-invalid-"));
            const r = spawnSync(
                process.execPath,
                [
                    "--import",
                    "tsx",
                    path.join(root, "tools", "plan.ts"),
                    "dev",
                    "--config-file",
                    path.join(root, "test", "fixtures", "invalid", "grpc-refused.yaml"),
                    "--out",
                    path.join(out, "dev"),
                ],
                { cwd: root, encoding: "utf8" },
            );
            const wrote = fs.existsSync(path.join(out, "dev"));
            fs.rmSync(out, { recursive: true, force: true });
            assert.equal(r.status, 2, r.stderr);
            assert.equal(wrote, false, "no output directory for an invalid stack");
            assert.match(r.stderr, /Invalid configuration for stack "dev" .*4 problems:/);
            assert.match(r.stderr, /services\[0\]\.gateway\.paths \(service greeter\): a gRPC service is routed by gRPC service and method, not by path/);
            assert.match(r.stderr, /services\[0\]\.gateway\.methods \(service greeter\): every gRPC call is an HTTP\/2 POST/);
            assert.match(r.stderr, /services\[0\]\.gateway\.cors \(service greeter\): browsers cannot make gRPC calls/);
            assert.match(r.stderr, /services\[0\]\.protocol \(service greeter\): grpc with gateway\.api gateway-api needs gateway\.tls\.secretName/);
            assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
        });

        it("a gRPC service claims its calls' paths: another service on the same gRPC service and host is refused", () => {
            const other = { ...greeter, name: "greeter-two", gateway: { grpc: [{ service: "helloworld.Greeter" }] } };
            assert.deepEqual(issues([greeter, other]), [
                'services[1].gateway.grpc[0]: "/helloworld.Greeter" is already routed to greeter (services[0]); a path may belong to one service only',
            ]);
        });
    });
});

type Config = Record<string, unknown>;

/** dev with catalog-service switched to gRPC: same auth, rate limit, public exposure, routed on two gRPC services. */
function devWithGrpc(api: "ingress" | "gateway-api"): Config {
    const dev = readStackConfig(stackConfigPath("dev")) as Config;
    const services = (dev["meshgate:services"] as Record<string, unknown>[]).map((s) =>
        s.name === "catalog-service"
            ? {
                  ...s,
                  protocol: "grpc",
                  gateway: { auth: "key-auth", rateLimit: { second: 50 }, grpc: [{ service: "catalog.v1.Catalog" }, { service: "catalog.v1.Admin", method: "Reindex" }] },
              }
            : s,
    );
    const gateway = { ...(dev["meshgate:gateway"] as Config), api, ...(api === "gateway-api" ? { tls: { secretName: "edge-tls" } } : {}) };
    return { ...dev, "meshgate:services": services, "meshgate:gateway": gateway };
}

interface Planned {
    resources: readonly RecordedResource[];
    objects: K8sObject[];
    mandatory: string[];
    routes: RoutesDocument;
}

describe("the prod stack with catalog-service on gRPC (TLS at Kong: tls.secretName, port 80 redirecting)", function () {
    this.timeout(120_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "meshgate-grpc-prod-"));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    const planProd = async (api: "ingress" | "gateway-api") => {
        const prod = readStackConfig(stackConfigPath("prod")) as Config;
        const services = (prod["meshgate:services"] as Record<string, unknown>[]).map((s) =>
            s.name === "catalog-service" ? { ...s, protocol: "grpc", gateway: { auth: "key-auth", rateLimit: { second: 50 }, grpc: [{ service: "catalog.v1.Catalog" }] } } : s,
        );
        const gateway = { ...(prod["meshgate:gateway"] as Config), api, tls: { secretName: "edge-tls" } };
        const result = await plan({ stack: "prod", config: { ...prod, "meshgate:services": services, "meshgate:gateway": gateway }, outDir: path.join(tmp, api) });
        if (result.kind !== "planned") return assert.fail(result.issues.map((i) => `${i.path}: ${i.message}`).join("; "));
        const mandatory = result.violations.filter((v) => v.level === "mandatory").map((v) => `${v.policy}: ${v.message}`);
        const route = objectsFromRecorded(result.run.resources).find((o) => o.metadata?.namespace === "catalog" && (o.kind === "Ingress" || o.kind === "GRPCRoute"));
        return { mandatory, kind: route?.kind, protocols: route?.metadata?.annotations?.["konghq.com/protocols"] };
    };

    it("plans with gateway.api ingress without a mandatory violation; the gRPC Ingress takes grpcs only", async () => {
        assert.deepEqual(await planProd("ingress"), { mandatory: [], kind: "Ingress", protocols: "grpcs" });
    });

    it("plans with gateway.api gateway-api without a mandatory violation; the GRPCRoute takes grpcs only", async () => {
        assert.deepEqual(await planProd("gateway-api"), { mandatory: [], kind: "GRPCRoute", protocols: "grpcs" });
    });
});

describe("the dev stack with catalog-service on gRPC", function () {
    this.timeout(120_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "meshgate-grpc-"));
    const planned: Partial<Record<"ingress" | "gateway-api", Planned>> = {};

    before(async () => {
        for (const api of ["ingress", "gateway-api"] as const) {
            const outDir = path.join(tmp, api);
            const result = await plan({ stack: "dev", config: devWithGrpc(api), outDir });
            assert.equal(result.kind, "planned");
            if (result.kind !== "planned") throw new Error("not planned");
            planned[api] = {
                resources: result.run.resources,
                objects: objectsFromRecorded(result.run.resources),
                mandatory: result.violations.filter((v) => v.level === "mandatory").map((v) => `${v.policy}: ${v.message}`),
                routes: JSON.parse(fs.readFileSync(path.join(outDir, "routes.json"), "utf8")) as RoutesDocument,
            };
        }
    });

    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    const get = (api: "ingress" | "gateway-api"): Planned => planned[api] ?? assert.fail(`${api} not planned`);
    const catalogCalls = (p: Planned) =>
        p.routes.entries
            .filter((e) => e.request.from === null && e.service === "catalog/catalog-service")
            .map(
                (e) =>
                    `${e.request.method} ${new URL(e.request.url).protocol}${new URL(e.request.url).pathname} ${e.request.headers["content-type"] ?? "-"} consumer=${e.request.consumer ?? "none"}: ${e.outcome.status}`,
            )
            .sort();
    const expectedCalls = [
        "POST https:/catalog.v1.Admin/Reindex application/grpc consumer=mobile-app: 200",
        "POST https:/catalog.v1.Admin/Reindex application/grpc consumer=none: 401",
        "POST https:/catalog.v1.Catalog/Method application/grpc consumer=mobile-app: 200",
        "POST https:/catalog.v1.Catalog/Method application/grpc consumer=none: 401",
    ];

    it("plans with both gateway.api values without a mandatory violation", () => {
        assert.deepEqual(get("ingress").mandatory, []);
        assert.deepEqual(get("gateway-api").mandatory, []);
    });

    it("with ingress: an Ingress with the grpc protocols, and every gRPC call explained: 401 without a key, 200 (catalog-service) with one", () => {
        const ing = get("ingress").objects.find((o) => o.kind === "Ingress" && o.metadata?.namespace === "catalog");
        assert.equal(ing?.metadata?.annotations?.["konghq.com/protocols"], "grpc,grpcs");
        assert.deepEqual(catalogCalls(get("ingress")), expectedCalls);
    });

    it("with gateway-api: a GRPCRoute catalog-service-edge instead of an HTTPRoute, routing the same calls the same way", () => {
        const p = get("gateway-api");
        const kinds = p.objects
            .filter((o) => o.metadata?.namespace === "catalog" && ["Ingress", "HTTPRoute", "GRPCRoute"].includes(o.kind ?? ""))
            .map((o) => `${o.kind} ${o.metadata?.name}`);
        assert.deepEqual(kinds, ["GRPCRoute catalog-service-edge"]);
        assert.deepEqual(catalogCalls(p), expectedCalls);
        const kongRoutes = p.routes.entries.filter((e) => e.service === "catalog/catalog-service" && e.request.from === null).map((e) => e.route);
        assert.equal(kongRoutes.length, 4);
        assert.deepEqual([...new Set(kongRoutes)].sort(), ["catalog/catalog-service-edge#/catalog.v1.Admin/Reindex", "catalog/catalog-service-edge#/catalog.v1.Catalog"]);
        // The other services' requests are routed as with Ingresses (user-service stays HTTP).
        const outcome = (d: RoutesDocument) =>
            d.entries
                .filter((e) => e.service !== "catalog/catalog-service")
                .map((e) => `${e.id}: ${e.outcome.status}`)
                .sort();
        assert.ok(outcome(get("ingress").routes).length >= 5);
        assert.deepEqual(outcome(p.routes), outcome(get("ingress").routes));
    });

    it("every Gateway API object planned (the GRPCRoute included) is valid against the v1.3.0 CRDs, CEL included", async () => {
        const gw = get("gateway-api").resources.filter((r) => r.type.startsWith("kubernetes:gateway.networking.k8s.io/"));
        assert.deepEqual(gw.map((r) => r.type.split(":")[2]).sort(), ["GRPCRoute", "Gateway", "GatewayClass", "HTTPRoute"]);
        assert.deepEqual(await runRule("kubernetes-crd-schema", gw.map(toPlainResource)), []);
    });

    it("the Kong rules judge the GRPCRoute like an HTTPRoute: without its plugins annotation it is unauthenticated, and a port named http breaks kong-grpc-upstream-protocol", async () => {
        const plain = get("gateway-api").resources.map(toPlainResource);
        const route = plain.find((r) => r.type === "kubernetes:gateway.networking.k8s.io/v1:GRPCRoute")!;
        const props = structuredClone(route.props) as { metadata: { annotations: Record<string, string> } };
        delete props.metadata.annotations["konghq.com/plugins"];
        const unauth = await runRule("kong-route-authentication", [...plain.filter((r) => r !== route), { ...route, props }]);
        assert.deepEqual(
            unauth.map((v) => v.message.slice(0, 83)),
            ["GRPCRoute catalog/catalog-service-edge is exposed by Kong without an authentication"],
        );
        const svc = plain.find((r) => r.type === "kubernetes:core/v1:Service" && (r.props as { metadata: { name: string } }).metadata.name === "catalog-service")!;
        const svcProps = structuredClone(svc.props) as { spec: { ports: Record<string, unknown>[] } };
        svcProps.spec.ports = [{ name: "http", port: 8080, targetPort: 8080, protocol: "TCP" }];
        assert.deepEqual(await runRule("kong-grpc-upstream-protocol", plain), []);
        const broken = await runRule("kong-grpc-upstream-protocol", [...plain.filter((r) => r !== svc), { ...svc, props: svcProps }]);
        assert.equal(broken.length, 1);
        assert.match(broken[0].message, /port 8080 of its Service catalog\/catalog-service is http for Istio's sidecars/);
    });

    it("explain: a gRPC call needs TLS at Kong and the gRPC content type, and a key-auth limited to http/https does not run on the gRPC route", () => {
        const objects = get("ingress").objects;
        const call = (url: string, headers: Record<string, string>, objs: K8sObject[] = objects) =>
            explain(buildIndex(objs), { method: "POST", url, headers, consumer: null, from: null }).outcome;
        const grpc = { "content-type": "application/grpc" };
        const tls = call("https://edge.invalid/catalog.v1.Catalog/List", grpc);
        assert.deepEqual([tls.status, tls.hop], [401, "kong-plugin"]);
        const plain = call("http://edge.invalid/catalog.v1.Catalog/List", grpc);
        assert.deepEqual([plain.status, plain.hop, plain.reached], [0, "kong-route", false]);
        assert.match(plain.reason, /has no http2 parameter/);
        const notGrpc = call("https://edge.invalid/catalog.v1.Catalog/List", {});
        assert.deepEqual([notGrpc.status, notGrpc.hop], [426, "kong-route"]);
        const httpOnlyAuth = objects.map((o) => (o.kind === "KongPlugin" && o.metadata?.name === "catalog-service-key-auth" ? { ...o, protocols: ["http", "https"] } : o));
        const open = call("https://edge.invalid/catalog.v1.Catalog/List", grpc, httpOnlyAuth);
        assert.deepEqual([open.status, open.reached], [200, true]);
    });

    it("the report lists the GRPCRoute's matches as Kong routes of catalog-service, with key-auth and the rate limit", () => {
        const routes = buildReportModel({ stack: "dev", source: "plan", resources: get("gateway-api").resources, violations: [] })
            .routes.filter((r) => r.service === "catalog/catalog-service")
            .map((r) => `${r.id} ${r.pathType} ${r.auth.join(",")} ${r.rateLimit.length}`);
        assert.deepEqual(routes, ["catalog/catalog-service-edge#/catalog.v1.Catalog gRPC key-auth 1", "catalog/catalog-service-edge#/catalog.v1.Admin/Reindex gRPC key-auth 1"]);
    });
});
