/**
 * The global KongClusterPlugins KongGateway installs: `prometheus` (metrics on the status
 * listener) and `opentelemetry` (OTLP/HTTP spans to Jaeger with W3C `traceparent`
 * propagation, so the gateway span and the mesh's spans form one trace).
 * Configs are checked against the Kong 3.9 plugin schemas in the tests.
 */
import { kongClusterPluginObject } from "./plugins";
import { KongClusterPluginObject } from "./types";

/** Name of the global prometheus KongClusterPlugin. */
export const PROMETHEUS_PLUGIN_NAME = "meshgate-prometheus";
/** Name of the global opentelemetry KongClusterPlugin. */
export const OPENTELEMETRY_PLUGIN_NAME = "meshgate-opentelemetry";

export interface PrometheusPluginSettings {
    /** Label metrics by consumer (cardinality grows with the number of consumers). @default false */
    readonly perConsumer?: boolean;
}

/** Prometheus plugin config (Kong 3.9): the metrics Kong's Grafana dashboard (7424) shows. */
export function prometheusConfig(s: PrometheusPluginSettings = {}): Record<string, unknown> {
    return {
        status_code_metrics: true,
        latency_metrics: true,
        bandwidth_metrics: true,
        upstream_health_metrics: true,
        per_consumer: s.perConsumer ?? false,
    };
}

export function prometheusPlugin(s: PrometheusPluginSettings = {}): KongClusterPluginObject {
    return kongClusterPluginObject({ name: PROMETHEUS_PLUGIN_NAME, plugin: "prometheus", global: true, config: prometheusConfig(s) });
}

export interface OpenTelemetryPluginSettings {
    /** OTLP/HTTP traces endpoint, e.g. `http://jaeger-collector.observability.svc.cluster.local:4318/v1/traces`. */
    readonly endpoint: string;
    /** Fraction of requests traced, 0–1. */
    readonly samplingRate: number;
    /** `service.name` resource attribute of Kong's spans. @default "kong" */
    readonly serviceName?: string;
}

/**
 * OpenTelemetry plugin config (Kong 3.9). Propagation uses the `propagation` block
 * (`header_type` is its deprecated predecessor): extract and inject W3C trace context.
 */
export function openTelemetryConfig(s: OpenTelemetryPluginSettings): Record<string, unknown> {
    if (!/^https?:\/\/[^/\s]+\/\S*$/.test(s.endpoint)) {
        throw new Error(`KongGateway: tracing.endpoint must be an http(s) URL such as "http://jaeger-collector.observability:4318/v1/traces", got "${s.endpoint}"`);
    }
    if (!(s.samplingRate >= 0 && s.samplingRate <= 1)) {
        throw new Error(`KongGateway: tracing.samplingRate must be from 0 to 1, got ${s.samplingRate}`);
    }
    return {
        traces_endpoint: s.endpoint,
        resource_attributes: { "service.name": s.serviceName ?? "kong" },
        propagation: { extract: ["w3c"], inject: ["w3c"], default_format: "w3c" },
        sampling_rate: s.samplingRate,
    };
}

export function openTelemetryPlugin(s: OpenTelemetryPluginSettings): KongClusterPluginObject {
    return kongClusterPluginObject({ name: OPENTELEMETRY_PLUGIN_NAME, plugin: "opentelemetry", global: true, config: openTelemetryConfig(s) });
}
