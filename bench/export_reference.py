#!/usr/bin/env python3
"""export_reference.py: the export benchmark's reference, a straightforward Python export.

    bench/export_reference.py --input leads.csv --workflow intent --icp config/icp.yaml \\
        --out export.csv [--as-of 2026-02-11] [--run-date 2026-02-11] \\
        [--batch-id HADES-20260211-001] [--data-source ZoomInfo] [--min-score 0] \\
        [--max-leads 0] [--features out.jsonl]

Reads a leads CSV (tools/generate_leads.py writes them), scores every lead the way
docs/domain.md says ("Scoring"; the same rules as leads/scoring.h), drops stale intent leads
and leads whose numbers are garbage (or whose person_id or company_name is blank), ranks the rest
best first (score descending, person_id breaking ties, as the export job does) and writes the
VanillaSoft import CSV: 31 columns with the exact headers, Contact Owner round robin by rank,
UTF-8, CRLF, RFC 4180 quoting, formula-looking cells neutralised. With
--features it also writes one source_features JSON line per exported lead, for comparing scores
with the C++ scorer. Prints one summary line (counts) to stderr.

Written the way a Python team would write it (csv.DictReader, json.dumps, PyYAML), not tuned:
it is the yardstick the C++ export is measured against. Needs PyYAML (Debian: python3-yaml).
"""

import argparse
import csv
import datetime as dt
import hashlib
import json
import math
import re
import sys

try:
    import yaml
except ImportError:  # pragma: no cover - a setup problem, reported plainly
    sys.exit("export_reference.py needs PyYAML: apt-get install python3-yaml")

VANILLASOFT_COLUMNS = [
    "List Source", "Last Name", "First Name", "Title", "Home", "Email", "Mobile", "Company",
    "Web site", "Business", "Number of Employees", "Primary SIC", "Primary Line of Business",
    "Address", "City", "State", "ZIP code", "Square Footage", "Contact Owner", "Lead Source",
    "Vending Business Name", "Operator Name", "Operator Phone #", "Operator Email Address",
    "Operator Zip Code", "Operator Website Address", "Best Appts Time",
    "Unavailable for appointments", "Team", "Call Priority", "Import Notes",
]

OWNER_COLUMN = VANILLASOFT_COLUMNS.index("Contact Owner")
PHONE_COLUMNS = {VANILLASOFT_COLUMNS.index(name)
                 for name in ("Home", "Mobile", "Business", "Operator Phone #")}

AUDIENCE_BONUS = {"A": 10, "B": 7, "C": 4, "D": 2}
UNKNOWN_AGE_DAYS = 999
UNKNOWN_DISTANCE_MILES = 15.0
SCORING_RULES = 2  # leads/scoring.h, kScoringRulesVersion
STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA",
    "kansas": "KS", "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD",
    "massachusetts": "MA", "michigan": "MI", "minnesota": "MN", "mississippi": "MS",
    "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV", "new hampshire": "NH",
    "new jersey": "NJ", "new mexico": "NM", "new york": "NY", "north carolina": "NC",
    "north dakota": "ND", "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA",
    "rhode island": "RI", "south carolina": "SC", "south dakota": "SD", "tennessee": "TN",
    "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA",
    "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY", "district of columbia": "DC",
    "puerto rico": "PR", "guam": "GU", "virgin islands": "VI", "american samoa": "AS",
    "northern mariana islands": "MP",
}
STATE_CODES = set(STATES.values())


BLANKS = " \t\r\n"  # what the C++ side trims: not Python's wider idea of whitespace


class Garbage(Exception):
    """A number the workflow scores is not a number: the lead is rejected."""


# ------------------------------------------------------------------------------------------------
# Normalisation


def normalize_sic(raw):
    text = raw.strip(BLANKS)
    m = re.match(r"(\d*)(.*)$", text, re.S | re.A)
    digits, rest = m.group(1), m.group(2)
    if not rest:
        if 1 <= len(digits) <= 3:
            return digits.zfill(4)
        if len(digits) == 4:
            return digits
        if len(digits) in (6, 8):
            return digits[:4]
        return None
    if len(digits) == 4 and rest[0] in "-. /\t":
        return digits
    return None


def normalize_zip(raw):
    text = raw.strip(BLANKS)
    dot = text.find(".")
    if dot > 0 and set(text[dot + 1:]) <= {"0"}:  # a spreadsheet's number: 2134.0
        text = text[:dot]
    if re.fullmatch(r"[0-9]+", text):
        if len(text) <= 5:
            return text.zfill(5)
        if len(text) <= 9:
            return text.zfill(9)[:5]
        return None
    m = re.fullmatch(r"([0-9]{1,5})[- ][0-9]{4}", text)
    return m.group(1).zfill(5) if m else None


def normalize_state(raw):
    key = re.sub(r"[ \t\r\n]+", " ", raw.replace(".", "").strip(BLANKS)).lower()
    if len(key) == 2:
        return key.upper() if key.upper() in STATE_CODES else None
    return STATES.get(key)


# A count: digits with thousands commas (not trailing), and a fraction of zeros only.
COUNT = r"([0-9](?:[0-9,]*[0-9])?)(?:\.0*)?"
SINGLE = re.compile(COUNT + r"[ \t\r\n]*\+?")
RANGE = re.compile(COUNT + r"[ \t\r\n]*(?:[tT][oO]|-|\u2013)[ \t\r\n]*" + COUNT)


def parse_count(text):
    digits = text.replace(",", "")
    if len(digits) > 15:
        raise Garbage(f"'{text}' has too many digits")
    return int(digits)


def parse_employees(raw):
    text = raw.strip(BLANKS)
    if not text:
        return None
    try:
        m = SINGLE.fullmatch(text)
        if m:
            return parse_count(m.group(1))
        m = RANGE.fullmatch(text)
        if m:
            low, high = parse_count(m.group(1)), parse_count(m.group(2))
            if high >= low:
                return (low + high) // 2
    except Garbage:
        pass
    raise Garbage(f"employee_count: '{text}' is not an employee count")


def parse_number(raw, field):
    text = raw.strip(BLANKS)
    if not text:
        return None
    if not re.fullmatch(r"-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?", text):
        raise Garbage(f"{field}: '{text}' is not a number")
    value = float(text)
    if not math.isfinite(value):
        raise Garbage(f"{field}: '{text}' is not a number")
    return value


def parse_date(raw):
    text = raw.strip(BLANKS)
    if not text:
        return None
    if len(text) < 10 or (len(text) > 10 and text[10] not in "T "):
        raise Garbage(f"intent_date: '{text}' is not a YYYY-MM-DD date")
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text[:10]):
            raise ValueError
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise Garbage(f"intent_date: '{text}' is not a YYYY-MM-DD date") from None


# ------------------------------------------------------------------------------------------------
# Scoring (domain.md)


def lookup(table, name):
    """table[name] ignoring ASCII case and surrounding blanks, else None."""
    wanted = name.strip(BLANKS).lower()
    for key, score in table.items():
        if key.lower() == wanted:
            return score
    return None


def first_tier(value, tiers, key, default):
    for tier in tiers:
        if value <= tier[key]:
            return tier
    return default


class Scorer:
    def __init__(self, icp, workflow, as_of):
        self.workflow = workflow
        self.as_of = as_of
        scoring = icp["scoring"]
        self.w_intent = scoring["intent"]
        self.w_geo = scoring["geography"]
        self.sic_scores = {str(k): v for k, v in icp["onsite_likelihood"]["sic_scores"].items()}
        self.sic_default = icp["onsite_likelihood"]["default"]
        authority = dict(icp["authority_scores"])
        self.authority_default = authority.pop("default")
        self.authority = authority
        self.keywords = [k.lower() for k in icp["authority_title_keywords"]]
        self.signal = icp["signal_strength_scores"]
        self.freshness = list(icp["freshness"].values())
        self.employee_scale = icp["employee_scale"]
        self.proximity = icp["proximity"]

    def onsite(self, sic):
        return self.sic_scores.get(sic or "", self.sic_default)

    def signal_score(self, intent_score, strength):
        if intent_score is not None and intent_score > 0:
            return min(100, intent_score)
        score = lookup(self.signal, strength)
        return score if score is not None else lookup(self.signal, "Low")

    def authority_score(self, level, title):
        score = lookup(self.authority, level)
        if score is None:
            score = self.authority_default
        lowered = title.lower()
        if any(k in lowered for k in self.keywords):
            score += 10
        return min(100, score)

    def employee_score(self, employees):
        employees = 50 if employees is None else employees  # the live system's `employees or 50`
        for tier in self.employee_scale:
            if tier["min"] <= employees <= tier["max"]:
                return tier["score"]
        return 40

    def score(self, lead):
        """(score, components, excluded) of a parsed lead."""
        if self.workflow == "intent":
            return self.score_intent(lead)
        return self.score_geography(lead)

    def score_intent(self, lead):
        w = self.w_intent
        signal = self.signal_score(lead["intent_score"], lead["intent_strength"])
        onsite = self.onsite(lead["sic_code"])
        date = lead["intent_date_parsed"]
        # A day after as_of is clock skew (age 0); later dates were rejected by parse_lead.
        age = max(0, (self.as_of - date).days) if date is not None else UNKNOWN_AGE_DAYS
        tier = first_tier(age, self.freshness, "max_days",
                          {"multiplier": 0.0, "label": "Stale"})
        freshness = int(100 * tier["multiplier"])
        audience = AUDIENCE_BONUS.get(lead["audience_strength"].strip(BLANKS).upper(), 0)
        employees = lead["employee_count"]
        bonus = min(5, employees // 200) if employees is not None else None
        total = (signal * w["signal_strength"] + onsite * w["onsite_likelihood"]
                 + freshness * w["freshness"] + audience + (bonus or 0))
        components = {"age_days": age, "audience_bonus": audience, "employee_bonus": bonus,
                      "freshness": freshness, "freshness_label": tier["label"],
                      "freshness_multiplier": float(tier["multiplier"]), "onsite": onsite,
                      "signal": signal, "total": total}
        return min(100, round(total)), components, tier["multiplier"] == 0

    def score_geography(self, lead):
        w = self.w_geo
        distance = lead["distance_miles"]
        if distance is None:
            distance = UNKNOWN_DISTANCE_MILES
        proximity = first_tier(distance, self.proximity, "max_miles", {"score": 30})["score"]
        onsite = self.onsite(lead["sic_code"])
        authority = self.authority_score(lead["management_level"], lead["title"])
        employee = self.employee_score(lead["employee_count"])
        total = (proximity * w["proximity"] + onsite * w["onsite_likelihood"]
                 + authority * w["authority"] + employee * w["employee_scale"])
        components = {"authority": authority, "distance_miles_scored": float(distance),
                      "employee": employee, "onsite": onsite, "proximity": proximity,
                      "total": total}
        return min(100, round(total)), components, False


def priority_label(score):
    if score >= 80:
        return "High"
    if score >= 60:
        return "Medium"
    if score >= 40:
        return "Low"
    return "Very Low"


def check_control_characters(row):
    """NUL and the other C0 characters never reach the dialer (TAB only in free text)."""
    for name, value in row.items():
        for ch in value or "":
            if ord(ch) < 0x20 and (ch != "\t" or name.endswith("_phone")):
                raise Garbage(f"{name}: control character U+{ord(ch):04X}")


def parse_lead(row, workflow):
    """The row with its normalized and parsed values; raises Garbage."""
    check_control_characters(row)
    lead = {k: (v if v is not None else "") for k, v in row.items()}
    for name in ("person_id", "company_name"):
        if not lead.get(name, "").strip(BLANKS):
            raise Garbage(f"{name} is empty")
    lead["sic_code_raw"] = lead.get("sic_code", "")
    lead["sic_code"] = normalize_sic(lead["sic_code_raw"])
    lead["zip_raw"] = lead.get("zip", "")
    lead["zip"] = normalize_zip(lead["zip_raw"])
    lead["state_raw"] = lead.get("state", "")
    lead["state"] = normalize_state(lead["state_raw"])
    lead["employee_count_raw"] = lead.get("employee_count", "")
    lead["employee_count"] = parse_employees(lead["employee_count_raw"])
    for name in ("title", "management_level", "intent_strength", "audience_strength"):
        lead.setdefault(name, "")
    lead["distance_miles"] = None
    lead["intent_score"] = None
    lead["intent_date_parsed"] = None
    if workflow == "geography":
        distance = parse_number(row.get("distance_miles") or "", "distance_miles")
        if distance is not None and distance < 0:
            raise Garbage(f"distance_miles: '{row['distance_miles'].strip(BLANKS)}' is negative")
        lead["distance_miles"] = distance
    else:
        score = parse_number(row.get("intent_score") or "", "intent_score")
        if score is not None and score != int(score):
            raise Garbage(f"intent_score: '{row['intent_score'].strip(BLANKS)}' "
                          "is not a whole number")
        lead["intent_score"] = int(score) if score is not None else None
        lead["intent_date_parsed"] = parse_date(row.get("intent_date") or "")
    return lead


def check_future_date(lead, as_of):
    """An intent date more than a day after as_of is a wrong date, not fresh intent."""
    date = lead["intent_date_parsed"]
    if date is not None and (date - as_of).days > 1:
        raise Garbage(f"intent_date: '{date}' is after as_of")


def source_features(lead, row, components, score, workflow, as_of, icp_sha256):
    def text(name):
        value = row.get(name) or ""
        return value if value.strip(BLANKS) else None

    inputs = {name: text(name) for name in (
        "audience_strength", "contact_accuracy", "intent_date", "intent_strength", "intent_topic",
        "management_level", "phone_type", "title")}
    inputs.update({
        "distance_miles": lead["distance_miles"] if lead["distance_miles"] is not None
        else number_or_text(row.get("distance_miles"), nonnegative=True),
        "intent_score": lead["intent_score"] if lead["intent_score"] is not None
        else number_or_text(row.get("intent_score"), whole=True),
        "employee_count": lead["employee_count"], "employee_count_raw": text("employee_count"),
        "sic_code": lead["sic_code"], "sic_code_raw": text("sic_code"),
        "state": lead["state"], "state_raw": text("state"),
        "zip": lead["zip"], "zip_raw": text("zip"),
    })
    features = {"as_of": as_of.isoformat(), "components": components, "icp_sha256": icp_sha256,
                "inputs": inputs, "score": score, "scoring_rules": SCORING_RULES,
                "workflow": workflow}
    return json.dumps(features, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def number_or_text(raw, whole=False, nonnegative=False):
    """A field the workflow does not score: its number when it is one, else the text."""
    if raw is None or not raw.strip(BLANKS):
        return None
    try:
        value = parse_number(raw, "")
    except Garbage:
        return raw
    if (whole and value != int(value)) or (nonnegative and value < 0):
        return raw
    return int(value) if whole else value


# ------------------------------------------------------------------------------------------------
# The VanillaSoft CSV


DIGITS = "0123456789"
EXTENSION_MARKERS = ("extension", "ext.", "ext", "x", "#")


def split_extension(text):
    """(number, extension digits) of a phone whose text ends in `x123`, `ext. 123`, ..."""
    start = len(text)
    while start > 0 and text[start - 1] in DIGITS:
        start -= 1
    if start == len(text):
        return text, ""
    rest = text[:start].rstrip(" ")
    for marker in EXTENSION_MARKERS:
        if not rest.lower().endswith(marker):
            continue
        number = rest[:len(rest) - len(marker)].strip(" ")
        if number and number[-1] not in DIGITS and number[-1] != ")":
            continue  # "Box5": not an extension marker
        return number, text[start:]
    return text, ""


def plain_phone(raw):
    """(number, extension) when `raw` is a plain phone number, else None."""
    number, extension = split_extension(raw.strip(" "))
    if not number or not any(ch in DIGITS for ch in number):
        return None
    for i, ch in enumerate(number):
        if not (ch in DIGITS or ch in " -()." or (ch == "+" and i == 0)):
            return None
    return number, extension


def format_phone(raw):
    """North American numbers as (XXX) XXX-XXXX [xEXT]; every other number as given."""
    parts = plain_phone(raw)
    if parts is None:
        return raw
    number, extension = parts
    digits = "".join(ch for ch in number if ch in DIGITS)
    country_code_1 = len(digits) == 11 and digits[0] == "1"
    if country_code_1:
        digits = digits[1:]
    if len(digits) != 10 or (number[0] == "+" and not country_code_1):
        return raw
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}" + (f" x{extension}" if extension else "")


def neutralise(cell, phone=False):
    """Excel runs a cell starting with = + - @ TAB or CR as a formula: make it text. A plain phone
    number cannot hold one, and a visible ' breaks dialing."""
    if phone and plain_phone(cell) is not None:
        return cell
    if cell and cell[0] in "=+-@\t\r":
        return "'" + cell
    return cell


def vanillasoft_row(lead, score, components, args):
    """The lead's 31 cells; Contact Owner (OWNER_COLUMN) is filled once the lead's rank is known."""
    workflow = args.workflow
    if workflow == "intent":
        age = components["age_days"]
        # The strength as given; without one, the numeric signal that was scored, else Low.
        intent_score = lead["intent_score"]
        strength = lead["intent_strength"].strip(BLANKS) or (
            str(intent_score) if intent_score is not None and intent_score > 0 else "Low")
        tag = f"{args.data_source} Intent - Vending - {score} - {age}d"
        notes = (f"Batch: {args.batch_id} | Score: {score} | Age: {age}d | "
                 f"Freshness: {components['freshness_label']} | Signal: {strength}")
    else:
        distance = lead["distance_miles"]  # as given: None when unknown (scored as 15)
        miles = f"{distance:.1f}mi" if distance is not None else None
        tag = f"{args.data_source} Geography - Vending - {score}" + (f" - {miles}" if miles else "")
        notes = f"Batch: {args.batch_id} | Score: {score} | Distance: {miles or 'unknown'}"
    employees = lead["employee_count"]
    business = lead.get("direct_phone") or lead.get("company_phone") or ""
    cells = [
        f"{args.data_source} {args.run_date.strftime('%b %d %Y')}", lead.get("last_name", ""),
        lead.get("first_name", ""), lead["title"], format_phone(lead.get("company_phone", "")),
        lead.get("email", ""), format_phone(lead.get("mobile_phone", "")),
        lead.get("company_name", ""), lead.get("website", ""), format_phone(business),
        str(employees) if employees is not None else "", lead["sic_code"] or "",
        lead.get("industry", ""), lead.get("address", ""), lead.get("city", ""),
        lead["state"] or "", lead["zip"] or "", "", "", tag,
        args.operator_business, args.operator_name, args.operator_phone, args.operator_email,
        args.operator_zip, args.operator_website, "", "", args.team, priority_label(score), notes,
    ]
    return [neutralise(c, i in PHONE_COLUMNS) for i, c in enumerate(cells)]


# ------------------------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", required=True)
    parser.add_argument("--workflow", choices=["intent", "geography"], required=True)
    parser.add_argument("--icp", default="config/icp.yaml")
    parser.add_argument("--out", required=True)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date.today())
    parser.add_argument("--run-date", type=dt.date.fromisoformat, default=dt.date.today(),
                        help="the export's date, in List Source (hades: the run's start date)")
    parser.add_argument("--batch-id", default="HADES-00000000-001")
    parser.add_argument("--data-source", default="ZoomInfo")
    parser.add_argument("--min-score", type=int, default=0)
    parser.add_argument("--max-leads", type=int, default=0, help="0: no limit")
    parser.add_argument("--features", help="also write source_features, one JSON per line")
    for name in ("business", "name", "phone", "email", "zip", "website"):
        parser.add_argument(f"--operator-{name}", default="")
    parser.add_argument("--team", default="")
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    with open(args.icp, "rb") as f:
        icp_bytes = f.read()
    icp = yaml.safe_load(icp_bytes)
    icp_sha256 = hashlib.sha256(icp_bytes).hexdigest()
    agents = icp.get("call_center_agents") or [""]
    scorer = Scorer(icp, args.workflow, args.as_of)
    counts = {"read": 0, "excluded": 0, "rejected": 0, "below_min": 0, "exported": 0}
    features_out = open(args.features, "w", encoding="utf-8") if args.features else None
    # Every lead is scored before any is written: the export is best first (score descending,
    # person_id breaking ties), and each lead's rank picks its Contact Owner.
    candidates = []
    seen = set()
    with open(args.input, newline="", encoding="utf-8") as src:
        for row in csv.DictReader(src):
            counts["read"] += 1
            try:
                lead = parse_lead(row, args.workflow)
                check_future_date(lead, args.as_of)
            except Garbage:
                counts["rejected"] += 1
                continue
            score, components, excluded = scorer.score(lead)
            if excluded:
                counts["excluded"] += 1
                continue
            if score < args.min_score:
                counts["below_min"] += 1
                continue
            if lead["person_id"] in seen:  # the first row of a person_id is the lead
                counts["rejected"] += 1
                continue
            seen.add(lead["person_id"])
            features = (source_features(lead, row, components, score, args.workflow, args.as_of,
                                        icp_sha256) if features_out else None)
            candidates.append((-score, lead["person_id"],
                               vanillasoft_row(lead, score, components, args), features))
    candidates.sort(key=lambda c: (c[0], c[1]))
    if args.max_leads:
        del candidates[args.max_leads:]
    with open(args.out, "w", newline="", encoding="utf-8") as dst:
        writer = csv.writer(dst, lineterminator="\r\n")
        writer.writerow(VANILLASOFT_COLUMNS)
        for rank, (_, _, cells, features) in enumerate(candidates):
            cells[OWNER_COLUMN] = neutralise(agents[rank % len(agents)])
            writer.writerow(cells)
            if features_out:
                features_out.write(features + "\n")
            counts["exported"] += 1
    if features_out:
        features_out.close()
    print(" ".join(f"{k}={v}" for k, v in counts.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
