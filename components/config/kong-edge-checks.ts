/**
 * What Kong's edge settings need from each other and from the load balancer, written once:
 * the stack config's cross-checks (`gateway.*`, components/config/cross-checks.ts) and
 * KongGateway's argument schema (components/kong/args.ts) both report these, with the same words.
 */

/** The facts the rules judge, as far as they are known (undefined: unknown or unset). */
export interface KongEdgeFacts {
    readonly mode?: "dbless" | "postgres";
    readonly postgres?: { readonly external?: unknown; readonly image?: unknown };
    readonly tls?: { readonly certificateArn?: string; readonly secretName?: string; readonly http?: "open" | "redirect" | "close" };
    /** What exposes the proxy; undefined when not known (a cluster field error). */
    readonly loadBalancer?: "aws-nlb" | "generic" | "none";
    readonly clientIp?: "preserve" | "proxy-protocol" | "none";
    readonly highAvailability?: boolean;
    readonly replicas?: number;
    readonly autoscaling?: { readonly minReplicas: number; readonly maxReplicas: number };
}

/** A field the rules report on, named as in KongGatewayArgs; each caller says where it lives in its own input. */
export type KongEdgeField = "postgres" | "postgres.image" | "tls" | "tls.http" | "tls.certificateArn" | "clientIp" | "replicas" | "autoscaling.minReplicas";

/** Every problem of `f`, at the path `at` gives each field. */
export function kongEdgeIssues(f: KongEdgeFacts, at: (field: KongEdgeField) => string): { path: string; message: string }[] {
    const out: { path: string; message: string }[] = [];
    const add = (field: KongEdgeField, message: string) => out.push({ path: at(field), message });
    const lb = f.loadBalancer;
    if (f.mode === "postgres" && f.postgres?.external === undefined && f.postgres?.image === undefined) {
        add(
            "postgres",
            "postgres mode needs postgres.external (a database of yours) or postgres.image (an image for the chart's bundled PostgreSQL: the kong/kong 3.4.1 chart says its default bitnami/postgres image is not available any more)",
        );
    }
    if (f.postgres !== undefined && f.mode !== "postgres") {
        add("postgres", "is used only with mode: postgres; mode is dbless");
    }
    if (f.postgres?.external !== undefined && f.postgres.image !== undefined) {
        add("postgres.image", "is for the bundled PostgreSQL; with postgres.external the chart runs none");
    }
    const tls = f.tls;
    if (tls !== undefined) {
        if (tls.certificateArn !== undefined && tls.secretName !== undefined) {
            add("tls", "set certificateArn (TLS ends at the NLB) or secretName (TLS ends at Kong), not both");
        }
        if (tls.certificateArn === undefined && tls.secretName === undefined && tls.http !== undefined && tls.http !== "open") {
            add("tls.http", `${tls.http} needs a certificate: set certificateArn or secretName`);
        }
        if (tls.certificateArn !== undefined && lb !== undefined && lb !== "aws-nlb") {
            add("tls.certificateArn", `an ACM certificate needs an AWS NLB, but this cluster's loadBalancer is ${lb}; use secretName`);
        }
        if (tls.certificateArn !== undefined && tls.http === "redirect") {
            add(
                "tls.http",
                "redirect needs TLS to end at Kong (secretName): behind an ACM listener the NLB forwards 80 and 443 alike as plain HTTP and adds no X-Forwarded-Proto, so Kong cannot tell which to redirect; use close",
            );
        }
    }
    if (f.clientIp === "proxy-protocol" && lb !== undefined && lb !== "aws-nlb") {
        add(
            "clientIp",
            `proxy-protocol is set up on an AWS NLB; this cluster's loadBalancer is ${lb} (use preserve, which keeps the client address on a generic load balancer with externalTrafficPolicy: Local)`,
        );
    }
    if (f.autoscaling !== undefined && f.autoscaling.minReplicas > f.autoscaling.maxReplicas) {
        add("autoscaling.minReplicas", `${f.autoscaling.minReplicas} is above maxReplicas (${f.autoscaling.maxReplicas})`);
    }
    if (f.highAvailability === true) {
        if (f.replicas !== undefined && f.replicas < 2) {
            add("replicas", `${f.replicas} is below 2; a highly available Kong (prod) runs at least 2 replicas`);
        }
        if (f.autoscaling !== undefined && f.autoscaling.minReplicas < 2) {
            add("autoscaling.minReplicas", `${f.autoscaling.minReplicas} is below 2; a highly available Kong (prod) runs at least 2 replicas`);
        }
    }
    return out;
}
