// TLS: origination without CA certificates (Istio 1.30.3
// pkg/config/analysis/analyzers/destinationrule/ca-certificates.go: IST0128, IST0129), and
// namespaces the configuration meshes that no STRICT PeerAuthentication covers. A DestinationRule
// with ISTIO_MUTUAL only makes clients *send* mTLS; whether a workload *accepts* plaintext is the
// PeerAuthentication's (namespace, else mesh root; Istio's default is PERMISSIVE).
import type { EnforcementLevel, PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { T, arr, get, hasUnknown, obj, schema, str, tunables, validateTypes } from "../common";
import { injectionState } from "../istio";
import { AnalyzeIndex, clusterHostNamespace, hasTargetRef, istioFqdn, workloadSelector } from "./model";
import { vsDestinations } from "./references";

const ORIGINATION = new Set(["SIMPLE", "MUTUAL"]);

/** ca-certificates.go: SIMPLE/MUTUAL verify the server only with caCertificates, or credentialName on a workloadSelector rule. */
export function verifiesServer(tls: unknown, spec: Record<string, unknown>): boolean {
    return (str(get(tls, "caCertificates")) ?? "") !== "" || ((str(get(tls, "credentialName")) ?? "") !== "" && spec.workloadSelector !== undefined);
}

/** TLS origination that does not say which CA to trust. */
export function istioTlsOriginationCa(level: EnforcementLevel = "advisory"): ResourceValidationPolicy {
    return {
        name: "istio-tls-origination-ca",
        description: "DestinationRules originating TLS (SIMPLE, MUTUAL) must set caCertificates, or credentialName with a workloadSelector (IST0128, IST0129).",
        enforcementLevel: level,
        validateResource: validateTypes(T.destinationRule, (args, report) => {
            const spec = obj(get(args.props, "spec"));
            const host = str(spec.host) ?? "";
            const tls = get(spec, "trafficPolicy", "tls");
            const mode = str(get(tls, "mode"));
            if (mode && ORIGINATION.has(mode) && !verifiesServer(tls, spec)) {
                report(
                    `trafficPolicy.tls.mode ${mode} to ${host} sets no caCertificates: the server certificate is checked only against the proxy's default trust store, if at all; set caCertificates (IST0128).`,
                );
            }
            arr(get(spec, "trafficPolicy", "portLevelSettings")).forEach((p, i) => {
                const m = str(get(p, "tls", "mode"));
                if (m && ORIGINATION.has(m) && !verifiesServer(get(p, "tls"), spec)) {
                    const port = get(p, "port", "number");
                    report(`trafficPolicy.portLevelSettings[${i}] (port ${String(port ?? "?")}) tls.mode ${m} to ${host} sets no caCertificates; set caCertificates (IST0129).`);
                }
            });
        }),
    };
}

/** mtls.mode of a namespace-wide PeerAuthentication (no selector, no targetRef); undefined when unset/UNSET. */
function namespaceWideMode(spec: Record<string, unknown>): string | undefined {
    if (workloadSelector(spec) || hasTargetRef(spec)) {
        return undefined;
    }
    const mode = str(get(spec, "mtls", "mode"));
    return mode && mode !== "UNSET" ? mode : undefined;
}

/** Namespaces whose workloads the configuration meshes but that still accept plaintext. */
export function istioMtlsStrictCoverage(level: EnforcementLevel = "mandatory"): StackValidationPolicy {
    const defaults = { rootNamespace: "istio-system", allowPermissiveNamespaces: [] as string[] };
    return {
        name: "istio-mtls-strict-coverage",
        description:
            "Every namespace the configuration meshes (DestinationRule, VirtualService, AuthorizationPolicy) must be covered by a STRICT PeerAuthentication, in the namespace or the mesh root.",
        enforcementLevel: level,
        configSchema: {
            properties: {
                rootNamespace: schema.string("Istio root namespace: its namespace-wide PeerAuthentication applies mesh-wide.", defaults.rootNamespace),
                allowPermissiveNamespaces: schema.strings(
                    "Namespaces allowed to accept plaintext (migrations; as istio-peer-authentication-strict's tunable).",
                    defaults.allowPermissiveNamespaces,
                ),
            },
        },
        validateStack: (args, report) => {
            const c = tunables(defaults, args);
            const idx = AnalyzeIndex.of(args.resources);
            const meshed = new Map<string, { why: string; resource: PolicyResource }>();
            const add = (ns: string | undefined, why: string, resource: PolicyResource): void => {
                if (ns && ns !== c.rootNamespace && !meshed.has(ns)) {
                    meshed.set(ns, { why, resource });
                }
            };
            const hostNs = (h: unknown, ns: string): string | undefined => (typeof h === "string" && !hasUnknown(h) ? clusterHostNamespace(istioFqdn(h, ns)) : undefined);
            for (const dr of idx.destinationRules) {
                add(hostNs(dr.spec.host, dr.namespace), `DestinationRule ${dr.namespace}/${dr.name}`, dr.resource);
            }
            for (const vs of idx.virtualServices) {
                for (const h of arr(vs.spec.hosts)) {
                    add(hostNs(h, vs.namespace), `VirtualService ${vs.namespace}/${vs.name}`, vs.resource);
                }
                for (const d of vsDestinations(vs.spec)) {
                    add(hostNs(d.host, vs.namespace), `VirtualService ${vs.namespace}/${vs.name}`, vs.resource);
                }
            }
            for (const ap of idx.authorizationPolicies) {
                add(ap.namespace, `AuthorizationPolicy ${ap.namespace}/${ap.name}`, ap.resource);
            }
            if (meshed.size === 0) {
                return;
            }
            let rootMode: string | undefined;
            const nsMode = new Map<string, string>();
            for (const pa of idx.peerAuthentications) {
                const mode = namespaceWideMode(pa.spec);
                if (!mode) {
                    continue;
                }
                if (pa.namespace === c.rootNamespace) {
                    rootMode = mode;
                } else {
                    nsMode.set(pa.namespace, mode);
                }
            }
            for (const [ns, { why, resource }] of meshed) {
                if (c.allowPermissiveNamespaces.includes(ns)) {
                    continue;
                }
                const nsObject = idx.namespaces.get(ns);
                if (nsObject && injectionState(nsObject.labels) !== "enabled") {
                    continue; // not in the mesh at all: istio-namespace-injection's concern
                }
                const effective = nsMode.get(ns) ?? rootMode ?? "PERMISSIVE (Istio's default)";
                if (effective !== "STRICT") {
                    const source = nsMode.has(ns)
                        ? `its PeerAuthentication says ${effective}`
                        : rootMode
                          ? `the mesh-wide PeerAuthentication in ${c.rootNamespace} says ${effective}`
                          : `no PeerAuthentication in ${ns} or ${c.rootNamespace} says STRICT`;
                    report(
                        `namespace ${ns} is meshed by ${why}, but ${source}, so its workloads still accept plaintext; a DestinationRule with ISTIO_MUTUAL only makes clients send mTLS. Add a PeerAuthentication with mtls.mode STRICT in ${ns} (or mesh-wide in ${c.rootNamespace}).`,
                        (nsObject?.resource ?? resource).urn,
                    );
                }
            }
        },
    };
}

export const tlsRules = [istioTlsOriginationCa, istioMtlsStrictCoverage];
