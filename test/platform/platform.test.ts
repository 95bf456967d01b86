import { strict as assert } from "node:assert";
import { meshgateSection, readStackConfig, stackConfigPath } from "../../tools/plan/stack-config";
import { runProgram, type PlanRun, type RecordedResource } from "../../tools/plan/runtime";
import { shortHash } from "../../tools/plan/placeholders";
import { Platform, type PlatformArgs } from "../../components/platform";
import { ConfigError } from "../../components/config";
import { jaegerOtlp, JAEGER_RELEASE, OBSERVABILITY_NAMESPACE } from "../../components/observability";

const RELEASE = "kubernetes:helm.sh/v3:Release";

function stackArgs(stack: string): PlatformArgs {
    return meshgateSection(readStackConfig(stackConfigPath(stack))) as unknown as PlatformArgs;
}

async function planPlatform(args: PlatformArgs, stack = "test"): Promise<PlanRun> {
    return runProgram(() => new Platform("meshgate", args).stackOutputs(), { stack });
}

function release(run: PlanRun, name: string): RecordedResource {
    const r = run.byType(RELEASE).find((x) => x.inputs.name === name);
    assert.ok(r, `release ${name}`);
    return r;
}

function values(r: RecordedResource): Record<string, any> {
    return r.inputs.values as Record<string, any>;
}

function custom(run: PlanRun, kind: string): RecordedResource[] {
    return run.resources.filter((r) => r.type.endsWith(`:${kind}`) && r.type.startsWith("kubernetes:"));
}

describe("Platform", () => {
    let prod: PlanRun;
    let dev: PlanRun;
    before(async () => {
        prod = await planPlatform(stackArgs("prod"), "prod");
        dev = await planPlatform(stackArgs("dev"), "dev");
    });

    it("rejects an invalid declaration before registering anything, listing every problem", async () => {
        const bad = { ...stackArgs("dev"), services: [{ name: "Bad", namespace: "users", port: 0 }] } as unknown as PlatformArgs;
        let registered = 0;
        await assert.rejects(
            runProgram(() => new Platform("meshgate", bad), { stack: "dev", onResource: (n) => (registered = n) }),
            (err: unknown) => err instanceof ConfigError && err.issues.length === 2 && /services\[0\]\.name/.test(err.message) && /services\[0\]\.port/.test(err.message),
        );
        assert.ok(registered <= 1, `only the stack itself was registered (${registered})`);
    });

    describe("the tracing chain: one trace from Kong's span through every sidecar", () => {
        const otlp = jaegerOtlp(JAEGER_RELEASE, OBSERVABILITY_NAMESPACE);

        it("Kong's opentelemetry plugin sends OTLP/HTTP to the Jaeger service the Jaeger release creates", () => {
            const plugin = custom(dev, "KongClusterPlugin").find((r) => r.inputs.plugin === "opentelemetry");
            assert.ok(plugin);
            assert.equal((plugin.inputs.config as Record<string, unknown>).traces_endpoint, otlp.httpTracesEndpoint);
            assert.equal(otlp.httpTracesEndpoint, "http://jaeger.observability.svc.cluster.local:4318/v1/traces");
            assert.equal(release(dev, "jaeger").inputs.namespace, "observability");
            const env = values(release(dev, "kong")).env as Record<string, unknown>;
            assert.equal(env.tracing_sampling_rate, 1, "dev samples every request (100%)");
            assert.ok(env.tracing_instrumentations, "Kong emits spans only with tracing_instrumentations set");
        });

        it("istiod's extension provider points at Jaeger's OTLP/gRPC port, and the mesh Telemetry refers to it by name only", () => {
            const providers = values(release(dev, "istiod")).meshConfig.extensionProviders as { name: string; opentelemetry: { service: string; port: number } }[];
            assert.deepEqual(
                providers.map((p) => p.opentelemetry),
                [{ service: otlp.grpcHost, port: otlp.grpcPort }],
            );
            const telemetry = custom(dev, "Telemetry");
            assert.equal(telemetry.length, 1);
            const tracing = (telemetry[0].inputs.spec as { tracing: { providers: unknown[]; randomSamplingPercentage: number }[] }).tracing;
            assert.deepEqual(tracing[0].providers, [{ name: providers[0].name }]);
            assert.equal(tracing[0].randomSamplingPercentage, 100);
        });

        it("samples 1% in prod on both sides", () => {
            assert.equal((values(release(prod, "kong")).env as Record<string, unknown>).tracing_sampling_rate, 0.01);
            const t = custom(prod, "Telemetry")[0].inputs.spec as { tracing: { randomSamplingPercentage: number }[] };
            assert.equal(t.tracing[0].randomSamplingPercentage, 1);
        });
    });

    describe("high availability in prod", () => {
        it("runs istiod with at least two replicas and a PodDisruptionBudget, dev with one", () => {
            const p = values(release(prod, "istiod"));
            assert.ok(p.replicaCount >= 2 && p.autoscaleMin >= 2 && p.autoscaleEnabled === true, "istiod ≥ 2 replicas, autoscaled");
            assert.deepEqual(p.pdb, { minAvailable: 1 }, "the chart renders the PDB when istiod has more than one replica");
            const d = values(release(dev, "istiod"));
            assert.equal(d.replicaCount, 1);
            assert.equal(d.autoscaleEnabled, false);
        });

        it("autoscales Kong's proxy from three replicas with a PodDisruptionBudget", () => {
            const v = values(release(prod, "kong"));
            assert.equal(v.autoscaling.enabled, true);
            assert.equal(v.autoscaling.minReplicas, 3);
            assert.equal(v.podDisruptionBudget.enabled, true);
        });

        it("runs two Prometheus and two Alertmanager replicas", () => {
            const v = values(release(prod, "kube-prometheus-stack"));
            assert.equal(v.prometheus.prometheusSpec.replicas, 2);
            assert.equal(v.alertmanager.alertmanagerSpec.replicas, 2);
        });

        it("keeps at least two nodes per node group, across private subnets", () => {
            const groups = prod.byType("aws:eks/nodeGroup:NodeGroup");
            assert.equal(groups.length, 1);
            for (const ng of groups) {
                assert.ok((ng.inputs.scalingConfig as { minSize: number }).minSize >= 2);
            }
        });
    });

    describe("secrets", () => {
        it("puts no password in any release's values (Grafana's admin password and Kong's come from Secrets)", () => {
            for (const run of [dev, prod]) {
                assert.ok(run.byType(RELEASE).length >= 8, `${run.byType(RELEASE).length} releases`);
                for (const r of run.byType(RELEASE)) {
                    const text = JSON.stringify(r.inputs.values);
                    assert.ok(!/placeholder-/.test(text), `${r.name} has a generated secret in its values`);
                    assert.ok(!/"(admin)?[pP]assword"\s*:\s*"(?!\[secret\])[^"]+"/.test(text), `${r.name} has a plain password value`);
                }
            }
        });

        it("exports the gateway's hostname, read from Kong's proxy Service after the release", () => {
            const gw = prod.outputs.gateway as { hostname: string; hostnameCommand: string };
            assert.match(gw.hostname, /^k8s-kong-kong-kon-[0-9a-f]{10}\.elb\.us-east-1\.amazonaws\.com$/);
            assert.match(gw.hostnameCommand, /^kubectl -n kong get service kong-kong-proxy /);
        });

        it("exports the kubeconfig and the consumers' credentials as secrets", () => {
            assert.equal(prod.outputs.kubeconfig, "[secret]");
            assert.equal(prod.outputs.consumerCredentials, "[secret]");
            assert.equal((prod.outputs.observability as Record<string, unknown>).grafanaAdminPassword, "[secret]");
        });
    });

    describe("the edge in prod: one shared rate-limit count, the client's address, HTTPS only", () => {
        const byType = (run: PlanRun, type: string) => run.resources.filter((r) => r.type === type);

        it("keeps rate-limit counters in a managed Redis: TLS in transit, encrypted at rest, a secret auth token, Multi-AZ failover", () => {
            const groups = byType(prod, "aws:elasticache/replicationGroup:ReplicationGroup");
            assert.equal(groups.length, 1);
            const rg = groups[0].inputs;
            assert.equal(rg.transitEncryptionEnabled, true);
            assert.equal(rg.atRestEncryptionEnabled, true);
            assert.equal(rg.authToken, "[secret]");
            assert.equal(rg.numCacheClusters, 2, "prod: a primary and a replica");
            assert.equal(rg.automaticFailoverEnabled, true);
            assert.equal(byType(dev, "aws:elasticache/replicationGroup:ReplicationGroup").length, 0, "dev counts locally (one Kong pod)");
        });

        it("lets only the nodes reach Redis, and only on its port, from the cluster's private subnets", () => {
            const rules = byType(prod, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.name.includes("rate-limit-redis"));
            assert.equal(rules.length, 1);
            const cluster = byType(prod, "aws:eks/cluster:Cluster")[0];
            assert.match(String(rules[0].inputs.referencedSecurityGroupId), /^sg-/);
            assert.equal(rules[0].inputs.cidrIpv4, undefined);
            assert.deepEqual([rules[0].inputs.fromPort, rules[0].inputs.toPort, rules[0].inputs.ipProtocol], [6379, 6379, "tcp"]);
            assert.ok(cluster);
            const subnetGroup = byType(prod, "aws:elasticache/subnetGroup:SubnetGroup")[0];
            const subnetName = new Map(byType(prod, "aws:ec2/subnet:Subnet").map((r) => [`subnet-${shortHash(r.name, 17)}`, r.name]));
            const names = (subnetGroup.inputs.subnetIds as string[]).map((id) => subnetName.get(id) ?? id);
            assert.equal(names.length, 3);
            assert.ok(
                names.every((n) => /private/.test(n)),
                names.join(", "),
            );
        });

        it("points every rate-limiting plugin at it, with the password patched in from a Secret in the plugin's namespace", () => {
            const rl = custom(prod, "KongPlugin").filter((r) => r.inputs.plugin === "rate-limiting");
            assert.equal(rl.length, 2);
            const host = rl.map((r) => (r.inputs.config as { redis?: { host?: string } }).redis?.host);
            assert.ok(
                host.every((h) => typeof h === "string" && h.endsWith(".cache.amazonaws.com")),
                host.join(", "),
            );
            for (const r of rl) {
                assert.equal((r.inputs.config as Record<string, unknown>).policy, "redis");
                assert.doesNotMatch(JSON.stringify(r.inputs.config), /password/);
                const ns = (r.inputs.metadata as { namespace: string }).namespace;
                const secret = prod.resources.find(
                    (x) =>
                        x.type === "kubernetes:core/v1:Secret" &&
                        (x.inputs.metadata as { name?: string; namespace?: string }).name === "meshgate-rate-limit-redis" &&
                        (x.inputs.metadata as { namespace?: string }).namespace === ns,
                );
                assert.ok(secret, `password Secret in ${ns}`);
                const data = secret.inputs.stringData;
                assert.ok(data === "[secret]" || (data as Record<string, unknown>).password === "[secret]", JSON.stringify(data));
            }
        });

        it("gives the NLB the ACM certificate on 443 with a TLS 1.3/1.2 policy, keeps the client IP, and closes port 80", () => {
            const proxy = values(release(prod, "kong")).proxy as { annotations: Record<string, string>; http: Record<string, unknown>; tls: Record<string, unknown> };
            assert.match(proxy.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"], /^arn:aws:acm:eu-west-1:/);
            assert.equal(proxy.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-ports"], "443");
            assert.equal(proxy.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy"], "ELBSecurityPolicy-TLS13-1-2-2021-06");
            assert.equal(proxy.annotations["service.beta.kubernetes.io/aws-load-balancer-target-group-attributes"], "preserve_client_ip.enabled=true");
            assert.equal(proxy.http.servicePort, 0);
            assert.equal(proxy.tls.overrideServiceTargetPort, 8000);
            const devProxy = values(release(dev, "kong")).proxy as { annotations: Record<string, string> };
            assert.equal(
                devProxy.annotations["service.beta.kubernetes.io/aws-load-balancer-target-group-attributes"],
                "preserve_client_ip.enabled=true",
                "every NLB keeps the client IP",
            );
        });

        it("with PROXY protocol, trusts the PROXY header from the VPC only", async () => {
            const args = stackArgs("dev");
            const run = await planPlatform({ ...args, gateway: { ...(args.gateway as object), loadBalancer: { clientIp: "proxy-protocol" } } }, "dev");
            const env = values(release(run, "kong")).env as Record<string, unknown>;
            assert.equal(env.real_ip_header, "proxy_protocol");
            assert.equal(env.trusted_ips, "10.20.0.0/16");
        });
    });

    it("exposes Kong behind an NLB on EKS, and as a NodePort where the cluster has no load balancer (local: kind)", async () => {
        const proxy = (run: PlanRun) => values(release(run, "kong")).proxy as { type: string; annotations: Record<string, string> };
        assert.equal(proxy(prod).type, "LoadBalancer");
        assert.equal(proxy(prod).annotations["service.beta.kubernetes.io/aws-load-balancer-type"], "external");
        const local = await planPlatform(stackArgs("local"), "local");
        assert.equal(proxy(local).type, "NodePort");
        assert.deepEqual(proxy(local).annotations, {});
    });

    describe("gateway-only mode (mesh off)", () => {
        let gatewayOnly: PlanRun;
        before(async () => {
            const args = stackArgs("local");
            gatewayOnly = await planPlatform({ ...args, mesh: { enabled: false } }, "local");
        });

        it("installs Kong and the services' Kong side, and no Istio at all", () => {
            assert.ok(gatewayOnly.resources.length > 20, `${gatewayOnly.resources.length} resources`);
            assert.deepEqual(
                gatewayOnly.resources.filter((r) => /istio\.io/.test(r.type)),
                [],
            );
            assert.ok(
                gatewayOnly.byType(RELEASE).some((r) => r.inputs.chart === "kong"),
                "Kong's release",
            );
            assert.ok(!gatewayOnly.byType(RELEASE).some((r) => String(r.inputs.chart).startsWith("istio")));
            assert.ok(gatewayOnly.byType("kubernetes:networking.k8s.io/v1:Ingress").length > 0);
            assert.ok(custom(gatewayOnly, "KongPlugin").length > 0);
        });

        it("leaves Kong's namespace and the service namespaces without sidecar injection", () => {
            const namespaces = gatewayOnly.byType("kubernetes:core/v1:Namespace");
            assert.ok(namespaces.length >= 2, `${namespaces.length} namespaces: Kong's and the services'`);
            for (const ns of namespaces) {
                const labels = (ns.inputs.metadata as { labels?: Record<string, string> }).labels ?? {};
                assert.notEqual(labels["istio-injection"], "enabled", String((ns.inputs.metadata as { name: string }).name));
            }
        });
    });
});
