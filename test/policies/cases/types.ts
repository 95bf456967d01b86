import type { PlainResource } from "../harness";

export interface Case {
    /** Completes "fires on …" / "stays quiet on …". */
    name: string;
    resources: PlainResource[];
    /** The rule's policy configuration (level or {enforcementLevel, ...tunables}). */
    config?: Record<string, unknown>;
}

export interface BadCase extends Case {
    /** Each must match the message of one of the rule's violations. */
    expect: RegExp[];
    /** The resource the violations are reported on (default: the last resource). */
    on?: PlainResource;
    /** A conflict is reported on every resource involved: accept any of the case's resources. */
    spread?: boolean;
    /** Expected level (default: the rule's default level, remediate → remediate). */
    level?: "advisory" | "mandatory" | "remediate";
}

export interface RuleCases {
    rule: string;
    bad: BadCase[];
    good: Case[];
}
