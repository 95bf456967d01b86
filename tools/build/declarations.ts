/**
 * node --import tsx tools/build/declarations.ts [DIST]   (the second step of `npm run build`)
 *
 * Makes the published type declarations compile in a consumer project with the settings
 * of Pulumi's TypeScript template (`module: commonjs`, `moduleResolution: node`, no
 * `esModuleInterop`, no `skipLibCheck`), where two libraries' own declarations fail:
 *
 * - zod 4.6's `v4/locales/index.d.cts` default-imports `export =` modules, which needs
 *   esModuleInterop. meshgate's config types are inferred from its zod schemas, so
 *   dist/components/config/schema.d.ts is rewritten without zod: every exported type is
 *   written out in full (from the checker), every exported schema is declared as a
 *   `ConfigSchema<Output, Input>` (parse/safeParse), and the zod import goes.
 * - @pulumi/policy 1.21's `index.d.ts` re-exports names from `./proxy`, whose
 *   declaration file is empty. Every type meshgate uses is declared in
 *   `@pulumi/policy/policy`, so the declarations import them from there.
 *
 * Then it fails the build if any declaration under DIST still names zod or the
 * @pulumi/policy index. The JavaScript is untouched.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..");
const SCHEMA_SOURCE = path.join(ROOT, "components", "config", "schema.ts");

const FORMAT = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.InTypeAlias | ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType;

const SCHEMA_INTERFACE = `/** A meshgate config schema (zod at run time; its zod type is not part of the published declarations). */
export interface ConfigSchema<Output, Input = Output> {
    parse(data: unknown): Output;
    safeParse(data: unknown): { success: true; data: Output; error?: undefined } | { success: false; data?: undefined; error: { issues: readonly { path: readonly PropertyKey[]; message: string; code: string }[] } };
    /** Compile-time only: what the schema accepts. */
    readonly _input: Input;
    /** Compile-time only: what the schema returns. */
    readonly _output: Output;
}
`;

function zodProgram(sources: readonly string[]): ts.Program {
    return ts.createProgram([...sources], {
        strict: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.Node16,
        moduleResolution: ts.ModuleResolutionKind.Node16,
        esModuleInterop: true,
        skipLibCheck: true,
        noEmit: true,
    });
}

/**
 * The declarations of a module that builds zod schemas (schema.ts, the field pieces and the
 * components' argument schemas) without zod: the emitted file's statements, with zod-typed
 * ones replaced; an exported function typed with zod is left out (internal helpers).
 */
export function schemaDeclarations(emitted: string, sourcePath: string = SCHEMA_SOURCE, program: ts.Program = zodProgram([sourcePath])): string {
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(sourcePath);
    if (source === undefined) {
        throw new Error(`cannot read ${sourcePath}`);
    }
    const moduleSymbol = checker.getSymbolAtLocation(source);
    if (moduleSymbol === undefined) {
        throw new Error(`${sourcePath} is not a module`);
    }
    const typeOf = (name: string): string | undefined => {
        const sym = checker.getExportsOfModule(moduleSymbol).find((s) => s.name === name);
        const decl = sym?.declarations?.[0];
        if (sym === undefined || decl === undefined) {
            return undefined;
        }
        if (ts.isTypeAliasDeclaration(decl)) {
            return checker.typeToString(checker.getTypeAtLocation(decl.name), decl, FORMAT);
        }
        const t = checker.getTypeOfSymbolAtLocation(sym, decl);
        const part = (p: string) => {
            const prop = t.getProperty(p);
            return prop === undefined ? "unknown" : checker.typeToString(checker.getTypeOfSymbolAtLocation(prop, decl), decl, FORMAT);
        };
        return `ConfigSchema<${named(part("_output"))}, ${named(part("_input"))}>`;
    };
    // A schema's type reads better by the name of the type it is: `ConfigSchema<StackConfig, StackConfigInput>`.
    const aliases = new Map<string, string>();
    for (const sym of checker.getExportsOfModule(moduleSymbol)) {
        const decl = sym.declarations?.[0];
        if (decl !== undefined && ts.isTypeAliasDeclaration(decl)) {
            const text = checker.typeToString(checker.getTypeAtLocation(decl.name), decl, FORMAT);
            if (!aliases.has(text)) {
                aliases.set(text, sym.name);
            }
        }
    }
    const named = (text: string) => aliases.get(text) ?? text;

    const dts = ts.createSourceFile(path.basename(sourcePath).replace(/\.ts$/, ".d.ts"), emitted, ts.ScriptTarget.ES2022, true);
    const out: string[] = [];
    for (const stmt of dts.statements) {
        const text = emitted.slice(stmt.getFullStart(), stmt.getEnd());
        const mentionsZod = /\bz\.|\$Zod|\$strict/.test(stmt.getText());
        if (ts.isImportDeclaration(stmt) && ts.isStringLiteral(stmt.moduleSpecifier) && stmt.moduleSpecifier.text === "zod") {
            // One ConfigSchema, declared in schema.d.ts; the other modules import it (a second declaration would clash under `export *`).
            out.push(sourcePath === SCHEMA_SOURCE ? `\n${SCHEMA_INTERFACE}` : `\nimport type { ConfigSchema } from "${schemaImport(sourcePath)}";\n`);
            continue;
        }
        if (!mentionsZod) {
            out.push(text);
            continue;
        }
        const exported = ts.canHaveModifiers(stmt) && (ts.getModifiers(stmt) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
        const leading = text.slice(0, stmt.getStart() - stmt.getFullStart());
        if (ts.isTypeAliasDeclaration(stmt) && exported) {
            out.push(`${leading}export type ${stmt.name.text} = ${typeOf(stmt.name.text)};`);
        } else if (ts.isVariableStatement(stmt) && exported) {
            for (const d of stmt.declarationList.declarations) {
                const name = d.name.getText();
                out.push(`${leading}export declare const ${name}: ${typeOf(name)};`);
            }
        }
        // An unexported zod-typed declaration only served the inferred types: dropped.
    }
    const result = out.join("");
    if (/from "zod"|\bz\.|\$Zod/.test(result)) {
        throw new Error(`${path.relative(ROOT, sourcePath)}: its declarations still name zod after rewriting`);
    }
    return result;
}

/** The relative module path from `sourcePath` to config/schema. */
function schemaImport(sourcePath: string): string {
    const rel = path.relative(path.dirname(sourcePath), SCHEMA_SOURCE).replace(/\.ts$/, "").split(path.sep).join("/");
    return rel.startsWith(".") ? rel : `./${rel}`;
}

function declarationFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? declarationFiles(p) : e.name.endsWith(".d.ts") ? [p] : [];
    });
}

/** Declarations that import zod, with the source each was emitted from. */
function zodDeclarations(dist: string): { dts: string; source: string }[] {
    return declarationFiles(dist).flatMap((dts) => {
        const source = path.join(ROOT, path.relative(dist, dts)).replace(/\.d\.ts$/, ".ts");
        return ZOD_IMPORT.test(fs.readFileSync(dts, "utf8")) && fs.existsSync(source) ? [{ dts, source }] : [];
    });
}

const ZOD_IMPORT = /from "zod(\/[^"]*)?"|import\("zod/;

export function fixDeclarations(dist: string): void {
    const zodded = zodDeclarations(dist);
    const program = zodProgram(zodded.map((z) => z.source));
    for (const { dts, source } of zodded) {
        fs.writeFileSync(dts, schemaDeclarations(fs.readFileSync(dts, "utf8"), source, program));
        fs.rmSync(`${dts}.map`, { force: true });
    }
    const problems: string[] = [];
    for (const file of declarationFiles(dist)) {
        const text = fs.readFileSync(file, "utf8");
        const fixed = text.replace(/from "@pulumi\/policy";/g, 'from "@pulumi/policy/policy";');
        if (fixed !== text) {
            fs.writeFileSync(file, fixed);
        }
        if (ZOD_IMPORT.test(fixed)) {
            problems.push(`${path.relative(dist, file)} imports zod`);
        }
    }
    if (problems.length > 0) {
        throw new Error(`published declarations must not name zod (consumers without esModuleInterop cannot compile it):\n  ${problems.join("\n  ")}`);
    }
}

if (require.main === module) {
    fixDeclarations(path.resolve(process.argv[2] ?? path.join(ROOT, "dist")));
}
