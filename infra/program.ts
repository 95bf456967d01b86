/**
 * The meshgate Pulumi program: read and validate the stack's config, refuse
 * example values when deploying for real, compose the Platform, export what an
 * operator needs. `infra/index.ts` runs it under the Pulumi CLI; the offline
 * plan runs it under mocks (a preview, so example values only warn).
 */
import * as pulumi from "@pulumi/pulumi";
import { Platform } from "../components/platform";
import { guardPlaceholders, loadStackConfig, rawStackConfig } from "./config";

export function program(): Record<string, unknown> {
    const raw = rawStackConfig();
    const config = loadStackConfig(raw);
    guardPlaceholders(raw, pulumi.runtime.isDryRun());
    const platform = new Platform("meshgate", config);
    return platform.stackOutputs();
}
