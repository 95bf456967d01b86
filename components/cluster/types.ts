/**
 * What everything above the cluster layer sees of a cluster: a Kubernetes
 * provider and a few facts. `EksCluster` and `ExistingCluster` both implement it,
 * so Istio, Kong and the observability stack never ask which kind they run on.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import type { OidcIdentity } from "../aws/oidc";

/** Where the Kubernetes resources of a stack go, and what they must wait for. */
export interface ClusterConnection {
    /** Provider every Kubernetes resource uses (pass it as `provider` in the resource options). */
    readonly provider: k8s.Provider;
    /** The cluster's name (for EKS, the physical EKS cluster name). */
    readonly clusterName: pulumi.Input<string>;
    /**
     * What a Service of type LoadBalancer gets: `"aws-nlb"` when the AWS Load Balancer
     * Controller provisions an NLB for it (annotate such Services for the controller),
     * `"generic"` when the cluster's own cloud provider handles it, `"none"` when nothing
     * does (kind, k3d, bare metal: the gateway is exposed as a NodePort instead).
     */
    readonly loadBalancer: "aws-nlb" | "generic" | "none";
    /**
     * Resources a Service of type LoadBalancer must wait for (the AWS Load Balancer
     * Controller's Helm release); empty when there are none.
     */
    readonly loadBalancerReady: pulumi.Resource[];
    /**
     * Resources any workload must wait for: node groups and core add-ons, and on EKS the
     * AWS Load Balancer Controller too, because its Service mutating webhook
     * (`mservice.elbv2.k8s.aws`, failurePolicy Fail) intercepts the creation of every
     * Service, of any type. Empty for an existing cluster.
     */
    readonly workloadsReady: pulumi.Resource[];
    /**
     * Resources a workload that mounts persistent volumes must also wait for (on EKS the EBS CSI
     * driver add-on and the StorageClass); empty when the cluster's storage needs nothing from meshgate.
     */
    readonly storageReady: pulumi.Resource[];
    /**
     * The StorageClass every claim meshgate creates names: on EKS the encrypted gp3 class
     * meshgate creates (EKS >= 1.30 has no default class); undefined: the cluster's default class.
     */
    readonly storageClassName?: string;
    /**
     * The control plane runs outside the cluster (EKS): kube-controller-manager, kube-scheduler
     * and etcd cannot be scraped, and kube-proxy serves its metrics on 127.0.0.1 only.
     */
    readonly managedControlPlane: boolean;
    /** The cluster's OIDC identity for IAM roles for service accounts; undefined when the cluster has none meshgate knows of. */
    readonly oidc?: OidcIdentity;
}

/** The stack's environment; prod switches on the stricter defaults. */
export type { Environment } from "../config/schema";
/** Re-exported: the OIDC identity is an AWS concept (components/aws), but a cluster connection carries it. */
export type { OidcIdentity } from "../aws/oidc";
