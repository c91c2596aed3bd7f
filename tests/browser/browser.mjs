// browser.mjs: Debian's chromium, headless, driven by the pinned playwright-core
// (tools/lib/setup.sh). Never downloads a browser: the executable is /usr/bin/chromium (or
// $HADES_CHROMIUM), and the flags keep it off the network except for the page under test.
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

// playwright-core lives in .deps/npm (NODE_PATH points there); import it by path so this file
// works from any directory.
const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), "hades-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.HADES_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1366, height: 900 },
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
  // Every console error and CSP violation of the page is a test failure.
  const problems = [];
  context.on("page", (page) => watch(page, problems));
  for (const page of context.pages()) watch(page, problems);
  return {
    context,
    problems,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

function watch(page, problems) {
  page.on("console", (message) => {
    if (message.type() === "error") problems.push("console error: " + message.text());
  });
  page.on("pageerror", (error) => problems.push("page error: " + error.message));
}
