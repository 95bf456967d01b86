/**
 * Deterministic placeholder outputs for the offline plan: what the cloud would
 * return for a resource (ids, ARNs, endpoints) and for provider functions.
 * Only what programs read is listed; a mock call with an unknown token fails,
 * so a new dependency on cloud data is noticed rather than silently faked.
 */
export const ACCOUNT_ID = "123456789012";
export const REGION = "us-east-1";

type Props = Record<string, unknown>;

/** FNV-1a, hex: stable short hashes for placeholder ids. */
export function shortHash(text: string, length = 8): string {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
        h ^= text.charCodeAt(i);
        h = Math.imul(h, 0x01000193);
    }
    let out = (h >>> 0).toString(16).padStart(8, "0");
    while (out.length < length) {
        h = Math.imul(h ^ out.length, 0x01000193);
        out += (h >>> 0).toString(16).padStart(8, "0");
    }
    return out.slice(0, length);
}

const ID_PREFIX: Record<string, string> = {
    "aws:ec2/vpc:Vpc": "vpc-",
    "aws:ec2/subnet:Subnet": "subnet-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:ec2/internetGateway:InternetGateway": "igw-",
    "aws:ec2/natGateway:NatGateway": "nat-",
    "aws:ec2/eip:Eip": "eipalloc-",
    "aws:ec2/routeTable:RouteTable": "rtb-",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt-",
};

/** The placeholder id of a custom resource. */
export function placeholderId(type: string, name: string, inputs: Props): string {
    const prefix = ID_PREFIX[type];
    if (prefix !== undefined) {
        return `${prefix}${shortHash(name, 17)}`;
    }
    if (type.startsWith("kubernetes:")) {
        const meta = asProps(inputs.metadata);
        return `${String(meta?.namespace ?? inputs.namespace ?? "default")}/${String(meta?.name ?? inputs.name ?? name)}`;
    }
    return `${name}-id`;
}

function asProps(v: unknown): Props | undefined {
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Props) : undefined;
}

function arn(service: string, resource: string, region = REGION): string {
    return `arn:aws:${service}:${region}:${ACCOUNT_ID}:${resource}`;
}

/** The resource's region (AWS provider v7 resources take a `region` input), else the default. */
function regionOf(inputs: Props): string {
    return typeof inputs.region === "string" ? inputs.region : REGION;
}

/** Outputs per resource type beyond the echoed inputs. */
const OUTPUTS: Record<string, (name: string, inputs: Props) => Props> = {
    "aws:eks/cluster:Cluster": (name, inputs) => {
        const clusterName = String(inputs.name ?? name);
        const id = shortHash(clusterName, 32).toUpperCase();
        const region = regionOf(inputs);
        return {
            name: clusterName,
            arn: arn("eks", `cluster/${clusterName}`, region),
            endpoint: `https://${id}.gr7.${region}.eks.amazonaws.com`,
            certificateAuthority: { data: Buffer.from(`placeholder CA for ${clusterName}`).toString("base64") },
            identities: [{ oidcs: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/${id}` }] }],
            status: "ACTIVE",
            vpcConfig: { ...asProps(inputs.vpcConfig), clusterSecurityGroupId: `sg-${shortHash(`${clusterName}-cluster`, 17)}`, vpcId: `vpc-${shortHash("vpc", 17)}` },
        };
    },
    "aws:iam/role:Role": (name, inputs) => ({
        name: inputs.name ?? name,
        arn: `arn:aws:iam::${ACCOUNT_ID}:role/${String(inputs.name ?? name)}`,
        uniqueId: `AROA${shortHash(name, 16).toUpperCase()}`,
    }),
    "aws:iam/policy:Policy": (name, inputs) => ({ name: inputs.name ?? name, arn: `arn:aws:iam::${ACCOUNT_ID}:policy/${String(inputs.name ?? name)}` }),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (_name, inputs) => ({
        arn: `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${String(inputs.url ?? "").replace(/^https:\/\//, "")}`,
    }),
    "aws:cloudwatch/logGroup:LogGroup": (name, inputs) => ({
        name: inputs.name ?? `${name}-${shortHash(name, 7)}`,
        arn: arn("logs", `log-group:${String(inputs.name ?? name)}`, regionOf(inputs)),
    }),
    "aws:kms/key:Key": (name, inputs) => ({
        arn: arn("kms", `key/${shortHash(name, 8)}-0000-4000-8000-${shortHash(name, 12)}`, regionOf(inputs)),
        keyId: `${shortHash(name, 8)}-0000-4000-8000-${shortHash(name, 12)}`,
    }),
    "aws:eks/nodeGroup:NodeGroup": (name, inputs) => ({
        arn: arn("eks", `nodegroup/${String(inputs.clusterName ?? "cluster")}/${String(inputs.nodeGroupName ?? name)}`, regionOf(inputs)),
        status: "ACTIVE",
    }),
    "aws:ec2/launchTemplate:LaunchTemplate": () => ({ latestVersion: 1, defaultVersion: 1 }),
    "aws:elasticache/subnetGroup:SubnetGroup": (name, inputs) => ({ name: inputs.name ?? `${name}-${shortHash(name, 7)}` }),
    "aws:elasticache/replicationGroup:ReplicationGroup": (name, inputs) => {
        const id = String(inputs.replicationGroupId ?? `${name}-${shortHash(name, 7)}`);
        // TLS-enabled replication groups answer on master.<id>.<suffix>.<region short>.cache.amazonaws.com.
        return { replicationGroupId: id, primaryEndpointAddress: `master.${id}.${shortHash(id, 6)}.${regionOf(inputs).replace(/-(\w)\w*-(\d)$/, "$1$2")}.cache.amazonaws.com` };
    },
    "kubernetes:helm.sh/v3:Release": (name, inputs) => ({
        status: { name: inputs.name ?? name, namespace: inputs.namespace ?? "default", status: "deployed", version: 1, chart: inputs.chart, appVersion: "placeholder" },
    }),
    "random:index/randomPassword:RandomPassword": (name) => ({ result: `placeholder-${shortHash(name, 24)}`, bcryptHash: `$2a$10$${shortHash(name, 53)}` }),
    "random:index/randomString:RandomString": (name) => ({ result: `placeholder-${shortHash(name, 16)}` }),
    "random:index/randomId:RandomId": (name) => ({ hex: shortHash(name, 16), b64Std: Buffer.from(shortHash(name, 16)).toString("base64"), dec: "0" }),
};

/** Outputs for a custom resource: echoed inputs, the placeholders of its type, an id (and for Kubernetes objects, the auto-name). */
export function placeholderOutputs(type: string, name: string, inputs: Props): Props {
    const extra = OUTPUTS[type]?.(name, inputs);
    if (type.startsWith("kubernetes:") && type !== "kubernetes:helm.sh/v3:Release") {
        const meta = asProps(inputs.metadata) ?? {};
        if (meta.name === undefined) {
            return { ...inputs, ...extra, metadata: { ...meta, name: `${name}-${shortHash(name, 8)}` } };
        }
    }
    if (type.startsWith("aws:") && extra?.arn === undefined && inputs.arn === undefined) {
        const [, mod = "", kind = ""] = type.split(/[:/]/);
        return { ...inputs, ...extra, arn: arn(mod, `${kind.toLowerCase()}/${name}`, regionOf(inputs)) };
    }
    return extra === undefined ? inputs : { ...inputs, ...extra };
}

/** The state of an existing object a program reads with `Resource.get(name, id)`. */
export function readPlaceholder(type: string, id: string): Props {
    if (type === "kubernetes:core/v1:Service") {
        const [namespace, name] = id.includes("/") ? id.split("/", 2) : ["default", id];
        return {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name, namespace },
            spec: { type: "LoadBalancer" },
            status: { loadBalancer: { ingress: [{ hostname: `k8s-${namespace}-${name.slice(0, 8)}-${shortHash(id, 10)}.elb.${REGION}.amazonaws.com` }] } },
        };
    }
    return { id };
}

/** Results of provider functions (invokes) programs may call. */
export const CALLS: Record<string, (inputs: Props) => Props> = {
    "aws:index/getRegion:getRegion": () => ({ id: REGION, name: REGION, region: REGION, endpoint: `ec2.${REGION}.amazonaws.com`, description: "US East (N. Virginia)" }),
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({ id: ACCOUNT_ID, accountId: ACCOUNT_ID, arn: `arn:aws:iam::${ACCOUNT_ID}:user/planner`, userId: "AIDAPLACEHOLDER" }),
    "aws:index/getPartition:getPartition": () => ({ id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" }),
    "aws:index/getAvailabilityZones:getAvailabilityZones": (inputs) => {
        const region = typeof inputs.region === "string" ? inputs.region : REGION;
        return {
            id: region,
            names: ["a", "b", "c", "d"].map((z) => `${region}${z}`),
            zoneIds: [1, 2, 3, 4].map((z) => `${region.replace(/-/g, "").slice(0, 4)}-az${z}`),
            groupNames: [region],
        };
    },
};
