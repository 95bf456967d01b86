import { strict as assert } from "node:assert";
import {
    KONG_CHART_COMMENTED_KEYS,
    KONG_SERVICE_ACCOUNT,
    kongMetrics,
    kongPrincipal,
    kongReleaseValues,
    kongValues,
    kongValuesSettings,
    KongGatewayArgs,
} from "../../components/kong";
import { unknownValueKeys } from "../../policies/validate";
import { field, stringLeaves } from "./helpers";

const JAEGER = "http://jaeger-collector.observability.svc.cluster.local:4318/v1/traces";
const ACM = "arn:aws:acm:eu-west-1:123456789012:certificate/0f8c2a4e-5b6d-4e7f-8a9b-1c2d3e4f5a6b";
type Args = Omit<KongGatewayArgs, "environment">;
const values = (args: Args = {}) => kongReleaseValues(args);

/** Settings combinations that between them set every key meshgate can set. */
const VARIANTS: Record<string, Args> = {
    default: {},
    prod: { highAvailability: true, tracing: { endpoint: JAEGER, samplingRate: 0.1 }, sourceRanges: ["203.0.113.0/24"], scheme: "internal" },
    "postgres bundled in the mesh": { mode: "postgres", mesh: true, postgres: { image: { repository: "library/postgres", tag: "17.2" } } },
    "postgres external": { mode: "postgres", postgres: { external: { host: "kong.cluster-abc.eu-west-1.rds.amazonaws.com" } } },
    "gateway-only, generic load balancer": { mesh: false, loadBalancer: "generic", autoscaling: { minReplicas: 1, maxReplicas: 3 } },
    "TLS at the NLB (ACM), port 80 closed, PROXY protocol": { tls: { certificateArn: ACM, http: "close" }, clientIp: "proxy-protocol", trustedIps: ["10.40.0.0/16"] },
    "TLS at Kong (Secret), port 80 redirecting": { tls: { secretName: "edge-tls", http: "redirect" } },
};

describe("kong/kong 3.4.1 values", () => {
    it("runs DB-less by default, with the ingress controller on and IngressClass kong", () => {
        const v = values();
        assert.equal(field(v, "env", "database"), "off");
        assert.equal(field(v, "ingressController", "enabled"), true);
        assert.equal(field(v, "ingressController", "ingressClass"), "kong");
        assert.equal(field(v, "postgresql", "enabled"), false);
        assert.equal(field(v, "env", "pg_password"), undefined);
    });

    it("does not expose the Admin API: no admin Service (Kong then listens on 127.0.0.1 only), no admin Ingress, no Kong Manager", () => {
        const v = values(VARIANTS.prod);
        assert.equal(field(v, "admin", "enabled"), false);
        assert.equal(field(v, "admin", "type"), "ClusterIP");
        assert.equal(field(v, "admin", "http", "enabled"), false);
        assert.equal(field(v, "admin", "ingress", "enabled"), false);
        assert.equal(field(v, "manager", "enabled"), false);
    });

    it("puts the proxy on an internet-facing NLB with IP targets made by the AWS Load Balancer Controller", () => {
        const v = values();
        assert.equal(field(v, "proxy", "type"), "LoadBalancer");
        assert.deepEqual(field(v, "proxy", "annotations"), {
            "service.beta.kubernetes.io/aws-load-balancer-type": "external",
            "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
            "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
            // IP targets show Kong the NLB's address unless the target group preserves the client's (LB controller v3.5 docs).
            "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes": "preserve_client_ip.enabled=true",
        });
        assert.deepEqual(field(v, "proxy", "loadBalancerSourceRanges"), []);
    });

    it("makes an internal NLB restricted to the given source ranges", () => {
        const v = values({ scheme: "internal", sourceRanges: ["10.0.0.0/8", "203.0.113.0/24"] });
        assert.equal(field(v, "proxy", "annotations", "service.beta.kubernetes.io/aws-load-balancer-scheme"), "internal");
        assert.deepEqual(field(v, "proxy", "loadBalancerSourceRanges"), ["10.0.0.0/8", "203.0.113.0/24"]);
    });

    it("a generic load balancer gets no AWS annotations", () => {
        assert.deepEqual(field(values({ loadBalancer: "generic" }), "proxy", "annotations"), {});
    });

    it("names the ServiceAccount and proxy Service explicitly, so kongPrincipal and kongMetrics cannot drift", () => {
        const v = values();
        assert.equal(field(v, "deployment", "serviceAccount", "create"), true);
        assert.equal(field(v, "deployment", "serviceAccount", "name"), "kong-kong");
        assert.equal(KONG_SERVICE_ACCOUNT, "kong-kong");
        assert.equal(kongPrincipal("cluster.local"), "cluster.local/ns/kong/sa/kong-kong");
        assert.equal(field(v, "proxy", "nameOverride"), "kong-kong-proxy");
        // kong/kong 3.4.1 values.yaml status.http.containerPort: 8100
        assert.equal(field(v, "status", "http", "containerPort"), 8100);
        assert.equal(kongMetrics.portNumber, 8100);
        assert.equal(field(v, "status", "enabled"), true);
    });

    it("leaves the chart's ServiceMonitor off (Observability builds it from kongMetrics)", () => {
        assert.equal(field(values(VARIANTS.prod), "serviceMonitor", "enabled"), false);
    });

    it("keeps the chart's pod annotations and, in the mesh, holds Kong until its sidecar is ready", () => {
        const inMesh = field(values({ mesh: true }), "podAnnotations") as Record<string, string>;
        assert.equal(inMesh["traffic.sidecar.istio.io/includeInboundPorts"], "");
        assert.equal(inMesh["kuma.io/gateway"], "enabled");
        assert.deepEqual(JSON.parse(inMesh["proxy.istio.io/config"]), { holdApplicationUntilProxyStarts: true, terminationDrainDuration: "25s" });
        assert.equal(inMesh["traffic.sidecar.istio.io/excludeOutboundPorts"], undefined);
        assert.deepEqual(field(values({ mesh: false }), "podAnnotations"), { "kuma.io/gateway": "enabled", "traffic.sidecar.istio.io/includeInboundPorts": "" });
    });

    it("turns on Kong's tracing (all instrumentations, the given sampling rate) only with tracing", () => {
        assert.equal(field(values(), "env", "tracing_instrumentations"), undefined);
        const v = values({ tracing: { endpoint: JAEGER, samplingRate: 0.1 } });
        assert.equal(field(v, "env", "tracing_instrumentations"), "all");
        assert.equal(field(v, "env", "tracing_sampling_rate"), 0.1);
        assert.throws(() => values({ tracing: { endpoint: JAEGER, samplingRate: 10 } }), /tracing\.samplingRate: must be from 0 to 1 \(a fraction, not a percentage\), got 10/);
    });

    it("production: 2+ replicas, HPA on CPU with resource requests, PodDisruptionBudget, spread over zones and nodes", () => {
        const v = values({ highAvailability: true });
        assert.equal(field(v, "replicaCount"), 2);
        assert.deepEqual(field(v, "autoscaling"), {
            enabled: true,
            minReplicas: 2,
            maxReplicas: 6,
            metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
        });
        assert.deepEqual(field(v, "podDisruptionBudget"), { enabled: true, maxUnavailable: 1 });
        assert.ok(field(v, "resources", "requests", "cpu"));
        assert.ok(field(v, "ingressController", "resources", "requests", "cpu"));
        const spread = field(v, "topologySpreadConstraints") as { topologyKey: string; labelSelector: { matchLabels: Record<string, string> } }[];
        assert.deepEqual(
            spread.map((c) => c.topologyKey),
            ["topology.kubernetes.io/zone", "kubernetes.io/hostname"],
        );
        assert.deepEqual(spread[0].labelSelector.matchLabels, { "app.kubernetes.io/name": "kong", "app.kubernetes.io/component": "app", "app.kubernetes.io/instance": "kong" });
    });

    it("development: one replica, no HPA, no PDB (the chart fails a PDB over one replica)", () => {
        const v = values();
        assert.equal(field(v, "replicaCount"), 1);
        assert.deepEqual(field(v, "autoscaling"), { enabled: false });
        assert.deepEqual(field(v, "podDisruptionBudget"), { enabled: false });
        assert.equal(field(v, "topologySpreadConstraints"), undefined);
    });

    it("uses the configured autoscaling bounds and refuses fewer than 2 replicas when highly available", () => {
        const v = values({ highAvailability: true, autoscaling: { minReplicas: 3, maxReplicas: 10, targetCPUUtilizationPercentage: 60 } });
        assert.equal(field(v, "autoscaling", "minReplicas"), 3);
        assert.equal(field(v, "autoscaling", "maxReplicas"), 10);
        assert.throws(() => values({ highAvailability: true, replicas: 1 }), /replicas: 1 is below 2; a highly available Kong \(prod\) runs at least 2 replicas/);
        assert.throws(
            () => values({ highAvailability: true, autoscaling: { minReplicas: 1, maxReplicas: 3 } }),
            /autoscaling\.minReplicas: 1 is below 2; a highly available Kong \(prod\) runs at least 2 replicas/,
        );
        assert.throws(() => values({ autoscaling: { minReplicas: 4, maxReplicas: 3 } }), /autoscaling\.minReplicas: 4 is above maxReplicas \(3\)/);
    });

    it("Postgres mode (bundled): the password only as a reference to meshgate's Secret, never a value", () => {
        const v = values(VARIANTS["postgres bundled in the mesh"]);
        assert.equal(field(v, "env", "database"), "postgres");
        assert.deepEqual(field(v, "env", "pg_password"), { valueFrom: { secretKeyRef: { name: "kong-postgres-credentials", key: "password" } } });
        assert.deepEqual(field(v, "postgresql", "auth"), {
            username: "kong",
            database: "kong",
            existingSecret: "kong-postgres-credentials",
            secretKeys: { adminPasswordKey: "postgres-password", userPasswordKey: "password" },
        });
        assert.equal(field(v, "postgresql", "auth", "password"), undefined);
        assert.equal(field(v, "postgresql", "auth", "postgresPassword"), undefined);
        // The database is outside the mesh: its port bypasses Kong's sidecar (the wait-for-db init container runs before it).
        assert.equal(field(v, "podAnnotations", "traffic.sidecar.istio.io/excludeOutboundPorts"), "5432");
        assert.equal(field(v, "postgresql", "primary", "podLabels", "sidecar.istio.io/inject"), "false");
    });

    it("Postgres mode (external): host, user, TLS and the password by Secret reference", () => {
        const v = values(VARIANTS["postgres external"]);
        assert.equal(field(v, "postgresql", "enabled"), false);
        assert.deepEqual(field(v, "env"), {
            database: "postgres",
            anonymous_reports: "off",
            pg_host: "kong.cluster-abc.eu-west-1.rds.amazonaws.com",
            pg_port: 5432,
            pg_user: "kong",
            pg_database: "kong",
            pg_ssl: "on",
            pg_password: { valueFrom: { secretKeyRef: { name: "kong-postgres-credentials", key: "password" } } },
        });
    });

    it("no value anywhere looks like a password", () => {
        const passwords = (v: unknown) =>
            stringLeaves(v)
                .filter(([path, value]) => /pass(word)?$/i.test(path) && value !== "")
                .map(([path]) => path);
        // The check finds a password where there is one (a user's inline pg_password).
        assert.deepEqual(passwords(values({ ...VARIANTS["postgres external"], values: { env: { pg_password: "hunter2" } } })), ["env.pg_password"]);
        assert.equal(Object.keys(VARIANTS).length, 7);
        for (const [variant, args] of Object.entries(VARIANTS)) {
            assert.ok(stringLeaves(values(args)).length >= 15, `${variant}: string values`);
            assert.deepEqual(passwords(values(args)), [], variant);
        }
    });

    it("deep-merges the user's values last: the user wins key by key, siblings stay", () => {
        const v = values({ values: { proxy: { annotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal", "x/extra": "1" } }, replicaCount: 4 } });
        assert.deepEqual(field(v, "proxy", "annotations"), {
            "service.beta.kubernetes.io/aws-load-balancer-type": "external",
            "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
            "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
            "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes": "preserve_client_ip.enabled=true",
            "x/extra": "1",
        });
        assert.equal(field(v, "replicaCount"), 4);
        assert.equal(field(v, "proxy", "type"), "LoadBalancer");
    });

    it("kongValuesSettings applies the documented defaults", () => {
        assert.deepEqual(kongValuesSettings({}), {
            mesh: true,
            highAvailability: false,
            loadBalancer: "aws-nlb",
            scheme: "internet-facing",
            sourceRanges: [],
            database: { mode: "dbless" },
            replicas: 1,
            clientIp: "preserve",
        });
        assert.equal(kongValues(kongValuesSettings({ highAvailability: true })).replicaCount, 2);
    });

    describe("the edge: client address and TLS", () => {
        it("keeps the client's address on a generic load balancer with externalTrafficPolicy Local (not on a bare NodePort), and can leave it off", () => {
            assert.equal(field(values({ loadBalancer: "generic" }), "proxy", "externalTrafficPolicy"), "Local");
            assert.equal(field(values({ loadBalancer: "none" }), "proxy", "externalTrafficPolicy"), undefined);
            assert.equal(field(values({ loadBalancer: "generic", clientIp: "none" }), "proxy", "externalTrafficPolicy"), undefined);
            assert.equal(field(values({ clientIp: "none" }), "proxy", "annotations", "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes"), undefined);
        });

        it("with PROXY protocol v2: the NLB sends it, Kong's listeners expect it, Kong takes the client address from it and trusts only the VPC", () => {
            const v = values(VARIANTS["TLS at the NLB (ACM), port 80 closed, PROXY protocol"]);
            assert.equal(field(v, "proxy", "annotations", "service.beta.kubernetes.io/aws-load-balancer-proxy-protocol"), "*");
            assert.equal(field(v, "proxy", "annotations", "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes"), undefined);
            assert.deepEqual(field(v, "proxy", "http", "parameters"), ["proxy_protocol"]);
            assert.deepEqual(field(v, "proxy", "tls", "parameters"), ["http2", "proxy_protocol"]);
            assert.equal(field(v, "env", "real_ip_header"), "proxy_protocol");
            assert.equal(field(v, "env", "trusted_ips"), "10.40.0.0/16");
        });

        it("with an ACM certificate: the NLB ends TLS on 443 (TLS 1.3/1.2 policy) and sends it to Kong's HTTP port; close removes port 80 from the Service", () => {
            const v = values(VARIANTS["TLS at the NLB (ACM), port 80 closed, PROXY protocol"]);
            assert.equal(field(v, "proxy", "annotations", "service.beta.kubernetes.io/aws-load-balancer-ssl-cert"), ACM);
            assert.equal(field(v, "proxy", "annotations", "service.beta.kubernetes.io/aws-load-balancer-ssl-ports"), "443");
            assert.equal(field(v, "proxy", "annotations", "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy"), "ELBSecurityPolicy-TLS13-1-2-2021-06");
            assert.equal(field(v, "proxy", "tls", "overrideServiceTargetPort"), 8000);
            // The chart leaves out a Service port of 0 but keeps the 8000 listener the NLB's 443 forwards to.
            assert.equal(field(v, "proxy", "http", "enabled"), true);
            assert.equal(field(v, "proxy", "http", "servicePort"), 0);
        });

        it("with a Secret: Kong serves it as its default certificate from the mounted volume; redirect keeps port 80 for the 308", () => {
            const v = values(VARIANTS["TLS at Kong (Secret), port 80 redirecting"]);
            assert.deepEqual(field(v, "secretVolumes"), ["edge-tls"]);
            assert.equal(field(v, "env", "ssl_cert"), "/etc/secrets/edge-tls/tls.crt");
            assert.equal(field(v, "env", "ssl_cert_key"), "/etc/secrets/edge-tls/tls.key");
            assert.equal(field(v, "proxy", "http", "enabled"), true);
            assert.equal(field(values({ tls: { secretName: "edge-tls", http: "close" } }), "proxy", "http", "enabled"), false);
        });

        it("refuses edge settings the chart or the NLB cannot honour", () => {
            assert.throws(() => values({ tls: { certificateArn: ACM, http: "redirect" } }), /tls\.http: redirect needs TLS to end at Kong \(secretName\)/);
            assert.throws(
                () => values({ loadBalancer: "none", tls: { certificateArn: ACM } }),
                /tls\.certificateArn: an ACM certificate needs an AWS NLB, but this cluster's loadBalancer is none/,
            );
            assert.throws(
                () => values({ loadBalancer: "generic", clientIp: "proxy-protocol" }),
                /clientIp: proxy-protocol is set up on an AWS NLB; this cluster's loadBalancer is generic/,
            );
            assert.throws(
                () => values({ mode: "postgres" }),
                /postgres: postgres mode needs postgres\.external \(a database of yours\) or postgres\.image \(an image for the chart's bundled PostgreSQL: the kong\/kong 3\.4\.1 chart says its default bitnami\/postgres image is not available any more\)/,
            );
        });

        it("gives the bundled PostgreSQL the image it is told", () => {
            assert.deepEqual(field(values(VARIANTS["postgres bundled in the mesh"]), "postgresql", "image"), { registry: "", repository: "library/postgres", tag: "17.2" });
        });
    });

    describe("every key is a value of kong/kong 3.4.1", () => {
        for (const [variant, args] of Object.entries(VARIANTS)) {
            it(`${variant}: no key missing from the chart's values.yaml`, () => {
                assert.deepEqual(unknownValueKeys("kong", values(args), { allow: [...KONG_CHART_COMMENTED_KEYS] }), []);
            });
        }

        it("the keys allowed beyond values.yaml are exactly the commented ones meshgate uses", () => {
            const all = new Set(Object.values(VARIANTS).flatMap((args) => unknownValueKeys("kong", values(args))));
            const commented = [
                "deployment.serviceAccount.name",
                "podDisruptionBudget.maxUnavailable",
                "proxy.externalTrafficPolicy",
                "proxy.tls.overrideServiceTargetPort",
                "topologySpreadConstraints",
            ];
            assert.deepEqual([...all].sort(), commented);
            assert.deepEqual([...KONG_CHART_COMMENTED_KEYS].sort(), commented);
        });

        it("the check fails on a misspelt copy", () => {
            const v = values(VARIANTS.prod);
            const misspelt = { ...v, podDisruptionBudge: v.podDisruptionBudget, proxy: { ...(v.proxy as object), loadBalancerSourceRange: ["10.0.0.0/8"] } };
            const flagged = unknownValueKeys("kong", misspelt, { allow: [...KONG_CHART_COMMENTED_KEYS] });
            assert.ok(flagged.length > 0);
            assert.ok(
                flagged.some((p) => p.startsWith("podDisruptionBudge")),
                flagged.join(", "),
            );
            assert.ok(flagged.includes("proxy.loadBalancerSourceRange"), flagged.join(", "));
            assert.ok(
                flagged.every((p) => p.startsWith("podDisruptionBudge") || p === "proxy.loadBalancerSourceRange"),
                flagged.join(", "),
            );
            assert.deepEqual(unknownValueKeys("kong", { ingressController: { ingresClass: "kong" } }), ["ingressController.ingresClass"]);
        });
    });
});
