/**
 * Small dependency-free helpers shared by the policy pack, the components and the tools.
 * The pack (its own PulumiPolicy.yaml/package.json) must not depend on components/, and
 * policies/validate/ must compile on its own (test/validate/data.test.ts builds it with
 * rootDir policies/validate), so the shared definitions live here; components/util.ts re-exports them.
 */

/**
 * Label (on namespaces) and AWS tag (on cluster resources) naming the meshgate environment
 * (dev, staging, prod); the pack's prod-only rules key on it.
 */
export const ENVIRONMENT_LABEL = "meshgate.io/environment";

/** `v` is a plain object (not null, not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Levenshtein distance between `a` and `b` (case-sensitive; lower-case both for a case-insensitive one). */
export function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const cur = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
            prev = cur;
        }
    }
    return row[b.length];
}

/**
 * An exact Helm chart version (SemVer 2, optionally `v`-prefixed as Helm's semver parsing
 * accepts), not a range. The pack's helm-chart-version-pinned rule and the stack schema's
 * `charts.*.version` both use this one definition.
 */
export const EXACT_CHART_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/**
 * A Prometheus duration (`model.ParseDuration`): units in decreasing order, each at most once,
 * as the prometheus-operator CRDs of kube-prometheus-stack 88.5.3 check it
 * (monitoring.coreos.com/v1 `Duration`: `^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$`),
 * without the bare "0". The stack schema (retention, scrape interval) and the pack's
 * prometheus-duration-format rule both use this one definition.
 */
export const PROMETHEUS_DURATION = /^(?=\d)(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/;
