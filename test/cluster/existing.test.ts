/** ExistingCluster: a Kubernetes provider from a kubeconfig, and no AWS resource at all. */
import * as assert from "node:assert/strict";
import { ExistingCluster } from "../../components/cluster";
import { runProgram } from "../../tools/plan/runtime";
import { T } from "./helpers";

describe("ExistingCluster", () => {
    it("creates a Kubernetes provider from the kubeconfig path and context, and no aws: resource", async () => {
        let cluster: ExistingCluster | undefined;
        const run = await runProgram(
            () => {
                cluster = new ExistingCluster("local", { kubeconfig: "/home/me/.kube/kind", context: "kind-meshgate" });
                return { clusterName: cluster.clusterName };
            },
            { stack: "local" },
        );
        assert.deepEqual(run.resources.map((r) => r.type).sort(), ["meshgate:cluster:ExistingCluster", "pulumi:providers:kubernetes", "pulumi:pulumi:Stack"]);
        assert.deepEqual(
            run.resources.filter((r) => r.type.startsWith("aws:")),
            [],
        );
        const provider = run.byType(T.k8sProvider)[0];
        assert.equal(provider.inputs.kubeconfig, "/home/me/.kube/kind");
        assert.equal(provider.inputs.context, "kind-meshgate");
        assert.equal(provider.name, "local-k8s");
        assert.equal(run.outputs.clusterName, "kind-meshgate");
        assert.equal(cluster?.loadBalancer, "generic");
        assert.deepEqual(cluster?.loadBalancerReady, []);
        assert.deepEqual(cluster?.workloadsReady, []);
        assert.equal(cluster?.oidc, undefined);
    });

    it("leaves kubeconfig and context to the provider's defaults when not given, and takes loadBalancer from its args", async () => {
        let cluster: ExistingCluster | undefined;
        const run = await runProgram(() => {
            cluster = new ExistingCluster("adopted", { loadBalancer: "aws-nlb" });
            return {};
        });
        const provider = run.byType(T.k8sProvider)[0];
        assert.equal(provider.inputs.kubeconfig, undefined);
        assert.equal(provider.inputs.context, undefined);
        assert.equal(cluster?.loadBalancer, "aws-nlb");
        assert.equal(run.resources.length, 3, "the stack, the component and its provider");
        assert.deepEqual(
            run.resources.filter((r) => r.type.startsWith("aws:")),
            [],
        );
    });
});
