#!/usr/bin/env bash
# Benchmark (issue #4): the historical import, jobs/import_historical.yaml as shipped, of ROWS
# VanillaSoft leads (default 100,000, tools/generate_crm.py --scale, with their deals and
# deliveries) from the Zoho simulator with LATENCY_MS of latency per call (default 50), into a
# fresh SQLite database. Prints the API calls from the simulator's request log, which must be
# the minimum for COQL (1 token request + ceil(rows / 2000) COQL calls for each module read:
# Leads, Deals, Deliveries), and the wall time of the whole run, from the process' start to its
# exit, against calls x latency (target: at most 1.2x); also each step's share.
#   bench/zoho_import_bench.sh
#   ROWS=20000 LATENCY_MS=20 bench/zoho_import_bench.sh
# Needs the hades binary, the zoho_sim binary next to it and the plugins in its build tree
# (ninja -C build hades zoho_sim and the plugins: or just `ninja -C build`).
set -euo pipefail
cd "$(dirname "$0")/.."
hades=${HADES_BIN:-build/bin/hades}
sim=${ZOHO_SIM_BIN:-$(dirname "$hades")/zoho_sim}
rows=${ROWS:-100000}
latency=${LATENCY_MS:-50}
dir=$(mktemp -d)
sim_pid=
cleanup() {
  if [[ -n "$sim_pid" ]]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
  if [[ -z "${KEEP:-}" ]]; then rm -rf "$dir"; else echo "kept $dir" >&2; fi
}
trap cleanup EXIT

python3 tools/generate_crm.py --scale "$rows" --no-lead-detail --out "$dir/org.json" \
  --truth "$dir/truth.json" >/dev/null 2>&1
"$sim" --data "$dir/org.json" --port 0 --port-file "$dir/sim.port" \
  --request-log "$dir/requests.jsonl" --latency-ms "$latency" 2>"$dir/sim.err" &
sim_pid=$!
for _ in $(seq 1 600); do [[ -s "$dir/sim.port" ]] && break; sleep 0.1; done
[[ -s "$dir/sim.port" ]] || { echo "zoho_sim did not start:" >&2; cat "$dir/sim.err" >&2; exit 1; }
port=$(cat "$dir/sim.port")
read -r client_id client_secret refresh_token < <(python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["credentials"]
print(c["client_id"], c["client_secret"], c["refresh_token"])' "$dir/truth.json")

# The wall time is hades' own, from its start to its exit (the interpreter that measures it
# starts first and is not counted).
ZOHO_ACCOUNTS_URL="http://127.0.0.1:$port" ZOHO_CLIENT_ID="$client_id" \
  ZOHO_CLIENT_SECRET="$client_secret" ZOHO_REFRESH_TOKEN="$refresh_token" \
  HADES_DB="sqlite://$dir/job.db" python3 -c '
import resource, subprocess, sys, time
out, err = open(sys.argv[1] + ".out", "w"), open(sys.argv[1] + ".err", "w")
start = time.monotonic()
code = subprocess.call(sys.argv[2:], stdout=out, stderr=err)
wall = time.monotonic() - start
r = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1] + ".cpu", "w").write(f"{r.ru_utime + r.ru_stime:.2f}")
open(sys.argv[1] + ".wall", "w").write(f"{wall:.3f}")
sys.exit(code)' "$dir/run" "$hades" run jobs/import_historical.yaml --summary "$dir/summary.json" ||
  { echo "the import failed:" >&2; cat "$dir/run.err" >&2; exit 1; }
wall=$(cat "$dir/run.wall")

python3 - "$dir" "$wall" "$latency" <<'PY'
import json, math, os, sqlite3, sys
d, wall, latency = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
cpu = float(open(f"{d}/run.cpu").read())
load = os.getloadavg()[0]
log = [json.loads(line) for line in open(f"{d}/requests.jsonl")]
steps = {s["name"]: s["duration_seconds"] for s in json.load(open(f"{d}/summary.json"))["steps"]}
db = sqlite3.connect(f"{d}/job.db")
count = lambda table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
truth = json.load(open(f"{d}/truth.json"))["historical"]
modules = {"Leads": count("zoho_import_leads"), "Deals": count("zoho_import_deals"),
           "Deliveries": count("zoho_import_deliveries")}
tokens = sum(1 for l in log if l["kind"] == "token")
api = sum(1 for l in log if l.get("api_call"))
coql = {m: sum(1 for l in log if l["kind"] == "coql" and l.get("module") == m) for m in modules}
minimum = 1 + sum(max(1, math.ceil(n / 2000)) for n in modules.values())
calls = tokens + api
floor = calls * latency / 1000
outcomes = count("historical_outcomes")
delivered = db.execute(
    "SELECT count(*) FROM historical_outcomes WHERE outcome = 'delivery'").fetchone()[0]
print(f"historical_outcomes  {outcomes} leads, {delivered} delivered (planted: "
      f"{truth['vanillasoft_leads']}, {truth['delivered']})")
for m, n in modules.items():
    print(f"  {m:<18} {n} rows in {coql[m]} COQL calls (minimum ceil({n}/2000) = "
          f"{max(1, math.ceil(n / 2000))})")
print(f"calls in all         {calls} ({tokens} token, {api} API), minimum {minimum}: "
      f"{'OK' if calls == minimum else 'NOT MINIMAL'}")
print(f"calls x latency      {floor:.2f} s")
print(f"wall time            {wall:.2f} s: ratio {wall / floor:.2f}x (target <= 1.20x)")
print("  steps              " + ", ".join(f"{name} {secs:.2f} s" for name, secs in steps.items()))
print(f"hades CPU time       {cpu:.2f} s (user + system); load average {load:.1f} on "
      f"{os.cpu_count()} CPUs")
ok = (outcomes == truth["vanillasoft_leads"] and delivered == truth["delivered"]
      and calls == minimum)
sys.exit(0 if ok else 1)
PY
