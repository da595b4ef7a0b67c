// Hostile links in real Chromium: a link that asks for an unbounded amount of repair is refused
// at once, with the page drawing throughout, and a link full of garbage gets a short answer.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { deflateRawSync } from "node:zlib";

import { openPage } from "./browser.mjs";
import { CanvasPage, withSite } from "./canvas-page.mjs";

/** A share-link fragment whose envelope holds `components` (and no wires). */
function fragment(components) {
  const envelope = {
    diagram: { format: "archplay-diagram", version: 1, name: "hostile", components, wires: [] },
  };
  const packed = deflateRawSync(Buffer.from(JSON.stringify(envelope)), { level: 9 });
  return `#d=v1.${packed.toString("base64url")}`;
}

/**
 * Opens the app with something on screen, then follows `hash` while recording every frame's
 * length; returns the notice's text, the time it took to appear and the longest frame.
 */
async function follow(fixture, hash) {
  const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
  await page.goto(fixture.site.url);
  const canvas = new CanvasPage(page);
  await canvas.add("users", "web_server");
  await canvas.node("web-1").waitFor();
  await page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    const tick = (t) => {
      window.__frames.push(t - last);
      last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await page.waitForTimeout(300);
  const started = Date.now();
  await page.evaluate((h) => (location.hash = h), hash);
  await page.getByTestId("notice").waitFor();
  const took = Date.now() - started;
  await page.waitForTimeout(300);
  const frames = await page.evaluate(() => window.__frames);
  const notice = await page.getByTestId("notice").textContent();
  return { page, canvas, notice, took, longest: Math.max(...frames) };
}

describe("hostile links", () => {
  const fixture = withSite("/");

  test("20,000 copies of one id are refused within a second, frames under 100 ms", async (t) => {
    const hash = fragment(Array(20_000).fill({ id: "a", kind: "web_server" }));
    assert.ok(hash.length < 3_000, `a short link: ${hash.length}`);
    const { page, canvas, notice, took, longest } = await follow(fixture, hash);
    t.diagnostic(`refused in ${took} ms; longest frame ${longest.toFixed(1)} ms`);
    assert.match(notice, /20,000 components; at most 2,000 are allowed/);
    assert.match(notice, /Your diagram is unchanged/);
    assert.ok(took < 1_000, `answered in ${took} ms`);
    assert.ok(longest < 100, `longest frame ${longest.toFixed(1)} ms`);
    assert.ok(await canvas.node("web-1").isVisible(), "the work on screen is kept");
    assert.deepEqual(page.problems, []);
  });

  test("300,000 components of an unknown kind get one short sentence", async (t) => {
    const hash = fragment(Array(300_000).fill({ id: "c", kind: "x" }));
    const { page, notice, took, longest } = await follow(fixture, hash);
    t.diagnostic(`refused in ${took} ms; longest frame ${longest.toFixed(1)} ms; ${hash.length}-character link`);
    assert.ok(notice.length < 400, `${notice.length} characters: ${notice}`);
    assert.match(notice, /300,000 components; at most 2,000 are allowed/);
    assert.ok(took < 1_000, `answered in ${took} ms`);
    // Inflating 6.6 MB and counting its lists, never building them.
    assert.ok(longest < 100, `longest frame ${longest.toFixed(1)} ms`);
    assert.deepEqual(page.problems, []);
  });

  test("a link with many repairs opens with the first few and a count", async () => {
    const garbage = Array.from({ length: 500 }, (_, i) => ({ id: `g${i}`, kind: "mainframe" }));
    const hash = fragment([{ id: "users", kind: "users" }, ...garbage]);
    // A fresh page has nothing on screen: the link opens at once.
    const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(fixture.site.url + hash);
    await new CanvasPage(page).node("users").waitFor();
    const notice = await page.getByTestId("notice").textContent();
    assert.match(notice, /repaired while opening: dropped component g0: unknown kind 'mainframe'/);
    assert.match(notice, /… and 480 more repairs/);
    assert.ok(notice.length < 2_000, `${notice.length} characters`);
    assert.deepEqual(page.problems, []);
  });
});
