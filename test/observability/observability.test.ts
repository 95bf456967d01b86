/**
 * Observability: its releases (chart, version, repository, values), dev vs prod, the Grafana
 * admin password kept out of every release, the dashboards, Jaeger's OTLP endpoints (the
 * other end of the tracing chain), the monitors Prometheus selects, value keys against each
 * chart's values.yaml, and what it registers under the mock runtime.
 */
import * as assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
// runProgram sets the mocks for each run; these modules create nothing when loaded.
import { planIstioMesh, type IstiodValues } from "../../components/istio";
import {
    JAEGER_CHART_TEMPLATE_KEYS,
    MERGED_METRICS_PORT,
    DEFAULT_DASHBOARDS,
    JAEGER_RELEASE,
    jaegerOtlp,
    jaegerServiceName,
    KUBE_PROMETHEUS_STACK_RELEASE,
    MONITOR_LABELS,
    OBSERVABILITY_NAMESPACE,
    Observability,
    planObservability,
    type ObservabilityPlan,
    type PodMonitor,
    type ServiceMonitor,
} from "../../components/observability";
import { kongMetrics as kongGatewayMetrics } from "../../components/kong/names";
import { JAEGER_CHART_VERSION, KUBE_PROMETHEUS_STACK_VERSION } from "../../components/versions";
import { checkValueKeys, unknownValueKeys } from "../../policies/validate/chart-values";
import { referenceChartVersion } from "../reference";
import { runProgram, type PlanRun, type RecordedResource } from "../../tools/plan/runtime";

const KPS_REPO = "https://prometheus-community.github.io/helm-charts";
const JAEGER_REPO = "https://jaegertracing.github.io/helm-charts";
const KIALI_REPO = "https://kiali.org/helm-charts";
const RELEASE = "kubernetes:helm.sh/v3:Release";

const kong = { namespace: "kong", selector: { "app.kubernetes.io/name": "kong", "app.kubernetes.io/instance": "kong" }, port: "cmetrics" };

/** `obj` at a dotted path. */
function at(obj: unknown, path: string): unknown {
    return path.split(".").reduce<unknown>((o, k) => (typeof o === "object" && o !== null ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/** Every key anywhere in `obj` (to look for password-like keys). */
function allKeys(obj: unknown, prefix = ""): string[] {
    if (Array.isArray(obj)) return obj.flatMap((v, i) => allKeys(v, `${prefix}[${i}]`));
    if (typeof obj !== "object" || obj === null) return [];
    return Object.entries(obj).flatMap(([k, v]) => [`${prefix}${k}`, ...allKeys(v, `${prefix}${k}.`)]);
}

describe("Observability: releases", () => {
    const dev = planObservability({ kiali: { enabled: true } });

    it("installs kube-prometheus-stack 88.5.3 as release kube-prometheus-stack and jaegertracing/jaeger 4.11.1 as release jaeger, in observability", () => {
        assert.deepEqual(
            [dev.kubePrometheusStack, dev.jaeger].map((r) => [r.name, r.chart, r.version, r.repository, r.namespace]),
            [
                ["kube-prometheus-stack", "kube-prometheus-stack", "88.5.3", KPS_REPO, "observability"],
                ["jaeger", "jaeger", "4.11.1", JAEGER_REPO, "observability"],
            ],
        );
        assert.deepEqual([KUBE_PROMETHEUS_STACK_VERSION, JAEGER_CHART_VERSION], ["88.5.3", "4.11.1"]);
        assert.deepEqual([KUBE_PROMETHEUS_STACK_RELEASE, JAEGER_RELEASE, OBSERVABILITY_NAMESPACE], ["kube-prometheus-stack", "jaeger", "observability"]);
        // the versions whose values.yaml data/ holds (the chart-value checks assume them)
        assert.deepEqual([referenceChartVersion("kube-prometheus-stack"), referenceChartVersion("jaeger")], [dev.kubePrometheusStack.version, dev.jaeger.version]);
    });

    it("installs kiali-server 2.29.0 in istio-system only when enabled", () => {
        assert.deepEqual(
            [dev.kiali?.name, dev.kiali?.chart, dev.kiali?.version, dev.kiali?.repository, dev.kiali?.namespace],
            ["kiali", "kiali-server", "2.29.0", KIALI_REPO, "istio-system"],
        );
        assert.equal(dev.kiali?.version, referenceChartVersion("kiali-server"), "the version whose values.yaml data/ holds");
        assert.equal(planObservability({}).kiali, undefined);
    });

    it("takes chart overrides per release", () => {
        const p = planObservability({ charts: { kubePrometheusStack: { version: "88.6.0" }, jaeger: { repository: "oci://mirror.example/jaeger" } } });
        assert.deepEqual([p.kubePrometheusStack.version, p.kubePrometheusStack.repository], ["88.6.0", KPS_REPO]);
        assert.deepEqual([p.jaeger.version, p.jaeger.repository], ["4.11.1", "oci://mirror.example/jaeger"]);
    });

    it("sets Prometheus retention and per-replica storage from the args", () => {
        const p = planObservability({ prometheus: { retention: "30d", retentionSize: "180GiB", storageGiB: 200, storageClassName: "gp3" } });
        const spec = at(p.kubePrometheusStack.values, "prometheus.prometheusSpec");
        assert.equal(at(spec, "retention"), "30d");
        assert.equal(at(spec, "retentionSize"), "180GiB");
        assert.deepEqual(at(spec, "storageSpec.volumeClaimTemplate.spec"), {
            accessModes: ["ReadWriteOnce"],
            resources: { requests: { storage: "200Gi" } },
            storageClassName: "gp3",
        });
        assert.equal(at(dev.kubePrometheusStack.values, "prometheus.prometheusSpec.retention"), "10d");
        assert.deepEqual(at(dev.kubePrometheusStack.values, "prometheus.prometheusSpec.storageSpec"), {});
    });

    it("has Prometheus select monitors by its release label", () => {
        const spec = at(dev.kubePrometheusStack.values, "prometheus.prometheusSpec");
        assert.equal(at(spec, "serviceMonitorSelectorNilUsesHelmValues"), true);
        assert.equal(at(spec, "podMonitorSelectorNilUsesHelmValues"), true);
        assert.deepEqual(MONITOR_LABELS, { release: "kube-prometheus-stack" });
    });

    it("deep-merges the user's values last: the user wins, meshgate's other keys stay", () => {
        const p = planObservability({ values: { kubePrometheusStack: { prometheus: { prometheusSpec: { retention: "1d" } } } } });
        assert.equal(at(p.kubePrometheusStack.values, "prometheus.prometheusSpec.retention"), "1d");
        assert.equal(at(p.kubePrometheusStack.values, "prometheus.prometheusSpec.replicas"), 1);
    });
});

describe("Observability: high availability", () => {
    const dev = planObservability({ highAvailability: false, kiali: { enabled: true } });
    const prod = planObservability({ highAvailability: true, kiali: { enabled: true } });
    const v = (p: ObservabilityPlan, path: string) => at(p.kubePrometheusStack.values, path);

    it("runs 2 Prometheus and 2 Alertmanager replicas in prod, with hard anti-affinity, zone spread and PDBs", () => {
        assert.equal(v(prod, "prometheus.prometheusSpec.replicas"), 2);
        assert.equal(v(prod, "alertmanager.alertmanagerSpec.replicas"), 2);
        for (const c of ["prometheus.prometheusSpec", "alertmanager.alertmanagerSpec"]) {
            assert.equal(v(prod, `${c}.podAntiAffinity`), "hard");
            const tsc = v(prod, `${c}.topologySpreadConstraints`) as { topologyKey: string }[];
            assert.ok(
                tsc.some((t) => t.topologyKey === "topology.kubernetes.io/zone"),
                c,
            );
        }
        assert.deepEqual(v(prod, "prometheus.podDisruptionBudget"), { enabled: true, minAvailable: 1 });
        assert.deepEqual(v(prod, "alertmanager.podDisruptionBudget"), { enabled: true, minAvailable: 1 });
    });

    it("runs one of each in dev, without PDBs", () => {
        assert.equal(v(dev, "prometheus.prometheusSpec.replicas"), 1);
        assert.equal(v(dev, "alertmanager.alertmanagerSpec.replicas"), 1);
        assert.equal(v(dev, "prometheus.podDisruptionBudget.enabled"), false);
        assert.equal(v(dev, "alertmanager.podDisruptionBudget.enabled"), false);
    });

    it("keeps Grafana (SQLite, no shared database) and Jaeger (memory/badger, per process) at one replica in both", () => {
        for (const p of [dev, prod]) {
            assert.equal(v(p, "grafana.replicas"), 1);
            assert.equal(at(p.jaeger.values, "jaeger.replicas"), 1);
        }
    });

    it("runs Kiali with 2 replicas and a PDB in prod", () => {
        assert.equal(at(prod.kiali?.values, "deployment.replicas"), 2);
        assert.deepEqual(at(prod.kiali?.values, "deployment.pod_disruption_budget.spec"), { minAvailable: 1 });
        assert.equal(at(dev.kiali?.values, "deployment.replicas"), 1);
        assert.equal(at(dev.kiali?.values, "deployment.pod_disruption_budget"), undefined);
    });
});

describe("Observability: Grafana", () => {
    const p = planObservability({});
    const grafana = at(p.kubePrometheusStack.values, "grafana") as Record<string, unknown>;

    it("takes the admin credentials from an existing Secret, never a password in values", () => {
        assert.deepEqual(grafana.admin, { existingSecret: "grafana-admin-credentials", userKey: "admin-user", passwordKey: "admin-password" });
        const keys = allKeys(p.kubePrometheusStack.values);
        assert.ok(keys.includes("grafana.admin.passwordKey"), "the key walk reaches grafana.admin");
        assert.deepEqual(
            keys.filter((k) => /adminPassword|password$/i.test(k) && !k.endsWith("passwordKey")),
            [],
        );
    });

    it("provisions the Istio mesh, service, workload and control-plane dashboards and Kong's from grafana.com, pinned", () => {
        const dashboards = grafana.dashboards as Record<string, Record<string, { gnetId: number; revision: number; datasource: unknown }>>;
        const all = Object.values(dashboards).flatMap((byName) => Object.values(byName));
        assert.deepEqual(all.map((d) => d.gnetId).sort(), [7424, 7630, 7636, 7639, 7645]);
        for (const d of all) {
            assert.ok(Number.isInteger(d.revision) && d.revision > 0);
            assert.deepEqual(d.datasource, [{ name: "DS_PROMETHEUS", value: "prometheus" }]);
        }
        assert.equal(at(grafana, "sidecar.datasources.uid"), "prometheus");
        assert.deepEqual(
            DEFAULT_DASHBOARDS.map((d) => [d.name, d.gnetId]),
            [
                ["istio-mesh", 7639],
                ["istio-service", 7636],
                ["istio-workload", 7630],
                ["istio-control-plane", 7645],
                ["kong", 7424],
            ],
        );
    });

    it("declares one file provider per folder whose path the chart's download script writes to", () => {
        const file = (grafana.dashboardProviders as Record<string, { providers: { name: string; folder: string; options: { path: string } }[] }>)["dashboardproviders.yaml"];
        assert.deepEqual(
            file.providers.map((pr) => [pr.name, pr.folder, pr.options.path]),
            [
                ["istio", "Istio", "/var/lib/grafana/dashboards/istio"],
                ["kong", "Kong", "/var/lib/grafana/dashboards/kong"],
            ],
        );
        assert.deepEqual(Object.keys(grafana.dashboards as object).sort(), file.providers.map((pr) => pr.name).sort());
    });

    it("adds a Jaeger datasource pointing at Jaeger's query service", () => {
        assert.deepEqual(grafana.additionalDataSources, [
            { name: "Jaeger", uid: "jaeger", type: "jaeger", access: "proxy", url: "http://jaeger.observability.svc.cluster.local:16686", editable: false },
        ]);
    });
});

describe("Observability: Jaeger and the tracing chain", () => {
    it("derives the Service name as the chart's fullname helper does", () => {
        assert.equal(jaegerServiceName("jaeger"), "jaeger");
        assert.equal(jaegerServiceName("tracing"), "tracing-jaeger");
        assert.equal(jaegerServiceName("my-jaeger"), "my-jaeger");
    });

    it("exposes OTLP gRPC on 4317 and OTLP/HTTP traces on 4318/v1/traces of that Service", () => {
        assert.deepEqual(jaegerOtlp("jaeger", "observability"), {
            serviceName: "jaeger",
            grpcHost: "jaeger.observability.svc.cluster.local",
            grpcPort: 4317,
            httpPort: 4318,
            httpTracesEndpoint: "http://jaeger.observability.svc.cluster.local:4318/v1/traces",
        });
    });

    it("configures Jaeger's OTLP receivers on all interfaces at exactly the ports jaegerOtlp hands out", () => {
        const otlp = jaegerOtlp(JAEGER_RELEASE, OBSERVABILITY_NAMESPACE);
        const cfg = at(planObservability({}).jaeger.values, "userconfig");
        assert.equal(at(cfg, "receivers.otlp.protocols.grpc.endpoint"), `0.0.0.0:${otlp.grpcPort}`);
        assert.equal(at(cfg, "receivers.otlp.protocols.http.endpoint"), `0.0.0.0:${otlp.httpPort}`);
        assert.deepEqual(at(cfg, "service.pipelines.traces.receivers"), ["otlp"]);
        assert.equal(at(cfg, "extensions.healthcheckv2.http.endpoint"), "0.0.0.0:13133");
    });

    it("closes the chain: istiod's extension provider is the Service and port Observability's Jaeger listens on", () => {
        const obsOtlp = jaegerOtlp(JAEGER_RELEASE, OBSERVABILITY_NAMESPACE);
        const mesh = planIstioMesh({ tracing: { collector: { service: obsOtlp.grpcHost, port: obsOtlp.grpcPort } } });
        const provider = (mesh.istiod.values as unknown as IstiodValues).meshConfig.extensionProviders[0];
        const obs = planObservability({});
        assert.deepEqual(provider.opentelemetry, { service: obs.endpoints.jaegerOtlp.grpcHost, port: obs.endpoints.jaegerOtlp.grpcPort });
        assert.equal(at(obs.jaeger.values, "userconfig.receivers.otlp.protocols.grpc.endpoint"), `0.0.0.0:${provider.opentelemetry.port}`);
        assert.equal(mesh.telemetry?.spec.tracing[0].providers[0].name, provider.name);
    });

    it("keeps spans in memory by default", () => {
        const p = planObservability({});
        assert.deepEqual(at(p.jaeger.values, "userconfig.extensions.jaeger_storage.backends"), { meshgate_store: { memory: { max_traces: 100000 } } });
        assert.equal(p.jaegerPvc, undefined);
        assert.equal(at(p.jaeger.values, "jaeger.extraVolumes"), undefined);
    });

    it("persists spans with badger on a PVC mounted at /badger when asked", () => {
        const p = planObservability({ jaeger: { storage: "badger", storageGiB: 100, spanTtl: "168h" } });
        assert.deepEqual(p.jaegerPvc, { name: "jaeger-badger-data", storageGiB: 100, storageClassName: undefined });
        assert.deepEqual(at(p.jaeger.values, "jaeger.extraVolumes"), [{ name: "badger-data", persistentVolumeClaim: { claimName: "jaeger-badger-data" } }]);
        assert.deepEqual(at(p.jaeger.values, "jaeger.extraVolumeMounts"), [{ name: "badger-data", mountPath: "/badger" }]);
        assert.deepEqual(at(p.jaeger.values, "userconfig.extensions.jaeger_storage.backends.meshgate_store.badger"), {
            directories: { keys: "/badger/keys", values: "/badger/values" },
            ephemeral: false,
            ttl: { spans: "168h" },
        });
    });

    it("refuses values that would rename the Jaeger Service away from jaegerOtlp's", () => {
        assert.throws(() => planObservability({ values: { jaeger: { fullnameOverride: "traces" } } }), /values\.jaeger\.fullnameOverride/);
    });
});

describe("Observability: Kiali", () => {
    it("points Kiali at this Prometheus, Grafana and Jaeger (gRPC query port)", () => {
        const v = planObservability({ kiali: { enabled: true } }).kiali?.values;
        assert.equal(at(v, "external_services.prometheus.url"), "http://kube-prometheus-stack-prometheus.observability.svc.cluster.local:9090");
        assert.equal(at(v, "external_services.grafana.internal_url"), "http://kube-prometheus-stack-grafana.observability.svc.cluster.local");
        assert.equal(at(v, "external_services.tracing.internal_url"), "http://jaeger.observability.svc.cluster.local:16685");
        assert.equal(at(v, "external_services.tracing.use_grpc"), true);
        assert.equal(at(v, "external_services.istio.root_namespace"), "istio-system");
    });
});

describe("Observability: monitors", () => {
    const p = planObservability({ kongMetrics: kong });
    const monitor = <K extends "PodMonitor" | "ServiceMonitor">(kind: K, name: string) =>
        p.monitors.find((m) => m.kind === kind && m.metadata.name === name) as (K extends "PodMonitor" ? PodMonitor : ServiceMonitor) | undefined;

    it("labels every monitor release: kube-prometheus-stack and places it in observability", () => {
        assert.equal(p.monitors.length, 3);
        for (const m of p.monitors) {
            assert.equal(m.apiVersion, "monitoring.coreos.com/v1");
            assert.deepEqual(m.metadata.labels, { release: "kube-prometheus-stack" });
            assert.equal(m.metadata.namespace, "observability");
        }
    });

    it("scrapes Istio's merged metrics (Envoy's and the application's) on the port of each injected pod's prometheus.io/port annotation (15020), as Istio's prometheus-operator example does", () => {
        const m = monitor("PodMonitor", "envoy-stats");
        assert.ok(m);
        assert.deepEqual(m.spec.namespaceSelector, { any: true });
        assert.equal(m.spec.podMetricsEndpoints.length, 1);
        const [ep] = m.spec.podMetricsEndpoints;
        assert.equal(ep.port, undefined, "not port 15090: Envoy's own stats only, no application metrics");
        assert.deepEqual([ep.path, ep.interval], ["/stats/prometheus", "15s"]);
        const relabel = ep.relabelings ?? [];
        assert.deepEqual(relabel[0], { action: "keep", sourceLabels: ["__meta_kubernetes_pod_container_name"], regex: "istio-proxy" });
        assert.deepEqual(relabel[1], { action: "keep", sourceLabels: ["__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape"] });
        const address = relabel.filter((r) => r.targetLabel === "__address__");
        assert.equal(address.length, 2, "IPv6 and IPv4");
        for (const r of address) {
            assert.deepEqual(r.sourceLabels, ["__meta_kubernetes_pod_annotation_prometheus_io_port", "__meta_kubernetes_pod_ip"]);
        }
        // The IPv4 rewrite turns "15020;10.0.1.7" into "10.0.1.7:15020".
        const v4 = address[1];
        assert.equal("15020;10.0.1.7".replace(new RegExp(`^(?:${v4.regex})$`), v4.replacement ?? ""), "10.0.1.7:15020");
        assert.equal(MERGED_METRICS_PORT, 15020);
        assert.deepEqual(m.spec.selector, { matchExpressions: [{ key: "istio-prometheus-ignore", operator: "DoesNotExist" }] });
    });

    it("scrapes istiod on its Service port http-monitoring in istio-system", () => {
        const m = monitor("ServiceMonitor", "istiod");
        assert.ok(m);
        assert.deepEqual(m.spec.namespaceSelector, { matchNames: ["istio-system"] });
        assert.deepEqual(m.spec.selector, { matchLabels: { istio: "pilot" } });
        assert.deepEqual(m.spec.endpoints, [{ port: "http-monitoring", path: "/metrics", interval: "15s" }]);
    });

    it('copies istiod\'s app label onto its series (targetLabels), which the Istio control-plane dashboard filters on (app="istiod")', () => {
        const m = monitor("ServiceMonitor", "istiod");
        assert.ok(m && m.kind === "ServiceMonitor");
        assert.deepEqual(m.spec.targetLabels, ["app"]);
    });

    it("scrapes Kong's metrics Service from the plain values KongGateway reports", () => {
        const m = monitor("ServiceMonitor", "kong");
        assert.ok(m);
        assert.deepEqual(m.spec.namespaceSelector, { matchNames: ["kong"] });
        assert.deepEqual(m.spec.selector, { matchLabels: kong.selector });
        assert.deepEqual(m.spec.endpoints, [{ port: "cmetrics", path: "/metrics", interval: "15s" }]);
    });

    it("takes KongGateway's exported kongMetrics as is, scraping Kong's status port and the controller's metrics", () => {
        const m = planObservability({ kongMetrics: kongGatewayMetrics }).monitors.find((x) => x.metadata.name === "kong") as ServiceMonitor | undefined;
        assert.ok(m);
        assert.deepEqual(m.spec.selector, { matchLabels: { ...kongGatewayMetrics.selector } });
        assert.deepEqual(m.spec.namespaceSelector, { matchNames: [kongGatewayMetrics.namespace] });
        assert.deepEqual(
            m.spec.endpoints.map((e) => [e.port, e.path]),
            [
                [kongGatewayMetrics.port, kongGatewayMetrics.path],
                [kongGatewayMetrics.controllerPort, kongGatewayMetrics.path],
            ],
        );
    });

    it("drops the mesh monitors in gateway-only mode and the Kong one without kongMetrics", () => {
        assert.deepEqual(
            planObservability({ meshMonitoring: false, kongMetrics: kong }).monitors.map((m) => m.metadata.name),
            ["kong"],
        );
        assert.deepEqual(
            planObservability({}).monitors.map((m) => m.metadata.name),
            ["envoy-stats", "istiod"],
        );
    });
});

describe("Observability: chart value keys exist in each chart's values.yaml", () => {
    const plans = [
        planObservability({ kiali: { enabled: true }, kongMetrics: kong }),
        planObservability({
            highAvailability: true,
            kiali: { enabled: true },
            jaeger: { storage: "badger" },
            prometheus: { storageGiB: 100, retentionSize: "90GiB", storageClassName: "gp3" },
        }),
    ];

    it("sets only keys of kube-prometheus-stack (grafana.* against the grafana chart), jaeger and kiali-server, in dev and prod", () => {
        for (const p of plans) {
            assert.deepEqual(
                checkValueKeys("kube-prometheus-stack", p.kubePrometheusStack.values).map((x) => x.message),
                [],
            );
            assert.deepEqual(
                checkValueKeys("jaeger", p.jaeger.values, { allow: JAEGER_CHART_TEMPLATE_KEYS }).map((x) => x.message),
                [],
            );
            assert.deepEqual(
                checkValueKeys("kiali-server", p.kiali?.values).map((x) => x.message),
                [],
            );
        }
    });

    it("fails on a misspelt copy: the checker flags each bad key", () => {
        const good = plans[1].kubePrometheusStack.values;
        const grafana = good.grafana as Record<string, unknown>;
        const prometheus = good.prometheus as { prometheusSpec: Record<string, unknown> };
        const bad = {
            ...good,
            grafana: { ...grafana, adminn: { existingSecret: "x" } },
            prometheus: { ...prometheus, prometheusSpec: { ...prometheus.prometheusSpec, retension: "1d" } },
        };
        const flagged = unknownValueKeys("kube-prometheus-stack", bad);
        assert.equal(flagged.length, 2, flagged.join(", "));
        for (const key of ["grafana.adminn", "prometheus.prometheusSpec.retension"]) {
            assert.ok(
                flagged.some((f) => f === key || f.startsWith(`${key}.`)),
                `${key} not flagged: ${flagged.join(", ")}`,
            );
        }
        const jaeger = plans[1].jaeger.values;
        assert.deepEqual(unknownValueKeys("jaeger", { ...jaeger, jaeger: { ...(jaeger.jaeger as object), replica: 2 } }, { allow: JAEGER_CHART_TEMPLATE_KEYS }), [
            "jaeger.replica",
        ]);
        assert.deepEqual(
            unknownValueKeys("jaeger", jaeger).sort(),
            ["jaeger.resources.limits.memory", "jaeger.resources.requests.cpu", "jaeger.resources.requests.memory"],
            "the template-read key is allowed by name only",
        );
    });
});

describe("Observability: invalid args", () => {
    it("reports every problem at once, with its field", () => {
        assert.throws(
            () =>
                planObservability({
                    prometheus: { retention: "ten days", storageGiB: 0 },
                    jaeger: { spanTtl: "a week" },
                    scrapeInterval: "often",
                    kongMetrics: { namespace: "kong", selector: {}, port: "" },
                    values: { kubePrometheusStack: { fullnameOverride: "prom" } },
                }),
            (e: Error) =>
                [
                    "prometheus.retention",
                    "prometheus.storageGiB",
                    "jaeger.spanTtl",
                    "scrapeInterval",
                    "kongMetrics.selector",
                    "kongMetrics.port",
                    "values.kubePrometheusStack.fullnameOverride",
                ].every((f) => e.message.includes(f)),
        );
    });
});

describe("Observability under the mock runtime", function () {
    this.timeout(60000);
    let dev: PlanRun;
    let prod: PlanRun;

    const program = (ha: boolean) => () => {
        const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
        const obs = new Observability(
            "obs",
            { highAvailability: ha, kongMetrics: kong, kiali: { enabled: ha }, jaeger: { storage: ha ? "badger" : "memory" }, prometheus: ha ? { storageGiB: 50 } : {} },
            { providers: { kubernetes: provider } },
        );
        return {
            grafanaUrl: obs.grafanaUrl,
            grafanaPortForward: obs.grafanaPortForward,
            jaegerUrl: obs.jaegerUrl,
            jaegerPortForward: obs.jaegerPortForward,
            grafanaAdminPassword: obs.grafanaAdminPassword,
            monitorLabels: obs.monitorLabels,
        };
    };

    before(async () => {
        dev = await runProgram(program(false));
        prod = await runProgram(program(true));
    });

    const get = (run: PlanRun, name: string): RecordedResource => {
        const r = run.resources.find((x) => x.name === name);
        assert.ok(r, `no resource ${name}`);
        return r;
    };

    it("registers the namespace, password, Secret, releases and monitors as children of the component", () => {
        const component = prod.resources.find((r) => r.type === "meshgate:observability:Observability");
        assert.ok(component);
        assert.deepEqual(
            prod.resources
                .filter((r) => r.parent === component.urn)
                .map((r) => `${r.type} ${r.name}`)
                .sort(),
            [
                "kubernetes:core/v1:Namespace obs-namespace",
                "kubernetes:core/v1:PersistentVolumeClaim obs-jaeger-badger",
                "kubernetes:core/v1:Secret obs-grafana-admin",
                `${RELEASE} obs-jaeger`,
                `${RELEASE} obs-kiali`,
                `${RELEASE} obs-kube-prometheus-stack`,
                "kubernetes:monitoring.coreos.com/v1:PodMonitor obs-podmonitor-envoy-stats",
                "kubernetes:monitoring.coreos.com/v1:ServiceMonitor obs-servicemonitor-istiod",
                "kubernetes:monitoring.coreos.com/v1:ServiceMonitor obs-servicemonitor-kong",
                "random:index/randomPassword:RandomPassword obs-grafana-admin-password",
            ],
        );
    });

    it("creates every Kubernetes object through the provider it was given", () => {
        const provider = dev.resources.find((r) => r.type === "pulumi:providers:kubernetes")?.urn;
        assert.ok(provider, "a Kubernetes provider");
        const objects = dev.resources.filter((x) => x.custom && x.type.startsWith("kubernetes:"));
        assert.ok(objects.length > 3, `${objects.length} Kubernetes objects`);
        for (const r of objects) {
            assert.equal(r.provider, provider, r.name);
        }
    });

    it("records each release's chart, version, repository, name and namespace", () => {
        const rows = prod.byType(RELEASE).map((r) => [r.inputs.name, r.inputs.chart, r.inputs.version, (r.inputs.repositoryOpts as { repo: string }).repo, r.inputs.namespace]);
        assert.deepEqual(rows.sort(), [
            ["jaeger", "jaeger", "4.11.1", JAEGER_REPO, "observability"],
            ["kiali", "kiali-server", "2.29.0", KIALI_REPO, "istio-system"],
            ["kube-prometheus-stack", "kube-prometheus-stack", "88.5.3", KPS_REPO, "observability"],
        ]);
    });

    it("keeps the Grafana password out of every release: the release names the Secret, the Secret's value is secret", () => {
        for (const run of [dev, prod]) {
            const password = get(run, "obs-grafana-admin-password");
            const secret = get(run, "obs-grafana-admin");
            const generated = "placeholder-"; // what the mock's RandomPassword results start with
            assert.equal(run.byType(RELEASE).length, run === prod ? 3 : 2, "kube-prometheus-stack, jaeger and, in prod, kiali");
            for (const release of run.byType(RELEASE)) {
                assert.ok(!JSON.stringify(release.inputs).includes(generated), `${release.name} contains the password`);
                const keys = allKeys(release.inputs.values);
                assert.ok(keys.length > 0, `${release.name} has values`);
                assert.ok(!keys.some((k) => /adminPassword$/.test(k)), release.name);
            }
            assert.equal(at(get(run, "obs-kube-prometheus-stack").inputs, "values.grafana.admin.existingSecret"), "grafana-admin-credentials");
            // The provider marks all of stringData secret; at the least the password must be.
            const stringData = secret.inputs.stringData;
            assert.ok(stringData === "[secret]" || at(stringData, "admin-password") === "[secret]", JSON.stringify(stringData));
            assert.ok(secret.dependsOn.includes(password.urn));
            assert.ok(get(run, "obs-kube-prometheus-stack").dependsOn.includes(secret.urn), "the release waits for the Secret it names");
        }
    });

    it("exports the Grafana password as a secret, and the URLs and port-forward hints in the clear", () => {
        assert.deepEqual(prod.outputs, {
            grafanaUrl: "http://kube-prometheus-stack-grafana.observability.svc.cluster.local",
            grafanaPortForward: "kubectl -n observability port-forward svc/kube-prometheus-stack-grafana 3000:80",
            jaegerUrl: "http://jaeger.observability.svc.cluster.local:16686",
            jaegerPortForward: "kubectl -n observability port-forward svc/jaeger 16686:16686",
            grafanaAdminPassword: "[secret]",
            monitorLabels: { release: "kube-prometheus-stack" },
        });
    });

    it("makes every monitor wait for the kube-prometheus-stack release (its CRDs), and labels it for that Prometheus", () => {
        const kps = get(prod, "obs-kube-prometheus-stack");
        const monitors = prod.resources.filter((r) => r.type.startsWith("kubernetes:monitoring.coreos.com/v1:"));
        assert.equal(monitors.length, 3);
        for (const m of monitors) {
            assert.ok(m.dependsOn.includes(kps.urn), m.name);
            assert.deepEqual(at(m.inputs, "metadata.labels"), { release: "kube-prometheus-stack" });
        }
    });

    it("orders only what must be ordered: nothing waits for Istio or Kong; Jaeger waits only for its namespace and PVC", () => {
        const urn = (n: string) => get(prod, n).urn;
        const deps = (n: string) => [...get(prod, n).dependsOn].sort();
        assert.deepEqual(deps("obs-namespace"), []);
        assert.deepEqual(deps("obs-jaeger"), [urn("obs-jaeger-badger"), urn("obs-namespace")].sort());
        assert.deepEqual(deps("obs-kube-prometheus-stack"), [urn("obs-grafana-admin"), urn("obs-namespace")].sort());
        assert.deepEqual(deps("obs-kiali"), []);
        assert.deepEqual(deps("obs-jaeger-badger"), [urn("obs-namespace")]);
        const volumes = at(get(prod, "obs-jaeger").inputs, "values.jaeger.extraVolumes") as { persistentVolumeClaim: { claimName: string } }[];
        assert.equal(volumes[0].persistentVolumeClaim.claimName, "jaeger-badger-data");
    });

    it("records release values whose keys all exist in the charts", () => {
        const chartOf: Record<string, string> = { "kube-prometheus-stack": "kube-prometheus-stack", jaeger: "jaeger", kiali: "kiali-server" };
        for (const r of [...dev.byType(RELEASE), ...prod.byType(RELEASE)]) {
            const chart = chartOf[String(r.inputs.name)];
            assert.deepEqual(unknownValueKeys(chart, r.inputs.values, { allow: chart === "jaeger" ? JAEGER_CHART_TEMPLATE_KEYS : [] }), [], String(r.inputs.name));
        }
    });
});
