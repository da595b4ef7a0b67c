// Every learner's screen: a phone and a tablet driven by touch alone, and desktops with a mouse.
// On each: place, wire, run, kill and open a lesson with the run bar in reach; charts all
// visible or reachable, nothing overlapping, and a run bar that keeps its height. Screenshots
// of each go to docs/screens/ for the README.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import path from "node:path";

import { openPage } from "./browser.mjs";
import { CanvasPage, clockPast, openExample, withSite } from "./canvas-page.mjs";

const SCREENS = path.resolve(process.env.ARCHPLAY_ROOT || process.cwd(), "docs/screens");

/** Asserts `locator` lies wholly inside the viewport (it can be seen and reached). */
async function inView(page, locator, what) {
  const box = await locator.boundingBox();
  const { width, height } = page.viewportSize();
  assert.ok(box, `${what} is shown`);
  assert.ok(
    box.x >= -1 && box.y >= -1 && box.x + box.width <= width + 1 && box.y + box.height <= height + 1,
    `${what} is on screen: ${JSON.stringify(box)} in ${width}×${height}`,
  );
}

/** Two boxes overlap. */
function overlap(a, b) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** A finger, through the DevTools protocol: Playwright's touchscreen only taps. */
function finger(page) {
  const cdp = page.context().newCDPSession(page);
  const send = async (type, x, y) =>
    (await cdp).send("Input.dispatchTouchEvent", {
      type,
      touchPoints: type === "touchEnd" ? [] : [{ x, y, id: 3 }],
    });
  return {
    /** Presses at `from`, slides to `to` in steps, lifts. */
    async drag(from, to) {
      await send("touchStart", from.x, from.y);
      for (let k = 1; k <= 10; k++) {
        await send("touchMove", from.x + ((to.x - from.x) * k) / 10, from.y + ((to.y - from.y) * k) / 10);
      }
      await send("touchEnd");
    },
    /** Rests on `at` for `ms`, then lifts. */
    async hold(at, ms) {
      await send("touchStart", at.x, at.y);
      await page.waitForTimeout(ms);
      await send("touchEnd");
    },
  };
}

const centre = (b) => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });

/** Shows panel `tab` if the layout puts panels behind tabs (and it is not showing). */
async function showTab(page, tab) {
  const button = page.getByTestId(`panel-tab-${tab}`);
  if ((await button.count()) && (await button.isVisible())) {
    if ((await button.getAttribute("aria-expanded")) !== "true") await button.click();
  }
}

/** The whole touch flow at one size: place two components, wire them, run, kill, lesson. */
async function touchFlow(fixture, name, viewport, isMobile) {
  const page = await openPage(fixture.browser, { viewport, hasTouch: true, isMobile });
  await page.goto(fixture.site.url);
  const canvas = new CanvasPage(page);
  const runbar = page.getByTestId("runbar");
  await inView(page, runbar, "the run bar");

  // Place: tap a palette item, then a spot on the (empty) canvas, even its middle.
  await showTab(page, "components");
  await page.getByTestId("palette-users").tap();
  const area = await page.getByTestId("canvas").boundingBox();
  await page.touchscreen.tap(area.x + area.width * 0.5, area.y + area.height * 0.3);
  await canvas.node("users-1").waitFor();
  await showTab(page, "components");
  await page.getByTestId("palette-web_server").tap();
  await page.touchscreen.tap(area.x + area.width * 0.5, area.y + area.height * 0.7);
  await canvas.node("web-1").waitFor();
  await inView(page, canvas.node("users-1"), "the placed users");
  await inView(page, canvas.node("web-1"), "the placed web server");

  // Wire: a finger from the users' port onto the web server.
  const port = await page.getByTestId("port-users-1").boundingBox();
  const target = await canvas.node("web-1").boundingBox();
  await finger(page).drag(centre(port), centre(target));
  // (A straight wire is a path with no height: attached, not "visible" to Playwright.)
  await page.getByTestId("wire-users-1-web-1").waitFor({ state: "attached", timeout: 3000 });

  // Run, with the run bar in reach throughout. (Chromium's emulated touch can drop the first
  // tap that follows a synthetic drag within its double-tap window: let that pass.)
  await page.waitForTimeout(700);
  await inView(page, page.getByTestId("run"), "Run");
  await page.getByTestId("run").tap();
  await clockPast(page, 1);
  await inView(page, page.getByTestId("pause"), "Pause");

  // Kill by a long press on the server, then its menu.
  const web = await canvas.node("web-1").boundingBox();
  await finger(page).hold(centre(web), 800);
  const kill = page.getByTestId("menu-kill");
  await kill.waitFor({ timeout: 3000 });
  await inView(page, kill, "the menu's Take down");
  await kill.tap();
  await page.getByTestId("badge-web-1").filter({ hasText: "DOWN" }).waitFor({ timeout: 5000 });
  await page.getByTestId("pause").tap();
  await inView(page, runbar, "the run bar while paused");
  await page.screenshot({ path: path.join(SCREENS, `${name}-run.png`) });

  // Open a lesson from the header, with the run bar still in reach.
  const lessons = page.getByTestId("lessons");
  await lessons.scrollIntoViewIfNeeded();
  await lessons.tap();
  await page.getByTestId("lesson-open-one-server").tap();
  await page.getByTestId("lesson-step-title").waitFor();
  await inView(page, page.getByTestId("lesson-step-title"), "the lesson's step");
  await inView(page, runbar, "the run bar with a lesson open");
  await page.screenshot({ path: path.join(SCREENS, `${name}-lesson.png`) });
  assert.deepEqual(page.problems, []);
}

describe("touch screens", () => {
  const fixture = withSite("/");

  test("a phone (390×844, touch): place, wire, run, kill and open a lesson", async () => {
    await mkdir(SCREENS, { recursive: true });
    await touchFlow(fixture, "phone", { width: 390, height: 844 }, true);
  });

  test("a tablet (1024×768, touch): place, wire, run, kill and open a lesson", async () => {
    await mkdir(SCREENS, { recursive: true });
    await touchFlow(fixture, "tablet", { width: 1024, height: 768 }, false);
  });

  test("on a phone the palette folds away for the tap that places, and the canvas comes first", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    await page.goto(fixture.site.url);
    const canvas = await page.getByTestId("canvas").boundingBox();
    assert.ok(canvas.width >= 388, `full width: ${canvas.width}`);
    assert.ok(canvas.y < 120, `near the top: ${canvas.y}`);
    assert.ok(canvas.height >= 280, `tall enough to use: ${canvas.height}`);
    await page.getByTestId("palette-cache").tap();
    assert.equal(await page.getByTestId("palette").isVisible(), false, "folded");
    const unfolded = await page.getByTestId("canvas").boundingBox();
    assert.ok(unfolded.height > canvas.height + 100, `the canvas grew: ${unfolded.height}`);
    assert.equal(await page.getByTestId("minimap").count(), 0);
    assert.deepEqual(page.problems, []);
  });
});

describe("desktops", () => {
  const fixture = withSite("/");

  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 1024, height: 768 },
  ]) {
    test(`${viewport.width}×${viewport.height}: every chart reachable, nothing overlapping, a steady run bar`, async () => {
      const page = await openPage(fixture.browser, { viewport });
      await page.goto(fixture.site.url);
      const canvas = new CanvasPage(page);
      await openExample(page, "load-balancer-failover");
      await canvas.node("web-3").waitFor();
      const runbar = page.getByTestId("runbar");
      const before = (await runbar.boundingBox()).height;
      // Long enough to still be running at full speed.
      await page.getByTestId("duration").fill("86400");
      await page.getByTestId("duration").press("Enter");
      await page.getByTestId("speed").selectOption("10×");
      await page.getByTestId("run").click();
      const heights = [];
      for (let k = 0; k < 6; k++) {
        await page.waitForTimeout(400);
        heights.push((await runbar.boundingBox()).height);
      }
      // The sampled-requests legend (shown below full speed) clear of the zoom controls and
      // the minimap.
      const legend = await page.getByTestId("flow-legend").boundingBox();
      for (const other of ["zoom-out", "zoom-in", "zoom-level"]) {
        assert.ok(!overlap(legend, await page.getByTestId(other).boundingBox()), `legend clear of ${other}`);
      }
      if (await page.getByTestId("minimap").count()) {
        assert.ok(!overlap(legend, await page.getByTestId("minimap").boundingBox()), "legend clear of the minimap");
      }
      await page.getByTestId("speed").selectOption("As fast as possible");
      await page.waitForTimeout(400);
      heights.push((await runbar.boundingBox()).height);
      await page.getByTestId("pause").click();
      heights.push((await runbar.boundingBox()).height);
      assert.ok(heights.every((h) => Math.abs(h - before) < 1), `run bar ${before} px, then ${heights}`);

      // The three run-wide charts: fully visible in their panel, or reachable by its scroll.
      await showTab(page, "charts");
      const panel = await page.locator(".ap-results__charts").boundingBox();
      for (const id of ["chart-throughput", "chart-latency", "chart-errors"]) {
        const chart = page.getByTestId(id);
        await chart.scrollIntoViewIfNeeded();
        const box = await chart.boundingBox();
        assert.ok(
          box.x >= panel.x - 1 && box.x + box.width <= panel.x + panel.width + 1 &&
            box.y >= panel.y - 1 && box.y + box.height <= panel.y + panel.height + 1,
          `${id} within its panel: ${JSON.stringify([box, panel])}`,
        );
      }
      if (viewport.width === 1280) {
        // Side by side, all three at once, no scrolling.
        const boxes = await Promise.all(
          ["chart-throughput", "chart-latency", "chart-errors"].map((id) => page.getByTestId(id).boundingBox()),
        );
        for (const b of boxes) assert.ok(b.x + b.width <= panel.x + panel.width + 1, "no scroll needed");
      }
      const name = viewport.width === 1280 ? "desktop" : "desktop-1024";
      await mkdir(SCREENS, { recursive: true });
      await page.screenshot({ path: path.join(SCREENS, `${name}-run.png`) });
      assert.deepEqual(page.problems, []);
    });
  }

  test("1280×800 with a lesson open: the canvas keeps most of the width", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(`${fixture.site.url}#lesson=load-balancer&step=1`);
    await page.getByTestId("lesson-step-title").waitFor();
    const canvas = await page.getByTestId("canvas").boundingBox();
    assert.ok(canvas.width >= 640, `canvas ${canvas.width} px wide`);
    assert.ok(await page.getByTestId("palette").isVisible(), "the palette is one tab away, and shown");
    // Selecting a component brings its settings.
    const node = page.locator("[data-testid^=node-]").first();
    await node.click();
    await page.getByTestId("inspector").waitFor();
    assert.ok(await page.getByTestId("inspector").isVisible());
    assert.equal(await page.getByTestId("panel-tab-inspector").getAttribute("aria-selected"), "true");
    await mkdir(SCREENS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENS, "desktop-lesson.png") });
    assert.deepEqual(page.problems, []);
  });
});

describe("popovers", () => {
  const fixture = withSite("/");

  test("Examples, Lessons and Share close on Escape (focus back on their button) and on a press outside", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(fixture.site.url);
    await page.getByTestId("canvas").waitFor();
    for (const [button, panel] of [
      ["examples", "gallery"],
      ["lessons", "lesson-list"],
      ["share", "share-panel"],
    ]) {
      await page.getByTestId(button).click();
      await page.getByTestId(panel).waitFor();
      await page.keyboard.press("Escape");
      await page.getByTestId(panel).waitFor({ state: "hidden" });
      assert.equal(
        await page.evaluate(() => document.activeElement?.getAttribute("data-testid")),
        button,
        `focus back on ${button}`,
      );
      await page.getByTestId(button).click();
      await page.getByTestId(panel).waitFor();
      // A press on the canvas, outside the popover.
      const area = await page.getByTestId("canvas").boundingBox();
      await page.mouse.click(area.x + 40, area.y + area.height - 40);
      await page.getByTestId(panel).waitFor({ state: "hidden" });
    }
    // The Embed dialog is never under the Share popover, even opened from the keyboard.
    await page.getByTestId("share").click();
    await page.getByTestId("share-panel").waitFor();
    await page.getByTestId("embed").focus();
    await page.keyboard.press("Enter");
    await page.getByTestId("embed-dialog").waitFor();
    const z = (id) => page.getByTestId(id).evaluate((el) => Number(getComputedStyle(el).zIndex));
    if (await page.getByTestId("share-panel").isVisible()) {
      assert.ok((await z("embed-dialog")) > (await z("share-panel")), "the dialog is on top");
    }
    assert.deepEqual(page.problems, []);
  });
});

describe("finding your way", () => {
  const fixture = withSite("/");

  test("a click in the middle of an empty canvas places there", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(fixture.site.url);
    const area = await page.getByTestId("canvas").boundingBox();
    await page.getByTestId("palette-users").click();
    await page.mouse.click(area.x + area.width / 2, area.y + area.height / 2);
    const users = await new CanvasPage(page).node("users-1").boundingBox();
    assert.ok(Math.abs(users.x + users.width / 2 - (area.x + area.width / 2)) < 24, "centred where clicked");
    assert.deepEqual(page.problems, []);
  });

  test("the shortcuts are on screen: ? opens the sheet, Escape closes it", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(fixture.site.url);
    await page.getByTestId("canvas").waitFor();
    await page.keyboard.press("?");
    const sheet = page.getByTestId("shortcuts-sheet");
    await sheet.waitFor();
    const text = await sheet.textContent();
    for (const key of ["W", "K", "Ctrl+Z", "Escape", "long press"]) assert.ok(text.includes(key), `names ${key}`);
    await page.keyboard.press("Escape");
    await sheet.waitFor({ state: "hidden" });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-testid")), "shortcuts");
    await page.getByTestId("shortcuts").click();
    await sheet.waitFor();
    assert.deepEqual(page.problems, []);
  });

  test("added from the keyboard, a component goes beside the selected one; Tidy lays it all out in one undo", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(fixture.site.url);
    const canvas = new CanvasPage(page);
    await canvas.add("users");
    await canvas.node("users-1").click();
    await canvas.add("load_balancer");
    const u = await canvas.position("users-1");
    const lb = await canvas.position("lb-1");
    assert.equal(lb.y, u.y, "same row");
    assert.ok(lb.x > u.x + 168, "to the right");
    // Scatter two more, wire them, and tidy.
    await canvas.add("web_server", "database");
    await canvas.wireByKeyboard("users-1", "lb-1");
    await canvas.wireByKeyboard("lb-1", "web-1");
    await canvas.wireByKeyboard("web-1", "db-1");
    await page.getByTestId("tidy").click();
    const xs = await Promise.all(["users-1", "lb-1", "web-1", "db-1"].map(async (id) => (await canvas.position(id)).x));
    assert.ok(xs[0] < xs[1] && xs[1] < xs[2] && xs[2] < xs[3], `left to right: ${xs}`);
    await page.getByTestId("undo").click();
    assert.deepEqual(await canvas.position("users-1"), u, "one Undo puts it back");
    assert.deepEqual(page.problems, []);
  });

  test("a bad run-bar value is refused beside the field, in the field's words; the pace is in real time", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(fixture.site.url);
    await openExample(page, "single-server");
    await new CanvasPage(page).node("server").waitFor();
    for (const [field, typed, words] of [
      ["duration", "abc", /^Length \(s\) takes simulated seconds, more than 0/],
      ["duration", "0", /^Length \(s\) takes/],
      ["traffic", "-1", /^Traffic × takes how many times the users' rates, from 0 to 1,000, not “-1”/],
      ["seed", "x", /^Seed takes a whole number from 0/],
    ]) {
      await page.getByTestId(field).fill(typed);
      await page.getByTestId(field).press("Enter");
      const problem = page.getByTestId("runbar-problem");
      await problem.waitFor();
      assert.match(await problem.textContent(), words);
      assert.equal(await page.getByTestId(field).getAttribute("aria-invalid"), "true");
      assert.ok(!(await problem.textContent()).includes("  "), "no double spaces");
    }
    await page.getByTestId("duration").fill("120");
    await page.getByTestId("duration").press("Enter");
    assert.equal(await page.getByTestId("runbar-problem").count(), 0, "a good value clears it");
    await page.getByTestId("speed").selectOption("10×");
    await page.getByTestId("run").click();
    await page.getByTestId("run-status").filter({ hasText: /real time/ }).waitFor();
    assert.match(await page.getByTestId("run-status").textContent(), /Running at ×\d+(\.\d+)? real time/);
    assert.deepEqual(page.problems, []);
  });

  test("undo during a run changes the diagram, and the canvas says the run keeps what happened", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(fixture.site.url);
    const canvas = new CanvasPage(page);
    await openExample(page, "load-balancer-failover");
    await canvas.node("web-1").waitFor();
    await page.getByTestId("speed").selectOption("10×");
    await page.getByTestId("run").click();
    await clockPast(page, 2);
    await canvas.node("web-1").focus();
    await page.keyboard.press("k");
    await page.getByTestId("badge-web-1").filter({ hasText: "DOWN" }).waitFor();
    assert.equal(await page.getByTestId("run-diverged").count(), 0);
    await page.keyboard.press("Control+z");
    const said = page.getByTestId("run-diverged");
    await said.waitFor();
    assert.match(await said.textContent(), /not this run: what has happened in the run stays/);
    assert.match(await page.getByTestId("badge-web-1").textContent(), /DOWN/, "the run keeps the kill");
    await page.getByTestId("diverged-reset").click();
    await said.waitFor({ state: "hidden" });
    assert.deepEqual(page.problems, []);
  });
});

describe("the first seconds", () => {
  const fixture = withSite("/");

  test("while the code arrives, the page says what it is and draws the linked diagram's outline", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1024, height: 700 } });
    // Hold the app's wasm back, as a slow network would.
    let release;
    const held = new Promise((r) => (release = r));
    await page.route(/archplay-web-.*\.wasm$/, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${fixture.site.url}#example=load-balancer-failover`, { waitUntil: "domcontentloaded" });
    const splash = page.getByTestId("splash");
    await splash.waitFor();
    assert.match(await splash.textContent(), /architecture playground/);
    await page.waitForFunction(() => document.querySelectorAll("#ap-splash-outline rect").length === 7);
    assert.match(await splash.textContent(), /Load balancer with health checks/);
    await inView(page, page.locator("#ap-splash-outline"), "the outline");
    release();
    await new CanvasPage(page).node("web-3").waitFor();
    assert.equal(await splash.count(), 0, "gone once the app is up");
    assert.deepEqual(page.problems, []);
  });
});

describe("the usual mistakes", () => {
  const fixture = withSite("/");

  test("on a phone: Run before wiring says what is missing; a tap on a port, then on the target, wires", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    await page.goto(fixture.site.url);
    const canvas = new CanvasPage(page);
    const area = await page.getByTestId("canvas").boundingBox();
    await page.getByTestId("palette-users").tap();
    await page.touchscreen.tap(area.x + area.width / 2, area.y + area.height * 0.3);
    await showTab(page, "components");
    await page.getByTestId("palette-web_server").tap();
    await page.touchscreen.tap(area.x + area.width / 2, area.y + area.height * 0.7);
    await canvas.node("web-1").waitFor();
    // Run with no wire: a sentence that names what is missing, readable on a phone.
    await page.getByTestId("run").tap();
    const notice = page.getByTestId("notice");
    await notice.waitFor();
    assert.match(await notice.textContent(), /users-1 is not wired/);
    assert.ok((await notice.boundingBox()).width > 300, "as wide as the screen allows");
    await notice.getByRole("button", { name: "Dismiss" }).tap();
    // A tap on the port (not a drag), then a tap on the server.
    const port = await page.getByTestId("port-users-1").boundingBox();
    await page.touchscreen.tap(port.x + port.width / 2, port.y + port.height / 2);
    assert.match(await page.getByTestId("announcer").textContent(), /tap the component it sends requests to/);
    const web = await canvas.node("web-1").boundingBox();
    await page.touchscreen.tap(web.x + web.width / 2, web.y + web.height / 2);
    await page.getByTestId("wire-users-1-web-1").waitFor({ state: "attached" });
    await page.waitForTimeout(700);
    await page.getByTestId("run").tap();
    await clockPast(page, 1);
    assert.deepEqual(page.problems, []);
  });
});
