#!/usr/bin/env python3
"""generate_crm.py: a deterministic Zoho CRM org for the zoho_sim simulator, plus its truth.

Writes two JSON files:
  --out    the org the simulator loads (`zoho_sim --data`): OAuth credentials and, per module
           (Leads, Deals, Deliveries, Accounts), the field metadata and the records, shaped as the
           Zoho CRM API returns them (19-digit string ids, {"name","id"} lookups, nulls,
           ISO-8601 date-times with an offset, YYYY-MM-DD dates).
  --truth  what a correct client must conclude from that org, computed from the records with
           the rules of docs/domain.md (not from the planting plan, so a planting bug
           cannot hide): VanillaSoft lead totals, converted, delivered, per-SIC counts, each
           lead's expected historical outcome, and the expected HADES outcome per
           (batch, company), with the records that must be reported as unmatched or ambiguous.

The same seed and options always give byte-identical files. Standard library only.
The traps a client must survive are planted on purpose: look-alike lead sources
(`VanillaSoft Legacy`, `Vanilla Soft`), converted leads (hidden by default by the API),
leads with two deliveries (delivery_at is the earliest Delivery_Date), deliveries that are
`Removed` (still a delivery historically), deals with Lead_Source `VanillaSoft` but no lead,
deliveries of other sources' deals, SIC codes as `8062-01` / ` 8062` / null, null employee
counts, ZIPs that lost their leading zero or carry +4, HADES batch IDs both bare and embedded
in the Import Notes text, company-name variants, and unmatched and ambiguous HADES records.
"""

import argparse
import datetime as dt
import json
import random
import re
import sys

# The 22 target SIC codes with the historical population sizes and delivery rates that
# config/icp.yaml documents (N, rate); codes without a documented N get a small one.
TARGET_SICS = [
    ("3531", 14, 0.05), ("3599", 33, 0.091), ("3999", 76, 0.053), ("4213", 79, 0.19),
    ("4225", 30, 0.10), ("4231", 12, 0.08), ("4581", 11, 0.273), ("4731", 20, 0.20),
    ("5511", 379, 0.079), ("7011", 410, 0.068), ("7021", 12, 0.06), ("7033", 15, 0.07),
    ("7359", 18, 0.06), ("7991", 39, 0.103), ("8051", 245, 0.073), ("8059", 146, 0.123),
    ("8062", 133, 0.045), ("8211", 236, 0.059), ("8221", 28, 0.071), ("8322", 78, 0.038),
    ("8331", 67, 0.104), ("8361", 218, 0.174),
]
OTHER_SOURCES = [
    ("Web Site", 30), ("Trade Show", 12), ("Cold Call", 15), ("Partner", 8),
    ("Advertisement", 6), ("VanillaSoft Legacy", 10), ("Vanilla Soft", 4), (None, 6),
]
LOOK_ALIKES = ("VanillaSoft Legacy", "Vanilla Soft")
OPEN_STATUSES = ["Not Contacted", "Attempted to Contact", "Contact in Future", "Junk Lead",
                 "Not Qualified", "Lost Lead"]
APPOINTMENT_STAGES = ["Appointment Scheduled", "Appointment Completed", "Closed Won"]
OTHER_STAGES = ["Qualification", "Needs Analysis", "Proposal/Price Quote", "Negotiation/Review",
                "Closed Lost"]
STATES = [("MA", "Boston", "02134"), ("NJ", "Newark", "07102"), ("NY", "Albany", "12207"),
          ("TX", "Dallas", "75201"), ("OH", "Columbus", "43215"), ("GA", "Atlanta", "30303"),
          ("IL", "Chicago", "60601"), ("FL", "Tampa", "33602"), ("CA", "Fresno", "93721"),
          ("CT", "Hartford", "06103"), ("PA", "Erie", "16501"), ("WA", "Tacoma", "98402")]
NAME_A = ["North", "South", "Blue", "Green", "Summit", "River", "Lake", "Pine", "Oak", "Cedar",
          "Harbor", "Valley", "Granite", "Silver", "Golden", "Eagle", "Maple", "Prairie", "Coastal",
          "Liberty", "Union", "Pioneer", "Metro", "Evergreen", "Keystone", "Heritage", "Frontier"]
NAME_B = ["Ridge", "Point", "View", "Field", "Crest", "Gate", "Bridge", "Park", "Haven", "Brook",
          "Stone", "Wood", "Hill", "Bay", "Springs", "Mill", "Port", "Grove", "Rock", "Dale"]
NAME_KIND = ["Logistics", "Medical Center", "Hospital", "Nursing Home", "Hotel", "Academy",
             "Trucking", "Motors", "Fitness", "Care Services", "Warehousing", "Manufacturing",
             "Freight", "Residential Care", "College", "Rehab Center", "Inn", "Machine Works"]
SUFFIXES = ["Inc.", "LLC", "Corp.", "Co.", "Ltd", "Inc", ""]
FIRST = ["Ana", "Ben", "Carla", "Dev", "Elena", "Frank", "Grace", "Hiro", "Ines", "Jamal",
         "Kate", "Luis", "Mei", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tariq",
         "Zoë", "José", "Ngozi", "Øyvind"]
LAST = ["Smith", "Jones", "Garcia", "Nguyen", "Patel", "Kim", "Brown", "Müller", "O'Brien",
        "Silva", "Cohen", "Okafor", "Rossi", "Ivanova", "Kowalski", "Haddad", "Lee", "Walker"]

BATCH_PATTERN = re.compile(r"HADES-\d{8}-\d{3}")
OUTCOME_RANK = {None: 0, "contacted": 1, "appointment": 2, "delivery": 3, "churned": 4}


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seed", type=int, default=20260211)
    p.add_argument("--vanillasoft-leads", type=int, default=3135,
                   help="leads with Lead_Source exactly 'VanillaSoft' (HADES-originated included)")
    p.add_argument("--deliveries", type=int, default=319,
                   help="VanillaSoft leads with at least one delivery (HADES-originated included)")
    p.add_argument("--double-deliveries", type=int, default=12,
                   help="of the delivered VanillaSoft leads, how many have two deliveries")
    p.add_argument("--converted-no-delivery", type=int, default=None,
                   help="converted VanillaSoft leads without a delivery (default ~7%% of leads)")
    p.add_argument("--other-leads", type=int, default=1200,
                   help="leads of other sources, look-alikes included, that must be ignored")
    p.add_argument("--orphan-deals", type=int, default=40,
                   help="deals with Lead_Source 'VanillaSoft' that no lead converted into")
    p.add_argument("--hades-batches", type=int, default=3)
    p.add_argument("--hades-companies", type=int, default=16,
                   help="companies exported per HADES batch (some with two contacts)")
    p.add_argument("--scale", type=int, default=None,
                   help="benchmark size: N VanillaSoft leads, ~10%% delivered, N/10 others")
    p.add_argument("--time-zone", default="-05:00", help="the org's UTC offset, +HH:MM/-HH:MM")
    p.add_argument("--no-lead-detail", action="store_true",
                   help="leave the per-lead expectations out of the truth file")
    p.add_argument("--out", required=True)
    p.add_argument("--truth", required=True)
    args = p.parse_args(argv)
    if args.scale is not None:
        args.vanillasoft_leads = args.scale
        args.deliveries = round(args.scale * 0.1018)
        args.double_deliveries = max(1, args.deliveries // 25)
        args.other_leads = args.scale // 10
        args.orphan_deals = max(1, args.scale // 100)
    if args.converted_no_delivery is None:
        args.converted_no_delivery = round(args.vanillasoft_leads * 0.07)
    if not re.fullmatch(r"[+-]\d\d:\d\d", args.time_zone):
        p.error("--time-zone must look like -05:00")
    return args


class Org:
    """Builds the records. Ids come from one increasing counter, so id order is creation order
    within a module (as in Zoho), and every id is 19 digits."""

    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        sign = -1 if args.time_zone[0] == "-" else 1
        hours, minutes = int(args.time_zone[1:3]), int(args.time_zone[4:6])
        self.tz = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
        self.next_id = 4150868000000100000
        self.modules = {"Leads": [], "Deals": [], "Deliveries": [], "Accounts": []}
        self.accounts_by_name = {}
        self.delivery_seq = 0

    # ---- primitives -------------------------------------------------------------------------
    def new_id(self):
        self.next_id += self.rng.randint(1, 40)
        return str(self.next_id)

    def stamp(self, when):
        return when.astimezone(self.tz).replace(microsecond=0).isoformat()

    def random_time(self, start, end):
        span = int((end - start).total_seconds())
        return start + dt.timedelta(seconds=self.rng.randint(0, span))

    def company_name(self):
        r = self.rng
        return f"{r.choice(NAME_A)} {r.choice(NAME_B)} {r.choice(NAME_KIND)}"

    def raw_sic(self, code):
        roll = self.rng.random()
        if roll < 0.78:
            return f"{code}-{self.rng.randint(0, 99):02d}"
        if roll < 0.92:
            return code
        return f" {code}"

    def place(self):
        state, city, zip5 = self.rng.choice(STATES)
        roll = self.rng.random()
        if roll < 0.08:
            zip_code = f"{zip5}-{self.rng.randint(0, 9999):04d}"
        elif roll < 0.13 and zip5.startswith("0"):
            zip_code = zip5.lstrip("0")  # lost its leading zero in some spreadsheet
        else:
            zip_code = zip5
        return state, city, zip_code

    def employees(self):
        if self.rng.random() < 0.12:
            return None
        return self.rng.choice([55, 80, 120, 250, 480, 900, 1500, 4200])

    def account(self, name, created):
        if name not in self.accounts_by_name:
            record = {"id": self.new_id(), "Account_Name": name,
                      "Created_Time": self.stamp(created), "Modified_Time": self.stamp(created)}
            self.modules["Accounts"].append(record)
            self.accounts_by_name[name] = record
        return {"name": name, "id": self.accounts_by_name[name]["id"]}

    # ---- records ----------------------------------------------------------------------------
    def lead(self, company, source, sic, created, status="Not Contacted", batch=None):
        state, city, zip_code = self.place()
        record = {
            "id": self.new_id(), "Company": company,
            "First_Name": self.rng.choice(FIRST), "Last_Name": self.rng.choice(LAST),
            "Lead_Source": source, "SIC_Code": sic, "No_of_Employees": self.employees(),
            "Zip_Code": zip_code, "State": state, "City": city, "Lead_Status": status,
            "HADES_Batch_ID": batch, "Created_Time": self.stamp(created),
            "Modified_Time": self.stamp(created + dt.timedelta(hours=self.rng.randint(0, 400))),
            "Converted__s": False, "Converted_Deal": None,
        }
        self.modules["Leads"].append(record)
        return record

    def deal(self, company, source, created, stage, batch=None):
        name = f"{company} - Vending"
        record = {
            "id": self.new_id(), "Deal_Name": name, "Account_Name": self.account(company, created),
            "Stage": stage, "Lead_Source": source, "HADES_Batch_ID": batch,
            "Created_Time": self.stamp(created),
            "Modified_Time": self.stamp(created + dt.timedelta(hours=self.rng.randint(1, 300))),
            "Closing_Date":
                (created + dt.timedelta(days=self.rng.randint(10, 90))).date().isoformat(),
        }
        self.modules["Deals"].append(record)
        return record

    def convert(self, lead, stage, batch=None, max_days=60):
        created = dt.datetime.fromisoformat(lead["Created_Time"])
        converted_at = created + dt.timedelta(days=self.rng.randint(1, max_days))
        deal = self.deal(lead["Company"], lead["Lead_Source"], converted_at, stage, batch)
        lead["Converted__s"] = True
        lead["Converted_Deal"] = {"name": deal["Deal_Name"], "id": deal["id"]}
        lead["Modified_Time"] = self.stamp(converted_at)
        return deal

    def delivery(self, deal, status="Active", batch=None, days=None):
        self.delivery_seq += 1
        deal_created = dt.datetime.fromisoformat(deal["Created_Time"])
        delivered = deal_created + dt.timedelta(days=days if days is not None
                                                else self.rng.randint(7, 120))
        created = delivered + dt.timedelta(hours=self.rng.randint(1, 72))
        record = {
            "id": self.new_id(), "Name": f"DEL-{self.delivery_seq:06d}",
            "Deal": {"name": deal["Deal_Name"], "id": deal["id"]},
            "Delivery_Date": delivered.date().isoformat(), "HADES_Batch_ID": batch,
            "Status": status, "Created_Time": self.stamp(created),
            "Modified_Time": self.stamp(created + dt.timedelta(hours=self.rng.randint(0, 500))),
        }
        self.modules["Deliveries"].append(record)
        return record


# ---- HADES-originated records ---------------------------------------------------------------
def batch_ids(count):
    out, day = [], dt.date(2026, 2, 11)
    for i in range(count):
        out.append(f"HADES-{(day + dt.timedelta(days=i // 2)).strftime('%Y%m%d')}-{i % 2 + 1:03d}")
    return out


def zoho_variant(rng, exported_name):
    """The name as it reaches Zoho: differs only by case, punctuation and legal suffix, so that
    a normaliser stripping those (whether it drops punctuation or turns it into spaces) matches."""
    base = exported_name.replace(",", "")
    for suffix in (" Inc.", " LLC", " Corp.", " Co.", " Ltd", " Inc"):
        if base.endswith(suffix):
            base = base[: -len(suffix)] + rng.choice(["", suffix.rstrip("."), suffix.upper()])
            break
    return rng.choice([base.upper(), base.lower(), base, base.title()])


def batch_field(rng, batch_id):
    if rng.random() < 0.5:
        return batch_id
    score = rng.randint(60, 99)
    return (f"Batch: {batch_id} | Score: {score} | Age: {rng.randint(0, 6)}d | "
            f"Freshness: {rng.choice(['Hot', 'Warm'])} | Signal: {rng.choice(['High', 'Medium'])}")


def plant_hades(org):
    """One export per batch: companies with one or two contacts, each lead planted towards a
    target outcome; one ambiguous pair per batch and unmatched records. Returns the exported
    side (what HADES wrote into lead_outcomes) for the truth file."""
    rng, args = org.rng, org.args
    targets = [None, "contacted", "appointment", "delivery", "churned"]
    exported = []
    ids = batch_ids(args.hades_batches)
    company_seq = 1000
    for batch in ids:
        day = dt.datetime.strptime(batch[6:14], "%Y%m%d").replace(tzinfo=dt.timezone.utc)
        rows = []
        for c in range(args.hades_companies):
            company_seq += 1
            name = f"{org.company_name()}{rng.choice([', Inc.', ' LLC', ' Corp.', ' Co.', ''])}"
            contacts = 2 if c % 5 == 0 else 1
            for _ in range(contacts):
                rows.append({"row": len(rows) + 1, "company_name": name,
                             "company_id": f"ZI-{company_seq}", "target": targets[c % 5]})
        # Two different companies that normalise to the same name: a Zoho record naming it is
        # ambiguous and must be logged, not guessed.
        twin = f"{rng.choice(NAME_A)} {rng.choice(NAME_KIND)}"
        for suffix in (" Inc.", " LLC"):
            company_seq += 1
            rows.append({"row": len(rows) + 1, "company_name": twin + suffix,
                         "company_id": f"ZI-{company_seq}", "target": None})
        exported.append({"batch_id": batch, "rows": rows})
        seen_twin = False
        for row in rows:
            if row["company_name"].startswith(twin):
                if seen_twin:
                    continue
                seen_twin = True  # one Zoho lead for the pair, named without a suffix
                org.lead(twin.upper(), "VanillaSoft", org.raw_sic(rng.choice(TARGET_SICS)[0]),
                                org.random_time(day, day + dt.timedelta(days=3)), "Contacted",
                                batch_field(rng, batch))
                continue
            if rng.random() < 0.12 and row["target"] is None:
                continue  # exported but never reached Zoho
            plant_hades_lead(org, row, batch, day)
        # Unmatched: a company the batch never exported, and a batch that does not exist.
        org.lead("Initech Systems", "VanillaSoft", org.raw_sic("8062"),
                 org.random_time(day, day + dt.timedelta(days=3)), "Contacted",
                 batch_field(rng, batch))
    if ids:
        ghost = "HADES-20250101-009"
        lead = org.lead("Umbrella Health LLC", "VanillaSoft", org.raw_sic("8051"),
                        dt.datetime(2026, 2, 12, 15, tzinfo=dt.timezone.utc), "Contacted",
                        batch_field(rng, ghost))
        org.convert(lead, "Appointment Scheduled", batch_field(rng, ghost), max_days=3)
    for entry in exported:
        for row in entry["rows"]:
            del row["target"]
    return exported


def plant_hades_lead(org, row, batch, day):
    rng = org.rng
    target = row["target"]
    name = zoho_variant(rng, row["company_name"])
    status = "Contacted" if target else rng.choice(["Not Contacted", "Attempted to Contact"])
    created = org.random_time(day + dt.timedelta(hours=6), day + dt.timedelta(days=4))
    sic = org.raw_sic(rng.choice(TARGET_SICS)[0])
    lead = org.lead(name, "VanillaSoft", sic, created, status, batch_field(rng, batch))
    if target in ("appointment", "delivery", "churned"):
        stage = rng.choice(APPOINTMENT_STAGES)
        deal = org.convert(lead, stage, batch_field(rng, batch), max_days=3)
        if target in ("delivery", "churned"):
            org.delivery(deal, "Active" if target == "delivery" else "Removed",
                         batch_field(rng, batch), days=rng.randint(2, 6))


# ---- historical records ---------------------------------------------------------------------
def weighted_sample(rng, items, weights, k):
    """k distinct items, each drawn with probability proportional to its weight (A-Res)."""
    keyed = [(rng.random() ** (1.0 / w), i) for i, w in zip(items, weights)]
    keyed.sort(reverse=True)
    return [i for _, i in keyed[:k]]


def plant_historical(org, count, delivered, converted_extra, doubles):
    rng = org.rng
    start = dt.datetime(2023, 1, 2, tzinfo=dt.timezone.utc)
    end = dt.datetime(2025, 12, 20, tzinfo=dt.timezone.utc)
    sic_weights = [n for _, n, _ in TARGET_SICS]
    leads, rates = [], []
    for _ in range(count):
        if rng.random() < 0.03:
            sic, rate = None, 0.1
        else:
            code, _, rate = rng.choices(TARGET_SICS, weights=sic_weights)[0]
            sic = org.raw_sic(code)
        status = rng.choice(OPEN_STATUSES + ["Contacted"])
        suffix = rng.choice(SUFFIXES)
        leads.append(org.lead(f"{org.company_name()} {suffix}".strip(), "VanillaSoft", sic,
                              org.random_time(start, end), status))
        rates.append(rate)
    chosen = weighted_sample(rng, list(range(count)), rates, min(delivered, count))
    chosen_set = set(chosen)
    rest = [i for i in range(count) if i not in chosen_set]
    extra = rng.sample(rest, min(converted_extra, len(rest)))
    for n, i in enumerate(chosen):
        stage = rng.choice(["Closed Won", "Closed Won", "Appointment Completed"])
        deal = org.convert(leads[i], stage)
        org.delivery(deal, "Removed" if rng.random() < 0.15 else "Active")
        if n < doubles:
            # The second delivery is recorded later but may carry an earlier date.
            org.delivery(deal, "Active", days=rng.randint(1, 200))
    for i in extra:
        org.convert(leads[i], rng.choice(APPOINTMENT_STAGES + OTHER_STAGES))


def plant_noise(org, other_count, orphan_deals):
    """Records a VanillaSoft import must ignore."""
    rng = org.rng
    start = dt.datetime(2023, 1, 2, tzinfo=dt.timezone.utc)
    end = dt.datetime(2026, 2, 1, tzinfo=dt.timezone.utc)
    names = [s for s, _ in OTHER_SOURCES]
    weights = [w for _, w in OTHER_SOURCES]
    for _ in range(other_count):
        source = rng.choices(names, weights=weights)[0]
        code = rng.choice(TARGET_SICS)[0]
        lead = org.lead(org.company_name(), source, org.raw_sic(code),
                        org.random_time(start, end), rng.choice(OPEN_STATUSES))
        if rng.random() < 0.12:
            deal = org.convert(lead, rng.choice(APPOINTMENT_STAGES + OTHER_STAGES))
            if rng.random() < 0.5:
                org.delivery(deal, rng.choice(["Active", "Removed"]))
    for _ in range(orphan_deals):
        deal = org.deal(org.company_name(), "VanillaSoft", org.random_time(start, end),
                        rng.choice(APPOINTMENT_STAGES + OTHER_STAGES))
        if rng.random() < 0.3:
            org.delivery(deal)
    for _ in range(3):  # deliveries whose deal lookup is empty
        org.delivery_seq += 1
        when = org.random_time(start, end)
        org.modules["Deliveries"].append({
            "id": org.new_id(), "Name": f"DEL-{org.delivery_seq:06d}", "Deal": None,
            "Delivery_Date": when.date().isoformat(), "HADES_Batch_ID": None, "Status": "Active",
            "Created_Time": org.stamp(when), "Modified_Time": org.stamp(when)})


# ---- field metadata -------------------------------------------------------------------------
def field(api_name, data_type, custom=False, lookup=None, label=None):
    out = {"api_name": api_name, "data_type": data_type, "custom_field": custom,
           "field_label": label or api_name.replace("_", " ")}
    if lookup:
        out["lookup_module"] = lookup
    return out


FIELDS = {
    "Leads": [field("Company", "text"), field("First_Name", "text"), field("Last_Name", "text"),
              field("Lead_Source", "picklist"), field("SIC_Code", "text", True),
              field("No_of_Employees", "integer"), field("Zip_Code", "text"),
              field("State", "text"), field("City", "text"), field("Lead_Status", "picklist"),
              field("HADES_Batch_ID", "text", True), field("Created_Time", "datetime"),
              field("Modified_Time", "datetime"), field("Converted__s", "boolean"),
              field("Converted_Deal", "lookup", lookup="Deals")],
    "Deals": [field("Deal_Name", "text"), field("Account_Name", "lookup", lookup="Accounts"),
              field("Stage", "picklist"), field("Lead_Source", "picklist"),
              field("HADES_Batch_ID", "text", True), field("Created_Time", "datetime"),
              field("Modified_Time", "datetime"), field("Closing_Date", "date")],
    "Deliveries": [field("Name", "text"), field("Deal", "lookup", True, lookup="Deals"),
                   field("Delivery_Date", "date", True), field("HADES_Batch_ID", "text", True),
                   field("Status", "picklist", True), field("Created_Time", "datetime"),
                   field("Modified_Time", "datetime")],
    "Accounts": [field("Account_Name", "text"), field("Created_Time", "datetime"),
                 field("Modified_Time", "datetime")],
}


# What the simulator's modify_between_pages fault inserts: records no VanillaSoft import and no
# outcome sync may pick up (another source, no batch ID, no links), so the truth still holds.
INSERT_TEMPLATES = {
    "Leads": {"Company": "Walk-in Prospect", "First_Name": "Sim", "Last_Name": "Inserted",
              "Lead_Source": "Web Site", "SIC_Code": None, "No_of_Employees": None,
              "Zip_Code": None, "State": None, "City": None, "Lead_Status": "Not Contacted",
              "HADES_Batch_ID": None, "Converted__s": False, "Converted_Deal": None},
    "Deals": {"Deal_Name": "Walk-in Deal", "Account_Name": None, "Stage": "Qualification",
              "Lead_Source": "Web Site", "HADES_Batch_ID": None, "Closing_Date": None},
    "Deliveries": {"Name": "DEL-SIM", "Deal": None, "Delivery_Date": None,
                   "HADES_Batch_ID": None, "Status": "Active"},
    "Accounts": {"Account_Name": "Walk-in Account"},
}


# ---- truth ----------------------------------------------------------------------------------
def sic4(raw):
    digits = re.sub(r"[^0-9]", "", raw or "")
    return digits[:4] if len(digits) >= 4 else "null"


def historical_truth(org, detail):
    deals = {d["id"]: d for d in org.modules["Deals"]}
    by_deal = {}
    for d in org.modules["Deliveries"]:
        if d["Deal"]:
            by_deal.setdefault(d["Deal"]["id"], []).append(d)
    leads = [l for l in org.modules["Leads"] if l["Lead_Source"] == "VanillaSoft"]
    per_sic, per_lead = {}, {}
    totals = {"vanillasoft_leads": len(leads), "converted": 0, "unconverted": 0, "delivered": 0,
              "no_delivery": 0, "delivery_records": 0, "leads_with_two_deliveries": 0}
    for lead in leads:
        deal_id = lead["Converted_Deal"]["id"] if lead["Converted_Deal"] else None
        dels = by_deal.get(deal_id, []) if deal_id else []
        totals["converted" if lead["Converted__s"] else "unconverted"] += 1
        totals["delivered" if dels else "no_delivery"] += 1
        totals["delivery_records"] += len(dels)
        totals["leads_with_two_deliveries"] += len(dels) >= 2
        bucket = per_sic.setdefault(sic4(lead["SIC_Code"]), {"leads": 0, "delivered": 0})
        bucket["leads"] += 1
        bucket["delivered"] += bool(dels)
        if detail:
            per_lead[lead["id"]] = {
                "outcome": "delivery" if dels else "no_delivery",
                "deal_id": deal_id,
                "deal_created_at": deals[deal_id]["Created_Time"] if deal_id else None,
                "delivery_at": min(d["Delivery_Date"] for d in dels) if dels else None,
                "sic_raw": lead["SIC_Code"], "employees": lead["No_of_Employees"],
                "zip": lead["Zip_Code"], "state": lead["State"]}
    all_leads = org.modules["Leads"]
    totals["other_source_leads"] = len(all_leads) - len(leads)
    totals["look_alike_leads"] = sum(l["Lead_Source"] in LOOK_ALIKES for l in all_leads)
    out = {**totals, "per_sic": dict(sorted(per_sic.items()))}
    if detail:
        out["leads"] = per_lead
    return out


def normalise_company(name):
    words = re.sub(r"[^0-9a-z ]", " ", name.lower()).split()
    while words and words[-1] in ("inc", "llc", "corp", "co", "ltd", "corporation", "company"):
        words.pop()
    return " ".join(words)


def hades_truth(org, exported):
    """Expected outcome per (batch, company) and the records to log as unmatched/ambiguous,
    using the shipped default mapping of domain.md."""
    batches = {e["batch_id"]: e["rows"] for e in exported}
    deals = {d["id"]: d for d in org.modules["Deals"]}
    expected, unmatched = {}, []

    def consider(module, record, company, outcome, outcome_at, extra=None):
        match = BATCH_PATTERN.search(record["HADES_Batch_ID"] or "")
        if not match:
            return
        batch = match.group(0)
        key = normalise_company(company)
        candidates = sorted({r["company_id"] for r in batches.get(batch, [])
                             if normalise_company(r["company_name"]) == key})
        if len(candidates) != 1:
            unmatched.append({"module": module, "id": record["id"], "batch_id": batch,
                              "company": company,
                              "reason": "ambiguous" if candidates else "no_match"})
            return
        slot = expected.setdefault((batch, candidates[0]), {"outcome": None})
        if outcome and OUTCOME_RANK[outcome] > OUTCOME_RANK[slot["outcome"]]:
            slot.clear()
            slot.update(outcome=outcome, outcome_at=outcome_at,
                        record={"module": module, "id": record["id"]}, **(extra or {}))

    for lead in org.modules["Leads"]:
        outcome = "contacted" if lead["Lead_Status"] == "Contacted" else None
        consider("Leads", lead, lead["Company"], outcome, lead["Modified_Time"])
    for deal in org.modules["Deals"]:
        outcome = "appointment" if deal["Stage"] in APPOINTMENT_STAGES else None
        consider("Deals", deal, deal["Account_Name"]["name"], outcome, deal["Modified_Time"])
    for d in org.modules["Deliveries"]:
        if not d["Deal"]:
            continue
        outcome = {"Active": "delivery", "Removed": "churned"}.get(d["Status"])
        company = deals[d["Deal"]["id"]]["Account_Name"]["name"]
        consider("Deliveries", d, company, outcome, d["Modified_Time"],
                 {"delivery_date": d["Delivery_Date"]})
    rows = []
    for entry in exported:
        names = {}
        for r in entry["rows"]:
            names.setdefault(r["company_id"], r["company_name"])
        for cid, name in names.items():
            slot = expected.get((entry["batch_id"], cid), {"outcome": None})
            rows.append({"batch_id": entry["batch_id"], "company_id": cid, "company_name": name,
                         **slot})
    counts = {}
    for r in rows:
        counts[r["outcome"] or "none"] = counts.get(r["outcome"] or "none", 0) + 1
    return {"batches": exported, "expected": rows, "unmatched": unmatched,
            "outcome_counts": dict(sorted(counts.items())),
            "mapping": {"Leads.Lead_Status": {"Contacted": "contacted"},
                        "Deals.Stage": {s: "appointment" for s in APPOINTMENT_STAGES},
                        "Deliveries.Status": {"Active": "delivery", "Removed": "churned"}},
            "outcome_at": "Modified_Time of the record that set the outcome"}


# ---- main -----------------------------------------------------------------------------------
def build(args):
    org = Org(args)
    exported = plant_hades(org)
    hades_leads = [l for l in org.modules["Leads"] if l["Lead_Source"] == "VanillaSoft"]
    hades_deals = {l["Converted_Deal"]["id"] for l in hades_leads if l["Converted_Deal"]}
    hades_delivered = len({d["Deal"]["id"] for d in org.modules["Deliveries"]
                           if d["Deal"] and d["Deal"]["id"] in hades_deals})
    remaining = args.vanillasoft_leads - len(hades_leads)
    planted = args.deliveries - hades_delivered
    if remaining < 0 or planted < 0 or planted > remaining:
        sys.exit(f"generate_crm: counts do not fit: {len(hades_leads)} HADES leads "
                 f"({hades_delivered} delivered) within --vanillasoft-leads "
                 f"{args.vanillasoft_leads} and --deliveries {args.deliveries}")
    plant_historical(org, remaining, args.deliveries - hades_delivered,
                     args.converted_no_delivery, args.double_deliveries)
    plant_noise(org, args.other_leads, args.orphan_deals)
    secret = random.Random(args.seed + 1).getrandbits(64)
    credentials = {"client_id": f"1000.SIM{args.seed:08d}CLIENT",
                   "client_secret": f"sim-secret-{secret:016x}",
                   "refresh_token": f"1000.{random.Random(args.seed + 2).getrandbits(128):032x}"
                                    f".{random.Random(args.seed + 3).getrandbits(128):032x}"}
    data = {"format": "zoho-sim-data/1", "seed": args.seed, "time_zone": args.time_zone,
            "oauth": {"clients": [{"client_id": credentials["client_id"],
                                   "client_secret": credentials["client_secret"]}],
                      "refresh_tokens": [{"client_id": credentials["client_id"],
                                          "refresh_token": credentials["refresh_token"]}]},
            "modules": {name: {"fields": FIELDS[name], "insert_template": INSERT_TEMPLATES[name],
                               "records": org.modules[name]}
                        for name in ("Leads", "Deals", "Deliveries", "Accounts")}}
    params = {k: v for k, v in vars(args).items() if k not in ("out", "truth")}
    truth = {"format": "zoho-sim-truth/1", "params": params, "credentials": credentials,
             "modules": {name: len(recs) for name, recs in org.modules.items()},
             "historical": historical_truth(org, not args.no_lead_detail),
             "hades": hades_truth(org, exported)}
    return data, truth


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    data, truth = build(args)
    h = truth["historical"]
    assert h["vanillasoft_leads"] == args.vanillasoft_leads, h["vanillasoft_leads"]
    assert h["delivered"] == args.deliveries, h["delivered"]
    # json.dumps, not json.dump: only the one-shot encoder is the fast C one.
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    with open(args.truth, "w", encoding="utf-8") as f:
        f.write(json.dumps(truth, ensure_ascii=False, indent=1))
    print(f"generate_crm: {h['vanillasoft_leads']} VanillaSoft leads, {h['converted']} converted, "
          f"{h['delivered']} delivered; modules {truth['modules']}", file=sys.stderr)


if __name__ == "__main__":
    main()
