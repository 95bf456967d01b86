/** Upstream truth for tests: what data/ (the trimmed upstream reference, tools/refdata.ts) records. */
import { readDataJson } from "../policies/validate/data";

/** The real chart version data/charts/<chart>.json was derived from (e.g. istiod → "1.30.3"). */
export function referenceChartVersion(chart: string): string {
    const body = readDataJson(`charts/${chart}.json`) as { version?: unknown };
    if (typeof body.version !== "string") throw new Error(`data/charts/${chart}.json has no version`);
    return body.version;
}
