/**
 * Finds tests that could pass without testing anything: an `it(...)` whose assertions inside a
 * loop (`for … of`, `for … in`, `for (;;)`, `.forEach`), or whose `assert.ok(xs.every(…))`, run
 * over a collection the test did not write out and are not preceded by an assertion on that
 * collection's size. Such a loop passes when the collection is empty.
 *
 *   node --import tsx test/vacuous/scan.ts [files…]     (default: every test/**\/*.ts)
 *
 * A loop counts as guarded when an earlier statement of the same test (or the loop's own
 * enclosing block) asserts on the iterated expression's root identifier and mentions a size
 * (`.length`, `.size`, `Object.keys(...)`), or compares the whole collection (`deepEqual`), or
 * when the loop iterates over a literal (`[...]`, `Object.entries({...})`) the test wrote out.
 * Assertions are calls of `assert`, `assert.*` or a helper whose name starts with `assert` or
 * `expect`.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import ts from "typescript";

export interface LoopFinding {
    readonly file: string;
    readonly line: number;
    /** The `it(...)` title. */
    readonly test: string;
    /** The iterated expression as written. */
    readonly iterable: string;
    /** True when every assertion of the test sits inside unguarded loops (the test can pass having asserted nothing). */
    readonly loopOnly: boolean;
}

/** Names of the test tree's own functions that assert (helpers such as `assertRefused`, `named`); set per scan. */
let assertingHelpers: ReadonlySet<string> = new Set();

function isAssertCall(node: ts.Node): boolean {
    if (!ts.isCallExpression(node)) return false;
    const callee = node.expression;
    if (ts.isIdentifier(callee)) return /^(assert|expect)/.test(callee.text) || assertingHelpers.has(callee.text);
    if (ts.isPropertyAccessExpression(callee)) {
        const obj = callee.expression;
        return ts.isIdentifier(obj) && obj.text === "assert";
    }
    return false;
}

function containsAssert(node: ts.Node): boolean {
    let found = false;
    const visit = (n: ts.Node): void => {
        if (found) return;
        if (isAssertCall(n)) found = true;
        else ts.forEachChild(n, visit);
    };
    visit(node);
    return found;
}

/** The identifier a collection expression is rooted at: `a.b.c` → a, `byType(x, "T")` → the call text. */
function rootOf(expr: ts.Expression, sf: ts.SourceFile): string {
    let e: ts.Expression = expr;
    for (;;) {
        if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isAwaitExpression(e)) e = e.expression;
        else if (ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.arguments.length === 1 && !ts.isLiteralExpression(e.arguments[0])) {
            e = e.arguments[0]; // judge(xs), allKeys(values): what the function was given
        } else if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) e = e.expression;
        else if (
            ts.isCallExpression(e) &&
            ts.isPropertyAccessExpression(e.expression) &&
            ["filter", "map", "flatMap", "slice", "sort", "entries", "values", "keys"].includes(e.expression.name.text)
        ) {
            e = e.expression.expression;
        } else if (
            ts.isCallExpression(e) &&
            ts.isPropertyAccessExpression(e.expression) &&
            ts.isIdentifier(e.expression.expression) &&
            e.expression.expression.text === "Object" &&
            e.arguments.length > 0
        ) {
            e = e.arguments[0];
        } else break;
    }
    return e.getText(sf);
}

/** `const name = <initializer>` declarations of a file, by name (the innermost wins; good enough for tests). */
function constInitializers(sf: ts.SourceFile): Map<string, ts.Expression> {
    const found = new Map<string, ts.Expression>();
    const visit = (n: ts.Node): void => {
        if (ts.isVariableDeclarationList(n) && (n.flags & ts.NodeFlags.Const) !== 0) {
            for (const d of n.declarations) if (ts.isIdentifier(d.name) && d.initializer) found.set(d.name.text, d.initializer);
        }
        ts.forEachChild(n, visit);
    };
    visit(sf);
    return found;
}

/**
 * The loop iterates over something the test wrote out: an array or object literal (directly or
 * through a `const`), `Object.entries/keys/values` of one. `.filter` of a literal is not
 * written out (it may filter everything away).
 */
function isLiteralCollection(expr: ts.Expression, consts: ReadonlyMap<string, ts.Expression>, depth = 0): boolean {
    let e: ts.Expression = expr;
    while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
    if (ts.isNumericLiteral(e)) return Number(e.text.replace(/_/g, "")) > 0; // for (let i = 0; i < 10_000; i++)
    if (ts.isArrayLiteralExpression(e)) return e.elements.length > 0;
    if (ts.isObjectLiteralExpression(e)) return e.properties.length > 0;
    if (ts.isIdentifier(e) && depth < 4) {
        const init = consts.get(e.text);
        return init !== undefined && isLiteralCollection(init, consts, depth + 1);
    }
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression)) {
        const target = e.expression.expression;
        if (ts.isIdentifier(target) && target.text === "Object" && e.arguments.length === 1) return isLiteralCollection(e.arguments[0], consts, depth);
        if (["map", "entries", "keys", "values"].includes(e.expression.name.text)) return isLiteralCollection(target, consts, depth);
    }
    return false;
}

/**
 * Assertions that hold for an empty collection as a loop does: `assert.ok(xs.every(…))`,
 * `assert.ok(!xs.some(…))`, `assert.deepEqual(xs.filter(…), [])` (also through map/flatMap).
 * Returns the `xs.<method>` access.
 */
function everyAsserted(n: ts.Node): ts.PropertyAccessExpression | undefined {
    if (!ts.isCallExpression(n) || !ts.isPropertyAccessExpression(n.expression) || !ts.isIdentifier(n.expression.expression)) return undefined;
    if (n.expression.expression.text !== "assert" || n.arguments.length === 0) return undefined;
    const method = n.expression.name.text;
    const arg = n.arguments[0];
    const call = (e: ts.Expression, names: readonly string[]): ts.PropertyAccessExpression | undefined =>
        ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && names.includes(e.expression.name.text) ? e.expression : undefined;
    if (method === "ok") {
        if (ts.isPrefixUnaryExpression(arg) && arg.operator === ts.SyntaxKind.ExclamationToken) return call(arg.operand, ["some"]);
        return call(arg, ["every"]);
    }
    if (method === "deepEqual" && n.arguments.length >= 2 && ts.isArrayLiteralExpression(n.arguments[1]) && n.arguments[1].elements.length === 0) {
        // the innermost filter of a chain: xs.filter(…).map(…) → xs.filter
        let found: ts.PropertyAccessExpression | undefined;
        let e: ts.Expression = arg;
        for (let access = call(e, ["filter", "map", "flatMap"]); access; access = call(e, ["filter", "map", "flatMap"])) {
            if (access.name.text !== "map") found = access;
            e = access.expression;
        }
        return found;
    }
    return undefined;
}

interface Loop {
    readonly node: ts.Node;
    readonly iterable: ts.Expression | undefined;
    readonly body: ts.Node;
}

function loopOf(node: ts.Node): Loop | undefined {
    if (ts.isForOfStatement(node) || ts.isForInStatement(node)) return { node, iterable: node.expression, body: node.statement };
    if (ts.isForStatement(node)) {
        // for (let i = 0; i < xs.length; i++): the bound's collection
        const cond = node.condition;
        const bound = cond && ts.isBinaryExpression(cond) ? cond.right : undefined;
        return { node, iterable: bound, body: node.statement };
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === "forEach" && node.arguments.length > 0) {
        return { node, iterable: node.expression.expression, body: node.arguments[0] };
    }
    return undefined;
}

/**
 * An assertion statement before `pos` in the test that pins the size or whole value of `root`,
 * or of the collection `root` was derived from (`const hosts = rl.map(…)` after `rl.length`).
 */
function guarded(testBody: ts.Node, pos: number, root: string, sf: ts.SourceFile, consts: ReadonlyMap<string, ts.Expression>, depth = 0): boolean {
    const init = depth < 3 ? consts.get(root) : undefined;
    if (init !== undefined) {
        const from = rootOf(init, sf);
        if (from !== root && guarded(testBody, pos, from, sf, consts, depth + 1)) return true;
    }
    let ok = false;
    const visit = (n: ts.Node): void => {
        if (ok || n.getStart(sf) >= pos) return;
        const loop = loopOf(n);
        if (loop && n.getEnd() <= pos && !(loop.iterable !== undefined && isLiteralCollection(loop.iterable, consts))) {
            // an assertion inside an earlier loop over something not written out guards nothing
            return;
        }
        if (isAssertCall(n)) {
            const text = n.getText(sf);
            const call = n as ts.CallExpression;
            const method = ts.isPropertyAccessExpression(call.expression) ? call.expression.name.text : "";
            const mentions = text.includes(root) || (root.startsWith("this.") && text.includes(root.slice(5)));
            if (
                mentions &&
                (/\.length\b|\.size\b|Object\.keys\(|\.some\(|\.find\(|\.includes\(|\.has\(/.test(text) ||
                    (["deepEqual", "equal"].includes(method) && call.arguments.length > 0 && call.arguments[0].getText(sf).startsWith(root)))
            )
                ok = true;
            return;
        }
        ts.forEachChild(n, visit);
    };
    ts.forEachChild(testBody, visit);
    return ok;
}

/** Variables a loop body counts or collects into (`n++`, `n += …`, `xs.push(…)`, `set.add(…)`). */
function tallies(body: ts.Node): Set<string> {
    const names = new Set<string>();
    const visit = (n: ts.Node): void => {
        if ((ts.isPostfixUnaryExpression(n) || ts.isPrefixUnaryExpression(n)) && ts.isIdentifier(n.operand)) names.add(n.operand.text);
        if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken && ts.isIdentifier(n.left)) names.add(n.left.text);
        if (
            ts.isCallExpression(n) &&
            ts.isPropertyAccessExpression(n.expression) &&
            ["push", "add", "set"].includes(n.expression.name.text) &&
            ts.isIdentifier(n.expression.expression)
        ) {
            names.add(n.expression.expression.text);
        }
        ts.forEachChild(n, visit);
    };
    visit(body);
    return names;
}

/** An assertion after the loop on what the loop counted (`assert.ok(expected > 40)`). */
function countedAfter(testBody: ts.Node, loop: ts.Node, sf: ts.SourceFile): boolean {
    const names = tallies(loop);
    if (names.size === 0) return false;
    let ok = false;
    const visit = (n: ts.Node): void => {
        if (ok) return;
        if (isAssertCall(n) && n.getStart(sf) >= loop.getEnd()) {
            const text = n.getText(sf);
            if ([...names].some((name) => new RegExp(`\\b${name}\\b`).test(text))) ok = true;
            return;
        }
        ts.forEachChild(n, visit);
    };
    ts.forEachChild(testBody, visit);
    return ok;
}

function testTitle(call: ts.CallExpression, sf: ts.SourceFile): string {
    const first = call.arguments[0];
    return first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first)) ? first.text : first ? first.getText(sf) : "";
}

function isItCall(node: ts.Node): node is ts.CallExpression {
    return ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "it" && node.arguments.length >= 2;
}

/** Every unguarded assertion loop in one source text; `helpers` names functions that assert. */
export function scanSource(file: string, text: string, helpers: ReadonlySet<string> = new Set()): LoopFinding[] {
    assertingHelpers = helpers;
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const findings: LoopFinding[] = [];
    const consts = constInitializers(sf);
    const visitTest = (test: ts.CallExpression): void => {
        const fn = test.arguments[test.arguments.length - 1];
        if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return;
        const unguarded: { loop: Loop; line: number }[] = [];
        const visit = (n: ts.Node): void => {
            // assert.ok(xs.every(…)) holds for an empty xs just like a loop
            const every = everyAsserted(n);
            if (every && !isLiteralCollection(every.expression, consts)) {
                const root = rootOf(every.expression, sf);
                if (!guarded(fn.body, n.getStart(sf), root, sf, consts)) {
                    unguarded.push({ loop: { node: n, iterable: every.expression, body: n }, line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1 });
                    return;
                }
            }
            const loop = loopOf(n);
            if (loop && containsAssert(loop.body)) {
                const literal = loop.iterable !== undefined && isLiteralCollection(loop.iterable, consts);
                if (!literal) {
                    const root = loop.iterable ? rootOf(loop.iterable, sf) : "";
                    if (!root || (!guarded(fn.body, n.getStart(sf), root, sf, consts) && !countedAfter(fn.body, n, sf))) {
                        unguarded.push({ loop, line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1 });
                        return; // nested loops inside an unguarded one are reported once
                    }
                }
            }
            ts.forEachChild(n, visit);
        };
        ts.forEachChild(fn.body, visit);
        if (unguarded.length === 0) return;
        // loop-only: no assertion outside the unguarded loops
        let outside = false;
        const outsideVisit = (n: ts.Node): void => {
            if (outside) return;
            if (unguarded.some((u) => u.loop.node === n)) return;
            if (isAssertCall(n)) outside = true;
            else ts.forEachChild(n, outsideVisit);
        };
        ts.forEachChild(fn.body, outsideVisit);
        for (const u of unguarded) {
            findings.push({ file, line: u.line, test: testTitle(test, sf), iterable: u.loop.iterable?.getText(sf) ?? "?", loopOnly: !outside });
        }
    };
    /** A loop that registers tests per item registers none for an empty collection: some test must count it. */
    const visitGenerator = (n: ts.Node, loop: Loop): boolean => {
        let registers = false;
        const find = (m: ts.Node): void => {
            if (registers) return;
            if (isItCall(m)) registers = true;
            else ts.forEachChild(m, find);
        };
        find(loop.body);
        if (!registers || loop.iterable === undefined || isLiteralCollection(loop.iterable, consts)) return false;
        const root = rootOf(loop.iterable, sf);
        // counted by an assertion anywhere in the file, on the collection or on a const taken from it
        const aliases = [root, ...[...consts].filter(([, init]) => rootOf(init, sf) === root).map(([name]) => name)];
        if (!aliases.some((a) => guarded(sf, sf.getEnd(), a, sf, consts))) {
            findings.push({
                file,
                line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1,
                test: "(tests registered per item)",
                iterable: loop.iterable.getText(sf),
                loopOnly: true,
            });
        }
        return true;
    };
    const walk = (n: ts.Node): void => {
        if (isItCall(n)) {
            visitTest(n);
            return;
        }
        const loop = loopOf(n);
        if (loop) visitGenerator(n, loop);
        ts.forEachChild(n, walk);
    };
    walk(sf);
    return findings;
}

function testFiles(dir: string): string[] {
    return readdirSync(dir).flatMap((f) => {
        const full = path.join(dir, f);
        if (statSync(full).isDirectory()) return f === "fixtures" ? [] : testFiles(full);
        return f.endsWith(".ts") ? [full] : [];
    });
}

/** Functions declared in `text` (declarations and `const f = (…) => …`) whose body asserts. */
function helpersThatAssert(file: string, text: string): string[] {
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const names: string[] = [];
    const visit = (n: ts.Node): void => {
        if (ts.isFunctionDeclaration(n) && n.name && n.body && containsAssert(n.body)) names.push(n.name.text);
        if (
            ts.isVariableDeclaration(n) &&
            ts.isIdentifier(n.name) &&
            n.initializer &&
            (ts.isArrowFunction(n.initializer) || ts.isFunctionExpression(n.initializer)) &&
            containsAssert(n.initializer.body)
        ) {
            names.push(n.name.text);
        }
        ts.forEachChild(n, visit);
    };
    visit(sf);
    return names;
}

/** Every unguarded assertion loop under the test tree. */
export function scanTests(testDir: string): LoopFinding[] {
    const files = testFiles(testDir)
        .sort()
        .map((f) => ({ file: path.relative(path.dirname(testDir), f), text: readFileSync(f, "utf8") }));
    const helpers = new Set(files.flatMap((f) => helpersThatAssert(f.file, f.text)));
    return files.flatMap((f) => scanSource(f.file, f.text, helpers));
}

if (require.main === module) {
    const args = process.argv.slice(2);
    const root = path.resolve(__dirname, "..", "..");
    const findings =
        args.length > 0 ? args.flatMap((f) => scanSource(f, readFileSync(f, "utf8"), new Set(helpersThatAssert(f, readFileSync(f, "utf8"))))) : scanTests(path.join(root, "test"));
    for (const f of findings) process.stdout.write(`${f.file}:${f.line}\t${f.loopOnly ? "LOOP-ONLY" : "unguarded"}\t${f.iterable}\t${f.test}\n`);
    const tests = new Set(findings.map((f) => `${f.file}\0${f.test}`)).size;
    const loopOnly = new Set(findings.filter((f) => f.loopOnly).map((f) => `${f.file}\0${f.test}`)).size;
    process.stdout.write(`${findings.length} unguarded loops in ${tests} tests (${loopOnly} tests assert only inside them)\n`);
}
