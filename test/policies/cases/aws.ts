import { resource } from "../harness";
import type { RuleCases } from "./types";

const CLUSTER = "aws:eks/cluster:Cluster";
const ALL_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

function cluster(props: Record<string, unknown>) {
    return resource(CLUSTER, "main", {
        roleArn: "arn:aws:iam::111122223333:role/eks",
        vpcConfig: { subnetIds: ["subnet-1"], endpointPublicAccess: false },
        enabledClusterLogTypes: ALL_LOGS,
        encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:eu-west-1:111122223333:key/abc" } },
        ...props,
    });
}

function subnet(name: string, props: Record<string, unknown>) {
    return resource("aws:ec2/subnet:Subnet", name, { vpcId: "vpc-1", cidrBlock: "10.0.0.0/24", ...props });
}

function nodeGroup(subnets: { urn: string }[], props: Record<string, unknown> = {}) {
    return resource(
        "aws:eks/nodeGroup:NodeGroup",
        "workers",
        {
            clusterName: "main",
            nodeRoleArn: "arn:aws:iam::111122223333:role/node",
            subnetIds: subnets.map((_, i) => `subnet-${i}`),
            scalingConfig: { minSize: 3, desiredSize: 3, maxSize: 6 },
            ...props,
        },
        { propertyDependencies: { subnetIds: subnets.map((s) => s.urn) }, dependencies: subnets.map((s) => s.urn) },
    );
}

const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/ABC";
function irsaRole(condition: Record<string, unknown> | undefined) {
    return resource("aws:iam/role:Role", "lb-controller", {
        assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Federated: `arn:aws:iam::111122223333:oidc-provider/${ISSUER}` },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    ...(condition ? { Condition: condition } : {}),
                },
            ],
        }),
    });
}

const adminDoc = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
const scopedDoc = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["elasticloadbalancing:Describe*"], Resource: "*" }] };

export const awsCases: RuleCases[] = [
    {
        rule: "eks-public-endpoint-restricted",
        bad: [
            {
                name: "a public endpoint with no CIDR list (AWS default 0.0.0.0/0)",
                resources: [cluster({ vpcConfig: { subnetIds: ["s"] } })],
                expect: [/open to 0\.0\.0\.0\/0 \(vpcConfig\.publicAccessCidrs is unset\)/],
            },
            {
                name: "a public endpoint open to 0.0.0.0/0",
                resources: [cluster({ vpcConfig: { subnetIds: ["s"], endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } })],
                expect: [/open to 0\.0\.0\.0\/0; restrict/],
            },
            {
                name: "CIDRs outside the configured allow-list",
                resources: [cluster({ vpcConfig: { subnetIds: ["s"], endpointPublicAccess: true, publicAccessCidrs: ["198.51.100.0/24"] } })],
                config: { allowedCidrs: ["203.0.113.0/24"] },
                expect: [/198\.51\.100\.0\/24 not in the allowed list/],
            },
            {
                name: "any public endpoint when allowPublicEndpoint is false",
                resources: [cluster({ vpcConfig: { subnetIds: ["s"], endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } })],
                config: { allowPublicEndpoint: false },
                expect: [/public API endpoint is enabled/],
            },
        ],
        good: [
            { name: "a private endpoint", resources: [cluster({})] },
            {
                name: "a public endpoint restricted to an operator CIDR",
                resources: [cluster({ vpcConfig: { subnetIds: ["s"], endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } })],
            },
            { name: "CIDRs unknown before deployment", resources: [cluster({ vpcConfig: { subnetIds: ["s"], endpointPublicAccess: true, publicAccessCidrs: ["[unknown]"] } })] },
        ],
    },
    {
        rule: "eks-control-plane-logging",
        bad: [
            {
                name: "a cluster logging only the API server",
                resources: [cluster({ enabledClusterLogTypes: ["api"] })],
                expect: [/lacks audit, authenticator, controllerManager, scheduler/],
            },
        ],
        good: [
            { name: "a cluster with every log type", resources: [cluster({})] },
            { name: "a cluster with the configured types", resources: [cluster({ enabledClusterLogTypes: ["audit"] })], config: { requiredLogTypes: ["audit"] } },
        ],
    },
    {
        rule: "eks-secrets-encryption",
        bad: [
            { name: "a cluster without encryptionConfig", resources: [cluster({ encryptionConfig: undefined })], expect: [/does not cover "secrets"/] },
            {
                name: "an encryptionConfig without a key",
                resources: [cluster({ encryptionConfig: { resources: ["secrets"], provider: { keyArn: "" } } })],
                expect: [/keyArn is empty/],
            },
        ],
        good: [{ name: "secrets encrypted with a KMS key", resources: [cluster({})] }],
    },
    {
        rule: "kms-key-rotation",
        bad: [
            { name: "a symmetric key without rotation", resources: [resource("aws:kms/key:Key", "eks-secrets", { description: "x" })], expect: [/enableKeyRotation is not true/] },
        ],
        good: [
            { name: "a rotated key", resources: [resource("aws:kms/key:Key", "eks-secrets", { enableKeyRotation: true })] },
            { name: "a rotation setting unknown before deployment", resources: [resource("aws:kms/key:Key", "eks-secrets", { enableKeyRotation: { __pulumiUnknown: true } })] },
            {
                name: "an asymmetric signing key (cannot rotate)",
                resources: [resource("aws:kms/key:Key", "signer", { customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" })],
            },
        ],
    },
    {
        rule: "eks-nodegroup-private-subnets",
        bad: [
            (() => {
                const s = subnet("public-a", { mapPublicIpOnLaunch: true });
                return {
                    name: "a node group in a subnet that maps public IPs",
                    resources: [s, nodeGroup([s])],
                    expect: [/uses subnet public-a, which is public: mapPublicIpOnLaunch is true/],
                };
            })(),
            (() => {
                const s = subnet("elb-a", { tags: { "kubernetes.io/role/elb": "1" } });
                return { name: "a node group in a subnet tagged for internet-facing load balancers", resources: [s, nodeGroup([s])], expect: [/tagged kubernetes\.io\/role\/elb/] };
            })(),
        ],
        good: [
            (() => {
                const s = subnet("private-a", { tags: { "kubernetes.io/role/internal-elb": "1" } });
                return { name: "a node group in private subnets", resources: [s, nodeGroup([s])] };
            })(),
        ],
    },
    {
        rule: "ec2-vpc-flow-logs",
        bad: [{ name: "a VPC without a flow log", resources: [resource("aws:ec2/vpc:Vpc", "main", { cidrBlock: "10.0.0.0/16" })], expect: [/VPC main has no flow log/] }],
        good: [
            (() => {
                const vpc = resource("aws:ec2/vpc:Vpc", "main", { cidrBlock: "10.0.0.0/16" });
                const log = resource(
                    "aws:ec2/flowLog:FlowLog",
                    "main",
                    { vpcId: "vpc-1", trafficType: "ALL", logDestinationType: "cloud-watch-logs" },
                    { propertyDependencies: { vpcId: [vpc.urn] }, dependencies: [vpc.urn] },
                );
                return { name: "a VPC with a flow log", resources: [vpc, log] };
            })(),
        ],
    },
    {
        rule: "ec2-launch-template-imdsv2",
        bad: [
            {
                name: "a launch template without metadataOptions",
                resources: [resource("aws:ec2/launchTemplate:LaunchTemplate", "nodes", {})],
                expect: [/httpTokens is unset \(IMDSv1 allowed\)/],
            },
            {
                name: "httpTokens optional",
                resources: [resource("aws:ec2/launchTemplate:LaunchTemplate", "nodes", { metadataOptions: { httpTokens: "optional" } })],
                expect: [/httpTokens is "optional"/],
            },
        ],
        good: [
            {
                name: "httpTokens required",
                resources: [resource("aws:ec2/launchTemplate:LaunchTemplate", "nodes", { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } })],
            },
            { name: "the metadata endpoint disabled", resources: [resource("aws:ec2/launchTemplate:LaunchTemplate", "nodes", { metadataOptions: { httpEndpoint: "disabled" } })] },
        ],
    },
    {
        rule: "eks-nodegroup-min-size-prod",
        bad: [
            {
                name: "a production node group with one node minimum",
                resources: [nodeGroup([], { tags: { "meshgate.io/environment": "prod" }, scalingConfig: { minSize: 1, desiredSize: 1, maxSize: 3 } })],
                expect: [/minSize is 1 in environment "prod"; production needs at least 2/],
            },
            {
                name: "a node group below a configured minimum",
                resources: [nodeGroup([], { tags: { "meshgate.io/environment": "production" }, scalingConfig: { minSize: 2, desiredSize: 2, maxSize: 3 } })],
                config: { minSize: 3 },
                expect: [/needs at least 3/],
            },
        ],
        good: [
            { name: "a production node group with three nodes", resources: [nodeGroup([], { tags: { "meshgate.io/environment": "prod" } })] },
            {
                name: "a dev node group with one node",
                resources: [nodeGroup([], { tags: { "meshgate.io/environment": "dev" }, scalingConfig: { minSize: 1, desiredSize: 1, maxSize: 2 } })],
            },
        ],
    },
    {
        rule: "iam-irsa-trust-conditions",
        bad: [
            { name: "a web-identity trust without conditions", resources: [irsaRole(undefined)], expect: [/no ":sub" condition/, /no ":aud" condition/] },
            {
                name: "a :sub condition matching every namespace",
                resources: [irsaRole({ StringLike: { [`${ISSUER}:sub`]: "system:serviceaccount:*:*" }, StringEquals: { [`${ISSUER}:aud`]: "sts.amazonaws.com" } })],
                expect: [/matches service accounts in any namespace/],
            },
        ],
        good: [
            {
                name: "a trust pinned to one service account and the STS audience",
                resources: [
                    irsaRole({ StringEquals: { [`${ISSUER}:sub`]: "system:serviceaccount:kube-system:aws-load-balancer-controller", [`${ISSUER}:aud`]: "sts.amazonaws.com" } }),
                ],
            },
            {
                name: "a role assumed by an AWS service",
                resources: [
                    resource("aws:iam/role:Role", "node", {
                        assumeRolePolicy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] },
                    }),
                ],
            },
        ],
    },
    {
        rule: "iam-no-wildcard-admin",
        bad: [
            {
                name: "a policy granting * on * (JSON text)",
                resources: [resource("aws:iam/policy:Policy", "admin", { policy: JSON.stringify(adminDoc) })],
                expect: [/the policy allows Action "\*" on Resource "\*"/],
            },
            {
                name: "an inline role policy granting * on * (object)",
                resources: [resource("aws:iam/rolePolicy:RolePolicy", "admin", { role: "r", policy: adminDoc })],
                expect: [/inline role policy allows Action "\*"/],
            },
            {
                name: "a role with AdministratorAccess",
                resources: [resource("aws:iam/role:Role", "ops", { assumeRolePolicy: "{}", managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] })],
                expect: [/managedPolicyArns attaches AdministratorAccess/],
            },
            {
                name: "an AdministratorAccess attachment",
                resources: [resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "ops-admin", { role: "ops", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" })],
                expect: [/the attachment attaches AdministratorAccess/],
            },
        ],
        good: [
            { name: "a scoped policy", resources: [resource("aws:iam/policy:Policy", "lbc", { policy: JSON.stringify(scopedDoc) })] },
            {
                name: "a role with scoped inline policies",
                resources: [resource("aws:iam/role:Role", "lbc", { assumeRolePolicy: "{}", inlinePolicies: [{ name: "lbc", policy: JSON.stringify(scopedDoc) }] })],
            },
        ],
    },
    {
        rule: "aws-placeholder-values",
        bad: [
            {
                name: "an access entry for a role in AWS's documentation account",
                resources: [
                    resource("aws:eks/accessEntry:AccessEntry", "admins", {
                        clusterName: "main",
                        principalArn: "arn:aws:iam::123456789012:role/platform-admins",
                        type: "STANDARD",
                    }),
                ],
                expect: [/principalArn: arn:aws:iam::123456789012:role\/platform-admins is in account 123456789012, an AWS documentation example/],
            },
            {
                name: "an API endpoint open only to TEST-NET-2",
                resources: [cluster({ vpcConfig: { subnetIds: ["subnet-1"], endpointPublicAccess: true, publicAccessCidrs: ["198.51.100.0/24"] } })],
                expect: [/vpcConfig\.publicAccessCidrs\[0\]: 198\.51\.100\.0\/24 is an RFC 5737 documentation range/],
            },
        ],
        good: [
            {
                name: "a real-looking account and CIDR",
                resources: [
                    resource("aws:eks/accessEntry:AccessEntry", "admins", { clusterName: "main", principalArn: "arn:aws:iam::210987654321:role/platform-admins" }),
                    cluster({ vpcConfig: { subnetIds: ["subnet-1"], endpointPublicAccess: true, publicAccessCidrs: ["81.2.69.0/24"] } }),
                ],
            },
            {
                name: "an ARN another resource of the stack outputs (the offline plan's mocks use 123456789012)",
                resources: [resource("aws:eks/addon:Addon", "cni", { addonName: "vpc-cni", serviceAccountRoleArn: "arn:aws:iam::123456789012:role/cni" })],
            },
        ],
    },
];
