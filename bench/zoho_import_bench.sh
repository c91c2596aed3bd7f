#!/usr/bin/env bash
# Benchmark: zoho_source -> turso_sink (SQLite) importing ROWS VanillaSoft leads (default 100,000,
# tools/generate_crm.py --scale) from the Zoho simulator with LATENCY_MS of latency per call
# (default 50). Prints the API calls from the simulator's request log, which must be the minimum
# for COQL (1 token request + ceil(rows / 2000) COQL calls), and the wall time of the run against
# calls x latency (target: at most 1.2x).
#   bench/zoho_import_bench.sh
#   ROWS=20000 LATENCY_MS=20 bench/zoho_import_bench.sh
# Needs the hades binary, the zoho_sim binary next to it and the plugins in its build tree
# (ninja -C build hades zoho_sim hades_zoho_source hades_turso_sink).
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

cat >"$dir/job.yaml" <<YAML
name: zoho_import_bench
database: sqlite://$dir/job.db
steps:
  - name: leads
    chunk_size: 2000
    source:
      plugin: zoho_source
      with:
        accounts_url: \${env:ZOHO_ACCOUNTS_URL:-https://accounts.zoho.com}
        client_id: \${env:ZOHO_CLIENT_ID}
        client_secret: \${env:ZOHO_CLIENT_SECRET}
        refresh_token: \${env:ZOHO_REFRESH_TOKEN}
        module: Leads
        fields: [Company, Lead_Source, SIC_Code, No_of_Employees, Zip_Code, State, Converted__s,
                 Converted_Deal]
        criteria: "Lead_Source = 'VanillaSoft'"
        converted: both
    sinks:
      - plugin: turso_sink
        with: {table: leads, key: [id]}
YAML

# The wall time is hades' own, from its start to its exit (the interpreter that measures it
# starts first and is not counted).
ZOHO_ACCOUNTS_URL="http://127.0.0.1:$port" ZOHO_CLIENT_ID="$client_id" \
  ZOHO_CLIENT_SECRET="$client_secret" ZOHO_REFRESH_TOKEN="$refresh_token" \
  python3 -c '
import resource, subprocess, sys, time
out, err = open(sys.argv[1] + ".out", "w"), open(sys.argv[1] + ".err", "w")
start = time.monotonic()
code = subprocess.call(sys.argv[2:], stdout=out, stderr=err)
wall = time.monotonic() - start
r = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1] + ".cpu", "w").write(f"{r.ru_utime + r.ru_stime:.2f}")
open(sys.argv[1] + ".wall", "w").write(f"{wall:.3f}")
sys.exit(code)' "$dir/run" "$hades" run "$dir/job.yaml" ||
  { echo "the import failed:" >&2; cat "$dir/run.err" >&2; exit 1; }
wall=$(cat "$dir/run.wall")

python3 - "$dir" "$wall" "$latency" <<'PY'
import json, math, os, sqlite3, sys
d, wall, latency = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
cpu = float(open(f"{d}/run.cpu").read())
load = os.getloadavg()[0]
log = [json.loads(line) for line in open(f"{d}/requests.jsonl")]
tokens = sum(1 for l in log if l["kind"] == "token")
coql = sum(1 for l in log if l["kind"] == "coql")
api = sum(1 for l in log if l.get("api_call"))
rows = sqlite3.connect(f"{d}/job.db").execute("SELECT count(*) FROM leads").fetchone()[0]
truth = json.load(open(f"{d}/truth.json"))["historical"]["vanillasoft_leads"]
expected = 1 + math.ceil(rows / 2000)
calls = tokens + api
floor = calls * latency / 1000
print(f"rows imported        {rows} (planted VanillaSoft leads: {truth})")
print(f"token requests       {tokens}")
print(f"COQL calls           {coql} (API calls in all: {api})")
print(f"calls in all         {calls}, minimum 1 + ceil({rows}/2000) = {expected}: "
      f"{'OK' if calls == expected else 'NOT MINIMAL'}")
# Where the time went: the simulator's own processing per call (it sorts the whole module for
# ORDER BY Modified_Time) is hidden by the latency only where it is shorter than the latency.
server = sum(max(l.get("handle_us", 0) / 1e6, latency / 1000) for l in log if l["kind"] != "sim")
print(f"wall time            {wall:.2f} s; calls x latency = {floor:.2f} s; "
      f"ratio {wall / floor:.2f}x (target <= 1.20x)")
print(f"hades CPU time       {cpu:.2f} s (user + system); load average {load:.1f} on "
      f"{os.cpu_count()} CPUs")
print(f"simulator time       {server:.2f} s (per call: the larger of its processing and the "
      f"latency); the rest, {wall - server:.2f} s, is hades (client, sink, commits)")
sys.exit(0 if rows == truth and calls == expected else 1)
PY
