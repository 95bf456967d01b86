/**
 * The AWS Load Balancer Controller: our IAM policy against the official v3.5
 * document, its IRSA role's trust, and the Helm release (chart, version, values
 * checked key by key against the chart's values.yaml, readiness ordering).
 */
import * as assert from "node:assert/strict";
import { controllerValues, loadBalancerControllerPolicy, LB_CONTROLLER_CHART } from "../../components/lb-controller";
import { checkValueKeys, diffFromLbControllerPolicy, unknownValueKeys } from "../../policies/validate";
import { placeholderOutputs } from "../../tools/plan/placeholders";
import { runProgram, type PlanRun } from "../../tools/plan/runtime";
import { referenceChartVersion } from "../reference";
import { at, eksArgs, eksProgram, list, named, parsed, record, T } from "./helpers";

const SA_SUBJECT = "system:serviceaccount:kube-system:aws-load-balancer-controller";

describe("LoadBalancerController", function () {
    let prod: PlanRun;

    before(async function () {
        prod = await runProgram(eksProgram(eksArgs("prod")), { stack: "prod" });
    });

    describe("IAM policy", () => {
        it("grants exactly what the official v3.5 policy grants, statement by statement", () => {
            assert.deepEqual(diffFromLbControllerPolicy(loadBalancerControllerPolicy("aws")), []);
        });

        it("is a function of the partition (aws-cn, aws-us-gov ARNs)", () => {
            for (const partition of ["aws-cn", "aws-us-gov"]) {
                const doc = loadBalancerControllerPolicy(partition);
                assert.deepEqual(diffFromLbControllerPolicy(doc, { partition }), [], partition);
                assert.ok(!JSON.stringify(doc).includes("arn:aws:"), `${partition}: no ARN of the aws partition`);
            }
        });

        it("the comparison notices a missing permission or a widened resource", () => {
            const doc = loadBalancerControllerPolicy("aws");
            const dropped = {
                ...doc,
                Statement: doc.Statement.map((s, i) => (i === 1 ? { ...s, Action: (s.Action as readonly string[]).filter((a) => a !== "ec2:DescribeRouteTables") } : s)),
            };
            assert.deepEqual(
                diffFromLbControllerPolicy(dropped).map((d) => d.kind),
                ["missing-actions"],
            );
            const widened = { ...doc, Statement: doc.Statement.map((s, i) => (i === 5 ? { ...s, Resource: "*" } : s)) };
            assert.deepEqual(
                diffFromLbControllerPolicy(widened).map((d) => d.kind),
                ["resources"],
            );
        });

        it("is the document of the managed policy the plan creates, and fits the 6,144-character limit", () => {
            const policy = named(prod, T.policy, "meshgate-lb-controller-policy");
            assert.deepEqual(diffFromLbControllerPolicy(JSON.parse(String(policy.inputs.policy))), []);
            assert.ok(String(policy.inputs.policy).replace(/\s/g, "").length <= 6144);
        });
    });

    describe("IRSA role", () => {
        it("is trusted only by the controller's service account, through the cluster's OIDC provider", () => {
            const role = named(prod, T.role, "meshgate-lb-controller-role");
            const oidc = named(prod, T.oidc, "meshgate-oidc");
            const providerArn = String(placeholderOutputs(T.oidc, oidc.name, oidc.inputs).arn);
            const issuer = String(oidc.inputs.url).replace(/^https:\/\//, "");
            const statements = list(parsed(role.inputs.assumeRolePolicy, "assumeRolePolicy").Statement);
            assert.deepEqual(statements, [
                {
                    Effect: "Allow",
                    Principal: { Federated: providerArn },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: { StringEquals: { [`${issuer}:sub`]: SA_SUBJECT, [`${issuer}:aud`]: "sts.amazonaws.com" } },
                },
            ]);
            assert.deepEqual(role.propertyDependencies.assumeRolePolicy?.slice().sort(), [named(prod, T.cluster, "meshgate-cluster").urn, oidc.urn].sort());
        });

        it("has the controller policy attached, and nothing else", () => {
            const attachments = prod.byType(T.attachment).filter((a) => a.name.startsWith("meshgate-lb-controller-role-"));
            assert.equal(attachments.length, 1);
            assert.deepEqual(attachments[0].propertyDependencies.policyArn, [named(prod, T.policy, "meshgate-lb-controller-policy").urn]);
        });
    });

    describe("Helm release", () => {
        it("installs eks/aws-load-balancer-controller 3.5.0 from its repository as an explicitly named release in kube-system", () => {
            const release = named(prod, T.release, "meshgate-lb-controller-release");
            assert.equal(release.inputs.chart, "aws-load-balancer-controller");
            assert.equal(release.inputs.version, "3.5.0");
            assert.equal(release.inputs.version, referenceChartVersion("aws-load-balancer-controller"), "the chart version data/ was derived from");
            assert.deepEqual(release.inputs.repositoryOpts, { repo: "https://aws.github.io/eks-charts" });
            assert.equal(release.inputs.name, "aws-load-balancer-controller");
            assert.equal(release.inputs.namespace, "kube-system");
            assert.equal(release.inputs.skipAwait, false);
        });

        it("sets clusterName, region, vpcId, the role annotation, two replicas and a PodDisruptionBudget", () => {
            const release = named(prod, T.release, "meshgate-lb-controller-release");
            const values = record(release.inputs.values);
            const cluster = named(prod, T.cluster, "meshgate-cluster");
            assert.equal(values.clusterName, placeholderOutputs(T.cluster, cluster.name, cluster.inputs).name);
            assert.equal(values.region, "eu-west-1");
            assert.match(String(values.vpcId), /^vpc-[0-9a-f]+$/);
            assert.deepEqual(values.serviceAccount, {
                create: true,
                name: "aws-load-balancer-controller",
                annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/meshgate-lb-controller-role" },
            });
            assert.equal(values.replicaCount, 2);
            assert.deepEqual(values.podDisruptionBudget, { maxUnavailable: 1 });
            assert.equal(record(values.defaultTags)["meshgate.io/environment"], "prod");
        });

        it("sets only keys that exist in the chart's values.yaml", () => {
            const values = named(prod, T.release, "meshgate-lb-controller-release").inputs.values;
            assert.deepEqual(unknownValueKeys("aws-load-balancer-controller", values), []);
            const plain = controllerValues({
                releaseName: "r",
                clusterName: "c",
                region: "eu-west-1",
                vpcId: "vpc-1",
                roleArn: "arn",
                serviceAccount: "sa",
                replicas: 2,
                tags: {},
            });
            assert.deepEqual(unknownValueKeys("aws-load-balancer-controller", plain), []);
        });

        it("the key check fails on a misspelt copy of those values", () => {
            const values = record(named(prod, T.release, "meshgate-lb-controller-release").inputs.values);
            const { podDisruptionBudget, serviceAccount, ...rest } = values;
            const misspelt = { ...rest, podDisruptonBudget: podDisruptionBudget, serviceAccount: { ...record(serviceAccount), anotations: {} }, vpcID: "vpc-1" };
            const reported = unknownValueKeys(LB_CONTROLLER_CHART, misspelt);
            for (const key of ["podDisruptonBudget", "serviceAccount.anotations", "vpcID"]) {
                assert.ok(
                    reported.some((p) => p === key || p.startsWith(`${key}.`)),
                    `${key} is reported (${reported.join(", ")})`,
                );
            }
            assert.ok(
                reported.every((p) => /^(podDisruptonBudget|serviceAccount\.anotations|vpcID)\b/.test(p)),
                `only the misspelt keys are reported (${reported.join(", ")})`,
            );
            const problems = checkValueKeys(LB_CONTROLLER_CHART, misspelt);
            assert.ok(problems.find((p) => p.path.startsWith("podDisruptonBudget"))?.suggestions.includes("podDisruptionBudget"));
        });

        it("merges user values over meshgate's, and a misspelt user key is caught the same way", async () => {
            const run = await runProgram(
                eksProgram(eksArgs("prod", { loadBalancerController: { values: { replicaCount: 3, logLevel: "debug", enableServiceMutatorWebhok: false } } })),
                { stack: "prod" },
            );
            const values = record(named(run, T.release, "meshgate-lb-controller-release").inputs.values);
            assert.equal(values.replicaCount, 3);
            assert.equal(values.logLevel, "debug");
            assert.equal(values.region, "eu-west-1", "meshgate's values stay");
            assert.deepEqual(unknownValueKeys("aws-load-balancer-controller", values), ["enableServiceMutatorWebhok"]);
        });

        it("waits for the role's policy attachment, the node groups and the core add-ons", () => {
            const release = named(prod, T.release, "meshgate-lb-controller-release");
            const attachment = named(prod, T.attachment, "meshgate-lb-controller-role-controller");
            assert.ok(release.propertyDependencies.values?.includes(attachment.urn), "the role-arn value resolves only after the attachment");
            assert.ok(release.dependsOn.includes(attachment.urn));
            for (const dep of [named(prod, T.nodeGroup, "meshgate-system"), named(prod, T.addon, "meshgate-coredns"), named(prod, T.addon, "meshgate-vpc-cni")]) {
                assert.ok(release.dependsOn.includes(dep.urn), `release waits for ${dep.name}`);
            }
        });

        it("is left out with loadBalancerController.enabled: false", async () => {
            const run = await runProgram(eksProgram(eksArgs("dev", { loadBalancerController: { enabled: false } })), { stack: "dev" });
            assert.deepEqual(
                run
                    .byType(T.release)
                    .map((r) => r.inputs.chart)
                    .sort(),
                ["cluster-autoscaler", "metrics-server"],
            );
            assert.deepEqual(
                run.byType(T.policy).map((r) => r.name),
                ["meshgate-autoscaler-policy"],
            );
            assert.equal(at(run.byType("meshgate:lb-controller:LoadBalancerController"), "length"), 0);
        });
    });
});
