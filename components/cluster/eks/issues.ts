/**
 * EksCluster's argument checks. Each rule is written once and shared with the stack
 * config: the field formats and ranges are the stack schema's own pieces
 * (`eksClusterSchema` in components/config/schema.ts), the rules across fields or about
 * the environment are components/config/eks-checks.ts. What only the component needs
 * (a supported partition, a VPC CIDR large enough for its subnets, one architecture per
 * node group) is checked here. Pure.
 */
import { partitionOf } from "../../aws/partition";
import { accessEntryRuleIssues, endpointRuleIssues, nodeGroupRuleIssues } from "../../config/eks-checks";
import { eksClusterSchema } from "../../config/schema";
import { schemaPieceIssues } from "../../config/validate";
import { definedOnly } from "../../util";
import type { EksClusterArgs } from "./args";
import { amiTypeFor, nodeGroupDefaults, type NodeGroupSpec } from "./node-group";
import { subnetLayout } from "./vpc";

const shape = eksClusterSchema.shape;

/** `value` checked against one schema piece, as `<at><path>: <message>` lines. */
function schemaIssues(schema: { safeParse(value: unknown): unknown }, value: unknown, at: string): string[] {
    return schemaPieceIssues(schema, value).map((i) => `${join(at, i.path)}: ${i.message}`);
}

function join(at: string, path: string): string {
    return path === "" ? at : path.startsWith("[") ? `${at}${path}` : `${at}.${path}`;
}

/** The fields of a node group the stack schema knows (the others: taints, amiType, metadataHopLimit are the component's). */
function schemaNodeGroup(g: NodeGroupSpec): Record<string, unknown> {
    return definedOnly({
        name: g.name,
        instanceTypes: g.instanceTypes,
        minSize: g.minSize,
        maxSize: g.maxSize,
        desiredSize: g.desiredSize,
        diskSizeGiB: g.diskSizeGiB,
        capacityType: g.capacityType,
        labels: g.labels,
    });
}

/** Problems with node group specs, as `nodeGroups[i].field: message`. */
export function nodeGroupIssues(specs: readonly NodeGroupSpec[], prod: boolean): string[] {
    const issues = schemaIssues(shape.nodeGroups, specs.map(schemaNodeGroup), "nodeGroups");
    nodeGroupRuleIssues(specs, prod, (path, message) => issues.push(`${path}: ${message}`));
    specs.forEach((g, i) => {
        try {
            amiTypeFor(g.instanceTypes ?? nodeGroupDefaults.instanceTypes);
        } catch (e) {
            issues.push(`nodeGroups[${i}].instanceTypes: ${(e as Error).message}`);
        }
    });
    return issues;
}

/** Every problem with EksCluster args, as `field: message`; empty when they are fine. Pure. */
export function eksClusterIssues(args: EksClusterArgs): string[] {
    const issues: string[] = [];
    const prod = args.environment === "prod";
    try {
        partitionOf(args.region);
    } catch (e) {
        issues.push(`region: ${(e as Error).message}`);
    }
    issues.push(...schemaIssues(shape.kubernetesVersion, args.kubernetesVersion, "kubernetesVersion"));
    if (args.existingVpc === undefined) {
        const vpc = definedOnly({ cidr: args.vpc?.cidr, availabilityZones: args.vpc?.availabilityZones, natGateways: args.vpc?.natGateways });
        const vpcIssues = schemaIssues(shape.vpc, vpc, "vpc");
        issues.push(...vpcIssues);
        if (vpcIssues.length === 0) {
            try {
                subnetLayout(args.vpc?.cidr ?? "10.0.0.0/16", args.vpc?.availabilityZones ?? 3);
            } catch (e) {
                issues.push(`vpc: ${(e as Error).message}`);
            }
        }
    } else {
        // Ids that are outputs of other resources are ids by construction: only the given strings are checked.
        const ids = args.existingVpc.privateSubnetIds.map((id) => (typeof id === "string" ? id : "subnet-0"));
        issues.push(...schemaIssues(shape.existingVpc.unwrap().shape.privateSubnetIds, ids, "existingVpc.privateSubnetIds"));
    }
    const endpoint = { publicAccess: args.endpoint?.publicAccess ?? true, publicAccessCidrs: args.endpoint?.publicAccessCidrs ?? [] };
    issues.push(...schemaIssues(shape.endpoint, endpoint, "endpoint"));
    endpointRuleIssues(endpoint, prod, (path, message) => issues.push(`${path}: ${message}`));
    issues.push(...nodeGroupIssues(args.nodeGroups, prod));
    const accessEntries = args.accessEntries ?? [];
    issues.push(
        ...schemaIssues(
            shape.accessEntries,
            accessEntries.map((e) => definedOnly({ principalArn: e.principalArn, accessPolicy: e.accessPolicy, namespaces: e.namespaces })),
            "accessEntries",
        ),
    );
    accessEntryRuleIssues(accessEntries, (path, message) => issues.push(`${path}: ${message}`));
    return issues;
}
