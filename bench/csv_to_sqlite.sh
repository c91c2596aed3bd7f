#!/usr/bin/env bash
# Benchmark: records per second from csv_source to turso_sink (embedded SQLite) next to the
# sqlite3 shell's `.import` of the same file, measured in the same run. Target: within 2x.
#   ROWS=1000000 bench/csv_to_sqlite.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
hades=${HADES_BIN:-build/bin/hades}
rows=${ROWS:-1000000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

python3 - "$dir/leads.csv" "$rows" <<'PY'
import sys
path, rows = sys.argv[1], int(sys.argv[2])
with open(path, "w", newline="") as f:
    f.write("person_id,company_name,city,state,zip,employee_count,sic_code\r\n")
    for i in range(1, rows + 1):
        f.write(f'{i},"Company {i}, Inc.",City {i % 997},MA,{i % 99999:05d},{i * 7 % 5000},{8000 + i % 100}\r\n')
PY

start=$(now)
sqlite3 "$dir/reference.db" "PRAGMA journal_mode=WAL" ".import --csv $dir/leads.csv leads" >/dev/null
reference=$(elapsed "$start" "$(now)")

cat >"$dir/job.yaml" <<YAML
name: bench_csv_to_sqlite
database: sqlite://$dir/hades.db
steps:
  - name: load
    source: {plugin: csv_source, with: {path: $dir/leads.csv}}
    sinks: [{plugin: turso_sink, with: {table: leads}}]
YAML
start=$(now)
"$hades" run "$dir/job.yaml" 2>/dev/null
ours=$(elapsed "$start" "$(now)")

count=$(sqlite3 "$dir/hades.db" "select count(*) from leads")
[[ "$count" == "$rows" ]] || { echo "hades loaded $count rows, expected $rows" >&2; exit 1; }
echo "csv -> sqlite, $rows rows"
echo "  sqlite3 .import : ${reference} s  ($(ratio "$rows" "$reference") rows/s)"
echo "  hades run       : ${ours} s  ($(ratio "$rows" "$ours") rows/s, chunks of 500, checkpointed)"
echo "  ratio hades/sqlite3 = $(ratio "$ours" "$reference")  (target <= 2.00)"
