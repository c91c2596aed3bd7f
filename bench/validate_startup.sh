#!/usr/bin/env bash
# Benchmark: wall time of `hades validate` on a six-step job (plugins loaded, settings bound,
# factories run), averaged over 50 runs, next to `true` as the process-start floor. Target: < 50 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
hades=${HADES_BIN:-build/bin/hades}
runs=${RUNS:-50}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
{
  echo "name: six_steps"
  echo "database: sqlite://$dir/h.db"
  echo "params: {input: $dir/in.csv}"
  echo "steps:"
  for i in 1 2 3 4 5 6; do
    echo "  - name: step$i"
    echo "    source: {plugin: csv_source, with: {path: \"\${param:input}\", columns: {id: id}}}"
    echo "    sinks: [{plugin: turso_sink, with: {table: t$i, key: [id]}}]"
  done
} >"$dir/job.yaml"
"$hades" validate "$dir/job.yaml" >/dev/null
start=$(now)
for ((i = 0; i < runs; i++)); do "$hades" validate "$dir/job.yaml" >/dev/null; done
ours=$(elapsed "$start" "$(now)")
start=$(now)
for ((i = 0; i < runs; i++)); do /bin/true; done
floor=$(elapsed "$start" "$(now)")
echo "hades validate, six-step job, mean of $runs runs"
echo "  hades validate : $(python3 -c "print(f'{$ours / $runs * 1000:.1f}')") ms  (target < 50 ms)"
echo "  /bin/true      : $(python3 -c "print(f'{$floor / $runs * 1000:.1f}')") ms  (process start floor)"
echo "  ratio          = $(ratio "$ours" "$floor")"
