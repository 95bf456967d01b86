/**
 * The data `meshgate explain` produces: one request's walk through the planned
 * objects, hop by hop. Shapes follow the routes.json contract
 * (out/<stack>/routes.json): fields may be added, none renamed or removed.
 */

/** A Kubernetes object as planned (resources.json inputs) or read from YAML. */
export interface K8sObject {
    readonly apiVersion?: string;
    readonly kind?: string;
    readonly metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    readonly [key: string]: unknown;
}

export interface ExplainRequest {
    readonly method: string;
    readonly url: string;
    /** Header names lower-cased. */
    readonly headers: Readonly<Record<string, string>>;
    /** The Kong consumer whose credential the request carries, or null. */
    readonly consumer: string | null;
    /** For internal calls: the caller as `namespace/serviceaccount`; null for external requests (through the NLB and Kong). */
    readonly from: string | null;
}

export type HopKind = "nlb" | "kong-route" | "kong-plugin" | "kong-upstream" | "source-sidecar" | "destination-sidecar" | "tracing";

export interface Hop {
    readonly hop: HopKind;
    readonly title: string;
    readonly decision: string;
    /** `apiVersion Kind namespace/name` of the object that decided, or null. */
    readonly object: string | null;
    /** The field of that object, or null. */
    readonly field: string | null;
    readonly result: "pass" | "refuse" | "info";
}

export interface Destination {
    readonly host: string;
    readonly subset: string | null;
    readonly weight: number;
    /** The labels a pod needs to receive this share (Service selector plus subset labels). */
    readonly podLabels: Readonly<Record<string, string>>;
}

export interface Outcome {
    /** True when the request reaches a workload. */
    readonly reached: boolean;
    /** The status a client sees; 200 when reached; 0 when no HTTP response comes back (connection refused or reset). */
    readonly status: number;
    /** The hop that decided (for refusals), else the last hop. */
    readonly hop: HopKind;
    readonly reason: string;
    readonly destinations: readonly Destination[];
    /** Added to the contract: true when a hop answers the request itself without refusing it (a CORS preflight answered by Kong). */
    readonly answered: boolean;
}

export interface Span {
    readonly by: string;
    readonly sentTo: string | null;
    readonly missingBecause: string | null;
}

export interface Explanation {
    /** `namespace/name` of the target Service, or null when nothing matched. */
    readonly service: string | null;
    /** Kong route (`namespace/ingress#path`) or null for internal calls. */
    readonly route: string | null;
    readonly request: ExplainRequest;
    readonly outcome: Outcome;
    readonly hops: readonly Hop[];
    readonly spans: readonly Span[];
}

export interface RoutesEntry extends Explanation {
    readonly id: string;
}

export interface RoutesDocument {
    readonly stack: string;
    readonly source: "plan" | "manifests";
    readonly entries: readonly RoutesEntry[];
}
