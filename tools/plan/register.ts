/**
 * Resource registration for the offline plan, without the SDK's per-resource
 * promise graph.
 *
 * The SDK registers a resource (@pulumi/pulumi 3.248 runtime/resource.js
 * `registerResource` → `prepareResource`) through a chain of awaits: the
 * parent's URN, every input value (`rpc.serializeProperty` awaits each one,
 * plain or not), the explicit dependencies, the provider's reference, the
 * transitive dependencies of components, then the monitor, then the outputs.
 * It creates an Output for the URN, the id and every input property up front.
 * For a 1,000-service plan that graph was most of the remaining CPU time and
 * the memory in flight (bench/README.md §1a).
 *
 * Here, while a plan runs, the Resource constructor's registration:
 *
 * - computes the URN at construction (the parent's URN is known: parents are
 *   constructed first) the way the mock monitor does (`MockMonitor.newUrn`);
 * - gives the resource lazy Outputs (tools/plan/lazy-output.ts) for its URN,
 *   id and input properties;
 * - queues the rest, and registers the queue in construction order after the
 *   program's synchronous part (a macrotask later, so that every component has
 *   its children, as the SDK's chain sees them): inputs that are plain values
 *   are serialized synchronously with the SDK's rules, dependencies expanded
 *   synchronously with the SDK's rules (`dependsOn.getAllTransitively-
 *   ReferencedResourceURNs`); whatever is not plain (an Output, a Promise, a
 *   resource reference, a provider not registered yet, …) goes through the
 *   SDK's own functions, asynchronously, with the same semantics;
 * - answers with the mock's state, deserialized only when a property is read.
 *
 * Registrations the plan does not model (remote components, package
 * references, transforms, hooks, `deletedWith`, `replaceWith`,
 * `replacementTrigger`, children of resources registered by the SDK) are left
 * to the SDK's own registerResource, unchanged. Nothing here runs in a real
 * `pulumi up`: the program is the same; only the plan's runtime differs.
 * test/plan/runtime.test.ts compares the outputs with the SDK's setMocks.
 */
import * as pulumi from "@pulumi/pulumi";
import { defineLazyOutput, type Settlement } from "./lazy-output";
import { protobufOrder, type PlanMonitor } from "./monitor";
import type { ConstructionOrder } from "./order";

/** The fields of an SDK Resource object this module reads or writes. */
interface SdkResource {
    urn?: unknown;
    id?: unknown;
    readonly __childResources?: Set<SdkResource>;
    readonly __remote?: boolean;
}

interface SdkProvider extends SdkResource {
    __registrationId?: string;
}

interface RegisterOptions {
    readonly dependsOn?: unknown;
    readonly provider?: SdkProvider;
    readonly import?: string;
    readonly transforms?: readonly unknown[];
    readonly hooks?: unknown;
    readonly deletedWith?: unknown;
    readonly replaceWith?: unknown;
    readonly replacementTrigger?: unknown;
}

type RegisterFn = (
    res: SdkResource,
    parent: SdkResource | undefined,
    t: string,
    name: string,
    custom: boolean,
    remote: boolean,
    newDependency: unknown,
    props: Record<string, unknown>,
    opts: RegisterOptions,
    sourcePosition?: unknown,
    stackTrace?: unknown,
    packageRef?: unknown,
) => void;

interface SdkModules {
    resource: { registerResource: RegisterFn; registerResourceOutputs: (res: SdkResource, outputs: unknown) => void };
    rpc: {
        serializeResourceProperties(label: string, props: Record<string, unknown>, opts: object): Promise<[Record<string, unknown>, Map<string, Set<SdkResource>>]>;
        serializeProperties(label: string, props: Record<string, unknown>): Promise<Record<string, unknown>>;
        deserializeProperties(struct: { toJavaScript(): Record<string, unknown> }): Record<string, unknown>;
        deserializeProperty(value: unknown): unknown;
        isRpcSecret(value: unknown): boolean;
        unwrapRpcSecret(value: unknown): unknown;
        unknownValue: string;
        specialSigKey: string;
    };
    dependsOn: {
        gatherExplicitDependencies(dependsOn: unknown): Promise<SdkResource[]>;
        getAllTransitivelyReferencedResourceURNs(resources: Set<SdkResource>, exclude: Set<SdkResource>): Promise<Set<string>>;
    };
    settings: { rpcKeepAlive(): () => void; isDryRun(): boolean; isLegacyApplyEnabled(): boolean };
}

function sdk(): SdkModules {
    return {
        resource: require("@pulumi/pulumi/runtime/resource") as SdkModules["resource"],
        rpc: require("@pulumi/pulumi/runtime/rpc") as SdkModules["rpc"],
        dependsOn: require("@pulumi/pulumi/runtime/dependsOn") as SdkModules["dependsOn"],
        settings: require("@pulumi/pulumi/runtime/settings") as SdkModules["settings"],
    };
}

/** A registration waiting for the end of the program's synchronous part. */
interface Pending {
    readonly res: SdkResource;
    readonly t: string;
    readonly name: string;
    readonly custom: boolean;
    /** The constructor's arguments: released once registered (the outcome keeps what reads need). */
    props: Record<string, unknown>;
    opts: RegisterOptions;
    readonly urn: string;
    readonly parentUrn: string;
    readonly label: string;
    /** Set once registered: how the id and the input properties settle. */
    outcome?: Outcome;
    settleId?: () => void;
    readonly settleProps: (() => void)[];
}

interface Outcome {
    readonly id?: string;
    readonly err?: unknown;
    /** The mock's state merged with the inputs as the SDK's resolveOutputs does; computed on first read. */
    readonly props: () => Record<string, unknown>;
}

const RELEASED: Record<string, never> = Object.freeze({});

/** Marks a value the synchronous serializer leaves to the SDK. */
const NOT_PLAIN = Symbol("not plain");

/**
 * Installs the plan's registration in place of the SDK's (see above) while a
 * plan runs with `monitor`. `onError` receives what a registration throws (the
 * SDK surfaces it as an unhandled rejection). Returns the undo.
 */
export function planRegistrations(monitor: PlanMonitor, order: ConstructionOrder, onError: (err: unknown) => void): () => void {
    const m = sdk();
    const original = m.resource.registerResource;
    const urnOf = new WeakMap<SdkResource, string>();
    let queue: Pending[] = [];

    /**
     * The SDK's serializeProperty (runtime/rpc.js) for a value made of
     * primitives, arrays and plain objects only; NOT_PLAIN for anything it
     * would await or treat specially.
     */
    const plain = (v: unknown, strict: boolean): unknown => {
        if (typeof v === "function") {
            return undefined;
        }
        if (v === undefined || v === null || typeof v === "boolean" || typeof v === "number") {
            return v;
        }
        if (typeof v === "string") {
            // Inputs: the unknown sentinel deserializes to `unknown`; state: the SDK sends it as it is.
            return strict && v === m.rpc.unknownValue ? NOT_PLAIN : v;
        }
        if (typeof v !== "object") {
            return NOT_PLAIN;
        }
        const o: object = v;
        if (o instanceof Promise || special(o)) {
            return NOT_PLAIN;
        }
        if (o instanceof Array) {
            const out: unknown[] = [];
            for (const e of o) {
                const s = plain(e, strict);
                if (s === NOT_PLAIN) {
                    return NOT_PLAIN;
                }
                out.push(s === undefined ? null : s);
            }
            return out;
        }
        const obj = o as Record<string, unknown>;
        // Inputs: a signature (secret, asset, resource reference) deserializes to something else; state: copied.
        if (strict && m.rpc.specialSigKey in obj) {
            return NOT_PLAIN;
        }
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(obj)) {
            const s = plain(obj[k], strict);
            if (s === NOT_PLAIN) {
                return NOT_PLAIN;
            }
            if (s !== undefined) {
                out[k] = s;
            }
        }
        return out;
    };

    /** rpc.serializeResourceProperties for plain inputs (no property dependencies), or undefined. */
    const plainProps = (props: Record<string, unknown>, skipIdUrn: boolean, strict = true): Record<string, unknown> | undefined => {
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(props)) {
            if (skipIdUrn && (k === "id" || k === "urn")) {
                continue;
            }
            const s = plain(props[k], strict);
            if (s === NOT_PLAIN) {
                return undefined;
            }
            if (s !== undefined) {
                out[k] = s;
            }
        }
        return out;
    };

    /** dependsOn.gatherExplicitDependencies for resources and (nested) arrays of them, or undefined. */
    const plainDependsOn = (d: unknown, into: SdkResource[] = []): SdkResource[] | undefined => {
        if (d === undefined || d === null) {
            return into;
        }
        if (Array.isArray(d)) {
            for (const e of d) {
                if (plainDependsOn(e, into) === undefined) {
                    return undefined;
                }
            }
            return into;
        }
        if (d instanceof Promise || pulumi.Output.isInstance(d) || !pulumi.Resource.isInstance(d)) {
            return undefined;
        }
        into.push(d);
        return into;
    };

    /**
     * dependsOn.getAllTransitivelyReferencedResourceURNs, synchronously: the
     * resources, the children of components (not excluded) breadth-first as
     * the SDK's chained `__data.then` visits them, then the URNs of the custom
     * (or remote) ones not excluded. Undefined when one of those has no URN
     * here (registered by the SDK).
     */
    const transitiveUrns = (resources: Iterable<SdkResource>, exclude: Set<SdkResource>): Set<string> | undefined => {
        const seen = new Set<SdkResource>();
        const lists: Iterable<SdkResource>[] = [resources];
        for (let i = 0; i < lists.length; i++) {
            for (const r of lists[i]) {
                if (seen.has(r)) {
                    continue;
                }
                seen.add(r);
                const children = r.__childResources;
                if (children !== undefined && pulumi.ComponentResource.isInstance(r) && !exclude.has(r)) {
                    lists.push(children);
                }
            }
        }
        const urns = new Set<string>();
        for (const r of seen) {
            if ((pulumi.CustomResource.isInstance(r) || r.__remote === true) && !exclude.has(r)) {
                const urn = urnOf.get(r);
                if (urn === undefined) {
                    return undefined;
                }
                urns.add(urn);
            }
        }
        return urns;
    };

    const transitive = (resources: Set<SdkResource>, exclude: Set<SdkResource>): Set<string> | Promise<Set<string>> =>
        transitiveUrns(resources, exclude) ?? m.dependsOn.getAllTransitivelyReferencedResourceURNs(resources, exclude);

    /** ProviderResource.register: "<urn>::<id>", cached on the provider. */
    const providerRef = (p: SdkProvider | undefined): string | Promise<string> => {
        if (p === undefined) {
            return "";
        }
        if (p.__registrationId !== undefined) {
            return p.__registrationId;
        }
        return (pulumi.ProviderResource as unknown as { register(p: unknown): Promise<string | undefined> }).register(p).then((ref) => ref ?? "");
    };

    /** Registers one resource; synchronous when everything it needs is plain or known. */
    const register = (p: Pending): void | Promise<void> => {
        const explicit = plainDependsOn(p.opts.dependsOn);
        const serialized = plainProps(p.props, true);
        const ref = p.custom ? providerRef(p.opts.provider) : "";
        if (explicit !== undefined && serialized !== undefined && typeof ref === "string") {
            return finish(p, explicit, serialized, undefined, ref);
        }
        return (async () => {
            // The SDK's order: explicit dependencies, inputs, (parent,) provider.
            const deps = explicit ?? (await m.dependsOn.gatherExplicitDependencies(p.opts.dependsOn));
            const [props, propDeps] =
                serialized !== undefined
                    ? [serialized, undefined]
                    : await m.rpc.serializeResourceProperties(p.label, p.props, { keepOutputValues: false, excludeResourceReferencesFromDependencies: false });
            await finish(p, deps, props, propDeps, await ref);
        })();
    };

    const finish = (
        p: Pending,
        explicit: SdkResource[],
        serialized: Record<string, unknown>,
        propDeps: Map<string, Set<SdkResource>> | undefined,
        ref: string,
    ): void | Promise<void> => {
        const exclude = new Set<SdkResource>([p.res]);
        const all = transitive(new Set(explicit), exclude);
        const byProperty = [...(propDeps ?? [])].map(([k, set]) => [k, transitive(set, exclude)] as const);
        if (all instanceof Promise || byProperty.some(([, urns]) => urns instanceof Promise)) {
            return (async () => {
                const resolved: [string, Set<string>][] = [];
                for (const [k, urns] of byProperty) {
                    resolved.push([k, await urns]);
                }
                await record(p, await all, resolved, serialized, ref);
            })();
        }
        return record(p, all, byProperty as [string, Set<string>][], serialized, ref);
    };

    const record = (p: Pending, explicitUrns: Set<string>, byProperty: [string, Set<string>][], serialized: Record<string, unknown>, ref: string): void | Promise<void> => {
        const dependencies = new Set(explicitUrns);
        const propertyDependencies: Record<string, string[]> = {};
        for (const [k, urns] of byProperty) {
            for (const urn of urns) {
                dependencies.add(urn);
            }
            if (urns.size > 0) {
                propertyDependencies[k] = [...urns];
            }
        }
        // What the monitor deserializes from the request (plain inputs deserialize to themselves).
        const inputs = byProperty.length === 0 ? serialized : m.rpc.deserializeProperties({ toJavaScript: () => serialized });
        const result = monitor.record({
            urn: p.urn,
            type: p.t,
            name: p.name,
            inputs,
            parent: p.parentUrn,
            custom: p.custom,
            provider: ref,
            dependencies: [...dependencies],
            propertyDependencies,
            id: (p.custom ? p.opts.import : undefined) ?? "",
        });
        const id = result.id || undefined;
        if (p.custom && p.t.startsWith("pulumi:providers:")) {
            // What ProviderResource.register caches on the provider.
            (p.res as SdkProvider).__registrationId = `${p.urn}::${id ?? m.rpc.unknownValue}`;
        }
        // runtime/resource.js resolveOutputs: the state as the monitor answers it (serialized, keys in protobuf
        // order), then, outside previews, the inputs the state lacks. Plain inputs make plain state (the
        // placeholders add strings): serialized and deserialized on the first read of a property. Other
        // state can hold resource references: serialized now, by the SDK, as the monitor does.
        const settle = (state: () => Record<string, unknown>): void => {
            let merged: Record<string, unknown> | undefined;
            p.props = RELEASED;
            p.opts = RELEASED;
            p.outcome = {
                id,
                props: () => {
                    if (merged === undefined) {
                        const sorted = protobufOrder(state()) as Record<string, unknown>;
                        merged = m.rpc.deserializeProperties({ toJavaScript: () => sorted });
                        if (!m.settings.isDryRun() || m.settings.isLegacyApplyEnabled()) {
                            for (const [k, v] of Object.entries(serialized)) {
                                if (!Object.prototype.hasOwnProperty.call(merged, k)) {
                                    merged[k] = m.rpc.deserializeProperty(v);
                                }
                            }
                        }
                    }
                    return merged;
                },
            };
            settleAll(p);
        };
        if (byProperty.length === 0) {
            settle(() => {
                const state = plainProps(result.state, false, false);
                if (state === undefined) {
                    throw new Error(`${p.urn}: the plan's placeholder state is not plain data`);
                }
                return state;
            });
            return undefined;
        }
        return m.rpc.serializeProperties("", result.state).then((state) => settle(() => state));
    };

    const fail = (p: Pending, err: unknown): void => {
        p.outcome = { err, props: () => ({}) };
        settleAll(p);
        onError(err);
    };

    const settleAll = (p: Pending): void => {
        p.settleId?.();
        for (const settle of p.settleProps) {
            settle();
        }
    };

    const flush = (done: () => void): void => {
        const batch = queue;
        queue = [];
        const waits: Promise<void>[] = [];
        for (const p of batch) {
            try {
                const r = register(p);
                if (r !== undefined) {
                    waits.push(r.catch((err: unknown) => fail(p, err)));
                }
            } catch (err) {
                fail(p, err);
            }
        }
        // Released a macrotask after the last registration settles, so that what the program does with the
        // settled Outputs (more resources) takes the next keep-alive before the SDK sees this one end.
        void Promise.all(waits).then(() => setImmediate(done));
    };

    const planRegister: RegisterFn = (res, parent, t, name, custom, remote, ...rest) => {
        const [, props, opts, , , packageRef] = rest;
        const parentUrn = parent === undefined ? "" : urnOf.get(parent);
        if (
            parentUrn === undefined ||
            remote ||
            packageRef !== undefined ||
            (opts.transforms !== undefined && opts.transforms.length > 0) ||
            opts.hooks !== undefined ||
            opts.deletedWith !== undefined ||
            opts.replaceWith !== undefined ||
            opts.replacementTrigger !== undefined
        ) {
            const seq = order.take();
            original(res, parent, t, name, custom, remote, ...rest);
            (res.urn as { promise(): Promise<string> }).promise().then(
                (urn) => {
                    order.set(urn, seq);
                    urnOf.set(res, urn);
                },
                () => undefined,
            );
            return;
        }
        const urn = monitor.newUrn(parentUrn, t, name);
        urnOf.set(res, urn);
        monitor.expect(urn);
        order.set(urn, order.take());
        const label = `resource:${name}[${t}]`;
        defineLazyOutput(res, "urn", res, () => ({ value: urn }));
        const pending: Pending = { res, t, name, custom, props, opts, urn, parentUrn, label, settleProps: [] };
        const outcome = (): Outcome | undefined => pending.outcome;
        const settleProps = pending.settleProps;
        let settleId: (() => void) | undefined;
        if (custom) {
            settleId = defineLazyOutput(res, "id", res, () => {
                const o = outcome();
                return o === undefined ? undefined : o.err !== undefined ? { err: o.err } : { value: o.id, isKnown: o.id !== undefined };
            });
            // rpc.transferProperties: one Output per input property but id and urn; rpc.resolveProperties settles them.
            for (const k of Object.keys(props)) {
                if (k === "id" || k === "urn") {
                    continue;
                }
                if (Object.prototype.hasOwnProperty.call(res, k)) {
                    throw new Error(`Property '${k}' is already initialized on target '${label}`);
                }
                settleProps.push(defineLazyOutput(res, k, res, () => propertySettlement(outcome(), k, m)));
            }
        }
        pending.settleId = settleId;
        if (queue.length === 0) {
            const done = m.settings.rpcKeepAlive();
            setImmediate(() => flush(done));
        }
        queue.push(pending);
    };
    /**
     * runtime/resource.js registerResourceOutputs (what `registerOutputs` and the stack's outputs
     * call): the SDK serializes the outputs, one promise per value, then sends them to the monitor,
     * which ignores them (tools/plan/monitor.ts checks the URN). For 1,000 services that is the
     * stack's `services` output (650 kB of JSON) and every component's outputs, nearly all plain.
     * Here plain values are skipped; whatever the SDK would await or treat specially (Outputs,
     * promises, resources, assets, unknowns) still goes through its serializeProperties, so a
     * rejected Output fails the plan as before (an unhandled rejection there, `onError` here).
     * A resource the SDK registered itself keeps the SDK's path.
     */
    const originalOutputs = m.resource.registerResourceOutputs;
    const planOutputs = (res: SdkResource, outputs: unknown): void => {
        if (!urnOf.has(res)) {
            originalOutputs(res, outputs);
            return;
        }
        const specials: Record<string, unknown> = {};
        let count = 0;
        const collect = (v: unknown): void => {
            if (v === null || typeof v !== "object") {
                if (typeof v === "symbol" || typeof v === "bigint") {
                    specials[count++] = v;
                }
                return;
            }
            if (v instanceof Promise || special(v)) {
                specials[count++] = v;
                return;
            }
            for (const e of Array.isArray(v) ? v : Object.values(v)) {
                collect(e);
            }
        };
        try {
            collect(outputs);
        } catch (err) {
            onError(err);
            return;
        }
        if (count === 0) {
            return;
        }
        const done = m.settings.rpcKeepAlive();
        m.rpc.serializeProperties("monitor.registerResourceOutputs(...)", specials).then(
            () => done(),
            (err: unknown) => {
                done();
                onError(err);
            },
        );
    };
    m.resource.registerResource = planRegister;
    m.resource.registerResourceOutputs = planOutputs;
    return () => {
        m.resource.registerResource = original;
        m.resource.registerResourceOutputs = originalOutputs;
    };
}

/** What the SDK's serializeProperty treats specially (awaits, or turns into a signature or a reference). */
function special(o: object): boolean {
    return pulumi.Output.isInstance(o) || pulumi.Resource.isInstance(o) || pulumi.asset.Asset.isInstance(o) || pulumi.asset.Archive.isInstance(o) || isUnknownValue(o);
}

const sdkOutput = require("@pulumi/pulumi/output") as { isUnknown(v: unknown): boolean };

function isUnknownValue(o: object): boolean {
    return sdkOutput.isUnknown(o);
}

/** rpc.resolveProperties for one property. */
function propertySettlement(o: Outcome | undefined, k: string, m: SdkModules): Settlement | undefined {
    if (o === undefined) {
        return undefined;
    }
    if (o.err !== undefined) {
        return { err: o.err };
    }
    const props = o.props();
    if (!Object.prototype.hasOwnProperty.call(props, k)) {
        return { value: undefined, isKnown: !m.settings.isDryRun(), isSecret: false };
    }
    const v = props[k];
    return { value: m.rpc.unwrapRpcSecret(v), isKnown: true, isSecret: m.rpc.isRpcSecret(v) };
}
