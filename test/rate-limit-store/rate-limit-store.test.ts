import { strict as assert } from "node:assert";
import { redisPasswordSecret, replicationGroupSettings } from "../../components/rate-limit-store";
import { redisNamespaces } from "../../components/platform";
import { validateStackConfig } from "../../components/config";

describe("rate-limit store", () => {
    it("a replication group with TLS required in transit and encryption at rest; failover and Multi-AZ only with replicas", () => {
        const one = replicationGroupSettings({});
        assert.equal(one.transitEncryptionEnabled, true);
        assert.equal(one.transitEncryptionMode, "required");
        assert.equal(one.atRestEncryptionEnabled, true);
        assert.deepEqual([one.numCacheClusters, one.automaticFailoverEnabled, one.multiAzEnabled], [1, false, false]);
        const ha = replicationGroupSettings({ replicas: 2, nodeType: "cache.m7g.large" });
        assert.deepEqual([ha.numCacheClusters, ha.automaticFailoverEnabled, ha.multiAzEnabled, ha.nodeType], [3, true, true, "cache.m7g.large"]);
        assert.throws(() => replicationGroupSettings({ replicas: 6 }), /replicas must be a whole number from 0 to 5, got 6/);
    });

    it("the password Secret KIC reads (name and key the KongPlugins' configPatches name)", () => {
        const s = redisPasswordSecret("users", "t0ken");
        assert.deepEqual(s.metadata, { name: "meshgate-rate-limit-redis", namespace: "users", labels: { "app.kubernetes.io/managed-by": "meshgate" } });
        assert.deepEqual(s.stringData, { password: "t0ken" });
    });

    it("puts the password only in namespaces whose exposed services count in Redis", () => {
        const config = validateStackConfig(
            {
                cluster: { type: "existing" },
                gateway: { rateLimitRedis: { type: "external", host: "redis.example" } },
                services: [
                    { name: "a", namespace: "one", port: 80, gateway: { paths: ["/a"], rateLimit: { minute: 1 } } },
                    { name: "b", namespace: "two", port: 80, gateway: { paths: ["/b"], rateLimit: { minute: 1, policy: "local" } } },
                    { name: "c", namespace: "three", port: 80, gateway: { paths: ["/c"] } },
                    { name: "d", namespace: "one", port: 80 },
                ],
            },
            { stack: "test" },
        );
        assert.deepEqual(redisNamespaces(config), ["one"]);
    });
});
