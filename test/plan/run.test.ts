import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const run = require("../../tools/run.cjs") as { distIsFresh(root?: string): boolean; buildSources(root?: string): string[] };

// tools/run.cjs: npm run plan / check load the compiled dist/ only when it was built from the current sources.
describe("the CLI launcher's choice of dist/ (tools/run.cjs)", () => {
    let root: string;
    const write = (rel: string, text: string, mtime: number) => {
        const file = path.join(root, rel);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
        fs.utimesSync(file, mtime, mtime);
    };
    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "meshgate-run-"));
        write("tsconfig.build.json", JSON.stringify({ include: ["lib", "tools/cli.ts"], exclude: ["lib/skip.ts"] }), 1000);
        write("lib/a.ts", "", 1000);
        write("lib/a.d.ts", "", 5000);
        write("lib/skip.ts", "", 5000);
        write("tools/cli.ts", "", 1000);
        write("dist/lib/a.js", "", 2000);
        write("dist/tools/cli.js", "", 2000);
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it("lists what tsconfig.build.json compiles (include minus exclude, no .d.ts)", () => {
        assert.deepEqual(run.buildSources(root).sort(), [path.join("lib", "a.ts"), path.join("tools", "cli.ts")]);
    });

    it("takes dist/ when every source has an output written no earlier", () => {
        assert.equal(run.distIsFresh(root), true);
    });

    it("takes the sources when one changed after the build, one has no output, or MESHGATE_FROM_SOURCE=1", () => {
        write("lib/a.ts", "// edited", 3000);
        assert.equal(run.distIsFresh(root), false, "edited source");
        write("lib/a.ts", "", 1000);
        write("lib/new.ts", "", 1000);
        assert.equal(run.distIsFresh(root), false, "source never built");
        fs.rmSync(path.join(root, "lib", "new.ts"));
        assert.equal(run.distIsFresh(root), true);
        process.env.MESHGATE_FROM_SOURCE = "1";
        try {
            assert.equal(run.distIsFresh(root), false, "forced");
        } finally {
            delete process.env.MESHGATE_FROM_SOURCE;
        }
    });
});
