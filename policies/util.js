"use strict";
/**
 * Small dependency-free helpers shared by the policy pack, the components and the tools.
 * The pack (its own PulumiPolicy.yaml/package.json) must not depend on components/, so the
 * shared definitions live here and components/util.ts re-exports them.
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.isRecord = isRecord;
/** `v` is a plain object (not null, not an array). */
function isRecord(v) {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}
