/**
 * The report as a person sees it: in headless Chromium (Debian's `chromium`,
 * driven by playwright-core; `.ci/run` installs the package when missing),
 * opened from file:// with no network. Screenshots for review are written to
 * out/report-screenshots/.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { manifestsToResources } from "../../policies/manifests";
import { runPolicies } from "../../policies/engine";
import { readInput } from "../../tools/check/read";
import { renderReport } from "../../tools/report";
import { ROOT, devRoutes, generatedObjects, planned } from "./helpers";

export const CHROMIUM = "/usr/bin/chromium";
const OUT = path.join(ROOT, "out", "report-screenshots");

interface Opened {
    page: Page;
    /** Console errors and uncaught exceptions. */
    errors: string[];
    /** Every request other than the page itself. */
    requests: string[];
}

describe("plan report in a browser", function () {
    let browser: Browser;
    const files: Record<string, string> = {};

    before(async () => {
        assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
        fs.mkdirSync(OUT, { recursive: true });
        browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
        const dev = await planned("dev");
        const write = (name: string, html: string) => {
            files[name] = path.join(OUT, `${name}.html`);
            fs.writeFileSync(files[name], html);
        };
        write("dev", renderReport({ stack: "dev", source: "plan", resources: dev.resources, violations: dev.violations, routes: devRoutes() }));
        write("dev-no-routes", renderReport({ stack: "dev", source: "plan", resources: dev.resources, violations: dev.violations }));
        const docs = readInput([path.join(ROOT, "test/fixtures/bad-manifests"), path.join(ROOT, "test/fixtures/good-manifests")]).docs;
        const resources = manifestsToResources(docs);
        write(
            "check-bad",
            renderReport({
                stack: "check",
                source: "manifests",
                resources: resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, custom: true, inputs: r.props, file: path.relative(ROOT, r.file) })),
                violations: await runPolicies(resources),
            }),
        );
    });
    after(async () => {
        await browser?.close();
    });

    async function open(name: string, scheme: "light" | "dark" = "light", viewport = { width: 1440, height: 900 }): Promise<Opened> {
        const page = await browser.newPage({ viewport, colorScheme: scheme });
        const errors: string[] = [];
        const requests: string[] = [];
        const url = `file://${files[name]}`;
        page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
        page.on("pageerror", (e) => errors.push(e.message));
        page.on("request", (r) => r.url() !== url && requests.push(r.url()));
        await page.goto(url);
        await page.waitForSelector("body[data-ready]");
        return { page, errors, requests };
    }

    it("loads from file:// with no console errors and no network request", async () => {
        const { page, errors, requests } = await open("dev");
        await page.click("#tabbtn-policy");
        await page.click("#tabbtn-created");
        await page.click("#tabbtn-traffic");
        assert.deepEqual(errors, []);
        assert.deepEqual(requests, []);
        await page.close();
    });

    it("shows every service and route of the dev stack in the graph and in the list", async () => {
        const { page } = await open("dev");
        const nodes = await page.$$eval("#graph-svg .node", (els) => els.map((e) => e.getAttribute("data-id")));
        for (const id of [
            "svc:users/user-service",
            "svc:orders/order-service",
            "svc:catalog/catalog-service",
            "svc:payments/payment-service",
            "route:users/user-service#/api/v1/users",
            "route:catalog/catalog-service#/api/v1/catalog",
            "ver:users/user-service#v1",
            "ver:users/user-service#v2",
            "kong",
            "nlb",
            "clients",
        ]) {
            assert.ok(nodes.includes(id), `${id} not in ${nodes.join(", ")}`);
        }
        const text = await page.textContent("#graph-svg");
        for (const s of ["user-service", "order-service", "catalog-service", "payment-service", "/api/v1/users", "/api/v1/catalog", "x-version: v2", "90%", "10%"]) {
            assert.ok(text?.includes(s), `graph lacks ${s}`);
        }
        assert.equal(await page.locator("#list button.item").count(), 6);
        await page.close();
    });

    it("shows a route's explain trace when it is clicked, and an internal call's when its edge is clicked", async () => {
        const { page, errors } = await open("dev");
        await page.click('[data-id="route:catalog/catalog-service#/api/v1/catalog"]');
        assert.equal(await page.textContent("#details h2"), "GET,OPTIONS /api/v1/catalog");
        const trace = page.locator("#details details.trace[open]");
        assert.equal(await trace.count(), 1);
        assert.match((await trace.textContent()) ?? "", /reached 200.*Kong route.*matched \/api\/v1\/catalog.*Destination sidecar/s);
        await page.click('[data-id="route:users/user-service#/api/v1/users"]');
        assert.equal(await page.locator("#details details.trace").count(), 3);
        assert.match((await page.locator("#details details.trace").nth(2).textContent()) ?? "", /refused 401/);
        await page.dispatchEvent('.edge.internal[data-from="svc:orders/order-service"] path.hit', "click");
        assert.match((await page.textContent("#details")) ?? "", /order-service → payment-service.*from orders\/order-service.*reached 200/s);
        assert.deepEqual(errors, []);
        await page.close();
    });

    it("is usable with the keyboard: / searches, Enter opens, Tab reaches the boxes, arrows switch tabs", async () => {
        const { page } = await open("dev");
        await page.keyboard.press("/");
        await page.keyboard.type("payment");
        assert.equal(await page.locator("#list button.item").count(), 1);
        await page.keyboard.press("Enter");
        assert.equal(await page.textContent("#details h2"), "payment-service");
        await page.focus("#graph-svg");
        await page.keyboard.press("Tab");
        const focused = await page.evaluate(() =>
            (globalThis as unknown as { document: { activeElement: { getAttribute(name: string): string | null } | null } }).document.activeElement?.getAttribute("data-id"),
        );
        assert.ok(focused, "Tab from the graph lands on a box");
        await page.keyboard.press("Enter");
        assert.ok(((await page.textContent("#details")) ?? "").length > 0);
        await page.focus("#tabbtn-traffic");
        await page.keyboard.press("ArrowRight");
        assert.equal(await page.getAttribute("#tabbtn-policy", "aria-selected"), "true");
        assert.ok(await page.isVisible("#policy-body"));
        await page.close();
    });

    it("says explain data is unavailable when there is no routes.json", async () => {
        const { page, errors } = await open("dev-no-routes");
        await page.click('[data-id="route:users/user-service#/api/v1/users"]');
        assert.match((await page.textContent("#details")) ?? "", /Explain data is unavailable/);
        assert.deepEqual(errors, []);
        await page.close();
    });

    it("shows check's policy results on their objects with rule, level and fix", async () => {
        const { page, errors, requests } = await open("check-bad");
        await page.click("#tabbtn-policy");
        const rows = page.locator("#policy-body tbody tr");
        assert.ok((await rows.count()) > 3);
        assert.match((await rows.first().textContent()) ?? "", /mandatory/);
        assert.match((await page.textContent("#policy-body")) ?? "", /kong-route-authentication/);
        assert.deepEqual(errors, []);
        assert.deepEqual(requests, []);
        await page.close();
    });

    it("writes screenshots of the dev stack, light and dark", async () => {
        for (const scheme of ["light", "dark"] as const) {
            const { page, errors } = await open("dev", scheme);
            await page.screenshot({ path: path.join(OUT, `dev-traffic-${scheme}.png`) });
            await page.click("#tabbtn-created");
            await page.screenshot({ path: path.join(OUT, `dev-created-${scheme}.png`) });
            assert.deepEqual(errors, []);
            await page.close();
        }
        const { page } = await open("check-bad");
        await page.click("#tabbtn-policy");
        await page.screenshot({ path: path.join(OUT, "check-policy-light.png") });
        await page.close();
        assert.ok(fs.statSync(path.join(OUT, "dev-traffic-dark.png")).size > 10_000);
    });

    it("lays out a 200-service stack grouped by namespace, expands one, and writes its screenshots", async () => {
        files.s200 = path.join(OUT, "services-200.html");
        fs.writeFileSync(files.s200, renderReport({ stack: "200 services", source: "plan", resources: generatedObjects(200), violations: [] }));
        for (const scheme of ["light", "dark"] as const) {
            const { page, errors, requests } = await open("s200", scheme);
            const namespaces = await page.locator("#graph-svg .node.k-ns").count();
            assert.equal(namespaces, 10, "200 services in 10 collapsed namespaces");
            await page.screenshot({ path: path.join(OUT, `services-200-collapsed-${scheme}.png`) });
            await page.locator("#graph-svg .node.k-ns").first().focus();
            await page.keyboard.press("Enter");
            assert.equal(await page.locator("#graph-svg .node.k-ns").count(), 9);
            assert.equal(await page.locator("#graph-svg .cluster").count(), 1);
            const overflowing = await page.$$eval("#graph-svg .node", (nodes) =>
                nodes.flatMap((n) => {
                    const box = n.querySelector("rect.box") as unknown as { width: { baseVal: { value: number } } };
                    const texts = [...n.querySelectorAll("text:not(.flagtext)")] as unknown as { getComputedTextLength(): number; textContent: string }[];
                    return texts.filter((t) => t.getComputedTextLength() > box.width.baseVal.value - 2 * 8).map((t) => t.textContent);
                }),
            );
            assert.ok((await page.locator("#graph-svg .node").count()) > 40);
            assert.deepEqual(overflowing, [], "text wider than its box");
            await page.screenshot({ path: path.join(OUT, `services-200-expanded-${scheme}.png`) });
            assert.deepEqual(errors, []);
            assert.deepEqual(requests, []);
            await page.close();
        }
    });
});
