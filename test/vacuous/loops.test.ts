// Tests that cannot pass vacuously (issue 15 item 5): no test asserts only inside a loop over a
// collection it did not first count. test/vacuous/scan.ts finds them; this keeps the tree clean.
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { scanSource, scanTests } from "./scan";

const scan = (body: string) => scanSource("x.test.ts", `describe("x", () => {\n    it("t", () => {\n${body}\n    });\n});\n`);

describe("the vacuous-loop scanner", () => {
    it("flags a test whose only assertions sit in a loop over a collection it never counted", () => {
        const found = scan(`const rs = run.byType("aws:eks/cluster:Cluster");\nfor (const r of rs) assert.equal(r.inputs.version, "1.33");`);
        assert.deepEqual(
            found.map((f) => [f.iterable, f.loopOnly]),
            [["rs", true]],
        );
    });

    it("flags .forEach and a loop beside other assertions (not loop-only), and a loop over a filtered literal", () => {
        const found = scan(`assert.ok(true);\nrun.byType("T").forEach((r) => assert.ok(r.name));\nfor (const x of [1, 2].filter((n) => n > 5)) assert.ok(x);`);
        assert.deepEqual(
            found.map((f) => [f.iterable, f.loopOnly]),
            [
                ['run.byType("T")', false],
                ["[1, 2].filter((n) => n > 5)", false],
            ],
        );
    });

    it("flags assert.ok(xs.every(…)) on a collection never counted (true for an empty one), not on a counted one", () => {
        assert.deepEqual(
            scan(`const xs = run.byType("T");\nassert.ok(xs.every((x) => x.ok));`).map((f) => f.iterable),
            ["xs"],
        );
        assert.equal(scan(`const xs = run.byType("T");\nassert.equal(xs.length, 3);\nconst names = xs.map((x) => x.name);\nassert.ok(names.every((n) => n !== ""));`).length, 0);
    });

    it("flags assert.ok(!xs.some(…)) and assert.deepEqual(xs.filter(…), []) on an uncounted collection", () => {
        assert.deepEqual(
            scan(`assert.ok(!run.resources.some((r) => r.bad));`).map((f) => f.iterable),
            ["run.resources"],
        );
        assert.deepEqual(
            scan(`assert.deepEqual(run.resources.filter((r) => r.bad).map((r) => r.name), []);`).map((f) => f.iterable),
            ["run.resources"],
        );
        assert.equal(scan(`assert.equal(run.resources.length, 3);\nassert.deepEqual(run.resources.filter((r) => r.bad), []);`).length, 0);
        assert.equal(scan(`assert.deepEqual(run.resources.filter((r) => r.bad), [{ name: "a" }]);`).length, 0);
    });

    it("flags a loop calling a helper that asserts (expect…/assert…)", () => {
        assert.equal(scan(`for (const r of rs) expectValid(r);`).length, 1);
        assert.equal(scanSource("x.test.ts", `it("t", () => { for (const r of rs) valid(r); });`, new Set(["valid"])).length, 1);
    });

    it("stays quiet when the count is asserted first, or a counter after, or the collection is written out", () => {
        const quiet = [
            `const rs = run.byType("T");\nassert.equal(rs.length, 2);\nfor (const r of rs) assert.ok(r.name);`,
            `const rs = run.byType("T");\nassert.deepEqual(rs.map((r) => r.name), ["a", "b"]);\nfor (const r of rs) assert.ok(r.name);`,
            `let n = 0;\nfor (const r of rs) { n++; assert.ok(r.name); }\nassert.equal(n, 3);`,
            `for (const s of ["dev", "prod"]) assert.ok(plan(s));`,
            `const cases = [{ a: 1 }];\nfor (const c of cases) assert.ok(c.a);`,
            `for (const [k, v] of Object.entries({ a: 1 })) assert.ok(k && v);`,
            `for (let i = 0; i < 10_000; i++) assert.ok(i >= 0);`,
            `for (const r of rs) console.log(r);`,
        ];
        assert.deepEqual(
            quiet.map((body) => scan(body).length),
            quiet.map(() => 0),
        );
    });

    it("flags tests registered per item of an uncounted collection (none are registered when it is empty), not when a test counts it", () => {
        const generated = `for (const stack of listStacks()) {\n    describe(stack, () => { it("plans", () => assert.ok(plan(stack))); });\n}\n`;
        assert.deepEqual(
            scanSource("x.test.ts", generated).map((f) => [f.iterable, f.test]),
            [["listStacks()", "(tests registered per item)"]],
        );
        const counted = `it("lists the stacks", () => { const stacks = listStacks(); assert.ok(stacks.includes("dev")); });\n${generated}`;
        assert.deepEqual(scanSource("x.test.ts", counted), []);
        assert.deepEqual(scanSource("x.test.ts", `for (const n of [1, 2]) it(String(n), () => assert.ok(n));`), []);
    });

    it("finds no unguarded assertion loop in test/ (guard each with the count it expects)", () => {
        const findings = scanTests(path.join(__dirname, ".."));
        assert.deepEqual(
            findings.map((f) => `${f.file}:${f.line} ${f.test}: loop over ${f.iterable}`),
            [],
        );
    });
});
