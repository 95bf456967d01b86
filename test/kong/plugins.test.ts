import { strict as assert } from "node:assert";
import { kongClusterPluginObject, kongPlugin, kongPluginObject, openTelemetryConfig, openTelemetryPlugin, pluginsAnnotation, prometheusPlugin } from "../../components/kong";
import { validateCustomResource, validateKongPluginConfig } from "../../policies/validate";

const JAEGER = "http://jaeger-collector.observability.svc.cluster.local:4318/v1/traces";

describe("kong plugin builders", () => {
    it("builds a KongPlugin with plugin and config at the top level (no spec) that validates against the KIC CRD", () => {
        const p = kongPluginObject({ name: "user-service-key-auth", namespace: "users", plugin: "key-auth", config: { key_names: ["apikey"] }, labels: { app: "user-service" } });
        assert.deepEqual(p, {
            apiVersion: "configuration.konghq.com/v1",
            kind: "KongPlugin",
            metadata: { name: "user-service-key-auth", namespace: "users", labels: { app: "user-service" } },
            plugin: "key-auth",
            config: { key_names: ["apikey"] },
        });
        assert.equal("spec" in p, false);
        assert.deepEqual(validateCustomResource(p), []);
        assert.deepEqual(validateKongPluginConfig(p.plugin, p.config), []);
    });

    it("kongPlugin(name, namespace, plugin, config) is the positional form and leaves out empty labels", () => {
        const p = kongPlugin("rl", "users", "rate-limiting", { minute: 100, policy: "local" });
        assert.deepEqual(p.metadata, { name: "rl", namespace: "users" });
        assert.deepEqual(validateCustomResource(p), []);
        assert.deepEqual(validateKongPluginConfig("rate-limiting", p.config), []);
    });

    it("pluginsAnnotation joins the plugin names for konghq.com/plugins", () => {
        assert.equal(pluginsAnnotation([kongPlugin("a", "ns", "key-auth", {}), kongPlugin("b", "ns", "acl", { allow: ["x"] })]), "a,b");
    });

    it('a global KongClusterPlugin is labelled global: "true" and annotated with the kong ingress class', () => {
        const p = kongClusterPluginObject({ name: "g", plugin: "prometheus", config: {}, global: true });
        assert.deepEqual(p.metadata, { name: "g", labels: { global: "true" }, annotations: { "kubernetes.io/ingress.class": "kong" } });
        assert.deepEqual(validateCustomResource(p), []);
        const notGlobal = kongClusterPluginObject({ name: "n", plugin: "prometheus", config: {} });
        assert.equal(notGlobal.metadata.labels, undefined);
    });
});

describe("KongGateway global plugins", () => {
    it("prometheus: global, status-code/latency/bandwidth/upstream-health metrics, valid for Kong 3.9 and the CRD", () => {
        const p = prometheusPlugin();
        assert.equal(p.kind, "KongClusterPlugin");
        assert.equal(p.metadata.name, "meshgate-prometheus");
        assert.equal(p.metadata.labels?.global, "true");
        assert.equal(p.metadata.annotations?.["kubernetes.io/ingress.class"], "kong");
        assert.deepEqual(p.config, { status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true, upstream_health_metrics: true, per_consumer: false });
        assert.deepEqual(validateKongPluginConfig("prometheus", p.config), []);
        assert.deepEqual(validateCustomResource(p), []);
        assert.equal(prometheusPlugin({ perConsumer: true }).config?.per_consumer, true);
    });

    it("opentelemetry: global, sends to the given Jaeger OTLP/HTTP endpoint, W3C propagation, service.name kong, valid for Kong 3.9", () => {
        const p = openTelemetryPlugin({ endpoint: JAEGER, samplingRate: 0.25 });
        assert.equal(p.metadata.name, "meshgate-opentelemetry");
        assert.equal(p.metadata.labels?.global, "true");
        assert.equal(p.plugin, "opentelemetry");
        assert.deepEqual(p.config, {
            traces_endpoint: JAEGER,
            resource_attributes: { "service.name": "kong" },
            propagation: { extract: ["w3c"], inject: ["w3c"], default_format: "w3c" },
            sampling_rate: 0.25,
        });
        assert.deepEqual(validateKongPluginConfig("opentelemetry", p.config), []);
        assert.deepEqual(validateCustomResource(p), []);
    });

    it("the schema check would catch a wrong opentelemetry config (the test can fail)", () => {
        const bad = { ...openTelemetryConfig({ endpoint: JAEGER, samplingRate: 1 }), header_type: "traceparent", sampling_rate: 5 };
        const problems = validateKongPluginConfig("opentelemetry", bad);
        assert.ok(
            problems.some((m) => m.includes("header_type")),
            problems.join("\n"),
        );
        assert.ok(
            problems.some((m) => m.includes("sampling_rate")),
            problems.join("\n"),
        );
    });

    it("rejects a tracing endpoint that is not an http(s) URL and a sampling rate outside 0–1", () => {
        assert.throws(() => openTelemetryConfig({ endpoint: "jaeger:4318", samplingRate: 1 }), /tracing\.endpoint must be an http\(s\) URL/);
        assert.throws(() => openTelemetryConfig({ endpoint: JAEGER, samplingRate: 10 }), /tracing\.samplingRate must be from 0 to 1, got 10/);
    });
});
