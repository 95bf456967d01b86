// Helm rules: reproducible chart versions, trusted transport, no credentials in release values.
// They judge `kubernetes:helm.sh/v3:Release` (and the v4 `Chart` component, which takes the same
// chart/version/repositoryOpts/values inputs).
import * as k8s from "@pulumi/kubernetes";
import { EnforcementLevel, ResourceValidation, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { TEMPLATE_READ_KEYS, checkValueKeys, chartKeys, knownCharts } from "../validate/chart-values";
import { EXACT_CHART_VERSION } from "../validate/util";
import { SECRET_PLACEHOLDER, T, UNKNOWN_PLACEHOLDER, chartName, get, hasUnknown, isObj, schema, str, tunables, validateTypes } from "./common";

/** Both Helm resource kinds, with the same callback over their props. */
function helmValidations(fn: (props: Record<string, unknown>, report: (m: string) => void, args: Parameters<ResourceValidation>[0]) => void): ResourceValidation[] {
    return [
        validateResourceOfType(k8s.helm.v3.Release, (props, args, report) => fn(props as Record<string, unknown>, (m) => report(m), args)),
        validateTypes([T.helmChart], (args, report) => fn(args.props, (m) => report(m), args)),
    ];
}

function isLocalChart(chart: string): boolean {
    return chart.startsWith("./") || chart.startsWith("../") || chart.startsWith("/") || chart.startsWith("file://");
}

/** Chart versions that float: unset, a range, `latest`. */
export function helmChartVersionPinned(level: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return {
        name: "helm-chart-version-pinned",
        description: "Helm releases must pin an exact chart version.",
        enforcementLevel: level,
        validateResource: helmValidations((props, report, args) => {
            const chart = str(props.chart) ?? "";
            if (isLocalChart(chart) || /\.tgz$/.test(chart)) {
                args.notApplicable("local or archived chart: the files pin the version");
            }
            if (hasUnknown(props.version)) {
                args.notApplicable("version unknown before deployment");
            }
            const version = str(props.version)?.trim();
            if (!version) {
                report(`chart "${chart}" has no version; Helm installs whatever is newest. Pin an exact version.`);
            } else if (!EXACT_CHART_VERSION.test(version)) {
                report(`chart "${chart}" version "${version}" is a range, not an exact version; pin one (e.g. "1.2.3").`);
            }
        }),
    };
}

/** Repositories (or chart URLs) fetched over plain HTTP. */
export function helmRepositoryHttps(level: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return {
        name: "helm-repository-https",
        description: "Helm charts must come from HTTPS or OCI repositories, never plain HTTP.",
        enforcementLevel: level,
        validateResource: helmValidations((props, report) => {
            const repo = str(get(props, "repositoryOpts", "repo"));
            if (repo !== undefined && /^http:\/\//i.test(repo.trim())) {
                report(`repositoryOpts.repo ${repo} is plain HTTP; use https:// (or oci://).`);
            }
            const chart = str(props.chart);
            if (chart !== undefined && /^http:\/\//i.test(chart.trim())) {
                report(`chart URL ${chart} is plain HTTP; use https:// (or oci://).`);
            }
        }),
    };
}

/** Matched against the key in snake_case (`adminPassword` → `admin_password`). */
export const DEFAULT_SENSITIVE_KEY = "(^|_)(password|passwd|pass|secret|token|api_?key|private_key|access_key|secret_key|client_secret|credentials?)$";

/** `adminPassword`, `admin-password`, `ADMIN_PASSWORD` → `admin_password`. */
export function snakeKey(key: string): string {
    return key
        .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
        .toLowerCase()
        .replace(/[-.\s]/g, "_");
}

/** Path and key of each literal secret-looking value in Helm values. */
export function plaintextSecrets(values: unknown, sensitive: RegExp, allowedKeys: ReadonlySet<string>): string[] {
    const found: string[] = [];
    const walk = (v: unknown, path: string): void => {
        if (Array.isArray(v)) {
            v.forEach((item, i) => walk(item, `${path}[${i}]`));
            return;
        }
        if (!isObj(v)) {
            return;
        }
        for (const [key, child] of Object.entries(v)) {
            const p = path ? `${path}.${key}` : key;
            if (typeof child === "string") {
                if (isLiteralSecret(key, child, sensitive, allowedKeys)) {
                    found.push(p);
                }
            } else {
                walk(child, p);
            }
        }
    };
    walk(values, "");
    return found;
}

/** A Kubernetes object name (DNS-1123 subdomain) with at least one separator, as Secret names are. */
const SECRET_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function isLiteralSecret(key: string, value: string, sensitive: RegExp, allowedKeys: ReadonlySet<string>): boolean {
    const v = value.trim();
    if (v === "" || v === SECRET_PLACEHOLDER || v === UNKNOWN_PLACEHOLDER || allowedKeys.has(key)) {
        return false;
    }
    // A key that names where the secret lives, not the secret itself.
    if (/^existing/i.test(key) || /(name|ref|file|path)$/i.test(key)) {
        return false;
    }
    const snake = snakeKey(key);
    if (!sensitive.test(snake)) {
        return false;
    }
    // `license_secret: kong-enterprise-license`, `session_conf_secret: kong-session-config` (kong
    // chart values.yaml): a `<what>_secret` key holding a Kubernetes object name names the Secret
    // that holds the value. A client secret is a credential whatever it looks like.
    if (/^.+_secret$/.test(snake) && !/client_secret$/.test(snake) && SECRET_NAME.test(v)) {
        return false;
    }
    // References resolved at runtime: env expansion, Kong vault references, Helm templating.
    if (/^\$\{?[A-Za-z_]/.test(v) || /^\{vault:\/\//.test(v) || v.includes("{{")) {
        return false;
    }
    return !/^(true|false)$/i.test(v);
}

/** Credentials written into release values, where `helm get values` and the state file show them. */
export function helmValuesNoPlaintextSecrets(level: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    const defaults = { sensitiveKeyPattern: DEFAULT_SENSITIVE_KEY, allowedKeys: [] as string[] };
    return {
        name: "helm-values-no-plaintext-secrets",
        description: "Helm release values must not carry literal passwords, tokens or keys.",
        enforcementLevel: level,
        configSchema: {
            properties: {
                sensitiveKeyPattern: schema.string(
                    "Case-insensitive regular expression, matched against each key in snake_case, for keys whose string values are secrets.",
                    defaults.sensitiveKeyPattern,
                ),
                allowedKeys: schema.strings("Keys never reported (exact key names).", defaults.allowedKeys),
            },
        },
        validateResource: helmValidations((props, report, args) => {
            const c = tunables(defaults, args);
            const paths = plaintextSecrets(props.values, new RegExp(c.sensitiveKeyPattern, "i"), new Set(c.allowedKeys));
            if (paths.length > 0) {
                report(
                    `${paths.length > 1 ? "values" : "value"} ${paths.join(", ")} ${paths.length > 1 ? "hold" : "holds"} literal credentials; put them in a Kubernetes Secret and reference it (existingSecret, secretKeyRef).`,
                );
            }
        }),
    };
}

/** Istio publishes `base` and `gateway`; data/charts names them istio-base and istio-gateway. */
const ISTIO_CHARTS: Readonly<Record<string, string>> = { base: "istio-base", gateway: "istio-gateway" };

/**
 * The data/charts key tree a release is checked against, or why it is not: the chart must be one
 * meshgate holds and the release must pin the version the tree was made from (another version
 * may have other keys).
 */
export function chartTreeFor(props: Record<string, unknown>): { chart: string } | { skip: string } {
    const name = chartName(props);
    const repo = `${str(get(props, "repositoryOpts", "repo")) ?? ""} ${str(props.chart) ?? ""}`;
    const chart = ISTIO_CHARTS[name] !== undefined && /istio/i.test(repo) ? ISTIO_CHARTS[name] : name;
    if (!knownCharts().includes(chart)) {
        return { skip: `no key tree for chart ${name}` };
    }
    const version = str(props.version)?.replace(/^v/, "");
    const pinned = chartKeys(chart).version;
    if (version !== pinned) {
        return { skip: `chart ${chart} ${version ?? "(unpinned)"}: keys known for ${pinned} only` };
    }
    return { chart };
}

/** Value keys the chart does not have: Helm ignores them silently (no chart but istio/gateway has a values schema). */
export function helmValuesKnownKeys(level: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    const defaults = { allow: [] as string[] };
    return {
        name: "helm-values-known-keys",
        description: "Helm release values must only set keys the pinned chart's values.yaml defines or documents in comments (for the charts in data/charts).",
        enforcementLevel: level,
        configSchema: {
            properties: {
                allow: schema.strings("Dotted value paths accepted besides the chart's keys (keys a template reads that values.yaml only mentions in comments).", defaults.allow),
            },
        },
        validateResource: helmValidations((props, report, args) => {
            const c = tunables(defaults, args);
            const tree = chartTreeFor(props);
            if ("skip" in tree) {
                return args.notApplicable(tree.skip);
            }
            if (!isObj(props.values)) {
                return;
            }
            for (const p of checkValueKeys(tree.chart, props.values, { allow: [...c.allow, ...(TEMPLATE_READ_KEYS[tree.chart] ?? [])], acceptCommented: true })) {
                report(`values.${p.message}; Helm ignores it.`);
            }
        }),
    };
}

export const helmRules = [helmChartVersionPinned, helmRepositoryHttps, helmValuesNoPlaintextSecrets, helmValuesKnownKeys];
