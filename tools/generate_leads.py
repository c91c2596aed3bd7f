#!/usr/bin/env python3
"""generate_leads.py: a deterministic, realistic leads CSV for the export job and its benchmark.

    tools/generate_leads.py --workflow intent --rows 1000 --seed 7 --as-of 2026-02-11 \\
        --out var/leads.csv

The header is docs/domain.md's lead field names ("Lead input"); one row is one contact, and companies
have one to six contacts. The messy cases of real ZoomInfo exports are planted at fixed rates:
SIC codes `8062-01` / ` 8062`, employee counts `"1,200"` / `"50 to 99"` / `50-99`, ZIPs that
lost their leading zero or carry +4, states spelled out or in lower case, missing distances,
non-ASCII names, company names with commas, quotes, line breaks and a leading `=` `+` `-` `@`,
phones in every format, and (intent) intent dates spread so that about a quarter are stale or
missing. A small share of rows (--garbage-rate) carry a number the scorer must reject
(`distance_miles: 12 mi`, `employee_count: lots`, `intent_score: high`).

The same arguments always give byte-identical output. Rows are streamed, so memory stays flat
at any --rows; a million rows take a few seconds. Standard library only.
"""

import argparse
import bisect
import csv
import datetime as dt
import functools
import itertools
import random
import sys

HEADER = [
    "person_id", "company_id", "company_name", "first_name", "last_name", "title",
    "management_level", "email", "direct_phone", "mobile_phone", "company_phone", "website",
    "sic_code", "industry", "employee_count", "address", "city", "state", "zip",
    "distance_miles", "intent_topic", "intent_strength", "intent_score", "intent_date",
    "audience_strength", "contact_accuracy", "phone_type",
]

class Dice:
    """random.Random with the few draws this file needs, built on random() alone: randint and
    choice cost several calls each, and a million rows make about fifty million draws."""

    def __init__(self, seed):
        rng = random.Random(seed)
        self.random = rng.random
        self.uniform = rng.uniform
        self.lognormvariate = rng.lognormvariate
        self.expovariate = rng.expovariate

    def pick(self, seq):
        return seq[int(self.random() * len(seq))]

    def int(self, low, high):
        """low..high, both included."""
        return low + int(self.random() * (high - low + 1))

    def weighted(self, items, cumulative):
        """One of `items`, with `cumulative` the running sums of their weights."""
        return items[bisect.bisect_right(cumulative, self.random() * cumulative[-1])]


def cumulative(weights):
    return list(itertools.accumulate(weights))


# SIC code and industry: the scored targets of icp.yaml, targets without a score of their own,
# and a few codes outside the list (they score the default).
SICS = [
    ("3599", "Industrial Machinery NEC"), ("3999", "Manufacturing Industries NEC"),
    ("4213", "Trucking, Except Local"), ("4581", "Services to Air Transportation"),
    ("4731", "Freight Transportation Arrangement"), ("5511", "Motor Vehicle Dealers"),
    ("7011", "Hotels and Motels"), ("7991", "Physical Fitness Facilities"),
    ("8051", "Skilled Nursing Care Facilities"), ("8059", "Nursing and Personal Care NEC"),
    ("8062", "General Medical and Surgical Hospitals"),
    ("8211", "Elementary and Secondary Schools"), ("8221", "Colleges and Universities"),
    ("8322", "Individual and Family Social Services"),
    ("8331", "Job Training and Vocational Rehab"), ("8361", "Residential Care"),
    ("3531", "Construction Machinery"), ("4225", "General Warehousing and Storage"),
    ("7033", "Recreational Vehicle Parks"), ("9223", "Correctional Institutions"),
    ("5812", "Eating Places"), ("0742", "Veterinary Services"),
]

# (code, name, city, ZIP): ZIPs of New England keep the leading-zero trap frequent.
PLACES = [
    ("MA", "Massachusetts", "Boston", "02134"), ("MA", "Massachusetts", "Worcester", "01608"),
    ("CT", "Connecticut", "Hartford", "06103"), ("NJ", "New Jersey", "Newark", "07102"),
    ("RI", "Rhode Island", "Providence", "02903"), ("NH", "New Hampshire", "Nashua", "03060"),
    ("NY", "New York", "Albany", "12207"), ("PA", "Pennsylvania", "Erie", "16501"),
    ("TX", "Texas", "Dallas", "75201"), ("OH", "Ohio", "Columbus", "43215"),
    ("GA", "Georgia", "Atlanta", "30303"), ("IL", "Illinois", "Chicago", "60601"),
    ("FL", "Florida", "Tampa", "33602"), ("CA", "California", "Fresno", "93721"),
    ("WA", "Washington", "Tacoma", "98402"), ("DC", "District of Columbia", "Washington", "20001"),
]

NAME_A = ["North", "South", "Blue", "Green", "Summit", "River", "Lake", "Pine", "Oak", "Cedar",
          "Harbor", "Valley", "Granite", "Silver", "Golden", "Eagle", "Maple", "Prairie",
          "Coastal", "Liberty", "Union", "Pioneer", "Metro", "Evergreen", "Keystone", "Heritage"]
NAME_B = ["Ridge", "Point", "View", "Field", "Crest", "Gate", "Bridge", "Park", "Haven", "Brook",
          "Stone", "Wood", "Hill", "Bay", "Springs", "Mill", "Port", "Grove", "Rock", "Dale"]
SUFFIXES = ["Inc.", "LLC", "Corp.", "Group", "Hospital", "Medical Center", "Logistics",
            "Hotel", "Academy", "Care Center", "Fitness", "Motors", "Industries", "Services"]
# Names a spreadsheet or a CSV writer gets wrong: non-ASCII, commas, quotes, line breaks and
# the characters Excel reads as the start of a formula.
HOSTILE_NAMES = [
    "Caf\u00e9 Z\u00fcrich Hotels", "M\u00fcller & S\u00f6hne GmbH", "Ni\u00f1o's Care Center",
    "\u00c9cole Saint-Andr\u00e9", "\u6771\u4eac Trading Co.", "Acme, Inc.",
    "Smith, Jones & Partners, LLC", "The \"Best\" Western Inn", "O'Reilly \"Big\" Motors, Inc.",
    "North Ridge\nHoldings", "Line\r\nBreak Logistics",
    "=HYPERLINK(\"http://x.example\",\"Click\")", "=1+2 Fitness", "+Plus Fitness Club",
    "-Minus Freight", "@Home Senior Living", "\tTabbed Warehousing",
]

FIRST_NAMES = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
               "David", "Elizabeth", "Maria", "Wei", "Aisha", "Carlos", "Priya", "Olga",
               "Jos\u00e9", "Zo\u00eb", "Bj\u00f6rn", "\u0141ukasz", "Fran\u00e7ois", "Ren\u00e9e",
               "S\u00f8ren", "\u674e", "Mar\u00eda Jos\u00e9"]
LAST_NAMES = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
              "Rodriguez", "Martinez", "Lee", "Walker", "Hall", "Young", "King", "Wright",
              "N\u00fa\u00f1ez", "O'Brien", "M\u00fcller", "Nguy\u1ec5n", "Kowalczyk",
              "Dupont-Leclerc", "\u738b", "\u00c5str\u00f6m", "de la Cruz"]

# management level, weight, titles (some with the vending keywords that add authority)
LEVELS = [
    ("C Level Exec", 6, ["CEO", "Chief Operating Officer", "President", "CFO"]),
    ("VP Level Exec", 10, ["VP Operations", "VP Sales", "Vice President, Facilities",
                           "VP Human Resources"]),
    ("Director", 22, ["Director of Facilities", "Food Service Director", "Director of Nursing",
                      "Director of Hospitality", "IT Director"]),
    ("Manager", 34, ["Facilities Manager", "Operations Manager", "Office Manager",
                     "Property Manager", "Building Services Manager", "HR Manager"]),
    ("Board Member", 3, ["Board Member", "Trustee"]),
    ("Non Manager", 15, ["Receptionist", "Maintenance Technician", "Buyer", "Administrator"]),
    ("", 5, ["Staff"]),
    ("Owner", 5, ["Owner", "Founder"]),  # not in authority_scores: the default
]
LEVEL_WEIGHTS = cumulative([w for _, w, _ in LEVELS])

TOPICS = ["Vending Machines", "Breakroom Solutions", "Coffee Services", "Water Coolers"]
STRENGTHS = ["High", "Medium", "Low", ""]
STRENGTH_WEIGHTS = cumulative([30, 35, 25, 10])
AUDIENCES = ["A", "B", "C", "D", ""]
AUDIENCE_WEIGHTS = cumulative([10, 15, 20, 15, 40])
PHONE_TYPES = ["Direct", "Mobile", "HQ"]
STREETS = ["Main St", "Elm St", "Washington Ave", "Park Rd", "Industrial Pkwy", "Commerce Dr",
           "Harbor Blvd", "Airport Rd"]


def phone(rng, digits):
    """A phone number in one of the formats exports carry."""
    a, b, c = digits[:3], digits[3:6], digits[6:]
    style = rng.int(0, 6)
    if style == 0:
        return f"({a}) {b}-{c}"
    if style == 1:
        return f"{a}-{b}-{c}"
    if style == 2:
        return f"+1 {a} {b} {c}"
    if style == 3:
        return digits
    if style == 4:
        return f"{a}.{b}.{c} x{rng.int(10, 999)}"
    if style == 5:
        return f"1{digits}"
    return f"{a} {b} {c}"


def random_digits(rng):
    return f"{rng.int(201, 989)}{rng.int(200, 999)}{rng.int(0, 9999):04d}"


def messy_sic(rng, sic):
    r = rng.random()
    if r < 0.15:
        return f"{sic}-{rng.int(0, 99):02d}"
    if r < 0.25:
        return f" {sic}"
    if r < 0.28:
        return ""
    if r < 0.30:
        return sic.lstrip("0") or "0"  # a spreadsheet dropped its leading zero
    return sic


def messy_employees(rng, n):
    r = rng.random()
    if r < 0.20 and n >= 1000:
        return f"{n:,}"
    if r < 0.30:
        low = max(1, (n // 50) * 50)
        high = low + 49
        return f"{low} to {high}" if rng.random() < 0.5 else f"{low}-{high}"
    if r < 0.35:
        return ""
    if r < 0.36:
        return "10,000+"
    return str(n)


def messy_state(rng, code, name):
    r = rng.random()
    if r < 0.15:
        return name
    if r < 0.20:
        return code.lower()
    if r < 0.22:
        return ""
    return code


def messy_zip(rng, zip5):
    r = rng.random()
    if r < 0.15:
        return zip5.lstrip("0")
    if r < 0.30:
        return f"{zip5}-{rng.int(0, 9999):04d}"
    if r < 0.32:
        return ""
    return zip5


def company_name(rng):
    if rng.random() < 0.08:
        return rng.pick(HOSTILE_NAMES)
    name = f"{rng.pick(NAME_A)} {rng.pick(NAME_B)} {rng.pick(SUFFIXES)}"
    if rng.random() < 0.10:
        name = name.replace(" Inc.", ", Inc.").replace(" LLC", ", LLC")
    return name


@functools.lru_cache(maxsize=4096)
def ascii_slug(text):
    slug = "".join(ch for ch in text.lower() if "a" <= ch <= "z")
    return slug or "contact"


class Company:
    """What every contact of one company shares."""

    def __init__(self, rng, company_id):
        self.company_id = str(company_id)
        self.name = company_name(rng)
        sic, self.industry = rng.pick(SICS)
        self.sic = messy_sic(rng, sic)
        employees = int(rng.lognormvariate(5.3, 1.1)) + 5
        self.employees = messy_employees(rng, employees)
        code, state_name, self.city, zip5 = rng.pick(PLACES)
        self.state = messy_state(rng, code, state_name)
        self.zip = messy_zip(rng, zip5)
        self.address = f"{rng.int(1, 9999)} {rng.pick(STREETS)}"
        if rng.random() < 0.1:
            self.address = f"Suite {rng.int(100, 900)}, {self.address}"
        self.domain = f"{ascii_slug(self.name)[:20]}{company_id % 1000}.example"
        self.website = f"www.{self.domain}" if rng.random() < 0.9 else ""
        self.phone = phone(rng, random_digits(rng)) if rng.random() < 0.95 else ""
        self.distance = round(rng.uniform(0.2, 140.0), 1)
        self.intent_topic = rng.pick(TOPICS)
        self.intent_strength = rng.weighted(STRENGTHS, STRENGTH_WEIGHTS)
        self.intent_score = str(rng.int(1, 100)) if rng.random() < 0.3 else ""
        self.intent_age = self._intent_age(rng)
        self.audience = rng.weighted(AUDIENCES, AUDIENCE_WEIGHTS)
        self.contacts = min(6, 1 + int(rng.expovariate(0.5)))  # 2.4 on average

    @staticmethod
    def _intent_age(rng):
        """Days before as_of: about 20% stale (15-60 days) and 5% undated (None)."""
        r = rng.random()
        if r < 0.05:
            return None
        if r < 0.25:
            return rng.int(15, 60)
        return rng.int(0, 14)


# Where each field is in HEADER, for building rows as lists.
COL = {name: i for i, name in enumerate(HEADER)}


def contact_row(rng, company, person_id, workflow, as_of, garbage_rate):
    """One contact of `company` as a list in HEADER order."""
    level, _, titles = rng.weighted(LEVELS, LEVEL_WEIGHTS)
    first = rng.pick(FIRST_NAMES)
    last = rng.pick(LAST_NAMES)
    direct = phone(rng, random_digits(rng)) if rng.random() < 0.7 else ""
    mobile = phone(rng, random_digits(rng)) if rng.random() < 0.4 else ""
    distance = ""
    intent = ("", "", "", "", "")  # topic, strength, score, date, audience
    if workflow == "geography":
        # About 7% of distances are missing: the scorer counts them as 15 miles.
        distance = "" if rng.random() < 0.07 else f"{company.distance:.1f}"
    else:
        date = ""
        if company.intent_age is not None:
            date = (as_of - dt.timedelta(days=company.intent_age)).isoformat()
        intent = (company.intent_topic, company.intent_strength, company.intent_score, date,
                  company.audience)
    row = [
        str(person_id), company.company_id, company.name, first, last, rng.pick(titles), level,
        f"{ascii_slug(first)}.{ascii_slug(last)}@{company.domain}", direct, mobile,
        company.phone, company.website, company.sic, company.industry, company.employees,
        company.address, company.city, company.state, company.zip, distance, *intent,
        str(rng.int(70, 99)), "Mobile" if mobile and not direct else rng.pick(PHONE_TYPES),
    ]
    if garbage_rate > 0 and rng.random() < garbage_rate:
        plant_garbage(rng, row, workflow)
    return row


def plant_garbage(rng, row, workflow):
    """A number the scorer must reject, in a field the workflow scores."""
    if rng.random() < 0.5:
        row[COL["employee_count"]] = rng.pick(["lots", "#VALUE!", "99 to 50"])
    elif workflow == "geography":
        row[COL["distance_miles"]] = rng.pick(["12 mi", "abc", "#N/A"])
    else:
        row[COL["intent_score"]] = rng.pick(["high", "85.5", "x"])


def generate(out, workflow, rows, seed, as_of, garbage_rate):
    rng = Dice(f"{seed}:{workflow}")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    written = 0
    company_id = 10_000_000
    person_id = 500_000_000
    while written < rows:
        company_id += 1
        company = Company(rng, company_id)
        batch = []
        for _ in range(min(company.contacts, rows - written)):
            person_id += 1
            batch.append(contact_row(rng, company, person_id, workflow, as_of, garbage_rate))
        writer.writerows(batch)
        written += len(batch)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workflow", choices=["intent", "geography"], required=True)
    parser.add_argument("--rows", type=int, required=True, help="number of leads (contacts)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", required=True, type=dt.date.fromisoformat,
                        help="YYYY-MM-DD: intent dates are spread before this day")
    parser.add_argument("--out", required=True, help="the CSV to write; - for stdout")
    parser.add_argument("--garbage-rate", type=float, default=0.002,
                        help="share of rows with a number the scorer rejects (default 0.002)")
    args = parser.parse_args(argv)
    if args.rows < 0:
        parser.error("--rows must be >= 0")
    if not 0 <= args.garbage_rate <= 1:
        parser.error("--garbage-rate must be between 0 and 1")
    return args


def main(argv):
    args = parse_args(argv)
    if args.out == "-":
        out = open(sys.stdout.fileno(), "w", encoding="utf-8", newline="", closefd=False)
    else:
        out = open(args.out, "w", encoding="utf-8", newline="")
    with out:
        generate(out, args.workflow, args.rows, args.seed, args.as_of, args.garbage_rate)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
