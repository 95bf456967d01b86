/**
 * Small pure facts about AWS that meshgate derives instead of asking the cloud:
 * the partition of a region, service principals, AWS-managed policy ARNs and the
 * tags every meshgate AWS resource carries. Deriving them keeps plans
 * deterministic and free of provider calls.
 */
import type { Environment } from "../config/schema";
import { ENVIRONMENT_LABEL } from "../util";

/** The tag key meshgate puts on every AWS resource; the policy pack keys its prod-only rules on it. */
export const ENVIRONMENT_TAG = ENVIRONMENT_LABEL;

export interface AwsPartition {
    /** `aws`, `aws-cn` or `aws-us-gov`. */
    readonly partition: "aws" | "aws-cn" | "aws-us-gov";
    /** DNS suffix of the partition's service endpoints. */
    readonly dnsSuffix: "amazonaws.com" | "amazonaws.com.cn";
}

/** The partition a region belongs to. Throws for regions meshgate does not support (ISO partitions). */
export function partitionOf(region: string): AwsPartition {
    if (/^cn-/.test(region)) {
        return { partition: "aws-cn", dnsSuffix: "amazonaws.com.cn" };
    }
    if (/^us-gov-/.test(region)) {
        return { partition: "aws-us-gov", dnsSuffix: "amazonaws.com" };
    }
    if (/^[a-z]{2}-iso[a-z]*-/.test(region) || !/^[a-z]{2}-[a-z]+-\d+$/.test(region)) {
        throw new Error(`region "${region}": meshgate supports the aws, aws-cn and aws-us-gov partitions (regions such as "eu-west-1")`);
    }
    return { partition: "aws", dnsSuffix: "amazonaws.com" };
}

/** The service principal of EC2 in a partition (`ec2.amazonaws.com.cn` in China). */
export function ec2Principal(p: AwsPartition): string {
    return `ec2.${p.dnsSuffix}`;
}

/** The service principal of EKS (the same in every partition). */
export const EKS_PRINCIPAL = "eks.amazonaws.com";

/** ARN of an AWS-managed IAM policy, e.g. `managedPolicyArn(p, "AmazonEKSClusterPolicy")`. */
export function managedPolicyArn(p: AwsPartition, name: string): string {
    return `arn:${p.partition}:iam::aws:policy/${name}`;
}

/** Tags for a meshgate AWS resource: the user's tags, then the environment tag (which the user cannot override). */
export function awsTags(environment: Environment, tags: Readonly<Record<string, string>> = {}, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
    return { ...tags, ...extra, [ENVIRONMENT_TAG]: environment };
}
