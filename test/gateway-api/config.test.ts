/** `gateway.api`: the choice between Ingress and the Gateway API, validated with the rest of a stack. */
import * as assert from "node:assert/strict";
import { checkStackConfig } from "../../components/config";

const paths = (raw: unknown) => checkStackConfig(raw).issues.map((i) => `${i.path}: ${i.message}`);
const many = {
    name: "many",
    namespace: "team",
    port: 80,
    gateway: { paths: Array.from({ length: 15 }, (_, i) => `/p${i}`), methods: ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT"], auth: "none" },
};

describe("gateway.api", () => {
    it("accepts ingress and gateway-api, and is absent (Ingress) by default", () => {
        assert.deepEqual(paths({ cluster: { type: "existing" }, gateway: { api: "gateway-api" } }), []);
        assert.deepEqual(paths({ cluster: { type: "existing" }, gateway: { api: "ingress" } }), []);
        assert.equal(checkStackConfig({ cluster: { type: "existing" } }).config?.gateway.api, undefined);
    });

    it("names the allowed values for anything else", () => {
        assert.deepEqual(paths({ cluster: { type: "existing" }, gateway: { api: "httproute" } }), ['gateway.api: must be one of ingress, gateway-api; got "httproute"']);
    });

    it("with gateway-api, refuses a service whose paths × methods exceed what one HTTPRoute holds (127 matches); with ingress it is fine", () => {
        assert.deepEqual(paths({ cluster: { type: "existing" }, gateway: { api: "gateway-api" }, services: [many] }), [
            "services[0].gateway.paths: 15 paths × 9 methods make 135 HTTPRoute matches; with gateway.api gateway-api an HTTPRoute holds at most 127 (list fewer paths or methods, or use gateway.api: ingress)",
        ]);
        assert.deepEqual(paths({ cluster: { type: "existing" }, services: [many] }), []);
    });
});
