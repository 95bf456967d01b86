// Retries of writes: a VirtualService route serves every method and Envoy's retry policy has no
// method filter, so retrying on conditions where the upstream may already have processed the
// request (5xx, reset, gateway-error, ...) can run a POST or PATCH twice. Safe conditions are
// those where the request never reached the upstream (Envoy's x-envoy-retry-on:
// connect-failure, refused-stream, reset-before-request).
import { EnforcementLevel, ResourceValidationPolicy } from "@pulumi/policy";
import { T, arr, get, isObj, schema, str, tunables, validateTypes } from "./common";

/** Envoy retry conditions under which the upstream never saw the request. */
export const SAFE_RETRY_CONDITIONS: readonly string[] = ["connect-failure", "refused-stream", "reset-before-request"];
/** Methods RFC 9110 defines as idempotent. */
const IDEMPOTENT_METHODS: readonly string[] = ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"];

/** Whether every match of a route restricts the method to idempotent ones (exact or a regex of plain alternatives). */
function idempotentOnly(match: unknown): boolean {
    const matches = arr(match);
    if (matches.length === 0) return false;
    return matches.every((m) => {
        const method = get(m, "method");
        if (!isObj(method)) return false;
        const exact = str(method.exact);
        if (exact !== undefined) return IDEMPOTENT_METHODS.includes(exact.toUpperCase());
        const regex = str(method.regex);
        return (
            regex !== undefined &&
            /^\^?\(?[A-Z|]+\)?\$?$/.test(regex) &&
            regex
                .replace(/[\^$()]/g, "")
                .split("|")
                .every((x) => IDEMPOTENT_METHODS.includes(x))
        );
    });
}

/** VirtualService routes that retry on conditions that can repeat a write. */
export function istioRetryNonIdempotent(level: EnforcementLevel = "advisory"): ResourceValidationPolicy {
    const defaults = { safeConditions: [...SAFE_RETRY_CONDITIONS] };
    return {
        name: "istio-retry-non-idempotent",
        description: "VirtualService routes that may carry POST/PATCH should retry only where the request never reached the service (connect-failure, refused-stream).",
        enforcementLevel: level,
        configSchema: { properties: { safeConditions: schema.strings("retryOn conditions that cannot repeat a processed request.", defaults.safeConditions) } },
        validateResource: validateTypes(T.virtualService, (args, report) => {
            const c = tunables(defaults, args);
            arr(get(args.props, "spec", "http")).forEach((route, i) => {
                const retries = get(route, "retries");
                const attempts = get(retries, "attempts");
                const retryOn = str(get(retries, "retryOn"));
                if (typeof attempts !== "number" || attempts <= 0 || retryOn === undefined) return;
                const unsafe = retryOn
                    .split(",")
                    .map((x) => x.trim())
                    .filter((x) => x !== "" && !c.safeConditions.includes(x));
                if (unsafe.length === 0 || idempotentOnly(get(route, "match"))) return;
                report(
                    `http[${i}]${str(get(route, "name")) ? ` (${str(get(route, "name"))})` : ""} retries on ${unsafe.join(", ")} for every method: a POST or PATCH the service already received may run twice. Retry only on ${c.safeConditions.join(", ")}, or put the retries on a route matching idempotent methods.`,
                );
            });
        }),
    };
}

export const retryRules = [istioRetryNonIdempotent];
