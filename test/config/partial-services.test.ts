/**
 * A service with a field error still takes part in the cross-checks, with the fields
 * that are known: every problem of the file is reported at once, and none is made up.
 */
import * as assert from "node:assert/strict";
import { checkStackConfig, formatIssue } from "../../components/config";
import { orderService, userService } from "../mesh-service/fixtures";

function problems(services: unknown[]): string[] {
    return checkStackConfig({ cluster: { type: "existing" }, services }).issues.map(formatIssue);
}

describe("cross-checks over services with a field error", () => {
    it("a misspelt field in user-service does not make its callers report that no service runs as users/user-service", () => {
        const { canary: _canary, ...rest } = userService;
        const misspelt = { ...rest, gatway: userService.gateway };
        assert.deepEqual(problems([misspelt, orderService]), ['services[0].gatway (service user-service): unknown field (did you mean "gateway"?)']);
    });

    it("a duplicate name is reported while the first service has another error", () => {
        const first = { ...orderService, port: 99999, allowFrom: [] };
        assert.deepEqual(problems([first, { ...orderService, allowFrom: [] }]), [
            "services[0].port (service order-service): must be a port from 1 to 65535; got 99999",
            'services[1].name (service order-service): "order-service" is already declared by services[0]; service names must be unique in a stack',
        ]);
    });

    it("checks the known fields of a service with a field error: its callers, weights and paths", () => {
        const broken = {
            name: "catalog",
            namespace: "shop",
            port: "8080",
            versions: [
                { name: "v1", weight: 50 },
                { name: "v2", weight: 40 },
            ],
            gateway: { paths: ["/api/v1/users"] },
            allowFrom: ["shop/nobody"],
        };
        assert.deepEqual(problems([userService, broken]), [
            'services[1].port (service catalog): Invalid input: expected number, received string; got "8080"',
            "services[1].versions (service catalog): weights add up to 90 (v1: 50, v2: 40); they must add up to 100",
            'services[1].allowFrom[0] (service catalog): no service in this stack runs as shop/nobody (namespace/serviceaccount); declare it, or write {principal: "shop/nobody", external: true} for a caller meshgate does not manage',
            'services[1].gateway.paths[0] (service catalog): "/api/v1/users" is already routed to user-service (services[0]); a path may belong to one service only',
        ]);
    });

    it("makes up nothing from a field it cannot read: a bad serviceAccount leaves that namespace's callers unjudged, a bad versions list the canary", () => {
        const badAccount = { ...orderService, allowFrom: [], serviceAccount: "Order_SA" };
        const caller = { name: "billing", namespace: "billing", port: 8080, allowFrom: ["orders/order-sa"] };
        assert.deepEqual(problems([badAccount, caller]), [
            "services[0].serviceAccount (service order-service): must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit; got \"Order_SA\"",
        ]);
        const badVersions = {
            ...userService,
            versions: [
                { name: "v1", weight: 100 },
                { name: "V2", weight: 0 },
            ],
        };
        const found = problems([badVersions]);
        assert.equal(found.length, 1, found.join("\n"));
        assert.match(found[0], /^services\[0\]\.versions\[1\]\.name \(service user-service\): must be a DNS-1123 label/);
    });

    it("a misspelt key stands for the field it resembles: a misspelt serviceAccount leaves the service's principal open", () => {
        const misspelt = { ...orderService, allowFrom: [], serviceAcount: "order-sa" };
        const caller = { name: "billing", namespace: "billing", port: 8080, allowFrom: ["orders/order-sa"] };
        assert.deepEqual(problems([misspelt, caller]), ['services[0].serviceAcount (service order-service): unknown field (did you mean "serviceAccount"?)']);
    });
});
