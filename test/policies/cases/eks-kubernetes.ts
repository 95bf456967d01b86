import { k8s, release, resource } from "../harness";
import type { RuleCases } from "./types";

const eks = () => resource("aws:eks/cluster:Cluster", "main", { version: "1.35" });
const gp3 = (isDefault: boolean) =>
    k8s(
        "storage.k8s.io/v1",
        "StorageClass",
        "gp3",
        undefined,
        { provisioner: "ebs.csi.aws.com", volumeBindingMode: "WaitForFirstConsumer", parameters: { type: "gp3", encrypted: "true" } },
        {
            annotations: { "storageclass.kubernetes.io/is-default-class": String(isDefault) },
        },
    );
const pvc = (storageClassName?: string) =>
    k8s("v1", "PersistentVolumeClaim", "jaeger-badger-data", "observability", {
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } }, ...(storageClassName ? { storageClassName } : {}) },
    });
const kps = (storageClassName?: string) =>
    release("kube-prometheus-stack", {
        chart: "kube-prometheus-stack",
        version: "88.5.3",
        namespace: "observability",
        values: {
            prometheus: {
                prometheusSpec: {
                    storageSpec: { volumeClaimTemplate: { spec: { resources: { requests: { storage: "50Gi" } }, ...(storageClassName ? { storageClassName } : {}) } } },
                },
            },
        },
    });

const kpsDefaults = (values: Record<string, unknown> = {}) =>
    release("monitoring", {
        chart: "kube-prometheus-stack",
        version: "88.5.3",
        namespace: "monitoring",
        repositoryOpts: { repo: "https://prometheus-community.github.io/helm-charts" },
        values,
    });
const eksCluster = eks;
const OFF = { kubeControllerManager: { enabled: false }, kubeScheduler: { enabled: false }, kubeEtcd: { enabled: false }, kubeProxy: { enabled: false } };

export const eksKubernetesCases: RuleCases[] = [
    {
        rule: "prometheus-control-plane-targets",
        bad: [
            {
                name: "kube-prometheus-stack with the chart's defaults on EKS",
                resources: [eksCluster(), kpsDefaults()],
                expect: [
                    /release monitoring monitors kubeControllerManager, kubeScheduler, kubeEtcd, kubeProxy on a managed control plane: kube-controller-manager runs outside the cluster \(KubeControllerManagerDown fires forever\)/,
                ],
            },
            {
                name: "only kube-proxy left on, on EKS",
                resources: [eksCluster(), kpsDefaults({ ...OFF, kubeProxy: { enabled: true } })],
                expect: [/monitors kubeProxy on a managed control plane: the kube-proxy add-on serves its metrics on 127\.0\.0\.1:10249 only/],
            },
            {
                name: "the defaults on an adopted managed cluster",
                resources: [kpsDefaults()],
                config: { managedControlPlane: true },
                expect: [/Set kubeControllerManager\.enabled: false/],
            },
        ],
        good: [
            { name: "the four monitors off on EKS (as meshgate sets them)", resources: [eksCluster(), kpsDefaults(OFF)] },
            { name: "the defaults on a cluster that exposes its control plane (no EKS in the stack)", resources: [kpsDefaults()] },
        ],
    },

    {
        rule: "storage-class-defined",
        bad: [
            {
                name: "a PVC naming no class on EKS without a default class (EKS >= 1.30)",
                resources: [eks(), pvc()],
                expect: [/PersistentVolumeClaim observability\/jaeger-badger-data names no storageClassName and the stack has no default StorageClass \(EKS >= 1\.30 has none/],
            },
            {
                name: "Prometheus's volumeClaimTemplate naming a class nothing defines",
                resources: [eks(), gp3(false), kps("fast-ssd")],
                expect: [/release kube-prometheus-stack prometheus\.prometheusSpec\.storageSpec\.volumeClaimTemplate names StorageClass fast-ssd, which no object of the stack/],
            },
            { name: "a claim without class where the only class in the stack is not the default", resources: [eks(), gp3(false), pvc()], expect: [/names no storageClassName/] },
            {
                name: "a claim naming a class the configured cluster lacks",
                resources: [pvc("premium")],
                config: { clusterStorageClasses: ["standard"] },
                expect: [/names StorageClass premium/],
            },
        ],
        good: [
            { name: "claims naming the stack's gp3 class", resources: [eks(), gp3(true), pvc("gp3"), kps("gp3")] },
            { name: "a claim without class where the stack's class is the default", resources: [eks(), gp3(true), pvc()] },
            { name: "a claim naming EKS's own gp2", resources: [eks(), pvc("gp2")] },
            { name: "a stack adopting a cluster whose classes are not configured", resources: [pvc()] },
            { name: "a claim without class on a cluster configured with a default class", resources: [pvc()], config: { clusterDefaultClass: "standard" } },
        ],
    },
    {
        rule: "autoscaling-metrics-available",
        bad: [
            {
                name: "an HPA on EKS with no metrics-server",
                resources: [
                    eks(),
                    k8s("autoscaling/v2", "HorizontalPodAutoscaler", "api", "shop", {
                        spec: { scaleTargetRef: { kind: "Deployment", name: "api" }, minReplicas: 2, maxReplicas: 5 },
                    }),
                ],
                expect: [/HorizontalPodAutoscaler shop\/api has no metrics: the stack installs no metrics-server \(EKS ships none\)/],
            },
            {
                name: "Kong with autoscaling on EKS and no metrics-server",
                resources: [
                    eks(),
                    release("kong", { chart: "kong", version: "3.4.1", namespace: "kong", values: { autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 5 } } }),
                ],
                expect: [/release kong creates a HorizontalPodAutoscaler, but the stack installs no metrics-server/],
            },
        ],
        good: [
            {
                name: "an HPA beside the metrics-server release",
                resources: [
                    eks(),
                    release("metrics-server", { chart: "metrics-server", version: "3.13.1", namespace: "kube-system" }),
                    k8s("autoscaling/v2", "HorizontalPodAutoscaler", "api", "shop", { spec: {} }),
                ],
            },
            {
                name: "an HPA beside the EKS metrics-server add-on",
                resources: [
                    eks(),
                    resource("aws:eks/addon:Addon", "ms", { addonName: "metrics-server" }),
                    k8s("autoscaling/v2", "HorizontalPodAutoscaler", "api", "shop", { spec: {} }),
                ],
            },
            { name: "an HPA on a cluster that is not EKS", resources: [k8s("autoscaling/v2", "HorizontalPodAutoscaler", "api", "shop", { spec: {} })] },
        ],
    },
    {
        rule: "nlb-pod-readiness-gate",
        bad: [
            {
                name: "Kong's proxy on NLB IP targets in a namespace without the readiness-gate label",
                resources: [
                    k8s("v1", "Namespace", "kong", undefined, {}, { labels: { "istio-injection": "enabled" } }),
                    release("kong", {
                        chart: "kong",
                        version: "3.4.1",
                        namespace: "kong",
                        values: { proxy: { annotations: { "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip" } } },
                    }),
                ],
                expect: [/release kong \(Kong's proxy Service\) sends an NLB to pod IPs, but namespace kong is not labelled elbv2\.k8s\.aws\/pod-readiness-gate-inject: enabled/],
            },
            {
                name: "a LoadBalancer Service with IP targets",
                resources: [
                    k8s("v1", "Namespace", "edge", undefined),
                    k8s(
                        "v1",
                        "Service",
                        "proxy",
                        "edge",
                        { spec: { type: "LoadBalancer", selector: { app: "proxy" }, ports: [{ port: 443 }] } },
                        { annotations: { "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip" } },
                    ),
                ],
                expect: [/Service edge\/proxy sends an NLB to pod IPs/],
            },
        ],
        good: [
            {
                name: "the namespace labelled for readiness gates",
                resources: [
                    k8s("v1", "Namespace", "kong", undefined, {}, { labels: { "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" } }),
                    release("kong", {
                        chart: "kong",
                        version: "3.4.1",
                        namespace: "kong",
                        values: { proxy: { annotations: { "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip" } } },
                    }),
                ],
            },
            {
                name: "instance targets",
                resources: [
                    k8s("v1", "Namespace", "edge", undefined),
                    k8s(
                        "v1",
                        "Service",
                        "proxy",
                        "edge",
                        { spec: { type: "LoadBalancer" } },
                        { annotations: { "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "instance" } },
                    ),
                ],
            },
        ],
    },
];
