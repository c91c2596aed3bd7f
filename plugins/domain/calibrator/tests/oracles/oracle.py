#!/usr/bin/python3
"""Independent answers for the calibrator's statistics, from statsmodels, scipy and sklearn.

    /usr/bin/python3 oracle.py request.json answer.json

The request holds lists of cases per statistic; the answer holds one result per case, in the
same order, as JSON numbers (repr round-trips doubles exactly). Nothing here shares code with
the C++ under test. A missing module is an ImportError and a non-zero exit: the test fails, it
is never skipped.

  wilson    [[k, n], ...]               -> [[low, high], ...]   statsmodels proportion_confint
  z95       (any)                       -> the normal quantile statsmodels' Wilson uses
  chi2      [[[k, n], ...], ...]        -> [[stat, p, dof], ...] scipy chi2_contingency
  gammaq    [[a, x], ...]               -> [Q, ...]             scipy.special.gammaincc
  auc       [{scores, labels}, ...]     -> [auc, ...]           sklearn roc_auc_score
  brier     [{p, labels}, ...]          -> [brier, ...]         sklearn brier_score_loss
  brier_fit [{train_scores, train_labels, test_scores, test_labels}, ...]
            -> [{brier, intercept, slope}, ...]  statsmodels Logit (Newton, unpenalised) fitted
               on the training window, then sklearn brier_score_loss on the test window
  binomtest [[k, n, p], ...]            -> [p-value, ...]       scipy binomtest, two-sided
  newcombe  [[k1, n1, k2, n2], ...]     -> [[low, high], ...]   statsmodels
               confint_proportions_2indep(method='newcomb', compare='diff')
  holm      [[p or null, ...], ...]     -> [[adjusted or null, ...], ...]
                                           statsmodels multipletests(method='holm')
  quantile  [{values, q}, ...]          -> [x, ...]  numpy.percentile(method='inverted_cdf')
  suggestion_interval [{buckets: [[k, n], ...], resamples: [[[k, n], ...], ...]}, ...]
            -> [[[low, high] or null, ...], ...]  the calibration.md suggestion (moment
               shrinkage, confidence, best bucket = 100) of the data and of each given resample,
               written here from the spec, then the basic bootstrap interval with numpy's
               inverted_cdf percentiles: the resampling itself (the C++ sampler) is the only
               part not recomputed
"""

import json
import sys

import numpy as np
import scipy.special
import scipy.stats
import sklearn.metrics
import statsmodels.api as sm
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

ALPHA = 0.05


def wilson(cases):
    out = []
    for k, n in cases:
        low, high = proportion_confint(k, n, alpha=ALPHA, method="wilson")
        out.append([float(low), float(high)])
    return out


def chi2(cases):
    out = []
    for buckets in cases:
        table = np.array([[k, n - k] for k, n in buckets], dtype=float)
        stat, p, dof, _ = scipy.stats.chi2_contingency(table, correction=False)
        out.append([float(stat), float(p), int(dof)])
    return out


def holm(cases):
    out = []
    for p_values in cases:
        given = [i for i, p in enumerate(p_values) if p is not None]
        adjusted = [None] * len(p_values)
        if given:
            _, corrected, _, _ = multipletests([p_values[i] for i in given], method="holm")
            for i, value in zip(given, corrected):
                adjusted[i] = float(value)
        out.append(adjusted)
    return out


def suggestion(buckets):
    """calibration.md items 2 and 3 for [[k, n], ...]; an n = 0 bucket gets the mean, Low."""
    seen = [(k, n) for k, n in buckets if n > 0]
    big_n = sum(n for _, n in seen)
    m = sum(k for k, _ in seen) / big_n
    s = sum(n * (k / n - m) ** 2 for k, n in seen)
    variance = m * (1 - m)
    denominator = big_n - sum(n * n for _, n in seen) / big_n
    tau2 = 0.0
    if len(seen) >= 2 and denominator > 0:
        tau2 = max(0.0, (s - (len(seen) - 1) * variance) / denominator)
    shrunk = []
    for k, n in buckets:
        if n > 0 and tau2 > 0:
            kappa = min(max(variance / tau2 - 1, 2.0), 1e4)
            shrunk.append((k + kappa * m) / (n + kappa))
        else:
            shrunk.append(m)
    medium = [r for (k, n), r in zip(buckets, shrunk) if n >= 30]
    reference = max(medium, default=0.0)
    if reference <= 0:
        return None
    return [min(100, round(100 * r / reference)) for r in shrunk]  # round: half to even


def suggestion_interval(cases):
    out = []
    for case in cases:
        estimate = suggestion(case["buckets"])
        if estimate is None:
            out.append([None] * len(case["buckets"]))
            continue
        scores = [s for s in map(suggestion, case["resamples"]) if s is not None]
        intervals = []
        for i, e in enumerate(estimate):
            values = np.array([s[i] for s in scores], dtype=float)
            low_q, high_q = np.percentile(values, [2.5, 97.5], method="inverted_cdf")
            intervals.append([float(min(100.0, max(0.0, 2 * e - high_q))),
                              float(min(100.0, max(0.0, 2 * e - low_q)))])
        out.append(intervals)
    return out


def brier_fit(cases):
    out = []
    for case in cases:
        x = sm.add_constant(np.asarray(case["train_scores"], dtype=float))
        model = sm.Logit(np.asarray(case["train_labels"], dtype=float), x)
        fit = model.fit(method="newton", tol=1e-14, maxiter=200, disp=0)
        intercept, slope = (float(v) for v in fit.params)
        test = np.asarray(case["test_scores"], dtype=float)
        p = 1.0 / (1.0 + np.exp(-(intercept + slope * test)))
        brier = sklearn.metrics.brier_score_loss(case["test_labels"], p)
        out.append({"brier": float(brier), "intercept": intercept, "slope": slope})
    return out


def main(request_path, answer_path):
    with open(request_path) as f:
        request = json.load(f)
    answer = {
        "wilson": wilson(request.get("wilson", [])),
        "z95": float(scipy.stats.norm.isf(ALPHA / 2)),
        "chi2": chi2(request.get("chi2", [])),
        "gammaq": [float(scipy.special.gammaincc(a, x)) for a, x in request.get("gammaq", [])],
        "auc": [float(sklearn.metrics.roc_auc_score(c["labels"], c["scores"]))
                for c in request.get("auc", [])],
        "brier": [float(sklearn.metrics.brier_score_loss(c["labels"], c["p"]))
                  for c in request.get("brier", [])],
        "brier_fit": brier_fit(request.get("brier_fit", [])),
        "binomtest": [float(scipy.stats.binomtest(k, n, p, alternative="two-sided").pvalue)
                      for k, n, p in request.get("binomtest", [])],
        "holm": holm(request.get("holm", [])),
        "newcombe": [[float(v) for v in confint_proportions_2indep(
            k1, n1, k2, n2, method="newcomb", compare="diff", alpha=ALPHA)]
            for k1, n1, k2, n2 in request.get("newcombe", [])],
        "quantile": [float(np.percentile(np.asarray(c["values"], dtype=float), 100 * c["q"],
                                         method="inverted_cdf"))
                     for c in request.get("quantile", [])],
        "suggestion_interval": suggestion_interval(request.get("suggestion_interval", [])),
    }
    with open(answer_path, "w") as f:
        json.dump(answer, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
