/**
 * KongGateway under the mock runtime: what it registers (namespace, the kong/kong release,
 * the metrics Service, the Postgres Secret, the global KongClusterPlugins), with which inputs,
 * parents and dependencies, and its outputs.
 */
import { strict as assert } from "node:assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
// runProgram sets the mocks for each run; these modules create nothing when loaded.
import { KONG_CHART_COMMENTED_KEYS, KONG_POD_LABELS, KongGateway, KongGatewayArgs, kongMetrics } from "../../components/kong";
import { validateCustomResource, validateKongPluginConfig } from "../../policies/validate";
import { unknownValueKeys } from "../../policies/validate/chart-values";
import { PlanRun, RecordedResource, runProgram } from "../../tools/plan/runtime";
import { field, KONG_CLUSTER_PLUGIN, NAMESPACE, only, RELEASE, SECRET, stringLeaves } from "./helpers";

const JAEGER = "http://jaeger-collector.observability.svc.cluster.local:4318/v1/traces";
const SERVICE = "kubernetes:core/v1:Service";

async function plan(args: KongGatewayArgs, extra?: (gw: KongGateway) => Record<string, unknown>): Promise<PlanRun> {
    return runProgram(() => {
        const gw = new KongGateway("edge", args);
        return {
            principal: gw.principal,
            dbless: gw.dbless,
            ingressClass: gw.ingressClass,
            namespace: gw.namespace,
            proxyService: gw.proxyService,
            proxyHostnameCommand: gw.proxyHostnameCommand,
            ...(gw.postgresPassword ? { postgresPassword: gw.postgresPassword } : {}),
            ...(extra ? extra(gw) : {}),
        };
    });
}

const shortName = (urn: string) => urn.split("::").pop();
const depsOf = (r: RecordedResource) => r.dependsOn.map(shortName).sort();

describe("KongGateway (mock runtime)", () => {
    let dev: PlanRun;
    let prod: PlanRun;
    before(async () => {
        dev = await plan({ environment: "dev" });
        prod = await plan({ environment: "prod", highAvailability: true, tracing: { endpoint: JAEGER, samplingRate: 0.1 }, trustDomain: "prod.example" });
    });

    it("installs kong/kong 3.4.1 from https://charts.konghq.com as release kong in namespace kong", () => {
        const r = only(dev, RELEASE);
        assert.equal(r.name, "edge-release");
        assert.equal(r.inputs.name, "kong");
        assert.equal(r.inputs.chart, "kong");
        assert.equal(r.inputs.version, "3.4.1");
        assert.deepEqual(r.inputs.repositoryOpts, { repo: "https://charts.konghq.com" });
        assert.equal(r.inputs.namespace, "kong");
        assert.equal(r.inputs.createNamespace, false);
        assert.equal(field(r.inputs, "values", "env", "database"), "off");
        assert.equal(field(r.inputs, "values", "ingressController", "enabled"), true);
        assert.equal(field(r.inputs, "values", "admin", "enabled"), false);
        assert.equal(field(r.inputs, "values", "serviceMonitor", "enabled"), false);
    });

    it("takes a chart override: another HTTPS repository, or an OCI registry (chart by full reference)", async () => {
        const https = only(await plan({ environment: "dev", chart: { version: "3.4.2", repository: "https://mirror.example/charts" } }), RELEASE);
        assert.deepEqual([https.inputs.chart, https.inputs.version, https.inputs.repositoryOpts], ["kong", "3.4.2", { repo: "https://mirror.example/charts" }]);
        const oci = only(await plan({ environment: "dev", chart: { repository: "oci://mirror.example/charts/" } }), RELEASE);
        assert.deepEqual([oci.inputs.chart, oci.inputs.version, oci.inputs.repositoryOpts], ["oci://mirror.example/charts/kong", "3.4.1", undefined]);
    });

    it("creates namespace kong labelled for sidecar injection and with the environment; without the mesh, no injection label", async () => {
        assert.deepEqual(field(only(prod, NAMESPACE).inputs, "metadata"), {
            name: "kong",
            labels: { "meshgate.io/environment": "prod", "istio-injection": "enabled", "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" },
        });
        const gatewayOnly = await plan({ environment: "dev", mesh: false });
        assert.deepEqual(field(only(gatewayOnly, NAMESPACE).inputs, "metadata", "labels"), {
            "meshgate.io/environment": "dev",
            "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled",
        });
    });

    it("the recorded release values use only keys of kong's values.yaml (plus the commented keys the templates read)", () => {
        for (const run of [dev, prod]) {
            const values = only(run, RELEASE).inputs.values;
            assert.deepEqual(unknownValueKeys("kong", values, { allow: [...KONG_CHART_COMMENTED_KEYS] }), []);
        }
    });

    it("prod: HPA 2–6, PDB, spread, NLB annotations and tracing in the recorded values", () => {
        const v = only(prod, RELEASE).inputs.values;
        assert.equal(field(v, "replicaCount"), 2);
        assert.equal(field(v, "autoscaling", "enabled"), true);
        assert.equal(field(v, "autoscaling", "minReplicas"), 2);
        assert.equal(field(v, "podDisruptionBudget", "enabled"), true);
        assert.equal((field(v, "topologySpreadConstraints") as unknown[]).length, 2);
        assert.equal(field(v, "proxy", "annotations", "service.beta.kubernetes.io/aws-load-balancer-type"), "external");
        assert.equal(field(v, "proxy", "annotations", "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"), "ip");
        assert.equal(field(v, "proxy", "annotations", "service.beta.kubernetes.io/aws-load-balancer-scheme"), "internet-facing");
        assert.equal(field(v, "env", "tracing_instrumentations"), "all");
        assert.equal(field(v, "env", "tracing_sampling_rate"), 0.1);
    });

    it("creates the global prometheus plugin always and opentelemetry only with tracing, after the release (its CRDs)", () => {
        assert.deepEqual(
            dev.byType(KONG_CLUSTER_PLUGIN).map((r) => r.inputs.plugin),
            ["prometheus"],
        );
        const plugins = prod.byType(KONG_CLUSTER_PLUGIN);
        assert.deepEqual(
            plugins.map((r) => r.inputs.plugin),
            ["prometheus", "opentelemetry"],
        );
        const release = only(prod, RELEASE);
        for (const p of plugins) {
            assert.ok(p.dependsOn.includes(release.urn), `${p.name} waits for the release`);
            assert.equal(field(p.inputs, "metadata", "labels", "global"), "true");
            assert.equal(field(p.inputs, "metadata", "annotations", "kubernetes.io/ingress.class"), "kong");
        }
    });

    it("every Kong custom resource validates against the KIC CRDs and every plugin config against the Kong 3.9 schema", () => {
        assert.equal(prod.byType(KONG_CLUSTER_PLUGIN).length, 2, "prometheus and opentelemetry");
        for (const p of prod.byType(KONG_CLUSTER_PLUGIN)) {
            assert.deepEqual(validateCustomResource(p.inputs), [], p.name);
            assert.deepEqual(validateKongPluginConfig(String(p.inputs.plugin), p.inputs.config), [], p.name);
        }
    });

    it("the opentelemetry plugin sends to the Jaeger endpoint it was given", () => {
        const otel = prod.byType(KONG_CLUSTER_PLUGIN).find((r) => r.inputs.plugin === "opentelemetry");
        assert.equal(field(otel?.inputs, "config", "traces_endpoint"), JAEGER);
        assert.equal(field(otel?.inputs, "config", "propagation", "default_format"), "w3c");
    });

    it("adds a ClusterIP metrics Service matching kongMetrics (selector, port, path) over the Kong pods", () => {
        const s = only(dev, SERVICE);
        assert.equal(field(s.inputs, "metadata", "name"), "kong-kong-status");
        assert.equal(field(s.inputs, "metadata", "namespace"), "kong");
        assert.deepEqual(field(s.inputs, "metadata", "labels"), { "app.kubernetes.io/name": "kong", "app.kubernetes.io/instance": "kong", "meshgate.io/metrics": "kong" });
        assert.deepEqual(
            [kongMetrics.namespace, kongMetrics.selector],
            [field(s.inputs, "metadata", "namespace"), field(s.inputs, "metadata", "labels")],
            "kongMetrics names this Service",
        );
        // kong/kong chart 3.4.1 templates/_helpers.tpl, "kong.selectorLabels": name (the chart's name), component "app", instance (the release name).
        const chartSelector = { "app.kubernetes.io/name": "kong", "app.kubernetes.io/component": "app", "app.kubernetes.io/instance": "kong" };
        assert.deepEqual(field(s.inputs, "spec", "selector"), chartSelector);
        assert.deepEqual(KONG_POD_LABELS, chartSelector);
        const ports = field(s.inputs, "spec", "ports") as { name: string; port: number; targetPort: string }[];
        assert.deepEqual(
            ports.find((p) => p.name === kongMetrics.port),
            { name: "status", port: 8100, targetPort: "status", protocol: "TCP", appProtocol: "http" },
        );
        assert.equal(kongMetrics.path, "/metrics");
    });

    it("outputs the principal, DB-less flag, ingress class and where the proxy Service is", () => {
        assert.deepEqual(dev.outputs, {
            principal: "cluster.local/ns/kong/sa/kong-kong",
            dbless: true,
            ingressClass: "kong",
            namespace: "kong",
            proxyService: { namespace: "kong", name: "kong-kong-proxy" },
            proxyHostnameCommand: "kubectl -n kong get service kong-kong-proxy -o jsonpath='{.status.loadBalancer.ingress[0].hostname}{.status.loadBalancer.ingress[0].ip}'",
        });
        assert.equal(prod.outputs.principal, "prod.example/ns/kong/sa/kong-kong");
    });

    it("parents every child to the component and names it after the instance", () => {
        const component = only(dev, "meshgate:kong:KongGateway");
        const children = dev.resources.filter((x) => x.custom);
        assert.ok(children.length >= 4, `${children.length} children: namespace, release, metrics Service, prometheus plugin`);
        for (const r of children) {
            assert.equal(r.parent, component.urn, r.name);
            assert.ok(r.name.startsWith("edge-"), r.name);
        }
    });

    it("orders only what must be ordered: the release waits for the namespace and what it is told to wait for", async () => {
        assert.deepEqual(depsOf(only(dev, RELEASE)), ["edge-namespace"]);
        const run = await runProgram(() => {
            const lbc = new k8s.helm.v3.Release("lbc", { chart: "aws-load-balancer-controller" });
            new KongGateway("edge", { environment: "dev", dependsOn: [lbc] });
        });
        const kong = run.byType(RELEASE).find((r) => r.name === "edge-release");
        assert.ok(kong);
        assert.deepEqual(depsOf(kong), ["edge-namespace", "lbc"]);
        // The metrics Service selects Kong's pods: it comes after the release that creates them.
        assert.deepEqual(depsOf(only(run, SERVICE)), ["edge-namespace", "edge-release"]);
    });

    describe("Postgres mode", () => {
        let bundled: PlanRun;
        let external: PlanRun;
        before(async () => {
            bundled = await plan({ environment: "prod", mode: "postgres", highAvailability: true, postgres: { image: { repository: "library/postgres", tag: "17.2" } } });
            external = await plan({ environment: "prod", mode: "postgres", postgres: { external: { host: "db.example.internal" } } });
        });

        it('stores generated passwords in a Secret whose recorded data is only "[secret]"', () => {
            const s = only(bundled, SECRET);
            assert.equal(field(s.inputs, "metadata", "name"), "kong-postgres-credentials");
            assert.equal(field(s.inputs, "metadata", "namespace"), "kong");
            assert.equal(s.inputs.stringData, "[secret]");
            assert.equal(bundled.byType("random:index/randomPassword:RandomPassword").length, 2);
        });

        it("the release references the Secret and waits for it; no password appears in its values", () => {
            const r = only(bundled, RELEASE);
            assert.deepEqual(field(r.inputs, "values", "env", "pg_password"), { valueFrom: { secretKeyRef: { name: "kong-postgres-credentials", key: "password" } } });
            assert.equal(field(r.inputs, "values", "postgresql", "auth", "existingSecret"), "kong-postgres-credentials");
            assert.ok(r.dependsOn.includes(only(bundled, SECRET).urn));
            // The mock RandomPassword results are "placeholder-<hash>".
            const leaves = [...stringLeaves(r.inputs.values)];
            assert.ok(leaves.length > 0, "the values have string leaves");
            for (const [path, value] of leaves) {
                assert.ok(!value.startsWith("placeholder-") && value !== "[secret]", `${path} carries a password`);
            }
            assert.equal(bundled.outputs.dbless, false);
        });

        it("external: one generated password, exported only as a secret", () => {
            assert.equal(external.byType("random:index/randomPassword:RandomPassword").length, 1);
            assert.equal(external.outputs.postgresPassword, "[secret]");
            assert.equal(field(only(external, RELEASE).inputs, "values", "env", "pg_host"), "db.example.internal");
        });

        it("external with a given password: stored as a secret, nothing generated", async () => {
            const run = await plan({ environment: "prod", mode: "postgres", postgres: { external: { host: "db", password: pulumi.secret("s3cr3t-from-config") } } });
            assert.equal(run.byType("random:index/randomPassword:RandomPassword").length, 0);
            assert.equal(only(run, SECRET).inputs.stringData, "[secret]");
            assert.equal(JSON.stringify(run.resources).includes("s3cr3t-from-config"), false);
            assert.equal(run.outputs.postgresPassword, undefined);
        });
    });

    it("fails before creating anything on settings the chart would reject", async () => {
        await assert.rejects(
            plan({ environment: "prod", highAvailability: true, replicas: 1 }),
            /invalid KongGateway args:\n {2}replicas: 1 is below 2; a highly available Kong \(prod\) runs at least 2 replicas/,
        );
    });
});
