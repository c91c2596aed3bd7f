// The Score Calibration page: three tabs over the page's JSON endpoints (calibration_page.h).
// Vanilla JavaScript, no framework, no external resource. Every value from the server is put
// into the page as text (never as HTML), and charts are SVG built here. The body gets
// data-ready="<tab>" once that tab is drawn, for tests and screenshots.
'use strict';

(function() {
// ---- small helpers -------------------------------------------------------------------------
const SVG_NS = 'http://www.w3.org/2000/svg';

// el("td", {class: "num"}, "text", child...) ; attributes starting with "on" are listeners.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}
function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}
function setAttrs(node, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on'))
      node.addEventListener(key.slice(2), value);
    else
      node.setAttribute(key, value === true ? '' : String(value));
  }
}
function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}
function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

const intFmt = new Intl.NumberFormat('en-US');
function int(n) {
  return n === null || n === undefined ? '–' : intFmt.format(n);
}
function pct(rate, digits = 1) {
  return rate === null || rate === undefined ? '–' : (100 * rate).toFixed(digits) + '%';
}
function interval(low, high) {
  return (100 * low).toFixed(1) + '–' + (100 * high).toFixed(1) + '%';
}
function signed(n) {
  return n > 0 ? '+' + n : n < 0 ? '−' + Math.abs(n) : '±0';
}
function when(iso) {
  if (!iso) return '–';
  return iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
}
// A number with a typographic minus and an explicit plus: "+0.012", "−0.004".
function fixed(x, digits) {
  return (x > 0 ? '+' : x < 0 ? '−' : '') + Math.abs(x).toFixed(digits);
}
function zText(z) {
  return z === null ? '–' : (z > 0 ? '+' : z < 0 ? '−' : '') + Math.abs(z).toFixed(1);
}
// Axis ticks at 1, 2 or 5 times a power of ten, up to at least `max`.
function niceTicks(max, count) {
  const raw = Math.max(1, max) / count;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const ticks = [];
  for (let v = 0; v < max + step; v += step) {
    ticks.push(v);
    if (v >= max) break;
  }
  return ticks;
}
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function monthLabel(ym) {
  return MONTHS[Number(ym.slice(5, 7)) - 1] + ' ’' + ym.slice(2, 4);
}
function day(iso) {
  return iso ? iso.slice(0, 10) : '–';
}
function shortSha(sha) {
  return sha ? sha.slice(0, 8) : '–';
}
function leads(n) {
  return int(n) + (n === 1 ? ' lead' : ' leads');
}
function confidenceBadge(c) {
  return el('span', {class: 'badge ' + (c || '').toLowerCase()}, c || '–');
}

// ---- the server --------------------------------------------------------------------------
let session = {user: '', csrf_token: '', login: false};

async function api(path, body) {
  const options = {headers: {'Accept': 'application/json'}, credentials: 'same-origin'};
  if (body !== undefined) {
    options.method = 'POST';
    options.headers['Content-Type'] = 'application/json';
    options.headers['X-CSRF-Token'] = session.csrf_token;
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  if (response.status === 401) {
    location.href = '/login?next=' + encodeURIComponent(location.pathname);
    throw new Error('not signed in');
  }
  let data = null;
  try {
    data = await response.json();
  } catch (e) {
    data = null;
  }
  if (!response.ok) {
    const error = new Error((data && data.error) || ('the server answered ' + response.status));
    error.status = response.status;
    error.data = data;
    throw error;
  }
  return data;
}

function errorNotice(error, what) {
  return el(
      'div', {class: 'notice error', role: 'alert'}, el('strong', {}, what + ' failed. '),
      error.message || String(error));
}
function empty(title, ...text) {
  return el('div', {class: 'empty'}, el('strong', {}, title), ...text);
}

// ---- header: who, the recalibration indicator --------------------------------------------
let summary = null;

function drawHeader() {
  const who = clear(document.getElementById('who'));
  if (session.user) who.append('Signed in as ', el('b', {}, session.user));
  if (session.login) {
    who.append(' · ', el('button', {class: 'link', type: 'button', onclick: signOut}, 'Sign out'));
  }
  const flag = clear(document.getElementById('flag'));
  const f = summary && summary.flag;
  const show = Boolean(f && f.available && !f.stale);
  flag.hidden = !show;
  if (show) {
    flag.append(
        el('span', {class: 'dot', 'aria-hidden': 'true'}), el('b', {}, 'Recalibration available: '),
        (f.detail || 'new outcomes arrived').replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, when) + ' · ',
        el('button', {class: 'link', type: 'button', id: 'how-link', onclick: showHow},
           'how to run it'));
  }
}
function showHow() {
  document.getElementById('how-reports').textContent = summary ? summary.reports_dir : '';
  document.getElementById('how').showModal();
}
async function signOut() {
  try {
    await api('/logout', {});
  } finally {
    location.href = '/login';
  }
}

// ---- tabs --------------------------------------------------------------------------------
const TABS = ['weights', 'report', 'outcomes', 'model'];
const drawn = {};
// The Model tab draws itself from model.js (window.HadesTabs.model), with the helpers below.
const drawers = {
  weights: drawWeights,
  report: drawReport,
  outcomes: drawOutcomes
};
function drawerOf(name) {
  return drawers[name] || (window.HadesTabs || {})[name];
}

function tabFromHash() {
  const name = location.hash.replace('#', '');
  return TABS.includes(name) ? name : 'weights';
}

async function showTab(name, focus) {
  for (const t of TABS) {
    const button = document.getElementById('tab-' + t);
    const selected = t === name;
    button.setAttribute('aria-selected', selected ? 'true' : 'false');
    button.tabIndex = selected ? 0 : -1;
    document.getElementById('panel-' + t).hidden = !selected;
  }
  if (focus) document.getElementById('tab-' + name).focus();
  document.body.dataset.ready = '';
  if (!drawn[name]) {
    drawn[name] = true;
    const panel = document.getElementById('panel-' + name);
    try {
      await drawerOf(name)(panel);
    } catch (error) {
      clear(panel).append(errorNotice(error, 'Loading this view'));
    }
  }
  if (tabFromHash() === name) document.body.dataset.ready = name;
}

function wireTabs() {
  for (const t of TABS) {
    document.getElementById('tab-' + t).addEventListener('click', () => {
      history.replaceState(null, '', '#' + t);
      showTab(t, false);
    });
  }
  document.querySelector('.tabs').addEventListener('keydown', (event) => {
    const index = TABS.indexOf(tabFromHash());
    let next = null;
    if (event.key === 'ArrowRight') next = TABS[(index + 1) % TABS.length];
    if (event.key === 'ArrowLeft') next = TABS[(index + TABS.length - 1) % TABS.length];
    if (next) {
      event.preventDefault();
      history.replaceState(null, '', '#' + next);
      showTab(next, true);
    }
  });
  window.addEventListener('hashchange', () => showTab(tabFromHash(), false));
}

// Redraws a tab the next time it is shown (after Apply or Roll back).
function invalidate(...names) {
  for (const n of names) drawn[n] = false;
}

// ---- Tab 1: Current weights ----------------------------------------------------------------
async function drawWeights(panel) {
  const data = await api('api/weights');
  clear(panel);
  if (data.error) {
    panel.append(
        el('div', {class: 'notice error', role: 'alert'},
           el('strong', {}, 'icp.yaml cannot be read: '), data.error));
    return;
  }
  panel.append(calibrationFacts(data));
  const t = data.tables;
  panel.append(
      el('div', {class: 'grid three'}, weightCard('Intent workflow', t.weights.intent),
         weightCard('Geography workflow', t.weights.geography),
         tierCard(
             'Signal strength', ['Signal', 'Score', 'Comment'],
             t.signal_strength.map((s) => [s.name, s.score, s.comment]), 'signal-table')));
  panel.append(sicCard(t));
  panel.append(el(
      'div', {class: 'grid three'},
      tierCard(
          'Employee scale (geography)', ['Employees', 'Score', 'Comment'],
          t.employee_scale.map((e) => [int(e.min) + '–' + int(e.max), e.score, e.comment]),
          'employee-table'),
      tierCard(
          'Proximity (geography)', ['Distance', 'Score', 'Comment'],
          t.proximity.map(
              (p, i) =>
                  [(i === 0 ? '0' : t.proximity[i - 1].max_miles) + '–' + p.max_miles + ' mi',
                   p.score, p.comment]),
          'proximity-table'),
      tierCard(
          'Intent freshness', ['Tier', 'Multiplier', 'Comment'],
          t.freshness.map(
              (f) =>
                  [f.label + ' (≤ ' + f.max_days + ' days)', f.multiplier.toFixed(2), f.comment]),
          'freshness-table')));
  panel.append(historyCard(data.history));
}

function calibrationFacts(data) {
  const last = data.last_calibration;
  const facts = el('div', {class: 'card facts', id: 'calibration-facts'});
  if (last) {
    facts.append(
        el('span', {class: 'fact'}, 'Last calibration ', el('b', {}, when(last.created_at))),
        el('span', {class: 'fact'}, el('b', {}, int(last.data_volume)), ' outcomes counted'),
        el('span', {class: 'fact'}, el('b', {}, pct(last.baseline.rate)),
           ' baseline delivery rate (', int(last.baseline.deliveries), ' deliveries)'));
  } else {
    facts.append(
        el('span', {class: 'fact'}, el('b', {}, 'Never calibrated'),
           ' · run jobs/import_historical.yaml, then jobs/calibrate.yaml'));
  }
  facts.append(
      el('span', {class: 'fact right'}, 'icp.yaml ', el('code', {title: data.path}, data.path),
         ' · sha ', el('code', {id: 'icp-sha', title: data.sha256}, shortSha(data.sha256))));
  return facts;
}

function weightCard(title, rows) {
  const total = rows.reduce((sum, r) => sum + r.weight, 0);
  return el(
      'div', {class: 'card'},
      el('div', {class: 'card-head'}, el('h3', {}, title),
         el('span', {class: 'aside'}, 'weights sum to ' + total.toFixed(2))),
      el('table', {},
         el('thead', {},
            el('tr', {}, el('th', {}, 'Component'), el('th', {class: 'num'}, 'Weight'),
               el('th', {class: 'num'}, 'Share'))),
         el('tbody', {},
            rows.map(
                (r) =>
                    el('tr', {}, el('td', {}, r.component.replace(/_/g, ' ')),
                       el('td', {class: 'num'}, r.weight.toFixed(2)),
                       el('td', {class: 'num'}, pct(total > 0 ? r.weight / total : 0, 0)))))));
}

function tierCard(title, headers, rows, id) {
  return el(
      'div', {class: 'card'}, el('h3', {}, title),
      el('table', {id: id},
         el('thead', {},
            el('tr', {}, headers.map((h, i) => el('th', {class: i === 1 ? 'num' : null}, h)))),
         el('tbody', {},
            rows.map(
                (r) =>
                    el('tr', {}, el('td', {class: 'nowrap'}, r[0]), el('td', {class: 'num'}, r[1]),
                       el('td', {class: 'comment'}, r[2] || '–'))))));
}

function sicCard(t) {
  const own = t.sic.filter((s) => s.source !== 'default').length;
  const body = el('tbody', {});
  const filter = el('input', {
    type: 'search',
    id: 'sic-filter',
    placeholder: 'Filter by code or industry',
    'aria-label': 'Filter SIC codes'
  });
  const count = el('span', {class: 'muted small'});
  function fill() {
    const q = filter.value.trim().toLowerCase();
    const rows =
        t.sic.filter((s) => !q || s.code.includes(q) || s.industry.toLowerCase().includes(q));
    clear(body).append(...rows.map(
        (s) =>
            el('tr', {}, el('td', {class: 'mono'}, s.code),
               el('td', {}, s.industry || el('span', {class: 'muted'}, '(no name in icp.yaml)')),
               el('td', {class: 'num'}, s.score),
               el('td', {},
                  s.source === 'default'        ? el('span', {class: 'badge neutral'}, 'default') :
                      s.source === 'calibrated' ? el('span', {class: 'badge good'}, 'calibrated') :
                                                  el('span', {class: 'badge medium'}, 'icp.yaml')),
               el('td', {class: 'comment'}, s.comment || '–'))));
    count.textContent = rows.length + ' of ' + t.sic.length + ' codes';
  }
  filter.addEventListener('input', fill);
  fill();
  return el(
      'div', {class: 'card'},
      el('div', {class: 'card-head'}, el('h3', {}, 'On-site likelihood by SIC code'),
         el('span', {class: 'aside'},
            own + ' codes with their own score · ' + (t.sic.length - own) + ' use the default ' +
                t.sic_default.score)),
      el('div', {class: 'toolbar'}, filter, count),
      el('div', {class: 'scroll'},
         el('table', {id: 'sic-table'},
            el('thead', {},
               el('tr', {}, el('th', {}, 'SIC'), el('th', {}, 'Industry'),
                  el('th', {class: 'num'}, 'Score'), el('th', {}, 'Source'),
                  el('th', {}, 'Evidence (comment in icp.yaml)'))),
            body)));
}

function historyCard(history) {
  const card =
      el('div', {class: 'card', id: 'history'},
         el('div', {class: 'card-head'}, el('h3', {}, 'History of applied changes'),
            el('span', {class: 'aside'}, 'from the weight writer\'s audit table icp_changes')));
  if (!history.available) {
    card.append(
        el('div', {class: 'notice warn'}, history.unavailable_reason || 'History unavailable.'));
    return card;
  }
  if (history.error) {
    card.append(errorNotice(new Error(history.error), 'Reading the history'));
    return card;
  }
  if (!history.changes.length) {
    card.append(empty(
        'No change applied yet.',
        'Changes you apply from the Calibration report appear here, with a Roll back button for the latest.'));
    return card;
  }
  const latest = history.changes[0];
  card.append(
      el(
          'table', {id: 'history-table'},
          el('thead', {},
             el('tr', {}, el('th', {}, 'Applied'), el('th', {}, 'By'), el('th', {}, 'What'),
                el('th', {}, 'icp.yaml sha'), el('th', {}, ''))),
          el('tbody', {},
             history.changes.map(
                 (c) =>
                     el('tr', {}, el('td', {class: 'nowrap'}, when(c.applied_at)),
                        el('td', {}, c.applied_by),
                        el('td', {},
                           c.kind === 'rollback' ? 'Rolled back change ' + c.rolls_back :
                                                   c.items.length +
                                   (c.items.length === 1 ? ' change: ' : ' changes: ') +
                                   c.items.map((i) => i.item).join(', '),
                           c.rolled_back ? el('span', {class: 'tag'}, 'rolled back') : null),
                        el('td', {class: 'mono small'},
                           shortSha(c.sha256_before) + ' → ' + shortSha(c.sha256_after)),
                        el('td', {class: 'nowrap'},
                           el('button',
                              {class: 'button small', type: 'button', onclick: () => showChange(c)},
                              'View diff'),
                           ' ',
                           c === latest && c.kind === 'apply' && !c.rolled_back ? el('button', {
                             class: 'button small danger',
                             type: 'button',
                             id: 'rollback',
                             onclick: () => rollback(c)
                           },
                                                                                     'Roll back') :
                                                                                  null))))));
  return card;
}

function diffView(text) {
  const pre = el('pre', {class: 'diff'});
  for (const line of (text || '').split('\n')) {
    const kind = line.startsWith('+++') || line.startsWith('---') ? null :
        line.startsWith('+')                                      ? 'add' :
        line.startsWith('-')                                      ? 'del' :
        line.startsWith('@@')                                     ? 'hunk' :
                                                                    null;
    pre.append(kind ? el('span', {class: kind}, line) : line + '\n');
  }
  return pre;
}

function itemsTable(items) {
  return el(
      'table', {class: 'items'},
      el('thead', {},
         el('tr', {}, el('th', {}, 'Item'), el('th', {}, 'Where in icp.yaml'),
            el('th', {class: 'num'}, 'Now'), el('th', {class: 'num'}, 'New'))),
      el('tbody', {},
         items.map(
             (i) =>
                 el('tr', {}, el('td', {class: 'mono'}, i.item),
                    el('td', {class: 'mono small'}, i.place),
                    el('td', {class: 'num'}, i.before === '' ? '(new)' : i.before),
                    el('td', {class: 'num'}, i.after)))));
}

function showChange(change) {
  const body = clear(document.getElementById('diff-body'));
  document.getElementById('diff-title').textContent =
      (change.kind === 'rollback' ? 'Rollback ' : 'Change ') + change.id + ' · ' +
      when(change.applied_at) + ' by ' + change.applied_by;
  if (change.items.length) body.append(itemsTable(change.items));
  body.append(diffView(change.diff));
  document.getElementById('diff-dialog').showModal();
}

async function rollback(change) {
  const ok = await confirmDialog(
      'Roll back change ' + change.id,
      [
        el('p', {},
           'This restores icp.yaml to what it was before change ' + change.id + ' (' +
               when(change.applied_at) + ' by ' + change.applied_by +
               '). The rollback is recorded as a change of its own, by ',
           el('b', {}, session.user), '.'),
        itemsTable(change.items.map(
            (i) => ({item: i.item, place: i.place, before: i.after, after: i.before}))),
      ],
      'Roll back');
  if (!ok) return;
  try {
    await api('api/rollback', {change_id: change.id});
    invalidate('weights', 'report', 'model');
    await refreshSummary();
    await showTab(tabFromHash(), false);
  } catch (error) {
    alertDialog(
        'Roll back failed',
        error.message + (error.data && error.data.nothing_changed ? ' Nothing was changed.' : ''));
  }
}

// ---- Tab 2: Calibration report -------------------------------------------------------------
const DIMENSIONS = {
  sic: 'SIC code',
  employee_tier: 'Employees',
  proximity: 'Proximity',
  signal_strength: 'Signal strength',
  freshness: 'Freshness'
};

async function drawReport(panel) {
  const report = await api('api/report');
  clear(panel);
  if (!report.available) {
    panel.append(
        report.error ?
            errorNotice(new Error(report.error), 'Reading the report') :
            empty(
                'No calibration report yet.',
                'Run jobs/import_historical.yaml to load past outcomes, then jobs/calibrate.yaml; its report (',
                el('code', {}, report.path), ') appears here.'));
    return;
  }
  const b = report.baseline || {};
  panel.append(
      el('div', {class: 'stats'},
         stat('Outcomes counted', int(b.n), 'historical and matured HADES leads'),
         stat('Deliveries', int(b.deliveries), 'delivery or churned'),
         stat('Delivery rate', pct(b.rate), 'the baseline every bucket is compared with'),
         stat(
             'Report', day(report.created_at),
             'run ' + report.run_id + ' · ' + when(report.created_at).slice(11))));
  panel.append(
      report.icp_unchanged ? el('div', {class: 'notice ok', id: 'guard'},
                                '✓ icp.yaml unchanged since this report (sha ',
                                el('code', {}, shortSha(report.icp_sha256)),
                                '): its suggestions apply to the file as it is.') :
                             el('div', {class: 'notice warn', id: 'guard'},
                                '⚠ icp.yaml changed since this report was made (report sha ',
                                el('code', {}, shortSha(report.icp_sha256)),
                                '): Apply is refused until you recalibrate.'));
  if (!report.rows.length) {
    panel.append(empty('No suggestions in this report.', report.message || ''));
    return;
  }
  panel.append(reportTable(report));
}

function stat(label, value, sub) {
  return el(
      'div', {class: 'stat'}, el('div', {class: 'label'}, label),
      el('div', {class: 'value'}, value), el('div', {class: 'sub'}, sub));
}

function backtestText(bt) {
  if (!bt.ran) return ['Backtest not run', bt.skipped_reason ? ': ' + bt.skipped_reason : ''];
  const d = bt.auc_difference || {};
  const kind = bt.verdict === 'suggested better' ? 'good' :
      bt.verdict === 'current better'            ? 'bad' :
                                                   'warn';
  return [
    el('span', {class: 'badge ' + kind, id: 'verdict'}, 'Backtest: ' + bt.verdict), ' AUC ',
    bt.current_auc.toFixed(3), ' → ', bt.suggested_auc.toFixed(3), ' (difference ',
    fixed(d.estimate, 3), ', 95% ', fixed(d.low, 3), ' to ', fixed(d.high, 3), ') on ',
    int(bt.test_leads), ' holdout leads'
  ];
}

function reportTable(report) {
  const selected = new Set();
  const dims = [...new Set(report.rows.map((r) => r.dimension))];
  const dimSelect =
      el('select', {id: 'dimension-filter', 'aria-label': 'Dimension'},
         el('option', {value: ''}, 'All dimensions'),
         dims.map((d) => el('option', {value: d}, DIMENSIONS[d] || d)));
  const hideLow = el('input', {type: 'checkbox', id: 'hide-low'});
  const body = el('tbody', {});
  const applyButton =
      el('button', {class: 'button primary', type: 'button', id: 'apply', disabled: true},
         'Apply selected');
  const selectedText = el('span', {class: 'muted', id: 'selected-count'});
  const canApply = report.apply_available && report.icp_unchanged;

  function update() {
    const n = selected.size;
    applyButton.disabled = n === 0 || !canApply;
    applyButton.textContent =
        n === 0 ? 'Apply selected' : 'Apply ' + n + ' selected change' + (n === 1 ? '' : 's');
    selectedText.textContent = n === 0 ? 'Select the changes you approve.' : n + ' selected';
  }
  function fill() {
    const dim = dimSelect.value;
    const rows = report.rows.filter(
        (r) => (!dim || r.dimension === dim) && !(hideLow.checked && r.confidence === 'Low'));
    clear(body).append(...rows.map((r) => reportRow(r, selected, update)));
    if (!rows.length)
      body.append(
          el('tr', {}, el('td', {colspan: 8, class: 'muted'}, 'No row matches the filter.')));
  }
  dimSelect.addEventListener('change', fill);
  hideLow.addEventListener('change', fill);
  applyButton.addEventListener('click', () => applySelected(report, [...selected]));
  fill();
  update();

  const pText = (p) => p < 0.001 ? '< 0.001' : p.toFixed(3);
  const signals =
      report.dimensions.filter((d) => d.scored)
          .map(
              (d) =>
                  el('span', {class: 'tag', title: d.population},
                     (DIMENSIONS[d.dimension] || d.dimension) + ': ' +
                         (d.no_signal            ? 'no signal' :
                              d.p_value === null ? 'no test' :
                                                   'p ' + pText(d.p_value) +
                                  (d.p_value_holm === null || d.p_value_holm === undefined ?
                                       '' :
                                       ', Holm ' + pText(d.p_value_holm)))));
  return el(
      'div', {},
      el('div', {class: 'actionbar', id: 'actionbar'},
         el('span', {class: 'verdict'}, backtestText(report.backtest)),
         el('span', {class: 'actions'}, selectedText,
            canApply ?
                null :
                el('span', {
                  class: 'badge warn',
                  id: 'apply-unavailable',
                  title: report.apply_unavailable_reason || ''
                },
                   report.apply_available ? 'icp.yaml changed: recalibrate' : 'Apply unavailable'),
            applyButton)),
      report.apply_available ?
          null :
          el('div', {class: 'notice warn small'}, report.apply_unavailable_reason),
      el('div', {class: 'card'},
         el('div', {class: 'card-head'}, el('h2', {}, 'Current vs suggested scores'),
            el('span', {class: 'aside'},
               report.rows.length + ' buckets with a suggestion, largest change first')),
         el('div', {class: 'toolbar'}, dimSelect, el('label', {}, hideLow, ' Hide Low confidence'),
            el('span', {class: 'small muted'}, 'Signal per dimension: ', signals)),
         el('div', {class: 'table-wrap'},
            el('table', {id: 'report-table'},
               el('thead', {},
                  el('tr', {}, el('th', {class: 'center'}, el('span', {class: 'muted'}, 'Apply')),
                     el('th', {}, 'Bucket'), el('th', {class: 'num'}, 'Leads'),
                     el('th', {class: 'num'}, 'Delivery rate (95%)'),
                     el('th', {class: 'num'}, 'Current → suggested'), el('th', {}, 'Change'),
                     el('th', {}, 'Confidence'), el('th', {}, 'Note'))),
               body)),
         el('p', {class: 'small muted'},
            'Change colour: green within 5 points of today, amber 5–15, red beyond. ',
            'Under the suggestion, its 95% interval (a bootstrap of the whole calibration). ',
            '“supported”: the dimension\'s signal survives Holm\'s correction across dimensions and today\'s score lies outside that interval. ',
            '“within noise”: the data cannot tell today\'s score from the suggestion; moving it would move a score on noise.')),
      scoringCard(report.scoring_check));
}

// "Is the scoring working?": HADES leads against the historical baseline, per workflow, score
// band and decile, one section per period between changes of icp.yaml.
function scoringCard(check) {
  if (!check || !check.periods) return null;
  const rateCell = (r) => el(
      'td', {class: 'num'}, pct(r.rate),
      r.rate === null ? null :
                        el('span', {class: 'sub interval'}, interval(r.wilson_low, r.wilson_high)));
  const points = (x) => fixed(100 * x, 1);
  // Best first: bands come so, deciles lowest first.
  const rangeTable = (title, rows, key) =>
      el('table', {class: 'scoring-' + key},
         el('thead', {},
            el('tr', {}, el('th', {}, title), el('th', {class: 'num'}, 'Scores'),
               el('th', {class: 'num'}, 'Leads'), el('th', {class: 'num'}, 'Delivery rate (95%)'))),
         el('tbody', {},
            (key === 'decile' ? [...rows].reverse() : rows)
                .map(
                    (r) =>
                        el('tr', {}, el('td', {}, r[key]),
                           el('td', {class: 'num'}, r.min_score + '–' + r.max_score),
                           el('td', {class: 'num'}, int(r.n),
                              el('span', {class: 'sub'}, int(r.deliveries) + ' deliv.')),
                           rateCell(r)))));
  const sections = check.periods.map((p) => {
    const title = p.change ?
        'Since change ' + p.change.id + ' (' + p.change.kind + ', ' + when(p.from) + ')' :
        'Before any change of icp.yaml';
    const scored = p.workflows[0].n > p.unscored_leads;
    return el(
        'section', {class: 'scoring-period'},
        el('h3', {}, title, p.to ? el('span', {class: 'muted'}, ' until ' + when(p.to)) : null),
        el('table', {class: 'scoring-workflows'},
           el('thead', {},
              el('tr', {}, el('th', {}, 'Workflow'), el('th', {class: 'num'}, 'Leads'),
                 el('th', {class: 'num'}, 'Delivery rate (95%)'),
                 el('th', {class: 'num'}, 'Against the baseline (95%)'))),
           el('tbody', {},
              p.workflows.map(
                  (w) => el(
                      'tr', {'data-workflow': w.workflow}, el('td', {}, w.workflow),
                      el('td', {class: 'num'}, int(w.n),
                         el('span', {class: 'sub'}, int(w.deliveries) + ' deliv.')),
                      rateCell(w),
                      el('td', {class: 'num'},
                         w.difference === null ? '–' : points(w.difference) + ' points',
                         w.difference === null ?
                             null :
                             el('span', {class: 'sub interval'},
                                points(w.difference_low) + ' to ' + points(w.difference_high))))))),
        scored ? el('div', {class: 'scoring-ranges'}, rangeTable('Band', p.bands, 'band'),
                    rangeTable('Decile', p.deciles, 'decile')) :
                 el('p', {class: 'muted'}, 'No scored leads in this period.'));
  });
  const b = check.baseline;
  return el(
      'div', {class: 'card', id: 'scoring-check'},
      el('div', {class: 'card-head'}, el('h2', {}, 'Is the scoring working?'),
         el('span', {class: 'aside'}, 'Historical baseline ', pct(b.rate), ' (',
            b.rate === null ? '–' : interval(b.wilson_low, b.wilson_high), ') over ', leads(b.n))),
      el('p', {class: 'small muted'},
         'Matured HADES leads of published batches, by the icp.yaml in force when they were exported. ',
         'A difference whose interval lies above 0 converts better than before HADES; rates falling from High to Very Low mean the scores rank.'),
      sections);
}

function reportRow(r, selected, update) {
  const box = el(
      'input',
      {type: 'checkbox', value: r.item, 'aria-label': 'Apply ' + r.label, disabled: !r.selectable});
  box.checked = selected.has(r.item);
  const row = el(
      'tr', {class: box.checked ? 'selected' : null, 'data-item': r.item},
      el('td', {class: 'center'}, box),
      el('td', {}, el('b', {}, r.label), r.name ? ' · ' + r.name : '',
         r.in_icp ? null : el('span', {class: 'tag'}, 'not in icp.yaml')),
      el('td', {class: 'num'}, int(r.n), el('span', {class: 'sub'}, int(r.deliveries) + ' deliv.')),
      el('td', {class: 'num'}, pct(r.rate),
         el('span', {class: 'sub interval'}, interval(r.wilson_low, r.wilson_high))),
      el('td', {class: 'num scores'}, r.current, el('span', {class: 'arrow'}, '→'),
         el('b', {}, r.suggested),
         r.suggested_low === null || r.suggested_low === undefined ?
             null :
             el('span', {class: 'sub interval', title: '95% interval of the suggested score'},
                Math.round(r.suggested_low) + '–' + Math.round(r.suggested_high))),
      el('td', {}, el('span', {class: 'badge ' + r.band}, signed(r.delta) + ' ' + r.band)),
      el('td', {}, confidenceBadge(r.confidence)),
      el('td', {class: 'small'},
         r.verdict === 'supported' ? el('span', {class: 'tag supported'}, 'supported') : null,
         r.within_noise ? el('span', {class: 'tag'}, 'within noise') : null,
         r.manual_review ? el('span', {class: 'tag'}, 'manual review') : null,
         r.selectable ?
             null :
             el('span', {class: 'tag'}, r.delta === 0 ? 'no change' : 'no place in icp.yaml')));
  box.addEventListener('change', () => {
    if (box.checked)
      selected.add(r.item);
    else
      selected.delete(r.item);
    row.classList.toggle('selected', box.checked);
    update();
  });
  return row;
}

async function applySelected(report, items) {
  let plan;
  try {
    plan = await api('api/preview', {items});
  } catch (error) {
    alertDialog(
        'Cannot prepare the change',
        error.message + (error.data && error.data.nothing_changed ? ' Nothing was changed.' : ''));
    return;
  }
  const guardOk = plan.icp_sha256 === report.icp_sha256;
  const ok = await confirmDialog(
      'Apply ' + items.length + ' change' + (items.length === 1 ? '' : 's') + ' to icp.yaml',
      [
        el('div', {class: 'notice ' + (guardOk ? 'ok' : 'warn')},
           guardOk ?
               '✓ Guard: icp.yaml unchanged since the report (sha ' + shortSha(report.icp_sha256) +
                   '). If it changes before you confirm, nothing is written.' :
               '⚠ icp.yaml changed since the report: the writer will refuse. Recalibrate first.'),
        itemsTable(plan.items),
        el('h3', {}, 'Exact change to icp.yaml'),
        diffView(plan.diff),
        el('p', {class: 'small muted'}, 'Recorded as applied by ', el('b', {}, session.user),
           '. You can roll it back from Current weights.'),
      ],
      'Apply ' + items.length + ' change' + (items.length === 1 ? '' : 's'));
  if (!ok) return;
  try {
    const result = await api(
        'api/apply', {items, icp_sha256: report.icp_sha256, report_created_at: report.created_at});
    invalidate('weights', 'report');
    await refreshSummary();
    history.replaceState(null, '', '#weights');
    await showTab('weights', false);
    const c = result.change;
    flash(
        'Applied change ' + c.id + ': ' +
        c.items.map((i) => i.item + ' ' + i.before + ' → ' + i.after).join(', '));
  } catch (error) {
    alertDialog(
        'Apply failed',
        error.message +
            (error.data && error.data.nothing_changed ?
                 ' Nothing was changed: icp.yaml is as it was.' :
                 ''));
  }
}

function flash(text) {
  const panel = document.getElementById('panel-' + tabFromHash());
  panel.prepend(el('div', {class: 'notice ok', role: 'status', id: 'flash'}, text));
}

// A modal with the given content; resolves true when the primary button is pressed.
function confirmDialog(title, content, okText) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-title').textContent = title;
  clear(document.getElementById('confirm-body')).append(...content);
  const ok = document.getElementById('confirm-ok');
  ok.textContent = okText;
  ok.hidden = false;
  return new Promise((resolve) => {
    const finish = (value) => {
      ok.onclick = null;
      document.getElementById('confirm-cancel').onclick = null;
      dialog.onclose = null;
      if (dialog.open) dialog.close();
      resolve(value);
    };
    ok.onclick = () => finish(true);
    document.getElementById('confirm-cancel').onclick = () => finish(false);
    dialog.onclose = () => finish(false);
    dialog.showModal();
  });
}
function alertDialog(title, text) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-title').textContent = title;
  clear(document.getElementById('confirm-body'))
      .append(el('div', {class: 'notice error', role: 'alert', id: 'dialog-error'}, text));
  document.getElementById('confirm-ok').hidden = true;
  document.getElementById('confirm-cancel').onclick = () => dialog.close();
  dialog.showModal();
}

// ---- Tab 3: Outcomes feed ------------------------------------------------------------------
async function drawOutcomes(panel) {
  const data = await api('api/outcomes');
  clear(panel);
  const stages = data.funnel.stages;
  if (stages[0].count === 0) {
    panel.append(empty(
        'No HADES leads exported yet.',
        'Export a batch with jobs/export_leads.yaml; outcomes arrive with the nightly jobs/sync_outcomes.yaml. ',
        'Historical outcomes (jobs/import_historical.yaml) are counted by the calibration, not here.'));
    document.body.dataset.empty = 'outcomes';
    return;
  }
  panel.append(el(
      'div', {class: 'card', id: 'funnel'},
      el('div', {class: 'card-head'}, el('h2', {}, 'Funnel'),
         el('span', {class: 'aside'},
            int(data.funnel.batches) + ' batches · every exported lead, recent ones included · ' +
                int(data.funnel.churned) + ' churned after a delivery')),
      el('div', {class: 'funnel'},
         stages.map(
             (s, i) =>
                 el('div', {class: 'stage', 'data-stage': s.stage},
                    el('div', {class: 'label'},
                       s.stage === 'exported'        ? 'Exported' :
                           s.stage === 'delivery'    ? 'Delivery' :
                           s.stage === 'appointment' ? 'Appointment' :
                                                       'Contacted'),
                    el('div', {class: 'value'}, int(s.count)),
                    el('div', {class: 'rate'}, i === 0 ? 'leads' : pct(s.rate) + ' of exported'),
                    meter(s.rate))))));
  panel.append(el(
      'div', {class: 'grid two'},
      el('div', {class: 'card'},
         el('div', {class: 'card-head'}, el('h3', {}, 'Days from export to delivery'),
            el('span', {class: 'aside'},
               int(data.lag.deliveries) + ' deliveries · median ' +
                   (data.lag.median_days < 0 ? '–' : data.lag.median_days + ' days'))),
         data.lag.deliveries ? lagHistogram(data.lag) : empty('No delivery yet.', '')),
      el('div', {class: 'card'},
         el('div', {class: 'card-head'}, el('h3', {}, 'Median days to delivery, by export month')),
         data.lag.months.length ? monthChart(data.lag.months) : empty('No delivery yet.', ''))));
  panel.append(batchCheckCard(data.batch_check));
  panel.append(batchesCard(data.batches, data.batch_check));
}

function meter(rate) {
  const bar = el('span', {});
  bar.style.width =
      Math.max(0, Math.min(100, 100 * rate)).toFixed(1) + '%';  // CSSOM, allowed by the CSP
  return el('div', {class: 'meter', 'aria-hidden': 'true'}, bar);
}

// Vertical bars with value labels, drawn to a 560 x 220 view box.
function barChart(labels, values, options) {
  const W = 560, H = 220, left = 40, right = 10, top = 18, bottom = 34;
  const ticks = niceTicks(Math.max(1, ...values), 4);
  const max = ticks[ticks.length - 1];
  const step = (W - left - right) / values.length;
  const chart = svg(
      'svg',
      {class: 'chart', viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': options.title});
  for (const v of ticks) {
    const y = H - bottom - (H - top - bottom) * v / max;
    chart.append(
        svg('line', {class: 'grid', x1: left, x2: W - right, y1: y, y2: y}),
        svg('text', {x: left - 6, y: y + 4, 'text-anchor': 'end'}, int(v)));
  }
  values.forEach((v, i) => {
    const h = (H - top - bottom) * v / max;
    const x = left + i * step + step * 0.15;
    chart.append(
        svg('rect', {
          class: 'bar',
          x: x,
          y: H - bottom - h,
          width: step * 0.7,
          height: Math.max(h, v > 0 ? 1 : 0)
        },
            svg('title', {}, labels[i] + ': ' + int(v))));
    if (v > 0)
      chart.append(
          svg('text',
              {class: 'value', x: x + step * 0.35, y: H - bottom - h - 4, 'text-anchor': 'middle'},
              int(v)));
    chart.append(
        svg('text', {x: x + step * 0.35, y: H - bottom + 14, 'text-anchor': 'middle'}, labels[i]));
  });
  chart.append(
      svg('line', {class: 'axis', x1: left, x2: W - right, y1: H - bottom, y2: H - bottom}),
      svg('text', {x: (W + left) / 2, y: H - 4, 'text-anchor': 'middle'}, options.xLabel));
  if (options.marker !== undefined) {
    const x = left + options.marker * step;
    chart.append(
        svg('line', {class: 'median', x1: x, x2: x, y1: top - 6, y2: H - bottom}),
        svg('text', {class: 'median-label', x: x + 4, y: top + 2}, options.markerLabel));
  }
  return chart;
}

function lagHistogram(lag) {
  const labels = lag.bins.map((b) => b.to === null ? b.from + '+' : b.from + '–' + b.to);
  // The median's place on the bin axis: its bin, and how far into it.
  let marker;
  lag.bins.forEach((b, i) => {
    const to = b.to === null ? b.from + 60 : b.to + 1;
    if (lag.median_days >= b.from && lag.median_days < to)
      marker = i + (lag.median_days - b.from) / (to - b.from);
  });
  const chart = barChart(labels, lag.bins.map((b) => b.count), {
    title: 'Deliveries by days from export',
    xLabel: 'days from export to delivery',
    marker,
    markerLabel: 'median ' + lag.median_days + ' d'
  });
  chart.id = 'lag-chart';
  return chart;
}

// Median days per export month as a line over bars of the month's deliveries.
function monthChart(months) {
  const W = 560, H = 220, left = 40, right = 40, top = 18, bottom = 34;
  const medianTicks = niceTicks(Math.max(1, ...months.map((m) => m.median_days)), 4);
  const maxMedian = medianTicks[medianTicks.length - 1];
  const maxCount = Math.max(1, ...months.map((m) => m.deliveries));
  const step = (W - left - right) / months.length;
  const chart = svg('svg', {
    class: 'chart',
    id: 'month-chart',
    viewBox: '0 0 ' + W + ' ' + H,
    role: 'img',
    'aria-label': 'Median days from export to delivery per export month'
  });
  for (const v of medianTicks) {
    const y = H - bottom - (H - top - bottom) * v / maxMedian;
    chart.append(
        svg('line', {class: 'grid', x1: left, x2: W - right, y1: y, y2: y}),
        svg('text', {x: left - 6, y: y + 4, 'text-anchor': 'end'}, v + 'd'));
  }
  const points = [];
  months.forEach((m, i) => {
    const cx = left + i * step + step / 2;
    const h = (H - top - bottom) * 0.35 * m.deliveries / maxCount;
    chart.append(
        svg('rect',
            {class: 'bar alt', x: cx - step * 0.3, y: H - bottom - h, width: step * 0.6, height: h},
            svg('title', {}, m.month + ': ' + int(m.deliveries) + ' deliveries')));
    const y = H - bottom - (H - top - bottom) * m.median_days / maxMedian;
    points.push(cx.toFixed(1) + ',' + y.toFixed(1));
    chart.append(
        svg('circle', {class: 'point', cx: cx, cy: y, r: 3},
            svg('title', {}, m.month + ': median ' + m.median_days + ' days')));
    if (months.length <= 9 || i % Math.ceil(months.length / 9) === 0) {
      chart.append(
          svg('text', {x: cx, y: H - bottom + 14, 'text-anchor': 'middle'}, monthLabel(m.month)));
    }
  });
  chart.append(
      svg('polyline', {class: 'line', points: points.join(' ')}),
      svg('line', {class: 'axis', x1: left, x2: W - right, y1: H - bottom, y2: H - bottom}),
      svg('text', {x: (W + left - right) / 2, y: H - 4, 'text-anchor': 'middle'},
          'export month (line: median days · bars: deliveries)'));
  return chart;
}

function batchCheckCard(check) {
  const card = el(
      'div', {class: 'card', id: 'batch-check'},
      el('div', {class: 'card-head'}, el('h3', {}, 'Batch check'),
         el('span', {class: 'aside'},
            check.report_created_at ? 'from the report of ' + when(check.report_created_at) : '')));
  if (!check.ran) {
    card.append(
        el('p', {class: 'muted'},
           check.skipped_reason || 'No calibration report with a batch check yet.'));
    return card;
  }
  card.append(el(
      'p', {}, int(check.judged) + ' matured batches judged: ',
      el('span', {class: 'badge ' + (check.flagged ? 'bad' : 'good')},
         check.flagged + ' flagged (|z| > 3)'),
      ' ',
      el('span', {class: 'badge ' + (check.warned ? 'warn' : 'good')},
         check.warned + ' warned (|z| > 2)'),
      ' · a flagged batch is usually a pipeline problem (outcomes not synced, a mis-tagged import), not a scoring one.'));
  if (check.findings.length) {
    card.append(
        el('table', {id: 'findings-table'},
           el('thead', {},
              el('tr', {}, el('th', {}, 'Batch'), el('th', {}, 'Exported'),
                 el('th', {class: 'num'}, 'Leads'), el('th', {class: 'num'}, 'Deliveries'),
                 el('th', {class: 'num'}, 'Expected'), el('th', {class: 'num'}, 'z'),
                 el('th', {}, 'Status'))),
           el('tbody', {},
              check.findings.map(
                  (f) =>
                      el('tr', {}, el('td', {class: 'mono'}, f.batch_id),
                         el('td', {}, day(f.exported_at)), el('td', {class: 'num'}, int(f.n)),
                         el('td', {class: 'num'}, int(f.deliveries)),
                         el('td', {class: 'num'}, f.expected.toFixed(1)),
                         el('td', {class: 'num'}, f.z === null ? '–' : zText(f.z)),
                         el('td', {},
                            el('span', {class: 'badge ' + (f.status === 'flag' ? 'bad' : 'warn')},
                               f.status === 'flag' ? 'flagged' : 'warned')))))));
  }
  return card;
}

function batchesCard(batches, check) {
  const findings = new Map((check.findings || []).map((f) => [f.batch_id, f]));
  const detail = el('div', {id: 'batch-detail'});
  const card =
      el('div', {class: 'card', id: 'batches'},
         el('div', {class: 'card-head'}, el('h3', {}, 'Latest batches'),
            el('span', {class: 'aside'}, 'newest first · select a batch to see its leads')));
  const body = el('tbody', {});
  let open = null;
  for (const b of batches) {
    const f = findings.get(b.batch_id);
    const row = el(
        'tr', {class: 'clickable', tabindex: 0, 'data-batch': b.batch_id},
        el('td', {class: 'mono'}, b.batch_id), el('td', {}, b.workflow || '–'),
        el('td', {class: 'nowrap'}, day(b.exported_at)), el('td', {class: 'num'}, int(b.leads)),
        el('td', {class: 'num'}, int(b.contacted)), el('td', {class: 'num'}, int(b.appointments)),
        el('td', {class: 'num'}, int(b.deliveries)), el('td', {class: 'num'}, pct(b.rate)),
        el('td', {},
           f ? el('span', {class: 'badge ' + (f.status === 'flag' ? 'bad' : 'warn')},
                  'z ' + zText(f.z)) :
               el('span', {class: 'muted small'}, '–')));
    const toggle = async () => {
      if (open) open.classList.remove('open');
      if (open === row) {
        open = null;
        clear(detail);
        return;
      }
      open = row;
      row.classList.add('open');
      await drawBatch(detail, b.batch_id);
    };
    row.addEventListener('click', toggle);
    row.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        toggle();
      }
    });
    body.append(row);
  }
  card.append(
      el('table', {id: 'batches-table'},
         el('thead', {},
            el('tr', {}, el('th', {}, 'Batch'), el('th', {}, 'Workflow'), el('th', {}, 'Exported'),
               el('th', {class: 'num'}, 'Leads'), el('th', {class: 'num'}, 'Contacted'),
               el('th', {class: 'num'}, 'Appointments'), el('th', {class: 'num'}, 'Deliveries'),
               el('th', {class: 'num'}, 'Rate'), el('th', {}, 'Batch check'))),
         body),
      detail);
  return card;
}

async function drawBatch(node, id) {
  clear(node).append(el('p', {class: 'loading'}, 'Loading ' + id + '…'));
  try {
    const b = await api('api/batch?id=' + encodeURIComponent(id));
    clear(node).append(el('div', {class: 'card-head'}, el('h3', {}, b.batch_id),
        el('span', {class: 'aside'}, 'showing ' + int(b.shown) + ' of ' + leads(b.leads))),
        el('div', {class: 'scroll'}, el('table', {id: 'batch-leads'},
          el('thead', {}, el('tr', {}, el('th', {}, 'Company'), el('th', {}, 'SIC'), el('th', {class: 'num'}, 'Score'),
            el('th', {}, 'Outcome'), el('th', {}, 'Since'))),
          el('tbody', {}, b.rows.map((r) => el('tr', {},
            el('td', {}, r.company), el('td', {}, r.sic ? r.sic + (r.industry ? ' · ' + r.industry : '') : '–'),
            el('td', {class: 'num'}, r.score === null ? '–' : r.score),
            el('td', {}, r.outcome ? el('span', {class: 'badge ' + (r.outcome === 'delivery' ? 'good' : r.outcome === 'churned' ? 'bad' : 'neutral')}, r.outcome) :
              el('span', {class: 'muted'}, 'no outcome yet')),
            el('td', {class: 'nowrap'}, r.outcome_at ? day(r.outcome_at) : '–')))))));
  } catch (error) {
    clear(node).append(errorNotice(error, 'Loading ' + id));
  }
}

// ---- for the tabs drawn by other files (model.js) ----------------------------------------
window.HadesPage = {
  el,
  svg,
  clear,
  api,
  int,
  pct,
  fixed,
  when,
  day,
  shortSha,
  errorNotice,
  empty,
  stat,
  diffView,
  itemsTable,
  confirmDialog,
  alertDialog,
  flash,
  invalidate,
  refreshSummary,
  showTab,
  tabFromHash,
  user: () => session.user
};

// ---- start -------------------------------------------------------------------------------
async function refreshSummary() {
  summary = await api('api/summary');
  drawHeader();
}

async function main() {
  wireTabs();
  try {
    session = await api('/_hades/session');
    await refreshSummary();
  } catch (error) {
    document.querySelector('main').prepend(errorNotice(error, 'Loading the page'));
  }
  await showTab(tabFromHash(), false);
}

main();
})();
