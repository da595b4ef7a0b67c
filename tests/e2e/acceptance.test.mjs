// The canvas editor's acceptance scenario, twice: with the pointer, then with the keyboard only.
// Build users → load balancer → two servers, change a server's worker count in the inspector,
// undo and redo it, reload, and find the same diagram.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { CanvasPage, withSite } from "./canvas-page.mjs";

async function diagramAfterReload(page) {
  await page.waitForTimeout(900); // autosave is at most 0.5 s behind
  await page.reload();
  await page.getByTestId("node-users-1").waitFor();
  return page.evaluate(() => JSON.parse(localStorage.getItem("archplay.autosave.v1")));
}

function assertBuilt(saved) {
  assert.deepEqual(saved.components.map((c) => c.id).sort(), ["lb-1", "users-1", "web-1", "web-2"]);
  assert.deepEqual(
    saved.wires.map((w) => `${w.from}>${w.to}`).sort(),
    ["lb-1>web-1", "lb-1>web-2", "users-1>lb-1"],
  );
  const web1 = saved.components.find((c) => c.id === "web-1");
  assert.equal(web1.params.workers, 12, "the redone worker count survived the reload");
}

describe("acceptance: build, edit, undo/redo, reload", () => {
  const fixture = withSite("/");

  test("with the pointer", async () => {
    const context = await fixture.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(fixture.site.url);
    const canvas = page.getByTestId("canvas");
    const place = (kind, x, y) => page.getByTestId(`palette-${kind}`).dragTo(canvas, { targetPosition: { x, y } });
    await place("users", 120, 220);
    await place("load_balancer", 380, 220);
    await place("web_server", 640, 120);
    await place("web_server", 640, 340);
    const canvasPage = new CanvasPage(page);
    await canvasPage.wireByDrag("users-1", "lb-1");
    await canvasPage.wireByDrag("lb-1", "web-1");
    await canvasPage.wireByDrag("lb-1", "web-2");
    await page.getByTestId("node-web-1").click();
    const workers = page.getByTestId("param-workers");
    await workers.fill("12");
    await workers.press("Tab");
    await page.getByTestId("undo").click();
    assert.equal(await workers.inputValue(), "4");
    await page.getByTestId("redo").click();
    assert.equal(await workers.inputValue(), "12");
    assertBuilt(await diagramAfterReload(page));
    for (const id of ["users-1", "lb-1", "web-1", "web-2"]) {
      assert.ok(await page.getByTestId(`node-${id}`).isVisible(), id);
    }
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("with the keyboard only", async () => {
    const context = await fixture.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(fixture.site.url);
    const focused = () => page.evaluate(() => document.activeElement?.dataset?.testid ?? "");
    // Tab until the element with this test id has focus (bounded: a missing one fails).
    const tabTo = async (testid, backwards = false) => {
      for (let i = 0; i < 80; i++) {
        if ((await focused()) === testid) return;
        await page.keyboard.press(backwards ? "Shift+Tab" : "Tab");
      }
      assert.fail(`could not reach ${testid} with Tab`);
    };
    for (const kind of ["users", "load_balancer", "web_server", "web_server"]) {
      await tabTo(`palette-${kind}`, kind === "web_server");
      await page.keyboard.press("Enter");
    }
    const wire = async (from, to) => {
      await tabTo(`node-${from}`);
      await page.keyboard.press("w");
      await tabTo(`node-${to}`, true);
      await page.keyboard.press("Enter");
      assert.match(await page.getByTestId("announcer").textContent(), new RegExp(`Wired ${from} to ${to}`));
    };
    await wire("users-1", "lb-1");
    await wire("lb-1", "web-1");
    await wire("lb-1", "web-2");
    await tabTo("node-web-1", true);
    await page.keyboard.press("Enter"); // opens the inspector
    await tabTo("param-workers");
    await page.keyboard.press("Control+a");
    await page.keyboard.type("12");
    await page.keyboard.press("Tab"); // commits the value
    // Back on the component (Ctrl+Z inside a text field is the field's own undo), undo and redo
    // the diagram's change.
    await tabTo("node-web-1", true);
    await page.keyboard.press("Control+z");
    assert.equal(await page.getByTestId("param-workers").inputValue(), "4", "the diagram's value was undone");
    await page.keyboard.press("Control+y");
    assert.equal(await page.getByTestId("param-workers").inputValue(), "12", "and redone");
    assertBuilt(await diagramAfterReload(page));
    await context.close();
  });
});
