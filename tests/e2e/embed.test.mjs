// Embed mode in real Chromium: a course page with two embeds (one in the strict sandbox the
// issue names, one not sandboxed at all, so it shares the app's storage) that stay independent
// and never touch the main app's autosave; a 400 px embed that fits; the Embed dialog's snippet
// and its live preview; "Open in Archplay"; example links; option typos named.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { openPage } from "./browser.mjs";
import { CanvasPage, openExample, withSite } from "./canvas-page.mjs";

const AUTOSAVE_KEY = "archplay.autosave.v1";

/** Serves `html` at `<site>/<name>` for this page only (the built site stays untouched). */
async function hostPage(page, site, name, html) {
  await page.route(`${site.url}${name}`, (route) =>
    route.fulfill({ contentType: "text/html", body: `<!doctype html><link rel="icon" href="data:,">${html}` }),
  );
  return `${site.url}${name}`;
}

const clockOf = async (frame) => parseFloat(await frame.getByTestId("clock").textContent());

/** Everything Archplay keeps in this origin's storage. */
const stored = (page) =>
  page.evaluate(() => Object.fromEntries(Object.keys(localStorage).map((k) => [k, localStorage.getItem(k)])));

describe("embed mode", () => {
  const fixture = withSite("/course/archplay/");

  test("two embeds on one page are independent and leave the main autosave alone", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1100, height: 700 } });
    // The main app first: its autosave holds the learner's own work.
    await page.goto(fixture.site.url);
    await openExample(page, "web-and-database");
    await new CanvasPage(page).node("web").waitFor();
    await page.waitForFunction((k) => localStorage.getItem(k)?.includes('"web"'), AUTOSAVE_KEY);
    const before = await stored(page);

    const url = await hostPage(
      page,
      fixture.site,
      "lesson.html",
      `<h1>Lesson</h1>
       <iframe id="a" sandbox="allow-scripts" width="400" height="560"
         src="./?embed=1&autoplay=1#example=load-balancer-failover"></iframe>
       <iframe id="b" width="600" height="420"
         src="./?embed=1&readonly=1&panels=none#example=data-center-outage"></iframe>`,
    );
    await page.goto(url);
    const a = page.frameLocator("#a");
    const b = page.frameLocator("#b");
    assert.equal(await a.getByTestId("embed-title").textContent(), "Load balancer with health checks");
    assert.equal(await b.getByTestId("embed-title").textContent(), "Two data centers, one outage");
    await a.getByTestId("node-web-3").waitFor();
    await b.getByTestId("node-web-4").waitFor();

    // A autoplays; B, on the same page, does not move.
    for (let i = 0; i < 50 && (await clockOf(a)) <= 0.5; i++) await page.waitForTimeout(100);
    assert.ok((await clockOf(a)) > 0.5, `A's clock: ${await clockOf(a)}`);
    assert.equal(await clockOf(b), 0);
    assert.equal(await b.getByTestId("results").count(), 0, "panels=none hides the results");
    assert.equal(await b.getByTestId("palette").count(), 0, "read-only has no palette");

    // Editing A changes A only; B is read-only and refuses, saying why.
    await a.getByTestId("node-web-3").click();
    await a.getByTestId("node-web-3").press("Delete");
    await a.getByTestId("node-web-3").waitFor({ state: "detached" });
    await b.getByTestId("node-web-4").click();
    await b.getByTestId("node-web-4").press("Delete");
    assert.match(await b.getByTestId("announcer").textContent(), /read-only/);
    assert.equal(await b.getByTestId("node-web-4").count(), 1);
    // Dragging in a read-only embed moves nothing.
    const box = await b.getByTestId("node-web-4").boundingBox();
    await page.mouse.move(box.x + 40, box.y + 20);
    await page.mouse.down();
    await page.mouse.move(box.x + 140, box.y + 120, { steps: 5 });
    await page.mouse.up();
    const after = await b.getByTestId("node-web-4").boundingBox();
    assert.deepEqual([after.x, after.y], [box.x, box.y]);
    assert.equal(await a.getByTestId("node-web-2").count(), 1, "A kept its other servers");

    // Longer than the autosave delay (0.5 s) after the last edit: nothing was written by either
    // embed, not even by B, which shares this origin's storage.
    await page.waitForTimeout(1200);
    assert.deepEqual(await stored(page), before);
    // And the full app still opens the learner's diagram.
    await page.goto(fixture.site.url);
    await new CanvasPage(page).node("web").waitFor();
    assert.equal(await new CanvasPage(page).node("lb").count(), 0);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  /** The failover example in a 900 × 600 frame with `sandbox`, on a page of its own. */
  async function failoverEmbed(name, sandbox) {
    const page = await openPage(fixture.browser, { viewport: { width: 1100, height: 700 } });
    const url = await hostPage(
      page,
      fixture.site,
      name,
      `<iframe id="a" sandbox="${sandbox}" width="900" height="600"
         src="./?embed=1#example=load-balancer-failover"></iframe>`,
    );
    await page.goto(url);
    const a = page.frameLocator("#a");
    await a.getByTestId("node-web-3").waitFor();
    return { page, a };
  }

  /** Runs the embed's example as fast as possible to its end (90 s). */
  async function runToEndFast(a) {
    await a.getByTestId("speed").selectOption("As fast as possible");
    await a.getByTestId("run").click();
    await a.getByTestId("run-status").filter({ hasText: "Finished" }).waitFor({ timeout: 20000 });
    assert.equal(await clockOf(a), 90);
  }

  test("as fast as possible in a sandboxed embed, where no worker can start, runs in the page", async () => {
    const { page, a } = await failoverEmbed("fast.html", "allow-scripts");
    await runToEndFast(a);
    assert.equal(page.workers().length, 0, "an opaque origin cannot start the worker");
    assert.deepEqual(page.problems, []);
  });

  test("an embed starts its worker only when a run goes as fast as possible", async () => {
    const { page, a } = await failoverEmbed("worker.html", "allow-scripts allow-same-origin");
    // Past the moment the full app would have started one.
    await page.waitForTimeout(2500);
    assert.equal(page.workers().length, 0, "no worker before it is asked for");
    await runToEndFast(a);
    assert.equal(page.workers().length, 1);
    assert.deepEqual(page.problems, []);
  });

  test("a 400 px embed fits its frame", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 900, height: 700 } });
    const url = await hostPage(
      page,
      fixture.site,
      "narrow.html",
      `<iframe id="a" sandbox="allow-scripts" width="400" height="560"
         src="./?embed=1#example=load-balancer-failover"></iframe>`,
    );
    await page.goto(url);
    const a = page.frameLocator("#a");
    await a.getByTestId("node-db").waitFor();
    const frame = page.frames().find((f) => f.url().includes("embed=1"));
    const widths = await frame.evaluate(() => [document.documentElement.scrollWidth, innerWidth]);
    assert.ok(widths[0] <= widths[1], `no sideways scrolling: ${widths}`);
    const frameBox = await page.locator("#a").boundingBox();
    for (const id of ["canvas", "run", "chart-throughput", "open-in-archplay"]) {
      const box = await a.getByTestId(id).boundingBox();
      assert.ok(box && box.width > 0 && box.height > 0, `${id} is shown`);
      assert.ok(box.x >= frameBox.x - 1 && box.x + box.width <= frameBox.x + frameBox.width + 1, `${id} within the frame`);
    }
    assert.ok((await a.getByTestId("canvas").boundingBox()).height >= 120, "the canvas keeps a usable height");
    // It runs there too.
    await a.getByTestId("run").click();
    for (let i = 0; i < 50 && (await clockOf(a)) <= 0.2; i++) await page.waitForTimeout(100);
    assert.ok((await clockOf(a)) > 0.2);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test("the Embed dialog writes a snippet whose preview runs, and Open in Archplay opens it", async () => {
    const context = await fixture.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems = [];
    page.on("pageerror", (e) => problems.push(e.message));
    await page.goto(fixture.site.url);
    await openExample(page, "single-server");
    await page.getByTestId("embed").click();
    await page.getByTestId("embed-autoplay").check();
    await page.getByTestId("embed-panels").selectOption("none");
    await page.getByTestId("embed-chart-errors").uncheck();
    const code = await page.getByTestId("embed-code").inputValue();
    assert.match(code, /^<iframe src="[^"]*\/course\/archplay\/\?embed=1&amp;autoplay=1&amp;panels=none&amp;charts=throughput,latency#d=v1\.[\w-]+\.?[\w-]*" title="Archplay: Single server" width="640" height="480" sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox"/);
    // The preview is the snippet's own address, in the snippet's sandbox: it autoplays.
    const preview = page.frameLocator("[data-testid=embed-preview]");
    await preview.getByTestId("embed-title").filter({ hasText: "Single server" }).waitFor();
    for (let i = 0; i < 50 && (await clockOf(preview)) <= 0.2; i++) await page.waitForTimeout(100);
    assert.ok((await clockOf(preview)) > 0.2, "the preview runs");
    const src = await page.getByTestId("embed-preview").getAttribute("src");
    assert.equal(code.match(/src="([^"]*)"/)[1].replaceAll("&amp;", "&"), src);

    // Open in Archplay: the full editor in a new tab, with the diagram; the learner's own work
    // there (this context has an autosave) is not replaced without asking.
    await page.waitForFunction((k) => localStorage.getItem(k)?.includes("Single server"), AUTOSAVE_KEY);
    const [tab] = await Promise.all([
      context.waitForEvent("page"),
      preview.getByTestId("open-in-archplay").click(),
    ]);
    await tab.getByTestId("link-dialog").waitFor();
    await tab.getByTestId("link-open").click();
    await tab.getByTestId("node-server").waitFor();
    const shell = await tab.getByTestId("app-shell").getAttribute("class");
    assert.ok(shell.split(" ").includes("ap-app") && !shell.includes("ap-app--embed"), `the full app, not an embed: ${shell}`);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("examples open by link, and a typo in an option or a name is said", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(`${fixture.site.url}#example=load-balancer-failover`);
    await new CanvasPage(page).node("web-3").waitFor();
    assert.equal(await page.evaluate(() => location.hash), "", "the full app drops the link once opened");
    // The gallery's links are the same addresses.
    await page.getByTestId("examples").click();
    assert.equal(await page.getByTestId("example-mm4").getAttribute("href"), "#example=mm4");

    await page.goto(`${fixture.site.url}?embed=1&panels=sideways&autoplya=1#example=mm1`);
    await page.getByTestId("embed-title").filter({ hasText: "M/M/1" }).waitFor();
    const notice = await page.getByTestId("notice").textContent();
    assert.match(notice, /option 'panels' cannot be 'sideways'/);
    assert.match(notice, /unknown option 'autoplya' ignored/);
    assert.equal(await page.evaluate(() => location.hash), "#example=mm1", "an embed keeps its address");

    await page.goto(`${fixture.site.url}?embed=1#example=no-such-thing`);
    await page.getByTestId("notice").filter({ hasText: "there is no example called 'no-such-thing'" }).waitFor();
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});

describe("embeds on a host that sends no Access-Control-Allow-Origin", () => {
  test("a sandboxed frame says what the host must send, and so does the Embed dialog", async () => {
    const { serveSite } = await import("./server.mjs");
    const { launch } = await import("./browser.mjs");
    const site = await serveSite(process.env.ARCHPLAY_DIST, "/", { cors: false });
    const browser = await launch();
    try {
      // A course page (another origin) with the snippet's strict sandbox.
      const course = await openPage(browser, { viewport: { width: 900, height: 600 } });
      await course.setContent(
        `<iframe sandbox="allow-scripts" width="640" height="420" src="${site.url}?embed=1#example=single-server"></iframe>`,
      );
      const frame = course.frameLocator("iframe");
      const said = frame.getByTestId("splash-cors");
      await said.waitFor({ timeout: 15000 });
      assert.match(await said.textContent(), /must send the header “Access-Control-Allow-Origin: \*”/);

      // The full app on that host: its Embed dialog warns before anyone copies a snippet.
      const app = await openPage(browser, { viewport: { width: 1280, height: 800 } });
      await app.goto(site.url);
      const canvas = new CanvasPage(app);
      await openExample(app, "single-server");
      await canvas.node("server").waitFor();
      await app.getByTestId("embed").click();
      const warning = app.getByTestId("embed-cors-warning");
      await warning.waitFor({ timeout: 10000 });
      assert.match(await warning.textContent(), /does not send “Access-Control-Allow-Origin: \*”/);
      // (The console holds the preview frame's blocked requests: the very thing warned of.)
    } finally {
      await browser.close();
      await site.close();
    }
  });

  test("on a host that does send it, the dialog has no warning", async () => {
    const { serveSite } = await import("./server.mjs");
    const { launch } = await import("./browser.mjs");
    const site = await serveSite(process.env.ARCHPLAY_DIST, "/");
    const browser = await launch();
    try {
      const app = await openPage(browser, { viewport: { width: 1280, height: 800 } });
      await app.goto(site.url);
      await openExample(app, "single-server");
      await new CanvasPage(app).node("server").waitFor();
      await app.getByTestId("embed").click();
      await app.getByTestId("embed-dialog").waitFor();
      await app.waitForTimeout(1000);
      assert.equal(await app.getByTestId("embed-cors-warning").count(), 0);
    } finally {
      await browser.close();
      await site.close();
    }
  });
});
