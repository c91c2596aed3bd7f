// Incremental sources (`incremental: true` on a step's source): a fresh run continues from the
// cursor the step's last successful run ended at; a failed run never moves that starting point;
// a resumed run keeps its own checkpoint. Driven through the hades binary with csv_source (whose
// cursor is a byte offset, so appended lines are exactly what a continuing run must read).
// CTest runs it on SQLite and, as incremental_e2e_test_sqld, on a real sqld.
#define BOOST_TEST_MODULE incremental_e2e_test
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "process.h"
#include "test_database.h"
#include "test_support.h"

namespace hades {
namespace {

using nlohmann::json;

struct IncrementalJob {
  testing::TempDir dir;
  testing::TestDatabase database{dir.path()};

  IncrementalJob() {
    testing::write_file(dir.file("in.csv"), "id,name\n1,a\n2,b\n3,c\n");
    write_job("true");
  }

  void write_job(const std::string& incremental) const {
    testing::write_file(dir.file("job.yaml"),
                        "name: incremental\n"
                        "database: " +
                            database.url() +
                            "\n"
                            "steps:\n"
                            "  - name: load\n"
                            "    chunk_size: 1\n"
                            "    skip_budget: 0\n"
                            "    source:\n"
                            "      plugin: csv_source\n"
                            "      incremental: " +
                            incremental +
                            "\n"
                            "      with: {path: " +
                            dir.file("in.csv") +
                            "}\n"
                            "    sinks: [{plugin: turso_sink, with: {table: names, key: [id]}}]\n");
  }

  void append(const std::string& lines) const {
    std::ofstream out(dir.file("in.csv"), std::ios::app);
    out << lines;
  }

  testing::ProcessResult hades(std::vector<std::string> args) const {
    args.insert(args.begin(),
                {testing::hades_binary(), "--plugin-path", testing::test_plugin_dir()});
    return testing::run_process(args, dir.path(), database.env());
  }

  // Runs the job and returns its summary (null when it wrote none).
  json run(int expected_exit, const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> args = {"run", dir.file("job.yaml"), "--summary",
                                     dir.file("summary.json")};
    args.insert(args.end(), extra.begin(), extra.end());
    const testing::ProcessResult r = hades(args);
    BOOST_TEST(r.exit_code == expected_exit, r.err);
    const json summary = json::parse(testing::read_file(dir.file("summary.json")), nullptr, false);
    return summary.is_discarded() ? json() : summary;
  }

  // How many records the source read in a successful run (-1 without a summary).
  std::int64_t read_count(const std::vector<std::string>& extra = {}) const {
    const json summary = run(0, extra);
    if (summary.is_null() || summary["steps"].empty()) return -1;
    const json& plugins = summary["steps"][0]["plugins"];
    return plugins.empty() ? -1 : plugins[0]["in"].get<std::int64_t>();
  }
};

BOOST_AUTO_TEST_CASE(a_fresh_run_continues_from_the_last_successful_run) {
  IncrementalJob job;
  const testing::ProcessResult first_plan = job.hades({"plan", job.dir.file("job.yaml")});
  BOOST_TEST(first_plan.out.find("step load: run from the start (incremental: no successful run "
                                 "yet)") != std::string::npos,
             first_plan.out);
  BOOST_TEST(job.read_count() == 3);
  const testing::ProcessResult plan = job.hades({"plan", job.dir.file("job.yaml")});
  BOOST_TEST(plan.out.find("step load: run incrementally from the cursor of run 1 ('offset=") !=
                 std::string::npos,
             plan.out);
  BOOST_TEST(job.read_count() == 0);  // nothing new since
  job.append("4,d\n5,e\n");
  BOOST_TEST(job.read_count() == 2);
  BOOST_TEST(job.read_count() == 0);
}

BOOST_AUTO_TEST_CASE(without_incremental_every_run_starts_at_the_beginning) {
  IncrementalJob job;
  job.write_job("false");
  BOOST_TEST(job.read_count() == 3);
  BOOST_TEST(job.read_count() == 3);
}

// Two good rows commit (chunk_size 1), then a bad one exceeds the skip budget of 0: the run
// fails (exit 5) with its checkpoint past the good rows. Then the bad row is repaired.
void fail_after_two_new_rows(IncrementalJob& job) {
  BOOST_TEST(job.read_count() == 3);
  job.append("4,d\n5,e\n6,f,extra\n");
  BOOST_TEST(job.run(5)["status"] == "failed");
  testing::write_file(job.dir.file("in.csv"), "id,name\n1,a\n2,b\n3,c\n4,d\n5,e\n6,f\n");
}

BOOST_AUTO_TEST_CASE(a_failed_run_does_not_move_the_starting_cursor) {
  IncrementalJob job;
  fail_after_two_new_rows(job);
  // --fresh abandons the failed run; the new one starts where the last *successful* run ended,
  // so it reads all three new rows (from the failed run's checkpoint it would read one).
  BOOST_TEST(job.read_count({"--fresh"}) == 3);
  BOOST_TEST(job.read_count() == 0);
}

BOOST_AUTO_TEST_CASE(a_resumed_run_keeps_its_own_checkpoint) {
  IncrementalJob job;
  fail_after_two_new_rows(job);
  const json summary = job.run(0);
  BOOST_TEST(summary["resumed"] == true);
  BOOST_TEST(summary["steps"][0]["resumed_from_chunk"] == 2);
  BOOST_TEST(job.read_count() == 0);
}

BOOST_AUTO_TEST_CASE(incremental_is_only_for_sources_and_must_be_a_boolean) {
  IncrementalJob job;
  testing::write_file(
      job.dir.file("bad.yaml"),
      "name: bad\n"
      "database: sqlite://" +
          job.dir.file("job.db") +
          "\n"
          "steps:\n"
          "  - name: load\n"
          "    source: {plugin: csv_source, incremental: maybe, with: {path: a}}\n"
          "    sinks: [{plugin: turso_sink, incremental: true, with: {table: t}}]\n");
  const testing::ProcessResult r = job.hades({"validate", job.dir.file("bad.yaml")});
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.err.find("bad.yaml:5:47: incremental of source of step 'load' must be true or "
                        "false, got 'maybe'") != std::string::npos,
             r.err);
  BOOST_TEST(r.err.find("bad.yaml:6:34: incremental is only allowed on a step's source") !=
                 std::string::npos,
             r.err);
}

}  // namespace
}  // namespace hades
