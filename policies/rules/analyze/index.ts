// The istioctl-analyze-class rules (Istio 1.30.3 pkg/config/analysis/analyzers): cross-resource
// references, conflicts, unreachable routes, TLS. Each file cites the analyzer it models.
import { conflictRules } from "./conflicts";
import { meshRouteRules } from "./mesh-routes";
import { referenceRules } from "./references";
import { routeRules } from "./routes";
import { tlsRules } from "./tls";

export { ANALYZED_TYPES, AnalyzeIndex, istioFqdn } from "./model";

export const analyzeRules = [...referenceRules, ...conflictRules, ...routeRules, ...tlsRules, ...meshRouteRules];
