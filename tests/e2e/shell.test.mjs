// The release site, served from a sub-path, renders the app shell in real Chromium.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";

import { openPage } from "./browser.mjs";
import { openExample, withSite } from "./canvas-page.mjs";
const shots = resolve(process.env.ARCHPLAY_SCREENSHOTS || "target/e2e-screenshots");
const REGIONS = ["header", "palette", "canvas", "inspector", "runbar"];

describe("app shell from a sub-path", () => {
  const fixture = withSite("/some/sub/path/");
  before(() => mkdir(shots, { recursive: true }));

  test("renders every region with no console errors", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
    // Not even warnings: a clean console while the app and its worker load (the worker
    // starts 1.5 s in).
    const warnings = [];
    page.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
    await page.goto(fixture.site.url);
    await page.waitForSelector('[data-testid="app-shell"]', { timeout: 15000 });
    assert.equal(await page.getByTestId("splash").count(), 0, "the loading screen is gone");
    await page.waitForTimeout(2500);
    assert.deepEqual(warnings, []);
    for (const region of REGIONS) {
      assert.ok(await page.getByTestId(region).isVisible(), `${region} is visible`);
    }
    assert.equal(await page.locator("h1").textContent(), "Archplay");
    for (const kind of ["users", "dns", "load_balancer", "web_server", "database"]) {
      assert.ok(await page.getByTestId(`palette-${kind}`).isVisible(), `palette-${kind} is visible`);
    }
    await page.screenshot({ path: `${shots}/shell-desktop.png` });
    // Focusing a palette item reveals its longer explanation.
    const details = page.getByTestId("palette-load_balancer").locator(".ap-palette__details");
    assert.equal(await details.isVisible(), false);
    await page.getByTestId("palette-load_balancer").focus();
    assert.equal(await details.isVisible(), true);
    assert.equal(await page.title(), "Archplay — architecture playground");
    assert.deepEqual(page.problems, []);
  });

  test("a Content-Security-Policy lets the app run and stops injected scripts", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(fixture.site.url);
    await page.waitForSelector('[data-testid="app-shell"]', { timeout: 15000 });
    const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
    assert.match(policy, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
    assert.match(policy, /object-src 'none'/);
    // The app runs under it (wasm, styles, a run), and an injected inline script does not.
    await openExample(page, "single-server");
    await page.getByTestId("run").click();
    await page.waitForFunction(() => document.querySelector("[data-testid=clock]").textContent !== "0.000 s");
    const ran = await page.evaluate(() => {
      const s = document.createElement("script");
      s.textContent = "window.__injected = true";
      document.head.appendChild(s);
      return window.__injected === true;
    });
    assert.equal(ran, false, "an injected inline script is blocked");
    assert.ok(page.problems.some((p) => /Content Security Policy/.test(p)), "and reported");
    assert.deepEqual(
      page.problems.filter((p) => !/Content Security Policy/.test(p)),
      [],
    );
  });

  test("fits a 400 px wide screen without horizontal scrolling", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 400, height: 800 } });
    await page.goto(fixture.site.url);
    await page.waitForSelector('[data-testid="app-shell"]', { timeout: 15000 });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.equal(overflow, 0, "no horizontal overflow at 400 px");
    // On a screen this narrow the side panels are behind tabs: each is one tap away.
    const tabs = { palette: "components", inspector: "inspector" };
    for (const region of REGIONS) {
      if (tabs[region] && !(await page.getByTestId(region).isVisible())) {
        await page.getByTestId(`panel-tab-${tabs[region]}`).click();
      }
      const box = await page.getByTestId(region).boundingBox();
      assert.ok(box && box.width > 0 && box.height > 0, `${region} has a box`);
      assert.ok(box.x >= 0 && box.x + box.width <= 400.5, `${region} stays inside 400 px`);
    }
    await page.screenshot({ path: `${shots}/shell-400px.png`, fullPage: true });
    assert.deepEqual(page.problems, []);
  });

  test("follows the system's dark colour scheme", async () => {
    const background = async (colorScheme) => {
      const page = await openPage(fixture.browser, { colorScheme, viewport: { width: 1024, height: 700 } });
      await page.goto(fixture.site.url);
      await page.waitForSelector('[data-testid="app-shell"]', { timeout: 15000 });
      if (colorScheme === "dark") await page.screenshot({ path: `${shots}/shell-dark.png` });
      assert.deepEqual(page.problems, []);
      return page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    };
    const light = await background("light");
    const dark = await background("dark");
    assert.notEqual(light, dark);
    // Dark means a dark background: every channel below half.
    const channels = dark.match(/\d+/g).slice(0, 3).map(Number);
    assert.ok(channels.every((c) => c < 128), `dark background ${dark}`);
  });
});
