import { strict as assert } from "node:assert";
import { checkValueKeys, chartKeys, knownCharts, unknownValueKeys } from "../../policies/validate/chart-values";

describe("validate/chart-values: Helm value keys against the chart's values.yaml", () => {
    it("knows every chart meshgate installs", () => {
        for (const chart of ["aws-load-balancer-controller", "grafana", "istio-base", "istiod", "istio-gateway", "jaeger", "kiali-server", "kong", "kube-prometheus-stack"]) {
            assert.ok(knownCharts().includes(chart), chart);
        }
    });

    it("catches istiod meshConfig.enableTracng and suggests enableTracing", () => {
        assert.deepEqual(unknownValueKeys("istiod", { meshConfig: { enableTracng: true } }), ["meshConfig.enableTracng"]);
        const [problem] = checkValueKeys("istiod", { meshConfig: { enableTracng: true } });
        assert.deepEqual(problem.suggestions, ["enableTracing"]);
        assert.match(problem.message, /did you mean "enableTracing"/);
    });

    it("accepts istiod values set at the top level (lifted from _internal_defaults_do_not_set) and every MeshConfig field", () => {
        const values = {
            replicaCount: 2,
            pdb: { minAvailable: 1 },
            autoscaleEnabled: false,
            meshConfig: {
                enableTracing: true,
                accessLogFile: "/dev/stdout",
                defaultConfig: { tracing: { sampling: 10 }, holdApplicationUntilProxyStarts: true },
                extensionProviders: [{ name: "jaeger", opentelemetry: { service: "jaeger-collector.observability.svc.cluster.local", port: 4317 } }],
                defaultProviders: { tracing: ["jaeger"] },
            },
            global: { proxy: { resources: { requests: { cpu: "50m" } } }, logAsJson: true },
        };
        assert.deepEqual(unknownValueKeys("istiod", values), []);
    });

    it("reports pilot.replicaCount on istiod (the 1.30 chart has no pilot section) and the _internal_defaults_do_not_set wrapper", () => {
        assert.deepEqual(unknownValueKeys("istiod", { pilot: { replicaCount: 2 } }), ["pilot.replicaCount"]);
        assert.deepEqual(unknownValueKeys("istiod", { _internal_defaults_do_not_set: { replicaCount: 2 } }), ["_internal_defaults_do_not_set.replicaCount"]);
    });

    it("catches kong ingresController.enabled and suggests ingressController", () => {
        const problems = checkValueKeys("kong", { ingresController: { enabled: true } });
        assert.deepEqual(
            problems.map((p) => p.path),
            ["ingresController.enabled"],
        );
        assert.deepEqual(problems[0].suggestions, ["ingressController"]);
    });

    it("accepts any key below open maps: kong env, podAnnotations, resources, nodeSelector", () => {
        const values = {
            env: { database: "off", tracing_instrumentations: "all", tracing_sampling_rate: 1 },
            podAnnotations: { "traffic.sidecar.istio.io/includeInboundPorts": "", "sidecar.istio.io/inject": "true" },
            resources: { limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "100m" } },
            nodeSelector: { "kubernetes.io/os": "linux" },
            ingressController: { enabled: true, env: { feature_gates: "FillIDs=true" } },
            proxy: { annotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "external" }, type: "LoadBalancer" },
        };
        assert.deepEqual(unknownValueKeys("kong", values), []);
    });

    it("reports a map given where the chart's default is a scalar", () => {
        const problems = checkValueKeys("istiod", { replicaCount: { min: 1 } });
        assert.deepEqual(
            problems.map((p) => [p.path, p.reason]),
            [["replicaCount", "not-a-map"]],
        );
    });

    it("does not look inside lists (values.yaml gives no item shape)", () => {
        assert.deepEqual(unknownValueKeys("kong", { ingressController: { args: [{ anything: true }] } }), []);
    });

    it("checks kube-prometheus-stack's grafana section against the union of its own and the grafana chart's keys", () => {
        const tree = chartKeys("kube-prometheus-stack").keys.grafana;
        assert.ok(typeof tree === "object");
        assert.ok("defaultDashboardsEnabled" in tree, "kps's own grafana key");
        assert.ok("persistence" in tree, "grafana chart key");
        assert.deepEqual(
            unknownValueKeys("kube-prometheus-stack", {
                grafana: {
                    enabled: true,
                    defaultDashboardsEnabled: true,
                    persistence: { enabled: true },
                    "grafana.ini": { server: { root_url: "%(protocol)s://%(domain)s/grafana" } },
                },
                prometheus: { prometheusSpec: { podMonitorSelectorNilUsesHelmValues: false, serviceMonitorSelectorNilUsesHelmValues: false } },
                "kube-state-metrics": { anything: { goes: true } },
            }),
            [],
        );
        assert.deepEqual(unknownValueKeys("kube-prometheus-stack", { grafana: { persistance: { enabled: true } } }), ["grafana.persistance.enabled"]);
    });

    it("checks kong-ingress controller/gateway sections against the kong chart", () => {
        assert.deepEqual(unknownValueKeys("kong-ingress", { controller: { ingressController: { enabled: true } }, gateway: { env: { database: "off" } } }), []);
        assert.deepEqual(unknownValueKeys("kong-ingress", { gateway: { proxxy: { type: "LoadBalancer" } } }), ["gateway.proxxy.type"]);
    });

    it("checks istio-gateway against the union of values.yaml and values.schema.json", () => {
        assert.deepEqual(
            unknownValueKeys("istio-gateway", { service: { type: "LoadBalancer", annotations: { a: "b" } }, autoscaling: { enabled: false }, labels: { istio: "ingress" } }),
            [],
        );
        assert.deepEqual(unknownValueKeys("istio-gateway", { servce: { type: "LoadBalancer" } }), ["servce.type"]);
    });

    it("accepts paths passed in opts.allow (keys a chart documents only in comments)", () => {
        assert.deepEqual(unknownValueKeys("grafana", { adminPassword: "x" }), ["adminPassword"]);
        assert.deepEqual(unknownValueKeys("grafana", { adminPassword: "x" }, { allow: ["adminPassword"] }), []);
    });

    it("accepts, when asked, a key values.yaml documents only in a comment (grafana adminPassword), and still catches typos", () => {
        assert.deepEqual(unknownValueKeys("grafana", { adminPassword: "x" }), ["adminPassword"]);
        assert.deepEqual(
            checkValueKeys("grafana", { adminPassword: "x", adminPasword: "y" }, { acceptCommented: true }).map((p) => p.path),
            ["adminPasword"],
        );
        assert.ok(chartKeys("kube-prometheus-stack").commentedKeys.has("adminPassword"), "a checked subchart's commented keys count too");
    });

    it("throws on an unknown chart, naming the known ones", () => {
        assert.throws(() => unknownValueKeys("istio-cni", {}), /unknown chart "istio-cni": known charts are .*istiod/);
    });
});
