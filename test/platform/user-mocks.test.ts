// The components under a user's own mocks: the pattern of Pulumi's testing guide
// (https://www.pulumi.com/docs/iac/guides/testing/unit/), where every resource's state is
// its inputs and every provider function returns its arguments. No placeholder outputs
// from tools/plan/placeholders.ts: a consumer's unit tests have none.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { meshgateSection, readStackConfig, stackConfigPath } from "../../tools/plan/stack-config";
import { Platform, type PlatformArgs } from "../../components/platform";

interface Registered {
    type: string;
    name: string;
}

/** Sets the documented mocks, builds the stack's Platform, resolves every output; returns what was registered and what went wrong. */
async function underUserMocks(stack: string): Promise<{ registered: Registered[]; calls: string[]; errors: unknown[]; outputs: Record<string, unknown> }> {
    const registered: Registered[] = [];
    const calls: string[] = [];
    const errors: unknown[] = [];
    const onRejection = (e: unknown) => errors.push(e);
    process.on("unhandledRejection", onRejection);
    try {
        pulumi.runtime.setAllConfig({}, []);
        await pulumi.runtime.setMocks(
            {
                newResource(args: pulumi.runtime.MockResourceArgs) {
                    registered.push({ type: args.type, name: args.name });
                    return { id: `${args.name}_id`, state: args.inputs };
                },
                call(args: pulumi.runtime.MockCallArgs) {
                    calls.push(args.token);
                    return args.inputs;
                },
            },
            "consumer",
            stack,
        );
        const platform = new Platform("shop", meshgateSection(readStackConfig(stackConfigPath(stack))) as unknown as PlatformArgs);
        const outputs = (await resolveAll(platform.stackOutputs())) as Record<string, unknown>;
        return { registered, calls, errors, outputs };
    } finally {
        process.off("unhandledRejection", onRejection);
    }
}

/** Every Output in `value` resolved (rejecting with the first error), at any depth. */
async function resolveAll(value: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) {
        return resolveAll(await (value as unknown as { promise(): Promise<unknown> }).promise());
    }
    if (Array.isArray(value)) {
        return Promise.all(value.map(resolveAll));
    }
    if (typeof value === "object" && value !== null) {
        const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolveAll(v)] as const));
        return Object.fromEntries(entries);
    }
    return value;
}

describe("the components under a user's own mocks (state = inputs, calls return their arguments)", function () {
    this.timeout(60_000);

    it("Platform on an existing cluster (local) registers its components and resolves every stack output, without an error", async () => {
        const r = await underUserMocks("local");
        assert.deepEqual(r.errors.map(String), []);
        assert.ok(
            r.registered.some((x) => x.type === "meshgate:kong:KongGateway"),
            "the Kong gateway",
        );
        assert.ok(r.registered.filter((x) => x.type === "meshgate:mesh:MeshService").length > 0, "services");
        const gateway = r.outputs.gateway as { proxyService: { namespace: string; name: string }; hostnameCommand: string };
        assert.equal(gateway.proxyService.namespace, "kong", "the proxy Service's namespace without a release status");
        assert.match(gateway.hostnameCommand, /^kubectl -n kong get service /);
    });

    it("Platform on EKS (prod) builds its VPC across 3 zones although the zone lookup returns no zone names", async () => {
        const r = await underUserMocks("prod");
        assert.deepEqual(r.errors.map(String), []);
        assert.ok(r.calls.includes("aws:index/getAvailabilityZones:getAvailabilityZones"), "the zone lookup was made (and mocked)");
        assert.equal(r.registered.filter((x) => x.type === "aws:ec2/subnet:Subnet").length, 6, "3 private and 3 public subnets");
        assert.ok(r.registered.some((x) => x.type === "aws:eks/cluster:Cluster"));
    });
});
