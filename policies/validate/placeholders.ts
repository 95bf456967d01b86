/**
 * Example values of documentation: the account IDs AWS uses in its examples and the IPv4
 * ranges RFC 5737 reserves for documentation. Both the policy pack (rule
 * aws-placeholder-values) and the infra program (which refuses `pulumi up` on a stack that
 * still carries them, infra/placeholders.ts) recognise them through this module, so the
 * lists are written once. Dependency-free: policies/ compiles on its own.
 */

/** Account IDs used in AWS documentation examples; no real account has them. */
export const PLACEHOLDER_ACCOUNT_IDS: readonly string[] = ["123456789012", "111122223333", "444455556666", "999999999999", "000000000000"];

/** RFC 5737 documentation ranges (TEST-NET-1/2/3): never routed on the internet. */
export const DOCUMENTATION_CIDRS: readonly string[] = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"];

const ARN_ACCOUNT = /^arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:(\d{12}):/;

/** Is this IPv4 CIDR (or address with a prefix of 24 or more) inside one of the documentation ranges? */
export function inDocumentationRange(cidr: string): boolean {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}\/(\d{1,2})$/.exec(cidr);
    if (m === null || Number(m[4]) < 24) {
        return false;
    }
    return DOCUMENTATION_CIDRS.includes(`${m[1]}.${m[2]}.${m[3]}.0/24`);
}

/** What makes a string an example value: an ARN in a documentation account, or a documentation CIDR. */
export type PlaceholderFinding = { readonly kind: "account"; readonly account: string; readonly reason: string } | { readonly kind: "cidr"; readonly reason: string };

/**
 * Why `v` is an example value (`<v> is in account <id>, an AWS documentation example` or
 * `<v> is an RFC 5737 documentation range, not routed on the internet`), or undefined. Pure;
 * callers add their own advice to `reason`.
 */
export function placeholderFinding(v: string): PlaceholderFinding | undefined {
    const account = ARN_ACCOUNT.exec(v)?.[1];
    if (account !== undefined && PLACEHOLDER_ACCOUNT_IDS.includes(account)) {
        return { kind: "account", account, reason: `${v} is in account ${account}, an AWS documentation example` };
    }
    if (inDocumentationRange(v)) {
        return { kind: "cidr", reason: `${v} is an RFC 5737 documentation range, not routed on the internet` };
    }
    return undefined;
}
