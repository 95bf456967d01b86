/**
 * Outputs created on first read. The SDK gives every resource, at
 * construction, an Output for its URN, its id and each input property (four
 * promises, an OutputImpl with seven more and a Proxy each: @pulumi/pulumi
 * 3.248 runtime/resource.js prepareResource, runtime/rpc.js
 * transferProperties); a program reads few of them. Here each is a getter that
 * builds the same Output on first read, settled with what the registration
 * gave it, or pending until the registration settles it.
 */
import * as pulumi from "@pulumi/pulumi";

/** What settles an Output: its value, whether it is known and secret, the resources it depends on, or an error. */
export interface Settlement {
    readonly value?: unknown;
    readonly isKnown?: boolean;
    readonly isSecret?: boolean;
    readonly deps?: unknown[];
    readonly err?: unknown;
}

type OutputCtor = new (resources: unknown, promise: Promise<unknown>, isKnown: Promise<boolean>, isSecret: Promise<boolean>, allResources: Promise<unknown>) => unknown;

const OutputClass = pulumi.Output as unknown as OutputCtor;

/**
 * Defines `onto[key]` as an Output created on first read, owned by `resource`.
 * `settlement` returns how it settles, or undefined while that is not known yet;
 * call the returned function once it is (it settles an Output already read).
 */
export function defineLazyOutput(onto: object, key: string, resource: unknown, settlement: () => Settlement | undefined): () => void {
    let settle: ((s: Settlement) => void) | undefined;
    const define = (value: unknown) => Object.defineProperty(onto, key, { value, writable: true, enumerable: true, configurable: true });
    Object.defineProperty(onto, key, {
        enumerable: true,
        configurable: true,
        get() {
            const now = settlement();
            let output: unknown;
            if (now !== undefined) {
                output = settledOutput(resource, now);
            } else {
                const value = deferred<unknown>();
                const isKnown = deferred<boolean>();
                const isSecret = deferred<boolean>();
                const deps = deferred<unknown>();
                output = new OutputClass(resource, value.promise, isKnown.promise, isSecret.promise, deps.promise);
                settle = (s) => {
                    if (s.err !== undefined) {
                        for (const d of [value, isKnown, isSecret, deps]) {
                            d.reject(s.err);
                        }
                        return;
                    }
                    value.resolve(s.value);
                    isKnown.resolve(s.isKnown ?? true);
                    isSecret.resolve(s.isSecret ?? false);
                    deps.resolve(s.deps ?? []);
                };
            }
            define(output);
            return output;
        },
        set(value: unknown) {
            define(value);
        },
    });
    return () => {
        const now = settlement();
        if (settle !== undefined && now !== undefined) {
            settle(now);
            settle = undefined;
        }
    };
}

function settledOutput(resource: unknown, s: Settlement): unknown {
    if (s.err !== undefined) {
        // The reason is what the program's own code threw or rejected with; the Output passes it on unchanged, as the SDK does.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        const rejected = Promise.reject(s.err);
        // Rejections surface where the Output is awaited, not here.
        rejected.catch(() => undefined);
        return new OutputClass(resource, rejected, rejected, rejected, rejected);
    }
    return new OutputClass(resource, Promise.resolve(s.value), Promise.resolve(s.isKnown ?? true), Promise.resolve(s.isSecret ?? false), Promise.resolve(s.deps ?? []));
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
    });
    return { promise, resolve, reject };
}
