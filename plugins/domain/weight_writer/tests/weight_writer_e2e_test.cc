// The weight writer through the real `hades` binary and the shipped jobs: dry run, apply, the run
// history and rollback; a run killed with SIGKILL right after each stage (the HADES_TEST_CRASH_AT
// seam of weight_writer.h), which must recover to the old file and no row or the new file and
// its row, and resume to the change made once; the lock (exit 3) and the guard (exit 2). The
// suite `jobs` runs on a SQLite file and, as weight_writer_e2e_test_sqld, on a real sqld. Then,
// on SQLite: a real calibration report applied with `all`, and the session of docs/weights.md,
// command by command, compared with the output the page shows.
#define BOOST_TEST_MODULE weight_writer_e2e_test
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "leads/icp_changes.h"
#include "leads/icp_config.h"
#include "process.h"
#include "test_database.h"
#include "test_support.h"
#include "weights_testing.h"

namespace hades::weight_writer {
namespace {

namespace fs = std::filesystem;
using hades::testing::ProcessResult;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string shipped() { return hades::testing::read_file(testing::repo_path("config/icp.yaml")); }

constexpr const char* kSelect = "sic:8361,sic:7033,employee_tier:101-500,freshness:Warm";

// A directory with an icp.yaml, a report made from it, and the job database.
struct Sandbox {
  Sandbox() {
    hades::testing::write_file(icp, shipped());
    std::vector<testing::Bucket> buckets = testing::shipped_buckets();
    for (testing::Bucket& b : buckets) {
      if (b.bucket == "8361") b.suggested = 100;
      if (b.bucket == "7033") b.suggested = 52;
      if (b.bucket == "101-500") b.suggested = 72;
      if (b.bucket == "Warm") b.suggested = 63;
    }
    hades::testing::write_file(report, testing::report_json(shipped(), buckets));
  }

  ProcessResult hades(std::vector<std::string> args,
                      const std::map<std::string, std::string>& extra = {}) const {
    args.insert(args.begin(), hades::testing::hades_binary());
    std::map<std::string, std::string> env = database.env();
    env["HADES_DB"] = database.url();
    env.insert(extra.begin(), extra.end());
    return hades::testing::run_process(args, dir.path(), env);
  }
  ProcessResult apply(const std::vector<std::string>& more = {},
                      const std::map<std::string, std::string>& env = {}) const {
    std::vector<std::string> args = {"run",   testing::repo_path("jobs/apply_weights.yaml"),
                                     "--set", "icp=" + icp,
                                     "--set", "report=" + report,
                                     "--set", std::string("select=") + kSelect,
                                     "--set", "applied_by=ana"};
    args.insert(args.end(), more.begin(), more.end());
    return hades(args, env);
  }
  ProcessResult rollback(const std::vector<std::string>& more = {},
                         const std::map<std::string, std::string>& env = {}) const {
    std::vector<std::string> args = {"run",   testing::repo_path("jobs/rollback_weights.yaml"),
                                     "--set", "icp=" + icp,
                                     "--set", "applied_by=ana"};
    args.insert(args.end(), more.begin(), more.end());
    return hades(args, env);
  }

  std::int64_t count(const std::string& table) const {
    const std::unique_ptr<Database> db = database.open();
    Result<QueryResult> r = db->query("SELECT count(*) FROM " + table);
    BOOST_REQUIRE_MESSAGE(r.ok(), r.status().to_string());
    return as_int(r->rows[0][0]).value_or(-1);
  }
  std::string file() const { return hades::testing::read_file(icp); }

  hades::testing::TempDir dir;
  hades::testing::TestDatabase database{dir.path()};
  std::string icp = dir.file("icp.yaml");
  std::string report = dir.file("report.json");
};

BOOST_AUTO_TEST_SUITE(jobs)

BOOST_AUTO_TEST_CASE(dry_run_apply_history_and_rollback_through_the_shipped_jobs) {
  Sandbox s;
  const ProcessResult dry = s.apply({"--set", "dry_run=true"});
  BOOST_REQUIRE_MESSAGE(dry.exit_code == 0, dry.err);
  BOOST_TEST(has(dry.out, "dry run: 4 change(s)"), dry.out);
  BOOST_TEST(has(dry.out, "+    \"7033\":  52    # Recreational Vehicle Parks: "), dry.out);
  BOOST_TEST(s.file() == shipped());

  const ProcessResult applied = s.apply();
  BOOST_REQUIRE_MESSAGE(applied.exit_code == 0, applied.err);
  BOOST_TEST(has(applied.out, "change 1: 4 item(s)"), applied.out);
  BOOST_TEST(s.file() != shipped());
  BOOST_TEST(domain::parse_icp_config(s.file(), "icp").ok());
  BOOST_TEST(s.count("icp_changes") == 1);

  const ProcessResult runs = s.hades({"runs", testing::repo_path("jobs/apply_weights.yaml")});
  BOOST_REQUIRE_MESSAGE(runs.exit_code == 0, runs.err);
  BOOST_TEST(has(runs.out, "run_id  status"), runs.out);
  std::istringstream lines(runs.out);
  std::string line;
  int succeeded = 0;
  while (std::getline(lines, line)) succeeded += has(line, "succeeded") ? 1 : 0;
  BOOST_TEST(succeeded == 2);

  const ProcessResult undone = s.rollback();
  BOOST_REQUIRE_MESSAGE(undone.exit_code == 0, undone.err);
  BOOST_TEST(has(undone.out, "change 2 rolls back change 1"), undone.out);
  BOOST_TEST(s.file() == shipped());  // byte for byte
  BOOST_TEST(s.count("icp_changes") == 2);
  const ProcessResult rollback_runs =
      s.hades({"runs", testing::repo_path("jobs/rollback_weights.yaml")});
  BOOST_TEST(rollback_runs.exit_code == 0, rollback_runs.err);
  BOOST_TEST(has(rollback_runs.out, "succeeded"), rollback_runs.out);
}

// Killed right after each stage, recovered from outside, then resumed: the file and the rows
// agree at every point, and the change is made exactly once.
BOOST_AUTO_TEST_CASE(sigkill_after_each_stage_recovers_and_resumes) {
  for (const bool rollback : {false, true}) {
    for (const char* stage : {"after_journal", "after_temp", "after_rename", "after_commit"}) {
      BOOST_TEST_CONTEXT((rollback ? "rollback" : "apply") << " killed " << stage) {
        Sandbox s;
        std::string old_text = shipped();
        std::int64_t rows_before = 0;
        if (rollback) {
          BOOST_REQUIRE(s.apply().exit_code == 0);
          old_text = s.file();
          rows_before = 1;
        }
        const std::map<std::string, std::string> crash = {{"HADES_TEST_CRASH_AT", stage}};
        const ProcessResult killed = rollback ? s.rollback({}, crash) : s.apply({}, crash);
        BOOST_REQUIRE_MESSAGE(killed.signal == SIGKILL,
                              "exit " << killed.exit_code << ": " << killed.err);
        const bool renamed =
            std::string(stage) == "after_rename" || std::string(stage) == "after_commit";
        const bool committed = std::string(stage) == "after_commit";
        // As the kill left it: the journal row until the commit, the file from the rename on.
        BOOST_TEST((s.file() == old_text) == !renamed);
        BOOST_TEST(s.count("icp_change_journal") == (committed ? 0 : 1));
        BOOST_TEST(s.count("icp_changes") == rows_before + (committed ? 1 : 0));

        // Recovered: the old file and no new row, or the new file and its row.
        const std::unique_ptr<Database> db = s.database.open();
        const Result<int> recovered = domain::recover_icp_changes(*db, s.icp, {});
        BOOST_REQUIRE_MESSAGE(recovered.ok(), recovered.status().to_string());
        BOOST_TEST(s.count("icp_change_journal") == 0);
        BOOST_TEST(s.count("icp_changes") == rows_before + (renamed ? 1 : 0));
        BOOST_TEST((s.file() == old_text) == !renamed);
        BOOST_TEST(!fs::exists(domain::temp_path_of(fs::canonical(s.icp).string())));

        // The run resumes to success with the change made once.
        const ProcessResult resumed = rollback ? s.rollback() : s.apply();
        BOOST_REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.err);
        BOOST_TEST(has(resumed.err, "resum"), resumed.err);
        BOOST_TEST(s.count("icp_changes") == rows_before + 1);
        BOOST_TEST((s.file() == shipped()) == rollback);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_held_lock_is_exit_3_for_apply_and_rollback) {
  Sandbox s;
  BOOST_REQUIRE(s.apply().exit_code == 0);
  const std::string applied = s.file();
  {
    Result<domain::IcpFileLock> held =
        domain::IcpFileLock::acquire(fs::canonical(s.icp).string(), {});
    BOOST_REQUIRE(held.ok());
    const ProcessResult rollback = s.rollback();
    BOOST_TEST(rollback.exit_code == 3, rollback.err);
    BOOST_TEST(has(rollback.err, "is being changed by pid " + std::to_string(::getpid())),
               rollback.err);
    BOOST_TEST(s.file() == applied);
  }
  const ProcessResult after = s.rollback();
  BOOST_TEST(after.exit_code == 0, after.err);
  BOOST_TEST(s.file() == shipped());
  Result<domain::IcpFileLock> held =
      domain::IcpFileLock::acquire(fs::canonical(s.icp).string(), {});
  BOOST_REQUIRE(held.ok());
  const ProcessResult apply = s.apply({"--fresh"});
  BOOST_TEST(apply.exit_code == 3, apply.err);
  BOOST_TEST(s.file() == shipped());
}

BOOST_AUTO_TEST_CASE(the_guard_and_bad_items_are_exit_2_and_change_nothing) {
  Sandbox s;
  const std::string edited = shipped() + "# a hand edit after the report\n";
  hades::testing::write_file(s.icp, edited);
  const ProcessResult guarded = s.apply();
  BOOST_TEST(guarded.exit_code == 2, guarded.err);
  BOOST_TEST(has(guarded.err, "icp.yaml changed since this report; recalibrate"), guarded.err);
  BOOST_TEST(s.file() == edited);
  hades::testing::write_file(s.icp, shipped());
  const ProcessResult bad = s.apply({"--fresh", "--set", "select=state:MA"});
  BOOST_TEST(bad.exit_code == 2, bad.err);
  BOOST_TEST(has(bad.err, "icp.yaml has no scores for state"), bad.err);
  // Nothing selected: the suggestions are listed, nothing changes, and the run succeeds.
  const ProcessResult unset =
      s.hades({"run", testing::repo_path("jobs/apply_weights.yaml"), "--set", "icp=" + s.icp,
               "--set", "report=" + s.report, "--fresh"});
  BOOST_TEST(unset.exit_code == 0, unset.err);
  BOOST_TEST(has(unset.out, "nothing selected, nothing changed"), unset.out);
  BOOST_TEST(has(unset.out, "sic:8361"), unset.out);
  BOOST_TEST(s.file() == shipped());
  BOOST_TEST(s.count("icp_changes") == 0);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------

std::string generate_outcomes(const std::string& db) {
  const ProcessResult gen = hades::testing::run_process(
      {"/usr/bin/python3", testing::repo_path("tools/generate_outcomes.py"), "--rows", "20000",
       "--seed", "7", "--db", db},
      fs::path(db).parent_path().string());
  BOOST_REQUIRE_MESSAGE(gen.exit_code == 0, gen.err);
  return "sqlite://" + db;
}

BOOST_AUTO_TEST_SUITE(real_report)

// The calibrator's own bucket names, end to end: `all` applies every suggestion that has a
// place, and the scorer then reads each of them.
BOOST_AUTO_TEST_CASE(a_calibration_report_applied_with_all_is_what_the_scorer_reads) {
  hades::testing::TempDir dir;
  const std::string icp = dir.file("icp.yaml");
  hades::testing::write_file(icp, shipped());
  const std::map<std::string, std::string> env = {
      {"HADES_DB", generate_outcomes(dir.file("o.db"))}};
  const auto hades = [&](std::vector<std::string> args) {
    args.insert(args.begin(), hades::testing::hades_binary());
    return hades::testing::run_process(args, dir.path(), env);
  };
  const ProcessResult calibrated =
      hades({"run", testing::repo_path("jobs/calibrate.yaml"), "--set", "icp=" + icp, "--set",
             "report_dir=" + dir.file("reports")});
  BOOST_REQUIRE_MESSAGE(calibrated.exit_code == 0, calibrated.err);
  const std::string report_path = dir.file("reports/calibration-latest.json");
  const ProcessResult applied =
      hades({"run", testing::repo_path("jobs/apply_weights.yaml"), "--set", "icp=" + icp, "--set",
             "report=" + report_path, "--set", "select=all", "--set", "applied_by=t"});
  BOOST_REQUIRE_MESSAGE(applied.exit_code == 0, applied.err);
  BOOST_TEST(has(applied.out, "skipped sic:unknown: no place in icp.yaml"), applied.out);

  const Result<domain::IcpConfig> now =
      domain::parse_icp_config(hades::testing::read_file(icp), "icp");
  BOOST_REQUIRE(now.ok());
  const nlohmann::json report = nlohmann::json::parse(hades::testing::read_file(report_path));
  int checked = 0;
  for (const nlohmann::json& d : report["dimensions"]) {
    if (!d["scored"].get<bool>()) continue;
    for (const nlohmann::json& b : d["buckets"]) {
      testing::Bucket bucket(d["dimension"].get<std::string>(), b["bucket"].get<std::string>(),
                             std::nullopt, std::nullopt);
      if (!testing::has_place(bucket) || b["suggested_score"].is_null()) continue;
      BOOST_TEST(testing::scorer_reads(*now, bucket) == b["suggested_score"].get<std::int64_t>(),
                 bucket.dimension << ":" << bucket.bucket);
      ++checked;
    }
  }
  BOOST_TEST(checked >= 25);  // SICs (two new), tiers, strengths, freshness
  const ProcessResult undone = hades({"run", testing::repo_path("jobs/rollback_weights.yaml"),
                                      "--set", "icp=" + icp, "--set", "applied_by=t"});
  BOOST_REQUIRE_MESSAGE(undone.exit_code == 0, undone.err);
  BOOST_TEST(hades::testing::read_file(icp) == shipped());
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
// docs/weights.md: every `$ command` of its console blocks, run in order in a copy of the
// repository's config and jobs, and its stdout compared with the lines the page shows.

struct DocCommand {
  std::string command;
  std::vector<std::string> shown;  // the output lines on the page
};

std::vector<DocCommand> doc_commands(const std::string& page) {
  std::vector<DocCommand> out;
  std::istringstream in(page);
  std::string line;
  bool console = false;
  while (std::getline(in, line)) {
    if (line.rfind("```", 0) == 0) {
      console = !console && line == "```console";
      continue;
    }
    if (!console) continue;
    if (line.rfind("$ ", 0) == 0) {
      out.push_back({line.substr(2), {}});
    } else if (!out.empty()) {
      out.back().shown.push_back(line);
    }
  }
  return out;
}

// What may differ between the page and a run: digits (dates, ids, counts) and hex digests, and
// the blanks that align columns around them.
std::string normalise(const std::string& line) {
  std::string text = std::regex_replace(line, std::regex("[0-9a-f]{12,}"), "#");
  text = std::regex_replace(text, std::regex("[0-9]+"), "0");
  text = std::regex_replace(text, std::regex("[ \t]+"), " ");
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

// `shown` against `actual`, where a shown line "..." stands for any number of lines.
bool matches(const std::vector<std::string>& shown, std::size_t i,
             const std::vector<std::string>& actual, std::size_t j) {
  if (i == shown.size()) return j == actual.size();
  if (shown[i] == "...") {
    for (std::size_t k = j; k <= actual.size(); ++k) {
      if (matches(shown, i + 1, actual, k)) return true;
    }
    return false;
  }
  return j < actual.size() && normalise(shown[i]) == normalise(actual[j]) &&
         matches(shown, i + 1, actual, j + 1);
}

BOOST_AUTO_TEST_SUITE(docs)

BOOST_AUTO_TEST_CASE(the_readme_example_steps_validate_as_a_job) {
  const std::vector<std::string> blocks = testing::fenced_blocks(
      hades::testing::read_file(testing::repo_path("plugins/domain/weight_writer/README.md")),
      "yaml");
  const auto steps = std::find_if(blocks.begin(), blocks.end(),
                                  [](const std::string& b) { return b.rfind("steps:", 0) == 0; });
  BOOST_REQUIRE(steps != blocks.end());
  hades::testing::TempDir dir;
  const std::string job = dir.file("example.yaml");
  hades::testing::write_file(
      job, "name: readme_example\ndatabase: sqlite://" + dir.file("hades.db") + "\n" + *steps);
  const ProcessResult r =
      hades::testing::run_process({hades::testing::hades_binary(), "validate", job}, dir.path());
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(has(r.out, "OK (3 steps)"), r.out);
}

BOOST_AUTO_TEST_CASE(the_session_of_docs_weights_md_runs_as_shown) {
  const std::vector<DocCommand> commands =
      doc_commands(hades::testing::read_file(testing::repo_path("docs/weights.md")));
  BOOST_REQUIRE(commands.size() >= 8u);
  hades::testing::TempDir dir;
  fs::copy(testing::repo_path("config"), dir.file("config"), fs::copy_options::recursive);
  fs::copy(testing::repo_path("jobs"), dir.file("jobs"), fs::copy_options::recursive);
  fs::remove(dir.file("config/icp.yaml.lock"));
  for (const char* linked : {"tools", "plugins"}) {
    fs::create_directory_symlink(testing::repo_path(linked), dir.file(linked));
  }
  const std::string bin = fs::path(hades::testing::hades_binary()).parent_path().string();
  const char* path = std::getenv("PATH");
  const std::map<std::string, std::string> env = {
      {"PATH", bin + ":" + (path != nullptr ? path : "/usr/bin:/bin")},
      {"HADES_DB", "sqlite://var/hades.db"},
      {"HADES_ICP", "config/icp.yaml"}};
  for (const DocCommand& c : commands) {
    BOOST_TEST_CONTEXT("$ " << c.command) {
      const ProcessResult r =
          hades::testing::run_process({"/bin/bash", "-c", c.command}, dir.path(), env);
      BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
      std::vector<std::string> actual;
      std::istringstream out(r.out);
      std::string line;
      while (std::getline(out, line)) actual.push_back(line);
      BOOST_TEST(
          matches(c.shown, 0, actual, 0), "shown:\n"
                                              <<
                                              [&] {
                                                std::string t;
                                                for (const auto& l : c.shown) t += l + "\n";
                                                return t;
                                              }()
                                              << "got:\n"
                                              << r.out);
    }
  }
  BOOST_TEST(hades::testing::read_file(dir.file("config/icp.yaml")) == shipped());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::weight_writer
