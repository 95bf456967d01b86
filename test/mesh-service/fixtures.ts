/**
 * The scenario as a stack config: user-service exposed through Kong
 * with a header-pinned canary, order-service internal and callable only by
 * user-service. Validated like infra/ does, so the specs carry the defaults.
 */
import { validateStackConfig, type ServiceSpec, type ServiceSpecInput, type StackConfig, type StackConfigInput } from "../../components/config";

export const KONG_PRINCIPAL = "cluster.local/ns/kong/sa/kong-kong";

export const userService: ServiceSpecInput = {
    name: "user-service",
    namespace: "users",
    port: 8080,
    versions: [
        { name: "v1", weight: 90 },
        { name: "v2", weight: 10 },
    ],
    canary: { header: "x-version", equals: "v2", version: "v2" },
    gateway: {
        paths: ["/api/v1/users"],
        methods: ["GET", "POST"],
        auth: "key-auth",
        rateLimit: { minute: 100 },
    },
    resilience: {
        timeout: "10s",
        retries: { attempts: 3 },
    },
};

export const orderService: ServiceSpecInput = {
    name: "order-service",
    namespace: "orders",
    port: 8080,
    allowFrom: ["users/user-service"],
};

export function stackConfig(services: ServiceSpecInput[], extra: Partial<StackConfigInput> = {}): StackConfig {
    const raw: StackConfigInput = { cluster: { type: "existing" }, services, ...extra };
    return validateStackConfig(raw, { stack: "test" });
}

/** The scenario's two services, validated, defaults applied. */
export function scenario(): { user: ServiceSpec; order: ServiceSpec } {
    const [user, order] = stackConfig([userService, orderService]).services;
    return { user, order };
}

/** One service declaration, validated on its own (plus whatever it calls). */
export function spec(input: ServiceSpecInput, others: ServiceSpecInput[] = [], extra: Partial<StackConfigInput> = {}): ServiceSpec {
    return stackConfig([input, ...others], extra).services[0];
}
