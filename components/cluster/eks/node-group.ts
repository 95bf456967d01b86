/**
 * Managed node groups: the spec a stack gives, and the pure builders of the launch
 * template (IMDSv2 required, encrypted gp3 root volume) and the scaling config.
 *
 * IMDS hop limit: 1 by default. With `httpTokens: required` and a hop limit of 1, the
 * IMDSv2 token response cannot cross the extra network hop into a pod's network
 * namespace, so pods (other than hostNetwork ones: aws-node, kube-proxy) cannot read the
 * node role's credentials. Nothing meshgate installs needs IMDS: the AWS Load Balancer
 * Controller gets `region` and `vpcId` as values and its credentials through IRSA; the
 * EBS CSI driver falls back to Kubernetes node metadata (at the cost of not counting
 * ENIs in its volume-attach limit). Set `metadataHopLimit: 2` on a node group whose
 * pods need IMDS (agents that read instance metadata).
 */
import type * as aws from "@pulumi/aws";

/** One managed node group, as a stack declares it. */
export interface NodeGroupSpec {
    /** DNS-1123 name, unique within the cluster; used in resource names. */
    readonly name: string;
    /** EC2 instance types, all of one architecture. @default ["m6i.large"] */
    readonly instanceTypes?: readonly string[];
    /** Minimum nodes (at least 2 in prod). */
    readonly minSize: number;
    /** Maximum nodes. */
    readonly maxSize: number;
    /** Initial nodes (the cluster autoscaler may change it). @default max(minSize, 1) */
    readonly desiredSize?: number;
    /** Root volume size in GiB (encrypted gp3). @default 50 */
    readonly diskSizeGiB?: number;
    /** On-demand or spot capacity. @default "ON_DEMAND" */
    readonly capacityType?: "ON_DEMAND" | "SPOT";
    /** Kubernetes labels of the nodes. @default {} */
    readonly labels?: Readonly<Record<string, string>>;
    /** Kubernetes taints of the nodes. @default [] */
    readonly taints?: readonly aws.types.input.eks.NodeGroupTaint[];
    /** EKS AMI type. @default AL2023 standard for the instance types' architecture */
    readonly amiType?: string;
    /** IMDSv2 PUT response hop limit (see the module comment). @default 1 */
    readonly metadataHopLimit?: number;
}

export const nodeGroupDefaults = {
    instanceTypes: ["m6i.large"],
    diskSizeGiB: 50,
    capacityType: "ON_DEMAND",
    labels: {},
    taints: [],
    metadataHopLimit: 1,
} as const;

/** Graviton instance families carry a `g` after the generation digit (m7g, c7gn, r8gd, t4g, im4gn, x2gd). */
const GRAVITON_FAMILY = /^[a-z]+\d+[a-z]*g[a-z]*(-[a-z]+)?$/;

/** The AL2023 AMI type for a set of instance types; throws when they mix architectures. */
export function amiTypeFor(instanceTypes: readonly string[]): string {
    const arm = instanceTypes.filter((t) => GRAVITON_FAMILY.test(t.split(".")[0]));
    if (arm.length > 0 && arm.length < instanceTypes.length) {
        throw new Error(`instance types ${instanceTypes.join(", ")} mix arm64 (${arm.join(", ")}) and x86_64; a node group has one architecture`);
    }
    return arm.length > 0 ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}

/** Launch template inputs for a node group: IMDSv2 only, encrypted root volume, tags on instances and volumes. */
export function launchTemplateArgs(spec: NodeGroupSpec, region: string, tags: Record<string, string>): aws.ec2.LaunchTemplateArgs {
    const hopLimit = spec.metadataHopLimit ?? nodeGroupDefaults.metadataHopLimit;
    if (!Number.isInteger(hopLimit) || hopLimit < 1 || hopLimit > 64) {
        throw new Error(`nodeGroups.${spec.name}.metadataHopLimit ${hopLimit}: must be from 1 to 64`);
    }
    return {
        description: `meshgate node group ${spec.name}`,
        metadataOptions: {
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: hopLimit,
            instanceMetadataTags: "disabled",
        },
        blockDeviceMappings: [
            {
                deviceName: "/dev/xvda",
                ebs: {
                    volumeSize: spec.diskSizeGiB ?? nodeGroupDefaults.diskSizeGiB,
                    volumeType: "gp3",
                    encrypted: "true",
                    deleteOnTermination: "true",
                },
            },
        ],
        tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({ resourceType, tags })),
        updateDefaultVersion: true,
        region,
        tags,
    };
}

/** Scaling config of a node group (desired defaults to max(minSize, 1)). */
export function scalingConfig(spec: NodeGroupSpec): { minSize: number; maxSize: number; desiredSize: number } {
    return { minSize: spec.minSize, maxSize: spec.maxSize, desiredSize: spec.desiredSize ?? Math.max(spec.minSize, 1) };
}
