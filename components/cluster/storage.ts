/**
 * The cluster's default StorageClass on EKS. Since EKS 1.30 the `gp2` class the cluster comes
 * with is no longer annotated as the default (EKS user guide, "Amazon EBS CSI driver" / the
 * Kubernetes 1.30 release notes of EKS), so a claim that names no class stays Pending forever,
 * and a Helm release waiting for its pod (Jaeger's badger volume, Prometheus's
 * volumeClaimTemplate) times out. meshgate creates one once the EBS CSI driver add-on is
 * there, and names it on every claim it sets.
 *
 * Parameters as the EBS CSI driver documents them (kubernetes-sigs/aws-ebs-csi-driver
 * docs/parameters.md): `type: gp3`, `encrypted: "true"` (with the account's default EBS key
 * unless `kmsKeyId` is given), `csi.storage.k8s.io/fstype: ext4`. `WaitForFirstConsumer`
 * creates the volume in the zone the pod is scheduled to (an EBS volume is zonal).
 */

/** Name of the StorageClass meshgate creates on EKS. */
export const DEFAULT_STORAGE_CLASS = "gp3";
/** The provisioner name of the EBS CSI driver. */
export const EBS_CSI_PROVISIONER = "ebs.csi.aws.com";
/** Annotation that makes a StorageClass the cluster's default. */
export const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";

export interface StorageClassObject {
    readonly apiVersion: "storage.k8s.io/v1";
    readonly kind: "StorageClass";
    readonly metadata: { readonly name: string; readonly annotations: Record<string, string> };
    readonly provisioner: string;
    readonly parameters: Record<string, string>;
    readonly volumeBindingMode: "WaitForFirstConsumer" | "Immediate";
    readonly reclaimPolicy: "Delete" | "Retain";
    readonly allowVolumeExpansion: boolean;
}

export interface Gp3StorageClassOptions {
    /** @default "gp3" */
    readonly name?: string;
    /** KMS key (ARN or id) the volumes are encrypted with. @default the account's default EBS key */
    readonly kmsKeyId?: string;
    /** Mark it the cluster's default class. @default true */
    readonly isDefault?: boolean;
}

/** The encrypted gp3, WaitForFirstConsumer, expandable StorageClass (pure). */
export function gp3StorageClass(o: Gp3StorageClassOptions = {}): StorageClassObject {
    return {
        apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass",
        metadata: { name: o.name ?? DEFAULT_STORAGE_CLASS, annotations: { [DEFAULT_CLASS_ANNOTATION]: String(o.isDefault ?? true) } },
        provisioner: EBS_CSI_PROVISIONER,
        parameters: { type: "gp3", encrypted: "true", "csi.storage.k8s.io/fstype": "ext4", ...(o.kmsKeyId === undefined ? {} : { kmsKeyId: o.kmsKeyId }) },
        volumeBindingMode: "WaitForFirstConsumer",
        reclaimPolicy: "Delete",
        allowVolumeExpansion: true,
    };
}
