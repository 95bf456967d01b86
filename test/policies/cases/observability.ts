import { k8s, release } from "../harness";
import type { RuleCases } from "./types";

const MON = "monitoring.coreos.com/v1";
const KONG = "configuration.konghq.com/v1";

const kps = (values: Record<string, unknown> = {}) =>
    release("monitoring", {
        chart: "kube-prometheus-stack",
        version: "88.5.3",
        namespace: "monitoring",
        repositoryOpts: { repo: "https://prometheus-community.github.io/helm-charts" },
        values,
    });
const serviceMonitor = (labels: Record<string, string>) =>
    k8s(MON, "ServiceMonitor", "kong", "kong", { spec: { selector: { matchLabels: { app: "kong" } }, endpoints: [{ port: "metrics" }] } }, { labels });
const podMonitor = (labels: Record<string, string>) =>
    k8s(
        MON,
        "PodMonitor",
        "envoy-stats",
        "istio-system",
        { spec: { selector: { matchExpressions: [{ key: "security.istio.io/tlsMode", operator: "Exists" }] }, podMetricsEndpoints: [{ path: "/stats/prometheus" }] } },
        { labels },
    );
const jaeger = (name = "jaeger", ns = "observability") =>
    release(name, { chart: "jaeger", version: "4.11.1", namespace: ns, repositoryOpts: { repo: "https://jaegertracing.github.io/helm-charts" } });
const otel = (endpoint: string) =>
    k8s(
        KONG,
        "KongClusterPlugin",
        "opentelemetry",
        undefined,
        { plugin: "opentelemetry", config: { traces_endpoint: endpoint } },
        { labels: { global: "true" }, annotations: { "kubernetes.io/ingress.class": "kong" } },
    );
const istiod = (service: string, port: number) =>
    release("istiod", {
        chart: "istiod",
        version: "1.30.3",
        namespace: "istio-system",
        values: { meshConfig: { extensionProviders: [{ name: "otel", opentelemetry: { service, port } }] } },
    });

export const observabilityCases: RuleCases[] = [
    {
        rule: "prometheus-duration-format",
        bad: [
            {
                name: "a retention in words",
                resources: [kps({ prometheus: { prometheusSpec: { retention: "10days" } } })],
                expect: [/prometheusSpec\.retention "10days", which is not a Prometheus duration/],
            },
            { name: "units out of order", resources: [kps({ prometheus: { prometheusSpec: { scrapeInterval: "30s1m" } } })], expect: [/prometheusSpec\.scrapeInterval "30s1m"/] },
        ],
        good: [
            { name: "durations Prometheus parses", resources: [kps({ prometheus: { prometheusSpec: { retention: "1d12h", scrapeInterval: "30s", evaluationInterval: "1m" } } })] },
            { name: "the chart's defaults", resources: [kps()] },
        ],
    },
    {
        rule: "prometheus-monitor-selected",
        bad: [
            {
                name: "a ServiceMonitor without the release label",
                resources: [kps(), serviceMonitor({ app: "kong" })],
                expect: [/ServiceMonitor kong\/kong is not selected by Prometheus \(release monitoring\): it needs labels \{"release":"monitoring"\}/],
            },
            {
                name: "a PodMonitor labelled for another release",
                resources: [kps(), podMonitor({ release: "prometheus" })],
                expect: [/PodMonitor istio-system\/envoy-stats is not selected/],
            },
            {
                name: "a ServiceMonitor missing an explicit selector's label",
                resources: [kps({ prometheus: { prometheusSpec: { serviceMonitorSelector: { matchLabels: { team: "platform" } } } } }), serviceMonitor({ release: "monitoring" })],
                expect: [/needs labels \{"team":"platform"\}/],
            },
        ],
        good: [
            { name: "monitors labelled release: <release>", resources: [kps(), serviceMonitor({ release: "monitoring" }), podMonitor({ release: "monitoring" })] },
            {
                name: "a release selecting every monitor (NilUsesHelmValues false)",
                resources: [
                    kps({ prometheus: { prometheusSpec: { serviceMonitorSelectorNilUsesHelmValues: false, podMonitorSelectorNilUsesHelmValues: false } } }),
                    serviceMonitor({}),
                    podMonitor({}),
                ],
            },
            { name: "a stack without Prometheus", resources: [serviceMonitor({})] },
        ],
    },
    {
        rule: "tracing-endpoint-defined",
        bad: [
            {
                name: "a Kong opentelemetry endpoint naming no collector",
                resources: [jaeger(), otel("http://tempo.observability.svc:4318/v1/traces")],
                expect: [/opentelemetry config\.traces_endpoint points at tempo\.observability\.svc, but the stack defines no Jaeger\/collector service there/],
            },
            {
                name: "a meshConfig provider in the wrong namespace",
                resources: [jaeger(), istiod("jaeger.tracing.svc.cluster.local", 4317)],
                expect: [/extensionProviders\[0\] \(otel\) opentelemetry\.service points at jaeger\.tracing\.svc\.cluster\.local/],
            },
            {
                name: "a Jaeger endpoint on a non-OTLP port",
                resources: [jaeger(), otel("http://jaeger.observability.svc.cluster.local:14268/api/traces")],
                expect: [/sends to port 14268 .* which jaeger release jaeger does not serve/],
            },
            {
                name: "Kong's OTLP/HTTP exporter pointed at the gRPC port",
                resources: [jaeger(), otel("http://jaeger.observability.svc.cluster.local:4317/v1/traces")],
                expect: [/opentelemetry config\.traces_endpoint sends OTLP\/HTTP to port 4317, the OTLP\/gRPC port; use 4318/],
            },
            {
                name: "Istio's OTLP/gRPC provider pointed at the HTTP port",
                resources: [jaeger(), istiod("jaeger.observability.svc.cluster.local", 4318)],
                expect: [/opentelemetry\.service sends OTLP\/gRPC to port 4318, the OTLP\/HTTP port; use 4317/],
            },
        ],
        good: [
            {
                name: "Kong and the mesh sending OTLP to the Jaeger release",
                resources: [jaeger(), otel("http://jaeger.observability.svc.cluster.local:4318/v1/traces"), istiod("observability/jaeger.observability.svc.cluster.local", 4317)],
            },
            {
                name: "a collector Service defined in the stack",
                resources: [
                    k8s("v1", "Service", "otel-collector", "observability", { spec: { ports: [{ name: "otlp-http", port: 4318 }] } }),
                    otel("http://otel-collector.observability:4318/v1/traces"),
                ],
            },
            { name: "an endpoint outside the cluster", resources: [otel("https://otlp.example.com/v1/traces")] },
        ],
    },
];
