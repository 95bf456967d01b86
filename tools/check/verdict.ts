/**
 * What `check` says about each object: failed, warned, remediable, validated and clean, judged but
 * without a schema to validate it against ("not validated", never "ok"), or not judged at all.
 */
import type { Policy, Violation } from "../../policies/engine";
import { typedResourceTypes } from "../../policies/engine";
import type { ManifestResource } from "../../policies/manifests";
import { ANALYZED_TYPES } from "../../policies/rules/analyze";
import { T } from "../../policies/rules/common";
import { chartTreeFor } from "../../policies/rules/helm";
import { GRPC_ROUTE_TYPES } from "../../policies/rules/kong-gateway-api";
import { crdTypes } from "../../policies/rules/schema";

export type Verdict = "FAIL" | "warn" | "fix" | "ok" | "n/v" | "skip";

/** How the summary counts each verdict. */
export const SUMMARY: Readonly<Record<Verdict, string>> = {
    FAIL: "failed",
    warn: "with warnings",
    fix: "remediable",
    ok: "ok",
    "n/v": "not validated (no schema)",
    skip: "not judged (no rule for the kind)",
};

export const LEGEND: Readonly<Record<Verdict, string>> = {
    FAIL: "failed: a mandatory violation",
    warn: "advisory violations only",
    fix: "a remediate rule would change it",
    ok: "validated against its schema and judged clean",
    "n/v": "not validated: judged by the rules, but meshgate has no schema for the kind",
    skip: "not judged: no rule reads the kind",
};

/** Types some rule reads: typed validations, the types stack rules index, CRD kinds. */
export function judgedTypes(policies?: readonly Policy[]): Set<string> {
    const out = typedResourceTypes(policies);
    for (const v of Object.values(T)) {
        (typeof v === "string" ? [v] : v).forEach((t) => out.add(t));
    }
    [...ANALYZED_TYPES, ...GRPC_ROUTE_TYPES, ...crdTypes()].forEach((t) => out.add(t));
    for (const v of ["v1", "v1beta1", "v1alpha2"]) {
        out.add(`kubernetes:gateway.networking.k8s.io/${v}:ReferenceGrant`);
    }
    return out;
}

let schemaTypes: Set<string> | undefined;

/** Whether meshgate validates the object against an upstream schema (CRD, chart value keys). */
export function hasSchema(r: ManifestResource): boolean {
    schemaTypes ??= new Set(crdTypes());
    if (schemaTypes.has(r.type)) {
        return true;
    }
    if (r.type === T.helmRelease) {
        return "chart" in chartTreeFor(r.props);
    }
    return false;
}

export function verdictOf(r: ManifestResource, found: readonly Violation[], judged: ReadonlySet<string>): Verdict {
    if (found.some((v) => v.level === "mandatory")) {
        return "FAIL";
    }
    if (found.some((v) => v.level === "remediate")) {
        return "fix";
    }
    if (found.length > 0) {
        return "warn";
    }
    if (hasSchema(r)) {
        return "ok";
    }
    return judged.has(r.type) ? "n/v" : "skip";
}
