/**
 * The field rules meshgate validates with, each written once: the stack schema
 * (schema.ts) and the components' argument schemas (`args.ts` of each component)
 * are built from these pieces, so a rule and its words are the same wherever a
 * value enters. Formats the policy pack also judges live in
 * policies/validate/util.ts (the pack cannot import components/) and are used
 * from there.
 */
import { z } from "zod";
import { EXACT_CHART_VERSION, PROMETHEUS_DURATION } from "../../policies/validate/util";

export { PROMETHEUS_DURATION };

export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Go/Istio duration: one or more number+unit pairs. */
export const DURATION = /^(\d+(\.\d+)?(h|m|s|ms|us|µs|ns))+$/;
/** A Prometheus byte size (`retentionSize`): a number and a unit, decimal or binary. */
export const STORAGE_SIZE = /^\d+(\.\d+)?(B|KB|MB|GB|TB|PB|EB|KiB|MiB|GiB|TiB|PiB|EiB)$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d|[12]\d|3[0-2])$/;
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"] as const;

const UNIT_NS: Record<string, number> = { h: 3.6e12, m: 6e10, s: 1e9, ms: 1e6, us: 1e3, µs: 1e3, ns: 1 };

/** Parses a Go-style duration ("1m30s") into nanoseconds; undefined when malformed. */
export function durationNanos(text: string): number | undefined {
    if (!DURATION.test(text)) {
        return undefined;
    }
    let total = 0;
    for (const m of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) {
        total += Number(m[1]) * UNIT_NS[m[2]];
    }
    return total;
}

export const dnsLabel = z.string({ error: "must be a string" }).max(63, { error: "must be at most 63 characters (a DNS-1123 label)" }).regex(DNS1123_LABEL, {
    error: "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit",
});

/** An API consumer's name: a DNS-1123 label short enough to name its credential Secrets (`<name>-key-auth`). */
export const consumerName = dnsLabel.max(50, { error: "must be at most 50 characters (it names the consumer's Secrets, <name>-key-auth)" });

/** A Go/Istio duration of at least 1ms (timeouts, intervals). */
export const duration = z.string({ error: 'must be a duration string such as "250ms", "10s" or "1m30s"' }).refine((d) => (durationNanos(d) ?? 0) >= 1e6, {
    error: 'must be a duration such as "250ms", "10s" or "1m30s" (units h, m, s, ms, us, ns), at least 1ms',
});

/** A Prometheus duration ("10d", "1d12h", "15s"). */
export const prometheusDuration = z
    .string({ error: 'must be a Prometheus duration such as "15d"' })
    .regex(PROMETHEUS_DURATION, { error: 'must be a Prometheus duration such as "15d" or "1d12h" (units y, w, d, h, m, s, ms, in that order)' });

/** A Prometheus byte size ("170GiB"). */
export const storageSize = z.string({ error: 'must be a size such as "170GiB"' }).regex(STORAGE_SIZE, { error: 'must be a size such as "170GiB"' });

export const cidr = z.string({ error: 'must be an IPv4 CIDR such as "203.0.113.0/24"' }).refine(
    (c) => {
        const m = CIDR.exec(c);
        return m !== null && m.slice(1, 5).every((o) => Number(o) <= 255);
    },
    { error: 'must be an IPv4 CIDR such as "203.0.113.0/24"' },
);

export const port = z.number().int({ error: "must be a whole number" }).min(1, { error: "must be a port from 1 to 65535" }).max(65535, { error: "must be a port from 1 to 65535" });
export const positiveInt = z.number().int({ error: "must be a whole number" }).min(1, { error: "must be at least 1" });
/** An enum whose error says what is allowed. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
    return z.enum(values, { error: `must be one of ${values.join(", ")}` });
}
export const percent = z.number().min(0, { error: "must be from 0 to 100" }).max(100, { error: "must be from 0 to 100" });
/** A fraction from 0 to 1 (Kong's `tracing_sampling_rate`). */
export const fraction = z.number().min(0, { error: "must be from 0 to 1 (a fraction, not a percentage)" }).max(1, { error: "must be from 0 to 1 (a fraction, not a percentage)" });
/** A whole percentage: Istio route weights and ejection percentages are int32. */
export const wholePercent = z
    .number()
    .int({ error: "must be a whole number from 0 to 100" })
    .min(0, { error: "must be from 0 to 100" })
    .max(100, { error: "must be from 0 to 100" });
/** A positive Istio int32 (connection pool sizes). */
export const positiveInt32 = positiveInt.max(2147483647, { error: "must be at most 2147483647 (a 32-bit integer)" });

/** An exact chart version, as the pack's helm-chart-version-pinned rule defines it (no ranges: a plan must be reproducible). */
export const exactChartVersion = z.string().regex(EXACT_CHART_VERSION, { error: 'must be an exact chart version such as "1.30.3" (no ranges)' });

/** A non-empty host name (a Service's DNS name). */
export const hostName = z.string({ error: "must be a host name" }).refine((s) => s.trim() !== "", { error: "must be a host name (not empty)" });

/** The credentials generated for an API consumer: key-auth and/or jwt, each once. */
export const consumerCredentials = z
    .array(oneOf(["key-auth", "jwt"]))
    .min(1, { error: "must list key-auth and/or jwt" })
    .superRefine((types, ctx) => {
        types.forEach((t, j) => {
            if (types.indexOf(t) !== j) ctx.addIssue({ code: "custom", path: [j], input: t, message: `"${t}" is listed twice` });
        });
    });

/** What a repeated name says: where it was declared first and that names must be unique. */
export function alreadyDeclared(name: string, first: string, what: string): string {
    return `"${name}" is already declared by ${first}; ${what} names must be unique`;
}
