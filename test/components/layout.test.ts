/**
 * The layout of components/: which folder may import which. Folders form layers (shared
 * helpers such as aws/ at the bottom, platform/ at the top); a cycle between two folders
 * means neither can be understood, tested or reused without the other.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..", "components");

/** Every .ts file under components/, relative to it. */
function sources(dir = ROOT): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        return e.isDirectory() ? sources(full) : e.name.endsWith(".ts") ? [path.relative(ROOT, full)] : [];
    });
}

/** The unit of layering: a top-level folder, or a top-level file (util.ts, helm.ts, …). */
function unitOf(rel: string): string {
    return rel.split(path.sep)[0].replace(/\.ts$/, "");
}

/** Folder-level import graph (relative imports inside components/; the package's index.ts excluded). */
function importGraph(): Map<string, Set<string>> {
    const graph = new Map<string, Set<string>>();
    for (const rel of sources().filter((f) => f !== "index.ts")) {
        const from = unitOf(rel);
        const text = fs.readFileSync(path.join(ROOT, rel), "utf8");
        for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^;]*?from\s+"(\.[^"]+)"/g)) {
            const target = path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, rel)), m[1]));
            if (target.startsWith("..")) {
                continue;
            }
            const to = unitOf(target);
            if (to !== from) {
                graph.set(from, (graph.get(from) ?? new Set()).add(to));
            }
        }
    }
    return graph;
}

/** Folder pairs that reach each other. */
function cycles(graph: Map<string, Set<string>>): string[] {
    const reaches = (a: string, b: string, seen = new Set<string>()): boolean => {
        for (const next of graph.get(a) ?? []) {
            if (next === b || (!seen.has(next) && (seen.add(next), reaches(next, b, seen)))) {
                return true;
            }
        }
        return false;
    };
    const units = [...graph.keys()].sort();
    return units.flatMap((a) => units.filter((b) => a < b && reaches(a, b) && reaches(b, a)).map((b) => `${a} <-> ${b}`));
}

describe("components/ layout", () => {
    const graph = importGraph();

    it("reads the imports of every folder", () => {
        assert.ok(graph.size >= 10, `${graph.size} folders with imports`);
        assert.ok(graph.get("platform")?.has("cluster"), "platform imports cluster");
    });

    it("has no two folders that import each other, directly or through others", () => {
        assert.deepEqual(cycles(graph), []);
    });

    it("keeps the shared AWS helpers (aws/) below everything that uses them", () => {
        // aws/ uses only the bottom layer: the declaration's types and the shared utilities.
        assert.deepEqual([...(graph.get("aws") ?? [])].sort(), ["config", "util"]);
        for (const user of ["cluster", "lb-controller", "cluster-autoscaler"]) {
            assert.ok(graph.get(user)?.has("aws"), `${user} uses aws/`);
        }
        assert.ok(!graph.get("lb-controller")?.has("cluster"), "the LB controller does not reach into cluster/");
        assert.ok(!graph.get("cluster-autoscaler")?.has("cluster"), "the cluster autoscaler does not reach into cluster/");
    });

    it("lets observability use Istio's names without Istio importing observability", () => {
        assert.ok(!graph.get("istio")?.has("observability"));
    });

    it("finds a cycle when there is one (the check itself)", () => {
        const g = new Map([
            ["a", new Set(["b"])],
            ["b", new Set(["c"])],
            ["c", new Set(["a"])],
        ]);
        assert.deepEqual(cycles(g), ["a <-> b", "a <-> c", "b <-> c"]);
    });
});
