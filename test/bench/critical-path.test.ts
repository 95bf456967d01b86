/**
 * The deploy critical-path computation on a hand-made graph: component
 * dependencies expand to the component's descendants, the planned path and
 * the lower bound are longest paths over the right edges, and an ordering no
 * unavoidable class explains is reported with what it costs. Durations are
 * pinned with overrides so that the test does not follow the table.
 */
import * as assert from "node:assert/strict";
import { DeployGraph, criticalPath, longestPath, recordedEdges, unavoidableEdges, type GraphResource } from "../../tools/bench/critical-path";
import { durationOf } from "../../tools/bench/durations";

const STACK = "urn:pulumi:t::p::pulumi:pulumi:Stack::p-t";
const urn = (type: string, name: string) => `urn:pulumi:t::p::${type}::${name}`;

function res(type: string, name: string, extra: Partial<GraphResource> = {}): GraphResource {
    return {
        urn: urn(type, name),
        type,
        name,
        parent: STACK,
        custom: !type.startsWith("test:"),
        dependsOn: [],
        propertyDependencies: {},
        inputs: {},
        ...extra,
    };
}

const CLUSTER = "aws:eks/cluster:Cluster";
const NODES = "aws:eks/nodeGroup:NodeGroup";
const PROVIDER = "pulumi:providers:kubernetes";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const VS = "kubernetes:networking.istio.io/v1:VirtualService";

/**
 * cluster ─► nodes ─► istiod           provider ◄─ cluster
 *                        ▲             base (istio CRDs) ◄─ provider
 *   mesh (component) = {base, istiod}
 *   virtual-service dependsOn [mesh]: recorded after base AND istiod, though only base's CRDs are needed.
 */
function graph(): GraphResource[] {
    const cluster = res(CLUSTER, "cluster");
    const nodes = res(NODES, "nodes", { dependsOn: [cluster.urn], propertyDependencies: { clusterName: [cluster.urn] } });
    const provider = res(PROVIDER, "k8s", { dependsOn: [cluster.urn], propertyDependencies: { kubeconfig: [cluster.urn] } });
    const mesh = res("test:index:Mesh", "mesh");
    const base = res(RELEASE, "base", { parent: mesh.urn, provider: provider.urn, inputs: { chart: "base", namespace: "istio-system" } });
    const istiod = res(RELEASE, "istiod", { parent: mesh.urn, provider: provider.urn, dependsOn: [base.urn, nodes.urn], inputs: { chart: "istiod", namespace: "istio-system" } });
    const vs = res(VS, "virtual-service", { provider: provider.urn, dependsOn: [mesh.urn], inputs: { metadata: { name: "vs", namespace: "team" } } });
    return [{ ...res("pulumi:pulumi:Stack", "p-t"), parent: undefined, custom: false }, cluster, nodes, provider, mesh, base, istiod, vs];
}

const SECONDS = {
    [CLUSTER]: 600,
    [NODES]: 200,
    [PROVIDER]: 1,
    "helm:base": 15,
    "helm:istiod": 60,
    "kubernetes:custom-resource": 1,
};

const names = (chain: { name: string }[]) => chain.map((s) => s.name);

describe("deploy critical path", () => {
    it("expands a dependency on a component into the component's custom descendants", () => {
        const g = new DeployGraph(graph());
        assert.deepEqual(g.expand(urn("test:index:Mesh", "mesh")).sort(), [urn(RELEASE, "base"), urn(RELEASE, "istiod")]);
        assert.deepEqual(g.expand(urn(RELEASE, "base")), [urn(RELEASE, "base")]);
        assert.deepEqual(g.expand("urn:pulumi:t::p::test:index:Gone::x"), []);
        const intoVs = recordedEdges(g)
            .filter((e) => e.to === urn(VS, "virtual-service"))
            .map((e) => e.from)
            .sort();
        assert.deepEqual(intoVs, [urn(RELEASE, "base"), urn(RELEASE, "istiod"), urn(PROVIDER, "k8s")]);
    });

    it("classes the edges no ordering avoids: data, provider, nodes, crd", () => {
        const g = new DeployGraph(graph());
        const kinds = (from: string, to: string) =>
            unavoidableEdges(g)
                .filter((e) => e.from === from && e.to === to)
                .map((e) => e.kind)
                .sort();
        assert.deepEqual(kinds(urn(CLUSTER, "cluster"), urn(NODES, "nodes")), ["data"]);
        assert.deepEqual(kinds(urn(PROVIDER, "k8s"), urn(VS, "virtual-service")), ["provider"]);
        assert.deepEqual(kinds(urn(NODES, "nodes"), urn(RELEASE, "istiod")), ["nodes"]);
        assert.deepEqual(kinds(urn(RELEASE, "base"), urn(VS, "virtual-service")), ["crd"]);
        assert.deepEqual(kinds(urn(RELEASE, "base"), urn(RELEASE, "istiod")), ["crd"]);
        assert.deepEqual(kinds(urn(RELEASE, "istiod"), urn(VS, "virtual-service")), [], "a VirtualService needs the CRD, not istiod");
    });

    it("finds the planned path, the lower bound and the avoidable edge that separates them", () => {
        const report = criticalPath(graph(), SECONDS);
        // planned: cluster 600 → nodes 200 → istiod 60 → virtual-service 1 (it waits for the whole mesh component)
        assert.equal(report.planned.seconds, 861);
        assert.deepEqual(names(report.planned.chain), ["cluster", "nodes", "istiod", "virtual-service"]);
        assert.deepEqual(
            report.planned.chain.map((s) => [s.start, s.finish]),
            [
                [0, 600],
                [600, 800],
                [800, 860],
                [860, 861],
            ],
        );
        assert.deepEqual(report.planned.chain[3].via, ["recorded"]);
        // lower bound: istiod still needs nodes; the VirtualService only base and the provider.
        assert.equal(report.lowerBound.seconds, 860);
        assert.deepEqual(names(report.lowerBound.chain), ["cluster", "nodes", "istiod"]);
        assert.equal(report.ratio, 861 / 860);
        assert.deepEqual(report.avoidableOnPath, [{ from: "istiod", to: "virtual-service", costSeconds: 1 }]);
        assert.deepEqual(report.avoidable, [{ from: "istiod", to: "virtual-service", edges: 1, slackSeconds: 0 }]);
        assert.equal(report.serialSeconds, 600 + 200 + 1 + 15 + 60 + 1);
    });

    it("gives components no duration and counts providers and custom resources only", () => {
        const report = criticalPath(graph(), SECONDS);
        assert.equal(report.resources, 6);
        assert.equal(durationOf({ type: "test:index:Mesh", custom: false, inputs: {} }).seconds, 0);
    });

    it("measures how long a Service created early waits for the pods its await needs", () => {
        const resources = graph();
        const provider = urn(PROVIDER, "k8s");
        const kong = res(RELEASE, "kong", { provider, dependsOn: [urn(RELEASE, "istiod")], inputs: { chart: "kong", name: "kong", namespace: "kong" } });
        const status = res("kubernetes:core/v1:Service", "kong-status", {
            provider,
            inputs: { metadata: { name: "kong-status", namespace: "kong" }, spec: { selector: { "app.kubernetes.io/instance": "kong" } } },
        });
        const report = criticalPath([...resources, kong, status], { ...SECONDS, "helm:kong": 120, "service:selector": 12 });
        // Created when the provider is up (601 s); kong starts after istiod (860 s) and its pods have addresses 30 s later.
        assert.deepEqual(report.awaitWaits, [{ name: "kong-status", type: "kubernetes:core/v1:Service", waitsFor: "kong", waitSeconds: 860 + 30 - 601, exceedsTimeout: false }]);
        // The Service completes 30 s into the kong release plus its own 12 s, not after the release.
        assert.equal(report.planned.seconds, 860 + 120);
    });

    it("reports a dependency cycle instead of a path", () => {
        const a = res(RELEASE, "a", { dependsOn: [urn(RELEASE, "b")] });
        const b = res(RELEASE, "b", { dependsOn: [a.urn] });
        const g = new DeployGraph([a, b]);
        assert.throws(() => longestPath(g, recordedEdges(g)), /cycle \(involving a, b\)/);
    });

    it("makes a release that mounts volumes wait for the StorageClass its claims name, and gives the new add-ons their durations", () => {
        const resources = graph();
        const provider = urn(PROVIDER, "k8s");
        const sc = res("kubernetes:storage.k8s.io/v1:StorageClass", "gp3", { provider, inputs: { metadata: { name: "gp3" } } });
        const kps = res(RELEASE, "kps", {
            provider,
            inputs: {
                chart: "kube-prometheus-stack",
                namespace: "observability",
                values: { prometheus: { prometheusSpec: { storageSpec: { volumeClaimTemplate: { spec: { storageClassName: "gp3" } } } } } },
            },
        });
        const g = new DeployGraph([...resources, sc, kps]);
        const storage = unavoidableEdges(g).filter((e) => e.kind === "storage");
        assert.deepEqual(
            storage.map((e) => [e.from, e.to]),
            [[sc.urn, kps.urn]],
        );
        assert.equal(durationOf({ type: RELEASE, custom: true, inputs: { chart: "metrics-server" } }).key, "helm:metrics-server");
        assert.equal(durationOf({ type: RELEASE, custom: true, inputs: { chart: "cluster-autoscaler" } }).key, "helm:cluster-autoscaler");
    });
});
