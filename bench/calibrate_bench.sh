#!/usr/bin/env bash
# Benchmark: the calibrator over ROWS generated outcome rows in SQLite (default 10M) next to the
# same aggregation done with pandas (bench/calibrate_pandas.py), measured in the same run:
# wall time and peak RSS of each, printed as ratios. Targets: the calibrator at least 3x faster,
# with at most a fifth of pandas' peak memory. Both must find the same counts per bucket.
#   bench/calibrate_bench.sh                      # 10M rows (generating them takes ~10 min)
#   ROWS=1000000 bench/calibrate_bench.sh
#   OUTCOMES_DB=/tmp/big.db bench/calibrate_bench.sh   # reuse (or keep) the generated database
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
hades=${HADES_BIN:-build/bin/hades}
rows=${ROWS:-10000000}
python=/usr/bin/python3  # Debian's, with python3-pandas
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db=${OUTCOMES_DB:-$dir/outcomes.db}

# Peak RSS in KiB and wall seconds of a command, from GNU time when present, else from the
# kernel's accounting of the finished child (python's resource module).
measure() {
  local label=$1
  shift
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -f "%e %M" -o "$dir/$label.time" "$@" >"$dir/$label.out" 2>"$dir/$label.err"
  else
    "$python" - "$dir/$label.time" "$@" >"$dir/$label.out" 2>"$dir/$label.err" <<'PY'
import resource, subprocess, sys, time
start = time.monotonic()
code = subprocess.call(sys.argv[2:])
wall = time.monotonic() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
open(sys.argv[1], "w").write(f"{wall:.2f} {peak}\n")
sys.exit(code)
PY
  fi
}

if [[ ! -s "$db" ]]; then
  echo "generating $rows outcome rows into $db ..." >&2
  # Exports end today, so the run's 90-day maturity leaves the last exports pending, as in life.
  "$python" tools/generate_outcomes.py --rows "$rows" --seed 1 --db "$db" \
    --as-of "$(date -u +%F)" --days 720 >&2
fi

cat >"$dir/job.yaml" <<YAML
name: bench_calibrate
database: sqlite://$db
steps:
  - name: calibrate
    task:
      plugin: calibrator
      with: {icp: config/icp.yaml, report_dir: "$dir/reports"}
YAML
# Warm the page cache for both alike: the first reader of a cold file would pay the disk.
cat "$db" >/dev/null

measure hades "$hades" run "$dir/job.yaml"
report="$dir/reports/calibration-latest.json"
read -r matured holdout < <("$python" -c '
import json, sys
p = json.load(open(sys.argv[1]))["parameters"]
print(p["matured_before"], p["holdout_date"])' "$report")

measure pandas "$python" bench/calibrate_pandas.py --db "$db" --icp config/icp.yaml \
  --matured-before "$matured" --holdout-date "$holdout" --out "$dir/pandas.json"

# Same counts per bucket, or the comparison means nothing.
"$python" - "$report" "$dir/pandas.json" <<'PY'
import json, sys
ours = {d["dimension"]: {b["bucket"]: [b["n"], b["deliveries"]] for b in d["buckets"]}
        for d in json.load(open(sys.argv[1]))["dimensions"]}
theirs = {k: v for k, v in json.load(open(sys.argv[2])).items() if not k.startswith("_")}
if ours != theirs:
    for dim in sorted(set(ours) | set(theirs)):
        if ours.get(dim) != theirs.get(dim):
            print(f"{dim}: calibrator {ours.get(dim)}\n{dim}: pandas     {theirs.get(dim)}", file=sys.stderr)
    sys.exit("the calibrator and pandas disagree on the counts")
PY

read -r ours_s ours_kb <"$dir/hades.time"
read -r pandas_s pandas_kb <"$dir/pandas.time"
leads=$(sqlite3 "$db" "select count(*) from lead_outcomes")
echo "calibration over $leads lead_outcomes rows (SQLite), same counts per bucket"
echo "  pandas     : ${pandas_s} s, peak RSS $((pandas_kb / 1024)) MiB"
echo "  calibrator : ${ours_s} s, peak RSS $((ours_kb / 1024)) MiB (full run: dimensions, backtest with 2000 resamples, batch check, report files)"
echo "  speed   pandas/calibrator = $(ratio "$pandas_s" "$ours_s")x  (target >= 3.00)"
echo "  memory  calibrator/pandas = $(ratio "$ours_kb" "$pandas_kb")  (target <= 0.20)"
grep -h "calibrator:" "$dir/hades.err" | sed 's/^/  log: /' || true
