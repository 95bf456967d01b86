import { strict as assert } from "node:assert";
import { existsSync, readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { listDataJson, packageRoot } from "../../policies/validate/data";
import * as sourceCrd from "../../policies/validate/crd";
import * as sourceKong from "../../policies/validate/kong-plugin";
import * as sourcePrecompiled from "../../policies/validate/precompiled";

// The validators `npm run build` generates as ajv standalone code (policies/validate/precompiled.ts).
// The tests run from the sources, which compile with ajv at run time; dist/ (built by npm test
// first) looks the generated modules up. Both must give the same messages.

const ROOT = packageRoot();
const DIST = path.join(ROOT, "dist");

type Precompiled = typeof import("../../policies/validate/precompiled");
type Crd = typeof import("../../policies/validate/crd");
type Kong = typeof import("../../policies/validate/kong-plugin");
type Sets = typeof import("../../tools/build/validators");

function fromDist<T>(rel: string): T {
    const file = path.join(DIST, rel);
    if (!existsSync(file)) throw new Error(`${file} is missing: npm test builds dist/ first (npm run build)`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the compiled package, as npm run plan loads it
    return require(file) as T;
}

const dist = {
    precompiled: () => fromDist<Precompiled>("policies/validate/precompiled.js"),
    crd: () => fromDist<Crd>("policies/validate/crd.js"),
    kong: () => fromDist<Kong>("policies/validate/kong-plugin.js"),
    sets: () => fromDist<Sets>("tools/build/validators.js"),
};

const meta = { name: "x", namespace: "users" };

/** Objects that exercise the CRD flavour's keywords and function formats, with the message each must give. */
const KEYWORD_CASES: { what: string; object: Record<string, unknown>; message: string }[] = [
    {
        what: "x-kubernetes-list-type: set",
        object: { apiVersion: "configuration.konghq.com/v1", kind: "KongConsumer", metadata: meta, username: "u", credentials: ["a", "a"] },
        message: "credentials: duplicate entries in a list of type set",
    },
    {
        what: "x-kubernetes-list-type: map (key name)",
        object: {
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "HTTPRoute",
            metadata: meta,
            spec: {
                rules: [
                    {
                        matches: [
                            {
                                headers: [
                                    { name: "a", value: "1" },
                                    { name: "a", value: "2" },
                                ],
                            },
                        ],
                    },
                ],
            },
        },
        message: "spec.rules[0].matches[0].headers: duplicate entries in a list of type map",
    },
    {
        what: "format ipv4/ipv6 (node:net)",
        object: {
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "Gateway",
            metadata: meta,
            spec: { gatewayClassName: "kong", listeners: [{ name: "http", port: 80, protocol: "HTTP" }], addresses: [{ type: "IPAddress", value: "300.1.1.1" }] },
        },
        message: "spec.addresses[0]: must match exactly one schema in oneOf",
    },
];

function customResourcesOfFixtures(): Record<string, unknown>[] {
    const known = new Set(sourceCrd.knownCustomResources().map((t) => `${t.apiVersion}/${t.kind}`));
    const out: Record<string, unknown>[] = [];
    for (const dir of ["bad-manifests", "good-manifests"]) {
        const folder = path.join(ROOT, "test", "fixtures", dir);
        for (const file of [
            "analyze.yaml",
            "istio.yaml",
            "kong.yaml",
            "kong-gateway-api.yaml",
            "mesh-routes.yaml",
            "bookinfo.yaml",
            "gateway.yaml",
            "kong-grpc.yaml",
            "mesh.yaml",
        ]) {
            const full = path.join(folder, file);
            if (!existsSync(full)) continue;
            for (const doc of parseAllDocuments(readFileSync(full, "utf8"))) {
                const o: unknown = doc.toJS();
                if (typeof o === "object" && o !== null && known.has(`${String((o as Record<string, unknown>).apiVersion)}/${String((o as Record<string, unknown>).kind)}`)) {
                    out.push(o as Record<string, unknown>);
                }
            }
        }
    }
    return out;
}

describe("validators generated at build time (policies/validate/precompiled.ts)", () => {
    it("dist/ holds a generated validator for every schema the pack compiles: every CRD version, every Kong plugin, every policy config", () => {
        const { ValidatorCompiler } = dist.precompiled();
        const sets = dist.sets().validatorSets();
        assert.deepEqual(
            sets.map((s) => s.flavour.name),
            ["crd", "kong-plugin", "policy-config"],
        );
        const crdFiles = listDataJson("crds").length;
        assert.ok(crdFiles >= 20, `${crdFiles} CRD files`);
        assert.ok(sets[0].schemas.length >= crdFiles, `${sets[0].schemas.length} CRD schemas for ${crdFiles} files`);
        assert.equal(sets[1].schemas.length, sourceKong.KONG_PLUGIN_NAMES.length * sourceKong.KONG_SCHEMA_VERSIONS.length);
        assert.ok(sets[2].schemas.length >= 10, `${sets[2].schemas.length} policy config schemas`);
        for (const set of sets) {
            const compiler = new ValidatorCompiler(set.flavour);
            for (const schema of set.schemas) assert.equal(typeof compiler.compile(schema), "function");
            assert.deepEqual(compiler.counts, { precompiled: set.schemas.length, compiled: 0 }, set.flavour.name);
        }
    });

    it("a schema or flavour that differs from the build's (data/ or a keyword edited since) is compiled, never looked up", () => {
        const { ValidatorCompiler, validatorDigest } = dist.precompiled();
        const crd = dist.crd();
        const [schema] = crd.crdValidatorSchemas();
        // A CRD edited after the build: one more bound on metadata.name.
        const edited = structuredClone(schema) as { properties: { metadata: { properties: { name: Record<string, unknown> } } } };
        edited.properties.metadata.properties.name.maxLength = 3;
        const compiler = new ValidatorCompiler(crd.CRD_FLAVOUR);
        const validate = compiler.compile(edited);
        assert.deepEqual(compiler.counts, { precompiled: 0, compiled: 1 });
        assert.equal(validate({ apiVersion: "a/b", kind: "K", metadata: { name: "abcd" } }), false, "the edit applies");
        // A keyword whose code changed: another digest for the same schema.
        const editedFlavour = { ...crd.CRD_FLAVOUR, setup: (ajv: import("ajv").default) => crd.CRD_FLAVOUR.setup?.(ajv) };
        assert.notEqual(validatorDigest(editedFlavour, schema), validatorDigest(crd.CRD_FLAVOUR, schema));
        const other = new ValidatorCompiler(editedFlavour);
        other.compile(schema);
        assert.deepEqual(other.counts, { precompiled: 0, compiled: 1 });
    });

    it("generated and run-time compiled CRD validators give the same messages on every custom resource of the manifest fixtures", () => {
        const objects = customResourcesOfFixtures();
        const before = dist.precompiled().validatorOrigins().crd ?? { precompiled: 0, compiled: 0 };
        assert.ok(objects.length >= 40, `${objects.length} custom resources`);
        let withProblems = 0;
        // Each also broken twice: an unknown field in spec, a name the API server refuses.
        const variants = objects.flatMap((o) => [
            o,
            { ...o, spec: { ...(o.spec as object), bogusField: 1 } },
            { ...o, metadata: { ...(o.metadata as object), name: "Not_A_Name" } },
        ]);
        for (const o of variants) {
            const expected = sourceCrd.validateCustomResource(o);
            if (expected.length > 0) withProblems++;
            assert.deepEqual(dist.crd().validateCustomResource(o), expected, `${String(o.kind)} ${JSON.stringify(o.metadata)}`);
        }
        assert.ok(withProblems >= 2 * objects.length, `${withProblems} of ${variants.length} objects with problems`);
        const after = dist.precompiled().validatorOrigins().crd;
        assert.ok(after.precompiled - before.precompiled >= 5, `${after.precompiled - before.precompiled} generated validators used`);
        assert.equal(after.compiled - before.compiled, 0, "none compiled by dist/");
        assert.equal(sourcePrecompiled.validatorOrigins().crd.precompiled, 0, "the sources have no generated validators");
    });

    for (const c of KEYWORD_CASES) {
        it(`${c.what}: the same message from both`, () => {
            assert.deepEqual(sourceCrd.validateCustomResource(c.object), [c.message]);
            assert.deepEqual(dist.crd().validateCustomResource(c.object), [c.message]);
        });
    }

    it("x-kubernetes-int-or-string (only under status in data/crds): generated and compiled agree", () => {
        const { ValidatorCompiler, writeStandaloneValidators } = dist.precompiled();
        const { CRD_FLAVOUR } = dist.crd();
        const schema = { type: "object", properties: { port: { "x-kubernetes-int-or-string": true }, any: { "x-kubernetes-int-or-string": false } } };
        // Generated next to the real ones so that its require of ../crd-runtime resolves; removed after.
        const dir = path.join(DIST, "policies", "validate", `compiled-test-${process.pid}`);
        try {
            assert.deepEqual(writeStandaloneValidators([{ flavour: CRD_FLAVOUR, schemas: [schema] }], dir), { crd: 1 });
            const generated = new ValidatorCompiler(CRD_FLAVOUR, dir);
            const compiled = new ValidatorCompiler(CRD_FLAVOUR, path.join(dir, "absent"));
            const g = generated.compile(schema);
            const r = compiled.compile(schema);
            assert.deepEqual(
                [generated.counts, compiled.counts],
                [
                    { precompiled: 1, compiled: 0 },
                    { precompiled: 0, compiled: 1 },
                ],
            );
            const cases: [unknown, boolean][] = [
                [{ port: 80 }, true],
                [{ port: "http" }, true],
                [{ port: 1.5 }, false],
                [{ port: true }, false],
                [{ any: 1.5 }, true],
            ];
            for (const [data, valid] of cases) {
                assert.equal(g(data), valid, JSON.stringify(data));
                assert.equal(r(data), valid, JSON.stringify(data));
                assert.deepEqual(
                    g.errors?.map((e) => [e.keyword, e.instancePath, e.message]),
                    r.errors?.map((e) => [e.keyword, e.instancePath, e.message]),
                );
            }
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("Kong plugin configs: not_one_of and unknown fields give the same messages from both", () => {
        const cases: [string, Record<string, unknown>, string][] = [
            ["zipkin", { static_tags: [{ name: "http.method", value: "x" }] }, 'config.static_tags[0].name: "http.method" is not allowed here (reserved: '],
            ["rate-limiting", { minute: 100, window_size: [60] }, 'config.window_size: unknown field "window_size" for plugin rate-limiting (Kong 3.9)'],
        ];
        for (const [plugin, config, start] of cases) {
            const expected = sourceKong.validateKongPluginConfig(plugin, config);
            assert.equal(expected.length, 1, expected.join("\n"));
            assert.ok(expected[0].startsWith(start), expected[0]);
            assert.deepEqual(dist.kong().validateKongPluginConfig(plugin, config), expected);
        }
        const origins = dist.precompiled().validatorOrigins()["kong-plugin"];
        assert.ok(origins.precompiled >= 2 && origins.compiled === 0, JSON.stringify(origins));
    });
});
