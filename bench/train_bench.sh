#!/usr/bin/env bash
# Benchmark: training the lead model (plugins/libraries/lead_model: Newton's method on groups of identical
# rows) against scikit-learn's LogisticRegression on the same design matrix of ROWS outcomes
# (default 1,000,000; bench/train_design.py), both in the same run, REPEAT times (default 3,
# since other builds may share the cores: the spread is printed). Each side is timed from opening
# the design file to holding the coefficients (sklearn: reading it into a CSR matrix, then fit();
# interpreter start-up and imports not counted), and its process's peak RSS is measured whole.
# scikit-learn runs with the oracle test's settings (lbfgs, tol=1e-10, max_iter=10000) and, for
# reference, with its defaults (tol=1e-4). Targets: at least 2x faster than sklearn (oracle
# settings), with at most a fifth of its peak memory.
#   bench/train_bench.sh
#   ROWS=200000 REPEAT=5 C=0.3 bench/train_bench.sh
#   MODEL_FIT_BENCH=build/bin/model_fit_bench bench/train_bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
fit_bench=${MODEL_FIT_BENCH:-build/bin/model_fit_bench}
rows=${ROWS:-1000000}
repeat=${REPEAT:-3}
c=${C:-1}
python=/usr/bin/python3  # Debian's, with python3-sklearn
if [[ ! -x "$fit_bench" ]]; then
  echo "no $fit_bench: cmake --build build --target model_fit_bench (or bench_train)" >&2
  exit 2
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# Wall seconds and peak RSS (KiB) of a command into $dir/$label.time, its stdout into .out.
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
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
open(sys.argv[1], "w").write(f"{time.monotonic() - start:.2f} {peak}\n")
sys.exit(code)
PY
  fi
}

echo "generating a design matrix of $rows rows ..." >&2
"$python" bench/train_design.py --rows "$rows" --seed 1 --out "$dir/design.bin"

for i in $(seq 1 "$repeat"); do
  measure "ours$i" "$fit_bench" "$dir/design.bin" "$c" "$dir/ours$i.json"
  measure "ungrouped$i" "$fit_bench" "$dir/design.bin" "$c" "$dir/ungrouped$i.json" ungrouped
  measure "sklearn$i" "$python" bench/train_sklearn.py "$dir/design.bin" "$c" lbfgs \
    "$dir/sklearn$i.json"
  measure "default$i" "$python" bench/train_sklearn.py "$dir/design.bin" "$c" lbfgs-default \
    "$dir/default$i.json"
done

"$python" bench/train_sklearn.py "$dir/design.bin" "$c" newton-cholesky "$dir/newton.json" \
  >/dev/null

"$python" - "$dir" "$repeat" "$rows" "$c" <<'PY'
import json, statistics, sys
d, repeat, rows, c = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def run(label):
    out = json.load(open(f"{d}/{label}.out"))
    wall, peak = open(f"{d}/{label}.time").read().split()
    out["train"] = out["read_seconds"] + out["fit_seconds"]
    out["peak_mib"] = int(peak) / 1024
    return out
def coef_diff(a, b):
    a, b = json.load(open(f"{d}/{a}.json")), json.load(open(f"{d}/{b}.json"))
    return max([abs(a["intercept"] - b["intercept"])] +
               [abs(x - y) for x, y in zip(a["coef"], b["coef"])])
print(f"lead model training on {rows:,} outcomes (C={c}), {repeat} runs; seconds from opening "
      "the design file to the coefficients, peak RSS of each process")
print(f"{'run':>4} {'ours s':>8} {'MiB':>7} {'sklearn s':>10} {'MiB':>7} {'default s':>10}"
      f" {'speed-up':>9} {'memory':>7} {'ungrouped s':>12} {'MiB':>7}")
speed, memory, default_speed, ungrouped_speed, ungrouped_memory = [], [], [], [], []
for i in range(1, repeat + 1):
    o, s, t = run(f"ours{i}"), run(f"sklearn{i}"), run(f"default{i}")
    u = run(f"ungrouped{i}")
    speed.append(s["train"] / o["train"])
    default_speed.append(t["train"] / o["train"])
    memory.append(o["peak_mib"] / s["peak_mib"])
    ungrouped_speed.append(s["train"] / u["train"])
    ungrouped_memory.append(u["peak_mib"] / s["peak_mib"])
    print(f"{i:>4} {o['train']:>8.3f} {o['peak_mib']:>7.1f} {s['train']:>10.3f} "
          f"{s['peak_mib']:>7.1f} {t['train']:>10.3f} {speed[-1]:>8.1f}x {memory[-1]:>7.3f} "
          f"{u['train']:>12.3f} {u['peak_mib']:>7.1f}")
o = run("ours1")
print(f"ours: {o['groups']:,} groups of identical rows, Newton in {o['iterations']} iterations, "
      f"gradient {o['gradient_max']:.1e}; sklearn lbfgs {run('sklearn1')['iterations']} "
      f"iterations, default tol {run('default1')['iterations']}")
print(f"max |coefficient difference| ours - sklearn newton-cholesky (tol 1e-14): "
      f"{coef_diff('ours1', 'newton'):.2e}; ours - lbfgs (tol 1e-10): "
      f"{coef_diff('ours1', 'sklearn1'):.2e} (lbfgs - newton-cholesky: "
      f"{coef_diff('sklearn1', 'newton'):.2e}: lbfgs stops early)")
def spread(v):
    return f"median {statistics.median(v):.2f} (min {min(v):.2f}, max {max(v):.2f})"
print(f"speed-up vs sklearn (tol 1e-10): {spread(speed)}  target >= 2")
print(f"speed-up vs sklearn (default tol): {spread(default_speed)}")
print(f"memory, ours / sklearn: {spread(memory)}  target <= 0.20")
print(f"without grouping (every row its own group): speed-up {spread(ungrouped_speed)}, "
      f"memory {spread(ungrouped_memory)}")
ok = min(speed) >= 2 and max(memory) <= 0.2
print("targets met in every run" if ok else "TARGETS NOT MET in every run")
PY
