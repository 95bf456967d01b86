/**
 * ApiConsumers: KongConsumers with generated credentials, as pure builders and under the
 * mock runtime (secrets recorded only as "[secret]").
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
// runProgram sets the mocks for each run; these modules create nothing when loaded.
import { ApiConsumers, ApiConsumerSpec, apiConsumersArgsSchema, credentialSecretObject, KongGateway, kongConsumerObject } from "../../components/kong";
import { argProblems } from "../../components/config/args";
import { validateCustomResource } from "../../policies/validate";
import { PlanRun, runProgram } from "../../tools/plan/runtime";
import { field, KONG_CONSUMER, RELEASE, SECRET } from "./helpers";

const CONSUMERS: ApiConsumerSpec[] = [
    { name: "mobile-app", credentials: ["key-auth"] },
    { name: "partner", credentials: ["key-auth", "jwt"] },
];

describe("ApiConsumers builders", () => {
    it("a KongConsumer has username and credentials at the top level, the kong class annotation, and validates against the CRD", () => {
        const c = kongConsumerObject({ name: "partner", namespace: "kong", credentials: ["partner-key-auth", "partner-jwt", "partner-acl"] });
        assert.deepEqual(c, {
            apiVersion: "configuration.konghq.com/v1",
            kind: "KongConsumer",
            metadata: { name: "partner", namespace: "kong", annotations: { "kubernetes.io/ingress.class": "kong" } },
            username: "partner",
            credentials: ["partner-key-auth", "partner-jwt", "partner-acl"],
        });
        assert.deepEqual(validateCustomResource(c), []);
    });

    it("the CRD check would catch a consumer without username or custom_id", () => {
        const { username: _dropped, ...noName } = kongConsumerObject({ name: "x", namespace: "kong", credentials: [] });
        assert.ok(validateCustomResource(noName).some((m) => m.includes("username or custom_id")));
    });

    it("a credential Secret is labelled konghq.com/credential with its type and carries the fields KIC reads", () => {
        const s = credentialSecretObject({ consumer: "partner", namespace: "kong", type: "jwt", data: { key: "k", algorithm: "HS256", secret: "s" } });
        assert.deepEqual(s, {
            apiVersion: "v1",
            kind: "Secret",
            type: "Opaque",
            metadata: { name: "partner-jwt", namespace: "kong", labels: { "konghq.com/credential": "jwt", "app.kubernetes.io/managed-by": "meshgate" } },
            stringData: { key: "k", algorithm: "HS256", secret: "s" },
        });
    });

    it("reports every problem with the consumer list at once, naming index and field", () => {
        assert.deepEqual(
            argProblems(apiConsumersArgsSchema, {
                consumers: [
                    { name: "Bad_Name", credentials: ["key-auth"] },
                    { name: "a", credentials: [] },
                    { name: "a", credentials: ["jwt", "jwt"] },
                    { name: "a".repeat(51), credentials: ["jwt"] },
                ],
                keyLength: 16,
            }),
            [
                "consumers[0].name: must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, got \"Bad_Name\"",
                "consumers[1].credentials: must list key-auth and/or jwt",
                'consumers[2].credentials[1]: "jwt" is listed twice',
                `consumers[3].name: must be at most 50 characters (it names the consumer's Secrets, <name>-key-auth), got "${"a".repeat(51)}"`,
                'consumers[2].name: "a" is already declared by consumers[1]; consumer names must be unique',
                "keyLength: must be a whole number of at least 32, got 16",
            ],
        );
        assert.deepEqual(argProblems(apiConsumersArgsSchema, { consumers: CONSUMERS }), []);
    });
});

describe("ApiConsumers (mock runtime)", () => {
    let run: PlanRun;
    before(async () => {
        run = await runProgram(() => {
            const gw = new KongGateway("edge", { environment: "dev" });
            const consumers = new ApiConsumers("consumers", { consumers: CONSUMERS, gateway: gw });
            return { credentials: consumers.credentials, shape: pulumi.unsecret(consumers.credentials) };
        });
    });

    it("creates one KongConsumer per consumer in namespace kong, listing its credential Secrets (acl included)", () => {
        const consumers = run.byType(KONG_CONSUMER);
        assert.deepEqual(
            consumers.map((c) => [field(c.inputs, "metadata", "name"), field(c.inputs, "metadata", "namespace"), c.inputs.username, c.inputs.credentials]),
            [
                ["mobile-app", "kong", "mobile-app", ["mobile-app-key-auth", "mobile-app-acl"]],
                ["partner", "kong", "partner", ["partner-key-auth", "partner-jwt", "partner-acl"]],
            ],
        );
        for (const c of consumers) {
            assert.equal(field(c.inputs, "metadata", "annotations", "kubernetes.io/ingress.class"), "kong");
            assert.deepEqual(validateCustomResource(c.inputs), [], c.name);
        }
    });

    it('creates a Secret per credential, labelled with its type, whose recorded stringData is only "[secret]"', () => {
        const secrets = run.byType(SECRET);
        assert.deepEqual(secrets.map((s) => [field(s.inputs, "metadata", "name"), field(s.inputs, "metadata", "labels", "konghq.com/credential")]).sort(), [
            ["mobile-app-acl", "acl"],
            ["mobile-app-key-auth", "key-auth"],
            ["partner-acl", "acl"],
            ["partner-jwt", "jwt"],
            ["partner-key-auth", "key-auth"],
        ]);
        for (const s of secrets) {
            assert.equal(s.inputs.stringData, "[secret]", s.name);
            assert.equal(s.inputs.data, undefined, s.name);
            assert.equal(field(s.inputs, "metadata", "namespace"), "kong");
        }
        assert.equal(JSON.stringify(run.resources).includes("placeholder-"), false, "no generated key appears in any recorded input");
    });

    it("generates the keys with @pulumi/random: at least 32 characters, no special characters", () => {
        const passwords = run.byType("random:index/randomPassword:RandomPassword").filter((p) => p.name.startsWith("consumers-"));
        assert.deepEqual(passwords.map((p) => p.name).sort(), [
            "consumers-mobile-app-key-auth",
            "consumers-partner-jwt-key",
            "consumers-partner-jwt-secret",
            "consumers-partner-key-auth",
        ]);
        for (const p of passwords) {
            assert.ok(Number(p.inputs.length) >= 32, p.name);
            assert.equal(p.inputs.special, false);
        }
    });

    it("the consumers wait for the gateway's release (CRDs) and their Secrets; the Secrets for the namespace", () => {
        const release = run.byType(RELEASE)[0];
        const namespace = run.byType("kubernetes:core/v1:Namespace")[0];
        assert.ok(release && namespace);
        assert.equal(run.byType(KONG_CONSUMER).length, 2);
        assert.equal(run.byType(SECRET).length, 5);
        for (const c of run.byType(KONG_CONSUMER)) {
            assert.ok(c.dependsOn.includes(release.urn), c.name);
            const own = run.byType(SECRET).filter((s) => (c.inputs.credentials as string[]).includes(String(field(s.inputs, "metadata", "name"))));
            assert.ok(own.length > 0, `${c.name} has its Secrets`);
            for (const s of own) assert.ok(c.dependsOn.includes(s.urn), `${c.name} waits for ${s.name}`);
        }
        for (const s of run.byType(SECRET)) assert.ok(s.dependsOn.includes(namespace.urn), s.name);
    });

    it("exports the credentials as one secret output: consumer → {keyAuth, jwt: {key, secret}}", () => {
        assert.equal(run.outputs.credentials, "[secret]");
        const shape = run.outputs.shape as Record<string, { keyAuth?: unknown; jwt?: { key: unknown; secret: unknown } }>;
        assert.deepEqual(Object.keys(shape), ["mobile-app", "partner"]);
        assert.deepEqual(Object.keys(shape["mobile-app"]), ["keyAuth"]);
        assert.deepEqual(Object.keys(shape.partner).sort(), ["jwt", "keyAuth"]);
        assert.deepEqual(Object.keys(shape.partner.jwt ?? {}).sort(), ["key", "secret"]);
        assert.equal(typeof shape.partner.keyAuth, "string");
    });

    it("without acl, only the requested credentials", async () => {
        const r = await runProgram(() => {
            new ApiConsumers("c", { consumers: [{ name: "solo", credentials: ["jwt"] }], acl: false });
        });
        assert.deepEqual(r.byType(KONG_CONSUMER)[0].inputs.credentials, ["solo-jwt"]);
        assert.equal(r.byType(SECRET).length, 1);
    });

    it("fails before creating anything on an invalid consumer list", async () => {
        await assert.rejects(
            runProgram(() => {
                new ApiConsumers("c", {
                    consumers: [
                        { name: "dup", credentials: ["key-auth"] },
                        { name: "dup", credentials: ["jwt"] },
                    ],
                });
            }),
            /invalid ApiConsumers args for "c":\n {2}consumers\[1\]\.name: "dup" is already declared by consumers\[0\]; consumer names must be unique/,
        );
    });
});
