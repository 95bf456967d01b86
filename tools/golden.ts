/**
 * Records the digests of every stack's plan output in test/golden/plans.json, after an intended change of what a stack
 * emits. `npm test` compares each plan with these digests, so a refactor that changes a byte fails there.
 *
 *   npm run golden
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GOLDEN_FILE, planDigests } from "../test/golden/digest";
import { plan } from "./plan/plan";
import { listStacks, readStackConfig, stackConfigPath } from "./plan/stack-config";

async function main(): Promise<void> {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "meshgate-golden-"));
    const golden: Record<string, Record<string, string>> = {};
    for (const stack of listStacks()) {
        const outDir = path.join(tmp, stack);
        const result = await plan({ stack, config: readStackConfig(stackConfigPath(stack)), outDir });
        if (result.kind !== "planned") throw new Error(`stack ${stack} does not plan`);
        golden[stack] = planDigests(outDir);
    }
    fs.writeFileSync(GOLDEN_FILE, `${JSON.stringify(golden, null, 2)}\n`);
    console.log(`wrote ${path.relative(process.cwd(), GOLDEN_FILE)} (${Object.keys(golden).join(", ")})`);
}

void main();
