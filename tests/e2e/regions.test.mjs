// Data-center boxes, the minimap and touch, in real Chromium.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { readFile } from "node:fs/promises";

import { openPage } from "./browser.mjs";
import { bigDiagram } from "./big-diagram.mjs";
import { CanvasPage, withSite } from "./canvas-page.mjs";

const AUTOSAVE_KEY = "archplay.autosave.v1";

/** Opens the app with `diagram` already autosaved, as if the user had built it earlier. */
async function openWith(browser, url, diagram, options = {}) {
  const page = await openPage(browser, { viewport: { width: 1280, height: 800 }, ...options });
  await page.addInitScript(([key, json]) => {
    if (!sessionStorage.getItem("seeded")) {
      localStorage.setItem(key, json);
      sessionStorage.setItem("seeded", "1");
    }
  }, [AUTOSAVE_KEY, JSON.stringify(diagram)]);
  await page.goto(url);
  await page.getByTestId("canvas").waitFor();
  return page;
}

const regions = {
  format: "archplay-diagram",
  version: 1,
  name: "Two regions",
  components: [
    { id: "lb", kind: "load_balancer", x: 0, y: 168 },
    { id: "dc-1", kind: "data_center", x: 240, y: 0, params: { width: 432, height: 240 } },
    { id: "web-1", kind: "web_server", x: 264, y: 72 },
    { id: "web-2", kind: "web_server", x: 264, y: 312 },
  ],
  wires: [
    { from: "lb", to: "web-1" },
    { from: "lb", to: "web-2" },
  ],
};

describe("data centers, minimap and touch", () => {
  const fixture = withSite("/");

  test("a data center is placed from the palette, holds what is inside it and moves it along", async () => {
    const page = await openWith(fixture.browser, fixture.site.url, regions);
    const canvas = new CanvasPage(page);
    const dc = canvas.node("dc-1");
    assert.equal(await dc.getAttribute("data-kind"), "data_center");
    assert.match(await dc.getAttribute("aria-label"), /Data center dc-1 · Virginia/);

    // Drag the box by its title bar: web-1 (inside) moves with it, web-2 and lb stay.
    const [dc0, w10, w20] = [await canvas.position("dc-1"), await canvas.position("web-1"), await canvas.position("web-2")];
    const bar = await page.locator("[data-testid=node-dc-1] .ap-region__header").boundingBox();
    await page.mouse.move(bar.x + 100, bar.y + 10);
    await page.mouse.down();
    await page.mouse.move(bar.x + 160, bar.y + 60, { steps: 6 });
    // While dragging, what it holds follows (before anything is committed).
    const during = await canvas.position("web-1");
    assert.ok(during.x > w10.x + 20, `web-1 follows the drag: ${during.x} vs ${w10.x}`);
    await page.mouse.up();
    const [dc1, w11, w21] = [await canvas.position("dc-1"), await canvas.position("web-1"), await canvas.position("web-2")];
    const dx = dc1.x - dc0.x;
    const dy = dc1.y - dc0.y;
    assert.ok(dx > 0 && dy > 0 && dx % 24 === 0 && dy % 24 === 0, `moved on the grid: ${dx}, ${dy}`);
    assert.deepEqual(w11, { x: w10.x + dx, y: w10.y + dy }, "web-1 moved with its data center");
    assert.deepEqual(w21, w20, "web-2 (outside) stayed");
    assert.match(await page.getByTestId("announcer").textContent(), /Moved dc-1/);

    // One undo puts both back.
    await page.keyboard.press("Control+z");
    assert.deepEqual(await canvas.position("dc-1"), dc0);
    assert.deepEqual(await canvas.position("web-1"), w10);

    // Resize from the corner: the inspector shows the new, snapped size.
    const handle = await page.getByTestId("resize-dc-1").boundingBox();
    await page.mouse.move(handle.x + 8, handle.y + 8);
    await page.mouse.down();
    await page.mouse.move(handle.x + 8 + 100, handle.y + 8 + 130, { steps: 5 });
    await page.mouse.up();
    await page.locator("[data-testid=node-dc-1] .ap-region__header").click({ position: { x: 60, y: 10 } });
    const width = Number(await page.getByTestId("param-width").inputValue());
    const height = Number(await page.getByTestId("param-height").inputValue());
    assert.ok(width > 432 && width % 24 === 0, `width ${width}`);
    assert.ok(height > 240 && height % 24 === 0, `height ${height}`);
    // Now web-2 is inside too; the arrow keys move both.
    await page.keyboard.press("ArrowRight");
    assert.equal((await canvas.position("web-2")).x, w20.x + 24, "web-2 now moves with the box");

    // A data center cannot be wired, and says why.
    await canvas.wireByKeyboard("lb", "dc-1");
    assert.match(await page.getByTestId("wire-refusal").first().textContent(), /box around components/);

    // Deleting the box keeps what it held.
    await canvas.node("dc-1").focus();
    await page.keyboard.press("Delete");
    assert.equal(await canvas.node("dc-1").count(), 0);
    assert.ok(await canvas.node("web-1").isVisible(), "web-1 stays");
    assert.match(await page.getByTestId("announcer").textContent(), /what the data center held stays/);

    // And a new one comes from the palette like any component.
    await canvas.add("data_center");
    assert.ok(await canvas.node("dc-1").isVisible(), "placed with the keyboard");
    assert.deepEqual(page.problems, []);
  });

  test("a region's round trips are edited in the inspector, saved, and undone", async () => {
    const page = await openWith(fixture.browser, fixture.site.url, regions);
    const canvas = new CanvasPage(page);
    const dc = regions.components.find((c) => c.kind === "data_center");
    await canvas.node(dc.id).focus();
    await page.getByTestId("round-trips").waitFor();
    const field = page.getByTestId("rtt-tokyo");
    const before = await field.inputValue();
    await field.fill("123");
    await field.press("Enter");
    await page.waitForFunction(
      (k) => JSON.parse(localStorage.getItem(k) ?? "{}").region_latency?.[0]?.round_trip_ms === 123,
      AUTOSAVE_KEY,
    );
    // Back to the default: the override goes away.
    await page.getByTestId("undo").click();
    assert.equal(await field.inputValue(), before);
    await field.fill("-4");
    await field.press("Enter");
    assert.match(await page.locator("[data-testid=round-trips] .ap-field__error").filter({ hasText: "outside" }).textContent(), /outside 0–10000 ms/);
    assert.deepEqual(page.problems, []);
  });

  test("the minimap shows a large diagram and moves the view", async () => {
    const page = await openWith(fixture.browser, fixture.site.url, bigDiagram());
    await page.getByTestId("node-db-60").waitFor({ state: "attached" });
    // Fitted on load: everything in view, no minimap needed.
    assert.equal(await page.getByTestId("minimap").count(), 0, "no minimap while all fits");
    await page.getByTestId("zoom-in").click();
    await page.getByTestId("zoom-in").click();
    await page.getByTestId("zoom-in").click();
    const minimap = page.getByTestId("minimap");
    await minimap.waitFor();
    const view = page.getByTestId("minimap-view");
    const before = await view.boundingBox();
    const box = await minimap.boundingBox();
    // Press near the minimap's bottom-right corner: the view moves there.
    await page.mouse.click(box.x + box.width - 20, box.y + box.height - 20);
    const after = await view.boundingBox();
    assert.ok(after.x > before.x + 20 && after.y > before.y + 10, `view moved: ${JSON.stringify([before, after])}`);
    const centre = { x: after.x + after.width / 2, y: after.y + after.height / 2 };
    assert.ok(Math.abs(centre.x - (box.x + box.width - 20)) < 3, "centred where pressed (x)");
    assert.ok(Math.abs(centre.y - (box.y + box.height - 20)) < 3, "centred where pressed (y)");
    assert.deepEqual(page.problems, []);
  });

  test("touch: tap to place, drag with a finger, pinch to zoom", async () => {
    const page = await openWith(fixture.browser, fixture.site.url, regions, { hasTouch: true, isMobile: false });
    const canvas = new CanvasPage(page);
    // Tap a palette item, then the canvas: the component lands where the canvas was tapped.
    await page.getByTestId("palette-database").tap();
    assert.ok(await page.getByTestId("placing-hint").isVisible(), "the canvas says what to do next");
    const area = await page.getByTestId("canvas").boundingBox();
    await page.touchscreen.tap(area.x + 600, area.y + area.height - 100);
    const db = canvas.node("db-1");
    assert.ok(await db.isVisible(), "placed by tapping");
    const dbBox = await db.boundingBox();
    assert.ok(Math.abs(dbBox.x + dbBox.width / 2 - (area.x + 600)) < 24, "centred on the tap (x)");
    assert.equal(await page.getByTestId("placing-hint").count(), 0);

    const cdp = await page.context().newCDPSession(page);
    // One finger on a component drags it.
    const lb0 = await canvas.position("lb");
    const lbBox = await canvas.node("lb").boundingBox();
    const finger = (type, x, y) =>
      cdp.send("Input.dispatchTouchEvent", { type, touchPoints: type === "touchEnd" ? [] : [{ x, y, id: 7 }] });
    await finger("touchStart", lbBox.x + 60, lbBox.y + 20);
    for (let k = 1; k <= 6; k++) await finger("touchMove", lbBox.x + 60 + 16 * k, lbBox.y + 20 + 12 * k);
    await finger("touchEnd");
    const lb1 = await canvas.position("lb");
    assert.ok(lb1.x > lb0.x + 48 && lb1.y > lb0.y + 24, `dragged by touch: ${JSON.stringify([lb0, lb1])}`);

    // Pinch: two fingers moving apart zoom in about their midpoint.
    const zoom = async () => Number((await page.getByTestId("zoom-level").textContent()).replace(/[^\d]/g, ""));
    const z0 = await zoom();
    const mid = { x: area.x + 300, y: area.y + area.height / 2 };
    const touch = (type, spread) =>
      cdp.send("Input.dispatchTouchEvent", {
        type,
        touchPoints:
          type === "touchEnd"
            ? []
            : [
                { x: mid.x - spread, y: mid.y, id: 1 },
                { x: mid.x + spread, y: mid.y, id: 2 },
              ],
      });
    await touch("touchStart", 40);
    for (let s = 50; s <= 120; s += 10) await touch("touchMove", s);
    await touch("touchEnd", 0);
    const z1 = await zoom();
    assert.ok(z1 > z0 * 2.5, `pinching out zoomed in: ${z0} % → ${z1} %`);
    assert.deepEqual(page.problems, []);
  });
});

describe("export", () => {
  const fixture = withSite("/");

  test("the diagram saves as an SVG and a PNG picture", async () => {
    const page = await openWith(fixture.browser, fixture.site.url, regions, { acceptDownloads: true });
    const [svgDownload] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-svg").click()]);
    assert.equal(svgDownload.suggestedFilename(), "two-regions.svg");
    const svg = await readFile(await svgDownload.path(), "utf8");
    // Well-formed, and it draws what the diagram holds.
    const parsed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, "image/svg+xml");
      return {
        error: doc.querySelector("parsererror")?.textContent ?? null,
        texts: [...doc.querySelectorAll("text")].map((t) => t.textContent),
        paths: doc.querySelectorAll("path[marker-end]").length,
        viewBox: doc.documentElement.getAttribute("viewBox"),
      };
    }, svg);
    assert.equal(parsed.error, null);
    assert.equal(parsed.paths, 2, "two wires");
    for (const t of ["lb", "web-1", "web-2", "Load balancer", "dc-1 · Virginia (US-East)"]) {
      assert.ok(parsed.texts.includes(t), `${t} in ${parsed.texts}`);
    }
    // Bounds: x from 0 to 240 + 432, y from 0 to 312 + 64; plus a 24-unit margin all round.
    assert.equal(parsed.viewBox, "-24 -24 720 424");

    const [pngDownload] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-png").click()]);
    assert.equal(pngDownload.suggestedFilename(), "two-regions.png");
    const png = await readFile(await pngDownload.path());
    assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], "a PNG file");
    // IHDR: width and height, big-endian, at bytes 16..24: twice the picture's size.
    assert.equal(png.readUInt32BE(16), 1440);
    assert.equal(png.readUInt32BE(20), 848);
    assert.deepEqual(page.problems, []);
  });
});
