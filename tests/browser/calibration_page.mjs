// calibration_page.mjs: drives the Score Calibration page in Chromium and prints, as one JSON
// object on stdout, what a person would read on it. The C++ test
// (tests/e2e/calibration_page_browser_test.cc) compares that with the database; this script
// only looks and clicks.
//
//   node calibration_page.mjs read URL SCREENSHOT_DIR   every tab, screenshots of each
//   node calibration_page.mjs flag URL                  the recalibration indicator
//   node calibration_page.mjs csrf URL                  POSTs with and without the CSRF token
//   node calibration_page.mjs apply URL ITEM ITEM...    tick these rows, Apply, confirm
//   node calibration_page.mjs rollback URL              Roll back the latest change, confirm
//   node calibration_page.mjs model URL SCREENSHOT_DIR  the Model tab: read, Approve, Revert
//
// Exit 0 with the JSON, or 1 with the reason on stderr (a timeout, a console error, a CSP
// violation: the page must produce none).
import { launch } from "./browser.mjs";

const [command, url, ...rest] = process.argv.slice(2);
const TIMEOUT = 20000;

async function open(browser, tab) {
  const page = browser.context.pages()[0] || (await browser.context.newPage());
  await page.goto(url + "#" + tab);
  await page.waitForSelector(`body[data-ready="${tab}"]`, { timeout: TIMEOUT });
  return page;
}

async function show(page, tab) {
  await page.click(`#tab-${tab}`);
  await page.waitForSelector(`body[data-ready="${tab}"]`, { timeout: TIMEOUT });
}

const cells = (page, selector) =>
  page.$$eval(selector, (rows) => rows.map((r) => [...r.children].map((c) => c.textContent.trim())));

async function readWeights(page) {
  return {
    facts: await page.textContent("#calibration-facts"),
    icp_sha: await page.getAttribute("#icp-sha", "title"),
    sic: await cells(page, "#sic-table tbody tr"),
    employee: await cells(page, "#employee-table tbody tr"),
    history: await page.textContent("#history"),
  };
}

async function readReport(page) {
  const out = {
    stats: await page.$$eval(".stat .value", (v) => v.map((x) => x.textContent.trim())),
    guard: await page.getAttribute("#guard", "class"),
    items: await page.$$eval("#report-table tbody tr[data-item]", (r) => r.map((x) => x.dataset.item)),
    first_row: (await cells(page, "#report-table tbody tr[data-item]"))[0],
    verdict: await page.textContent("#actionbar .verdict"),
    // Each row's evidence note ("supported", "within noise") and the suggestion's interval.
    notes: await page.$$eval("#report-table tbody tr[data-item]",
      (r) => r.map((x) => [x.dataset.item, x.children[7].textContent.trim(),
        (x.querySelector("td.scores .interval") || {textContent: ""}).textContent.trim()])),
    scoring_periods: await page.$$eval("#scoring-check .scoring-period", (p) => p.length),
    scoring_workflows: await cells(page, "#scoring-check .scoring-workflows tbody tr"),
    scoring_bands: await cells(page, "#scoring-check .scoring-band tbody tr"),
    apply_text: await page.textContent("#apply"),
    apply_disabled: await page.isDisabled("#apply"),
  };
  // Tick the first row that can be ticked: the button counts it.
  const box = await page.$("#report-table tbody input[type=checkbox]:not([disabled])");
  if (box) {
    await box.check();
    out.apply_text_after_tick = await page.textContent("#apply");
    out.selected_count = await page.textContent("#selected-count");
    await box.uncheck();
  }
  return out;
}

async function readOutcomes(page) {
  const out = {
    funnel: await page.$$eval("#funnel .stage", (s) =>
      s.map((x) => [x.dataset.stage, x.querySelector(".value").textContent.trim()])),
    batches: await cells(page, "#batches-table tbody tr"),
    batch_check: await page.textContent("#batch-check"),
  };
  await page.click("#batches-table tbody tr:first-child");
  await page.waitForSelector("#batch-leads", { timeout: TIMEOUT });
  out.batch_leads = await cells(page, "#batch-leads tbody tr");
  out.batch_detail_head = await page.textContent("#batch-detail .card-head");
  return out;
}

async function readModelTab(page) {
  const out = { notice: await page.textContent("#method-notice") };
  if (!(await page.$("#model-stats"))) {
    out.empty = await page.textContent(".panel:not([hidden]) .empty");
    return out;
  }
  Object.assign(out, {
    stats: await page.$$eval("#model-stats .stat .value", (v) => v.map((x) => x.textContent.trim())),
    verdict: await page.textContent("#model-verdict .badge"),
    reason: await page.textContent("#model-verdict"),
    comparison: await cells(page, "#comparison-table tbody tr"),
    reliability: await cells(page, "#reliability-table tbody tr"),
    features: await page.$$eval("table.coefficients", (t) => t.map((x) => x.dataset.feature)),
    approve_text: await page.textContent("#model-approve"),
    approve_disabled: await page.isDisabled("#model-approve"),
    revert_disabled: await page.isDisabled("#model-revert"),
    history: await page.textContent("#method-history"),
  });
  return out;
}

// Confirms the open dialog and waits for the flash that starts with `prefix` (an earlier flash
// stays until the tab is drawn again).
async function confirmAndWait(page, prefix) {
  await page.waitForSelector("#confirm[open]", { timeout: TIMEOUT });
  const body = await page.textContent("#confirm-body");
  await page.click("#confirm-ok");
  await page.waitForFunction((p) => {
    const flash = document.querySelector("#flash");
    return flash && flash.textContent.startsWith(p) && document.body.dataset.ready === "model";
  }, prefix, { timeout: TIMEOUT });
  return { confirm: body, flash: await page.textContent("#flash") };
}

async function model(page, shots) {
  const out = { before: await readModelTab(page) };
  await page.screenshot({ path: shots + "/calibration-model.png", fullPage: true });
  await page.click("#model-approve");
  await page.waitForSelector("#confirm[open] pre.diff", { timeout: TIMEOUT });
  await page.screenshot({ path: shots + "/calibration-model-approve.png" });
  out.approve = await confirmAndWait(page, "Approved");
  out.approved = await readModelTab(page);
  await page.screenshot({ path: shots + "/calibration-model-approved.png", fullPage: true });
  await page.click("#model-revert");
  out.revert = await confirmAndWait(page, "Reverted");
  out.reverted = await readModelTab(page);
  return out;
}

async function readFlag(page) {
  const visible = await page.isVisible("#flag");
  return { visible, text: visible ? await page.textContent("#flag") : "" };
}

async function csrf(page) {
  return page.evaluate(async () => {
    const post = async (headers) =>
      (await fetch("api/apply", { method: "POST", headers, body: "{}" })).status;
    const session = await (await fetch("/_hades/session")).json();
    return {
      without_token: await post({ "Content-Type": "application/json" }),
      wrong_token: await post({ "Content-Type": "application/json", "X-CSRF-Token": "0".repeat(64) }),
      with_token: await post({ "Content-Type": "application/json", "X-CSRF-Token": session.csrf_token }),
    };
  });
}

async function apply(page, items, shots) {
  for (const item of items) await page.check(`#report-table tr[data-item="${item}"] input`);
  const out = { apply_text: await page.textContent("#apply") };
  await page.click("#apply");
  await page.waitForSelector("#confirm[open] pre.diff", { timeout: TIMEOUT });
  out.diff = await page.textContent("#confirm pre.diff");
  out.confirm_items = await cells(page, "#confirm table.items tbody tr");
  if (shots) await page.screenshot({ path: shots + "/calibration-apply-confirm.png" });
  await page.click("#confirm-ok");
  await page.waitForSelector("#flash", { timeout: TIMEOUT });
  out.flash = await page.textContent("#flash");
  out.history = await cells(page, "#history-table tbody tr");
  if (shots) await page.screenshot({ path: shots + "/calibration-history.png", fullPage: true });
  return out;
}

async function rollBack(page) {
  await page.click("#rollback");
  await page.waitForSelector("#confirm[open]", { timeout: TIMEOUT });
  await page.click("#confirm-ok");
  await page.waitForFunction(() => !document.querySelector("#rollback"), null, { timeout: TIMEOUT });
  await page.waitForSelector(`body[data-ready="weights"]`, { timeout: TIMEOUT });
  return { history: await cells(page, "#history-table tbody tr") };
}

const browser = await launch();
let result;
try {
  if (command === "read") {
    const [shots] = rest;
    const page = await open(browser, "weights");
    result = { flag: await readFlag(page), weights: await readWeights(page) };
    await page.screenshot({ path: shots + "/calibration-weights.png", fullPage: true });
    await show(page, "report");
    result.report = await readReport(page);
    await page.screenshot({ path: shots + "/calibration-report.png", fullPage: true });
    await show(page, "outcomes");
    await page.screenshot({ path: shots + "/calibration-outcomes.png", fullPage: true });
    result.outcomes = await readOutcomes(page);
    await show(page, "model");
    await page.screenshot({ path: shots + "/calibration-model-none.png", fullPage: true });
    result.model = await readModelTab(page);
  } else if (command === "flag") {
    result = await readFlag(await open(browser, "weights"));
  } else if (command === "csrf") {
    result = await csrf(await open(browser, "weights"));
    // The refused requests are the point here: Chromium logs each as a failed resource.
    browser.problems.splice(0, browser.problems.length,
      ...browser.problems.filter((p) => !p.includes("Failed to load resource")));
  } else if (command === "apply") {
    result = await apply(await open(browser, "report"), rest, process.env.HADES_SCREENSHOTS || "");
  } else if (command === "model") {
    const [shots] = rest;
    result = await model(await open(browser, "model"), shots);
  } else if (command === "rollback") {
    result = await rollBack(await open(browser, "weights"));
  } else {
    throw new Error("unknown command " + command);
  }
  if (browser.problems.length) throw new Error(browser.problems.join("\n"));
  process.stdout.write(JSON.stringify(result) + "\n");
} catch (error) {
  process.stderr.write(String(error && error.stack || error) + "\n");
  process.exitCode = 1;
} finally {
  await browser.close();
}
