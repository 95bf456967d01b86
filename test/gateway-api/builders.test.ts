/**
 * Kong at the edge through the Gateway API (`gateway.api: gateway-api`): the pure builders of
 * the GatewayClass, the Gateway and the edge HTTPRoutes, and the CRDs meshgate installs; every
 * object valid against the Gateway API v1.3.0 CRDs (OpenAPI schema and CEL rules).
 */
import * as assert from "node:assert/strict";
import type { ServiceSpecInput } from "../../components/config";
import { gatewayApiCrdObjects, GATEWAY_API_VERSION } from "../../components/gateway-api";
import { kongGatewayClassObject, kongGatewayListeners, kongGatewayObject, KONG_GATEWAY_CONTROLLER } from "../../components/kong/gateway-api";
import { allManifests, edgeHttpRoute, meshServiceObjects, resolveContext, type MeshServiceContext } from "../../components/mesh-service";
import { validateCustomResource } from "../../policies/validate";
import { KONG_PRINCIPAL, spec, userService } from "../mesh-service/fixtures";

const gatewayApi: MeshServiceContext = { gateway: { principal: KONG_PRINCIPAL, dbless: true, api: "gateway-api" } };
const everything: ServiceSpecInput = {
    name: "everything",
    namespace: "team",
    port: 8443,
    versions: [
        { name: "v1", weight: 90 },
        { name: "v2", weight: 10 },
    ],
    canary: { header: "x-tenant", equals: "beta", version: "v2" },
    gateway: {
        paths: ["/api/everything", "/~/items/.+$"],
        methods: ["GET", "PUT"],
        hosts: ["api.example.com", "*.example.org"],
        stripPath: true,
        auth: "jwt",
        rateLimit: { minute: 100 },
        cors: { origins: ["https://app.example.com"] },
    },
};

describe("Gateway API edge: builders", () => {
    it("the GatewayClass kong is KIC's controller in unmanaged mode (bound to the Kong proxy meshgate runs)", () => {
        const cls = kongGatewayClassObject();
        assert.equal(cls.metadata.name, "kong");
        assert.equal(cls.spec.controllerName, KONG_GATEWAY_CONTROLLER);
        assert.equal(cls.metadata.annotations["konghq.com/gatewayclass-unmanaged"], "true");
    });

    it("listeners follow the proxy's ports: http only without a certificate, HTTPS with Kong's Secret, plain HTTP on 443 behind an ACM NLB, none on 80 when closed", () => {
        const ns = ["users", "catalog", "users"];
        assert.deepEqual(
            kongGatewayListeners({ routeNamespaces: ns }).map((l) => `${l.name}:${l.port}:${l.protocol}`),
            ["http:80:HTTP"],
        );
        const secret = kongGatewayListeners({ routeNamespaces: ns, tls: { secretName: "edge-tls", http: "redirect" } });
        assert.deepEqual(
            secret.map((l) => `${l.name}:${l.port}:${l.protocol}`),
            ["http:80:HTTP", "https:443:HTTPS"],
        );
        assert.deepEqual(secret[1].tls, { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: "edge-tls" }] });
        assert.deepEqual(
            kongGatewayListeners({ routeNamespaces: ns, tls: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/x", http: "close" } }).map(
                (l) => `${l.name}:${l.port}:${l.protocol}`,
            ),
            ["https:443:HTTP"],
        );
        assert.throws(() => kongGatewayListeners({ routeNamespaces: ns, tls: { http: "close" } }), /no listener/);
    });

    it("routes are admitted from the exposed services' namespaces only (a selector on kubernetes.io/metadata.name), or from Kong's own namespace when none is exposed", () => {
        const [l] = kongGatewayListeners({ routeNamespaces: ["users", "catalog", "users"] });
        assert.deepEqual(l.allowedRoutes, {
            namespaces: { from: "Selector", selector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["catalog", "users"] }] } },
        });
        assert.deepEqual(kongGatewayListeners({ routeNamespaces: [] })[0].allowedRoutes, { namespaces: { from: "Same" } });
    });

    it("an exposed service gets an HTTPRoute <service>-edge on Kong's Gateway instead of an Ingress, with the same plugins and annotations (methods as matches)", () => {
        const o = meshServiceObjects(spec(userService), gatewayApi);
        assert.equal(o.ingress, undefined);
        const hr = o.httpRoute;
        assert.ok(hr);
        assert.equal(hr.metadata.name, "user-service-edge");
        assert.deepEqual(hr.spec.parentRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", namespace: "kong", name: "kong" }]);
        const ing = meshServiceObjects(spec(userService), { gateway: { principal: KONG_PRINCIPAL, dbless: true } }).ingress;
        assert.ok(ing);
        const ingressAnnotations = ing.metadata.annotations ?? {};
        const rest = Object.fromEntries(Object.entries(ingressAnnotations).filter(([k]) => k !== "konghq.com/methods" && k !== "pulumi.com/skipAwait"));
        assert.deepEqual(hr.metadata.annotations, rest);
        assert.deepEqual(
            hr.spec.rules.flatMap((r) => r.matches.map((m) => m.method)),
            ingressAnnotations["konghq.com/methods"]?.split(","),
        );
        assert.deepEqual(hr.spec.rules[0].backendRefs, [{ group: "", kind: "Service", name: "user-service", port: 8080 }]);
    });

    it("one match per path and method (OPTIONS added for cors), a /~ path as RegularExpression, the hosts as hostnames", () => {
        const hr = edgeHttpRoute(spec(everything), resolveContext(gatewayApi), []);
        const matches = hr.spec.rules.flatMap((r) => r.matches);
        assert.equal(matches.length, 6);
        assert.deepEqual(
            matches.map((m) => `${m.method} ${m.path.type} ${m.path.value}`),
            [
                "GET PathPrefix /api/everything",
                "PUT PathPrefix /api/everything",
                "OPTIONS PathPrefix /api/everything",
                "GET RegularExpression /items/.+$",
                "PUT RegularExpression /items/.+$",
                "OPTIONS RegularExpression /items/.+$",
            ],
        );
        assert.deepEqual(hr.spec.hostnames, ["api.example.com", "*.example.org"]);
        assert.equal(hr.metadata.annotations?.["konghq.com/strip-path"], "true");
    });

    it("refuses more matches than an HTTPRoute may hold, naming the service and the limit", () => {
        const paths = Array.from({ length: 15 }, (_, i) => `/p${i}`);
        const many: ServiceSpecInput = {
            name: "many",
            namespace: "team",
            port: 80,
            gateway: { paths, methods: ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT"] },
        };
        assert.throws(
            () => edgeHttpRoute(spec(many), resolveContext(gatewayApi), []),
            /service "many": gateway\.paths × gateway\.methods make 135 HTTPRoute matches; the Gateway API allows at most 127/,
        );
    });

    it("every GatewayClass, Gateway and HTTPRoute built is valid against the Gateway API v1.3.0 CRDs (schema and CEL)", () => {
        const objects = [
            kongGatewayClassObject(),
            kongGatewayObject({ routeNamespaces: ["users"] }),
            kongGatewayObject({ routeNamespaces: ["users", "team"], tls: { secretName: "edge-tls", http: "redirect" } }),
            kongGatewayObject({ routeNamespaces: [], tls: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/x", http: "close" } }),
            ...allManifests(meshServiceObjects(spec(everything), gatewayApi)).filter((m) => m.kind === "HTTPRoute"),
            ...allManifests(meshServiceObjects(spec(userService), gatewayApi)).filter((m) => m.kind === "HTTPRoute"),
        ];
        assert.equal(objects.filter((o) => o.kind === "HTTPRoute").length, 2);
        const problems = objects.flatMap((o) => validateCustomResource(o).map((p) => `${o.kind}/${o.metadata.name}: ${p}`));
        assert.deepEqual(problems, []);
    });

    it("the same validation refuses a broken HTTPRoute (a PathPrefix not starting with /: a CEL rule)", () => {
        const hr = edgeHttpRoute(spec(userService), resolveContext(gatewayApi), []);
        const broken = { ...hr, spec: { ...hr.spec, rules: [{ ...hr.spec.rules[0], matches: [{ path: { type: "PathPrefix", value: "api/v1/users" } }] }] } };
        assert.ok(
            validateCustomResource(broken).some((p) => /must be an absolute path/.test(p)),
            validateCustomResource(broken).join("\n"),
        );
    });

    it(`installs the five standard-channel CRDs of Gateway API v${GATEWAY_API_VERSION}, whole (status subresource, CEL rules) and without prose`, () => {
        const crds = gatewayApiCrdObjects();
        assert.deepEqual(
            crds.map((c) => c.metadata.name).sort(),
            ["gatewayclasses", "gateways", "grpcroutes", "httproutes", "referencegrants"].map((p) => `${p}.gateway.networking.k8s.io`),
        );
        for (const c of crds) assert.equal(c.metadata.annotations["gateway.networking.k8s.io/bundle-version"], `v${GATEWAY_API_VERSION}`);
        const httproutes = crds.find((c) => c.metadata.name.startsWith("httproutes."));
        const text = JSON.stringify(httproutes);
        assert.ok(text.includes("x-kubernetes-validations"), "keeps the CEL rules");
        assert.ok(text.includes('"status":{}'), "keeps the status subresource");
        assert.ok(!/"description":"/.test(text), "drops descriptions");
    });
});
