import { k8s } from "../harness";
import type { RuleCases } from "./types";

const vs = (http: Record<string, unknown>[]) => k8s("networking.istio.io/v1", "VirtualService", "orders", "shop", { spec: { hosts: ["orders.shop.svc.cluster.local"], http } });
const route = { destination: { host: "orders.shop.svc.cluster.local" } };

export const retryCases: RuleCases[] = [
    {
        rule: "istio-retry-non-idempotent",
        bad: [
            {
                name: "a catch-all route retrying on 5xx and reset",
                resources: [vs([{ name: "default", route: [route], retries: { attempts: 3, retryOn: "5xx,reset,connect-failure" } }])],
                expect: [/http\[0\] \(default\) retries on 5xx, reset for every method: a POST or PATCH the service already received may run twice/],
                level: "advisory",
            },
            {
                name: "a route matching POST that retries on gateway-error",
                resources: [vs([{ match: [{ method: { exact: "POST" } }], route: [route], retries: { attempts: 2, retryOn: "gateway-error" } }])],
                expect: [/http\[0\] retries on gateway-error/],
                level: "advisory",
            },
        ],
        good: [
            {
                name: "retries where the request never reached the service",
                resources: [vs([{ route: [route], retries: { attempts: 3, retryOn: "connect-failure,refused-stream" } }])],
            },
            {
                name: "5xx retries on a GET/HEAD-only route",
                resources: [vs([{ match: [{ method: { regex: "^(GET|HEAD)$" } }], route: [route], retries: { attempts: 3, retryOn: "5xx" } }])],
            },
            { name: "retries off", resources: [vs([{ route: [route], retries: { attempts: 0 } }])] },
        ],
    },
];
