// Live-run benchmark (not a test): the reference network in headless Chromium.
// 0. The engine alone, through the page's benchmark hook (src/ui/mod.rs).
// 1. "As fast as possible" over the example's 1,200 simulated seconds (about 1.08 million
//    requests), twice: simulated requests per wall-clock second, counting from Run to Finished
//    (the first 3 s after the page opened).
// 2. 100x for a few wall seconds: the interval between animation frames while it runs.
// Run it with scripts/bench-run.sh.
import { serveSite } from "./server.mjs";
import { launch, openPage } from "./browser.mjs";
import { openExample } from "./canvas-page.mjs";

const dist = process.env.ARCHPLAY_DIST;
if (!dist) throw new Error("ARCHPLAY_DIST must name the built site");
const site = await serveSite(dist, "/");
const browser = await launch();
const fmt = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `median ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms, max ${s[s.length - 1].toFixed(1)} ms`;
};
try {
  const page = await openPage(browser, { viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  await page.goto(site.url);
  await openExample(page, "reference-network");
  await page.getByTestId("node-web-4").waitFor();
  // A user looks at the diagram before running it; meanwhile the app starts its simulation
  // worker (1.5 s after it opens) and the worker warms up. A run asked for sooner starts in
  // the page and moves to the worker once it is ready.
  await page.waitForTimeout(3000);

  // 0. The engine alone in this browser (no page work, no drawing), best of three: what the
  //    live runner below would reach if it spent every millisecond simulating.
  const engine = await page.evaluate(() => {
    let best = Infinity;
    let requests = 0;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      requests = window.wasmBindings.benchReferenceNetwork(1200);
      best = Math.min(best, (performance.now() - started) / 1000);
    }
    return { requests, best };
  });
  console.log(
    `engine alone: ${engine.requests} requests in ${engine.best.toFixed(2)} s wall = ${(engine.requests / engine.best / 1e6).toFixed(2)} M simulated req/s`,
  );

  // 1. As fast as possible, twice: the first run is the worker's first; the second, after
  //    Reset, is the steady pace.
  await page.getByTestId("speed").selectOption("As fast as possible");
  for (const which of ["first run", "second run"]) {
    // Record animation-frame intervals while it runs (the page must keep drawing), and time the
    // run in the page: from the click to the status saying Finished (a mutation observer, so
    // the browser driver's own round trips are not counted).
    await page.evaluate(() => {
      window.__frames = [];
      let last = performance.now();
      const tick = (now) => {
        window.__frames.push(now - last);
        last = now;
        if (!document.querySelector("[data-testid=run-status]")?.textContent.includes("Finished")) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      const status = document.querySelector("[data-testid=run-status]");
      document.querySelector("[data-testid=run]").addEventListener("click", () => (window.__clicked = performance.now()), { once: true });
      const seen = new MutationObserver(() => {
        if (status.textContent.includes("Finished")) {
          window.__finished = performance.now();
          seen.disconnect();
        }
      });
      seen.observe(status, { subtree: true, childList: true, characterData: true });
    });
    await page.getByTestId("run").click();
    await page.getByTestId("run-status").filter({ hasText: "Finished" }).waitFor({ timeout: 300_000 });
    const wall = await page.evaluate(() => (window.__finished - window.__clicked) / 1000);
    const maxFrames = await page.evaluate(() => window.__frames.slice(2));
    // The exact number simulated: the per-second "sent" column of the run's CSV, summed.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
    const { readFile } = await import("node:fs/promises");
    const rows = (await readFile(await download.path(), "utf8")).trim().split("\n");
    const col = rows[0].split(",").indexOf("sent");
    const requests = rows.slice(1).reduce((sum, r) => sum + Number(r.split(",")[col]), 0);
    console.log(
      `as fast as possible, ${which}: ${requests} requests in ${wall.toFixed(2)} s wall = ${(requests / wall / 1e6).toFixed(2)} M simulated req/s ` +
        `(${((100 * engine.best) / wall).toFixed(0)} % of the engine alone's pace)`,
    );
    console.log(`as fast as possible, ${which}: frame interval ${fmt(maxFrames)} over ${maxFrames.length} frames`);
    await page.getByTestId("reset").click();
  }

  await page.getByTestId("speed").selectOption("100×");
  await page.getByTestId("run").click();
  const frames = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const out = [];
        let last = performance.now();
        const tick = (now) => {
          out.push(now - last);
          last = now;
          if (out.length < 240) requestAnimationFrame(tick);
          else resolve(out.slice(10));
        };
        requestAnimationFrame(tick);
      }),
  );
  await page.getByTestId("pause").click();
  console.log(`100×: frame interval ${fmt(frames)} over ${frames.length} frames`);
  if (page.problems.length) throw new Error(`page problems: ${page.problems.join("; ")}`);
} finally {
  await browser.close();
  await site.close();
}
