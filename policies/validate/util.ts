/**
 * Small dependency-free helpers shared by the policy pack, the components and the tools.
 * The pack (its own PulumiPolicy.yaml/package.json) must not depend on components/, and
 * policies/validate/ must compile on its own (test/validate/data.test.ts builds it with
 * rootDir policies/validate), so the shared definitions live here; components/util.ts re-exports them.
 */

/** `v` is a plain object (not null, not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}
