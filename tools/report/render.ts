/**
 * The plan report: one self-contained HTML page (styles, script, the graph
 * layout library and the data inlined; a Content-Security-Policy that allows
 * no network at all), so it opens from disk on a machine without internet.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { buildReportModel, type ReportInput, type ReportModel } from "./model";

// Beside this file when run from source; from the compiled dist/tools/report, the package ships the
// sources' client folder (package.json "files"), three levels up at the package root.
const CLIENT_DIR =
    [path.join(__dirname, "client"), path.join(__dirname, "..", "..", "..", "tools", "report", "client")].find((d) => fs.existsSync(d)) ?? path.join(__dirname, "client");

/** dagre's browser build (a global `dagre`), from the installed package; its source-map comment dropped. */
function dagreBundle(): string {
    const pkg = require.resolve("@dagrejs/dagre/package.json");
    const js = fs.readFileSync(path.join(path.dirname(pkg), "dist", "dagre.min.js"), "utf8");
    return js.replace(/\/\/# sourceMappingURL=\S+\s*$/, "");
}

/** Safe inside a <script> element: no `</script`, no `<!--`. */
function scriptText(js: string): string {
    return js.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

const escapeHtml = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] as string);

/** The page for a model (exported for tests that build a model by hand). */
export function renderModel(model: ReportModel): string {
    const css = fs.readFileSync(path.join(CLIENT_DIR, "style.css"), "utf8");
    const app = fs.readFileSync(path.join(CLIENT_DIR, "app.js"), "utf8");
    // JSON in a script element: `<` escaped so no data can close the element; U+2028/9 are valid JSON anyway.
    const data = JSON.stringify(model).replace(/</g, "\\u003c");
    const title = model.source === "plan" ? `meshgate plan · ${model.stack}` : "meshgate check";
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>
${css}
</style>
</head>
<body>
<a class="skip" href="#search">Skip to the search</a>
<header class="top">
  <h1>${escapeHtml(model.source === "plan" ? "meshgate plan" : "meshgate check")} <span class="sub">· ${escapeHtml(model.source === "plan" ? `stack ${model.stack}` : "manifests")}</span></h1>
  <div class="chips" id="chips"></div>
  <button class="iconbtn" id="theme" type="button" aria-label="Switch colour theme">Theme: auto</button>
</header>
<nav class="tabs" role="tablist" aria-label="Report sections">
  <button role="tab" id="tabbtn-traffic" aria-controls="tab-traffic" aria-selected="true">Traffic</button>
  <button role="tab" id="tabbtn-policy" aria-controls="tab-policy" aria-selected="false" tabindex="-1">Policy <span class="count" id="policy-count"></span></button>
  <button role="tab" id="tabbtn-created" aria-controls="tab-created" aria-selected="false" tabindex="-1">What will be created</button>
</nav>
<main>
  <section class="tab active" id="tab-traffic" role="tabpanel" aria-labelledby="tabbtn-traffic">
    <div class="toolbar">
      <input type="search" id="search" placeholder="Search  ( / )" aria-label="Search services, routes and namespaces">
      <button class="iconbtn" id="expand-all" type="button">Expand all</button>
      <button class="iconbtn" id="collapse-all" type="button">Collapse all</button>
      <span class="meta" id="trace-note"></span>

    </div>
    <div class="traffic-body">
      <nav class="list" id="list" aria-label="Namespaces, services and routes"></nav>
      <div class="graph" id="graph">
        <svg id="graph-svg" tabindex="0" role="group" aria-label="Traffic graph: Tab moves between boxes, Enter opens one, arrow keys pan, + and - zoom, 0 fits"></svg>
        <div class="zoom"><button class="iconbtn" id="zoom-in" type="button" aria-label="Zoom in">+</button><button class="iconbtn" id="zoom-out" type="button" aria-label="Zoom out">−</button><button class="iconbtn" id="zoom-fit" type="button" aria-label="Fit the graph">⤢</button></div>
        <div class="hint">drag or scroll to move · Ctrl + wheel or pinch to zoom · Tab + Enter to open</div>
        <div class="legend" aria-hidden="true"><span class="l-route">route</span><span class="l-svc">service</span><span class="l-ver">version</span><span class="l-canary">canary header</span><span class="l-int">internal call (mTLS)</span><span class="l-warn">refused / advice</span><span class="l-bad">problem</span></div>
      </div>
      <aside class="details" id="details" aria-live="polite" aria-label="Details"></aside>
    </div>
  </section>
  <section class="tab" id="tab-policy" role="tabpanel" aria-labelledby="tabbtn-policy"><div id="policy-body"></div></section>
  <section class="tab" id="tab-created" role="tabpanel" aria-labelledby="tabbtn-created"><div id="created-body"></div></section>
</main>
<code id="mono-probe" hidden></code>
<script type="application/json" id="report-data">${data}</script>
<script>
${scriptText(dagreBundle())}
</script>
<script>
${scriptText(app)}
</script>
</body>
</html>
`;
}

/** The report page of a plan or of checked manifests. */
export function renderReport(input: ReportInput): string {
    return renderModel(buildReportModel(input));
}
