// Multiple data centers in real Chromium: run the GeoDNS example, cut the network between the
// regions from a data center's menu and watch the West's replica fall behind and its writes
// fail, heal it and watch the replica catch up; then the scheduled outage of the West, which
// GeoDNS's health checks take out of its answers.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { clockPast, latest, runExample, withSite } from "./canvas-page.mjs";

describe("data centers and GeoDNS", () => {
  const fixture = withSite("/");

  test("a partition from the canvas, then a data-center outage GeoDNS routes around", async () => {
    const { page, canvas } = await runExample(fixture, "geo-dns", "geo", "10×");
    await clockPast(page, 6);

    const westMenu = async () => {
      await page.locator("[data-testid=node-dc-west] .ap-region__header").click({ button: "right" });
      return page.getByTestId("menu-partition-virginia");
    };
    const cut = await westMenu();
    assert.match(await cut.textContent(), /Cut the network oregon ↔ virginia/);
    await cut.click();
    assert.match(
      await page.getByTestId("announcer").textContent(),
      /Cut the network between oregon and virginia at [\d.]+ s \(added to the timeline\)/,
    );

    // The West's replica stops receiving the primary's writes: its lag grows by a second a
    // second; the West's writes to the primary fail.
    await canvas.node("replica-west").click();
    await page.getByTestId("chart-replica-west-lag_ms").waitFor();
    await page.waitForFunction(
      () => {
        const b = document.querySelector("[data-testid=chart-replica-west-lag_ms] .ap-chart__readout b");
        return b && Number(b.textContent.replace(/,/g, "").match(/[\d.]+/)[0]) * (/k/.test(b.textContent) ? 1000 : 1) > 3000;
      },
      null,
      { timeout: 20000 },
    );
    assert.ok((await latest(page, "chart-errors")) > 0, "the West's writes fail");

    const heal = await westMenu();
    assert.match(await heal.textContent(), /Heal the network oregon ↔ virginia/);
    await heal.click();
    assert.match(await page.getByTestId("announcer").textContent(), /Healed the network between oregon and virginia/);
    // (The menu selected the data center: select the replica again.)
    await canvas.node("replica-west").click();
    await page.waitForFunction(
      () => {
        const b = document.querySelector("[data-testid=chart-replica-west-lag_ms] .ap-chart__readout b");
        return b && !/k/.test(b.textContent) && Number(b.textContent.replace(/,/g, "").match(/[\d.]+/)[0]) < 1000;
      },
      null,
      { timeout: 20000 },
    );

    // A slow link: the wire from the East's first server to the primary gets 20 ms more, then
    // is mended.
    await canvas.wire("web-east-1", "db").focus();
    await page.getByTestId("wire-delay").fill("20");
    await page.getByTestId("wire-delay").press("Enter");
    assert.match(await page.getByTestId("announcer").textContent(), /Slowed the wire web-east-1 → db by 20 ms at [\d.]+ s/);
    await page.getByTestId("wire-delay").fill("0");
    await page.getByTestId("wire-delay").press("Enter");
    assert.match(await page.getByTestId("announcer").textContent(), /The wire web-east-1 → db is back to normal/);

    // The scheduled outage at 30 s: GeoDNS's checks (every 5 s, 3 failures) take the West out
    // of its answers, and the errors stop.
    await clockPast(page, 48);
    await canvas.node("geo").click();
    await page.getByTestId("chart-geo-healthy").waitFor();
    assert.equal(await latest(page, "chart-geo-healthy"), 1);
    assert.match(await page.locator("[data-testid=chart-errors] .ap-chart__readout").first().textContent(), /all 0 req\/s/);
    await page.getByTestId("pause").click();
    await page.getByTestId("tab-log").click();
    const log = await page.getByTestId("log").textContent();
    assert.match(log, /network partition: oregon and virginia cut off from each other/);
    assert.match(log, /network between oregon and virginia healed/);
    assert.match(log, /dc-west down[\s\S]*lb-west out of rotation \(health checks failing\)/);
    assert.match(log, /wire web-east-1 → db slowed by 20 ms[\s\S]*wire web-east-1 → db back to normal/);
    assert.deepEqual(page.problems, []);
  });
});
