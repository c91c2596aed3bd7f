#!/usr/bin/python3
"""scikit-learn's answers for the lead model's oracle test (tests/oracle_test.cc).

    /usr/bin/python3 logistic_oracle.py REQUEST.json ANSWER.json

REQUEST: {"cases": [{"columns": P, "c": C, "groups": [[[j, ...], n, k], ...]}, ...]}: one-hot
groups, expanded here into the rows they stand for (k rows with y = 1, n - k with y = 0, each
with a 1 in columns j, ...) as a scipy CSR matrix. For each case, ANSWER holds the fits of
sklearn.linear_model.LogisticRegression on that design (penalty l2, fit_intercept, the case's C):
  lbfgs:    solver="lbfgs", tol=1e-10, max_iter=10000 (the brief's oracle)
  newton:   solver="newton-cholesky", tol=1e-14, max_iter=1000 (the same objective, solved by a
            second-order method to rounding: the reference where lbfgs stops early)
each as {"intercept", "coef", "objective", "gradient_max", "n_iter", "p"}: the objective
sum log-loss + ||w||^2 / (2C) and the largest absolute component of its gradient at the fit,
computed here with numpy; p the predicted probability of each group. Debian's python3-sklearn
(1.2) only: the product never needs Python.
"""
import json
import sys
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression


def design(case):
    groups = case["groups"]
    columns = case["columns"]
    rows_index, data_rows, labels, group_x = [], [], [], []
    indptr = [0]
    for active, n, k in groups:
        for y in (1, 0):
            count = k if y == 1 else n - k
            for _ in range(int(count)):
                rows_index.extend(active)
                indptr.append(len(rows_index))
                labels.append(y)
        group_x.append(active)
    x = sp.csr_matrix((np.ones(len(rows_index)), np.array(rows_index, dtype=np.int64),
                       np.array(indptr, dtype=np.int64)), shape=(len(labels), columns))
    gi, gp = [], [0]
    for active in group_x:
        gi.extend(active)
        gp.append(len(gi))
    g = sp.csr_matrix((np.ones(len(gi)), np.array(gi, dtype=np.int64), np.array(gp, dtype=np.int64)),
                      shape=(len(group_x), columns))
    return x, np.array(labels), g


def measures(x, y, w, b, c):
    eta = x @ w + b
    mu = 1.0 / (1.0 + np.exp(-eta))
    residual = mu - y
    gradient = np.r_[x.T @ residual + w / c, residual.sum()]
    objective = np.logaddexp(0.0, eta).sum() - (y * eta).sum() + (w @ w) / (2.0 * c)
    return float(objective), float(np.abs(gradient).max())


def fit(x, y, g, c, **solver):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = LogisticRegression(C=c, **solver).fit(x, y)
    w, b = model.coef_[0], float(model.intercept_[0])
    objective, gradient_max = measures(x, y, w, b, c)
    return {"intercept": b, "coef": w.tolist(), "objective": objective,
            "gradient_max": gradient_max, "n_iter": int(model.n_iter_[0]),
            "p": (1.0 / (1.0 + np.exp(-(g @ w + b)))).tolist()}


def main(request_path, answer_path):
    with open(request_path) as f:
        request = json.load(f)
    answers = []
    for case in request["cases"]:
        x, y, g = design(case)
        c = case["c"]
        answers.append({
            "lbfgs": fit(x, y, g, c, solver="lbfgs", tol=1e-10, max_iter=10000),
            "newton": fit(x, y, g, c, solver="newton-cholesky", tol=1e-14, max_iter=1000),
        })
    with open(answer_path, "w") as f:
        json.dump({"cases": answers}, f)


if __name__ == "__main__":
    main(*sys.argv[1:3])
