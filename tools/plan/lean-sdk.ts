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
 * module on first call, so a program that does use them still works. The
 * Automation API and the provider packages' namespaces are deferred the same
 * way (below).
 */
import * as fs from "node:fs";
import Module = require("node:module");
import * as path from "node:path";

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
        const load = loader(file);
        const exports: Record<string, unknown> = {};
        Object.defineProperty(exports, "__esModule", { value: true });
        for (const name of names) {
            exports[name] = (...args: unknown[]) => (load()[name] as (...a: unknown[]) => unknown)(...args);
        }
        require.cache[file] = standInModule(file, exports) as unknown as NodeJS.Module;
        deferred.push(request);
    }
    return deferred;
}

/**
 * `@pulumi/aws` (7.48) and `@pulumi/kubernetes` (4.34) load every service or
 * API group namespace at start-up (`aws.accessanalyzer` … `aws.xray`: ~250
 * modules, each registering its resource types), although a program uses a
 * handful. Each namespace here is a stand-in that loads the real module when
 * the program first touches it (reads a member, lists its keys). The packages'
 * own modules (provider, utilities, config) load as before. Returns the number
 * of namespaces deferred.
 */
export function deferProviderNamespaces(packages: readonly string[] = ["@pulumi/aws", "@pulumi/kubernetes"]): number {
    let deferred = 0;
    for (const pkg of packages) {
        let index: string;
        try {
            index = require.resolve(pkg);
        } catch {
            continue;
        }
        if (require.cache[index] !== undefined) {
            continue;
        }
        const dir = path.dirname(index);
        // The namespaces are the `require("./<name>")` of the package's index whose target is a directory.
        const names = [...fs.readFileSync(index, "utf8").matchAll(/= __importStar\(require\("\.\/([a-z0-9]+)"\)\);/g)].map((m) => m[1]);
        for (const name of names) {
            const file = path.join(dir, name, "index.js");
            if (require.cache[file] !== undefined || !fs.existsSync(file)) {
                continue;
            }
            require.cache[file] = lazyModule(file) as unknown as NodeJS.Module;
            deferred++;
        }
    }
    return deferred;
}

/** A module whose exports load `file` on first use (any member, `in`, key listing). */
function lazyModule(file: string): CacheableModule {
    const load = loader(file);
    return standInModule(
        file,
        new Proxy(
            {},
            {
                // __esModule: importers (`__importStar`) then use the stand-in as it is instead of copying its keys.
                get: (_target, key) => (key === "__esModule" ? true : load()[key]),
                set: (_target, key, value) => {
                    load()[key] = value;
                    return true;
                },
                has: (_target, key) => key in load(),
                ownKeys: () => Reflect.ownKeys(load()),
                getOwnPropertyDescriptor: (_target, key) => {
                    const d = Reflect.getOwnPropertyDescriptor(load(), key);
                    return d === undefined ? undefined : { ...d, configurable: true };
                },
            },
        ),
    );
}

/** Loads the real module at `file` once, on the first call, replacing its stand-in in the cache. */
function loader(file: string): () => Record<string | symbol, unknown> {
    let real: Record<string | symbol, unknown> | undefined;
    return () => {
        if (real === undefined) {
            delete require.cache[file];
            real = require(file) as Record<string | symbol, unknown>;
        }
        return real;
    };
}

/** A module already "loaded" from `file` whose exports are the given stand-in object. */
function standInModule(file: string, exports: Record<string, unknown>): CacheableModule {
    const standIn = new Module(file) as unknown as CacheableModule;
    standIn.filename = file;
    standIn.loaded = true;
    standIn.paths = [];
    standIn.exports = exports;
    return standIn;
}

/**
 * `@pulumi/pulumi/index.js` also loads the Automation API eagerly (`pulumi.automation`:
 * execa, js-yaml, a gRPC language server, its protobufs), which a program run
 * never uses; it becomes a stand-in that loads on first use.
 */
export function deferAutomationApi(): boolean {
    let file: string;
    try {
        file = require.resolve("@pulumi/pulumi/automation/index.js");
    } catch {
        return false;
    }
    if (require.cache[file] !== undefined) {
        return false;
    }
    require.cache[file] = lazyModule(file) as unknown as NodeJS.Module;
    return true;
}

deferUnusedSdkModules();
deferAutomationApi();
deferProviderNamespaces();
