#!/usr/bin/env bash
# Runs every benchmark in bench/ (on demand; not part of CI). Each prints its own ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
for bench in bench/*.sh; do
  case "$bench" in bench/run_all.sh | bench/lib.sh) continue ;; esac
  echo "== $bench"
  "$bench"
  echo
done
