// What an EKS cluster implies for the Kubernetes objects of a stack (listed with the aws rules:
// they judge a stack that creates an EKS cluster, or one configured as running on a managed
// control plane).
//
// Storage: a PersistentVolumeClaim binds only through a StorageClass that exists. Since
// EKS 1.30 the cluster's `gp2` class is no longer the default (EKS user guide, "Amazon EBS CSI
// driver"), so a claim that names no class, or names a class nothing creates, stays Pending; the
// Helm release whose pod mounts it times out. kube-prometheus-stack renders its
// `storageSpec.volumeClaimTemplate` into the Prometheus/Alertmanager StatefulSet's claims.
import { EnforcementLevel, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { T, arr, chartName, get, isUnknown, kindTypes, metaOf, obj, releaseName, schema, str, tunables, typeSet } from "./common";

const STORAGE_CLASS = kindTypes("storage.k8s.io", ["v1", "v1beta1"], "StorageClass");
const PVC = kindTypes("", ["v1"], "PersistentVolumeClaim");
const STATEFUL_SET = kindTypes("apps", ["v1"], "StatefulSet");
const PROMETHEUS_CRS = [...kindTypes("monitoring.coreos.com", ["v1"], "Prometheus"), ...kindTypes("monitoring.coreos.com", ["v1"], "Alertmanager")];
const EKS_CLUSTER = "aws:eks/cluster:Cluster";
const DEFAULT_ANNOTATIONS = ["storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"];

/** A claim some resource of the stack makes: where, and the class it names (undefined: none). */
interface Claim {
    resource: PolicyResource;
    where: string;
    storageClassName: string | undefined;
}

/** The claims of one resource: PVCs, StatefulSet templates, Prometheus/Alertmanager CRs, kube-prometheus-stack values. */
export function claimsOf(r: PolicyResource, prometheusCharts: ReadonlySet<string>): Claim[] {
    const claims: Claim[] = [];
    const add = (where: string, spec: unknown) => {
        const cls = get(spec, "storageClassName");
        if (isUnknown(cls) || cls === "") {
            return; // unknown at plan time, or "" (static binding to a pre-made volume)
        }
        claims.push({ resource: r, where, storageClassName: str(cls) });
    };
    const meta = metaOf(r.props, r.name);
    if (PVC.includes(r.type)) {
        add(`PersistentVolumeClaim ${meta.namespace}/${meta.name}`, get(r.props, "spec"));
    } else if (STATEFUL_SET.includes(r.type)) {
        for (const [i, t] of arr(get(r.props, "spec", "volumeClaimTemplates")).entries()) {
            add(`StatefulSet ${meta.namespace}/${meta.name} volumeClaimTemplates[${i}]`, get(t, "spec"));
        }
    } else if (PROMETHEUS_CRS.includes(r.type)) {
        const tpl = get(r.props, "spec", "storage", "volumeClaimTemplate");
        if (tpl !== undefined) {
            add(`${str(get(r.props, "kind")) ?? "Prometheus"} ${meta.namespace}/${meta.name} storage.volumeClaimTemplate`, get(tpl, "spec"));
        }
    } else if ((r.type === T.helmRelease || r.type === T.helmChart) && prometheusCharts.has(chartName(r.props))) {
        const values = obj(get(r.props, "values"));
        const sections: [string, unknown][] = [
            ["prometheus.prometheusSpec.storageSpec", get(values, "prometheus", "prometheusSpec", "storageSpec", "volumeClaimTemplate")],
            ["alertmanager.alertmanagerSpec.storage", get(values, "alertmanager", "alertmanagerSpec", "storage", "volumeClaimTemplate")],
        ];
        for (const [path, tpl] of sections) {
            if (tpl !== undefined) {
                add(`release ${str(get(r.props, "name")) ?? r.name} ${path}.volumeClaimTemplate`, get(tpl, "spec"));
            }
        }
    }
    return claims;
}

/** Claims must name a StorageClass that exists, or rely on a default class that does. */
export function storageClassDefined(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    const defaults = { clusterStorageClasses: [] as string[], clusterDefaultClass: "", prometheusCharts: ["kube-prometheus-stack"] };
    const classTypes = typeSet(STORAGE_CLASS);
    return {
        name: "storage-class-defined",
        description: "Volume claims must name a StorageClass the stack or cluster has; a claim naming none needs a default class (EKS >= 1.30 has none).",
        enforcementLevel: level,
        configSchema: {
            properties: {
                clusterStorageClasses: schema.strings(
                    "StorageClasses the cluster already has (besides EKS's gp2). Giving any makes the rule judge stacks that create no EKS cluster.",
                    defaults.clusterStorageClasses,
                ),
                clusterDefaultClass: schema.string('The cluster\'s own default StorageClass, if it has one ("": none).', defaults.clusterDefaultClass),
                prometheusCharts: schema.strings("Chart names of kube-prometheus-stack releases, whose volumeClaimTemplates are claims.", defaults.prometheusCharts),
            },
        },
        validateStack: (args, report) => {
            const c = tunables(defaults, args);
            const eks = args.resources.some((r) => r.type === EKS_CLUSTER);
            if (!eks && c.clusterStorageClasses.length === 0 && c.clusterDefaultClass === "") {
                args.notApplicable("the stack creates no EKS cluster and the cluster's StorageClasses are not configured (clusterStorageClasses)");
            }
            // EKS creates `gp2` (no longer the default since 1.30).
            const classes = new Set<string>([...c.clusterStorageClasses, ...(eks ? ["gp2"] : []), ...(c.clusterDefaultClass === "" ? [] : [c.clusterDefaultClass])]);
            const defaultsDefined: string[] = c.clusterDefaultClass === "" ? [] : [c.clusterDefaultClass];
            for (const r of args.resources) {
                if (classTypes.has(r.type)) {
                    const meta = metaOf(r.props, r.name);
                    classes.add(meta.name);
                    if (DEFAULT_ANNOTATIONS.some((a) => meta.annotations[a] === "true")) {
                        defaultsDefined.push(meta.name);
                    }
                }
            }
            const charts = new Set(c.prometheusCharts);
            for (const r of args.resources) {
                for (const claim of claimsOf(r, charts)) {
                    if (claim.storageClassName === undefined) {
                        if (defaultsDefined.length === 0) {
                            report(
                                `${claim.where} names no storageClassName and the stack has no default StorageClass${eks ? " (EKS >= 1.30 has none: gp2 is not the default)" : ""}: it stays Pending. Name a class, or create one annotated storageclass.kubernetes.io/is-default-class: "true".`,
                                r.urn,
                            );
                        }
                    } else if (!classes.has(claim.storageClassName)) {
                        report(
                            `${claim.where} names StorageClass ${claim.storageClassName}, which no object of the stack (nor the cluster, as configured) defines: it stays Pending.`,
                            r.urn,
                        );
                    }
                }
            }
        },
    };
}

// ---------------------------------------------------------------------------------------------
// Control-plane monitors on a managed control plane

/** kube-prometheus-stack 88.5.3 components that EKS does not let Prometheus scrape, with why. */
const UNREACHABLE_ON_EKS: readonly [string, string][] = [
    ["kubeControllerManager", "kube-controller-manager runs outside the cluster (KubeControllerManagerDown fires forever)"],
    ["kubeScheduler", "kube-scheduler runs outside the cluster (KubeSchedulerDown fires forever)"],
    ["kubeEtcd", "etcd runs outside the cluster"],
    ["kubeProxy", "the kube-proxy add-on serves its metrics on 127.0.0.1:10249 only (KubeProxyDown fires)"],
];

/**
 * kube-prometheus-stack on a managed control plane must not monitor what the cluster does not
 * expose: each component's `enabled` defaults to true in the chart's values.yaml.
 */
export function prometheusControlPlaneTargets(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    const defaults = { prometheusCharts: ["kube-prometheus-stack"], managedControlPlane: false };
    return {
        name: "prometheus-control-plane-targets",
        description:
            "On EKS, kube-prometheus-stack must not monitor kube-controller-manager, kube-scheduler, etcd or kube-proxy: they cannot be scraped, so their Down alerts fire forever.",
        enforcementLevel: level,
        configSchema: {
            properties: {
                prometheusCharts: schema.strings("Chart names of kube-prometheus-stack releases.", defaults.prometheusCharts),
                managedControlPlane: {
                    type: "boolean",
                    default: false,
                    description: "Judge the stack as running on a managed control plane even without an aws.eks.Cluster in it.",
                },
            },
        },
        validateStack: (args, report) => {
            const c = tunables(defaults, args);
            const eks = args.resources.some((r) => r.type === EKS_CLUSTER);
            if (!eks && !c.managedControlPlane) {
                args.notApplicable("the stack creates no EKS cluster (set managedControlPlane for an adopted managed cluster)");
            }
            const charts = new Set(c.prometheusCharts);
            for (const r of args.resources) {
                if ((r.type !== T.helmRelease && r.type !== T.helmChart) || !charts.has(chartName(r.props))) {
                    continue;
                }
                const values = obj(get(r.props, "values"));
                const on = UNREACHABLE_ON_EKS.filter(([key]) => get(values, key, "enabled") !== false);
                if (on.length > 0) {
                    report(
                        `release ${releaseName(r.props, r.name)} monitors ${on.map(([key]) => key).join(", ")} on a managed control plane: ${on.map(([, why]) => why).join("; ")}. Set ${on.map(([key]) => `${key}.enabled: false`).join(", ")}.`,
                        r.urn,
                    );
                }
            }
        },
    };
}

// ---------------------------------------------------------------------------------------------
// Autoscaling: EKS ships no metrics-server

const HPA = [...kindTypes("autoscaling", ["v2", "v1"], "HorizontalPodAutoscaler")];

/** Helm values that make a chart create an HPA (kong/kong 3.4.1, istio/istiod and istio/gateway 1.30.3). */
const CHART_HPA: Readonly<Record<string, (values: unknown) => boolean>> = {
    kong: (v) => get(v, "autoscaling", "enabled") === true,
    istiod: (v) => get(v, "autoscaleEnabled") !== false,
    gateway: (v) => get(v, "autoscaling", "enabled") !== false,
};

/** HorizontalPodAutoscalers need the resource metrics API: on EKS, a metrics-server the stack installs. */
export function autoscalingMetricsAvailable(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    const defaults = { metricsCharts: ["metrics-server"], managedControlPlane: false };
    return {
        name: "autoscaling-metrics-available",
        description: "On EKS, HorizontalPodAutoscalers (and charts that create them) need a metrics-server in the stack: EKS ships none, so the HPA never scales.",
        enforcementLevel: level,
        configSchema: {
            properties: {
                metricsCharts: schema.strings("Charts that serve the resource metrics API (metrics.k8s.io).", defaults.metricsCharts),
                managedControlPlane: {
                    type: "boolean",
                    default: false,
                    description: "Judge the stack as an EKS-like cluster without metrics-server even without an aws.eks.Cluster in it.",
                },
            },
        },
        validateStack: (args, report) => {
            const c = tunables(defaults, args);
            const eks = args.resources.some((r) => r.type === EKS_CLUSTER);
            if (!eks && !c.managedControlPlane) {
                args.notApplicable("the stack creates no EKS cluster");
            }
            const metricsCharts = new Set(c.metricsCharts);
            const served = args.resources.some(
                (r) =>
                    ((r.type === T.helmRelease || r.type === T.helmChart) && metricsCharts.has(chartName(r.props))) ||
                    (r.type === "aws:eks/addon:Addon" && get(r.props, "addonName") === "metrics-server"),
            );
            if (served) {
                return;
            }
            for (const r of args.resources) {
                if (HPA.includes(r.type)) {
                    const meta = metaOf(r.props, r.name);
                    report(
                        `HorizontalPodAutoscaler ${meta.namespace}/${meta.name} has no metrics: the stack installs no metrics-server (EKS ships none), so it never scales.`,
                        r.urn,
                    );
                } else if (r.type === T.helmRelease || r.type === T.helmChart) {
                    const hpa = CHART_HPA[chartName(r.props)];
                    if (hpa !== undefined && hpa(get(r.props, "values"))) {
                        report(
                            `release ${releaseName(r.props, r.name)} creates a HorizontalPodAutoscaler, but the stack installs no metrics-server (EKS ships none): it never scales.`,
                            r.urn,
                        );
                    }
                }
            }
        },
    };
}

// ---------------------------------------------------------------------------------------------
// NLB rollouts: IP targets and pod readiness gates

const NLB_TARGET_TYPE = "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type";
const READINESS_GATE_LABEL = "elbv2.k8s.aws/pod-readiness-gate-inject";

/**
 * With IP targets, the AWS Load Balancer Controller registers pods themselves; without its
 * readiness gate a rollout can remove old pods before the new ones are healthy targets (AWS Load
 * Balancer Controller v3.5, docs/deploy/pod_readiness_gate.md). The gate is injected into pods of
 * namespaces labelled `elbv2.k8s.aws/pod-readiness-gate-inject: enabled`.
 */
export function nlbPodReadinessGate(level: EnforcementLevel = "advisory"): StackValidationPolicy {
    return {
        name: "nlb-pod-readiness-gate",
        description: "Services behind an NLB with IP targets must live in a namespace labelled elbv2.k8s.aws/pod-readiness-gate-inject: enabled, so rollouts keep serving.",
        enforcementLevel: level,
        validateStack: (args, report) => {
            const labels = new Map<string, Record<string, string>>();
            for (const r of args.resources) {
                if (r.type === T.namespace) {
                    const meta = metaOf(r.props, r.name);
                    labels.set(meta.name, meta.labels);
                }
            }
            const check = (namespace: string, what: string, urn: string) => {
                const nsLabels = labels.get(namespace);
                if (nsLabels !== undefined && nsLabels[READINESS_GATE_LABEL] !== "enabled") {
                    report(
                        `${what} sends an NLB to pod IPs, but namespace ${namespace} is not labelled ${READINESS_GATE_LABEL}: enabled; a rollout may remove old targets before the new pods are registered.`,
                        urn,
                    );
                }
            };
            for (const r of args.resources) {
                if (r.type === T.service) {
                    const meta = metaOf(r.props, r.name);
                    if (meta.annotations[NLB_TARGET_TYPE] === "ip" && get(r.props, "spec", "type") === "LoadBalancer") {
                        check(meta.namespace, `Service ${meta.namespace}/${meta.name}`, r.urn);
                    }
                } else if ((r.type === T.helmRelease || r.type === T.helmChart) && chartName(r.props) === "kong") {
                    const annotations = obj(get(r.props, "values", "proxy", "annotations"));
                    if (annotations[NLB_TARGET_TYPE] === "ip") {
                        const ns = str(get(r.props, "namespace")) ?? "default";
                        check(ns, `release ${releaseName(r.props, r.name)} (Kong's proxy Service)`, r.urn);
                    }
                }
            }
        },
    };
}

export const eksKubernetesRules = [storageClassDefined, prometheusControlPlaneTargets, autoscalingMetricsAvailable, nlbPodReadinessGate];
