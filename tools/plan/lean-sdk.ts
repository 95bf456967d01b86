/**
 * Start-up of the plan process: defer the parts of @pulumi/pulumi a plan never
 * runs. Import this module before anything that loads @pulumi/pulumi (it is
 * the first import of tools/plan.ts, tools/plan/plan.ts and the benchmark's
 * child); imported later it does nothing.
 *
 * `@pulumi/pulumi/runtime/index.js` (3.248) eagerly requires
 * `runtime/closure/serializeClosure` (which loads the TypeScript compiler,
 * ~8 MB of JavaScript) and `runtime/closure/codePaths` (which loads
 * @npmcli/arborist, pacote, sigstore, …) only to re-export
 * `serializeFunction`, `serializeFunctionAsync` and `computeCodePaths`: what
 * function serialization (magic functions, dynamic providers) needs. Together
 * about half of the SDK's load time (tools/bench/startup.ts measures it).
 * Here each of those modules is a stand-in whose functions load the real
 * module on first call, so a program that does use them still works.
 */
import Module = require("node:module");

const LAZY: Record<string, readonly string[]> = {
    "@pulumi/pulumi/runtime/closure/serializeClosure": ["serializeFunction", "serializeFunctionAsync"],
    "@pulumi/pulumi/runtime/closure/codePaths": ["computeCodePaths", "findWorkspaceRoot"],
};

interface CacheableModule {
    filename: string;
    loaded: boolean;
    exports: Record<string, unknown>;
    paths: string[];
}

/** Installs the stand-ins unless @pulumi/pulumi's runtime is already loaded. Returns the modules deferred. */
export function deferUnusedSdkModules(): string[] {
    const deferred: string[] = [];
    for (const [request, names] of Object.entries(LAZY)) {
        let file: string;
        try {
            file = require.resolve(request);
        } catch {
            continue;
        }
        if (require.cache[file] !== undefined) {
            continue;
        }
        let real: Record<string, unknown> | undefined;
        const load = (): Record<string, unknown> => {
            if (real === undefined) {
                delete require.cache[file];
                real = require(file) as Record<string, unknown>;
            }
            return real;
        };
        const standIn = new Module(file) as unknown as CacheableModule;
        standIn.filename = file;
        standIn.loaded = true;
        standIn.paths = [];
        const exports: Record<string, unknown> = {};
        Object.defineProperty(exports, "__esModule", { value: true });
        for (const name of names) {
            exports[name] = (...args: unknown[]) => (load()[name] as (...a: unknown[]) => unknown)(...args);
        }
        standIn.exports = exports;
        require.cache[file] = standIn as unknown as NodeJS.Module;
        deferred.push(request);
    }
    return deferred;
}

deferUnusedSdkModules();
