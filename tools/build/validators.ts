/**
 * node dist/tools/build/validators.js   (the last step of `npm run build`)
 *
 * Writes the ajv validators the policy pack can need — every CRD version in data/crds,
 * every Kong plugin schema in data/kong-plugins, the config schema of every policy — as
 * ajv standalone code into dist/policies/validate/compiled/ (policies/validate/precompiled.ts
 * explains the lookup and why a stale file is never used). Runs from dist/ so that each
 * file's digest is computed from the same compiled keyword code the plan runs.
 */
import { POLICY_CONFIG_FLAVOUR, policyConfigValidatorSchemas } from "../../policies/engine";
import { CRD_FLAVOUR, crdValidatorSchemas } from "../../policies/validate/crd";
import { KONG_PLUGIN_FLAVOUR, kongPluginValidatorSchemas } from "../../policies/validate/kong-plugin";
import { COMPILED_DIR, writeStandaloneValidators } from "../../policies/validate/precompiled";
import type { ValidatorSet } from "../../policies/validate/precompiled";

/** Every schema the pack compiles, by flavour. */
export function validatorSets(): ValidatorSet[] {
    return [
        { flavour: CRD_FLAVOUR, schemas: crdValidatorSchemas() },
        { flavour: KONG_PLUGIN_FLAVOUR, schemas: kongPluginValidatorSchemas() },
        { flavour: POLICY_CONFIG_FLAVOUR, schemas: policyConfigValidatorSchemas() },
    ];
}

if (require.main === module) {
    const started = performance.now();
    const written = writeStandaloneValidators(validatorSets());
    const summary = Object.entries(written)
        .map(([name, n]) => `${n} ${name}`)
        .join(", ");
    console.log(`validators: ${summary} written to ${COMPILED_DIR} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
