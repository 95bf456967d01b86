/**
 * Everything a stack's plan would apply, checked against upstream at once: every Helm value
 * key exists in that chart version's values.yaml, every Istio and Kong custom resource fits
 * its CRD (schema and CEL rules), every Kong plugin config fits Kong 3.9's plugin schema.
 * The component tests check the same piece by piece; this catches what only the composition
 * produces (user overrides merged, stack-specific options).
 */
import { strict as assert } from "node:assert";
import { KONG_CHART_COMMENTED_KEYS } from "../../components/kong";
import { JAEGER_CHART_TEMPLATE_KEYS } from "../../components/observability";
import { unknownValueKeys, validateCustomResource, validateKongPluginConfig } from "../../policies/validate";
import { plan } from "../../tools/plan/plan";
import type { RecordedResource } from "../../tools/plan/runtime";
import { listStacks, readStackConfig, stackConfigPath } from "../../tools/plan/stack-config";

/** The reference data's chart id for a release's `chart` input. */
const CHART_IDS: Record<string, string> = {
    base: "istio-base",
    istiod: "istiod",
    gateway: "istio-gateway",
    kong: "kong",
    "kube-prometheus-stack": "kube-prometheus-stack",
    jaeger: "jaeger",
    "aws-load-balancer-controller": "aws-load-balancer-controller",
    "kiali-server": "kiali-server",
    "metrics-server": "metrics-server",
    "cluster-autoscaler": "cluster-autoscaler",
};

/** Keys the charts' templates read but their values.yaml only shows in comments. */
const COMMENTED_KEYS: Record<string, readonly string[]> = { kong: KONG_CHART_COMMENTED_KEYS, jaeger: JAEGER_CHART_TEMPLATE_KEYS };

const CHECKED_GROUPS = /^kubernetes:(networking\.istio\.io|security\.istio\.io|telemetry\.istio\.io|configuration\.konghq\.com)\//;

describe("the stacks checked against upstream", () => {
    it("are every stack of stacks/ (dev, local, prod, staging at least): a missing folder would leave no test below", () => {
        const stacks = listStacks();
        assert.ok(
            ["dev", "local", "prod", "staging"].every((s) => stacks.includes(s)),
            stacks.join(", "),
        );
    });
});

for (const stack of listStacks()) {
    describe(`what the ${stack} stack applies, against upstream`, () => {
        let resources: RecordedResource[] = [];
        before(async () => {
            const result = await plan({ stack, config: readStackConfig(stackConfigPath(stack)) });
            assert.equal(result.kind, "planned");
            resources = result.kind === "planned" ? result.run.resources : [];
        });

        it("sets only Helm value keys that exist in each chart's values.yaml", () => {
            const releases = resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
            assert.ok(releases.length >= 4, "the stack installs its releases");
            const problems = releases.flatMap((r) => {
                const chart = String(r.inputs.chart).split("/").pop() as string;
                const id = CHART_IDS[chart];
                if (id === undefined) {
                    return [`${r.name}: no reference data for chart ${chart}`];
                }
                return unknownValueKeys(id, r.inputs.values, { allow: COMMENTED_KEYS[id] ?? [] }).map((k) => `${r.name} (${id}): ${k}`);
            });
            assert.deepEqual(problems, []);
        });

        it("emits Istio and Kong custom resources that fit their CRDs, schema and CEL rules", () => {
            const custom = resources.filter((r) => CHECKED_GROUPS.test(r.type));
            assert.ok(custom.length > 0);
            const problems = custom.flatMap((r) => validateCustomResource(r.inputs).map((p) => `${r.name}: ${p}`));
            assert.deepEqual(problems, []);
        });

        it("configures every Kong plugin as Kong 3.9's schema allows", () => {
            const plugins = resources.filter((r) => /:Kong(Cluster)?Plugin$/.test(r.type));
            assert.ok(plugins.length > 0);
            const problems = plugins.flatMap((r) => validateKongPluginConfig(String(r.inputs.plugin), r.inputs.config).map((p) => `${r.name}: ${p}`));
            assert.deepEqual(problems, []);
        });
    });
}
