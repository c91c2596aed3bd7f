// The calibrator through the real `hades` binary: an empty database is a clear "no outcomes yet"
// and exit 0; a malformed icp.yaml is exit 2 naming the file and line, from `validate` and
// `run` alike; the shipped jobs/calibrate.yaml runs on generated outcomes.
#define BOOST_TEST_MODULE calibrator_e2e_test
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "process.h"
#include "test_support.h"

namespace hades {
namespace {

namespace fs = std::filesystem;
using testing::ProcessResult;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string shipped_icp() { return testing::source_dir() + "/config/icp.yaml"; }

struct JobDir {
  testing::TempDir dir;

  std::string job(const std::string& icp) const {
    const std::string path = dir.file("calibrate.yaml");
    testing::write_file(path,
                        "name: calibrate_test\n"
                        "database: sqlite://" +
                            dir.file("hades.db") +
                            "\n"
                            "steps:\n"
                            "  - name: calibrate\n"
                            "    task:\n"
                            "      plugin: calibrator\n"
                            "      with: {icp: \"" +
                            icp + "\", report_dir: \"" + dir.file("reports") + "\"}\n");
    return path;
  }
  ProcessResult hades(const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env = {},
                      const std::string& cwd = "") const {
    std::vector<std::string> argv = {testing::hades_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::run_process(argv, cwd.empty() ? dir.path() : cwd, env);
  }
};

BOOST_AUTO_TEST_CASE(an_empty_database_reports_no_outcomes_yet_and_succeeds) {
  JobDir d;
  const ProcessResult r = d.hades({"run", d.job(shipped_icp())});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(has(r.out, "No outcomes yet"), r.out);
  const auto report =
      nlohmann::json::parse(testing::read_file(d.dir.file("reports/calibration-latest.json")));
  BOOST_TEST(report["status"] == "no_outcomes");
  BOOST_TEST(
      has(testing::read_file(d.dir.file("reports/calibration-latest.md")), "No outcomes yet"));
}

BOOST_AUTO_TEST_CASE(a_malformed_icp_yaml_exits_2_with_file_and_line) {
  JobDir d;
  const std::string icp = d.dir.file("icp.yaml");
  // Line 3 is the broken one: an unterminated flow sequence.
  testing::write_file(icp, "# icp\nscoring:\n  intent: [signal_strength\n");
  const std::string job = d.job(icp);
  for (const char* command : {"validate", "run"}) {
    const ProcessResult r = d.hades({command, job});
    BOOST_TEST(r.exit_code == 2, command << ": " << r.err);
    BOOST_TEST(has(r.err, icp + ":"), r.err);
    BOOST_TEST((has(r.err, icp + ":3:") || has(r.err, icp + ":4:")), r.err);
  }
  // A well-formed file with a wrong value points at that value.
  testing::write_file(icp, testing::read_file(shipped_icp()) + "\n");
  std::string text = testing::read_file(icp);
  text.replace(text.find("signal_strength: 0.50"), 21, "signal_strength: lots");
  testing::write_file(icp, text);
  const ProcessResult wrong = d.hades({"validate", job});
  BOOST_TEST(wrong.exit_code == 2, wrong.err);
  BOOST_TEST(has(wrong.err, icp + ":42:"), wrong.err);
  BOOST_TEST(!fs::exists(d.dir.file("reports")));
}

BOOST_AUTO_TEST_CASE(the_shipped_job_runs_on_generated_outcomes) {
  JobDir d;
  const std::string db = d.dir.file("outcomes.db");
  const ProcessResult gen = testing::run_process(
      {"/usr/bin/python3", testing::source_dir() + "/tools/generate_outcomes.py", "--rows", "6000",
       "--seed", "3", "--db", db},
      d.dir.path());
  BOOST_REQUIRE_MESSAGE(gen.exit_code == 0, gen.err);
  const std::map<std::string, std::string> env = {{"HADES_DB", "sqlite://" + db}};
  const std::string job = testing::source_dir() + "/jobs/calibrate.yaml";
  const ProcessResult validated = d.hades({"validate", job}, env, testing::source_dir());
  BOOST_TEST(validated.exit_code == 0, validated.err);
  const ProcessResult r =
      d.hades({"run", job, "--set", "report_dir=" + d.dir.file("reports"), "--set", "seed=9"}, env,
              testing::source_dir());
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
  BOOST_TEST(has(r.out, "Current -> Suggested"), r.out);
  BOOST_TEST(!has(r.out, "\x1b["), "no colour when stdout is not a terminal");
  const auto report =
      nlohmann::json::parse(testing::read_file(d.dir.file("reports/calibration-latest.json")));
  BOOST_TEST(report["status"] == "ok");
  BOOST_TEST(report["parameters"]["seed"] == 9);
  BOOST_TEST(report["parameters"]["holdout_automatic"] == true);
}

}  // namespace
}  // namespace hades
