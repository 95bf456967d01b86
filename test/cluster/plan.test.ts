/** planEksCluster: what an EksCluster creates, decided as plain data before any resource exists. */
import * as assert from "node:assert/strict";
import { planEksCluster } from "../../components/cluster";
import { ADMIN_ROLE, eksArgs, OFFICE_CIDRS } from "./helpers";

describe("planEksCluster (pure)", () => {
    const dev = planEksCluster("meshgate", eksArgs("dev"));
    const prod = planEksCluster("meshgate", eksArgs("prod"));

    it("plans a new VPC from the args, and takes an existing VPC's ids as they are", () => {
        assert.equal(dev.network.kind, "new");
        if (dev.network.kind === "new") {
            assert.deepEqual([dev.network.vpc.cidr, dev.network.vpc.availabilityZones, dev.network.vpc.region], ["10.0.0.0/16", 3, "eu-west-1"]);
        }
        const existing = planEksCluster("meshgate", eksArgs("dev", { existingVpc: { vpcId: "vpc-0abc", privateSubnetIds: ["subnet-01", "subnet-02"] } }));
        assert.equal(existing.network.kind, "existing");
        if (existing.network.kind === "existing") {
            assert.deepEqual(existing.network.privateSubnetIds, ["subnet-01", "subnet-02"]);
        }
    });

    it("opens the public endpoint only to the listed CIDRs (explicitly 0.0.0.0/0 when none outside prod), and protects prod from deletion", () => {
        assert.deepEqual(prod.controlPlane.publicAccessCidrs, OFFICE_CIDRS);
        assert.deepEqual(dev.controlPlane.publicAccessCidrs, ["0.0.0.0/0"]);
        const closed = planEksCluster("meshgate", eksArgs("dev", { endpoint: { publicAccess: false } }));
        assert.equal(closed.controlPlane.publicAccessCidrs, undefined);
        assert.deepEqual([dev.controlPlane.deletionProtection, prod.controlPlane.deletionProtection], [false, true]);
        assert.equal(prod.controlPlane.logTypes.length, 5);
        assert.equal(prod.controlPlane.version, "1.35");
    });

    it("gives vpc-cni and the EBS CSI driver IRSA roles of their own, installs vpc-cni and kube-proxy before the nodes and the others after", () => {
        assert.deepEqual(
            Object.entries(prod.addons).map(([n, a]) => `${n}:${a.afterNodes ? "after" : "before"}:${a.irsa?.serviceAccount ?? "-"}`),
            ["vpc-cni:before:aws-node", "kube-proxy:before:-", "coredns:after:-", "aws-ebs-csi-driver:after:ebs-csi-controller-sa"],
        );
        assert.deepEqual(prod.addons["vpc-cni"].irsa?.policyArns, { cni: "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy" });
    });

    it("derives ARNs from the region's partition", () => {
        const cn = planEksCluster("meshgate", eksArgs("dev", { region: "cn-north-1", accessEntries: [{ principalArn: "arn:aws-cn:iam::210987654321:role/Ops" }] }));
        assert.equal(cn.clusterRole.policyArn, "arn:aws-cn:iam::aws:policy/AmazonEKSClusterPolicy");
        assert.equal(cn.accessEntries[0]?.policyArn, "arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSViewPolicy");
        assert.match(cn.nodeRole.assumeRolePolicy, /ec2\.amazonaws\.com\.cn/);
    });

    it("names access entries after their principals and scopes them cluster-wide or to namespaces", () => {
        assert.deepEqual(prod.accessEntries, [
            {
                key: "role-platformadmins",
                principalArn: ADMIN_ROLE,
                policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                accessScope: { type: "cluster" },
            },
        ]);
        const scoped = planEksCluster("meshgate", eksArgs("dev", { accessEntries: [{ principalArn: ADMIN_ROLE, namespaces: ["users"] }] }));
        assert.deepEqual(scoped.accessEntries[0]?.accessScope, { type: "namespace", namespaces: ["users"] });
    });

    it("plans each node group's launch template (IMDSv2) and AMI type for its architecture", () => {
        assert.equal(prod.nodeGroups.length, 1);
        assert.equal(prod.nodeGroups[0]?.amiType, "AL2023_x86_64_STANDARD");
        assert.equal(prod.nodeGroups[0]?.launchTemplate.metadataOptions !== undefined, true);
        const arm = planEksCluster("meshgate", eksArgs("dev", { nodeGroups: [{ name: "arm", instanceTypes: ["m7g.large"], minSize: 1, maxSize: 2 }] }));
        assert.equal(arm.nodeGroups[0]?.amiType, "AL2023_ARM_64_STANDARD");
        assert.deepEqual(arm.nodeGroups[0]?.tags, { team: "platform", Name: "meshgate-arm", "meshgate.io/node-group": "arm", "meshgate.io/environment": "dev" });
    });

    it("installs the LB controller, metrics-server (HA in prod) and the autoscaler unless disabled", () => {
        assert.ok(prod.loadBalancerController !== undefined && prod.clusterAutoscaler !== undefined);
        assert.deepEqual([dev.metricsServer?.highAvailability, prod.metricsServer?.highAvailability], [false, true]);
        const bare = planEksCluster(
            "meshgate",
            eksArgs("dev", { loadBalancerController: { enabled: false }, metricsServer: { enabled: false }, clusterAutoscaler: { enabled: false } }),
        );
        assert.deepEqual([bare.loadBalancerController, bare.metricsServer, bare.clusterAutoscaler], [undefined, undefined, undefined]);
    });

    it("throws with every problem in the args before planning anything", () => {
        assert.throws(
            () => planEksCluster("meshgate", eksArgs("prod", { kubernetesVersion: "1.35.2", nodeGroups: [{ name: "a", minSize: 1, maxSize: 3 }] })),
            (e: Error) => /EksCluster meshgate: invalid arguments/.test(e.message) && /kubernetesVersion/.test(e.message) && /nodeGroups\[0\]\.minSize/.test(e.message),
        );
    });
});
