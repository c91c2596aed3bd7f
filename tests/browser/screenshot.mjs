// node screenshot.mjs URL OUT.png [width [height]]: a screenshot once body[data-ready]; the whole
// page, or only the first WIDTH x HEIGHT pixels when HEIGHT is given (docs/images/ are made so).
import { launch } from "./browser.mjs";
const [url, out, width, height] = process.argv.slice(2);
const b = await launch();
const page = b.context.pages()[0] || await b.context.newPage();
if (width) await page.setViewportSize({ width: Number(width), height: Number(height || 900) });
await page.goto(url);
const tab = new URL(url).hash.replace("#", "") || "weights";
await page.waitForSelector(`body[data-ready="${tab}"]`, { timeout: 15000 });
await page.screenshot({ path: out, fullPage: !height });
console.log(b.problems.join("\n"));
await b.close();
