/**
 * The rules about an EKS cluster that relate fields to each other or to the environment,
 * which a schema cannot say field by field. Written once: the stack config's cross-checks
 * (cross-checks.ts) and EksCluster's own argument checks (components/cluster/eks/issues.ts)
 * both call them. Pure.
 */

/** What the rules read of a cluster (a parsed stack config's cluster, or EksCluster's args with defaults). */
export interface EksRuleInput {
    readonly endpoint: { readonly publicAccess: boolean; readonly publicAccessCidrs: readonly string[] };
    readonly nodeGroups: readonly { readonly name: string; readonly minSize: number; readonly maxSize: number; readonly desiredSize?: number }[];
    readonly accessEntries: readonly { readonly principalArn: string }[];
}

type Add = (path: string, message: string) => void;

/**
 * Every problem, as `add(path, message)` with paths relative to the cluster
 * (`endpoint.publicAccessCidrs[0]`, `nodeGroups[1].minSize`).
 */
export function eksRuleIssues(cluster: EksRuleInput, prod: boolean, add: Add): void {
    endpointRuleIssues(cluster.endpoint, prod, add);
    nodeGroupRuleIssues(cluster.nodeGroups, prod, add);
    accessEntryRuleIssues(cluster.accessEntries, add);
}

/** The API endpoint: never open to the internet in prod. */
export function endpointRuleIssues(endpoint: EksRuleInput["endpoint"], prod: boolean, add: Add): void {
    endpoint.publicAccessCidrs.forEach((c, i) => {
        if (c === "0.0.0.0/0" && prod) {
            add(`endpoint.publicAccessCidrs[${i}]`, "0.0.0.0/0 opens the API endpoint to the internet; prod allows only listed CIDRs (or publicAccess: false)");
        }
    });
    if (prod && endpoint.publicAccess && endpoint.publicAccessCidrs.length === 0) {
        add(
            "endpoint.publicAccessCidrs",
            "prod with publicAccess: true must list the CIDRs allowed to reach the API endpoint (an empty list means 0.0.0.0/0), or set publicAccess: false",
        );
    }
}

/** Node groups: sizes that fit together, at least 2 nodes in prod, unique names. */
export function nodeGroupRuleIssues(nodeGroups: EksRuleInput["nodeGroups"], prod: boolean, add: Add): void {
    nodeGroups.forEach((ng, i) => {
        const at = `nodeGroups[${i}]`;
        if (prod && ng.minSize < 2) {
            add(`${at}.minSize`, `${ng.minSize} is below 2; prod node groups need at least 2 nodes`);
        }
        if (ng.minSize > ng.maxSize) {
            add(`${at}.minSize`, `${ng.minSize} is above maxSize (${ng.maxSize})`);
        }
        if (ng.desiredSize !== undefined && (ng.desiredSize < ng.minSize || ng.desiredSize > ng.maxSize)) {
            add(`${at}.desiredSize`, `${ng.desiredSize} must be from minSize (${ng.minSize}) to maxSize (${ng.maxSize})`);
        }
    });
    duplicates(
        nodeGroups,
        (g) => g.name,
        (i, first) => add(`nodeGroups[${i}].name`, `"${nodeGroups[i].name}" is already declared by nodeGroups[${first}]`),
    );
}

/** Access entries: one per principal (EKS refuses a second one, after the cluster exists). */
export function accessEntryRuleIssues(accessEntries: EksRuleInput["accessEntries"], add: Add): void {
    duplicates(
        accessEntries,
        (e) => e.principalArn,
        (i, first) => add(`accessEntries[${i}].principalArn`, `${accessEntries[i].principalArn} is already listed by accessEntries[${first}]`),
    );
}

function duplicates<T>(items: readonly T[], key: (t: T) => string, report: (index: number, first: number) => void): void {
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
        const k = key(item);
        const first = seen.get(k);
        if (first === undefined) {
            seen.set(k, i);
        } else {
            report(i, first);
        }
    });
}
