// Editing on the canvas in real Chromium: place from the palette by keyboard and by dragging,
// select, move, delete, undo and redo.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

import { openPage } from "./browser.mjs";
import { CanvasPage, withSite } from "./canvas-page.mjs";

/** The translate(x y) of a node, as numbers. */
const position = (page, id) => new CanvasPage(page).position(id);

describe("canvas editing", () => {
  const fixture = withSite("/");

  test("keyboard: add from the palette, move with arrows, delete, undo and redo", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(fixture.site.url);
    await page.getByTestId("palette-users").focus();
    await page.keyboard.press("Enter");
    const node = page.getByTestId("node-users-1");
    assert.ok(await node.isVisible(), "users-1 placed");
    assert.equal(await node.getAttribute("data-kind"), "users");
    assert.match(await page.getByTestId("announcer").textContent(), /Added users users-1/);

    await page.getByTestId("palette-web_server").focus();
    await page.keyboard.press("Enter");
    await page.keyboard.press("Enter");
    assert.ok(await page.getByTestId("node-web-2").isVisible(), "numbering continues");

    await node.focus();
    const before = await position(page, "users-1");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowDown");
    const moved = await position(page, "users-1");
    assert.deepEqual(moved, { x: before.x + 24, y: before.y + 24 });

    await page.keyboard.press("Delete");
    assert.equal(await page.getByTestId("node-users-1").count(), 0, "deleted");
    await page.keyboard.press("Control+z");
    assert.ok(await page.getByTestId("node-users-1").isVisible(), "undo brings it back");
    assert.deepEqual(await position(page, "users-1"), moved, "where it was");
    await page.keyboard.press("Control+Shift+z");
    assert.equal(await page.getByTestId("node-users-1").count(), 0, "redo deletes again");
    await page.getByTestId("undo").click();
    assert.ok(await page.getByTestId("node-users-1").isVisible(), "the undo button works");
    await page.keyboard.press("Control+y");
    assert.equal(await page.getByTestId("node-users-1").count(), 0, "Ctrl+Y redoes");
    assert.deepEqual(page.problems, []);
  });

  test("pointer: drag from the palette to place, drag a node to move it", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(fixture.site.url);
    const canvas = page.getByTestId("canvas");
    await page.getByTestId("palette-load_balancer").dragTo(canvas, { targetPosition: { x: 300, y: 200 } });
    const lb = page.getByTestId("node-lb-1");
    assert.ok(await lb.isVisible(), "dropped on the canvas");
    const placed = await position(page, "lb-1");
    // Centred on the drop point, snapped to the 24-unit grid.
    assert.equal(placed.x % 24, 0);
    assert.equal(placed.y % 24, 0);
    assert.ok(Math.abs(placed.x + 84 - 300) <= 12 && Math.abs(placed.y + 32 - 200) <= 12, JSON.stringify(placed));

    const box = await lb.boundingBox();
    await page.mouse.move(box.x + 20, box.y + 20);
    await page.mouse.down();
    await page.mouse.move(box.x + 80, box.y + 60, { steps: 5 });
    await page.mouse.move(box.x + 140, box.y + 120, { steps: 5 });
    await page.mouse.up();
    const dragged = await position(page, "lb-1");
    assert.deepEqual(dragged, { x: placed.x + 120, y: placed.y + 96 }, "moved by the drag, snapped");
    await page.getByTestId("undo").click();
    assert.deepEqual(await position(page, "lb-1"), placed, "one undo step for the whole drag");
    assert.deepEqual(page.problems, []);
  });

  test("wiring: drag from a port, refusals explained where the user looks, keyboard wiring", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(fixture.site.url);
    await new CanvasPage(page).add(...["users", "load_balancer", "web_server", "database", "dns"]);
    const canvasPage = new CanvasPage(page);
    await canvasPage.wireByDrag("users-1", "lb-1");
    assert.equal(await page.getByTestId("wire-users-1-lb-1").count(), 1, "users wired to the balancer");

    // A database may not call DNS: the reason shows beside the pointer while hovering...
    await canvasPage.wireByDrag("db-1", "dns-1", { release: false });
    const live = page.locator('text[data-testid="wire-refusal"]');
    assert.match(await live.textContent(), /a database answers queries/);
    await page.mouse.up();
    // ...and stays on the canvas after the release, with no wire made.
    assert.equal(await page.getByTestId("wire-db-1-dns-1").count(), 0);
    assert.match(await page.locator('p[data-testid="wire-refusal"]').textContent(), /Database → DNS/);

    // Keyboard: W on the source, Enter on the target.
    await new CanvasPage(page).wireByKeyboard("lb-1", "web-1");
    assert.equal(await page.getByTestId("wire-lb-1-web-1").count(), 1, "wired by keyboard");
    assert.match(await page.getByTestId("announcer").textContent(), /Wired lb-1 to web-1/);
    await page.keyboard.press("Control+z");
    assert.equal(await page.getByTestId("wire-lb-1-web-1").count(), 0, "wiring undoes");
    // A focused wire is deleted with Delete.
    await page.getByTestId("wire-users-1-lb-1").focus();
    await page.keyboard.press("Delete");
    assert.equal(await page.getByTestId("wire-users-1-lb-1").count(), 0, "wire deleted from the keyboard");
    assert.equal(await page.getByTestId("node-users-1").count(), 1, "its components stay");
    // Enter on a component opens the inspector at its first setting.
    await page.getByTestId("node-web-1").focus();
    await page.keyboard.press("Enter");
    assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), "param-label");
    assert.deepEqual(page.problems, []);
  });

  test("inspector: edit a setting, refuse a bad one with the reason, edit several together", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 900 } });
    await page.goto(fixture.site.url);
    await new CanvasPage(page).add("web_server", "web_server");
    await page.getByTestId("node-web-1").click();
    const inspector = page.getByTestId("inspector");
    assert.equal(await page.getByTestId("inspector-subject").textContent(), "web-1");
    const workers = inspector.getByTestId("param-workers");
    assert.equal(await workers.inputValue(), "4", "the catalogue default");
    await workers.fill("8");
    await workers.press("Enter");
    await workers.blur();
    assert.equal(await page.getByTestId("param-workers-error").textContent(), "");

    await workers.fill("0");
    await workers.press("Tab");
    assert.match(await page.getByTestId("param-workers-error").textContent(), /outside the allowed range 1–100000/);
    await workers.fill("lots");
    await workers.press("Tab");
    assert.match(await page.getByTestId("param-workers-error").textContent(), /not a number/);

    // The refused values changed nothing: undo goes back past the 8 to the default.
    await page.getByTestId("node-web-2").click();
    await page.getByTestId("node-web-1").click();
    assert.equal(await inspector.getByTestId("param-workers").inputValue(), "8");
    await page.getByTestId("undo").click();
    assert.equal(await inspector.getByTestId("param-workers").inputValue(), "4");
    await page.getByTestId("redo").click();
    assert.equal(await inspector.getByTestId("param-workers").inputValue(), "8");

    // Both servers selected: the differing value shows as mixed; one entry sets both.
    await page.getByTestId("node-web-2").click({ modifiers: ["Shift"] });
    assert.equal(await page.getByTestId("inspector-subject").textContent(), "2 web servers");
    const both = inspector.getByTestId("param-workers");
    assert.equal(await both.inputValue(), "");
    assert.equal(await both.getAttribute("placeholder"), "mixed");
    await both.fill("12");
    await both.press("Tab");
    await inspector.getByTestId("param-service").selectOption("lognormal");
    for (const id of ["web-1", "web-2"]) {
      await page.getByTestId(`node-${id}`).click();
      assert.equal(await inspector.getByTestId("param-workers").inputValue(), "12", id);
      assert.equal(await inspector.getByTestId("param-service").inputValue(), "lognormal", id);
    }
    assert.deepEqual(page.problems, []);
  });

  test("persistence: autosave and restore, save and open files, bad files and bad autosaves", async () => {
    const context = await fixture.browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    const page = await context.newPage();
    const problems = [];
    page.on("pageerror", (err) => problems.push(err.message));
    await page.goto(fixture.site.url);
    await new CanvasPage(page).add(...["users", "web_server"]);
    // Autosave runs 0.5 s after the last change.
    await page.waitForFunction(() => localStorage.getItem("archplay.autosave.v1")?.includes('"web-1"'));
    await page.reload();
    await page.getByTestId("node-users-1").waitFor({ timeout: 10000 });
    assert.ok(await page.getByTestId("node-users-1").isVisible(), "restored after reload");
    assert.ok(await page.getByTestId("node-web-1").isVisible());

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("save").click()]);
    assert.equal(download.suggestedFilename(), "untitled.json");
    const saved = JSON.parse(await readFile(await download.path(), "utf8"));
    assert.equal(saved.format, "archplay-diagram");
    assert.deepEqual(saved.components.map((c) => c.id), ["users-1", "web-1"]);

    const example = fileURLToPath(new URL("../../public/examples/load-balancer-failover.json", import.meta.url));
    await page.getByTestId("open-file").setInputFiles(example);
    await page.getByTestId("node-web-3").waitFor();
    assert.equal(await page.getByTestId("wire-lb-web-2").count(), 1, "wires come with the file");
    await page.getByTestId("undo").click();
    assert.equal(await page.getByTestId("node-web-3").count(), 0, "undo goes back to the previous diagram");
    assert.ok(await page.getByTestId("node-users-1").isVisible());

    await page.getByTestId("open-file").setInputFiles({ name: "broken.json", mimeType: "application/json", buffer: Buffer.from("{ not json") });
    await page.getByTestId("notice").waitFor();
    assert.match(await page.getByTestId("notice").textContent(), /broken.json was not opened: not a valid diagram file/);
    assert.ok(await page.getByTestId("node-users-1").isVisible(), "the diagram is unchanged");

    // A corrupted autosave is set aside with a message, never silently dropped.
    await page.evaluate(() => localStorage.setItem("archplay.autosave.v1", '{"version": 1, "components": [{"id": "x", "kind": "mainframe"}]}'));
    await page.reload();
    await page.getByTestId("notice").waitFor();
    assert.match(await page.getByTestId("notice").textContent(), /could not be restored [\s\S]*unknown kind 'mainframe'/);
    const kept = await page.evaluate(() => localStorage.getItem("archplay.autosave.rejected"));
    assert.match(kept, /mainframe/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("view: wheel zooms at the cursor, dragging the background pans, shift-drag box-selects, fit", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(fixture.site.url);
    await new CanvasPage(page).add(...["users", "load_balancer", "web_server", "web_server"]);
    const canvas = await page.getByTestId("canvas").boundingBox();
    const screenOf = async (id) => {
      const b = await page.getByTestId(`node-${id}`).boundingBox();
      return { x: b.x, y: b.y, w: b.width };
    };
    // Zoom in at the users box's top-left corner: that corner stays put, the box grows.
    const before = await screenOf("users-1");
    await page.mouse.move(before.x, before.y);
    await page.mouse.wheel(0, -300);
    const zoomed = await screenOf("users-1");
    assert.ok(zoomed.w > before.w * 1.2, `zoomed ${zoomed.w} vs ${before.w}`);
    assert.ok(Math.abs(zoomed.x - before.x) < 2 && Math.abs(zoomed.y - before.y) < 2, "anchored at the cursor");
    assert.notEqual(await page.getByTestId("zoom-level").textContent(), "100 %");

    // Pan by dragging empty background.
    const start = { x: canvas.x + canvas.width - 60, y: canvas.y + canvas.height - 60 };
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.mouse.move(start.x - 100, start.y - 50, { steps: 5 });
    await page.mouse.up();
    const panned = await screenOf("users-1");
    assert.ok(Math.abs(panned.x - (zoomed.x - 100)) < 2 && Math.abs(panned.y - (zoomed.y - 50)) < 2, "panned");

    // Fit brings everything into view; shift-drag a box around all of it selects all four.
    await page.getByTestId("fit-view").click();
    for (const id of ["users-1", "lb-1", "web-1", "web-2"]) {
      const b = await screenOf(id);
      assert.ok(b.x >= canvas.x && b.x + b.w <= canvas.x + canvas.width, `${id} in view`);
    }
    await page.keyboard.down("Shift");
    await page.mouse.move(canvas.x + 5, canvas.y + 5);
    await page.mouse.down();
    await page.mouse.move(canvas.x + canvas.width - 5, canvas.y + canvas.height - 5, { steps: 5 });
    assert.ok(await page.getByTestId("selection-box").isVisible());
    await page.mouse.up();
    await page.keyboard.up("Shift");
    assert.equal(await page.getByTestId("inspector-subject").count(), 0, "mixed kinds: no single subject");
    assert.match(await page.getByTestId("inspector").textContent(), /4 components of different kinds/);
    assert.deepEqual(page.problems, []);
  });

  test("copy, paste and duplicate keep the wires among the copied components", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(fixture.site.url);
    await new CanvasPage(page).add(...["load_balancer", "web_server"]);
    await new CanvasPage(page).wireByKeyboard("lb-1", "web-1");
    await page.getByTestId("node-lb-1").click();
    await page.getByTestId("node-web-1").click({ modifiers: ["Shift"] });
    await page.keyboard.press("Control+d");
    assert.equal(await page.getByTestId("wire-lb-2-web-2").count(), 1, "duplicate copies the wire");
    assert.match(await page.getByTestId("announcer").textContent(), /Duplicated as lb-2, web-2/);
    await page.keyboard.press("Control+c");
    await page.keyboard.press("Control+v");
    await page.keyboard.press("Control+v");
    assert.equal(await page.getByTestId("wire-lb-3-web-3").count(), 1);
    assert.equal(await page.getByTestId("wire-lb-4-web-4").count(), 1);
    const a = await page.getByTestId("node-lb-3").getAttribute("transform");
    const b = await page.getByTestId("node-lb-4").getAttribute("transform");
    assert.notEqual(a, b, "successive pastes do not stack");
    await page.keyboard.press("Control+z");
    assert.equal(await page.getByTestId("node-lb-4").count(), 0, "a paste is one undo step");
    assert.deepEqual(page.problems, []);
  });

  test("a selected wire's latency and weight are edited in the inspector", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(fixture.site.url);
    await new CanvasPage(page).add(...["load_balancer", "web_server"]);
    await new CanvasPage(page).wireByKeyboard("lb-1", "web-1");
    await page.getByTestId("wire-lb-1-web-1").focus();
    assert.equal(await page.getByTestId("inspector-subject").textContent(), "lb-1 → web-1");
    const latency = page.getByTestId("param-latency_ms");
    assert.equal(await latency.inputValue(), "0.25");
    await latency.fill("20");
    await latency.press("Tab");
    assert.equal(await page.getByTestId("param-latency_ms-error").textContent(), "");
    await latency.fill("-5");
    await latency.press("Tab");
    assert.match(await page.getByTestId("param-latency_ms-error").textContent(), /latency -5 ms is outside 0–60000 ms/);
    const weight = page.getByTestId("param-weight");
    await weight.fill("0");
    await weight.press("Tab");
    assert.match(await page.getByTestId("param-weight-error").textContent(), /weight 0 is outside/);
    assert.equal(await latency.inputValue(), "20", "refusals kept the last good value");
    await page.getByTestId("undo").click();
    assert.equal(await latency.inputValue(), "0.25");
    assert.deepEqual(page.problems, []);
  });
});
