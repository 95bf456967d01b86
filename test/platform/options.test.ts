/**
 * Platform pass-throughs (issue 15 item 2): Helm values per release deep-merged over
 * meshgate's and checked against the pinned chart's keys, AWS tags, chart versions; every
 * problem in the same ConfigError as the declaration's.
 */
import { strict as assert } from "node:assert";
import { runProgram, type PlanRun, type RecordedResource } from "../../tools/plan/runtime";
import { Platform, type PlatformArgs } from "../../components/platform";
import { ConfigError } from "../../components/config";
import { ISTIO_VERSION } from "../../components/versions";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const EXISTING: PlatformArgs = { cluster: { type: "existing", context: "kind-shop" }, observability: { enabled: true } };
const EKS: PlatformArgs = {
    cluster: { type: "eks", region: "eu-west-1", nodeGroups: [{ name: "general", minSize: 1, maxSize: 3 }] },
    gateway: { rateLimitRedis: { type: "elasticache" } },
};

function plan(args: PlatformArgs): Promise<PlanRun> {
    return runProgram(() => new Platform("meshgate", args).stackOutputs(), { stack: "dev" });
}

function release(run: PlanRun, name: string): RecordedResource {
    const r = run.byType(RELEASE).find((x) => x.inputs.name === name);
    assert.ok(r, `release ${name}`);
    return r;
}

function configError(args: PlatformArgs): ConfigError {
    try {
        new Platform("meshgate", args);
    } catch (e) {
        assert.ok(e instanceof ConfigError, String(e));
        return e;
    }
    return assert.fail("no ConfigError");
}

describe("Platform options: helmValues, tags, versions", function () {
    this.timeout(60_000);

    it("deep-merges helmValues over meshgate's values, per release (the user wins, meshgate's other keys stay)", async () => {
        const run = await plan({
            ...EXISTING,
            helmValues: { kong: { env: { log_level: "debug" } }, istiod: { autoscaleMax: 7 }, jaeger: { jaeger: { resources: { limits: { memory: "2Gi" } } } } },
        });
        const kong = release(run, "kong").inputs.values as { env: Record<string, unknown> };
        assert.equal(kong.env.log_level, "debug");
        assert.equal(kong.env.database, "off", "meshgate's env stays");
        assert.equal((release(run, "istiod").inputs.values as { autoscaleMax: unknown }).autoscaleMax, 7);
        assert.equal((release(run, "jaeger").inputs.values as { jaeger: { resources: { limits: { memory: string } } } }).jaeger.resources.limits.memory, "2Gi");
    });

    it("refuses a key the pinned chart does not have, with the declaration's own problems, in one ConfigError", () => {
        const e = configError({
            ...EXISTING,
            services: [{ name: "a", namespace: "team", port: 70000 }],
            helmValues: { kong: { proxy: { tpye: "NodePort" } }, jaeger: { fullnameOverride: "traces" } },
        });
        const paths = e.issues.map((i) => i.path);
        assert.deepEqual(paths, ["services[0].port", "helmValues.kong.proxy.tpye", "helmValues.jaeger.fullnameOverride"], e.message);
        assert.match(e.issues[1].message, /"tpye" is not a key of proxy in chart kong 3\.4\.1; did you mean "type"\?; Helm would ignore it/);
        assert.match(e.issues[2].message, /not supported: it renames the Jaeger Service/);
    });

    it("tags every AWS resource it creates (and keeps meshgate's environment tag)", async () => {
        const run = await plan({ ...EKS, tags: { team: "platform", "cost-centre": "42" } });
        const aws = run.resources.filter((r) => r.type.startsWith("aws:") && r.inputs.tags !== undefined);
        assert.ok(aws.length > 5, `${aws.length} tagged AWS resources`);
        for (const r of aws) {
            const tags = r.inputs.tags as Record<string, string>;
            assert.equal(tags.team, "platform", `${r.type} ${r.name}`);
        }
        assert.ok(
            aws.some((r) => r.type === "aws:elasticache/replicationGroup:ReplicationGroup"),
            "the rate-limit Redis too",
        );
        assert.ok(
            aws.every((r) => Object.values(r.inputs.tags as Record<string, string>).includes("dev")),
            "the environment tag stays",
        );
    });

    it("refuses tags AWS would refuse", () => {
        const e = configError({ ...EKS, tags: { "aws:team": "x", ["k".repeat(129)]: "y" } });
        assert.equal(e.issues.length, 2, e.message);
        assert.deepEqual(
            e.issues.map((i) => i.path),
            ["tags.aws:team", `tags.${"k".repeat(129)}`],
            e.message,
        );
        assert.match(e.message, /must not start with "aws:"/);
        assert.match(e.message, /1 to 128 characters/);
    });

    it("installs the chart versions given (istio serves base, istiod and gateway), not checking keys it does not know for them", async () => {
        const run = await plan({ ...EXISTING, versions: { istio: "1.30.2" }, helmValues: { istiod: { keyOfAnotherVersion: true } } });
        for (const name of ["istio-base", "istiod"]) {
            assert.equal(release(run, name).inputs.version, "1.30.2");
        }
        assert.notEqual(ISTIO_VERSION, "1.30.2");
        const e = configError({ ...EXISTING, versions: { istio: "1.30" } });
        assert.deepEqual(
            e.issues.map((i) => i.path),
            ["versions.istio"],
        );
    });
});
