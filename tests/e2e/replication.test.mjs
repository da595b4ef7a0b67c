// Replication and sessions in real Chromium: kill the master from the canvas and watch writes
// fail until a replica is promoted; kill a stateful server and watch its users logged out.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { clock, clockPast, runExample, withSite } from "./canvas-page.mjs";


/** The latest value of each line in a chart's read-out, by label ("all 12 req/s"). */
async function readout(page, chart) {
  return page.locator(`[data-testid=${chart}] .ap-chart__readout`).first().textContent();
}

describe("replication and sessions", () => {
  const fixture = withSite("/");

  test("killing the master: writes fail until the most up-to-date replica is promoted", async () => {
    const { page, canvas } = await runExample(fixture, "replication-failover", "replica-1", "10×");
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
    const { page, canvas } = await runExample(fixture, "sticky-sessions", "web-2", "10×");
    await clockPast(page, 36);
    await page.getByTestId("pause").click();
    // The errors chart names the new cause.
    assert.match(await page.getByTestId("chart-errors").textContent(), /logged out/);
    await page.getByTestId("tab-log").click();
    assert.match(await page.getByTestId("log").textContent(), /web-2 down, losing [1-9]\d* sessions/);
    assert.deepEqual(page.problems, []);
  });
});
