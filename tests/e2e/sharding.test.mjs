// Sharding and alert rules in real Chromium: reshard the resharding example live from the
// router's menu and see the copying in the log and on the router's chart; change an alert rule
// from the inspector and see the run follow it.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { openPage } from "./browser.mjs";
import { CanvasPage, clockPast, latest, openExample, runExample, withSite } from "./canvas-page.mjs";

describe("sharding and alert rules", () => {
  const fixture = withSite("/");

  test("reshard from the router's menu: the share of keys that move, then the copying", async () => {
    const { page, canvas } = await runExample(fixture, "resharding", "router", "10×");
    await clockPast(page, 5);
    await canvas.node("router").click({ button: "right" });
    await page.getByTestId("menu-reshard-5").click();
    assert.match(await page.getByTestId("announcer").textContent(), /Resharded router to 5 shards at [\d.]+ s \(added to the timeline\)/);
    await canvas.node("router").click();
    await page.getByTestId("chart-router-migrating").waitFor();
    await clockPast(page, 12);
    assert.equal(await latest(page, "chart-router-shards"), 5);
    const left = await latest(page, "chart-router-migrating");
    assert.ok(left > 50000 && left < 80100, `keys left to move: ${left}`);
    await page.getByTestId("pause").click();
    await page.getByTestId("tab-log").click();
    assert.match(await page.getByTestId("log").textContent(), /router: resharding 4 → 5 shards: 80\.0 % of keys move \(80006 to copy at 500 a second\)/);
    assert.deepEqual(page.problems, []);
  });

  test("an alert rule set in the inspector decides what the run alerts on", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(fixture.site.url);
    const canvas = new CanvasPage(page);
    await openExample(page, "replication-failover");
    await canvas.node("db").waitFor();
    // Nothing selected: the inspector shows the alert rules.
    await page.getByTestId("alert-error_pct").fill("30");
    await page.getByTestId("alert-error_pct").press("Enter");
    assert.match(await page.getByTestId("announcer").textContent(), /Alert rule: Error rate above \(%\) 30/);
    await page.getByTestId("speed").selectOption("As fast as possible");
    await page.getByTestId("run").click();
    // The 90 s run ends on its own at full speed.
    await page.getByTestId("run-status").filter({ hasText: /Finished/ }).waitFor({ timeout: 60000 });
    await page.getByTestId("tab-log").click();
    const log = await page.getByTestId("log").textContent();
    // The failover's errors (a tenth of the traffic) never reach 30 %.
    assert.match(log, /db down/);
    assert.doesNotMatch(log, /alert: error rate/);
    assert.deepEqual(page.problems, []);
  });
});
