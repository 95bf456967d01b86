import { strict as assert } from "node:assert";
import { NODE_TOPOLOGY_KEY, topologySpread, ZONE_TOPOLOGY_KEY } from "../../components/topology-spread";

describe("topologySpread (the one builder of topology spread constraints)", () => {
    it("spreads over zones then nodes by default, soft, maxSkew 1, selecting the given labels", () => {
        assert.deepEqual(topologySpread({ app: "x" }), [
            { maxSkew: 1, topologyKey: ZONE_TOPOLOGY_KEY, whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { app: "x" } } },
            { maxSkew: 1, topologyKey: NODE_TOPOLOGY_KEY, whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { app: "x" } } },
        ]);
        assert.equal(ZONE_TOPOLOGY_KEY, "topology.kubernetes.io/zone");
        assert.equal(NODE_TOPOLOGY_KEY, "kubernetes.io/hostname");
    });

    it("spreads over only the topologies asked for, and adds matchLabelKeys only when given", () => {
        assert.deepEqual(
            topologySpread({ app: "x" }, { over: ["node"] }).map((c) => c.topologyKey),
            [NODE_TOPOLOGY_KEY],
        );
        const withKeys = topologySpread({ app: "x" }, { over: ["zone"], matchLabelKeys: ["pod-template-hash"] });
        assert.equal(withKeys.length, 1);
        assert.deepEqual(withKeys[0]?.matchLabelKeys, ["pod-template-hash"]);
        assert.ok(!("matchLabelKeys" in (topologySpread({ app: "x" })[0] ?? {})));
    });

    it("copies the labels, so a caller's later change does not leak into the values", () => {
        const labels: Record<string, string> = { app: "x" };
        const [c] = topologySpread(labels, { over: ["zone"] });
        labels.app = "y";
        assert.deepEqual(c?.labelSelector.matchLabels, { app: "x" });
    });
});
