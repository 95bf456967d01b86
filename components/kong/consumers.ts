/**
 * API consumers of the gateway: one `KongConsumer` per consumer and one credential Secret
 * per credential type (labelled `konghq.com/credential`, KIC 3.x), key material generated
 * with `@pulumi/random` and kept secret end to end. Every consumer also gets an `acl`
 * credential whose group is its own name, so a service can restrict its callers with the
 * `acl` plugin (`allow: [<consumer>]`).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { checkArgs } from "../config/args";
import { apiConsumersArgsSchema } from "./consumers-args";
import { KONG_NAMESPACE } from "./names";
import {
    CREDENTIAL_LABEL,
    INGRESS_CLASS_ANNOTATION,
    KONG_CONFIGURATION_API_VERSION,
    KONG_INGRESS_CLASS,
    KongConsumerObject,
    KongCredentialSecretObject,
    KongCredentialType,
} from "./types";
import { definedOnly } from "../util";

/** Credential types a consumer can be given (acl is added to every consumer). */
export type ConsumerCredentialType = "key-auth" | "jwt";

/** One API consumer of the gateway and the credentials to generate for it. */
export interface ApiConsumerSpec {
    /** Consumer name: the KongConsumer's name and `username`, and its acl group (DNS-1123 label). */
    readonly name: string;
    /** Credentials to generate. */
    readonly credentials: readonly ConsumerCredentialType[];
}

/** The generated credentials of one consumer. */
export interface ConsumerCredentials {
    /** The API key (header `apikey`). */
    keyAuth?: string;
    /** HS256 JWT credential: tokens carry `iss: key` and are signed with `secret`. */
    jwt?: { key: string; secret: string };
}

/** The consumers to create and where; checked when the component is constructed (apiConsumersArgsSchema). */
export interface ApiConsumersArgs {
    /** The consumers; names unique. */
    readonly consumers: readonly ApiConsumerSpec[];
    /**
     * The gateway (a KongGateway): the KongConsumers wait for its CRDs, the Secrets for its
     * namespace. @default none: CRDs and namespace already exist
     */
    readonly gateway?: { readonly crdsReady: pulumi.Resource; readonly namespace: pulumi.Output<string> };
    /** Namespace of the consumers and their Secrets. @default the gateway's namespace, "kong" */
    readonly namespace?: string;
    /** Give each consumer an acl credential with group = its name. @default true */
    readonly acl?: boolean;
    /** Length of generated API keys and JWT secrets (at least 32). @default 40 */
    readonly keyLength?: number;
}

const defaults: { namespace: string; acl: boolean; keyLength: number } = {
    namespace: KONG_NAMESPACE,
    acl: true,
    keyLength: 40,
};

/** JWT algorithm of the generated credentials (a shared secret). */
export const JWT_ALGORITHM = "HS256";

/** Name of a consumer's credential Secret: `<consumer>-<type>`. */
export function credentialSecretName(consumer: string, type: KongCredentialType): string {
    return `${consumer}-${type}`;
}

/** A credential Secret manifest (KIC 3.x: type from the `konghq.com/credential` label, fields in the data). */
export function credentialSecretObject<V>(args: { consumer: string; namespace: string; type: KongCredentialType; data: Record<string, V> }): KongCredentialSecretObject<V> {
    return {
        apiVersion: "v1",
        kind: "Secret",
        type: "Opaque",
        metadata: {
            name: credentialSecretName(args.consumer, args.type),
            namespace: args.namespace,
            labels: { [CREDENTIAL_LABEL]: args.type, "app.kubernetes.io/managed-by": "meshgate" },
        },
        stringData: args.data,
    };
}

/** A KongConsumer manifest: `username` and `credentials` at the top level, bound to the `kong` class. */
export function kongConsumerObject(args: { name: string; namespace: string; credentials: readonly string[] }): KongConsumerObject {
    return {
        apiVersion: KONG_CONFIGURATION_API_VERSION,
        kind: "KongConsumer",
        metadata: {
            name: args.name,
            namespace: args.namespace,
            annotations: { [INGRESS_CLASS_ANNOTATION]: KONG_INGRESS_CLASS },
        },
        username: args.name,
        credentials: [...args.credentials],
    };
}

/** The credential types one consumer's Secrets carry, in order. */
export function consumerCredentialTypes(c: ApiConsumerSpec, acl: boolean): KongCredentialType[] {
    const types: KongCredentialType[] = [];
    if (c.credentials.includes("key-auth")) types.push("key-auth");
    if (c.credentials.includes("jwt")) types.push("jwt");
    if (acl) types.push("acl");
    return types;
}

/** KongConsumers with generated credentials. */
export class ApiConsumers extends pulumi.ComponentResource {
    /** Per consumer, its generated credentials (a secret output). */
    public readonly credentials: pulumi.Output<Record<string, ConsumerCredentials>>;
    /** Consumer names in declaration order (the acl groups). */
    public readonly names: string[];
    /** The KongConsumer resources by consumer name. */
    public readonly consumers: Record<string, k8s.apiextensions.CustomResource>;

    constructor(name: string, args: ApiConsumersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("meshgate:kong:ApiConsumers", name, {}, opts);
        const a = { ...defaults, ...definedOnly(args), consumers: args.consumers };
        checkArgs("ApiConsumers", apiConsumersArgsSchema, args, name);
        const crds = a.gateway ? [a.gateway.crdsReady] : [];
        // The gateway's namespace as an input, so that the Secrets wait for it.
        const namespace: pulumi.Input<string> = args.namespace ?? a.gateway?.namespace ?? a.namespace;
        const secretOf = (p: random.RandomPassword) => pulumi.secret(p.result);
        const password = (role: string, length: number) => new random.RandomPassword(`${name}-${role}`, { length, special: false }, { parent: this });

        this.names = a.consumers.map((c) => c.name);
        this.consumers = {};
        const creds: Record<string, pulumi.Output<ConsumerCredentials>> = {};
        for (const c of a.consumers) {
            const secrets: k8s.core.v1.Secret[] = [];
            const secret = (type: KongCredentialType, data: Record<string, pulumi.Input<string>>) => {
                const obj = credentialSecretObject({ consumer: c.name, namespace: a.namespace, type, data });
                const s = new k8s.core.v1.Secret(`${name}-${c.name}-${type}`, { ...obj, metadata: { ...obj.metadata, namespace } }, { parent: this });
                secrets.push(s);
            };
            const parts: { keyAuth?: pulumi.Output<string>; jwt?: pulumi.Output<{ key: string; secret: string }> } = {};
            for (const type of consumerCredentialTypes(c, a.acl)) {
                if (type === "key-auth") {
                    const key = secretOf(password(`${c.name}-key-auth`, a.keyLength));
                    secret(type, { key });
                    parts.keyAuth = key;
                } else if (type === "jwt") {
                    const key = secretOf(password(`${c.name}-jwt-key`, 32));
                    const jwtSecret = secretOf(password(`${c.name}-jwt-secret`, Math.max(a.keyLength, 64)));
                    secret(type, { key, algorithm: JWT_ALGORITHM, secret: jwtSecret });
                    parts.jwt = pulumi.all([key, jwtSecret]).apply(([k, sec]) => ({ key: k, secret: sec }));
                } else {
                    secret(type, { group: c.name });
                }
            }
            const consumer = kongConsumerObject({
                name: c.name,
                namespace: a.namespace,
                credentials: consumerCredentialTypes(c, a.acl).map((t) => credentialSecretName(c.name, t)),
            });
            this.consumers[c.name] = new k8s.apiextensions.CustomResource(`${name}-${c.name}`, { ...consumer }, { parent: this, dependsOn: [...crds, ...secrets] });
            creds[c.name] = pulumi.output(parts);
        }
        this.credentials = pulumi.secret(pulumi.all(creds));
        this.registerOutputs({ credentials: this.credentials, names: this.names });
    }
}
