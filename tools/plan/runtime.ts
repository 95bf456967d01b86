/**
 * The one mock runtime behind the offline plan, the benchmark and the tests:
 * runs a Pulumi program in-process under `pulumi.runtime.setMocks` and records
 * every resource it registers (type, name, parent, dependencies, inputs), with
 * deterministic placeholder outputs and secret values replaced by "[secret]".
 */
import * as pulumi from "@pulumi/pulumi";
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
}

/** Runs `program` under mocks and returns what it registered. Runs are sequential: one at a time per process. */
export async function runProgram(program: () => unknown, opts: RunOptions = {}): Promise<PlanRun> {
    const stack = opts.stack ?? "test";
    const resources: RecordedResource[] = [];
    const pending: { meta?: PendingMeta } = {};
    const errors: unknown[] = [];
    const onRejection = (reason: unknown) => errors.push(reason);
    process.on("unhandledRejection", onRejection);
    const restoreCallsites = skipSourcePositions();
    try {
        pulumi.runtime.setAllConfig(configStrings(opts.config ?? {}), []);
        await pulumi.runtime.setMocks(
            {
                newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
                    const meta = pending.meta;
                    pending.meta = undefined;
                    if (meta !== undefined) {
                        resources.push({
                            urn: meta.urn,
                            type: args.type,
                            name: args.name,
                            parent: meta.parent,
                            dependsOn: meta.dependsOn,
                            propertyDependencies: meta.propertyDependencies,
                            inputs: sanitize(args.inputs) as Record<string, unknown>,
                            custom: meta.custom,
                            provider: meta.provider,
                        });
                        opts.onResource?.(resources.length);
                    }
                    if (args.custom === false) {
                        return { id: undefined, state: {} };
                    }
                    if (meta === undefined && args.id) {
                        // A read (`Resource.get`): what the cloud would return for an existing object.
                        return { id: args.id, state: readPlaceholder(args.type, args.id) };
                    }
                    // The SDK sends "" (not undefined) as the id of a resource it creates.
                    return { id: args.id || placeholderId(args.type, args.name, args.inputs), state: placeholderOutputs(args.type, args.name, args.inputs) };
                },
                call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
                    const mock = CALLS[args.token];
                    if (mock === undefined) {
                        throw new Error(`the offline plan has no placeholder for the provider function ${args.token}; add one to tools/plan/placeholders.ts`);
                    }
                    return mock(args.inputs);
                },
            },
            opts.project ?? "meshgate",
            stack,
            opts.preview ?? false,
        );
        interceptRegistrations(pending);
        let returned: unknown;
        const outputs = await pulumi.runtime.runInPulumiStack(async () => {
            returned = await program();
            return returned as Record<string, unknown> | undefined;
        });
        await pulumi.runtime.disconnect();
        if (errors.length > 0) {
            throw errors[0];
        }
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
        restoreCallsites();
    }
}

interface ResourceStatics {
    callsites(): unknown[];
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

interface PendingMeta {
    urn: string;
    parent?: string;
    dependsOn: string[];
    propertyDependencies: Record<string, string[]>;
    custom: boolean;
    provider?: string;
}

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
 * setMocks hands `newResource` only type, name and inputs; the parent and the
 * dependencies are on the request. Wrap the mock monitor's registerResource to
 * note them; it calls `newResource` synchronously, so the note is for that call.
 */
function interceptRegistrations(pending: { meta?: PendingMeta }): void {
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
        const parent = req.getParent() || undefined;
        pending.meta = {
            urn: monitor.newUrn(req.getParent(), req.getType(), req.getName()),
            parent,
            dependsOn: req.getDependenciesList(),
            propertyDependencies,
            custom: req.getCustom(),
            // A provider reference is "<urn>::<id>"; the id is a placeholder, keep the URN.
            provider: req.getProvider().split("::").slice(0, -1).join("::") || undefined,
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

/** Replaces secrets by "[secret]", resource references by their URN, unknowns by "[unknown]". */
export function sanitize(value: unknown): unknown {
    if (value === pulumi.runtime.unknownValue) {
        return UNKNOWN;
    }
    if (Array.isArray(value)) {
        return value.map(sanitize);
    }
    if (typeof value !== "object" || value === null) {
        return value;
    }
    const obj = value as Record<string, unknown>;
    const sig = obj[pulumi.runtime.specialSigKey];
    if (sig === pulumi.runtime.specialSecretSig) {
        return SECRET;
    }
    if (sig === pulumi.runtime.specialResourceSig) {
        return obj.urn;
    }
    if (sig === pulumi.runtime.specialOutputValueSig) {
        return obj.secret === true ? SECRET : "value" in obj ? sanitize(obj.value) : UNKNOWN;
    }
    if (sig !== undefined) {
        return { asset: obj.path ?? obj.uri ?? "[text]" };
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(obj)) {
        out[key] = sanitize(obj[key]);
    }
    return out;
}
