/**
 * Helpers for the cluster tests: typed access into recorded inputs, and the
 * EksCluster programs the tests plan under the mock runtime.
 */
import * as assert from "node:assert/strict";
import type { EksClusterArgs } from "../../components/cluster";
import { EksCluster } from "../../components/cluster";
import type { PlanRun, RecordedResource } from "../../tools/plan/runtime";

export const ADMIN_ROLE = "arn:aws:iam::123456789012:role/PlatformAdmins";
export const OFFICE_CIDRS = ["203.0.113.0/24", "198.51.100.7/32"];

/** A 3-AZ cluster as a stack would declare it. */
export function eksArgs(environment: "dev" | "prod", overrides: Partial<EksClusterArgs> = {}): EksClusterArgs {
    return {
        environment,
        region: "eu-west-1",
        vpc: { cidr: "10.0.0.0/16", availabilityZones: 3 },
        endpoint: environment === "prod" ? { publicAccess: true, publicAccessCidrs: OFFICE_CIDRS } : { publicAccess: true, publicAccessCidrs: [] },
        nodeGroups: [
            environment === "prod"
                ? { name: "system", instanceTypes: ["m6i.large"], minSize: 3, maxSize: 6 }
                : { name: "system", instanceTypes: ["t3.large"], minSize: 1, maxSize: 2 },
        ],
        accessEntries: [{ principalArn: ADMIN_ROLE, accessPolicy: "cluster-admin", namespaces: [] }],
        tags: { team: "platform" },
        ...overrides,
    };
}

/** A program creating one EksCluster named "meshgate"; exports its name and kubeconfig. */
export function eksProgram(args: EksClusterArgs): () => Record<string, unknown> {
    return () => {
        const cluster = new EksCluster("meshgate", args);
        return { clusterName: cluster.clusterName, kubeconfig: cluster.kubeconfig };
    };
}

/** The value at a dotted path of a recorded input (`"vpcConfig.subnetIds"`). */
export function at(value: unknown, path: string): unknown {
    let cur: unknown = value;
    for (const key of path.split(".")) {
        if (typeof cur !== "object" || cur === null) {
            return undefined;
        }
        cur = (cur as Record<string, unknown>)[key];
    }
    return cur;
}

export function record(value: unknown, what = "value"): Record<string, unknown> {
    assert.ok(typeof value === "object" && value !== null && !Array.isArray(value), `${what} is not a map: ${JSON.stringify(value)}`);
    return value as Record<string, unknown>;
}

export function list(value: unknown, what = "value"): unknown[] {
    assert.ok(Array.isArray(value), `${what} is not a list: ${JSON.stringify(value)}`);
    return value;
}

/** Parses a JSON string input (an IAM policy document). */
export function parsed(value: unknown, what = "value"): Record<string, unknown> {
    assert.equal(typeof value, "string", `${what} is not a JSON string`);
    return record(JSON.parse(String(value)), what);
}

/** The one resource of `type` whose name is `name`. */
export function named(run: PlanRun, type: string, name: string): RecordedResource {
    const found = run.byType(type).filter((r) => r.name === name);
    assert.equal(
        found.length,
        1,
        `expected one ${type} named ${name}, found ${found.length} (${run
            .byType(type)
            .map((r) => r.name)
            .join(", ")})`,
    );
    return found[0];
}

/** Resource count per type. */
export function countByType(run: PlanRun): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of run.resources) {
        counts[r.type] = (counts[r.type] ?? 0) + 1;
    }
    return counts;
}

export const T = {
    vpc: "aws:ec2/vpc:Vpc",
    subnet: "aws:ec2/subnet:Subnet",
    nat: "aws:ec2/natGateway:NatGateway",
    routeTable: "aws:ec2/routeTable:RouteTable",
    cluster: "aws:eks/cluster:Cluster",
    nodeGroup: "aws:eks/nodeGroup:NodeGroup",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    addon: "aws:eks/addon:Addon",
    kmsKey: "aws:kms/key:Key",
    role: "aws:iam/role:Role",
    policy: "aws:iam/policy:Policy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    oidc: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    accessEntry: "aws:eks/accessEntry:AccessEntry",
    accessPolicy: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    k8sProvider: "pulumi:providers:kubernetes",
    release: "kubernetes:helm.sh/v3:Release",
} as const;
