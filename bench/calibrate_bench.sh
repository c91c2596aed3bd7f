#!/usr/bin/env bash
# Benchmark: the calibrator over ROWS generated outcome rows in SQLite (default 10M) next to the
# same aggregation done with pandas (bench/calibrate_pandas.py), measured in the same run: wall
# time and peak RSS of each, REPEAT times each (default 3, interleaved), printed as the median
# with the range and as ratios of the medians. Two pandas references: as the design's Python
# team would write it (intent features parsed from source_features JSON), and the same reading
# the intent columns the export writes since outcome_tables migration 6 (--columns). Targets: the
# calibrator at least 10x faster than the first (issue 19), with at most a fifth of its peak
# memory. All must find the same counts per bucket.
#   bench/calibrate_bench.sh                      # 10M rows (generating them takes ~10 min)
#   ROWS=1000000 REPEAT=1 bench/calibrate_bench.sh
#   OUTCOMES_DB=/tmp/big.db bench/calibrate_bench.sh   # reuse (or keep) the generated database
# The machine should be quiet: the script prints the load average before each run.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
hades=${HADES_BIN:-build/bin/hades}
rows=${ROWS:-10000000}
repeat=${REPEAT:-3}
python=/usr/bin/python3  # Debian's, with python3-pandas
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db=${OUTCOMES_DB:-$dir/outcomes.db}

# Peak RSS in KiB and wall seconds of a command, from GNU time when present, else from the
# kernel's accounting of the finished child (python's resource module).
measure() {
  local label=$1
  shift
  echo "  $label: load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
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
  cat "$dir/$label.time" >>"$dir/${label%-*}.times"
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
# Warm the page cache for all alike: the first reader of a cold file would pay the disk.
cat "$db" >/dev/null

report="$dir/reports/calibration-latest.json"
for ((i = 1; i <= repeat; i++)); do
  echo "round $i of $repeat" >&2
  measure "hades-$i" "$hades" run --fresh "$dir/job.yaml"
  read -r matured holdout < <("$python" -c '
import json, sys
p = json.load(open(sys.argv[1]))["parameters"]
print(p["matured_before"], p["holdout_date"])' "$report")
  measure "pandas-$i" "$python" bench/calibrate_pandas.py --db "$db" --icp config/icp.yaml \
    --matured-before "$matured" --holdout-date "$holdout" --out "$dir/pandas.json"
  measure "columns-$i" "$python" bench/calibrate_pandas.py --db "$db" --icp config/icp.yaml \
    --matured-before "$matured" --holdout-date "$holdout" --out "$dir/columns.json" --columns
done

# Same counts per bucket, or the comparison means nothing.
"$python" - "$report" "$dir/pandas.json" "$dir/columns.json" <<'PY'
import json, sys
ours = {d["dimension"]: {b["bucket"]: [b["n"], b["deliveries"]] for b in d["buckets"]}
        for d in json.load(open(sys.argv[1]))["dimensions"]}
for path in sys.argv[2:]:
    theirs = {k: v for k, v in json.load(open(path)).items() if not k.startswith("_")}
    if ours != theirs:
        for dim in sorted(set(ours) | set(theirs)):
            if ours.get(dim) != theirs.get(dim):
                print(f"{dim}: calibrator {ours.get(dim)}\n{dim}: pandas     {theirs.get(dim)}",
                      file=sys.stderr)
        sys.exit(f"the calibrator and {path} disagree on the counts")
PY

# "median min max" of column $2 (1: seconds, 2: KiB) of a .times file.
stats() {
  sort -n -k"$2" "$dir/$1.times" | awk -v c="$2" '{v[NR] = $c} END {
    printf "%s %s %s\n", v[int((NR + 1) / 2)], v[1], v[NR] }'
}
read -r ours_s ours_min ours_max < <(stats hades 1)
read -r pandas_s pandas_min pandas_max < <(stats pandas 1)
read -r columns_s columns_min columns_max < <(stats columns 1)
read -r ours_kb _ _ < <(stats hades 2)
read -r pandas_kb _ _ < <(stats pandas 2)
read -r columns_kb _ _ < <(stats columns 2)
leads=$(sqlite3 "$db" "select count(*) from lead_outcomes")
echo "calibration over $leads lead_outcomes rows (SQLite), same counts per bucket;" \
  "median of $repeat runs (range)"
echo "  pandas, JSON    : ${pandas_s} s (${pandas_min}-${pandas_max}), peak RSS $((pandas_kb / 1024)) MiB"
echo "  pandas, columns : ${columns_s} s (${columns_min}-${columns_max}), peak RSS $((columns_kb / 1024)) MiB"
echo "  calibrator      : ${ours_s} s (${ours_min}-${ours_max}), peak RSS $((ours_kb / 1024)) MiB" \
  "(full run: dimensions with their evidence, backtest with 2000 resamples, batch check, report files)"
echo "  speed   pandas (JSON)/calibrator    = $(ratio "$pandas_s" "$ours_s")x  (target >= 10.00)"
echo "  speed   pandas (columns)/calibrator = $(ratio "$columns_s" "$ours_s")x"
echo "  memory  calibrator/pandas (JSON)    = $(ratio "$ours_kb" "$pandas_kb")  (target <= 0.20)"
grep -h "calibrator:" "$dir/hades-1.err" | sed 's/^/  log: /' || true
