/** The OIDC identity of an EKS cluster, which IAM roles for service accounts trust. */
import type * as pulumi from "@pulumi/pulumi";

/** An EKS cluster's OIDC provider, as IAM roles for service accounts (IRSA) need it. */
export interface OidcIdentity {
    /** ARN of the IAM OIDC provider (`arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>`). */
    readonly providerArn: pulumi.Input<string>;
    /** The cluster's issuer URL (`https://oidc.eks.<region>.amazonaws.com/id/<id>`). */
    readonly issuerUrl: pulumi.Input<string>;
}
