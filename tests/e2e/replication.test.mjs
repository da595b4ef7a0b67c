// Replication and sessions in real Chromium: kill the master from the canvas and watch writes
// fail until a replica is promoted; kill a stateful server and watch its users logged out.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { openPage } from "./browser.mjs";
import { CanvasPage, clock, clockPast, openExample, withSite } from "./canvas-page.mjs";


/** The latest value of each line in a chart's read-out, by label ("all 12 req/s"). */
async function readout(page, chart) {
  return page.locator(`[data-testid=${chart}] .ap-chart__readout`).first().textContent();
}

describe("replication and sessions", () => {
  const fixture = withSite("/");

  test("killing the master: writes fail until the most up-to-date replica is promoted", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(fixture.site.url);
    const canvas = new CanvasPage(page);
    await openExample(page, "replication-failover");
    await canvas.node("replica-1").waitFor();
    await page.getByTestId("speed").selectOption("10×");
    await page.getByTestId("run").click();
    await clockPast(page, 8);
    assert.match(await page.getByTestId("badge-replica-1").textContent(), /lag \d/);

    await canvas.node("db").focus();
    await page.keyboard.press("k");
    const killedAt = await clock(page);
    await page.getByTestId("badge-db").filter({ hasText: "DOWN" }).waitFor();
    // Writes are refused while nobody takes them: the error chart shows it.
    await page.waitForFunction(() => /all [1-9]/.test(document.querySelector("[data-testid=chart-errors] .ap-chart__readout")?.textContent ?? ""), null, {
      timeout: 5000,
    });
    // Failover after 10 simulated seconds; then writes succeed again.
    await clockPast(page, killedAt + 14);
    await page.getByTestId("pause").click();
    assert.match(await readout(page, "chart-errors"), /all 0 req\/s/);
    await page.getByTestId("tab-log").click();
    const log = await page.getByTestId("log").textContent();
    assert.match(log, /db down/);
    assert.match(log, /replica-[12] promoted to primary \(db down\); \d+ unreplicated writes lost/);
    assert.deepEqual(page.problems, []);
  });

  test("a stateful server's death logs its users out", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(fixture.site.url);
    const canvas = new CanvasPage(page);
    await openExample(page, "sticky-sessions");
    await canvas.node("web-2").waitFor();
    await page.getByTestId("speed").selectOption("10×");
    await page.getByTestId("run").click();
    await clockPast(page, 36);
    await page.getByTestId("pause").click();
    // The errors chart names the new cause.
    assert.match(await page.getByTestId("chart-errors").textContent(), /logged out/);
    await page.getByTestId("tab-log").click();
    assert.match(await page.getByTestId("log").textContent(), /web-2 down, losing [1-9]\d* sessions/);
    assert.deepEqual(page.problems, []);
  });
});
