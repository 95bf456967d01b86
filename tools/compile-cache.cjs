"use strict";
/**
 * A V8 code cache for the CommonJS modules of the plan process: what Node 22's
 * `module.enableCompileCache()` does, which Node 20 (this project's engine) lacks.
 *
 * Loading the plan library compiles ~1,100 modules (@pulumi/*, zod, the CEL
 * interpreter, meshgate's dist/) and then, as functions first run, their
 * bodies: ~15% of a 1,000-service plan's CPU time (bench/README.md, third
 * round). Here each module is compiled with `vm.Script` and V8's cached data
 * for it when there is some; at exit, the code of every module that had none
 * (by then including the functions the run compiled lazily) is written for the
 * next run.
 *
 * Where: `<tmpdir>/meshgate-compile-cache/<node version>-<digest of node's
 * flags>/` (flags change the code V8 accepts), one file per module path: a
 * SHA-1 of the source, then V8's data. A source that changed (even to the same
 * length, which V8's own check would not see) misses and is rewritten; data V8
 * rejects (another V8, other flags) is rewritten. Anything unusual — the main
 * module, an ES module, a source that may call `import()` (code restored from
 * V8's cache cannot: Node 20 loses the script's loader), source V8 will not
 * compile as a CommonJS wrapper — goes to Node's own
 * `Module.prototype._compile`, unchanged: 6 of the ~880 modules of a plan.
 * Modules get the `require` Node builds (lib/internal/modules/helpers.js
 * makeRequireFunction, Node 20.20: `mod.require`, `resolve`, `resolve.paths`,
 * `main`, `extensions`, `cache`).
 *
 * Used by tools/run.cjs (`npm run plan`, `npm run check` from dist/) and by the
 * benchmark's child (`--require`); never by the published package.
 * MESHGATE_COMPILE_CACHE=0 turns it off; MESHGATE_COMPILE_CACHE_DIR moves it;
 * MESHGATE_COMPILE_CACHE_DEBUG=1 prints hits and writes at exit.
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const os = require("node:os");
const path = require("node:path");
const vm = require("node:vm");

let installed;

/** Sources that may call `import()` (a mention in a comment or string counts too: they only lose the cache). */
const DYNAMIC_IMPORT = /\bimport\s*\(/;

function defaultDir() {
    const flags = crypto.createHash("sha1").update(JSON.stringify(process.execArgv)).digest("hex").slice(0, 12);
    return path.join(os.tmpdir(), "meshgate-compile-cache", `${process.version}-${flags}`);
}

/** `require` as Node's makeRequireFunction builds it (no policy redirects). */
function makeRequire(mod) {
    const require = function require(id) {
        return mod.require(id);
    };
    function resolve(request, options) {
        return Module._resolveFilename(request, mod, false, options);
    }
    resolve.paths = function paths(request) {
        return Module._resolveLookupPaths(request, mod);
    };
    require.resolve = resolve;
    require.main = process.mainModule;
    require.extensions = Module._extensions;
    require.cache = Module._cache;
    return require;
}

/**
 * Installs the cache (once per process). Returns its directory, or undefined
 * when it is off (MESHGATE_COMPILE_CACHE=0, a directory that cannot be created).
 */
function enableCompileCache(dir = process.env.MESHGATE_COMPILE_CACHE_DIR || defaultDir()) {
    if (installed !== undefined) {
        return installed.dir;
    }
    if (process.env.MESHGATE_COMPILE_CACHE === "0") {
        return undefined;
    }
    try {
        fs.mkdirSync(dir, { recursive: true });
    } catch {
        return undefined;
    }
    const original = Module.prototype._compile;
    const toWrite = [];
    const stats = { hits: 0, misses: 0, rejected: 0, fallbacks: 0, written: 0 };
    Module.prototype._compile = function compileWithCache(...args) {
        const [content, filename, format] = args;
        if (format === "module" || this === process.mainModule || typeof content !== "string" || typeof filename !== "string") {
            return Reflect.apply(original, this, args);
        }
        if (DYNAMIC_IMPORT.test(content)) {
            // Code V8 restores from its cache loses what `import()` needs (the script's host-defined
            // options; Node 20 fails such an import with ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING).
            stats.fallbacks++;
            return Reflect.apply(original, this, args);
        }
        const digest = crypto.createHash("sha1").update(content).digest();
        const file = path.join(dir, `${crypto.createHash("sha1").update(filename).digest("hex")}.bin`);
        let cachedData;
        try {
            const stored = fs.readFileSync(file);
            if (stored.length > digest.length && stored.subarray(0, digest.length).equals(digest)) {
                cachedData = stored.subarray(digest.length);
            }
        } catch {
            // not cached yet
        }
        let script;
        try {
            // A hashbang is only valid at the very start of a script: keep the line, comment it out.
            const source = content.startsWith("#!") ? `//${content.slice(2)}` : content;
            script = new vm.Script(Module.wrap(source), { filename, cachedData });
        } catch {
            // e.g. ES module syntax in a .js file: Node's loader knows what to do.
            stats.fallbacks++;
            return Reflect.apply(original, this, args);
        }
        if (cachedData === undefined || script.cachedDataRejected) {
            if (cachedData === undefined) stats.misses++;
            else stats.rejected++;
            toWrite.push({ script, file, digest });
        } else {
            stats.hits++;
        }
        const wrapper = script.runInThisContext({ displayErrors: true });
        return Reflect.apply(wrapper, this.exports, [this.exports, makeRequire(this), this, filename, path.dirname(filename)]);
    };
    process.once("exit", () => {
        for (const { script, file, digest } of toWrite) {
            try {
                const tmp = `${file}.${process.pid}.tmp`;
                fs.writeFileSync(tmp, Buffer.concat([digest, script.createCachedData()]));
                fs.renameSync(tmp, file);
                stats.written++;
            } catch {
                // a cache: never fail the run over it
            }
        }
        if (process.env.MESHGATE_COMPILE_CACHE_DEBUG === "1") {
            process.stderr.write(`compile cache ${dir}: ${JSON.stringify(stats)}\n`);
        }
    });
    installed = { dir };
    return dir;
}

module.exports = { enableCompileCache };

// Preloaded (`node --require tools/compile-cache.cjs …`, as the benchmark starts its child): on.
if (require.main === undefined) {
    enableCompileCache();
}
