/**
 * What a real `pulumi up` meets (issue #12), one test per finding, each failing on the output
 * before the fix: the plans of the stacks and of every stack shape are checked for what the
 * pinned charts and AWS do with them, and every shape passes the policy pack.
 */
import { strict as assert } from "node:assert";
import { runPolicies } from "../../policies/engine";
import { plan, toPlainResource } from "../../tools/plan/plan";
import { runProgram, type PlanRun, type RecordedResource } from "../../tools/plan/runtime";
import { meshgateSection, readStackConfig, stackConfigPath } from "../../tools/plan/stack-config";
import { program } from "../../infra/program";
import { clusterAutoscalerPolicy } from "../../components/cluster-autoscaler";
import { awsProviderIdentity, withProviderIdentity } from "../../infra/config";
import { placeholderIssues } from "../../infra/placeholders";
import { validateStackConfig } from "../../components/config";
import { Platform } from "../../components/platform";
import * as pulumi from "@pulumi/pulumi";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass";

async function planned(stack: string, overrides: Record<string, unknown> = {}): Promise<{ run: PlanRun; mandatory: string[] }> {
    const config = { ...readStackConfig(stackConfigPath(stack)), ...overrides };
    const result = await plan({ stack, config });
    if (result.kind !== "planned") {
        assert.fail(`invalid: ${result.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
    }
    return { run: result.run, mandatory: result.violations.filter((v) => v.level === "mandatory").map((v) => `${v.policy}: ${v.message}`) };
}

const release = (run: PlanRun, chart: string): RecordedResource | undefined => run.byType(RELEASE).find((r) => r.inputs.chart === chart);
const values = (r: RecordedResource | undefined): Record<string, any> => (r?.inputs.values ?? {}) as Record<string, any>;

describe("production: what a real pulumi up meets", function () {
    this.timeout(120000);
    let prod: PlanRun;
    let dev: PlanRun;
    let local: PlanRun;
    before(async () => {
        prod = (await planned("prod")).run;
        dev = (await planned("dev")).run;
        local = (await planned("local")).run;
    });

    describe("1. storage: EKS >= 1.30 has no default StorageClass", () => {
        it("creates an encrypted gp3 WaitForFirstConsumer class, the default, after the EBS CSI add-on", () => {
            const [sc] = prod.byType(STORAGE_CLASS);
            assert.ok(sc, "a StorageClass");
            assert.deepEqual(
                [
                    sc.inputs.provisioner,
                    (sc.inputs.parameters as Record<string, string>).type,
                    (sc.inputs.parameters as Record<string, string>).encrypted,
                    sc.inputs.volumeBindingMode,
                ],
                ["ebs.csi.aws.com", "gp3", "true", "WaitForFirstConsumer"],
            );
            assert.equal((sc.inputs.metadata as { annotations: Record<string, string> }).annotations["storageclass.kubernetes.io/is-default-class"], "true");
            const ebs = prod.byType("aws:eks/addon:Addon").find((a) => a.inputs.addonName === "aws-ebs-csi-driver");
            assert.ok(ebs && sc.dependsOn.includes(ebs.urn));
        });

        it("names the class on every claim meshgate sets: Jaeger's badger PVC and Prometheus's volumeClaimTemplate", () => {
            const pvcs = prod.byType("kubernetes:core/v1:PersistentVolumeClaim");
            assert.equal(pvcs.length, 1);
            assert.equal((pvcs[0].inputs.spec as { storageClassName?: string }).storageClassName, "gp3");
            assert.equal(values(release(prod, "kube-prometheus-stack")).prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName, "gp3");
        });

        it("makes the releases that mount volumes wait for the class", () => {
            const [sc] = prod.byType(STORAGE_CLASS);
            for (const chart of ["kube-prometheus-stack", "jaeger"]) {
                assert.ok(release(prod, chart)?.dependsOn.includes(sc.urn), chart);
            }
        });

        it("leaves the class to an existing cluster (its default) and creates none there", () => {
            assert.equal(local.byType(STORAGE_CLASS).length, 0);
        });

        it("gives a hand-written EKS stack whose claim names no class a mandatory violation", async () => {
            const without = prod.resources.filter((r) => r.type !== STORAGE_CLASS);
            const violations = await runPolicies(without.map(toPlainResource));
            assert.ok(
                violations.some((v) => v.policy === "storage-class-defined" && v.level === "mandatory"),
                "storage-class-defined fires without the class",
            );
        });
    });

    describe("2. every stack shape passes its own pack: mesh on/off × observability on/off × EKS/existing (mesh off is gateway-only)", () => {
        const shapes: { cluster: "eks" | "existing"; mesh: boolean; observability: boolean }[] = [];
        for (const cluster of ["eks", "existing"] as const) {
            for (const mesh of [true, false]) {
                for (const observability of [true, false]) {
                    shapes.push({ cluster, mesh, observability });
                }
            }
        }
        it("has the eight shapes", () => assert.equal(shapes.length, 8));
        for (const s of shapes) {
            it(`${s.cluster}, mesh ${s.mesh ? "on" : "off (gateway-only)"}, observability ${s.observability ? "on" : "off"}: 0 mandatory violations`, async () => {
                const base = s.cluster === "eks" ? "staging" : "local";
                const cfg = readStackConfig(stackConfigPath(base));
                const { run, mandatory } = await planned(base, {
                    "meshgate:mesh": { ...(cfg["meshgate:mesh"] as object), enabled: s.mesh },
                    "meshgate:observability": { ...(cfg["meshgate:observability"] ?? {}), enabled: s.observability },
                });
                assert.deepEqual(mandatory, []);
                const istiod = release(run, "istiod");
                assert.equal(istiod !== undefined, s.mesh);
                if (istiod !== undefined) {
                    const providers = values(istiod).meshConfig.extensionProviders as unknown[];
                    assert.equal(providers.length, s.observability ? 1 : 0, "traces to Jaeger only when there is one");
                }
            });
        }
    });

    describe("3. autoscaling acts: metrics-server and a node autoscaler", () => {
        it("installs metrics-server and the cluster autoscaler on EKS, after the LB controller's Service webhook", () => {
            const lb = release(prod, "aws-load-balancer-controller");
            assert.ok(lb);
            for (const chart of ["metrics-server", "cluster-autoscaler"]) {
                const r = release(prod, chart);
                assert.ok(r, chart);
                assert.ok(r.dependsOn.includes(lb.urn), `${chart} waits for the LB controller`);
            }
            assert.equal(values(release(prod, "metrics-server")).replicas, 2, "HA in prod");
        });

        it("gives the autoscaler its IAM through IRSA, writes limited to this cluster's tagged groups", () => {
            const ca = values(release(prod, "cluster-autoscaler"));
            assert.match(ca.rbac.serviceAccount.annotations["eks.amazonaws.com/role-arn"], /^arn:aws:iam::\d{12}:role\//);
            const doc = clusterAutoscalerPolicy("prod-cluster", "arn:aws:eks:eu-west-1:210987654321:cluster/prod-cluster");
            // kubernetes/autoscaler cluster-autoscaler-chart-9.59.0, cluster-autoscaler/cloudprovider/aws/README.md ("IAM Policy"): the two write actions, limited by the ownership tag
            const writeActions = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"];
            assert.equal(doc.Statement.length, 3, "read, describe node groups, scale own groups");
            const write = doc.Statement.find((st) => writeActions.every((a) => (st.Action as readonly string[]).includes(a)));
            assert.ok(write);
            assert.deepEqual(write.Condition, { StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/prod-cluster": "owned" } });
            const describe = doc.Statement.find((st) => (st.Action as readonly string[]).includes("eks:DescribeNodegroup"));
            assert.equal(describe?.Resource, "arn:aws:eks:eu-west-1:210987654321:nodegroup/prod-cluster/*");
            assert.ok(!doc.Statement.some((st) => st.Action === "*" || (st.Action as readonly string[]).some((a) => a.endsWith(":*"))));
        });

        it("gives a hand-written EKS stack whose HPAs have no metrics-server a mandatory violation", async () => {
            const without = prod.resources.filter((r) => r.inputs.chart !== "metrics-server");
            const violations = await runPolicies(without.map(toPlainResource));
            const hpa = violations.filter((v) => v.policy === "autoscaling-metrics-available");
            assert.ok(hpa.length >= 2 && hpa.every((v) => v.level === "mandatory"), "Kong's and istiod's HPAs");
        });

        it("installs metrics-server on an existing cluster only when asked", async () => {
            assert.equal(release(local, "metrics-server"), undefined);
            const cfg = readStackConfig(stackConfigPath("local"));
            const { run } = await planned("local", { "meshgate:cluster": { ...(cfg["meshgate:cluster"] as object), metricsServer: { enabled: true } } });
            assert.ok(release(run, "metrics-server"));
        });
    });

    describe("4. no permanent alerts on EKS", () => {
        it("turns off kube-controller-manager, kube-scheduler, etcd and kube-proxy monitoring (and their rules) on EKS", () => {
            const v = values(release(prod, "kube-prometheus-stack"));
            for (const key of ["kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy"]) {
                assert.equal(v[key].enabled, false, key);
            }
            assert.equal(v.defaultRules.rules.kubeSchedulerAlerting, false);
        });

        it("keeps them on an existing cluster that exposes them", () => {
            const v = values(release(local, "kube-prometheus-stack"));
            assert.equal(v.kubeControllerManager.enabled, true);
        });
    });

    describe("5. dashboards and application metrics", () => {
        const monitor = (run: PlanRun, kind: string, name: string) =>
            run.resources.find((r) => r.type === `kubernetes:monitoring.coreos.com/v1:${kind}` && (r.inputs.metadata as { name: string }).name === name);

        it('labels istiod\'s series with app (the control-plane dashboard filters on app="istiod")', () => {
            assert.deepEqual((monitor(dev, "ServiceMonitor", "istiod")?.inputs.spec as { targetLabels?: string[] }).targetLabels, ["app"]);
        });

        it("scrapes the merged (Envoy + application) metrics on the pod's prometheus.io/port, with merging on in istiod", () => {
            const spec = monitor(dev, "PodMonitor", "envoy-stats")?.inputs.spec as { podMetricsEndpoints: { port?: string; relabelings?: { sourceLabels?: string[] }[] }[] };
            assert.equal(spec.podMetricsEndpoints[0].port, undefined);
            assert.ok(spec.podMetricsEndpoints[0].relabelings?.some((r) => r.sourceLabels?.includes("__meta_kubernetes_pod_annotation_prometheus_io_port")));
            assert.equal(values(release(dev, "istiod")).meshConfig.enablePrometheusMerge, true);
        });
    });

    describe("6. the workload contract", () => {
        const vs = (run: PlanRun, name: string) =>
            run.byType("kubernetes:networking.istio.io/v1:VirtualService").find((r) => (r.inputs.metadata as { name: string }).name === name);

        it("routes a service without versions to its host, without a subset (no version label needed)", () => {
            const spec = vs(dev, "order-service")?.inputs.spec as { http: { route: { destination: Record<string, unknown> }[] }[] };
            assert.deepEqual(spec.http[0].route[0].destination, { host: "order-service.orders.svc.cluster.local" });
        });

        it("still routes a service with versions to its subsets", () => {
            const spec = vs(dev, "user-service")?.inputs.spec as { http: { route: { destination: { subset?: string } }[] }[] };
            assert.deepEqual(
                spec.http[1].route.map((r) => r.destination.subset),
                ["v1", "v2"],
            );
        });

        it("publishes the contract per service in the stack outputs: labels, versions, service account, ports, callers", () => {
            const services = dev.outputs.services as Record<string, { contract: Record<string, unknown> }>;
            assert.deepEqual(services["payment-service"].contract.podLabels, { app: "payment-service" });
            assert.equal(services["payment-service"].contract.serviceAccount, "payment-service");
            assert.deepEqual(services["payment-service"].contract.ports, [{ name: "http", servicePort: 8443, containerPort: 8080, protocol: "http" }]);
            assert.deepEqual(services["payment-service"].contract.callers, ["orders/order-service"]);
            assert.deepEqual(services["user-service"].contract.versions, ["v1", "v2"]);
        });
    });

    describe("7. NLB rollouts", () => {
        it("gives a hand-written stack with NLB IP targets in an unlabelled namespace a warning", async () => {
            const unlabelled = prod.resources.map((r) => {
                const meta = r.inputs.metadata as { name?: string; labels?: Record<string, string> } | undefined;
                if (r.type !== "kubernetes:core/v1:Namespace" || meta?.name !== "kong") return r;
                const { ["elbv2.k8s.aws/pod-readiness-gate-inject"]: _gone, ...labels } = meta.labels ?? {};
                return { ...r, inputs: { ...r.inputs, metadata: { ...meta, labels } } };
            });
            const violations = await runPolicies(unlabelled.map(toPlainResource));
            assert.equal(violations.filter((v) => v.policy === "nlb-pod-readiness-gate").length, 1);
        });

        it("labels Kong's namespace for the LB controller's pod readiness gates", () => {
            const ns = prod.byType("kubernetes:core/v1:Namespace").find((r) => (r.inputs.metadata as { name: string }).name === "kong");
            assert.equal((ns?.inputs.metadata as { labels: Record<string, string> }).labels["elbv2.k8s.aws/pod-readiness-gate-inject"], "enabled");
        });
    });

    describe("8. deploy credentials", () => {
        it("authenticates the kubeconfig as the AWS provider (aws:profile, aws:assumeRoles) unless the stack says otherwise", () => {
            const raw = { "aws:profile": "platform", "aws:assumeRoles": [{ roleArn: "arn:aws:iam::210987654321:role/deployer" }] };
            assert.deepEqual(awsProviderIdentity(raw), { profile: "platform", roleArn: "arn:aws:iam::210987654321:role/deployer" });
            const config = validateStackConfig({ cluster: { type: "eks", region: "eu-west-1", nodeGroups: [{ name: "g", minSize: 1, maxSize: 2 }] } }, { stack: "dev" });
            const withIdentity = withProviderIdentity(config, raw);
            assert.deepEqual(withIdentity.cluster.type === "eks" && withIdentity.cluster.kubeconfig, { profile: "platform", roleArn: "arn:aws:iam::210987654321:role/deployer" });
        });

        it("puts that profile and role into the kubeconfig's aws eks get-token", async () => {
            const raw = { "aws:profile": "platform", "aws:assumeRoles": [{ roleArn: "arn:aws:iam::210987654321:role/deployer" }] };
            const stack = meshgateSection(readStackConfig(stackConfigPath("dev")));
            const run = await runProgram(
                () => {
                    const platform = new Platform("meshgate", withProviderIdentity(validateStackConfig(stack, { stack: "dev" }), raw));
                    return { kubeconfig: platform.kubeconfig === undefined ? undefined : pulumi.unsecret(platform.kubeconfig) };
                },
                { stack: "dev" },
            );
            const kc = JSON.parse(String(run.outputs.kubeconfig)) as { users: { user: { exec: { args: string[]; env?: { name: string; value: string }[] } } }[] };
            const exec = kc.users[0].user.exec;
            assert.deepEqual(exec.args.slice(0, 2), ["eks", "get-token"]);
            assert.equal(exec.args[exec.args.indexOf("--role-arn") + 1], "arn:aws:iam::210987654321:role/deployer");
            assert.deepEqual(exec.env, [{ name: "AWS_PROFILE", value: "platform" }]);
        });

        it("finds the example account IDs and documentation CIDRs of the shipped stacks", () => {
            const issues = placeholderIssues(readStackConfig(stackConfigPath("prod")));
            assert.equal(issues.length, 4, issues.join("\n"));
            assert.ok(issues.some((i) => i.startsWith("meshgate:gateway.tls.certificateArn: arn:aws:acm:eu-west-1:123456789012:")));
            assert.ok(issues.some((i) => i.startsWith("meshgate:cluster.accessEntries[0].principalArn: arn:aws:iam::123456789012:role/platform-admins")));
            assert.deepEqual(placeholderIssues(readStackConfig(stackConfigPath("local"))), []);
        });

        it("refuses a real deployment (not a preview) of example values before creating anything", async () => {
            let registered = 0;
            await assert.rejects(
                runProgram(program, { stack: "prod", config: readStackConfig(stackConfigPath("prod")), preview: false, onResource: (n) => (registered = n) }),
                (e: Error) => /still has example values from stacks\/; replace them before deploying \(nothing was created\)/.test(e.message) && /123456789012/.test(e.message),
            );
            assert.ok(registered <= 1, `only the stack itself (${registered})`);
        });
    });

    describe("9. Prometheus in prod", () => {
        it("caps the TSDB at 85% of its volume beside the 30 d retention, and requests resources for the stateful components", () => {
            const v = values(release(prod, "kube-prometheus-stack"));
            assert.equal(v.prometheus.prometheusSpec.retention, "30d");
            assert.equal(v.prometheus.prometheusSpec.retentionSize, "170GiB", "85% of 200 GiB");
            assert.deepEqual(v.prometheus.prometheusSpec.resources.requests, { cpu: "500m", memory: "2Gi" });
            assert.ok(v.alertmanager.alertmanagerSpec.resources.requests.memory);
            assert.ok(v.grafana.resources.requests.cpu);
            assert.ok(values(release(prod, "jaeger")).jaeger.resources.requests.memory, "Jaeger (jaeger.resources, read by the chart's deployment template)");
        });
    });
});
