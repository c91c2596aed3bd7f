#!/usr/bin/env python3
"""Deterministic outcome rows with planted effects, for the calibrator's tests and benchmark.

    tools/generate_outcomes.py --rows 20000 --seed 7 --db var/outcomes.db
    tools/generate_outcomes.py --rows 10000000 --seed 1 --db /tmp/big.db   # the benchmark
    tools/generate_outcomes.py --rows 3000 --seed 3 --db org.db --truth org.json   # the truth too
    tools/generate_outcomes.py --rows 3000 --seed 3 --db flat.db --no-effect      # no signal

Writes `lead_outcomes` (`--rows` HADES-exported leads with their batch, score, outcome and
source_features JSON as the scorer writes it) and `historical_outcomes` (`--historical` pre-HADES
leads) straight into an SQLite file, creating the tables with exactly the statements of the
migrations in plugins/libraries/outcomes/src/outcome_tables.cc, read from that file (a calibrator test compares
the resulting schema with the migrations'). The same
arguments always give the same bytes in the tables.

Planted effects (what the calibrator must find), each a multiplier on a lead's delivery chance:
  - SIC: marginal delivery rates in SIC_RATES (8361 converts at 17%, 8062 at 4.5%, ...);
    7033 and 4225 are not in icp.yaml's sic_scores, 4581 and 4731 are in it but have no data.
  - employee tier: 50-100 x1.3, 101-500 x1.0, 501+ x0.35 (small companies convert best).
  - proximity (geography leads): monotone in distance, x1.5 within 5 miles down to x0.4 past 100.
  - signal strength (intent leads): High x1.4, Medium x0.95, Low x0.6, missing x0.8.
  - freshness (intent leads): Hot x1.2, Warm x0.9, Cooling x0.75.
  - state and census region: NO effect (the no-signal dimensions).
  - batch ANOMALOUS_BATCH (the 5th export) delivers at 3x its expected rate.
Every multiplier table averages about 1 over its sampling weights, so SIC marginals stay near
SIC_RATES. Success is `delivery` (10% of them later `churned`); a delivery arrives 5-84 days
after the export, so leads exported within the last ~90 days before --as-of are still pending.
hades_score and source_features are computed with config/icp.yaml's numbers
(ICP_* below), the way the scorer computes them. An intent lead's intent_strength, intent_score,
intent_date and age_days columns (outcome_tables migration 5) hold what its source_features
holds, as jobs/export_leads.yaml writes them; --json-only leaves them NULL, as older exports did.

--effects none (or --no-effect) plants nothing: every SIC converts at the same rate (the
share-weighted mean of SIC_RATES), every multiplier above is 1 and the anomalous batch is like
the others. --effects shuffled plants the same effects on other buckets: each table's rates or
multipliers permuted by a stream drawn from --seed (and scaled back to the table's mean), so
that today's icp.yaml, which the documented effects roughly follow, is wrong in ways a
calibration can find; no anomalous batch either. Only the rates change, not the random draws of
the leads: their scores and features are those of the same seed with the documented effects.

--truth PATH writes what was planted as JSON: `effects_mode`, the multipliers per dimension and
bucket (`effects`, in the calibrator's bucket names: the SIC's marginal rate, the tier's,
band's, strength's and freshness tier's multiplier) and `leads`, one [person_id, p] pair per
lead_outcomes row in insertion order, p the exact probability its delivery was drawn with.
Without --truth and --no-effect the output is byte for byte what it was before they existed.
"""

import argparse
import bisect
import datetime
import itertools
import json
import os
import random
import re
import sqlite3
import sys

MIGRATIONS_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "plugins",
                                 "libraries", "outcomes", "src", "outcome_tables.cc")

STATEMENT = re.compile(r"\s*(CREATE|ALTER|DROP)\s", re.IGNORECASE)
MIGRATION_VERSION = re.compile(r"Migration\{\s*(\d+)\s*,")


def cpp_string_groups(source):
    """The C++ string literals of `source`, adjacent ones joined, in order (comments skipped)."""
    groups, current, i = [], None, 0
    while i < len(source):
        if source.startswith("//", i):
            end = source.find("\n", i)
            i = len(source) if end < 0 else end
        elif source.startswith("/*", i):
            i = source.index("*/", i) + 2
        elif source.startswith('R"', i):
            open_paren = source.index("(", i)
            close = ")" + source[i + 2:open_paren] + '"'
            end = source.index(close, open_paren)
            current = (current or "") + source[open_paren + 1:end]
            i = end + len(close)
        elif source[i] == '"':
            j, text = i + 1, []
            while source[j] != '"':
                if source[j] == "\\":
                    j += 1
                    text.append({"n": "\n", "t": "\t"}.get(source[j], source[j]))
                else:
                    text.append(source[j])
                j += 1
            current = (current or "") + "".join(text)
            i = j + 1
        elif source[i].isspace():
            i += 1
        else:
            if current is not None:
                groups.append(current)
                current = None
            i += 1
    if current is not None:
        groups.append(current)
    return groups


def migration_statements():
    """Every statement of the outcome tables' migrations, in order, and their version numbers,
    read from their source so that the generated tables are exactly the ones
    `apply_outcome_migrations()` makes, recorded as applied so that it does not apply them again
    (ALTER TABLE statements cannot run twice)."""
    with open(MIGRATIONS_SOURCE) as f:
        source = f.read()
    versions = [int(v) for v in MIGRATION_VERSION.findall(source)]
    return [s for s in cpp_string_groups(source) if STATEMENT.match(s)], versions


def record_migrations(db, versions):
    """The rows framework/sdk/migrations.cc keeps for applied migrations."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS hades_migrations (component TEXT NOT NULL, version INTEGER "
        "NOT NULL, description TEXT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (component, "
        "version))")
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    db.executemany(
        "INSERT OR IGNORE INTO hades_migrations VALUES ('outcome_tables', ?, ?, ?)",
        [(v, "made by tools/generate_outcomes.py", now) for v in versions])


# (SIC, share of leads, marginal delivery rate). None is a lead without a SIC code.
SIC_RATES = [
    ("8361", 0.08, 0.170), ("4213", 0.05, 0.140), ("8059", 0.06, 0.120), ("8331", 0.04, 0.100),
    ("7991", 0.04, 0.100), ("3599", 0.04, 0.090), ("5511", 0.10, 0.079), ("8051", 0.08, 0.073),
    ("8221", 0.04, 0.070), ("7011", 0.10, 0.068), ("7033", 0.03, 0.060), ("8211", 0.08, 0.059),
    ("3999", 0.05, 0.053), ("8062", 0.09, 0.045), ("8322", 0.05, 0.038), ("4225", 0.02, 0.080),
    (None, 0.05, 0.090),
]
# (tier, share, multiplier, low, high); None bounds: unknown count.
EMPLOYEE_TIERS = [
    ("50-100", 0.35, 1.30, 50, 100), ("101-500", 0.40, 1.00, 101, 500),
    ("501+", 0.15, 0.35, 501, 5000), ("outside", 0.05, 1.00, 10, 49),
    ("unknown", 0.05, 1.00, None, None),
]
# (share, multiplier, low miles, high miles); None: unknown distance.
PROXIMITY_BANDS = [
    (0.20, 1.50, 0.0, 5.0), (0.20, 1.20, 5.01, 10.0), (0.25, 0.95, 10.01, 25.0),
    (0.15, 0.70, 25.01, 50.0), (0.10, 0.50, 50.01, 100.0), (0.05, 0.40, 100.01, 250.0),
    (0.05, 1.00, None, None),
]
SIGNAL_STRENGTHS = [("High", 0.30, 1.40), ("Medium", 0.40, 0.95), ("Low", 0.20, 0.60),
                    (None, 0.10, 0.80)]
# (share, multiplier, youngest age, oldest age): the Hot, Warm and Cooling tiers.
FRESHNESS_AGES = [(0.40, 1.20, 0, 3), (0.35, 0.90, 4, 7), (0.25, 0.75, 8, 14)]
ANOMALOUS_BATCH = 4  # 0-based: the 5th export
ANOMALY_FACTOR = 3.0
MAX_CHANCE = 0.9  # a delivery chance is capped here

STATES = ("AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE "
          "NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY").split()
STATE_NAMES = {"MA": "Massachusetts", "NY": "new york", "TX": "Texas", "CA": "California"}

# config/icp.yaml's numbers, to compute hades_score as the scorer does.
ICP_SIC_SCORES = {"3599": 47, "3999": 35, "4213": 76, "4581": 100, "4731": 79, "5511": 43,
                  "7011": 40, "7991": 50, "8051": 42, "8059": 56, "8062": 33, "8211": 37,
                  "8221": 41, "8322": 31, "8331": 51, "8361": 71}
ICP_SIC_DEFAULT = 40
ICP_EMPLOYEE = [(50, 100, 100), (101, 500, 80), (501, 999999, 20)]
ICP_PROXIMITY = [(5, 100), (10, 85), (25, 70), (50, 50), (100, 30)]
ICP_SIGNAL = {"High": 100, "Medium": 70, "Low": 40}
ICP_FRESHNESS = [(3, 1.0, "Hot"), (7, 0.7, "Warm"), (14, 0.4, "Cooling")]
ICP_AUTHORITY = [("C Level Exec", 100), ("VP Level Exec", 85), ("Director", 75), ("Manager", 60),
                 ("Non Manager", 30)]
TITLES = [("Facilities Manager", True), ("Office Manager", False), ("Operations Director", True),
          ("HR Director", False), ("General Manager", False)]
AUDIENCE = [("A", 10), ("B", 7), ("C", 4), ("D", 2), (None, 0)]
ICP_SHA256 = "0" * 64  # generated rows were not scored from a real file
SCORING_RULES = 2  # leads/scoring.h, kScoringRulesVersion

INSERT_LEAD = (
    "INSERT INTO lead_outcomes (batch_id, person_id, company_name, company_id, sic_code, "
    "employee_count, distance_miles, zip_code, state, hades_score, workflow_type, exported_at, "
    "outcome, outcome_at, source_features, created_at, updated_at, intent_strength, "
    "intent_score, intent_date, age_days, scoring_rules) "
    f"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, {SCORING_RULES})")
# Every generated batch was published: only published batches' leads count.
INSERT_BATCH = (
    "INSERT INTO hades_batch_ids (batch_id, day, seq, run_id, job, allocated_at, state, state_at) "
    "VALUES (?, ?, ?, ?, 'generated', ?, 'published', ?)")
INSERT_HISTORICAL = (
    "INSERT INTO historical_outcomes (company_name, sic_code, employee_count, zip_code, state, "
    "outcome, deal_created_at, delivery_at, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
CHUNK_ROWS = 50_000


def mean_rate():
    return sum(share * rate for _, share, rate in SIC_RATES) / sum(s[1] for s in SIC_RATES)


def shuffled(rng, values, shares):
    """`values` in an order drawn from `rng`, scaled so that their share-weighted mean is the
    same as before: the same effects, on other buckets."""
    order = list(values)
    rng.shuffle(order)
    before = sum(v * s for v, s in zip(values, shares))
    after = sum(v * s for v, s in zip(order, shares))
    return [v * before / after for v in order]


def planted_tables(effects, seed):
    """SIC_RATES, EMPLOYEE_TIERS, PROXIMITY_BANDS, SIGNAL_STRENGTHS and FRESHNESS_AGES as the
    generator samples them: as planted ("planted"), with every effect removed ("none": one SIC
    rate, multipliers 1), or the planted ones moved to other buckets ("shuffled": each table's
    rates or multipliers permuted by a stream of its own drawn from the seed): the items and
    their shares are the same in all three, so are the draws of the leads."""
    if effects == "planted":
        return SIC_RATES, EMPLOYEE_TIERS, PROXIMITY_BANDS, SIGNAL_STRENGTHS, FRESHNESS_AGES
    if effects == "none":
        rates = [mean_rate()] * len(SIC_RATES)
        multipliers = [[1.0] * len(t) for t in (EMPLOYEE_TIERS, PROXIMITY_BANDS,
                                                 SIGNAL_STRENGTHS, FRESHNESS_AGES)]
    else:
        rng = random.Random(f"effects-{seed}")
        rates = shuffled(rng, [s[2] for s in SIC_RATES], [s[1] for s in SIC_RATES])
        multipliers = [shuffled(rng, [item[value] for item in table],
                                [item[share] for item in table])
                       for table, share, value in ((EMPLOYEE_TIERS, 1, 2), (PROXIMITY_BANDS, 0, 1),
                                                   (SIGNAL_STRENGTHS, 1, 2), (FRESHNESS_AGES, 0, 1))]
    tiers, bands, strengths, ages = multipliers
    return ([(sic, share, rate) for (sic, share, _), rate in zip(SIC_RATES, rates)],
            [t[:2] + (m,) + t[3:] for t, m in zip(EMPLOYEE_TIERS, tiers)],
            [b[:1] + (m,) + b[2:] for b, m in zip(PROXIMITY_BANDS, bands)],
            [s[:2] + (m,) for s, m in zip(SIGNAL_STRENGTHS, strengths)],
            [a[:1] + (m,) + a[2:] for a, m in zip(FRESHNESS_AGES, ages)])


def band_name(low, high):
    """A proximity band's bucket in the calibrator's names, from its sampling range."""
    edges = [0] + [m for m, _ in ICP_PROXIMITY]
    if low is None:
        return "unknown"
    if high > edges[-1]:
        return f"beyond {edges[-1]} mi"
    upper = next(e for e in edges[1:] if high <= e)
    return f"{edges[edges.index(upper) - 1]}-{upper} mi"


def planted_effects(effects, seed):
    """The planted effects in the calibrator's bucket names (plugins/domain/calibrator/README.md)."""
    sic_rates, tiers, bands, strengths, ages = planted_tables(effects, seed)
    tier_names = {"501+": "501-999999", "outside": "outside tiers"}
    labels = [label for _, _, label in ICP_FRESHNESS]
    return {
        "sic_rate": {sic or "unknown": rate for sic, _, rate in sic_rates},
        "employee_tier": {tier_names.get(t[0], t[0]): t[2] for t in tiers},
        "proximity": {band_name(b[2], b[3]): b[1] for b in bands},
        "signal_strength": {s[0] or "unknown": s[2] for s in strengths},
        "freshness": {labels[i]: a[1] for i, a in enumerate(ages)},
        "anomalous_batch": {"index": ANOMALOUS_BATCH,
                            "factor": ANOMALY_FACTOR if effects == "planted" else 1.0},
        "max_chance": MAX_CHANCE,
    }


def write_truth(path, effects, seed, leads):
    with open(path, "w") as f:
        f.write('{"effects_mode": "%s", "effects": ' % effects)
        json.dump(planted_effects(effects, seed), f, sort_keys=True)
        f.write(', "leads": [')
        f.write(",\n".join(f'["{pid}", {p!r}]' for pid, p in leads))
        f.write("]}\n")


class Picker:
    """Weighted choice with one random number: bisect on cumulative shares."""

    def __init__(self, items, share_of):
        self.items = items
        self.cumulative = list(itertools.accumulate(share_of(i) for i in items))

    def pick(self, u):
        return self.items[min(bisect.bisect_right(self.cumulative, u * self.cumulative[-1]),
                              len(self.items) - 1)]


def randint(rng, low, high):
    """random.randint's range with one call to random(): 4x faster, and enough here."""
    return low + int(rng.random() * (high - low + 1))


def json_text(value):
    if value is None:
        return "null"
    if isinstance(value, str):
        return '"' + value + '"'  # generated text never needs escaping
    return repr(value)


def tier_score(tiers, value, outside):
    for low, high, score in tiers:
        if low <= value <= high:
            return score
    return outside


def proximity_score(miles):
    for max_miles, score in ICP_PROXIMITY:
        if miles <= max_miles:
            return score
    return 30


class Generator:
    def __init__(self, args):
        self.rng = random.Random(args.seed)
        self.as_of = datetime.date.fromisoformat(args.as_of)
        self.days = args.days
        self.batch_size = args.batch_size
        self.batches = []  # hades_batch_ids rows of the batches lead_rows() made
        self.truth = [] if args.truth else None  # (person_id, p) per lead, when asked
        self.feature_columns = not args.json_only
        self.anomaly_factor = ANOMALY_FACTOR if args.effects == "planted" else 1.0
        sic_rates, tiers, bands, strengths, ages = planted_tables(args.effects, args.seed)
        self.sics = Picker(sic_rates, lambda s: s[1])
        self.tiers = Picker(tiers, lambda t: t[1])
        self.bands = Picker(bands, lambda b: b[0])
        self.strengths = Picker(strengths, lambda s: s[1])
        self.ages = Picker(ages, lambda a: a[0])

    def employees(self):
        tier = self.tiers.pick(self.rng.random())
        if tier[3] is None:
            return None, tier[2]
        return randint(self.rng, tier[3], tier[4]), tier[2]

    def state(self, raw_variants):
        u = self.rng.random()
        code = STATES[int(u * len(STATES))]
        if raw_variants and self.rng.random() < 0.08:
            return STATE_NAMES.get(code, code.lower())
        if self.rng.random() < 0.02:
            return None
        return code

    def historical_rows(self, count):
        imported_at = self.as_of.isoformat() + "T00:00:00Z"
        for i in range(count):
            sic, _, rate = self.sics.pick(self.rng.random())
            raw_sic = sic
            if sic is not None:
                u = self.rng.random()
                raw_sic = sic + "-01" if u < 0.2 else (" " + sic if u < 0.25 else sic)
            employees, emp_mult = self.employees()
            state = self.state(True)
            delivered = self.rng.random() < rate * emp_mult
            deal_day = self.as_of - datetime.timedelta(days=400 + randint(self.rng, 0, 700))
            yield (f"Historic Co {i}", raw_sic, employees, f"{randint(self.rng, 1000, 99999):05d}",
                   state, "delivery" if delivered else "no_delivery",
                   deal_day.isoformat() + "T12:00:00Z" if delivered else None,
                   (deal_day + datetime.timedelta(days=30)).isoformat() if delivered else None,
                   imported_at)

    def geography(self):
        band = self.bands.pick(self.rng.random())
        miles = None if band[2] is None else round(self.rng.uniform(band[2], band[3]), 2)
        level, authority = ICP_AUTHORITY[int(self.rng.random() * len(ICP_AUTHORITY))]
        title, keyword = TITLES[int(self.rng.random() * len(TITLES))]
        if keyword:
            authority = min(100, authority + 10)
        return miles, level, title, authority, band[1]

    def lead_row(self, index, batch_id, export_day, exported_at, batch_mult):
        rng = self.rng
        sic, _, rate = self.sics.pick(rng.random())
        employees, emp_mult = self.employees()
        state = self.state(False)
        onsite = ICP_SIC_SCORES.get(sic, ICP_SIC_DEFAULT)
        as_of = export_day.isoformat()
        common_inputs = (f'"employee_count":{json_text(employees)},'
                         f'"employee_count_raw":{json_text(None if employees is None else str(employees))},')
        place = (f'"sic_code":{json_text(sic)},"sic_code_raw":{json_text(sic)},'
                 f'"state":{json_text(state)},"state_raw":{json_text(state)},'
                 f'"title":"Facilities Manager","zip":"02134","zip_raw":"2134"')
        miles = None
        columns = (None, None, None, None)  # intent_strength, intent_score, intent_date, age_days
        if rng.random() < 0.5:
            workflow = "intent"
            strength, _, sig_mult = self.strengths.pick(rng.random())
            numeric = randint(rng, 1, 100) if rng.random() < 0.1 else None
            signal = numeric if numeric else ICP_SIGNAL.get(strength or "Low", 40)
            share, fresh_mult, youngest, oldest = self.ages.pick(rng.random())
            age = randint(rng, youngest, oldest)
            _, multiplier, label = next(t for t in ICP_FRESHNESS if age <= t[0])
            freshness = int(100 * multiplier)
            audience, audience_bonus = AUDIENCE[int(rng.random() * len(AUDIENCE))]
            employee_bonus = None if employees is None else min(5, employees // 200)
            total = signal * 0.5 + onsite * 0.25 + freshness * 0.25 + audience_bonus
            if employee_bonus is not None:
                total += employee_bonus
            score = min(100, round(total))
            intent_date = (export_day - datetime.timedelta(days=age)).isoformat()
            features = (
                f'{{"as_of":"{as_of}","components":{{"age_days":{age},'
                f'"audience_bonus":{audience_bonus},"employee_bonus":{json_text(employee_bonus)},'
                f'"freshness":{freshness},"freshness_label":"{label}",'
                f'"freshness_multiplier":{multiplier!r},"onsite":{onsite},"signal":{signal},'
                f'"total":{total!r}}},"icp_sha256":"{ICP_SHA256}","inputs":{{'
                f'"audience_strength":{json_text(audience)},"contact_accuracy":"95",'
                f'"distance_miles":null,{common_inputs}"intent_date":"{intent_date}",'
                f'"intent_score":{json_text(numeric)},"intent_strength":{json_text(strength)},'
                f'"intent_topic":"Vending Machines","management_level":"Manager",'
                f'"phone_type":"Direct",{place}}},"score":{score},"scoring_rules":{SCORING_RULES},'
                f'"workflow":"intent"}}')
            chance = rate * emp_mult * sig_mult * fresh_mult
            columns = (strength, numeric, intent_date, age)
        else:
            workflow = "geography"
            miles, level, title, authority, prox_mult = self.geography()
            scored_miles = 15.0 if miles is None else miles
            proximity = proximity_score(scored_miles)
            # An unknown count is taken as 50 employees (scoring rules version 2).
            employee = tier_score(ICP_EMPLOYEE, 50 if employees is None else employees, 40)
            total = proximity * 0.4 + onsite * 0.25 + authority * 0.15 + employee * 0.2
            score = min(100, round(total))
            features = (
                f'{{"as_of":"{as_of}","components":{{"authority":{authority},'
                f'"distance_miles_scored":{scored_miles!r},"employee":{employee},'
                f'"onsite":{onsite},"proximity":{proximity},"total":{total!r}}},'
                f'"icp_sha256":"{ICP_SHA256}","inputs":{{"audience_strength":null,'
                f'"contact_accuracy":"95","distance_miles":{json_text(miles)},{common_inputs}'
                f'"intent_date":null,"intent_score":null,"intent_strength":null,'
                f'"intent_topic":null,"management_level":"{level}","phone_type":"Mobile",'
                f'{place.replace("Facilities Manager", title)}}},"score":{score},'
                f'"scoring_rules":{SCORING_RULES},"workflow":"geography"}}')
            chance = rate * emp_mult * prox_mult
        p = min(MAX_CHANCE, chance * batch_mult)
        if self.truth is not None:
            self.truth.append((f"P{index:010d}", p))
        delivered = rng.random() < p
        lag = randint(rng, 5, 84)
        arrived = export_day + datetime.timedelta(days=lag)
        outcome, outcome_at = None, None
        if delivered and arrived <= self.as_of:
            outcome = "churned" if rng.random() < 0.1 else "delivery"
            outcome_at = arrived.isoformat() + "T12:00:00Z"
        else:
            u = rng.random()
            outcome = "appointment" if delivered or u < 0.1 else ("contacted" if u < 0.4 else None)
            if outcome:
                step = export_day + datetime.timedelta(days=min(lag, 3))
                outcome_at = min(step, self.as_of).isoformat() + "T12:00:00Z"
        if not self.feature_columns:
            columns = (None, None, None, None)
        return (batch_id, f"P{index:010d}", f"Company {index}", f"C{index}", sic, employees, miles,
                "02134", state, score, workflow, exported_at, outcome, outcome_at, features,
                exported_at, outcome_at) + columns

    def lead_rows(self, count):
        batches = max(1, -(-count // self.batch_size))
        start = self.as_of - datetime.timedelta(days=self.days)
        index = 0
        last_day, seq = None, 0
        for b in range(batches):
            day = start + datetime.timedelta(days=(b * self.days) // batches)
            seq = seq + 1 if day == last_day else 1
            last_day = day
            batch_id = f"HADES-{day:%Y%m%d}-{seq:03d}"
            minutes = 6 * 60 + seq
            exported_at = f"{day.isoformat()}T{minutes // 60:02d}:{minutes % 60:02d}:00Z"
            batch_mult = self.anomaly_factor if b == ANOMALOUS_BATCH else 1.0
            self.batches.append((batch_id, f"{day:%Y%m%d}", seq, b + 1, exported_at, exported_at))
            for _ in range(min(self.batch_size, count - index)):
                yield self.lead_row(index, batch_id, day, exported_at, batch_mult)
                index += 1


def insert(db, sql, rows):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK_ROWS:
            db.executemany(sql, chunk)
            chunk.clear()
    if chunk:
        db.executemany(sql, chunk)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, required=True, help="lead_outcomes rows")
    parser.add_argument("--historical", type=int, default=3135, help="historical_outcomes rows")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", required=True, help="SQLite file (created when missing)")
    parser.add_argument("--as-of", default="2026-02-11", help="the last export day, YYYY-MM-DD")
    parser.add_argument("--days", type=int, default=540, help="days the exports span")
    parser.add_argument("--batch-size", type=int, default=250, help="leads per export batch")
    parser.add_argument("--effects", choices=["planted", "none", "shuffled"], default="planted",
                        help="the documented effects, none at all, or the documented effects "
                             "moved to other buckets by --seed")
    parser.add_argument("--no-effect", dest="effects", action="store_const", const="none",
                        help="the same as --effects none")
    parser.add_argument("--truth", help="write the planted effects and each lead's p (JSON)")
    parser.add_argument("--json-only", action="store_true",
                        help="leave intent_strength, intent_score, intent_date and age_days NULL, "
                             "as an export without those columns wrote them")
    args = parser.parse_args(argv)
    if args.rows < 0 or args.historical < 0 or args.days < 1 or args.batch_size < 1:
        parser.error("--rows and --historical must be >= 0, --days and --batch-size >= 1")

    os.makedirs(os.path.dirname(os.path.abspath(args.db)), exist_ok=True)
    db = sqlite3.connect(args.db)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    # The migrations in order, as apply_outcome_migrations() runs them; then the indexes they
    # leave are dropped while the rows go in and made again after: the same schema, built
    # several times faster.
    schema, versions = migration_statements()
    for statement in schema:
        db.execute(statement)
    record_migrations(db, versions)
    indexes = [sql for (name, sql) in db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('lead_outcomes', 'historical_outcomes')")]
    for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('lead_outcomes', 'historical_outcomes')").fetchall():
        db.execute(f"DROP INDEX {name}")
    for table in ("lead_outcomes", "historical_outcomes"):
        if db.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]:
            sys.exit(f"generate_outcomes: {args.db} already has {table} rows; use a new file")
    generator = Generator(args)
    with db:
        insert(db, INSERT_HISTORICAL, generator.historical_rows(args.historical))
        insert(db, INSERT_LEAD, generator.lead_rows(args.rows))
        insert(db, INSERT_BATCH, generator.batches)
        for statement in indexes:
            db.execute(statement)
    db.close()
    if args.truth:
        write_truth(args.truth, args.effects, args.seed, generator.truth)


if __name__ == "__main__":
    main(sys.argv[1:])
