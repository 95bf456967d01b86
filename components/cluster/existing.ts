/**
 * A cluster meshgate does not create (kind, k3d, minikube, another cloud, an EKS
 * cluster managed elsewhere): only a Kubernetes provider from a kubeconfig, no
 * AWS resources.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterConnection, OidcIdentity } from "./types";
import { definedOnly } from "../util";

/** How to reach a cluster meshgate does not create (kind, k3d, minikube, another cloud), and what it offers. */
export interface ExistingClusterArgs {
    /**
     * Path to a kubeconfig file, read by the Kubernetes provider at deployment time.
     * @default $KUBECONFIG, or ~/.kube/config
     */
    readonly kubeconfig?: pulumi.Input<string>;
    /**
     * The kubeconfig context to use.
     * @default the kubeconfig's current context
     */
    readonly context?: pulumi.Input<string>;
    /**
     * What a Service of type LoadBalancer gets: `"aws-nlb"` when the AWS Load Balancer
     * Controller is already installed in the cluster, `"generic"` otherwise.
     * @default "generic"
     */
    readonly loadBalancer?: "aws-nlb" | "generic" | "none";
    /**
     * The cluster's name, for outputs and labels.
     * @default the context, or the component's name
     */
    readonly clusterName?: pulumi.Input<string>;
    /**
     * The cluster's IAM OIDC provider, when it is an EKS cluster whose IRSA roles
     * components should be able to create.
     * @default none
     */
    readonly oidc?: OidcIdentity;
    /**
     * StorageClass for the claims meshgate creates (Prometheus, Jaeger badger).
     * @default none: the cluster's default class
     */
    readonly storageClassName?: string;
    /**
     * The control plane runs outside the cluster (an EKS or other managed cluster): meshgate
     * then does not scrape kube-controller-manager, kube-scheduler, etcd and kube-proxy.
     * @default false
     */
    readonly managedControlPlane?: boolean;
}

const defaults = {
    loadBalancer: "generic",
} as const satisfies Partial<ExistingClusterArgs>;

/** Adopts an existing cluster: a `k8s.Provider` and the facts of {@link ClusterConnection}. */
export class ExistingCluster extends pulumi.ComponentResource implements ClusterConnection {
    public readonly provider: k8s.Provider;
    public readonly clusterName: pulumi.Output<string>;
    public readonly loadBalancer: "aws-nlb" | "generic" | "none";
    public readonly loadBalancerReady: pulumi.Resource[] = [];
    public readonly workloadsReady: pulumi.Resource[] = [];
    public readonly storageReady: pulumi.Resource[] = [];
    public readonly oidc?: OidcIdentity;
    public readonly storageClassName?: string;
    public readonly managedControlPlane: boolean;

    constructor(name: string, args: ExistingClusterArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("meshgate:cluster:ExistingCluster", name, {}, opts);
        const a = { ...defaults, ...definedOnly(args) };
        this.loadBalancer = a.loadBalancer;
        this.oidc = a.oidc;
        this.storageClassName = a.storageClassName;
        this.managedControlPlane = a.managedControlPlane ?? false;
        this.clusterName = pulumi.output(a.clusterName ?? a.context ?? name);
        this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: a.kubeconfig, context: a.context }, { parent: this });
        this.registerOutputs({ clusterName: this.clusterName, loadBalancer: this.loadBalancer });
    }
}
