#!/usr/bin/env node
"use strict";
/**
 * What `npm run plan` and `npm run check` start: the meshgate CLI from the
 * compiled dist/ (`npm run build`) when it is fresh, else from the TypeScript
 * sources under tsx, as before.
 *
 * Fresh: every TypeScript source the build compiles (tsconfig.build.json's
 * include minus its exclude) has its dist/ counterpart, written no earlier
 * than the source was last modified. A stat of each pair: a few milliseconds.
 * Loading the plan from dist/ skips tsx's loader (a worker thread for its
 * module hooks, a transpile-cache lookup per file): ~0.7 s of CPU and ~45 MB
 * less per run (bench/README.md §1a). MESHGATE_FROM_SOURCE=1 always runs the
 * sources.
 *
 * Plain CommonJS so that it needs no loader itself.
 */
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const DIST = path.join(ROOT, "dist");

/** The .ts files tsconfig.build.json compiles, as paths relative to the root. */
function buildSources(root = ROOT) {
    const config = JSON.parse(fs.readFileSync(path.join(root, "tsconfig.build.json"), "utf8"));
    const excluded = new Set((config.exclude || []).map((p) => path.normalize(p)));
    const out = [];
    const visit = (rel) => {
        if (excluded.has(rel)) {
            return;
        }
        const stat = fs.statSync(path.join(root, rel), { throwIfNoEntry: false });
        if (stat === undefined) {
            return;
        }
        if (stat.isDirectory()) {
            for (const name of fs.readdirSync(path.join(root, rel))) {
                visit(path.join(rel, name));
            }
        } else if (rel.endsWith(".ts") && !rel.endsWith(".d.ts")) {
            out.push(rel);
        }
    };
    for (const p of config.include || []) {
        visit(path.normalize(p));
    }
    return out;
}

/** True when dist/ holds a build of every current source. */
function distIsFresh(root = ROOT) {
    if (process.env.MESHGATE_FROM_SOURCE === "1") {
        return false;
    }
    let sources;
    try {
        sources = buildSources(root);
    } catch {
        return false;
    }
    if (sources.length === 0) {
        return false;
    }
    for (const rel of sources) {
        const built = fs.statSync(path.join(root, "dist", rel.replace(/\.ts$/, ".js")), { throwIfNoEntry: false });
        if (built === undefined || built.mtimeMs < fs.statSync(path.join(root, rel)).mtimeMs) {
            return false;
        }
    }
    return true;
}

async function main() {
    if (distIsFresh()) {
        // V8's compiled code of the modules, kept between runs (tools/compile-cache.cjs).
        require("./compile-cache.cjs").enableCompileCache();
        require(path.join(DIST, "tools", "cli.js")).run(process.argv.slice(2));
        return;
    }
    // What `node --import tsx` does: tsx's loader for both module systems.
    await import("tsx");
    require(path.join(ROOT, "tools", "cli.ts")).run(process.argv.slice(2));
}

module.exports = { distIsFresh, buildSources };

if (require.main === module) {
    main().catch((err) => {
        console.error(err);
        process.exit(3);
    });
}
