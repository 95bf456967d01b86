/**
 * meshgate explain <stack> "<METHOD> <URL>" [-H "Name: value"]… [--consumer NAME]
 *   [--from <namespace>/<serviceaccount>] [--config-file F] [--manifests DIR] [--json]
 * meshgate explain <stack> --matrix
 *
 * Walks one request through a stack's planned objects (or YAML manifests) and
 * prints each hop with the object and field that decided it. Exit 0 when the
 * request reaches a workload (or a hop answers it, as Kong does a CORS
 * preflight), 1 when it is refused, 2 on invalid input.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { explain, parseFrom } from "./explain/explain";
import { objectsFromManifests, objectsFromPlanOutput, writeRoutes } from "./explain/files";
import { objectsFromRecorded } from "./explain/objects";
import { listStacks, readStackConfig, stackConfigPath } from "./plan/stack-config";
import { matrix } from "./explain/matrix";
import { buildIndex } from "./explain/model-index";
import type { ExplainRequest, Explanation, K8sObject, RoutesDocument } from "./explain/types";

export const USAGE = `usage: meshgate explain <stack> "<METHOD> <URL>" [-H "Name: value"]... [--consumer NAME] [--from NAMESPACE/SERVICEACCOUNT]
                        [--config-file FILE] [--manifests DIR] [--out DIR] [--replan] [--json]
       meshgate explain <stack> --matrix [--config-file FILE] [--manifests DIR] [--out DIR] [--replan] [--json]
  (npm run explain -- <same arguments>)`;

const REPO_ROOT = path.resolve(__dirname, "..");
const METHOD = /^[A-Z]+$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

interface Parsed {
    readonly stack: string;
    readonly request?: ExplainRequest;
    readonly matrix: boolean;
    readonly json: boolean;
    readonly manifests?: string;
    readonly configFile?: string;
    readonly out?: string;
    readonly replan: boolean;
}

/** Parses and validates the arguments; every problem at once. */
export function parseArguments(argv: readonly string[]): { parsed?: Parsed; problems: string[]; help?: boolean } {
    let values: Record<string, string | boolean | string[] | undefined>;
    let positionals: string[];
    try {
        ({ values, positionals } = parseArgs({
            args: [...argv],
            allowPositionals: true,
            options: {
                header: { type: "string", short: "H", multiple: true },
                consumer: { type: "string" },
                from: { type: "string" },
                "config-file": { type: "string" },
                manifests: { type: "string" },
                out: { type: "string" },
                matrix: { type: "boolean", default: false },
                json: { type: "boolean", default: false },
                replan: { type: "boolean", default: false },
                help: { type: "boolean", short: "h", default: false },
            },
        }));
    } catch (err) {
        return { problems: [(err as Error).message] };
    }
    if (values.help === true) return { problems: [], help: true };
    const problems: string[] = [];
    const isRequest = (s: string) => /^[A-Za-z]+\s+\S/.test(s);
    // With --manifests the stack is only a label: "<METHOD> <URL>" may come first.
    let stack: string | undefined;
    let requestText: string | undefined;
    const rest = [...positionals];
    if (rest.length > 0 && !(values.manifests !== undefined && isRequest(rest[0]))) stack = rest.shift();
    if (rest.length > 0) requestText = rest.shift();
    if (rest.length > 0) problems.push(`unexpected arguments: ${rest.map((r) => JSON.stringify(r)).join(" ")} (quote the request: "GET https://host/path")`);
    stack ??= values.manifests !== undefined ? "check" : undefined;
    if (stack === undefined) problems.push("a stack is required (e.g. dev)");
    else if (!/^[A-Za-z0-9_.-]+$/.test(stack)) problems.push(`stack: must be a stack name; got ${JSON.stringify(stack)}`);
    const wantMatrix = values.matrix === true;
    if (wantMatrix && requestText !== undefined) problems.push(`--matrix enumerates every request itself; drop ${JSON.stringify(requestText)}`);
    if (!wantMatrix && requestText === undefined) problems.push(`a request is required: "<METHOD> <URL>", e.g. "GET http://edge.invalid/api/v1/users"`);
    let request: ExplainRequest | undefined;
    if (requestText !== undefined && !wantMatrix) {
        const m = /^\s*(\S+)\s+(\S+)\s*$/.exec(requestText);
        if (!m) {
            problems.push(`request: must be "<METHOD> <URL>"; got ${JSON.stringify(requestText)}`);
        } else {
            const method = m[1].toUpperCase();
            if (!METHOD.test(method)) problems.push(`request method: must be letters (GET, POST, OPTIONS, ...); got ${JSON.stringify(m[1])}`);
            let url: URL | undefined;
            try {
                url = new URL(m[2]);
            } catch {
                problems.push(`request URL: must be an absolute http:// or https:// URL; got ${JSON.stringify(m[2])}`);
            }
            if (url && url.protocol !== "http:" && url.protocol !== "https:") problems.push(`request URL: scheme must be http or https; got ${url.protocol.replace(":", "")}`);
            const headers: Record<string, string> = {};
            for (const h of (values.header as string[] | undefined) ?? []) {
                const i = h.indexOf(":");
                const name = i < 0 ? "" : h.slice(0, i).trim();
                if (i < 0 || !HEADER_NAME.test(name)) problems.push(`-H: must be "Name: value"; got ${JSON.stringify(h)}`);
                else headers[name.toLowerCase()] = h.slice(i + 1).trim();
            }
            const from = values.from as string | undefined;
            if (from !== undefined && parseFrom(from) === undefined) problems.push(`--from: must be <namespace>/<serviceaccount> (DNS-1123 names); got ${JSON.stringify(from)}`);
            if (from !== undefined && values.consumer !== undefined) problems.push("--consumer is a Kong consumer: it applies to external requests, not with --from");
            if (url && !problems.some((p) => p.startsWith("request"))) {
                request = { method, url: url.toString(), headers, consumer: (values.consumer as string | undefined) ?? null, from: from ?? null };
            }
        }
    }
    if (values.manifests !== undefined && !fs.existsSync(values.manifests as string)) problems.push(`--manifests: no such file or directory: ${String(values.manifests)}`);
    if (values["config-file"] !== undefined && !fs.existsSync(values["config-file"] as string)) problems.push(`--config-file: no such file: ${String(values["config-file"])}`);
    if (values.manifests !== undefined && values["config-file"] !== undefined)
        problems.push("--manifests and --config-file exclude each other: explain reads either YAML or a stack's plan");
    if (problems.length > 0 || stack === undefined) return { problems };
    return {
        problems,
        parsed: {
            stack,
            request,
            matrix: wantMatrix,
            json: values.json === true,
            manifests: values.manifests as string | undefined,
            configFile: values["config-file"] as string | undefined,
            out: values.out as string | undefined,
            replan: values.replan === true,
        },
    };
}

/**
 * The stack's objects: the plan's out/<stack>/resources.json when it is newer
 * than the stack's config (and no --config-file or --replan), else a fresh
 * plan (which also writes out/<stack>/, routes.json included).
 */
async function loadPlanned(p: Parsed, outDir: string, log: (s: string) => void): Promise<{ objects?: K8sObject[]; problems: string[] }> {
    const configFile = p.configFile ?? stackConfigPath(p.stack);
    if (!fs.existsSync(configFile)) {
        return { problems: [`no config for stack "${p.stack}": ${path.relative(process.cwd(), configFile)} does not exist. Stacks: ${listStacks().join(", ")}`] };
    }
    const resourcesFile = path.join(outDir, "resources.json");
    if (!p.replan && p.configFile === undefined && fs.existsSync(resourcesFile) && fs.statSync(resourcesFile).mtimeMs >= fs.statSync(configFile).mtimeMs) {
        log(`using the plan in ${path.relative(process.cwd(), outDir) || "."} (newer than ${path.relative(process.cwd(), configFile)}; --replan plans again)`);
        return { objects: objectsFromPlanOutput(outDir), problems: [] };
    }
    let config: Record<string, unknown>;
    try {
        config = readStackConfig(configFile);
    } catch (err) {
        return { problems: [(err as Error).message] };
    }
    log(`planning ${p.stack} from ${path.relative(process.cwd(), configFile)} …`);
    Error.stackTraceLimit = 0;
    // Loaded only when planning: the Pulumi SDK costs about a second to load, reading resources.json needs none of it.
    const { plan } = require("./plan/plan") as typeof import("./plan/plan");
    const { formatIssue } = require("../components/config") as typeof import("../components/config");
    const result = await plan({ stack: p.stack, config, outDir });
    if (result.kind === "invalid") {
        return { problems: [`invalid configuration for stack "${p.stack}" (${path.relative(process.cwd(), configFile)}):`, ...result.issues.map((i) => `  ${formatIssue(i)}`)] };
    }
    return { objects: objectsFromRecorded(result.run.resources), problems: [] };
}

const MARK: Record<string, string> = { pass: "pass  ", refuse: "REFUSE", info: "info  " };

export function renderText(e: Explanation): string {
    const r = e.request;
    const lines: string[] = [];
    const hs = Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`);
    lines.push(
        `${r.method} ${r.url}${hs.length > 0 ? `  [${hs.join(", ")}]` : ""}${r.consumer !== null ? `  consumer=${r.consumer}` : ""}${r.from !== null ? `  from=${r.from}` : ""}`,
    );
    e.hops.forEach((h, i) => {
        lines.push(`${String(i + 1).padStart(2)}. ${MARK[h.result]} ${h.hop.padEnd(19)} ${h.title}: ${h.decision}`);
        if (h.object !== null) lines.push(`${" ".repeat(31)}${h.object}${h.field !== null ? `  ${h.field}` : ""}`);
    });
    const o = e.outcome;
    lines.push(
        o.reached
            ? `=> reached (200): ${o.reason}${
                  o.destinations.length > 0
                      ? `  [${o.destinations
                            .map(
                                (d) =>
                                    `${d.subset ?? d.host} ${d.weight}% pods ${Object.entries(d.podLabels)
                                        .map(([k, v]) => `${k}=${v}`)
                                        .join(",")}`,
                            )
                            .join("; ")}]`
                      : ""
              }`
            : o.answered
              ? `=> answered with ${o.status} at ${o.hop}: ${o.reason}`
              : `=> REFUSED at ${o.hop}, the client sees ${o.status === 0 ? "no HTTP response" : o.status}: ${o.reason}`,
    );
    return lines.join("\n");
}

function summary(doc: RoutesDocument): string {
    const lines = doc.entries.map(
        (e) => `${e.outcome.reached ? "reach " : e.outcome.answered ? "answer" : "refuse"} ${String(e.outcome.status).padStart(3)} ${e.outcome.hop.padEnd(19)} ${e.id}`,
    );
    const reached = doc.entries.filter((e) => e.outcome.reached).length;
    const answered = doc.entries.filter((e) => e.outcome.answered).length;
    lines.push(`${doc.entries.length} requests: ${reached} reach a workload, ${answered} answered at a hop, ${doc.entries.length - reached - answered} refused`);
    return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
    const { parsed, problems, help } = parseArguments(argv);
    if (help) {
        console.log(USAGE);
        return 0;
    }
    if (!parsed) {
        console.error(`Invalid arguments, ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${problems.map((p) => `  - ${p}`).join("\n")}\n${USAGE}`);
        return 2;
    }
    const log = (s: string) => {
        if (!parsed.json) console.error(s);
    };
    const outDir = path.resolve(parsed.out ?? path.join(REPO_ROOT, "out", parsed.stack));
    let objects: K8sObject[];
    try {
        if (parsed.manifests !== undefined) {
            objects = objectsFromManifests([parsed.manifests]);
        } else {
            const loaded = await loadPlanned(parsed, outDir, log);
            if (!loaded.objects) {
                console.error(loaded.problems.join("\n"));
                return 2;
            }
            objects = loaded.objects;
        }
    } catch (err) {
        console.error(`cannot read the objects: ${(err as Error).message}`);
        return 2;
    }
    const index = buildIndex(objects);
    const source = parsed.manifests !== undefined ? "manifests" : "plan";
    if (parsed.matrix) {
        const doc = matrix(index, parsed.stack, source);
        const file = writeRoutes(outDir, doc);
        if (parsed.json) console.log(JSON.stringify(doc, null, 1));
        else console.log(`${summary(doc)}\nwrote ${path.relative(process.cwd(), file)}`);
        return 0;
    }
    const req = parsed.request!;
    if (req.consumer !== null && !index.consumers.has(req.consumer)) {
        const known = [...index.consumers.keys()];
        console.error(`--consumer: no KongConsumer ${JSON.stringify(req.consumer)} among the objects; consumers: ${known.join(", ") || "none"}`);
        return 2;
    }
    const e = explain(index, req);
    if (parsed.json) console.log(JSON.stringify({ stack: parsed.stack, source, ...e }, null, 1));
    else console.log(renderText(e));
    return e.outcome.reached || e.outcome.answered ? 0 : 1;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err: unknown) => {
            console.error(`explain failed: ${String(err)}`);
            process.exit(3);
        },
    );
}
