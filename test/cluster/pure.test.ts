/**
 * The pure helpers behind the cluster components: subnet layout, AMI type,
 * partitions, trust policies, kubeconfig, argument checks, and that a validated
 * stack config maps onto EksClusterArgs field for field.
 */
import * as assert from "node:assert/strict";
import {
    accessEntryNames,
    amiTypeFor,
    awsTags,
    DEFAULT_KUBERNETES_VERSION,
    eksClusterIssues,
    eksKubeconfig,
    irsaTrustPolicy,
    partitionOf,
    scalingConfig,
    subnetLayout,
    type EksClusterArgs,
} from "../../components/cluster";
import { ec2Principal } from "../../components/aws/partition";
import { deepMerge, releaseChartSource } from "../../components/helm";
import { checkStackConfig, clusterSchema } from "../../components/config";
import { runProgram } from "../../tools/plan/runtime";
import { countByType, eksArgs, eksProgram } from "./helpers";

describe("cluster helpers", () => {
    describe("subnetLayout", () => {
        it("gives each zone an eighth of the VPC for private subnets and a /22 (in a /16) from the last eighth for public ones", () => {
            assert.deepEqual(subnetLayout("10.0.0.0/16", 3), {
                private: ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"],
                public: ["10.0.224.0/22", "10.0.228.0/22", "10.0.232.0/22"],
            });
            const six = subnetLayout("172.16.0.0/20", 6);
            assert.equal(six.private[5], "172.16.10.0/23");
            assert.equal(six.public[5], "172.16.15.64/26");
        });

        it("refuses CIDRs it cannot split and zone counts outside 2..6", () => {
            assert.throws(() => subnetLayout("10.0.0.0/24", 3), /from \/16 to \/22/);
            assert.throws(() => subnetLayout("10.0.1.0/16", 3), /not the network address/);
            assert.throws(() => subnetLayout("10.0.0.0/16", 7), /from 2 to 6/);
            assert.throws(() => subnetLayout("10.0.0.300/16", 3), /not an IPv4 CIDR/);
        });
    });

    describe("amiTypeFor", () => {
        it("picks the AL2023 AMI of the instance types' architecture", () => {
            assert.equal(amiTypeFor(["m6i.large", "m7i-flex.large", "g5.xlarge", "c6in.xlarge"]), "AL2023_x86_64_STANDARD");
            assert.equal(amiTypeFor(["m7g.large", "c7gn.xlarge", "r8gd.2xlarge", "t4g.medium", "im4gn.large"]), "AL2023_ARM_64_STANDARD");
            assert.throws(() => amiTypeFor(["m7g.large", "m6i.large"]), /mix arm64/);
        });
    });

    it("derives the partition from the region, without asking AWS", () => {
        assert.deepEqual(partitionOf("eu-west-1"), { partition: "aws", dnsSuffix: "amazonaws.com" });
        assert.deepEqual(partitionOf("cn-north-1"), { partition: "aws-cn", dnsSuffix: "amazonaws.com.cn" });
        assert.equal(partitionOf("us-gov-west-1").partition, "aws-us-gov");
        assert.equal(ec2Principal(partitionOf("cn-northwest-1")), "ec2.amazonaws.com.cn");
        assert.throws(() => partitionOf("us-iso-east-1"), /partitions/);
    });

    it("tags with the environment last, so a user tag cannot override it", () => {
        assert.deepEqual(awsTags("prod", { "meshgate.io/environment": "dev", team: "x" }), { "meshgate.io/environment": "prod", team: "x" });
    });

    it("builds an IRSA trust policy bound to one service account and the STS audience", () => {
        const doc = irsaTrustPolicy(
            { providerArn: "arn:aws:iam::1:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC", issuerUrl: "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC" },
            "ns",
            "sa",
        );
        assert.deepEqual(doc.Statement, [
            {
                Effect: "Allow",
                Principal: { Federated: "arn:aws:iam::1:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC" },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:ns:sa",
                        "oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
                    },
                },
            },
        ]);
    });

    it("writes a kubeconfig that authenticates with aws eks get-token and holds no credential", () => {
        const kc = eksKubeconfig({
            clusterName: "c",
            endpoint: "https://x.eks.amazonaws.com",
            certificateAuthority: "Q0E=",
            region: "eu-west-1",
            roleArn: "arn:aws:iam::1:role/deployer",
        });
        const user = (kc.users as { user: { exec: { command: string; args: string[]; apiVersion: string } } }[])[0].user;
        assert.equal(user.exec.command, "aws");
        assert.deepEqual(user.exec.args, ["eks", "get-token", "--cluster-name", "c", "--region", "eu-west-1", "--output", "json", "--role-arn", "arn:aws:iam::1:role/deployer"]);
        assert.equal(user.exec.apiVersion, "client.authentication.k8s.io/v1beta1");
        assert.ok(!/token:|client-key|password/.test(JSON.stringify(kc)));
    });

    it("names access entries after their principal, stably and without clashes", () => {
        const keys = accessEntryNames([
            { principalArn: "arn:aws:iam::123456789012:role/Admin" },
            { principalArn: "arn:aws:iam::123456789012:role/team/Admin" },
            { principalArn: "arn:aws:iam::123456789012:user/alice.smith" },
        ]).map((e) => e.key);
        assert.deepEqual(keys, ["role-admin", "role-admin-2", "user-alice-smith"]);
    });

    it("defaults desiredSize to minSize, and to 1 for a group that may scale to zero", () => {
        assert.deepEqual(scalingConfig({ name: "a", minSize: 2, maxSize: 4 }), { minSize: 2, maxSize: 4, desiredSize: 2 });
        assert.deepEqual(scalingConfig({ name: "a", minSize: 0, maxSize: 4 }), { minSize: 0, maxSize: 4, desiredSize: 1 });
    });

    it("deep-merges Helm values: maps key by key, lists and scalars replaced", () => {
        assert.deepEqual(deepMerge({ a: { b: 1, c: [1] }, d: 1 }, { a: { c: [2], e: 3 }, d: undefined }), { a: { b: 1, c: [2], e: 3 }, d: 1 });
    });

    it("names a release's chart by name and repository over HTTPS, by full reference from an OCI registry", () => {
        assert.deepEqual(releaseChartSource("kong", "https://charts.konghq.com"), { chart: "kong", repositoryOpts: { repo: "https://charts.konghq.com" } });
        assert.deepEqual(releaseChartSource("kong", "oci://mirror.example/charts/"), { chart: "oci://mirror.example/charts/kong" });
    });

    it("reports every problem with EksCluster args at once, with its field", () => {
        const issues = eksClusterIssues({
            environment: "prod",
            region: "eu-west-1",
            kubernetesVersion: "1.35.2",
            vpc: { cidr: "10.0.0.0/8" },
            endpoint: { publicAccessCidrs: ["0.0.0.0/0"] },
            nodeGroups: [
                { name: "a", minSize: 1, maxSize: 3 },
                { name: "a", minSize: 4, maxSize: 3, instanceTypes: ["m7g.large", "m6i.large"] },
            ],
            accessEntries: [{ principalArn: "arn:aws:iam::210987654321:role/x" }, { principalArn: "arn:aws:iam::210987654321:role/x" }, { principalArn: "arn:aws:iam::1:role/y" }],
        });
        const fields = issues.map((i) => i.split(":")[0]);
        assert.deepEqual(fields, [
            "kubernetesVersion",
            "vpc",
            "endpoint.publicAccessCidrs[0]",
            "nodeGroups[0].minSize",
            "nodeGroups[1].minSize",
            "nodeGroups[1].name",
            "nodeGroups[1].instanceTypes",
            "accessEntries[2].principalArn",
            "accessEntries[1].principalArn",
        ]);
        assert.deepEqual(eksClusterIssues(eksArgs("prod")), []);
    });

    it("checks EksCluster args with the stack config's own rules and messages (schema pieces and eks-checks)", () => {
        const args: EksClusterArgs = {
            environment: "prod",
            region: "eu-west-1",
            endpoint: { publicAccess: true, publicAccessCidrs: [] },
            nodeGroups: [{ name: "Bad_Name", minSize: 2, maxSize: 3, diskSizeGiB: 10 }],
        };
        const fromArgs = eksClusterIssues(args);
        const fromConfig = checkStackConfig({
            environment: "prod",
            cluster: {
                type: "eks",
                region: "eu-west-1",
                endpoint: { publicAccess: true, publicAccessCidrs: [] },
                nodeGroups: [{ name: "Bad_Name", minSize: 2, maxSize: 3, diskSizeGiB: 10 }],
            },
        })
            .issues.filter((i) => i.path.startsWith("cluster."))
            .map((i) => `${i.path.slice("cluster.".length)}: ${i.message}`);
        // The config stops at the schema for a cluster that does not parse; the component reports the rule too.
        assert.equal(fromConfig.length, 2, fromConfig.join("\n"));
        assert.deepEqual(
            fromArgs.filter((i) => fromConfig.includes(i)),
            fromConfig,
        );
        assert.deepEqual(
            fromArgs.filter((i) => !fromConfig.includes(i)).map((i) => i.split(":")[0]),
            ["endpoint.publicAccessCidrs"],
        );
        assert.ok(fromConfig.some((i) => i.startsWith("nodeGroups[0].diskSizeGiB: ")));
    });

    it("takes a validated stack's cluster config as EksClusterArgs, field for field", () => {
        const parsed = clusterSchema.parse({
            type: "eks",
            region: "eu-west-1",
            endpoint: { publicAccessCidrs: ["203.0.113.0/24"] },
            nodeGroups: [{ name: "system", minSize: 2, maxSize: 4 }],
            accessEntries: [{ principalArn: "arn:aws:iam::123456789012:role/Admin", accessPolicy: "admin", namespaces: ["users"] }],
        });
        assert.ok(parsed.type === "eks", parsed.type);
        const { type: _type, ...cluster } = parsed;
        const args: EksClusterArgs = { ...cluster, environment: "prod", tags: {} };
        assert.deepEqual(eksClusterIssues(args), []);
        assert.equal(args.nodeGroups[0].instanceTypes?.[0], "m6i.large");
    });

    it(`defaults to Kubernetes ${DEFAULT_KUBERNETES_VERSION} (in EKS standard support until 2027-03-27)`, () => {
        assert.equal(DEFAULT_KUBERNETES_VERSION, "1.35");
    });

    it("registers 60 resources for a 3-AZ dev cluster and 66 for prod (NAT, EIP and route table per zone)", async () => {
        const dev = await runProgram(eksProgram(eksArgs("dev")), { stack: "dev" });
        const prod = await runProgram(eksProgram(eksArgs("prod")), { stack: "prod" });
        const withoutStack = (n: number) => n - 1;
        // 52 + the StorageClass, metrics-server (component, release), the autoscaler (component, policy, role, attachment, release).
        assert.equal(withoutStack(dev.resources.length), 60);
        assert.equal(withoutStack(prod.resources.length), 66);
        const d = countByType(dev);
        const p = countByType(prod);
        assert.deepEqual([d["aws:ec2/natGateway:NatGateway"], p["aws:ec2/natGateway:NatGateway"]], [1, 3]);
        assert.equal(
            dev.resources.filter((r) => r.type.startsWith("aws:")).length,
            50,
            "43 + flow logs (log group, role, role policy, flow log) + the autoscaler's policy, role and attachment",
        );
        assert.equal(prod.resources.filter((r) => r.type.startsWith("aws:")).length, 56);
    });
});
