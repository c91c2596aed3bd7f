#!/usr/bin/python3
"""How much do the calibrator's supported suggestions improve the ranking? (issue 19, item 2)

    bench/calibration_quality.py --hades build/bin/hades [--first-seed 1] [--orgs 10]
        [--no-effect-orgs 20] [--leads 3600] [--documented-orgs 0] [--keep DIR]

Each organisation is made by tools/generate_outcomes.py (--leads lead_outcomes rows over 540
days ending today, no historical rows, --truth: each lead's true delivery probability p), then:

  1. `hades run` of a calibrator step on it (config/icp.yaml, matured_days 90, seed 1), as
     jobs/calibrate.yaml runs it: about 3,000 of the leads are matured and counted;
  2. `hades run jobs/apply_weights.yaml --set select=supported` on a copy of config/icp.yaml:
     the weight_writer applies exactly the supported rows that icp.yaml has a number for;
  3. every lead is scored again (bench/export_reference.py's copy of the scoring rules, from the
     inputs its source_features kept) with four configurations, and each ranking's expected AUC
     under the planted probabilities is computed:
       current     config/icp.yaml (the scores the leads were exported with; checked);
       after       the copy after step 2;
       calibrated  config/icp.yaml with every bucket icp.yaml has a number for set to the score
                   the planted probabilities give it: the suggestion the calibrator would make
                   with unlimited data (round(100 * r / r_max), r the mean p of the bucket's
                   leads, r_max the best bucket's of at least 30 leads, as calibration.md);
       true        the planted p itself.
     The expected AUC of scores s under probabilities p is the expected number of correctly
     ordered (delivered, not delivered) pairs over the expected number of such pairs:
       sum_{i != j} p_i (1 - p_j) [s_i > s_j] + 1/2 [s_i = s_j]  /  sum_{i != j} p_i (1 - p_j).

Calibration efficiency = (AUC after - AUC current) / (AUC calibrated - AUC current): the share of
the gain a perfect calibration of icp.yaml's numbers would bring that the supported changes
bring. The issue's literal denominator, AUC true - AUC current, is printed too, with the share a
perfect calibration itself reaches: the weights, the additive formula, the components no truth
plants (authority, audience and employee bonuses, numeric intent scores) and the buckets icp.yaml
has no number for (unknown, outside tiers) cap it far below 1 whatever the calibrator suggests.

Planted effects are --effects shuffled: the generator's documented effects moved to other buckets
by the seed, so that today's icp.yaml (which roughly follows the documented effects) is wrong in
ways a calibration can find. The no-effect organisations (--effects none) count
whether any row is supported (seeds 101-120 with --first-seed 1, 121-140 with 11: a set of
their own for each set of planted organisations). --documented-orgs adds organisations with the documented effects
as they are, for context: there icp.yaml is already close to the truth and the gain to capture is
a few ten-thousandths of AUC.
"""

import argparse
import copy
import datetime
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import export_reference as ref  # noqa: E402  (the scoring rules, in Python)

ICP = os.path.join(ROOT, "config", "icp.yaml")
DIMENSIONS = ("sic", "employee_tier", "proximity", "signal_strength", "freshness")
POPULATION = {"proximity": "geography", "signal_strength": "intent", "freshness": "intent"}
MIN_REFERENCE_LEADS = 30


def expected_auc(scores, p):
    groups = {}
    for s, q in zip(scores, p):
        g = groups.setdefault(s, [0.0, 0.0, 0.0])
        g[0] += q
        g[1] += 1 - q
        g[2] += q * (1 - q)
    concordant = 0.0
    negatives_below = 0.0
    for s in sorted(groups):
        positives, negatives, itself = groups[s]
        concordant += positives * negatives_below + 0.5 * (positives * negatives - itself)
        negatives_below += negatives
    pairs = sum(p) * sum(1 - q for q in p) - sum(q * (1 - q) for q in p)
    return concordant / pairs


# ------------------------------------------------------------------------------------------------
# The organisation's leads, as the scorer saw them


def load_leads(db_path, truth_path):
    truth = dict(json.load(open(truth_path))["leads"])
    leads = []
    db = sqlite3.connect(db_path)
    for person, workflow, score, features in db.execute(
            "SELECT person_id, workflow_type, hades_score, source_features FROM lead_outcomes "
            "ORDER BY id"):
        f = json.loads(features)
        i = f["inputs"]
        date = i["intent_date"]
        leads.append({
            "person": person, "workflow": workflow, "score": score, "p": truth[person],
            "as_of": datetime.date.fromisoformat(f["as_of"]),
            "lead": {"intent_score": i["intent_score"], "intent_strength": i["intent_strength"] or "",
                     "sic_code": i["sic_code"],
                     "intent_date_parsed": datetime.date.fromisoformat(date) if date else None,
                     "audience_strength": i["audience_strength"] or "",
                     "employee_count": i["employee_count"], "distance_miles": i["distance_miles"],
                     "management_level": i["management_level"] or "", "title": i["title"] or ""}})
    db.close()
    return leads


def rescore(icp, leads):
    scorers = {}
    out = []
    for lead in leads:
        key = (lead["workflow"], lead["as_of"])
        if key not in scorers:
            scorers[key] = ref.Scorer(icp, *key)
        out.append(scorers[key].score(lead["lead"])[0])
    return out


# ------------------------------------------------------------------------------------------------
# The calibrated configuration: every number icp.yaml has, set from the planted probabilities


def bucket(icp, lead, dimension):
    """The lead's bucket in the calibrator's names, or None outside the dimension's population;
    `unknown` and the other buckets icp.yaml has no number for included."""
    if POPULATION.get(dimension, lead["workflow"]) != lead["workflow"]:
        return None
    x = lead["lead"]
    if dimension == "sic":
        return x["sic_code"] or "unknown"
    if dimension == "employee_tier":
        if x["employee_count"] is None:
            return "unknown"
        for t in icp["employee_scale"]:
            if t["min"] <= x["employee_count"] <= t["max"]:
                return ("employee_scale", t["min"], t["max"])
        return "outside tiers"
    if dimension == "proximity":
        if x["distance_miles"] is None:
            return "unknown"
        for t in icp["proximity"]:
            if x["distance_miles"] <= t["max_miles"]:
                return ("proximity", t["max_miles"])
        return "beyond"
    if dimension == "signal_strength":
        wanted = x["intent_strength"].strip(ref.BLANKS).lower()
        for name in icp["signal_strength_scores"]:
            if name.lower() == wanted:
                return ("signal", name)
        return "unknown" if not wanted else "unlisted"
    age = (lead["as_of"] - x["intent_date_parsed"]).days
    for key, t in icp["freshness"].items():
        if age <= t["max_days"]:
            return ("freshness", key)
    return "past tiers"


def multiplier(score):
    """The freshness multiplier the weight_writer writes for a score (icp_edit.h's
    multiplier_text(): the fewest decimals that int(100 * value) reads back as the score)."""
    for digits in range(1, 10):
        scale = 10 ** digits
        for m in range(-(-score * scale // 100), ((score + 1) * scale - 1) // 100 + 1):
            if int(100.0 * float(f"{m / scale:.{digits}f}")) == score:
                return float(f"{m / scale:.{digits}f}")
    raise ValueError(score)


def calibrated_icp(icp, leads):
    out = copy.deepcopy(icp)
    for dimension in DIMENSIONS:
        sums = {}
        for lead in leads:
            b = bucket(icp, lead, dimension)
            if b is not None:
                s = sums.setdefault(b, [0.0, 0])
                s[0] += lead["p"]
                s[1] += 1
        best = max(total / n for total, n in sums.values() if n >= MIN_REFERENCE_LEADS)
        for b, (total, n) in sums.items():
            score = min(100, round(100 * (total / n) / best))  # round: half to even
            if dimension == "sic" and b != "unknown":
                out["onsite_likelihood"]["sic_scores"][b] = score
            elif isinstance(b, tuple) and b[0] == "employee_scale":
                next(t for t in out["employee_scale"] if (t["min"], t["max"]) == b[1:])["score"] = score
            elif isinstance(b, tuple) and b[0] == "proximity":
                next(t for t in out["proximity"] if t["max_miles"] == b[1])["score"] = score
            elif isinstance(b, tuple) and b[0] == "signal":
                out["signal_strength_scores"][b[1]] = score
            elif isinstance(b, tuple) and b[0] == "freshness":
                out["freshness"][b[1]]["multiplier"] = multiplier(score)
    return out


# ------------------------------------------------------------------------------------------------
# Running hades


def run(argv, env=None):
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done


def generate(org_dir, seed, effects, leads):
    db = os.path.join(org_dir, "outcomes.db")
    truth = os.path.join(org_dir, "truth.json")
    run(["/usr/bin/python3", os.path.join(ROOT, "tools", "generate_outcomes.py"), "--rows",
         str(leads), "--historical", "0", "--seed", str(seed), "--db", db, "--truth", truth,
         "--as-of", datetime.datetime.now(datetime.timezone.utc).date().isoformat(),
         "--days", "540", "--effects", effects])
    return db, truth


def calibrate(hades, org_dir, db, icp):
    reports = os.path.join(org_dir, "reports")
    job = os.path.join(org_dir, "calibrate.yaml")
    with open(job, "w") as f:
        f.write(f"name: bench_calibrate\ndatabase: sqlite://{db}\nsteps:\n  - name: calibrate\n"
                f"    task:\n      plugin: calibrator\n      with: {{icp: {icp}, "
                f"report_dir: {reports}, matured_days: 90, seed: 1}}\n")
    run([hades, "--log-level", "warn", "run", job])
    report = os.path.join(reports, "calibration-latest.json")
    return report, json.load(open(report))


def supported_rows(report):
    return [f"{d['dimension']}:{b['bucket']}" for d in report["dimensions"] for b in d["buckets"]
            if b.get("verdict") == "supported"]


def apply_supported(hades, org_dir, db, report_path):
    after = os.path.join(org_dir, "icp-after.yaml")
    with open(ICP, "rb") as src, open(after, "wb") as dst:
        dst.write(src.read())
    env = dict(os.environ, HADES_DB=f"sqlite://{db}")
    run([hades, "--log-level", "warn", "run", os.path.join(ROOT, "jobs", "apply_weights.yaml"),
         "--set", f"report={report_path}", "--set", f"icp={after}", "--set", "select=supported",
         "--set", "applied_by=bench"], env=env)
    return yaml.safe_load(open(after))


# ------------------------------------------------------------------------------------------------


def planted_org(args, seed, effects, work):
    org_dir = tempfile.mkdtemp(prefix=f"{effects}-{seed}-", dir=work)
    db, truth = generate(org_dir, seed, effects, args.leads)
    icp_copy = os.path.join(org_dir, "icp.yaml")
    with open(ICP, "rb") as src, open(icp_copy, "wb") as dst:
        dst.write(src.read())
    report_path, report = calibrate(args.hades, org_dir, db, icp_copy)
    after = apply_supported(args.hades, org_dir, db, report_path)
    icp = yaml.safe_load(open(ICP))
    leads = load_leads(db, truth)
    p = [lead["p"] for lead in leads]
    current = rescore(icp, leads)
    wrong = sum(1 for s, lead in zip(current, leads) if s != lead["score"])
    if wrong:
        sys.exit(f"{org_dir}: {wrong} leads score differently from their hades_score: the "
                 "Python scoring rules are not the scorer's")
    auc = {"current": expected_auc(current, p), "after": expected_auc(rescore(after, leads), p),
           "calibrated": expected_auc(rescore(calibrated_icp(icp, leads), leads), p),
           "true": expected_auc(p, p)}
    return auc, supported_rows(report)


def report_planted(title, rows):
    print(title)
    print("  seed  AUC current   after  calibrated    true   efficiency  (vs true)  supported")
    efficiencies, literal, ceilings = [], [], []
    for seed, auc, supported in rows:
        gain = auc["after"] - auc["current"]
        e = gain / (auc["calibrated"] - auc["current"])
        efficiencies.append(e)
        literal.append(gain / (auc["true"] - auc["current"]))
        ceilings.append((auc["calibrated"] - auc["current"]) / (auc["true"] - auc["current"]))
        print(f"  {seed:4d}      {auc['current']:.4f}  {auc['after']:.4f}      "
              f"{auc['calibrated']:.4f}  {auc['true']:.4f}       {e:6.3f}     {literal[-1]:6.3f}"
              f"  {len(supported)}")
    mean = sum(efficiencies) / len(efficiencies)
    print(f"  mean calibration efficiency {mean:.3f}  (target >= 0.80)")
    print(f"  against the true probabilities: {sum(literal) / len(literal):.3f}; a perfect "
          f"calibration of icp.yaml's numbers reaches {sum(ceilings) / len(ceilings):.3f} there")
    return mean


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hades", required=True)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--orgs", type=int, default=10)
    parser.add_argument("--no-effect-orgs", type=int, default=20)
    parser.add_argument("--documented-orgs", type=int, default=0)
    parser.add_argument("--leads", type=int, default=3600)
    parser.add_argument("--keep", help="keep the organisations in this directory")
    args = parser.parse_args(argv)
    args.hades = os.path.abspath(args.hades)
    work = args.keep or tempfile.mkdtemp(prefix="calibration-quality-")
    os.makedirs(work, exist_ok=True)
    seeds = range(args.first_seed, args.first_seed + args.orgs)
    print(f"{args.orgs} organisations of {args.leads} leads with planted effects (shuffled), "
          f"seeds {seeds.start}-{seeds.stop - 1}; expected AUCs under the planted probabilities")
    rows = [(s, *planted_org(args, s, "shuffled", work)) for s in seeds]
    mean = report_planted("Planted effects:", rows)
    if args.documented_orgs:
        documented = range(args.first_seed, args.first_seed + args.documented_orgs)
        report_planted("Documented effects, as planted (context: icp.yaml already follows them):",
                       [(s, *planted_org(args, s, "planted", work)) for s in documented])
    # Disjoint for consecutive sets: --first-seed 1 gives 101-120, --first-seed 11 gives 121-140.
    first_flat = 100 + 2 * (args.first_seed - 1) + 1
    flat_seeds = range(first_flat, first_flat + args.no_effect_orgs)
    with_support = []
    for seed in flat_seeds:
        org_dir = tempfile.mkdtemp(prefix=f"none-{seed}-", dir=work)
        db, _ = generate(org_dir, seed, "none", args.leads)
        _, report = calibrate(args.hades, org_dir, db, ICP)
        rows = supported_rows(report)
        if rows:
            with_support.append((seed, rows))
    print(f"No effect: {len(with_support)} of {args.no_effect_orgs} organisations (seeds "
          f"{flat_seeds.start}-{flat_seeds.stop - 1}) have a supported row (target <= 2)")
    for seed, rows in with_support:
        print(f"  seed {seed}: {', '.join(rows)}")
    if not args.keep:
        subprocess.run(["rm", "-rf", work])
    met = mean >= 0.8 and len(with_support) <= 2
    print("targets " + ("met" if met else "NOT met"))


if __name__ == "__main__":
    main(sys.argv[1:])
