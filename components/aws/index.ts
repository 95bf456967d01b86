/**
 * Shared AWS helpers: partitions, principals, managed-policy ARNs and tags
 * (partition.ts), IAM policy documents (iam.ts), IAM roles for service accounts
 * (irsa.ts) and the OIDC identity they trust (oidc.ts). The cluster, the AWS Load
 * Balancer Controller and the cluster autoscaler all build on this folder; it imports
 * none of them.
 */
export { ENVIRONMENT_TAG, EKS_PRINCIPAL, awsTags, ec2Principal, managedPolicyArn, partitionOf, type AwsPartition } from "./partition";
export { clusterKmsPolicy, irsaTrustPolicy, issuerHostPath, serviceTrustPolicy, STS_AUDIENCE, type OneOrMany, type PolicyDocument, type PolicyStatement } from "./iam";
export { irsaRole, type IrsaRole, type IrsaRoleArgs } from "./irsa";
export type { OidcIdentity } from "./oidc";
