// 10,000 resources through the whole pack. The plan runs the pack over stacks this size, so stack
// rules must be indexed: instead of timing (machines differ), every resource's props are wrapped
// in a counting proxy and the test asserts that no resource is read more than a constant number of
// times. A rule comparing every pair would read some resources once per other resource (~1,000×).
import * as assert from "node:assert/strict";
import type { StackValidationPolicy } from "@pulumi/policy";
import { runPolicies } from "../../policies/engine";
import { rules } from "../../policies/rules";
import { runAll, k8s, release, type PlainResource } from "./harness";

const SERVICES = 1240; // × 9 objects, + namespaces and releases ≈ 11,000
const PER_NAMESPACE = 10;
const MAX_READS_PER_RESOURCE = 50;

function counted(r: PlainResource, reads: Map<string, number>): PlainResource {
    const props = new Proxy(r.props, {
        get(target, key, receiver) {
            reads.set(r.urn, (reads.get(r.urn) ?? 0) + 1);
            return Reflect.get(target, key, receiver);
        },
    });
    return { ...r, props };
}

/** One meshgate service: the objects MeshService emits; every 100th routes to a missing subset. */
function service(i: number): PlainResource[] {
    const ns = `team-${Math.floor(i / PER_NAMESPACE)}`;
    const name = `svc-${i}`;
    const host = `${name}.${ns}.svc.cluster.local`;
    const canary = i % 100 === 0 ? "v3" : "v2";
    const d = (subset: string, weight?: number) => ({ destination: { host, subset }, ...(weight !== undefined ? { weight } : {}) });
    return [
        k8s(
            "v1",
            "Service",
            name,
            ns,
            { spec: { selector: { app: name }, ports: [{ name: "http", port: 8080 }] } },
            { annotations: { "ingress.kubernetes.io/service-upstream": "true" } },
        ),
        k8s("networking.istio.io/v1", "DestinationRule", name, ns, {
            spec: {
                host,
                trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } },
                subsets: [
                    { name: "v1", labels: { version: "v1" } },
                    { name: "v2", labels: { version: "v2" } },
                ],
            },
        }),
        k8s("networking.istio.io/v1", "VirtualService", name, ns, {
            spec: { hosts: [host], http: [{ match: [{ headers: { "x-version": { exact: "v2" } } }], route: [d(canary)] }, { route: [d("v1", 90), d("v2", 10)] }] },
        }),
        k8s("security.istio.io/v1", "AuthorizationPolicy", name, ns, {
            spec: { selector: { matchLabels: { app: name } }, rules: [{ from: [{ source: { principals: ["cluster.local/ns/kong/sa/kong"] } }] }] },
        }),
        k8s("configuration.konghq.com/v1", "KongPlugin", `${name}-key-auth`, ns, { plugin: "key-auth", config: { key_names: ["apikey"] } }),
        k8s("configuration.konghq.com/v1", "KongPlugin", `${name}-rate-limit`, ns, { plugin: "rate-limiting", config: { minute: 100, policy: "local" } }),
        k8s("configuration.konghq.com/v1", "KongPlugin", `${name}-strip-canary`, ns, { plugin: "request-transformer", config: { remove: { headers: ["x-version"] } } }),
        k8s(
            "networking.k8s.io/v1",
            "Ingress",
            name,
            ns,
            {
                spec: {
                    ingressClassName: "kong",
                    rules: [{ http: { paths: [{ path: `/api/${name}`, pathType: "Prefix", backend: { service: { name, port: { number: 8080 } } } }] } }],
                },
            },
            { annotations: { "konghq.com/plugins": `${name}-key-auth, ${name}-rate-limit, ${name}-strip-canary` } },
        ),
        k8s(
            "monitoring.coreos.com/v1",
            "ServiceMonitor",
            name,
            ns,
            { spec: { selector: { matchLabels: { app: name } }, endpoints: [{ port: "http" }] } },
            { labels: { release: "monitoring" } },
        ),
    ];
}

function stack(): PlainResource[] {
    const out: PlainResource[] = [
        release("istiod", {
            chart: "istiod",
            version: "1.30.3",
            namespace: "istio-system",
            values: { meshConfig: { extensionProviders: [{ name: "otel", opentelemetry: { service: "jaeger.observability.svc.cluster.local", port: 4317 } }] } },
        }),
        release("kong", { chart: "kong", version: "3.4.1", namespace: "kong", values: { env: { database: "off" } } }),
        release("monitoring", { chart: "kube-prometheus-stack", version: "88.5.3", namespace: "monitoring" }),
        release("jaeger", { chart: "jaeger", version: "4.11.1", namespace: "observability" }),
        k8s("security.istio.io/v1", "PeerAuthentication", "default", "istio-system", { spec: { mtls: { mode: "STRICT" } } }),
    ];
    for (let n = 0; n < SERVICES / PER_NAMESPACE; n++) {
        out.push(k8s("v1", "Namespace", `team-${n}`, undefined, {}, { labels: { "istio-injection": "enabled" } }));
    }
    for (let i = 0; i < SERVICES; i++) {
        out.push(...service(i));
    }
    return out;
}

describe("policy pack at scale", function () {
    this.timeout(120_000);

    it("judges 10,000 resources reading each resource a bounded number of times (indexed stack rules)", async () => {
        const reads = new Map<string, number>();
        const resources = stack().map((r) => counted(r, reads));
        assert.ok(resources.length >= 10_000, `${resources.length} resources`);

        const t0 = performance.now();
        const vs = await runAll(resources);
        const ms = performance.now() - t0;

        const max = Math.max(...reads.values());
        const total = [...reads.values()].reduce((a, b) => a + b, 0);
        process.stdout.write(
            `      ${resources.length} resources, ${rules.length} rules: ${ms.toFixed(0)} ms; props reads: ${total} total, ${(total / resources.length).toFixed(1)} per resource, at most ${max}\n`,
        );

        assert.ok(max <= MAX_READS_PER_RESOURCE, `a resource's props were read ${max} times: some rule is not indexed`);
        const expected = Math.ceil(SERVICES / 100);
        assert.deepEqual(
            vs.map((v) => v.policy),
            Array<string>(expected).fill("istio-subset-defined"),
            `expected ${expected} missing-subset violations, got ${vs.length}`,
        );
    });

    it("would catch a rule that compares every pair (the counter's own check)", async () => {
        const reads = new Map<string, number>();
        const resources = Array.from({ length: 500 }, (_, i) => counted(k8s("v1", "ConfigMap", `c${i}`, "x", { data: { i: String(i) } }), reads));
        const pairwise: StackValidationPolicy = {
            name: "pairwise",
            description: "compares every pair",
            validateStack: (args) => {
                for (const a of args.resources) {
                    for (const b of args.resources) {
                        if (a !== b && a.props.data === b.props.data) {
                            throw new Error("unreachable");
                        }
                    }
                }
            },
        };
        await runPolicies(resources, { policies: [pairwise] });
        assert.ok(Math.max(...reads.values()) > MAX_READS_PER_RESOURCE);
    });
});
