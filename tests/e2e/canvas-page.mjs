// A page object for the editor, and the served-site fixture every spec shares: specs say what a
// user does ("add a load balancer", "wire lb-1 to web-1"), this file says how.
import { after, before } from "node:test";
import assert from "node:assert/strict";

import { serveSite } from "./server.mjs";
import { launch, openPage } from "./browser.mjs";

/**
 * Serves the built site (ARCHPLAY_DIST) under `prefix` and launches Chromium for the enclosing
 * `describe`; returns an object whose `site` and `browser` are set once `before` has run.
 */
export function withSite(prefix = "/") {
  const fixture = {};
  before(async () => {
    assert.ok(process.env.ARCHPLAY_DIST, "ARCHPLAY_DIST must name the built site (scripts/test.sh sets it)");
    fixture.site = await serveSite(process.env.ARCHPLAY_DIST, prefix);
    fixture.browser = await launch();
  });
  after(async () => {
    await fixture.browser?.close();
    await fixture.site?.close();
  });
  return fixture;
}

/** The run bar's simulated clock, in seconds. */
export async function clock(page) {
  return Number((await page.getByTestId("clock").textContent()).replace(" s", ""));
}

/** Waits until the simulated clock passes `t` seconds. */
export function clockPast(page, t, timeout = 20000) {
  return page.waitForFunction(
    (t) => Number(document.querySelector("[data-testid=clock]").textContent.replace(" s", "")) > t,
    t,
    { timeout },
  );
}

/** The latest value of a chart's first line, from its read-out ("12 s — hit rate 75.1 %"). */
export async function latest(page, chart) {
  const b = await page.locator(`[data-testid=${chart}] .ap-chart__readout b`).first().textContent();
  const [, v, k] = b.replace(/,/g, "").match(/([\d.]+)\s*(k?)/);
  return Number(v) * (k ? 1000 : 1);
}

/**
 * Opens shipped example `file` in a fresh 1280×800 page of the fixture's site, waits for its
 * node `node`, sets the speed and presses Run.
 */
export async function runExample(fixture, file, node, speed) {
  const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
  await page.goto(fixture.site.url);
  const canvas = new CanvasPage(page);
  await openExample(page, file);
  await canvas.node(node).waitFor();
  await page.getByTestId("speed").selectOption(speed);
  await page.getByTestId("run").click();
  return { page, canvas };
}

/** Opens a shipped example from the Examples gallery, as a user does. */
export async function openExample(page, file) {
  await page.getByTestId("examples").click();
  await page.getByTestId(`example-${file}`).click();
}

/** The editor as a user sees it. */
export class CanvasPage {
  constructor(page) {
    this.page = page;
  }

  node(id) {
    return this.page.getByTestId(`node-${id}`);
  }

  wire(from, to) {
    return this.page.getByTestId(`wire-${from}-${to}`);
  }

  /** Adds components of these kinds from the palette with the keyboard (focus, Enter). */
  async add(...kinds) {
    // Where panels share tabs, the palette may be one tab away.
    const tab = this.page.getByTestId("panel-tab-components");
    if ((await tab.count()) && (await tab.isVisible()) && (await tab.getAttribute("aria-selected")) !== "true") {
      await tab.click();
    }
    for (const kind of kinds) {
      await this.page.getByTestId(`palette-${kind}`).focus();
      await this.page.keyboard.press("Enter");
    }
  }

  /** Wires `from` to `to` with the keyboard: W on the source, Enter on the target. */
  async wireByKeyboard(from, to) {
    await this.node(from).focus();
    await this.page.keyboard.press("w");
    await this.node(to).focus();
    await this.page.keyboard.press("Enter");
  }

  /** Drags from `from`'s port over `to`; releases unless told not to (to inspect the hover). */
  async wireByDrag(from, to, { release = true } = {}) {
    const a = await this.page.getByTestId(`port-${from}`).boundingBox();
    const b = await this.node(to).boundingBox();
    await this.page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await this.page.mouse.down();
    await this.page.mouse.move(b.x + 30, b.y + 30, { steps: 8 });
    await this.page.mouse.move(b.x + 40, b.y + 32, { steps: 2 });
    if (release) await this.page.mouse.up();
  }

  /** A node's top-left corner in world units, from its transform. */
  async position(id) {
    const t = await this.node(id).getAttribute("transform");
    const [, x, y] = t.match(/translate\(([-\d.]+) ([-\d.]+)\)/);
    return { x: Number(x), y: Number(y) };
  }
}
