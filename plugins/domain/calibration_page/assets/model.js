// The Model tab of the Score Calibration page: the newest lead model against icp.yaml's weights
// on its holdout (api/model), with Approve (score with the model) and Revert (back to the
// weights), both audited changes of icp.yaml's scoring_method through the weight writer.
// Registers window.HadesTabs.model; draws with app.js's helpers (window.HadesPage), which exist
// by the time a tab is drawn. Every value from the server goes in as text, never as HTML.
'use strict';

(function() {
const FEATURES = {
  sic: 'SIC code',
  employee_tier: 'Employees',
  region: 'Region',
  proximity: 'Proximity (geography)',
  signal_strength: 'Signal strength (intent)',
  freshness: 'Freshness (intent)'
};
const VERDICT_KIND = {
  'model better': 'good',
  'weights better': 'bad',
  'insufficient evidence': 'warn',
  'not evaluated': 'neutral'
};

function num(x, digits) {
  return x === null || x === undefined ? '–' : x.toFixed(digits);
}

async function draw(panel) {
  const P = window.HadesPage;
  const {el, clear} = P;
  const data = await P.api('api/model');
  clear(panel);
  panel.append(methodNotice(P, data));
  if (!data.available) {
    panel.append(P.empty(
        'No lead model trained yet.', 'Run ', el('code', {}, 'hades run jobs/train_model.yaml'),
        ' once at least 500 HADES-originated outcomes have matured: it trains the model on them ',
        '(and the historical outcomes), compares it with the weights on a holdout and shows the ',
        'result here. Until a person approves a model, the scorer scores with icp.yaml\'s weights. ',
        'See docs/model.md.'));
    if (data.history.length) panel.append(historyCard(P, data.history));
    return;
  }
  const m = data.model;
  const e = m.evaluation;
  panel.append(
      el('div', {class: 'stats', id: 'model-stats'},
         P.stat('AUC, model', num(e.model.auc, 3), 'ranking of the holdout\'s leads'),
         P.stat('AUC, weights', num(e.weights.auc, 3), 'icp.yaml\'s scores, same leads'),
         P.stat(
             'Difference', e.auc_difference ? P.fixed(e.auc_difference.estimate, 3) : '–',
             e.auc_difference ? '95% interval ' + P.fixed(e.auc_difference.low, 3) + ' to ' +
                     P.fixed(e.auc_difference.high, 3) :
                                'not evaluated'),
         P.stat(
             'Holdout', P.int(e.test_leads),
             P.int(e.test_deliveries) + ' deliveries · from ' + P.day(e.holdout_date))));
  panel.append(actionBar(P, data));
  panel.append(el('div', {class: 'grid two'}, comparisonCard(P, e), reliabilityCard(P, e)));
  panel.append(coefficientsCard(P, m));
  panel.append(el('div', {class: 'grid two'}, trainingCard(P, data), historyCard(P, data.history)));
}

// What the scorer does now, in one line.
function methodNotice(P, data) {
  const {el} = P;
  if (data.icp_error) {
    return el(
        'div', {class: 'notice error', id: 'method-notice'},
        'icp.yaml cannot be read: ', data.icp_error);
  }
  const m = data.method;
  if (m.use === 'weights') {
    return el(
        'div', {class: 'notice ok', id: 'method-notice'},
        el('b', {}, 'The scorer scores with icp.yaml\'s weights.'),
        data.available && data.usable && !m.approves_this_model ? ' Model ' + data.id +
                ' beat them on its holdout; approving it switches the scorer to it.' :
                                                                  '');
  }
  const fallback = m.scorer_now.startsWith('the weights');
  const which = m.approves_this_model ? 'model ' + data.id : m.scorer_now;
  return el(
      'div', {class: 'notice ' + (fallback ? 'warn' : 'ok'), id: 'method-notice'},
      el('b', {},
         fallback ?
             'icp.yaml approves model ' + m.model + ', but the scorer falls back to the weights' :
             'The scorer scores with ' + which + '.'),
      fallback ?
          ': ' + m.scorer_now.replace(/^the weights: icp\.yaml approves the model \S+, but /, '') :
          '',
      ' (icp.yaml: scoring_method use: model, model: ' + m.model + ')');
}

function actionBar(P, data) {
  const {el} = P;
  const e = data.model.evaluation;
  const kind = VERDICT_KIND[e.verdict] || 'neutral';
  const approved = data.method && data.method.approves_this_model;
  const canApprove = data.approve_available && data.usable && !approved && !data.icp_error;
  const approve =
      el('button', {
        class: 'button primary',
        type: 'button',
        id: 'model-approve',
        disabled: !canApprove,
        onclick: () => approveModel(P, data)
      },
         approved ? 'Approved' : 'Approve model ' + data.id);
  const revert =
      el('button', {
        class: 'button danger',
        type: 'button',
        id: 'model-revert',
        disabled: !(data.approve_available && data.revert.available),
        onclick: () => revertModel(P, data)
      },
         'Revert to the weights');
  const why = !data.approve_available ? data.approve_unavailable_reason :
      !data.usable                    ? 'Approve is off: ' + data.unusable_reason :
      approved                        ? 'The scorer already uses this model.' :
                                        '';
  return el(
      'div', {class: 'actionbar', id: 'model-actions'},
      el('div', {class: 'verdict', id: 'model-verdict'},
         el('span', {class: 'badge ' + kind}, e.verdict), ' ', e.reason,
         why ? el('div', {class: 'muted small', id: 'model-why'}, why) : null),
      el('div', {class: 'actions'}, revert, approve));
}

function comparisonCard(P, e) {
  const {el} = P;
  const row = (label, model, weights, digits, note) => el(
      'tr', {}, el('td', {}, label, note ? el('span', {class: 'sub'}, note) : null),
      el('td', {class: 'num'}, num(model, digits)), el('td', {class: 'num'}, num(weights, digits)),
      el('td', {class: 'num'},
         model === null || weights === null || model === undefined || weights === undefined ?
             '–' :
             P.fixed(model - weights, digits)));
  return el(
      'div', {class: 'card', id: 'model-comparison'},
      el('div', {class: 'card-head'}, el('h3', {}, 'Model vs weights on the holdout'),
         el('span', {class: 'aside'},
            P.int(e.test_leads) + ' leads exported from ' + P.day(e.holdout_date))),
      el('table', {id: 'comparison-table'},
         el('thead', {},
            el('tr', {}, el('th', {}, 'Measure'), el('th', {class: 'num'}, 'Model'),
               el('th', {class: 'num'}, 'Weights'), el('th', {class: 'num'}, 'Model − weights'))),
         el('tbody', {},
            row('AUC', e.model.auc, e.weights.auc, 3,
                'chance a delivering lead outranks one that did not'),
            row('Lift, top 20%', e.model.lift_top20, e.weights.lift_top20, 2,
                'delivery rate of the best-scored fifth / overall'),
            row('Brier score', e.model.brier, e.weights.brier, 4,
                'lower is better; the weights\' via a 1-D logistic fit'),
            row('Log-loss per lead', e.model.log_loss, null, 4, 'the model\'s'))),
      e.auc_difference ? intervalChart(P, e.auc_difference) : null,
      el('p', {class: 'muted small', id: 'comparison-how'},
         'The holdout is the matured leads exported from ' + P.day(e.holdout_date) +
             ': the model compared here ' +
             'was fitted only on earlier leads, and the weights are icp.yaml\'s as they are now. The model is ' +
             'better when the 95% interval of the AUC difference lies above 0; only then can it be approved, and ' +
             'the scorer uses it only after a person approves it. Lift and Brier are shown for context.'));
}

// The AUC difference and its 95% interval against 0.
function intervalChart(P, d) {
  const {svg} = P;
  const W = 560, H = 70, left = 20, right = 20, y = 30;
  const extent = Math.max(0.02, Math.abs(d.low), Math.abs(d.high)) * 1.25;
  const x = (v) => left + (W - left - right) * (v + extent) / (2 * extent);
  const chart = svg('svg', {
    class: 'chart',
    id: 'auc-interval',
    viewBox: '0 0 ' + W + ' ' + H,
    role: 'img',
    'aria-label': 'AUC difference, model minus weights, with its 95% interval'
  });
  chart.append(
      svg('line', {class: 'axis', x1: left, x2: W - right, y1: y, y2: y}),
      svg('line', {class: 'median', x1: x(0), x2: x(0), y1: 8, y2: H - 18}),
      svg('text', {x: x(0), y: H - 4, 'text-anchor': 'middle'}, '0: no difference'),
      svg('text', {x: left, y: H - 4}, 'weights better'),
      svg('text', {x: W - right, y: H - 4, 'text-anchor': 'end'}, 'model better'),
      svg('line', {class: 'line', x1: x(d.low), x2: x(d.high), y1: y, y2: y}),
      svg('line', {class: 'line', x1: x(d.low), x2: x(d.low), y1: y - 6, y2: y + 6}),
      svg('line', {class: 'line', x1: x(d.high), x2: x(d.high), y1: y - 6, y2: y + 6}),
      svg('circle', {class: 'point', cx: x(d.estimate), cy: y, r: 5}),
      svg('text', {class: 'value', x: x(d.estimate), y: y - 10, 'text-anchor': 'middle'},
          P.fixed(d.estimate, 3) + ' [' + P.fixed(d.low, 3) + ', ' + P.fixed(d.high, 3) + ']'));
  return chart;
}

function reliabilityCard(P, e) {
  const {el} = P;
  const bins = e.reliability || [];
  const card =
      el('div', {class: 'card', id: 'model-reliability'},
         el('div', {class: 'card-head'}, el('h3', {}, 'Reliability on the holdout'),
            el('span', {class: 'aside'}, 'leads in ten bins by the model\'s probability')));
  if (!bins.length) {
    card.append(P.empty('No holdout to check.', e.reason));
    return card;
  }
  card.append(
      reliabilityChart(P, bins),
      el('table', {id: 'reliability-table'},
         el('thead', {},
            el('tr', {}, el('th', {class: 'num'}, 'Leads'), el('th', {class: 'num'}, 'Predicted'),
               el('th', {class: 'num'}, 'Observed'), el('th', {class: 'num'}, '95% interval'))),
         el('tbody', {},
            bins.map(
                (b) => el(
                    'tr', {}, el('td', {class: 'num'}, P.int(b.leads)),
                    el('td', {class: 'num'}, P.pct(b.predicted)),
                    el('td', {class: 'num'}, P.pct(b.observed) + ' (' + P.int(b.deliveries) + ')'),
                    el('td', {class: 'num interval'}, P.pct(b.low) + '–' + P.pct(b.high)))))));
  return card;
}

// Observed rate (with its interval) against the predicted one; the diagonal is perfect.
function reliabilityChart(P, bins) {
  const {svg} = P;
  const W = 560, H = 220, left = 44, right = 12, top = 12, bottom = 34;
  const max = Math.min(1, Math.max(0.05, ...bins.map((b) => Math.max(b.high, b.predicted))) * 1.1);
  const x = (v) => left + (W - left - right) * v / max;
  const y = (v) => H - bottom - (H - top - bottom) * v / max;
  const chart = svg('svg', {
    class: 'chart',
    id: 'reliability-chart',
    viewBox: '0 0 ' + W + ' ' + H,
    role: 'img',
    'aria-label': 'Observed delivery rate against the model\'s predicted probability'
  });
  for (let i = 0; i <= 4; ++i) {
    const v = max * i / 4;
    chart.append(
        svg('line', {class: 'grid', x1: left, x2: W - right, y1: y(v), y2: y(v)}),
        svg('text', {x: left - 6, y: y(v) + 4, 'text-anchor': 'end'}, P.pct(v, 0)),
        svg('text', {x: x(v), y: H - bottom + 14, 'text-anchor': 'middle'}, P.pct(v, 0)));
  }
  chart.append(
      svg('line', {class: 'median', x1: x(0), y1: y(0), x2: x(max), y2: y(max)}),
      svg('line', {class: 'axis', x1: left, x2: W - right, y1: H - bottom, y2: H - bottom}),
      svg('text', {x: (W + left) / 2, y: H - 4, 'text-anchor': 'middle'},
          'predicted probability (model)'));
  for (const b of bins) {
    chart.append(
        svg('line',
            {class: 'line', x1: x(b.predicted), x2: x(b.predicted), y1: y(b.low), y2: y(b.high)}),
        svg('circle', {class: 'point', cx: x(b.predicted), cy: y(b.observed), r: 4},
            svg('title', {},
                P.int(b.leads) + ' leads: predicted ' + P.pct(b.predicted) + ', observed ' +
                    P.pct(b.observed))));
  }
  return chart;
}

// Each feature's levels, largest effect first, as bars left (lowers) or right (raises).
function coefficientsCard(P, m) {
  const {el, svg} = P;
  const extent =
      Math.max(0.1, ...m.features.flatMap((f) => f.levels.map((l) => Math.abs(l.coefficient))));
  const cards = m.features.map((f) => {
    const levels = [...f.levels].sort((a, b) => b.coefficient - a.coefficient);
    const W = 120, mid = W / 2;
    return el(
        'div', {class: 'card'}, el('h3', {}, FEATURES[f.name] || f.name),
        el('table', {class: 'coefficients', 'data-feature': f.name},
           el('thead', {},
              el('tr', {}, el('th', {}, 'Level'), el('th', {class: 'num'}, 'Leads'),
                 el('th', {class: 'num'}, 'Effect'), el('th', {}, ''))),
           el('tbody', {}, levels.map((l) => {
             const w = (W / 2 - 2) * Math.abs(l.coefficient) / extent;
             const bar = svg(
                 'svg', {class: 'chart effect', viewBox: '0 0 ' + W + ' 12', 'aria-hidden': 'true'},
                 svg('line', {class: 'axis', x1: mid, x2: mid, y1: 0, y2: 12}), svg('rect', {
                   class: l.coefficient >= 0 ? 'bar' : 'bar alt',
                   x: l.coefficient >= 0 ? mid : mid - w,
                   y: 2,
                   width: Math.max(w, 0.5),
                   height: 8
                 }));
             return el(
                 'tr', {},
                 el('td', {}, l.level,
                    l.pooled ? el('span', {class: 'sub'}, 'pooled: ' + l.pooled.join(', ')) : null),
                 el('td', {class: 'num'}, P.int(l.leads)),
                 el('td', {class: 'num'}, P.fixed(l.coefficient, 2)),
                 el('td', {class: 'effect-cell'}, bar));
           }))));
  });
  return el(
      'div', {class: 'card', id: 'model-coefficients'},
      el('div', {class: 'card-head'}, el('h3', {}, 'What the model learned'),
         el('span', {class: 'aside'},
            'coefficients in log-odds: right raises a lead\'s chance of delivery, left lowers it; ' +
                'levels with fewer than 30 leads or 5 deliveries are pooled into Other')),
      el('div', {class: 'grid three'}, cards));
}

function trainingCard(P, data) {
  const {el} = P;
  const m = data.model;
  const t = m.training;
  const cs = m.c_selection;
  const fact = (label, ...value) => el('tr', {}, el('th', {}, label), el('td', {}, ...value));
  return el(
      'div', {class: 'card', id: 'model-training'},
      el('div', {class: 'card-head'}, el('h3', {}, 'Model ' + data.id),
         el('span', {class: 'aside'}, 'trained ' + P.when(m.created_at))),
      el('table', {class: 'facts-table'},
         el('tbody', {},
            fact(
                'Outcomes',
                P.int(t.hades_outcomes) + ' HADES (' + P.int(t.hades_deliveries) +
                    ' deliveries), ' + P.int(t.historical_outcomes) + ' historical (' +
                    P.int(t.historical_deliveries) + ')'),
            fact(
                'Exports',
                P.day(t.first_export) + ' to ' + P.day(t.last_export) + ', matured before ' +
                    P.day(t.matured_before)),
            fact(
                'C', String(m.c),
                el('span', {class: 'sub'},
                   cs.note ? cs.note :
                             'lowest log-loss over ' + cs.folds + ' time-ordered folds: ' +
                           cs.grid.map((c, i) => c + ' → ' + num(cs.log_loss[i], 4)).join(', '))),
            fact(
                'Solver',
                'Newton, ' + m.solver.iterations + ' iterations, gradient ' +
                    m.solver.gradient_max.toExponential(1)),
            fact('File', el('code', {}, data.file || '–')),
            fact(
                'SHA-256', el('code', {title: data.sha256}, P.shortSha(data.sha256)), ' · data ',
                el('code', {title: t.data_sha256}, P.shortSha(t.data_sha256))))));
}

function historyCard(P, history) {
  const {el} = P;
  const card =
      el('div', {class: 'card', id: 'method-history'},
         el('div', {class: 'card-head'}, el('h3', {}, 'Scoring method changes'),
            el('span', {class: 'aside'}, 'audited in icp_changes with the weight changes')));
  if (!history.length) {
    card.append(
        P.empty('No change yet.', 'Approving a model, and reverting to the weights, appear here.'));
    return card;
  }
  card.append(
      el('table', {id: 'method-history-table'},
         el('thead', {},
            el('tr', {}, el('th', {}, 'When'), el('th', {}, 'By'), el('th', {}, 'Change'))),
         el('tbody', {},
            history.map(
                (c) =>
                    el('tr', {}, el('td', {class: 'nowrap'}, P.when(c.applied_at)),
                       el('td', {}, c.applied_by),
                       el('td', {},
                          c.kind === 'rollback' ? 'Rolled back change ' + c.rolls_back :
                                                  c.before + ' → ' + c.after,
                          c.rolled_back ? el('span', {class: 'tag'}, 'rolled back') : null))))));
  return card;
}

async function refreshAfterChange(P, text) {
  P.invalidate('weights', 'model');
  await P.refreshSummary();
  await P.showTab(P.tabFromHash(), false);
  P.flash(text);
}

async function approveModel(P, data) {
  const {el} = P;
  let plan;
  try {
    plan = await P.api('api/model/preview', {model_id: data.id});
  } catch (error) {
    P.alertDialog(
        'Approve refused',
        error.message + (error.data && error.data.nothing_changed ? ' Nothing was changed.' : ''));
    return;
  }
  const ok = await P.confirmDialog(
      'Score with model ' + data.id,
      [
        el('p', {},
           'From the next export on, the scorer scores leads with model ' + data.id +
               ' instead of the weights (scores stay 0-100; each lead\'s three largest contributions are kept). ' +
               'The change to icp.yaml is recorded by ',
           el('b', {}, P.user()), ' and can be reverted.'),
        P.itemsTable(plan.items), P.diffView(plan.diff)
      ],
      'Approve');
  if (!ok) return;
  try {
    const r = await P.api('api/model/approve', {model_id: data.id, icp_sha256: data.icp_sha256});
    await refreshAfterChange(
        P,
        'Approved: the scorer now scores with model ' + data.id + ' (change ' + r.change.id + ').');
  } catch (error) {
    P.alertDialog(
        'Approve failed',
        error.message + (error.data && error.data.nothing_changed ? ' Nothing was changed.' : ''));
  }
}

async function revertModel(P, data) {
  const {el} = P;
  const how = data.revert.rollback_change !== null ?
      'This rolls back change ' + data.revert.rollback_change +
          ', restoring icp.yaml as it was before the approval.' :
      'This sets icp.yaml\'s scoring_method back to use: weights, as a change of its own.';
  const ok = await P.confirmDialog(
      'Revert to the weights',
      [el('p', {},
          'From the next export on, the scorer scores with icp.yaml\'s weights again. ' + how +
              ' It is recorded by ',
          el('b', {}, P.user()), '.')],
      'Revert');
  if (!ok) return;
  try {
    const r = await P.api('api/model/revert', {icp_sha256: data.icp_sha256});
    await refreshAfterChange(
        P, 'Reverted: the scorer scores with the weights again (change ' + r.change.id + ').');
  } catch (error) {
    P.alertDialog(
        'Revert failed',
        error.message + (error.data && error.data.nothing_changed ? ' Nothing was changed.' : ''));
  }
}

window.HadesTabs = window.HadesTabs || {};
window.HadesTabs.model = draw;
})();
