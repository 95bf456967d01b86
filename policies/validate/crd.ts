/**
 * Validates custom resources (Istio, Kong) the way the Kubernetes API server does on create,
 * from the CRDs in data/crds:
 *
 * 1. null values of non-nullable fields are dropped and `default`s applied (the API server
 *    prunes and defaults before it validates);
 * 2. the OpenAPI v3 structural schema is checked with ajv: types, enums, required, bounds,
 *    patterns, formats, oneOf/anyOf/not, `x-kubernetes-int-or-string`,
 *    `x-kubernetes-list-type` (set/map uniqueness), and unknown fields are rejected wherever a
 *    schema lists properties and neither `additionalProperties` nor
 *    `x-kubernetes-preserve-unknown-fields` allows more (strict field validation, kubectl's
 *    default); `metadata` is checked as ObjectMeta (name, namespace, labels, annotations);
 * 3. every `x-kubernetes-validations` CEL rule is evaluated at its node, with `self` bound to
 *    the node's value (integers as CEL ints, per the schema). Transition rules (those reading
 *    `oldSelf`) apply to updates only and are skipped.
 *
 * Validators are compiled once per CRD version (ajv) and once per rule text (CEL).
 */
// The code generator's tags only: ajv itself loads when a schema has to be compiled here (precompiled.ts).
import { _, stringify } from "ajv/dist/compile/codegen";
import type { ErrorObject, KeywordCxt, ValidateFunction } from "ajv";
import type { CelInput } from "@bufbuild/cel";
import { compileRule, ruleHolds } from "./cel";
import type { CompiledRule } from "./cel";
import { CRD_FORMATS, hasDuplicateEntries } from "./crd-runtime";
import { formatPath, isRecord, listDataJson, readDataJson } from "./data";
import { ValidatorCompiler } from "./precompiled";
import type { AjvFlavour } from "./precompiled";

/** crd-runtime.js as the generated validators (dist/policies/validate/compiled/) require it. */
const CRD_RUNTIME = "../crd-runtime";

type Schema = Record<string, unknown>;

interface CrdVersionEntry {
    served: boolean;
    storage: boolean;
    deprecated?: boolean;
    schema?: Schema;
    sameSchemaAs?: string;
}

/** One CRD file of data/crds. */
export interface CrdFile {
    readonly source: string;
    readonly upstream: string;
    /** Upstream release the CRD comes from (Istio 1.30.3, Kong kubernetes-configuration 1.5.2). */
    readonly version: string;
    readonly group: string;
    readonly kind: string;
    readonly plural: string;
    readonly scope: string;
    readonly versions: Readonly<Record<string, CrdVersionEntry>>;
}

export interface CustomResourceType {
    readonly group: string;
    readonly version: string;
    readonly kind: string;
    readonly apiVersion: string;
    /** data/crds file it is read from. */
    readonly file: string;
    readonly deprecated: boolean;
}

/** A rule as found in a CRD, for listing and compile checks. */
export interface CelRuleLocation {
    readonly file: string;
    readonly version: string;
    /** Schema path of the node carrying the rule, e.g. `spec.http[].timeout`. */
    readonly schemaPath: string;
    readonly rule: string;
    readonly message?: string;
}

export interface KubernetesObjectLike {
    readonly apiVersion?: unknown;
    readonly kind?: unknown;
    readonly metadata?: unknown;
    readonly [field: string]: unknown;
}

// ---------------------------------------------------------------------------------------
// Index of data/crds

let indexCache: Map<string, { file: string; crd: CrdFile }> | undefined;

function readCrdFile(file: string): CrdFile {
    const raw = readDataJson(`crds/${file}.json`);
    if (!isRecord(raw) || typeof raw.group !== "string" || typeof raw.kind !== "string" || !isRecord(raw.versions)) {
        throw new Error(`data/crds/${file}.json: not a CRD slice`);
    }
    return raw as unknown as CrdFile;
}

function crdIndex(): Map<string, { file: string; crd: CrdFile }> {
    if (indexCache) return indexCache;
    const index = new Map<string, { file: string; crd: CrdFile }>();
    for (const file of listDataJson("crds")) {
        const crd = readCrdFile(file);
        index.set(`${crd.group}/${crd.kind}`, { file, crd });
    }
    indexCache = index;
    return index;
}

/** Every group/version/kind data/crds can validate. */
export function knownCustomResources(): CustomResourceType[] {
    const out: CustomResourceType[] = [];
    for (const { file, crd } of crdIndex().values()) {
        for (const [version, entry] of Object.entries(crd.versions)) {
            if (!entry.served) continue;
            out.push({ group: crd.group, version, kind: crd.kind, apiVersion: `${crd.group}/${version}`, file, deprecated: entry.deprecated === true });
        }
    }
    return out.sort((a, b) => a.apiVersion.localeCompare(b.apiVersion) || a.kind.localeCompare(b.kind));
}

function schemaOf(crd: CrdFile, version: string): { schema: Schema; schemaVersion: string } {
    let entry = crd.versions[version];
    let schemaVersion = version;
    if (entry?.sameSchemaAs !== undefined) {
        schemaVersion = entry.sameSchemaAs;
        entry = crd.versions[schemaVersion];
    }
    if (!entry?.schema) throw new Error(`CRD ${crd.kind}.${crd.group}: no schema for version ${version}`);
    return { schema: entry.schema, schemaVersion };
}

/** Every CEL rule in data/crds, where it sits. */
export function listCelRules(): CelRuleLocation[] {
    const out: CelRuleLocation[] = [];
    const visit = (file: string, version: string, node: unknown, path: string): void => {
        if (!isRecord(node)) return;
        const rules = node["x-kubernetes-validations"];
        if (Array.isArray(rules)) {
            for (const r of rules) {
                if (isRecord(r) && typeof r.rule === "string") {
                    out.push({ file, version, schemaPath: path || "(root)", rule: r.rule, ...(typeof r.message === "string" ? { message: r.message } : {}) });
                }
            }
        }
        if (isRecord(node.properties)) for (const [k, v] of Object.entries(node.properties)) visit(file, version, v, path ? `${path}.${k}` : k);
        if (isRecord(node.items)) visit(file, version, node.items, `${path}[]`);
        if (isRecord(node.additionalProperties)) visit(file, version, node.additionalProperties, `${path}[*]`);
        for (const junctor of ["oneOf", "anyOf", "allOf"]) {
            const branches = node[junctor];
            if (Array.isArray(branches)) branches.forEach((b, i) => visit(file, version, b, `${path}/${junctor}[${i}]`));
        }
        if (isRecord(node.not)) visit(file, version, node.not, `${path}/not`);
    };
    for (const { file, crd } of crdIndex().values()) {
        for (const [version, entry] of Object.entries(crd.versions)) if (entry.schema) visit(file, version, entry.schema, "");
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// Schema preprocessing: a node tree for pruning, defaulting and CEL, and an ajv schema.

interface RuleAtNode {
    readonly compiled: CompiledRule;
    readonly message: string;
    readonly fieldPath?: string;
}

interface SchemaNode {
    readonly type?: string;
    readonly nullable: boolean;
    readonly intOrString: boolean;
    readonly properties?: Map<string, SchemaNode>;
    readonly additional?: SchemaNode;
    readonly items?: SchemaNode;
    readonly defaults: readonly (readonly [string, unknown])[];
    readonly rules: readonly RuleAtNode[];
    /** Some node at or below this one has create-time rules. */
    readonly hasRules: boolean;
}

function buildNode(schema: Schema): SchemaNode {
    const properties = isRecord(schema.properties)
        ? new Map(
              Object.entries(schema.properties)
                  .filter(([, v]) => isRecord(v))
                  .map(([k, v]) => [k, buildNode(v as Schema)]),
          )
        : undefined;
    const additional = isRecord(schema.additionalProperties) ? buildNode(schema.additionalProperties) : undefined;
    const items = isRecord(schema.items) ? buildNode(schema.items) : undefined;
    const rules: RuleAtNode[] = [];
    const declared = schema["x-kubernetes-validations"];
    if (Array.isArray(declared)) {
        for (const r of declared) {
            if (!isRecord(r) || typeof r.rule !== "string") throw new Error(`x-kubernetes-validations entry without a rule: ${JSON.stringify(r)}`);
            const compiled = compileRule(r.rule); // throws CelCompileError: never pass silently
            if (compiled.usesOldSelf) continue; // transition rule: update only
            rules.push({
                compiled,
                message: typeof r.message === "string" && r.message !== "" ? r.message : `failed rule: ${r.rule}`,
                ...(typeof r.fieldPath === "string" ? { fieldPath: r.fieldPath } : {}),
            });
        }
    }
    const defaults: (readonly [string, unknown])[] = [];
    if (properties && isRecord(schema.properties)) {
        for (const [k, v] of Object.entries(schema.properties)) if (isRecord(v) && v.default !== undefined) defaults.push([k, v.default]);
    }
    const children = [...(properties?.values() ?? []), additional, items].filter((c): c is SchemaNode => c !== undefined);
    return {
        ...(typeof schema.type === "string" ? { type: schema.type } : {}),
        nullable: schema.nullable === true,
        intOrString: schema["x-kubernetes-int-or-string"] === true,
        ...(properties ? { properties } : {}),
        ...(additional ? { additional } : {}),
        ...(items ? { items } : {}),
        defaults,
        rules,
        hasRules: rules.length > 0 || children.some((c) => c.hasRules),
    };
}

const DNS1123_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
const DNS1123_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
const LABEL_VALUE = "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$";

/** ObjectMeta as the API server checks it for a namespaced or cluster custom resource (the parts a manifest sets). */
const OBJECT_META: Schema = {
    type: "object",
    properties: {
        name: { type: "string", maxLength: 253, pattern: DNS1123_SUBDOMAIN },
        generateName: { type: "string" },
        namespace: { type: "string", maxLength: 63, pattern: DNS1123_LABEL },
        labels: { type: "object", additionalProperties: { type: "string", maxLength: 63, pattern: LABEL_VALUE } },
        annotations: { type: "object", additionalProperties: { type: "string" } },
        finalizers: { type: "array", items: { type: "string" } },
        ownerReferences: { type: "array", items: { type: "object" } },
    },
    // uid, resourceVersion, creationTimestamp... are the server's; accept them.
    additionalProperties: true,
};

const KEEP_FOR_AJV = new Set([
    "type",
    "format",
    "properties",
    "items",
    "additionalProperties",
    "required",
    "enum",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "uniqueItems",
    "multipleOf",
    "nullable",
    "oneOf",
    "anyOf",
    "allOf",
    "not",
    "x-kubernetes-int-or-string",
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
]);

/** The CRD schema as a draft-07 schema ajv can compile, unknown fields rejected. */
function toAjvSchema(schema: Schema, inJunctor: boolean, isRoot: boolean): Schema {
    const out: Schema = {};
    for (const [key, value] of Object.entries(schema)) if (KEEP_FOR_AJV.has(key)) out[key] = value;
    if (out.nullable === true) {
        if (out.type === undefined) delete out.nullable;
        else if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...(out.enum as unknown[]), null];
    }
    if (isRecord(out.properties)) {
        const props: Record<string, Schema> = {};
        for (const [k, v] of Object.entries(out.properties)) if (isRecord(v)) props[k] = toAjvSchema(v, false, false);
        out.properties = props;
    }
    if (isRoot) {
        const props = isRecord(out.properties) ? { ...out.properties } : {};
        props.metadata = OBJECT_META;
        props.apiVersion ??= { type: "string" };
        props.kind ??= { type: "string" };
        out.properties = props;
        out.required = ["apiVersion", "kind", "metadata"];
    }
    if (isRecord(out.items)) out.items = toAjvSchema(out.items, false, false);
    if (isRecord(out.additionalProperties)) out.additionalProperties = toAjvSchema(out.additionalProperties, false, false);
    for (const junctor of ["oneOf", "anyOf", "allOf"]) {
        const branches = out[junctor];
        if (Array.isArray(branches)) out[junctor] = branches.filter(isRecord).map((b) => toAjvSchema(b, true, false));
    }
    if (isRecord(out.not)) out.not = toAjvSchema(out.not, true, false);
    const isObject = out.type === "object" || isRecord(out.properties);
    if (isObject && !inJunctor && out.additionalProperties === undefined && schema["x-kubernetes-preserve-unknown-fields"] !== true) {
        out.additionalProperties = false;
    }
    return out;
}

/** The ajv set-up of the CRD validators (precompiled.ts: generated at build time, else compiled here). */
export const CRD_FLAVOUR: AjvFlavour = {
    name: "crd",
    options: {
        allErrors: true,
        verbose: true,
        strict: true,
        strictTypes: false,
        strictTuples: false,
        strictRequired: false,
        allowUnionTypes: true,
        // CRD patterns are Go (RE2) syntax, which allows escapes such as `\-` that unicode mode rejects.
        unicodeRegExp: false,
        formats: CRD_FORMATS,
    },
    formats: { module: CRD_RUNTIME, name: "CRD_FORMATS" },
    helpers: [hasDuplicateEntries],
    setup: (instance) => {
        // Keywords as code (not `validate` functions) so that ajv can emit them as standalone code.
        instance.addKeyword({
            keyword: "x-kubernetes-int-or-string",
            schemaType: "boolean",
            code(cxt: KeywordCxt) {
                if (cxt.schema !== true) return;
                const { data } = cxt;
                cxt.fail(_`!(typeof ${data} == "string" || (typeof ${data} == "number" && Number.isInteger(${data})))`);
            },
        });
        instance.addKeyword({ keyword: "x-kubernetes-list-map-keys", schemaType: "array" });
        instance.addKeyword({
            keyword: "x-kubernetes-list-type",
            schemaType: "string",
            code(cxt: KeywordCxt) {
                const { gen, data } = cxt;
                const schema: unknown = cxt.schema;
                if (schema !== "set" && schema !== "map") return;
                const listKeys: unknown = cxt.parentSchema["x-kubernetes-list-map-keys"];
                const keys = schema === "map" && Array.isArray(listKeys) ? listKeys.map(String) : [];
                const duplicates = gen.scopeValue("func", { ref: hasDuplicateEntries, code: _`require(${CRD_RUNTIME}).hasDuplicateEntries` });
                cxt.fail(_`Array.isArray(${data}) && ${duplicates}(${data}, ${schema}, ${stringify(keys)})`);
            },
        });
    },
};

const compiler = new ValidatorCompiler(CRD_FLAVOUR);

interface CompiledCrd {
    readonly crd: CrdFile;
    readonly validate: ValidateFunction;
    readonly root: SchemaNode;
}

const compiledCache = new Map<string, CompiledCrd>();

function compiledFor(file: string, crd: CrdFile, version: string): CompiledCrd {
    const { schema, schemaVersion } = schemaOf(crd, version);
    const key = `${file}@${schemaVersion}`;
    const hit = compiledCache.get(key);
    if (hit) return hit;
    const root = buildNode(schema);
    const validate = compiler.compile(toAjvSchema(schema, false, true));
    const built = { crd, validate, root };
    compiledCache.set(key, built);
    return built;
}

/** The ajv schema of every CRD version in data/crds: what the build precompiles (tools/build/validators.ts). */
export function crdValidatorSchemas(): Schema[] {
    const out: Schema[] = [];
    for (const { crd } of crdIndex().values()) {
        for (const entry of Object.values(crd.versions)) if (entry.schema) out.push(toAjvSchema(entry.schema, false, true));
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// Pruning and defaulting (a copy; the caller's object is not touched)

function normalize(node: SchemaNode | undefined, value: unknown, atRoot: boolean): unknown {
    if (Array.isArray(value)) {
        return value.filter((item) => item !== null || node?.items === undefined || node.items.nullable).map((item) => normalize(node?.items, item, false));
    }
    if (!isRecord(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, sub] of Object.entries(value)) {
        const child = node?.properties?.get(key) ?? node?.additional;
        if (sub === null && child !== undefined && !child.nullable) continue; // pruned, as the API server does
        out[key] = normalize(child, sub, false);
    }
    if (node && node.type === "object") {
        for (const [key, def] of node.defaults) {
            if (atRoot && key === "status") continue; // status belongs to the controller
            if (!(key in out)) out[key] = normalize(node.properties?.get(key), structuredClone(def), false);
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// CEL

function toCel(node: SchemaNode | undefined, value: unknown): CelInput {
    if (value === null || typeof value === "boolean" || typeof value === "string") return value;
    if (typeof value === "number") {
        const asInt = node === undefined || node.type === undefined || node.type === "integer" || node.intOrString;
        if (asInt && Number.isInteger(value) && node?.type !== "number") return BigInt(value);
        return value;
    }
    if (Array.isArray(value)) return value.map((item) => toCel(node?.items, item));
    if (isRecord(value)) {
        const map = new Map<string, CelInput>();
        for (const [key, sub] of Object.entries(value)) map.set(key, toCel(node?.properties?.get(key) ?? node?.additional, sub));
        return map;
    }
    return null;
}

function typeMatches(node: SchemaNode, value: unknown): boolean {
    switch (node.type) {
        case undefined:
            return !node.intOrString || typeof value === "string" || typeof value === "number";
        case "object":
            return isRecord(value);
        case "array":
            return Array.isArray(value);
        case "string":
            return typeof value === "string";
        case "integer":
            return typeof value === "number" && Number.isInteger(value);
        case "number":
            return typeof value === "number";
        case "boolean":
            return typeof value === "boolean";
        default:
            return true;
    }
}

function evaluateRules(node: SchemaNode, value: unknown, path: (string | number)[], errors: string[]): void {
    if (!node.hasRules || value === null || value === undefined || !typeMatches(node, value)) return;
    if (node.rules.length > 0) {
        const self = toCel(node, value);
        for (const rule of node.rules) {
            const outcome = ruleHolds(rule.compiled, self);
            if (outcome === true) continue;
            const where = formatPath(path) + (rule.fieldPath ?? "");
            errors.push(outcome === false ? `${where}: ${rule.message}` : `${where}: ${rule.message} (evaluation error: ${outcome})`);
        }
    }
    // `path` is one stack, pushed and popped: a copy is made only for a message.
    if (Array.isArray(value) && node.items) {
        const items = node.items;
        if (!items.hasRules) return;
        for (let i = 0; i < value.length; i++) {
            path.push(i);
            evaluateRules(items, value[i], path, errors);
            path.pop();
        }
    } else if (isRecord(value)) {
        for (const key in value) {
            if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
            const child = node.properties?.get(key) ?? node.additional;
            if (child === undefined || !child.hasRules) continue;
            path.push(key);
            evaluateRules(child, value[key], path, errors);
            path.pop();
        }
    }
}

// ---------------------------------------------------------------------------------------
// ajv errors as messages

function instanceSegments(instancePath: string, data: unknown): (string | number)[] {
    if (instancePath === "") return [];
    const out: (string | number)[] = [];
    let cursor: unknown = data;
    for (const raw of instancePath.slice(1).split("/")) {
        const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
        if (Array.isArray(cursor)) {
            const i = Number(seg);
            out.push(i);
            cursor = cursor[i];
        } else {
            out.push(seg);
            cursor = isRecord(cursor) ? cursor[seg] : undefined;
        }
    }
    return out;
}

/** Field names a oneOf/anyOf over `required` branches is about (Istio's "at most one of"). */
function requiredNames(branches: unknown): string[] {
    const names = new Set<string>();
    const visit = (s: unknown): void => {
        if (!isRecord(s)) return;
        if (Array.isArray(s.required)) for (const n of s.required) names.add(String(n));
        for (const j of ["oneOf", "anyOf", "allOf"]) if (Array.isArray(s[j])) (s[j] as unknown[]).forEach(visit);
        if (isRecord(s.not)) visit(s.not);
    };
    if (Array.isArray(branches)) branches.forEach(visit);
    return [...names];
}

function describeAjvError(e: ErrorObject, data: unknown): string {
    const segments = instanceSegments(e.instancePath, data);
    const at = formatPath(segments);
    const params = e.params as Record<string, unknown>;
    switch (e.keyword) {
        case "additionalProperties": {
            const field = String(params.additionalProperty);
            const known = isRecord(e.parentSchema?.properties) ? Object.keys(e.parentSchema.properties).sort() : [];
            return `${formatPath([...segments, field])}: unknown field "${field}"${known.length > 0 ? ` (known fields: ${known.join(", ")})` : ""}`;
        }
        case "required":
            return `${formatPath([...segments, String(params.missingProperty)])}: required value`;
        case "enum": {
            const allowed = Array.isArray(params.allowedValues) ? params.allowedValues : [];
            return `${at}: unsupported value ${JSON.stringify(e.data)}: supported values: ${allowed.map((v) => JSON.stringify(v)).join(", ")}`;
        }
        case "oneOf":
        case "anyOf": {
            const names = requiredNames(e.schema);
            if (names.length > 0) return `${at}: ${e.keyword === "oneOf" ? "at most one" : "one"} of ${names.join(", ")} may be set`;
            return `${at}: ${e.message ?? `must match ${e.keyword}`}`;
        }
        case "x-kubernetes-int-or-string":
            return `${at}: must be an integer or a string`;
        case "x-kubernetes-list-type":
            return `${at}: duplicate entries in a list of type ${String(e.schema)}`;
        default:
            return `${at}: ${e.message ?? e.keyword}${e.keyword === "type" ? `, got ${Array.isArray(e.data) ? "array" : e.data === null ? "null" : typeof e.data}` : ""}`;
    }
}

function ajvMessages(errors: readonly ErrorObject[], data: unknown): string[] {
    // Errors from inside a failed oneOf/anyOf/not only explain the branch attempts: keep the junctor's own error.
    const junctors = errors.filter((e) => e.keyword === "oneOf" || e.keyword === "anyOf" || e.keyword === "not").map((e) => `${e.schemaPath}/`);
    const kept = errors.filter((e) => !junctors.some((prefix) => e.schemaPath.startsWith(prefix)));
    return [...new Set(kept.map((e) => describeAjvError(e, data)))];
}

// ---------------------------------------------------------------------------------------

function describeKnown(): string {
    const kinds = [...new Set(knownCustomResources().map((t) => `${t.kind}.${t.group}`))];
    return kinds.join(", ");
}

/**
 * Validates a custom resource as the API server would on create. Returns one message per
 * problem (`spec.http[0].timeout: must be a valid duration greater than 1ms`), or [] when the
 * object is valid. An unknown apiVersion/kind is a problem, not a pass. Throws only when a
 * CRD in data/ carries a rule that does not compile. Takes any value (a KubernetesObjectLike,
 * or whatever a manifest parsed to).
 */
export function validateCustomResource(obj: unknown): string[] {
    if (!isRecord(obj)) return ["(root): a Kubernetes object must be a map"];
    const { apiVersion, kind } = obj;
    if (typeof apiVersion !== "string" || apiVersion === "") return ["apiVersion: required value"];
    if (typeof kind !== "string" || kind === "") return ["kind: required value"];
    const slash = apiVersion.indexOf("/");
    if (slash < 0) return [`apiVersion: ${apiVersion} is a core API version, not a custom resource (known: ${describeKnown()})`];
    const group = apiVersion.slice(0, slash);
    const version = apiVersion.slice(slash + 1);
    const found = crdIndex().get(`${group}/${kind}`);
    if (!found) return [`kind: no custom resource definition for kind ${kind} in group ${group} (known: ${describeKnown()})`];
    const entry = found.crd.versions[version];
    if (!entry?.served) {
        const served = Object.entries(found.crd.versions)
            .filter(([, e]) => e.served)
            .map(([v]) => v);
        return [`apiVersion: version ${version} of ${kind}.${group} is not served (served: ${served.join(", ")})`];
    }
    const compiled = compiledFor(found.file, found.crd, version);
    const data = normalize(compiled.root, obj, true);
    const errors: string[] = [];
    if (!compiled.validate(data)) errors.push(...ajvMessages(compiled.validate.errors ?? [], data));
    evaluateRules(compiled.root, data, [], errors);
    return errors;
}
