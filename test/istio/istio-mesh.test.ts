/**
 * IstioMesh: its releases (chart, version, repository, values), dev vs prod, the tracing
 * chain to Jaeger, value keys against the charts' values.yaml, custom resources against the
 * Istio 1.30 CRDs, and what it registers under the mock runtime (parents, provider, ordering).
 */
import * as assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
// runProgram sets the mocks for each run; these modules create nothing when loaded.
import { IstioMesh, ISTIO_NAMESPACE, OTEL_TRACING_PROVIDER, planIstioMesh, type IstioMeshPlan, type IstiodValues } from "../../components/istio";
import { jaegerOtlp, JAEGER_RELEASE, OBSERVABILITY_NAMESPACE } from "../../components/observability";
import { ISTIO_VERSION } from "../../components/versions";
import { checkValueKeys, unknownValueKeys } from "../../policies/validate/chart-values";
import { validateCustomResource } from "../../policies/validate/crd";
import { referenceChartVersion } from "../reference";
import { runProgram, type PlanRun, type RecordedResource } from "../../tools/plan/runtime";

const ISTIO_REPO = "https://istio-release.storage.googleapis.com/charts";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const CHART_ID = { base: "istio-base", istiod: "istiod", gateway: "istio-gateway" } as const;

const istiod = (plan: IstioMeshPlan) => plan.istiod.values as unknown as IstiodValues;
/** The Jaeger of meshgate's Observability, as the Platform passes it. */
const JAEGER = (() => {
    const o = jaegerOtlp(JAEGER_RELEASE, OBSERVABILITY_NAMESPACE);
    return { service: o.grpcHost, port: o.grpcPort };
})();

describe("IstioMesh: releases", () => {
    const dev = planIstioMesh({});

    it("installs istio/base as release istio-base and istio/istiod as release istiod, 1.30.3 from Istio's repository, in istio-system", () => {
        assert.deepEqual(
            [dev.base, dev.istiod].map((r) => [r.name, r.chart, r.version, r.repository, r.namespace]),
            [
                ["istio-base", "base", "1.30.3", ISTIO_REPO, "istio-system"],
                ["istiod", "istiod", "1.30.3", ISTIO_REPO, "istio-system"],
            ],
        );
        assert.equal(ISTIO_VERSION, "1.30.3");
        assert.equal(ISTIO_NAMESPACE, "istio-system");
        // the version whose values.yaml and CRDs data/ holds (the chart-value checks assume it)
        assert.deepEqual([referenceChartVersion("istio-base"), referenceChartVersion("istiod")], [dev.base.version, dev.istiod.version]);
        assert.equal(dev.gateway, undefined, "istio/gateway only when asked for");
    });

    it("installs istio/gateway as release istio-ingressgateway only with ingressGateway", () => {
        const gw = planIstioMesh({ ingressGateway: true }).gateway;
        assert.deepEqual([gw?.name, gw?.chart, gw?.version, gw?.repository], ["istio-ingressgateway", "gateway", "1.30.3", ISTIO_REPO]);
        assert.equal(gw?.version, referenceChartVersion("istio-gateway"), "the version whose values.yaml data/ holds");
    });

    it("takes one chart override for all three Istio charts", () => {
        const p = planIstioMesh({ ingressGateway: true, chart: { version: "1.30.4", repository: "oci://mirror.example/istio" } });
        for (const r of [p.base, p.istiod, p.gateway]) {
            assert.deepEqual([r?.version, r?.repository], ["1.30.4", "oci://mirror.example/istio"]);
        }
    });

    it("sets istiod's values at the top level: no `pilot`, no `_internal_defaults_do_not_set`", () => {
        for (const plan of [dev, planIstioMesh({ highAvailability: true })]) {
            const keys = Object.keys(plan.istiod.values);
            assert.ok(!keys.includes("pilot") && !keys.includes("_internal_defaults_do_not_set"), keys.join(","));
            assert.ok(keys.includes("meshConfig") && keys.includes("replicaCount") && keys.includes("pdb"));
        }
    });

    it("configures the mesh: JSON access logs on stdout, tracing on with a collector, metrics merging, applications held until the proxy is ready", () => {
        const mc = istiod(planIstioMesh({ tracing: { collector: JAEGER } })).meshConfig;
        assert.equal(mc.enablePrometheusMerge, true);
        assert.equal(mc.accessLogFile, "/dev/stdout");
        assert.equal(mc.accessLogEncoding, "JSON");
        assert.equal(mc.enableTracing, true);
        assert.equal(mc.defaultConfig.holdApplicationUntilProxyStarts, true);
        assert.equal(mc.rootNamespace, "istio-system");
        assert.equal(mc.trustDomain, "cluster.local");
        assert.equal(istiod(planIstioMesh({ accessLogging: false })).meshConfig.accessLogFile, "");
        assert.equal(istiod(planIstioMesh({ trustDomain: "prod.example.com" })).meshConfig.trustDomain, "prod.example.com");
    });

    it("deep-merges the user's values last: the user wins, meshgate's other keys stay", () => {
        const p = planIstioMesh({ tracing: { collector: JAEGER }, values: { istiod: { meshConfig: { accessLogEncoding: "TEXT" }, resources: { requests: { cpu: "100m" } } } } });
        const mc = istiod(p).meshConfig;
        assert.equal(mc.accessLogEncoding, "TEXT");
        assert.equal(mc.enableTracing, true);
        assert.equal(mc.extensionProviders[0].name, "otel-tracing");
        assert.deepEqual(p.istiod.values.resources, { requests: { cpu: "100m" } });
    });
});

describe("IstioMesh: high availability", () => {
    const dev = istiod(planIstioMesh({ highAvailability: false }));
    const prod = istiod(planIstioMesh({ highAvailability: true }));

    it("runs istiod with one fixed replica and no PodDisruptionBudget in dev (a PDB on one replica blocks drains)", () => {
        assert.equal(dev.replicaCount, 1);
        assert.equal(dev.autoscaleEnabled, false);
        assert.equal(dev.global.defaultPodDisruptionBudget.enabled, false);
        assert.deepEqual(dev.topologySpreadConstraints, []);
    });

    it("runs istiod in prod with at least 2 replicas under an HPA (2–5), a PodDisruptionBudget (minAvailable 1) and zone spread", () => {
        assert.ok(prod.replicaCount >= 2);
        assert.equal(prod.autoscaleEnabled, true);
        assert.ok(prod.autoscaleMin >= 2, "the chart creates the PDB only when autoscaleMin > 1");
        assert.equal(prod.autoscaleMax, 5);
        assert.equal(prod.global.defaultPodDisruptionBudget.enabled, true);
        assert.deepEqual(prod.pdb, { minAvailable: 1 });
        const zone = prod.topologySpreadConstraints.find((c) => c.topologyKey === "topology.kubernetes.io/zone");
        assert.deepEqual(zone?.labelSelector.matchLabels, { app: "istiod" });
        assert.equal(zone?.maxSkew, 1);
    });

    it("never lets istiodReplicas drop below 2 in prod, and honours a larger count", () => {
        assert.equal(istiod(planIstioMesh({ highAvailability: true, istiodReplicas: 1 })).replicaCount, 2);
        const three = istiod(planIstioMesh({ highAvailability: true, istiodReplicas: 3 }));
        assert.deepEqual([three.replicaCount, three.autoscaleMin], [3, 3]);
    });

    it("gives the gateway 2+ replicas, a PDB and zone spread in prod, one replica and no PDB in dev", () => {
        const gw = (ha: boolean) => planIstioMesh({ highAvailability: ha, ingressGateway: true }).gateway?.values ?? {};
        assert.deepEqual(gw(true).autoscaling, { enabled: true, minReplicas: 2, maxReplicas: 5 });
        assert.deepEqual(gw(true).podDisruptionBudget, { minAvailable: 1 });
        assert.equal((gw(true).topologySpreadConstraints as unknown[]).length, 2);
        assert.deepEqual(gw(false).autoscaling, { enabled: true, minReplicas: 1, maxReplicas: 5 });
        assert.deepEqual(gw(false).podDisruptionBudget, {});
    });
});

describe("IstioMesh: tracing chain", () => {
    const plan = planIstioMesh({ tracing: { samplingPercentage: 5, collector: JAEGER } });
    const mc = istiod(plan).meshConfig;
    const otlp = jaegerOtlp(JAEGER_RELEASE, OBSERVABILITY_NAMESPACE);

    it("defines the OpenTelemetry provider otel-tracing at Jaeger's OTLP/gRPC Service, as jaegerOtlp derives it from the jaeger chart", () => {
        assert.deepEqual(mc.extensionProviders, [{ name: "otel-tracing", opentelemetry: { service: otlp.grpcHost, port: otlp.grpcPort } }]);
        assert.equal(otlp.grpcHost, "jaeger.observability.svc.cluster.local");
        assert.equal(otlp.grpcPort, 4317);
    });

    it("has the mesh-wide Telemetry refer to that provider by name, with the stack's sampling percentage", () => {
        assert.ok(plan.telemetry);
        assert.equal(plan.telemetry.metadata.name, "mesh-default");
        assert.equal(plan.telemetry.metadata.namespace, mc.rootNamespace);
        assert.deepEqual(plan.telemetry.spec.tracing, [{ providers: [{ name: mc.extensionProviders[0].name }], randomSamplingPercentage: 5 }]);
        assert.equal(plan.tracingProviderName, mc.extensionProviders[0].name);
        assert.deepEqual(mc.defaultProviders.tracing, ["otel-tracing"]);
        assert.equal(istiod(plan).traceSampling, 5);
    });

    it("samples 1% by default, and keeps an explicit 0", () => {
        assert.equal(planIstioMesh({ tracing: { collector: JAEGER } }).telemetry?.spec.tracing[0].randomSamplingPercentage, 1);
        assert.equal(planIstioMesh({ tracing: { samplingPercentage: 0, collector: JAEGER } }).telemetry?.spec.tracing[0].randomSamplingPercentage, 0);
    });

    it("traces nowhere without a collector: no extension provider, no Telemetry, tracing off (a stack without observability has no jaeger.observability)", () => {
        const p = planIstioMesh({ tracing: { samplingPercentage: 50 } });
        const m = istiod(p).meshConfig;
        assert.deepEqual(m.extensionProviders, []);
        assert.deepEqual(m.defaultProviders.tracing, []);
        assert.equal(m.enableTracing, false);
        assert.equal(istiod(p).traceSampling, 0);
        assert.equal(p.telemetry, undefined);
        assert.equal(p.tracingProviderName, undefined);
        assert.ok(!JSON.stringify(p.istiod.values).includes("jaeger"), "nothing names Jaeger");
    });

    it("points at another collector when given one", () => {
        const p = planIstioMesh({ tracing: { collector: { service: "otel-collector.otel.svc.cluster.local", port: 4317 } } });
        assert.deepEqual(istiod(p).meshConfig.extensionProviders[0].opentelemetry, { service: "otel-collector.otel.svc.cluster.local", port: 4317 });
    });
});

describe("IstioMesh: mesh-wide security", () => {
    it("creates a STRICT PeerAuthentication named default in the root namespace, without selector", () => {
        const pa = planIstioMesh({}).peerAuthentication;
        assert.deepEqual(pa, {
            apiVersion: "security.istio.io/v1",
            kind: "PeerAuthentication",
            metadata: { name: "default", namespace: "istio-system" },
            spec: { mtls: { mode: "STRICT" } },
        });
    });
});

describe("IstioMesh: chart value keys exist in each chart's values.yaml", () => {
    const plans = [planIstioMesh({ ingressGateway: true }), planIstioMesh({ highAvailability: true, ingressGateway: true, tracing: { collector: JAEGER } })];

    it("sets only keys of istio-base, istiod and istio-gateway 1.30.3, in dev and prod", () => {
        for (const plan of plans) {
            for (const role of ["base", "istiod", "gateway"] as const) {
                const spec = plan[role];
                assert.ok(spec !== undefined);
                assert.deepEqual(
                    checkValueKeys(CHART_ID[role], spec.values).map((p) => p.message),
                    [],
                    role,
                );
            }
        }
    });

    it("fails on a misspelt copy: the checker flags each bad key", () => {
        const good = planIstioMesh({ highAvailability: true, tracing: { collector: JAEGER } }).istiod.values;
        const mc = good.meshConfig as Record<string, unknown>;
        const bad = { ...good, replicaCont: 2, pilot: { autoscaleMin: 2 }, meshConfig: { ...mc, enableTracng: true } };
        const flagged = unknownValueKeys("istiod", bad);
        assert.equal(flagged.length, 3, flagged.join(", "));
        for (const key of ["meshConfig.enableTracng", "pilot", "replicaCont"]) {
            assert.ok(
                flagged.some((f) => f === key || f.startsWith(`${key}.`)),
                `${key} not flagged: ${flagged.join(", ")}`,
            );
        }
        assert.deepEqual(unknownValueKeys("istiod", good), []);
    });

    it("checks the user's values too", () => {
        const p = planIstioMesh({ values: { istiod: { autoscaleMinimum: 3 } } });
        assert.deepEqual(unknownValueKeys("istiod", p.istiod.values), ["autoscaleMinimum"]);
    });
});

describe("IstioMesh: custom resources validate against the Istio 1.30 CRDs (schema and CEL)", () => {
    it("accepts the Telemetry and the PeerAuthentication, dev and prod, at 0, 1 and 100 percent", () => {
        for (const samplingPercentage of [0, 1, 100]) {
            const p = planIstioMesh({ tracing: { samplingPercentage, collector: JAEGER } });
            assert.ok(p.telemetry);
            assert.deepEqual(validateCustomResource(p.telemetry), []);
            assert.deepEqual(validateCustomResource(p.peerAuthentication), []);
        }
    });

    it("is a check that bites: a sampling rate over 100 or an unknown mTLS mode is rejected", () => {
        const p = planIstioMesh({ tracing: { collector: JAEGER } });
        assert.ok(p.telemetry);
        const telemetry = { ...p.telemetry, spec: { tracing: [{ providers: [{ name: OTEL_TRACING_PROVIDER }], randomSamplingPercentage: 101 }] } };
        assert.notDeepEqual(validateCustomResource(telemetry), []);
        assert.notDeepEqual(validateCustomResource({ ...p.peerAuthentication, spec: { mtls: { mode: "ON" } } }), []);
    });
});

describe("IstioMesh: invalid args", () => {
    it("reports every problem at once, with its field", () => {
        assert.throws(
            () => planIstioMesh({ tracing: { samplingPercentage: 150, collector: { service: "", port: 70000 } }, istiodReplicas: 0 }),
            (e: Error) => ["tracing.samplingPercentage", "tracing.collector.port", "tracing.collector.service", "istiodReplicas"].every((f) => e.message.includes(f)),
        );
    });
});

describe("IstioMesh under the mock runtime", function () {
    this.timeout(60000);
    let run: PlanRun;
    let provider: string;

    before(async () => {
        run = await runProgram(() => {
            const k8sProvider = new k8s.Provider("k8s", { kubeconfig: "{}" });
            const mesh = new IstioMesh(
                "mesh",
                { highAvailability: true, ingressGateway: true, tracing: { samplingPercentage: 10, collector: JAEGER } },
                { providers: { kubernetes: k8sProvider } },
            );
            return { tracingProviderName: mesh.tracingProviderName, rootNamespace: mesh.rootNamespace, namespace: mesh.namespace };
        });
        provider = run.resources.find((r) => r.type === "pulumi:providers:kubernetes")?.urn ?? "";
    });

    const byName = (name: string): RecordedResource => {
        const r = run.resources.find((x) => x.name === name);
        assert.ok(r, `no resource ${name}`);
        return r;
    };

    it("registers a namespace, three releases and two custom resources, all children of the component, named after it", () => {
        const component = run.resources.find((r) => r.type === "meshgate:istio:IstioMesh");
        assert.ok(component);
        const children = run.resources.filter((r) => r.parent === component.urn);
        assert.deepEqual(children.map((r) => `${r.type} ${r.name}`).sort(), [
            "kubernetes:core/v1:Namespace mesh-namespace",
            `${RELEASE} mesh-base`,
            `${RELEASE} mesh-gateway`,
            `${RELEASE} mesh-istiod`,
            "kubernetes:security.istio.io/v1:PeerAuthentication mesh-peer-authentication",
            "kubernetes:telemetry.istio.io/v1:Telemetry mesh-telemetry",
        ]);
    });

    it("creates every Kubernetes object through the provider it was given", () => {
        assert.ok(provider, "a Kubernetes provider");
        const objects = run.resources.filter((x) => x.custom && x.type.startsWith("kubernetes:"));
        assert.ok(objects.length > 3, `${objects.length} Kubernetes objects`);
        for (const r of objects) {
            assert.equal(r.provider, provider, r.name);
        }
    });

    it("records each release's chart, version, repository, release name and namespace", () => {
        const inputs = (n: string) => byName(n).inputs;
        for (const [res, release, chart] of [
            ["mesh-base", "istio-base", "base"],
            ["mesh-istiod", "istiod", "istiod"],
            ["mesh-gateway", "istio-ingressgateway", "gateway"],
        ]) {
            const i = inputs(res);
            assert.deepEqual([i.name, i.chart, i.version, i.repositoryOpts, i.namespace], [release, chart, "1.30.3", { repo: ISTIO_REPO }, "istio-system"]);
        }
        const mc = (inputs("mesh-istiod").values as { meshConfig: { extensionProviders: unknown } }).meshConfig;
        assert.deepEqual(mc.extensionProviders, [{ name: "otel-tracing", opentelemetry: { service: "jaeger.observability.svc.cluster.local", port: 4317 } }]);
    });

    it("orders only what must be ordered: istiod after base, gateway after istiod, custom resources after base, releases after the namespace", () => {
        const urn = (n: string) => byName(n).urn;
        const deps = (n: string) => [...byName(n).dependsOn].sort();
        assert.deepEqual(deps("mesh-namespace"), []);
        assert.deepEqual(deps("mesh-base"), [urn("mesh-namespace")]);
        assert.deepEqual(deps("mesh-istiod"), [urn("mesh-base"), urn("mesh-namespace")].sort());
        assert.deepEqual(deps("mesh-gateway"), [urn("mesh-istiod"), urn("mesh-namespace")].sort());
        assert.deepEqual(deps("mesh-telemetry"), [urn("mesh-base"), urn("mesh-namespace")].sort());
        assert.deepEqual(deps("mesh-peer-authentication"), [urn("mesh-base"), urn("mesh-namespace")].sort());
    });

    it("records custom resources that validate against their CRDs", () => {
        for (const n of ["mesh-telemetry", "mesh-peer-authentication"]) {
            assert.deepEqual(validateCustomResource(byName(n).inputs), [], n);
        }
        const t = byName("mesh-telemetry").inputs as { spec: { tracing: { randomSamplingPercentage: number }[] } };
        assert.equal(t.spec.tracing[0].randomSamplingPercentage, 10);
    });

    it("exports the tracing provider name and the root namespace", () => {
        assert.deepEqual(run.outputs, { tracingProviderName: "otel-tracing", rootNamespace: "istio-system", namespace: "istio-system" });
    });
});
