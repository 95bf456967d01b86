/**
 * Generates a realistic stack config with `n` services for the benchmark:
 * the prod stack's cluster, mesh, gateway and observability settings, and a
 * service list that mixes what real stacks hold. Deterministic: the same `n`
 * always gives the same stack.
 *
 * - every other service is exposed through Kong (auth cycling key-auth, jwt,
 *   none; a rate limit on each; CORS on some; an acl consumer list on some);
 *   the rest are internal;
 * - every fifth service runs a canary: two versions (90/10) and a header route;
 * - internal services list 1–2 callers that exist in the stack (the previous
 *   service, and one from another namespace), so AuthorizationPolicies and
 *   egress scoping have work to do;
 * - about one namespace per 20 services;
 * - `max(2, n / 50)` API consumers with key-auth and jwt credentials.
 */
import type { ServiceSpecInput } from "../../components/config";

export const SERVICES_PER_NAMESPACE = 20;

const DOMAINS = [
    "users",
    "orders",
    "catalog",
    "payments",
    "inventory",
    "shipping",
    "search",
    "reviews",
    "cart",
    "pricing",
    "billing",
    "notifications",
    "identity",
    "profile",
    "recommendations",
    "media",
    "analytics",
    "accounts",
    "checkout",
    "loyalty",
];
const ROLES = ["api", "service", "worker", "gateway", "store", "engine", "sync", "query"];
const AUTHS = ["key-auth", "jwt", "none"] as const;
const METHODS = [["GET"], ["GET", "POST"], ["GET", "PUT", "DELETE"], []] as const;

/** Namespace `k`: a domain name, numbered once the domains run out (`users`, …, `users-2`). */
export function namespaceName(k: number): string {
    const round = Math.floor(k / DOMAINS.length);
    return `${DOMAINS[k % DOMAINS.length]}${round === 0 ? "" : `-${round + 1}`}`;
}

/** Service `i`: `<domain>-<role>-<i>`, unique in the stack. */
export function serviceName(i: number): string {
    const ns = Math.floor(i / SERVICES_PER_NAMESPACE);
    return `${DOMAINS[ns % DOMAINS.length]}-${ROLES[i % ROLES.length]}-${i}`;
}

export function consumerNames(n: number): string[] {
    const count = Math.max(2, Math.floor(n / 50));
    return Array.from({ length: count }, (_, k) => `client-${k}`);
}

/** The `meshgate:services` list of a generated stack. */
export function generateServices(n: number): ServiceSpecInput[] {
    const consumers = consumerNames(n);
    const at = (i: number) => ({ name: serviceName(i), namespace: namespaceName(Math.floor(i / SERVICES_PER_NAMESPACE)) });
    const services: ServiceSpecInput[] = [];
    for (let i = 0; i < n; i++) {
        const { name, namespace } = at(i);
        const canary = i % 5 === 0;
        const exposed = i % 2 === 0;
        const svc: ServiceSpecInput = {
            name,
            namespace,
            port: 8080,
            ...(i % 7 === 3 ? { targetPort: 9090 } : {}),
            versions: canary
                ? [
                      { name: "v1", weight: 90 },
                      { name: "v2", weight: 10 },
                  ]
                : [{ name: "v1", weight: 100 }],
            ...(canary ? { canary: { header: "x-canary", equals: "always", version: "v2" } } : {}),
            resilience: {
                timeout: `${3 + (i % 12)}s`,
                ...(i % 3 === 0 ? { retries: { attempts: 1 + (i % 3), perTryTimeout: "2s", retryOn: "5xx,reset,connect-failure" } } : {}),
                ...(i % 4 === 0 ? { outlierDetection: { consecutive5xxErrors: 5, interval: "10s", baseEjectionTime: "30s" } } : {}),
                ...(i % 10 === 0 ? { connectionPool: { maxConnections: 100, http2MaxRequests: 200 } } : {}),
            },
        };
        if (exposed) {
            const auth = AUTHS[(i / 2) % AUTHS.length];
            svc.gateway = {
                paths: [`/api/v1/${name}`],
                methods: [...METHODS[i % METHODS.length]],
                auth,
                rateLimit: auth === "none" ? { second: 50, limitBy: "ip" } : { minute: 100 * (1 + (i % 5)), hour: 5000 * (1 + (i % 5)) },
                ...(i % 6 === 0 ? { cors: { origins: ["https://app.example.com"], methods: ["GET"] } } : {}),
                ...(auth !== "none" && i % 8 === 0 ? { consumers: [consumers[i % consumers.length]] } : {}),
            };
        } else {
            // Internal: called by the previous service and by one in another namespace (when there is one).
            const callers = new Set<string>();
            if (i > 0) {
                const prev = at(i - 1);
                callers.add(`${prev.namespace}/${prev.name}`);
            }
            const other = (i + SERVICES_PER_NAMESPACE + 3) % n;
            if (other !== i) {
                const o = at(other);
                callers.add(`${o.namespace}/${o.name}`);
            }
            svc.allowFrom = [...callers];
        }
        services.push(svc);
    }
    return services;
}

/**
 * A whole stack config block (`meshgate:*` keys as in a Pulumi.<stack>.yaml):
 * `base` (the prod stack's config) with the generated services and consumers.
 */
export function generateStackConfig(n: number, base: Record<string, unknown>): Record<string, unknown> {
    const gateway = (base["meshgate:gateway"] ?? {}) as Record<string, unknown>;
    return {
        ...base,
        "meshgate:gateway": {
            ...gateway,
            consumers: consumerNames(n).map((name, k) => ({ name, credentials: k % 2 === 0 ? ["key-auth"] : ["key-auth", "jwt"] })),
        },
        "meshgate:services": generateServices(n),
    };
}
