// Observability rules: what is meant to be scraped is selected by Prometheus, and what is meant to
// be traced reaches a collector. kube-prometheus-stack (values.yaml, 88.x) builds its Prometheus
// with `serviceMonitorSelector: {matchLabels: {release: <release>}}` unless
// `prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValues` is false (likewise for pod
// monitors); a Jaeger v2 release N in namespace M serves OTLP on N.M.svc:4317 (gRPC) and :4318 (HTTP).
import { EnforcementLevel, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { Obj, T, arr, chartName, get, hasUnknown, isObj, metaOf, obj, pushTo, releaseName, releaseNamespace, schema, serviceRef, str, tunables, typeSet } from "./common";
import { PROMETHEUS_DURATION } from "../validate/util";

// ---------------------------------------------------------------------------------------------
// Prometheus selection

/** A Kubernetes label selector: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist). */
export function selectorMatches(selector: Obj, labels: Record<string, string>): boolean {
    for (const [k, v] of Object.entries(obj(selector.matchLabels))) {
        if (labels[k] !== v) {
            return false;
        }
    }
    for (const e of arr(selector.matchExpressions)) {
        const key = str(get(e, "key")) ?? "";
        const values = arr(get(e, "values")).filter((x): x is string => typeof x === "string");
        const has = key in labels;
        switch (str(get(e, "operator"))) {
            case "In":
                if (!has || !values.includes(labels[key])) return false;
                break;
            case "NotIn":
                if (has && values.includes(labels[key])) return false;
                break;
            case "Exists":
                if (!has) return false;
                break;
            case "DoesNotExist":
                if (has) return false;
                break;
            default:
                return false;
        }
    }
    return true;
}

function isEmptySelector(s: unknown): boolean {
    return !isObj(s) || (Object.keys(obj(s.matchLabels)).length === 0 && arr(s.matchExpressions).length === 0);
}

interface PrometheusSelector {
    release: string;
    /** undefined: selects every monitor of that kind. */
    selector?: Obj;
}

/** The monitor selector a kube-prometheus-stack release's Prometheus uses for a kind. */
export function prometheusSelector(release: PolicyResource, kind: "serviceMonitor" | "podMonitor"): PrometheusSelector | undefined {
    const values = obj(get(release.props, "values"));
    if (get(values, "prometheus", "enabled") === false) {
        return undefined;
    }
    const spec = obj(get(values, "prometheus", "prometheusSpec"));
    const name = releaseName(release.props, release.name);
    const explicit = spec[`${kind}Selector`];
    if (!isEmptySelector(explicit)) {
        return { release: name, selector: obj(explicit) };
    }
    if (spec[`${kind}SelectorNilUsesHelmValues`] === false) {
        return { release: name };
    }
    return { release: name, selector: { matchLabels: { release: name } } };
}

/** ServiceMonitors and PodMonitors that no Prometheus of the stack selects. */
export function prometheusMonitorSelected(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    const defaults = { prometheusCharts: ["kube-prometheus-stack"] };
    const serviceMonitors = typeSet(T.serviceMonitor);
    const podMonitors = typeSet(T.podMonitor);
    return {
        name: "prometheus-monitor-selected",
        description: "ServiceMonitors and PodMonitors must carry the labels the kube-prometheus-stack Prometheus selects (release: <release>).",
        enforcementLevel: level,
        configSchema: {
            properties: {
                prometheusCharts: schema.strings("Chart names of Prometheus releases.", defaults.prometheusCharts),
            },
        },
        validateStack: (args, report) => {
            const c = tunables(defaults, args);
            const charts = new Set(c.prometheusCharts);
            const releases: PolicyResource[] = [];
            const monitors: PolicyResource[] = [];
            for (const r of args.resources) {
                if ((r.type === T.helmRelease || r.type === T.helmChart) && charts.has(chartName(r.props))) {
                    releases.push(r);
                } else if (serviceMonitors.has(r.type) || podMonitors.has(r.type)) {
                    monitors.push(r);
                }
            }
            if (releases.length === 0) {
                args.notApplicable("no Prometheus release in the stack");
            }
            const selectors = {
                serviceMonitor: releases.map((r) => prometheusSelector(r, "serviceMonitor")).filter((s): s is PrometheusSelector => !!s),
                podMonitor: releases.map((r) => prometheusSelector(r, "podMonitor")).filter((s): s is PrometheusSelector => !!s),
            };
            for (const m of monitors) {
                const kind = serviceMonitors.has(m.type) ? "serviceMonitor" : "podMonitor";
                const sels = selectors[kind];
                const meta = metaOf(m.props, m.name);
                if (sels.length > 0 && !sels.some((s) => !s.selector || selectorMatches(s.selector, meta.labels))) {
                    const wanted = sels.map((s) => JSON.stringify(obj(s.selector).matchLabels ?? s.selector)).join(" or ");
                    report(
                        `${m.type.split(":").pop()} ${meta.namespace}/${meta.name} is not selected by Prometheus (release ${sels.map((s) => s.release).join(", ")}): it needs labels ${wanted}.`,
                        m.urn,
                    );
                }
            }
        },
    };
}

// ---------------------------------------------------------------------------------------------
// Tracing endpoints

const OTLP_PORTS: readonly number[] = [4317, 4318];
const ZIPKIN_PORT = 9411;

interface Endpoint {
    resource: PolicyResource;
    where: string;
    host: string;
    port?: number;
    /** Namespace the host is resolved from, when known. */
    context?: string;
    /** OTLP transport the sender speaks, when it speaks OTLP. */
    otlp?: "http" | "grpc";
}

const OTLP_PORT = { grpc: 4317, http: 4318 } as const;

interface Collector {
    namespace: string;
    /** undefined: any port. */
    ports?: Set<number>;
    origin: string;
}

/** Host and port of an endpoint URL or `host[:port]`; undefined if it is not one. */
export function hostPort(endpoint: string): { host: string; port?: number } | undefined {
    const text = endpoint.trim();
    try {
        const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
        if (!u.hostname) {
            return undefined;
        }
        return { host: u.hostname, port: u.port ? Number(u.port) : undefined };
    } catch {
        return undefined;
    }
}

function kongEndpoints(r: PolicyResource): Endpoint[] {
    const plugin = str(get(r.props, "plugin"));
    const config = obj(get(r.props, "config"));
    const out: Endpoint[] = [];
    // Short names resolve in the Kong proxy's namespace, whatever the plugin's: no context.
    const add = (field: string): void => {
        const v = str(config[field]);
        const hp = v ? hostPort(v) : undefined;
        if (hp) {
            out.push({ resource: r, where: `${plugin} config.${field}`, host: hp.host, port: hp.port, otlp: plugin === "opentelemetry" ? "http" : undefined });
        }
    };
    if (plugin === "opentelemetry") {
        add("traces_endpoint");
        add("endpoint");
    } else if (plugin === "zipkin") {
        add("http_endpoint");
    }
    return out;
}

function meshEndpoints(r: PolicyResource): Endpoint[] {
    const out: Endpoint[] = [];
    arr(get(r.props, "values", "meshConfig", "extensionProviders")).forEach((p, i) => {
        for (const kind of ["opentelemetry", "zipkin"]) {
            const cfg = get(p, kind);
            const service = str(get(cfg, "service"));
            if (!service || hasUnknown(service)) {
                continue;
            }
            // Istio accepts "[<namespace>/]<hostname>".
            const host = service.includes("/") ? service.slice(service.indexOf("/") + 1) : service;
            const port = get(cfg, "port");
            out.push({
                resource: r,
                where: `meshConfig.extensionProviders[${i}] (${str(get(p, "name")) ?? "?"}) ${kind}.service`,
                host,
                port: typeof port === "number" ? port : undefined,
                // Istio's opentelemetry provider speaks OTLP/gRPC unless an `http` block is set.
                otlp: kind === "opentelemetry" ? (get(cfg, "http") !== undefined ? "http" : "grpc") : undefined,
            });
        }
    });
    return out;
}

/** Tracing endpoints that point at no Jaeger or OpenTelemetry collector of the stack. */
export function tracingEndpointDefined(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    const defaults = {
        jaegerCharts: ["jaeger"],
        collectorCharts: ["opentelemetry-collector"],
        istiodCharts: ["istiod"],
        clusterDomain: "cluster.local",
    };
    const pluginTypes = typeSet(T.kongPlugin, T.kongClusterPlugin);
    return {
        name: "tracing-endpoint-defined",
        description:
            "Tracing endpoints (Kong opentelemetry/zipkin plugins, meshConfig extensionProviders) must point at a collector the stack defines, on the OTLP port of their transport.",
        enforcementLevel: level,
        configSchema: {
            properties: {
                jaegerCharts: schema.strings("Chart names of Jaeger releases (service <release>.<namespace>, OTLP 4317/4318).", defaults.jaegerCharts),
                collectorCharts: schema.strings("Chart names of OpenTelemetry Collector releases.", defaults.collectorCharts),
                istiodCharts: schema.strings("Chart names whose releases carry meshConfig.", defaults.istiodCharts),
                clusterDomain: schema.string("Cluster DNS domain.", defaults.clusterDomain),
            },
        },
        validateStack: (args, report) => {
            const c = tunables(defaults, args);
            const jaeger = new Set(c.jaegerCharts);
            const otel = new Set(c.collectorCharts);
            const istiod = new Set(c.istiodCharts);
            const collectors = new Map<string, Collector[]>();
            const namespaces = new Set<string>();
            const endpoints: Endpoint[] = [];
            const otlp = new Set([...OTLP_PORTS, ZIPKIN_PORT]);
            for (const r of args.resources) {
                if (r.type === T.helmRelease || r.type === T.helmChart) {
                    const chart = chartName(r.props);
                    const ns = releaseNamespace(r.props);
                    namespaces.add(ns);
                    if (jaeger.has(chart) || otel.has(chart)) {
                        const n = releaseName(r.props, r.name);
                        const full = str(get(r.props, "values", "fullnameOverride"));
                        const names = new Set([n, `${n}-collector`, `${n}-${chart}`, `${n}-${chart}-collector`]);
                        if (full) {
                            names.add(full);
                            names.add(`${full}-collector`);
                        }
                        names.forEach((s) => pushTo(collectors, s, { namespace: ns, ports: otlp, origin: `${chart} release ${n}` }));
                    }
                    if (istiod.has(chart)) {
                        endpoints.push(...meshEndpoints(r));
                    }
                    continue;
                }
                if (!r.type.startsWith("kubernetes:")) {
                    continue;
                }
                const meta = metaOf(r.props, r.name);
                if (r.type === T.namespace) {
                    namespaces.add(meta.name);
                    continue;
                }
                namespaces.add(meta.namespace);
                if (pluginTypes.has(r.type)) {
                    endpoints.push(...kongEndpoints(r));
                } else if (r.type === T.service) {
                    const ports = arr(get(r.props, "spec", "ports"));
                    const numbers = ports.map((p) => get(p, "port")).filter((p): p is number => typeof p === "number");
                    const traced = numbers.some((p) => otlp.has(p)) || ports.some((p) => /otlp|zipkin|jaeger/i.test(str(get(p, "name")) ?? ""));
                    if (traced) {
                        pushTo(collectors, meta.name, { namespace: meta.namespace, ports: new Set(numbers), origin: `Service ${meta.namespace}/${meta.name}` });
                    }
                }
            }
            for (const e of endpoints) {
                const other = e.otlp === "http" ? "grpc" : "http";
                if (e.otlp && e.port === OTLP_PORT[other]) {
                    report(
                        `${e.where} sends OTLP/${e.otlp === "http" ? "HTTP" : "gRPC"} to port ${e.port}, the OTLP/${other === "http" ? "HTTP" : "gRPC"} port; use ${OTLP_PORT[e.otlp]}.`,
                        e.resource.urn,
                    );
                    continue;
                }
                const ref = serviceRef(e.host, e.context, c.clusterDomain);
                if (!ref) {
                    continue; // outside the cluster
                }
                if (e.host.split(".").length === 2 && ref.namespace !== undefined && !namespaces.has(ref.namespace)) {
                    continue; // "a.b" naming no namespace of the stack: an external host
                }
                const candidates = (collectors.get(ref.name) ?? []).filter((col) => ref.namespace === undefined || col.namespace === ref.namespace);
                if (candidates.length === 0) {
                    report(`${e.where} points at ${e.host}, but the stack defines no Jaeger/collector service there.`, e.resource.urn);
                } else if (e.port !== undefined && !candidates.some((col) => !col.ports || col.ports.size === 0 || col.ports.has(e.port ?? 0))) {
                    report(`${e.where} sends to port ${e.port} of ${e.host}, which ${candidates[0].origin} does not serve (OTLP: 4317 gRPC, 4318 HTTP).`, e.resource.urn);
                }
            }
        },
    };
}

// ---------------------------------------------------------------------------------------------
// Prometheus durations

/** Durations kube-prometheus-stack 88.5.3 passes to its Prometheus CR, whose CRD checks them (monitoring.coreos.com/v1 Duration). */
const PROMETHEUS_SPEC_DURATIONS = ["retention", "scrapeInterval", "scrapeTimeout", "evaluationInterval"] as const;

/** Prometheus durations the prometheus-operator CRD would reject, failing the release at install. */
export function prometheusDurationFormat(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    const defaults = { prometheusCharts: ["kube-prometheus-stack"] };
    return {
        name: "prometheus-duration-format",
        description:
            "kube-prometheus-stack's Prometheus durations (retention, scrapeInterval, scrapeTimeout, evaluationInterval) must be Prometheus durations such as 10d or 1d12h: the Prometheus CRD rejects anything else and the release fails.",
        enforcementLevel: level,
        configSchema: { properties: { prometheusCharts: schema.strings("Chart names of kube-prometheus-stack releases.", defaults.prometheusCharts) } },
        validateStack: (args, report) => {
            const c = tunables(defaults, args);
            const charts = new Set(c.prometheusCharts);
            for (const r of args.resources) {
                if ((r.type !== T.helmRelease && r.type !== T.helmChart) || !charts.has(chartName(r.props))) {
                    continue;
                }
                const spec = obj(get(r.props, "values", "prometheus", "prometheusSpec"));
                for (const key of PROMETHEUS_SPEC_DURATIONS) {
                    const v = spec[key];
                    if (typeof v === "string" && !hasUnknown(v) && v !== "" && v !== "0" && !PROMETHEUS_DURATION.test(v)) {
                        report(
                            `release ${releaseName(r.props, r.name)} sets prometheus.prometheusSpec.${key} "${v}", which is not a Prometheus duration (units y, w, d, h, m, s, ms in that order, e.g. "10d", "1d12h", "30s"); the Prometheus CRD rejects it.`,
                            r.urn,
                        );
                    }
                }
            }
        },
    };
}

export const observabilityRules = [prometheusMonitorSelected, tracingEndpointDefined, prometheusDurationFormat];
