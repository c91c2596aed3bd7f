#!/usr/bin/env bash
# Benchmark (issue #16): leads per second, peak RSS and where the time goes of the real export
# job (`hades run jobs/export_leads.yaml`, fresh SQLite database) next to
# bench/export_reference.py, a straightforward Python export, on the same generated leads in the
# same invocation. Two cases, each with its targets:
#   nightly   max_leads 5,000 of 1,000,000 intent leads: >= 10x the reference's leads/s, peak
#             RSS < 64 MiB;
#   everything every lead of 1,000,000 exported: >= 4x the reference, and at most 1.5x the time
#             sqlite3 alone takes to insert the run's own lead_outcomes rows (the bound below);
#             peak RSS < 64 MiB.
# Each prints the share of hades' time per stage, from the run summary (`--summary`): read+score
# (csv_source, scorer), order (order_by: holding, sorting, spilling, merging), write CSV
# (export_batch, vanillasoft_writer) and write rows (turso_sink and the commits).
#   bench/export_bench.sh                         # both cases at 1M leads
#   ROWS=100000 bench/export_bench.sh             # smaller
#   HADES_BIN=/path/to/hades bench/export_bench.sh
#
# Before timing, a 3000-lead check runs both on the same input for each workflow and requires the
# two CSVs to be byte for byte the same (same scores, ranks, Contact Owners, every column), and
# lead_outcomes.source_features to equal the reference's features (every input and component
# score); the timed runs compare their CSVs again. What the reference does NOT do is the job's
# database work: the batch-ID allocation, lead_outcomes rows and the checkpoints; nor does it
# keep its memory bounded (it holds every candidate); hades is timed with all of it.
#
# The generated leads are cached in var/bench/export (ignored by git; delete it to regenerate);
# each run gets a fresh database and output directory.
#
# To show what the database work costs on this machine, the everything case also times sqlite3
# inserting the run's own lead_outcomes rows into a fresh database with the same schema and the
# settings hades uses (one INSERT ... SELECT, less the time to read the rows: no parsing,
# scoring or CSV at all). No export that records those rows can beat that time.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
hades=${HADES_BIN:-build/bin/hades}
rows=${ROWS:-1000000}
cache=var/bench/export
python=/usr/bin/python3 # Debian's, with python3-yaml
today=$(date -u +%F)    # the run's date (hades: its start date): List Source, batch day
as_of=2026-02-11        # freshness is measured against this: fixed, so cached leads stay valid
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$cache"

[[ -x /usr/bin/time ]] || { echo "needs GNU time (/usr/bin/time): apt-get install time" >&2; exit 2; }
[[ -x "$hades" ]] || { echo "no hades binary at $hades: build it or set HADES_BIN" >&2; exit 2; }

# The cached leads file for a workflow and size, generated on first use.
leads_file() {
  local workflow=$1 rows=$2
  local file="$cache/leads-$workflow-$rows.csv"
  if [[ ! -s "$file" ]]; then
    echo "generating $rows $workflow leads into $file ..." >&2
    "$python" tools/generate_leads.py --workflow "$workflow" --rows "$rows" --seed 7 \
      --as-of "$as_of" --out "$file.tmp"
    mv "$file.tmp" "$file"
  fi
  echo "$file"
}

# Runs a command under GNU time; "<seconds> <peak RSS KiB> <user s> <system s>" goes to
# $dir/<label>.time.
measure() {
  local label=$1
  shift
  /usr/bin/time -f "%e %M %U %S" -o "$dir/$label.time" "$@" >"$dir/$label.out" 2>"$dir/$label.err" || {
    echo "$label failed:" >&2
    tail -20 "$dir/$label.err" >&2
    exit 1
  }
}

# The export job on a fresh database; the CSV ends up as $dir/<label>/hades.csv and the run
# summary as $dir/<label>/summary.json. <max leads> 0: every lead.
run_hades() {
  local label=$1 workflow=$2 input=$3 max=${4:-0}
  mkdir -p "$dir/$label"
  ((max > 0)) || max=100000000
  HADES_DB="sqlite://$dir/$label/hades.db" HADES_ICP=config/icp.yaml \
    measure "$label" "$hades" run jobs/export_leads.yaml --set workflow="$workflow" \
    --set input="$input" --set output_dir="$dir/$label/out" --set as_of="$as_of" \
    --set max_leads="$max" --set skip_budget=100000000 --summary "$dir/$label/summary.json"
  mv "$dir/$label"/out/HADES-*.csv "$dir/$label/hades.csv"
  sqlite3 "$dir/$label/hades.db" "SELECT batch_id FROM hades_batch_ids" >"$dir/$label/batch_id"
}

# The reference on the same input, with the batch ID hades allocated; CSV in $dir/<label>/ref.csv.
# Extra arguments go to the reference (the check adds --features).
run_reference() {
  local label=$1 workflow=$2 input=$3 max=$4
  shift 4
  measure "$label-ref" "$python" bench/export_reference.py --input "$input" \
    --workflow "$workflow" --icp config/icp.yaml --as-of "$as_of" --run-date "$today" \
    --batch-id "$(cat "$dir/$label/batch_id")" --max-leads "$max" --out "$dir/$label/ref.csv" "$@"
}

# Both CSVs must be the same file; on a difference, the first differing row of each.
same_export() {
  local label=$1
  cmp -s "$dir/$label/hades.csv" "$dir/$label/ref.csv" && return 0
  "$python" - "$dir/$label/hades.csv" "$dir/$label/ref.csv" <<'PY' >&2
import csv, sys
a, b = (list(csv.reader(open(p, newline="", encoding="utf-8"))) for p in sys.argv[1:3])
print(f"hades: {len(a) - 1} rows, reference: {len(b) - 1} rows")
for i, (x, y) in enumerate(zip(a, b)):
    if x != y:
        print(f"first difference at row {i}:")
        for h, u, v in zip(a[0], x, y):
            if u != v:
                print(f"  {h}: hades {u!r}, reference {v!r}")
        break
PY
  echo "$label: hades and the reference exported different CSVs" >&2
  exit 1
}

# Rows of a CSV (records, not lines: company names may hold line breaks), header excluded.
csv_rows() {
  "$python" -c 'import csv, sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline="", encoding="utf-8"))) - 1)' "$1"
}

for workflow in intent geography; do
  head -3001 "$(leads_file "$workflow" 100000)" >"$dir/check-$workflow.csv"
  run_hades "check-$workflow" "$workflow" "$dir/check-$workflow.csv"
  run_reference "check-$workflow" "$workflow" "$dir/check-$workflow.csv" 0 \
    --features "$dir/check-$workflow/ref.jsonl"
  same_export "check-$workflow"
  # Every input and component score: lead_outcomes.source_features, in rank order.
  sqlite3 "$dir/check-$workflow/hades.db" "SELECT source_features FROM lead_outcomes ORDER BY id" \
    >"$dir/check-$workflow/hades.jsonl"
  cmp -s "$dir/check-$workflow/hades.jsonl" "$dir/check-$workflow/ref.jsonl" || {
    echo "check-$workflow: lead_outcomes.source_features differ from the reference's" >&2
    exit 1
  }
done
echo "check: on 3000 leads per workflow, hades' CSV and lead_outcomes.source_features are"
echo "  byte-identical to the reference's CSV and features"

# The share of the step's time per stage, from the run summary.
stage_shares() {
  "$python" - "$1" <<'PY'
import json, sys
step = json.load(open(sys.argv[1]))["steps"][-1]
seconds = {p["plugin"]: p.get("seconds", 0.0) for p in step["plugins"]}
stages = [("read+score", ["csv_source", "scorer"]), ("order", ["order_by"]),
          ("write CSV", ["export_batch", "vanillasoft_writer"]),
          ("write rows", ["turso_sink"])]
total = step["duration_seconds"]
parts = []
for name, plugins in stages:
    s = sum(seconds.get(p, 0.0) for p in plugins)
    if name == "write rows":
        s += step.get("commit_seconds", 0.0)
    parts.append(f"{name} {s:.2f} s ({100 * s / total:.0f}%)")
print("  time per stage  : " + ", ".join(parts) + f" of {total:.2f} s")
PY
}

# report <case> <max leads: 0 = every lead> <speed target>
report() {
  local case=$1 max=$2 target=$3
  local label="$case" input
  input=$(leads_file intent "$rows")
  cat "$input" >/dev/null # warm the page cache for both alike
  run_hades "$label" intent "$input" "$max"
  run_reference "$label" intent "$input" "$max"
  same_export "$label"
  local hades_s hades_kb hades_user hades_sys ref_s ref_kb ref_user ref_sys exported
  read -r hades_s hades_kb hades_user hades_sys <"$dir/$label.time"
  read -r ref_s ref_kb ref_user ref_sys <"$dir/$label-ref.time"
  exported=$(csv_rows "$dir/$label/hades.csv")
  local hades_cpu ref_cpu
  hades_cpu=$(sum "$hades_user" "$hades_sys")
  ref_cpu=$(sum "$ref_user" "$ref_sys")
  echo "export '$case', intent, $rows leads read, $exported exported (identical CSVs)"
  echo "  python reference : ${ref_s} s  ($(ratio "$rows" "$ref_s") leads/s)  CPU ${ref_cpu} s  peak RSS $((ref_kb / 1024)) MiB"
  echo "  hades run        : ${hades_s} s  ($(ratio "$rows" "$hades_s") leads/s)  CPU ${hades_cpu} s  peak RSS $((hades_kb / 1024)) MiB  (target < 64)"
  echo "  speed  hades/python = $(ratio "$ref_s" "$hades_s")x wall, $(ratio "$ref_cpu" "$hades_cpu")x CPU  (target >= $target)"
  stage_shares "$dir/$label/summary.json"
  if ((max == 0)); then
    local floor_s
    floor_s=$(lead_outcomes_floor "$label")
    echo "  inserting its lead_outcomes rows alone (sqlite3, same rows and schema): ${floor_s} s"
    echo "    hades / that = $(ratio "$hades_s" "$floor_s")x  (target <= 1.50); reference / that = $(ratio "$ref_s" "$floor_s")x"
  fi
}

# Seconds sqlite3 takes to insert the lead_outcomes rows of run <label> into a fresh database
# with the same schema and hades' connection settings (framework/src/sqlite_database.cc). The
# time to read the rows out of the run's database is measured too and taken off, so reading
# them does not count against the bound.
lead_outcomes_floor() {
  local label=$1
  local db="$dir/$label/floor.db" columns lengths
  columns=$(sqlite3 "$dir/$label/hades.db" \
    "SELECT group_concat(name, ', ') FROM pragma_table_info('lead_outcomes') WHERE name != 'id'")
  lengths=$(sqlite3 "$dir/$label/hades.db" \
    "SELECT group_concat('length(' || name || ')', ' + ') FROM pragma_table_info('lead_outcomes')")
  sqlite3 "$dir/$label/hades.db" ".schema lead_outcomes" | sqlite3 "$db"
  sqlite3 "$db" "PRAGMA journal_mode=WAL" >/dev/null
  measure "$label-read" sqlite3 "$dir/$label/hades.db" "PRAGMA cache_size=-4096;
    SELECT sum($lengths) FROM (SELECT * FROM lead_outcomes ORDER BY id);"
  measure "$label-floor" sqlite3 "$db" "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-4096;
    PRAGMA wal_autocheckpoint=8000; ATTACH '$dir/$label/hades.db' AS run;
    INSERT INTO lead_outcomes ($columns) SELECT $columns FROM run.lead_outcomes ORDER BY id;"
  local read_s insert_s _
  read -r read_s _ <"$dir/$label-read.time"
  read -r insert_s _ <"$dir/$label-floor.time"
  rm -f "$db" "$db-wal" "$db-shm"
  python3 -c "import sys; print(f'{max(0.01, float(sys.argv[1]) - float(sys.argv[2])):.2f}')" \
    "$insert_s" "$read_s"
}

# a + b, for CPU seconds (user + system): on a loaded machine wall time also counts waiting for
# a core, so CPU time is printed as well.
sum() { python3 -c "import sys; print(f'{float(sys.argv[1]) + float(sys.argv[2]):.2f}')" "$1" "$2"; }

report nightly 5000 10
report everything 0 4
