/**
 * The meshgate Pulumi program: read and validate the stack's config, compose
 * the Platform, export what an operator needs. `infra/index.ts` runs it under
 * the Pulumi CLI; the offline plan runs it under mocks.
 */
import { Platform } from "../components/platform";
import { loadStackConfig } from "./config";

export function program(): Record<string, unknown> {
    const config = loadStackConfig();
    const platform = new Platform("meshgate", config);
    return platform.stackOutputs();
}
