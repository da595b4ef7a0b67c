// Canvas frame benchmark (not a test): loads a diagram of 200 components and 300 wires into the
// release site in headless Chromium, then drags a node and zooms with the wheel, one input event
// per animation frame, and reports frame times. Run it with scripts/bench-canvas.sh.
//
// Three figures per gesture:
// - "script": from dispatching the event until its handlers and the reactive updates and DOM
//   writes they cause are done — the editor's own code;
// - "work": that plus the style recalculation and layout it causes (forced) — paint aside;
// - "frame": the interval between consecutive animation frames while the gesture runs, paint
//   and raster included — what a user sees; 16.7 ms is 60 frames per second. Headless Chromium
//   here rasterises in software (no GPU), which makes repainting the whole canvas (a zoom) far
//   slower than in a desktop browser.
import { serveSite } from "./server.mjs";
import { launch, openPage } from "./browser.mjs";
import { bigDiagram } from "./big-diagram.mjs";

const AUTOSAVE_KEY = "archplay.autosave.v1";
const FRAMES = 120;

function summary(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p95: q(0.95), max: s[s.length - 1] };
}

const fmt = (o) => `median ${o.median.toFixed(1)} ms, p95 ${o.p95.toFixed(1)} ms, max ${o.max.toFixed(1)} ms`;

/** In the page: one drag step or wheel notch per animation frame, each timed. */
async function gesture(page, kind, frames) {
  return page.evaluate(
    async ({ kind, frames }) => {
      const canvas = document.querySelector("[data-testid=canvas]");
      const node = document.querySelector("[data-testid=node-web-50]");
      const box = node.getBoundingClientRect();
      const c = canvas.getBoundingClientRect();
      const start = { x: box.left + 60, y: box.top + 20 };
      const nextFrame = () => new Promise((r) => requestAnimationFrame(r));
      const work = [];
      const script = [];
      const frame = [];
      const background = document.querySelector(".ap-canvas__background");
      const pointer = (type, x, y) =>
        new PointerEvent(type, { bubbles: true, clientX: x, clientY: y, pointerId: 1, isPrimary: true, pointerType: "mouse" });
      if (kind === "drag") node.dispatchEvent(pointer("pointerdown", start.x, start.y));
      const panFrom = { x: c.left + 40, y: c.bottom - 40 };
      if (kind === "pan") background.dispatchEvent(pointer("pointerdown", panFrom.x, panFrom.y));
      let last = await nextFrame();
      for (let i = 1; i <= frames; i++) {
        const t0 = performance.now();
        if (kind === "drag") {
          window.dispatchEvent(pointer("pointermove", start.x + i * 3, start.y + i * 2));
        } else if (kind === "pan") {
          window.dispatchEvent(pointer("pointermove", panFrom.x + i * 2, panFrom.y - i));
        } else {
          canvas.dispatchEvent(
            new WheelEvent("wheel", {
              bubbles: true,
              cancelable: true,
              deltaY: i <= frames / 2 ? -40 : 40,
              clientX: c.left + c.width / 2,
              clientY: c.top + c.height / 2,
            }),
          );
        }
        // Reactive effects run as microtasks: let them all run, without yielding to rendering.
        for (let k = 0; k < 8; k++) await Promise.resolve();
        script.push(performance.now() - t0);
        document.body.getBoundingClientRect(); // force style and layout now
        work.push(performance.now() - t0);
        const now = await nextFrame();
        frame.push(now - last);
        last = now;
      }
      // Releasing a drag commits it as one edit: time that frame too.
      const t0 = performance.now();
      window.dispatchEvent(pointer("pointerup", start.x, start.y));
      for (let k = 0; k < 8; k++) await Promise.resolve();
      document.body.getBoundingClientRect();
      const release = performance.now() - t0;
      await nextFrame();
      return { work, script, frame, release };
    },
    { kind, frames },
  );
}

const dist = process.env.ARCHPLAY_DIST;
if (!dist) throw new Error("ARCHPLAY_DIST must name the built site");
const site = await serveSite(dist, "/");
const browser = await launch();
try {
  const page = await openPage(browser, { viewport: { width: 1440, height: 900 } });
  const diagram = JSON.stringify(bigDiagram());
  await page.addInitScript(([key, json]) => localStorage.setItem(key, json), [AUTOSAVE_KEY, diagram]);
  await page.goto(site.url);
  await page.getByTestId("node-db-60").waitFor();
  const nodes = await page.locator("[data-testid^=node-]").count();
  const wires = await page.locator("[data-testid^=wire-]").count();
  console.log(`canvas benchmark: ${nodes} components, ${wires} wires, ${FRAMES} frames per gesture`);
  await page.getByTestId("fit-view").click();
  for (const kind of ["drag", "zoom", "pan"]) {
    await gesture(page, kind, 10); // warm up
    await page.waitForTimeout(500); // let the view settle (its layer is promoted while it moves)
    const { work, script, frame, release } = await gesture(page, kind, FRAMES);
    console.log(`${kind.padEnd(5)} script: ${fmt(summary(script))}`);
    console.log(`${kind.padEnd(5)} work:   ${fmt(summary(work))}`);
    console.log(`${kind.padEnd(5)} frame:  ${fmt(summary(frame))}`);
    if (kind === "drag") console.log(`drag  release (commit the move): ${release.toFixed(1)} ms`);
  }
  if (page.problems.length) throw new Error(`page problems: ${page.problems.join("; ")}`);
} finally {
  await browser.close();
  await site.close();
}
