/** Stack-level validation: the parts of a stack other than its services, and how problems are reported. */
import * as assert from "node:assert/strict";
import { checkStackConfig, ConfigError, validateStackConfig } from "../../components/config";

const eks = (over: Record<string, unknown> = {}) => ({
    type: "eks",
    region: "eu-west-1",
    endpoint: { publicAccess: true, publicAccessCidrs: ["198.51.100.0/24"] },
    nodeGroups: [{ name: "general", minSize: 2, maxSize: 4 }],
    ...over,
});

const paths = (raw: unknown) => checkStackConfig(raw).issues.map((i) => `${i.path}: ${i.message}`);

describe("stack validation", () => {
    it("suggests the field meant by a misspelt key, at any depth", () => {
        assert.deepEqual(paths({ cluster: { type: "existing", contxt: "kind" }, servics: [] }), [
            'cluster.contxt: unknown field (did you mean "context"?)',
            'servics: unknown field (did you mean "services"?)',
        ]);
    });

    it("requires the cluster, and says which types exist", () => {
        assert.deepEqual(paths({}), ["cluster: is required"]);
        assert.match(paths({ cluster: { type: "gke" } })[0], /^cluster\.type: must have type "eks" or "existing"/);
    });

    it("refuses a prod API endpoint open to 0.0.0.0/0, explicitly or by an empty CIDR list", () => {
        assert.deepEqual(paths({ environment: "prod", cluster: eks({ endpoint: { publicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } }) }), [
            "cluster.endpoint.publicAccessCidrs[0]: 0.0.0.0/0 opens the API endpoint to the internet; prod allows only listed CIDRs (or publicAccess: false)",
        ]);
        assert.deepEqual(paths({ environment: "prod", cluster: eks({ endpoint: { publicAccess: true } }) }), [
            "cluster.endpoint.publicAccessCidrs: prod with publicAccess: true must list the CIDRs allowed to reach the API endpoint (an empty list means 0.0.0.0/0), or set publicAccess: false",
        ]);
        assert.deepEqual(paths({ environment: "prod", cluster: eks({ endpoint: { publicAccess: false } }) }), []);
        assert.deepEqual(paths({ environment: "dev", cluster: eks({ endpoint: { publicAccess: true } }) }), [], "dev may leave the endpoint open (the policy pack warns)");
    });

    it("needs at least two nodes per node group in prod, and sizes that fit", () => {
        assert.deepEqual(paths({ environment: "prod", cluster: eks({ nodeGroups: [{ name: "general", minSize: 1, maxSize: 4, desiredSize: 5 }] }) }), [
            "cluster.nodeGroups[0].minSize: 1 is below 2; prod node groups need at least 2 nodes",
            "cluster.nodeGroups[0].desiredSize: 5 must be from minSize (1) to maxSize (4)",
        ]);
    });

    it("refuses Kiali without the mesh it shows", () => {
        assert.deepEqual(paths({ cluster: { type: "existing" }, mesh: { enabled: false }, observability: { kiali: { enabled: true } } }), [
            "observability.kiali.enabled: Kiali shows the Istio mesh, but mesh.enabled is false; turn the mesh on or Kiali off",
        ]);
    });

    it("refuses unpinned or plain-HTTP chart overrides", () => {
        assert.deepEqual(paths({ cluster: { type: "existing" }, charts: { kong: { version: "^3.4.0", repository: "http://charts.example.com" } } }), [
            'charts.kong.version: must be an exact chart version such as "1.30.3" (no ranges); got "^3.4.0"',
            'charts.kong.repository: must be an https:// or oci:// repository URL; got "http://charts.example.com"',
        ]);
    });

    it("throws one ConfigError naming the stack and listing every problem", () => {
        assert.throws(
            () => validateStackConfig({ environment: "qa", cluster: { type: "existing" }, gateway: { mode: "cassandra" } }, { stack: "qa" }),
            (err: unknown) =>
                err instanceof ConfigError &&
                err.stackName === "qa" &&
                err.message ===
                    'Invalid configuration for stack "qa" (2 problems):\n' +
                        '  - environment: must be one of dev, staging, prod; got "qa"\n' +
                        '  - gateway.mode: must be one of dbless, postgres; got "cassandra"',
        );
    });
});
