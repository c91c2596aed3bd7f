// order_by through the real binary: a step killed with SIGKILL before, during and after its
// ordering resumes to exactly the output of an uninterrupted run, with no duplicates; counts
// stay right across the resume; run files of dead attempts and abandoned runs are removed; a
// damaged run file stops the resume with exit 6. With HADES_TEST_DATABASE=sqld
// (order_e2e_test_sqld) every job keeps its database in a real sqld.
#define BOOST_TEST_MODULE order_e2e_test
#include <signal.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "process.h"
#include "test_database.h"
#include "test_support.h"

namespace hades {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::Process;
using testing::ProcessResult;
using testing::TestDatabase;

// Enough records for about a hundred spilled runs at 64KiB; about 22,000 are left to write.
constexpr int kRows = 40'000;
constexpr int kPersons = 30'000;

struct JobOptions {
  int pre_sleep_ms = 0;   // a slow_transform before order_by: a long read phase
  int post_sleep_ms = 0;  // a slow_transform after order_by: a long write phase
  std::string keys = "[{column: score, desc: true}, value, person_id]";
  std::string limit = "";  // empty: none
  bool done_marker = false;
};

// One job directory: its database, a job file ranking sequence_source records into a table.
struct OrderJob {
  testing::TempDir dir;
  TestDatabase database{dir.path()};
  std::string job;

  explicit OrderJob(const JobOptions& o = {}) {
    job = dir.file("job.yaml");
    std::string transforms;
    if (o.pre_sleep_ms > 0) {
      transforms +=
          "      - {plugin: slow_transform, with: {sleep_ms: " + std::to_string(o.pre_sleep_ms) +
          "}}\n";
    }
    transforms +=
        "      - order_by:\n"
        "          keys: " +
        o.keys +
        "\n"
        "          unique: [person_id]\n"
        "          memory: 64KiB\n"
        "          row_number: rank\n" +
        (o.limit.empty() ? "" : "          limit: " + o.limit + "\n");
    if (o.post_sleep_ms > 0) {
      transforms +=
          "      - {plugin: slow_transform, with: {sleep_ms: " + std::to_string(o.post_sleep_ms) +
          "}}\n";
    }
    testing::write_file(job,
                        "name: ordered\n"
                        "database: " +
                            database.url() +
                            "\n"
                            "rejects_dir: " +
                            dir.file("rejects") +
                            "\n"
                            "work_dir: " +
                            dir.file("work") +
                            "\n"
                            "steps:\n"
                            "  - name: rank\n"
                            "    chunk_size: 500\n"
                            "    skip_budget: 1000000\n"
                            "    source:\n"
                            "      plugin: sequence_source\n"
                            "      with: {rows: " +
                            std::to_string(kRows) + ", distinct: " + std::to_string(kPersons) +
                            (o.done_marker ? ", done_marker: " + done_marker() : std::string()) +
                            "}\n"
                            "    transforms:\n" +
                            transforms +
                            "    sinks: [{plugin: turso_sink, with: {table: ranked}}]\n");
  }

  std::string done_marker() const { return dir.file("read-done"); }
  std::string step_dir(int run = 1) const {
    return dir.file("work") + "/ordered/run-" + std::to_string(run) + "/rank";
  }
  std::vector<std::string> args(const std::string& command,
                                std::vector<std::string> extra = {}) const {
    std::vector<std::string> a = {testing::hades_binary(), "--plugin-path",
                                  testing::test_plugin_dir(), command, job};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  ProcessResult run(std::vector<std::string> extra = {}) const {
    return testing::run_process(args("run", std::move(extra)), dir.path(), database.env());
  }
  Process start() const { return Process(args("run"), dir.path(), database.env()); }

  // The table in the order the rows were written, with each value's type.
  std::string table_dump() const {
    auto db = database.open();
    auto rows = db->query(
        "SELECT id, person_id, score, typeof(value), value, filler, rank FROM ranked ORDER BY "
        "rowid");
    BOOST_REQUIRE(rows.ok());
    std::string dump;
    for (const auto& row : rows->rows) {
      for (const Value& v : row) dump += to_text(v) + "|";
      dump += "\n";
    }
    return dump;
  }
  std::int64_t count(const std::string& sql) const {
    auto rows = database.open()->query(sql);
    BOOST_REQUIRE(rows.ok());
    return as_int(rows->rows.at(0).at(0)).value_or(-1);
  }
  // The step's checkpoint, or null before its first commit.
  json checkpoint() const {
    auto rows = database.open()->query(
        "SELECT checkpoint FROM hades_steps WHERE step = 'rank' AND checkpoint != ''");
    if (!rows.ok() || rows->rows.empty()) return nullptr;
    return json::parse(to_text(rows->rows[0][0]), nullptr, false);
  }
  std::string last_run_status() const {
    auto rows =
        database.open()->query("SELECT status FROM hades_runs ORDER BY run_id DESC LIMIT 1");
    return rows.ok() && !rows->rows.empty() ? to_text(rows->rows[0][0]) : "";
  }
  std::string rejects() const {
    std::string all;
    for (const auto& entry : fs::recursive_directory_iterator(dir.file("rejects"))) {
      if (entry.path().extension() == ".jsonl") all += testing::read_file(entry.path().string());
    }
    return all;
  }
  std::size_t files_in_step_dir() const {
    std::error_code ec;
    std::size_t n = 0;
    for (auto it = fs::directory_iterator(step_dir(), ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
      ++n;
    }
    return n;
  }
};

// Waits (polling every 2 ms) until `ready` or the process ends; returns whether it is running.
template <typename Ready>
bool wait_until(Process& process, Ready ready) {
  while (process.running() && !ready()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  return process.running();
}

std::mt19937_64 seeded_rng() {
  const char* fixed = std::getenv("HADES_TEST_SEED");
  const std::uint64_t seed = fixed ? std::stoull(fixed) : std::random_device{}();
  BOOST_TEST_MESSAGE("random seed " << seed << " (set HADES_TEST_SEED to repeat)");
  return std::mt19937_64(seed);
}

// What an uninterrupted run writes: the reference every resumed run must match.
struct Reference {
  std::string table;
  std::string rejects;
  json summary;
};

const Reference& reference() {
  static const Reference kReference = [] {
    OrderJob job;
    const ProcessResult r = job.run({"--summary", job.dir.file("summary.json")});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return Reference{job.table_dump(), job.rejects(),
                     json::parse(testing::read_file(job.dir.file("summary.json")))};
  }();
  return kReference;
}

// The counts of the plugins both runs have, by label.
std::map<std::string, json> counts_by_plugin(const json& summary) {
  std::map<std::string, json> counts;
  for (json p : summary["steps"][0]["plugins"]) {
    p.erase("seconds");  // time spent, which differs from run to run
    counts[p["plugin"]] = p;
  }
  return counts;
}

// Resumes `job` to the end and checks it against the reference; returns the resumed run's
// stderr.
std::string resume_and_compare(const OrderJob& job) {
  const ProcessResult resumed = job.run({"--summary", job.dir.file("resumed.json")});
  BOOST_REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.err);
  BOOST_TEST(resumed.err.find("resuming run 1") != std::string::npos, resumed.err);
  BOOST_TEST(job.table_dump() == reference().table);
  BOOST_TEST(job.rejects() == reference().rejects);
  const auto expected = counts_by_plugin(reference().summary);
  const json summary = json::parse(testing::read_file(job.dir.file("resumed.json")));
  for (const auto& [plugin, counts] : counts_by_plugin(summary)) {
    if (expected.count(plugin) != 0) BOOST_TEST(counts == expected.at(plugin), plugin);
  }
  BOOST_TEST(!fs::exists(job.step_dir()));
  return resumed.err;
}

BOOST_AUTO_TEST_CASE(an_ordered_run_ranks_drops_duplicates_counts_them_and_cleans_up) {
  OrderJob job;
  const ProcessResult r =
      job.run({"--summary", job.dir.file("s.json"), "--metrics", job.dir.file("m.prom")});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const std::int64_t kept = job.count("SELECT count(*) FROM ranked");
  BOOST_TEST(kept == job.count("SELECT count(DISTINCT person_id) FROM ranked"));
  BOOST_TEST(kept > 20'000);
  BOOST_TEST(kept < kRows);
  // Ranks follow the write order; scores never rise; null scores come last (descending).
  BOOST_TEST(job.count("SELECT count(*) FROM ranked WHERE rank != rowid") == 0);
  BOOST_TEST(job.count("SELECT count(*) FROM ranked a JOIN ranked b ON b.rowid = a.rowid + 1 "
                       "WHERE b.score > a.score OR (a.score IS NULL AND b.score IS NOT NULL)") ==
             0);
  BOOST_TEST(job.count("SELECT count(*) FROM ranked WHERE typeof(value) = 'real'") > 1000);

  const json summary = json::parse(testing::read_file(job.dir.file("s.json")));
  const json& plugins = summary["steps"][0]["plugins"];
  BOOST_TEST_REQUIRE(plugins.size() == 3u);
  BOOST_TEST(plugins[0]["plugin"] == "sequence_source");
  BOOST_TEST(plugins[0]["out"] == kRows);
  BOOST_TEST(plugins[1]["plugin"] == "order_by");
  BOOST_TEST(plugins[1]["in"] == kRows);
  BOOST_TEST(plugins[1]["rejected_by_kind"]["duplicate"] == kRows - kept);
  BOOST_TEST(summary["steps"][0]["rejected_by_kind"]["duplicate"] == kRows - kept);
  BOOST_TEST(plugins[1]["rejected"] == kRows - kept);
  BOOST_TEST(plugins[1]["out"] == kept);
  BOOST_TEST(plugins[2]["in"] == kept);
  BOOST_TEST(summary["steps"][0]["rejected"] == kRows - kept);
  const std::string metrics = testing::read_file(job.dir.file("m.prom"));
  BOOST_TEST(metrics.find("plugin=\"order_by\",reason=\"duplicate\"} " +
                          std::to_string(kRows - kept)) != std::string::npos,
             metrics);

  const std::string rejects = job.rejects();
  BOOST_TEST(std::count(rejects.begin(), rejects.end(), '\n') == kRows - kept);
  static const std::regex kDuplicate(
      R"("plugin":"order_by","position":"seq:\d+","reason":"duplicate: the same person_id as the record at seq:\d+")");
  BOOST_TEST(std::regex_search(rejects, kDuplicate), rejects.substr(0, 400));
  BOOST_TEST(r.err.find("sorted run(s) written") != std::string::npos, r.err);
  BOOST_TEST(!fs::exists(job.dir.file("work") + "/ordered/run-1"));
}

BOOST_AUTO_TEST_CASE(sigkill_before_ordering_reads_again_without_the_dead_attempts_files) {
  OrderJob job({.pre_sleep_ms = 15});
  const std::string left_over = job.step_dir() + "/left-by-a-dead-attempt";
  for (int attempt = 0; attempt < 2; ++attempt) {
    BOOST_TEST_CONTEXT("attempt " << attempt) {
      Process run = job.start();
      // Some runs spilled and the read phase still going. In the second attempt this also
      // waits for the first attempt's files to go: it never ends if they stay.
      BOOST_TEST_REQUIRE(
          wait_until(run, [&] { return !fs::exists(left_over) && job.files_in_step_dir() >= 3; }));
      run.send(SIGKILL);
      run.wait();
      BOOST_TEST(job.checkpoint().is_null());  // nothing committed before the barrier
      BOOST_TEST(job.files_in_step_dir() >= 3u);
      testing::write_file(left_over, "x");
    }
  }
  const std::string err = resume_and_compare(job);
  BOOST_TEST(err.find("records in") != std::string::npos, err);  // it read everything again
}

BOOST_AUTO_TEST_CASE(sigkill_while_ordering_reads_again) {
  int landed = 0;
  int trials = 0;
  for (; trials < 6 && landed < 2; ++trials) {
    OrderJob job({.done_marker = true});
    Process run = job.start();
    const bool running = wait_until(run, [&] { return fs::exists(job.done_marker()); });
    run.send(SIGKILL);
    run.wait();
    // The kill must fall after the last record was read and before the barrier's commit.
    if (!running || !job.checkpoint().is_null()) continue;
    ++landed;
    BOOST_TEST_CONTEXT("trial " << trials) {
      const std::string err = resume_and_compare(job);
      BOOST_TEST(err.find("records in") != std::string::npos, err);
    }
  }
  BOOST_TEST_MESSAGE(landed << " of " << trials
                            << " kill(s) landed between the end of the read and the barrier");
  BOOST_TEST(landed >= 1, "no kill landed between the end of the read and the barrier");
}

BOOST_AUTO_TEST_CASE(sigkill_after_ordering_resumes_mid_write_without_reading_again) {
  auto rng = seeded_rng();
  // About 22,000 records are left after unique (30,000 persons drawn 40,000 times): 44 chunks.
  std::uniform_int_distribution<int> target(1, 35);
  std::uniform_int_distribution<int> extra_ms(0, 20);
  for (int trial = 0; trial < 3; ++trial) {
    OrderJob job({.post_sleep_ms = 10});
    Process run = job.start();
    const int chunks = target(rng);
    const int at = extra_ms(rng);
    BOOST_TEST_CONTEXT("trial " << trial << ": killed " << at << " ms after chunk " << chunks) {
      BOOST_TEST_REQUIRE(wait_until(run, [&] {
        const json cp = job.checkpoint();
        return cp.is_object() && cp["order"]["emitted"].get<int>() >= chunks * 500;
      }));
      std::this_thread::sleep_for(std::chrono::milliseconds(at));
      run.send(SIGKILL);
      run.wait();
      BOOST_TEST_REQUIRE(job.last_run_status() != "succeeded");
      const json cp = job.checkpoint();
      BOOST_TEST(cp["version"] == 2);
      BOOST_TEST(cp["order"]["runs"].size() <= 32u);
      const ProcessResult plan =
          testing::run_process(job.args("plan"), job.dir.path(), job.database.env());
      BOOST_TEST(plan.out.find("after record " + std::to_string(cp["order"]["emitted"].get<int>()) +
                               " of ") != std::string::npos,
                 plan.out);
      BOOST_TEST(plan.out.find("order_by score desc, value, person_id; unique person_id") !=
                     std::string::npos,
                 plan.out);
      const std::string err = resume_and_compare(job);
      BOOST_TEST(err.find("records in") == std::string::npos, err);  // the source was not read
    }
  }
}

BOOST_AUTO_TEST_CASE(a_limit_survives_a_kill_mid_write) {
  OrderJob reference_job({.limit = "12345"});
  BOOST_REQUIRE(reference_job.run().exit_code == 0);
  OrderJob job({.post_sleep_ms = 10, .limit = "12345"});
  Process run = job.start();
  BOOST_TEST_REQUIRE(wait_until(run, [&] {
    const json cp = job.checkpoint();
    return cp.is_object() && cp["order"]["emitted"].get<int>() >= 5000;
  }));
  run.send(SIGKILL);
  run.wait();
  const ProcessResult resumed = job.run();
  BOOST_REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.err);
  BOOST_TEST(job.count("SELECT count(*) FROM ranked") == 12345);
  BOOST_TEST(job.table_dump() == reference_job.table_dump());
  // The best 12345 of the whole order: the first rows of the unlimited reference.
  const std::string& all = reference().table;
  std::size_t end = 0;
  for (int i = 0; i < 12345; ++i) end = all.find('\n', end) + 1;
  BOOST_TEST(job.table_dump() == all.substr(0, end));
}

BOOST_AUTO_TEST_CASE(fresh_removes_the_abandoned_runs_files) {
  OrderJob job({.post_sleep_ms = 10});
  Process run = job.start();
  BOOST_TEST_REQUIRE(wait_until(run, [&] { return job.checkpoint().is_object(); }));
  run.send(SIGKILL);
  run.wait();
  BOOST_TEST_REQUIRE(job.files_in_step_dir() > 0u);
  const ProcessResult fresh = job.run({"--fresh"});
  BOOST_REQUIRE_MESSAGE(fresh.exit_code == 0, fresh.err);
  BOOST_TEST(!fs::exists(job.dir.file("work") + "/ordered/run-1"));
  BOOST_TEST(!fs::exists(job.dir.file("work") + "/ordered/run-2"));
}

BOOST_AUTO_TEST_CASE(a_damaged_run_file_stops_the_resume_with_exit_6) {
  OrderJob job({.post_sleep_ms = 10});
  Process run = job.start();
  BOOST_TEST_REQUIRE(wait_until(run, [&] { return job.checkpoint().is_object(); }));
  run.send(SIGKILL);
  run.wait();
  const json cp = job.checkpoint();
  const std::string victim =
      job.step_dir() + "/" + cp["order"]["runs"][0]["name"].get<std::string>();
  std::string bytes = testing::read_file(victim);
  bytes[bytes.size() - 3] ^= 1;
  testing::write_file(victim, bytes);
  const ProcessResult resumed = job.run();
  BOOST_TEST(resumed.exit_code == 6, resumed.err);
  BOOST_TEST(resumed.err.find(victim) != std::string::npos, resumed.err);
  BOOST_TEST(resumed.err.find("--fresh") != std::string::npos, resumed.err);
}

BOOST_AUTO_TEST_CASE(a_key_that_is_no_column_stops_the_run_with_exit_2_at_its_line) {
  OrderJob job({.keys = "[{column: scroe, desc: true}]"});
  const ProcessResult r = job.run();
  BOOST_TEST(r.exit_code == 2, r.err);
  BOOST_TEST(r.err.find(job.job + ":14:27: order_by key 'scroe' is not a column of the records "
                                  "reaching order_by; did you mean 'score'?") != std::string::npos,
             r.err);
}

// The order_by examples of docs/job-file.md pass `hades validate` with the real plugins.
BOOST_AUTO_TEST_CASE(the_order_by_examples_of_the_docs_validate) {
  const std::string docs = testing::read_file(testing::source_dir() + "/docs/job-file.md");
  static const std::regex kBlock("```yaml\n([\\s\\S]*?)```");
  // Run where a user would: beside the inputs the examples name, with the shipped icp.yaml.
  testing::TempDir dir;
  std::filesystem::create_directories(dir.file("var/demo"));
  std::filesystem::create_directories(dir.file("config"));
  testing::write_file(dir.file("var/demo/leads-intent.csv"), "person_id\n");
  std::filesystem::copy_file(testing::source_dir() + "/config/icp.yaml",
                             dir.file("config/icp.yaml"));
  int checked = 0;
  for (auto it = std::sregex_iterator(docs.begin(), docs.end(), kBlock);
       it != std::sregex_iterator(); ++it) {
    const std::string text = (*it)[1];
    if (text.find("order_by:") == std::string::npos) continue;
    const std::string file = dir.file("example-" + std::to_string(++checked) + ".yaml");
    testing::write_file(file, text);
    const ProcessResult r =
        testing::run_process({testing::hades_binary(), "validate", file}, dir.path(),
                             {{"HADES_DB", "sqlite://" + dir.file("hades.db")}});
    BOOST_TEST(r.exit_code == 0, text << r.err);
  }
  BOOST_TEST(checked >= 2);
}

}  // namespace
}  // namespace hades
