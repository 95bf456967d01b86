/**
 * CEL as the Kubernetes API server evaluates `x-kubernetes-validations` rules, on top of
 * @bufbuild/cel (standard CEL plus its `strings` extension).
 *
 * Kubernetes adds libraries to standard CEL. Implemented here are those the CRDs in data/crds
 * use (found by scanning their rules: `duration()`, `url()`/`getScheme()`, `substring`,
 * `matches`, `int()`, `exists_one`/`filter` macros), plus the rest of Kubernetes' URL library
 * (`isURL`, `getHost`, `getHostname`, `getPort`, `getEscapedPath`). Standard CEL and the
 * strings extension cover the others. A rule calling anything else does not compile:
 * `compileRule` throws, it never passes silently.
 *
 * "Compiling" a rule means: parse it, check that every function it calls exists in this
 * environment with that arity and call style (global or method), that every identifier is
 * `self`, `oldSelf`, a macro variable or a type name, and plan it. @bufbuild/cel has no public
 * type checker, so argument types are checked at evaluation time (a mismatch is an
 * evaluation error, reported as a failed rule).
 */
import { celEnv, celFunc, celMethod, CelScalar, isCelError, isCelMap, mapType, parse, plan } from "@bufbuild/cel";
import type { CelEnv, CelFunc, CelInput, CelMap, CelResult } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";

// ---------------------------------------------------------------------------------------
// Kubernetes URL library (k8s.io/apiserver/pkg/cel/library/urls.go).
// A URL value is a CEL map carrying a private key; its methods refuse any other map.

const URL_KEY = "@kubernetes.url";

interface ParsedUrl {
    scheme: string;
    host: string;
    hostname: string;
    port: string;
    escapedPath: string;
}

/** Parses like Go's url.ParseRequestURI: an absolute URI or an absolute path. */
function parseRequestUri(raw: string): ParsedUrl {
    if (raw.startsWith("/")) {
        if (/[\s]/.test(raw)) throw new Error(`URL parse error: invalid path ${JSON.stringify(raw)}`);
        const path = raw.split(/[?#]/, 1)[0];
        return { scheme: "", host: "", hostname: "", port: "", escapedPath: path };
    }
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(raw)) throw new Error(`URL parse error: ${JSON.stringify(raw)} is not an absolute URI or an absolute path`);
    let url: URL;
    try {
        url = new URL(raw);
    } catch {
        throw new Error(`URL parse error: invalid URL ${JSON.stringify(raw)}`);
    }
    const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    // WHATWG URL reports "/" for "https://host"; Go's EscapedPath is "" there.
    const hasPath = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*\//.test(raw);
    const escapedPath = hasPath || url.pathname !== "/" ? url.pathname : "";
    return { scheme: url.protocol.slice(0, -1), host: url.host, hostname, port: url.port, escapedPath };
}

function urlOf(target: CelMap): ParsedUrl {
    const raw = target.get(URL_KEY);
    if (typeof raw !== "string") throw new Error("no such overload: URL method called on a map");
    return parseRequestUri(raw);
}

const ANY_MAP = mapType(CelScalar.DYN, CelScalar.DYN);

const kubernetesUrlLibrary: CelFunc[] = [
    celFunc("url", [CelScalar.STRING], ANY_MAP, (raw: string) => {
        parseRequestUri(raw);
        return new Map<string, string>([[URL_KEY, raw]]);
    }),
    celFunc("isURL", [CelScalar.STRING], CelScalar.BOOL, (raw: string) => {
        try {
            parseRequestUri(raw);
            return true;
        } catch {
            return false;
        }
    }),
    celMethod("getScheme", ANY_MAP, [], CelScalar.STRING, function (this: CelMap) {
        return urlOf(this).scheme;
    }),
    celMethod("getHost", ANY_MAP, [], CelScalar.STRING, function (this: CelMap) {
        return urlOf(this).host;
    }),
    celMethod("getHostname", ANY_MAP, [], CelScalar.STRING, function (this: CelMap) {
        return urlOf(this).hostname;
    }),
    celMethod("getPort", ANY_MAP, [], CelScalar.STRING, function (this: CelMap) {
        return urlOf(this).port;
    }),
    celMethod("getEscapedPath", ANY_MAP, [], CelScalar.STRING, function (this: CelMap) {
        return urlOf(this).escapedPath;
    }),
];

// ---------------------------------------------------------------------------------------

const env: CelEnv = celEnv({ funcs: [...strings, ...kubernetesUrlLibrary] });

/** Functions the planner handles itself (not in the function resolver). */
const SPECIAL_FORMS = new Set(["_&&_", "_||_", "_?_:_", "_[_]", "_[?_]", "_?._", "@not_strictly_false", "__not_strictly_false__"]);
/** Type names usable as identifiers (`type(x) == string`). */
const TYPE_IDENTS = new Set(["int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type", "dyn"]);

interface Overload {
    method: boolean;
    arity: number;
}
let overloadIndex: Map<string, Overload[]> | undefined;

function overloads(): Map<string, Overload[]> {
    if (overloadIndex) return overloadIndex;
    const index = new Map<string, Overload[]>();
    for (const fn of env.funcs) {
        const list = index.get(fn.name) ?? [];
        list.push({ method: fn.target !== undefined, arity: fn.arguments.length });
        index.set(fn.name, list);
    }
    overloadIndex = index;
    return index;
}

/** Names of the functions and methods available to rules (for documentation and tests). */
export function celFunctionNames(): string[] {
    return [...overloads().keys()].sort();
}

type ParsedExpr = ReturnType<typeof parse>["expr"];

function checkExpr(expr: ParsedExpr | undefined, scope: ReadonlySet<string>, found: { oldSelf: boolean; problems: string[] }): void {
    if (!expr) return;
    const kind = expr.exprKind;
    switch (kind.case) {
        case "constExpr":
            return;
        case "identExpr": {
            const name = kind.value.name;
            if (name === "oldSelf") found.oldSelf = true;
            else if (name !== "self" && !scope.has(name) && !TYPE_IDENTS.has(name)) found.problems.push(`undeclared reference to '${name}'`);
            return;
        }
        case "selectExpr":
            checkExpr(kind.value.operand, scope, found);
            return;
        case "callExpr": {
            const call = kind.value;
            const isMethod = call.target !== undefined;
            if (!SPECIAL_FORMS.has(call.function)) {
                const candidates = overloads().get(call.function);
                if (!candidates) found.problems.push(`undeclared reference to function '${call.function}'`);
                else if (!candidates.some((o) => o.method === isMethod && o.arity === call.args.length)) {
                    found.problems.push(`found no matching overload for '${call.function}' as a ${isMethod ? "method" : "function"} with ${call.args.length} argument(s)`);
                }
            }
            checkExpr(call.target, scope, found);
            for (const arg of call.args) checkExpr(arg, scope, found);
            return;
        }
        case "listExpr":
            for (const el of kind.value.elements) checkExpr(el, scope, found);
            return;
        case "structExpr":
            for (const entry of kind.value.entries) {
                if (entry.keyKind.case === "mapKey") checkExpr(entry.keyKind.value, scope, found);
                checkExpr(entry.value, scope, found);
            }
            return;
        case "comprehensionExpr": {
            const c = kind.value;
            checkExpr(c.iterRange, scope, found);
            checkExpr(c.accuInit, scope, found);
            const inner = new Set(scope);
            inner.add(c.iterVar);
            if (c.iterVar2) inner.add(c.iterVar2);
            inner.add(c.accuVar);
            checkExpr(c.loopCondition, inner, found);
            checkExpr(c.loopStep, inner, found);
            const result = new Set(scope);
            result.add(c.accuVar);
            checkExpr(c.result, result, found);
            return;
        }
        default:
            found.problems.push("unsupported expression");
    }
}

/** A compiled rule: evaluate with `self` (and, for transition rules, `oldSelf`). */
export interface CompiledRule {
    readonly rule: string;
    /** The rule reads `oldSelf`: a transition rule, evaluated on update only. */
    readonly usesOldSelf: boolean;
    readonly evaluate: (bindings: { self: CelInput; oldSelf?: CelInput }) => CelResult;
}

export class CelCompileError extends Error {
    constructor(
        readonly rule: string,
        readonly problems: readonly string[],
    ) {
        super(`CEL rule does not compile: ${JSON.stringify(rule)}: ${problems.join("; ")}`);
        this.name = "CelCompileError";
    }
}

const compiled = new Map<string, CompiledRule>();

/** Compiles a rule once (cached by its text); throws CelCompileError when it does not compile. */
export function compileRule(rule: string): CompiledRule {
    const hit = compiled.get(rule);
    if (hit) return hit;
    let parsed: ReturnType<typeof parse>;
    try {
        parsed = parse(rule);
    } catch (err) {
        throw new CelCompileError(rule, [`syntax error: ${err instanceof Error ? err.message : String(err)}`]);
    }
    const found = { oldSelf: false, problems: [] as string[] };
    checkExpr(parsed.expr, new Set(), found);
    if (found.problems.length > 0) throw new CelCompileError(rule, found.problems);
    let program: (ctx: Record<string, CelInput>) => CelResult;
    try {
        program = plan(env, parsed);
    } catch (err) {
        throw new CelCompileError(rule, [`planning failed: ${err instanceof Error ? err.message : String(err)}`]);
    }
    const result: CompiledRule = {
        rule,
        usesOldSelf: found.oldSelf,
        evaluate: (bindings) => program(bindings.oldSelf === undefined ? { self: bindings.self } : { self: bindings.self, oldSelf: bindings.oldSelf }),
    };
    compiled.set(rule, result);
    return result;
}

/** Outcome of a rule on a value: `true` (holds), `false`, or an evaluation error message. */
export function ruleHolds(rule: CompiledRule, self: CelInput): true | false | string {
    const out = rule.evaluate({ self });
    if (isCelError(out)) return out.message;
    if (out === true) return true;
    if (out === false) return false;
    return `rule evaluated to ${isCelMap(out) ? "a map" : typeof out}, not a bool`;
}
