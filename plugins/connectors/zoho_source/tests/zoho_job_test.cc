// zoho_source through the hades binary, as a scheduler runs it: a tiny job (zoho_job.yaml in
// this folder: zoho_source -> turso_sink on SQLite) against the simulator, SIGKILLed mid-run and
// run again, must leave the same table as an uninterrupted run; a second night with
// `incremental: true` asks once and reads nothing; debug logs never show a secret.
#include <signal.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <thread>

#include "process.h"
#include "sim_client.h"
#include "sqlite_database.h"
#include "test_support.h"

namespace hades {
namespace {

using nlohmann::json;
using zoho_sim::testing::RunningSim;

struct JobHarness {
  testing::TempDir dir;
  std::unique_ptr<RunningSim> sim;

  JobHarness() {
    zoho_sim::SimulatorOptions options;
    options.latency = std::chrono::milliseconds(40);
    options.request_log_path = dir.file("requests.jsonl");
    sim = std::make_unique<RunningSim>(zoho_sim::testing::make_org(3000), std::move(options));
  }

  std::map<std::string, std::string> env(const std::string& db) const {
    return {{"ZOHO_ACCOUNTS_URL", sim->url("")},
            {"ZOHO_CLIENT_ID", std::string(zoho_sim::testing::kClientId)},
            {"ZOHO_CLIENT_SECRET", std::string(zoho_sim::testing::kClientSecret)},
            {"ZOHO_REFRESH_TOKEN", std::string(zoho_sim::testing::kRefreshToken)},
            {"ZOHO_TEST_DB", "sqlite://" + dir.file(db)}};
  }

  std::vector<std::string> args(const std::string& summary) const {
    return {testing::hades_binary(),
            "--plugin-path",
            testing::test_plugin_dir(),
            "--log-level",
            "debug",
            "run",
            testing::source_dir() + "/plugins/connectors/zoho_source/tests/zoho_job.yaml",
            "--summary",
            dir.file(summary)};
  }

  testing::ProcessResult run(const std::string& db, const std::string& summary) const {
    return testing::run_process(args(summary), dir.path(), env(db));
  }

  int api_calls() const {
    std::ifstream in(dir.file("requests.jsonl"));
    int n = 0;
    for (std::string line; std::getline(in, line);) n += json::parse(line).value("api_call", false);
    return n;
  }
};

std::vector<std::vector<Value>> table(const std::string& path) {
  auto db = open_sqlite_database(path);
  BOOST_TEST_REQUIRE(db.ok());
  auto rows = (*db)->query("SELECT * FROM zoho_leads ORDER BY id");
  BOOST_TEST_REQUIRE(rows.ok(), rows.status().message());
  return rows->rows;
}

std::int64_t committed_chunks(const std::string& path) {
  auto db = open_sqlite_database(path);
  if (!db.ok()) return 0;
  auto rows = (*db)->query("SELECT checkpoint FROM hades_steps WHERE step = 'import'");
  if (!rows.ok() || rows->rows.empty()) return 0;
  const json cp = json::parse(to_text(rows->rows[0][0]), nullptr, false);
  return cp.is_object() ? cp.value("chunks", std::int64_t{0}) : 0;
}

void check_no_secret(const std::string& text, const std::string& what) {
  for (std::string_view secret : {zoho_sim::testing::kClientSecret,
                                  zoho_sim::testing::kRefreshToken, zoho_sim::testing::kClientId}) {
    BOOST_TEST(text.find(secret) == std::string::npos, what << " shows a secret");
  }
  BOOST_TEST(text.find("1000.") == std::string::npos, what << " shows a token");
}

BOOST_AUTO_TEST_SUITE(zoho_source_job)

BOOST_AUTO_TEST_CASE(sigkill_mid_run_then_rerun_gives_the_same_table) {
  JobHarness h;
  const testing::ProcessResult whole = h.run("whole.db", "whole.json");
  BOOST_TEST_REQUIRE(whole.exit_code == 0, whole.err);
  const auto expected = table(h.dir.file("whole.db"));
  BOOST_TEST(expected.size() == 3000u);
  check_no_secret(whole.out + whole.err + testing::read_file(h.dir.file("whole.json")), "run");
  BOOST_TEST(whole.err.find("POST /crm/v8/coql -> 200") != std::string::npos, whole.err);

  testing::Process victim(h.args("killed.json"), h.dir.path(), h.env("killed.db"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (committed_chunks(h.dir.file("killed.db")) < 3 &&
         std::chrono::steady_clock::now() < deadline && victim.running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  victim.send(SIGKILL);
  const testing::ProcessResult killed = victim.wait();
  BOOST_TEST(killed.signal == SIGKILL);
  const std::int64_t at_kill = committed_chunks(h.dir.file("killed.db"));
  BOOST_TEST(at_kill >= 3);
  BOOST_TEST(at_kill < 15);  // it really stopped mid-run (15 chunks of 200)
  const testing::ProcessResult resumed = h.run("killed.db", "resumed.json");
  BOOST_TEST_REQUIRE(resumed.exit_code == 0, resumed.err);
  BOOST_TEST(json::parse(testing::read_file(h.dir.file("resumed.json")))["resumed"] == true);
  BOOST_TEST((table(h.dir.file("killed.db")) == expected));
  check_no_secret(resumed.out + resumed.err, "resumed run");

  // The next night: incremental, nothing changed: one COQL call (204), no rows, same table.
  const int before = h.api_calls();
  const testing::ProcessResult night = h.run("whole.db", "night.json");
  BOOST_TEST_REQUIRE(night.exit_code == 0, night.err);
  BOOST_TEST(h.api_calls() == before + 1);
  const json summary = json::parse(testing::read_file(h.dir.file("night.json")));
  BOOST_TEST(summary["steps"][0]["plugins"][0]["out"] == 0);
  BOOST_TEST((table(h.dir.file("whole.db")) == expected));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades
