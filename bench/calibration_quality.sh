#!/usr/bin/env bash
# Benchmark: how much the calibrator's supported suggestions improve the ranking, on generated
# organisations whose true delivery probabilities are known (bench/calibration_quality.py has
# the method). Prints the calibration efficiency over 10 organisations with planted effects and
# how many of 20 organisations without any effect show a supported row. Targets (issue 19): mean
# efficiency >= 0.8; at most 2 of 20.
#   bench/calibration_quality.sh
#   FIRST_SEED=11 bench/calibration_quality.sh          # another set of organisations
#   ORGS=30 NO_EFFECT_ORGS=60 bench/calibration_quality.sh
set -euo pipefail
cd "$(dirname "$0")/.."
exec /usr/bin/python3 bench/calibration_quality.py --hades "${HADES_BIN:-build/bin/hades}" \
  --first-seed "${FIRST_SEED:-1}" --orgs "${ORGS:-10}" --no-effect-orgs "${NO_EFFECT_ORGS:-20}" \
  --leads "${LEADS:-3600}"
