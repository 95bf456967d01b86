/**
 * The shared store of Kong's rate-limit counters (`policy: redis`), so that a limit holds for
 * the whole gateway rather than per Kong pod.
 *
 * - `ElastiCacheRedis`: an ElastiCache (Redis OSS) replication group in the cluster's private
 *   subnets, TLS in transit and encryption at rest, a generated auth token (kept secret),
 *   reachable on its port only from the nodes' security group.
 * - `RedisPasswordSecrets`: the token as a Secret in each namespace whose KongPlugins use it
 *   (KIC patches it into the plugin config from there: `configPatches`).
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** Name and key of the Secret meshgate creates, in each namespace using the managed Redis. */
export const RATE_LIMIT_REDIS_SECRET = { name: "meshgate-rate-limit-redis", key: "password" } as const;
export const REDIS_PORT = 6379;

/** Where the Redis lives (region, VPC, subnets, the nodes' security group) and its size. */
export interface ElastiCacheRedisArgs {
    /** Region of every resource. */
    readonly region: string;
    readonly vpcId: pulumi.Input<string>;
    /** Private subnets (at least two AZs). */
    readonly subnetIds: pulumi.Input<string>[];
    /** The nodes' security group (the EKS cluster security group for managed node groups): the only source allowed in. */
    readonly nodeSecurityGroupId: pulumi.Input<string>;
    /** @default "cache.t4g.small" */
    readonly nodeType?: string;
    /** Read replicas; 1 or more turns on automatic failover and Multi-AZ. @default 0 */
    readonly replicas?: number;
    /** @default "7.1" */
    readonly engineVersion?: string;
    /** @default {} */
    readonly tags?: Record<string, string>;
}

const defaults = { nodeType: "cache.t4g.small", replicas: 0, engineVersion: "7.1", tags: {} as Record<string, string> };

/** The replication group's settings (pure), for the component and the tests. */
export function replicationGroupSettings(args: Pick<ElastiCacheRedisArgs, "nodeType" | "replicas" | "engineVersion">) {
    const a = { ...defaults, ...Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)) };
    if (!Number.isInteger(a.replicas) || a.replicas < 0 || a.replicas > 5) throw new Error(`ElastiCacheRedis: replicas must be a whole number from 0 to 5, got ${a.replicas}`);
    const failover = a.replicas > 0;
    return {
        engine: "redis",
        engineVersion: a.engineVersion,
        nodeType: a.nodeType,
        port: REDIS_PORT,
        numCacheClusters: 1 + a.replicas,
        automaticFailoverEnabled: failover,
        multiAzEnabled: failover,
        // Kong's redis.ssl; the auth token is accepted only with TLS in transit.
        transitEncryptionEnabled: true,
        transitEncryptionMode: "required",
        atRestEncryptionEnabled: true,
        snapshotRetentionLimit: 0,
        autoMinorVersionUpgrade: true,
    } as const;
}

/** An ElastiCache (Redis OSS) replication group for Kong's shared rate-limit counters: TLS, encryption at rest, a generated auth token, reachable from the nodes only. */
export class ElastiCacheRedis extends pulumi.ComponentResource {
    /** The primary endpoint's address (what Kong's `redis.host` is). */
    public readonly host: pulumi.Output<string>;
    public readonly port: number = REDIS_PORT;
    /** The auth token (secret). */
    public readonly password: pulumi.Output<string>;
    public readonly securityGroup: aws.ec2.SecurityGroup;
    public readonly replicationGroup: aws.elasticache.ReplicationGroup;

    constructor(name: string, args: ElastiCacheRedisArgs, opts?: pulumi.ComponentResourceOptions) {
        super("meshgate:rate-limit-store:ElastiCacheRedis", name, {}, opts);
        const settings = replicationGroupSettings(args);
        const tags = { ...defaults.tags, ...(args.tags ?? {}), "meshgate.io/role": "rate-limit-store" };
        const region = args.region;
        // ElastiCache auth tokens: 16-128 printable characters without @, " or /.
        const token = new random.RandomPassword(`${name}-auth-token`, { length: 48, special: false }, { parent: this });
        this.password = pulumi.secret(token.result);
        const subnets = new aws.elasticache.SubnetGroup(
            `${name}-subnets`,
            { region, subnetIds: args.subnetIds, description: "meshgate rate-limit Redis (private subnets)", tags },
            { parent: this },
        );
        this.securityGroup = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            { region, vpcId: args.vpcId, description: "meshgate rate-limit Redis: the nodes only", tags },
            { parent: this },
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-from-nodes`,
            {
                region,
                securityGroupId: this.securityGroup.id,
                referencedSecurityGroupId: args.nodeSecurityGroupId,
                ipProtocol: "tcp",
                fromPort: REDIS_PORT,
                toPort: REDIS_PORT,
                description: "Redis from the EKS nodes (Kong)",
                tags,
            },
            { parent: this },
        );
        this.replicationGroup = new aws.elasticache.ReplicationGroup(
            `${name}-redis`,
            {
                region,
                description: "meshgate: Kong rate-limit counters",
                ...settings,
                authToken: this.password,
                subnetGroupName: subnets.name,
                securityGroupIds: [this.securityGroup.id],
                tags,
            },
            // No ordering with the ingress rule: Kong's rate-limiting is fault tolerant (counts pass) until Redis is reachable.
            { parent: this },
        );
        this.host = this.replicationGroup.primaryEndpointAddress;
        this.registerOutputs({ host: this.host, port: this.port });
    }
}

/** A Secret holding the Redis password in `namespace` (pure manifest; `password` may be an Output). */
export function redisPasswordSecret(namespace: string, password: pulumi.Input<string>) {
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: RATE_LIMIT_REDIS_SECRET.name, namespace, labels: { "app.kubernetes.io/managed-by": "meshgate" } },
        type: "Opaque",
        stringData: { [RATE_LIMIT_REDIS_SECRET.key]: password },
    } as const;
}

/** The namespaces that get the Redis password, and the password. */
export interface RedisPasswordSecretsArgs {
    /** Namespaces whose KongPlugins read the password. */
    readonly namespaces: readonly string[];
    readonly password: pulumi.Input<string>;
    /** What the Secrets wait for (the namespaces). @default [] */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** The Redis password as a Secret in each namespace that needs it. */
export class RedisPasswordSecrets extends pulumi.ComponentResource {
    public readonly secrets: k8s.core.v1.Secret[];

    constructor(name: string, args: RedisPasswordSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("meshgate:rate-limit-store:RedisPasswordSecrets", name, {}, opts);
        this.secrets = [...new Set(args.namespaces)].sort().map((ns) => {
            const s = redisPasswordSecret(ns, pulumi.secret(args.password));
            return new k8s.core.v1.Secret(
                `${name}-${ns}`,
                { ...s, metadata: { ...s.metadata }, stringData: { ...s.stringData } },
                { parent: this, dependsOn: args.dependsOn ?? [] },
            );
        });
        this.registerOutputs({ namespaces: [...new Set(args.namespaces)].sort() });
    }
}
