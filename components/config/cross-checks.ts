/**
 * Rules that relate one part of a stack's config to another: unique names,
 * weights that add up, references that resolve, features the chosen Kong mode
 * supports. Each check runs over every service once, indexing with Maps, so a
 * stack of thousands of services validates in linear time.
 */
import { eksRuleIssues } from "./eks-checks";
import { kongEdgeIssues } from "./kong-edge-checks";
import { alreadyDeclared } from "./pieces";
import { meshRoutingIssues } from "./mesh-routing";
import { edgePathField, edgePaths, grpcEdgeIssues, isGrpc, protocolIssues } from "./grpc";
import { effectiveHttpListener, ISTIO_RESERVED_PORTS, type EksClusterConfig, type GatewayConfig, type RateLimitSpec, type ServiceSpec, type StackConfig } from "./schema";

/** One problem with a stack declaration: where it is and what is wrong. */
export interface ConfigIssue {
    /** Path into the stack config, e.g. `services[2].versions[1].weight`. */
    readonly path: string;
    /** What is wrong and what is allowed. */
    readonly message: string;
    /** The name of the service the path points into, when it points into one (`services[i]`). */
    readonly service?: string;
}

/** Namespaces meshgate's own components live in; services may not use them. */
export const RESERVED_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease", "default", "istio-system", "kong", "observability"];

/**
 * A service declaration as far as it is known. A service with a field error still takes
 * part in the cross-checks with the fields that are known, so that one mistake neither
 * hides another nor makes one up: a check runs only on known fields.
 */
export interface ParsedService {
    /** Its index in `services`. */
    readonly index: number;
    /** The known fields (parsed, or absent with their defaults applied). The whole spec when the service parsed. */
    readonly spec: Partial<ServiceSpec>;
    /** Fields whose value is not known: a field error, or a misspelt key that may stand for the field. Empty when the service parsed. */
    readonly unknown: ReadonlySet<keyof ServiceSpec>;
}

/** The parts of a stack that parsed; cross-checks run on these only, so a field error is not reported twice. */
export interface ParsedParts {
    environment?: StackConfig["environment"];
    mesh?: StackConfig["mesh"];
    observability?: StackConfig["observability"];
    cluster?: StackConfig["cluster"];
    gateway?: GatewayConfig;
    /** Each service declaration (a map), as far as it is known. */
    services: ParsedService[];
}

/** A principal a service may run as, when a field error leaves part of it unknown (undefined: any). */
interface PossiblePrincipal {
    readonly namespace?: string;
    readonly account?: string;
}

export function crossCheck(parts: ParsedParts): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const add = (path: string, message: string) => issues.push({ path, message });
    const dbless = (parts.gateway?.mode ?? "dbless") === "dbless";
    const consumers = new Set((parts.gateway?.consumers ?? []).map((c) => c.name));

    checkDuplicates(
        parts.gateway?.consumers ?? [],
        (c) => c.name,
        (i, first) => add(`gateway.consumers[${i}].name`, alreadyDeclared((parts.gateway?.consumers ?? [])[i].name, `gateway.consumers[${first}]`, "consumer")),
    );

    const byName = new Map<string, number>();
    const principals = new Set<string>();
    const possible: PossiblePrincipal[] = [];
    for (const { index, spec, unknown } of parts.services) {
        if (spec.name !== undefined) {
            const first = byName.get(spec.name);
            if (first !== undefined) {
                add(`services[${index}].name`, `"${spec.name}" is already declared by services[${first}]; service names must be unique in a stack`);
            } else {
                byName.set(spec.name, index);
            }
        }
        if (spec.namespace !== undefined && RESERVED_NAMESPACES.includes(spec.namespace)) {
            add(`services[${index}].namespace`, `"${spec.namespace}" is reserved for the platform (${RESERVED_NAMESPACES.join(", ")}); use a namespace of your own`);
        }
        const account = unknown.has("serviceAccount") ? undefined : (spec.serviceAccount ?? spec.name);
        if (spec.namespace !== undefined && account !== undefined) {
            principals.add(`${spec.namespace}/${account}`);
        } else {
            possible.push({ namespace: spec.namespace, account });
        }
    }
    const runsAs = (caller: string) => {
        if (principals.has(caller)) {
            return true;
        }
        const [namespace, account] = caller.split("/");
        return possible.some((p) => (p.namespace === undefined || p.namespace === namespace) && (p.account === undefined || p.account === account));
    };

    const routes = new Map<string, { index: number; name: string; methods: string[] }>();
    for (const { index, spec, unknown } of parts.services) {
        const at = `services[${index}]`;
        if (spec.versions !== undefined) {
            checkVersions(spec.versions, unknown.has("canary") ? undefined : spec.canary, at, add);
        }
        if (spec.allowFrom !== undefined) {
            checkCallers(spec.allowFrom, at, runsAs, add);
        }
        if (!unknown.has("targetPort")) {
            checkContainerPort(spec, at, add);
        }
        const gw = spec.gateway;
        if (gw === undefined || unknown.has("gateway")) {
            continue;
        }
        if (!unknown.has("protocol")) {
            issues.push(...protocolIssues(spec, at), ...grpcEdgeIssues(spec, at, parts.gateway));
        }
        if (gw.auth === "oauth2" && dbless) {
            add(`${at}.gateway.auth`, "oauth2 needs Kong with a database (gateway.mode: postgres); in dbless mode use key-auth, jwt or none");
        }
        if (gw.rateLimit?.policy === "cluster" && dbless) {
            add(`${at}.gateway.rateLimit.policy`, "cluster needs Kong with a database (gateway.mode: postgres); in dbless mode use local or redis");
        }
        if (gw.auth === "none" && (gw.rateLimit?.limitBy === "consumer" || gw.rateLimit?.limitBy === "credential")) {
            add(`${at}.gateway.rateLimit.limitBy`, `${gw.rateLimit.limitBy} needs authentication, but gateway.auth is none; use ip, service, header or path`);
        }
        if (gw.rateLimit !== undefined) {
            checkRateLimit(gw.rateLimit, `${at}.gateway.rateLimit`, parts.gateway, add);
        }
        if (gw.consumers !== undefined) {
            if (gw.auth === "none") {
                add(`${at}.gateway.consumers`, "restricting consumers needs authentication, but gateway.auth is none; use key-auth or jwt");
            }
            gw.consumers.forEach((c, k) => {
                if (!consumers.has(c)) {
                    add(`${at}.gateway.consumers[${k}]`, `no consumer "${c}" in gateway.consumers (declared: ${[...consumers].join(", ") || "none"})`);
                }
            });
        }
        if (parts.gateway?.api === "gateway-api" && !isGrpc(spec)) {
            // Gateway API v1.3.0 HTTPRoute CRD (CEL on spec.rules): fewer than 128 matches in all; meshgate writes one per path and method.
            const methods = gw.methods.length === 0 ? 1 : gw.methods.length + (gw.cors !== undefined && !gw.methods.includes("OPTIONS") ? 1 : 0);
            const matches = gw.paths.length * methods;
            if (matches > 127) {
                add(
                    `${at}.gateway.paths`,
                    `${gw.paths.length} paths × ${methods} methods make ${matches} HTTPRoute matches; with gateway.api gateway-api an HTTPRoute holds at most 127 (list fewer paths or methods, or use gateway.api: ingress)`,
                );
            }
        }
        // gRPC services claim the paths of their calls (/<package.Service>[/<Method>], or / for every call).
        edgePaths(spec).forEach((path, k) => {
            for (const host of gw.hosts.length > 0 ? gw.hosts : ["*"]) {
                const key = `${host} ${normalisePath(path)}`;
                const other = routes.get(key);
                if (other !== undefined && other.index === index) {
                    add(`${at}.${edgePathField(spec, k)}`, `"${path}" is listed twice`);
                } else if (other !== undefined && methodsOverlap(other.methods, gw.methods)) {
                    add(
                        `${at}.${edgePathField(spec, k)}`,
                        `"${path}"${host === "*" ? "" : ` on host ${host}`} is already routed to ${other.name} (services[${other.index}]); a path may belong to one service only`,
                    );
                } else if (other === undefined) {
                    routes.set(key, { index, name: spec.name ?? `services[${index}]`, methods: gw.methods });
                }
            }
        });
    }

    issues.push(...meshRoutingIssues(parts));
    if (parts.observability?.kiali.enabled === true && parts.mesh?.enabled === false) {
        add("observability.kiali.enabled", "Kiali shows the Istio mesh, but mesh.enabled is false; turn the mesh on or Kiali off");
    }
    if (parts.cluster?.type === "eks") {
        checkEks(parts.cluster, parts.environment ?? "dev", add);
    }
    if (parts.gateway !== undefined) {
        checkGatewayEdge(parts.gateway, parts.cluster, parts.environment ?? "dev", add);
    }
    return issues;
}

/** Kong's rate-limiting entity checks (Kong/kong 3.9.3 kong/plugins/rate-limiting/schema.lua), said in the declaration's terms. */
function checkRateLimit(rl: RateLimitSpec, at: string, gateway: GatewayConfig | undefined, add: (path: string, message: string) => void): void {
    checkRateLimitFields(rl, at, add);
    if (rl.policy === "redis" && gateway?.rateLimitRedis === undefined) {
        add(
            `${at}.policy`,
            "redis needs a Redis for the counters: set gateway.rateLimitRedis ({type: elasticache} on EKS, or {type: external, host, passwordSecret}); Kong refuses policy redis without redis.host",
        );
    }
}

/** The rate-limit rules that need nothing but the service's own declaration. */
function checkRateLimitFields(rl: RateLimitSpec, at: string, add: (path: string, message: string) => void): void {
    if (rl.limitBy === "header" && rl.headerName === undefined) {
        add(`${at}.headerName`, "is required with limitBy: header (the header whose value is counted; Kong refuses limit_by header without header_name)");
    }
    if (rl.limitBy === "path" && rl.path === undefined) {
        add(`${at}.path`, "is required with limitBy: path (the path whose requests are counted; Kong refuses limit_by path without path)");
    }
    if (rl.headerName !== undefined && rl.limitBy !== "header") {
        add(`${at}.headerName`, `is used only with limitBy: header; limitBy is ${rl.limitBy ?? "the default (consumer or ip)"}`);
    }
    if (rl.path !== undefined && rl.limitBy !== "path") {
        add(`${at}.path`, `is used only with limitBy: path; limitBy is ${rl.limitBy ?? "the default (consumer or ip)"}`);
    }
}

/** Postgres, TLS, client IP, replicas (Kong's own rules, config/kong-edge-checks.ts), HTTPS in prod and the Redis store: what the gateway's settings need from each other and the cluster. */
function checkGatewayEdge(gw: GatewayConfig, cluster: StackConfig["cluster"] | undefined, environment: string, add: (path: string, message: string) => void): void {
    const lb = cluster === undefined ? undefined : cluster.type === "eks" ? "aws-nlb" : cluster.loadBalancer;
    const tls = gw.tls;
    const facts = {
        mode: gw.mode,
        postgres: gw.postgres,
        tls,
        loadBalancer: lb,
        clientIp: gw.loadBalancer.clientIp,
        highAvailability: environment === "prod",
        replicas: gw.replicas,
        autoscaling: gw.autoscaling,
    };
    for (const issue of kongEdgeIssues(facts, (field) => `gateway.${field === "clientIp" ? "loadBalancer.clientIp" : field}`)) {
        add(issue.path, issue.message);
    }
    const publicEdge = gw.loadBalancer.scheme === "internet-facing" && lb !== "none";
    if (environment === "prod" && publicEdge) {
        if (tls?.certificateArn === undefined && tls?.secretName === undefined) {
            add(
                "gateway.tls",
                "prod serves HTTPS only: give a certificate (certificateArn: an ACM ARN terminated at the NLB, or secretName: a kubernetes.io/tls Secret in namespace kong); without one Kong serves its self-signed certificate",
            );
        } else if (effectiveHttpListener(tls, environment) === "open") {
            add("gateway.tls.http", "open serves plaintext HTTP to the internet in prod; use close (or redirect with secretName)");
        }
    }
    if (gw.rateLimitRedis?.type === "elasticache" && cluster !== undefined && cluster.type !== "eks") {
        add("gateway.rateLimitRedis.type", "elasticache is made on EKS stacks only; on an existing cluster use {type: external, host, passwordSecret}");
    }
}

/**
 * The cross-field rules of one service declaration that need no other part of the stack
 * (versions and canary, the container port, the rate limit's own fields): what MeshService
 * checks when a consumer gives it a declaration directly. `at` prefixes each path.
 */
export function serviceIssues(spec: ServiceSpec, at: string): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const add = (path: string, message: string) => issues.push({ path, message });
    checkVersions(spec.versions, spec.canary, at, add);
    checkContainerPort(spec, at, add);
    issues.push(...protocolIssues(spec, at));
    if (spec.gateway?.rateLimit !== undefined) {
        checkRateLimitFields(spec.gateway.rateLimit, `${at}.gateway.rateLimit`, add);
    }
    return issues;
}

function checkVersions(versions: ServiceSpec["versions"], canary: ServiceSpec["canary"], at: string, add: (path: string, message: string) => void): void {
    checkDuplicates(
        versions,
        (v) => v.name,
        (i, first) => add(`${at}.versions[${i}].name`, `"${versions[i].name}" is already declared by versions[${first}]; version names must be unique`),
    );
    const sum = versions.reduce((total, v) => total + v.weight, 0);
    if (versions.length > 0 && sum !== 100) {
        add(`${at}.versions`, `weights add up to ${sum} (${versions.map((v) => `${v.name}: ${v.weight}`).join(", ")}); they must add up to 100`);
    }
    if (canary !== undefined && !versions.some((v) => v.name === canary.version)) {
        add(
            `${at}.canary.version`,
            versions.length === 0
                ? `"${canary.version}" is not a declared version: a canary needs versions (e.g. [{name: v1, weight: 100}, {name: ${canary.version}, weight: 0}])`
                : `"${canary.version}" is not one of this service's versions (${versions.map((v) => v.name).join(", ")})`,
        );
    }
}

/** The container port (targetPort, else port) must not be one the Istio sidecar listens on. */
function checkContainerPort(spec: Partial<ServiceSpec>, at: string, add: (path: string, message: string) => void): void {
    const [field, port] = spec.targetPort !== undefined ? ["targetPort", spec.targetPort] : ["port", spec.port];
    if (port !== undefined && (ISTIO_RESERVED_PORTS as readonly number[]).includes(port)) {
        add(
            `${at}.${field}`,
            `${port} is reserved by the Istio sidecar in every pod (${ISTIO_RESERVED_PORTS.join(", ")}); the workload must listen on another port${field === "port" ? " (or set targetPort)" : ""}`,
        );
    }
}

function checkCallers(allowFrom: ServiceSpec["allowFrom"], at: string, runsAs: (caller: string) => boolean, add: (path: string, message: string) => void): void {
    allowFrom.forEach((caller, k) => {
        if (typeof caller === "string" && !runsAs(caller)) {
            add(
                `${at}.allowFrom[${k}]`,
                `no service in this stack runs as ${caller} (namespace/serviceaccount); declare it, or write {principal: "${caller}", external: true} for a caller meshgate does not manage`,
            );
        }
    });
}

function checkEks(cluster: EksClusterConfig, environment: string, add: (path: string, message: string) => void): void {
    eksRuleIssues(cluster, environment === "prod", (path, message) => add(`cluster.${path}`, message));
}

function checkDuplicates<T>(items: readonly T[], key: (t: T) => string, report: (index: number, first: number) => void): void {
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
        const k = key(item);
        const first = seen.get(k);
        if (first === undefined) {
            seen.set(k, i);
        } else {
            report(i, first);
        }
    });
}

function normalisePath(path: string): string {
    return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

function methodsOverlap(a: readonly string[], b: readonly string[]): boolean {
    return a.length === 0 || b.length === 0 || a.some((m) => b.includes(m));
}
