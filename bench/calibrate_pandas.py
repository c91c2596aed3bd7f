#!/usr/bin/python3
"""The calibrator's aggregation done with pandas: the benchmark's reference.

    bench/calibrate_pandas.py --db outcomes.db --icp config/icp.yaml \
        --matured-before 2025-11-13T06:00:00Z --holdout-date 2025-10-26T06:01:00Z \
        --out counts.json

Reads the tables the calibrator reads and computes what the calibrator asks the database for:
leads and deliveries per bucket of every dimension (4-digit SIC, employee tier, state, census
region, proximity band for geography leads, signal strength and freshness tier for intent
leads), per backtest cell (every bucket the score depends on x recorded score x holdout side)
and per export batch, with the calibrator's bucket rules (plugins/domain/calibrator/README.md). The
table is read in chunks of --chunk rows: read whole, 10M outcome rows with their
source_features JSON take more memory than the machine has. Writes {dimension: {bucket:
[n, k]}} as JSON, so the benchmark can check that both computed the same counts.

An intent lead's strength, score, date and age come from its source_features JSON, as a Python
team reading the design's table would take them; with --columns, from the intent_strength,
intent_score, intent_date and age_days columns the export writes since outcome_tables migration
5 (source_features is then not read at all: every row must have them, as generated rows do).
"""

import argparse
import json
import re
import sqlite3
import sys

import numpy as np
import pandas as pd
import yaml

STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota",
    "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island",
    "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah",
    "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia",
    "WI": "Wisconsin", "WY": "Wyoming",
}
REGIONS = {
    "Northeast": "CT ME MA NH RI VT NJ NY PA",
    "Midwest": "IL IN MI OH WI IA KS MN MO NE ND SD",
    "South": "DE FL GA MD NC SC VA DC WV AL KY MS TN AR LA OK TX",
    "West": "AZ CO ID MT NV NM UT WY AK CA HI OR WA",
}
REGION_OF = {code: region for region, codes in REGIONS.items() for code in codes.split()}
STATE_KEY = {**{c: c for c in STATES}, **{n.upper(): c for c, n in STATES.items()}}
SIC = re.compile(r"^\s*(\d{4})(?:[-. /\t].*)?\s*$")
LEADS_SQL = ("SELECT batch_id, workflow_type, sic_code, employee_count, distance_miles, state, "
             "hades_score, exported_at, outcome, source_features FROM lead_outcomes "
             "WHERE exported_at < ?")
LEADS_COLUMNS_SQL = ("SELECT batch_id, workflow_type, sic_code, employee_count, distance_miles, "
                     "state, hades_score, exported_at, outcome, intent_strength, intent_score, "
                     "intent_date, age_days FROM lead_outcomes WHERE exported_at < ?")


class Buckets:
    """The calibrator's bucket rules for one icp.yaml."""

    def __init__(self, icp):
        self.tiers = [(t["min"], t["max"]) for t in icp["employee_scale"]]
        self.tier_names = [f"{lo}-{hi}" for lo, hi in self.tiers]
        self.miles = [t["max_miles"] for t in icp["proximity"]]
        lower = ["0"] + [f"{m:g}" for m in self.miles[:-1]]
        self.band_names = [f"{lo}-{m:g} mi" for lo, m in zip(lower, self.miles)]
        self.beyond = f"beyond {self.miles[-1]:g} mi"
        self.strengths = {name.lower(): name for name in icp["signal_strength_scores"]}
        self.fresh = list(icp["freshness"].values())

    def sic(self, series):
        return series.fillna("").astype(str).str.extract(SIC)[0].fillna("unknown")

    def state(self, series):
        key = series.fillna("").astype(str).str.strip().str.upper()
        return key.str.replace(r"\s+", " ", regex=True).map(STATE_KEY).fillna("unknown")

    def employee(self, values):
        numeric = pd.to_numeric(values, errors="coerce")
        conditions = [(numeric >= lo) & (numeric <= hi) for lo, hi in self.tiers]
        out = np.select(conditions, self.tier_names, default="outside tiers").astype(object)
        out[numeric.isna().to_numpy()] = "unknown"
        return out

    def proximity(self, distance):
        numeric = pd.to_numeric(distance, errors="coerce")
        out = np.select([numeric <= m for m in self.miles], self.band_names,
                        default=self.beyond).astype(object)
        out[numeric.isna().to_numpy()] = "unknown"
        return out

    def strength(self, raw):
        text = "" if raw is None else str(raw).strip()
        if not text:
            return "unknown"
        return self.strengths.get(text.lower(), text)

    def freshness(self, features):
        if (features.get("inputs") or {}).get("intent_date") is None:
            return "unknown"
        age = (features.get("components") or {}).get("age_days")
        if not isinstance(age, (int, float)):
            return "unknown"
        for tier in self.fresh:
            if age <= tier["max_days"]:
                return tier["label"]
        return "past tiers"


def add(totals, frame, keys):
    grouped = frame.groupby(keys, dropna=False)["y"].agg(["count", "sum"])
    totals[tuple(keys)] = grouped if tuple(keys) not in totals else \
        totals[tuple(keys)].add(grouped, fill_value=0)


def intent_features(intent, buckets):
    features = [json.loads(s) if s else {} for s in intent["source_features"]]
    strengths, numeric, fresh = [], [], []
    for f in features:
        inputs = f.get("inputs") or {}
        strengths.append(buckets.strength(inputs.get("intent_strength")))
        score = inputs.get("intent_score")
        numeric.append(isinstance(score, (int, float)) and score > 0)
        fresh.append(buckets.freshness(f))
    return strengths, numeric, fresh


def intent_columns(intent, buckets):
    """intent_features() from the columns: the same buckets, vectorised."""
    strength = intent["intent_strength"].fillna("").astype(str).str.strip()
    lowered = strength.str.lower()
    named = lowered.map(buckets.strengths)
    strengths = named.where(named.notna(), strength).where(strength != "", "unknown")
    score = intent["intent_score"]
    numeric = score.map(lambda v: isinstance(v, (int, float)) and v > 0).astype(bool)
    age = pd.to_numeric(intent["age_days"], errors="coerce")
    labels = [tier["label"] for tier in buckets.fresh]
    fresh = np.select([age <= tier["max_days"] for tier in buckets.fresh], labels,
                      default="past tiers").astype(object)
    dated = intent["intent_date"].fillna("").astype(str).str.strip() != ""
    fresh[~(dated & age.notna()).to_numpy()] = "unknown"
    return strengths.to_numpy(), numeric.to_numpy(), fresh


def process(chunk, buckets, holdout, totals, columns=False):
    chunk["y"] = chunk["outcome"].isin(["delivery", "churned"]).astype(int)
    chunk["sic"] = buckets.sic(chunk["sic_code"])
    chunk["employee"] = buckets.employee(chunk["employee_count"])
    chunk["st"] = buckets.state(chunk["state"])
    chunk["holdout"] = chunk["exported_at"] >= holdout
    chunk["score"] = pd.to_numeric(chunk["hades_score"], errors="coerce").fillna(-1)
    geography = chunk["workflow_type"] == "geography"
    intent = chunk["workflow_type"] == "intent"
    chunk["band"] = np.where(geography, buckets.proximity(chunk["distance_miles"]), "")
    chunk["strength"], chunk["numeric"], chunk["fresh"] = "", False, ""
    if intent.any():
        read = intent_columns if columns else intent_features
        s, n, f = read(chunk[intent], buckets)
        chunk.loc[intent, "strength"], chunk.loc[intent, "numeric"] = s, n
        chunk.loc[intent, "fresh"] = f
    for keys in (["sic"], ["employee"], ["st"], ["batch_id"],
                 ["workflow_type", "sic", "employee", "band", "strength", "numeric", "fresh",
                  "score", "holdout"]):
        add(totals, chunk, keys)
    add(totals, chunk[geography], ["band"])
    add(totals, chunk[intent], ["strength"])
    add(totals, chunk[intent], ["fresh"])


def as_counts(grouped, drop=""):
    return {str(k): [int(n), int(s)] for k, (n, s) in grouped.iterrows() if k != drop}


def main(argv):
    parser = argparse.ArgumentParser()
    for name in ("--db", "--icp", "--matured-before", "--holdout-date", "--out"):
        parser.add_argument(name, required=True)
    parser.add_argument("--chunk", type=int, default=500_000)
    parser.add_argument("--columns", action="store_true",
                        help="read intent leads' features from their columns, not the JSON")
    args = parser.parse_args(argv)
    with open(args.icp) as f:
        buckets = Buckets(yaml.safe_load(f))
    con = sqlite3.connect(args.db)
    totals = {}
    sql = LEADS_COLUMNS_SQL if args.columns else LEADS_SQL
    for chunk in pd.read_sql_query(sql, con, params=(args.matured_before,),
                                   chunksize=args.chunk):
        process(chunk, buckets, args.holdout_date, totals, args.columns)
    history = pd.read_sql_query(
        "SELECT sic_code, employee_count, state, outcome FROM historical_outcomes", con)
    history["y"] = (history["outcome"] == "delivery").astype(int)
    history["sic"] = buckets.sic(history["sic_code"])
    history["employee"] = buckets.employee(history["employee_count"])
    history["st"] = buckets.state(history["state"])
    for keys in (["sic"], ["employee"], ["st"]):
        add(totals, history, keys)
    states = totals[("st",)]
    regions = states.groupby(states.index.map(lambda s: REGION_OF.get(s, "unknown"))).sum()
    out = {
        "sic": as_counts(totals[("sic",)]),
        "employee_tier": as_counts(totals[("employee",)]),
        "state": as_counts(states),
        "region": as_counts(regions),
        "proximity": as_counts(totals[("band",)]) if ("band",) in totals else {},
        "signal_strength": as_counts(totals[("strength",)]) if ("strength",) in totals else {},
        "freshness": as_counts(totals[("fresh",)]) if ("fresh",) in totals else {},
        "_batches": len(totals[("batch_id",)]),
        "_cells": len(totals[("workflow_type", "sic", "employee", "band", "strength", "numeric",
                              "fresh", "score", "holdout")]),
    }
    with open(args.out, "w") as f:
        json.dump(out, f, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
