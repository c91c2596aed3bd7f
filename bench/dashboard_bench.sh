#!/usr/bin/env bash
# Benchmark: the Score Calibration page (`hades serve`) over ROWS lead_outcomes rows in BATCHES
# batches (default 1,000,000 in 2,000), plus a calibration report of them. Prints each number
# next to its target (plugins/domain/calibration_page/README.md, docs/dashboard.md "Performance"):
#   - every JSON endpoint: p95 of REQUESTS calls (default 200) under 200 ms
#   - the page ready in Chromium (navigation to body[data-ready]), each tab, under 1 s (median
#     of 5 loads, a warm browser)
#   - the server's peak memory (VmHWM) under 100 MiB
# and, for the record, the first start (the summary migration over every row) and what the
# summary triggers cost an insert into lead_outcomes.
#   bench/dashboard_bench.sh
#   OUTCOMES_DB=/tmp/big.db bench/dashboard_bench.sh   # reuse (or keep) the generated database
# Exits 1 when a target is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
hades=${HADES_BIN:-build/bin/hades}
rows=${ROWS:-1000000}
batches=${BATCHES:-2000}
requests=${REQUESTS:-200}
dir=$(mktemp -d)
db=${OUTCOMES_DB:-$dir/outcomes.db}
server=""
cleanup() {
  [[ -n "$server" ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
export NODE_PATH="$PWD/.deps/npm/node_modules"

if [[ ! -s "$db" ]]; then
  echo "generating $rows lead_outcomes rows in $batches batches into $db ..."
  python3 tools/generate_outcomes.py --rows "$rows" --batch-size $((rows / batches)) --seed 3 \
    --db "$db" --as-of 2026-12-01 --days 730 >/dev/null
fi
if [[ ! -s "$dir/reports/calibration-latest.json" ]]; then
  HADES_DB="sqlite://$db" "$hades" --log-level warn run jobs/calibrate.yaml \
    --set report_dir="$dir/reports" </dev/null >/dev/null
fi
echo "lead_outcomes: $(sqlite3 "$db" 'SELECT count(*) FROM lead_outcomes') rows," \
  "$(sqlite3 "$db" 'SELECT count(DISTINCT batch_id) FROM lead_outcomes') batches," \
  "$(du -m "$db" | cut -f1) MB"

# The first start applies the summary migration (fill + triggers) over every row.
start=$(now)
"$hades" --log-level warn serve --listen 127.0.0.1:0 --port-file "$dir/port" \
  --database "sqlite://$db" --reports "$dir/reports" --icp config/icp.yaml &
server=$!
while [[ ! -s "$dir/port" ]]; do sleep 0.05; done
first_start=$(elapsed "$start" "$(now)")
port=$(cat "$dir/port")
url="http://127.0.0.1:$port/calibration/"
batch=$(sqlite3 "$db" 'SELECT batch_id FROM lead_outcomes ORDER BY id DESC LIMIT 1')

# p95 of each endpoint over one keep-alive connection, as the page's fetches come.
python3 - "$port" "$requests" "$batch" >"$dir/endpoints.txt" <<'PY'
import http.client, sys, time
port, n, batch = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
for path in ["api/summary", "api/weights", "api/report", "api/outcomes", "api/batch?id=" + batch]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        conn.request("GET", "/calibration/" + path)
        reply = conn.getresponse()
        body = reply.read()
        times.append((time.perf_counter() - start) * 1000)
        if reply.status != 200:
            sys.exit(f"{path}: {reply.status} {body[:200]}")
    times.sort()
    p95 = times[int(0.95 * len(times)) - 1]
    print(f"{path.split('?')[0]} {p95:.1f} {times[len(times) // 2]:.1f} {len(body)}")
PY

# Page ready in Chromium: navigation start to body[data-ready="<tab>"], median of 5 loads.
cat >"$dir/ready.mjs" <<'JS'
const url = process.argv[2];
const { launch } = await import(process.argv[3]);
const b = await launch();
const page = b.context.pages()[0] || (await b.context.newPage());
const out = {};
for (const tab of ["weights", "report", "outcomes"]) {
  const times = [];
  for (let i = 0; i < 6; i++) {
    await page.goto("about:blank");
    const start = Date.now();
    await page.goto(url + "#" + tab);
    await page.waitForSelector(`body[data-ready="${tab}"]`, { timeout: 30000 });
    if (i > 0) times.push(Date.now() - start);  // the first load warms the browser's caches
  }
  times.sort((x, y) => x - y);
  out[tab] = times[2];
}
if (b.problems.length) throw new Error(b.problems.join("\n"));
console.log(JSON.stringify(out));
await b.close();
JS
ready=$(node "$dir/ready.mjs" "$url" "file://$PWD/tests/browser/browser.mjs")
peak_kib=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")

# What the triggers cost: 100,000 inserts into lead_outcomes with and without them.
python3 - "$db" "$dir" <<'PY' >"$dir/inserts.txt"
import sqlite3, sys, time
src, work = sys.argv[1], sys.argv[2]
def run(with_triggers):
    path = f"{work}/insert-{with_triggers}.db"
    db = sqlite3.connect(path)
    schema = sqlite3.connect(src).execute(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name IN "
        "('lead_outcomes', 'lead_outcome_batches', 'lead_outcome_lags') AND name NOT LIKE 'sqlite_%'"
        " ORDER BY type = 'trigger', type = 'index'").fetchall()
    for (sql,) in schema:
        if with_triggers or not sql.upper().startswith("CREATE TRIGGER"):
            db.execute(sql)
    start = time.perf_counter()
    for chunk in range(200):
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO lead_outcomes (batch_id, person_id, company_name, exported_at, created_at,"
            " workflow_type) VALUES (?, ?, 'x', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z',"
            " 'intent')", [(f"B{chunk}", f"p{i}") for i in range(500)])
        db.execute("COMMIT")
    return time.perf_counter() - start
plain, triggered = run(False), run(True)
print(f"{plain:.3f} {triggered:.3f}")
PY
kill "$server"
wait "$server" 2>/dev/null || true
server=""

python3 - "$first_start" "$dir/endpoints.txt" "$ready" "$peak_kib" "$dir/inserts.txt" <<'PY'
import json, sys
first, endpoints, ready, peak_kib, inserts = sys.argv[1:]
failed = False
def line(what, value, target, unit, ok):
    global failed
    failed |= not ok
    print(f"  {what:<50} {value:>9} {unit:<4} target < {target} {unit:<4} {'ok' if ok else 'MISSED'}")
print(f"first start (summary migration)      {float(first):.2f} s")
print("endpoints, p95 (median) of each:")
for row in open(endpoints):
    path, p95, median, size = row.split()
    line(f"GET {path} ({median} ms median, {int(size):,} B)", f"{float(p95):.1f}", 200, "ms", float(p95) < 200)
print("page ready in Chromium (median of 5):")
for tab, ms in json.loads(ready).items():
    line(tab, ms, 1000, "ms", ms < 1000)
mib = int(peak_kib) / 1024
print("memory:")
line("hades serve peak RSS (VmHWM)", f"{mib:.1f}", 100, "MiB", mib < 100)
plain, triggered = map(float, open(inserts).read().split())
print(f"100,000 inserts into lead_outcomes: {plain:.2f} s without the summary triggers, "
      f"{triggered:.2f} s with them ({triggered / plain:.2f}x)")
sys.exit(1 if failed else 0)
PY
