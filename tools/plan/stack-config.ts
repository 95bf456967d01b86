/**
 * Reads a stack's config the way the Pulumi CLI would: `Pulumi.<stack>.yaml`
 * in the project's stackConfigDir (meshgate's Pulumi.yaml sets
 * `stackConfigDir: stacks`), its top-level `config:` map with keys namespaced
 * by project or provider (`meshgate:services`, `aws:region`). Encrypted values
 * cannot be read offline, and meshgate never needs any: its secrets are
 * generated. Every problem of a file is an `InputError` (exit 2), named by
 * file and, for YAML syntax, line and column.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { packageRoot } from "../../policies/validate/data";
import { editDistance } from "../../policies/validate/util";

/** The meshgate package's root: the repository, or node_modules/meshgate when installed. */
export const REPO_ROOT = packageRoot();
export const STACKS_DIR = path.join(REPO_ROOT, "stacks");

/** Bad input from the user (a file, an option): the CLI prints the message and exits 2, without a stack trace. */
export class InputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "InputError";
    }
}

/** The stacks in a stack config directory, by name (none when the directory does not exist). */
export function listStacks(dir = STACKS_DIR): string[] {
    if (!fs.existsSync(dir)) {
        return [];
    }
    return fs
        .readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

export function stackConfigPath(stack: string, dir = STACKS_DIR): string {
    const yml = path.join(dir, `Pulumi.${stack}.yml`);
    return fs.existsSync(yml) ? yml : path.join(dir, `Pulumi.${stack}.yaml`);
}

/**
 * The stack a `--config-file` run stands for when no stack is named: `Pulumi.<stack>.yaml`
 * gives `<stack>`, any other file its name without the extension, so that its output goes
 * to `out/<that name>` and never over another stack's.
 */
export function stackNameOfFile(file: string): string {
    const base = path.basename(file);
    const pulumi = /^Pulumi\.(.+)\.ya?ml$/.exec(base);
    const name = pulumi?.[1] ?? base.replace(/\.[^.]*$/, "");
    return name.replace(/[^A-Za-z0-9_.-]/g, "-") || "config";
}

/** Reads a YAML file; InputError naming the file for a missing, unreadable or malformed one, with line and column for a syntax error. */
export function readYamlFile(file: string, what: string): unknown {
    let text: string;
    try {
        if (fs.statSync(file).isDirectory()) {
            throw new InputError(`${file} is a directory, not ${what}`);
        }
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        if (err instanceof InputError) {
            throw err;
        }
        const code = (err as NodeJS.ErrnoException).code;
        throw new InputError(code === "ENOENT" ? `${file} does not exist` : `${file} cannot be read (${code === "EACCES" ? "permission denied" : (code ?? String(err))})`);
    }
    const doc = parseDocument(text, { prettyErrors: true });
    if (doc.errors.length > 0) {
        throw new InputError(
            doc.errors
                .map((e) => {
                    const at = e.linePos?.[0];
                    return `${file}${at === undefined ? "" : `:${at.line}:${at.col}`}: YAML syntax error: ${e.message.split("\n")[0].replace(/ at line \d+, column \d+:$/, "")}`;
                })
                .join("\n"),
        );
    }
    return doc.toJS();
}

/**
 * The `config:` map of a stack file (`{"meshgate:services": [...], "aws:region": "..."}`).
 * A file without one is an error: settings outside `config:` are not config, and a
 * file that silently configures nothing would plan the defaults.
 */
export function readStackConfig(file: string): Record<string, unknown> {
    const doc = readYamlFile(file, "a stack config file");
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
        throw new InputError(
            `${file}: a stack config file is a YAML map with a top-level "config:" map; this file holds ${doc === null || doc === undefined ? "nothing" : Array.isArray(doc) ? "a list" : `a ${typeof doc}`}`,
        );
    }
    const config = (doc as { config?: unknown }).config;
    if (!("config" in doc) || config === undefined) {
        const keys = Object.keys(doc);
        throw new InputError(
            `${file}: no top-level "config:" map; stack settings go under it (config:\n  meshgate:services: [...])${keys.length > 0 ? `; found only ${keys.map((k) => `"${k}"`).join(", ")}` : ""}`,
        );
    }
    if (config === null) {
        return {};
    }
    if (typeof config !== "object" || Array.isArray(config)) {
        throw new InputError(`${file}: "config" must be a map of keys such as meshgate:services`);
    }
    const problems: string[] = [];
    for (const [key, value] of Object.entries(config)) {
        if (typeof value === "object" && value !== null && "secure" in value) {
            problems.push(`${file}: ${key} is an encrypted value; the offline plan cannot decrypt it (meshgate generates its secrets and needs none in config)`);
        }
    }
    if (problems.length > 0) {
        throw new InputError(problems.join("\n"));
    }
    return config as Record<string, unknown>;
}

/**
 * Problems with the keys of a config map: a key must be `<namespace>:<name>`, the
 * namespace the project's name or a provider's. A namespace that is neither but is
 * within two edits of one (`meshgat:services`) is a misspelling: its settings would
 * be silently ignored. Namespaces far from every known one are left alone (a
 * provider meshgate does not know of may use them).
 */
export function configKeyProblems(config: Record<string, unknown>, project: string, providers: readonly string[]): string[] {
    const known = [project, "pulumi", ...providers];
    const problems: string[] = [];
    for (const key of Object.keys(config)) {
        const colon = key.indexOf(":");
        if (colon <= 0) {
            problems.push(`${key}: config keys are "<namespace>:<name>"; did you mean "${project}:${key}"?`);
            continue;
        }
        const ns = key.slice(0, colon);
        if (known.includes(ns)) {
            continue;
        }
        const near = known.find((k) => editDistance(ns, k) <= Math.min(2, Math.max(1, Math.floor(k.length / 3))));
        if (near !== undefined) {
            problems.push(
                `${key}: unknown namespace "${ns}" (did you mean "${near}:${key.slice(colon + 1)}"?); this project is "${project}", so its keys start with "${project}:"`,
            );
        }
    }
    return problems;
}

/** The namespaces of the Pulumi providers installed for a program (`@pulumi/aws` → `aws`), from every node_modules above `dir`. */
export function installedProviders(dir: string): string[] {
    const out = new Set<string>();
    for (let cur = path.resolve(dir); ; cur = path.dirname(cur)) {
        for (const scope of ["@pulumi", "@pulumiverse"]) {
            const scopeDir = path.join(cur, "node_modules", scope);
            if (fs.existsSync(scopeDir)) {
                fs.readdirSync(scopeDir).forEach((n) => out.add(n));
            }
        }
        if (path.dirname(cur) === cur) {
            break;
        }
    }
    return [...out].sort();
}

/** The `<project>:*` keys of a config block as one object (`{services: [...], cluster: {...}}`). */
export function meshgateSection(config: Record<string, unknown>, project = "meshgate"): Record<string, unknown> {
    const prefix = `${project}:`;
    return Object.fromEntries(
        Object.entries(config)
            .filter(([k]) => k.startsWith(prefix))
            .map(([k, v]) => [k.slice(prefix.length), v]),
    );
}

/** Reads a policy config file (the JSON `pulumi policy enable --config` takes): `{ "<policy>": level | {enforcementLevel?, ...tunables} }`. */
export function readPolicyConfig(file: string): Record<string, unknown> {
    let text: string;
    try {
        if (fs.statSync(file).isDirectory()) {
            throw new InputError(`${file} is a directory, not a policy config file`);
        }
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        if (err instanceof InputError) {
            throw err;
        }
        const code = (err as NodeJS.ErrnoException).code;
        throw new InputError(code === "ENOENT" ? `${file} does not exist` : `${file} cannot be read (${code ?? String(err)})`);
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (err) {
        throw new InputError(`${file}: not valid JSON (${(err as Error).message}); a policy config file is the JSON that pulumi policy enable --config takes`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw new InputError(`${file}: a policy config file is a JSON object of policy names, e.g. {"kong-route-rate-limit": "mandatory"}`);
    }
    return parsed as Record<string, unknown>;
}
