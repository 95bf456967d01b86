/** Builders of the plain Kubernetes objects explain reads, and a one-call runner. */
import { strict as assert } from "node:assert";
import { explain } from "../../tools/explain/explain";
import { buildIndex } from "../../tools/explain/model-index";
import type { ExplainRequest, Explanation, K8sObject } from "../../tools/explain/types";

export const namespace = (name: string, injected = true): K8sObject => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels: injected ? { "istio-injection": "enabled" } : {} },
});

export const service = (name: string, ns: string, port = 8080, annotations: Record<string, string> = {}, targetPort: number = port): K8sObject => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: ns, labels: { app: name }, annotations },
    spec: { selector: { app: name }, ports: [{ name: "http", port, targetPort }] },
});

export const virtualService = (name: string, ns: string, http: unknown[], hosts = [name]): K8sObject => ({
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: { name, namespace: ns },
    spec: { hosts, http },
});

export const destinationRule = (name: string, ns: string, subsets: string[], trafficPolicy?: unknown, host = name): K8sObject => ({
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    metadata: { name, namespace: ns },
    spec: { host, subsets: subsets.map((s) => ({ name: s, labels: { version: s } })), ...(trafficPolicy ? { trafficPolicy } : {}) },
});

export const peerAuthentication = (ns: string, mode: string, name = "default", selector?: Record<string, string>): K8sObject => ({
    apiVersion: "security.istio.io/v1",
    kind: "PeerAuthentication",
    metadata: { name, namespace: ns },
    spec: { mtls: { mode }, ...(selector ? { selector: { matchLabels: selector } } : {}) },
});

export const authorizationPolicy = (name: string, ns: string, spec: Record<string, unknown>): K8sObject => ({
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: { name, namespace: ns },
    spec,
});

export const ingress = (
    name: string,
    ns: string,
    paths: { path: string; pathType?: string; service?: string; port?: number }[],
    annotations: Record<string, string> = {},
    host?: string,
): K8sObject => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name, namespace: ns, annotations },
    spec: {
        ingressClassName: "kong",
        rules: [
            {
                ...(host ? { host } : {}),
                http: {
                    paths: paths.map((p) => ({
                        path: p.path,
                        pathType: p.pathType ?? "Prefix",
                        backend: { service: { name: p.service ?? name, port: { number: p.port ?? 8080 } } },
                    })),
                },
            },
        ],
    },
});

export const kongPlugin = (name: string, ns: string, plugin: string, config: Record<string, unknown> = {}): K8sObject => ({
    apiVersion: "configuration.konghq.com/v1",
    kind: "KongPlugin",
    metadata: { name, namespace: ns },
    plugin,
    config,
});

export const kongClusterPlugin = (name: string, plugin: string, config: Record<string, unknown>, global = true): K8sObject => ({
    apiVersion: "configuration.konghq.com/v1",
    kind: "KongClusterPlugin",
    metadata: { name, labels: global ? { global: "true" } : {}, annotations: { "kubernetes.io/ingress.class": "kong" } },
    plugin,
    config,
});

/** A KongConsumer and its credential Secrets (values masked as the plan masks them, unless given). */
export const consumer = (name: string, ns: string, credentials: string[], stringData: Record<string, Record<string, string>> = {}): K8sObject[] => [
    {
        apiVersion: "configuration.konghq.com/v1",
        kind: "KongConsumer",
        metadata: { name, namespace: ns, annotations: { "kubernetes.io/ingress.class": "kong" } },
        username: name,
        credentials: credentials.map((c) => `${name}-${c}`),
    },
    ...credentials.map((c) => ({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: `${name}-${c}`, namespace: ns, labels: { "konghq.com/credential": c } },
        stringData: stringData[c] ?? "[secret]",
    })),
];

export const kongRelease = (values: Record<string, unknown> = {}): K8sObject => ({
    apiVersion: "helm.sh/v3",
    kind: "Release",
    chart: "kong",
    name: "kong",
    namespace: "kong",
    version: "3.4.1",
    values,
});

export const istiodRelease = (meshConfig: Record<string, unknown> = {}): K8sObject => ({
    apiVersion: "helm.sh/v3",
    kind: "Release",
    chart: "istiod",
    name: "istiod",
    namespace: "istio-system",
    version: "1.30.3",
    values: { meshConfig },
});

/** The mesh-side Service as meshgate exposes it through Kong: service-upstream and host-header to its FQDN. */
export const exposedService = (name: string, ns: string, port = 8080): K8sObject =>
    service(name, ns, port, { "ingress.kubernetes.io/service-upstream": "true", "konghq.com/host-header": `${name}.${ns}.svc.cluster.local` });

export function request(line: string, opts: { headers?: Record<string, string>; consumer?: string; from?: string } = {}): ExplainRequest {
    const [method, url] = line.split(" ");
    return {
        method,
        url,
        headers: Object.fromEntries(Object.entries(opts.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
        consumer: opts.consumer ?? null,
        from: opts.from ?? null,
    };
}

export function run(objects: readonly K8sObject[], line: string, opts: Parameters<typeof request>[1] = {}): Explanation {
    return explain(buildIndex(objects), request(line, opts));
}

/** Asserts a refusal: where and with which status. */
export function assertRefused(e: Explanation, hop: string, status: number, reason?: RegExp): void {
    assert.equal(e.outcome.reached, false, `expected a refusal, got: ${e.outcome.reason}`);
    assert.equal(e.outcome.hop, hop, e.outcome.reason);
    assert.equal(e.outcome.status, status, e.outcome.reason);
    if (reason) assert.match(e.outcome.reason, reason);
}

/** Asserts the request reaches these subsets with these weights. */
export function assertReached(e: Explanation, split: Record<string, number>): void {
    assert.equal(e.outcome.reached, true, `expected to reach, refused at ${e.outcome.hop}: ${e.outcome.reason}`);
    assert.deepEqual(Object.fromEntries(e.outcome.destinations.map((d) => [d.subset ?? d.host, d.weight])), split);
}
