import { strict as assert } from "node:assert";
import { comparePolicyDocuments, diffFromLbControllerPolicy, lbControllerReferencePolicy } from "../../policies/validate/iam";
import type { IamPolicyDocument, IamPolicyStatement } from "../../policies/validate/iam";

function statements(doc: IamPolicyDocument): IamPolicyStatement[] {
    return Array.isArray(doc.Statement) ? [...(doc.Statement as IamPolicyStatement[])] : [doc.Statement as IamPolicyStatement];
}

describe("validate/iam: the AWS Load Balancer Controller IAM policy", () => {
    const reference = lbControllerReferencePolicy();

    it("loads the official policy document with its source and version", () => {
        assert.equal(reference.version, "3.5.0");
        assert.match(reference.source, /aws-load-balancer-controller-iam_policy\.json$/);
        assert.equal(reference.policy.Version, "2012-10-17");
        assert.ok(statements(reference.policy).length >= 10);
    });

    it("finds no difference between the policy and itself, in any statement order, whatever the case of actions", () => {
        const shuffled: IamPolicyDocument = {
            Version: "2012-10-17",
            Statement: statements(reference.policy)
                .reverse()
                .map((s) => ({ ...s, Action: Array.isArray(s.Action) ? [...s.Action].reverse().map((a: string) => a.toLowerCase()) : s.Action })),
        };
        assert.deepEqual(diffFromLbControllerPolicy(shuffled), []);
    });

    it("rewrites the reference's ARNs for another partition", () => {
        const cn = JSON.parse(JSON.stringify(reference.policy).replace(/arn:aws:/g, "arn:aws-cn:")) as IamPolicyDocument;
        assert.deepEqual(diffFromLbControllerPolicy(cn, { partition: "aws-cn" }), []);
        assert.ok(diffFromLbControllerPolicy(cn).some((d) => d.kind === "resources"));
    });

    it("reports missing and extra actions, changed conditions, and missing and extra statements", () => {
        const ours = statements(reference.policy).map((s) => JSON.parse(JSON.stringify(s)) as { Action: string[]; Condition?: Record<string, Record<string, unknown>> });
        const firstActions = ours[1].Action;
        const dropped = firstActions.pop();
        firstActions.push("ec2:DeleteVpc");
        const conditioned = ours.findIndex((s) => s.Condition?.StringEquals?.["ec2:CreateAction"] !== undefined);
        ours[conditioned].Condition = { StringEquals: { "ec2:CreateAction": "CreateVpc" } };
        const removed = ours.splice(ours.length - 1, 1)[0];
        ours.push({ Action: ["s3:GetObject"], Effect: "Allow", Resource: "*" } as never);
        const diffs = diffFromLbControllerPolicy({ Version: "2012-10-17", Statement: ours });
        const kinds = diffs.map((d) => d.kind).sort();
        assert.deepEqual(kinds, ["conditions", "extra-actions", "extra-statement", "missing-actions", "missing-statement"], diffs.map((d) => d.message).join("\n"));
        assert.deepEqual(diffs.find((d) => d.kind === "missing-actions")?.actions, [dropped]);
        assert.deepEqual(diffs.find((d) => d.kind === "extra-actions")?.actions, ["ec2:DeleteVpc"]);
        assert.deepEqual(diffs.find((d) => d.kind === "missing-statement")?.actions, (removed as { Action: string[] }).Action);
        assert.match(diffs.find((d) => d.kind === "conditions")?.message ?? "", /createvpc/i);
    });

    it('compares condition values as strings (IAM reads false and "false" alike)', () => {
        const a: IamPolicyDocument = {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "ec2:CreateTags", Resource: "*", Condition: { Null: { "aws:RequestTag/x": false } } }],
        };
        const b: IamPolicyDocument = {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "ec2:CreateTags", Resource: "*", Condition: { Null: { "aws:RequestTag/x": "false" } } }],
        };
        assert.deepEqual(comparePolicyDocuments(a, b), []);
    });

    it("reports something that is not a policy document", () => {
        assert.deepEqual(
            diffFromLbControllerPolicy({ Statement: [] }).map((d) => d.kind),
            ["invalid"],
        );
    });
});
