import { launch, openPage } from "./browser.mjs";
import { serveSite } from "./server.mjs";
const site = await serveSite(process.env.ARCHPLAY_DIST, "/");
const browser = await launch();
const page = await openPage(browser, { viewport: { width: 1360, height: 860 } });
await page.goto(site.url + process.env.FRAG);
await page.getByTestId("lesson-step-title").waitFor({ timeout: 60000 });
if (process.env.RUN) { await page.getByTestId("speed").selectOption("As fast as possible"); await page.getByTestId("run").click(); await page.waitForTimeout(Number(process.env.RUN)); if (await page.getByTestId("pause").isEnabled()) await page.getByTestId("pause").click(); }
await page.waitForTimeout(300);
await page.screenshot({ path: process.env.OUT || "/tmp/lesson.png" });
console.log(page.problems);
await browser.close(); await site.close();
