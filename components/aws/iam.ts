/**
 * IAM policy documents as typed objects, and the trust policies meshgate's roles
 * use. Built as plain JSON (no `getPolicyDocument` call), so they are pure and
 * testable without the engine.
 */
import type { AwsPartition } from "./partition";

export type OneOrMany<T> = T | readonly T[];

export interface PolicyStatement {
    readonly Sid?: string;
    readonly Effect: "Allow" | "Deny";
    readonly Action: OneOrMany<string>;
    readonly Resource?: OneOrMany<string>;
    readonly Principal?: Readonly<Record<string, OneOrMany<string>>>;
    readonly Condition?: Readonly<Record<string, Readonly<Record<string, OneOrMany<string>>>>>;
}

export interface PolicyDocument {
    readonly Version: "2012-10-17";
    readonly Statement: readonly PolicyStatement[];
}

/** Trust policy letting an AWS service assume a role (`sts:AssumeRole`, plus `sts:TagSession` when asked). */
export function serviceTrustPolicy(principal: string, tagSession = false): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: principal }, Action: tagSession ? ["sts:AssumeRole", "sts:TagSession"] : "sts:AssumeRole" }],
    };
}

/** The audience EKS-projected service account tokens carry for STS. */
export const STS_AUDIENCE = "sts.amazonaws.com";

/** `https://oidc.eks.<region>.amazonaws.com/id/<id>` → `oidc.eks.<region>.amazonaws.com/id/<id>`, the prefix of IRSA condition keys. */
export function issuerHostPath(issuerUrl: string): string {
    return issuerUrl.replace(/^https:\/\//, "").replace(/\/+$/, "");
}

/**
 * Trust policy of an IAM role for a service account (IRSA): only tokens issued by
 * the cluster's OIDC provider, for exactly `system:serviceaccount:<namespace>:<serviceAccount>`
 * and with the STS audience, may assume it.
 */
export function irsaTrustPolicy(oidc: { providerArn: string; issuerUrl: string }, namespace: string, serviceAccount: string): PolicyDocument {
    const issuer = issuerHostPath(oidc.issuerUrl);
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: oidc.providerArn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
                        [`${issuer}:aud`]: STS_AUDIENCE,
                    },
                },
            },
        ],
    };
}

/** A policy allowing the EKS cluster role to use the secrets-encryption KMS key. */
export function clusterKmsPolicy(keyArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"], Resource: keyArn }],
    };
}

/** Re-exported for callers that build ARNs from a partition. */
export type { AwsPartition };
