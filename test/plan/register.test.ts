import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { runProgram, type PlanRun } from "../../tools/plan/runtime";

class Group extends pulumi.ComponentResource {
    readonly role: aws.iam.Role;
    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("test:index:Group", name, {}, opts);
        this.role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: "{}" }, { parent: this });
        const inner = new Inner(`${name}-inner`, { parent: this });
        new aws.iam.RolePolicyAttachment(`${name}-attach`, { role: this.role.name, policyArn: "arn:aws:iam::aws:policy/x" }, { parent: inner });
        this.registerOutputs({ role: this.role.arn });
    }
}

class Inner extends pulumi.ComponentResource {
    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("test:index:Inner", name, {}, opts);
        new aws.iam.Policy(`${name}-policy`, { policy: "{}", tags: { a: "1", b: undefined as unknown as string } }, { parent: this });
    }
}

// What the plan's own registration (tools/plan/register.ts) must handle as the SDK does: plain and Output
// inputs, secrets, dependsOn on components (their custom descendants), an explicit provider whose
// kubeconfig is an Output, a read (Resource.get) used as a dependency and as a parent, a resource
// created inside an apply, transforms (left to the SDK), functions and undefined in inputs.
function program(): Record<string, unknown> {
    const group = new Group("g");
    const other = new Group("h", { dependsOn: [group] });
    const provider = new k8s.Provider("k", { kubeconfig: pulumi.interpolate`{"role":"${group.role.arn}"}` });
    const ns = new k8s.core.v1.Namespace("ns", { metadata: { name: "apps", labels: { fn: (() => "x") as unknown as string } } }, { provider });
    const read = k8s.core.v1.Service.get("existing", "kong/kong-proxy", { provider });
    const secret = new k8s.core.v1.Secret(
        "s",
        { metadata: { namespace: ns.metadata.name }, stringData: { password: pulumi.secret("hunter2") }, type: undefined },
        { provider, dependsOn: [read, other] },
    );
    new k8s.core.v1.ConfigMap("child-of-read", { data: { a: "b" }, immutable: true }, { provider, parent: read });
    const late = secret.metadata.apply(
        (m) => new k8s.core.v1.ConfigMap("late", { metadata: { namespace: m.namespace }, data: { list: [1, undefined, "x"].join(",") } }, { provider }).urn,
    );
    new aws.s3.Bucket("t", { tags: { k: "v" } }, { transforms: [(args) => ({ props: { ...args.props, tags: { k: "transformed" } }, opts: args.opts })] });
    return { ns: ns.metadata.name, late, role: group.role.arn, secret: secret.stringData };
}

async function both(preview: boolean): Promise<[PlanRun, PlanRun]> {
    const sdk = await runProgram(program, { stack: "t", preview, monitor: "sdk-mocks" });
    const fast = await runProgram(program, { stack: "t", preview, monitor: "in-process" });
    return [sdk, fast];
}

describe("the plan's registration (tools/plan/register.ts) against the SDK's", () => {
    for (const preview of [true, false]) {
        it(`records the same resources, dependencies and outputs (${preview ? "preview" : "update"})`, async () => {
            const [sdk, fast] = await both(preview);
            assert.equal(sdk.resources.length, 17, sdk.resources.map((r) => r.urn).join("\n"));
            assert.deepEqual(
                fast.resources.map((r) => r.urn),
                sdk.resources.map((r) => r.urn),
            );
            for (const [i, r] of sdk.resources.entries()) {
                assert.deepEqual(fast.resources[i], r, r.urn);
                assert.equal(JSON.stringify(fast.resources[i]), JSON.stringify(r), `${r.urn}: key order`);
            }
            assert.equal(JSON.stringify(fast.outputs), JSON.stringify(sdk.outputs));
            const short = (urns: string[]) => urns.map((u) => u.split("::").pop());
            const byName = (name: string) => {
                const r = fast.resources.find((x) => x.name === name);
                assert.ok(r, name);
                return r;
            };
            // A component dependency is its custom descendants, breadth-first (as the SDK walks them).
            assert.deepEqual(short(byName("h").dependsOn), ["g-role", "g-inner-policy", "g-attach"]);
            assert.deepEqual(short(byName("s").dependsOn), ["existing", "h-role", "h-inner-policy", "h-attach", "ns"]);
            assert.deepEqual(Object.keys(byName("s").propertyDependencies), ["metadata"]);
            assert.equal(byName("s").inputs.stringData, "[secret]");
            assert.equal(byName("ns").provider?.split("::").pop(), "k");
            assert.equal(byName("child-of-read").parent?.split("::").pop(), "existing");
            // Transforms are left to the SDK: recorded as setMocks records them (above).
            assert.deepEqual(byName("t").inputs.tags, { k: "v" });
            assert.deepEqual(fast.outputs, { ns: "apps", late: byName("late").urn, role: "arn:aws:iam::123456789012:role/g-role", secret: "[secret]" });
        });
    }
});

class Failing extends pulumi.ComponentResource {
    constructor(name: string, rejected: pulumi.Output<string>, opts?: pulumi.ComponentResourceOptions) {
        super("test:index:Failing", name, {}, opts);
        new aws.iam.Policy(`${name}-policy`, { policy: "{}" }, { parent: this });
        // Plain values around a rejected Output, nested as component outputs usually are.
        this.registerOutputs({ plain: { a: [1, "x", { b: true }] }, nested: [{ deep: rejected }] });
    }
}

describe("component outputs in the plan's runtime (registerResourceOutputs, tools/plan/register.ts)", () => {
    // The SDK's registerResourceOutputs serializes them and fails asynchronously: with setMocks the plan
    // returns and the error surfaces later as an unhandled rejection ("error serializing property
    // outputs"), which ends a Node process. The in-process runtime awaits only what is not plain and
    // fails the plan with the error, inside the run.
    it("a rejected Output among a component's outputs fails the plan (in-process)", async () => {
        const rejected = pulumi.output(Promise.reject(new Error("boom in outputs")));
        await assert.rejects(
            runProgram(
                () => {
                    new Failing("f", rejected);
                    return {};
                },
                { stack: "t", monitor: "in-process" },
            ),
            /boom in outputs/,
        );
    });

    for (const monitor of ["sdk-mocks", "in-process"] as const) {
        it(`plain and Output outputs of components and of the stack plan as before (${monitor})`, async () => {
            const run = await runProgram(program, { stack: "t", monitor });
            assert.equal(run.resources.length, 17);
            assert.deepEqual(Object.keys(run.outputs).sort(), ["late", "ns", "role", "secret"]);
        });
    }
});

describe("aliases in the plan's runtime (tools/plan/runtime.ts)", () => {
    it("records the same resources with or without aliases, in both runtimes (an Ingress has two from @pulumi/kubernetes)", async () => {
        const withAliases = () => {
            new k8s.networking.v1.Ingress("ing", { spec: { rules: [] } });
            new aws.iam.Role("r", { assumeRolePolicy: "{}" }, { aliases: [{ name: "old-r" }, "urn:pulumi:t::meshgate::aws:iam/role:Role::older"] });
            return {};
        };
        const sdk = await runProgram(withAliases, { stack: "t", monitor: "sdk-mocks" });
        const fast = await runProgram(withAliases, { stack: "t", monitor: "in-process" });
        assert.equal(sdk.resources.length, 3, sdk.resources.map((r) => r.urn).join("\n"));
        assert.deepEqual(fast.resources, sdk.resources);
    });
});
