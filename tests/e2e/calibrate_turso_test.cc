// jobs/calibrate.yaml on a Turso database (a real sqld behind a counting proxy): the report is
// the one the same outcomes give on SQLite, and the per-bucket counts are aggregated by the
// database: the calibrator pulls a small fraction of the table's bytes over HTTP, not every row.
#define BOOST_TEST_MODULE calibrate_turso_test
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "fault_proxy.h"
#include "process.h"
#include "sqld.h"
#include "sqlite_database.h"
#include "test_support.h"

namespace hades {
namespace {

using testing::ProcessResult;

constexpr int kLeadRows = 20'000;
constexpr int kHistoricalRows = 5'000;
constexpr std::size_t kRowsPerBatch = 500;

void require_ok(const Status& status) { BOOST_REQUIRE_MESSAGE(status.ok(), status.to_string()); }

QueryResult query(Database& db, const std::string& sql) {
  Result<QueryResult> rows = db.query(sql);
  BOOST_REQUIRE_MESSAGE(rows.ok(), rows.status().to_string());
  return std::move(rows).value();
}

// Copies every table (schema, indexes and rows) of `from` into the empty `to`.
void copy_database(Database& from, Database& to) {
  WriteBatch schema;
  const QueryResult ddl = query(from,
                                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT "
                                "LIKE 'sqlite_%' ORDER BY type = 'index', rowid");
  for (const std::vector<Value>& row : ddl.rows) schema.add(to_text(row[0]));
  require_ok(to.apply(schema));

  const QueryResult tables = query(
      from, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
  for (const std::vector<Value>& table_row : tables.rows) {
    const std::string table = to_text(table_row[0]);
    const QueryResult rows = query(from, "SELECT * FROM \"" + table + "\"");
    if (rows.rows.empty()) continue;
    std::string placeholders = "?";
    for (std::size_t i = 1; i < rows.rows[0].size(); ++i) placeholders += ", ?";
    const std::string insert = "INSERT INTO \"" + table + "\" VALUES (" + placeholders + ")";
    for (std::size_t start = 0; start < rows.rows.size(); start += kRowsPerBatch) {
      WriteBatch batch;
      const std::size_t end = std::min(rows.rows.size(), start + kRowsPerBatch);
      for (std::size_t i = start; i < end; ++i) batch.add(insert, rows.rows[i]);
      require_ok(to.apply(batch));
    }
  }
}

// Equal JSON, except that numbers may differ in the last bits: sqld's SQLite sums floats in
// another order than the system's (the batch check's expected counts are SQL sums).
bool same_report_part(const nlohmann::json& a, const nlohmann::json& b, const std::string& where) {
  if (a.is_number_float() || b.is_number_float()) {
    const double x = a.get<double>();
    const double y = b.get<double>();
    const bool close = std::abs(x - y) <= 1e-12 * std::max({1.0, std::abs(x), std::abs(y)});
    BOOST_TEST(close, where << ": " << x << " vs " << y);
    return close;
  }
  if (a.type() != b.type() || a.size() != b.size()) {
    BOOST_TEST(a == b,
               where << ": " << a.dump().substr(0, 200) << " vs " << b.dump().substr(0, 200));
    return false;
  }
  if (a.is_object()) {
    bool same = true;
    for (auto it = a.begin(); it != a.end(); ++it) {
      same = b.contains(it.key()) && same_report_part(*it, b[it.key()], where + "." + it.key()) &&
             same;
    }
    return same;
  }
  if (a.is_array()) {
    bool same = true;
    for (std::size_t i = 0; i < a.size(); ++i) {
      same = same_report_part(a[i], b[i], where + "[" + std::to_string(i) + "]") && same;
    }
    return same;
  }
  BOOST_TEST(a == b, where << ": " << a.dump() << " vs " << b.dump());
  return a == b;
}

nlohmann::json run_calibration(const testing::TempDir& dir, const std::string& name,
                               std::map<std::string, std::string> env) {
  const std::string reports = dir.file("reports-" + name);
  const std::string job = testing::source_dir() + "/jobs/calibrate.yaml";
  const ProcessResult r =
      testing::run_process({testing::hades_binary(), "run", job, "--set", "report_dir=" + reports,
                            "--set", "seed=5", "--set", "bootstrap_resamples=2000"},
                           testing::source_dir(), env);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, name << ": " << r.err);
  return nlohmann::json::parse(testing::read_file(reports + "/calibration-latest.json"));
}

BOOST_AUTO_TEST_CASE(turso_gives_the_sqlite_report_and_aggregates_in_the_database) {
  testing::TempDir dir;
  const std::string sqlite_file = dir.file("outcomes.db");
  const ProcessResult generated = testing::run_process(
      {"/usr/bin/python3", testing::source_dir() + "/tools/generate_outcomes.py", "--rows",
       std::to_string(kLeadRows), "--historical", std::to_string(kHistoricalRows), "--seed", "11",
       "--db", sqlite_file},
      dir.path());
  BOOST_REQUIRE_MESSAGE(generated.exit_code == 0, generated.err);

  testing::SqldServer sqld;
  testing::FaultProxy proxy(sqld.port());
  {
    auto sqlite = open_sqlite_database(sqlite_file);
    BOOST_REQUIRE(sqlite.ok());
    copy_database(**sqlite, *sqld.open());
  }
  // What pulling every row would move: the outcome tables read through the same proxy, in
  // pages (sqld refuses replies past a size limit).
  std::int64_t every_row_bytes = 0;
  {
    auto through_proxy = sqld.open_at(proxy.url());
    const std::int64_t before = proxy.upstream_reply_bytes();
    for (const char* table : {"lead_outcomes", "historical_outcomes"}) {
      for (std::int64_t last = 0;;) {
        Result<QueryResult> page =
            through_proxy->query(std::string("SELECT rowid, * FROM ") + table +
                                     " WHERE rowid > ? ORDER BY rowid LIMIT 2000",
                                 {Value(last)});
        BOOST_REQUIRE_MESSAGE(page.ok(), page.status().to_string());
        if (page->rows.empty()) break;
        last = as_int(page->rows.back()[0]).value_or(0);
      }
    }
    every_row_bytes = proxy.upstream_reply_bytes() - before;
  }

  const nlohmann::json on_sqlite =
      run_calibration(dir, "sqlite", {{"HADES_DB", "sqlite://" + sqlite_file}});
  const std::int64_t bytes_before = proxy.upstream_reply_bytes();
  const nlohmann::json on_turso = run_calibration(
      dir, "turso", {{"HADES_DB", proxy.url()}, {"TURSO_AUTH_TOKEN", sqld.rw_token()}});
  const std::int64_t pulled = proxy.upstream_reply_bytes() - bytes_before;

  BOOST_TEST(on_sqlite["status"] == "ok");
  for (const char* part : {"data", "baseline", "dimensions", "backtest", "batches"}) {
    same_report_part(on_sqlite[part], on_turso[part], part);
  }
  BOOST_TEST(on_turso["data"]["lead_outcomes_matured"].get<int>() > 0);

  BOOST_TEST_MESSAGE("every row: " << every_row_bytes << " bytes; the calibration pulled "
                                   << pulled);
  BOOST_TEST(pulled > 0);
  BOOST_TEST(pulled * 10 < every_row_bytes, "pulled " << pulled << " of " << every_row_bytes);
}

}  // namespace
}  // namespace hades
