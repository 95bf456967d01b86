/**
 * The Kubernetes cluster autoscaler for EKS managed node groups: it grows a node group (up to
 * its `maxSize`) when pods cannot be scheduled and shrinks it when nodes stay underused. Its
 * IAM policy is least privilege (iam-policy.ts) and reaches the pod through IRSA; the release
 * waits for the policy to be attached (the role ARN output resolves only then).
 *
 * Why cluster-autoscaler rather than Karpenter: meshgate's nodes are EKS managed node groups
 * with min/max sizes in the stack; the cluster autoscaler scales exactly those, with no
 * NodePool/EC2NodeClass, SQS interruption queue or node IAM role of its own to add.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { awsTags } from "../aws/partition";
import { irsaRole } from "../aws/irsa";
import type { OidcIdentity } from "../aws/oidc";
import type { Environment } from "../config/schema";
import { deepMerge, helmRelease, type HelmValues, type ReleaseSpec } from "../helm";
import { chartRef, type ChartRef } from "../versions";
import { clusterAutoscalerPolicy } from "./iam-policy";
import { CLUSTER_AUTOSCALER_SERVICE_ACCOUNT, clusterAutoscalerValues } from "./values";

export * from "./iam-policy";
export * from "./values";

/** The chart id of cluster-autoscaler in data/charts. */
export const CLUSTER_AUTOSCALER_CHART = "cluster-autoscaler";
export const CLUSTER_AUTOSCALER_RELEASE = "cluster-autoscaler";

/** What the cluster autoscaler needs: the cluster, its OIDC identity, its region; chart, values and tags. */
export interface ClusterAutoscalerArgs {
    readonly environment: Environment;
    readonly region: string;
    /** The EKS cluster. */
    readonly clusterName: pulumi.Input<string>;
    readonly clusterArn: pulumi.Input<string>;
    /** The cluster's OIDC provider, which the IRSA role trusts. */
    readonly oidc: OidcIdentity;
    /** Chart repository/version. @default cluster-autoscaler 9.59.0 (components/versions.ts) */
    readonly chart?: Partial<ChartRef>;
    /** Namespace of the release. @default "kube-system" */
    readonly namespace?: string;
    /** Extra values, deep-merged last (the user wins). @default {} */
    readonly values?: HelmValues;
    /** What the release waits for: nodes, core add-ons, the LB controller's Service webhook. @default [] */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
    /** Tags of the IAM resources. @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

/** The release as plain data; `clusterName` and `roleArn` may be outputs (pure). */
export function planClusterAutoscaler(args: Pick<ClusterAutoscalerArgs, "region" | "chart" | "namespace" | "values"> & { clusterName: unknown; roleArn: unknown }): ReleaseSpec {
    const chart = chartRef("clusterAutoscaler", args.chart);
    return {
        name: CLUSTER_AUTOSCALER_RELEASE,
        chart: CLUSTER_AUTOSCALER_CHART,
        version: chart.version,
        repository: chart.repository,
        namespace: args.namespace ?? "kube-system",
        values: deepMerge(clusterAutoscalerValues({ clusterName: args.clusterName, region: args.region, roleArn: args.roleArn }), args.values),
    };
}

/** The cluster autoscaler: grows and shrinks an EKS cluster's node groups, with its IRSA role and Helm release. */
export class ClusterAutoscaler extends pulumi.ComponentResource {
    public readonly release: k8s.helm.v3.Release;
    public readonly policy: aws.iam.Policy;
    /** The IRSA role's ARN once its policy is attached. */
    public readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: ClusterAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("meshgate:cluster:ClusterAutoscaler", name, {}, opts);
        const namespace = args.namespace ?? "kube-system";
        const tags = awsTags(args.environment, args.tags ?? {});
        this.policy = new aws.iam.Policy(
            `${name}-policy`,
            {
                description: "Kubernetes cluster autoscaler: scale this cluster's managed node groups only (meshgate)",
                policy: pulumi.all([args.clusterName, args.clusterArn]).apply(([clusterName, clusterArn]) => JSON.stringify(clusterAutoscalerPolicy(clusterName, clusterArn))),
                tags,
            },
            { parent: this },
        );
        const irsa = irsaRole(
            `${name}-role`,
            {
                serviceAccount: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
                namespace,
                oidc: args.oidc,
                policyArns: { autoscaler: this.policy.arn },
                tags,
                description: "Kubernetes cluster autoscaler (IRSA)",
            },
            { parent: this },
        );
        this.roleArn = irsa.arn;
        const spec = planClusterAutoscaler({ region: args.region, chart: args.chart, namespace, values: args.values, clusterName: args.clusterName, roleArn: irsa.arn });
        this.release = helmRelease(`${name}-release`, spec, spec.namespace, { parent: this, dependsOn: args.dependsOn ?? [] });
        this.registerOutputs({ status: this.release.status, roleArn: this.roleArn });
    }
}
