#define BOOST_TEST_MODULE calibrator
#include "test_helpers.h"

#include <boost/test/unit_test.hpp>
#include <stdexcept>

#include "process.h"
#include "test_support.h"

namespace hades::calibrator::testing {

std::string repo_path(const std::string& relative) {
  return hades::testing::source_dir() + "/" + relative;
}

const plugin_common::IcpConfig& shipped_icp() {
  static const plugin_common::IcpConfig icp = [] {
    Result<plugin_common::IcpConfig> loaded =
        plugin_common::load_icp_config(repo_path("config/icp.yaml"));
    if (!loaded.ok()) throw std::runtime_error(loaded.status().to_string());
    return std::move(loaded).value();
  }();
  return icp;
}

nlohmann::json run_oracle(const nlohmann::json& request) {
  hades::testing::TempDir dir;
  const std::string in = dir.file("request.json");
  const std::string out = dir.file("answer.json");
  hades::testing::write_file(in, request.dump());
  const hades::testing::ProcessResult result = hades::testing::run_process(
      {kSystemPython, repo_path("plugins/calibrator/tests/oracles/oracle.py"), in, out},
      dir.path());
  BOOST_REQUIRE_MESSAGE(result.exit_code == 0,
                        "the oracle failed (install python3-statsmodels python3-scipy "
                        "python3-sklearn: tools/lib/setup.sh): " +
                            result.err);
  return nlohmann::json::parse(hades::testing::read_file(out));
}

void generate_outcomes(const std::string& db_path, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {kSystemPython, repo_path("tools/generate_outcomes.py"), "--db",
                                   db_path};
  argv.insert(argv.end(), args.begin(), args.end());
  const hades::testing::ProcessResult result =
      hades::testing::run_process(argv, hades::testing::source_dir());
  BOOST_REQUIRE_MESSAGE(result.exit_code == 0, "generate_outcomes.py failed: " + result.err);
}

}  // namespace hades::calibrator::testing
