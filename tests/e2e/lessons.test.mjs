// Lessons in the browser: lesson 4 (the load balancer) opened by its link and played through
// the UI, step by step, each checkpoint passing from the live run; progress survives a reload;
// a teacher's lesson file opens from the Lessons menu.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { openPage } from "./browser.mjs";
import { CanvasPage, withSite } from "./canvas-page.mjs";

/**
 * Waits until the step's checkpoint has passed: the pass note shows and the step's dot is
 * ticked. (A pass is recorded the moment every condition holds at once; live values may wander
 * afterwards, so the conditions themselves are not re-read.)
 */
async function passes(page, step, timeout = 30000) {
  await page.getByTestId("lesson-passed").waitFor({ timeout });
  assert.equal(await page.getByTestId(`lesson-dot-${step}`).textContent(), "✓");
}

describe("lessons", () => {
  const fixture = withSite();

  it("plays lesson 4 opened by its link, every step through the UI", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1360, height: 860 } });
    await page.goto(`${fixture.site.url}#lesson=load-balancer&step=1`);
    const canvas = new CanvasPage(page);
    const title = page.getByTestId("lesson-step-title");
    await title.waitFor();
    assert.equal(await title.textContent(), "1. Spread the load");
    await canvas.node("web-2").waitFor();
    // Nothing passes before the learner acts.
    assert.equal(await page.getByTestId("lesson-passed").count(), 0);
    assert.match(await page.getByTestId("lesson-check").textContent(), /press Run/);

    // Step 1: run and watch both servers take half.
    await page.getByTestId("speed").selectOption("10×");
    await page.getByTestId("run").click();
    await passes(page, 1);
    await page.getByTestId("pause").click();
    await page.getByTestId("lesson-next").click();
    assert.equal(await title.textContent(), "2. A server dies");

    // Step 2: kill web-1 from its menu; the health checks take it out, errors stop.
    await canvas.node("web-1").click({ button: "right" });
    await page.getByTestId("menu-kill").click();
    await page.getByTestId("run").click();
    await passes(page, 2);
    await page.getByTestId("pause").click();
    await page.getByTestId("lesson-next").click();
    assert.equal(await title.textContent(), "3. Back in rotation");
    // The hints come one at a time; the worked solution on request.
    await page.getByTestId("lesson-hint").click();
    assert.equal(await page.locator("[data-testid=lesson-hints] li").count(), 1);
    await page.getByTestId("lesson-show-me").click();
    assert.match(await page.getByTestId("lesson-solution").textContent(), /Bring web-1 back/);

    // Step 3: restore it; two good probes bring it back.
    await canvas.node("web-1").click({ button: "right" });
    assert.match(await page.getByTestId("menu-kill").textContent(), /Bring web-1 back/);
    await page.getByTestId("menu-kill").click();
    await page.getByTestId("run").click();
    await passes(page, 3);
    await page.getByTestId("pause").click();
    await page.getByTestId("lesson-next").click();
    assert.equal(await title.textContent(), "4. A traffic spike");
    assert.equal(await page.getByTestId("traffic").inputValue(), "3", "the step tripled the traffic");

    // Step 4: add a 16-core server behind the load balancer, wired to the database, and rerun.
    const before = await page.locator("[data-testid^=node-web-]").count();
    await canvas.add("web_server");
    await canvas.node("web-3").waitFor();
    assert.equal(await page.locator("[data-testid^=node-web-]").count(), before + 1);
    await canvas.node("web-3").click();
    await page.getByTestId("param-size").selectOption("c16");
    await canvas.wireByKeyboard("lb", "web-3");
    await canvas.wireByKeyboard("web-3", "db");
    await canvas.wire("lb", "web-3").waitFor();
    await canvas.wire("web-3", "db").waitFor();
    await page.getByTestId("reset").click();
    await page.getByTestId("run").click();
    await passes(page, 4);
    // Every step is marked done.
    for (const n of [1, 2, 3, 4]) {
      assert.equal(await page.getByTestId(`lesson-dot-${n}`).textContent(), "✓", `step ${n}`);
    }
    assert.deepEqual(page.problems, []);

    // Progress is saved: the Lessons menu says so after a reload.
    await page.reload();
    await page.getByTestId("lessons").click();
    assert.match(await page.getByTestId("lesson-open-load-balancer").textContent(), /Done: all 4 steps/);
  });

  it("opens a step by link where the earlier steps leave it, and names a missing lesson", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1360, height: 860 } });
    await page.goto(`${fixture.site.url}#lesson=load-balancer&step=3`);
    await page.getByTestId("lesson-step-title").waitFor();
    // Steps 1 and 2 were played to get here: the run is paused at 35 s with web-1 down.
    assert.equal(await page.getByTestId("clock").textContent(), "35.000 s");
    assert.match(await page.getByTestId("badge-web-1").textContent(), /DOWN/);

    // The Embed dialog offers to start the embed at this step; its live preview shows it.
    await page.getByTestId("embed").click();
    assert.equal(await page.getByTestId("embed-lesson").isChecked(), true);
    assert.match(await page.getByTestId("embed-code").inputValue(), /\?embed=1#lesson=load-balancer&amp;step=3"/);
    const preview = page.frameLocator("[data-testid=embed-preview]");
    await preview.getByTestId("lesson-step-title").waitFor();
    assert.equal(await preview.getByTestId("lesson-step-title").textContent(), "3. Back in rotation");
    await page.getByTestId("embed-lesson").uncheck();
    assert.match(await page.getByTestId("embed-code").inputValue(), /#d=v1\./);
    await page.getByTestId("embed-close").click();

    await page.goto(`${fixture.site.url}#lesson=no-such-lesson`);
    await page.getByTestId("notice").waitFor();
    assert.match(await page.getByTestId("notice").textContent(), /The lesson 'no-such-lesson' could not be opened/);
  });

  it("replays the earlier steps of a heavy lesson a slice at a time, the page responsive meanwhile", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1360, height: 860 } });
    await page.goto(`${fixture.site.url}#lesson=capstone&step=3`);
    // 90 simulated seconds of the whole chapter at 10,000 req/s are replayed to reach step 3.
    await page.getByTestId("lesson-preparing").waitFor();
    // The page answers while it works: the Lessons menu opens and closes.
    await page.getByTestId("lessons").click();
    await page.getByTestId("lesson-list").waitFor();
    await page.getByTestId("lessons").click();
    await page.getByTestId("lesson-step-title").waitFor({ timeout: 120000 });
    assert.equal(await page.getByTestId("lesson-step-title").textContent(), "3. Hold the SLO");
    assert.equal(await page.getByTestId("lesson-preparing").count(), 0);
    assert.equal(await page.getByTestId("clock").textContent(), "90.000 s");
    assert.deepEqual(page.problems, []);
  });

  it("plays the teacher's example lesson from docs/lessons.md, opened as a file", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1360, height: 860 } });
    await page.goto(fixture.site.url);
    const doc = readFileSync(new URL("../../docs/lessons.md", import.meta.url), "utf8");
    const json = doc.match(/<!-- example-lesson -->\s*```json\n([\s\S]*?)```/)[1];
    await page.getByTestId("lessons").click();
    await page.getByTestId("lesson-file").setInputFiles({ name: "my-lesson.json", mimeType: "application/json", buffer: Buffer.from(json) });
    await page.getByTestId("lesson-panel").waitFor();
    const lesson = JSON.parse(json);
    assert.equal(await page.getByTestId("lesson-step-title").textContent(), `1. ${lesson.steps[0].title}`);
    await page.getByTestId("speed").selectOption("10×");
    await page.getByTestId("run").click();
    await passes(page, 1);
  });
});
