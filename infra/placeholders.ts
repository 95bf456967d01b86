/**
 * The stacks under stacks/ are examples: their account IDs, role ARNs and CIDRs are the ones
 * AWS and the IETF reserve for documentation. Deployed as they are, they do harm quietly: an
 * access entry for a role in account 123456789012 fails after the cluster exists, and an API
 * endpoint open only to 198.51.100.0/24 (TEST-NET-2) locks the operator, and Pulumi itself, out
 * of the cluster it just created (every Helm release then times out). So the program warns in a
 * preview or an offline plan and refuses a real deployment (`pulumi up` after its preview)
 * before creating anything.
 */

import { placeholderFinding } from "../policies/validate/placeholders";

// The lists are the policy pack's (rule aws-placeholder-values), written once.
export { DOCUMENTATION_CIDRS, inDocumentationRange, PLACEHOLDER_ACCOUNT_IDS } from "../policies/validate/placeholders";

/**
 * Every placeholder in a stack's config (the `config:` block, `meshgate:*` and `aws:*` keys),
 * as `<key path>: <value> is ...`; empty when there is none. Pure.
 */
export function placeholderIssues(config: Readonly<Record<string, unknown>>): string[] {
    const issues: string[] = [];
    const walk = (value: unknown, at: string): void => {
        if (typeof value === "string") {
            const found = placeholderFinding(value);
            if (found !== undefined) {
                issues.push(`${at}: ${found.reason}; ${found.kind === "account" ? "use your account's ARN" : "use your operators' or clients' CIDRs"}`);
            }
        } else if (Array.isArray(value)) {
            value.forEach((v, i) => walk(v, `${at}[${i}]`));
        } else if (typeof value === "object" && value !== null) {
            for (const [k, v] of Object.entries(value)) {
                walk(v, at === "" ? k : `${at}.${k}`);
            }
        }
    };
    walk(config, "");
    return issues;
}
