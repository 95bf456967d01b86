/**
 * Reads the stack's `meshgate:*` config once and validates it as a whole, so
 * that a bad stack fails with every problem listed before any resource exists;
 * adds what the program knows about the AWS provider (the kubeconfig must
 * authenticate as the provider does), and finds example values left in the stack.
 */
import * as pulumi from "@pulumi/pulumi";
import { validateStackConfig, type StackConfig } from "../components/config";
import { placeholderIssues } from "./placeholders";

export const PROJECT = "meshgate";

/** The stack's config block, values parsed (`{"meshgate:cluster": {...}, "aws:profile": "..."}`). */
export function rawStackConfig(): Record<string, unknown> {
    return Object.fromEntries(Object.entries(pulumi.runtime.allConfig()).map(([k, v]) => [k, parseValue(v)]));
}

/** The stack's validated config with defaults applied; throws ConfigError listing every problem. */
export function loadStackConfig(raw: Readonly<Record<string, unknown>> = rawStackConfig()): StackConfig {
    const section: Record<string, unknown> = {};
    const prefix = `${PROJECT}:`;
    for (const [key, value] of Object.entries(raw)) {
        if (key.startsWith(prefix)) {
            section[key.slice(prefix.length)] = value;
        }
    }
    // The identity joins the declaration before it is validated: one validation covers it too.
    return validateStackConfig(withProviderIdentityInput(section, raw), { stack: pulumi.getStack() });
}

/** The stack's declaration with the AWS provider's identity as `cluster.kubeconfig` (an EKS cluster without one), before validation. */
export function withProviderIdentityInput(section: Readonly<Record<string, unknown>>, raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const cluster = section.cluster;
    if (typeof cluster !== "object" || cluster === null || Array.isArray(cluster)) {
        return { ...section };
    }
    const c = cluster as Record<string, unknown>;
    const identity = awsProviderIdentity(raw);
    if (c.type !== "eks" || c.kubeconfig !== undefined || Object.keys(identity).length === 0) {
        return { ...section };
    }
    return { ...section, cluster: { ...c, kubeconfig: identity } };
}

/** The AWS provider's profile and role (`aws:profile`, `aws:assumeRoles[0].roleArn` or the older `aws:assumeRole.roleArn`). */
export function awsProviderIdentity(raw: Readonly<Record<string, unknown>>): { profile?: string; roleArn?: string } {
    const profile = typeof raw["aws:profile"] === "string" ? raw["aws:profile"] : undefined;
    const roles = raw["aws:assumeRoles"];
    const first: unknown = Array.isArray(roles) ? roles[0] : raw["aws:assumeRole"];
    const roleArn =
        typeof first === "object" && first !== null && typeof (first as { roleArn?: unknown }).roleArn === "string" ? (first as { roleArn: string }).roleArn : undefined;
    return { ...(profile === undefined ? {} : { profile }), ...(roleArn === undefined ? {} : { roleArn }) };
}

/**
 * The kubeconfig authenticates as the AWS provider does unless the stack says otherwise:
 * EKS gives cluster-admin to the identity that creates the cluster (the provider's), and
 * `aws eks get-token` with the CLI's default credentials may be another identity (403).
 */
export function withProviderIdentity(config: StackConfig, raw: Readonly<Record<string, unknown>>): StackConfig {
    if (config.cluster.type !== "eks" || config.cluster.kubeconfig !== undefined) {
        return config;
    }
    const identity = awsProviderIdentity(raw);
    return Object.keys(identity).length === 0 ? config : { ...config, cluster: { ...config.cluster, kubeconfig: identity } };
}

/**
 * Example values left in the stack: a warning in a preview or the offline plan, a clear error
 * (no stack trace, nothing created) when the program runs for real (`pulumi up` after its preview).
 */
export function guardPlaceholders(raw: Readonly<Record<string, unknown>>, dryRun: boolean): void {
    const issues = placeholderIssues(raw);
    if (issues.length === 0) {
        return;
    }
    const list = issues.map((i) => `  - ${i}`).join("\n");
    if (!dryRun) {
        throw new pulumi.RunError(`stack "${pulumi.getStack()}" still has example values from stacks/; replace them before deploying (nothing was created):\n${list}`);
    }
    // Not awaited: the SDK holds the program open until the log RPC is sent (rpcKeepAlive) and the
    // promise it returns never rejects (@pulumi/pulumi 3.248 log/index.js `log`).
    void pulumi.log.warn(`stack "${pulumi.getStack()}" has example values that \`pulumi up\` will refuse:\n${list}`);
}

/** Config values reach the program as strings; objects and lists as JSON. */
function parseValue(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}
