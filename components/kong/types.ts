/**
 * Typed shapes of the Kong Ingress Controller (KIC 3.5, `configuration.konghq.com/v1`)
 * objects meshgate emits, written from the CRDs of Kong/kubernetes-configuration 1.5.2.
 *
 * Note the layout of these kinds: `KongPlugin`, `KongClusterPlugin` and `KongConsumer`
 * keep their fields at the top level of the object (`plugin`, `config`, `username`,
 * `credentials`), not under `spec`.
 */

/** API version of KongPlugin, KongClusterPlugin and KongConsumer. */
export const KONG_CONFIGURATION_API_VERSION = "configuration.konghq.com/v1";

/** The IngressClass Kong's controller watches (chart default `ingressController.ingressClass`). */
export const KONG_INGRESS_CLASS = "kong";

/** Annotation that binds cluster-scoped and consumer objects to a KIC instance. */
export const INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class";

/** Label that tells KIC which kind of credential a Secret holds. */
export const CREDENTIAL_LABEL = "konghq.com/credential";

/** Metadata of a namespaced object. */
export interface NamespacedMeta {
    readonly name: string;
    readonly namespace: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
}

/** Metadata of a cluster-scoped object. */
export interface ClusterMeta {
    readonly name: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
}

/** Protocols a plugin can be limited to (the CRD's enum). */
export type KongProtocol = "http" | "https" | "grpc" | "grpcs" | "tcp" | "tls" | "udp";

/** Fields common to KongPlugin and KongClusterPlugin. */
interface KongPluginFields {
    /** Kong plugin name, e.g. `key-auth`, `rate-limiting`. */
    readonly plugin: string;
    /** Plugin configuration (what the Admin API takes under `config`). Exclusive with `configFrom`. */
    readonly config?: Record<string, unknown>;
    readonly disabled?: boolean;
    readonly protocols?: readonly KongProtocol[];
    readonly instance_name?: string;
    /** Deprecated in favour of the `konghq.com/plugins` annotation on the KongConsumer. */
    readonly consumerRef?: string;
    readonly run_on?: "first" | "second" | "all";
}

/** `configuration.konghq.com/v1` KongPlugin (namespaced). */
export interface KongPluginObject extends KongPluginFields {
    readonly apiVersion: typeof KONG_CONFIGURATION_API_VERSION;
    readonly kind: "KongPlugin";
    readonly metadata: NamespacedMeta;
    readonly configFrom?: { readonly secretKeyRef: { readonly name: string; readonly key: string } };
}

/** `configuration.konghq.com/v1` KongClusterPlugin (cluster-scoped; global when labelled `global: "true"`). */
export interface KongClusterPluginObject extends KongPluginFields {
    readonly apiVersion: typeof KONG_CONFIGURATION_API_VERSION;
    readonly kind: "KongClusterPlugin";
    readonly metadata: ClusterMeta;
    readonly configFrom?: { readonly secretKeyRef: { readonly name: string; readonly key: string; readonly namespace: string } };
}

/** `configuration.konghq.com/v1` KongConsumer (namespaced). */
export interface KongConsumerObject {
    readonly apiVersion: typeof KONG_CONFIGURATION_API_VERSION;
    readonly kind: "KongConsumer";
    readonly metadata: NamespacedMeta;
    /** Either `username` or `custom_id` is required (CRD rule). */
    readonly username?: string;
    readonly custom_id?: string;
    /** Names of credential Secrets in the consumer's namespace. */
    readonly credentials?: readonly string[];
    readonly consumerGroups?: readonly string[];
}

/** Credential types meshgate generates (the value of the `konghq.com/credential` label). */
export type KongCredentialType = "key-auth" | "jwt" | "acl";

/** Data of a credential Secret, by type (KIC 3.x field names). */
export interface KongCredentialData {
    readonly "key-auth": { readonly key: string };
    readonly jwt: { readonly key: string; readonly algorithm: "HS256" | "HS384" | "HS512"; readonly secret: string };
    readonly acl: { readonly group: string };
}

/** A `v1` Secret holding one Kong credential, its fields (see {@link KongCredentialData}) under `stringData`. */
export interface KongCredentialSecretObject<V = string> {
    readonly apiVersion: "v1";
    readonly kind: "Secret";
    readonly type: "Opaque";
    readonly metadata: NamespacedMeta & { readonly labels: Record<string, string> };
    readonly stringData: Readonly<Record<string, V>>;
}

/** Any Kong custom resource meshgate emits. */
export type KongCustomResource = KongPluginObject | KongClusterPluginObject | KongConsumerObject;
