import { release, resource } from "../harness";
import type { RuleCases } from "./types";

const pinned = { chart: "kube-prometheus-stack", version: "88.5.3", namespace: "monitoring", repositoryOpts: { repo: "https://prometheus-community.github.io/helm-charts" } };

export const helmCases: RuleCases[] = [
    {
        rule: "helm-chart-version-pinned",
        bad: [
            {
                name: "a release without a version",
                resources: [release("kong", { chart: "kong", repositoryOpts: { repo: "https://charts.konghq.com" } })],
                expect: [/chart "kong" has no version/],
            },
            {
                name: "a version range",
                resources: [release("istiod", { chart: "istiod", version: "^1.30.0", repositoryOpts: { repo: "https://istio-release.storage.googleapis.com/charts" } })],
                expect: [/version "\^1\.30\.0" is a range/],
            },
            {
                name: "a v4 Chart without a version",
                resources: [resource("kubernetes:helm.sh/v4:Chart", "jaeger", { chart: "oci://ghcr.io/jaegertracing/charts/jaeger" })],
                expect: [/has no version/],
            },
        ],
        good: [
            { name: "an exact version", resources: [release("monitoring", pinned)] },
            { name: "a local chart directory", resources: [release("local", { chart: "./charts/local" })] },
            { name: "a version unknown before deployment", resources: [release("x", { chart: "x", version: "[unknown]" })] },
        ],
    },
    {
        rule: "helm-repository-https",
        bad: [
            {
                name: "a plain-HTTP repository",
                resources: [release("kong", { chart: "kong", version: "3.4.1", repositoryOpts: { repo: "http://charts.konghq.com" } })],
                expect: [/repositoryOpts\.repo http:\/\/charts\.konghq\.com is plain HTTP/],
            },
            {
                name: "a plain-HTTP chart URL",
                resources: [release("x", { chart: "http://example.com/x-1.0.0.tgz" })],
                expect: [/chart URL http:\/\/example\.com\/x-1\.0\.0\.tgz is plain HTTP/],
            },
        ],
        good: [
            { name: "an HTTPS repository", resources: [release("monitoring", pinned)] },
            { name: "an OCI chart", resources: [release("jaeger", { chart: "oci://ghcr.io/jaegertracing/charts/jaeger", version: "4.11.1" })] },
        ],
    },
    {
        rule: "helm-values-no-plaintext-secrets",
        bad: [
            {
                name: "a literal Grafana admin password",
                resources: [release("monitoring", { ...pinned, values: { grafana: { adminPassword: "hunter2" } } })],
                expect: [/value grafana\.adminPassword holds literal credentials/],
            },
            {
                name: "a literal client secret, even one shaped like a name",
                resources: [release("grafana", { chart: "grafana", version: "12.11.1", values: { "grafana.ini": { "auth.generic_oauth": { client_secret: "abc-123" } } } })],
                expect: [/client_secret holds literal credentials/],
            },
            {
                name: "literal tokens and keys at any depth and spelling",
                resources: [release("kong", { chart: "kong", version: "3.4.1", values: { env: { pg_password: "s3cret" }, extra: [{ apiKey: "abc" }], ADMIN_TOKEN: "t" } })],
                expect: [/env\.pg_password/, /extra\[0\]\.apiKey/, /ADMIN_TOKEN/],
            },
        ],
        good: [
            {
                name: "keys holding the name of a Secret (kong chart enterprise.license_secret, rbac.session_conf_secret)",
                resources: [
                    release("kong", {
                        chart: "kong",
                        version: "3.4.1",
                        values: {
                            enterprise: {
                                license_secret: "kong-enterprise-license",
                                rbac: { session_conf_secret: "kong-session-config", admin_gui_auth_conf_secret: "admin-gui-auth" },
                            },
                        },
                    }),
                ],
            },
            {
                name: "secrets passed as Pulumi secrets ([secret]) or by existingSecret",
                resources: [
                    release("monitoring", {
                        ...pinned,
                        values: {
                            grafana: { adminPassword: "[secret]", admin: { existingSecret: "grafana-admin", userKey: "user", passwordKey: "password" } },
                            bypass: "yes",
                            serviceAccount: { automountServiceAccountToken: "false", tokenSecretName: "x" },
                            env: { password: "${DB_PASSWORD}", vault_token: "{vault://env/token}", api_token: "[unknown]" },
                        },
                    }),
                ],
            },
            {
                name: "an allowed key",
                resources: [release("x", { ...pinned, values: { demoPassword: "demo" } })],
                config: { allowedKeys: ["demoPassword"] },
            },
        ],
    },
    {
        rule: "helm-values-known-keys",
        bad: [
            {
                name: "a misspelt istiod key (meshConfig.enableTracng)",
                resources: [
                    release("istiod", {
                        chart: "istiod",
                        version: "1.30.3",
                        repositoryOpts: { repo: "https://istio-release.storage.googleapis.com/charts" },
                        values: { meshConfig: { enableTracng: true } },
                    }),
                ],
                expect: [/values\.meshConfig\.enableTracng: "enableTracng" is not a key of meshConfig in chart istiod 1\.30\.3; did you mean "enableTracing"\?; Helm ignores it/],
            },
            {
                name: "istiod values nested under pilot (the old chart layout)",
                resources: [release("istiod", { chart: "istiod", version: "1.30.3", values: { pilot: { replicaCount: 2 } } })],
                expect: [/values\.pilot\.replicaCount/],
            },
        ],
        good: [
            {
                name: "kube-prometheus-stack values the chart defines",
                resources: [release("monitoring", { ...pinned, values: { grafana: { adminUser: "admin" }, prometheus: { prometheusSpec: { retention: "15d" } } } })],
            },
            {
                name: "a key the chart documents only in a comment (grafana adminPassword)",
                resources: [release("grafana", { chart: "grafana", version: "12.11.1", values: { adminPassword: "[secret]" } })],
            },
            { name: "another chart version than the key tree's (not validated)", resources: [release("istiod", { chart: "istiod", version: "1.29.0", values: { whatever: 1 } })] },
            { name: "a chart meshgate has no key tree of", resources: [release("redis", { chart: "redis", version: "20.0.0", values: { whatever: 1 } })] },
        ],
    },
];
