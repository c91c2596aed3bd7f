// node screenshot.mjs URL OUT.png [width] : one full-page screenshot once body[data-ready].
import { launch } from "./browser.mjs";
const [url, out, width] = process.argv.slice(2);
const b = await launch();
const page = b.context.pages()[0] || await b.context.newPage();
if (width) await page.setViewportSize({ width: Number(width), height: 900 });
await page.goto(url);
const tab = new URL(url).hash.replace("#", "") || "weights";
await page.waitForSelector(`body[data-ready="${tab}"]`, { timeout: 15000 });
await page.screenshot({ path: out, fullPage: true });
console.log(b.problems.join("\n"));
await b.close();
