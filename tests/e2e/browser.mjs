// Launches the machine's Chromium through playwright-core and records everything a page
// complains about, so every spec can assert "no console errors".
import { chromium } from "playwright-core";

const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launch() {
  return chromium.launch({
    executablePath: process.env.ARCHPLAY_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ARGS,
  });
}

/**
 * Opens a page that collects console errors, uncaught exceptions and failed requests into
 * `page.problems`.
 */
export async function openPage(browser, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.problems = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") page.problems.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (err) => page.problems.push(`exception: ${err.message}`));
  page.on("requestfailed", (req) => page.problems.push(`request failed: ${req.url()}`));
  page.on("response", (res) => {
    if (res.status() >= 400) page.problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return page;
}
