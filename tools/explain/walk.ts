/** The state one request's walk accumulates: the hops so far and, once a hop decides, the stop. */
import { ref } from "./objects";
import type { Hop, HopKind, K8sObject } from "./types";

export interface Stop {
    readonly status: number;
    readonly hop: HopKind;
    readonly reason: string;
    /** The hop answered the request itself (a CORS preflight) rather than refusing it. */
    readonly answered?: boolean;
}

export class Walk {
    readonly hops: Hop[] = [];
    stop?: Stop;

    add(hop: HopKind, title: string, decision: string, result: Hop["result"], object?: K8sObject | string | null, field?: string | null): void {
        this.hops.push({
            hop,
            title,
            decision,
            object: object === undefined || object === null ? null : typeof object === "string" ? object : ref(object),
            field: field ?? null,
            result,
        });
    }

    pass(hop: HopKind, title: string, decision: string, object?: K8sObject | string | null, field?: string | null): void {
        this.add(hop, title, decision, "pass", object, field);
    }

    info(hop: HopKind, title: string, decision: string, object?: K8sObject | string | null, field?: string | null): void {
        this.add(hop, title, decision, "info", object, field);
    }

    /** Records the refusing hop and the stop; returns false so callers can `return walk.refuse(...)`. */
    refuse(hop: HopKind, title: string, status: number, reason: string, object?: K8sObject | string | null, field?: string | null): false {
        this.add(hop, title, reason, "refuse", object, field);
        this.stop = { status, hop, reason };
        return false;
    }
}
