/**
 * The spans one request produces and where each goes, or why it is missing:
 * Kong's opentelemetry plugin (Kong 3.9 kong/plugins/opentelemetry), each
 * Envoy sidecar through Istio 1.30 Telemetry and meshConfig.extensionProviders.
 */
import type { ModelIndex } from "./model-index";
import { arr, get, nameOf, num, obj, selectorMatches, str, strs } from "./objects";
import type { PluginInstance } from "./plugins";
import type { K8sObject, Span } from "./types";

/** Does an endpoint host name a Service or a Helm release's service among the objects? */
function collectorDefined(index: ModelIndex, host: string): boolean {
    const [name, ns] = host.split(".");
    if (ns === undefined) return false;
    if (index.services.has(`${ns}/${name}`)) return true;
    return index.releases.some((r) => {
        const rel = str(r.name) ?? "";
        const chart = str(r.chart) ?? "";
        const full = rel.includes(chart) ? rel : `${rel}-${chart}`;
        return str(r.namespace) === ns && (name === rel || name === full || name.startsWith(`${full}-`) || name.startsWith(`${rel}-`));
    });
}

export interface KongTrace {
    readonly span: Span;
    /** Kong sends a sampled W3C (or B3) context downstream; false: downstream sidecars do not record. */
    readonly sampled: boolean;
    /** The header format Kong injects. */
    readonly format: string | null;
}

/** Kong's span from the tracing plugin among the effective plugins. */
export function kongSpan(index: ModelIndex, plugins: readonly PluginInstance[]): KongTrace {
    const p = plugins.find((x) => x.name === "opentelemetry") ?? plugins.find((x) => x.name === "zipkin");
    if (!p) return { span: { by: "kong", sentTo: null, missingBecause: "no opentelemetry (or zipkin) plugin applies to this route" }, sampled: false, format: null };
    const env = obj(index.kong.values.env);
    const endpoint = str(p.config.traces_endpoint) ?? str(p.config.endpoint) ?? str(p.config.http_endpoint) ?? null;
    // kong.conf.default 3.9: tracing_instrumentations = off, tracing_sampling_rate = 0.01. With instrumentations off the
    // plugin only propagates and marks the trace unsampled (kong/plugins/opentelemetry/traces.lua get_inject_ctx).
    const instr = str(env.tracing_instrumentations) ?? "off";
    const rate = num(p.config.sampling_rate) ?? num(env.tracing_sampling_rate) ?? 0.01;
    const inject = strs(get(p.config, "propagation", "inject"));
    const defaultFormat = str(get(p.config, "propagation", "default_format")) ?? str(p.config.header_type) ?? "w3c";
    const format = inject.find((f) => f !== "preserve") ?? (defaultFormat === "preserve" ? "w3c" : defaultFormat);
    if (instr === "off") {
        return {
            span: {
                by: "kong",
                sentTo: endpoint,
                missingBecause: "Kong's tracing_instrumentations is off: the plugin only propagates the context, marked unsampled, so no sidecar records either",
            },
            sampled: false,
            format,
        };
    }
    if (rate <= 0) return { span: { by: "kong", sentTo: endpoint, missingBecause: "sampling rate 0" }, sampled: false, format };
    const host = endpoint ? safeHost(endpoint) : undefined;
    if (!endpoint || !host) return { span: { by: "kong", sentTo: null, missingBecause: `${p.name} plugin has no endpoint` }, sampled: rate > 0, format };
    const defined = collectorDefined(index, host);
    return {
        span: {
            by: "kong",
            sentTo: endpoint,
            missingBecause: defined
                ? rate < 1
                    ? `sent for ${rate * 100}% of requests (sampling rate ${rate})`
                    : null
                : `${host} is no Service or Helm release among the objects: the export fails`,
        },
        sampled: true,
        format,
    };
}

function safeHost(endpoint: string): string | undefined {
    try {
        return new URL(/^[a-z]+:\/\//i.test(endpoint) ? endpoint : `http://${endpoint}`).hostname;
    } catch {
        return undefined;
    }
}

/** The tracing provider, sampling and reporting for a workload (Telemetry workload > namespace > root namespace; else meshConfig.defaultProviders.tracing). */
function meshTracing(index: ModelIndex, ns: string, podLabels: Record<string, string>): { providers: string[]; sampling?: number; disabled: boolean; source: string } {
    const pick = (list: K8sObject[] | undefined, workload: boolean) =>
        (list ?? []).find(
            (t) =>
                (workload ? get(t, "spec", "selector") !== undefined && selectorMatches(get(t, "spec", "selector"), podLabels) : get(t, "spec", "selector") === undefined) &&
                arr(get(t, "spec", "tracing")).length > 0,
        );
    const t = pick(index.telemetries.get(ns), true) ?? pick(index.telemetries.get(ns), false) ?? pick(index.telemetries.get(index.mesh.rootNamespace), false);
    if (t) {
        const tr = obj(arr(get(t, "spec", "tracing"))[0]);
        const providers = arr(tr.providers).map((p) => str(get(p, "name")) ?? "");
        return {
            providers: providers.length > 0 ? providers : strs(get(index.mesh.meshConfig, "defaultProviders", "tracing")),
            sampling: num(tr.randomSamplingPercentage),
            disabled: tr.disableSpanReporting === true,
            source: `Telemetry ${t.metadata?.namespace}/${nameOf(t)}`,
        };
    }
    return { providers: strs(get(index.mesh.meshConfig, "defaultProviders", "tracing")), disabled: false, source: "meshConfig.defaultProviders.tracing" };
}

/** A sidecar's span: where it goes, or why it is missing. */
export function sidecarSpan(
    index: ModelIndex,
    ns: string,
    workload: string,
    podLabels: Record<string, string>,
    injected: boolean,
    parent: KongTrace | null,
): Span & { note?: string } {
    const by = `sidecar:${ns}/${workload}`;
    if (!injected) return { by, sentTo: null, missingBecause: `no sidecar in ${ns}` };
    const t = meshTracing(index, ns, podLabels);
    if (t.disabled) return { by, sentTo: null, missingBecause: `${t.source} sets disableSpanReporting` };
    if (t.providers.length === 0) return { by, sentTo: null, missingBecause: "no tracing provider: no Telemetry names one and meshConfig.defaultProviders.tracing is empty" };
    const name = t.providers[0];
    const provider = arr(get(index.mesh.meshConfig, "extensionProviders")).find((p) => get(p, "name") === name);
    if (!provider) return { by, sentTo: null, missingBecause: `provider ${name} (${t.source}) is not defined in meshConfig.extensionProviders` };
    const kind = ["opentelemetry", "zipkin", "datadog", "skywalking", "stackdriver", "lightstep"].find((k) => get(provider, k) !== undefined) ?? "unknown";
    const service = str(get(provider, kind, "service")) ?? "";
    const host = service.includes("/") ? service.slice(service.indexOf("/") + 1) : service;
    const sentTo = `${host}:${num(get(provider, kind, "port")) ?? "?"}`;
    if (!collectorDefined(index, host)) return { by, sentTo, missingBecause: `${host} is no Service or Helm release among the objects: the export fails` };
    if (parent !== null && !parent.sampled) return { by, sentTo, missingBecause: "Kong propagated an unsampled context: the sidecar follows the parent's decision" };
    // Envoy's OpenTelemetry tracer reads W3C traceparent, the Zipkin tracer B3: another format starts a new trace.
    const expects = kind === "zipkin" ? "b3" : "w3c";
    const note =
        parent !== null && parent.format !== null && parent.format !== expects && !(expects === "b3" && parent.format === "b3-single")
            ? `Kong injects ${parent.format} but the ${kind} provider reads ${expects}: this span starts a separate trace`
            : undefined;
    const sampling =
        parent !== null && parent.sampled
            ? "follows Kong's sampled decision"
            : `samples ${t.sampling ?? num(get(index.mesh.istiod, "values", "pilot", "traceSampling")) ?? num(get(index.mesh.istiod, "values", "traceSampling")) ?? 1}% (${t.source})`;
    return { by, sentTo, missingBecause: null, note: note ?? `${kind} provider ${name}; ${sampling}` };
}
