// test_helpers.h: what the calibrator's tests share: the shipped icp.yaml, the Python oracles,
// generated outcome databases.

#ifndef HADES_PLUGINS_CALIBRATOR_TESTS_TEST_HELPERS_H_
#define HADES_PLUGINS_CALIBRATOR_TESTS_TEST_HELPERS_H_

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "calibration.h"
#include "leads/icp_config.h"
#include "stats/stats.h"

namespace hades::calibrator {

// Let BOOST_TEST print the enums when a comparison fails.
inline std::ostream& operator<<(std::ostream& os, Confidence c) { return os << confidence_name(c); }
inline std::ostream& operator<<(std::ostream& os, BatchStatus s) {
  return os << batch_status_name(s);
}
inline std::ostream& operator<<(std::ostream& os, Verdict v) { return os << verdict_name(v); }

}  // namespace hades::calibrator

namespace hades::calibrator::testing {

// The interpreter the oracles run with: Debian's, where python3-statsmodels, python3-scipy and
// python3-sklearn live (tools/lib/setup.sh installs them).
inline constexpr const char* kSystemPython = "/usr/bin/python3";

// "<repository>/<relative>".
std::string repo_path(const std::string& relative);

// config/icp.yaml, loaded once. Throws when it does not load.
const domain::IcpConfig& shipped_icp();

// Runs tests/oracles/oracle.py on `request` and returns its answer. Fails the test (REQUIRE)
// when the script fails, a module missing included: the oracles are not optional.
nlohmann::json run_oracle(const nlohmann::json& request);

// Runs tools/generate_outcomes.py into `db_path` with `args` appended (e.g. --rows 20000).
void generate_outcomes(const std::string& db_path, const std::vector<std::string>& args);

// Checks (BOOST_TEST) that `a` and `b` have the same cells, field by field and in the same order,
// the same states and the same data volume.
void check_same_outcomes(const OutcomeData& a, const OutcomeData& b);

// Checks that load_batches() gives the same batches for `a` and `b` (loaded from `db` in two
// ways), with probabilities that differ per score; the sums of probabilities may differ in the
// last bits (another summation order).
void check_same_batches(Database& db, const OutcomeData& a, const OutcomeData& b);

}  // namespace hades::calibrator::testing

#endif  // HADES_PLUGINS_CALIBRATOR_TESTS_TEST_HELPERS_H_
