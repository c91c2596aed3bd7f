#!/usr/bin/env bash
# Runs every benchmark in bench/ (on demand; not part of CI). Each prints its own ratios.
# Every bench/*.sh but this file and lib.sh runs, export_bench.sh (issue #3) included; the
# slow ones take their sizes from the environment (e.g. SIZES=100000 for export_bench.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
for bench in bench/*.sh; do
  case "$bench" in bench/run_all.sh | bench/lib.sh) continue ;; esac
  echo "== $bench"
  "$bench"
  echo
done
