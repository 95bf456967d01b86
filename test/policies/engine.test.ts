// The in-process engine builds the argument objects @pulumi/policy's analyzer would, applies
// policy configuration like a Pulumi policy config file, remediates, and skips disabled policies.
import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import type { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { runPolicies } from "../../policies/engine";
import { istioNamespaceInjection, istioNamespaceInjectionLabel } from "../../policies/rules/istio";
import { k8s, resource } from "./harness";

function recorder(name: string, schema?: ResourceValidationPolicy["configSchema"]) {
    const seen: ResourceValidationArgs[] = [];
    const policy: ResourceValidationPolicy = {
        name,
        description: `records ${name}`,
        enforcementLevel: "advisory",
        configSchema: schema,
        validateResource: (args, report) => {
            seen.push(args);
            report(`saw ${args.name}`);
        },
    };
    return { policy, seen };
}

const schema = {
    properties: {
        minSize: { type: "integer" as const, default: 2 },
        environments: { type: "array" as const, items: { type: "string" as const }, default: ["prod"] },
    },
};

describe("policy engine", () => {
    it("passes real ResourceValidationArgs: type, props, isType/asType by Pulumi type, opts.parent, provider", async () => {
        const { policy, seen } = recorder("rec");
        const provider = resource("pulumi:providers:aws", "default", { region: "eu-west-1" });
        const cluster = resource("aws:eks/cluster:Cluster", "main", { version: "1.33" }, { parent: "urn:parent", provider: `${provider.urn}::id-1` });
        await runPolicies([provider, cluster], { policies: [policy] });
        const args = seen[1];
        assert.equal(args.type, "aws:eks/cluster:Cluster");
        assert.equal(args.isType(aws.eks.Cluster), true);
        assert.equal(args.isType(aws.eks.NodeGroup), false);
        assert.equal(args.asType(aws.eks.Cluster)?.version, "1.33");
        assert.equal(args.asType(aws.eks.NodeGroup), undefined);
        assert.equal(args.opts.parent, "urn:parent");
        assert.equal(args.provider?.urn, provider.urn);
        assert.equal(args.provider?.props.region, "eu-west-1");
        assert.equal(args.stackTags.size, 0);
    });

    it("resolves parent, dependencies and propertyDependencies to PolicyResource objects by URN", async () => {
        let resources: PolicyResource[] = [];
        const stack: StackValidationPolicy = { name: "stack-rec", description: "records", validateStack: (args) => void (resources = args.resources) };
        const subnet = resource("aws:ec2/subnet:Subnet", "a", { mapPublicIpOnLaunch: false });
        const parent = resource("meshgate:cluster:EksCluster", "c", {});
        const ng = resource(
            "aws:eks/nodeGroup:NodeGroup",
            "ng",
            {},
            { parent: parent.urn, dependencies: [subnet.urn, "urn:missing"], propertyDependencies: { subnetIds: [subnet.urn] } },
        );
        await runPolicies([subnet, parent, ng], { policies: [stack] });
        const r = resources[2];
        assert.equal(r.parent, resources[1]);
        assert.deepEqual(r.dependencies, [resources[0]]);
        assert.equal(r.propertyDependencies.subnetIds[0], resources[0]);
        assert.equal(r.isType(aws.eks.NodeGroup), true);
        assert.equal(r.asType(aws.ec2.Subnet), undefined);
    });

    it("applies configSchema defaults, levels and tunables like a policy config file", async () => {
        const { policy, seen } = recorder("tuned", schema);
        let vs = await runPolicies([resource("x:y:Z", "a", {})], { policies: [policy] });
        assert.deepEqual(seen[0].getConfig(), { minSize: 2, environments: ["prod"] });
        assert.equal(vs[0].level, "advisory");

        vs = await runPolicies([resource("x:y:Z", "a", {})], { policies: [policy], config: { tuned: { enforcementLevel: "mandatory", minSize: 3 } } });
        assert.deepEqual(seen[1].getConfig(), { minSize: 3, environments: ["prod"] });
        assert.equal(vs[0].level, "mandatory");

        vs = await runPolicies([resource("x:y:Z", "a", {})], { policies: [policy], config: { all: "mandatory" } });
        assert.equal(vs[0].level, "mandatory");
    });

    it("skips disabled policies", async () => {
        const { policy, seen } = recorder("off");
        assert.deepEqual(await runPolicies([resource("x:y:Z", "a", {})], { policies: [policy], config: { off: "disabled" } }), []);
        assert.equal(seen.length, 0);
    });

    it("rejects configuration that names unknown policies or tunables, or has the wrong types, naming each field", async () => {
        const { policy } = recorder("tuned", schema);
        await assert.rejects(
            runPolicies([], { policies: [policy], config: { tuned: { minSize: "three", colour: "red" }, "no-such-rule": "mandatory" } }),
            (e: Error) => /unknown policy "no-such-rule"/.test(e.message) && /tuned\.minSize must be integer/.test(e.message) && /\(colour\)/.test(e.message),
        );
        await assert.rejects(runPolicies([], { policies: [policy], config: { tuned: "strict" } }), /tuned must be an enforcement level or an object/);
    });

    it("treats notApplicable as no violation and reports other exceptions with the policy and URN", async () => {
        const na: ResourceValidationPolicy = { name: "na", description: "d", validateResource: (args) => args.notApplicable("nope") };
        assert.deepEqual(await runPolicies([resource("x:y:Z", "a", {})], { policies: [na] }), []);
        const boom: ResourceValidationPolicy = {
            name: "boom",
            description: "d",
            validateResource: () => {
                throw new Error("bad");
            },
        };
        await assert.rejects(runPolicies([resource("x:y:Z", "a", {})], { policies: [boom] }), /policy boom failed on urn:pulumi:test::meshgate::x:y:Z::a: bad/);
    });

    it("reports a stack violation without URN on the empty URN", async () => {
        const s: StackValidationPolicy = { name: "s", description: "stack-wide", enforcementLevel: "mandatory", validateStack: (_args, report) => report("") };
        assert.deepEqual(await runPolicies([], { policies: [s] }), [{ policy: "s", level: "mandatory", urn: "", message: "stack-wide" }]);
    });

    it("remediates before validating: the fix is reported at level remediate and the stack sees the fixed props", async () => {
        const ns = k8s("v1", "Namespace", "users", undefined, {}, { labels: { "istio-injection": "true" } });
        const ap = k8s("security.istio.io/v1", "AuthorizationPolicy", "user-service", "users", {
            spec: { selector: { matchLabels: { app: "u" } }, rules: [{ from: [{ source: { namespaces: ["orders"] } }] }] },
        });
        const policies = [istioNamespaceInjectionLabel(), istioNamespaceInjection()];
        const vs = await runPolicies([ns, ap], { policies });
        assert.deepEqual(
            vs.map((v) => [v.policy, v.level, v.urn]),
            [["istio-namespace-injection-label", "remediate", ns.urn]],
        );

        // At level mandatory nothing is fixed: both rules report.
        const strict = await runPolicies([ns, ap], { policies, config: { "istio-namespace-injection-label": "mandatory" } });
        assert.deepEqual(
            strict.map((v) => [v.policy, v.level]),
            [
                ["istio-namespace-injection-label", "mandatory"],
                ["istio-namespace-injection", "mandatory"],
            ],
        );
    });

    it("offers remediateResource that adds the label and keeps the other labels", async () => {
        const rule = istioNamespaceInjectionLabel();
        const ns = k8s("v1", "Namespace", "users", undefined, {}, { labels: { team: "a" } });
        let fixed: unknown;
        const spy: ResourceValidationPolicy = {
            ...rule,
            remediateResource: async (args) => {
                fixed = await rule.remediateResource?.(args);
                return undefined;
            },
        };
        await runPolicies([ns], { policies: [spy], config: { "istio-namespace-injection-label": { enforcementLevel: "remediate", meshedNamespaces: ["users"] } } });
        assert.deepEqual((fixed as { metadata: unknown }).metadata, { name: "users", labels: { team: "a", "istio-injection": "enabled" } });
    });
});
