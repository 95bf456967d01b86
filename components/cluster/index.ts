/** The cluster layer: an EKS cluster meshgate creates, or an existing one; both are a {@link ClusterConnection}. */
export * from "./types";
export { EksCluster, eksClusterIssues, accessEntryNames, planEksCluster, ADDONS, ACCESS_POLICIES, CONTROL_PLANE_LOG_TYPES, DEFAULT_KUBERNETES_VERSION } from "./eks";
export type { EksClusterPlan, AccessEntryPlan, AddonPlan, ClusterReleasePlan, IrsaPlan, NodeGroupPlan } from "./eks";
export type { EksClusterArgs, AccessEntrySpec, AddonSpec, AddonName, NodeGroupSpec, EksVpcArgs, SubnetLayout } from "./eks";
export { EksVpc, subnetLayout, amiTypeFor, launchTemplateArgs, scalingConfig } from "./eks";
export { ExistingCluster, type ExistingClusterArgs } from "./existing";
// The shared AWS helpers live in components/aws; re-exported here as the package always has.
export { irsaRole, type IrsaRole, type IrsaRoleArgs } from "../aws/irsa";
export { irsaTrustPolicy, serviceTrustPolicy, type PolicyDocument, type PolicyStatement } from "../aws/iam";
export { ENVIRONMENT_TAG, partitionOf, awsTags, type AwsPartition } from "../aws/partition";
export { eksKubeconfig, type EksKubeconfigArgs } from "./kubeconfig";
export { gp3StorageClass, DEFAULT_STORAGE_CLASS, EBS_CSI_PROVISIONER, DEFAULT_CLASS_ANNOTATION, type StorageClassObject, type Gp3StorageClassOptions } from "./storage";
