// Auto-scaling in real Chromium: run the auto-scaling example at full speed and watch the web
// tier grow through the surge (badge, instance chart, log); then turn the chaos monkey up from
// the run bar and see it applied to the live run.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { openPage } from "./browser.mjs";
import { CanvasPage, clockPast, latest, openExample, withSite } from "./canvas-page.mjs";

describe("auto-scaling", () => {
  const fixture = withSite("/");

  test("a surge scales the web tier out by the chapter's policy; the chaos monkey joins live", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(fixture.site.url);
    const canvas = new CanvasPage(page);
    await openExample(page, "auto-scaling");
    await canvas.node("web").waitFor();
    // The canvas says it is a group before anything runs.
    assert.match(await canvas.node("web").textContent(), /Auto-scaled 3–20/);
    await page.getByTestId("speed").selectOption("As fast as possible");
    await page.getByTestId("run").click();

    // Five hot minutes after the surge at 300 s: +5, booting for 3 minutes. The last stretch at
    // 100×, so Pause lands close to 1,300 s (flat out, one slice can cover minutes).
    await clockPast(page, 1150, 60000);
    await page.getByTestId("speed").selectOption("100×");
    await clockPast(page, 1300, 60000);
    await page.getByTestId("pause").click();
    assert.match(await page.getByTestId("badge-web").textContent(), /^1[23] up · busy/);
    await canvas.node("web").click();
    await page.getByTestId("chart-web-instances").waitFor();
    assert.ok((await latest(page, "chart-web-instances")) >= 12);
    assert.ok((await latest(page, "chart-web-cost_per_hour")) >= 2.4, "13 × $0.20/h");
    // Each scaling step is a marker on the charts.
    const marks = await page.locator("[data-testid=chart-throughput] .ap-chart__marker title").allTextContents();
    assert.ok(marks.some((m) => /^600 s: web: scaling out from 3 to 8 instances/.test(m)), marks.join("\n"));
    // The bill: the diagram's 3 instances, and what the run pays now.
    assert.match(await page.getByTestId("cost").textContent(), /^\$0\.60\/h · \$438\/month · now \$2\.[4-8]0\/h$/);

    // The chaos monkey, from the run bar, applied to the paused run at once.
    await page.getByTestId("chaos").fill("600");
    await page.getByTestId("chaos").press("Enter");
    assert.match(await page.getByTestId("announcer").textContent(), /Chaos monkey: 600 instance kills an hour/);
    await page.getByTestId("run").click();
    await clockPast(page, 1500, 60000);
    await page.getByTestId("pause").click();
    await page.getByTestId("tab-log").click();
    const log = await page.getByTestId("log").textContent();
    assert.match(log, /web: scaling out from 3 to 8 instances \(CPU 100 %\)[\s\S]*web: scaling out from 8 to 13 instances/);
    assert.match(log, /chaos monkey on: 600 kills an hour/);
    assert.match(log, /web: failed instance #\d+ detected, launching a replacement/);
    assert.deepEqual(page.problems, []);
  });
});
