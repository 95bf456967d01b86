/**
 * Reads the stack's `meshgate:*` config once and validates it as a whole, so
 * that a bad stack fails with every problem listed before any resource exists.
 */
import * as pulumi from "@pulumi/pulumi";
import { validateStackConfig, type StackConfig } from "../components/config";

export const PROJECT = "meshgate";

/** The stack's validated config with defaults applied; throws ConfigError listing every problem. */
export function loadStackConfig(): StackConfig {
    const raw: Record<string, unknown> = {};
    const prefix = `${PROJECT}:`;
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith(prefix)) {
            raw[key.slice(prefix.length)] = parseValue(value);
        }
    }
    return validateStackConfig(raw, { stack: pulumi.getStack() });
}

/** Config values reach the program as strings; objects and lists as JSON. */
function parseValue(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}
