/**
 * Reads a stack's config the way the Pulumi CLI would: `stacks/Pulumi.<stack>.yaml`
 * (Pulumi.yaml sets stackConfigDir: stacks), its `config:` block with keys
 * namespaced by project. Encrypted values cannot be read offline, and meshgate
 * never needs any: its secrets are generated.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const STACKS_DIR = path.join(REPO_ROOT, "stacks");

/** The stacks under stacks/, by name. */
export function listStacks(dir = STACKS_DIR): string[] {
    return fs
        .readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

export function stackConfigPath(stack: string, dir = STACKS_DIR): string {
    return path.join(dir, `Pulumi.${stack}.yaml`);
}

/** The `config:` block of a stack file (`{"meshgate:services": [...], "aws:region": "..."}`). */
export function readStackConfig(file: string): Record<string, unknown> {
    const doc: unknown = parse(fs.readFileSync(file, "utf8"));
    const config = typeof doc === "object" && doc !== null ? (doc as { config?: unknown }).config : undefined;
    if (config === undefined || config === null) {
        return {};
    }
    if (typeof config !== "object" || Array.isArray(config)) {
        throw new Error(`${file}: "config" must be a map of keys such as meshgate:services`);
    }
    for (const [key, value] of Object.entries(config)) {
        if (typeof value === "object" && value !== null && "secure" in value) {
            throw new Error(`${file}: ${key} is an encrypted value; the offline plan cannot decrypt it (meshgate generates its secrets and needs none in config)`);
        }
    }
    return config as Record<string, unknown>;
}

/** The `meshgate:*` keys of a config block as one object (`{services: [...], cluster: {...}}`). */
export function meshgateSection(config: Record<string, unknown>, project = "meshgate"): Record<string, unknown> {
    const prefix = `${project}:`;
    return Object.fromEntries(Object.entries(config).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
}
