/**
 * What an EksCluster creates, as plain data: every AWS and Kubernetes resource's settings
 * that do not depend on another resource's outputs. `planEksCluster` is pure (tested
 * directly); the component (index.ts) only creates the resources and wires their outputs
 * (cluster name, ARNs, subnet ids) together, as IstioMesh does with `planIstioMesh`.
 */
import type * as aws from "@pulumi/aws";
import { awsTags, ec2Principal, EKS_PRINCIPAL, managedPolicyArn, partitionOf, type AwsPartition } from "../../aws/partition";
import { serviceTrustPolicy } from "../../aws/iam";
import type { HelmValues } from "../../helm";
import { definedOnly } from "../../util";
import type { ChartRef } from "../../versions";
import { DEFAULT_STORAGE_CLASS, gp3StorageClass, type StorageClassObject } from "../storage";
import type { Environment } from "../types";
import { ACCESS_POLICIES, ADDONS, CONTROL_PLANE_LOG_TYPES, eksClusterDefaults, type AccessEntrySpec, type AddonName, type EksClusterArgs } from "./args";
import { eksClusterIssues } from "./issues";
import { amiTypeFor, launchTemplateArgs, nodeGroupDefaults, scalingConfig, type NodeGroupSpec } from "./node-group";
import type { EksVpcArgs } from "./vpc";

/** An IAM role for a service account, before the cluster's OIDC provider exists. */
export interface IrsaPlan {
    /** Suffix of the role's resource name (`<cluster>-<roleName>`). */
    readonly roleName: string;
    readonly serviceAccount: string;
    readonly namespace: string;
    readonly policyArns: Readonly<Record<string, string>>;
    readonly description: string;
}

/** One EKS add-on: its settings, the IRSA role it runs with (if any), and whether it waits for the nodes. */
export interface AddonPlan {
    readonly addonVersion?: string;
    /** JSON of the add-on's configuration values. */
    readonly configurationValues?: string;
    readonly irsa?: IrsaPlan;
    /** Installed once the node groups exist (coredns, the EBS CSI driver), else before them. */
    readonly afterNodes: boolean;
}

/** One access entry and its policy association. */
export interface AccessEntryPlan {
    /** Child-name key (`role-<name>`, see {@link accessEntryNames}). */
    readonly key: string;
    readonly principalArn: string;
    readonly policyArn: string;
    readonly accessScope: { readonly type: "cluster" } | { readonly type: "namespace"; readonly namespaces: string[] };
}

/** One managed node group: its launch template and the node group settings that do not depend on other resources. */
export interface NodeGroupPlan {
    readonly name: string;
    readonly tags: Record<string, string>;
    readonly launchTemplate: aws.ec2.LaunchTemplateArgs;
    readonly amiType: string;
    readonly capacityType: string;
    readonly instanceTypes: string[];
    readonly labels: Record<string, string>;
    readonly taints: aws.types.input.eks.NodeGroupTaint[];
    readonly scalingConfig: { minSize: number; maxSize: number; desiredSize: number };
}

/** A Helm-installed add-on of the cluster (chart override and extra values). */
export interface ClusterReleasePlan {
    readonly chart?: Partial<ChartRef>;
    readonly values?: HelmValues;
}

export interface EksClusterPlan {
    readonly environment: Environment;
    readonly region: string;
    readonly partition: AwsPartition;
    readonly prod: boolean;
    /** Tags of every AWS resource (the user's, then the environment tag). */
    readonly tags: Record<string, string>;
    /** The user's tags alone (the components below add the environment tag themselves). */
    readonly userTags: Readonly<Record<string, string>>;
    /** The VPC to create, or the existing one's ids. */
    readonly network: { readonly kind: "new"; readonly vpc: EksVpcArgs } | ({ readonly kind: "existing" } & NonNullable<EksClusterArgs["existingVpc"]>);
    readonly secretsKey: aws.kms.KeyArgs;
    readonly clusterRole: { readonly assumeRolePolicy: string; readonly description: string; readonly policyArn: string };
    readonly controlPlane: {
        readonly version: string;
        readonly endpointPublicAccess: boolean;
        /** Explicit even outside prod: an omitted list means 0.0.0.0/0. Undefined without public access. */
        readonly publicAccessCidrs?: string[];
        readonly bootstrapCreatorAdmin: boolean;
        readonly logTypes: string[];
        readonly deletionProtection: boolean;
    };
    readonly accessEntries: readonly AccessEntryPlan[];
    readonly addons: Readonly<Record<AddonName, AddonPlan>>;
    readonly nodeRole: { readonly assumeRolePolicy: string; readonly description: string; readonly policyArns: readonly (readonly [string, string])[] };
    readonly nodeGroups: readonly NodeGroupPlan[];
    readonly kubeconfig: { readonly profile?: string; readonly roleArn?: string };
    readonly storageClass: StorageClassObject;
    /** Undefined when disabled. */
    readonly loadBalancerController?: ClusterReleasePlan;
    readonly metricsServer?: ClusterReleasePlan & { readonly highAvailability: boolean };
    readonly clusterAutoscaler?: ClusterReleasePlan;
}

/** Stable child-name keys for access entries: `role-<name>` / `user-<name>` from the ARN, suffixed on a clash. */
export function accessEntryNames(entries: readonly AccessEntrySpec[]): { spec: AccessEntrySpec; key: string }[] {
    const used = new Set<string>();
    return entries.map((spec) => {
        const m = /:(role|user)\/(?:.*\/)?([^/]+)$/.exec(spec.principalArn);
        const base = (m === null ? "principal" : `${m[1]}-${m[2]}`).toLowerCase().replace(/[^a-z0-9-]+/g, "-");
        let key = base;
        for (let n = 2; used.has(key); n++) {
            key = `${base}-${n}`;
        }
        used.add(key);
        return { spec, key };
    });
}

/** The IRSA roles of the add-ons that call AWS (the node role has no network or volume permissions). */
function addonIrsa(name: string, p: AwsPartition): Partial<Record<AddonName, IrsaPlan>> {
    return {
        "vpc-cni": {
            roleName: "vpc-cni",
            serviceAccount: "aws-node",
            namespace: "kube-system",
            policyArns: { cni: managedPolicyArn(p, "AmazonEKS_CNI_Policy") },
            description: `VPC CNI (${name})`,
        },
        "aws-ebs-csi-driver": {
            roleName: "ebs-csi",
            serviceAccount: "ebs-csi-controller-sa",
            namespace: "kube-system",
            policyArns: { ebs: managedPolicyArn(p, "service-role/AmazonEBSCSIDriverPolicy") },
            description: `EBS CSI driver (${name})`,
        },
    };
}

/** Add-ons the nodes need to become Ready (installed before them); the others wait for the nodes. */
const BEFORE_NODES: readonly AddonName[] = ["vpc-cni", "kube-proxy"];

/**
 * Everything an EksCluster named `name` creates, from its args; throws with every problem
 * in the args (see {@link eksClusterIssues}) before anything is planned. Pure.
 */
export function planEksCluster(name: string, args: EksClusterArgs): EksClusterPlan {
    const issues = eksClusterIssues(args);
    if (issues.length > 0) {
        throw new Error(`EksCluster ${name}: invalid arguments:\n${issues.map((i) => `  - ${i}`).join("\n")}`);
    }
    const a = { ...eksClusterDefaults, ...definedOnly(args) };
    const p = partitionOf(a.region);
    const region = a.region;
    const prod = a.environment === "prod";
    const tags = awsTags(a.environment, a.tags);
    const publicAccess = a.endpoint.publicAccess ?? true;
    const cidrs = a.endpoint.publicAccessCidrs ?? [];
    const irsa = addonIrsa(name, p);
    const addons = Object.fromEntries(
        ADDONS.map((addonName) => {
            const spec = a.addons[addonName] ?? {};
            const plan: AddonPlan = {
                addonVersion: spec.version,
                configurationValues: spec.configuration === undefined ? undefined : JSON.stringify(spec.configuration),
                irsa: irsa[addonName],
                afterNodes: !BEFORE_NODES.includes(addonName),
            };
            return [addonName, plan];
        }),
    ) as Record<AddonName, AddonPlan>;
    const enabled = (o: { readonly enabled?: boolean }) => o.enabled ?? true;
    return {
        environment: a.environment,
        region,
        partition: p,
        prod,
        tags,
        userTags: a.tags,
        network:
            a.existingVpc !== undefined
                ? { kind: "existing", ...a.existingVpc }
                : {
                      kind: "new",
                      vpc: {
                          environment: a.environment,
                          region,
                          cidr: a.vpc.cidr,
                          availabilityZones: a.vpc.availabilityZones,
                          natGateways: a.vpc.natGateways,
                          availabilityZoneNames: a.vpc.availabilityZoneNames,
                          tags: a.tags,
                      },
                  },
        secretsKey: {
            description: `EKS secrets envelope encryption (${name})`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            keyUsage: "ENCRYPT_DECRYPT",
            customerMasterKeySpec: "SYMMETRIC_DEFAULT",
            region,
            tags,
        },
        clusterRole: {
            assumeRolePolicy: JSON.stringify(serviceTrustPolicy(EKS_PRINCIPAL, true)),
            description: `EKS control plane (${name})`,
            policyArn: managedPolicyArn(p, "AmazonEKSClusterPolicy"),
        },
        controlPlane: {
            version: a.kubernetesVersion,
            endpointPublicAccess: publicAccess,
            publicAccessCidrs: publicAccess ? (cidrs.length > 0 ? [...cidrs] : ["0.0.0.0/0"]) : undefined,
            bootstrapCreatorAdmin: a.bootstrapCreatorAdmin,
            logTypes: [...CONTROL_PLANE_LOG_TYPES],
            deletionProtection: a.deletionProtection ?? prod,
        },
        accessEntries: accessEntryNames(a.accessEntries).map(({ spec, key }) => {
            const namespaces = spec.namespaces ?? [];
            return {
                key,
                principalArn: spec.principalArn,
                policyArn: `arn:${p.partition}:eks::aws:cluster-access-policy/${ACCESS_POLICIES[spec.accessPolicy ?? "view"]}`,
                accessScope: namespaces.length > 0 ? { type: "namespace", namespaces: [...namespaces] } : { type: "cluster" },
            };
        }),
        addons,
        nodeRole: {
            assumeRolePolicy: JSON.stringify(serviceTrustPolicy(ec2Principal(p))),
            description: `EKS nodes (${name})`,
            policyArns: [
                ["worker", managedPolicyArn(p, "AmazonEKSWorkerNodePolicy")],
                ["ecr", managedPolicyArn(p, "AmazonEC2ContainerRegistryPullOnly")],
            ],
        },
        nodeGroups: a.nodeGroups.map((spec) => nodeGroupPlan(name, spec, a.environment, region, a.tags)),
        kubeconfig: { profile: a.kubeconfig.profile, roleArn: a.kubeconfig.roleArn },
        storageClass: gp3StorageClass({ name: DEFAULT_STORAGE_CLASS }),
        loadBalancerController: enabled(a.loadBalancerController) ? { chart: a.loadBalancerController.chart, values: a.loadBalancerController.values } : undefined,
        metricsServer: enabled(a.metricsServer) ? { highAvailability: prod, chart: a.metricsServer.chart, values: a.metricsServer.values } : undefined,
        clusterAutoscaler: enabled(a.clusterAutoscaler) ? { chart: a.clusterAutoscaler.chart, values: a.clusterAutoscaler.values } : undefined,
    };
}

function nodeGroupPlan(cluster: string, spec: NodeGroupSpec, environment: Environment, region: string, userTags: Readonly<Record<string, string>>): NodeGroupPlan {
    const groupTags = awsTags(environment, userTags, { Name: `${cluster}-${spec.name}`, "meshgate.io/node-group": spec.name });
    const instanceTypes = [...(spec.instanceTypes ?? nodeGroupDefaults.instanceTypes)];
    return {
        name: spec.name,
        tags: groupTags,
        launchTemplate: launchTemplateArgs(spec, region, groupTags),
        amiType: spec.amiType ?? amiTypeFor(instanceTypes),
        capacityType: spec.capacityType ?? nodeGroupDefaults.capacityType,
        instanceTypes,
        labels: { ...(spec.labels ?? {}) },
        taints: [...(spec.taints ?? [])],
        scalingConfig: scalingConfig(spec),
    };
}
