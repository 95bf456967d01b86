import type { Violation } from "./outputs";

/** Prints the counts and the first `limit` violations, mandatory first (0: counts only); returns the number of mandatory ones. */
export function printViolations(violations: readonly Violation[], label: (urn: string) => string, limit = 50): number {
    const mandatory = violations.filter((v) => v.level === "mandatory");
    const advisory = violations.filter((v) => v.level !== "mandatory");
    console.log(`policy pack: ${mandatory.length} mandatory, ${advisory.length} advisory violation${advisory.length === 1 ? "" : "s"}`);
    for (const v of [...mandatory, ...advisory].slice(0, limit)) {
        console.log(`  [${v.level}] ${v.policy}: ${label(v.urn)}: ${v.message}`);
    }
    if (limit > 0 && violations.length > limit) {
        console.log(`  … and ${violations.length - limit} more in policy-report.json`);
    }
    return mandatory.length;
}
