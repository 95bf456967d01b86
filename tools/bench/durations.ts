/**
 * How long `pulumi up` spends creating each kind of resource, from scratch, in
 * seconds: the duration table of the deploy critical-path estimate. Every
 * figure names where it comes from; "estimate" means no published measurement
 * was found and says what the figure is reasoned from. Figures are typical
 * values, not worst cases (see bench/README.md for the tails).
 */

export interface Duration {
    readonly seconds: number;
    /** Which table row gave the figure (e.g. `aws:eks/cluster:Cluster`, `helm:kong`). */
    readonly key: string;
    readonly source: string;
}

export interface ResourceLike {
    readonly type: string;
    readonly custom: boolean;
    readonly inputs: Record<string, unknown>;
}

interface Row {
    readonly seconds: number;
    readonly source: string;
}

const TF_LOGS = "terraform apply logs quoted in turbot/steampipe-plugin-aws#131 and #571 and terraform-aws-modules/terraform-aws-eks#2203";
const IAM_PROPAGATION =
    "API call of 1-4 s (steampipe-plugin-aws#131/#571 logs; pulumi/pulumi-eks#1819 shows RolePolicyAttachment created in ~1 s) plus ~8 s for IAM's eventual consistency before the role is first used (estimate: AWS documents IAM as eventually consistent without a figure; terraform-provider-aws retries on it, e.g. hashicorp/terraform-provider-aws#35736)";

/** By Pulumi type token. */
export const BY_TYPE: Readonly<Record<string, Row>> = {
    "aws:eks/cluster:Cluster": {
        seconds: 600,
        source: "aws/containers-roadmap#1227: control-plane creation averaged 15 min until AWS cut it by 40% to ~9 min on average; users there report 10-14 min. 10 min taken.",
    },
    "aws:eks/nodeGroup:NodeGroup": {
        seconds: 210,
        source: "umotif-public/terraform-aws-eks-node-group#7 ('Creation complete after 2m50s'); eksctl-io/eksctl#482 (node group stack CREATE_COMPLETE after 3m36s). 3.5 min taken.",
    },
    "aws:ec2/natGateway:NatGateway": {
        seconds: 100,
        source: "kubernetes/kops#944 ('can take up to 10 min', 2016) and #995 ('up to 5 min'); no recent measurement found: 100 s is an estimate at the low end of that range (NAT gateways are not on the critical path, the EKS control plane is).",
    },
    "aws:ec2/vpc:Vpc": { seconds: 15, source: `${TF_LOGS}: aws_vpc created after 13-24 s` },
    "aws:ec2/subnet:Subnet": { seconds: 5, source: `${TF_LOGS}: aws_subnet created after 3-10 s` },
    "aws:ec2/routeTableAssociation:RouteTableAssociation": { seconds: 1, source: `${TF_LOGS}: 'Creation complete after 1s'` },
    "aws:ec2/internetGateway:InternetGateway": { seconds: 3, source: "estimate: one CreateInternetGateway + AttachInternetGateway call" },
    "aws:ec2/eip:Eip": { seconds: 2, source: "estimate: one AllocateAddress call" },
    "aws:ec2/routeTable:RouteTable": { seconds: 3, source: "estimate: CreateRouteTable + one CreateRoute per route" },
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": { seconds: 3, source: "estimate: adopts the VPC's default group, revokes/authorizes rules" },
    "aws:ec2/launchTemplate:LaunchTemplate": { seconds: 2, source: "estimate: one CreateLaunchTemplate call" },
    "aws:iam/role:Role": { seconds: 3, source: "steampipe-plugin-aws#131/#571 logs: aws_iam_role created after 5-7 s; pulumi/pulumi-eks#1819: 1-2 s. 3 s taken." },
    "aws:iam/policy:Policy": { seconds: 2, source: "estimate: one CreatePolicy call (like Role)" },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": { seconds: 10, source: IAM_PROPAGATION },
    "aws:iam/rolePolicy:RolePolicy": { seconds: 10, source: IAM_PROPAGATION },
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": { seconds: 2, source: "estimate: one CreateOpenIDConnectProvider call" },
    "aws:cloudwatch/logGroup:LogGroup": { seconds: 2, source: "estimate: one CreateLogGroup and one PutRetentionPolicy call" },
    "aws:ec2/flowLog:FlowLog": { seconds: 5, source: "estimate: one CreateFlowLogs call; AWS validates the delivery role, which may need IAM propagation" },
    "aws:kms/key:Key": { seconds: 10, source: "estimate: CreateKey, then the provider waits for the key and its policy to propagate" },
    "aws:eks/accessEntry:AccessEntry": { seconds: 3, source: "estimate: one CreateAccessEntry call" },
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": {
        seconds: 5,
        source: "estimate: one AssociateAccessPolicy call, retried on IAM eventual-consistency errors (hashicorp/terraform-provider-aws#35736)",
    },
    "pulumi:providers:kubernetes": { seconds: 1, source: "estimate: provider configuration from the kubeconfig, no cloud call" },
    "kubernetes:core/v1:Namespace": { seconds: 2, source: "estimate: create, then Pulumi's await for status Active" },
    "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition": {
        seconds: 2,
        source: "estimate: create, then Pulumi's await for the Established condition (the Gateway API CRDs, before the kong release)",
    },
    "kubernetes:core/v1:Secret": { seconds: 1, source: "estimate: one API call, no await logic" },
    "kubernetes:core/v1:ConfigMap": { seconds: 1, source: "estimate: one API call, no await logic" },
    "kubernetes:core/v1:ServiceAccount": { seconds: 1, source: "estimate: one API call, no await logic" },
    "kubernetes:core/v1:PersistentVolumeClaim": {
        seconds: 2,
        source: "estimate: create; the EBS volume itself is made when a pod mounts it (WaitForFirstConsumer) and is counted in that release",
    },
    "kubernetes:networking.k8s.io/v1:Ingress": {
        seconds: 5,
        source: "Pulumi's Ingress await (@pulumi/kubernetes networking/v1/ingress.d.ts: backend Endpoints exist and .status.loadBalancer has an entry, which KIC publishes); a few seconds once Kong runs (estimate)",
    },
};

/** Services: Pulumi's await (@pulumi/kubernetes core/v1/service.d.ts) waits for ready endpoints, then "10 seconds for any stragglers". */
const SERVICE_WITH_SELECTOR: Row = {
    seconds: 12,
    source: "Pulumi's Service await (@pulumi/kubernetes core/v1/service.d.ts): ready endpoints, then a 10 s straggler wait; assumes the selected pods already run (otherwise the await times out after 10 min)",
};
const SERVICE_WITHOUT_SELECTOR: Row = { seconds: 1, source: "Pulumi's Service await skips the endpoint wait for a Service without a selector" };
const SKIP_AWAIT: Row = { seconds: 1, source: 'annotated pulumi.com/skipAwait: "true": Pulumi creates it and does not wait (@pulumi/kubernetes await docs)' };

/** True when the object carries `pulumi.com/skipAwait: "true"`: Pulumi's await logic does not run for it. */
export function skipsAwait(r: ResourceLike): boolean {
    const md = (r.inputs.metadata ?? {}) as { annotations?: Record<string, unknown> };
    return md.annotations?.["pulumi.com/skipAwait"] === "true";
}

const EKS_ADDON: Readonly<Record<string, Row>> = {
    "vpc-cni": { seconds: 60, source: "estimate: DaemonSet rollout; EKS reports ACTIVE once it is applied (no nodes needed)" },
    "kube-proxy": { seconds: 30, source: "estimate: DaemonSet rollout; EKS reports ACTIVE once it is applied (no nodes needed)" },
    coredns: {
        seconds: 90,
        source: "estimate: Deployment of 2 replicas once nodes exist; created before nodes it stays DEGRADED until the 20 min timeout (eksctl-io/eksctl#3748, terraform-aws-modules/terraform-aws-eks#3001, pulumi/pulumi-eks#1525); aws-ia/terraform-aws-eks-blueprints#642 reports up to 15 min even with nodes",
    },
    "aws-ebs-csi-driver": {
        seconds: 90,
        source: "estimate: controller Deployment + node DaemonSet once nodes exist; same DEGRADED/timeout behaviour as coredns without nodes (terraform-aws-modules/terraform-aws-eks#2596)",
    },
};
const EKS_ADDON_DEFAULT: Row = { seconds: 60, source: "estimate: an EKS add-on with pods" };

/** Helm charts: what they install (API groups of their CRDs, whether they run pods and create Services) and how long `helm install --wait` takes. */
export interface ChartFacts {
    readonly seconds: number;
    readonly source: string;
    /** API groups whose CRDs the chart installs. */
    readonly crdGroups: readonly string[];
    /** API groups whose CRDs another release must have installed before this chart's controller can start. */
    readonly watchesGroups?: readonly string[];
    /** Runs pods (so needs nodes, CNI and DNS). */
    readonly pods: boolean;
    /** Creates Services (so goes through the AWS LB controller's Service webhook on EKS). */
    readonly services: boolean;
}

const HELM_AWAIT = "Pulumi's helm.v3.Release waits for every resource to be ready (@pulumi/kubernetes helm/v3/release.d.ts, skipAwait default false)";

export const CHARTS: Readonly<Record<string, ChartFacts>> = {
    base: {
        seconds: 15,
        source: `${HELM_AWAIT}; istio/base installs CRDs, RBAC and a validating webhook configuration, no pods (estimate)`,
        crdGroups: ["networking.istio.io", "security.istio.io", "telemetry.istio.io", "extensions.istio.io"],
        pods: false,
        services: false,
    },
    istiod: {
        seconds: 60,
        source: `${HELM_AWAIT}; pilot image pull and readiness of 1-2 replicas (estimate)`,
        crdGroups: [],
        watchesGroups: ["networking.istio.io", "security.istio.io"],
        pods: true,
        services: true,
    },
    gateway: { seconds: 90, source: `${HELM_AWAIT}; gateway Deployment plus a LoadBalancer address (estimate)`, crdGroups: [], pods: true, services: true },
    kong: {
        seconds: 120,
        source: `${HELM_AWAIT}; proxy and ingress-controller containers plus the Istio sidecar, and the LoadBalancer Service's NLB address from the LB controller (estimate)`,
        crdGroups: ["configuration.konghq.com"],
        pods: true,
        services: true,
    },
    "kube-prometheus-stack": {
        seconds: 180,
        source: `${HELM_AWAIT}; admission-webhook certificate jobs (pre-install hooks), operator, Prometheus StatefulSet with its EBS volume, Grafana, kube-state-metrics, node-exporter (estimate)`,
        crdGroups: ["monitoring.coreos.com"],
        pods: true,
        services: true,
    },
    jaeger: { seconds: 60, source: `${HELM_AWAIT}; one all-in-one Jaeger v2 Deployment (estimate)`, crdGroups: [], pods: true, services: true },
    "aws-load-balancer-controller": {
        seconds: 60,
        source: `${HELM_AWAIT}; 2 controller replicas and their webhook certificate (estimate)`,
        crdGroups: ["elbv2.k8s.aws"],
        pods: true,
        services: true,
    },
    "kiali-server": { seconds: 60, source: `${HELM_AWAIT}; one Kiali Deployment (estimate)`, crdGroups: [], pods: true, services: true },
    "metrics-server": {
        seconds: 45,
        source: `${HELM_AWAIT}; 1-2 metrics-server replicas, readiness after the first kubelet scrape (readinessProbe initialDelaySeconds 20 in chart 3.13.1 values.yaml) (estimate)`,
        crdGroups: [],
        pods: true,
        services: true,
    },
    "cluster-autoscaler": { seconds: 45, source: `${HELM_AWAIT}; one cluster-autoscaler Deployment (estimate)`, crdGroups: [], pods: true, services: true },
};
const CHART_DEFAULT: ChartFacts = { seconds: 90, source: `${HELM_AWAIT}; an unknown chart (estimate)`, crdGroups: [], pods: true, services: true };

const CUSTOM_OBJECT: Row = {
    seconds: 1,
    source: "estimate: one API call; pulumi-kubernetes has no await logic for custom resources",
};
const OTHER_KUBERNETES: Row = { seconds: 1, source: "estimate: one API call" };
const RANDOM: Row = { seconds: 0, source: "computed locally by the provider" };
const UNKNOWN: Row = { seconds: 5, source: "estimate: a resource type the table does not list" };

/** The chart a Helm release installs (`inputs.chart`, the last path segment of an OCI reference). */
export function chartOf(r: ResourceLike): string | undefined {
    const chart = r.inputs.chart;
    return typeof chart === "string" ? chart.slice(chart.lastIndexOf("/") + 1) : undefined;
}

export function chartFacts(r: ResourceLike): ChartFacts {
    const chart = chartOf(r);
    return (chart !== undefined ? CHARTS[chart] : undefined) ?? CHART_DEFAULT;
}

export function isHelmRelease(r: { type: string }): boolean {
    return r.type === "kubernetes:helm.sh/v3:Release" || r.type === "kubernetes:helm.sh/v4:Chart";
}

/** The creation time of one resource; components take none (they complete when their children do). */
export function durationOf(r: ResourceLike): Duration {
    if (!r.custom) {
        return { seconds: 0, key: "component", source: "components do no work of their own" };
    }
    if (isHelmRelease(r)) {
        const chart = chartOf(r) ?? "?";
        const facts = chartFacts(r);
        return { seconds: facts.seconds, key: `helm:${chart}`, source: facts.source };
    }
    if (r.type === "aws:eks/addon:Addon") {
        const name = typeof r.inputs.addonName === "string" ? r.inputs.addonName : "?";
        const row = EKS_ADDON[name] ?? EKS_ADDON_DEFAULT;
        return { ...row, key: `eks-addon:${name}` };
    }
    if ((r.type === "kubernetes:core/v1:Service" || r.type === "kubernetes:networking.k8s.io/v1:Ingress") && skipsAwait(r)) {
        return { ...SKIP_AWAIT, key: "kubernetes:skip-await" };
    }
    if (r.type === "kubernetes:core/v1:Service") {
        const spec = r.inputs.spec as { selector?: Record<string, unknown> } | undefined;
        const row = spec?.selector !== undefined && Object.keys(spec.selector).length > 0 ? SERVICE_WITH_SELECTOR : SERVICE_WITHOUT_SELECTOR;
        return { ...row, key: row === SERVICE_WITH_SELECTOR ? "service:selector" : "service:no-selector" };
    }
    const row = BY_TYPE[r.type];
    if (row !== undefined) {
        return { ...row, key: r.type };
    }
    if (r.type.startsWith("random:")) {
        return { ...RANDOM, key: "random:*" };
    }
    if (r.type.startsWith("kubernetes:")) {
        const group = apiGroupOf(r.type);
        const builtin = group === "" || group.endsWith(".k8s.io") || !group.includes(".");
        return builtin ? { ...OTHER_KUBERNETES, key: "kubernetes:*" } : { ...CUSTOM_OBJECT, key: "kubernetes:custom-resource" };
    }
    return { ...UNKNOWN, key: "unknown" };
}

/** The API group of a Kubernetes type token: `kubernetes:networking.istio.io/v1:VirtualService` → `networking.istio.io`, `kubernetes:core/v1:Service` → "". */
export function apiGroupOf(type: string): string {
    const m = /^kubernetes:([^/:]+)\/[^:]+:/.exec(type);
    if (m === null) {
        return "";
    }
    return m[1] === "core" ? "" : m[1];
}

/** Every row of the table, for the README and results.json. */
export function durationTable(): { key: string; seconds: number; source: string }[] {
    return [
        ...Object.entries(BY_TYPE).map(([key, row]) => ({ key, ...row })),
        { key: "service:selector", ...SERVICE_WITH_SELECTOR },
        { key: "service:no-selector", ...SERVICE_WITHOUT_SELECTOR },
        { key: "kubernetes:skip-await", ...SKIP_AWAIT },
        ...Object.entries(EKS_ADDON).map(([name, row]) => ({ key: `eks-addon:${name}`, ...row })),
        ...Object.entries(CHARTS).map(([chart, f]) => ({ key: `helm:${chart}`, seconds: f.seconds, source: f.source })),
        { key: "kubernetes:custom-resource", ...CUSTOM_OBJECT },
        { key: "kubernetes:*", ...OTHER_KUBERNETES },
        { key: "random:*", ...RANDOM },
    ];
}
