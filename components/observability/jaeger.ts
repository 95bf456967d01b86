/**
 * Jaeger v2 (`jaegertracing/jaeger` chart 4.x): the Service its release creates, the OTLP
 * endpoints other components send spans to, and the release's values.
 *
 * What the chart does (4.11.1, read from its templates):
 * - one all-in-one Deployment and one Service named by the chart's `jaeger.fullname` helper
 *   (the release name when it contains "jaeger", else `<release>-jaeger`), exposing
 *   `otlp-grpc` 4317, `otlp-http` 4318, `http-query` 16686, `grpc-query` 16685 among others;
 * - `userconfig` replaces the image's built-in configuration (an OpenTelemetry Collector
 *   config) through a ConfigMap; without it the image's all-in-one config is used;
 * - storage is whatever that config says; the chart provisions none, so the badger option
 *   mounts a PVC through `jaeger.extraVolumes` / `jaeger.extraVolumeMounts`.
 *
 * meshgate always sets `userconfig`, written from the same port constants `jaegerOtlp`
 * returns, so the receivers listen exactly where Istio and Kong send: OpenTelemetry receivers
 * otherwise default to `localhost`, unreachable from other pods.
 */
import { type HelmValues } from "../helm";
import { helmFullname } from "./names";

/** Ports of the Jaeger Service (chart 4.11.1 `jaeger-service.yaml`) and of the container's health check. */
export const JAEGER_PORTS = {
    /** OTLP over gRPC (Service port `otlp-grpc`). */
    otlpGrpc: 4317,
    /** OTLP over HTTP (Service port `otlp-http`); traces at `/v1/traces`. */
    otlpHttp: 4318,
    /** Query UI and HTTP API (Service port `http-query`). */
    queryHttp: 16686,
    /** Query gRPC API (Service port `grpc-query`), what Kiali uses. */
    queryGrpc: 16685,
    /** healthcheckv2 HTTP endpoint the chart's probes call (`/status`). */
    health: 13133,
    /** The collector's own Prometheus metrics (Service port `internal-metrics`). */
    metrics: 8888,
} as const;

/** OTLP/HTTP path for traces. */
export const OTLP_HTTP_TRACES_PATH = "/v1/traces";

/** Where badger keeps its data inside the Jaeger container. */
export const BADGER_MOUNT_PATH = "/badger";

/** Name of the Service (and Deployment) a jaeger release creates; nameOverride/fullnameOverride are refused by meshgate. */
export function jaegerServiceName(releaseName: string): string {
    return helmFullname(releaseName, "jaeger");
}

/** Where to send spans to the Jaeger of release `releaseName` in `namespace`. */
export interface JaegerOtlpEndpoints {
    /** Name of the Jaeger Service. */
    readonly serviceName: string;
    /** Cluster FQDN of that Service, as Istio's meshConfig `extensionProviders[].opentelemetry.service` wants it. */
    readonly grpcHost: string;
    /** OTLP/gRPC port. */
    readonly grpcPort: number;
    /** OTLP/HTTP port. */
    readonly httpPort: number;
    /** Full OTLP/HTTP traces URL (Kong's `opentelemetry` plugin `traces_endpoint`). */
    readonly httpTracesEndpoint: string;
}

/** The OTLP endpoints of a Jaeger release; pure, so Istio and Kong can be configured without waiting for Jaeger. */
export function jaegerOtlp(releaseName: string, namespace: string, clusterDomain = "cluster.local"): JaegerOtlpEndpoints {
    const serviceName = jaegerServiceName(releaseName);
    const host = `${serviceName}.${namespace}.svc.${clusterDomain}`;
    return {
        serviceName,
        grpcHost: host,
        grpcPort: JAEGER_PORTS.otlpGrpc,
        httpPort: JAEGER_PORTS.otlpHttp,
        httpTracesEndpoint: `http://${host}:${JAEGER_PORTS.otlpHttp}${OTLP_HTTP_TRACES_PATH}`,
    };
}

/** In-cluster URLs of Jaeger's query service. */
export function jaegerQuery(releaseName: string, namespace: string, clusterDomain = "cluster.local") {
    const host = `${jaegerServiceName(releaseName)}.${namespace}.svc.${clusterDomain}`;
    return {
        /** UI and HTTP API (Grafana's Jaeger datasource). */
        httpUrl: `http://${host}:${JAEGER_PORTS.queryHttp}`,
        /** gRPC API (Kiali with `use_grpc: true`). */
        grpcUrl: `http://${host}:${JAEGER_PORTS.queryGrpc}`,
    };
}

/** Span storage of the all-in-one Jaeger. */
export type JaegerStorage =
    | {
          /** In memory: lost on restart, for dev. */
          readonly type: "memory";
          /** Traces kept before the oldest are evicted. */
          readonly maxTraces: number;
      }
    | {
          /** Badger on a PersistentVolumeClaim: survives restarts, one replica only (RWO volume, single writer). */
          readonly type: "badger";
          /** Name of the PVC to mount at /badger (created by the Observability component). */
          readonly claimName: unknown;
          /** How long spans are kept (Go duration). */
          readonly spanTtl: string;
      };

const STORE = "meshgate_store";

/**
 * The Jaeger v2 configuration (OpenTelemetry Collector syntax) meshgate runs: OTLP receivers
 * on all interfaces at the ports of `JAEGER_PORTS`, the chosen storage, query UI/API,
 * the health check the chart's probes call, and Prometheus metrics on 8888.
 */
export function jaegerConfig(storage: JaegerStorage): HelmValues {
    const backend =
        storage.type === "memory"
            ? { memory: { max_traces: storage.maxTraces } }
            : {
                  badger: {
                      directories: { keys: `${BADGER_MOUNT_PATH}/keys`, values: `${BADGER_MOUNT_PATH}/values` },
                      ephemeral: false,
                      ttl: { spans: storage.spanTtl },
                  },
              };
    return {
        service: {
            extensions: ["jaeger_storage", "jaeger_query", "healthcheckv2"],
            pipelines: {
                traces: { receivers: ["otlp"], processors: ["batch"], exporters: ["jaeger_storage_exporter"] },
            },
            telemetry: {
                resource: { "service.name": "jaeger" },
                metrics: {
                    level: "detailed",
                    readers: [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: JAEGER_PORTS.metrics } } } }],
                },
                logs: { level: "info" },
            },
        },
        extensions: {
            healthcheckv2: { use_v2: true, http: { endpoint: `0.0.0.0:${JAEGER_PORTS.health}` } },
            jaeger_query: {
                storage: { traces: STORE },
                http: { endpoint: `0.0.0.0:${JAEGER_PORTS.queryHttp}` },
                grpc: { endpoint: `0.0.0.0:${JAEGER_PORTS.queryGrpc}` },
            },
            jaeger_storage: { backends: { [STORE]: backend } },
        },
        receivers: {
            otlp: {
                protocols: {
                    grpc: { endpoint: `0.0.0.0:${JAEGER_PORTS.otlpGrpc}` },
                    http: { endpoint: `0.0.0.0:${JAEGER_PORTS.otlpHttp}` },
                },
            },
        },
        processors: { batch: {} },
        exporters: { jaeger_storage_exporter: { trace_storage: STORE } },
    };
}

/**
 * Keys the jaeger chart 4.11.1 reads in its templates but does not list in values.yaml:
 * `templates/jaeger/jaeger-deploy.yaml` renders `{{- with .Values.jaeger.resources }}` into
 * the all-in-one container.
 */
export const JAEGER_CHART_TEMPLATE_KEYS = ["jaeger.resources"] as const;

/** Requests and memory limit of the all-in-one Jaeger (memory storage holds every trace in the heap). */
export const JAEGER_RESOURCES = { requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "2Gi" } } as const;

/**
 * Values of the jaeger release. One replica whatever the environment: memory and badger
 * storage are per process (two replicas would split every trace between them); an HA Jaeger
 * needs Elasticsearch/OpenSearch/Cassandra, configured through `values.userconfig`.
 * Resource requests are set (`jaeger.resources`, see JAEGER_CHART_TEMPLATE_KEYS).
 */
export function jaegerValues(storage: JaegerStorage): HelmValues {
    const jaeger: HelmValues = { replicas: 1, resources: { requests: { ...JAEGER_RESOURCES.requests }, limits: { ...JAEGER_RESOURCES.limits } } };
    if (storage.type === "badger") {
        jaeger.extraVolumes = [{ name: "badger-data", persistentVolumeClaim: { claimName: storage.claimName } }];
        jaeger.extraVolumeMounts = [{ name: "badger-data", mountPath: BADGER_MOUNT_PATH }];
    }
    return { jaeger, userconfig: jaegerConfig(storage) };
}

/** Values keys that would rename the Jaeger Service away from `jaegerOtlp`'s; refused. */
export const JAEGER_RENAMING_KEYS = ["nameOverride", "fullnameOverride"] as const;
