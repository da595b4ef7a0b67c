// Message queues in real Chromium: run the photo-upload example through its worker outage and
// watch the backlog grow on the queue's badge while uploads are still answered, then drain.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { clockPast, runExample, withSite } from "./canvas-page.mjs";

const depth = async (page) => Number((await page.getByTestId("badge-queue").textContent()).match(/depth (\d+)/)[1]);

describe("message queues", () => {
  const fixture = withSite("/");

  test("workers down: the backlog grows while uploads are answered; back up: it drains", async () => {
    const { page, canvas } = await runExample(fixture, "photo-queue", "workers", "10×");
    // The example's outage: the workers die at 30 s and come back at 60 s.
    await clockPast(page, 45);
    const backlog = await depth(page);
    // About 4 jobs a second pile up (≈ 60 by 45 s); users are still answered.
    assert.ok(backlog > 35, `backlog ${backlog}`);
    assert.match(await page.getByTestId("badge-workers").textContent(), /DOWN/);
    assert.match(await page.locator("[data-testid=chart-errors] .ap-chart__readout").first().textContent(), /all 0 req\/s/);
    // Back up at 60 s: the backlog peaks near 120, then drains at about a job a second.
    await clockPast(page, 62);
    const peak = await depth(page);
    assert.ok(peak > backlog, `peak ${peak}`);
    await page.waitForFunction(
      (b) => Number((document.querySelector("[data-testid=badge-queue]")?.textContent ?? "").match(/depth (\d+)/)?.[1] ?? 1e9) < b / 2,
      peak,
      { timeout: 30000 },
    );
    await page.getByTestId("pause").click();
    await page.getByTestId("tab-log").click();
    assert.match(await page.getByTestId("log").textContent(), /workers down[\s\S]*workers up/);
    assert.deepEqual(page.problems, []);
  });
});
