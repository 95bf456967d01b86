/**
 * A platform team's own Pulumi project using meshgate as a library: it
 * imports the built npm package ("meshgate"), not meshgate's sources.
 *
 * In your project: `npm install meshgate @pulumi/pulumi @pulumi/kubernetes`,
 * then write what follows in your index.ts.
 */
import { Platform, type ServiceSpecInput } from "meshgate";

const services: ServiceSpecInput[] = [
    {
        name: "storefront",
        namespace: "shop",
        port: 8080,
        gateway: { paths: ["/shop"], methods: ["GET"], auth: "none", rateLimit: { second: 20, limitBy: "ip" } },
    },
    {
        name: "basket",
        namespace: "shop",
        port: 8080,
        versions: [
            { name: "v1", weight: 80 },
            { name: "v2", weight: 20 },
        ],
        resilience: { timeout: "2s", retries: { attempts: 2, perTryTimeout: "500ms" } },
        allowFrom: ["shop/storefront"],
    },
];

export function consumerProgram(): Record<string, unknown> {
    const platform = new Platform("shop", {
        environment: "dev",
        cluster: { type: "existing", context: "kind-shop" },
        observability: { enabled: false },
        services,
    });
    return platform.stackOutputs();
}
