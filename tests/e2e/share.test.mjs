// Share links in real Chromium: share a diagram, open the link in a fresh page and find it;
// a link never silently replaces work on screen; a corrupted link leaves the diagram intact.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";

import { openPage } from "./browser.mjs";
import { CanvasPage, openExample, withSite } from "./canvas-page.mjs";

describe("share links", () => {
  const fixture = withSite("/some/sub/path/");

  test("a shared link opens the same diagram, with its settings, in a fresh page", async () => {
    const context = await fixture.browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const page = await context.newPage();
    await page.goto(fixture.site.url);
    const canvas = new CanvasPage(page);
    await openExample(page, "data-center-outage");
    await canvas.node("web-4").waitFor();
    await page.getByTestId("speed").selectOption("10×");
    await page.getByTestId("seed").fill("4242");
    await page.getByTestId("seed").press("Enter");
    await page.getByTestId("share").click();
    const url = await page.getByTestId("share-link").inputValue();
    assert.ok(url.startsWith(`${fixture.site.url}#d=v1.`), url);
    assert.match(await page.getByTestId("share-length").textContent(), new RegExp(`${url.length} characters`));
    await page.getByTestId("share-length").filter({ hasText: "copied" }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);

    // A fresh browser (no autosave): the link opens at once.
    const fresh = await fixture.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const other = await fresh.newPage();
    const problems = [];
    other.on("pageerror", (e) => problems.push(e.message));
    await other.goto(url);
    const c2 = new CanvasPage(other);
    await c2.node("web-4").waitFor();
    assert.equal(await c2.node("dc-west").getAttribute("data-kind"), "data_center");
    assert.equal(await other.getByTestId("seed").inputValue(), "4242", "run settings travel too");
    assert.equal(await other.getByTestId("speed").inputValue(), "10×");
    assert.ok(!(await other.evaluate(() => location.hash)).includes("d="), "the fragment is cleared after opening");
    assert.deepEqual(problems, []);
    await fresh.close();
    await context.close();
  });

  test("a link never silently replaces work on screen, and a corrupted one changes nothing", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(fixture.site.url);
    const canvas = new CanvasPage(page);
    await canvas.add("users", "web_server");
    await canvas.node("web-1").waitFor();
    // Make a link to another diagram from this page.
    await openExample(page, "single-server");
    await page.getByTestId("share").click();
    const url = await page.getByTestId("share-link").inputValue();
    await page.getByTestId("undo").click(); // back to users-1 + web-1
    await canvas.node("users-1").waitFor();

    // Following the link with work on screen asks first; "Keep mine" keeps it.
    await page.evaluate((u) => (location.hash = new URL(u).hash), url);
    await page.getByTestId("link-dialog").waitFor();
    await page.getByTestId("link-keep").click();
    assert.ok(await canvas.node("users-1").isVisible(), "kept");
    // Again, and this time open it: one Undo brings the work back.
    await page.evaluate((u) => (location.hash = new URL(u).hash), url);
    await page.getByTestId("link-open").click();
    await page.getByTestId("undo").waitFor();
    assert.equal(await canvas.node("users-1").count(), 0);
    await page.getByTestId("undo").click();
    assert.ok(await canvas.node("users-1").isVisible(), "undo brings the work back");
    // Or keep a copy as a file first: the download holds the work on screen, then the link opens.
    await page.evaluate((u) => (location.hash = new URL(u).hash), url);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("link-save-open").click(),
    ]);
    const saved = JSON.parse(await readFile(await download.path(), "utf8"));
    assert.deepEqual(saved.components.map((c) => c.id), ["users-1", "web-1"]);
    await canvas.node("server").waitFor();
    await page.getByTestId("undo").click();
    await canvas.node("users-1").waitFor();

    // A corrupted link: a clear message, and the diagram on screen untouched.
    const broken = url.slice(0, url.length - 40) + "%%%";
    await page.evaluate((u) => (location.hash = new URL(u).hash), broken);
    await page.getByTestId("notice").waitFor();
    assert.match(await page.getByTestId("notice").textContent(), /could not be opened: the link is damaged.*Your diagram is unchanged/);
    assert.ok(await canvas.node("users-1").isVisible());
    assert.deepEqual(page.problems, []);
  });
});
