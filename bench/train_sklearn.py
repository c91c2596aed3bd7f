#!/usr/bin/python3
"""scikit-learn's side of bench/train_bench.sh: LogisticRegression on a design file.

    /usr/bin/python3 bench/train_sklearn.py DESIGN C SOLVER OUT.json

Reads bench/train_design.py's file into a scipy CSR matrix (the same design matrix the lead
model's fit reads, one row per lead) and fits LogisticRegression(C=C, solver=SOLVER): "lbfgs"
with tol=1e-10, max_iter=10000 (the oracle test's settings), "lbfgs-default" (tol=1e-4, the
library's default), or "newton-cholesky" (tol=1e-14: the optimum to rounding, the reference the
coefficients are checked against). Prints one JSON line: seconds to read and build the matrix, seconds to fit,
iterations; OUT.json gets the intercept and coefficients.
"""
import json
import sys
import time
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression


def main(path, c, solver, out_path):
    start = time.monotonic()
    with open(path, "rb") as f:
        assert f.read(8) == b"HADESDM1"
        rows = int(np.frombuffer(f.read(8), "<u8")[0])
        features, columns = (int(x) for x in np.frombuffer(f.read(8), "<u4"))
        record = np.dtype([("c", "<i2", (features,)), ("y", "u1")])
        data = np.fromfile(f, dtype=record, count=rows)
    cols = data["c"]
    present = cols >= 0
    indptr = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(present.sum(axis=1), out=indptr[1:])
    x = sp.csr_matrix((np.ones(int(indptr[-1])), cols[present].astype(np.int32), indptr),
                      shape=(rows, columns))
    y = data["y"].astype(np.int64)
    del data, cols, present
    read_seconds = time.monotonic() - start
    settings = {"lbfgs": ("lbfgs", 1e-10, 10000), "lbfgs-default": ("lbfgs", 1e-4, 100),
                "newton-cholesky": ("newton-cholesky", 1e-14, 1000)}[solver]
    start = time.monotonic()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = LogisticRegression(C=c, solver=settings[0], tol=settings[1],
                                   max_iter=settings[2]).fit(x, y)
    fit_seconds = time.monotonic() - start
    with open(out_path, "w") as out:
        json.dump({"intercept": float(model.intercept_[0]), "coef": model.coef_[0].tolist()}, out)
    print(json.dumps({"read_seconds": round(read_seconds, 4), "fit_seconds": round(fit_seconds, 4),
                      "iterations": int(model.n_iter_[0])}))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4])
