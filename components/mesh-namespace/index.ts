/**
 * MeshNamespace: a namespace that services live in, created once however many
 * services use it. With the mesh on it is labelled for sidecar injection and
 * requires mTLS from every peer (a STRICT PeerAuthentication named `default`),
 * and optionally scopes its sidecars' egress to the namespaces its services
 * call. In gateway-only mode it is just the namespace.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Environment, ServiceSpec } from "../config/schema";
import { ISTIO_NAMESPACE } from "../istio/names";
import { ENVIRONMENT_LABEL } from "../util";
import { ISTIO_SECURITY_API_VERSION } from "../istio/resources";
import { ISTIO_NETWORKING_API_VERSION, type DenyAllAuthorizationPolicyObject, type PeerAuthenticationObject, type SidecarObject } from "../mesh-service/types";

/** Label that turns on Istio's sidecar injection for a namespace. */
export const INJECTION_LABEL = "istio-injection";
export { ENVIRONMENT_LABEL };

export interface NamespaceObject {
    readonly apiVersion: "v1";
    readonly kind: "Namespace";
    readonly metadata: { readonly name: string; readonly labels: Record<string, string> };
}

/** The namespace and what it needs: environment, mesh on or off, egress scoping, what it waits for. */
export interface MeshNamespaceArgs {
    /** Name of the Kubernetes namespace. */
    readonly namespace: string;
    /** The stack's environment, recorded as the `meshgate.io/environment` label. */
    readonly environment: Environment;
    /** Mesh on: sidecar injection, STRICT mTLS, optional egress scoping. Off: just the namespace. @default true */
    readonly mesh?: boolean;
    /**
     * Scope the sidecars' egress: when set, a `Sidecar` named `default` lets
     * them reach only their own namespace, istio-system, these namespaces (the
     * namespaces of the services this namespace's services call) and
     * `extraEgressHosts`. @default undefined (no Sidecar: every service is reachable)
     */
    readonly egressNamespaces?: readonly string[];
    /**
     * More egress hosts as `<namespace>/<dns name>`, e.g. `observability/*` so
     * that Envoy can export traces to the collector. Used only with `egressNamespaces`. @default []
     */
    readonly extraEgressHosts?: readonly string[];
    /** Labels added to the namespace. @default {} */
    readonly labels?: Record<string, string>;
    /** What installs the Istio CRDs; the PeerAuthentication and Sidecar wait for it. @default [] */
    readonly istioCrds?: pulumi.Resource[];
    /**
     * What the namespace (and so every service object in it) waits for: on EKS the AWS Load
     * Balancer Controller, whose Service webhook must be serving before any Service is created
     * (`ClusterConnection.workloadsReady`). @default []
     */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export function namespaceObject(args: MeshNamespaceArgs): NamespaceObject {
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
            name: args.namespace,
            labels: {
                ...(args.labels ?? {}),
                [ENVIRONMENT_LABEL]: args.environment,
                "app.kubernetes.io/managed-by": "meshgate",
                ...((args.mesh ?? true) ? { [INJECTION_LABEL]: "enabled" } : {}),
            },
        },
    };
}

/** Namespace-wide STRICT mTLS: the workloads accept only mutual-TLS traffic from the mesh. */
export function peerAuthentication(namespace: string): PeerAuthenticationObject {
    return {
        apiVersion: ISTIO_SECURITY_API_VERSION,
        kind: "PeerAuthentication",
        metadata: { name: "default", namespace },
        spec: { mtls: { mode: "STRICT" } },
    };
}

/** Name of the namespace's allow-nothing AuthorizationPolicy. */
export const DEFAULT_DENY_POLICY = "default-deny";

/**
 * Default-deny authorization for the namespace: an ALLOW policy without selector and
 * without rules matches no request, so every workload in the namespace refuses every
 * request that no other ALLOW policy admits (Istio's "allow-nothing" policy). Each
 * service's own AuthorizationPolicy then admits exactly its callers; a workload meshgate
 * does not know of in the namespace is closed until someone says who may call it.
 */
export function defaultDenyPolicy(namespace: string): DenyAllAuthorizationPolicyObject {
    return {
        apiVersion: ISTIO_SECURITY_API_VERSION,
        kind: "AuthorizationPolicy",
        metadata: { name: DEFAULT_DENY_POLICY, namespace },
        spec: {},
    };
}

/**
 * The namespace-wide Sidecar (no workload selector, named `default`) limiting
 * egress to `./*`, `istio-system/*`, `<ns>/*` for each called namespace and
 * the extra hosts, without repeats, in that order.
 */
export function egressSidecar(namespace: string, egressNamespaces: readonly string[], extraHosts: readonly string[] = []): SidecarObject {
    const hosts = ["./*", `${ISTIO_NAMESPACE}/*`, ...egressNamespaces.filter((n) => n !== namespace && n !== ISTIO_NAMESPACE).map((n) => `${n}/*`), ...extraHosts];
    return {
        apiVersion: ISTIO_NETWORKING_API_VERSION,
        kind: "Sidecar",
        metadata: { name: "default", namespace },
        spec: { egress: [{ hosts: [...new Set(hosts)] }] },
    };
}

/**
 * For every namespace that holds a service, the namespaces of the services it
 * calls, from the callees' `allowFrom` (a caller `ns/sa` calls the service
 * that lists it). One pass over the services: the Platform computes this once
 * and hands each MeshNamespace its list. External callers are not in the stack
 * and are skipped. Lists are sorted.
 */
export function calledNamespaces(services: readonly Pick<ServiceSpec, "namespace" | "allowFrom">[]): Map<string, string[]> {
    const calls = new Map<string, Set<string>>();
    for (const s of services) {
        if (!calls.has(s.namespace)) {
            calls.set(s.namespace, new Set());
        }
    }
    for (const callee of services) {
        for (const caller of callee.allowFrom) {
            if (typeof caller !== "string") {
                continue;
            }
            const callerNamespace = caller.slice(0, caller.indexOf("/"));
            const set = calls.get(callerNamespace);
            if (set !== undefined && callerNamespace !== callee.namespace) {
                set.add(callee.namespace);
            }
        }
    }
    return new Map([...calls].map(([ns, set]) => [ns, [...set].sort()]));
}

/** A service namespace: labelled for injection (mesh on), STRICT mTLS, default deny, optional egress scoping. */
export class MeshNamespace extends pulumi.ComponentResource {
    /** The namespace's name. */
    readonly name: string;
    /** The Namespace resource: what the services' objects depend on. */
    readonly namespace: k8s.core.v1.Namespace;
    readonly peerAuthentication?: k8s.apiextensions.CustomResource;
    /** The namespace's allow-nothing AuthorizationPolicy (default deny). */
    readonly defaultDeny?: k8s.apiextensions.CustomResource;
    readonly sidecar?: k8s.apiextensions.CustomResource;

    constructor(name: string, args: MeshNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("meshgate:mesh:MeshNamespace", name, {}, opts);
        const mesh = args.mesh ?? true;
        this.name = args.namespace;
        this.namespace = new k8s.core.v1.Namespace(`${name}-namespace`, namespaceObject(args), { parent: this, dependsOn: args.dependsOn ?? [] });
        const deps = [...(args.istioCrds ?? []), this.namespace];
        if (mesh) {
            this.peerAuthentication = new k8s.apiextensions.CustomResource(
                `${name}-peer-authentication`,
                { ...peerAuthentication(args.namespace) },
                { parent: this, dependsOn: deps },
            );
            this.defaultDeny = new k8s.apiextensions.CustomResource(`${name}-default-deny`, { ...defaultDenyPolicy(args.namespace) }, { parent: this, dependsOn: deps });
            if (args.egressNamespaces !== undefined) {
                this.sidecar = new k8s.apiextensions.CustomResource(
                    `${name}-sidecar`,
                    { ...egressSidecar(args.namespace, args.egressNamespaces, args.extraEgressHosts) },
                    { parent: this, dependsOn: deps },
                );
            }
        }
        this.registerOutputs({ name: this.name, mtls: mesh ? "STRICT" : "none", authorization: mesh ? "default-deny" : "none", egressScoped: this.sidecar !== undefined });
    }
}
