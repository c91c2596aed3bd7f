// The weight_writer task in process: its settings (checked when the step is created, and the
// README's table), and what a run prints and does, as the runner calls it.
#define BOOST_TEST_MODULE weight_writer
#include "weight_writer.h"

#include <boost/test/unit_test.hpp>
#include <sstream>

#include "leads/icp_changes.h"
#include "test_database.h"
#include "test_support.h"
#include "weights_testing.h"

namespace hades::weight_writer {
namespace {

using hades::testing::FakeContext;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

Settings apply_settings(const std::string& icp, const std::string& report,
                        const std::string& select) {
  Settings s;
  s.set("action", std::string("apply"));
  s.set("icp", icp);
  s.set("report", report);
  s.set("select", select);
  s.set("applied_by", std::string("ana"));
  s.set("dry_run", false);
  s.set("lock_wait_seconds", std::int64_t{0});
  s.set("change", std::string("latest"));
  return s;
}

struct TaskFixture {
  TaskFixture() {
    const std::string text = hades::testing::read_file(testing::repo_path("config/icp.yaml"));
    hades::testing::write_file(icp, text);
    std::vector<testing::Bucket> buckets = testing::shipped_buckets();
    for (testing::Bucket& b : buckets) {
      if (b.bucket == "8361") b.suggested = 100;
    }
    hades::testing::write_file(report, testing::report_json(text, buckets));
    ctx.run_info.run_id = 3;
    ctx.run_info.job_name = "apply_weights";
    ctx.run_info.step_name = "apply";
    ctx.run_info.started_at = "2027-01-02T06:00:00Z";
  }

  Status run(const Settings& settings, std::string* printed = nullptr) {
    Result<WeightWriterConfig> config = bind_config(settings);
    BOOST_REQUIRE_MESSAGE(config.ok(), config.status().to_string());
    WeightWriter task(std::move(config).value());
    const Status s = task.run(ctx);
    if (printed != nullptr) *printed = task.printed();
    return s;
  }

  hades::testing::TempDir dir;
  std::string icp = dir.file("icp.yaml");
  std::string report = dir.file("calibration-latest.json");
  std::unique_ptr<Database> db = hades::testing::scratch_database();
  FakeContext ctx{*db};
};

BOOST_AUTO_TEST_SUITE(weight_writer_task)

BOOST_AUTO_TEST_CASE(readme_settings_table_matches_ksettings) {
  const std::vector<std::string> missing =
      hades::testing::missing_readme_setting_rows("weight_writer", kSettings);
  BOOST_TEST(missing.empty(), "README.md lacks the row: " << (missing.empty() ? "" : missing[0]));
}

BOOST_AUTO_TEST_CASE(readme_comment_examples_are_lines_of_the_golden_files) {
  const std::string readme =
      hades::testing::read_file(testing::repo_path("plugins/domain/weight_writer/README.md"));
  std::string goldens;
  for (const char* name :
       {"sic", "sic_new", "employee_tier", "proximity", "signal_strength", "freshness", "odd"}) {
    goldens += hades::testing::read_file(testing::golden_path(std::string(name) + ".after.yaml"));
  }
  int checked = 0;
  for (const std::string& block : testing::fenced_blocks(readme, "yaml")) {
    if (block.rfind("    ", 0) != 0) continue;  // the example steps: a job, validated elsewhere
    std::istringstream lines(block);
    std::string line;
    while (std::getline(lines, line)) {
      BOOST_TEST(has(goldens, line + "\n"), "README line not in a golden file: " << line);
      ++checked;
    }
  }
  BOOST_TEST(checked == 4);
}

BOOST_AUTO_TEST_CASE(settings_are_checked_when_the_step_is_created) {
  const Settings good = apply_settings("icp.yaml", "report.json", "sic:8062");
  BOOST_TEST(bind_config(good).ok());
  const std::pair<std::string, SettingValue> bad[] = {{"action", std::string("undo")},
                                                      {"icp", std::string()},
                                                      {"report", std::string()},
                                                      {"select", std::string("sic:8062,")},
                                                      {"select", std::string("sic")},
                                                      {"applied_by", std::string()},
                                                      {"lock_wait_seconds", std::int64_t{-1}},
                                                      {"lock_wait_seconds", std::int64_t{3601}}};
  for (const auto& [key, value] : bad) {
    BOOST_TEST_CONTEXT(key) {
      Settings s = good;
      s.set(key, value);
      const Result<WeightWriterConfig> config = bind_config(s);
      BOOST_TEST(!config.ok());
      BOOST_TEST((config.status().code() == StatusCode::kInvalidConfig));
      BOOST_TEST(has(config.status().message(), "weight_writer"), config.status().message());
    }
  }
  Settings nothing = good;
  nothing.set("select", std::string(" "));
  BOOST_TEST(bind_config(nothing)->list_only);
  BOOST_TEST(!bind_config(good)->list_only);
  Settings rollback = good;
  rollback.set("action", std::string("rollback"));
  rollback.set("report", std::string());  // not needed to roll back
  rollback.set("select", std::string());
  BOOST_TEST(bind_config(rollback).ok());
  BOOST_TEST(!bind_config(rollback)->change.has_value());
  rollback.set("change", std::string("12"));
  BOOST_TEST(bind_config(rollback)->change.value_or(0) == 12);
  for (const char* change : {"0", "x", "-3", "1.5"}) {
    rollback.set("change", std::string(change));
    BOOST_TEST(!bind_config(rollback).ok(), change);
  }
}

BOOST_AUTO_TEST_CASE(a_dry_run_prints_the_diff_and_changes_nothing) {
  TaskFixture f;
  Settings s = apply_settings(f.icp, f.report, "sic:8361");
  s.set("dry_run", true);
  std::string printed;
  BOOST_REQUIRE(f.run(s, &printed).ok());
  BOOST_TEST(has(printed, "dry run: 1 change(s)"), printed);
  BOOST_TEST(has(printed, "-    \"8361\":  71    # Residential Care"), printed);
  BOOST_TEST(has(printed,
                 "+    \"8361\": 100    # Residential Care: 11.2% delivery rate, 412 "
                 "leads, calibrated 2027-01-02, was 71"),
             printed);  // the run's date, not the wall clock's
  BOOST_TEST(hades::testing::read_file(f.icp) ==
             hades::testing::read_file(testing::repo_path("config/icp.yaml")));
  Result<std::vector<domain::IcpChangeRecord>> h = domain::icp_change_history(*f.db, f.icp, 10);
  BOOST_REQUIRE(h.ok());
  BOOST_TEST(h->empty());
}

BOOST_AUTO_TEST_CASE(without_a_selection_the_suggestions_are_listed_and_nothing_changes) {
  TaskFixture f;
  std::string printed;
  BOOST_REQUIRE(f.run(apply_settings(f.icp, f.report, ""), &printed).ok());
  BOOST_TEST(has(printed, "nothing selected, nothing changed"), printed);
  BOOST_TEST(has(printed, "  sic:8361  onsite_likelihood.sic_scores.\"8361\"  71 -> 100"), printed);
  BOOST_TEST(!has(printed, "--- a/"), printed);
  BOOST_TEST(hades::testing::read_file(f.icp) ==
             hades::testing::read_file(testing::repo_path("config/icp.yaml")));
}

BOOST_AUTO_TEST_CASE(apply_resume_and_rollback_as_the_runner_calls_them) {
  TaskFixture f;
  const Settings s = apply_settings(f.icp, f.report, "sic:8361");
  std::string printed;
  BOOST_REQUIRE(f.run(s, &printed).ok());
  BOOST_TEST(has(printed, "change 1: 1 item(s) of " + f.icp + " applied by ana"), printed);
  BOOST_TEST(has(hades::testing::read_file(f.icp), "\"8361\": 100"));
  // The runner calls a resumed task again: the change is found, not made twice.
  BOOST_REQUIRE(f.run(s, &printed).ok());
  BOOST_TEST(has(printed, "change 1 (made before this run was interrupted)"), printed);

  Settings undo = s;
  undo.set("action", std::string("rollback"));
  undo.set("dry_run", true);
  f.ctx.run_info.run_id = 4;
  f.ctx.run_info.step_name = "rollback";
  BOOST_REQUIRE(f.run(undo, &printed).ok());
  BOOST_TEST(has(printed, "dry run: rolling back change 1"), printed);
  undo.set("dry_run", false);
  BOOST_REQUIRE(f.run(undo, &printed).ok());
  BOOST_TEST(has(printed, "change 2 rolls back change 1"), printed);
  BOOST_TEST(hades::testing::read_file(f.icp) ==
             hades::testing::read_file(testing::repo_path("config/icp.yaml")));
}

BOOST_AUTO_TEST_CASE(a_missing_report_and_a_refused_item_are_exit_2_errors) {
  TaskFixture f;
  const Status missing = f.run(apply_settings(f.icp, f.dir.file("nope.json"), "sic:8361"));
  BOOST_TEST((missing.code() == StatusCode::kInvalidConfig));
  BOOST_TEST(has(missing.message(), "run jobs/calibrate.yaml first"), missing.message());
  const Status refused = f.run(apply_settings(f.icp, f.report, "state:MA"));
  BOOST_TEST((refused.code() == StatusCode::kInvalidConfig));
  BOOST_TEST(has(refused.message(), "icp.yaml has no scores for state"), refused.message());
}

BOOST_AUTO_TEST_CASE(the_crash_seam_is_off_unless_its_variable_is_set) {
  ::unsetenv(kCrashAtEnv);
  BOOST_TEST(!crash_hook_from_environment());
  ::setenv(kCrashAtEnv, "after_rename", 1);
  BOOST_TEST(static_cast<bool>(crash_hook_from_environment()));
  crash_hook_from_environment()("after_journal");  // another stage: nothing happens
  ::unsetenv(kCrashAtEnv);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::weight_writer
