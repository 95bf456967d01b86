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
import { LoadBalancerController } from "../../lb-controller";
import { MetricsServer } from "../../metrics-server";
import { clusterKmsPolicy } from "../../aws/iam";
import { irsaRole } from "../../aws/irsa";
import { eksKubeconfig } from "../kubeconfig";
import type { ClusterConnection, OidcIdentity } from "../types";
import { ADDONS, type AddonName, type EksClusterArgs } from "./args";
import { planEksCluster, type AddonPlan } from "./plan";
import { EksVpc } from "./vpc";

export { EksVpc, subnetLayout, type EksVpcArgs, type SubnetLayout } from "./vpc";
export { amiTypeFor, launchTemplateArgs, scalingConfig, type NodeGroupSpec } from "./node-group";
export { eksClusterIssues, nodeGroupIssues } from "./issues";
export { ACCESS_POLICIES, ADDONS, CONTROL_PLANE_LOG_TYPES, DEFAULT_KUBERNETES_VERSION, type AccessEntrySpec, type AddonName, type AddonSpec, type EksClusterArgs } from "./args";
export { accessEntryNames, planEksCluster, type AccessEntryPlan, type AddonPlan, type ClusterReleasePlan, type EksClusterPlan, type IrsaPlan, type NodeGroupPlan } from "./plan";

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
        // Every setting is decided (and every argument checked) before anything is created.
        const plan = planEksCluster(name, args);
        const { region, tags } = plan;
        this.region = region;
        const parent = { parent: this };

        // ---------------------------------------------------------------- network
        let network: EksVpc | undefined;
        if (plan.network.kind === "existing") {
            this.vpcId = pulumi.output(plan.network.vpcId);
            this.privateSubnetIds = plan.network.privateSubnetIds.map((s) => pulumi.output(s));
            this.publicSubnetIds = (plan.network.publicSubnetIds ?? []).map((s) => pulumi.output(s));
        } else {
            network = new EksVpc(`${name}-network`, plan.network.vpc, parent);
            this.vpcId = network.vpcId;
            this.privateSubnetIds = network.privateSubnetIds;
            this.publicSubnetIds = network.publicSubnetIds;
        }

        // ---------------------------------------------------------------- control plane
        this.secretsKey = new aws.kms.Key(`${name}-secrets`, plan.secretsKey, parent);
        const clusterRole = new aws.iam.Role(
            `${name}-cluster-role`,
            { assumeRolePolicy: plan.clusterRole.assumeRolePolicy, description: plan.clusterRole.description, tags },
            parent,
        );
        const clusterRoleEks = new aws.iam.RolePolicyAttachment(`${name}-cluster-role-eks`, { role: clusterRole.name, policyArn: plan.clusterRole.policyArn }, parent);
        const clusterRoleKms = new aws.iam.RolePolicy(
            `${name}-cluster-role-kms`,
            { role: clusterRole.name, policy: this.secretsKey.arn.apply((arn) => JSON.stringify(clusterKmsPolicy(arn))) },
            parent,
        );
        const clusterRoleArn = pulumi.all([clusterRole.arn, clusterRoleEks.id, clusterRoleKms.id]).apply(([arn]) => arn);

        const cp = plan.controlPlane;
        this.cluster = new aws.eks.Cluster(
            `${name}-cluster`,
            {
                version: cp.version,
                roleArn: clusterRoleArn,
                vpcConfig: {
                    subnetIds: this.privateSubnetIds,
                    endpointPrivateAccess: true,
                    endpointPublicAccess: cp.endpointPublicAccess,
                    publicAccessCidrs: cp.publicAccessCidrs,
                },
                accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: cp.bootstrapCreatorAdmin },
                // The core add-ons are EKS add-ons below, not the self-managed bootstrap ones.
                bootstrapSelfManagedAddons: false,
                enabledClusterLogTypes: cp.logTypes,
                encryptionConfig: { provider: { keyArn: this.secretsKey.arn }, resources: ["secrets"] },
                deletionProtection: cp.deletionProtection,
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
        for (const e of plan.accessEntries) {
            const entry = new aws.eks.AccessEntry(
                `${name}-access-${e.key}`,
                { clusterName: this.cluster.name, principalArn: e.principalArn, type: "STANDARD", region, tags },
                parent,
            );
            new aws.eks.AccessPolicyAssociation(
                `${name}-access-${e.key}`,
                { clusterName: this.cluster.name, principalArn: entry.principalArn, policyArn: e.policyArn, accessScope: e.accessScope, region },
                parent,
            );
        }

        // ---------------------------------------------------------------- add-ons
        const addon = (addonName: AddonName, spec: AddonPlan, dependsOn: pulumi.Resource[]) => {
            const irsa = spec.irsa;
            const role =
                irsa === undefined
                    ? undefined
                    : irsaRole(
                          `${name}-${irsa.roleName}`,
                          { serviceAccount: irsa.serviceAccount, namespace: irsa.namespace, oidc: this.oidc, policyArns: irsa.policyArns, tags, description: irsa.description },
                          parent,
                      );
            return new aws.eks.Addon(
                `${name}-${addonName}`,
                {
                    clusterName: this.cluster.name,
                    addonName,
                    addonVersion: spec.addonVersion,
                    configurationValues: spec.configurationValues,
                    serviceAccountRoleArn: role?.arn,
                    resolveConflictsOnCreate: "OVERWRITE",
                    resolveConflictsOnUpdate: "OVERWRITE",
                    region,
                    tags,
                },
                { parent: this, dependsOn },
            );
        };
        const addons: Partial<Record<AddonName, aws.eks.Addon>> = {};
        for (const addonName of ADDONS.filter((n) => !plan.addons[n].afterNodes)) {
            addons[addonName] = addon(addonName, plan.addons[addonName], []);
        }
        const beforeNodes = Object.values(addons);

        // ---------------------------------------------------------------- nodes
        this.nodeRole = new aws.iam.Role(`${name}-node-role`, { assumeRolePolicy: plan.nodeRole.assumeRolePolicy, description: plan.nodeRole.description, tags }, parent);
        const nodeAttachments = plan.nodeRole.policyArns.map(
            ([key, policyArn]) => new aws.iam.RolePolicyAttachment(`${name}-node-role-${key}`, { role: this.nodeRole.name, policyArn }, parent),
        );
        const nodeRoleArn = pulumi.all([this.nodeRole.arn, ...nodeAttachments.map((x) => x.id)]).apply(([arn]) => arn);

        const nodeGroups: Record<string, aws.eks.NodeGroup> = {};
        for (const g of plan.nodeGroups) {
            const lt = new aws.ec2.LaunchTemplate(`${name}-${g.name}`, g.launchTemplate, parent);
            nodeGroups[g.name] = new aws.eks.NodeGroup(
                `${name}-${g.name}`,
                {
                    clusterName: this.cluster.name,
                    nodeRoleArn,
                    subnetIds: this.privateSubnetIds,
                    version: this.cluster.version,
                    amiType: g.amiType,
                    capacityType: g.capacityType,
                    instanceTypes: g.instanceTypes,
                    labels: g.labels,
                    taints: g.taints,
                    scalingConfig: g.scalingConfig,
                    updateConfig: { maxUnavailable: 1 },
                    launchTemplate: { id: lt.id, version: lt.latestVersion.apply((v) => `${v}`) },
                    nodeRepairConfig: { enabled: true },
                    region,
                    tags: g.tags,
                },
                // Nodes need the CNI to become Ready and the NAT routes to reach ECR and EKS.
                // desiredSize is left to the cluster autoscaler once created.
                { parent: this, dependsOn: [...beforeNodes, ...(network?.egressReady ?? [])], ignoreChanges: ["scalingConfig.desiredSize"] },
            );
        }
        this.nodeGroups = nodeGroups;
        const nodes = Object.values(nodeGroups);

        for (const addonName of ADDONS.filter((n) => plan.addons[n].afterNodes)) {
            addons[addonName] = addon(addonName, plan.addons[addonName], nodes);
        }
        this.addons = addons as Record<AddonName, aws.eks.Addon>;
        const { "vpc-cni": vpcCni, "kube-proxy": kubeProxy, coredns, "aws-ebs-csi-driver": ebsCsi } = this.addons;

        // ---------------------------------------------------------------- Kubernetes access
        this.kubeconfig = pulumi.secret(
            pulumi
                .all([this.cluster.name, this.cluster.endpoint, this.cluster.certificateAuthority])
                // `ca` is undefined under unit-test mocks whose state is the inputs (Pulumi's testing guide).
                .apply(([clusterName, endpoint, ca]) =>
                    JSON.stringify(
                        eksKubeconfig({ clusterName, endpoint, certificateAuthority: ca?.data ?? "", region, profile: plan.kubeconfig.profile, roleArn: plan.kubeconfig.roleArn }),
                    ),
                ),
        );
        this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig }, parent);

        const coreReady: pulumi.Resource[] = [...nodes, vpcCni, kubeProxy, coredns];
        if (plan.loadBalancerController !== undefined) {
            this.loadBalancerController = new LoadBalancerController(
                `${name}-lb-controller`,
                {
                    environment: plan.environment,
                    region,
                    clusterName: this.cluster.name,
                    vpcId: this.vpcId,
                    oidc: this.oidc,
                    provider: this.provider,
                    dependsOn: coreReady,
                    chart: plan.loadBalancerController.chart,
                    values: plan.loadBalancerController.values,
                    tags: plan.userTags,
                },
                parent,
            );
        }
        this.loadBalancer = plan.loadBalancerController !== undefined ? "aws-nlb" : "generic";
        this.loadBalancerReady = this.loadBalancerController === undefined ? [] : [this.loadBalancerController.release];
        this.workloadsReady = [...coreReady, ...this.loadBalancerReady];

        // ---------------------------------------------------------------- storage
        const storageClass = new k8s.storage.v1.StorageClass(`${name}-storage-class`, plan.storageClass, { parent: this, provider: this.provider, dependsOn: [ebsCsi] });
        this.storageClassName = plan.storageClass.metadata.name;
        this.storageReady = [ebsCsi, storageClass];

        // ---------------------------------------------------------------- autoscaling
        // Both create Services, so both wait for the LB controller's Service webhook (workloadsReady).
        const k8sOpts = { parent: this, providers: [this.provider] };
        if (plan.metricsServer !== undefined) {
            this.metricsServer = new MetricsServer(
                `${name}-metrics-server`,
                { highAvailability: plan.metricsServer.highAvailability, chart: plan.metricsServer.chart, values: plan.metricsServer.values, dependsOn: this.workloadsReady },
                k8sOpts,
            );
        }
        if (plan.clusterAutoscaler !== undefined) {
            this.clusterAutoscaler = new ClusterAutoscaler(
                `${name}-autoscaler`,
                {
                    environment: plan.environment,
                    region,
                    clusterName: this.cluster.name,
                    clusterArn: this.cluster.arn,
                    oidc: this.oidc,
                    chart: plan.clusterAutoscaler.chart,
                    values: plan.clusterAutoscaler.values,
                    dependsOn: this.workloadsReady,
                    tags: plan.userTags,
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
