/**
 * Produces meshgate's trimmed slice of upstream reference data under `data/`.
 *
 *   node --import tsx tools/refdata.ts [--reference DIR] [--out DIR]
 *   npm run refdata
 *
 * `--reference` defaults to `../shared/reference` relative to the repository root and
 * `--out` to `data/` in the repository root. Charts not in the shared reference (FETCHED_CHARTS:
 * metrics-server, cluster-autoscaler) are read from `--fetched DIR` (laid out as
 * `charts/<chart>/{Chart.yaml,values.yaml}`, each file taken with
 * `git -C <mirror> show <tag>:<path>/<file>` from the upstream repository at the tag
 * FETCHED_CHARTS records); without `--fetched` their data files are kept as they are. The output is deterministic (sorted keys,
 * two-space JSON, LF line endings): re-running on the same reference makes no diff.
 *
 * What it writes (see the generated data/SOURCES.md for the per-file table):
 * - data/charts/<chart>.json         key tree of each chart's values.yaml
 * - data/crds/<plural>.<group>.json  openAPIV3Schema per served version, descriptions removed
 * - data/kong-plugins/3.9/<name>.json plugin configuration schemas, descriptions removed
 * - data/kong-plugins/3.9/entity-checks.json and request-transformer.json, from tools/refdata/kong-derived.ts
 * - data/iam/aws-load-balancer-controller.json the official IAM policy, whole
 * - data/gateway-api/standard-crds.json the Gateway API standard CRDs as installable objects, prose removed
 * - data/SOURCES.md
 * - data/SHA256SUMS                  every other file's SHA-256 (sha256sum format)
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseAllDocuments, parseDocument } from "yaml";
import { isRecord } from "../policies/validate/util";
import { KONG_DERIVED_SOURCE, KONG_ENTITY_CHECKS, REQUEST_TRANSFORMER_SCHEMA } from "./refdata/kong-derived";

// ---------------------------------------------------------------------------------------
// Facts the reference states in prose (reference/SOURCES.md) or that live outside it.
// Each is checked against the reference where the reference can confirm it.

/** Upstream repository and real version of each chart (Chart.yaml of some charts says 1.0.0/0.0.0). */
const CHARTS: Readonly<Record<string, { upstream: string; version: string; values?: string }>> = {
    "aws-load-balancer-controller": { upstream: "kubernetes-sigs/aws-load-balancer-controller (helm/aws-load-balancer-controller), chart repo eks", version: "3.5.0" },
    grafana: { upstream: "grafana-community/helm-charts (charts/grafana)", version: "12.11.1" },
    "istio-base": { upstream: "istio/istio (manifests/charts/base)", version: "1.30.3" },
    istiod: { upstream: "istio/istio (manifests/charts/istio-control/istio-discovery)", version: "1.30.3" },
    "istio-gateway": { upstream: "istio/istio (manifests/charts/gateway)", version: "1.30.3" },
    // Only the chart 4.x values (Jaeger v2); legacy-jaeger-3.4.1-values.yaml is left out on purpose.
    jaeger: { upstream: "jaegertracing/helm-charts (charts/jaeger)", version: "4.11.1", values: "values.yaml" },
    "kiali-server": { upstream: "kiali/helm-charts (kiali-server)", version: "2.29.0" },
    kong: { upstream: "Kong/charts (charts/kong)", version: "3.4.1" },
    "kong-ingress": { upstream: "Kong/charts (charts/ingress)", version: "0.24.0" },
    "kube-prometheus-stack": { upstream: "prometheus-community/helm-charts (charts/kube-prometheus-stack)", version: "88.5.3" },
};

/**
 * Charts fetched from their upstream repository at a pinned tag (not in the shared reference).
 * Only the derived key tree is kept in data/charts; the upstream files are never committed.
 */
const FETCHED_CHARTS: Readonly<Record<string, { upstream: string; version: string; tag: string; path: string }>> = {
    "metrics-server": {
        upstream: "kubernetes-sigs/metrics-server (charts/metrics-server)",
        version: "3.13.1",
        tag: "metrics-server-helm-chart-3.13.1",
        path: "charts/metrics-server",
    },
    "cluster-autoscaler": {
        upstream: "kubernetes/autoscaler (cluster-autoscaler/charts/cluster-autoscaler)",
        version: "9.59.0",
        tag: "cluster-autoscaler-chart-9.59.0",
        path: "cluster-autoscaler/charts/cluster-autoscaler",
    },
};

/** Istio charts keep their defaults under this key; a release sets them at the top level. */
const ISTIO_CHARTS = new Set(["istio-base", "istiod", "istio-gateway"]);
const ISTIO_INTERNAL_DEFAULTS = "_internal_defaults_do_not_set";

/**
 * Key names whose value is free-form even when the chart's default lists example entries:
 * Kubernetes objects passed through to a pod/Service spec (their schema is Kubernetes', not
 * the chart's) and maps of annotations, labels and environment variables. A map under one of
 * these names is recorded as "open".
 */
const FREE_FORM_KEY_NAMES: readonly string[] = [
    "affinity",
    "annotations",
    "containerSecurityContext",
    "deploymentAnnotations",
    "deploymentLabels",
    "env",
    "extraEnv",
    "extraLabels",
    "labels",
    "lifecycle",
    "livenessProbe",
    "nodeSelector",
    "podAnnotations",
    "podLabels",
    "podSecurityContext",
    "readinessProbe",
    "resources",
    "securityContext",
    "serviceAnnotations",
    "serviceLabels",
    "startupProbe",
    "strategy",
    "updateStrategy",
];

/** Chart-specific free-form paths (dotted, after lifting Istio's internal defaults). */
const FREE_FORM_PATHS: Readonly<Record<string, readonly string[]>> = {
    // grafana.ini is rendered verbatim into grafana.ini: any section and key.
    grafana: ["grafana.ini"],
    // Alertmanager's own configuration file, rendered verbatim.
    "kube-prometheus-stack": ["alertmanager.config"],
    // Kiali CR spec sections, rendered verbatim into the Kiali ConfigMap; the chart lists a few fields only.
    "kiali-server": ["external_services", "kiali_feature_flags", "server", "auth", "deployment", "login_token", "istio_namespace", "clustering"],
    // The OpenTelemetry Collector configuration of Jaeger v2, rendered verbatim.
    jaeger: ["config", "userconfig", "uiconfig"],
    // Command-line flags of the autoscaler: the chart renders every entry as `--<key>=<value>`
    // (templates/deployment.yaml, `range $key, $value := .Values.extraArgs`).
    "cluster-autoscaler": ["extraArgs"],
};

/**
 * Top-level fields of Istio's MeshConfig (istio/api v1.30.3, mesh/v1alpha1/config.proto,
 * message MeshConfig), as JSON names. istiod's values.yaml sets only `enablePrometheusMerge`,
 * yet every field is valid under `meshConfig`. Message-typed fields are "open" (their own
 * schema is not in the reference), repeated fields "list", the others "scalar".
 */
const MESH_CONFIG_FIELDS: Readonly<Record<string, "open" | "list" | "scalar">> = {
    accessLogEncoding: "scalar",
    accessLogFile: "scalar",
    accessLogFormat: "scalar",
    ca: "open",
    caCertificates: "list",
    certificates: "list",
    configSources: "list",
    connectTimeout: "scalar",
    defaultConfig: "open",
    defaultDestinationRuleExportTo: "list",
    defaultHttpRetryPolicy: "open",
    defaultProviders: "open",
    defaultServiceExportTo: "list",
    defaultVirtualServiceExportTo: "list",
    disableEnvoyListenerLog: "scalar",
    discoverySelectors: "list",
    dnsRefreshRate: "scalar",
    enableAutoMtls: "scalar",
    enableEnvoyAccessLogService: "scalar",
    enablePrometheusMerge: "scalar",
    enableTracing: "scalar",
    extensionProviders: "list",
    h2UpgradePolicy: "scalar",
    hboneIdleTimeout: "scalar",
    inboundClusterStatName: "scalar",
    inboundTrafficPolicy: "open",
    ingressClass: "scalar",
    ingressControllerMode: "scalar",
    ingressSelector: "scalar",
    ingressService: "scalar",
    localityLbSetting: "open",
    meshMTLS: "open",
    outboundClusterStatName: "scalar",
    outboundTrafficPolicy: "open",
    pathNormalization: "open",
    protocolDetectionTimeout: "scalar",
    proxyHttpPort: "scalar",
    proxyInboundListenPort: "scalar",
    proxyListenPort: "scalar",
    rootNamespace: "scalar",
    serviceScopeConfigs: "list",
    serviceSettings: "list",
    tcpKeepalive: "open",
    tlsDefaults: "open",
    trustDomain: "scalar",
    trustDomainAliases: "list",
    verifyCertificateAtClient: "scalar",
};

/** CRDs meshgate emits or its policies judge. */
const CRD_KINDS: Readonly<Record<string, readonly string[]>> = {
    "networking.istio.io": ["DestinationRule", "VirtualService", "Sidecar", "Gateway", "ServiceEntry"],
    "security.istio.io": ["PeerAuthentication", "AuthorizationPolicy", "RequestAuthentication"],
    "telemetry.istio.io": ["Telemetry"],
    "configuration.konghq.com": ["KongPlugin", "KongClusterPlugin", "KongConsumer", "KongConsumerGroup", "KongIngress", "KongUpstreamPolicy"],
    // Kong serves these (KIC 3.5): the kong rules judge HTTPRoutes, GRPCRoutes and ReferenceGrants.
    "gateway.networking.k8s.io": ["GatewayClass", "Gateway", "HTTPRoute", "GRPCRoute", "ReferenceGrant"],
};
const ISTIO_CRD_FILE = "crds/istio/crd-all.gen.yaml";
const ISTIO_VERSION = "1.30.3";
const KONG_CRD_VERSION = "1.5.2";
const GATEWAY_API_VERSION = "1.3.0";
const GATEWAY_API_GROUP = "gateway.networking.k8s.io";

const KONG_PLUGIN_VERSION = "3.9";
const KONG_PLUGINS = [
    "acl",
    "cors",
    "ip-restriction",
    "jwt",
    "key-auth",
    "oauth2",
    "opentelemetry",
    "prometheus",
    "rate-limiting",
    "rate-limiting-advanced",
    "request-size-limiting",
    "response-ratelimiting",
    "zipkin",
];
/**
 * Fields Kong's Lua schema declares `auto = true` (generated when absent) although they are
 * `required`: the published JSON schema lists them as required, Kong does not ask for them.
 * oauth2: kong/plugins/oauth2/schema.lua (`provision_key ... auto = true, required = true`).
 * rate-limiting-advanced (Enterprise): `namespace` is generated the same way.
 */
const KONG_AUTO_FIELDS: Readonly<Record<string, readonly string[]>> = {
    oauth2: ["provision_key"],
    "rate-limiting-advanced": ["namespace"],
};

const IAM_FILE = "iam/aws-load-balancer-controller-iam_policy.json";
const IAM_VERSION = "3.5.0";

// ---------------------------------------------------------------------------------------
// Small helpers

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** JSON with recursively sorted object keys, two-space indent, trailing newline. */
export function stableJson(value: unknown): string {
    return JSON.stringify(sortKeys(value), null, 2) + "\n";
}

function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (isRecord(value)) {
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]);
        return out;
    }
    return value;
}

function repoRoot(): string {
    let dir = __dirname;
    for (;;) {
        const pkg = path.join(dir, "package.json");
        if (existsSync(pkg)) {
            const parsed: unknown = JSON.parse(readFileSync(pkg, "utf8"));
            if (isRecord(parsed) && parsed.name === "meshgate") return dir;
        }
        const parent = path.dirname(dir);
        if (parent === dir) throw new Error(`no package.json named "meshgate" above ${__dirname}`);
        dir = parent;
    }
}

function readYaml(file: string): unknown {
    const doc = parseDocument(readFileSync(file, "utf8"), { merge: true, uniqueKeys: false });
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join("; ")}`);
    return doc.toJS({ maxAliasCount: -1 });
}

function readJson(file: string): unknown {
    return JSON.parse(readFileSync(file, "utf8"));
}

// ---------------------------------------------------------------------------------------
// Charts

/** A node of a chart's key tree. */
export type KeyTree = "open" | "list" | "scalar" | { [key: string]: KeyTree };

function keyTree(value: unknown, dotted: string, freeFormPaths: ReadonlySet<string>): KeyTree {
    if (Array.isArray(value)) return "list";
    if (value === null || value === undefined) return "open"; // type unknown: null defaults hold maps as often as scalars
    if (!isRecord(value)) return "scalar";
    const keys = Object.keys(value);
    const name = dotted.slice(dotted.lastIndexOf(".") + 1);
    if (keys.length === 0 || freeFormPaths.has(dotted) || FREE_FORM_KEY_NAMES.includes(name)) return "open";
    const out: Record<string, KeyTree> = {};
    for (const key of keys) out[key] = keyTree(value[key], dotted ? `${dotted}.${key}` : key, freeFormPaths);
    return out;
}

/** Union of two key trees: the more permissive kind wins (open > map > list > scalar). */
function unionTree(a: KeyTree, b: KeyTree): KeyTree {
    if (a === "open" || b === "open") return "open";
    if (typeof a === "object" && typeof b === "object") {
        const out: Record<string, KeyTree> = { ...a };
        for (const [key, sub] of Object.entries(b)) out[key] = key in out ? unionTree(out[key], sub) : sub;
        return out;
    }
    if (typeof a === "object" || typeof b === "object") return "open"; // a map in one source, a scalar in the other
    return a === "list" || b === "list" ? "list" : "scalar";
}

/** Key tree of a JSON schema (istio-gateway ships values.schema.json). */
function schemaTree(schema: unknown, defs: Record<string, unknown>): KeyTree {
    if (!isRecord(schema)) return "open";
    if (typeof schema.$ref === "string") {
        const name = schema.$ref.replace(/^#\/\$defs\//, "");
        return schemaTree(defs[name], defs);
    }
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const props = isRecord(schema.properties) ? schema.properties : undefined;
    if (types.includes("object") || props) {
        if (!props || Object.keys(props).length === 0) return "open";
        if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) return "open";
        const out: Record<string, KeyTree> = {};
        for (const [key, sub] of Object.entries(props)) out[key] = schemaTree(sub, defs);
        return out;
    }
    if (types.includes("array")) return "list";
    if (schema.type === undefined) return "open";
    return "scalar";
}

function sortedDir(dir: string): string[] {
    return readdirSync(dir).sort();
}

interface ChartFile {
    source: string;
    upstream: string;
    chart: string;
    chartYamlName: string;
    chartYamlVersion: string;
    appVersion: string;
    version: string;
    keys: KeyTree;
    subcharts?: Record<string, { chart: string; version: string; condition?: string; checkedAgainst: string | null }>;
    /** Names of keys values.yaml shows only commented out (`# adminPassword: …`), sorted. */
    commentedKeys: string[];
    notes: string[];
}

/** Key names of `# name: …` lines: documented keys the chart reads but values.yaml leaves unset. */
function commentedKeyNames(text: string): string[] {
    const names = new Set<string>();
    for (const line of text.split("\n")) {
        const m = /^\s*#+\s*-?\s*([A-Za-z_][A-Za-z0-9_-]*):(\s|$)/.exec(line);
        if (m) names.add(m[1]);
    }
    return [...names].sort();
}

function buildChart(reference: string, chart: string, sourcesMd: string, allCharts: ReadonlySet<string>): ChartFile {
    const fetched = FETCHED_CHARTS[chart];
    const meta: { upstream: string; version: string; values?: string } | undefined = fetched ?? CHARTS[chart];
    if (!meta) throw new Error(`chart ${chart}: not known to tools/refdata.ts (add it to CHARTS)`);
    if (!fetched && !sourcesMd.includes(meta.version)) throw new Error(`chart ${chart}: version ${meta.version} is not in reference/SOURCES.md`);
    const dir = path.join(reference, "charts", chart);
    const chartYaml = readYaml(path.join(dir, "Chart.yaml"));
    if (!isRecord(chartYaml)) throw new Error(`${chart}/Chart.yaml: not a map`);
    const valuesFile = path.join("charts", chart, meta.values ?? "values.yaml");
    const values = readYaml(path.join(reference, valuesFile));
    if (!isRecord(values)) throw new Error(`${valuesFile}: not a map`);

    const notes: string[] = [
        'keys: one entry per key present in values.yaml: a nested object for maps with keys, "open" for free-form maps (default {} or null, or a Kubernetes pass-through such as resources/affinity/podAnnotations/env), "list", "scalar".',
        "Commented-out keys in values.yaml are not in keys (they cannot be told apart from prose reliably); commentedKeys lists the names of `# name:` lines, which the helm-values-known-keys rule accepts as keys the chart documents.",
    ];
    let lifted: Record<string, unknown> = values;
    if (ISTIO_CHARTS.has(chart)) {
        const internal = values[ISTIO_INTERNAL_DEFAULTS];
        lifted = { ...values };
        delete lifted[ISTIO_INTERNAL_DEFAULTS];
        if (isRecord(internal)) for (const [key, sub] of Object.entries(internal)) lifted[key] = key in lifted ? mergeValues(lifted[key], sub) : sub;
        notes.push(`keys under ${ISTIO_INTERNAL_DEFAULTS} are lifted to the top level, where a release sets them.`);
    }
    const freeForm = new Set(FREE_FORM_PATHS[chart] ?? []);
    let keys = keyTree(lifted, "", freeForm);
    if (typeof keys !== "object") throw new Error(`${valuesFile}: empty`);

    if (chart === "istio-gateway") {
        const schemaFile = path.join(dir, "values.schema.json");
        const schema = readJson(schemaFile);
        if (isRecord(schema) && isRecord(schema.$defs)) {
            const fromSchema = schemaTree(schema.$defs.values, schema.$defs);
            if (typeof fromSchema === "object") {
                delete fromSchema[ISTIO_INTERNAL_DEFAULTS];
                keys = unionTree(keys, fromSchema);
            }
            notes.push("union with the keys of the chart's values.schema.json.");
        }
    }
    if (chart === "istiod" && typeof keys === "object") {
        const mesh = keys.meshConfig;
        keys.meshConfig = unionTree(typeof mesh === "object" ? mesh : {}, { ...MESH_CONFIG_FIELDS });
        notes.push("meshConfig: union with the top-level fields of MeshConfig (istio/api v1.30.3 mesh/v1alpha1/config.proto); message-typed fields are open.");
    }
    if (typeof keys !== "object") throw new Error(`${chart}: key tree collapsed`);

    // Subcharts: a chart in the reference is checked against its own tree at validation time;
    // any other subchart's section is free-form.
    const deps = Array.isArray(chartYaml.dependencies) ? chartYaml.dependencies.filter(isRecord) : [];
    let subcharts: ChartFile["subcharts"];
    for (const dep of deps) {
        const name = String(dep.name);
        const alias = typeof dep.alias === "string" ? dep.alias : name;
        const local = allCharts.has(name) ? name : null;
        subcharts ??= {};
        subcharts[alias] = {
            chart: name,
            version: String(dep.version),
            ...(typeof dep.condition === "string" ? { condition: dep.condition } : {}),
            checkedAgainst: local,
        };
        if (local === null) keys[alias] = "open";
        else if (!(alias in keys)) keys[alias] = {};
    }
    if (subcharts)
        notes.push(
            "subcharts: a section whose checkedAgainst names a chart in data/charts is checked against the union of this tree and that chart's tree; other subchart sections are open.",
        );
    if (chart === "kong-ingress") notes.push("kong-ingress pins kong 3.2.0 for its controller/gateway subcharts; they are checked against the kong 3.4.1 tree, an approximation.");

    if (fetched && String(chartYaml.version) !== fetched.version)
        throw new Error(`${chart}/Chart.yaml says version ${String(chartYaml.version)}, FETCHED_CHARTS pins ${fetched.version}`);
    return {
        source: fetched ? `github.com/${fetched.upstream.split(" ")[0]} @ ${fetched.tag}: ${fetched.path}/values.yaml` : `reference/${valuesFile}`,
        upstream: meta.upstream,
        chart,
        chartYamlName: String(chartYaml.name),
        chartYamlVersion: String(chartYaml.version),
        appVersion: String(chartYaml.appVersion ?? ""),
        version: meta.version,
        keys,
        ...(subcharts ? { subcharts } : {}),
        commentedKeys: commentedKeyNames(readFileSync(path.join(reference, valuesFile), "utf8")),
        notes,
    };
}

function mergeValues(a: unknown, b: unknown): unknown {
    if (isRecord(a) && isRecord(b)) {
        const out: Record<string, unknown> = { ...a };
        for (const [key, sub] of Object.entries(b)) out[key] = key in out ? mergeValues(out[key], sub) : sub;
        return out;
    }
    return b;
}

// ---------------------------------------------------------------------------------------
// Schemas: remove descriptions (and other prose) but keep every structural and validating key.

/** Schema keywords kept from CRD openAPIV3Schema nodes; anything else is dropped. */
const CRD_SCHEMA_KEYS = new Set([
    "type",
    "format",
    "properties",
    "items",
    "additionalProperties",
    "required",
    "enum",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "uniqueItems",
    "multipleOf",
    "nullable",
    "default",
    "oneOf",
    "anyOf",
    "allOf",
    "not",
    "x-kubernetes-validations",
    "x-kubernetes-int-or-string",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-embedded-resource",
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type",
]);
const VALIDATION_RULE_KEYS = new Set(["rule", "message", "messageExpression", "reason", "fieldPath", "optionalOldSelf"]);

function trimCrdSchema(node: unknown): Json {
    if (!isRecord(node)) throw new Error("schema node is not an object");
    const out: Record<string, Json> = {};
    for (const [key, value] of Object.entries(node)) {
        if (!CRD_SCHEMA_KEYS.has(key)) continue;
        if (key === "properties" && isRecord(value)) {
            const props: Record<string, Json> = {};
            for (const [name, sub] of Object.entries(value)) props[name] = trimCrdSchema(sub);
            out[key] = props;
        } else if ((key === "items" || key === "not" || key === "additionalProperties") && isRecord(value)) {
            out[key] = trimCrdSchema(value);
        } else if ((key === "oneOf" || key === "anyOf" || key === "allOf") && Array.isArray(value)) {
            out[key] = value.map(trimCrdSchema);
        } else if (key === "x-kubernetes-validations" && Array.isArray(value)) {
            out[key] = value.filter(isRecord).map((rule) => {
                const kept: Record<string, Json> = {};
                for (const [rk, rv] of Object.entries(rule)) if (VALIDATION_RULE_KEYS.has(rk)) kept[rk] = rv as Json;
                return kept;
            });
        } else {
            out[key] = value as Json;
        }
    }
    return out;
}

/** Kong plugin schema keywords kept; `shorthand_fields` are accepted aliases of nested fields. */
const KONG_SCHEMA_KEYS = new Set([
    "type",
    "properties",
    "items",
    "additionalProperties",
    "required",
    "enum",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "default",
    "not_one_of",
    "shorthand_fields",
    "format",
]);

function trimKongSchema(node: unknown): Json {
    if (!isRecord(node)) throw new Error("schema node is not an object");
    const out: Record<string, Json> = {};
    for (const [key, value] of Object.entries(node)) {
        if (!KONG_SCHEMA_KEYS.has(key)) {
            if (key !== "description") throw new Error(`Kong plugin schema: unexpected keyword ${key}`);
            continue;
        }
        if ((key === "properties" || key === "shorthand_fields") && isRecord(value)) {
            const props: Record<string, Json> = {};
            for (const [name, sub] of Object.entries(value)) props[name] = trimKongSchema(sub);
            out[key] = props;
        } else if ((key === "items" || key === "additionalProperties") && isRecord(value)) {
            out[key] = trimKongSchema(value);
        } else if (key === "required" && Array.isArray(value) && value.length === 0) {
            continue; // Kong writes `required: []` everywhere, even on strings
        } else {
            out[key] = value as Json;
        }
    }
    return out;
}

function hashJson(value: unknown): string {
    return createHash("sha256")
        .update(JSON.stringify(sortKeys(value)))
        .digest("hex");
}

interface CrdFile {
    source: string;
    upstream: string;
    version: string;
    group: string;
    kind: string;
    plural: string;
    scope: string;
    /** Per served version; a version whose schema equals an earlier one says `sameSchemaAs`. */
    versions: Record<string, { served: boolean; storage: boolean; deprecated?: boolean; schema?: Json; sameSchemaAs?: string }>;
}

function buildCrds(reference: string): CrdFile[] {
    const wanted = new Map<string, string>();
    for (const [group, kinds] of Object.entries(CRD_KINDS)) for (const kind of kinds) wanted.set(`${group}/${kind}`, group);
    const files = [
        ISTIO_CRD_FILE,
        ...sortedDir(path.join(reference, "crds/kong"))
            .filter((f) => f.startsWith("configuration.konghq.com_"))
            .map((f) => `crds/kong/${f}`),
        ...sortedDir(path.join(reference, "crds/gateway-api"))
            .filter((f) => f.startsWith("gateway.networking.k8s.io_"))
            .map((f) => `crds/gateway-api/${f}`),
    ];
    const out: CrdFile[] = [];
    for (const file of files) {
        const text = readFileSync(path.join(reference, file), "utf8");
        for (const doc of parseAllDocuments(text)) {
            if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join("; ")}`);
            const crd: unknown = doc.toJS();
            if (!isRecord(crd) || crd.kind !== "CustomResourceDefinition" || !isRecord(crd.spec) || !isRecord(crd.metadata)) continue;
            const spec = crd.spec;
            const names = isRecord(spec.names) ? spec.names : {};
            const id = `${String(spec.group)}/${String(names.kind)}`;
            if (!wanted.has(id)) continue;
            wanted.delete(id);
            const isKong = spec.group === "configuration.konghq.com";
            const isGatewayApi = spec.group === "gateway.networking.k8s.io";
            let version = isGatewayApi ? GATEWAY_API_VERSION : ISTIO_VERSION;
            if (isKong) {
                const annotations = isRecord(crd.metadata.annotations) ? crd.metadata.annotations : {};
                const declared = String(annotations["kubernetes-configuration.konghq.com/version"] ?? "");
                if (declared !== `v${KONG_CRD_VERSION}`) throw new Error(`${file}: version annotation ${declared}, expected v${KONG_CRD_VERSION}`);
                version = KONG_CRD_VERSION;
            }
            const versions: CrdFile["versions"] = {};
            const seen = new Map<string, string>();
            for (const v of Array.isArray(spec.versions) ? spec.versions.filter(isRecord) : []) {
                if (v.served !== true) continue;
                const schemaRoot = isRecord(v.schema) ? v.schema.openAPIV3Schema : undefined;
                const schema = trimCrdSchema(schemaRoot);
                const hash = hashJson(schema);
                const name = String(v.name);
                const entry: CrdFile["versions"][string] = { served: true, storage: v.storage === true };
                if (v.deprecated === true) entry.deprecated = true;
                const same = seen.get(hash);
                if (same) entry.sameSchemaAs = same;
                else {
                    entry.schema = schema;
                    seen.set(hash, name);
                }
                versions[name] = entry;
            }
            out.push({
                source: `reference/${file}`,
                upstream: isKong
                    ? "Kong/kubernetes-configuration (config/crd, used by Kong Ingress Controller 3.5)"
                    : isGatewayApi
                      ? "kubernetes-sigs/gateway-api (config/crd/standard)"
                      : "istio/istio (manifests/charts/base/files/crd-all.gen.yaml)",
                version,
                group: String(spec.group),
                kind: String(names.kind),
                plural: String(names.plural),
                scope: String(spec.scope),
                versions,
            });
        }
    }
    if (wanted.size > 0) throw new Error(`CRDs not found in the reference: ${[...wanted.keys()].join(", ")}`);
    return out.sort((a, b) => `${a.group}/${a.kind}`.localeCompare(`${b.group}/${b.kind}`));
}

/**
 * The Gateway API standard-channel CRDs as complete objects an API server accepts (what
 * GatewayApiCrds installs): every field of the upstream CRD except the prose (`description`
 * of schema nodes and printer columns). Prose aside they are the upstream objects, so the
 * API server enforces the same schema, defaults and CEL rules.
 */
function buildGatewayApiInstall(reference: string): { source: string; upstream: string; version: string; crds: Json[] } {
    const files = sortedDir(path.join(reference, "crds/gateway-api")).filter((f) => f.startsWith("gateway.networking.k8s.io_"));
    const crds: Json[] = [];
    for (const f of files) {
        for (const doc of parseAllDocuments(readFileSync(path.join(reference, "crds/gateway-api", f), "utf8"))) {
            if (doc.errors.length > 0) throw new Error(`${f}: ${doc.errors.map((e) => e.message).join("; ")}`);
            const crd: unknown = doc.toJS();
            if (!isRecord(crd) || crd.kind !== "CustomResourceDefinition" || !isRecord(crd.metadata)) continue;
            const annotations = isRecord(crd.metadata.annotations) ? crd.metadata.annotations : {};
            const bundle = String(annotations["gateway.networking.k8s.io/bundle-version"] ?? "");
            if (bundle !== `v${GATEWAY_API_VERSION}`) throw new Error(`${f}: bundle-version ${bundle}, expected v${GATEWAY_API_VERSION}`);
            if (annotations["gateway.networking.k8s.io/channel"] !== "standard") throw new Error(`${f}: not the standard channel`);
            if (!isRecord(crd.spec) || !Array.isArray(crd.spec.versions) || !isRecord(crd.spec.names)) throw new Error(`${f}: no spec.versions`);
            const plural = String(crd.spec.names.plural);
            // The schemas are those of crds/<plural>.<group>.json (same trimming, checked here): kept once, referenced.
            const versions = crd.spec.versions.filter(isRecord).map((v) => {
                const { schema, ...rest } = v;
                const root = isRecord(schema) ? schema.openAPIV3Schema : undefined;
                if (hashJson(withoutProse(root, false)) !== hashJson(trimCrdSchema(root))) {
                    throw new Error(`${f} ${String(v.name)}: the schema holds keywords crds/ trims; keep it whole here instead`);
                }
                return { ...(withoutProse(rest, false) as Record<string, Json>), schemaFrom: `crds/${plural}.${GATEWAY_API_GROUP}.json#${String(v.name)}` };
            });
            crds.push(withoutProse({ apiVersion: crd.apiVersion, kind: crd.kind, metadata: { name: crd.metadata.name, annotations }, spec: { ...crd.spec, versions } }, false));
        }
    }
    if (crds.length === 0) throw new Error("no Gateway API CRDs in reference/crds/gateway-api");
    return {
        source: "reference/crds/gateway-api/gateway.networking.k8s.io_*.yaml",
        upstream: "kubernetes-sigs/gateway-api (config/crd/standard)",
        version: GATEWAY_API_VERSION,
        crds,
    };
}

/** A CRD without `description` strings; inside `properties` the keys are field names (a field may be called description). */
function withoutProse(node: unknown, inProperties: boolean): Json {
    if (Array.isArray(node)) return node.map((n) => withoutProse(n, false));
    if (!isRecord(node)) return node as Json;
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(node)) {
        if (!inProperties && k === "description" && typeof v === "string") continue;
        out[k] = withoutProse(v, !inProperties && k === "properties");
    }
    return out;
}

function pluginFileName(plugin: string): string {
    return (
        plugin
            .split("-")
            .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
            .join("") + ".json"
    );
}

// ---------------------------------------------------------------------------------------

interface Written {
    file: string;
    what: string;
    source: string;
    upstream: string;
    version: string;
}

function main(argv: readonly string[]): void {
    const root = repoRoot();
    let reference = path.resolve(root, "../shared/reference");
    let outDir = path.join(root, "data");
    let fetchedDir: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--reference" && argv[i + 1]) reference = path.resolve(argv[++i]);
        else if (arg === "--out" && argv[i + 1]) outDir = path.resolve(argv[++i]);
        else if (arg === "--fetched" && argv[i + 1]) fetchedDir = path.resolve(argv[++i]);
        else throw new Error(`usage: refdata.ts [--reference DIR] [--fetched DIR] [--out DIR] (unexpected argument ${arg})`);
    }
    if (!existsSync(path.join(reference, "SOURCES.md"))) throw new Error(`${reference}: no SOURCES.md; is this the reference directory?`);
    const sourcesMd = readFileSync(path.join(reference, "SOURCES.md"), "utf8");

    // Without --fetched, the fetched charts' key trees are kept as they are.
    const keptFetched = new Map<string, string>();
    if (fetchedDir === undefined) {
        for (const chart of Object.keys(FETCHED_CHARTS)) {
            // From the repository's data/ (also when --out points elsewhere).
            const file = path.join(root, "data", "charts", `${chart}.json`);
            if (existsSync(file)) keptFetched.set(chart, readFileSync(file, "utf8"));
        }
    }
    // Regenerate from scratch so files of removed inputs disappear.
    for (const sub of ["charts", "crds", "kong-plugins", "iam", "gateway-api"]) rmSync(path.join(outDir, sub), { recursive: true, force: true });
    const written: Written[] = [];
    const write = (rel: string, content: string, meta: Omit<Written, "file">): void => {
        const file = path.join(outDir, rel);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, content);
        written.push({ file: rel, ...meta });
    };

    const charts = sortedDir(path.join(reference, "charts"));
    const chartSet = new Set(charts);
    for (const chart of charts) {
        const built = buildChart(reference, chart, sourcesMd, chartSet);
        write(`charts/${chart}.json`, stableJson(built), { what: `key tree of ${chart} values.yaml`, source: built.source, upstream: built.upstream, version: built.version });
    }
    for (const [chart, meta] of Object.entries(FETCHED_CHARTS)) {
        if (fetchedDir !== undefined) {
            const built = buildChart(fetchedDir, chart, sourcesMd, chartSet);
            write(`charts/${chart}.json`, stableJson(built), { what: `key tree of ${chart} values.yaml`, source: built.source, upstream: built.upstream, version: built.version });
        } else {
            const kept = keptFetched.get(chart);
            if (kept === undefined) throw new Error(`chart ${chart}: data/charts/${chart}.json is missing; regenerate it with --fetched DIR (see FETCHED_CHARTS)`);
            const parsed = JSON.parse(kept) as { source: string };
            write(`charts/${chart}.json`, kept, { what: `key tree of ${chart} values.yaml`, source: parsed.source, upstream: meta.upstream, version: meta.version });
        }
    }

    for (const crd of buildCrds(reference)) {
        write(`crds/${crd.plural}.${crd.group}.json`, stableJson(crd), {
            what: `CRD ${crd.kind}.${crd.group} (${Object.keys(crd.versions).join(", ")})`,
            source: crd.source,
            upstream: crd.upstream,
            version: crd.version,
        });
    }

    const gatewayApi = buildGatewayApiInstall(reference);
    write("gateway-api/standard-crds.json", stableJson(gatewayApi), {
        what: `Gateway API v${GATEWAY_API_VERSION} standard-channel CRDs, whole objects without prose (installed by GatewayApiCrds)`,
        source: gatewayApi.source,
        upstream: gatewayApi.upstream,
        version: GATEWAY_API_VERSION,
    });

    if (!sourcesMd.includes(`kong-plugin-schemas/${KONG_PLUGIN_VERSION}`)) throw new Error(`reference/SOURCES.md does not list kong-plugin-schemas/${KONG_PLUGIN_VERSION}`);
    for (const plugin of KONG_PLUGINS) {
        const rel = `kong-plugin-schemas/${KONG_PLUGIN_VERSION}/${pluginFileName(plugin)}`;
        const schema = trimKongSchema(readJson(path.join(reference, rel)));
        const body = {
            source: `reference/${rel}`,
            upstream: "Kong developer documentation, plugin configuration schemas",
            plugin,
            kongVersion: KONG_PLUGIN_VERSION,
            schema,
            ...(KONG_AUTO_FIELDS[plugin] ? { autoGeneratedFields: KONG_AUTO_FIELDS[plugin] } : {}),
        };
        write(`kong-plugins/${KONG_PLUGIN_VERSION}/${plugin}.json`, stableJson(body), {
            what: `Kong ${KONG_PLUGIN_VERSION} ${plugin} plugin schema`,
            source: body.source,
            upstream: body.upstream,
            version: `Kong Gateway ${KONG_PLUGIN_VERSION}`,
        });
    }

    for (const f of kongDerivedFiles()) write(f.file, f.content, f.meta);

    const policy = readJson(path.join(reference, IAM_FILE));
    const iam = { source: `reference/${IAM_FILE}`, upstream: "kubernetes-sigs/aws-load-balancer-controller (docs/install/iam_policy.json)", version: IAM_VERSION, policy };
    write("iam/aws-load-balancer-controller.json", stableJson(iam), {
        what: "AWS Load Balancer Controller IAM policy, whole",
        source: iam.source,
        upstream: iam.upstream,
        version: IAM_VERSION,
    });

    writeFileSync(path.join(outDir, "SOURCES.md"), sourcesTable(written));
    writeFileSync(path.join(outDir, DIGESTS_FILE), digestList(outDir, [...written.map((w) => w.file), "SOURCES.md"]));
    process.stdout.write(`refdata: wrote ${written.length + 2} files to ${path.relative(process.cwd(), outDir) || "."}\n`);
}

/** The file in data/ that records every other file's SHA-256, in `sha256sum` format (`cd data && sha256sum -c SHA256SUMS`). */
export const DIGESTS_FILE = "SHA256SUMS";

/** `<sha256>  <file>` lines, sorted by file, for the given files under `dir`. */
export function digestList(dir: string, files: readonly string[]): string {
    return [...files]
        .sort()
        .map(
            (f) =>
                `${createHash("sha256")
                    .update(readFileSync(path.join(dir, f)))
                    .digest("hex")}  ${f}\n`,
        )
        .join("");
}

/**
 * The two data files derived by hand from Kong's Lua sources (tools/refdata/kong-derived.ts),
 * what the published schemas lack. They need no reference directory, so tests regenerate them
 * from the repository alone.
 */
export function kongDerivedFiles(): { file: string; content: string; meta: Omit<Written, "file"> }[] {
    const derived = `${KONG_DERIVED_SOURCE.upstream} at tag ${KONG_DERIVED_SOURCE.tag} (same in ${KONG_DERIVED_SOURCE.sameIn.join(", ")})`;
    const transformer = {
        source: "tools/refdata/kong-derived.ts (REQUEST_TRANSFORMER_SCHEMA)",
        upstream: `Kong/kong kong/plugins/request-transformer/schema.lua at tag ${KONG_DERIVED_SOURCE.tag}, derived`,
        plugin: "request-transformer",
        kongVersion: KONG_PLUGIN_VERSION,
        schema: REQUEST_TRANSFORMER_SCHEMA,
    };
    const entityChecks = { source: "tools/refdata/kong-derived.ts (KONG_ENTITY_CHECKS)", upstream: derived, kongVersion: KONG_PLUGIN_VERSION, plugins: KONG_ENTITY_CHECKS };
    return [
        {
            file: `kong-plugins/${KONG_PLUGIN_VERSION}/request-transformer.json`,
            content: stableJson(transformer),
            meta: {
                what: `Kong ${KONG_PLUGIN_VERSION} request-transformer plugin schema (derived from the Lua schema)`,
                source: transformer.source,
                upstream: transformer.upstream,
                version: `Kong ${KONG_DERIVED_SOURCE.tag}`,
            },
        },
        {
            file: `kong-plugins/${KONG_PLUGIN_VERSION}/entity-checks.json`,
            content: stableJson(entityChecks),
            meta: {
                what: `Kong ${KONG_PLUGIN_VERSION} plugin entity checks and modelled custom validators, per plugin`,
                source: entityChecks.source,
                upstream: derived,
                version: `Kong ${KONG_DERIVED_SOURCE.tag}`,
            },
        },
    ];
}

function sourcesTable(written: readonly Written[]): string {
    const rows = [...written].sort((a, b) => a.file.localeCompare(b.file)).map((w) => `| \`${w.file}\` | ${w.what} | ${w.upstream} | ${w.version} | \`${w.source}\` |`);
    return [
        "# data/: meshgate's trimmed slice of upstream reference data",
        "",
        "Generated by `tools/refdata.ts`; do not edit by hand. Regenerate with",
        "",
        "    npm run refdata                # reads ../shared/reference",
        "    npm run refdata -- --reference DIR",
        "    npm run refdata -- --fetched DIR  # also re-derives the charts fetched from upstream",
        "",
        "metrics-server and cluster-autoscaler are not in ../shared/reference: their key trees are",
        "derived from the chart's values.yaml at the upstream tag the table names (the `read from`",
        "column: `git -C <clone> show <tag>:<path>/values.yaml` and `Chart.yaml` into",
        "`DIR/charts/<chart>/`). Only the derived key tree is kept here, never the upstream file.",
        "",
        "The output is deterministic: re-running on the same reference leaves no diff.",
        "The validators in `policies/validate/` read only these files (never ../shared).",
        "`SHA256SUMS` records every file's SHA-256 (`cd data && sha256sum -c SHA256SUMS`); the tests",
        "check it without ../shared and, when ../shared/reference is present, regenerate data/ and compare.",
        "",
        "## What is kept, what is dropped",
        "",
        "- `charts/<chart>.json`: `{source, chart, version, keys, ...}`. `version` is the real chart",
        "  version (Istio's Chart.yaml says 1.0.0 and kiali-server's 0.0.0; `chartYamlVersion` keeps",
        "  what Chart.yaml says). `keys` is a tree of the keys present in values.yaml: a nested object",
        '  for maps with keys, `"open"` for free-form maps (default `{}` or null, Kubernetes',
        "  pass-through objects such as resources, affinity, podAnnotations, env; see",
        '  FREE_FORM_KEY_NAMES / FREE_FORM_PATHS in tools/refdata.ts), `"list"` and `"scalar"`.',
        "  `commentedKeys` lists the names of `# name: …` lines (keys a chart documents only in",
        "  comments, e.g. grafana `adminPassword`; some prose words too): `helm-values-known-keys`",
        "  accepts an unknown key of such a name.",
        "  Istio charts: keys under `_internal_defaults_do_not_set` are lifted to the top level.",
        "  istiod: `meshConfig` adds the fields of MeshConfig (istio/api v1.30.3). istio-gateway: union",
        "  with its values.schema.json. Subcharts are listed under `subcharts`.",
        "  Commented-out keys are NOT captured: telling a commented-out key from prose is not reliable.",
        "  jaeger: only values.yaml (chart 4.x, Jaeger v2), not the legacy 3.4.1 file.",
        "- `crds/<plural>.<group>.json`: per served version the `openAPIV3Schema` with every",
        "  structural and validating keyword, `x-kubernetes-*` extensions and the CEL rules",
        "  (`x-kubernetes-validations`), without `description` and other prose. A version whose schema",
        "  is identical to an earlier one records `sameSchemaAs` instead of a copy.",
        "- `gateway-api/standard-crds.json`: the Gateway API standard-channel CRDs as whole objects",
        "  (names, versions, subresources, printer columns, bundle annotations) without `description`",
        "  prose: what `GatewayApiCrds` installs before Kong. Each version's `openAPIV3Schema` is",
        "  referenced (`schemaFrom`) from `crds/<plural>.<group>.json`, whose trimming keeps every",
        "  keyword these schemas have (refdata checks it), so the installed schema is the upstream one.",
        "- `kong-plugins/3.9/<plugin>.json`: the plugin's JSON schema without descriptions and without",
        "  Kong's empty `required: []`; `shorthand_fields` (accepted deprecated aliases) are kept.",
        "  `autoGeneratedFields` (meshgate's addition) lists required fields Kong generates when absent.",
        "  The upstream schemas do not say `additionalProperties: false`; the validator rejects unknown",
        "  fields anyway, as Kong does.",
        "- `kong-plugins/3.9/entity-checks.json`: per plugin, Kong's `entity_checks` (conditional,",
        "  at_least_one_of, only_one_of, ...) and the Lua `custom_validator`s meshgate models, with the",
        "  deprecated shorthand fields they rewrite; written by hand in tools/refdata/kong-derived.ts",
        "  from Kong/kong's `kong/plugins/<plugin>/schema.lua` at tag 3.9.3 (identical in 3.9.0-3.9.3).",
        "  `request-transformer.json` is derived the same way (the reference publishes no schema for it).",
        "- `iam/aws-load-balancer-controller.json`: the official policy document, whole.",
        "",
        "## Files",
        "",
        "| file | what | upstream | version | read from |",
        "|---|---|---|---|---|",
        ...rows,
        "",
    ].join("\n");
}

if (require.main === module) {
    try {
        main(process.argv.slice(2));
    } catch (err) {
        process.stderr.write(`refdata: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
    }
}
