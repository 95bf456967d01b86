/**
 * The public API (issue 15 item 2): what `import ... from "meshgate"` offers is an explicit,
 * reviewed list, every name in it documented, and every optional field of an args type says
 * its default. Read from the built declarations (dist/components/index.d.ts), as a consumer's
 * compiler sees them.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..");
const INDEX = path.join(ROOT, "dist", "components", "index.d.ts");

/** The reviewed surface: change it together with components/index.ts, on purpose. */
const PUBLIC_API = [
    "ApiConsumerSpec",
    "ApiConsumers",
    "ApiConsumersArgs",
    "CHART_DEFAULTS",
    "ChartName",
    "ChartRef",
    "ClusterAutoscaler",
    "ClusterAutoscalerArgs",
    "ClusterConnection",
    "ConfigError",
    "ConfigIssue",
    "ConsumerCredentials",
    "EksCluster",
    "EksClusterArgs",
    "ElastiCacheRedis",
    "ElastiCacheRedisArgs",
    "Environment",
    "ExistingCluster",
    "ExistingClusterArgs",
    "ExternalPostgres",
    "GATEWAY_API_VERSION",
    "GatewayApiCrds",
    "GatewayApiCrdsArgs",
    "GatewayFacts",
    "GrafanaDashboard",
    "HelmValues",
    "IstioMesh",
    "IstioMeshArgs",
    "JaegerOtlpEndpoints",
    "KongEdgeGateway",
    "KongEdgeGatewayArgs",
    "KongGateway",
    "KongGatewayArgs",
    "KongGatewayRef",
    "KongMetricsTarget",
    "LoadBalancerController",
    "LoadBalancerControllerArgs",
    "MeshNamespace",
    "MeshNamespaceArgs",
    "MeshService",
    "MeshServiceArgs",
    "MetricsServer",
    "MetricsServerArgs",
    "NodeGroupSpec",
    "Observability",
    "ObservabilityArgs",
    "Platform",
    "PlatformArgs",
    "PlatformHelmValues",
    "PlatformOptions",
    "PlatformOutputs",
    "RateLimitRedisFacts",
    "RedisPasswordSecrets",
    "RedisPasswordSecretsArgs",
    "ServiceSpec",
    "ServiceSpecInput",
    "StackConfig",
    "StackConfigInput",
    "TracingCollector",
    "WorkloadContract",
    "chartRef",
    "checkStackConfig",
    "formatIssue",
    "jaegerOtlp",
    "kongMetrics",
    "validateStackConfig",
];

/** Args types whose optional fields must each say `@default`. */
const ARGS = (name: string) => /Args$/.test(name) || name === "PlatformOptions" || name === "PlatformHelmValues";

describe("the public API (dist/components/index.d.ts)", function () {
    this.timeout(60_000);
    let checker: ts.TypeChecker;
    let exports: ts.Symbol[];

    before(function () {
        if (!fs.existsSync(INDEX)) {
            throw new Error("dist/ is missing: npm test builds it first (npm run build)");
        }
        const program = ts.createProgram([INDEX], {
            strict: true,
            module: ts.ModuleKind.Node16,
            moduleResolution: ts.ModuleResolutionKind.Node16,
            skipLibCheck: true,
            noEmit: true,
        });
        checker = program.getTypeChecker();
        const source = program.getSourceFile(INDEX);
        assert.ok(source);
        const moduleSymbol = checker.getSymbolAtLocation(source);
        assert.ok(moduleSymbol);
        exports = checker.getExportsOfModule(moduleSymbol);
    });

    const resolved = (s: ts.Symbol) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
    const documented = (decl: ts.Node) => ts.getJSDocCommentsAndTags(decl).length > 0;

    it("exports exactly the reviewed names, by an explicit list (no export *)", () => {
        assert.deepEqual(exports.map((s) => s.name).sort(), [...PUBLIC_API].sort());
        const text = fs.readFileSync(path.join(ROOT, "components", "index.ts"), "utf8");
        assert.doesNotMatch(text, /export \*/);
    });

    it("documents every exported declaration", () => {
        assert.equal(exports.length, PUBLIC_API.length);
        const missing = exports.filter((s) => !(resolved(s).declarations ?? []).some(documented)).map((s) => s.name);
        assert.deepEqual(missing, []);
    });

    it("says the default of every optional field of the args types (nested ones too)", () => {
        const args = exports.filter((s) => ARGS(s.name));
        assert.ok(args.length >= 14, `${args.length} args types`);
        const missing: string[] = [];
        const visit = (members: ts.NodeArray<ts.TypeElement>, at: string) => {
            for (const m of members) {
                if (!ts.isPropertySignature(m) || m.name === undefined) continue;
                const field = `${at}.${m.name.getText()}`;
                const hasDefault = ts.getJSDocTags(m).some((t) => t.tagName.text === "default");
                if (m.questionToken !== undefined && !hasDefault) missing.push(field);
                if (m.type !== undefined && ts.isTypeLiteralNode(m.type)) visit(m.type.members, field);
            }
        };
        for (const s of args) {
            const declarations = resolved(s).declarations ?? [];
            assert.ok(declarations.length >= 1, `${s.name} has a declaration`);
            for (const decl of declarations) {
                if (ts.isInterfaceDeclaration(decl)) visit(decl.members, s.name);
                else if (ts.isTypeAliasDeclaration(decl) && ts.isTypeLiteralNode(decl.type)) visit(decl.type.members, s.name);
                else assert.fail(`${s.name}: an args type is an interface or a type literal (${ts.SyntaxKind[decl.kind]})`);
            }
        }
        assert.deepEqual(missing, []);
    });
});
