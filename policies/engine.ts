// Runs policies in-process, without the Pulumi engine or gRPC: the offline plan (`npm run plan`),
// `npm run check` on plain YAML and the tests use it. It builds the same argument objects the
// @pulumi/policy analyzer server builds (ResourceValidationArgs, StackValidationArgs,
// PolicyResource with parent/dependencies/propertyDependencies resolved by URN), applies the
// policy configuration (levels, tunables validated against each configSchema, defaults filled in),
// runs remediations of `remediate` policies before validations, and skips `disabled` policies.
// Cost is linear: validations are dispatched by resource type, URNs resolved through one Map.
import type {
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceRemediation,
    ResourceValidation,
    ResourceValidationArgs,
    StackValidationArgs,
} from "@pulumi/policy";
import type { Resource, Unwrap } from "@pulumi/pulumi";
import type { ResolvedResource } from "@pulumi/pulumi/queryable";
import type { ValidateFunction } from "ajv";
import { isDeepStrictEqual } from "node:util";
import { policies as defaultPolicies, rules, type Policy } from "./rules";
import { ValidatorCompiler } from "./validate/precompiled";
import type { AjvFlavour } from "./validate/precompiled";
import { isRecord } from "./validate/util";

export type { Policy } from "./rules";

export interface PlainResource {
    urn: string;
    type: string;
    name: string;
    props: Record<string, unknown>;
    parent?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
    provider?: string;
}

/**
 * One rule's finding on one resource (urn "" for a stack-wide finding). The one violation type of
 * the project: tools/plan (policy-report.json) and tools/report use it too.
 */
export interface Violation {
    readonly policy: string;
    readonly level: "advisory" | "mandatory" | "remediate";
    readonly urn: string;
    readonly message: string;
}

export interface RunOptions {
    /** Policies to run; default: every meshgate rule at its default level. */
    policies?: Policy[];
    /**
     * Per policy name: an enforcement level, or `{enforcementLevel, ...tunables}`, as in a Pulumi
     * policy config file. The key `all` sets the level of every policy.
     */
    config?: Record<string, unknown>;
}

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

class NotApplicable extends Error {
    constructor(readonly reason?: string) {
        super(reason ?? "not applicable");
    }
}

function notApplicable(reason?: string): never {
    throw new NotApplicable(reason);
}

/** A policy with its effective level and configuration. */
interface Configured {
    policy: Policy;
    order: number;
    level: Exclude<EnforcementLevel, "disabled">;
    config: Record<string, unknown>;
}

function isLevel(v: unknown): v is EnforcementLevel {
    return typeof v === "string" && (LEVELS as readonly string[]).includes(v);
}

/** The ajv set-up of policy config validation (defaults filled in; precompiled.ts: generated at build time, else compiled here). */
export const POLICY_CONFIG_FLAVOUR: AjvFlavour = { name: "policy-config", options: { useDefaults: true, allErrors: true, strict: false } };

const compiler = new ValidatorCompiler(POLICY_CONFIG_FLAVOUR);
const validators = new WeakMap<PolicyConfigSchema, ValidateFunction>();

/** The ajv schema a policy's configSchema is validated with. */
function configAjvSchema(schema: PolicyConfigSchema): Record<string, unknown> {
    return {
        type: "object",
        properties: schema.properties,
        required: schema.required ?? [],
        additionalProperties: false,
    };
}

/** The config schema of every meshgate policy that has one: what the build precompiles (tools/build/validators.ts). */
export function policyConfigValidatorSchemas(): Record<string, unknown>[] {
    return defaultPolicies.flatMap((p) => (p.configSchema ? [configAjvSchema(p.configSchema)] : []));
}

function configValidator(schema: PolicyConfigSchema): ValidateFunction {
    let v = validators.get(schema);
    if (!v) {
        v = compiler.compile(configAjvSchema(schema));
        validators.set(schema, v);
    }
    return v;
}

/** Applies `config` (Pulumi policy config file shape) to the policies; throws on invalid config. */
function configure(policies: readonly Policy[], config: Record<string, unknown>): Configured[] {
    const names = new Set(policies.map((p) => p.name));
    const known = new Set(rules.map((r) => r.id));
    const problems: string[] = [];
    for (const key of Object.keys(config)) {
        if (key !== "all" && !names.has(key) && !known.has(key)) {
            problems.push(`policy config names unknown policy "${key}"`);
        }
    }
    const all = config.all;
    const allLevel = isLevel(all) ? all : isRecord(all) && isLevel(all.enforcementLevel) ? all.enforcementLevel : undefined;
    if (all !== undefined && allLevel === undefined) {
        problems.push(`policy config "all" must be an enforcement level (${LEVELS.join(", ")})`);
    }
    const out: Configured[] = [];
    policies.forEach((policy, order) => {
        const given = config[policy.name];
        let level: EnforcementLevel = policy.enforcementLevel ?? "advisory";
        let tunables: Record<string, unknown> = {};
        if (allLevel) {
            level = allLevel;
        }
        if (isLevel(given)) {
            level = given;
        } else if (isRecord(given)) {
            const { enforcementLevel, ...rest } = given;
            if (enforcementLevel !== undefined) {
                if (!isLevel(enforcementLevel)) {
                    problems.push(`${policy.name}.enforcementLevel must be one of ${LEVELS.join(", ")}`);
                } else {
                    level = enforcementLevel;
                }
            }
            tunables = structuredClone(rest);
        } else if (given !== undefined) {
            problems.push(`${policy.name} must be an enforcement level or an object`);
        }
        if (policy.configSchema) {
            const validate = configValidator(policy.configSchema);
            if (!validate(tunables)) {
                for (const e of validate.errors ?? []) {
                    const field = e.instancePath ? `${policy.name}${e.instancePath.replace(/\//g, ".")}` : policy.name;
                    const extra = isRecord(e.params) && typeof e.params.additionalProperty === "string" ? ` (${e.params.additionalProperty})` : "";
                    problems.push(`${field} ${e.message ?? "is invalid"}${extra}`);
                }
            }
        } else if (Object.keys(tunables).length > 0) {
            problems.push(`${policy.name} has no tunables (${Object.keys(tunables).join(", ")})`);
        }
        if (level !== "disabled") {
            out.push({ policy, order, level, config: Object.freeze(tunables) });
        }
    });
    if (problems.length > 0) {
        throw new Error(`invalid policy configuration:\n  ${problems.join("\n  ")}`);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Type dispatch

interface Entry<F> {
    c: Configured;
    fn: F;
}

function typesOf(fn: object): readonly string[] | undefined {
    const one: unknown = Reflect.get(fn, "__pulumiType");
    if (typeof one === "string" && one.length > 0) {
        return [one];
    }
    const many: unknown = Reflect.get(fn, "__pulumiTypes");
    if (Array.isArray(many) && many.every((t) => typeof t === "string")) {
        return many;
    }
    return undefined;
}

/** Functions by the resource types they apply to, in policy order; built once per run. */
class Dispatch<F extends object> {
    private readonly typed = new Map<string, Entry<F>[]>();
    private readonly untyped: Entry<F>[] = [];
    private readonly merged = new Map<string, Entry<F>[]>();

    add(c: Configured, fn: F): void {
        const types = typesOf(fn);
        if (!types) {
            this.untyped.push({ c, fn });
            return;
        }
        for (const t of types) {
            const list = this.typed.get(t);
            if (list) {
                list.push({ c, fn });
            } else {
                this.typed.set(t, [{ c, fn }]);
            }
        }
    }

    for(type: string): Entry<F>[] {
        let list = this.merged.get(type);
        if (!list) {
            list = [...(this.typed.get(type) ?? []), ...this.untyped].sort((a, b) => a.c.order - b.c.order);
            this.merged.set(type, list);
        }
        return list;
    }
}

// ---------------------------------------------------------------------------------------------
// Argument objects

function isTypeOf(type: string, resourceClass: object): boolean {
    const t: unknown = Reflect.get(resourceClass, "__pulumiType");
    if (typeof t === "string" && t.length > 0) {
        return type === t;
    }
    const isInstance: unknown = Reflect.get(resourceClass, "isInstance");
    return typeof isInstance === "function" && (isInstance as (obj: unknown) => unknown)({ __pulumiType: type }) === true;
}

function optionsOf(r: PlainResource): PolicyResourceOptions {
    const opts: PolicyResourceOptions = {
        protect: false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
    };
    if (r.parent) {
        opts.parent = r.parent;
    }
    return opts;
}

/** A provider reference is `<urn>::<id>` (or a bare URN); resolved against the resources given. */
function providerOf(ref: string | undefined, byUrn: ReadonlyMap<string, PlainResource>): PolicyProviderResource | undefined {
    if (!ref) {
        return undefined;
    }
    const cut = ref.lastIndexOf("::");
    for (const candidate of [ref, cut > 0 ? ref.slice(0, cut) : ref]) {
        const r = byUrn.get(candidate);
        if (r) {
            return { type: r.type, props: r.props, urn: r.urn, name: r.name };
        }
    }
    const parts = ref.split("::");
    const urn = parts.length > 4 ? parts.slice(0, 4).join("::") : ref;
    return { type: (parts[2] ?? "").split("$").pop() ?? "", props: {}, urn, name: parts[3] ?? "" };
}

const EMPTY_TAGS: ReadonlyMap<string, string> = new Map<string, string>();

function resourceArgs(r: PlainResource, props: Record<string, unknown>, c: Configured, provider: PolicyProviderResource | undefined): ResourceValidationArgs {
    const args: ResourceValidationArgs = {
        type: r.type,
        props,
        urn: r.urn,
        name: r.name,
        opts: optionsOf(r),
        stackTags: EMPTY_TAGS,
        isType: (resourceClass) => isTypeOf(r.type, resourceClass),
        asType: <TResource extends Resource, TArgs>(resourceClass: { new (name: string, args: TArgs, ...rest: never[]): TResource }) =>
            isTypeOf(r.type, resourceClass) ? (props as unknown as Unwrap<NonNullable<TArgs>>) : undefined,
        getConfig: <T extends object>() => c.config as T,
        notApplicable,
    };
    if (provider) {
        args.provider = provider;
    }
    return args;
}

function rethrow(e: unknown, what: string): never {
    const message = e instanceof Error ? e.message : String(e);
    throw new Error(`${what}: ${message}`, { cause: e });
}

// ---------------------------------------------------------------------------------------------

/**
 * Runs the policies over the resources and returns every violation: resource policies in resource
 * order, then stack policies in policy order. Remediations of `remediate` policies run first; a
 * change they make is reported at level `remediate` (the fix Pulumi would apply) and the changed
 * properties are what the validations and stack policies see; a `remediate` policy still
 * violated afterwards is reported as `mandatory`, as the Pulumi engine does.
 */
export async function runPolicies(resources: PlainResource[], opts: RunOptions = {}): Promise<Violation[]> {
    const configured = configure(opts.policies ?? [...defaultPolicies], opts.config ?? {});
    const validations = new Dispatch<ResourceValidation>();
    const remediations = new Dispatch<ResourceRemediation>();
    const stackPolicies: Configured[] = [];
    for (const c of configured) {
        const p = c.policy;
        if ("validateStack" in p) {
            stackPolicies.push(c);
            continue;
        }
        const vs = p.validateResource === undefined ? [] : Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
        vs.forEach((v) => validations.add(c, v));
        if (c.level === "remediate" && p.remediateResource) {
            remediations.add(c, p.remediateResource);
        }
    }

    const byUrn = new Map<string, PlainResource>();
    for (const r of resources) {
        byUrn.set(r.urn, r);
    }
    const violations: Violation[] = [];
    const finalProps: Record<string, unknown>[] = [];

    for (const r of resources) {
        let props = r.props;
        const provider = providerOf(r.provider, byUrn);
        for (const { c, fn } of remediations.for(r.type)) {
            let result: unknown;
            try {
                result = await fn(resourceArgs(r, props, c, provider));
            } catch (e) {
                if (e instanceof NotApplicable) {
                    continue;
                }
                rethrow(e, `remediation ${c.policy.name} failed on ${r.urn}`);
            }
            if (!isRecord(result) || isDeepStrictEqual(result, props)) {
                continue;
            }
            const before = await validateOne(r, props, c, provider, validations);
            const messages = before.length > 0 ? before : [c.policy.description];
            messages.forEach((message) => violations.push({ policy: c.policy.name, level: "remediate", urn: r.urn, message }));
            props = result;
        }
        for (const { c, fn } of validations.for(r.type)) {
            const level = c.level === "remediate" ? "mandatory" : c.level;
            const report = (message: string): void => {
                violations.push({ policy: c.policy.name, level, urn: r.urn, message: message || c.policy.description });
            };
            try {
                const res = fn(resourceArgs(r, props, c, provider), report);
                if (res instanceof Promise) {
                    await res;
                }
            } catch (e) {
                if (!(e instanceof NotApplicable)) {
                    rethrow(e, `policy ${c.policy.name} failed on ${r.urn}`);
                }
            }
        }
        finalProps.push(props);
    }

    if (stackPolicies.length > 0) {
        const stackResources = policyResources(resources, finalProps, byUrn);
        for (const c of stackPolicies) {
            if (!("validateStack" in c.policy)) {
                continue;
            }
            const level = c.level === "remediate" ? "mandatory" : c.level;
            const args: StackValidationArgs = {
                resources: stackResources,
                stackTags: EMPTY_TAGS,
                getConfig: <T extends object>() => c.config as T,
                notApplicable,
            };
            const report = (message: string, urn?: string): void => {
                violations.push({ policy: c.policy.name, level, urn: urn ?? "", message: message || c.policy.description });
            };
            try {
                await c.policy.validateStack(args, report);
            } catch (e) {
                if (!(e instanceof NotApplicable)) {
                    rethrow(e, `stack policy ${c.policy.name} failed`);
                }
            }
        }
    }
    return violations;
}

/** Messages one policy's validations report for the given props (used to explain a remediation). */
async function validateOne(
    r: PlainResource,
    props: Record<string, unknown>,
    c: Configured,
    provider: PolicyProviderResource | undefined,
    validations: Dispatch<ResourceValidation>,
): Promise<string[]> {
    const messages: string[] = [];
    for (const e of validations.for(r.type)) {
        if (e.c !== c) {
            continue;
        }
        try {
            await e.fn(resourceArgs(r, props, c, provider), (m) => messages.push(m));
        } catch (err) {
            if (!(err instanceof NotApplicable)) {
                rethrow(err, `policy ${c.policy.name} failed on ${r.urn}`);
            }
        }
    }
    return messages;
}

/** PolicyResource objects with parent, dependencies and propertyDependencies resolved by URN. */
function policyResources(resources: readonly PlainResource[], props: readonly Record<string, unknown>[], byUrn: ReadonlyMap<string, PlainResource>): PolicyResource[] {
    const out: PolicyResource[] = [];
    const index = new Map<string, PolicyResource>();
    resources.forEach((r, i) => {
        const p = props[i];
        const pr: PolicyResource = {
            type: r.type,
            props: p,
            urn: r.urn,
            name: r.name,
            opts: optionsOf(r),
            dependencies: [],
            propertyDependencies: {},
            isType: (resourceClass) => isTypeOf(r.type, resourceClass),
            asType: <TResource extends Resource>(resourceClass: { new (...rest: never[]): TResource }) =>
                isTypeOf(r.type, resourceClass) ? (p as unknown as ResolvedResource<TResource>) : undefined,
        };
        const provider = providerOf(r.provider, byUrn);
        if (provider) {
            pr.provider = provider;
        }
        out.push(pr);
        index.set(r.urn, pr);
    });
    const resolve = (urns: readonly string[] | undefined): PolicyResource[] => (urns ?? []).map((u) => index.get(u)).filter((x): x is PolicyResource => x !== undefined);
    resources.forEach((r, i) => {
        const pr = out[i];
        if (r.parent) {
            const parent = index.get(r.parent);
            if (parent) {
                pr.parent = parent;
            }
        }
        pr.dependencies = resolve(r.dependencies);
        for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
            pr.propertyDependencies[k] = resolve(urns);
        }
    });
    return out;
}

/**
 * The resource types the policies' resource validations are bound to (`__pulumiType(s)`);
 * validations bound to no type (which run on every resource) are not counted.
 */
export function typedResourceTypes(policies: readonly Policy[] = defaultPolicies): Set<string> {
    const out = new Set<string>();
    for (const p of policies) {
        if ("validateStack" in p || p.validateResource === undefined) {
            continue;
        }
        for (const v of Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource]) {
            typesOf(v)?.forEach((t) => out.add(t));
        }
    }
    return out;
}
