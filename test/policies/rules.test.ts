// Every rule fires on a bad resource (message checked) and stays quiet on a good one.
import * as assert from "node:assert/strict";
import { rules } from "../../policies/rules";
import { awsCases } from "./cases/aws";
import { helmCases } from "./cases/helm";
import { istioCases } from "./cases/istio";
import { kongCases } from "./cases/kong";
import { kongGatewayApiCases } from "./cases/kong-gateway-api";
import { kongGatewayEdgeCases } from "./cases/kong-gateway-edge";
import { kongGrpcCases } from "./cases/kong-grpc";
import { analyzeCases } from "./cases/analyze";
import { observabilityCases } from "./cases/observability";
import { eksKubernetesCases } from "./cases/eks-kubernetes";
import { retryCases } from "./cases/retries";
import { meshRouteCases } from "./cases/mesh-routes";
import type { RuleCases } from "./cases/types";
import { runRule, show } from "./harness";

const all: RuleCases[] = [
    ...awsCases,
    ...helmCases,
    ...istioCases,
    ...analyzeCases,
    ...kongCases,
    ...kongGatewayApiCases,
    ...kongGatewayEdgeCases,
    ...kongGrpcCases,
    ...observabilityCases,
    ...eksKubernetesCases,
    ...retryCases,
    ...meshRouteCases,
];

describe("policy rules", () => {
    it("has a firing and a quiet case for every rule", () => {
        const covered = new Map(all.map((c) => [c.rule, c]));
        assert.ok(rules.length >= 63, `${rules.length} rules`);
        for (const r of rules) {
            const c = covered.get(r.id);
            assert.ok(c, `no cases for ${r.id}`);
            assert.ok(c.bad.length > 0 && c.good.length > 0, `${r.id} needs bad and good cases`);
        }
        assert.deepEqual(
            [...covered.keys()].filter((id) => !rules.some((r) => r.id === id)),
            [],
            "cases for unknown rules",
        );
    });

    for (const c of all) {
        const info = rules.find((r) => r.id === c.rule);
        describe(c.rule, () => {
            for (const bad of c.bad) {
                it(`fires on ${bad.name}`, async () => {
                    const vs = await runRule(c.rule, bad.resources, bad.config);
                    assert.ok(vs.length > 0, `expected a violation, got ${show(vs)}`);
                    assert.ok(bad.expect.length > 0, "a bad case names the message it expects");
                    for (const re of bad.expect) {
                        assert.ok(
                            vs.some((v) => re.test(v.message)),
                            `no message matches ${re}:\n${show(vs)}`,
                        );
                    }
                    const on = bad.on ?? bad.resources[bad.resources.length - 1];
                    const level = bad.level ?? (info?.level === "remediate" ? "remediate" : info?.level);
                    for (const v of vs) {
                        assert.equal(v.policy, c.rule);
                        if (bad.spread) {
                            assert.ok(
                                bad.resources.some((r) => r.urn === v.urn),
                                `reported on ${v.urn}, not one of the case's resources`,
                            );
                        } else {
                            assert.equal(v.urn, on.urn, `reported on ${v.urn}, expected ${on.urn}`);
                        }
                        assert.equal(v.level, level);
                    }
                });
            }
            for (const good of c.good) {
                it(`stays quiet on ${good.name}`, async () => {
                    const vs = await runRule(c.rule, good.resources, good.config);
                    assert.deepEqual(vs, [], show(vs));
                });
            }
        });
    }
});
