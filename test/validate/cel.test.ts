import { strict as assert } from "node:assert";
import { CelCompileError, celFunctionNames, compileRule, ruleHolds } from "../../policies/validate/cel";
import { listCelRules } from "../../policies/validate/crd";

describe("validate/cel: Kubernetes CEL on @bufbuild/cel", () => {
    it("compiles every x-kubernetes-validations rule in data/crds", () => {
        const rules = listCelRules();
        assert.ok(rules.length > 100, `expected the Istio and Kong rules, found ${rules.length}`);
        const failures: string[] = [];
        for (const r of rules) {
            try {
                compileRule(r.rule);
            } catch (err) {
                failures.push(`${r.file} ${r.version} ${r.schemaPath}: ${err instanceof Error ? err.message : String(err)}`);
            }
        }
        assert.deepEqual(failures, []);
    });

    it("refuses to compile a rule calling an unknown function instead of passing it", () => {
        assert.throws(() => compileRule("isCIDR(self)"), CelCompileError);
        assert.throws(() => compileRule("self.noSuchMethod()"), /undeclared reference to function 'noSuchMethod'/);
        assert.throws(() => compileRule("self.startsWith()"), /no matching overload for 'startsWith'/);
        assert.throws(() => compileRule("self ==="), /syntax error/);
        assert.throws(() => compileRule("other > 1"), /undeclared reference to 'other'/);
    });

    it("marks transition rules (oldSelf) so they are skipped on create", () => {
        assert.equal(compileRule("self.plugin == oldSelf.plugin").usesOldSelf, true);
        assert.equal(compileRule("self.size() == 0").usesOldSelf, false);
    });

    it("evaluates Kubernetes duration rules: 0.5ms and a unit-less number fail, 1h30m passes", () => {
        const rule = compileRule("duration(self) >= duration('1ms')");
        assert.equal(ruleHolds(rule, "1h30m"), true);
        assert.equal(ruleHolds(rule, "0.5ms"), false);
        assert.match(String(ruleHolds(rule, "10")), /duration/);
    });

    it("implements the Kubernetes URL library the Istio CRDs use", () => {
        const rule = compileRule('url(self).getScheme() in ["http", "https"]');
        assert.equal(ruleHolds(rule, "https://issuer.example.com/.well-known/jwks.json"), true);
        assert.equal(ruleHolds(rule, "ftp://example.com/keys"), false);
        assert.notEqual(ruleHolds(rule, "not a url"), true);
        assert.equal(ruleHolds(compileRule("url(self).getHostname() == 'example.com' && url(self).getPort() == '8443'"), "https://example.com:8443/a"), true);
        assert.equal(ruleHolds(compileRule("isURL(self)"), "/absolute/path"), true);
        assert.equal(ruleHolds(compileRule("isURL(self)"), "relative/path"), false);
        for (const name of ["url", "isURL", "getScheme", "substring", "matches", "duration", "int"]) assert.ok(celFunctionNames().includes(name), name);
    });

    it("reports a rule that does not yield a bool as a failure, not a pass", () => {
        assert.equal(ruleHolds(compileRule("self"), "x"), "rule evaluated to string, not a bool");
    });

    it("caches compiled rules by their text", () => {
        assert.equal(compileRule("self.size() == 0"), compileRule("self.size() == 0"));
    });
});
