// The meshgate CrossGuard policy pack. This module is the pack's entry point for
// `pulumi up --policy-pack policies` and `pulumi policy publish`: constructing the PolicyPack
// starts the analyzer's gRPC server, so nothing else may import it (tools and tests use
// `./engine` and `./rules`).
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./rules";

new PolicyPack("meshgate", {
    policies: [...policies],
    enforcementLevel: "advisory",
    displayName: "meshgate",
    description: "EKS, Helm, Istio, Kong and observability guardrails for Kong-at-the-edge, Istio-inside platforms.",
    tags: ["aws", "eks", "kubernetes", "helm", "istio", "kong", "observability"],
});
