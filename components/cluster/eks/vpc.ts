/**
 * The network of an EKS cluster: a VPC across N availability zones with one public
 * and one private subnet per zone, an internet gateway, NAT gateways (one per zone,
 * or a single one), and subnet tags that tell the AWS Load Balancer Controller where
 * internet-facing (`kubernetes.io/role/elb`) and internal
 * (`kubernetes.io/role/internal-elb`) load balancers go. Nodes live in the private
 * subnets only; the public ones hold the NAT gateways and internet-facing NLBs.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsTags } from "../../aws/partition";
import type { Environment } from "../types";
import { definedOnly } from "../../util";

export interface EksVpcArgs {
    readonly environment: Environment;
    /** Region of every resource (the provider's region is not used). */
    readonly region: string;
    /** IPv4 CIDR of the VPC, prefix /16 to /22. @default "10.0.0.0/16" */
    readonly cidr?: string;
    /** Number of availability zones, 2 to 6. @default 3 */
    readonly availabilityZones?: number;
    /**
     * Zone names to use, overriding the lookup (`aws.getAvailabilityZones`, zones that
     * need no opt-in); must list at least `availabilityZones` zones.
     * @default looked up
     */
    readonly availabilityZoneNames?: readonly string[];
    /** One NAT gateway per zone (survives a zone outage) or a single one (cheaper). @default "perAz" in prod, "single" elsewhere */
    readonly natGateways?: "single" | "perAz";
    /** Tags for every resource (the environment tag is added). @default {} */
    readonly tags?: Readonly<Record<string, string>>;
    /**
     * Days to keep the VPC flow logs (every accepted and rejected connection, to CloudWatch Logs);
     * 0 turns flow logs off. @default 365 in prod, 14 elsewhere
     */
    readonly flowLogRetentionDays?: number;
}

const defaults: Required<Pick<EksVpcArgs, "cidr" | "availabilityZones" | "tags">> = {
    cidr: "10.0.0.0/16",
    availabilityZones: 3,
    tags: {},
};

export interface SubnetLayout {
    /** One CIDR per zone: the first N eighths of the VPC (a /19 each in a /16). */
    readonly private: string[];
    /** One CIDR per zone, carved from the last eighth (a /22 each in a /16). */
    readonly public: string[];
}

/**
 * Splits a VPC CIDR into private and public subnets for `zones` zones: private subnets
 * take an eighth of the VPC each (pods take VPC addresses with the VPC CNI), public ones
 * a sixty-fourth each, from the last eighth. Pure; throws on a CIDR it cannot split.
 */
export function subnetLayout(cidr: string, zones: number): SubnetLayout {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    if (m === null || m.slice(1, 5).some((o) => Number(o) > 255)) {
        throw new Error(`vpc.cidr "${cidr}" is not an IPv4 CIDR`);
    }
    const prefix = Number(m[5]);
    if (prefix < 16 || prefix > 22) {
        throw new Error(`vpc.cidr "${cidr}": the prefix must be from /16 to /22 (AWS allows /16 at most; /22 leaves /28 public subnets)`);
    }
    if (!Number.isInteger(zones) || zones < 2 || zones > 6) {
        throw new Error(`vpc.availabilityZones ${zones}: must be from 2 to 6`);
    }
    const base = m.slice(1, 5).reduce((acc, o) => acc * 256 + Number(o), 0);
    const size = 2 ** (32 - prefix);
    if (base % size !== 0) {
        throw new Error(`vpc.cidr "${cidr}": the address is not the network address of a /${prefix}`);
    }
    const privateSize = size / 8;
    const publicSize = size / 64;
    const toCidr = (addr: number, p: number) => `${[24, 16, 8, 0].map((s) => Math.floor(addr / 2 ** s) % 256).join(".")}/${p}`;
    const zonesIdx = Array.from({ length: zones }, (_, i) => i);
    return {
        private: zonesIdx.map((i) => toCidr(base + i * privateSize, prefix + 3)),
        public: zonesIdx.map((i) => toCidr(base + 7 * privateSize + i * publicSize, prefix + 6)),
    };
}

/** A VPC laid out for EKS (see the module comment). */
export class EksVpc extends pulumi.ComponentResource {
    /** The CloudWatch log group receiving the VPC's flow logs; undefined when they are off. */
    public readonly flowLogGroup?: aws.cloudwatch.LogGroup;
    public readonly vpcId: pulumi.Output<string>;
    public readonly privateSubnetIds: pulumi.Output<string>[];
    public readonly publicSubnetIds: pulumi.Output<string>[];
    /** NAT gateways; private subnets' outbound traffic waits for them. */
    public readonly natGateways: aws.ec2.NatGateway[];
    /** Route table associations of the private subnets: nodes need them to reach ECR and EKS. */
    public readonly privateRoutes: aws.ec2.RouteTableAssociation[];
    /** Every route-table association: once they exist, private nodes have a route out (to bootstrap, pull images). */
    public readonly egressReady: aws.ec2.RouteTableAssociation[];

    constructor(name: string, args: EksVpcArgs, opts?: pulumi.ComponentResourceOptions) {
        super("meshgate:cluster:EksVpc", name, {}, opts);
        const a = { ...defaults, ...definedOnly(args) };
        const layout = subnetLayout(a.cidr, a.availabilityZones);
        const nat = a.natGateways ?? (a.environment === "prod" ? "perAz" : "single");
        const region = a.region;
        const tags = (role: string, extra: Record<string, string> = {}) => awsTags(a.environment, a.tags, { Name: `${name}-${role}`, ...extra });
        const parent = { parent: this };

        const zoneNames: pulumi.Output<string[]> =
            a.availabilityZoneNames !== undefined
                ? pulumi.output([...a.availabilityZoneNames])
                : aws
                      .getAvailabilityZonesOutput({ state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }], region }, parent)
                      // A real lookup always returns `names`; a unit-test mock that echoes the call's
                      // arguments (Pulumi's testing guide) does not: name the zones by letter then.
                      .apply((z) => z.names ?? Array.from({ length: a.availabilityZones }, (_, i) => `${region}${"abcdef"[i]}`));
        const zone = (i: number) =>
            zoneNames.apply((names) => {
                if (names.length < a.availabilityZones) {
                    throw new Error(
                        `region ${region} has ${names.length} availability zones without opt-in (${names.join(", ")}); vpc.availabilityZones is ${a.availabilityZones}`,
                    );
                }
                return names[i];
            });

        const vpc = new aws.ec2.Vpc(`${name}-vpc`, { cidrBlock: a.cidr, enableDnsHostnames: true, enableDnsSupport: true, region, tags: tags("vpc") }, parent);
        // Adopt the default security group and strip its rules: nothing should use it.
        new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, ingress: [], egress: [], region, tags: tags("default-sg") }, parent);
        const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, region, tags: tags("igw") }, parent);

        const publicSubnets = layout.public.map(
            (cidrBlock, i) =>
                new aws.ec2.Subnet(
                    `${name}-public-${i + 1}`,
                    { vpcId: vpc.id, cidrBlock, availabilityZone: zone(i), mapPublicIpOnLaunch: false, region, tags: tags(`public-${i + 1}`, { "kubernetes.io/role/elb": "1" }) },
                    parent,
                ),
        );
        const privateSubnets = layout.private.map(
            (cidrBlock, i) =>
                new aws.ec2.Subnet(
                    `${name}-private-${i + 1}`,
                    {
                        vpcId: vpc.id,
                        cidrBlock,
                        availabilityZone: zone(i),
                        mapPublicIpOnLaunch: false,
                        region,
                        tags: tags(`private-${i + 1}`, { "kubernetes.io/role/internal-elb": "1" }),
                    },
                    parent,
                ),
        );

        const publicRt = new aws.ec2.RouteTable(`${name}-public`, { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], region, tags: tags("public") }, parent);
        const publicRoutes = publicSubnets.map(
            (s, i) => new aws.ec2.RouteTableAssociation(`${name}-public-${i + 1}`, { subnetId: s.id, routeTableId: publicRt.id, region }, parent),
        );

        const natCount = nat === "perAz" ? a.availabilityZones : 1;
        this.natGateways = Array.from({ length: natCount }, (_, i) => {
            const eip = new aws.ec2.Eip(`${name}-nat-${i + 1}`, { domain: "vpc", region, tags: tags(`nat-${i + 1}`) }, { parent: this, dependsOn: [igw] });
            return new aws.ec2.NatGateway(
                `${name}-nat-${i + 1}`,
                { allocationId: eip.id, subnetId: publicSubnets[i].id, region, tags: tags(`nat-${i + 1}`) },
                { parent: this, dependsOn: [igw] },
            );
        });
        const privateRts = this.natGateways.map(
            (ngw, i) =>
                new aws.ec2.RouteTable(
                    `${name}-private-${natCount === 1 ? "shared" : i + 1}`,
                    { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: ngw.id }], region, tags: tags(`private-${natCount === 1 ? "shared" : i + 1}`) },
                    parent,
                ),
        );
        this.privateRoutes = privateSubnets.map(
            (s, i) => new aws.ec2.RouteTableAssociation(`${name}-private-${i + 1}`, { subnetId: s.id, routeTableId: privateRts[natCount === 1 ? 0 : i].id, region }, parent),
        );

        // Private nodes reach the internet through a NAT gateway, which needs its public subnet routed to the internet gateway.
        this.egressReady = [...publicRoutes, ...this.privateRoutes];
        this.vpcId = vpc.id;
        this.privateSubnetIds = privateSubnets.map((s) => s.id);
        this.publicSubnetIds = publicSubnets.map((s) => s.id);
        const retention = a.flowLogRetentionDays ?? (a.environment === "prod" ? 365 : 14);
        if (retention > 0) {
            this.flowLogGroup = flowLogs(name, vpc.id, retention, region, tags("flow-logs"), this);
        }

        this.registerOutputs({ flowLogGroup: this.flowLogGroup?.name, vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds, publicSubnetIds: this.publicSubnetIds });
    }
}

/**
 * VPC flow logs of all traffic (accepted and rejected) to a CloudWatch log group with a
 * retention, delivered by a role only the flow-logs service of this account can assume and
 * that may write only to that group.
 */
function flowLogs(
    name: string,
    vpcId: pulumi.Input<string>,
    retentionInDays: number,
    region: string,
    tags: Record<string, string>,
    parent: pulumi.Resource,
): aws.cloudwatch.LogGroup {
    const group = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, { retentionInDays, region, tags }, { parent });
    const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
    const role = new aws.iam.Role(
        `${name}-flow-logs`,
        {
            assumeRolePolicy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                        Action: "sts:AssumeRole",
                        Condition: { StringEquals: { "aws:SourceAccount": account } },
                    },
                ],
            }),
            tags,
        },
        { parent },
    );
    const policy = new aws.iam.RolePolicy(
        `${name}-flow-logs`,
        {
            role: role.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"],
                        Resource: [group.arn, pulumi.interpolate`${group.arn}:*`],
                    },
                ],
            }),
        },
        { parent },
    );
    new aws.ec2.FlowLog(
        `${name}-flow-logs`,
        { vpcId, trafficType: "ALL", logDestinationType: "cloud-watch-logs", logDestination: group.arn, iamRoleArn: role.arn, maxAggregationInterval: 60, region, tags },
        { parent, dependsOn: [policy] },
    );
    return group;
}
