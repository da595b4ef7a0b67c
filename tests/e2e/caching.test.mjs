// Caches in real Chromium: open the cache example, run it, see the hit rate on the cache's
// badge and chart; flush it from the canvas and see the flush in the log and on the timeline;
// then watch the scheduled cache failure send the database to 100 % and latency up.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { clockPast, latest, runExample, withSite } from "./canvas-page.mjs";

describe("caching", () => {
  const fixture = withSite("/");

  test("the cache example: hit rate, a flush from the canvas, and the stampede", async () => {
    const { page, canvas } = await runExample(fixture, "cache-stampede", "cache", "10×");
    await clockPast(page, 12);

    // The cache publishes its hit rate: on its badge and as a chart when selected.
    assert.match(await page.getByTestId("badge-cache").textContent(), /hit \d+(\.\d+)? %/);
    await canvas.node("cache").click();
    await page.getByTestId("chart-cache-hit_rate").waitFor();
    const hitRate = await latest(page, "chart-cache-hit_rate");
    assert.ok(hitRate > 40 && hitRate < 100, `hit rate ${hitRate}`);

    // Flush it from the canvas's menu: logged, put on the timeline, the cache empties.
    await canvas.node("cache").click({ button: "right" });
    await page.getByTestId("menu-flush").click();
    assert.match(await page.getByTestId("announcer").textContent(), /Flushed cache at [\d.]+ s \(added to the timeline\)/);

    // The scheduled failure at 30 s: every read goes to the database.
    await clockPast(page, 42);
    await page.getByTestId("pause").click();
    await canvas.node("db").click();
    await page.getByTestId("chart-db-utilisation").waitFor();
    assert.ok((await latest(page, "chart-db-utilisation")) > 95, "the database saturates");
    const p50 = await latest(page, "chart-latency");
    assert.ok(p50 > 300, `median latency during the stampede: ${p50} ms`);
    assert.match(await page.getByTestId("badge-cache").textContent(), /DOWN/);

    await page.getByTestId("tab-log").click();
    const log = await page.getByTestId("log").textContent();
    assert.match(log, /cache flushed: [1-9]\d* items dropped/);
    assert.match(log, /cache down, losing [1-9]\d* cached items/);
    assert.deepEqual(page.problems, []);
  });
});
