/**
 * ajv validators compiled at build time, used at run time when they match.
 *
 * ajv turns a JSON schema into JavaScript source and evaluates it. For the CRDs of
 * data/crds that costs 10–150 ms a schema (VirtualService is the largest); a plan of 1,000
 * services paid ~0.6 s of CPU for it at every run (bench/README.md, third round). The
 * second step of `npm run build` (tools/build/validators.ts, run from dist/) writes every
 * validator the pack can need as ajv "standalone" code — a CommonJS module exporting the
 * same generated function (https://ajv.js.org/standalone.html, ajv 8.20:
 * lib/standalone/index.ts) — into `dist/policies/validate/compiled/<digest>.js`.
 *
 * The digest covers everything that decides the generated code: ajv's version, the
 * flavour's options, its keyword definitions and helpers (their source text), and the
 * schema as compiled. `compile()` computes it and requires the file of that name; on a miss
 * — running from the TypeScript sources, a CRD or plugin schema in data/ changed since the
 * build, a keyword edited without regenerating — it compiles with ajv as before. A stale
 * file can never be picked: its name would differ. Both paths give the same function of
 * the same schema (test/validate/precompiled.test.ts compares their errors).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type Ajv from "ajv";
import type { AnySchemaObject, Options, ValidateFunction } from "ajv";
import { _ } from "ajv/dist/compile/codegen";

/** ajv itself, loaded on first use: a run that finds every validator it needs generated never loads its compiler. */
function newAjv(options: Options): Ajv {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred: ~60 modules
    const AjvClass = (require("ajv") as typeof import("ajv")).default;
    return new AjvClass(options);
}

/** The directory of generated validators, next to this module (so: under dist/ only). */
export const COMPILED_DIR = path.join(__dirname, "compiled");

/** One way of configuring ajv: every schema compiled with it shares its options and keywords. */
export interface AjvFlavour {
    /** Short name, for messages and the build summary. */
    readonly name: string;
    /** ajv options (not `code`: the build adds what standalone code needs). */
    readonly options: Options;
    /** Adds keywords to a new instance. */
    readonly setup?: (ajv: Ajv) => void;
    /** For standalone code: the module (required from COMPILED_DIR) and export holding `options.formats` (ajv's `code.formats`). */
    readonly formats?: { readonly module: string; readonly name: string };
    /** Whatever else the generated code calls (helpers referenced by keyword code): part of the digest. */
    readonly helpers?: readonly unknown[];
}

function sourceOf(value: unknown): unknown {
    if (typeof value === "function") return `function:${value.toString()}`;
    if (value instanceof RegExp) return `regexp:${value.toString()}`;
    return value;
}

const fingerprints = new WeakMap<AjvFlavour, string>();

/** What, besides the schema, decides the code ajv generates for a flavour. */
function fingerprint(flavour: AjvFlavour): string {
    let hit = fingerprints.get(flavour);
    if (hit === undefined) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- ajv's own version, read once
        const ajvVersion = (require("ajv/package.json") as { version: string }).version;
        hit = JSON.stringify([ajvVersion, flavour.name, flavour.options, flavour.setup, flavour.formats, flavour.helpers], (_key, value: unknown) => sourceOf(value));
        fingerprints.set(flavour, hit);
    }
    return hit;
}

/** File name (without .js) of the generated validator of `schema` in `flavour`. */
export function validatorDigest(flavour: AjvFlavour, schema: AnySchemaObject): string {
    return createHash("sha256").update(fingerprint(flavour)).update("\0").update(JSON.stringify(schema)).digest("hex").slice(0, 40);
}

const compilers: ValidatorCompiler[] = [];

/** Per flavour, how many validators this process took from generated code and how many it compiled (tests, diagnosis). */
export function validatorOrigins(): Record<string, { precompiled: number; compiled: number }> {
    const out: Record<string, { precompiled: number; compiled: number }> = {};
    for (const c of compilers) {
        const o = (out[c.flavour.name] ??= { precompiled: 0, compiled: 0 });
        o.precompiled += c.counts.precompiled;
        o.compiled += c.counts.compiled;
    }
    return out;
}

/** Compiles schemas of one flavour: from the build's generated code when it matches, else with ajv. */
export class ValidatorCompiler {
    private instance: Ajv | undefined;
    private readonly dirExists: boolean;
    /** How many validators came from generated code and how many were compiled here. */
    readonly counts = { precompiled: 0, compiled: 0 };

    constructor(
        readonly flavour: AjvFlavour,
        private readonly dir: string = COMPILED_DIR,
    ) {
        this.dirExists = existsSync(dir);
        compilers.push(this);
    }

    /** The ajv instance of this flavour (runtime compilation, and callers that need ajv itself). */
    ajv(): Ajv {
        if (this.instance === undefined) {
            this.instance = newAjv(this.flavour.options);
            this.flavour.setup?.(this.instance);
        }
        return this.instance;
    }

    compile(schema: AnySchemaObject): ValidateFunction {
        if (this.dirExists) {
            const file = path.join(this.dir, `${validatorDigest(this.flavour, schema)}.js`);
            if (existsSync(file)) {
                this.counts.precompiled++;
                // eslint-disable-next-line @typescript-eslint/no-require-imports -- generated CommonJS module, looked up by digest
                return require(file) as ValidateFunction;
            }
        }
        this.counts.compiled++;
        return this.ajv().compile(schema);
    }
}

/** What the build generates: the schemas of each flavour. */
export interface ValidatorSet {
    readonly flavour: AjvFlavour;
    readonly schemas: readonly AnySchemaObject[];
}

/**
 * Writes the standalone code of every schema into `dir` (emptied first), one module per
 * distinct digest. Returns how many modules each flavour has.
 */
export function writeStandaloneValidators(sets: readonly ValidatorSet[], dir: string = COMPILED_DIR): Record<string, number> {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const written: Record<string, number> = {};
    for (const { flavour, schemas } of sets) {
        const code: Options["code"] = { source: true, ...(flavour.formats !== undefined ? { formats: _`require(${flavour.formats.module})[${flavour.formats.name}]` } : {}) };
        const generator = newAjv({ ...flavour.options, code });
        flavour.setup?.(generator);
        const seen = new Set<string>();
        for (const schema of schemas) {
            const digest = validatorDigest(flavour, schema);
            if (seen.has(digest)) continue;
            seen.add(digest);
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- build only
            const standaloneCode = (require("ajv/dist/standalone") as typeof import("ajv/dist/standalone")).default;
            const source = standaloneCode(generator, generator.compile(schema));
            writeFileSync(
                path.join(dir, `${digest}.js`),
                `// Generated by npm run build (tools/build/validators.ts): ajv standalone code, flavour ${flavour.name}. Do not edit.\n${source}\n`,
            );
        }
        written[flavour.name] = seen.size;
    }
    return written;
}

/** Digests of the generated modules in `dir`. */
export function generatedDigests(dir: string = COMPILED_DIR): Set<string> {
    if (!existsSync(dir)) return new Set();
    return new Set(
        readdirSync(dir)
            .filter((f) => f.endsWith(".js"))
            .map((f) => f.slice(0, -".js".length)),
    );
}
