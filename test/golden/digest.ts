import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** The files of a plan whose bytes must not change without intent: resources.json, workloads.json, routes.json and every manifest. */
export function planDigests(outDir: string): Record<string, string> {
    const files = ["resources.json", "workloads.json", "routes.json", ...fs.readdirSync(path.join(outDir, "manifests")).sort().map((f) => `manifests/${f}`)];
    const digests: Record<string, string> = {};
    for (const f of files) {
        digests[f] = createHash("sha256").update(fs.readFileSync(path.join(outDir, f))).digest("hex").slice(0, 16);
    }
    return digests;
}

export const GOLDEN_FILE = path.join(__dirname, "plans.json");
