/**
 * The install order the Platform imposes, read from the dependency graph the
 * plan records: every explicit ordering edge (a dependency that is not a data
 * dependency of an input) must be one the design justifies, and releases that
 * can install in parallel must not wait for each other.
 */
import { strict as assert } from "node:assert";
import { plan } from "../../tools/plan/plan";
import type { RecordedResource } from "../../tools/plan/runtime";
import { readStackConfig, stackConfigPath } from "../../tools/plan/stack-config";

type Edge = { from: RecordedResource; to: RecordedResource };

/** `<type> <name>` of a resource, the text the rules below match. */
const label = (r: RecordedResource) => `${r.type} ${r.name}`;

const WORKLOADS_READY = /aws:eks\/nodeGroup:NodeGroup |aws:eks\/addon:Addon |Release meshgate-cluster-lb-controller-release$/;
const ISTIO_CR = /^kubernetes:(networking|security|telemetry)\.istio\.io\//;
const KONG_CR = /^kubernetes:configuration\.konghq\.com\//;

/** The justified explicit edges: [from, to, why]. */
const JUSTIFIED: [RegExp, RegExp, string][] = [
    [/aws:ec2\/(eip:Eip|natGateway:NatGateway) /, /aws:ec2\/internetGateway:InternetGateway /, "a NAT gateway needs the VPC's internet gateway attached"],
    [/aws:eks\/nodeGroup:NodeGroup /, /^aws:ec2\//, "nodes in private subnets join the cluster only once the network (routes, NAT) is complete"],
    [/aws:eks\/nodeGroup:NodeGroup /, /aws:eks\/addon:Addon .*(vpc-cni|kube-proxy)$/, "nodes become Ready only with the CNI and kube-proxy"],
    [/aws:ec2\/flowLog:FlowLog /, /aws:iam\/rolePolicy:RolePolicy /, "flow logs are delivered only once the delivery role may write to the log group"],
    [/aws:eks\/addon:Addon .*(coredns|aws-ebs-csi-driver)$/, /aws:eks\/nodeGroup:NodeGroup /, "these add-ons run pods"],
    [/Release meshgate-cluster-lb-controller-release$/, WORKLOADS_READY, "the controller runs pods on the nodes"],
    [
        /Release meshgate-(mesh-istiod|mesh-gateway|gateway-release|observability-.*)$/,
        WORKLOADS_READY,
        "releases run pods; on EKS every Service waits for the LB controller's webhook",
    ],
    [
        /Release meshgate-cluster-(metrics-server|autoscaler)-release$/,
        WORKLOADS_READY,
        "metrics-server and the autoscaler run pods, and their Services pass the LB controller's webhook",
    ],
    [/StorageClass meshgate-cluster-storage-class$/, /aws:eks\/addon:Addon .*aws-ebs-csi-driver$/, "the class's provisioner is the EBS CSI driver (part of storageReady)"],
    [
        /Release meshgate-observability-/,
        /StorageClass meshgate-cluster-storage-class$/,
        "Prometheus's and Jaeger's claims name the gp3 class (the observability releases share storageReady)",
    ],
    [/Release meshgate-mesh-istiod$/, /Release meshgate-mesh-base$/, "istiod needs the CRDs and webhook configuration of istio/base"],
    [/Release meshgate-gateway-release$/, /Release meshgate-mesh-istiod$/, "Kong's pods are injected with sidecars: istiod's injector must be up"],
    [ISTIO_CR, /Release meshgate-mesh-base$/, "Istio custom resources need Istio's CRDs"],
    [KONG_CR, /Release meshgate-gateway-release$/, "Kong custom resources need the KIC CRDs"],
    [/KongConsumer /, /kubernetes:core\/v1:Secret /, "a consumer names its credential Secrets"],
    [/networking\.k8s\.io\/v1:Ingress /, /KongPlugin /, "a route goes live only with its plugins in place, never unauthenticated"],
    [/networking\.k8s\.io\/v1:Ingress /, /Release meshgate-gateway-release$/, "a route is served once Kong (and its IngressClass) is up"],
    [/kubernetes:core\/v1:Service meshgate-gateway-metrics$/, /Release meshgate-gateway-release$/, "the metrics Service selects Kong's pods, which the release creates"],
    [/^kubernetes:monitoring\.coreos\.com\//, /Release meshgate-observability-kube-prometheus-stack$/, "monitors need the prometheus-operator CRDs"],
    [/^kubernetes:/, /kubernetes:core\/v1:Namespace /, "a namespaced object needs its namespace"],
    [/kubernetes:core\/v1:Namespace meshgate-ns-/, WORKLOADS_READY, "service namespaces (and so their Services) wait for the LB controller's Service webhook"],
];

function explicitEdges(resources: readonly RecordedResource[]): Edge[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const edges: Edge[] = [];
    for (const from of resources) {
        const data = new Set(Object.values(from.propertyDependencies).flat());
        for (const urn of from.dependsOn) {
            const to = byUrn.get(urn);
            if (to !== undefined && !data.has(urn)) {
                edges.push({ from, to });
            }
        }
    }
    return edges;
}

/** Does `from` wait for `to`, directly or through other resources? */
function waitsFor(resources: readonly RecordedResource[], from: RecordedResource, to: RecordedResource): boolean {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const seen = new Set<string>();
    const stack = [...from.dependsOn];
    while (stack.length > 0) {
        const urn = stack.pop() as string;
        if (urn === to.urn) {
            return true;
        }
        if (!seen.has(urn)) {
            seen.add(urn);
            stack.push(...(byUrn.get(urn)?.dependsOn ?? []));
        }
    }
    return false;
}

for (const stack of ["prod", "local"]) {
    describe(`the install order of ${stack}`, () => {
        let resources: RecordedResource[];
        const releaseNamed = (suffix: string) => resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === `meshgate-${suffix}`);

        before(async () => {
            const result = await plan({ stack, config: readStackConfig(stackConfigPath(stack)) });
            assert.equal(result.kind, "planned");
            resources = result.kind === "planned" ? result.run.resources : [];
        });

        it("has no explicit ordering edge the design does not justify", () => {
            const unjustified = explicitEdges(resources)
                .filter(({ from, to }) => !JUSTIFIED.some(([f, t]) => f.test(label(from)) && t.test(label(to))))
                .map(({ from, to }) => `${label(from)} -> ${label(to)}`);
            assert.deepEqual(unjustified, []);
        });

        it("installs kube-prometheus-stack, Jaeger, istiod and Kong without waiting for each other where nothing requires it", () => {
            const [kps, jaeger, istiod, kong] = ["observability-kube-prometheus-stack", "observability-jaeger", "mesh-istiod", "gateway-release"].map(releaseNamed);
            assert.ok(kps && jaeger && istiod && kong);
            for (const [a, b] of [
                [kong, kps],
                [kong, jaeger],
                [istiod, jaeger],
                [istiod, kps],
                [kps, istiod],
                [kps, kong],
                [jaeger, istiod],
                [jaeger, kps],
            ] as const) {
                assert.ok(!waitsFor(resources, a, b), `${a.name} must not wait for ${b.name}`);
            }
            assert.ok(waitsFor(resources, kong, istiod), "Kong waits for istiod (its pods are injected)");
        });

        it("creates every Istio and Kong custom resource after the release that installs its CRDs", () => {
            const base = releaseNamed("mesh-base");
            const kong = releaseNamed("gateway-release");
            assert.ok(base && kong);
            const istioCrs = resources.filter((x) => ISTIO_CR.test(x.type));
            const kongCrs = resources.filter((x) => KONG_CR.test(x.type));
            assert.ok(istioCrs.length > 0, "some Istio custom resources");
            assert.ok(kongCrs.length > 0, "some Kong custom resources");
            for (const r of istioCrs) {
                assert.ok(waitsFor(resources, r, base), `${r.name} waits for istio/base`);
            }
            for (const r of kongCrs) {
                assert.ok(waitsFor(resources, r, kong), `${r.name} waits for the kong release`);
            }
        });
    });
}
