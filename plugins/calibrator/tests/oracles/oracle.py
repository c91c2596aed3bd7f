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
"""

import json
import sys

import numpy as np
import scipy.special
import scipy.stats
import sklearn.metrics
import statsmodels.api as sm
from statsmodels.stats.proportion import proportion_confint

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
    }
    with open(answer_path, "w") as f:
        json.dump(answer, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
