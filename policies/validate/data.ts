/**
 * Locates and reads meshgate's reference data (`data/` at the package root).
 *
 * The package root is found by walking up from this module's directory to the first
 * package.json whose name is "meshgate", so the same code works from the sources (run
 * under tsx: policies/validate/) and from the compiled package (dist/policies/validate/).
 * Nothing here reads ../shared: data/ is the only source.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { isRecord } from "./util";

export { isRecord };

const PACKAGE_NAME = "meshgate";

let cachedRoot: string | undefined;
const cachedJson = new Map<string, unknown>();

/** Directory of the meshgate package (the one holding `data/`). */
export function packageRoot(): string {
    if (cachedRoot !== undefined) return cachedRoot;
    let dir = __dirname;
    for (;;) {
        const pkg = path.join(dir, "package.json");
        if (existsSync(pkg)) {
            const parsed: unknown = JSON.parse(readFileSync(pkg, "utf8"));
            if (isRecord(parsed) && parsed.name === PACKAGE_NAME) {
                cachedRoot = dir;
                return dir;
            }
        }
        const parent = path.dirname(dir);
        if (parent === dir) throw new Error(`meshgate reference data: no package.json named "${PACKAGE_NAME}" above ${__dirname}`);
        dir = parent;
    }
}

/** Absolute path of a file under data/. */
export function dataPath(relative: string): string {
    return path.join(packageRoot(), "data", relative);
}

/** Parsed JSON of a file under data/ (read once, then cached). */
export function readDataJson(relative: string): unknown {
    const hit = cachedJson.get(relative);
    if (hit !== undefined) return hit;
    const file = dataPath(relative);
    if (!existsSync(file)) throw new Error(`meshgate reference data: ${path.join("data", relative)} is missing (regenerate with npm run refdata)`);
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    cachedJson.set(relative, parsed);
    return parsed;
}

/** Names of the `.json` files in a folder of data/, without extension, sorted. */
export function listDataJson(relativeDir: string): string[] {
    const dir = dataPath(relativeDir);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .map((f) => f.slice(0, -".json".length))
        .sort();
}

/** Dotted/indexed path of a JSON value: `spec.http[0].timeout`. */
export function formatPath(segments: readonly (string | number)[]): string {
    let out = "";
    for (const s of segments) {
        if (typeof s === "number") out += `[${s}]`;
        else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out === "" ? s : `.${s}`;
        else out += `[${JSON.stringify(s)}]`;
    }
    return out === "" ? "(root)" : out;
}
