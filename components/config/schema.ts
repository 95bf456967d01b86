/**
 * The schema of a meshgate stack: cluster, chart versions, mesh, gateway,
 * observability and the per-service declarations. Field rules (types, ranges,
 * formats, defaults) live here; rules that relate fields to each other live in
 * `cross-checks.ts`, so that both kinds are reported in one pass.
 */
import { z } from "zod";
import { CHART_DEFAULTS } from "../versions";
import {
    cidr,
    dnsLabel,
    duration,
    HTTP_METHODS,
    oneOf,
    percent,
    port,
    positiveInt,
    positiveInt32,
    prometheusDuration,
    storageSize,
    wholePercent,
    consumerName,
    consumerCredentials,
    exactChartVersion,
} from "./pieces";

export { DNS1123_LABEL, DURATION, durationNanos, dnsLabel, duration } from "./pieces";
/** Ports the Istio sidecar listens on in every pod; a workload cannot use them (istio.io "Application requirements"). */
export const ISTIO_RESERVED_PORTS = [15000, 15001, 15004, 15006, 15008, 15009, 15020, 15021, 15053, 15090] as const;

/** Retry conditions Istio 1.30 accepts in `retryOn` (Envoy's x-envoy-retry-on and x-envoy-retry-grpc-on), besides HTTP status codes. */
export const RETRY_ON_POLICIES = [
    "5xx",
    "gateway-error",
    "reset",
    "reset-before-request",
    "connect-failure",
    "retriable-4xx",
    "refused-stream",
    "retriable-status-codes",
    "retriable-headers",
    "envoy-ratelimited",
    "http3-post-connect-failure",
    "cancelled",
    "deadline-exceeded",
    "internal",
    "resource-exhausted",
    "unavailable",
] as const;

/** HTTP status codes Go's net/http knows (Istio accepts a retryOn entry that is one of them). */
const HTTP_STATUS_CODES = new Set([
    100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412,
    413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

/** Entries of a retryOn list that Istio would reject. */
export function invalidRetryOn(retryOn: string): string[] {
    return retryOn.split(",").filter((p) => !(RETRY_ON_POLICIES as readonly string[]).includes(p) && !(/^\d{3}$/.test(p) && HTTP_STATUS_CODES.has(Number(p))));
}

/** Character sequences Kubernetes rejects in an Ingress path of type Prefix or Exact. */
const INVALID_INGRESS_PATH_SEQUENCES = ["//", "/./", "/../", "%2f", "%2F"];
const INVALID_INGRESS_PATH_SUFFIXES = ["/..", "/."];

/** Why Kubernetes would reject `path` as a Prefix Ingress path; undefined when it is fine. Kong regex paths (`/~...`) are ImplementationSpecific and exempt. */
export function ingressPathProblem(path: string): string | undefined {
    if (path.startsWith("/~")) {
        return undefined;
    }
    const seq = INVALID_INGRESS_PATH_SEQUENCES.find((q) => path.includes(q));
    if (seq !== undefined) {
        return `must not contain "${seq}" (Kubernetes rejects such Ingress paths)`;
    }
    const suffix = INVALID_INGRESS_PATH_SUFFIXES.find((q) => path.endsWith(q));
    return suffix === undefined ? undefined : `must not end with "${suffix}" (Kubernetes rejects such Ingress paths)`;
}

// ---------------------------------------------------------------- charts

const chartSpec = z.strictObject({
    /** Exact chart version (no ranges: a plan must be reproducible). */
    version: exactChartVersion.optional(),
    /** Chart repository; HTTPS or OCI only. */
    repository: z
        .string()
        .regex(/^(https|oci):\/\//, { error: "must be an https:// or oci:// repository URL" })
        .optional(),
});

export const chartsSchema = z
    .strictObject(
        Object.fromEntries(Object.keys(CHART_DEFAULTS).map((k) => [k, chartSpec.optional()])) as {
            [K in keyof typeof CHART_DEFAULTS]: z.ZodOptional<typeof chartSpec>;
        },
    )
    .default({});

// ---------------------------------------------------------------- cluster

const nodeGroup = z.strictObject({
    name: dnsLabel,
    instanceTypes: z
        .array(z.string().regex(/^[a-z0-9-]+\.[a-z0-9]+$/, { error: 'must be an EC2 instance type such as "m6i.large"' }))
        .min(1)
        .default(["m6i.large"]),
    minSize: z.number().int().min(0, { error: "must be 0 or more" }),
    maxSize: positiveInt,
    desiredSize: z.number().int().min(0).optional(),
    diskSizeGiB: z.number().int().min(20, { error: "must be at least 20 GiB" }).max(16384).default(50),
    capacityType: oneOf(["ON_DEMAND", "SPOT"]).default("ON_DEMAND"),
    labels: z.record(z.string(), z.string()).default({}),
});

const accessEntry = z.strictObject({
    principalArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/.+$/, { error: "must be an IAM role or user ARN" }),
    accessPolicy: oneOf(["cluster-admin", "admin", "edit", "view"]).default("view"),
    /** Limit the access policy to these namespaces; empty means cluster-wide. */
    namespaces: z.array(dnsLabel).default([]),
});

const eksCluster = z.strictObject({
    type: z.literal("eks"),
    region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { error: 'must be an AWS region such as "eu-west-1"' }),
    kubernetesVersion: z
        .string()
        .regex(/^1\.\d{2}$/, { error: 'must be a Kubernetes minor version such as "1.35"' })
        .default("1.35"),
    vpc: z
        .strictObject({
            cidr: cidr.default("10.0.0.0/16"),
            availabilityZones: z.number().int().min(2, { error: "must be from 2 to 6" }).max(6, { error: "must be from 2 to 6" }).default(3),
            /** One NAT gateway per AZ (resilient) or a single one (cheap). Default: perAz in prod, single elsewhere. */
            natGateways: oneOf(["single", "perAz"]).optional(),
        })
        .default({ cidr: "10.0.0.0/16", availabilityZones: 3 }),
    existingVpc: z
        .strictObject({
            vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, { error: 'must be a VPC id such as "vpc-0123abcd"' }),
            privateSubnetIds: z
                .array(z.string().regex(/^subnet-[0-9a-f]+$/, { error: "must be a subnet id" }))
                .min(2, { error: "must list at least 2 private subnets (in different AZs)" }),
            publicSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/, { error: "must be a subnet id" })).default([]),
        })
        .optional(),
    endpoint: z
        .strictObject({
            publicAccess: z.boolean().default(true),
            /** CIDRs allowed to reach the public API endpoint. Never 0.0.0.0/0 in prod. */
            publicAccessCidrs: z.array(cidr).default([]),
        })
        .default({ publicAccess: true, publicAccessCidrs: [] }),
    nodeGroups: z.array(nodeGroup).min(1, { error: "must list at least one node group" }),
    accessEntries: z.array(accessEntry).default([]),
    /**
     * How the kubeconfig's `aws eks get-token` authenticates. Default: the AWS provider's own
     * profile and role (`aws:profile`, `aws:assumeRoles`), which the program passes in: the
     * identity that creates the cluster is the one that gets cluster-admin.
     */
    kubeconfig: z
        .strictObject({
            profile: z.string().min(1).optional(),
            roleArn: z
                .string()
                .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, { error: "must be an IAM role ARN" })
                .optional(),
        })
        .optional(),
    /** metrics-server, the resource metrics API that Kong's and istiod's HPAs read. */
    metricsServer: z.strictObject({ enabled: z.boolean().default(true) }).default({ enabled: true }),
    /** The cluster autoscaler: grows and shrinks the node groups between minSize and maxSize. */
    autoscaler: z.strictObject({ enabled: z.boolean().default(true) }).default({ enabled: true }),
});

const existingCluster = z.strictObject({
    type: z.literal("existing"),
    /** Path to a kubeconfig file; default: $KUBECONFIG or ~/.kube/config, read by the provider. */
    kubeconfig: z.string().optional(),
    /** kubeconfig context to use; default: the current context. */
    context: z.string().optional(),
    /**
     * What exposes Kong's proxy: an AWS NLB (the AWS Load Balancer Controller is already installed),
     * the cluster's own LoadBalancer implementation (generic), or a NodePort where there is none
     * (kind, k3d, bare metal).
     */
    loadBalancer: oneOf(["aws-nlb", "generic", "none"]).default("generic"),
    /** StorageClass for the claims meshgate creates; default: the cluster's default class. */
    storageClass: dnsLabel.optional(),
    /** Install metrics-server (off: most existing clusters have one: k3d, minikube's add-on, GKE, AKS). */
    metricsServer: z.strictObject({ enabled: z.boolean().default(false) }).default({ enabled: false }),
    /** The control plane runs outside the cluster (a managed cluster): do not scrape controller-manager, scheduler, etcd, kube-proxy. */
    managedControlPlane: z.boolean().default(false),
});

/** The EKS variant of the cluster schema: EksCluster checks its arguments with these same pieces (components/cluster/eks/issues.ts). */
export const eksClusterSchema = eksCluster;

export const clusterSchema = z.discriminatedUnion("type", [eksCluster, existingCluster], {
    error: 'must have type "eks" or "existing"',
});

// ---------------------------------------------------------------- add-ons

export const meshSchema = z
    .strictObject({
        /** Off: gateway-only mode (Kong without sidecars); turning it on later adds the Istio side. */
        enabled: z.boolean().default(true),
        trustDomain: z.string().default("cluster.local"),
        tracing: z.strictObject({ samplingPercentage: percent.default(1) }).default({ samplingPercentage: 1 }),
        accessLogging: z.boolean().default(true),
        /** Also install istio/gateway (an Istio ingress gateway); Kong is the edge, so off by default. */
        ingressGateway: z.boolean().default(false),
        /** Restrict each service namespace's sidecar egress to its own namespace, istio-system and the namespaces of the services it calls. */
        egressScoping: z.boolean().default(false),
        istiodReplicas: positiveInt.optional(),
        /**
         * How the mesh routes to a service's versions: Istio VirtualServices with DestinationRule subsets, or
         * Gateway API HTTPRoutes whose parent is the Service (Istio's mesh support; one Service per version).
         * gateway-api refuses what an HTTPRoute cannot express (see components/config/mesh-routing.ts).
         */
        routing: oneOf(["virtualservice", "gateway-api"]).default("virtualservice"),
    })
    .default({
        enabled: true,
        trustDomain: "cluster.local",
        tracing: { samplingPercentage: 1 },
        accessLogging: true,
        ingressGateway: false,
        egressScoping: false,
        routing: "virtualservice",
    });

const consumer = z.strictObject({
    name: consumerName,
    /** Credentials generated for this consumer (random, kept secret). */
    credentials: consumerCredentials.default(["key-auth"]),
});

/** An ACM certificate ARN (what the NLB's TLS listener serves). */
const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:certificate\/[0-9a-f-]+$/;
/** A Secret name (DNS-1123 subdomain). */
const secretName = z
    .string()
    .max(253)
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { error: "must be a Secret name (lower-case letters, digits, '-' and '.')" });
const secretKeyRef = z.strictObject({ name: secretName, key: z.string().regex(/^[-._a-zA-Z0-9]+$/, { error: "must be a Secret key (letters, digits, '-', '_', '.')" }) });

/**
 * Where Kong's rate-limit counters live when a service uses `policy: redis`: one Redis for
 * every Kong pod, so a limit is cluster-wide (with `policy: local` each pod counts on its own).
 */
const rateLimitRedis = z.discriminatedUnion(
    "type",
    [
        z.strictObject({
            /** An ElastiCache (Redis OSS) replication group made by meshgate in the cluster's private subnets (EKS stacks only): TLS in transit, encryption at rest, a generated auth token kept secret, reachable only from the nodes. */
            type: z.literal("elasticache"),
            /** @default "cache.t4g.small" */
            nodeType: z
                .string()
                .regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, { error: 'must be an ElastiCache node type such as "cache.t4g.small"' })
                .default("cache.t4g.small"),
            /** Read replicas besides the primary; at least 1 gives automatic failover across AZs. Default: 1 in prod, 0 elsewhere. */
            replicas: z.number().int().min(0, { error: "must be from 0 to 5" }).max(5, { error: "must be from 0 to 5" }).optional(),
            /** @default "7.1" */
            engineVersion: z
                .string()
                .regex(/^\d+\.\d+$/, { error: 'must be a Redis engine version such as "7.1"' })
                .default("7.1"),
        }),
        z.strictObject({
            /** A Redis you run (any cluster): Kong connects to `host:port`. */
            type: z.literal("external"),
            host: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { error: "must be a DNS name or IPv4 address" }),
            port: port.default(6379),
            /** Connect with TLS. @default true */
            tls: z.boolean().default(true),
            /** Name the server's certificate must carry (SNI, verified); default: no verification beyond TLS. */
            serverName: z.string().optional(),
            /** The Redis password: a Secret of this name and key in each namespace of a service that uses `policy: redis`; KIC patches it into the plugin (never in the KongPlugin itself). */
            passwordSecret: secretKeyRef.optional(),
        }),
    ],
    { error: 'must have type "elasticache" or "external"' },
);

export const gatewaySchema = z
    .strictObject({
        /** DB-less (declarative, default) or backed by Postgres (`postgres` says which). */
        mode: oneOf(["dbless", "postgres"]).default("dbless"),
        /**
         * Postgres mode: an `external` database of yours, or the chart's bundled PostgreSQL with an
         * `image` you give (the kong/kong 3.4.1 chart: "Default bitnami/postgres image is not
         * available anymore ... provide your own image here").
         */
        postgres: z
            .strictObject({
                external: z
                    .strictObject({
                        host: z.string().min(1),
                        port: port.default(5432),
                        user: z.string().min(1).default("kong"),
                        database: z.string().min(1).default("kong"),
                        ssl: z.boolean().default(true),
                    })
                    .optional(),
                image: z.strictObject({ registry: z.string().default(""), repository: z.string().min(1), tag: z.string().min(1) }).optional(),
            })
            .optional(),
        replicas: positiveInt.optional(),
        autoscaling: z.strictObject({ minReplicas: positiveInt, maxReplicas: positiveInt, targetCPUUtilizationPercentage: percent.default(70) }).optional(),
        loadBalancer: z
            .strictObject({
                scheme: oneOf(["internet-facing", "internal"]).default("internet-facing"),
                /** Client CIDRs allowed through the NLB; empty means anyone. Enforced by the NLB only when it preserves client IPs (`clientIp: preserve`). */
                sourceRanges: z.array(cidr).default([]),
                /**
                 * How Kong learns the client's address behind an NLB with IP targets (which by default
                 * shows Kong the NLB's own address): `preserve` sets the target-group attribute
                 * `preserve_client_ip.enabled=true`; `proxy-protocol` sends PROXY protocol v2 and Kong
                 * reads it (`real_ip_header: proxy_protocol`, `trusted_ips`); `none` leaves it off
                 * (limitBy ip, ip-restriction and access logs then see NLB addresses).
                 */
                clientIp: oneOf(["preserve", "proxy-protocol", "none"]).default("preserve"),
            })
            .default({ scheme: "internet-facing", sourceRanges: [], clientIp: "preserve" }),
        /**
         * TLS at the edge: `certificateArn` (ACM) terminates at the NLB, `secretName` (a
         * kubernetes.io/tls Secret in namespace kong) makes it Kong's default certificate.
         * `http` is what port 80 does: `open` (plaintext), `redirect` (Kong answers 308 to
         * https; needs `secretName`, since behind an ACM listener Kong cannot tell which port a
         * request came in on) or `close` (no port 80). Default: `open`, and in prod `close`
         * with an ACM certificate, `redirect` with a Secret.
         */
        tls: z
            .strictObject({
                certificateArn: z
                    .string()
                    .regex(ACM_CERTIFICATE_ARN, { error: 'must be an ACM certificate ARN such as "arn:aws:acm:eu-west-1:123456789012:certificate/0f8c..."' })
                    .optional(),
                secretName: secretName.optional(),
                /** NLB TLS security policy (ACM only). @default "ELBSecurityPolicy-TLS13-1-2-2021-06" */
                sslPolicy: z
                    .string()
                    .regex(/^ELBSecurityPolicy-[A-Za-z0-9-]+$/, { error: 'must be an ELB security policy such as "ELBSecurityPolicy-TLS13-1-2-2021-06"' })
                    .default("ELBSecurityPolicy-TLS13-1-2-2021-06"),
                http: oneOf(["open", "redirect", "close"]).optional(),
            })
            .optional(),
        /**
         * How routes reach Kong: `ingress` (an Ingress of class kong per exposed service) or
         * `gateway-api` (the Gateway API v1.3.0 CRDs, a GatewayClass and Gateway for Kong's
         * controller, an HTTPRoute `<service>-edge` per exposed service). Absent: `ingress`.
         */
        api: oneOf(["ingress", "gateway-api"]).optional(),
        /** The shared counter store for `rateLimit.policy: redis`; when set, redis becomes every rate limit's default policy. */
        rateLimitRedis: rateLimitRedis.optional(),
        consumers: z.array(consumer).default([]),
    })
    .default({ mode: "dbless", loadBalancer: { scheme: "internet-facing", sourceRanges: [], clientIp: "preserve" }, consumers: [] });

export const observabilitySchema = z
    .strictObject({
        enabled: z.boolean().default(true),
        prometheus: z
            .strictObject({
                retention: prometheusDuration.default("10d"),
                /** Size cap of the TSDB; default 85% of storageGiB (none without a volume). */
                retentionSize: storageSize.optional(),
                storageGiB: positiveInt.optional(),
            })
            .default({ retention: "10d" }),
        jaeger: z.strictObject({ storage: oneOf(["memory", "badger"]).default("memory"), storageGiB: positiveInt.default(10) }).default({ storage: "memory", storageGiB: 10 }),
        kiali: z.strictObject({ enabled: z.boolean().default(false) }).default({ enabled: false }),
        /** Scrape kube-controller-manager, kube-scheduler, etcd and kube-proxy; default: off on EKS (not reachable there), on elsewhere. */
        controlPlaneMetrics: z.boolean().optional(),
    })
    .default({ enabled: true, prometheus: { retention: "10d" }, jaeger: { storage: "memory", storageGiB: 10 }, kiali: { enabled: false } });

// ---------------------------------------------------------------- services

const version = z.strictObject({ name: dnsLabel, weight: wholePercent });

const canary = z
    .strictObject({
        /** Request header that pins a request to `version`. */
        header: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: "must be a lower-case HTTP header name" }),
        equals: z.string().min(1).optional(),
        prefix: z.string().min(1).optional(),
        regex: z.string().min(1).optional(),
        version: dnsLabel,
        /**
         * Let internet clients pick the canary by sending the header through Kong. Default false:
         * Kong removes the header at the edge (request-transformer), so only callers inside the
         * mesh can pin themselves to `version`.
         */
        clientSelectable: z.boolean().default(false),
    })
    .refine((c) => [c.equals, c.prefix, c.regex].filter((x) => x !== undefined).length === 1, {
        error: "must set exactly one of equals, prefix, regex",
    });

export const RATE_WINDOWS = ["second", "minute", "hour", "day", "month", "year"] as const;

const rateLimit = z
    .strictObject({
        second: positiveInt.optional(),
        minute: positiveInt.optional(),
        hour: positiveInt.optional(),
        day: positiveInt.optional(),
        month: positiveInt.optional(),
        year: positiveInt.optional(),
        /** What a limit is counted per. Default: consumer when authenticated, ip otherwise. */
        limitBy: oneOf(["consumer", "credential", "ip", "service", "header", "path"]).optional(),
        /** `limitBy: header`: the request header whose value is counted (Kong's `header_name`). */
        headerName: z
            .string()
            .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { error: "must be an HTTP header name" })
            .optional(),
        /** `limitBy: path`: the path whose requests are counted together (Kong's `path`). */
        path: z
            .string()
            .regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/, { error: 'must be an absolute URL path such as "/api/v1/users"' })
            .refine((p) => !p.includes("//"), { error: "must not have empty segments (//)" })
            .optional(),
        /**
         * Where counters live. `local`: each Kong pod counts alone, so with N pods a client gets up
         * to N times the limit. `redis`: one shared count (needs `gateway.rateLimitRedis`).
         * `cluster`: Kong's database (postgres mode only). Default: redis when
         * `gateway.rateLimitRedis` is set, else local.
         */
        policy: oneOf(["local", "redis", "cluster"]).optional(),
    })
    .refine((r) => RATE_WINDOWS.some((w) => r[w] !== undefined), { error: `must set at least one of ${RATE_WINDOWS.join(", ")}` })
    .superRefine((r, ctx) => {
        // Kong's rate-limiting schema: a longer window may not allow fewer requests than a shorter one.
        const set = RATE_WINDOWS.filter((w) => r[w] !== undefined);
        for (let i = 0; i < set.length; i++) {
            for (let j = i + 1; j < set.length; j++) {
                const shorter = r[set[i]] ?? 0;
                const longer = r[set[j]] ?? 0;
                if (longer < shorter) {
                    ctx.addIssue({
                        code: "custom",
                        path: [set[j]],
                        input: longer,
                        message: `must be at least the limit per ${set[i]} (${shorter}): Kong rejects limits that decrease with a longer window`,
                    });
                    return;
                }
            }
        }
    });

/**
 * A gRPC service (`package.Service`, e.g. `helloworld.Greeter`) or one of its methods: what a
 * GRPCRoute match names (Gateway API v1.3.0 GRPCMethodMatch, type Exact, CEL: service
 * `^(?i)\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$`, method `^[A-Za-z_][A-Za-z_0-9]*$`; meshgate
 * takes the service without a leading dot, as it appears in a call's path).
 */
const grpcMethod = z.strictObject({
    service: z
        .string()
        .max(1024)
        .regex(/^[a-zA-Z_][a-zA-Z_0-9]*(\.[a-zA-Z_][a-zA-Z_0-9]*)*$/, { error: 'must be a fully qualified gRPC service name such as "helloworld.Greeter"' }),
    /** One method of the service; absent: every method. */
    method: z
        .string()
        .max(1024)
        .regex(/^[A-Za-z_][A-Za-z_0-9]*$/, { error: 'must be a gRPC method name such as "SayHello"' })
        .optional(),
});

const gatewayExposure = z.strictObject({
    /** HTTP services: the paths Kong routes (at least one). gRPC services (`protocol: grpc`) are routed by `grpc` instead and list no paths. */
    paths: z
        .array(
            z
                .string()
                .regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/, { error: 'must be an absolute URL path such as "/api/v1/users"' })
                .superRefine((p, ctx) => {
                    const problem = ingressPathProblem(p);
                    if (problem !== undefined) {
                        ctx.addIssue({ code: "custom", input: p, message: problem });
                    }
                }),
        )
        .min(1, { error: "must list at least one path" })
        .default([]),
    /** gRPC services only: the gRPC services (and methods) Kong routes to this service; absent: every call on the hosts. */
    grpc: z
        .array(grpcMethod)
        .min(1, { error: "must list at least one gRPC service, or be left out (every call)" })
        .max(128, { error: "must list at most 128 entries: a GRPCRoute holds at most 128 matches (Gateway API v1.3.0 CRD)" })
        .optional(),
    methods: z.array(z.enum(HTTP_METHODS, { error: `must be one of ${HTTP_METHODS.join(", ")}` })).default([]),
    hosts: z.array(z.string().regex(/^(\*\.)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { error: "must be a DNS host name" })).default([]),
    stripPath: z.boolean().default(false),
    /** key-auth | jwt | oauth2 (Kong with a database only) | none */
    auth: z.enum(["key-auth", "jwt", "oauth2", "none"], { error: "must be one of key-auth, jwt, oauth2, none" }).default("key-auth"),
    /** Only these consumers may call (adds an acl plugin); default: any authenticated consumer. */
    consumers: z.array(dnsLabel).optional(),
    rateLimit: rateLimit.optional(),
    cors: z
        .strictObject({
            origins: z.array(z.string().min(1)).min(1),
            methods: z.array(z.enum(HTTP_METHODS)).optional(),
            headers: z.array(z.string()).optional(),
            credentials: z.boolean().default(false),
            maxAge: z.number().int().min(0).optional(),
        })
        .optional(),
    ipRestriction: z
        .strictObject({ allow: z.array(cidr).default([]), deny: z.array(cidr).default([]) })
        .refine((r) => r.allow.length + r.deny.length > 0, { error: "must list allow or deny CIDRs" })
        .optional(),
    /** Largest request body accepted, in megabytes. */
    maxRequestMegabytes: z.number().positive().optional(),
});

const resilience = z.strictObject({
    timeout: duration.optional(),
    retries: z
        .strictObject({
            attempts: z.number().int().min(0, { error: "must be from 0 to 10" }).max(10, { error: "must be from 0 to 10" }),
            perTryTimeout: duration.optional(),
            /**
             * Retry requests whatever their method. Default false: a VirtualService route cannot tell
             * a POST from a GET, so `retryOn` is narrowed to the conditions where the request never
             * reached the service (connect-failure, refused-stream, reset-before-request) and no write
             * is ever sent twice. true: every `retryOn` condition applies to every method, so a POST
             * or PATCH that failed with a 5xx or a reset after the service received it is sent again
             * and may be applied twice; opt in only for services whose writes are idempotent.
             */
            retryNonIdempotent: z.boolean().default(false),
            retryOn: z
                .string()
                .regex(/^[a-z0-9-]+(,[a-z0-9-]+)*$/, { error: 'must be a comma-separated list of Envoy retry conditions such as "5xx,reset,connect-failure"' })
                .superRefine((r, ctx) => {
                    const bad = invalidRetryOn(r);
                    if (bad.length > 0) {
                        ctx.addIssue({
                            code: "custom",
                            input: r,
                            message: `${bad.map((b) => `"${b}"`).join(", ")} ${bad.length === 1 ? "is not a retry condition" : "are not retry conditions"} Istio accepts (${RETRY_ON_POLICIES.join(", ")}, or an HTTP status code)`,
                        });
                    }
                })
                .default("5xx,reset,connect-failure,refused-stream"),
        })
        .optional(),
    outlierDetection: z
        .strictObject({
            consecutive5xxErrors: positiveInt32.default(5),
            interval: duration.default("10s"),
            baseEjectionTime: duration.default("30s"),
            maxEjectionPercent: wholePercent.default(50),
        })
        .optional(),
    connectionPool: z
        .strictObject({
            maxConnections: positiveInt32.optional(),
            http1MaxPendingRequests: positiveInt32.optional(),
            http2MaxRequests: positiveInt32.optional(),
            maxRequestsPerConnection: positiveInt32.optional(),
        })
        .optional(),
});

const caller = z.union(
    [
        z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { error: 'must be "<namespace>/<serviceaccount>"' }),
        z.strictObject({
            principal: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { error: 'must be "<namespace>/<serviceaccount>"' }),
            external: z.literal(true),
        }),
    ],
    { error: 'must be "<namespace>/<serviceaccount>" or {principal: "<namespace>/<serviceaccount>", external: true}' },
);

export const serviceSchema = z.strictObject({
    name: dnsLabel,
    namespace: dnsLabel,
    port: port,
    /**
     * What the workload speaks on `port`: `http` (HTTP/1.1, or HTTP/2 negotiated) or `grpc`
     * (HTTP/2 cleartext; the sidecar does mTLS). gRPC: the Service port says `appProtocol: grpc`
     * (Istio proxies HTTP/2), Kong's upstream protocol is grpc, and Kong routes by gRPC service
     * and method (`gateway.grpc`) on an Ingress with `konghq.com/protocols` grpc or a GRPCRoute.
     * Absent: http.
     */
    protocol: oneOf(["http", "grpc"]).optional(),
    /** Container port; default: `port`. */
    targetPort: port.optional(),
    /** Service account the workload runs as (its mesh identity). Default: the service name. */
    serviceAccount: dnsLabel.optional(),
    /** Create the Kubernetes Service (true) or annotate an existing one (false). */
    createService: z.boolean().default(true),
    /**
     * Subsets by the pods' `version` label, weights adding up to 100. None (the default, or
     * `[]`): the VirtualService routes to the Service's host without a subset, and the pods
     * need no `version` label.
     */
    versions: z.array(version).default([]),
    canary: canary.optional(),
    gateway: gatewayExposure.optional(),
    resilience: resilience.default({}),
    allowFrom: z.array(caller).default([]),
});

export const stackSchema = z.strictObject({
    environment: z.enum(["dev", "staging", "prod"], { error: "must be one of dev, staging, prod" }).default("dev"),
    cluster: clusterSchema,
    charts: chartsSchema,
    mesh: meshSchema,
    gateway: gatewaySchema,
    observability: observabilitySchema,
    services: z.array(serviceSchema).default([]),
});

/** A stack declaration as validated, defaults applied (what validateStackConfig returns). */
export type StackConfig = z.output<typeof stackSchema>;
/** A stack declaration as a user writes it: the `meshgate:*` config of a stack, or the declaration part of PlatformArgs. */
export type StackConfigInput = z.input<typeof stackSchema>;
/** One service declaration as validated: defaults applied (what `validateStackConfig(...).services[i]` holds). */
export type ServiceSpec = z.output<typeof serviceSchema>;
/** One service declaration as a user writes it (an entry of `meshgate:services`): what MeshService and PlatformArgs.services take. */
export type ServiceSpecInput = z.input<typeof serviceSchema>;
export type ClusterConfig = z.output<typeof clusterSchema>;
export type EksClusterConfig = z.output<typeof eksCluster>;
export type ExistingClusterConfig = z.output<typeof existingCluster>;
export type MeshConfig = z.output<typeof meshSchema>;
export type GatewayConfig = z.output<typeof gatewaySchema>;
export type ObservabilityConfig = z.output<typeof observabilitySchema>;
export type ChartsConfig = z.output<typeof chartsSchema>;
/** The stack's environment: `prod` turns on high availability and the production checks. */
export type Environment = StackConfig["environment"];
export type HttpMethod = (typeof HTTP_METHODS)[number];
export type AuthType = NonNullable<ServiceSpec["gateway"]>["auth"];
export type RateLimitRedisConfig = NonNullable<GatewayConfig["rateLimitRedis"]>;
export type GatewayTlsConfig = NonNullable<GatewayConfig["tls"]>;
export type RateLimitSpec = NonNullable<NonNullable<ServiceSpec["gateway"]>["rateLimit"]>;
/** One `gateway.grpc` entry: a gRPC service, or one method of it. */
export type GrpcMethodSpec = NonNullable<NonNullable<ServiceSpec["gateway"]>["grpc"]>[number];

/** Safe retry conditions: the upstream never received the request (Envoy's connect-failure, refused-stream, reset-before-request). */
export const SAFE_RETRY_ON = ["connect-failure", "refused-stream", "reset-before-request"] as const;

/** The rate-limit policy a service gets: its own, else redis when the stack has a Redis store, else local. */
export function effectiveRateLimitPolicy(rl: Pick<RateLimitSpec, "policy">, gateway: Pick<GatewayConfig, "rateLimitRedis"> | undefined): "local" | "redis" | "cluster" {
    return rl.policy ?? (gateway?.rateLimitRedis !== undefined ? "redis" : "local");
}

/** What port 80 does: as configured, else in prod `close` (ACM) or `redirect` (Kong's own certificate), else `open`. */
export function effectiveHttpListener(tls: GatewayConfig["tls"], environment: string): "open" | "redirect" | "close" {
    if (tls?.http !== undefined) return tls.http;
    if (environment === "prod" && tls?.certificateArn !== undefined) return "close";
    if (environment === "prod" && tls?.secretName !== undefined) return "redirect";
    return "open";
}
