/**
 * Render time of the plan report (tools/report) for big stacks, for the
 * benchmark (not a timed test): building the page in Node, and in headless
 * Chromium (Debian's /usr/bin/chromium through playwright-core) the time
 * until the page is drawn, to expand one namespace, to answer a search
 * keystroke and, informatively, to lay out every service at once.
 *
 * `node --import tsx tools/bench/report.ts [--services 200,1000] [--out FILE]`;
 * `npm run bench` runs it last and writes bench/report-results.json.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { checkStackConfig } from "../../components/config";
import { allManifests, meshServiceObjects } from "../../components/mesh-service/objects";
import { buildReportModel, renderModel, type ReportResource } from "../report";
import type { RouteEntry, RoutesFile } from "../report/routes";
import { generateStackConfig } from "./generate";

export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"];

/** What a person waits for, in milliseconds. */
export const REPORT_TARGETS = { readyMs: 2000, expandNamespaceMs: 500, searchMs: 200 };

/**
 * The mesh objects (Service, DestinationRule, VirtualService, AuthorizationPolicy,
 * KongPlugins, Ingress) of the benchmark's generated stack of `n` services, from
 * the pure builders the MeshService component uses: the traffic view of a big
 * stack without running the program.
 */
export function meshObjects(n: number): ReportResource[] {
    const { config, issues } = checkStackConfig({ services: generateStackConfig(n, {})["meshgate:services"], environment: "dev", cluster: { type: "existing" } });
    if (config === undefined) {
        throw new Error(issues.map((i) => `${i.path}: ${i.message}`).join("; "));
    }
    const ctx = { gateway: { principal: "cluster.local/ns/kong/sa/kong-kong", dbless: true } };
    return config.services.flatMap((spec) =>
        allManifests(meshServiceObjects(spec, ctx)).map((o) => {
            const obj = o as unknown as { apiVersion: string; kind: string; metadata: { name: string; namespace: string } };
            const type = `kubernetes:${obj.apiVersion.includes("/") ? obj.apiVersion : `core/${obj.apiVersion}`}:${obj.kind}`;
            return {
                urn: `urn:pulumi:bench::meshgate::${type}::${obj.metadata.namespace}/${obj.metadata.name}`,
                type,
                name: obj.metadata.name,
                custom: true,
                inputs: o as unknown as Record<string, unknown>,
            };
        }),
    );
}

/** One reached request per route, with the hops a real trace has: routes.json of the size explain would write. */
export function syntheticRoutes(resources: readonly ReportResource[]): RoutesFile {
    const model = buildReportModel({ stack: "bench", source: "plan", resources, violations: [] });
    const entries: RouteEntry[] = model.routes.map((r) => {
        const method = r.methods[0] ?? "GET";
        const hop = (h: string, title: string, decision: string): RouteEntry["hops"][number] => ({ hop: h, title, decision, object: r.object, field: null, result: "pass" });
        return {
            id: `${r.service} ${method} ${r.path}`,
            service: r.service,
            route: r.id,
            request: { method, url: `http://edge${r.path}`, headers: {}, consumer: null, from: null },
            outcome: { reached: true, status: 200, hop: "destination-sidecar", reason: `reached ${r.service}`, destinations: [] },
            hops: [
                hop("nlb", "AWS NLB", "forwarded"),
                hop("kong-route", "Kong route", `matched ${r.path}`),
                hop("kong-plugin", "Kong plugins", r.plugins.map((p) => p.plugin).join(", ")),
                hop("kong-upstream", "Kong upstream", "service-upstream"),
                hop("source-sidecar", "Source sidecar", "routed"),
                hop("destination-sidecar", "Destination sidecar", "allowed"),
            ],
        };
    });
    return { stack: "bench", source: "plan", entries };
}

export interface ReportSample {
    readonly services: number;
    readonly objects: number;
    readonly htmlKiB: number;
    /** Node: model + page. */
    readonly renderMs: number;
    /** Browser: navigation start to the graph drawn (script parsed, layout, SVG, list). */
    readonly readyMs?: number;
    /** Browser: dagre layout of the first view (namespaces collapsed from 41 services on). */
    readonly firstLayoutMs?: number;
    readonly firstViewNodes?: number;
    /** Browser: expanding one namespace (layout and redraw). */
    readonly expandNamespaceMs?: number;
    /** Browser: one keystroke in the search box (list and graph filtered). */
    readonly searchMs?: number;
    /** Browser, informative: every namespace expanded at once. */
    readonly expandAllMs?: number;
    readonly expandAllNodes?: number;
}

const best = <T>(xs: T[], f: (x: T) => number): T => xs.reduce((a, b) => (f(b) < f(a) ? b : a));

/** Measures the report of `n` generated services; the browser part when Chromium is installed. */
export async function measureReport(n: number, dir: string): Promise<ReportSample> {
    const resources = meshObjects(n);
    const routes = syntheticRoutes(resources);
    const runs = [0, 1, 2].map(() => {
        const t = performance.now();
        const html = renderModel(buildReportModel({ stack: `${n} services`, source: "plan", resources, violations: [], routes }));
        return { ms: performance.now() - t, html };
    });
    const fastest = best(runs, (r) => r.ms);
    const file = path.join(dir, `report-${n}.html`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, fastest.html);
    const sample: ReportSample = { services: n, objects: resources.length, htmlKiB: Math.round(Buffer.byteLength(fastest.html) / 1024), renderMs: fastest.ms };
    if (!fs.existsSync(CHROMIUM)) {
        return sample;
    }
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
        const samples = [];
        for (let i = 0; i < 2; i++) {
            const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
            await page.goto(`file://${file}`);
            await page.waitForSelector("body[data-ready]");
            samples.push(
                await page.evaluate(() => {
                    const w = globalThis as unknown as {
                        __report: { layoutMs: number; nodes: number; expand(ns: string): number; expandAll(): number; search(q: string): number; namespaces: string[] };
                    };
                    const r = w.__report;
                    const readyMs = performance.now();
                    const firstLayoutMs = r.layoutMs;
                    const firstViewNodes = r.nodes;
                    const expandNamespaceMs = r.expand(r.namespaces[0]);
                    const searchMs = r.search("api-1");
                    r.search("");
                    const expandAllMs = r.expandAll();
                    return { readyMs, firstLayoutMs, firstViewNodes, expandNamespaceMs, searchMs, expandAllMs, expandAllNodes: (w.__report as unknown as { nodes: number }).nodes };
                }),
            );
            await page.close();
        }
        return { ...sample, ...best(samples, (s) => s.readyMs) };
    } finally {
        await browser.close();
    }
}

export function reportSummary(samples: readonly ReportSample[]): string[] {
    const ms = (x: number | undefined) => (x === undefined ? "n/a" : `${Math.round(x)} ms`);
    const lines = ["plan report (tools/report; generated stacks, one explained request per route):"];
    for (const s of samples) {
        lines.push(
            `  ${String(s.services).padStart(5)} services: page ${s.htmlKiB} KiB built in ${ms(s.renderMs)}; in Chromium ready ${ms(s.readyMs)} (layout ${ms(s.firstLayoutMs)}, ${s.firstViewNodes ?? "?"} boxes), expand a namespace ${ms(s.expandNamespaceMs)}, search keystroke ${ms(s.searchMs)}, everything expanded ${ms(s.expandAllMs)} (${s.expandAllNodes ?? "?"} boxes)`,
        );
    }
    const big = samples.find((s) => s.services === 1000);
    if (big?.readyMs !== undefined) {
        const t = REPORT_TARGETS;
        lines.push(
            `  1,000 services — ready ≤ ${t.readyMs} ms: ${big.readyMs <= t.readyMs ? "met" : "MISSED"}; expand ≤ ${t.expandNamespaceMs} ms: ${(big.expandNamespaceMs ?? Infinity) <= t.expandNamespaceMs ? "met" : "MISSED"}; search ≤ ${t.searchMs} ms: ${(big.searchMs ?? Infinity) <= t.searchMs ? "met" : "MISSED"}`,
        );
    } else if (!fs.existsSync(CHROMIUM)) {
        lines.push(`  (no ${CHROMIUM}: browser times not measured; apt-get install chromium)`);
    }
    return lines;
}

/** Measures, writes `out` (JSON) and returns the summary lines: the hook of `npm run bench`. */
export async function runReportBench(out: string, sizes: readonly number[] = [200, 1000]): Promise<string[]> {
    const samples: ReportSample[] = [];
    for (const n of sizes) {
        samples.push(await measureReport(n, path.join(path.dirname(out), "tmp")));
    }
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify({ generatedAt: new Date().toISOString(), targets: REPORT_TARGETS, samples }, null, 2)}\n`);
    return reportSummary(samples);
}

if (require.main === module) {
    const { values } = parseArgs({ options: { services: { type: "string" }, out: { type: "string" } } });
    const sizes = (values.services ?? "200,1000").split(",").map(Number);
    runReportBench(path.resolve(values.out ?? path.join(__dirname, "..", "..", "bench", "report-results.json")), sizes).then(
        (lines) => console.log(lines.join("\n")),
        (err: unknown) => {
            console.error(err);
            process.exit(1);
        },
    );
}
