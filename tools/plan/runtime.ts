/**
 * The one mock runtime behind the offline plan, the benchmark and the tests:
 * runs a Pulumi program in-process under mocks and records every resource it
 * registers (type, name, parent, dependencies, inputs), with deterministic
 * placeholder outputs and secret values replaced by "[secret]".
 *
 * Two monitors record the same thing: the in-process one (default;
 * tools/plan/monitor.ts, with the SDK's bookkeeping a plan does not need
 * switched off while it runs, see bench/README.md §1a) and the SDK's own
 * `pulumi.runtime.setMocks` ("sdk-mocks"), the reference it is tested against
 * (test/plan/runtime.test.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { PlanMonitor, passThroughStructs, type MockResult, type PlanMocks, type Registration } from "./monitor";
import { ConstructionOrder, numberSdkRegistrations } from "./order";
import { planRegistrations } from "./register";
import { CALLS, placeholderId, placeholderOutputs, readPlaceholder } from "./placeholders";

export const SECRET = "[secret]";
export const UNKNOWN = "[unknown]";

export interface RecordedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** URN of the parent (the stack for top-level resources). */
    readonly parent?: string;
    /** URNs this resource waits for: explicit dependsOn plus the resources its inputs come from. */
    readonly dependsOn: string[];
    /** Per input property, the URNs its value comes from. */
    readonly propertyDependencies: Record<string, string[]>;
    /** Inputs as sent to the engine; secrets replaced by "[secret]", resource references by their URN. */
    readonly inputs: Record<string, unknown>;
    /** False for component resources. */
    readonly custom: boolean;
    /** Provider reference (`urn::id`) for custom resources with an explicit provider. */
    readonly provider?: string;
}

export interface PlanRun {
    readonly stack: string;
    readonly resources: RecordedResource[];
    /** The program's return value: the stack outputs (secrets as "[secret]"). */
    readonly outputs: Record<string, unknown>;
    byType(type: string): RecordedResource[];
    byUrn(urn: string): RecordedResource | undefined;
}

export interface RunOptions {
    readonly project?: string;
    readonly stack?: string;
    /** Stack config as in a Pulumi.<stack>.yaml `config:` block (`meshgate:services: [...]`). */
    readonly config?: Record<string, unknown>;
    /** Run in preview mode (as `pulumi preview`). Default false. */
    readonly preview?: boolean;
    /** Called after every registration with the running count. */
    readonly onResource?: (count: number) => void;
    /**
     * The resource monitor: "in-process" (default; tools/plan/monitor.ts, no
     * protobuf conversions) or "sdk-mocks" (the SDK's `setMocks`, the reference).
     */
    readonly monitor?: "in-process" | "sdk-mocks";
}

/** Runs `program` under mocks and returns what it registered. Runs are sequential: one at a time per process. */
export async function runProgram(program: () => unknown, opts: RunOptions = {}): Promise<PlanRun> {
    const stack = opts.stack ?? "test";
    const project = opts.project ?? "meshgate";
    const resources: RecordedResource[] = [];
    const mocks: PlanMocks = {
        register(reg) {
            resources.push({
                urn: reg.urn,
                type: reg.type,
                name: reg.name,
                parent: reg.parent || undefined,
                dependsOn: reg.dependencies,
                propertyDependencies: reg.propertyDependencies,
                // Sorted keys, as a protobuf round trip leaves them (the SDK's setMocks path gets them sorted already).
                inputs: sanitize(reg.inputs, true) as Record<string, unknown>,
                custom: reg.custom,
                // A provider reference is "<urn>::<id>"; the id is a placeholder, keep the URN.
                provider: reg.provider.split("::").slice(0, -1).join("::") || undefined,
            });
            opts.onResource?.(resources.length);
            if (!reg.custom) {
                return { id: undefined, state: {} };
            }
            // The SDK sends "" (not undefined) as the id of a resource it creates.
            return { id: reg.id || placeholderId(reg.type, reg.name, reg.inputs), state: placeholderOutputs(reg.type, reg.name, reg.inputs) };
        },
        read(type, _name, id) {
            // A read (`Resource.get`): what the cloud would return for an existing object.
            return { id, state: readPlaceholder(type, id) };
        },
        call(token, inputs) {
            const mock = CALLS[token];
            if (mock === undefined) {
                throw new Error(`the offline plan has no placeholder for the provider function ${token}; add one to tools/plan/placeholders.ts`);
            }
            return mock(inputs);
        },
    };
    const errors: unknown[] = [];
    const onRejection = (reason: unknown) => errors.push(reason);
    process.on("unhandledRejection", onRejection);
    const order = new ConstructionOrder();
    const restore: (() => void)[] = [skipSourcePositions()];
    try {
        pulumi.runtime.setAllConfig(configStrings(opts.config ?? {}), []);
        if ((opts.monitor ?? "in-process") === "in-process") {
            const monitor = new PlanMonitor(mocks, project, stack);
            restore.push(passThroughStructs(), lightDebuggablePromises(), lazyOutputProperties(), planRegistrations(monitor, order, onRejection));
            useMonitor(monitor, project, stack, opts.preview ?? false);
        } else {
            restore.push(numberSdkRegistrations(order));
            await useSdkMocks(mocks, project, stack, opts.preview ?? false);
        }
        let returned: unknown;
        const inProcess = (opts.monitor ?? "in-process") === "in-process";
        const outputs = await pulumi.runtime.runInPulumiStack(async () => {
            if (inProcess) {
                pulumi.runtime.registerStackTransformation(withoutAliases);
            }
            returned = await program();
            return returned as Record<string, unknown> | undefined;
        });
        await pulumi.runtime.disconnect();
        if (errors.length > 0) {
            throw errors[0];
        }
        // Construction order, whatever order the registrations reached the monitor in (tools/plan/order.ts).
        order.sort(resources);
        const byUrn = new Map(resources.map((r) => [r.urn, r]));
        return {
            stack,
            resources,
            outputs: await hideSecretOutputs(returned, outputs ?? {}),
            byType: (type) => resources.filter((r) => r.type === type),
            byUrn: (urn) => byUrn.get(urn),
        };
    } finally {
        process.off("unhandledRejection", onRejection);
        for (const undo of restore.reverse()) {
            undo();
        }
    }
}

/**
 * A stack transformation of the in-process plan: drops a resource's aliases. The plan records
 * none (resources.json has no aliases; tools/plan/register.ts sends none to the monitor), but the
 * SDK's Resource constructor turns each into an Output chain (@pulumi/pulumi 3.248 resource.js
 * `collapseAliasToUrn` → `createUrn` → `interpolate`), and @pulumi/kubernetes gives every Ingress
 * two (networking/v1/ingress.js): ~5% of a 1,000-service plan's CPU for nothing. Transformations
 * run before the constructor reads `opts.aliases`; the parent stays the same, as it must.
 */
function withoutAliases(args: pulumi.ResourceTransformationArgs): pulumi.ResourceTransformationResult | undefined {
    if (args.opts.aliases === undefined || args.opts.aliases.length === 0) {
        return undefined;
    }
    return { props: args.props, opts: { ...args.opts, aliases: undefined } };
}

/** What `pulumi.runtime.setMocks` does, with our monitor instead of the SDK's MockMonitor (@pulumi/pulumi 3.248 runtime/mocks.js). */
function useMonitor(monitor: PlanMonitor, project: string, stack: string, preview: boolean): void {
    const settings = pulumi.runtime as unknown as { setMockOptions(m: unknown, project?: string, stack?: string, preview?: boolean): void };
    settings.setMockOptions(monitor, project, stack, preview);
    const store = sdkStore();
    store.supportsSecrets = true;
    store.supportsResourceReferences = true;
    store.supportsOutputValues = false;
    store.supportsDeletedWith = true;
    store.supportsReplaceWith = true;
    store.supportsAliasSpecs = true;
    store.supportsTransforms = false;
    store.supportsParameterization = true;
    store.supportsResourceHooks = true;
    store.supportsErrorHooks = true;
}

/**
 * The SDK wraps most of its promises in `debuggablePromise`, which gives each
 * one three non-enumerable properties and a captured stack (an Error object)
 * and keeps it in a set, so that a process that exits with promises pending
 * can list them. Several per resource; in a plan the wrapping is ~5% of the
 * CPU time and more in garbage collection. The replacement keeps the chain
 * (the same two `then`s, so continuations run in the same order) without the
 * bookkeeping. Returns the undo.
 */
function lightDebuggablePromises(): () => void {
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: (p: Promise<unknown>, ctx: unknown) => Promise<unknown> };
    const original = debuggable.debuggablePromise;
    debuggable.debuggablePromise = (p) =>
        p
            .then((value) => value)
            .catch((err: { promise?: unknown }) => {
                err.promise = p;
                throw err;
            });
    return () => {
        debuggable.debuggablePromise = original;
    };
}

type Resolver = (value: unknown, isKnown: boolean, isSecret: boolean, deps?: unknown[], err?: unknown) => void;

interface SdkRpc {
    transferProperties: (onto: Record<string, unknown>, label: string, props: Record<string, unknown>) => Record<string, Resolver>;
}

/**
 * For every input property of a custom resource the SDK creates, at
 * construction, an Output on the resource (`rpc.transferProperties`): four
 * wrapped promises, an OutputImpl with seven more, its closures and a Proxy,
 * that stay alive until the end of the run. A program reads few of them
 * (`role.arn`, `namespace.metadata`, …; 40 of 3,800 in a 100-service plan),
 * so most of a plan's memory and much of its garbage collection went to
 * Outputs nobody reads.
 *
 * Here each property is a getter that creates the same Output, the same way,
 * on first read; until then the resolver keeps what it is given, and a later
 * read gets an Output settled with it. The Outputs that are read are created
 * as before (programs read them while constructing, before the resource
 * registers), and work that nothing awaits can be dropped without moving
 * anything else in the microtask queue: resources register in the same order
 * with the same values (test/plan/runtime.test.ts). Returns the undo.
 */
function lazyOutputProperties(): () => void {
    const rpc = require("@pulumi/pulumi/runtime/rpc") as SdkRpc;
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise<T>(p: Promise<T>, ctx: unknown): Promise<T> };
    const errors = require("@pulumi/pulumi/errors") as { isGrpcError(err: unknown): boolean };
    const OutputClass = pulumi.Output as unknown as new (
        resources: unknown,
        promise: Promise<unknown>,
        isKnown: Promise<boolean>,
        isSecret: Promise<boolean>,
        allResources: Promise<unknown>,
    ) => unknown;
    const original = rpc.transferProperties;
    rpc.transferProperties = (onto, label, props) => {
        const resolvers: Record<string, Resolver> = {};
        for (const k of Object.keys(props)) {
            // As the SDK: "id" and "urn" are handled separately.
            if (k === "id" || k === "urn") {
                continue;
            }
            if (Object.prototype.hasOwnProperty.call(onto, k)) {
                throw new Error(`Property '${k}' is already initialized on target '${label}`);
            }
            let settled: Parameters<Resolver> | undefined;
            let settle: Resolver | undefined;
            resolvers[k] = (...args) => {
                const err = args[4];
                if (err && errors.isGrpcError(err)) {
                    return;
                }
                if (settle !== undefined) {
                    settle(...args);
                } else {
                    settled = args;
                }
            };
            const define = (value: unknown) => Object.defineProperty(onto, k, { value, writable: true, enumerable: true, configurable: true });
            Object.defineProperty(onto, k, {
                enumerable: true,
                configurable: true,
                get() {
                    // What rpc.transferProperties (@pulumi/pulumi 3.248) does for each property.
                    const promised = <T>() => {
                        let resolve!: (v: T) => void;
                        let reject!: (e: unknown) => void;
                        const p = new Promise<T>((res, rej) => {
                            resolve = res;
                            reject = rej;
                        });
                        return { p, resolve, reject };
                    };
                    const value = promised<unknown>();
                    const isKnown = promised<boolean>();
                    const isSecret = promised<boolean>();
                    const deps = promised<unknown[]>();
                    const output = new OutputClass(
                        onto,
                        debuggable.debuggablePromise(value.p, label),
                        debuggable.debuggablePromise(isKnown.p, label),
                        debuggable.debuggablePromise(isSecret.p, label),
                        debuggable.debuggablePromise(deps.p, label),
                    );
                    settle = (v, known, secret, d = [], err) => {
                        if (err) {
                            value.reject(err);
                            isKnown.reject(err);
                            isSecret.reject(err);
                            deps.reject(err);
                        } else {
                            value.resolve(v);
                            isKnown.resolve(known);
                            isSecret.resolve(secret);
                            deps.resolve(d);
                        }
                    };
                    define(output);
                    if (settled !== undefined) {
                        settle(...settled);
                        settled = undefined;
                    }
                    return output;
                },
                set(value: unknown) {
                    define(value);
                },
            });
        }
        return resolvers;
    };
    return () => {
        rpc.transferProperties = original;
    };
}

function sdkStore(): Record<string, boolean> {
    const state = require("@pulumi/pulumi/runtime/state") as { getStore(): Record<string, boolean> };
    return state.getStore();
}

interface ResourceStatics {
    callsites: () => unknown[];
}

/**
 * The SDK captures a full stack trace (limit raised to Infinity, source-mapped
 * under tsx) for every resource, only to send its source position to the
 * engine; mocks drop it. When the caller has turned stack traces off
 * (`Error.stackTraceLimit = 0`, as the plan CLI does without --debug), skip
 * the capture (about 7% of a 1,000-service plan). Returns the undo.
 */
function skipSourcePositions(): () => void {
    const statics = pulumi.Resource as unknown as ResourceStatics;
    const original = statics.callsites;
    if (Error.stackTraceLimit !== 0 || typeof original !== "function") {
        return () => undefined;
    }
    statics.callsites = () => [];
    return () => {
        statics.callsites = original;
    };
}

type PendingMeta = Omit<Registration, "type" | "name" | "inputs" | "id">;

/** The subset of the RegisterResourceRequest protobuf we read. */
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getProvider(): string;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(cb: (value: { getUrnsList(): string[] }, key: string) => void): void };
}

interface MockMonitorLike {
    newUrn(parent: string, type: string, name: string): string;
    registerResource(req: RegisterRequest, callback: (err: unknown, resp: unknown) => void): Promise<void>;
}

/**
 * The SDK's own mock monitor (`pulumi.runtime.setMocks`): the reference the
 * in-process monitor is compared against (test/plan/runtime.test.ts).
 * setMocks hands `newResource` only type, name and inputs; the parent and the
 * dependencies are on the request. Wrap the mock monitor's registerResource to
 * note them; it calls `newResource` synchronously, so the note is for that call.
 */
async function useSdkMocks(mocks: PlanMocks, project: string, stack: string, preview: boolean): Promise<void> {
    const pending: { meta?: PendingMeta } = {};
    await pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs): MockResult {
                const meta = pending.meta;
                pending.meta = undefined;
                if (meta !== undefined) {
                    return mocks.register({ ...meta, type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown>, id: args.id ?? "" });
                }
                return mocks.read(args.type, args.name, args.id ?? "", args.inputs as Record<string, unknown>);
            },
            call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
                return mocks.call(args.token, args.inputs as Record<string, unknown>);
            },
        },
        project,
        stack,
        preview,
    );
    const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitorLike;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) => {
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps, key) => {
            const urns = deps.getUrnsList();
            if (urns.length > 0) {
                propertyDependencies[key] = urns;
            }
        });
        pending.meta = {
            urn: monitor.newUrn(req.getParent(), req.getType(), req.getName()),
            parent: req.getParent(),
            dependencies: req.getDependenciesList(),
            propertyDependencies,
            custom: req.getCustom(),
            provider: req.getProvider(),
        };
        return register(req, callback);
    };
}

/** Stack outputs as resolved values, with every Output the program marked secret (at any depth) replaced by "[secret]". */
async function hideSecretOutputs(returned: unknown, resolved: Record<string, unknown>): Promise<Record<string, unknown>> {
    return (await hide(returned, resolved)) as Record<string, unknown>;
}

async function hide(source: unknown, resolved: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(source)) {
        return (await pulumi.isSecret(source)) ? SECRET : sanitize(resolved);
    }
    if (Array.isArray(source) && Array.isArray(resolved)) {
        return Promise.all(resolved.map((r, i) => hide(source[i], r)));
    }
    if (typeof source === "object" && source !== null && typeof resolved === "object" && resolved !== null) {
        const src = source as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(resolved)) {
            out[key] = await hide(src[key], value);
        }
        return out;
    }
    return sanitize(resolved);
}

/** Stack config values are strings to the engine; objects as JSON, like the CLI does. */
function configStrings(config: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

/**
 * Replaces secrets by "[secret]", resource references by their URN, unknowns
 * by "[unknown]"; with `sortKeys`, every object's keys in sorted order (as
 * they come out of a protobuf Struct).
 */
export function sanitize(value: unknown, sortKeys = false): unknown {
    // The SDK's markers, read once (each `pulumi.runtime.x` is a getter of the runtime's re-exports).
    const m = (markers ??= {
        unknown: pulumi.runtime.unknownValue,
        sigKey: pulumi.runtime.specialSigKey,
        secret: pulumi.runtime.specialSecretSig,
        resource: pulumi.runtime.specialResourceSig,
        outputValue: pulumi.runtime.specialOutputValueSig,
    });
    return sanitizeWith(m, value, sortKeys);
}

let markers: { unknown: unknown; sigKey: string; secret: string; resource: string; outputValue: string } | undefined;

function sanitizeWith(m: NonNullable<typeof markers>, value: unknown, sortKeys: boolean): unknown {
    if (value === m.unknown) {
        return UNKNOWN;
    }
    if (Array.isArray(value)) {
        return value.map((v) => sanitizeWith(m, v, sortKeys));
    }
    if (typeof value !== "object" || value === null) {
        return value;
    }
    const obj = value as Record<string, unknown>;
    const sig = obj[m.sigKey];
    if (sig === m.secret) {
        return SECRET;
    }
    if (sig === m.resource) {
        return obj.urn;
    }
    if (sig === m.outputValue) {
        return obj.secret === true ? SECRET : "value" in obj ? sanitizeWith(m, obj.value, sortKeys) : UNKNOWN;
    }
    if (sig !== undefined) {
        return { asset: obj.path ?? obj.uri ?? "[text]" };
    }
    const out: Record<string, unknown> = {};
    const keys = Object.keys(obj);
    if (sortKeys) {
        keys.sort();
    }
    for (const key of keys) {
        out[key] = sanitizeWith(m, obj[key], sortKeys);
    }
    return out;
}
