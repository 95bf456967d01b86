/**
 * What `mesh.routing: gateway-api` can express, and the refusals for what it cannot.
 *
 * In that mode a service's mesh routing is a Gateway API HTTPRoute whose parent is the
 * Service (Istio's "mesh" support, GAMMA), with one Service per declared version as backends
 * (a backendRef cannot name a DestinationRule subset). Istio 1.30.3 turns such a route into a
 * VirtualService-like route (pilot/pkg/config/kube/gateway/conversion.go, convertHTTPRoute):
 * matches, weights and `timeouts.request` carry over; retries come only from the HTTPRoute
 * `retry` field, which is in the Gateway API experimental channel (not in the v1.3.0 standard
 * CRDs meshgate validates against). Without it the route gets Istio's default retry policy
 * (pilot/pkg/networking/core/route/route.go: `in.Retries == nil` → mesh
 * defaultHttpRetryPolicy, else retry/retry.go DefaultPolicy: 2 attempts,
 * `connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes`, no per-try
 * timeout), whatever the declaration says. So a declaration that sets `resilience.retries`
 * (attempts, per-try timeout, conditions, or attempts 0 to turn retries off) cannot be
 * honoured and is refused, as are the few other things listed in MESH_ROUTING_LIMITS.
 */
import type { ConfigIssue, ParsedParts } from "./cross-checks";
import { durationNanos, type ServiceSpec } from "./schema";

/** What gateway-api mesh routing refuses, and why: one line each (README and error messages say the same). */
export const MESH_ROUTING_LIMITS = {
    retries:
        "an HTTPRoute cannot carry retries: its retry field is in the Gateway API experimental channel only (not in the v1.3.0 standard CRDs), and without it Istio 1.30 applies its default policy (2 attempts on connect-failure, refused-stream, unavailable, cancelled; no per-try timeout) whatever is declared",
    timeout: "Gateway API durations have millisecond resolution (timeouts.request, GEP-2257)",
    versionServiceName:
        "each version becomes a Service named <service>-<version> (a backendRef cannot name a DestinationRule subset), and a Service name is a DNS label of at most 63 characters",
    mesh: "mesh.routing chooses how Istio routes inside the mesh; without the mesh nothing does",
} as const;

/** The Service that stands for one version of a service in gateway-api routing. */
export function versionServiceName(service: string, version: string): string {
    return `${service}-${version}`;
}

/**
 * A duration as Gateway API writes it (`^([0-9]{1,5}(h|m|s|ms)){1,4}$`, v1.3.0 HTTPRoute
 * `timeouts`), e.g. "1m30s", "1s500ms"; undefined when it is not a whole number of milliseconds
 * or too long to write.
 */
export function gatewayApiDuration(text: string): string | undefined {
    const nanos = durationNanos(text);
    if (nanos === undefined || nanos <= 0 || nanos % 1e6 !== 0) return undefined;
    let ms = nanos / 1e6;
    const parts: string[] = [];
    for (const [unit, size] of [
        ["h", 3_600_000],
        ["m", 60_000],
        ["s", 1000],
        ["ms", 1],
    ] as const) {
        const n = Math.floor(ms / size);
        ms -= n * size;
        if (n > 0) parts.push(`${n}${unit}`);
    }
    return parts.every((p) => /^[0-9]{1,5}[a-z]+$/.test(p)) ? parts.join("") : undefined;
}

/** Every declaration `mesh.routing: gateway-api` cannot express faithfully; none in virtualservice mode. */
export function meshRoutingIssues(parts: ParsedParts): ConfigIssue[] {
    if (parts.mesh?.routing !== "gateway-api") return [];
    const issues: ConfigIssue[] = [];
    const add = (path: string, message: string) => issues.push({ path, message });
    const how = "or keep mesh.routing: virtualservice";
    if (!parts.mesh.enabled) {
        add("mesh.routing", `gateway-api needs mesh.enabled: true: ${MESH_ROUTING_LIMITS.mesh}; remove mesh.routing ${how.replace("or keep", "or set")}`);
    }
    // Names of Services per namespace: declared services, then version Services, for collisions.
    const names = new Map<string, Map<string, string>>();
    const claim = (ns: string, name: string, by: string): string | undefined => {
        const inNs = names.get(ns) ?? new Map<string, string>();
        names.set(ns, inNs);
        const first = inNs.get(name);
        if (first === undefined) inNs.set(name, by);
        return first;
    };
    for (const { index, spec } of parts.services) {
        if (spec.namespace !== undefined && spec.name !== undefined) claim(spec.namespace, spec.name, `services[${index}]`);
    }
    for (const { index, spec, unknown } of parts.services) {
        const at = `services[${index}]`;
        const r: Partial<ServiceSpec["resilience"]> = spec.resilience ?? {};
        if (r.retries !== undefined) {
            add(
                `${at}.resilience.retries`,
                `mesh.routing is gateway-api, and ${MESH_ROUTING_LIMITS.retries}; remove resilience.retries (the service then gets Istio's default retries in either routing mode) ${how}`,
            );
        }
        if (r.timeout !== undefined && gatewayApiDuration(r.timeout) === undefined) {
            add(`${at}.resilience.timeout`, `mesh.routing is gateway-api, and ${MESH_ROUTING_LIMITS.timeout}; got "${r.timeout}": write a whole number of milliseconds ${how}`);
        }
        if (spec.name === undefined || spec.namespace === undefined || unknown.has("versions")) continue;
        (spec.versions ?? []).forEach((v, k) => {
            const name = versionServiceName(spec.name ?? "", v.name);
            if (name.length > 63) {
                add(
                    `${at}.versions[${k}].name`,
                    `mesh.routing is gateway-api: ${MESH_ROUTING_LIMITS.versionServiceName}; "${name}" has ${name.length}: shorten the service or version name ${how}`,
                );
                return;
            }
            const first = claim(spec.namespace ?? "", name, `${at}.versions[${k}]`);
            if (first !== undefined) {
                add(
                    `${at}.versions[${k}].name`,
                    `mesh.routing is gateway-api, so this version becomes the Service "${name}" in namespace ${spec.namespace}, which ${first} already names; rename the version or the service ${how}`,
                );
            }
        });
    }
    return issues;
}
