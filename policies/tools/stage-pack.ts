/**
 * node --import tsx policies/tools/stage-pack.ts [OUT_DIR]
 *
 * Assembles a self-contained copy of the policy pack for `pulumi policy publish`, which uploads
 * one folder: policies/ (without tools/) plus the reference data the rules read (data/, found by
 * policies/validate through the nearest package.json named "meshgate"). Default OUT_DIR:
 * out/policy-pack. Then: `cd out/policy-pack && npm ci && pulumi policy publish <org>`.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const PACK = path.join(ROOT, "policies");

/** Everything the pack runs: sources, PulumiPolicy.yaml, tsconfig, README; not tools/ or node_modules/. */
function include(rel: string): boolean {
    const top = rel.split(path.sep)[0];
    return top !== "tools" && top !== "node_modules";
}

function copyTree(from: string, to: string, filter: (rel: string) => boolean, base = from): void {
    fs.mkdirSync(to, { recursive: true });
    for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
        const src = path.join(from, entry.name);
        const rel = path.relative(base, src);
        if (!filter(rel)) {
            continue;
        }
        const dst = path.join(to, entry.name);
        if (entry.isDirectory()) {
            copyTree(src, dst, filter, base);
        } else if (entry.isFile()) {
            fs.copyFileSync(src, dst);
        }
    }
}

export function stagePack(outDir: string): string {
    fs.rmSync(outDir, { recursive: true, force: true });
    copyTree(PACK, outDir, include);
    copyTree(path.join(ROOT, "data"), path.join(outDir, "data"), () => true);
    const pkg: unknown = JSON.parse(fs.readFileSync(path.join(PACK, "package.json"), "utf8"));
    if (typeof pkg !== "object" || pkg === null || Array.isArray(pkg)) {
        throw new Error("policies/package.json is not an object");
    }
    // Named "meshgate" so that policies/validate/data.ts takes this folder as the package root
    // and reads ./data; the pack's own name is the PolicyPack's ("meshgate") either way.
    const staged = { ...pkg, name: "meshgate" };
    fs.writeFileSync(path.join(outDir, "package.json"), `${JSON.stringify(staged, null, 4)}\n`);
    // The lockfile (policies/package-lock.json) pins the pack's whole tree for `npm ci`; same name as the package.
    const lock = JSON.parse(fs.readFileSync(path.join(PACK, "package-lock.json"), "utf8")) as { name?: string; packages?: Record<string, { name?: string }> };
    lock.name = "meshgate";
    if (lock.packages?.[""] !== undefined) {
        lock.packages[""].name = "meshgate";
    }
    fs.writeFileSync(path.join(outDir, "package-lock.json"), `${JSON.stringify(lock, null, 4)}\n`);
    return outDir;
}

if (require.main === module) {
    // Under `npm run policy:stage -- DIR`, npm runs in the repository root; DIR is the user's, from INIT_CWD.
    const base = process.env.npm_lifecycle_event === "policy:stage" ? (process.env.INIT_CWD ?? process.cwd()) : process.cwd();
    const out = process.argv[2] === undefined ? path.join(ROOT, "out", "policy-pack") : path.resolve(base, process.argv[2]);
    stagePack(out);
    process.stdout.write(`staged the policy pack in ${path.relative(process.cwd(), out) || "."}\n`);
}
