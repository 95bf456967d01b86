/**
 * Helm helpers shared by meshgate's components: values merging with Helm's
 * semantics, and releases built from plain specs.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { definedOnly } from "./util";

/** Helm values: a YAML map. Leaves may be Pulumi inputs (a Secret's name, a PVC's name). */
export type HelmValues = { [key: string]: unknown };

export function isPlainObject(v: unknown): v is Record<string, unknown> {
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
        return false;
    }
    const proto: unknown = Object.getPrototypeOf(v);
    return proto === Object.prototype || proto === null;
}

/**
 * Deep-merges `overrides` into `base` the way Helm merges values files: maps merge key by
 * key, everything else (lists, scalars, Pulumi outputs) is replaced; `undefined` leaves the
 * base value, `null` replaces it (Helm's way to unset a default). Neither input is modified.
 */
export function deepMerge(base: HelmValues, ...overrides: (HelmValues | undefined)[]): HelmValues {
    let out: HelmValues = { ...base };
    for (const o of overrides) {
        if (o === undefined) {
            continue;
        }
        const next: HelmValues = { ...out };
        for (const [key, value] of Object.entries(o)) {
            if (value === undefined) {
                continue;
            }
            const prev = next[key];
            next[key] = isPlainObject(prev) && isPlainObject(value) ? deepMerge(prev, value) : value;
        }
        out = next;
    }
    return out;
}

/** A Helm release as plain data: what a component installs, before it is a resource. */
export interface ReleaseSpec {
    /** Release name (fixed: other components rely on it). */
    readonly name: string;
    readonly chart: string;
    readonly version: string;
    readonly repository: string;
    readonly namespace: string;
    readonly values: HelmValues;
}

/** How Helm installs a release, where a component sets more than the chart and its values. */
export interface ReleaseSettings {
    /** Seconds Helm waits for the release's resources. @default the provider's (300) */
    readonly timeout?: number;
    /** Roll the release back when it fails. @default the provider's (false) */
    readonly atomic?: boolean;
    /** Do not wait for the release's resources to be ready. @default the provider's (false) */
    readonly skipAwait?: boolean;
    /** Let Helm create the namespace. @default the provider's (false) */
    readonly createNamespace?: boolean;
}

/**
 * How a Helm Release names a chart: from an HTTPS repository by name and `repositoryOpts`;
 * from an OCI registry by its full `oci://…/<chart>` reference, without a repository.
 */
export function releaseChartSource(chart: string, repository: string): { chart: string; repositoryOpts?: { repo: string } } {
    return repository.startsWith("oci://") ? { chart: `${repository.replace(/\/+$/, "")}/${chart}` } : { chart, repositoryOpts: { repo: repository } };
}

/**
 * Creates the `helm.v3.Release` for a spec, in `namespace` (an output, so the release waits
 * for the Namespace). Only the settings given are set; the others keep the provider's defaults.
 */
export function helmRelease(
    resourceName: string,
    spec: ReleaseSpec,
    namespace: pulumi.Input<string>,
    opts: pulumi.CustomResourceOptions,
    settings: ReleaseSettings = {},
): k8s.helm.v3.Release {
    return new k8s.helm.v3.Release(
        resourceName,
        {
            name: spec.name,
            ...releaseChartSource(spec.chart, spec.repository),
            version: spec.version,
            namespace,
            values: spec.values,
            ...definedOnly(settings),
        },
        opts,
    );
}
