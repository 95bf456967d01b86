import { k8s, release, resource } from "../harness";
import type { RuleCases } from "./types";

const eks = () => resource("aws:eks/cluster:Cluster", "main", { version: "1.35" });
const gp3 = (isDefault: boolean) =>
    k8s("storage.k8s.io/v1", "StorageClass", "gp3", undefined, { provisioner: "ebs.csi.aws.com", volumeBindingMode: "WaitForFirstConsumer", parameters: { type: "gp3", encrypted: "true" } }, {
        annotations: { "storageclass.kubernetes.io/is-default-class": String(isDefault) },
    });
const pvc = (storageClassName?: string) =>
    k8s("v1", "PersistentVolumeClaim", "jaeger-badger-data", "observability", { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } }, ...(storageClassName ? { storageClassName } : {}) } });
const kps = (storageClassName?: string) =>
    release("kube-prometheus-stack", {
        chart: "kube-prometheus-stack",
        version: "88.5.3",
        namespace: "observability",
        values: { prometheus: { prometheusSpec: { storageSpec: { volumeClaimTemplate: { spec: { resources: { requests: { storage: "50Gi" } }, ...(storageClassName ? { storageClassName } : {}) } } } } } },
    });

const kpsDefaults = (values: Record<string, unknown> = {}) =>
    release("monitoring", { chart: "kube-prometheus-stack", version: "88.5.3", namespace: "monitoring", repositoryOpts: { repo: "https://prometheus-community.github.io/helm-charts" }, values });
const eksCluster = eks;
const OFF = { kubeControllerManager: { enabled: false }, kubeScheduler: { enabled: false }, kubeEtcd: { enabled: false }, kubeProxy: { enabled: false } };

export const eksKubernetesCases: RuleCases[] = [
    {
        rule: "prometheus-control-plane-targets",
        bad: [
            {
                name: "kube-prometheus-stack with the chart's defaults on EKS",
                resources: [eksCluster(), kpsDefaults()],
                expect: [/release monitoring monitors kubeControllerManager, kubeScheduler, kubeEtcd, kubeProxy on a managed control plane: kube-controller-manager runs outside the cluster \(KubeControllerManagerDown fires forever\)/],
            },
            { name: "only kube-proxy left on, on EKS", resources: [eksCluster(), kpsDefaults({ ...OFF, kubeProxy: { enabled: true } })], expect: [/monitors kubeProxy on a managed control plane: the kube-proxy add-on serves its metrics on 127\.0\.0\.1:10249 only/] },
            { name: "the defaults on an adopted managed cluster", resources: [kpsDefaults()], config: { managedControlPlane: true }, expect: [/Set kubeControllerManager\.enabled: false/] },
        ],
        good: [
            { name: "the four monitors off on EKS (as meshgate sets them)", resources: [eksCluster(), kpsDefaults(OFF)] },
            { name: "the defaults on a cluster that exposes its control plane (no EKS in the stack)", resources: [kpsDefaults()] },
        ],
    },

    {
        rule: "storage-class-defined",
        bad: [
            { name: "a PVC naming no class on EKS without a default class (EKS >= 1.30)", resources: [eks(), pvc()], expect: [/PersistentVolumeClaim observability\/jaeger-badger-data names no storageClassName and the stack has no default StorageClass \(EKS >= 1\.30 has none/] },
            { name: "Prometheus's volumeClaimTemplate naming a class nothing defines", resources: [eks(), gp3(false), kps("fast-ssd")], expect: [/release kube-prometheus-stack prometheus\.prometheusSpec\.storageSpec\.volumeClaimTemplate names StorageClass fast-ssd, which no object of the stack/] },
            { name: "a claim without class where the only class in the stack is not the default", resources: [eks(), gp3(false), pvc()], expect: [/names no storageClassName/] },
            { name: "a claim naming a class the configured cluster lacks", resources: [pvc("premium")], config: { clusterStorageClasses: ["standard"] }, expect: [/names StorageClass premium/] },
        ],
        good: [
            { name: "claims naming the stack's gp3 class", resources: [eks(), gp3(true), pvc("gp3"), kps("gp3")] },
            { name: "a claim without class where the stack's class is the default", resources: [eks(), gp3(true), pvc()] },
            { name: "a claim naming EKS's own gp2", resources: [eks(), pvc("gp2")] },
            { name: "a stack adopting a cluster whose classes are not configured", resources: [pvc()] },
            { name: "a claim without class on a cluster configured with a default class", resources: [pvc()], config: { clusterDefaultClass: "standard" } },
        ],
    },
];
