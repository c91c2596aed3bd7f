#!/usr/bin/env python3
"""A design matrix shaped like the lead model's, for bench/train_bench.sh.

    bench/train_design.py --rows 1000000 --seed 1 --out /tmp/design.bin

Six one-hot features (24 SIC levels, 5 employee tiers, 5 regions, 6 proximity bands, 4 signal
strengths, 4 freshness tiers: 48 columns); a quarter of the rows are historical (SIC, employee,
region only), the rest intent (plus signal and freshness) or geography (plus proximity), as in
plugins/libraries/lead_model/tests/synthetic.h. Levels are drawn with uneven probabilities and planted
effects around a 10% delivery rate. Format: b"HADESDM1", uint64 rows, uint32 features, uint32
columns, then per row int16 column indices (-1: the row lacks the feature) and a uint8 outcome,
little-endian (bench/model_fit_bench.cc reads it).
"""
import argparse

import numpy as np

LEVELS = [24, 5, 5, 6, 4, 4]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    n = args.rows
    kind = rng.random(n)
    has = [np.ones(n, bool), np.ones(n, bool), np.ones(n, bool), kind >= 0.65,
           (kind >= 0.25) & (kind < 0.65), (kind >= 0.25) & (kind < 0.65)]
    columns = np.full((n, len(LEVELS)), -1, dtype="<i2")
    eta = np.full(n, -2.3)
    offset = 0
    for f, levels in enumerate(LEVELS):
        weights = rng.random(levels) ** 2 + 0.01
        level = rng.choice(levels, size=n, p=weights / weights.sum())
        effect = rng.normal(0, 0.5, levels)
        columns[has[f], f] = (offset + level[has[f]]).astype("<i2")
        eta[has[f]] += effect[level[has[f]]]
        offset += levels
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(np.uint8)
    record = np.dtype([("c", "<i2", (len(LEVELS),)), ("y", "u1")])
    rows = np.empty(n, dtype=record)
    rows["c"] = columns
    rows["y"] = y
    with open(args.out, "wb") as out:
        out.write(b"HADESDM1")
        out.write(np.array([n], dtype="<u8").tobytes())
        out.write(np.array([len(LEVELS), offset], dtype="<u4").tobytes())
        rows.tofile(out)


if __name__ == "__main__":
    main()
