/**
 * The cluster autoscaler's IAM policy, least privilege. Upstream (kubernetes/autoscaler
 * cluster-autoscaler-chart-9.59.0, cluster-autoscaler/cloudprovider/aws/README.md, "IAM
 * Policy" / "Full Cluster Autoscaler Features Policy") lists the read actions on `*` and asks
 * to restrict the two write actions "by ... using tag based conditionals": here they apply only
 * to Auto Scaling groups tagged `k8s.io/cluster-autoscaler/<cluster>: owned`, the tag EKS puts
 * on the groups of its managed node groups, so the role cannot resize any other group in the
 * account. `eks:DescribeNodegroup` is limited to this cluster's node groups.
 */
import type { PolicyDocument } from "../aws/iam";

/** Read-only actions the autoscaler needs on every resource (they do not support resource-level permissions). */
export const AUTOSCALER_READ_ACTIONS = [
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeAutoScalingInstances",
    "autoscaling:DescribeLaunchConfigurations",
    "autoscaling:DescribeScalingActivities",
    "ec2:DescribeImages",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:GetInstanceTypesFromInstanceRequirements",
] as const;

/** The only actions that change anything. */
export const AUTOSCALER_WRITE_ACTIONS = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"] as const;

/** The ARN pattern of a cluster's node groups, from the cluster's ARN (`…:cluster/<name>` → `…:nodegroup/<name>/*`). */
export function nodegroupArnPattern(clusterArn: string): string {
    const at = clusterArn.indexOf(":cluster/");
    if (at < 0) {
        throw new Error(`"${clusterArn}" is not an EKS cluster ARN`);
    }
    return `${clusterArn.slice(0, at)}:nodegroup/${clusterArn.slice(at + ":cluster/".length)}/*`;
}

export function clusterAutoscalerPolicy(clusterName: string, clusterArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "Describe", Effect: "Allow", Action: [...AUTOSCALER_READ_ACTIONS], Resource: "*" },
            { Sid: "DescribeNodegroups", Effect: "Allow", Action: ["eks:DescribeNodegroup"], Resource: nodegroupArnPattern(clusterArn) },
            {
                Sid: "ScaleOwnGroups",
                Effect: "Allow",
                Action: [...AUTOSCALER_WRITE_ACTIONS],
                Resource: "*",
                Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
            },
        ],
    };
}
