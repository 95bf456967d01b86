/**
 * The offline plan's resource monitor: what `pulumi.runtime.setMocks` installs
 * (the SDK's MockMonitor, @pulumi/pulumi 3.248 runtime/mocks.js), minus what
 * only a gRPC connection needs and what a plan never reads back.
 *
 * The SDK builds every request as a protobuf message and converts each
 * resource's serialized inputs to a `google.protobuf.Struct`; MockMonitor
 * converts them back, serializes the mock's state, converts it to a Struct
 * again, and the SDK converts that back once more. In one process none of
 * those four conversions is needed: while a plan runs, `Struct.fromJavaScript`
 * returns an empty Struct that carries the plain object, and this monitor
 * answers with plain response objects (the SDK only calls their getters).
 * MockMonitor also keeps every resource's serialized state for the engine's
 * `getResource`; meshgate never reads a resource back by URN, so this monitor
 * keeps only the URNs it has seen.
 *
 * Everything else is the SDK's own code (rpc.serializeProperties and
 * deserializeProperties, the Output machinery) and the same awaits in the same
 * places as MockMonitor, so resources register in the same order and with the
 * same values. test/plan/runtime.test.ts compares the two monitors.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";

/** What a plan's mocks answer for a resource registration or read. */
export interface MockResult {
    readonly id: string | undefined;
    readonly state: Record<string, unknown>;
}

/** A registration as the monitor sees it: what MockResourceArgs holds plus what setMocks does not pass on. */
export interface Registration {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** Deserialized inputs (secrets as `{4dabf18193072939515e22adb298388d: "1b47061264138c4ac30d75fd1eb44270", value}`). */
    readonly inputs: Record<string, unknown>;
    readonly parent: string;
    readonly custom: boolean;
    readonly provider: string;
    readonly dependencies: string[];
    readonly propertyDependencies: Record<string, string[]>;
    /** The import id ("" unless the program imports). */
    readonly id: string;
}

export interface PlanMocks {
    /** A resource the program registers (components included). */
    register(reg: Registration): MockResult;
    /** `Resource.get`: an existing object the program reads. */
    read(type: string, name: string, id: string, inputs: Record<string, unknown>): MockResult;
    /** A provider function (invoke). */
    call(token: string, inputs: Record<string, unknown>): Record<string, unknown>;
}

/** The subset of the protobuf messages' getters this monitor reads. */
interface PropertyDependencies {
    getUrnsList(): string[];
}
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getProvider(): string;
    getImportid(): string;
    getObject(): StructLike;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(cb: (value: PropertyDependencies, key: string) => void): void };
}
interface ReadRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getId(): string;
    getProperties(): StructLike;
}
interface InvokeRequest {
    getTok(): string;
    getArgs(): StructLike;
}
interface OutputsRequest {
    getUrn(): string;
}
interface FeatureRequest {
    getId(): string;
}
interface StructLike {
    toJavaScript(): Record<string, unknown>;
}
type Callback = (err: unknown, resp: unknown) => void;

/**
 * The mocks answer synchronously; the SDK's MockMonitor awaits them all the same
 * (@pulumi/pulumi 3.248 runtime/mocks.js: `await this.mocks.newResource(...)`), and that
 * microtask is kept so registrations interleave exactly as under setMocks.
 */
function settled<T>(value: T): Promise<T> {
    return Promise.resolve(value);
}

/** A Struct that is only ever read in this process: holds the plain object and returns it. */
const PLAIN = Symbol("meshgate.plainStruct");

interface StructClass {
    new (): StructLike & { [PLAIN]?: Record<string, unknown> };
    fromJavaScript: (value: Record<string, unknown>) => StructLike;
}

/** The `google-protobuf` copy the SDK uses (resolved from @pulumi/pulumi, not from this package). */
function sdkStruct(): StructClass {
    const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    const mod = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdkDir] })) as { Struct: StructClass };
    return mod.Struct;
}

/**
 * Makes `Struct.fromJavaScript` return an empty Struct that carries the plain
 * object (its `toJavaScript` returns it; the SDK never copies, mutates or
 * encodes these Structs in a mocked run: deserializeProperties builds new
 * objects). Returns the undo.
 */
export function passThroughStructs(): () => void {
    const Struct = sdkStruct();
    const original = Struct.fromJavaScript;
    Struct.fromJavaScript = (value: Record<string, unknown>) => {
        const s = new Struct();
        s[PLAIN] = value;
        // Keys stay in the program's order here: the monitor sorts what it records (sanitize)
        // and what it answers (plainStruct), the two places a round trip's order is seen.
        s.toJavaScript = () => value;
        return s;
    };
    return () => {
        Struct.fromJavaScript = original;
    };
}

/** A Struct for a response: the SDK only calls toJavaScript on it. */
function plainStruct(value: Record<string, unknown>): StructLike {
    return { toJavaScript: () => protobufOrder(value) as Record<string, unknown> };
}

/**
 * A copy of a JSON-like value as a protobuf Struct round trip returns it:
 * every object's keys in sorted order (jspb.Map iterates its keys sorted),
 * so that programs and the recorded inputs see what they saw under setMocks.
 */
export function protobufOrder(value: unknown): unknown {
    if (typeof value !== "object" || value === null) {
        return value;
    }
    if (Array.isArray(value)) {
        const out = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) {
            out[i] = protobufOrder(value[i]);
        }
        return out;
    }
    const obj = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(obj).sort()) {
        out[key] = protobufOrder(obj[key]);
    }
    return out;
}

export class PlanMonitor {
    private readonly urns = new Set<string>();

    constructor(
        private readonly mocks: PlanMocks,
        private readonly project: string,
        private readonly stack: string,
    ) {}

    /** As MockMonitor.newUrn. */
    newUrn(parent: string, type: string, name: string): string {
        if (parent) {
            const parentType = parent.split("::")[2].split("$").pop() ?? "";
            type = `${parentType}$${type}`;
        }
        return `urn:pulumi:${this.stack}::${this.project}::${type}::${name}`;
    }

    // Each method keeps MockMonitor's awaits (one before the mock's answer, one
    // for serializing its state): the SDK's continuations then run in the same
    // order, and resources register in the same order as under setMocks.

    /**
     * A registration made in-process without a request (tools/plan/register.ts): the mock's answer,
     * synchronously. Its URN must have been announced with `expect`.
     */
    record(reg: Registration): MockResult {
        return this.mocks.register(reg);
    }

    /** A resource whose registration is under way (its URN is already known to the program). */
    expect(urn: string): void {
        this.urns.add(urn);
    }

    async registerResource(req: RegisterRequest, callback: Callback): Promise<void> {
        try {
            const propertyDependencies: Record<string, string[]> = {};
            req.getPropertydependenciesMap().forEach((deps, key) => {
                const urns = deps.getUrnsList();
                if (urns.length > 0) {
                    propertyDependencies[key] = urns;
                }
            });
            const urn = this.newUrn(req.getParent(), req.getType(), req.getName());
            const result = await settled(
                this.mocks.register({
                    urn,
                    type: req.getType(),
                    name: req.getName(),
                    // Keys in the program's order; `register` records them sorted (sanitize(…, true)).
                    inputs: pulumi.runtime.deserializeProperties(req.getObject() as never),
                    parent: req.getParent(),
                    custom: req.getCustom(),
                    provider: req.getProvider(),
                    dependencies: req.getDependenciesList(),
                    propertyDependencies,
                    id: req.getImportid(),
                }),
            );
            const state = await pulumi.runtime.serializeProperties("", result.state);
            this.urns.add(urn);
            callback(null, {
                getUrn: () => urn,
                getId: () => result.id || "",
                getObject: () => plainStruct(state),
                getPropertydependenciesMap: () => undefined,
                getResult: () => 0, // pulumirpc.Result.SUCCESS
            });
        } catch (err) {
            callback(err, undefined);
        }
    }

    async readResource(req: ReadRequest, callback: Callback): Promise<void> {
        try {
            const inputs = protobufOrder(pulumi.runtime.deserializeProperties(req.getProperties() as never)) as Record<string, unknown>;
            const result = await settled(this.mocks.read(req.getType(), req.getName(), req.getId(), inputs));
            const urn = this.newUrn(req.getParent(), req.getType(), req.getName());
            const state = await pulumi.runtime.serializeProperties("", result.state);
            this.urns.add(urn);
            callback(null, { getUrn: () => urn, getProperties: () => plainStruct(state) });
        } catch (err) {
            callback(err, undefined);
        }
    }

    async invoke(req: InvokeRequest, callback: Callback): Promise<void> {
        try {
            const token = req.getTok();
            const inputs = protobufOrder(pulumi.runtime.deserializeProperties(req.getArgs() as never)) as Record<string, unknown>;
            if (token === "pulumi:pulumi:getResource") {
                throw new Error(`the offline plan does not read resources back by URN (${String(inputs.urn)}); pass the resource object instead of a reference to it`);
            }
            const result = await settled(this.mocks.call(token, inputs));
            const ret = await pulumi.runtime.serializeProperties("", result);
            callback(null, { getReturn: () => plainStruct(ret), getFailuresList: () => [] });
        } catch (err) {
            callback(err, undefined);
        }
    }

    registerResourceOutputs(req: OutputsRequest, callback: Callback): void {
        if (!this.urns.has(req.getUrn())) {
            callback(new Error(`unknown resource ${req.getUrn()}`), undefined);
            return;
        }
        callback(null, {});
    }

    supportsFeature(req: FeatureRequest, callback: Callback): void {
        // As MockMonitor: every feature but "outputValues", so that inputs reach the mocks as plain values.
        const hasSupport = req.getId() !== "outputValues";
        callback(null, { getHassupport: () => hasSupport });
    }

    registerPackage(_req: unknown, callback: Callback): void {
        callback(null, { getRef: () => "mock-uuid" });
    }
}
