/**
 * The official AWS Load Balancer Controller IAM policy (data/iam/aws-load-balancer-controller.json,
 * kubernetes-sigs/aws-load-balancer-controller v3.5.0) and a comparison of a policy document
 * against it, statement by statement: actions, resources and conditions.
 *
 * Statements are paired first by exact equality, then, among statements with the same
 * Effect, by the largest overlap of actions. Actions and condition operators/keys compare
 * case-insensitively (as IAM does); condition values compare as sets of strings (IAM reads
 * `false` and "false" alike). Resources compare as sets; pass `partition` to compare with
 * the reference's `arn:aws:` rewritten for another partition (aws-cn, aws-us-gov).
 */
import { isRecord, readDataJson } from "./data";

export interface IamPolicyStatement {
    readonly Sid?: string;
    readonly Effect: "Allow" | "Deny";
    readonly Action?: string | readonly string[];
    readonly NotAction?: string | readonly string[];
    readonly Resource?: string | readonly string[];
    readonly NotResource?: string | readonly string[];
    readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface IamPolicyDocument {
    readonly Version: string;
    readonly Statement: IamPolicyStatement | readonly IamPolicyStatement[];
}

export interface ReferencePolicy {
    readonly source: string;
    readonly upstream: string;
    readonly version: string;
    readonly policy: IamPolicyDocument;
}

export type PolicyDifferenceKind = "invalid" | "version" | "missing-statement" | "extra-statement" | "missing-actions" | "extra-actions" | "resources" | "conditions";

export interface PolicyDifference {
    readonly kind: PolicyDifferenceKind;
    /** Index of the statement in the reference policy, when one is concerned. */
    readonly referenceStatement?: number;
    /** Index of the statement in the compared policy, when one is concerned. */
    readonly actualStatement?: number;
    /** Actions concerned (missing or extra), as written. */
    readonly actions?: readonly string[];
    readonly message: string;
}

export interface CompareOptions {
    /** Rewrite the reference's `arn:aws:` ARNs for this partition before comparing. @default "aws" */
    readonly partition?: string;
}

/** The official LB controller policy document, with its source and version. */
export function lbControllerReferencePolicy(opts: CompareOptions = {}): ReferencePolicy {
    const raw = readDataJson("iam/aws-load-balancer-controller.json");
    if (!isRecord(raw) || typeof raw.source !== "string" || typeof raw.version !== "string" || !isPolicyDocument(raw.policy)) {
        throw new Error("data/iam/aws-load-balancer-controller.json: not a policy document with source and version");
    }
    const partition = opts.partition ?? "aws";
    const policy = partition === "aws" ? raw.policy : (JSON.parse(JSON.stringify(raw.policy).replace(/arn:aws:/g, `arn:${partition}:`)) as IamPolicyDocument);
    return { source: raw.source, upstream: String(raw.upstream ?? ""), version: raw.version, policy };
}

function isPolicyDocument(v: unknown): v is IamPolicyDocument {
    if (!isRecord(v) || typeof v.Version !== "string") return false;
    const statements = Array.isArray(v.Statement) ? v.Statement : [v.Statement];
    return statements.every((s) => isRecord(s) && (s.Effect === "Allow" || s.Effect === "Deny"));
}

interface Normalized {
    readonly index: number;
    readonly effect: string;
    readonly actions: ReadonlyMap<string, string>; // lower-case -> as written
    readonly notActions: readonly string[];
    readonly resources: readonly string[];
    readonly notResources: readonly string[];
    readonly conditions: string; // canonical JSON
}

function list(v: string | readonly string[] | undefined): string[] {
    if (v === undefined) return [];
    return typeof v === "string" ? [v] : [...v];
}

function canonicalConditions(c: IamPolicyStatement["Condition"]): string {
    if (!c) return "{}";
    const out: Record<string, Record<string, string[]>> = {};
    for (const op of Object.keys(c).sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()))) {
        const keys: Record<string, string[]> = {};
        const block = c[op];
        for (const key of Object.keys(block).sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()))) {
            const value = block[key];
            keys[key.toLowerCase()] = (Array.isArray(value) ? value : [value]).map(String).sort();
        }
        out[op.toLowerCase()] = keys;
    }
    return JSON.stringify(out);
}

function normalize(s: IamPolicyStatement, index: number): Normalized {
    return {
        index,
        effect: s.Effect,
        actions: new Map(list(s.Action).map((a) => [a.toLowerCase(), a])),
        notActions: list(s.NotAction)
            .map((a) => a.toLowerCase())
            .sort(),
        resources: list(s.Resource).sort(),
        notResources: list(s.NotResource).sort(),
        conditions: canonicalConditions(s.Condition),
    };
}

function key(n: Normalized): string {
    return JSON.stringify([n.effect, [...n.actions.keys()].sort(), n.notActions, n.resources, n.notResources, n.conditions]);
}

function overlap(a: Normalized, b: Normalized): number {
    let shared = 0;
    for (const action of a.actions.keys()) if (b.actions.has(action)) shared++;
    return shared;
}

/** Differences of `actual` from `reference`; [] when they grant the same, statement for statement. */
export function comparePolicyDocuments(actual: unknown, reference: IamPolicyDocument): PolicyDifference[] {
    if (!isPolicyDocument(actual)) return [{ kind: "invalid", message: "not an IAM policy document (Version and Statement with Effect Allow/Deny)" }];
    const diffs: PolicyDifference[] = [];
    if (actual.Version !== reference.Version) diffs.push({ kind: "version", message: `Version is ${actual.Version}, the reference says ${reference.Version}` });
    const ours = (Array.isArray(actual.Statement) ? actual.Statement : [actual.Statement]).map(normalize);
    const theirs = (Array.isArray(reference.Statement) ? reference.Statement : [reference.Statement]).map(normalize);

    const pairs: [Normalized, Normalized][] = [];
    const freeOurs = new Set(ours);
    const unpaired: Normalized[] = [];
    for (const ref of theirs) {
        const exact = [...freeOurs].find((o) => key(o) === key(ref));
        if (exact) freeOurs.delete(exact);
        else unpaired.push(ref);
    }
    for (const ref of unpaired) {
        let best: Normalized | undefined;
        let bestScore = 0;
        for (const o of freeOurs) {
            const score = o.effect === ref.effect ? overlap(o, ref) : 0;
            if (score > bestScore) {
                best = o;
                bestScore = score;
            }
        }
        if (best) {
            freeOurs.delete(best);
            pairs.push([ref, best]);
        } else {
            diffs.push({
                kind: "missing-statement",
                referenceStatement: ref.index,
                actions: [...ref.actions.values()],
                message: `reference statement ${ref.index} (${ref.effect} ${[...ref.actions.values()].join(", ")}) has no counterpart`,
            });
        }
    }
    for (const [ref, o] of pairs) {
        const where = `statement ${o.index} (reference statement ${ref.index})`;
        const missing = [...ref.actions].filter(([k]) => !o.actions.has(k)).map(([, v]) => v);
        const extra = [...o.actions].filter(([k]) => !ref.actions.has(k)).map(([, v]) => v);
        if (missing.length > 0)
            diffs.push({
                kind: "missing-actions",
                referenceStatement: ref.index,
                actualStatement: o.index,
                actions: missing,
                message: `${where}: missing actions ${missing.join(", ")}`,
            });
        if (extra.length > 0)
            diffs.push({
                kind: "extra-actions",
                referenceStatement: ref.index,
                actualStatement: o.index,
                actions: extra,
                message: `${where}: actions not in the reference ${extra.join(", ")}`,
            });
        if (JSON.stringify([ref.resources, ref.notResources]) !== JSON.stringify([o.resources, o.notResources])) {
            diffs.push({
                kind: "resources",
                referenceStatement: ref.index,
                actualStatement: o.index,
                message: `${where}: resources ${JSON.stringify(o.resources)}, the reference has ${JSON.stringify(ref.resources)}`,
            });
        }
        if (ref.conditions !== o.conditions || JSON.stringify(ref.notActions) !== JSON.stringify(o.notActions)) {
            diffs.push({
                kind: "conditions",
                referenceStatement: ref.index,
                actualStatement: o.index,
                message: `${where}: conditions ${o.conditions}, the reference has ${ref.conditions}`,
            });
        }
    }
    for (const o of [...freeOurs].sort((a, b) => a.index - b.index)) {
        diffs.push({
            kind: "extra-statement",
            actualStatement: o.index,
            actions: [...o.actions.values()],
            message: `statement ${o.index} (${o.effect} ${[...o.actions.values()].join(", ")}) is not in the reference`,
        });
    }
    return diffs;
}

/** Differences of a policy document from the official LB controller policy. */
export function diffFromLbControllerPolicy(actual: unknown, opts: CompareOptions = {}): PolicyDifference[] {
    return comparePolicyDocuments(actual, lbControllerReferencePolicy(opts).policy);
}
