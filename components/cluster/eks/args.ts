/**
 * EksCluster's arguments, their defaults, and the names of what it installs. Types and
 * constants only: the plan (plan.ts), the checks (issues.ts) and the component (index.ts)
 * all read them.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { HelmValues } from "../../helm";
import type { ChartRef } from "../../versions";
import type { Environment } from "../types";
import type { NodeGroupSpec } from "./node-group";

/** Kubernetes minor version of a new cluster: in EKS standard support until 2027-03-27. */
export const DEFAULT_KUBERNETES_VERSION = "1.35";

/** Every EKS control-plane log type. */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

/** The EKS add-ons meshgate installs. */
export const ADDONS = ["vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver"] as const;
export type AddonName = (typeof ADDONS)[number];

/** EKS access policies by the short names stack config uses. */
export const ACCESS_POLICIES = {
    "cluster-admin": "AmazonEKSClusterAdminPolicy",
    admin: "AmazonEKSAdminPolicy",
    edit: "AmazonEKSEditPolicy",
    view: "AmazonEKSViewPolicy",
} as const;

export interface AccessEntrySpec {
    /** IAM role or user ARN. */
    readonly principalArn: string;
    /** EKS access policy. @default "view" */
    readonly accessPolicy?: keyof typeof ACCESS_POLICIES;
    /** Limit the policy to these namespaces; empty means cluster-wide. @default [] */
    readonly namespaces?: readonly string[];
}

export interface AddonSpec {
    /** Add-on version (`v1.19.2-eksbuild.1`). @default EKS's default version for the cluster's Kubernetes version */
    readonly version?: string;
    /** The add-on's configuration values (JSON schema per add-on: `aws eks describe-addon-configuration`). @default none */
    readonly configuration?: Readonly<Record<string, unknown>>;
}

/** What an EksCluster is made of: region, VPC, control plane, node groups, access, add-ons. */
export interface EksClusterArgs {
    /** The stack's environment: prod gets NAT per zone, deletion protection and stricter checks. */
    readonly environment: Environment;
    /** AWS region of every regional resource (the aws provider's region is not used). */
    readonly region: string;
    /** Kubernetes minor version. @default "1.35" */
    readonly kubernetesVersion?: string;
    /** The VPC meshgate creates (ignored with `existingVpc`). @default { cidr: "10.0.0.0/16", availabilityZones: 3 } */
    readonly vpc?: {
        /** @default "10.0.0.0/16" */
        readonly cidr?: string;
        /** @default 3 */
        readonly availabilityZones?: number;
        /** @default "perAz" in prod, "single" elsewhere */
        readonly natGateways?: "single" | "perAz";
        /** Zone names, instead of looking them up. @default looked up */
        readonly availabilityZoneNames?: readonly string[];
    };
    /**
     * Use an existing VPC instead: nodes and the control plane go into `privateSubnetIds`.
     * Its subnets must already carry the `kubernetes.io/role/elb` (public) and
     * `kubernetes.io/role/internal-elb` (private) tags for the AWS Load Balancer Controller.
     * @default a new VPC
     */
    readonly existingVpc?: {
        readonly vpcId: pulumi.Input<string>;
        readonly privateSubnetIds: readonly pulumi.Input<string>[];
        /** @default [] (no public subnets: an internal load balancer only) */
        readonly publicSubnetIds?: readonly pulumi.Input<string>[];
    };
    /**
     * API endpoint access. The private endpoint is always on. With `publicAccess` and no
     * CIDRs the public endpoint is open to 0.0.0.0/0, which is rejected in prod.
     * @default { publicAccess: true, publicAccessCidrs: [] }
     */
    readonly endpoint?: {
        /** @default true */
        readonly publicAccess?: boolean;
        /** @default [] */
        readonly publicAccessCidrs?: readonly string[];
    };
    /** Managed node groups (at least one). */
    readonly nodeGroups: readonly NodeGroupSpec[];
    /** Access entries for IAM principals besides the cluster creator. @default [] */
    readonly accessEntries?: readonly AccessEntrySpec[];
    /**
     * Give the IAM principal that creates the cluster (the one running Pulumi) cluster-admin
     * through an access entry; meshgate needs it to install its Helm releases.
     * @default true
     */
    readonly bootstrapCreatorAdmin?: boolean;
    /** Version and configuration per add-on. @default {} */
    readonly addons?: Readonly<Partial<Record<AddonName, AddonSpec>>>;
    /**
     * The AWS Load Balancer Controller; `enabled: false` leaves Services of type
     * LoadBalancer to the in-tree cloud provider (`loadBalancer: "generic"`).
     * @default { enabled: true }
     */
    readonly loadBalancerController?: {
        /** @default true */
        readonly enabled?: boolean;
        /** @default the pinned eks/aws-load-balancer-controller (components/versions.ts) */
        readonly chart?: Partial<ChartRef>;
        /** Extra chart values, deep-merged last. @default {} */
        readonly values?: Readonly<Record<string, unknown>>;
    };
    /** EKS deletion protection. @default true in prod, false elsewhere */
    readonly deletionProtection?: boolean;
    /**
     * How the kubeconfig's `aws eks get-token` authenticates. Give it the AWS provider's
     * profile and role (the infra program does, from `aws:profile` and `aws:assumeRoles`):
     * with `bootstrapCreatorAdmin` cluster-admin goes to the identity that created the cluster,
     * and a token for any other identity gets 401/403 until it has an access entry.
     * @default the AWS CLI's default credentials
     */
    readonly kubeconfig?: {
        /** @default none: the CLI's default credentials */
        readonly profile?: string;
        /** @default none: no role assumed */
        readonly roleArn?: string;
    };
    /** metrics-server (the resource metrics API HPAs read). @default { enabled: true } */
    readonly metricsServer?: {
        /** @default true */
        readonly enabled?: boolean;
        /** @default the pinned metrics-server chart (components/versions.ts) */
        readonly chart?: Partial<ChartRef>;
        /** Extra chart values, deep-merged last. @default {} */
        readonly values?: HelmValues;
    };
    /** The cluster autoscaler for the managed node groups (scales between minSize and maxSize). @default { enabled: true } */
    readonly clusterAutoscaler?: {
        /** @default true */
        readonly enabled?: boolean;
        /** @default the pinned cluster-autoscaler chart (components/versions.ts) */
        readonly chart?: Partial<ChartRef>;
        /** Extra chart values, deep-merged last. @default {} */
        readonly values?: HelmValues;
    };
    /** Tags for every AWS resource (`meshgate.io/environment` is always added). @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

/** EksCluster's defaults for the optional arguments (the others depend on the environment). */
export const eksClusterDefaults: Required<
    Pick<
        EksClusterArgs,
        | "kubernetesVersion"
        | "vpc"
        | "endpoint"
        | "accessEntries"
        | "bootstrapCreatorAdmin"
        | "addons"
        | "loadBalancerController"
        | "kubeconfig"
        | "tags"
        | "metricsServer"
        | "clusterAutoscaler"
    >
> = {
    metricsServer: {},
    clusterAutoscaler: {},
    kubernetesVersion: DEFAULT_KUBERNETES_VERSION,
    vpc: {},
    endpoint: {},
    accessEntries: [],
    bootstrapCreatorAdmin: true,
    addons: {},
    loadBalancerController: {},
    kubeconfig: {},
    tags: {},
};
