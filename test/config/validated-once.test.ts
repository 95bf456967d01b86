/**
 * Validation once (issue 15 item 1): a plan validates its stack config once, and the
 * components the Platform composes do not check again what the stack schema guaranteed; a
 * consumer constructing a component directly gets its args checked, with the words the
 * stack config uses for the same rule.
 */
import { strict as assert } from "node:assert";
import { validationRuns } from "../../components/config/args";
import { checkStackConfig } from "../../components/config";
import { planIstioMesh } from "../../components/istio";
import { kongReleaseValues } from "../../components/kong";
import { MeshService } from "../../components/mesh-service";
import { planObservability } from "../../components/observability";
import { plan } from "../../tools/plan/plan";
import { runProgram } from "../../tools/plan/runtime";
import { readStackConfig, stackConfigPath } from "../../tools/plan/stack-config";

function resetRuns(): void {
    for (const k of Object.keys(validationRuns)) delete validationRuns[k];
}

/** The message of the stack config's issue at `path`, for `raw`. */
function stackMessage(raw: unknown, path: string): string {
    const issue = checkStackConfig(raw).issues.find((i) => i.path === path);
    assert.ok(issue, `an issue at ${path}`);
    return issue.message.replace(/; got .*$/, "");
}

describe("validation once per run", function () {
    this.timeout(120_000);

    it("a plan of dev validates the stack config once and re-validates no component's args", async () => {
        resetRuns();
        const result = await plan({ stack: "dev", config: readStackConfig(stackConfigPath("dev")) });
        assert.equal(result.kind, "planned");
        assert.ok(result.kind === "planned" && result.run.resources.some((r) => r.type === "meshgate:mesh:MeshService"), "the plan has services");
        assert.equal(validationRuns.stack, 1, JSON.stringify(validationRuns));
        for (const kind of ["IstioMesh", "KongGateway", "Observability", "ApiConsumers", "MeshService"]) {
            assert.equal(validationRuns[kind], undefined, `${kind} args derived from the validated config are not checked again (${JSON.stringify(validationRuns)})`);
        }
    });

    it("a component constructed directly checks its args, every problem at once, in the stack config's words", () => {
        resetRuns();
        assert.throws(
            () => planObservability({ prometheus: { retention: "ten days", storageGiB: 0 } }),
            (e: Error) =>
                e.message.startsWith("invalid Observability args:\n") &&
                e.message.includes(
                    `prometheus.retention: ${stackMessage({ cluster: { type: "existing" }, observability: { prometheus: { retention: "ten days" } } }, "observability.prometheus.retention")}, got "ten days"`,
                ) &&
                e.message.includes("prometheus.storageGiB: must be at least 1, got 0"),
        );
        assert.throws(
            () => planIstioMesh({ tracing: { samplingPercentage: 150 } }),
            (e: Error) =>
                e.message.includes(
                    `tracing.samplingPercentage: ${stackMessage({ cluster: { type: "existing" }, mesh: { tracing: { samplingPercentage: 150 } } }, "mesh.tracing.samplingPercentage")}, got 150`,
                ),
        );
        assert.throws(
            () => kongReleaseValues({ loadBalancer: "none", tls: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0f8c2a4e" } }),
            (e: Error) =>
                e.message.includes(
                    `tls.certificateArn: ${stackMessage({ cluster: { type: "existing", loadBalancer: "none" }, gateway: { tls: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0f8c2a4e" } } }, "gateway.tls.certificateArn")}`,
                ),
        );
        assert.equal(validationRuns.Observability, 1);
        assert.equal(validationRuns.IstioMesh, 1);
        assert.equal(validationRuns.KongGateway, 1);
    });

    it("MeshService takes a declaration as a user writes it, applies the defaults itself and rejects a bad one with its paths", async () => {
        resetRuns();
        const run = await runProgram(() => {
            const s = new MeshService("orders", {
                spec: { name: "orders", namespace: "shop", port: 8080, gateway: { paths: ["/orders"] } },
                mesh: true,
                gateway: { principal: "cluster.local/ns/kong/sa/kong-kong", dbless: true },
            });
            return { auth: s.objects.plugins.map((p) => p.plugin), retries: s.objects.virtualService?.spec.http[0].retries };
        });
        assert.deepEqual(run.outputs.auth, ["key-auth"], "gateway.auth defaults to key-auth");
        assert.equal(validationRuns.MeshService, 1);
        await assert.rejects(
            runProgram(() => {
                new MeshService("bad", { spec: { name: "bad", namespace: "shop", port: 70000, versions: [{ name: "v1", weight: 50 }] }, mesh: true });
            }),
            /invalid MeshService args for "bad":\n {2}spec\.port: must be a port from 1 to 65535, got 70000/,
        );
        await assert.rejects(
            runProgram(() => {
                new MeshService("bad", { spec: { name: "bad", namespace: "shop", port: 8080, versions: [{ name: "v1", weight: 50 }] }, mesh: true });
            }),
            /spec\.versions: weights add up to 50 \(v1: 50\); they must add up to 100/,
        );
    });
});
