/**
 * The visual plan report (`out/<stack>/report.html`): `renderReport` is pure;
 * `writePlanReport` / `writeCheckReport` are the hooks of `npm run plan` and
 * `npm run check`, which also pick up `routes.json` from the output directory.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ReportResource, ReportViolation } from "./model";
import { renderReport } from "./render";
import { readRoutes } from "./routes";

export { buildReportModel, type ReportInput, type ReportModel, type ReportResource, type ReportViolation } from "./model";
export { renderReport, renderModel } from "./render";
export { readRoutes, type RoutesFile, type RouteEntry } from "./routes";

/** The file written. */
export const REPORT_FILE = "report.html";

function write(outDir: string, html: string): string {
    fs.mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, REPORT_FILE);
    fs.writeFileSync(file, html);
    return file;
}

/** `npm run plan`: the report of what the plan recorded, with routes.json when it is in `outDir`. */
export function writePlanReport(outDir: string, stack: string, resources: readonly ReportResource[], violations: readonly ReportViolation[]): string {
    const { routes, problem } = readRoutes(outDir);
    return write(outDir, renderReport({ stack, source: "plan", resources, violations, routes, routesProblem: problem }));
}

/** `npm run check`: the report of the manifests given (each judged as a resource), with routes.json when it is in `outDir`. */
export function writeCheckReport(
    outDir: string,
    resources: readonly { urn: string; type: string; name: string; props: Record<string, unknown>; file?: string }[],
    violations: readonly ReportViolation[],
): string {
    const { routes, problem } = readRoutes(outDir);
    const asResources: ReportResource[] = resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, custom: true, inputs: r.props, file: r.file }));
    return write(outDir, renderReport({ stack: "check", source: "manifests", resources: asResources, violations, routes, routesProblem: problem }));
}
