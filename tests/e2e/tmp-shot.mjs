import { serveSite } from "./server.mjs";
import { launch, openPage } from "./browser.mjs";
import { writeFile } from "node:fs/promises";
const dir = process.env.ARCHPLAY_DIST;
await writeFile(dir + "/host.html", `<!doctype html><body style="margin:8px">
<iframe id=a sandbox="allow-scripts" src="index.html?embed=1&autoplay=1#example=load-balancer-failover" width=400 height=560></iframe>
<iframe id=b src="index.html?embed=1&readonly=1&panels=none#example=single-server" width=500 height=400></iframe></body>`);
const site = await serveSite(dir, "/app/");
const browser = await launch();
const page = await openPage(browser, { viewport: { width: 1000, height: 640 } });
await page.goto(site.url + "host.html");
await page.waitForTimeout(3500);
await page.screenshot({ path: "/tmp/embed-host.png" });
const p2 = await openPage(browser, { viewport: { width: 1280, height: 800 } });
await p2.goto(site.url + "#example=reference-network");
await p2.waitForTimeout(1500);
await p2.getByTestId("embed").click();
await p2.waitForTimeout(2500);
await p2.screenshot({ path: "/tmp/embed-dialog.png" });
console.log(page.problems, p2.problems);
await browser.close(); await site.close();
