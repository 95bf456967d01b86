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
/** A prod gateway that serves HTTPS only, so prod tests see only the problems they are about. */
const ACM = "arn:aws:acm:eu-west-1:123456789012:certificate/0f8c2a4e-5b6d-4e7f-8a9b-1c2d3e4f5a6b";
const prodGateway = { tls: { certificateArn: ACM } };

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
        assert.deepEqual(paths({ environment: "prod", gateway: prodGateway, cluster: eks({ endpoint: { publicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } }) }), [
            "cluster.endpoint.publicAccessCidrs[0]: 0.0.0.0/0 opens the API endpoint to the internet; prod allows only listed CIDRs (or publicAccess: false)",
        ]);
        assert.deepEqual(paths({ environment: "prod", gateway: prodGateway, cluster: eks({ endpoint: { publicAccess: true } }) }), [
            "cluster.endpoint.publicAccessCidrs: prod with publicAccess: true must list the CIDRs allowed to reach the API endpoint (an empty list means 0.0.0.0/0), or set publicAccess: false",
        ]);
        assert.deepEqual(paths({ environment: "prod", gateway: prodGateway, cluster: eks({ endpoint: { publicAccess: false } }) }), []);
        assert.deepEqual(paths({ environment: "dev", cluster: eks({ endpoint: { publicAccess: true } }) }), [], "dev may leave the endpoint open (the policy pack warns)");
    });

    it("needs at least two nodes per node group in prod, and sizes that fit", () => {
        assert.deepEqual(paths({ environment: "prod", gateway: prodGateway, cluster: eks({ nodeGroups: [{ name: "general", minSize: 1, maxSize: 4, desiredSize: 5 }] }) }), [
            "cluster.nodeGroups[0].minSize: 1 is below 2; prod node groups need at least 2 nodes",
            "cluster.nodeGroups[0].desiredSize: 5 must be from minSize (1) to maxSize (4)",
        ]);
    });

    it("rejects a node group name or an access entry principal listed twice (EKS refuses a second access entry)", () => {
        const admin = { principalArn: "arn:aws:iam::210987654321:role/admin" };
        const nodeGroups = [
            { name: "general", minSize: 2, maxSize: 4 },
            { name: "general", minSize: 2, maxSize: 4 },
        ];
        assert.deepEqual(paths({ environment: "dev", cluster: eks({ nodeGroups, accessEntries: [admin, admin] }) }), [
            'cluster.nodeGroups[1].name: "general" is already declared by nodeGroups[0]',
            "cluster.accessEntries[1].principalArn: arn:aws:iam::210987654321:role/admin is already listed by accessEntries[0]",
        ]);
    });

    describe("the edge: TLS, client IP, Postgres, the rate-limit Redis", () => {
        it("prod on the internet must serve HTTPS only: a certificate, and port 80 closed or redirecting", () => {
            assert.deepEqual(paths({ environment: "prod", cluster: eks() }), [
                "gateway.tls: prod serves HTTPS only: give a certificate (certificateArn: an ACM ARN terminated at the NLB, or secretName: a kubernetes.io/tls Secret in namespace kong); without one Kong serves its self-signed certificate",
            ]);
            assert.deepEqual(paths({ environment: "prod", cluster: eks(), gateway: { tls: { certificateArn: ACM, http: "open" } } }), [
                "gateway.tls.http: open serves plaintext HTTP to the internet in prod; use close (or redirect with secretName)",
            ]);
            assert.deepEqual(paths({ environment: "prod", cluster: eks(), gateway: { tls: { secretName: "edge-tls" } } }), [], "a Secret: redirect by default");
            assert.deepEqual(paths({ environment: "prod", cluster: eks(), gateway: { loadBalancer: { scheme: "internal" } } }), [], "an internal NLB is not the internet");
            assert.deepEqual(paths({ environment: "dev", cluster: eks() }), []);
        });

        it("refuses TLS settings the edge cannot honour, naming the field", () => {
            assert.deepEqual(paths({ cluster: eks(), gateway: { tls: { certificateArn: ACM, http: "redirect" } } }), [
                "gateway.tls.http: redirect needs TLS to end at Kong (secretName): behind an ACM listener the NLB forwards 80 and 443 alike as plain HTTP and adds no X-Forwarded-Proto, so Kong cannot tell which to redirect; use close",
            ]);
            assert.deepEqual(paths({ cluster: eks(), gateway: { tls: { certificateArn: ACM, secretName: "edge-tls" } } }), [
                "gateway.tls: set certificateArn (TLS ends at the NLB) or secretName (TLS ends at Kong), not both",
            ]);
            assert.deepEqual(paths({ cluster: eks(), gateway: { tls: { http: "close" } } }), ["gateway.tls.http: close needs a certificate: set certificateArn or secretName"]);
            assert.deepEqual(paths({ cluster: { type: "existing", loadBalancer: "none" }, gateway: { tls: { certificateArn: ACM } } }), [
                "gateway.tls.certificateArn: an ACM certificate needs an AWS NLB, but this cluster's loadBalancer is none; use secretName",
            ]);
            assert.match(
                paths({ cluster: eks(), gateway: { tls: { certificateArn: "arn:aws:iam::123456789012:server-certificate/x" } } })[0],
                /^gateway\.tls\.certificateArn: must be an ACM certificate ARN/,
            );
        });

        it("proxy protocol only on an AWS NLB", () => {
            assert.deepEqual(paths({ cluster: { type: "existing" }, gateway: { loadBalancer: { clientIp: "proxy-protocol" } } }), [
                "gateway.loadBalancer.clientIp: proxy-protocol is set up on an AWS NLB; this cluster's loadBalancer is generic (use preserve, which keeps the client address on a generic load balancer with externalTrafficPolicy: Local)",
            ]);
            assert.deepEqual(paths({ cluster: eks(), gateway: { loadBalancer: { clientIp: "proxy-protocol" } } }), []);
        });

        it("postgres mode needs an external database or an image for the bundled one (the chart ships none)", () => {
            assert.match(
                paths({ cluster: eks(), gateway: { mode: "postgres" } })[0],
                /^gateway\.postgres: postgres mode needs postgres\.external .* or postgres\.image .*not available any more/,
            );
            assert.deepEqual(paths({ cluster: eks(), gateway: { mode: "postgres", postgres: { image: { repository: "postgres", tag: "17.2" } } } }), []);
            assert.deepEqual(paths({ cluster: eks(), gateway: { mode: "postgres", postgres: { external: { host: "db.example.internal" } } } }), []);
            assert.deepEqual(paths({ cluster: eks(), gateway: { postgres: { external: { host: "db" } } } }), [
                "gateway.postgres: is used only with mode: postgres; mode is dbless",
            ]);
        });

        it("a managed Redis only on EKS; an external one on any cluster", () => {
            assert.deepEqual(paths({ cluster: { type: "existing" }, gateway: { rateLimitRedis: { type: "elasticache" } } }), [
                "gateway.rateLimitRedis.type: elasticache is made on EKS stacks only; on an existing cluster use {type: external, host, passwordSecret}",
            ]);
            assert.deepEqual(
                paths({
                    cluster: { type: "existing" },
                    gateway: { rateLimitRedis: { type: "external", host: "redis.cache.svc", passwordSecret: { name: "redis", key: "password" } } },
                }),
                [],
            );
            assert.match(
                paths({ cluster: eks(), gateway: { rateLimitRedis: { type: "elasticache", nodeType: "t3.small" } } })[0],
                /^gateway\.rateLimitRedis\.nodeType: must be an ElastiCache node type/,
            );
        });
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
