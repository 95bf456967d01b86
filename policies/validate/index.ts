/**
 * Validators built on meshgate's trimmed upstream reference data (data/): Helm chart value
 * keys, custom resources (OpenAPI schema + CEL rules), Kong plugin configurations and the
 * AWS Load Balancer Controller IAM policy. Pure functions; no Pulumi engine, no ../shared.
 */
export { checkValueKeys, chartKeys, knownCharts, unknownValueKeys } from "./chart-values";
export type { ChartKeys, KeyTree, ValueKeyOptions, ValueKeyProblem } from "./chart-values";
export { knownCustomResources, listCelRules, validateCustomResource } from "./crd";
export type { CelRuleLocation, CrdFile, CustomResourceType, KubernetesObjectLike } from "./crd";
export { CelCompileError, celFunctionNames, compileRule } from "./cel";
export type { CompiledRule } from "./cel";
export { KONG_PLUGIN_NAMES, KONG_SCHEMA_VERSIONS, isKongPluginName, kongPluginSchema, validateKongPluginConfig } from "./kong-plugin";
export { CUSTOM_VALIDATORS, ENTITY_CHECK_KINDS, entityCheckProblems, kongEntityChecks } from "./kong-entity-checks";
export type { KongPluginName, KongPluginSchemaFile, KongPluginValidationOptions, KongSchemaVersion } from "./kong-plugin";
export { comparePolicyDocuments, diffFromLbControllerPolicy, lbControllerReferencePolicy } from "./iam";
export type { CompareOptions, IamPolicyDocument, IamPolicyStatement, PolicyDifference, PolicyDifferenceKind, ReferencePolicy } from "./iam";
export { packageRoot } from "./data";
