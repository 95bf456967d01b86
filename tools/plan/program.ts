/**
 * Loads any Pulumi TypeScript (or JavaScript) program for `meshgate plan --program <dir>`:
 * reads its Pulumi.yaml (name, runtime, main, stackConfigDir), finds the entry point the
 * way the Pulumi Node.js language host does, and returns a function that runs it, to be
 * called under the mock runtime (tools/plan/runtime.ts).
 *
 * Entry point and export handling follow @pulumi/pulumi 3.248's language host
 * (node_modules/@pulumi/pulumi/cmd/run/run.js): Pulumi.yaml `main`, else package.json
 * `exports["."]` / `main`, else the project directory; CommonJS is `require`d (a
 * directory as "dir/"), an ES module (`"type": "module"`) imported with its default
 * export taken; an exported function is called and its result awaited as the stack
 * outputs.
 *
 * TypeScript is loaded with tsx (a dependency of meshgate): esbuild transpiles without
 * type-checking, as `PULUMI_NODEJS_TRANSPILE_ONLY=true` does; the program's own `tsc`
 * is what checks its types. Pulumi's own loader (ts-node with the project's typescript)
 * is not used: ts-node is no longer part of @pulumi/pulumi, and a plan should not
 * depend on which compiler a project happens to have installed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { InputError, readYamlFile } from "./stack-config";

export interface PulumiProject {
    /** The project directory (where Pulumi.yaml is). */
    readonly dir: string;
    /** Pulumi.yaml `name`: the namespace of the project's own config keys. */
    readonly name: string;
    /** The entry point: a file, or a directory to require. */
    readonly main: string;
    /** Where the Pulumi.<stack>.yaml files are (Pulumi.yaml `stackConfigDir`, default the project directory). */
    readonly stackConfigDir: string;
    /** From the nearest package.json: "module" for ES modules. */
    readonly moduleType: "commonjs" | "module";
}

/** Reads `<dir>/Pulumi.yaml`; InputError for anything that is not a Node.js Pulumi project. */
export function readProject(dirArg: string): PulumiProject {
    const dir = path.resolve(dirArg);
    if (!fs.existsSync(dir)) {
        throw new InputError(`--program ${dirArg}: no such directory`);
    }
    if (!fs.statSync(dir).isDirectory()) {
        throw new InputError(`--program ${dirArg}: not a directory (give the directory that holds Pulumi.yaml)`);
    }
    const file = ["Pulumi.yaml", "Pulumi.yml"].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
    if (file === undefined) {
        throw new InputError(`--program ${dirArg}: no Pulumi.yaml in ${dir}; give the directory of a Pulumi project`);
    }
    const doc = readYamlFile(file, "a Pulumi project file");
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
        throw new InputError(`${file}: a Pulumi project file is a YAML map with name and runtime`);
    }
    const project = doc as Record<string, unknown>;
    const problems: string[] = [];
    if (typeof project.name !== "string" || project.name === "") {
        problems.push(`${file}: name is required (the project's name)`);
    }
    const runtime = typeof project.runtime === "object" && project.runtime !== null ? (project.runtime as { name?: unknown }).name : project.runtime;
    if (runtime !== "nodejs") {
        problems.push(`${file}: runtime is ${JSON.stringify(runtime ?? null)}; meshgate plans Node.js programs (runtime: nodejs) only`);
    }
    if (project.main !== undefined && typeof project.main !== "string") {
        problems.push(`${file}: main must be a path`);
    }
    if (project.stackConfigDir !== undefined && typeof project.stackConfigDir !== "string") {
        problems.push(`${file}: stackConfigDir must be a path`);
    }
    if (problems.length > 0) {
        throw new InputError(problems.join("\n"));
    }
    const pkg = readPackageJson(dir);
    const main = entryPoint(dir, project.main as string | undefined, pkg);
    if (!fs.existsSync(main) && !["", ".ts", ".js"].some((ext) => fs.existsSync(main + ext))) {
        throw new InputError(`${file}: the program's entry point ${path.relative(process.cwd(), main) || "."} does not exist`);
    }
    return {
        dir,
        name: project.name as string,
        main,
        stackConfigDir: path.resolve(dir, (project.stackConfigDir as string | undefined) ?? "."),
        moduleType: pkg?.type === "module" ? "module" : "commonjs",
    };
}

interface PackageJson {
    type?: unknown;
    main?: unknown;
    exports?: unknown;
}

function readPackageJson(dir: string): PackageJson | undefined {
    const file = path.join(dir, "package.json");
    if (!fs.existsSync(file)) {
        return undefined;
    }
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as PackageJson;
    } catch (err) {
        throw new InputError(`${file}: not valid JSON (${(err as Error).message})`);
    }
}

/** Pulumi.yaml main, else package.json exports["."] or main, else the directory (run.js: "If there is no entrypoint set in Pulumi.yaml"). */
function entryPoint(dir: string, main: string | undefined, pkg: PackageJson | undefined): string {
    if (main !== undefined) {
        return path.resolve(dir, main);
    }
    const exp = pkg?.exports;
    const dot = typeof exp === "object" && exp !== null ? (exp as Record<string, unknown>)["."] : exp;
    const target =
        typeof dot === "string"
            ? dot
            : typeof dot === "object" && dot !== null
              ? ((dot as Record<string, unknown>).default ?? (dot as Record<string, unknown>).require ?? (dot as Record<string, unknown>).import)
              : exp === undefined && typeof pkg?.main === "string"
                ? pkg.main
                : undefined;
    return typeof target === "string" ? path.resolve(dir, target) : dir;
}

/**
 * A function that loads and runs the program, to be called inside the mock runtime
 * (it registers resources as its modules load). Runs with the project directory as the
 * working directory, as `pulumi` does; each call loads the program's own modules afresh.
 */
export function programRunner(project: PulumiProject): () => Promise<unknown> {
    return async () => {
        const cwd = process.cwd();
        process.chdir(project.dir);
        try {
            forgetModules(project.dir);
            let exported: unknown = project.moduleType === "module" ? await importModule(project) : requireCommonJs(project);
            if (typeof exported === "function") {
                exported = (exported as () => unknown)();
            }
            return await exported;
        } finally {
            process.chdir(cwd);
        }
    };
}

function requireCommonJs(project: PulumiProject): unknown {
    ensureTypeScriptHook();
    const target = fs.existsSync(project.main) && fs.statSync(project.main).isDirectory() ? project.main + path.sep : project.main;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(target);
}

async function importModule(project: PulumiProject): Promise<unknown> {
    let main = project.main;
    if (fs.existsSync(main) && fs.statSync(main).isDirectory()) {
        const index = ["index.js", "index.mjs", "index.ts", "index.mts"].find((f) => fs.existsSync(path.join(main, f)));
        if (index === undefined) {
            throw new InputError(`no entry point (index.js, index.mjs, index.ts or index.mts) in ${main}`);
        }
        main = path.join(main, index);
    }
    const { tsImport } = await import("tsx/esm/api");
    // The plan turns stack traces off (Error.stackTraceLimit = 0) for speed; under a global tsx
    // loader (`node --import tsx`), importing a CommonJS package from an ES module then yields
    // empty namespaces (`pulumi.Config` undefined). Traces stay on while the module loads.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = Math.max(limit, 10);
    let mod: Record<string, unknown>;
    try {
        mod = (await tsImport(pathToFileURL(main).href, __filename)) as Record<string, unknown>;
    } finally {
        Error.stackTraceLimit = limit;
    }
    if (Object.getOwnPropertyDescriptor(mod, "default") !== undefined) {
        if (Object.keys(mod).length !== 1) {
            throw new InputError(`${main}: an entry point has either a default export or named exports, not both (as pulumi requires)`);
        }
        return mod.default;
    }
    return mod;
}

/** Registers tsx's CommonJS hook for .ts files unless a TypeScript loader is already active (`node --import tsx`). */
function ensureTypeScriptHook(): void {
    if (require.extensions[".ts"] === undefined) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require("tsx/cjs/api") as typeof import("tsx/cjs/api")).register();
    }
}

/** Drops the program's own modules (not its node_modules) from the require cache, so that a second plan in one process runs it again. */
function forgetModules(dir: string): void {
    const prefix = dir + path.sep;
    for (const key of Object.keys(require.cache)) {
        if (key.startsWith(prefix) && !key.slice(prefix.length).split(path.sep).includes("node_modules")) {
            delete require.cache[key];
        }
    }
}
