// Hand-written manifests through manifestsToResources and the whole pack, as `npm run check`
// judges them: every object in bad-manifests/ carries exactly the mistake its
// `meshgate.io/expected-violation` annotation names; good-manifests/ passes every rule.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { manifestsToResources, type ManifestResource } from "../../policies/manifests";
import { rules } from "../../policies/rules";
import { runAll, show, type Violation } from "./harness";

const FIXTURES = path.join(__dirname, "..", "fixtures");
const EXPECT = "meshgate.io/expected-violation";

function load(dir: string): { file: string; object: Record<string, unknown> }[] {
    const out: { file: string; object: Record<string, unknown> }[] = [];
    for (const name of fs
        .readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()) {
        const file = path.join(dir, name);
        for (const doc of parseAllDocuments(fs.readFileSync(file, "utf8"))) {
            assert.equal(doc.errors.length, 0, `${file}: ${doc.errors.map((e) => e.message).join("; ")}`);
            const object: unknown = doc.toJS();
            if (typeof object === "object" && object !== null && !Array.isArray(object)) {
                out.push({ file: name, object: object as Record<string, unknown> });
            }
        }
    }
    return out;
}

function expected(r: ManifestResource): string[] {
    const annotations = (r.props.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {};
    return (annotations[EXPECT] ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
}

function byUrn(vs: readonly Violation[]): Map<string, Violation[]> {
    const m = new Map<string, Violation[]>();
    for (const v of vs) {
        m.set(v.urn, [...(m.get(v.urn) ?? []), v]);
    }
    return m;
}

describe("manifests", () => {
    describe("manifestsToResources", () => {
        it("judges a kind: List (kubectl get -o yaml) by its items, each with its place in the file", () => {
            const list = {
                apiVersion: "v1",
                kind: "List",
                items: [
                    { apiVersion: "v1", kind: "Service", metadata: { name: "a", namespace: "n" } },
                    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b", namespace: "n" } },
                ],
            };
            const rs = manifestsToResources([{ file: "l.yaml", object: list, where: "document 1" }]);
            assert.deepEqual(
                rs.map((r) => `${r.type} ${r.name} ${r.where}`),
                ["kubernetes:core/v1:Service a document 1, item 1", "kubernetes:core/v1:ConfigMap b document 1, item 2"],
            );
        });

        it("types each object kubernetes:<group/version>:<Kind>, one resource per document in order", () => {
            const rs = manifestsToResources([
                { file: "a.yaml", object: { apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "n" } } },
                { file: "a.yaml", object: { apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "vs", namespace: "n" } } },
                { file: "b.yaml", object: { apiVersion: "v1", kind: "Namespace", metadata: { name: "n" } } },
                { file: "b.yaml", object: { apiVersion: "helm.sh/v3", kind: "Release", name: "istiod", namespace: "istio-system", chart: "istiod" } },
            ]);
            assert.deepEqual(
                rs.map((r) => [r.type, r.name, r.urn, r.file]),
                [
                    ["kubernetes:core/v1:Service", "s", "urn:pulumi:check::manifests::kubernetes:core/v1:Service::n/s", "a.yaml"],
                    ["kubernetes:networking.istio.io/v1:VirtualService", "vs", "urn:pulumi:check::manifests::kubernetes:networking.istio.io/v1:VirtualService::n/vs", "a.yaml"],
                    ["kubernetes:core/v1:Namespace", "n", "urn:pulumi:check::manifests::kubernetes:core/v1:Namespace::n", "b.yaml"],
                    ["kubernetes:helm.sh/v3:Release", "istiod", "urn:pulumi:check::manifests::kubernetes:helm.sh/v3:Release::istio-system/istiod", "b.yaml"],
                ],
            );
        });

        it("keeps URNs unique when two documents name the same object", () => {
            const o = { apiVersion: "v1", kind: "Namespace", metadata: { name: "n" } };
            const rs = manifestsToResources([
                { file: "a.yaml", object: o },
                { file: "b.yaml", object: o },
            ]);
            assert.notEqual(rs[0].urn, rs[1].urn);
        });

        it("names the file of a document without apiVersion or kind", () => {
            assert.throws(() => manifestsToResources([{ file: "x.yaml", object: { kind: "Service" } }]), /x\.yaml: object 1 has no apiVersion/);
            const problems: string[] = [];
            const rs = manifestsToResources(
                [
                    { file: "x.yaml", object: { kind: "Service" }, where: "document 1" },
                    { file: "x.yaml", object: { apiVersion: "v1", kind: "Service", metadata: { name: "a" } }, where: "document 2" },
                ],
                (p) => problems.push(`${p.file} ${p.where} ${p.message}`),
            );
            assert.deepEqual(problems, ["x.yaml document 1 has no apiVersion: not a Kubernetes object"]);
            assert.deepEqual(
                rs.map((r) => r.name),
                ["a"],
            );
        });
    });

    it("reports exactly the annotated rule on each bad object, and nothing on the context objects", async () => {
        const resources = manifestsToResources(load(path.join(FIXTURES, "bad-manifests")));
        assert.ok(resources.length >= 79, `${resources.length} objects in bad-manifests/`);
        const found = byUrn(await runAll(resources));
        const problems: string[] = [];
        const seenRules = new Set<string>();
        for (const r of resources) {
            const want = expected(r).sort();
            const got = (found.get(r.urn) ?? []).map((v) => v.policy).sort();
            want.forEach((w) => seenRules.add(w));
            if (JSON.stringify(want) !== JSON.stringify(got)) {
                problems.push(`${r.file} ${r.type} ${r.name}: expected [${want.join(", ")}], got\n${show(found.get(r.urn) ?? [])}`);
            }
        }
        assert.deepEqual(found.get("") ?? [], [], "stack-wide violations");
        assert.deepEqual(problems, []);
        // Every rule that can judge plain Kubernetes objects has a bad manifest.
        const k8sRules = rules.filter((r) => r.domain !== "aws").map((r) => r.id);
        assert.ok(k8sRules.length >= 48, `${k8sRules.length} rules judge Kubernetes objects`);
        assert.deepEqual(
            k8sRules.filter((id) => !seenRules.has(id)),
            [],
        );
    });

    it("passes every rule on the good manifests", async () => {
        const resources = manifestsToResources(load(path.join(FIXTURES, "good-manifests")));
        assert.ok(resources.length > 15);
        const vs = await runAll(resources);
        assert.deepEqual(vs, [], show(vs));
    });
});
