/**
 * The order of a plan's resources: construction order, the order in which the
 * program calls the resource constructors (each `new X(...)` registers
 * synchronously in the constructor: @pulumi/pulumi 3.248 resource.js, the end
 * of the Resource constructor). It is deterministic and meaningful: parents
 * before their children, a component's pieces together, in program order.
 *
 * The order in which registrations reach the monitor is not: it is the order
 * in which the SDK's per-resource promise chains finish, which moves whenever
 * the number of awaits on a chain changes. resources.json, the manifests and
 * the policy report list resources in construction order instead, whatever
 * the runtime (test/plan/runtime.test.ts compares both).
 */

/** Construction sequence numbers by URN, filled while a program runs. */
export class ConstructionOrder {
    private next = 0;
    private readonly byUrn = new Map<string, number>();

    /** The next sequence number: call once per resource, at construction. */
    take(): number {
        return this.next++;
    }

    set(urn: string, seq: number): void {
        this.byUrn.set(urn, seq);
    }

    /**
     * Sorts `items` (in place, stable) by the construction order of their URNs;
     * items whose URN was never constructed here keep their relative order, after the others.
     */
    sort<T extends { readonly urn: string }>(items: T[]): T[] {
        const key = (item: T) => this.byUrn.get(item.urn) ?? Number.MAX_SAFE_INTEGER;
        return items.sort((a, b) => key(a) - key(b));
    }
}

interface UrnOutput {
    promise(): Promise<string>;
}

type RegisterFn = (res: { urn?: UrnOutput }, ...rest: unknown[]) => void;

/**
 * Numbers every resource the SDK registers (`runtime/resource.registerResource`,
 * called by the Resource constructor) at the call, and notes its URN when the
 * registration resolves it. For the runtime that leaves registration to the SDK
 * (setMocks). Returns the undo.
 */
export function numberSdkRegistrations(order: ConstructionOrder): () => void {
    const mod = require("@pulumi/pulumi/runtime/resource") as { registerResource: RegisterFn };
    const original = mod.registerResource;
    mod.registerResource = (res, ...rest) => {
        const seq = order.take();
        original(res, ...rest);
        // prepareResource sets res.urn synchronously, before its first await.
        res.urn?.promise().then(
            (urn) => order.set(urn, seq),
            () => undefined,
        );
    };
    return () => {
        mod.registerResource = original;
    };
}
