/**
 * An EKS cluster with meshgate's secure defaults:
 * - network: a VPC laid out by {@link EksVpc} (or an existing VPC's subnets);
 * - control plane: API authentication mode (access entries, no aws-auth ConfigMap),
 *   private endpoint on and the public one limited to listed CIDRs (never 0.0.0.0/0 in
 *   prod), all five control-plane log types, secrets envelope-encrypted with a
 *   customer-managed KMS key that rotates;
 * - managed node groups in the private subnets only, launch templates requiring IMDSv2;
 * - EKS add-ons vpc-cni and kube-proxy (before the nodes), coredns and
 *   aws-ebs-csi-driver (after them), vpc-cni and the EBS CSI driver with IRSA roles of
 *   their own (the node role has no network or volume permissions);
 * - the default StorageClass `gp3` (encrypted, WaitForFirstConsumer) once the EBS CSI driver
 *   is there: EKS >= 1.30 has none, and a claim without one stays Pending;
 * - metrics-server (what HPAs read) and the cluster autoscaler (grows node groups up to
 *   `maxSize`, IAM through IRSA, least privilege), after the LB controller's Service webhook;
 * - the IAM OIDC provider for IRSA, a kubeconfig (secret) that authenticates with
 *   `aws eks get-token` as the identity that created the cluster (the AWS provider's profile
 *   and role, which the infra program passes in `kubeconfig`), and the `k8s.Provider` every
 *   Kubernetes resource uses;
 * - the AWS Load Balancer Controller (optional, on by default), so Services of type
 *   LoadBalancer get NLBs.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterAutoscaler } from "../../cluster-autoscaler";
import type { HelmValues } from "../../helm";
import { LoadBalancerController } from "../../lb-controller";
import { MetricsServer } from "../../metrics-server";
import type { ChartRef } from "../../versions";
import { awsTags, ec2Principal, EKS_PRINCIPAL, managedPolicyArn, partitionOf } from "../aws";
import { clusterKmsPolicy, serviceTrustPolicy } from "../iam";
import { irsaRole } from "../irsa";
import { eksKubeconfig } from "../kubeconfig";
import { DEFAULT_STORAGE_CLASS, gp3StorageClass } from "../storage";
import type { ClusterConnection, Environment, OidcIdentity } from "../types";
import { definedOnly } from "../../util";
import { amiTypeFor, launchTemplateArgs, nodeGroupDefaults, nodeGroupIssues, scalingConfig, type NodeGroupSpec } from "./node-group";
import { EksVpc, subnetLayout } from "./vpc";

export { EksVpc, subnetLayout, type EksVpcArgs, type SubnetLayout } from "./vpc";
export { amiTypeFor, launchTemplateArgs, nodeGroupIssues, scalingConfig, type NodeGroupSpec } from "./node-group";

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

const defaults: Required<Pick<EksClusterArgs, "kubernetesVersion" | "vpc" | "endpoint" | "accessEntries" | "bootstrapCreatorAdmin" | "addons" | "loadBalancerController" | "kubeconfig" | "tags" | "metricsServer" | "clusterAutoscaler">> = {
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

/** Every problem with EksCluster args, as `field: message`; empty when they are fine. Pure. */
export function eksClusterIssues(args: EksClusterArgs): string[] {
    const issues: string[] = [];
    const prod = args.environment === "prod";
    try {
        partitionOf(args.region);
    } catch (e) {
        issues.push(`region: ${(e as Error).message}`);
    }
    if (args.kubernetesVersion !== undefined && !/^1\.\d{2}$/.test(args.kubernetesVersion)) {
        issues.push(`kubernetesVersion: "${args.kubernetesVersion}" must be a Kubernetes minor version such as "${DEFAULT_KUBERNETES_VERSION}"`);
    }
    if (args.existingVpc === undefined) {
        try {
            subnetLayout(args.vpc?.cidr ?? "10.0.0.0/16", args.vpc?.availabilityZones ?? 3);
        } catch (e) {
            issues.push(`vpc: ${(e as Error).message}`);
        }
    } else if (args.existingVpc.privateSubnetIds.length < 2) {
        issues.push("existingVpc.privateSubnetIds: must list at least 2 private subnets (in different availability zones)");
    }
    const publicAccess = args.endpoint?.publicAccess ?? true;
    const cidrs = args.endpoint?.publicAccessCidrs ?? [];
    if (prod && publicAccess) {
        cidrs.forEach((c, i) => {
            if (c === "0.0.0.0/0") {
                issues.push(`endpoint.publicAccessCidrs[${i}]: 0.0.0.0/0 opens the API endpoint to the internet; prod allows only listed CIDRs (or publicAccess: false)`);
            }
        });
        if (cidrs.length === 0) {
            issues.push("endpoint.publicAccessCidrs: prod with publicAccess must list the CIDRs allowed to reach the API endpoint (none means 0.0.0.0/0), or set publicAccess: false");
        }
    }
    issues.push(...nodeGroupIssues(args.nodeGroups, prod));
    const principals = new Set<string>();
    (args.accessEntries ?? []).forEach((e, i) => {
        if (principals.has(e.principalArn)) {
            issues.push(`accessEntries[${i}].principalArn: ${e.principalArn} is listed twice`);
        }
        principals.add(e.principalArn);
    });
    return issues;
}

/** EKS cluster with meshgate's secure defaults (see the module comment). Implements {@link ClusterConnection}. */
export class EksCluster extends pulumi.ComponentResource implements ClusterConnection {
    public readonly provider: k8s.Provider;
    public readonly clusterName: pulumi.Output<string>;
    public readonly loadBalancer: "aws-nlb" | "generic";
    public readonly loadBalancerReady: pulumi.Resource[];
    public readonly workloadsReady: pulumi.Resource[];
    public readonly storageReady: pulumi.Resource[];
    /** The default StorageClass meshgate creates (`gp3`). */
    public readonly storageClassName: string;
    public readonly managedControlPlane = true;
    public readonly oidc: OidcIdentity;
    /** kubeconfig (JSON) using `aws eks get-token`; secret. */
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly cluster: aws.eks.Cluster;
    public readonly region: string;
    public readonly vpcId: pulumi.Output<string>;
    public readonly privateSubnetIds: pulumi.Output<string>[];
    public readonly publicSubnetIds: pulumi.Output<string>[];
    /** The KMS key encrypting Kubernetes secrets. */
    public readonly secretsKey: aws.kms.Key;
    public readonly nodeRole: aws.iam.Role;
    public readonly nodeGroups: Readonly<Record<string, aws.eks.NodeGroup>>;
    public readonly addons: Readonly<Record<AddonName, aws.eks.Addon>>;
    public readonly loadBalancerController?: LoadBalancerController;
    public readonly metricsServer?: MetricsServer;
    public readonly clusterAutoscaler?: ClusterAutoscaler;

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("meshgate:cluster:EksCluster", name, {}, opts);
        const issues = eksClusterIssues(args);
        if (issues.length > 0) {
            throw new Error(`EksCluster ${name}: invalid arguments:\n${issues.map((i) => `  - ${i}`).join("\n")}`);
        }
        const a = { ...defaults, ...definedOnly(args) };
        const p = partitionOf(a.region);
        const region = a.region;
        this.region = region;
        const prod = a.environment === "prod";
        const tags = awsTags(a.environment, a.tags);
        const parent = { parent: this };

        // ---------------------------------------------------------------- network
        let network: EksVpc | undefined;
        if (a.existingVpc !== undefined) {
            this.vpcId = pulumi.output(a.existingVpc.vpcId);
            this.privateSubnetIds = a.existingVpc.privateSubnetIds.map((s) => pulumi.output(s));
            this.publicSubnetIds = (a.existingVpc.publicSubnetIds ?? []).map((s) => pulumi.output(s));
        } else {
            network = new EksVpc(
                `${name}-network`,
                { environment: a.environment, region, cidr: a.vpc.cidr, availabilityZones: a.vpc.availabilityZones, natGateways: a.vpc.natGateways, availabilityZoneNames: a.vpc.availabilityZoneNames, tags: a.tags },
                parent,
            );
            this.vpcId = network.vpcId;
            this.privateSubnetIds = network.privateSubnetIds;
            this.publicSubnetIds = network.publicSubnetIds;
        }

        // ---------------------------------------------------------------- control plane
        this.secretsKey = new aws.kms.Key(
            `${name}-secrets`,
            { description: `EKS secrets envelope encryption (${name})`, enableKeyRotation: true, deletionWindowInDays: 30, keyUsage: "ENCRYPT_DECRYPT", customerMasterKeySpec: "SYMMETRIC_DEFAULT", region, tags },
            parent,
        );
        const clusterRole = new aws.iam.Role(`${name}-cluster-role`, { assumeRolePolicy: JSON.stringify(serviceTrustPolicy(EKS_PRINCIPAL, true)), description: `EKS control plane (${name})`, tags }, parent);
        const clusterRoleEks = new aws.iam.RolePolicyAttachment(`${name}-cluster-role-eks`, { role: clusterRole.name, policyArn: managedPolicyArn(p, "AmazonEKSClusterPolicy") }, parent);
        const clusterRoleKms = new aws.iam.RolePolicy(
            `${name}-cluster-role-kms`,
            { role: clusterRole.name, policy: this.secretsKey.arn.apply((arn) => JSON.stringify(clusterKmsPolicy(arn))) },
            parent,
        );
        const clusterRoleArn = pulumi.all([clusterRole.arn, clusterRoleEks.id, clusterRoleKms.id]).apply(([arn]) => arn);

        const publicAccess = a.endpoint.publicAccess ?? true;
        const cidrs = a.endpoint.publicAccessCidrs ?? [];
        this.cluster = new aws.eks.Cluster(
            `${name}-cluster`,
            {
                version: a.kubernetesVersion,
                roleArn: clusterRoleArn,
                vpcConfig: {
                    subnetIds: this.privateSubnetIds,
                    endpointPrivateAccess: true,
                    endpointPublicAccess: publicAccess,
                    // Explicit even outside prod: an omitted list means 0.0.0.0/0.
                    publicAccessCidrs: publicAccess ? (cidrs.length > 0 ? [...cidrs] : ["0.0.0.0/0"]) : undefined,
                },
                accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: a.bootstrapCreatorAdmin },
                // The core add-ons are EKS add-ons below, not the self-managed bootstrap ones.
                bootstrapSelfManagedAddons: false,
                enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
                encryptionConfig: { provider: { keyArn: this.secretsKey.arn }, resources: ["secrets"] },
                deletionProtection: a.deletionProtection ?? prod,
                region,
                tags,
            },
            parent,
        );
        this.clusterName = this.cluster.name;

        const issuerUrl = this.cluster.identities.apply((ids) => {
            // AWS always returns `identities`; a unit-test mock whose state is the inputs
            // (Pulumi's testing guide) does not: stand in the issuer's form then.
            const issuer = ids === undefined ? `https://oidc.eks.${region}.amazonaws.com/id/MOCKED` : ids[0]?.oidcs?.[0]?.issuer;
            if (issuer === undefined) {
                throw new Error(`EKS cluster ${name} reports no OIDC issuer`);
            }
            return issuer;
        });
        const oidcProvider = new aws.iam.OpenIdConnectProvider(`${name}-oidc`, { url: issuerUrl, clientIdLists: ["sts.amazonaws.com"], tags }, parent);
        this.oidc = { providerArn: oidcProvider.arn, issuerUrl };

        // ---------------------------------------------------------------- access entries
        accessEntryNames(a.accessEntries).forEach(({ spec, key }) => {
            const entry = new aws.eks.AccessEntry(`${name}-access-${key}`, { clusterName: this.cluster.name, principalArn: spec.principalArn, type: "STANDARD", region, tags }, parent);
            const namespaces = spec.namespaces ?? [];
            new aws.eks.AccessPolicyAssociation(
                `${name}-access-${key}`,
                {
                    clusterName: this.cluster.name,
                    principalArn: entry.principalArn,
                    policyArn: `arn:${p.partition}:eks::aws:cluster-access-policy/${ACCESS_POLICIES[spec.accessPolicy ?? "view"]}`,
                    accessScope: namespaces.length > 0 ? { type: "namespace", namespaces: [...namespaces] } : { type: "cluster" },
                    region,
                },
                parent,
            );
        });

        // ---------------------------------------------------------------- add-ons before nodes
        const addon = (addonName: AddonName, serviceAccountRoleArn: pulumi.Input<string> | undefined, dependsOn: pulumi.Resource[]) => {
            const spec = a.addons[addonName] ?? {};
            return new aws.eks.Addon(
                `${name}-${addonName}`,
                {
                    clusterName: this.cluster.name,
                    addonName,
                    addonVersion: spec.version,
                    configurationValues: spec.configuration === undefined ? undefined : JSON.stringify(spec.configuration),
                    serviceAccountRoleArn,
                    resolveConflictsOnCreate: "OVERWRITE",
                    resolveConflictsOnUpdate: "OVERWRITE",
                    region,
                    tags,
                },
                { parent: this, dependsOn },
            );
        };
        const cniRole = irsaRole(
            `${name}-vpc-cni`,
            { serviceAccount: "aws-node", namespace: "kube-system", oidc: this.oidc, policyArns: { cni: managedPolicyArn(p, "AmazonEKS_CNI_Policy") }, tags, description: `VPC CNI (${name})` },
            parent,
        );
        const vpcCni = addon("vpc-cni", cniRole.arn, []);
        const kubeProxy = addon("kube-proxy", undefined, []);

        // ---------------------------------------------------------------- nodes
        this.nodeRole = new aws.iam.Role(`${name}-node-role`, { assumeRolePolicy: JSON.stringify(serviceTrustPolicy(ec2Principal(p))), description: `EKS nodes (${name})`, tags }, parent);
        const nodeAttachments = [
            ["worker", "AmazonEKSWorkerNodePolicy"],
            ["ecr", "AmazonEC2ContainerRegistryPullOnly"],
        ].map(([key, policy]) => new aws.iam.RolePolicyAttachment(`${name}-node-role-${key}`, { role: this.nodeRole.name, policyArn: managedPolicyArn(p, policy) }, parent));
        const nodeRoleArn = pulumi.all([this.nodeRole.arn, ...nodeAttachments.map((x) => x.id)]).apply(([arn]) => arn);

        const nodeGroups: Record<string, aws.eks.NodeGroup> = {};
        for (const spec of a.nodeGroups) {
            const groupTags = awsTags(a.environment, a.tags, { Name: `${name}-${spec.name}`, "meshgate.io/node-group": spec.name });
            const lt = new aws.ec2.LaunchTemplate(`${name}-${spec.name}`, launchTemplateArgs(spec, region, groupTags), parent);
            const instanceTypes = [...(spec.instanceTypes ?? nodeGroupDefaults.instanceTypes)];
            nodeGroups[spec.name] = new aws.eks.NodeGroup(
                `${name}-${spec.name}`,
                {
                    clusterName: this.cluster.name,
                    nodeRoleArn,
                    subnetIds: this.privateSubnetIds,
                    version: this.cluster.version,
                    amiType: spec.amiType ?? amiTypeFor(instanceTypes),
                    capacityType: spec.capacityType ?? nodeGroupDefaults.capacityType,
                    instanceTypes,
                    labels: { ...(spec.labels ?? {}) },
                    taints: [...(spec.taints ?? [])],
                    scalingConfig: scalingConfig(spec),
                    updateConfig: { maxUnavailable: 1 },
                    launchTemplate: { id: lt.id, version: lt.latestVersion.apply((v) => `${v}`) },
                    nodeRepairConfig: { enabled: true },
                    region,
                    tags: groupTags,
                },
                // Nodes need the CNI to become Ready and the NAT routes to reach ECR and EKS.
                // desiredSize is left to the cluster autoscaler once created.
                { parent: this, dependsOn: [vpcCni, kubeProxy, ...(network?.egressReady ?? [])], ignoreChanges: ["scalingConfig.desiredSize"] },
            );
        }
        this.nodeGroups = nodeGroups;
        const nodes = Object.values(nodeGroups);

        // ---------------------------------------------------------------- add-ons after nodes
        const coredns = addon("coredns", undefined, nodes);
        const ebsRole = irsaRole(
            `${name}-ebs-csi`,
            {
                serviceAccount: "ebs-csi-controller-sa",
                namespace: "kube-system",
                oidc: this.oidc,
                policyArns: { ebs: managedPolicyArn(p, "service-role/AmazonEBSCSIDriverPolicy") },
                tags,
                description: `EBS CSI driver (${name})`,
            },
            parent,
        );
        const ebsCsi = addon("aws-ebs-csi-driver", ebsRole.arn, nodes);
        this.addons = { "vpc-cni": vpcCni, "kube-proxy": kubeProxy, coredns, "aws-ebs-csi-driver": ebsCsi };

        // ---------------------------------------------------------------- Kubernetes access
        this.kubeconfig = pulumi.secret(
            pulumi
                .all([this.cluster.name, this.cluster.endpoint, this.cluster.certificateAuthority])
                // `ca` is undefined under unit-test mocks whose state is the inputs (Pulumi's testing guide).
                .apply(([clusterName, endpoint, ca]) =>
                    JSON.stringify(eksKubeconfig({ clusterName, endpoint, certificateAuthority: ca?.data ?? "", region, profile: a.kubeconfig.profile, roleArn: a.kubeconfig.roleArn })),
                ),
        );
        this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig }, parent);

        const coreReady: pulumi.Resource[] = [...nodes, vpcCni, kubeProxy, coredns];
        const lbEnabled = a.loadBalancerController.enabled ?? true;
        if (lbEnabled) {
            this.loadBalancerController = new LoadBalancerController(
                `${name}-lb-controller`,
                {
                    environment: a.environment,
                    region,
                    clusterName: this.cluster.name,
                    vpcId: this.vpcId,
                    oidc: this.oidc,
                    provider: this.provider,
                    dependsOn: coreReady,
                    chart: a.loadBalancerController.chart,
                    values: a.loadBalancerController.values,
                    tags: a.tags,
                },
                parent,
            );
        }
        this.loadBalancer = lbEnabled ? "aws-nlb" : "generic";
        this.loadBalancerReady = this.loadBalancerController === undefined ? [] : [this.loadBalancerController.release];
        this.workloadsReady = [...coreReady, ...this.loadBalancerReady];

        // ---------------------------------------------------------------- storage
        const sc = gp3StorageClass({ name: DEFAULT_STORAGE_CLASS });
        const storageClass = new k8s.storage.v1.StorageClass(`${name}-storage-class`, sc, { parent: this, provider: this.provider, dependsOn: [ebsCsi] });
        this.storageClassName = sc.metadata.name;
        this.storageReady = [ebsCsi, storageClass];

        // ---------------------------------------------------------------- autoscaling
        // Both create Services, so both wait for the LB controller's Service webhook (workloadsReady).
        const k8sOpts = { parent: this, providers: [this.provider] };
        if (a.metricsServer.enabled ?? true) {
            this.metricsServer = new MetricsServer(
                `${name}-metrics-server`,
                { highAvailability: prod, chart: a.metricsServer.chart, values: a.metricsServer.values, dependsOn: this.workloadsReady },
                k8sOpts,
            );
        }
        if (a.clusterAutoscaler.enabled ?? true) {
            this.clusterAutoscaler = new ClusterAutoscaler(
                `${name}-autoscaler`,
                {
                    environment: a.environment,
                    region,
                    clusterName: this.cluster.name,
                    clusterArn: this.cluster.arn,
                    oidc: this.oidc,
                    chart: a.clusterAutoscaler.chart,
                    values: a.clusterAutoscaler.values,
                    dependsOn: this.workloadsReady,
                    tags: a.tags,
                },
                k8sOpts,
            );
        }

        this.registerOutputs({
            clusterName: this.clusterName,
            kubeconfig: this.kubeconfig,
            vpcId: this.vpcId,
            oidcProviderArn: oidcProvider.arn,
            oidcIssuerUrl: issuerUrl,
            loadBalancer: this.loadBalancer,
        });
    }
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
