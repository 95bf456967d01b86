/**
 * The benchmark's stack generator: what it generates is a valid meshgate stack
 * (it passes the same validation as `npm run plan`) with the realistic mix the
 * benchmark promises, and the same size always gives the same stack.
 */
import * as assert from "node:assert/strict";
import { checkStackConfig } from "../../components/config";
import { generateServices, generateStackConfig } from "../../tools/bench/generate";
import { meshgateSection, readStackConfig, stackConfigPath } from "../../tools/plan/stack-config";

const prod = readStackConfig(stackConfigPath("prod"));

describe("benchmark stack generator", () => {
    for (const n of [1, 2, 10, 100, 1000]) {
        it(`generates ${n} service${n === 1 ? "" : "s"} that pass checkStackConfig`, () => {
            const { config, issues } = checkStackConfig(meshgateSection(generateStackConfig(n, prod)));
            assert.deepEqual(issues, []);
            assert.equal(config?.services.length, n);
        });
    }

    it("mixes exposed and internal services, every auth kind, canaries, callers and ~1 namespace per 20 services", () => {
        const { config } = checkStackConfig(meshgateSection(generateStackConfig(100, prod)));
        assert.ok(config !== undefined);
        const services = config.services;
        const exposed = services.filter((s) => s.gateway !== undefined);
        assert.equal(exposed.length, 50);
        assert.deepEqual([...new Set(exposed.map((s) => s.gateway?.auth))].sort(), ["jwt", "key-auth", "none"]);
        assert.ok(exposed.every((s) => s.gateway?.rateLimit !== undefined));
        assert.equal(services.filter((s) => s.canary !== undefined && s.versions.length === 2).length, 20);
        const internal = services.filter((s) => s.gateway === undefined);
        assert.equal(internal.length, 50);
        assert.ok(internal.every((s) => s.allowFrom.length >= 1));
        assert.equal(new Set(services.map((s) => s.namespace)).size, 100 / 20);
        assert.ok(config.gateway.consumers.length >= 2);
        assert.ok(
            exposed.some((s) => s.gateway?.consumers !== undefined),
            "some routes restrict consumers (acl)",
        );
    });

    it("is deterministic", () => {
        assert.deepEqual(generateServices(50), generateServices(50));
    });
});
