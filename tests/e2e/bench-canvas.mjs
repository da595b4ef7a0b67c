// Canvas frame benchmark (not a test): loads a diagram of 200 components and 300 wires into the
// release site in headless Chromium, then drags a node and zooms with the wheel, one input event
// per animation frame, and reports frame times. Run it with scripts/bench-canvas.sh.
//
// Two figures per gesture:
// - "work": from dispatching the event to the end of the script, reactive updates, DOM writes,
//   style and layout it caused (forced) — what the editor costs per frame, paint aside;
// - "frame": the interval between consecutive animation frames while the gesture runs — what a
//   user sees; 16.7 ms is 60 frames per second.
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
      if (kind === "drag") {
        node.dispatchEvent(
          new PointerEvent("pointerdown", { bubbles: true, clientX: start.x, clientY: start.y, pointerId: 1, isPrimary: true }),
        );
      }
      let last = await nextFrame();
      for (let i = 1; i <= frames; i++) {
        const t0 = performance.now();
        if (kind === "drag") {
          window.dispatchEvent(
            new PointerEvent("pointermove", {
              bubbles: true,
              clientX: start.x + i * 3,
              clientY: start.y + i * 2,
              pointerId: 1,
              isPrimary: true,
            }),
          );
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
        await Promise.resolve(); // let reactive effects queued as microtasks run
        await new Promise((r) => setTimeout(r, 0));
        script.push(performance.now() - t0);
        document.body.getBoundingClientRect(); // force style and layout now
        work.push(performance.now() - t0);
        const now = await nextFrame();
        frame.push(now - last);
        last = now;
      }
      if (kind === "drag") {
        window.dispatchEvent(new PointerEvent("pointerup", { bubbles: true, pointerId: 1 }));
      }
      return { work, script, frame };
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
  for (const kind of ["drag", "zoom"]) {
    await gesture(page, kind, 10); // warm up
    const { work, script, frame } = await gesture(page, kind, FRAMES);
    console.log(`${kind.padEnd(5)} script: ${fmt(summary(script))}`);
    console.log(`${kind.padEnd(5)} work:  ${fmt(summary(work))}`);
    console.log(`${kind.padEnd(5)} frame: ${fmt(summary(frame))}`);
  }
  if (page.problems.length) throw new Error(`page problems: ${page.problems.join("; ")}`);
} finally {
  await browser.close();
  await site.close();
}
