// Text contrast, measured in the rendered page (WCAG 2 contrast ratio ≥ 4.5:1), in the light and
// the dark theme: every visible piece of text — HTML and SVG alike — against what is actually
// painted under it, found with elementsFromPoint and composited when translucent. Disabled
// controls are exempt, as WCAG exempts inactive components.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { openPage } from "./browser.mjs";
import { CanvasPage, withSite } from "./canvas-page.mjs";

const AUTOSAVE_KEY = "archplay.autosave.v1";

/** Every kind, a data center, wires: most of what the canvas can show. */
const diagram = {
  format: "archplay-diagram",
  version: 1,
  name: "Contrast",
  components: [
    { id: "users", kind: "users", x: 0, y: 120 },
    { id: "dns", kind: "dns", x: 0, y: 0 },
    { id: "lb", kind: "load_balancer", x: 216, y: 120 },
    { id: "dc-1", kind: "data_center", x: 408, y: 48, params: { width: 432, height: 240 } },
    { id: "web-1", kind: "web_server", x: 432, y: 120 },
    { id: "db", kind: "database", x: 648, y: 192 },
  ],
  wires: [
    { from: "dns", to: "lb" },
    { from: "users", to: "lb" },
    { from: "lb", to: "web-1" },
    { from: "web-1", to: "db" },
  ],
};

/** In the page: text elements whose contrast is below `min`, with what was measured. */
function lowContrast(min) {
  const parse = (c) => {
    let m = c.match(/^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/);
    if (m) return [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]];
    m = c.match(/^color\(srgb ([\d.e-]+) ([\d.e-]+) ([\d.e-]+)(?: \/ ([\d.]+))?\)$/);
    if (m) return [m[1] * 255, m[2] * 255, m[3] * 255, m[4] === undefined ? 1 : +m[4]];
    return null;
  };
  const over = (top, under) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat(1);
  };
  const lum = ([r, g, b]) => {
    const f = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  /** The colour painted by element `el` itself, if any. */
  const paint = (el) => {
    const s = getComputedStyle(el);
    if (el instanceof SVGElement) {
      if (el.tagName === "text" || el.tagName === "svg" || el.tagName === "g") return null;
      if (s.fill === "none" || s.fill.startsWith("url(")) return null;
      const c = parse(s.fill);
      if (!c) return null;
      c[3] *= parseFloat(s.fillOpacity) * parseFloat(s.opacity);
      return c[3] > 0 ? c : null;
    }
    const c = parse(s.backgroundColor);
    return c && c[3] > 0 ? c : null;
  };
  // Text scrolled out of a scrolling or clipping container is not visible there.
  const clipped = (el, x, y) => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      const o = getComputedStyle(a);
      if (o.overflowX !== "visible" || o.overflowY !== "visible") {
        const r = a.getBoundingClientRect();
        if (x < r.left || x > r.right || y < r.top || y > r.bottom) return true;
      }
    }
    return false;
  };
  const texts = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest("[disabled], [aria-hidden=true]") && !el.closest("svg.ap-canvas__content")) continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2 || getComputedStyle(el).visibility === "hidden") continue;
    if (r.bottom < 0 || r.right < 0 || r.top > innerHeight || r.left > innerWidth) continue;
    texts.push(el);
  }
  const failures = [];
  for (const el of texts) {
    const r = el.getBoundingClientRect();
    const x = Math.min(Math.max(r.left + 2, 0), innerWidth - 1);
    const y = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
    if (clipped(el, x, y)) continue;
    // Text under something painted on top of it (a dialog over the log) is not visible there.
    const stack = document.elementsFromPoint(x, y);
    const at = stack.findIndex((e) => e === el || el.contains(e));
    if (at > 0 && stack.slice(0, at).some((e) => !e.contains(el) && paint(e))) continue;
    const s = getComputedStyle(el);
    let fg = parse(el instanceof SVGElement ? s.fill : s.color);
    if (!fg) continue;
    // What lies under the text's first letter, top to bottom, composited up from white; an HTML
    // element's own background is the first layer.
    const layers = [];
    const own = el instanceof SVGElement ? null : paint(el);
    if (own) layers.push(own);
    for (const under of document.elementsFromPoint(x, y)) {
      // Once an opaque layer is found, nothing beneath it shows.
      if (layers.length && layers[layers.length - 1][3] >= 1) break;
      if (under === el || el.contains(under)) continue;
      const c = paint(under);
      if (c) layers.push(c);
    }
    let bg = [255, 255, 255, 1];
    for (const c of layers.reverse()) bg = over(c, bg);
    fg = over(fg, bg);
    const cr = ratio(fg, bg);
    if (cr < min) {
      failures.push(`${cr.toFixed(2)}:1 "${el.textContent.trim().slice(0, 40)}" <${el.tagName}.${el.getAttribute("class")}>`);
    }
  }
  return { checked: texts.length, failures };
}

describe("contrast", () => {
  const fixture = withSite("/");

  for (const scheme of ["light", "dark"]) {
    test(`every visible text is at least 4.5:1 in the ${scheme} theme`, async () => {
      const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 }, colorScheme: scheme });
      // The top page only: the embed preview is sandboxed and may not touch storage.
      await page.addInitScript(
        ([key, json]) => window === window.top && localStorage.setItem(key, json),
        [AUTOSAVE_KEY, JSON.stringify(diagram)],
      );
      await page.goto(fixture.site.url);
      const canvas = new CanvasPage(page);
      await canvas.node("db").waitFor();
      const scenes = {
        "at rest": async () => {},
        "a component selected, its settings open": async () => canvas.node("web-1").click(),
        "a data center selected": async () => canvas.node("dc-1").focus(),
        "a refused wire explained": async () => canvas.wireByKeyboard("db", "users"),
        "a palette item chosen for placing": async () => page.getByTestId("palette-dns").click(),
        "a run paused: badges, charts and markers": async () => {
          await page.keyboard.press("Escape");
          await page.getByTestId("speed").selectOption("10×");
          await page.getByTestId("run").click();
          await page.waitForTimeout(600);
          await canvas.node("web-1").focus();
          await page.keyboard.press("k");
          await page.waitForTimeout(600);
          await page.getByTestId("pause").click();
          await page.getByTestId("badge-web-1").filter({ hasText: "DOWN" }).waitFor();
        },
        "the log open": async () => page.getByTestId("tab-log").click(),
        "a bad setting refused": async () => {
          await canvas.node("web-1").click();
          await page.getByTestId("param-workers").fill("0");
          await page.getByTestId("param-workers").press("Enter");
        },
        "the examples gallery open": async () => {
          await page.getByTestId("examples").click();
          await page.getByTestId("gallery").waitFor();
        },
        "the embed dialog open": async () => {
          await page.getByTestId("examples").click(); // closes the gallery
          await page.getByTestId("embed").click();
          await page.getByTestId("embed-dialog").waitFor();
        },
        "an embedded, read-only instance": async () => {
          // Let the preview finish loading before leaving, so nothing is cut off mid-request.
          await page.frameLocator("[data-testid=embed-preview]").getByTestId("embed-title").waitFor();
          await page.getByTestId("embed-close").click();
          await page.goto(`${fixture.site.url}?embed=1&readonly=1#example=load-balancer-failover`);
          await canvas.node("db").waitFor();
        },
      };
      let checked = 0;
      for (const [name, act] of Object.entries(scenes)) {
        await act();
        const { checked: n, failures } = await page.evaluate(lowContrast, 4.5);
        checked += n;
        assert.deepEqual(failures, [], `${scheme}, ${name}`);
      }
      assert.ok(checked > 100, `measured ${checked} texts`);
      assert.deepEqual(page.problems, []);
    });
  }
});
