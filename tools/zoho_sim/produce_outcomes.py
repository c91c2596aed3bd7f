#!/usr/bin/env python3
"""produce_outcomes.py: what happens in Zoho after VanillaSoft called an exported HADES batch.

Reads the VanillaSoft import CSV the export wrote (its Company, Primary SIC and Import Notes
columns: "Batch: HADES-... | Score: 85 | ...") and, through the simulator's control endpoint
POST /__sim/insert, creates the Zoho records the team would: a Lead with Lead_Status
"Contacted" for companies reached, then an Account and a Deal at "Appointment Scheduled", then an
Active Delivery. Each record carries the batch field as the team propagates it, so
jobs/sync_outcomes.yaml matches it back to lead_outcomes.

Who gets how far is drawn from a seeded generator, and delivery depends on the lead's score and
SIC code (planted effects the calibration can find). Record times are the export time plus a few
days (contact), weeks (appointment) or one to two months (delivery), given to the simulator as
Modified_Time, so the page's time-lag chart has something to show.

Prints one JSON line: the batch, and how many companies reached each stage (the truth for tests).
Standard library only.

    python3 tools/zoho_sim/produce_outcomes.py --sim http://127.0.0.1:PORT \\
        --csv var/demo/exports/HADES-intent-....csv --exported-at 2026-12-06T10:00:00Z
"""

import argparse
import csv
import datetime as dt
import json
import random
import re
import sys
import urllib.request

BATCH = re.compile(r"HADES-\d{8}-\d{3}")
SCORE = re.compile(r"Score: (\d+)")
# SIC codes that convert better or worse than their score says: what a calibration should find.
SIC_EFFECT = {"8361": 1.8, "4213": 1.5, "8059": 1.4, "8062": 0.5, "8211": 0.6, "7011": 0.8}


def insert(sim, module, record, modified):
    body = json.dumps({"module": module, "record": record,
                       "modified_time": modified.strftime("%Y-%m-%dT%H:%M:%S+00:00")}).encode()
    request = urllib.request.Request(sim + "/__sim/insert", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.load(reply)["id"]


def companies(path):
    """Each company of the export once: name, SIC, best score, the batch field text."""
    seen = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            notes = row.get("Import Notes", "")
            batch = BATCH.search(notes)
            if not batch or not row.get("Company"):
                continue
            score = int(SCORE.search(notes).group(1)) if SCORE.search(notes) else 50
            key = row["Company"]
            if key not in seen or seen[key]["score"] < score:
                seen[key] = {"name": key, "sic": row.get("Primary SIC", "")[:4], "score": score,
                             "batch": batch.group(0), "notes": notes}
    return list(seen.values())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sim", required=True, help="the simulator's URL")
    parser.add_argument("--csv", required=True, help="the VanillaSoft CSV the export wrote")
    parser.add_argument("--exported-at", required=True, help="the export's time, ISO-8601 UTC")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    exported = dt.datetime.fromisoformat(args.exported_at.replace("Z", "+00:00"))
    reached = {"contacted": 0, "appointment": 0, "delivery": 0}
    batch = None
    for company in companies(args.csv):
        batch = company["batch"]
        # Half the time the team propagates the bare batch ID, else the whole Import Notes text.
        field = batch if rng.random() < 0.5 else company["notes"]
        if rng.random() > 0.55:
            continue
        when = exported + dt.timedelta(days=rng.uniform(0.5, 4))
        insert(args.sim, "Leads", {"Company": company["name"], "Lead_Source": "VanillaSoft",
                                   "SIC_Code": company["sic"], "Lead_Status": "Contacted",
                                   "HADES_Batch_ID": field}, when)
        reached["contacted"] += 1
        if rng.random() > 0.45:
            continue
        when = exported + dt.timedelta(days=rng.uniform(5, 20))
        account = insert(args.sim, "Accounts", {"Account_Name": company["name"]}, when)
        deal_name = company["name"] + " vending"
        deal = insert(args.sim, "Deals", {
            "Deal_Name": deal_name, "Account_Name": {"name": company["name"], "id": account},
            "Stage": "Appointment Scheduled", "Lead_Source": "VanillaSoft",
            "HADES_Batch_ID": field}, when)
        reached["appointment"] += 1
        chance = min(0.95, (0.15 + 0.6 * max(0, company["score"] - 40) / 60) *
                     SIC_EFFECT.get(company["sic"], 1.0))
        if rng.random() > chance:
            continue
        when = exported + dt.timedelta(days=rng.uniform(20, 75))
        insert(args.sim, "Deliveries", {
            "Name": "DEL-" + deal[-6:], "Deal": {"name": deal_name, "id": deal},
            "Delivery_Date": when.date().isoformat(), "HADES_Batch_ID": field,
            "Status": "Active"}, when)
        reached["delivery"] += 1
    if batch is None:
        sys.exit(f"produce_outcomes: no HADES batch in {args.csv}")
    print(json.dumps({"batch": batch, "companies": len(companies(args.csv)), **reached}))


if __name__ == "__main__":
    main()
