// EKS and AWS rules: the control plane, node groups, KMS and IAM, after the EKS best practices guide.
import * as aws from "@pulumi/aws";
import { EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { ENVIRONMENT_KEY, Obj, PROD_ENVIRONMENTS, arr, get, hasUnknown, isObj, parseJsonObject, schema, str, stringMap, tunables } from "./common";
import { placeholderFinding } from "../validate/placeholders";

const OPEN_CIDRS = new Set(["0.0.0.0/0", "::/0"]);

/** EKS API server endpoint reachable from anywhere. */
export function eksPublicEndpointRestricted(level: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    const defaults = { allowedCidrs: [] as string[], allowPublicEndpoint: true };
    return {
        name: "eks-public-endpoint-restricted",
        description: "EKS clusters must not expose the public API endpoint to 0.0.0.0/0.",
        enforcementLevel: level,
        configSchema: {
            properties: {
                allowedCidrs: schema.strings("When non-empty, every public access CIDR must be one of these.", defaults.allowedCidrs),
                allowPublicEndpoint: schema.boolean("Whether a (restricted) public endpoint is allowed at all.", defaults.allowPublicEndpoint),
            },
        },
        validateResource: validateResourceOfType(aws.eks.Cluster, (cluster, args, report) => {
            const c = tunables(defaults, args);
            const vpc = cluster.vpcConfig;
            if (hasUnknown(vpc) || hasUnknown(vpc?.endpointPublicAccess) || hasUnknown(vpc?.publicAccessCidrs)) {
                args.notApplicable("endpoint settings unknown before deployment");
            }
            // AWS defaults: public access on, open to 0.0.0.0/0.
            if (vpc?.endpointPublicAccess === false) {
                return;
            }
            if (!c.allowPublicEndpoint) {
                report("the public API endpoint is enabled; set vpcConfig.endpointPublicAccess to false and reach the API through the VPC.");
                return;
            }
            const cidrs = arr(vpc?.publicAccessCidrs).filter((x): x is string => typeof x === "string");
            if (cidrs.length === 0) {
                report(
                    "the public API endpoint is open to 0.0.0.0/0 (vpcConfig.publicAccessCidrs is unset); list the CIDRs that may reach it, or set endpointPublicAccess to false.",
                );
                return;
            }
            const open = cidrs.filter((x) => OPEN_CIDRS.has(x.trim()));
            if (open.length > 0) {
                report(`the public API endpoint is open to ${open.join(", ")}; restrict vpcConfig.publicAccessCidrs or set endpointPublicAccess to false.`);
                return;
            }
            if (c.allowedCidrs.length > 0) {
                const allowed = new Set(c.allowedCidrs);
                const extra = cidrs.filter((x) => !allowed.has(x));
                if (extra.length > 0) {
                    report(`vpcConfig.publicAccessCidrs ${extra.join(", ")} not in the allowed list (${c.allowedCidrs.join(", ")}).`);
                }
            }
        }),
    };
}

export const EKS_LOG_TYPES: readonly string[] = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/** Control-plane log types not shipped to CloudWatch. */
export function eksControlPlaneLogging(level: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    const defaults = { requiredLogTypes: [...EKS_LOG_TYPES] };
    return {
        name: "eks-control-plane-logging",
        description: "EKS clusters must enable the required control-plane log types.",
        enforcementLevel: level,
        configSchema: {
            properties: {
                requiredLogTypes: schema.strings("Log types that must be in enabledClusterLogTypes.", defaults.requiredLogTypes),
            },
        },
        validateResource: validateResourceOfType(aws.eks.Cluster, (cluster, args, report) => {
            const c = tunables(defaults, args);
            if (hasUnknown(cluster.enabledClusterLogTypes)) {
                args.notApplicable("log types unknown before deployment");
            }
            const enabled = new Set(arr(cluster.enabledClusterLogTypes).filter((x): x is string => typeof x === "string"));
            const missing = c.requiredLogTypes.filter((t) => !enabled.has(t));
            if (missing.length > 0) {
                report(`enabledClusterLogTypes lacks ${missing.join(", ")}.`);
            }
        }),
    };
}

/** Kubernetes Secrets not envelope-encrypted with a KMS key. */
export function eksSecretsEncryption(level: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return {
        name: "eks-secrets-encryption",
        description: "EKS clusters must envelope-encrypt Kubernetes Secrets with a KMS key.",
        enforcementLevel: level,
        validateResource: validateResourceOfType(aws.eks.Cluster, (cluster, args, report) => {
            const enc = cluster.encryptionConfig;
            if (hasUnknown(enc) || hasUnknown(enc?.resources)) {
                args.notApplicable("encryption settings unknown before deployment");
            }
            const resources = arr(enc?.resources);
            const keyArn = hasUnknown(get(enc, "provider", "keyArn")) ? "(unknown)" : str(get(enc, "provider", "keyArn"));
            if (!enc || !resources.includes("secrets")) {
                report('encryptionConfig does not cover "secrets"; set encryptionConfig: { resources: ["secrets"], provider: { keyArn } }.');
            } else if (!keyArn) {
                report("encryptionConfig.provider.keyArn is empty.");
            }
        }),
    };
}

/** Symmetric customer-managed keys without automatic rotation. */
export function kmsKeyRotation(level: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return {
        name: "kms-key-rotation",
        description: "Symmetric KMS keys must have automatic key rotation enabled.",
        enforcementLevel: level,
        validateResource: validateResourceOfType(aws.kms.Key, (key, args, report) => {
            const spec = key.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
            const usage = key.keyUsage ?? "ENCRYPT_DECRYPT";
            if (spec !== "SYMMETRIC_DEFAULT" || usage !== "ENCRYPT_DECRYPT" || key.customKeyStoreId) {
                args.notApplicable("rotation applies to symmetric encryption keys in the AWS KMS key store");
            }
            if (hasUnknown(key.enableKeyRotation)) {
                args.notApplicable("rotation setting unknown before deployment");
            }
            if (key.enableKeyRotation !== true) {
                report("enableKeyRotation is not true.");
            }
        }),
    };
}

function isPublicSubnet(props: Obj): string | undefined {
    if (props.mapPublicIpOnLaunch === true) {
        return "mapPublicIpOnLaunch is true";
    }
    const tags = stringMap(props.tags);
    if ("kubernetes.io/role/elb" in tags) {
        return "it is tagged kubernetes.io/role/elb (internet-facing load balancers)";
    }
    return undefined;
}

const SUBNET_TYPE = "aws:ec2/subnet:Subnet";
const NODE_GROUP_TYPE = "aws:eks/nodeGroup:NodeGroup";

/** Managed node groups placed in public subnets (stack: follows subnetIds to the Subnet resources). */
export function eksNodeGroupPrivateSubnets(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return {
        name: "eks-nodegroup-private-subnets",
        description: "EKS node groups must run in private subnets.",
        enforcementLevel: level,
        validateStack: (args, report) => {
            for (const r of args.resources) {
                if (r.type !== NODE_GROUP_TYPE) {
                    continue;
                }
                const subnets = r.propertyDependencies["subnetIds"] ?? [];
                for (const s of subnets) {
                    if (s.type !== SUBNET_TYPE) {
                        continue;
                    }
                    const why = isPublicSubnet(s.props);
                    if (why) {
                        report(`node group ${r.name} uses subnet ${s.name}, which is public: ${why}.`, r.urn);
                    }
                }
            }
        },
    };
}

const VPC_TYPE = "aws:ec2/vpc:Vpc";
const FLOW_LOG_TYPE = "aws:ec2/flowLog:FlowLog";

/** VPCs the stack creates without a flow log (stack: a FlowLog whose vpcId comes from the Vpc). */
export function ec2VpcFlowLogs(level: EnforcementLevel = "advisory"): StackValidationPolicy {
    return {
        name: "ec2-vpc-flow-logs",
        description: "VPCs must record their traffic with a flow log.",
        enforcementLevel: level,
        validateStack: (args, report) => {
            const logged = new Set<string>();
            for (const r of args.resources) {
                if (r.type === FLOW_LOG_TYPE) {
                    for (const vpc of r.propertyDependencies["vpcId"] ?? []) {
                        logged.add(vpc.urn);
                    }
                }
            }
            for (const r of args.resources) {
                if (r.type === VPC_TYPE && !logged.has(r.urn)) {
                    report(`VPC ${r.name} has no flow log: rejected and accepted connections leave no trace for incident response.`, r.urn);
                }
            }
        },
    };
}

/** Launch templates that still answer IMDSv1. */
export function ec2LaunchTemplateImdsv2(level: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return {
        name: "ec2-launch-template-imdsv2",
        description: "Launch templates must require IMDSv2 (metadataOptions.httpTokens: required).",
        enforcementLevel: level,
        validateResource: validateResourceOfType(aws.ec2.LaunchTemplate, (lt, args, report) => {
            const md = lt.metadataOptions;
            if (hasUnknown(md) || hasUnknown(md?.httpTokens) || hasUnknown(md?.httpEndpoint)) {
                args.notApplicable("metadata options unknown before deployment");
            }
            if (md?.httpEndpoint === "disabled") {
                return;
            }
            if (md?.httpTokens !== "required") {
                report(`metadataOptions.httpTokens is ${md?.httpTokens === undefined ? "unset (IMDSv1 allowed)" : `"${md.httpTokens}"`}; set it to "required".`);
            }
        }),
    };
}

/** True when tags (or the stack's tags) place the resource in one of the given environments. */
export function inEnvironment(tags: Record<string, string>, stackTags: ReadonlyMap<string, string>, key: string, envs: readonly string[]): string | undefined {
    const wanted = new Set(envs.map((e) => e.toLowerCase()));
    const env = tags[key] ?? stackTags.get(key);
    return env !== undefined && wanted.has(env.toLowerCase()) ? env : undefined;
}

/** Production node groups whose minimum size cannot survive the loss of a node. */
export function eksNodeGroupMinSizeProd(level: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    const defaults = { minSize: 2, environments: [...PROD_ENVIRONMENTS], environmentTag: ENVIRONMENT_KEY };
    return {
        name: "eks-nodegroup-min-size-prod",
        description: "Production EKS node groups must keep at least the minimum number of nodes.",
        enforcementLevel: level,
        configSchema: {
            properties: {
                minSize: schema.integer("Smallest allowed scalingConfig.minSize in production.", defaults.minSize, 1),
                environments: schema.strings("Values of the environment tag that mean production.", defaults.environments),
                environmentTag: schema.string("Tag key that names the environment.", defaults.environmentTag),
            },
        },
        validateResource: validateResourceOfType(aws.eks.NodeGroup, (ng, args, report) => {
            const c = tunables(defaults, args);
            const env = inEnvironment(stringMap(ng.tags), args.stackTags, c.environmentTag, c.environments);
            if (env === undefined) {
                args.notApplicable("not a production node group");
            }
            const min = get(ng, "scalingConfig", "minSize");
            if (typeof min === "number" && min < c.minSize) {
                report(`scalingConfig.minSize is ${min} in environment "${env}"; production needs at least ${c.minSize}.`);
            }
        }),
    };
}

// ---------------------------------------------------------------------------------------------
// IAM

interface Statement {
    effect: string;
    actions: string[];
    resources: string[];
    principal: unknown;
    condition: Obj;
}

function strings(v: unknown): string[] {
    if (typeof v === "string") {
        return [v];
    }
    return arr(v).filter((x): x is string => typeof x === "string");
}

/** Statements of an IAM policy document given as JSON text or object; undefined if unreadable. */
export function statementsOf(doc: unknown): Statement[] | undefined {
    const parsed = parseJsonObject(doc);
    if (!parsed) {
        return undefined;
    }
    const raw = parsed.Statement;
    const list = Array.isArray(raw) ? raw : isObj(raw) ? [raw] : [];
    return list.filter(isObj).map((s) => ({
        effect: str(s.Effect) ?? "Allow",
        actions: strings(s.Action),
        resources: strings(s.Resource),
        principal: s.Principal,
        condition: isObj(s.Condition) ? s.Condition : {},
    }));
}

function federatedPrincipals(principal: unknown): string[] {
    return isObj(principal) ? strings(principal.Federated) : [];
}

/** Condition keys (lower-cased) with their values, across every operator. */
function conditionKeys(condition: Obj): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const op of Object.values(condition)) {
        if (!isObj(op)) {
            continue;
        }
        for (const [k, v] of Object.entries(op)) {
            out.set(k.toLowerCase(), strings(v));
        }
    }
    return out;
}

/** IRSA trust policies that any service account (or any audience) could assume. */
export function iamIrsaTrustConditions(level: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return {
        name: "iam-irsa-trust-conditions",
        description: "IRSA role trust policies must pin the service account (:sub) and audience (:aud).",
        enforcementLevel: level,
        validateResource: validateResourceOfType(aws.iam.Role, (role, _args, report) => {
            const statements = statementsOf(role.assumeRolePolicy);
            for (const s of statements ?? []) {
                if (s.effect !== "Allow" || !s.actions.some((a) => a.toLowerCase() === "sts:assumerolewithwebidentity")) {
                    continue;
                }
                const federated = federatedPrincipals(s.principal);
                if (federated.length === 0) {
                    continue;
                }
                const keys = conditionKeys(s.condition);
                const sub = [...keys.entries()].filter(([k]) => k.endsWith(":sub"));
                const aud = [...keys.keys()].filter((k) => k.endsWith(":aud"));
                if (sub.length === 0) {
                    report(
                        `the web-identity trust statement for ${federated.join(", ")} has no ":sub" condition, so every service account of the cluster can assume the role; add StringEquals "<issuer>:sub": "system:serviceaccount:<namespace>:<name>".`,
                    );
                } else {
                    const broad = sub.flatMap(([, values]) => values).filter((v) => v === "*" || /^system:serviceaccount:\*/.test(v));
                    if (broad.length > 0) {
                        report(`the ":sub" condition ${broad.join(", ")} matches service accounts in any namespace; name the namespace and service account.`);
                    }
                }
                if (aud.length === 0) {
                    report(`the web-identity trust statement for ${federated.join(", ")} has no ":aud" condition; add StringEquals "<issuer>:aud": "sts.amazonaws.com".`);
                }
            }
        }),
    };
}

const ADMIN_POLICY_ARN = /^arn:aws[\w-]*:iam::aws:policy\/AdministratorAccess$/;

function isWildcardAdmin(s: Statement): boolean {
    return s.effect === "Allow" && s.actions.some((a) => a === "*" || a === "*:*") && s.resources.includes("*");
}

function checkDocument(doc: unknown, where: string, report: (m: string) => void): void {
    for (const s of statementsOf(doc) ?? []) {
        if (isWildcardAdmin(s)) {
            report(`${where} allows Action "*" on Resource "*" (full administrator); grant the actions and resources the workload needs.`);
            return;
        }
    }
}

/** Policies and role attachments that grant `*` on `*`. */
export function iamNoWildcardAdmin(level: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    const adminArn = (arn: unknown, where: string, report: (m: string) => void): void => {
        if (typeof arn === "string" && ADMIN_POLICY_ARN.test(arn)) {
            report(`${where} attaches AdministratorAccess; grant the actions and resources the workload needs.`);
        }
    };
    return {
        name: "iam-no-wildcard-admin",
        description: 'IAM roles and policies must not grant Action "*" on Resource "*".',
        enforcementLevel: level,
        validateResource: [
            validateResourceOfType(aws.iam.Policy, (p, _args, report) => checkDocument(p.policy, "the policy", report)),
            validateResourceOfType(aws.iam.RolePolicy, (p, _args, report) => checkDocument(p.policy, "the inline role policy", report)),
            validateResourceOfType(aws.iam.Role, (role, _args, report) => {
                for (const inline of arr(role.inlinePolicies)) {
                    checkDocument(get(inline, "policy"), `inline policy ${str(get(inline, "name")) ?? ""}`.trim(), report);
                }
                for (const arn of arr(role.managedPolicyArns)) {
                    adminArn(arn, "managedPolicyArns", report);
                }
            }),
            validateResourceOfType(aws.iam.RolePolicyAttachment, (a, _args, report) => adminArn(a.policyArn, "the attachment", report)),
            validateResourceOfType(aws.iam.PolicyAttachment, (a, _args, report) => {
                if (arr(a.roles).length > 0) {
                    adminArn(a.policyArn, "the attachment", report);
                }
            }),
        ],
    };
}

// ---------------------------------------------------------------------------------------------
// Example values left in a stack

export { DOCUMENTATION_CIDRS, PLACEHOLDER_ACCOUNT_IDS } from "../validate/placeholders";

/** Why a string is an example value, or undefined (the lists: policies/validate/placeholders.ts). */
export function placeholderReason(v: string): string | undefined {
    const found = placeholderFinding(v);
    if (found === undefined) {
        return undefined;
    }
    return found.kind === "account" ? found.reason : `${found.reason} (an API endpoint limited to it locks everyone out)`;
}

/** AWS resources must not carry the example account IDs and CIDRs of documentation (and of meshgate's example stacks). */
export function awsPlaceholderValues(level: EnforcementLevel = "advisory"): ResourceValidationPolicy {
    return {
        name: "aws-placeholder-values",
        description: "AWS resources must not use documentation account IDs (123456789012, …) or RFC 5737 documentation CIDRs: example values left in a stack.",
        enforcementLevel: level,
        validateResource: (args, report) => {
            if (!args.type.startsWith("aws:")) {
                return;
            }
            // ARNs only where a stack writes them (principalArn of access entries and their
            // policy associations): other ARNs are outputs of resources of the same stack.
            const walk = (v: unknown, at: string): void => {
                if (typeof v === "string") {
                    const arnField = /(^|\.)principalArn$/.test(at);
                    const why = v.startsWith("arn:") && !arnField ? undefined : placeholderReason(v);
                    if (why !== undefined) {
                        report(`${at}: ${why}; replace the example value before deploying.`);
                    }
                } else if (Array.isArray(v)) {
                    v.forEach((x, i) => walk(x, `${at}[${i}]`));
                } else if (typeof v === "object" && v !== null) {
                    for (const [k, x] of Object.entries(v)) {
                        walk(x, at === "" ? k : `${at}.${k}`);
                    }
                }
            };
            walk(args.props, "");
        },
    };
}

export const awsRules = [
    eksPublicEndpointRestricted,
    eksControlPlaneLogging,
    eksSecretsEncryption,
    kmsKeyRotation,
    eksNodeGroupPrivateSubnets,
    ec2VpcFlowLogs,
    ec2LaunchTemplateImdsv2,
    eksNodeGroupMinSizeProd,
    iamIrsaTrustConditions,
    iamNoWildcardAdmin,
    awsPlaceholderValues,
];
