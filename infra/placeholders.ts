/**
 * The stacks under stacks/ are examples: their account IDs, role ARNs and CIDRs are the ones
 * AWS and the IETF reserve for documentation. Deployed as they are, they do harm quietly: an
 * access entry for a role in account 123456789012 fails after the cluster exists, and an API
 * endpoint open only to 198.51.100.0/24 (TEST-NET-2) locks the operator, and Pulumi itself, out
 * of the cluster it just created (every Helm release then times out). So the program warns in a
 * preview or an offline plan and refuses a real deployment (`pulumi up` after its preview)
 * before creating anything.
 */

/** Account IDs used in AWS documentation examples; no real account has them. */
export const PLACEHOLDER_ACCOUNT_IDS: readonly string[] = ["123456789012", "111122223333", "444455556666", "999999999999", "000000000000"];

/** RFC 5737 documentation ranges (TEST-NET-1/2/3): never routed on the internet. */
export const DOCUMENTATION_CIDRS: readonly string[] = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"];

const ARN_ACCOUNT = /^arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:(\d{12}):/;

/** Is this IPv4 CIDR inside one of the documentation ranges? */
export function inDocumentationRange(cidr: string): boolean {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}\/(\d{1,2})$/.exec(cidr);
    if (m === null || Number(m[4]) < 24) {
        return false;
    }
    const prefix = `${m[1]}.${m[2]}.${m[3]}.0/24`;
    return DOCUMENTATION_CIDRS.includes(prefix);
}

/**
 * Every placeholder in a stack's config (the `config:` block, `meshgate:*` and `aws:*` keys),
 * as `<key path>: <value> is ...`; empty when there is none. Pure.
 */
export function placeholderIssues(config: Readonly<Record<string, unknown>>): string[] {
    const issues: string[] = [];
    const walk = (value: unknown, at: string): void => {
        if (typeof value === "string") {
            const account = ARN_ACCOUNT.exec(value)?.[1];
            if (account !== undefined && PLACEHOLDER_ACCOUNT_IDS.includes(account)) {
                issues.push(`${at}: ${value} is in account ${account}, an AWS documentation example; use your account's ARN`);
            } else if (inDocumentationRange(value)) {
                issues.push(`${at}: ${value} is an RFC 5737 documentation range, not routed on the internet; use your operators' or clients' CIDRs`);
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
