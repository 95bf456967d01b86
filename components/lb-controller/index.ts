/**
 * The AWS Load Balancer Controller: its IAM policy (upstream's v3.5.0 iam_policy.json as
 * shipped in data/iam, see iam-policy.ts), an IRSA role trusted only by the controller's
 * service account, and the eks/aws-load-balancer-controller Helm release. The release waits
 * for the role's policy to be attached (it reads the role ARN from the IRSA `arn` output,
 * which resolves only after the attachment), so the controller never starts without
 * permissions.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartRef, type ChartRef } from "../versions";
import { awsTags, partitionOf } from "../aws/partition";
import { irsaRole } from "../aws/irsa";
import type { OidcIdentity } from "../aws/oidc";
import type { Environment } from "../config/schema";
import { definedOnly } from "../util";
import { deepMerge, helmRelease } from "../helm";
import { loadBalancerControllerPolicy } from "./iam-policy";
import { controllerValues } from "./values";

export { loadBalancerControllerPolicy } from "./iam-policy";
export { controllerValues, type LoadBalancerControllerValues } from "./values";

/** The chart id of eks/aws-load-balancer-controller in data/charts. */
export const LB_CONTROLLER_CHART = "aws-load-balancer-controller";

/** What the AWS Load Balancer Controller needs: the cluster, its OIDC identity, its VPC; chart, values and tags. */
export interface LoadBalancerControllerArgs {
    readonly environment: Environment;
    /** The cluster's region (passed to the controller, which then needs no IMDS). */
    readonly region: string;
    /** The EKS cluster's name. */
    readonly clusterName: pulumi.Input<string>;
    /** The cluster's VPC (passed to the controller, which then needs no IMDS). */
    readonly vpcId: pulumi.Input<string>;
    /** The cluster's OIDC provider, which the controller's IRSA role trusts. */
    readonly oidc: OidcIdentity;
    /** Kubernetes provider of the cluster. */
    readonly provider: k8s.Provider;
    /** What the release must wait for (node groups, core add-ons). @default [] */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
    /** Chart repository and version. @default eks/aws-load-balancer-controller 3.5.0 (components/versions.ts) */
    readonly chart?: Partial<ChartRef>;
    /** Helm release name (also the service account's name). @default "aws-load-balancer-controller" */
    readonly releaseName?: string;
    /** Namespace of the release. @default "kube-system" */
    readonly namespace?: string;
    /** Controller replicas (a PodDisruptionBudget keeps all but one up). @default 2 */
    readonly replicas?: number;
    /** Extra Helm values, deep-merged over meshgate's (the user wins). Keys must exist in the chart's values.yaml. @default {} */
    readonly values?: Readonly<Record<string, unknown>>;
    /** Tags for the IAM resources and for every AWS resource the controller creates. @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

const defaults: Required<Pick<LoadBalancerControllerArgs, "releaseName" | "namespace" | "replicas" | "values" | "tags" | "dependsOn">> = {
    releaseName: "aws-load-balancer-controller",
    namespace: "kube-system",
    replicas: 2,
    values: {},
    tags: {},
    dependsOn: [],
};

/** The AWS Load Balancer Controller: its IRSA role with the controller's IAM policy, and its Helm release in kube-system. */
export class LoadBalancerController extends pulumi.ComponentResource {
    /** The Helm release; Services of type LoadBalancer wait for it. */
    public readonly release: k8s.helm.v3.Release;
    public readonly role: aws.iam.Role;
    public readonly policy: aws.iam.Policy;
    /** The role's ARN once its policy is attached. */
    public readonly roleArn: pulumi.Output<string>;
    public readonly serviceAccount: string;

    constructor(name: string, args: LoadBalancerControllerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("meshgate:lb-controller:LoadBalancerController", name, {}, opts);
        const a = { ...defaults, ...definedOnly(args) };
        const { partition } = partitionOf(a.region);
        const tags = awsTags(a.environment, a.tags);
        const chart = chartRef("awsLoadBalancerController", a.chart);
        this.serviceAccount = a.releaseName;

        this.policy = new aws.iam.Policy(
            `${name}-policy`,
            { description: "AWS Load Balancer Controller v3.5 (meshgate)", policy: JSON.stringify(loadBalancerControllerPolicy(partition)), tags },
            { parent: this },
        );
        const irsa = irsaRole(
            `${name}-role`,
            {
                serviceAccount: this.serviceAccount,
                namespace: a.namespace,
                oidc: a.oidc,
                policyArns: { controller: this.policy.arn },
                tags,
                description: "AWS Load Balancer Controller (IRSA)",
            },
            { parent: this },
        );
        this.role = irsa.role;
        this.roleArn = irsa.arn;

        const values = deepMerge(
            {
                ...controllerValues({
                    releaseName: a.releaseName,
                    clusterName: a.clusterName,
                    region: a.region,
                    vpcId: a.vpcId,
                    roleArn: irsa.arn,
                    serviceAccount: this.serviceAccount,
                    replicas: a.replicas,
                    tags,
                }),
            },
            a.values,
        );
        this.release = helmRelease(
            `${name}-release`,
            { name: a.releaseName, chart: LB_CONTROLLER_CHART, version: chart.version, repository: chart.repository, namespace: a.namespace, values },
            a.namespace,
            { parent: this, provider: a.provider, dependsOn: a.dependsOn },
            // Wait for the Deployment (and its webhook) to be ready: Services created
            // before that are rejected by the controller's mutating webhook.
            { skipAwait: false, timeout: 600, atomic: true },
        );
        this.registerOutputs({ release: this.release, roleArn: this.roleArn });
    }
}
