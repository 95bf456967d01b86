// The one list of meshgate's rules, with what the README table says about each.
// `policies/index.ts` serves them as a Pulumi policy pack; `policies/engine.ts` runs them in-process.
import type { EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { analyzeRules } from "./analyze";
import { awsRules } from "./aws";
import { helmRules } from "./helm";
import { istioRules } from "./istio";
import { kongRules } from "./kong";
import { retryRules } from "./retries";
import { eksKubernetesRules } from "./eks-kubernetes";
import { kongGatewayApiRules } from "./kong-gateway-api";
import { kongGatewayEdgeRules } from "./kong-gateway-edge";
import { kongGrpcRules } from "./kong-grpc";
import { observabilityRules } from "./observability";
import { schemaRules } from "./schema";

export type Policy = ResourceValidationPolicy | StackValidationPolicy;
export type RuleFactory = (level?: EnforcementLevel) => Policy;
export type Domain = "aws" | "kubernetes" | "helm" | "istio" | "kong" | "observability";

export interface RuleInfo {
    /** Stable policy name (kebab-case); the key of its policy configuration. */
    readonly id: string;
    readonly domain: Domain;
    /** `resource` judges one resource; `stack` judges relations between resources. */
    readonly kind: "resource" | "stack";
    readonly level: EnforcementLevel;
    readonly description: string;
    /** Whether the rule offers `remediateResource` (applied when its level is `remediate`). */
    readonly remediates: boolean;
    /** How to fix a violation. */
    readonly fix: string;
    /** Names of its tunables (configSchema properties). */
    readonly tunables: readonly string[];
    readonly factory: RuleFactory;
}

const FIX: Record<string, string> = {
    "eks-public-endpoint-restricted": "Set `vpcConfig.publicAccessCidrs` to the operators' CIDRs, or `endpointPublicAccess: false`.",
    "eks-control-plane-logging": "Add the missing types to `enabledClusterLogTypes`.",
    "eks-secrets-encryption": '`encryptionConfig: {resources: ["secrets"], provider: {keyArn}}` with a customer-managed key.',
    "kms-key-rotation": "`enableKeyRotation: true`.",
    "eks-nodegroup-private-subnets": "Pass private subnets (no `mapPublicIpOnLaunch`, no `kubernetes.io/role/elb` tag) as `subnetIds`.",
    "ec2-vpc-flow-logs": "Add an `aws.ec2.FlowLog` for the VPC (`trafficType: ALL`) to CloudWatch Logs or S3 with a retention.",
    "ec2-launch-template-imdsv2": '`metadataOptions: {httpTokens: "required"}`.',
    "eks-nodegroup-min-size-prod": "Raise `scalingConfig.minSize` (production, tag `meshgate.io/environment`).",
    "iam-irsa-trust-conditions": "Condition `StringEquals` on `<issuer>:sub` (`system:serviceaccount:<ns>:<sa>`) and `<issuer>:aud` (`sts.amazonaws.com`).",
    "iam-no-wildcard-admin": "Grant the actions and resources the workload needs; no AdministratorAccess.",
    "aws-placeholder-values": "Replace the example account IDs, ARNs and documentation CIDRs (meshgate's stacks/ ship them) with your own.",
    "helm-chart-version-pinned": "Set `version` to an exact chart version.",
    "helm-repository-https": "Use an `https://` or `oci://` repository.",
    "helm-values-no-plaintext-secrets": "Create a Kubernetes Secret and reference it (`existingSecret`, `secretKeyRef`).",
    "kubernetes-crd-schema": "Fix the field the message names (path, allowed values, the CEL rule's message); use a served apiVersion.",
    "helm-values-known-keys": "Fix the key's spelling or nesting (the message suggests the closest keys); `allow` a key the chart reads but values.yaml only comments.",
    "istio-peer-authentication-strict": "`mtls.mode: STRICT` (or leave unset to inherit the mesh-wide STRICT policy).",
    "istio-destination-rule-tls": "`tls.mode: ISTIO_MUTUAL`, or leave `tls` unset (auto mTLS).",
    "istio-authorization-allow-scoped": "Add `selector.matchLabels` and a `from.source` (principals/namespaces) to every rule.",
    "prometheus-duration-format": "Write the duration as Prometheus does: units y, w, d, h, m, s, ms in that order (`10d`, `1d12h`, `30s`).",
    "istio-virtual-service-weights": "Make the weights of one route's destinations sum to 100; drop the weight of a lone destination.",
    "istio-virtual-service-route-order": "Move the route without `match` to the end of `http`.",
    "istio-subset-defined": "Define the subset in a DestinationRule for the host, or route to an existing subset.",
    "istio-telemetry-provider-ref": "Keep `providers: [{name}]`; move `randomSamplingPercentage` to the tracing entry.",
    "istio-telemetry-provider-defined": "Add the provider to istiod's `meshConfig.extensionProviders`, or fix the name.",
    "istio-namespace-injection": "Label the namespace `istio-injection: enabled` (or `istio.io/rev`); `istio-namespace-injection-label` can add it.",
    "istio-namespace-injection-label": 'Remediates: adds `istio-injection: enabled` to namespaces in `meshedNamespaces` and fixes misspelt values (`"true"`).',
    "istio-retry-non-idempotent": "`retryOn: connect-failure,refused-stream` (meshgate's default), or retries on a route that matches only idempotent methods.",
    "istio-destination-host-exists":
        "Route to an existing Service/ServiceEntry, write other-namespace hosts as `<name>.<ns>.svc.cluster.local`, and set `destination.port.number` to one of its ports.",
    "istio-virtual-service-gateway": "Name an existing Gateway (`<namespace>/<name>` across namespaces) whose servers list the VirtualService's hosts.",
    "istio-destination-rule-targets": "Point `host` at an existing Service/ServiceEntry; give each subset labels the service's pods carry.",
    "istio-authorization-references": "Name namespaces that exist; make `selector.matchLabels` match the workload's pod labels.",
    "istio-virtual-service-host-conflict": "Merge the routes for the host into one VirtualService (or use delegation).",
    "istio-gateway-conflict": "Serve each host and port from one Gateway per gateway workload; merge the servers or change the selector.",
    "istio-gateway-workload": "Select the gateway pods' labels; expose the server port on the gateway Service (`service.ports` of the istio/gateway chart).",
    "istio-sidecar-selector": "Give every workload one Sidecar: distinct selectors, one namespace-wide Sidecar, selectors that match pods.",
    "istio-telemetry-selector": "Give every workload one Telemetry: distinct selectors, one namespace-wide Telemetry, selectors that match pods.",
    "istio-ambient-no-sidecar": "Drop Sidecar resources and `sidecar.istio.io/inject` labels in ambient namespaces (use a waypoint), or leave ambient mode.",
    "istio-namespace-injection-labels": "Keep one of `istio-injection`, `istio.io/rev`, `istio.io/dataplane-mode` on the namespace.",
    "istio-virtual-service-unreachable-routes": "Put the route without `match` last; remove routes whose matches earlier routes already take.",
    "istio-virtual-service-ineffective-match": "Remove the repeated match, or move the more specific prefix before the shorter one.",
    "mesh-route-virtual-service-conflict": "Keep one router per host: remove the VirtualService (`mesh.routing: gateway-api`) or the HTTPRoute.",
    "mesh-route-references-resolve": "Create the Service (one per version: `<service>-<version>` selecting `version: <version>`) with the port the route names.",
    "mesh-route-version-split": "Give each weighted backend Service a selector of its own version (`version: <name>`).",
    "mesh-route-backend-destination-rule": "Add a `DestinationRule` per backend host with the Service's `trafficPolicy`.",
    "istio-tls-origination-ca": "Set `tls.caCertificates` (or `credentialName` with a `workloadSelector`).",
    "istio-mtls-strict-coverage": "Add `PeerAuthentication` `mtls.mode: STRICT` in the namespace, or mesh-wide in the root namespace.",
    "kong-no-kongingress": "Use `konghq.com/*` annotations, `KongUpstreamPolicy` and `KongPlugin`.",
    "kong-route-authentication": 'Attach key-auth/jwt/… through `konghq.com/plugins`, or annotate `meshgate.io/auth: "none"` for a public route.',
    "kong-route-rate-limit": "Attach a `rate-limiting` KongPlugin through `konghq.com/plugins`.",
    "kong-plugin-exists": "Create the KongPlugin in the route's namespace (or a KongClusterPlugin), or fix the name.",
    "kong-plugin-config":
        "Remove fields the plugin does not have (e.g. `window_size` is rate-limiting-advanced only); fix rejected values; add what a setting requires (`redis.host` with `policy: redis`, `header_name` with `limit_by: header`).",
    "kong-dbless-compatible": "Use jwt/key-auth instead of oauth2; `policy: local` or `redis`; or run Kong with a database.",
    "kong-service-upstream-in-mesh": 'Annotate the Service `ingress.kubernetes.io/service-upstream: "true"`.',
    "kong-consumer-credentials-exist": "Create the Secret in the consumer's namespace with label `konghq.com/credential: <type>`.",
    "kong-cors-preflight": "Add `OPTIONS` to `konghq.com/methods`; set `run_on_preflight: false` on the route's auth plugins.",
    "kong-rate-limit-local-replicas": "`policy: redis` with a Redis all Kong pods share (meshgate: `gateway.rateLimitRedis`), or divide the limit by the pods.",
    "kong-nlb-client-ip":
        "Annotate `service.beta.kubernetes.io/aws-load-balancer-target-group-attributes: preserve_client_ip.enabled=true`, or PROXY protocol v2 with Kong's `real_ip_header: proxy_protocol`.",
    "kong-canary-header-at-edge": "Attach a `request-transformer` KongPlugin with `remove.headers: [<header>]` to the route (meshgate does unless `canary.clientSelectable`).",
    "kong-plugin-no-plaintext-secrets": "Store the value in a Secret and use `configPatches[].valueFrom.secretKeyRef` (or a `{vault://...}` reference).",
    "kong-edge-https-only":
        "Give a certificate (ACM `aws-load-balancer-ssl-cert`, or Kong's `ssl_cert`) and close port 80 (`proxy.http.enabled: false`) or redirect every route (`konghq.com/protocols: https`).",
    "kong-plugin-reference-grant": "Create a ReferenceGrant in the plugin's namespace: `from` the referrer's group/kind/namespace, `to` `configuration.konghq.com` `KongPlugin`.",
    "kong-gateway-class":
        '`controllerName: konghq.com/kic-gateway-controller` and the annotation `konghq.com/gatewayclass-unmanaged: "true"` (meshgate\'s GatewayClass `kong` has both).',
    "kong-grpc-upstream-protocol":
        "Annotate the Service `konghq.com/protocol: grpc` and give its port `appProtocol: grpc` (or name it `grpc`/`grpc-<suffix>`); meshgate does both for `protocol: grpc`.",
    "kong-plugin-route-protocols":
        "List the route's protocols in the KongPlugin's `protocols` (`[grpc, grpcs]` for a gRPC route), or leave `protocols` out (the plugin's default covers http, https, grpc and grpcs).",
    "kong-route-parent-allowed":
        "Allow the route's namespace on a listener (`allowedRoutes.namespaces.from: Selector` on `kubernetes.io/metadata.name`, or `All`), or fix `parentRefs` (name, namespace, `sectionName`, `port`).",
    "prometheus-monitor-selected": "Label the monitor `release: <kube-prometheus-stack release>` (or set `*SelectorNilUsesHelmValues: false`).",
    "prometheus-control-plane-targets":
        "Set `kubeControllerManager`, `kubeScheduler`, `kubeEtcd` and `kubeProxy` `.enabled: false` in the release's values (meshgate does on EKS).",
    "autoscaling-metrics-available": "Install metrics-server (the `metrics-server` chart, or the EKS add-on) in the stack.",
    "nlb-pod-readiness-gate": "Label the namespace `elbv2.k8s.aws/pod-readiness-gate-inject: enabled` (meshgate labels Kong's).",
    "storage-class-defined": "Create the StorageClass (on EKS: an encrypted gp3 `ebs.csi.aws.com` class, annotated default), or name an existing one in `storageClassName`.",
    "tracing-endpoint-defined":
        "Point the endpoint at the Jaeger release's service: `<release>.<namespace>.svc.cluster.local`, 4318 for Kong (OTLP/HTTP), 4317 for Istio (OTLP/gRPC).",
};

const DOMAINS: [Domain, readonly RuleFactory[]][] = [
    ["aws", [...awsRules, ...eksKubernetesRules]],
    ["kubernetes", schemaRules],
    ["helm", helmRules],
    ["istio", [...istioRules, ...retryRules, ...analyzeRules]],
    ["kong", [...kongRules, ...kongGatewayApiRules, ...kongGatewayEdgeRules, ...kongGrpcRules]],
    ["observability", observabilityRules],
];

function describe(domain: Domain, factory: RuleFactory): RuleInfo {
    const p = factory();
    const isStack = "validateStack" in p;
    return {
        id: p.name,
        domain,
        kind: isStack ? "stack" : "resource",
        level: p.enforcementLevel ?? "advisory",
        description: p.description,
        remediates: !isStack && typeof p.remediateResource === "function",
        fix: FIX[p.name] ?? "",
        tunables: Object.keys(p.configSchema?.properties ?? {}),
        factory,
    };
}

/** Every rule, in README order. */
export const rules: readonly RuleInfo[] = DOMAINS.flatMap(([domain, factories]) => factories.map((f) => describe(domain, f)));

/**
 * The policies of the pack, each at its default level unless `levels` names another
 * (`{"kong-route-rate-limit": "mandatory"}`); `disabled` leaves a rule out.
 */
export function meshgatePolicies(levels: Readonly<Record<string, EnforcementLevel>> = {}): Policy[] {
    return rules.filter((r) => levels[r.id] !== "disabled").map((r) => r.factory(levels[r.id] ?? r.level));
}

/** All rules at their default levels. */
export const policies: readonly Policy[] = meshgatePolicies();

/** The README's rule table (markdown), generated from the rules themselves. */
export function renderRulesTable(): string {
    const esc = (s: string): string => s.replace(/\|/g, "\\|");
    const lines = ["| id | domain | kind | level | what it checks | tunables | remediation |", "|---|---|---|---|---|---|---|"];
    for (const r of rules) {
        const fix = r.remediates ? `**auto** (level \`remediate\`). ${r.fix}` : r.fix;
        const tun = r.tunables.length > 0 ? r.tunables.map((t) => `\`${t}\``).join(", ") : "–";
        lines.push(`| \`${r.id}\` | ${r.domain} | ${r.kind} | ${r.level} | ${esc(r.description)} | ${tun} | ${esc(fix)} |`);
    }
    return lines.join("\n");
}
