/**
 * The workload contract: what a team's Deployment must look like for the objects meshgate
 * emits for its service to apply. meshgate does not deploy workloads; it routes, authorizes and
 * scrapes pods by labels, service account and port names, so a pod that differs is silently
 * unreachable (a Service selecting nothing), refused (403 RBAC: access denied, a caller with
 * another service account) or 503 (a subset no pod is labelled for). Published per service in
 * the plan (`out/<stack>/workloads.json`) and in the stack output `services.<name>.contract`.
 */
import { versionServiceName } from "../config/mesh-routing";
import type { ServiceSpec } from "../config/schema";
import { isGrpc } from "../config/grpc";
import { WORKLOAD_LABEL, workloadPrincipal, type ResolvedContext } from "./context";
import { allowedPrincipals } from "./istio";

/** What a service's pods must look like for meshgate's objects to apply to them (labels, service account, ports, callers). */
export interface WorkloadContract {
    readonly namespace: string;
    /** Labels every pod of the service must carry (the Service and the AuthorizationPolicy select by them). */
    readonly podLabels: Readonly<Record<string, string>>;
    /**
     * Values the pods' `version` label must take (one Deployment per version); empty when the
     * service declares no versions: then no `version` label is needed.
     */
    readonly versions: readonly string[];
    /**
     * `mesh.routing: gateway-api` only: the Services meshgate creates, one per version
     * (`<service>-<version>`, selecting `app` and `version`), that the mesh HTTPRoute sends to. They
     * are meshgate's: the team must not create Services of these names, and a pod reaches its
     * version's share only with its `version` label. Absent with VirtualServices (subsets).
     */
    readonly versionServices?: readonly string[];
    /** The ServiceAccount the pods must run as: it is their mesh identity, what callers' `allowFrom` entries name. */
    readonly serviceAccount: string;
    /** That identity as a SPIFFE principal (what AuthorizationPolicies match); absent without the mesh. */
    readonly principal?: string;
    /** The port the pods must listen on (plain HTTP, or gRPC over cleartext HTTP/2: the sidecar does mTLS), and the Service port in front of it. */
    readonly ports: readonly { readonly name: string; readonly servicePort: number; readonly containerPort: number; readonly protocol: "http" | "grpc" }[];
    /** The namespace is labelled for sidecar injection: the pods get an Envoy sidecar (STRICT mTLS: no plain-text callers). */
    readonly sidecar: boolean;
    /** Who may call it, as `namespace/serviceaccount` (Kong's proxy included when exposed); empty: nobody. Absent without the mesh (no authorization). */
    readonly callers?: readonly string[];
    /** How the application's own metrics reach Prometheus. */
    readonly metrics: string;
}

/** `<namespace>/<serviceaccount>` of a principal `<trust domain>/ns/<ns>/sa/<sa>`. */
function shortPrincipal(principal: string): string {
    const m = /\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(principal);
    return m === null ? principal : `${m[1]}/${m[2]}`;
}

/** The contract of one service (pure). */
export function workloadContract(spec: ServiceSpec, ctx: ResolvedContext): WorkloadContract {
    const serviceAccount = spec.serviceAccount ?? spec.name;
    const versions = spec.versions.map((v) => v.name);
    return {
        namespace: spec.namespace,
        podLabels: { [WORKLOAD_LABEL]: spec.name },
        versions,
        ...(ctx.mesh && ctx.meshRouting === "gateway-api" ? { versionServices: spec.versions.map((v) => versionServiceName(spec.name, v.name)) } : {}),
        serviceAccount,
        ...(ctx.mesh ? { principal: workloadPrincipal(ctx.trustDomain, spec.namespace, serviceAccount) } : {}),
        ports: [
            isGrpc(spec)
                ? { name: "grpc", servicePort: spec.port, containerPort: spec.targetPort ?? spec.port, protocol: "grpc" }
                : { name: "http", servicePort: spec.port, containerPort: spec.targetPort ?? spec.port, protocol: "http" },
        ],
        sidecar: ctx.mesh,
        ...(ctx.mesh ? { callers: allowedPrincipals(spec, ctx).map(shortPrincipal) } : {}),
        metrics: ctx.mesh
            ? `annotate the pods prometheus.io/scrape: "true", prometheus.io/port and prometheus.io/path for the application's metrics; Istio merges them with Envoy's on port 15020, which Prometheus scrapes`
            : `no sidecar: expose the application's metrics with a ServiceMonitor or PodMonitor labelled release: kube-prometheus-stack`,
    };
}
