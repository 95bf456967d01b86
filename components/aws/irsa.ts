/**
 * IAM roles for service accounts (IRSA): a role that only one Kubernetes service
 * account of one cluster can assume, with its policies attached, and a `arn`
 * output that resolves only once every policy is attached (so a pod annotated
 * with it never starts with a role that has no permissions yet).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { irsaTrustPolicy } from "./iam";
import type { OidcIdentity } from "./oidc";

export interface IrsaRoleArgs {
    /** Service account allowed to assume the role. */
    readonly serviceAccount: string;
    /** Namespace of the service account. */
    readonly namespace: string;
    /** The cluster's OIDC provider. */
    readonly oidc: OidcIdentity;
    /**
     * Policies to attach, by ARN, keyed by a short role name used in child resource
     * names (ARNs are often unknown at plan time, names must not be).
     * @default {}
     */
    readonly policyArns?: Readonly<Record<string, pulumi.Input<string>>>;
    /**
     * Inline policies (JSON documents), keyed by a short name.
     * @default {}
     */
    readonly inlinePolicies?: Readonly<Record<string, pulumi.Input<string>>>;
    /** Description of the role. @default "IRSA role for <namespace>/<serviceAccount>" */
    readonly description?: pulumi.Input<string>;
    /** Tags for the role. @default {} */
    readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export interface IrsaRole {
    readonly role: aws.iam.Role;
    readonly attachments: aws.iam.RolePolicyAttachment[];
    readonly inlinePolicies: aws.iam.RolePolicy[];
    /** The role's ARN, resolved only after every policy is attached: annotate service accounts with this. */
    readonly arn: pulumi.Output<string>;
}

/**
 * Creates an IAM role trusted only by `system:serviceaccount:<namespace>:<serviceAccount>`
 * through the cluster's OIDC provider (`:sub` and `:aud` conditions), and attaches its policies.
 * Children are named `<name>` (the role) and `<name>-<policy key>`.
 */
export function irsaRole(name: string, args: IrsaRoleArgs, opts?: pulumi.CustomResourceOptions): IrsaRole {
    const assumeRolePolicy = pulumi
        .all([args.oidc.providerArn, args.oidc.issuerUrl])
        .apply(([providerArn, issuerUrl]) => JSON.stringify(irsaTrustPolicy({ providerArn, issuerUrl }, args.namespace, args.serviceAccount)));
    const role = new aws.iam.Role(
        name,
        {
            assumeRolePolicy,
            description: args.description ?? `IRSA role for ${args.namespace}/${args.serviceAccount}`,
            tags: args.tags,
        },
        opts,
    );
    const childOpts: pulumi.CustomResourceOptions = { parent: opts?.parent, provider: opts?.provider };
    const attachments = Object.entries(args.policyArns ?? {}).map(
        ([key, policyArn]) => new aws.iam.RolePolicyAttachment(`${name}-${key}`, { role: role.name, policyArn }, childOpts),
    );
    const inlinePolicies = Object.entries(args.inlinePolicies ?? {}).map(([key, policy]) => new aws.iam.RolePolicy(`${name}-${key}`, { role: role.name, policy }, childOpts));
    const arn = pulumi.all([role.arn, ...attachments.map((a) => a.id), ...inlinePolicies.map((p) => p.id)]).apply(([roleArn]) => roleArn);
    return { role, attachments, inlinePolicies, arn };
}
