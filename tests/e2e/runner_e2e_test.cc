// The runner's promises, checked on the real binary: kill -9 at any instant resumes to exactly
// the uninterrupted result; one run per job; SIGTERM stops at a chunk boundary with exit 1;
// plugin ABI mismatches exit 4; bad records go to the rejects file up to the skip budget.
// With HADES_TEST_DATABASE=sqld (CTest's runner_e2e_test_sqld) every job keeps its database in
// a real sqld of its own instead of a SQLite file: the same promises must hold on Turso.
#define BOOST_TEST_MODULE runner_e2e_test
#include <signal.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "hades/plugin.h"
#include "process.h"
#include "sqlite_database.h"
#include "test_database.h"
#include "test_support.h"

namespace hades {
namespace {

namespace fs = std::filesystem;
using testing::on_sqld;
using testing::Process;
using testing::ProcessResult;
using testing::TestDatabase;

// The kill test's input: 200k rows on SQLite; on sqld, where a run takes longer, 50k rows (still
// 100 chunks, and still 10 kills).
int kill_test_rows() { return on_sqld() ? 50'000 : 200'000; }
int rejected_rows(int rows) { return rows / 9973; }

// Every 9973rd row has a missing field, so it is rejected with its line number.
void write_leads_csv(const std::string& path, int rows) {
  std::ofstream out(path, std::ios::binary);
  out << "id,company,city,employees\r\n";
  for (int i = 1; i <= rows; ++i) {
    if (i % 9973 == 0) {
      out << i << ",\"Broken, Row\"\r\n";
      continue;
    }
    out << i << ",\"Company " << i << ", Inc.\",City " << (i % 97) << "," << (i * 7 % 5000)
        << "\r\n";
  }
}

std::string job_yaml(const std::string& dir, const std::string& database_url,
                     const std::string& extra_transform = "", int skip_budget = 1000) {
  return "name: load_leads\n"
         "database: " +
         database_url +
         "\n"
         "rejects_dir: " +
         dir +
         "/rejects\n"
         "params:\n  input: " +
         dir +
         "/leads.csv\n"
         "steps:\n"
         "  - name: load\n"
         "    chunk_size: 500\n"
         "    skip_budget: " +
         std::to_string(skip_budget) +
         "\n"
         "    source: {plugin: csv_source, with: {path: \"${param:input}\"}}\n" +
         (extra_transform.empty() ? "" : "    transforms: [" + extra_transform + "]\n") +
         "    sinks: [{plugin: turso_sink, with: {table: leads}}]\n";
}

// A job directory with its input and job file.
struct JobDir {
  testing::TempDir dir;
  TestDatabase database{dir.path()};
  std::string job;
  explicit JobDir(int rows = kill_test_rows(), const std::string& transform = "",
                  int budget = 1000) {
    write_leads_csv(dir.file("leads.csv"), rows);
    job = dir.file("job.yaml");
    testing::write_file(job, job_yaml(dir.path(), database.url(), transform, budget));
  }
  std::vector<std::string> run_args(std::vector<std::string> extra = {}) const {
    std::vector<std::string> args = {testing::hades_binary(), "--plugin-path",
                                     testing::test_plugin_dir(), "run", job};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  ProcessResult run(std::vector<std::string> extra = {}) const {
    return testing::run_process(run_args(std::move(extra)), dir.path(), database.env());
  }
  Process start() const { return Process(run_args(), dir.path(), database.env()); }
  // Every row of the table in id order, and the rejects file, as one comparable text.
  std::string table_dump() const {
    auto db = database.open();
    auto rows = db->query(
        "SELECT id, company, city, employees FROM leads ORDER BY CAST(id AS INTEGER), rowid");
    BOOST_REQUIRE(rows.ok());
    std::string dump;
    for (const auto& row : rows->rows) {
      for (const Value& v : row) dump += to_text(v) + "|";
      dump += "\n";
    }
    return dump;
  }
  // Chunks the running step has committed so far (0 before its first checkpoint).
  std::int64_t committed_chunks() const {
    auto db = database.open();
    auto rows = db->query("SELECT checkpoint FROM hades_steps WHERE checkpoint != ''");
    if (!rows.ok() || rows->rows.empty()) return 0;
    const auto checkpoint = nlohmann::json::parse(to_text(rows->rows[0][0]), nullptr, false);
    return checkpoint.is_object() ? checkpoint.value("chunks", std::int64_t{0}) : 0;
  }
  std::string last_run_status() const {
    auto db = database.open();
    auto rows = db->query("SELECT status FROM hades_runs ORDER BY run_id DESC LIMIT 1");
    return rows.ok() && !rows->rows.empty() ? to_text(rows->rows[0][0]) : "";
  }
  std::string rejects() const {
    std::string all;
    int files = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir.file("rejects"))) {
      if (entry.path().extension() != ".jsonl") continue;
      all += testing::read_file(entry.path().string());
      ++files;
    }
    BOOST_TEST(files == 1);
    return all;
  }
};

std::mt19937_64 seeded_rng() {
  const char* fixed = std::getenv("HADES_TEST_SEED");
  const std::uint64_t seed = fixed ? std::stoull(fixed) : std::random_device{}();
  BOOST_TEST_MESSAGE("random seed " << seed << " (set HADES_TEST_SEED to repeat)");
  return std::mt19937_64(seed);
}

BOOST_AUTO_TEST_CASE(sigkill_at_ten_random_moments_resumes_to_the_uninterrupted_result) {
  JobDir reference;
  const ProcessResult clean = reference.run();
  BOOST_REQUIRE_MESSAGE(clean.exit_code == 0, clean.err);
  const std::string expected_table = reference.table_dump();
  const std::string expected_rejects = reference.rejects();
  const int rows = kill_test_rows();
  BOOST_TEST(std::count(expected_table.begin(), expected_table.end(), '\n') ==
             rows - rejected_rows(rows));
  BOOST_TEST(std::count(expected_rejects.begin(), expected_rejects.end(), '\n') ==
             rejected_rows(rows));

  auto rng = seeded_rng();
  // Each kill lands after a random number of committed chunks plus a random fraction of a
  // chunk, so it interrupts the run at a random point whatever the speed of this machine.
  const std::int64_t chunks = rows / 500;
  std::uniform_int_distribution<std::int64_t> after_chunks(1, chunks * 8 / 10);
  std::uniform_int_distribution<int> extra_ms(0, 20);
  int killed_mid_run = 0;
  for (int trial = 0; trial < 10; ++trial) {
    JobDir victim;
    Process run = victim.start();
    const std::int64_t target = after_chunks(rng);
    const int at = extra_ms(rng);
    while (run.running() && victim.committed_chunks() < target) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(at));
    const bool was_running = run.running();
    run.send(SIGKILL);
    const ProcessResult killed = run.wait();
    // A kill that lands after the run recorded its success leaves nothing to resume; running
    // the job again would start a new run (and load the file again), as it should.
    const bool finished = victim.last_run_status() == "succeeded";
    if (was_running && !finished) ++killed_mid_run;
    BOOST_TEST_CONTEXT("trial " << trial << ", killed " << at << " ms after chunk " << target) {
      if (!finished) {
        const ProcessResult resumed = victim.run();
        BOOST_REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.err);
        BOOST_TEST(resumed.err.find("resuming run 1") != std::string::npos, resumed.err);
      }
      BOOST_TEST(victim.table_dump() == expected_table);
      BOOST_TEST(victim.rejects() == expected_rejects);
    }
  }
  // The kills must really interrupt runs, or this test proves nothing.
  BOOST_TEST(killed_mid_run >= 8);
}

BOOST_AUTO_TEST_CASE(two_concurrent_runs_one_exits_3_the_other_finishes) {
  JobDir job(20'000, "{plugin: slow_transform, with: {sleep_ms: 20}}");
  Process first = job.start();
  Process second = job.start();
  const ProcessResult a = first.wait();
  const ProcessResult b = second.wait();
  const std::multiset<int> codes = {a.exit_code, b.exit_code};
  BOOST_TEST((codes == std::multiset<int>{0, 3}), "exit codes " << a.exit_code << ", "
                                                                << b.exit_code << "\n"
                                                                << a.err << "\n"
                                                                << b.err);
  const std::string& loser = a.exit_code == 3 ? a.err : b.err;
  BOOST_TEST(loser.find("is locked by pid") != std::string::npos, loser);
  auto db = job.database.open();
  BOOST_TEST(as_int(db->query("SELECT count(*) FROM leads")->rows[0][0]).value_or(0) == 20'000 - 2);
}

BOOST_AUTO_TEST_CASE(sigterm_stops_at_a_chunk_boundary_with_exit_1_and_a_rerun_finishes) {
  JobDir job(20'000, "{plugin: slow_transform, with: {sleep_ms: 20}}");
  Process run(job.run_args({"--summary", job.dir.file("summary.json")}), job.dir.path(),
              job.database.env());
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  BOOST_REQUIRE(run.running());
  run.send(SIGTERM);
  const ProcessResult stopped = run.wait();
  BOOST_TEST(stopped.exit_code == 1, stopped.err);
  BOOST_TEST(stopped.err.find("stopped by signal") != std::string::npos, stopped.err);
  const auto summary = nlohmann::json::parse(testing::read_file(job.dir.file("summary.json")));
  BOOST_TEST(summary["exit_code"] == 1);
  BOOST_TEST(summary["steps"][0]["status"] == "interrupted");

  const ProcessResult resumed = job.run({"--summary", job.dir.file("summary.json")});
  BOOST_REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.err);
  const auto after = nlohmann::json::parse(testing::read_file(job.dir.file("summary.json")));
  BOOST_TEST(after["resumed"] == true);
  BOOST_TEST(after["steps"][0]["resumed_from_chunk"].get<int>() > 0);
  auto db = job.database.open();
  BOOST_TEST(as_int(db->query("SELECT count(*) FROM leads")->rows[0][0]).value_or(0) == 20'000 - 2);
  BOOST_TEST(as_int(db->query("SELECT count(DISTINCT id) FROM leads")->rows[0][0]).value_or(0) ==
             20'000 - 2);
}

BOOST_AUTO_TEST_CASE(a_plugin_built_for_another_api_is_refused_with_exit_4) {
  testing::TempDir dir;
  const TestDatabase database{dir.path()};
  const std::string job = dir.file("job.yaml");
  testing::write_file(job, "name: abi\ndatabase: " + database.url() +
                               "\nsteps:\n  - name: s\n    source: {plugin: bad_api_source}\n"
                               "    sinks: [{plugin: turso_sink, with: {table: t}}]\n");
  for (const char* command : {"run", "validate"}) {
    const ProcessResult r = testing::run_process(
        {testing::hades_binary(), "--plugin-path", testing::test_plugin_dir(), command, job},
        dir.path(), database.env());
    BOOST_TEST(r.exit_code == 4, command << ": " << r.err);
    BOOST_TEST(r.err.find("built for plugin API 99.0") != std::string::npos, r.err);
    const std::string host_api =
        "API " + std::to_string(hades::kApiMajor) + "." + std::to_string(hades::kApiMinor);
    BOOST_TEST(r.err.find(host_api) != std::string::npos, r.err);
  }
}

BOOST_AUTO_TEST_CASE(an_exception_in_a_plugin_fails_the_run_naming_plugin_and_operation) {
  testing::TempDir dir;
  const TestDatabase database{dir.path()};
  const std::string job = dir.file("job.yaml");
  testing::write_file(job, "name: throws\ndatabase: " + database.url() +
                               "\nsteps:\n  - name: s\n    source: {plugin: throwing_source}\n"
                               "    sinks: [{plugin: turso_sink, with: {table: t}}]\n");
  const ProcessResult r = testing::run_process(
      {testing::hades_binary(), "--plugin-path", testing::test_plugin_dir(), "run", job},
      dir.path(), database.env());
  BOOST_TEST(r.exit_code == 1, r.err);
  BOOST_TEST(r.err.find("plugin 'throwing_source': read: threw: boom from throwing_source") !=
                 std::string::npos,
             r.err);
}

// A job of one step reading `source` (a test plugin) into turso_sink.
ProcessResult run_test_source(const std::string& source, const std::string& name = "spins",
                              const std::string& job_file = "job.yaml") {
  testing::TempDir dir;
  const TestDatabase database{dir.path()};
  const std::string job = dir.file(job_file);
  testing::write_file(job, "name: " + name + "\ndatabase: " + database.url() +
                               "\nsteps:\n  - name: s\n    source: " + source +
                               "\n    sinks: [{plugin: turso_sink, with: {table: t}}]\n");
  return testing::run_process(
      {testing::hades_binary(), "--plugin-path", testing::test_plugin_dir(), "run", job},
      dir.path(), database.env());
}

BOOST_AUTO_TEST_CASE(a_source_that_says_more_forever_with_no_rows_is_stopped_with_exit_4) {
  const ProcessResult r = run_test_source("{plugin: spinning_source}");
  BOOST_TEST(r.exit_code == 4, r.err);
  BOOST_TEST(r.err.find("plugin 'spinning_source': read returned more 1000 times in a row "
                        "without a row or a reject") != std::string::npos,
             r.err);
}

BOOST_AUTO_TEST_CASE(empty_reads_below_the_limit_are_allowed) {
  const ProcessResult r = run_test_source("{plugin: spinning_source, with: {empty_reads: 999}}");
  BOOST_TEST(r.exit_code == 0, r.err);
}

BOOST_AUTO_TEST_CASE(two_job_files_with_one_name_are_reported_naming_both) {
  testing::TempDir dir;
  const TestDatabase database{dir.path()};
  const auto write_job = [&](const std::string& file) {
    testing::write_file(dir.file(file),
                        "name: shared\ndatabase: " + database.url() +
                            "\nsteps:\n  - name: s\n    source: {plugin: sequence_source, "
                            "with: {rows: 3}}\n    sinks: [{plugin: turso_sink, with: {table: "
                            "t}}]\n");
  };
  write_job("a.yaml");
  write_job("b.yaml");
  const auto run = [&](const std::string& file, const std::string& command = "run") {
    return testing::run_process({testing::hades_binary(), "--plugin-path",
                                 testing::test_plugin_dir(), command, dir.file(file)},
                                dir.path(), database.env());
  };
  const ProcessResult first = run("a.yaml");
  BOOST_REQUIRE_MESSAGE(first.exit_code == 0, first.err);
  const std::string both = "job files " + fs::canonical(dir.file("a.yaml")).string() + " and " +
                           fs::canonical(dir.file("b.yaml")).string() +
                           " both declare name: shared";
  for (const std::string command : {"run", "plan"}) {
    const ProcessResult second = run("b.yaml", command);
    BOOST_TEST(second.exit_code == 2, command << ": " << second.err);
    BOOST_TEST(second.err.find(both) != std::string::npos, command << ": " << second.err);
  }
  // A file that was moved away (or renamed its job) is no collision: b.yaml takes the name over.
  fs::remove(dir.file("a.yaml"));
  const ProcessResult moved = run("b.yaml");
  BOOST_TEST(moved.exit_code == 0, moved.err);
  const ProcessResult again = run("b.yaml");
  BOOST_TEST(again.exit_code == 0, again.err);
}

BOOST_AUTO_TEST_CASE(past_the_skip_budget_the_step_fails_with_exit_5) {
  JobDir job(50'000, "", /*skip_budget=*/3);
  const ProcessResult r = job.run();
  BOOST_TEST(r.exit_code == 5, r.err);
  BOOST_TEST(r.err.find("4 rejected records exceed skip_budget 3") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(summary_and_metrics_describe_the_run) {
  JobDir job(1'000);
  const ProcessResult r =
      job.run({"--summary", job.dir.file("s.json"), "--metrics", job.dir.file("m.prom")});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const auto summary = nlohmann::json::parse(testing::read_file(job.dir.file("s.json")));
  BOOST_TEST(summary["status"] == "succeeded");
  BOOST_TEST(summary["steps"][0]["plugins"][0]["plugin"] == "csv_source");
  BOOST_TEST(summary["steps"][0]["plugins"][0]["out"] == 1000);
  BOOST_TEST(summary["steps"][0]["plugins"][1]["out"] == 1000);
  const std::string metrics = testing::read_file(job.dir.file("m.prom"));
  BOOST_TEST(metrics.find("hades_run_exit_code{job=\"load_leads\"} 0") != std::string::npos);
  BOOST_TEST(metrics.find("hades_step_records{job=\"load_leads\",step=\"load\",plugin=\"turso_"
                          "sink\",kind=\"out\"} 1000") != std::string::npos,
             metrics);
  // A finished job run again starts a new run that reads the input again: runs are not
  // incremental unless the source's cursor makes them so.
  const ProcessResult again = job.run({"--fresh"});
  BOOST_TEST(again.exit_code == 0, again.err);
}

}  // namespace
}  // namespace hades
