/**
 * EksCluster under the mock runtime: the security properties of what it
 * registers, read from the recorded inputs and dependencies of a 3-AZ dev and a
 * 3-AZ prod cluster.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { CONTROL_PLANE_LOG_TYPES, EksCluster, type ClusterConnection } from "../../components/cluster";
import { placeholderId, placeholderOutputs } from "../../tools/plan/placeholders";
import { runProgram, type PlanRun } from "../../tools/plan/runtime";
import { ADMIN_ROLE, at, eksArgs, eksProgram, list, named, OFFICE_CIDRS, parsed, record, T } from "./helpers";

const PRIVATE = /-network-private-\d$/;
const PUBLIC = /-network-public-\d$/;

describe("EksCluster (3 availability zones)", function () {
    let dev: PlanRun;
    let prod: PlanRun;

    before(async function () {
        dev = await runProgram(eksProgram(eksArgs("dev")), { stack: "dev" });
        prod = await runProgram(eksProgram(eksArgs("prod")), { stack: "prod" });
    });

    const subnets = (run: PlanRun, kind: RegExp) => run.byType(T.subnet).filter((s) => kind.test(s.name));

    describe("network", () => {
        it("lays out a public and a private subnet per zone, tagged for internet-facing and internal load balancers", () => {
            for (const run of [dev, prod]) {
                const pub = subnets(run, PUBLIC);
                const priv = subnets(run, PRIVATE);
                assert.equal(pub.length, 3);
                assert.equal(priv.length, 3);
                assert.deepEqual(
                    pub.map((s) => s.inputs.cidrBlock),
                    ["10.0.224.0/22", "10.0.228.0/22", "10.0.232.0/22"],
                );
                assert.deepEqual(
                    priv.map((s) => s.inputs.cidrBlock),
                    ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"],
                );
                assert.equal(new Set(priv.map((s) => s.inputs.availabilityZone)).size, 3, "private subnets span three zones");
                for (const s of pub) {
                    assert.equal(record(s.inputs.tags)["kubernetes.io/role/elb"], "1");
                    assert.equal(s.inputs.mapPublicIpOnLaunch, false);
                }
                for (const s of priv) {
                    assert.equal(record(s.inputs.tags)["kubernetes.io/role/internal-elb"], "1");
                    assert.equal(record(s.inputs.tags)["kubernetes.io/role/elb"], undefined);
                }
            }
        });

        it("gives prod a NAT gateway per zone and dev a single one", () => {
            assert.equal(prod.byType(T.nat).length, 3);
            assert.equal(dev.byType(T.nat).length, 1);
            const natSubnets = prod.byType(T.nat).map((n) => n.propertyDependencies.subnetId?.[0]);
            assert.deepEqual(
                natSubnets,
                subnets(prod, PUBLIC).map((s) => s.urn),
                "NAT gateways sit in the public subnets",
            );
        });

        it("strips every rule from the VPC's default security group", () => {
            const sg = prod.byType("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
            assert.equal(sg.length, 1);
            assert.deepEqual(sg[0].inputs.ingress, []);
            assert.deepEqual(sg[0].inputs.egress, []);
        });
    });

    describe("control plane", () => {
        it("uses access entries (authentication mode API), not the aws-auth ConfigMap", () => {
            for (const run of [dev, prod]) {
                const cluster = named(run, T.cluster, "meshgate-cluster");
                assert.equal(at(cluster.inputs, "accessConfig.authenticationMode"), "API");
                assert.equal(run.resources.filter((r) => r.type === "kubernetes:core/v1:ConfigMap").length, 0, "no ConfigMap (aws-auth) is managed");
                const entry = named(run, T.accessEntry, "meshgate-access-role-platformadmins");
                assert.equal(entry.inputs.principalArn, ADMIN_ROLE);
                assert.equal(entry.inputs.type, "STANDARD");
                const assoc = named(run, T.accessPolicy, "meshgate-access-role-platformadmins");
                assert.equal(assoc.inputs.policyArn, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
                assert.deepEqual(assoc.inputs.accessScope, { type: "cluster" });
            }
        });

        it("keeps the private endpoint on and limits the public one to the configured CIDRs (never 0.0.0.0/0 in prod)", () => {
            const vpcConfig = record(at(named(prod, T.cluster, "meshgate-cluster").inputs, "vpcConfig"));
            assert.equal(vpcConfig.endpointPrivateAccess, true);
            assert.equal(vpcConfig.endpointPublicAccess, true);
            assert.deepEqual(vpcConfig.publicAccessCidrs, OFFICE_CIDRS);
            assert.ok(!list(vpcConfig.publicAccessCidrs).includes("0.0.0.0/0"));
        });

        it("outside prod, an empty CIDR list is written out as 0.0.0.0/0 rather than left implicit", () => {
            const vpcConfig = record(at(named(dev, T.cluster, "meshgate-cluster").inputs, "vpcConfig"));
            assert.equal(vpcConfig.endpointPrivateAccess, true);
            assert.deepEqual(vpcConfig.publicAccessCidrs, ["0.0.0.0/0"]);
        });

        it("turns the public endpoint off entirely with publicAccess: false", async () => {
            const run = await runProgram(eksProgram(eksArgs("prod", { endpoint: { publicAccess: false } })), { stack: "prod" });
            const vpcConfig = record(at(named(run, T.cluster, "meshgate-cluster").inputs, "vpcConfig"));
            assert.equal(vpcConfig.endpointPublicAccess, false);
            assert.equal(vpcConfig.endpointPrivateAccess, true);
            assert.equal(vpcConfig.publicAccessCidrs, undefined);
        });

        it("refuses 0.0.0.0/0, or no CIDRs at all, for a public endpoint in prod", async () => {
            for (const endpoint of [{ publicAccessCidrs: ["10.1.0.0/16", "0.0.0.0/0"] }, { publicAccessCidrs: [] }]) {
                await assert.rejects(runProgram(eksProgram(eksArgs("prod", { endpoint })), { stack: "prod" }), /endpoint\.publicAccessCidrs/);
            }
        });

        it("enables all five control-plane log types", () => {
            for (const run of [dev, prod]) {
                assert.deepEqual(named(run, T.cluster, "meshgate-cluster").inputs.enabledClusterLogTypes, ["api", "audit", "authenticator", "controllerManager", "scheduler"]);
            }
            assert.equal(CONTROL_PLANE_LOG_TYPES.length, 5);
        });

        it("envelope-encrypts secrets with a customer-managed KMS key that rotates", () => {
            for (const run of [dev, prod]) {
                const cluster = named(run, T.cluster, "meshgate-cluster");
                const key = named(run, T.kmsKey, "meshgate-secrets");
                assert.equal(key.inputs.enableKeyRotation, true);
                assert.deepEqual(at(cluster.inputs, "encryptionConfig.resources"), ["secrets"]);
                assert.deepEqual(cluster.propertyDependencies.encryptionConfig, [key.urn], "the encryption key is the customer key");
                assert.equal(at(cluster.inputs, "encryptionConfig.provider.keyArn"), placeholderOutputs(T.kmsKey, key.name, key.inputs).arn);
            }
        });

        it("puts the control plane's network interfaces in the private subnets", () => {
            const cluster = named(prod, T.cluster, "meshgate-cluster");
            assert.deepEqual(
                cluster.propertyDependencies.vpcConfig?.slice().sort(),
                subnets(prod, PRIVATE)
                    .map((s) => s.urn)
                    .sort(),
            );
            assert.deepEqual(
                at(cluster.inputs, "vpcConfig.subnetIds"),
                subnets(prod, PRIVATE).map((s) => placeholderId(T.subnet, s.name, s.inputs)),
            );
        });

        it("installs the core add-ons as EKS add-ons, not the self-managed bootstrap ones, and protects prod from deletion", () => {
            assert.equal(named(prod, T.cluster, "meshgate-cluster").inputs.bootstrapSelfManagedAddons, false);
            assert.equal(named(prod, T.cluster, "meshgate-cluster").inputs.deletionProtection, true);
            assert.equal(named(dev, T.cluster, "meshgate-cluster").inputs.deletionProtection, false);
        });
    });

    describe("nodes", () => {
        it("runs every node group in the private subnets only", () => {
            for (const run of [dev, prod]) {
                const priv = subnets(run, PRIVATE);
                const publicUrns = new Set(subnets(run, PUBLIC).map((s) => s.urn));
                assert.equal(run.byType(T.nodeGroup).length, 1);
                for (const ng of run.byType(T.nodeGroup)) {
                    const from = ng.propertyDependencies.subnetIds ?? [];
                    assert.deepEqual(from.slice().sort(), priv.map((s) => s.urn).sort(), `${ng.name} takes its subnets from the private subnets`);
                    assert.ok(
                        from.every((u) => !publicUrns.has(u)),
                        `${ng.name} uses no public subnet`,
                    );
                    assert.deepEqual(
                        ng.inputs.subnetIds,
                        priv.map((s) => placeholderId(T.subnet, s.name, s.inputs)),
                        `${ng.name} subnet ids`,
                    );
                }
            }
        });

        it("requires IMDSv2 on every node through its launch template, with a hop limit of 1", () => {
            for (const run of [dev, prod]) {
                assert.equal(run.byType(T.nodeGroup).length, 1);
                for (const ng of run.byType(T.nodeGroup)) {
                    const lt = named(run, T.launchTemplate, ng.name);
                    assert.deepEqual(ng.propertyDependencies.launchTemplate, [lt.urn], `${ng.name} uses its launch template`);
                    assert.deepEqual(lt.inputs.metadataOptions, { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" });
                    assert.equal(at(lt.inputs, "blockDeviceMappings.0.ebs.encrypted"), "true");
                    assert.equal(ng.inputs.diskSize, undefined, "disk size lives in the launch template");
                }
            }
        });

        it("gives prod node groups at least 2 nodes and refuses fewer", async () => {
            assert.equal(prod.byType(T.nodeGroup).length, 1);
            for (const ng of prod.byType(T.nodeGroup)) {
                assert.ok(Number(at(ng.inputs, "scalingConfig.minSize")) >= 2, `${ng.name} minSize`);
            }
            assert.deepEqual(at(named(prod, T.nodeGroup, "meshgate-system").inputs, "scalingConfig"), { minSize: 3, maxSize: 6, desiredSize: 3 });
            const small = eksArgs("prod", { nodeGroups: [{ name: "system", minSize: 1, maxSize: 3 }] });
            await assert.rejects(runProgram(eksProgram(small), { stack: "prod" }), /nodeGroups\[0\]\.minSize: 1 is below 2/);
        });

        it("lets nodes join with the VPC CNI and kube-proxy in place, and the NAT routes up", () => {
            const ng = named(prod, T.nodeGroup, "meshgate-system");
            for (const addon of ["meshgate-vpc-cni", "meshgate-kube-proxy"]) {
                assert.ok(ng.dependsOn.includes(named(prod, T.addon, addon).urn), `node group waits for ${addon}`);
            }
            const associations = prod.byType("aws:ec2/routeTableAssociation:RouteTableAssociation");
            assert.equal(associations.length, 6, "one per subnet");
            for (const rta of associations) {
                assert.ok(ng.dependsOn.includes(rta.urn), `node group waits for ${rta.name}`);
            }
        });

        it("gives the node role only the worker-node and ECR pull policies (the CNI has a role of its own)", () => {
            const attached = prod
                .byType(T.attachment)
                .filter((a) => a.name.startsWith("meshgate-node-role-"))
                .map((a) => a.inputs.policyArn);
            assert.deepEqual(attached.sort(), ["arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly", "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"]);
            assert.deepEqual(parsed(named(prod, T.role, "meshgate-node-role").inputs.assumeRolePolicy).Statement, [
                { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
            ]);
        });
    });

    describe("add-ons and IRSA", () => {
        it("installs vpc-cni and kube-proxy before the nodes, coredns and aws-ebs-csi-driver after them", () => {
            for (const run of [dev, prod]) {
                const names = run.byType(T.addon).map((a) => a.inputs.addonName);
                assert.deepEqual(names.slice().sort(), ["aws-ebs-csi-driver", "coredns", "kube-proxy", "vpc-cni"]);
                const ng = named(run, T.nodeGroup, "meshgate-system");
                for (const after of ["meshgate-coredns", "meshgate-aws-ebs-csi-driver"]) {
                    assert.ok(named(run, T.addon, after).dependsOn.includes(ng.urn), `${after} waits for the nodes`);
                }
            }
        });

        it("gives the VPC CNI and the EBS CSI driver IRSA roles trusted only by their service accounts", () => {
            const cases = [
                { addon: "meshgate-vpc-cni", role: "meshgate-vpc-cni", sa: "aws-node", policy: "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy" },
                {
                    addon: "meshgate-aws-ebs-csi-driver",
                    role: "meshgate-ebs-csi",
                    sa: "ebs-csi-controller-sa",
                    policy: "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
                },
            ];
            const oidc = named(prod, T.oidc, "meshgate-oidc");
            const issuer = String(oidc.inputs.url).replace("https://", "");
            for (const c of cases) {
                const role = named(prod, T.role, c.role);
                const statements = list(parsed(role.inputs.assumeRolePolicy).Statement);
                assert.equal(statements.length, 1);
                assert.deepEqual(record(statements[0]).Condition, {
                    StringEquals: { [`${issuer}:sub`]: `system:serviceaccount:kube-system:${c.sa}`, [`${issuer}:aud`]: "sts.amazonaws.com" },
                });
                const attachments = prod.byType(T.attachment).filter((a) => a.name.startsWith(`${c.role}-`));
                assert.deepEqual(
                    attachments.map((a) => a.inputs.policyArn),
                    [c.policy],
                );
                const addon = named(prod, T.addon, c.addon);
                assert.equal(addon.inputs.serviceAccountRoleArn, `arn:aws:iam::123456789012:role/${c.role}`);
                assert.ok(addon.propertyDependencies.serviceAccountRoleArn?.includes(attachments[0].urn), `${c.addon} waits for its role's policy`);
            }
        });

        it("registers the cluster's OIDC issuer as an IAM OIDC provider for the STS audience", () => {
            const oidc = named(prod, T.oidc, "meshgate-oidc");
            assert.match(String(oidc.inputs.url), /^https:\/\/oidc\.eks\./);
            assert.deepEqual(oidc.inputs.clientIdLists, ["sts.amazonaws.com"]);
            assert.deepEqual(oidc.propertyDependencies.url, [named(prod, T.cluster, "meshgate-cluster").urn]);
        });
    });

    describe("Kubernetes access", () => {
        it("builds the provider from a kubeconfig that is secret, and keeps the cluster's key material out of every recorded input", () => {
            for (const run of [dev, prod]) {
                const providers = run.byType(T.k8sProvider);
                assert.equal(providers.length, 1);
                assert.equal(providers[0].inputs.kubeconfig, "[secret]");
                assert.equal(run.outputs.kubeconfig, "[secret]");
                const cluster = named(run, T.cluster, "meshgate-cluster");
                const ca = String(at(placeholderOutputs(T.cluster, cluster.name, cluster.inputs), "certificateAuthority.data"));
                assert.ok(ca.length > 0);
                assert.ok(!JSON.stringify(run.resources.map((r) => r.inputs)).includes(ca), "the CA data appears in no recorded input");
                assert.ok(!JSON.stringify(run.outputs).includes(ca), "nor in the outputs");
            }
        });

        it("installs the Kubernetes side (the LB controller release) through that provider", () => {
            const provider = prod.byType(T.k8sProvider)[0];
            const k8sResources = prod.resources.filter((x) => x.type.startsWith("kubernetes:"));
            assert.ok(k8sResources.length > 0, "some Kubernetes resources");
            for (const r of k8sResources) {
                assert.equal(r.provider, provider.urn, `${r.name} uses the cluster's provider`);
            }
        });
    });

    describe("ClusterConnection", () => {
        const urnsOf = (resources: pulumi.Resource[]) => Promise.all(resources.map((r) => new Promise<string>((resolve) => r.urn.apply(resolve))));

        it("offers an AWS NLB once the LB controller is ready, makes workloads wait for nodes, core add-ons and the controller's webhook, and volumes for the EBS CSI driver", async () => {
            let conn: ClusterConnection | undefined;
            let ready: { lb: string[]; workloads: string[]; storage: string[] } = { lb: [], workloads: [], storage: [] };
            const run = await runProgram(async () => {
                const cluster = new EksCluster("meshgate", eksArgs("dev"));
                conn = cluster;
                ready = { lb: await urnsOf(cluster.loadBalancerReady), workloads: await urnsOf(cluster.workloadsReady), storage: await urnsOf(cluster.storageReady) };
                return {};
            });
            assert.equal(conn?.loadBalancer, "aws-nlb");
            assert.deepEqual(ready.lb, [named(run, T.release, "meshgate-lb-controller-release").urn]);
            const ebsCsi = named(run, T.addon, "meshgate-aws-ebs-csi-driver");
            const expected = [
                named(run, T.nodeGroup, "meshgate-system"),
                ...run.byType(T.addon).filter((a) => a !== ebsCsi),
                named(run, T.release, "meshgate-lb-controller-release"),
            ].map((r) => r.urn);
            assert.deepEqual(ready.workloads.slice().sort(), expected.sort());
            assert.deepEqual(ready.storage, [ebsCsi.urn, named(run, "kubernetes:storage.k8s.io/v1:StorageClass", "meshgate-storage-class").urn]);
            assert.equal(conn?.storageClassName, "gp3");
            assert.ok(conn?.oidc !== undefined);
        });

        it("without the LB controller, offers generic load balancers and nothing to wait for but nodes and add-ons", async () => {
            let conn: ClusterConnection | undefined;
            await runProgram(() => {
                conn = new EksCluster("meshgate", eksArgs("dev", { loadBalancerController: { enabled: false } }));
                return {};
            });
            assert.equal(conn?.loadBalancer, "generic");
            assert.deepEqual(conn?.loadBalancerReady, []);
            assert.equal(conn?.workloadsReady.length, 4, "the node group, vpc-cni, kube-proxy, coredns");
            assert.equal(conn?.storageReady.length, 2, "the EBS CSI driver and the gp3 StorageClass");
        });
    });

    describe("VPC flow logs", () => {
        it("records all accepted and rejected traffic of the VPC to CloudWatch Logs, kept 14 days in dev and 365 in prod", () => {
            for (const [run, days] of [
                [dev, 14],
                [prod, 365],
            ] as const) {
                const [flowLog] = run.byType("aws:ec2/flowLog:FlowLog");
                assert.ok(flowLog, "a flow log");
                assert.equal(flowLog.inputs.trafficType, "ALL");
                assert.equal(flowLog.inputs.logDestinationType, "cloud-watch-logs");
                const [group] = run.byType("aws:cloudwatch/logGroup:LogGroup");
                assert.equal(group.inputs.retentionInDays, days);
                assert.deepEqual(
                    flowLog.propertyDependencies.vpcId,
                    run.byType(T.vpc).map((v) => v.urn),
                );
                assert.deepEqual(flowLog.propertyDependencies.logDestination, [group.urn]);
            }
        });

        it("delivers through a role only this account's flow-logs service assumes, allowed to write to that log group alone", () => {
            const role = prod.byType("aws:iam/role:Role").find((r) => r.name.endsWith("-flow-logs"));
            assert.ok(role);
            const trust = JSON.parse(String(role.inputs.assumeRolePolicy)) as { Statement: { Principal: unknown; Condition: unknown }[] };
            assert.deepEqual(trust.Statement[0].Principal, { Service: "vpc-flow-logs.amazonaws.com" });
            assert.deepEqual(trust.Statement[0].Condition, { StringEquals: { "aws:SourceAccount": "123456789012" } });
            const policy = prod.byType("aws:iam/rolePolicy:RolePolicy").find((r) => r.name.endsWith("-flow-logs"));
            assert.ok(policy);
            const doc = JSON.parse(String(policy.inputs.policy)) as { Statement: { Action: string[]; Resource: string[] }[] };
            assert.deepEqual(doc.Statement[0].Action, ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"]);
            assert.ok(doc.Statement[0].Resource.length > 0, "the flow-logs policy names its log group");
            assert.ok(
                doc.Statement[0].Resource.every((r) => r.startsWith("arn:aws:logs:eu-west-1:123456789012:log-group:")),
                JSON.stringify(doc.Statement[0].Resource),
            );
        });

        it("keeps nodes waiting for the subnets' routes, not for the flow logs", () => {
            assert.equal(prod.byType(T.nodeGroup).length, 1);
            for (const ng of prod.byType(T.nodeGroup)) {
                const waits = new Set(ng.dependsOn);
                assert.ok(!prod.resources.some((r) => r.name.endsWith("-flow-logs") && waits.has(r.urn)), ng.name);
            }
        });
    });

    describe("tags", () => {
        const untaggable = new Set([
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            "aws:iam/rolePolicy:RolePolicy",
            "aws:ec2/routeTableAssociation:RouteTableAssociation",
            "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
        ]);
        it("tags every taggable AWS resource with meshgate.io/environment and the stack's tags", () => {
            for (const [run, env] of [
                [dev, "dev"],
                [prod, "prod"],
            ] as const) {
                const aws = run.resources.filter((r) => r.type.startsWith("aws:") && !untaggable.has(r.type));
                assert.ok(aws.length > 20);
                for (const r of aws) {
                    const tags = record(r.inputs.tags, `${r.type} ${r.name} tags`);
                    assert.equal(tags["meshgate.io/environment"], env, `${r.type} ${r.name}`);
                    assert.equal(tags.team, "platform", `${r.type} ${r.name}`);
                }
            }
        });

        it("puts every regional resource in the configured region", () => {
            const regional = prod.resources.filter((r) => r.type.startsWith("aws:") && !r.type.startsWith("aws:iam/"));
            assert.ok(regional.length > 20, `${regional.length} regional resources`);
            for (const r of regional) {
                assert.equal(r.inputs.region, "eu-west-1", `${r.type} ${r.name}`);
            }
        });
    });

    describe("existing VPC", () => {
        it("creates no network and puts nodes and control plane in the given private subnets", async () => {
            const privateSubnetIds = ["subnet-0a1", "subnet-0b2", "subnet-0c3"];
            const run = await runProgram(eksProgram(eksArgs("prod", { existingVpc: { vpcId: "vpc-0123abcd", privateSubnetIds, publicSubnetIds: ["subnet-0d4"] } })), {
                stack: "prod",
            });
            for (const t of [T.vpc, T.subnet, T.nat, T.routeTable]) {
                assert.equal(run.byType(t).length, 0, t);
            }
            assert.deepEqual(at(named(run, T.cluster, "meshgate-cluster").inputs, "vpcConfig.subnetIds"), privateSubnetIds);
            assert.deepEqual(named(run, T.nodeGroup, "meshgate-system").inputs.subnetIds, privateSubnetIds);
            assert.equal(at(named(run, T.release, "meshgate-lb-controller-release").inputs, "values.vpcId"), "vpc-0123abcd");
        });
    });
});
