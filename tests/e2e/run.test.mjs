// Running live in real Chromium: open an example, run it, watch the charts and the clock, break
// a server and watch the system react, pause, step, reset; and the browser's figures equal the
// native runner's for the same seed and duration.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { openPage } from "./browser.mjs";
import { CanvasPage, clock, openExample, runExample, withSite } from "./canvas-page.mjs";


/** The y values of a chart line's points (SVG units: larger is lower on the chart). */
async function lineHeights(page, chart, index = 0) {
  const d = await page.locator(`[data-testid=${chart}] .ap-chart__lines path`).nth(index).getAttribute("d");
  return [...(d ?? "").matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((m) => Number(m[1]));
}

describe("running live", () => {
  const fixture = withSite("/");

  test("run an example: charts fill, the clock moves, a killed server is routed around", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(fixture.site.url);
    const canvas = new CanvasPage(page);
    // A four-server tier with spare capacity, no scheduled failures.
    await openExample(page, "reference-network");
    await canvas.node("web-4").waitFor();
    assert.equal(await clock(page), 0);

    await page.getByTestId("speed").selectOption("10×");
    await page.getByTestId("run").click();
    // Within 2 s of wall time: the clock has moved and both charts show non-zero data.
    await page.waitForFunction(
      () => {
        const nonZero = (id) => {
          const text = document.querySelector(`[data-testid=${id}] .ap-chart__readout`)?.textContent ?? "";
          return /[1-9]/.test(text.replace(/^\s*[\d.]+ s/, ""));
        };
        return nonZero("chart-throughput") && nonZero("chart-latency");
      },
      null,
      { timeout: 2000 },
    );
    assert.ok((await clock(page)) > 1, "the simulated clock advances");
    assert.match(await page.getByTestId("badge-web-1").textContent(), /busy \d+(\.\d+)? %/);
    // Sampled requests flow along the wires (reads as dots, static assets as diamonds).
    await page.waitForFunction(() =>
      ["flow-reads", "flow-statics"].some((id) => (document.querySelector(`[data-testid=${id}]`)?.getAttribute("d") ?? "") !== ""),
    );

    // Break a server from the keyboard: it is marked down, the load balancer's health checks
    // notice, errors rise, then stop once it is out of rotation.
    await canvas.node("web-2").focus();
    await page.keyboard.press("k");
    await page.getByTestId("badge-web-2").filter({ hasText: "DOWN" }).waitFor();
    assert.match(await canvas.node("web-2").getAttribute("aria-label"), /down/);
    // The kill goes on the diagram's timeline, so a rerun repeats it.
    assert.match(await page.getByTestId("announcer").textContent(), /Killed web-2 at [\d.]+ s \(added to the timeline\)/);
    const killedAt = await clock(page);
    // Until the health checks notice, requests sent to web-2 come back as errors: crosses.
    await page.waitForFunction(() => (document.querySelector("[data-testid=flow-errors]")?.getAttribute("d") ?? "") !== "", null, {
      timeout: 5000,
      polling: "raf",
    });
    // Health checks every 5 s, 2 failures: out of rotation within ~15 simulated seconds.
    await page.waitForFunction((t) => Number(document.querySelector("[data-testid=clock]").textContent.replace(" s", "")) > t + 25, killedAt, { timeout: 8000 });
    await page.getByTestId("pause").click();

    await page.getByTestId("tab-log").click();
    const log = await page.getByTestId("log").textContent();
    assert.match(log, /web-2 down/);
    assert.match(log, /health check failed: web-2/);
    assert.match(log, /web-2 out of rotation/);
    await page.getByTestId("tab-charts").click();
    // Errors: zero before the kill, some after, zero again at the end (y = the chart's baseline).
    const errors = await lineHeights(page, "chart-errors");
    const baseline = Math.max(...errors);
    assert.ok(errors.some((y) => y < baseline - 5), "the error rate rose");
    assert.equal(errors[errors.length - 1], baseline, "and recovered");

    // Pause stops the clock.
    const paused = await clock(page);
    await page.waitForTimeout(400);
    assert.equal(await clock(page), paused, "paused: the clock holds");
    assert.match(await page.getByTestId("run-status").textContent(), /Paused/);
    // Step advances exactly one simulated second.
    await page.getByTestId("step").click();
    await page.waitForFunction((t) => document.querySelector("[data-testid=clock]").textContent !== `${t.toFixed(3)} s`, paused);
    assert.ok(Math.abs((await clock(page)) - (paused + 1)) < 1e-6, "step: one second");

    // Keep this run, then reset: the kept run stays on the charts, faintly, for comparison.
    await page.getByTestId("keep-run").click();
    // Reset clears the run: clock at zero, charts empty, badges gone.
    await page.getByTestId("reset").click();
    assert.equal(await clock(page), 0);
    assert.equal(
      await page.locator("[data-testid=chart-throughput] .ap-chart__lines path:not(.ap-chart__line--6)").count(),
      0,
      "the run's lines are cleared",
    );
    assert.equal(await page.locator("[data-testid=chart-throughput] .ap-chart__line--6").count(), 4, "the kept run's two lines (and keys)");
    assert.match(await page.getByTestId("chart-throughput").textContent(), /kept \(seed 1, \d+ s\)/);
    await page.getByTestId("clear-kept").click();
    assert.equal(await page.locator("[data-testid=chart-throughput] .ap-chart__lines path").count(), 0, "charts cleared");
    assert.equal(await page.getByTestId("badge-web-1").textContent(), "");

    // The run's length is a run setting: 20 simulated seconds, as fast as possible.
    await page.getByTestId("duration").fill("20");
    await page.getByTestId("duration").press("Enter");
    await page.getByTestId("speed").selectOption("As fast as possible");
    await page.getByTestId("run").click();
    await page.getByTestId("run-status").filter({ hasText: "Finished" }).waitFor({ timeout: 20000 });
    assert.equal(await clock(page), 20);
    assert.deepEqual(page.problems, []);
  });

  test("as fast as possible runs in a worker thread; a kill, a pause and slowing down bring the run back", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    const workers = [];
    page.on("worker", (w) => workers.push(new URL(w.url()).pathname));
    await page.goto(fixture.site.url);
    const canvas = new CanvasPage(page);
    await openExample(page, "reference-network");
    await canvas.node("web-4").waitFor();
    // Long enough to act on while it runs.
    await page.getByTestId("duration").fill("4000");
    await page.getByTestId("duration").press("Enter");
    // The app starts its worker as it opens, before any run asks for it.
    for (let i = 0; i < 100 && workers.length === 0; i++) await page.waitForTimeout(100);
    assert.deepEqual(workers, ["/archplay-worker_loader.js"]);
    await page.getByTestId("speed").selectOption("As fast as possible");
    await page.getByTestId("run").click();
    await page.getByTestId("run-status").filter({ hasText: "Running in a worker thread" }).waitFor({ timeout: 10000 });
    assert.deepEqual(workers, ["/archplay-worker_loader.js"]);
    await page.getByTestId("run-status").filter({ hasText: "Finished" }).waitFor({ timeout: 60000 });
    assert.equal(await clock(page), 4000);

    // What the worker computed, exported from the page, equals the native runner's figures for
    // the page's share link.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
    const fs = await import("node:fs/promises");
    const browserCsv = await fs.readFile(await download.path(), "utf8");
    await page.getByTestId("share").click();
    const link = await page.getByTestId("share-link").inputValue();
    await page.keyboard.press("Escape");
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const nativeCsv = execFileSync(`${root}target/debug/archplay`, ["run", link, "--format", "csv"], {
      encoding: "utf8",
      maxBuffer: 64 << 20,
    });
    assert.equal(browserCsv, nativeCsv);

    // The finished run's state came back as bytes, decoded only when something needs it: a kill
    // now does, and lands at the end.
    await canvas.node("web-1").focus();
    await page.keyboard.press("k");
    await page.getByTestId("badge-web-1").filter({ hasText: "DOWN" }).waitFor();
    assert.match(await page.getByTestId("announcer").textContent(), /Killed web-1 at 4000(\.0)? s/);

    // Again, and break a server while the worker has the run: the run comes back to the page,
    // takes the kill (on the timeline, at the time it took it) and goes back to the worker.
    await page.getByTestId("reset").click();
    await page.getByTestId("run").click();
    await page.getByTestId("run-status").filter({ hasText: "Running in a worker thread" }).waitFor({ timeout: 10000 });
    await page.waitForFunction(() => Number(document.querySelector("[data-testid=clock]").textContent.replace(" s", "")) > 100);
    await canvas.node("web-2").focus();
    await page.keyboard.press("k");
    await page.getByTestId("badge-web-2").filter({ hasText: "DOWN" }).waitFor();
    const [, killedAt] = (await page.getByTestId("announcer").textContent()).match(/Killed web-2 at ([\d.]+) s \(added to the timeline\)/);
    await page.getByTestId("run-status").filter({ hasText: "Running in a worker thread" }).waitFor({ timeout: 10000 });

    // Pause: the run comes back and the clock stands still.
    await page.getByTestId("pause").click();
    await page.getByTestId("run-status").filter({ hasText: "Paused" }).waitFor();
    await page.waitForTimeout(300);
    const pausedAt = await clock(page);
    assert.ok(pausedAt > Number(killedAt) && pausedAt < 4000, `paused at ${pausedAt}`);
    await page.waitForTimeout(500);
    assert.equal(await clock(page), pausedAt, "the clock stands still");
    await page.getByTestId("tab-log").click();
    assert.match(await page.getByTestId("log").textContent(), /web-2 down/);
    await page.getByTestId("tab-charts").click();

    // At 100x the page runs it itself, from where it was paused.
    await page.getByTestId("speed").selectOption("100×");
    await page.getByTestId("run").click();
    await page.waitForFunction((t) => Number(document.querySelector("[data-testid=clock]").textContent.replace(" s", "")) > t + 5, pausedAt);
    assert.match(await page.getByTestId("run-status").textContent(), /^Running(?! in a worker)/);
    await page.getByTestId("pause").click();
    assert.deepEqual(page.problems, []);
  });

  test("live controls: inspector edits, the traffic multiplier and a spike reach the running simulation", async () => {
    const { page, canvas } = await runExample(fixture, "reference-network", "web-4", "10×");
    // "in" is the first value of the throughput read-out.
    const sent = async () => {
      const b = await page.locator("[data-testid=chart-throughput] .ap-chart__readout b").first().textContent();
      const [, v, k] = b.match(/([\d.]+)(k?) req\/s/);
      return Number(v) * (k ? 1000 : 1);
    };
    // Waits until the latest "in" figure lies in [min, max].
    const waitSent = (min, max) =>
      page.waitForFunction(
        ([lo, hi]) => {
          const b = document.querySelector("[data-testid=chart-throughput] .ap-chart__readout b")?.textContent ?? "";
          const m = b.match(/([\d.]+)(k?) req\/s/);
          const v = m ? Number(m[1]) * (m[2] ? 1000 : 1) : NaN;
          return v >= lo && v <= hi;
        },
        [min, max],
        { timeout: 10000 },
      );
    await waitSent(700, 1100); // about 900

    // Double the users' rate in the inspector while it runs.
    await canvas.node("users").click();
    await page.getByTestId("param-rate").fill("1800");
    await page.getByTestId("param-rate").press("Enter");
    await waitSent(1500, 2100); // about 1800

    // The global multiplier halves it again.
    await page.getByTestId("traffic").fill("0.5");
    await page.getByTestId("traffic").press("Enter");
    await waitSent(700, 1100); // about 900

    // A spike: five times that for ten simulated seconds, then back.
    await page.getByTestId("spike").click();
    await waitSent(3500, 6000); // about 4500
    await waitSent(700, 1100); // back to about 900
    await page.getByTestId("pause").click();
    await page.getByTestId("tab-log").click();
    const log = await page.getByTestId("log").textContent();
    assert.match(log, /users: settings changed/);
    assert.match(log, /traffic scaled to 2\.5×/);
    assert.match(log, /traffic scaled to 0\.5×/);

    // Adding a component is not something a running simulation can take: the run says so.
    await canvas.add("web_server");
    assert.match(await page.getByTestId("run-status").textContent(), /Reset to run the new version/);
    await page.getByTestId("tab-charts").click();
    assert.ok((await sent()) > 0, "the paused run's charts stay until Reset");
    assert.deepEqual(page.problems, []);
  });

  test("as fast as possible shows progress and ends with the native runner's figures", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    await page.goto(fixture.site.url);
    await openExample(page, "load-balancer-failover");
    await new CanvasPage(page).node("web-3").waitFor();
    await page.getByTestId("speed").selectOption("As fast as possible");
    await page.getByTestId("run").click();
    await page.getByTestId("run-status").filter({ hasText: "Finished" }).waitFor({ timeout: 20000 });
    assert.equal(await clock(page), 90, "ran to the example's 90 s");
    assert.equal(await page.getByTestId("progress").getAttribute("value"), "1");

    // The per-second series the browser computed, exported as CSV, equal the native runner's.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
    const fs = await import("node:fs/promises");
    const browserCsv = await fs.readFile(await download.path(), "utf8");
    const root = fileURLToPath(new URL("../..", import.meta.url));
    // The native stage of scripts/test.sh builds this binary from the same commit.
    const runner = `${root}target/debug/archplay`;
    assert.ok(existsSync(runner), "no target/debug/archplay to compare against: run `cargo build --no-default-features --bin archplay` first");
    const nativeCsv = execFileSync(runner, ["run", `${root}public/examples/load-balancer-failover.json`, "--format", "csv"], {
      encoding: "utf8",
    });
    assert.equal(browserCsv, nativeCsv);
    // And from the page's share link: the runner takes the link and gives the same figures.
    await page.getByTestId("share").click();
    const link = await page.getByTestId("share-link").inputValue();
    const fromLink = execFileSync(runner, ["run", link, "--format", "csv"], { encoding: "utf8" });
    assert.equal(fromLink, browserCsv);
    assert.deepEqual(page.problems, []);
  });

  test("the run bar shows what the machines cost, and a bigger machine costs more", async () => {
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(fixture.site.url);
    await openExample(page, "vertical-scaling");
    // Two 4-core machines at $0.20/h: $0.40/h, 730 hours a month.
    await page.getByTestId("cost").filter({ hasText: "$0.40/h · $292/month" }).waitFor();
    // Vertical scaling: the web server becomes a 32-core machine ($1.90/h).
    await new CanvasPage(page).node("web").click();
    await page.getByTestId("param-size").selectOption("c32");
    await page.getByTestId("cost").filter({ hasText: "$2.10/h · $1,533/month" }).waitFor();
    assert.deepEqual(page.problems, []);
  });
});
