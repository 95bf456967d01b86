/**
 * The IAM permissions of the AWS Load Balancer Controller v3.5 (chart 3.5.0): upstream's
 * docs/install/iam_policy.json (kubernetes-sigs/aws-load-balancer-controller v3.5.0), which
 * `npm run refdata` ships whole as data/iam/aws-load-balancer-controller.json. Read from
 * there, not written again: the project keeps one copy of the document, with its ARNs
 * rewritten for the partition (`arn:aws:` → `arn:aws-cn:`, `arn:aws-us-gov:`).
 *
 * Mutating actions are scoped by the `elbv2.k8s.aws/cluster` tag the controller puts on
 * what it creates, as upstream does.
 */
import { lbControllerReferencePolicy, type IamPolicyStatement } from "../../policies/validate/iam";
import type { OneOrMany, PolicyDocument, PolicyStatement } from "../aws/iam";

/** The controller's policy document for `partition` (`aws`, `aws-cn`, `aws-us-gov`). */
export function loadBalancerControllerPolicy(partition: string): PolicyDocument {
    const { policy, source } = lbControllerReferencePolicy({ partition });
    if (policy.Version !== "2012-10-17") {
        throw new Error(`${source}: policy Version ${policy.Version}, expected 2012-10-17`);
    }
    const statements: readonly IamPolicyStatement[] = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement as IamPolicyStatement];
    return { Version: "2012-10-17", Statement: statements.map((s, i) => statement(s, `${source}: Statement[${i}]`)) };
}

/**
 * A statement with its keys in the order IAM's documentation writes them (Sid, Effect,
 * Action, Resource, Condition); the data file's keys are sorted.
 */
function statement(s: IamPolicyStatement, at: string): PolicyStatement {
    if (s.Action === undefined || s.NotAction !== undefined || s.NotResource !== undefined) {
        throw new Error(`${at}: meshgate models Action/Resource statements only`);
    }
    return {
        ...(s.Sid === undefined ? {} : { Sid: s.Sid }),
        Effect: s.Effect,
        Action: s.Action,
        ...(s.Resource === undefined ? {} : { Resource: s.Resource }),
        ...(s.Condition === undefined ? {} : { Condition: conditions(s.Condition) }),
    };
}

function conditions(c: NonNullable<IamPolicyStatement["Condition"]>): NonNullable<PolicyStatement["Condition"]> {
    return Object.fromEntries(Object.entries(c).map(([op, keys]) => [op, Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, conditionValue(v)]))]));
}

/** IAM reads `false` and "false" alike; the typed document holds strings. */
function conditionValue(v: unknown): OneOrMany<string> {
    return Array.isArray(v) ? v.map((x) => String(x)) : String(v);
}
