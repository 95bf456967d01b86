/**
 * What a Platform takes besides the stack declaration: Helm values per release, AWS tags and
 * chart versions, so that a consumer reaches what the components support without composing
 * them by hand. Checked with the declaration, every problem in one ConfigError.
 */
import { z } from "zod";
import { checkValueKeys, chartKeys, TEMPLATE_READ_KEYS } from "../../policies/validate/chart-values";
import { EXACT_CHART_VERSION } from "../../policies/validate/util";
import { argIssues } from "../config/args";
import type { ConfigIssue } from "../config/cross-checks";
import { exactChartVersion } from "../config/pieces";
import type { HelmValues } from "../helm";
import { observabilityArgsSchema } from "../observability/args";
import { CHART_DEFAULTS, type ChartName } from "../versions";

/** Chart values per release, deep-merged over meshgate's (yours win). */
export interface PlatformHelmValues {
    /** istio/base. @default {} */
    readonly istioBase?: HelmValues;
    /** istio/istiod. @default {} */
    readonly istiod?: HelmValues;
    /** istio/gateway (with `mesh.ingressGateway`). @default {} */
    readonly istioGateway?: HelmValues;
    /** kong/kong. @default {} */
    readonly kong?: HelmValues;
    /** kube-prometheus-stack (without `nameOverride`/`fullnameOverride`: the outputs and Kiali address its Services by name). @default {} */
    readonly kubePrometheusStack?: HelmValues;
    /** jaegertracing/jaeger (without `nameOverride`/`fullnameOverride`: Istio and Kong send spans to its Service by name). @default {} */
    readonly jaeger?: HelmValues;
    /** kiali-server (with `observability.kiali.enabled`). @default {} */
    readonly kiali?: HelmValues;
    /** metrics-server. @default {} */
    readonly metricsServer?: HelmValues;
    /** eks/aws-load-balancer-controller (EKS stacks). @default {} */
    readonly awsLoadBalancerController?: HelmValues;
    /** cluster-autoscaler (EKS stacks). @default {} */
    readonly clusterAutoscaler?: HelmValues;
}

/** The chart (data/charts name) of each release a Platform installs. */
export const PLATFORM_RELEASE_CHARTS: { readonly [K in keyof PlatformHelmValues]-?: { chart: string; version: ChartName } } = {
    istioBase: { chart: "istio-base", version: "istio" },
    istiod: { chart: "istiod", version: "istio" },
    istioGateway: { chart: "istio-gateway", version: "istio" },
    kong: { chart: "kong", version: "kong" },
    kubePrometheusStack: { chart: "kube-prometheus-stack", version: "kubePrometheusStack" },
    jaeger: { chart: "jaeger", version: "jaeger" },
    kiali: { chart: "kiali-server", version: "kiali" },
    metricsServer: { chart: "metrics-server", version: "metricsServer" },
    awsLoadBalancerController: { chart: "aws-load-balancer-controller", version: "awsLoadBalancerController" },
    clusterAutoscaler: { chart: "cluster-autoscaler", version: "clusterAutoscaler" },
};

/** What a Platform takes besides the stack declaration. */
export interface PlatformOptions {
    /**
     * Chart values per release, deep-merged over meshgate's (yours win). Every key must exist in
     * the pinned chart's values.yaml (the check of the pack's helm-values-known-keys rule): Helm
     * ignores a misspelt key silently. With a `versions` override the chart's keys are not known
     * and not checked.
     * @default {}
     */
    readonly helmValues?: PlatformHelmValues;
    /** AWS tags on every AWS resource meshgate creates (EKS stacks), besides `meshgate:environment`, which meshgate sets. @default {} */
    readonly tags?: Readonly<Record<string, string>>;
    /**
     * Chart versions instead of the pinned ones (`istio` serves base, istiod and gateway), the same
     * as `charts.<name>.version`. At your own risk: meshgate's values are written and tested for
     * the pinned versions (components/versions.ts).
     * @default the pinned versions
     */
    readonly versions?: Partial<Record<ChartName, string>>;
}

/** AWS tag rules (IAM/EC2 tagging: key 1–128 characters, value up to 256, the `aws:` prefix reserved). */
const tagsSchema = z.record(z.string(), z.string({ error: "must be a string" })).superRefine((tags, ctx) => {
    for (const [key, value] of Object.entries(tags)) {
        if (key === "" || key.length > 128) ctx.addIssue({ code: "custom", path: [key], input: key, message: "an AWS tag key must have 1 to 128 characters" });
        if (key.toLowerCase().startsWith("aws:")) ctx.addIssue({ code: "custom", path: [key], input: key, message: 'an AWS tag key must not start with "aws:" (reserved by AWS)' });
        if (value.length > 256) ctx.addIssue({ code: "custom", path: [key], input: value, message: "an AWS tag value must have at most 256 characters" });
    }
});

const optionsSchema = z.strictObject({
    helmValues: z.strictObject(Object.fromEntries(Object.keys(PLATFORM_RELEASE_CHARTS).map((k) => [k, z.record(z.string(), z.unknown()).optional()]))).optional(),
    tags: tagsSchema.optional(),
    versions: z.strictObject(Object.fromEntries(Object.keys(CHART_DEFAULTS).map((k) => [k, exactChartVersion.optional()]))).optional(),
});

/** Every problem with `opts`, as config issues (`helmValues.kong.proxy.typo: ...`). */
export function platformOptionIssues(opts: PlatformOptions): ConfigIssue[] {
    const shape = argIssues(optionsSchema, opts);
    if (shape.length > 0) {
        return shape;
    }
    const issues: ConfigIssue[] = [];
    const hv = opts.helmValues ?? {};
    for (const [key, values] of Object.entries(hv) as [keyof PlatformHelmValues, HelmValues | undefined][]) {
        const { chart, version } = PLATFORM_RELEASE_CHARTS[key];
        if (values === undefined || (opts.versions?.[version] !== undefined && opts.versions[version] !== chartKeys(chart).version)) {
            continue;
        }
        for (const p of checkValueKeys(chart, values, { allow: [...(TEMPLATE_READ_KEYS[chart] ?? [])], acceptCommented: true })) {
            issues.push({ path: `helmValues.${key}.${p.path}`, message: `${p.message.slice(p.path.length + 2)}; Helm would ignore it` });
        }
    }
    // The Observability component's own rules on its values (Services other components address by name).
    for (const i of argIssues(observabilityArgsSchema, { values: { jaeger: hv.jaeger, kubePrometheusStack: hv.kubePrometheusStack } })) {
        issues.push({ path: `helm${i.path[0].toUpperCase()}${i.path.slice(1)}`, message: i.message });
    }
    return issues;
}

/** `charts` with the `versions` overrides applied (a version there wins over `charts.<name>.version`). */
export function withVersions(charts: unknown, versions: PlatformOptions["versions"]): unknown {
    if (versions === undefined || Object.keys(versions).length === 0) {
        return charts;
    }
    const base = typeof charts === "object" && charts !== null && !Array.isArray(charts) ? (charts as Record<string, unknown>) : {};
    const out: Record<string, unknown> = { ...base };
    for (const [name, version] of Object.entries(versions)) {
        // An invalid version is reported at versions.<name> (platformOptionIssues), not again at charts.
        if (version === undefined || !EXACT_CHART_VERSION.test(version)) continue;
        const current = out[name];
        out[name] = { ...(typeof current === "object" && current !== null ? current : {}), version };
    }
    return out;
}
