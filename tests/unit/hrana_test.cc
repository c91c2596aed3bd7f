// The Turso backend against a real sqld: every value type round-trips exactly as on SQLite, a
// failing statement rolls the whole batch back and is named, a wrong or read-only token fails at
// once with a clear message, and the run state (migrations, runs, checkpoints, locks) works.
#define BOOST_TEST_MODULE hrana_test
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <limits>

#include "counting_http_client.h"
#include "hades/http.h"
#include "hades/migrations.h"
#include "hrana_database.h"
#include "run_state.h"
#include "sqld.h"
#include "sqlite_database.h"
#include "test_support.h"

namespace hades {
namespace {

using testing::CountingClient;

std::unique_ptr<Database> open_counted(const testing::SqldServer& sqld, const std::string& token,
                                       int* count) {
  HranaOptions options;
  options.url = sqld.url();
  options.auth_token = token;
  options.initial_backoff = std::chrono::milliseconds(10);
  return open_hrana_database(options, std::make_unique<CountingClient>(count)).value();
}

std::int64_t count_rows(Database& db, const std::string& table) {
  auto rows = db.query("SELECT count(*) FROM " + table);
  BOOST_REQUIRE_MESSAGE(rows.ok(), rows.status().to_string());
  return as_int(rows->rows.at(0).at(0)).value_or(-1);
}

// Every Value type with its edge cases, and a blob made in SQL (Value has no blob type).
const std::vector<Value>& edge_values() {
  static const std::vector<Value> kValues = {
      Value(Null{}),
      Value(std::numeric_limits<std::int64_t>::max()),
      Value(std::numeric_limits<std::int64_t>::min()),
      Value(std::int64_t{0}),
      Value(std::int64_t{-1}),
      Value(0.1),
      Value(-1.5e300),
      Value(std::numeric_limits<double>::denorm_min()),
      Value(std::numeric_limits<double>::max()),
      Value(-0.0),
      Value(1.0),
      Value(std::string("plain")),
      Value(std::string("")),
      Value(std::string("h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xf0\x9d\x84\x9e")),
      Value(std::string("a\0b\0", 4)),
      Value(std::string("quote \" backslash \\ newline \n tab \t")),
  };
  return kValues;
}

WriteBatch edge_batch() {
  WriteBatch batch;
  batch.add("CREATE TABLE IF NOT EXISTS v (i INTEGER PRIMARY KEY, x)");
  const auto& values = edge_values();
  for (std::size_t i = 0; i < values.size(); ++i) {
    batch.add("INSERT INTO v (i, x) VALUES (?, ?)", {static_cast<std::int64_t>(i), values[i]});
  }
  batch.add("INSERT INTO v (i, x) VALUES (100, X'00ff7f80')");
  batch.add("INSERT INTO v (i, x) VALUES (101, ?)", {Value(true)});
  batch.add("INSERT INTO v (i, x) VALUES (102, ?)", {Value(std::nan(""))});
  return batch;
}

std::string describe(const Value& v) {
  std::string out(type_name(v));
  out += ":";
  if (const double* d = std::get_if<double>(&v)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%a", *d);  // exact, sign of zero included
    return out + buf;
  }
  return out + to_text(v);
}

std::vector<std::string> dump(Database& db) {
  auto rows = db.query("SELECT i, x, typeof(x) FROM v ORDER BY i");
  BOOST_REQUIRE_MESSAGE(rows.ok(), rows.status().to_string());
  std::vector<std::string> out;
  for (const auto& row : rows->rows) {
    out.push_back(describe(row[0]) + " " + describe(row[1]) + " " + to_text(row[2]));
  }
  return out;
}

BOOST_AUTO_TEST_CASE(every_value_type_round_trips_exactly_as_on_sqlite) {
  testing::SqldServer sqld;
  auto remote = sqld.open();
  auto local = open_sqlite_database(":memory:").value();
  const Status applied = remote->apply(edge_batch());
  BOOST_REQUIRE_MESSAGE(applied.ok(), applied.to_string());
  BOOST_REQUIRE(local->apply(edge_batch()).ok());
  const auto got = dump(*remote);
  BOOST_TEST(got == dump(*local), boost::test_tools::per_element());
  BOOST_TEST(remote->backend() == "libsql");

  // Spot checks, so the comparison cannot pass by both sides being wrong the same way.
  auto rows = remote->query("SELECT x FROM v WHERE i IN (1, 2, 14, 100) ORDER BY i").value();
  BOOST_TEST(std::get<std::int64_t>(rows.rows[0][0]) == std::numeric_limits<std::int64_t>::max());
  BOOST_TEST(std::get<std::int64_t>(rows.rows[1][0]) == std::numeric_limits<std::int64_t>::min());
  BOOST_TEST(std::get<std::string>(rows.rows[2][0]) == std::string("a\0b\0", 4));
  BOOST_TEST(std::get<std::string>(rows.rows[3][0]) == std::string("\x00\xff\x7f\x80", 4));
  // Arguments and columns of a query travel the same way.
  auto echoed =
      remote->query("SELECT ?, ?, ?", {edge_values()[2], edge_values()[7], edge_values()[14]})
          .value();
  BOOST_TEST((echoed.rows.at(0) ==
              std::vector<Value>{edge_values()[2], edge_values()[7], edge_values()[14]}));
  BOOST_TEST((echoed.columns == std::vector<std::string>{"?", "?", "?"}));
}

BOOST_AUTO_TEST_CASE(values_hrana_cannot_carry_are_refused_naming_the_statement) {
  testing::SqldServer sqld;
  auto db = sqld.open();
  WriteBatch batch;
  batch.add("CREATE TABLE t (x)");
  batch.add("INSERT INTO t VALUES (?)", {Value(std::numeric_limits<double>::infinity())});
  Status s = db->apply(batch);
  BOOST_TEST(!s.ok());
  BOOST_TEST(!s.retryable());
  BOOST_TEST(s.message().find("statement 1: argument 1: an infinite float") != std::string::npos,
             s.message());
  WriteBatch latin1;
  latin1.add("INSERT INTO t VALUES (?)", {Value(std::string("caf\xe9"))});
  s = db->apply(latin1);
  BOOST_TEST(s.message().find("not valid UTF-8") != std::string::npos, s.message());
}

BOOST_AUTO_TEST_CASE(a_failing_statement_rolls_back_the_whole_batch_and_is_named) {
  testing::SqldServer sqld;
  int requests = 0;
  auto db = open_counted(sqld, sqld.rw_token(), &requests);
  WriteBatch ddl;
  ddl.add("CREATE TABLE u (id INTEGER PRIMARY KEY, v TEXT)");
  BOOST_REQUIRE(db->apply(ddl).ok());
  WriteBatch batch;
  batch.add("INSERT INTO u VALUES (1, 'a')");
  batch.add("INSERT INTO u VALUES (2, 'b')");
  batch.add("INSERT INTO u VALUES (1, 'again')");
  batch.add("INSERT INTO u VALUES (3, 'c')");
  requests = 0;
  const Status s = db->apply(batch);
  BOOST_TEST(!s.ok());
  BOOST_TEST(!s.retryable());
  BOOST_TEST(requests == 1);
  BOOST_TEST(s.message().find("statement 2: SQLITE_CONSTRAINT") != std::string::npos, s.message());
  BOOST_TEST(s.message().find("UNIQUE constraint failed: u.id") != std::string::npos, s.message());
  BOOST_TEST(s.message().find("INSERT INTO u VALUES (1, 'again')") != std::string::npos);
  BOOST_TEST(count_rows(*db, "u") == 0);

  // A syntax error anywhere refuses the batch before any step runs.
  WriteBatch bad;
  bad.add("INSERT INTO u VALUES (4, 'd')");
  bad.add("INSRT INTO u VALUES (5, 'e')");
  const Status parse = db->apply(bad);
  BOOST_TEST(!parse.retryable());
  BOOST_TEST(parse.message().find("SQL_PARSE_ERROR") != std::string::npos, parse.message());
  BOOST_TEST(count_rows(*db, "u") == 0);
  // The connection and the guard table are fine afterwards.
  WriteBatch good;
  good.add("INSERT INTO u VALUES (7, 'g')");
  BOOST_TEST(db->apply(good).ok());
  BOOST_TEST(count_rows(*db, "u") == 1);
}

BOOST_AUTO_TEST_CASE(a_wrong_token_fails_at_once_with_a_clear_message) {
  testing::SqldServer sqld;
  int requests = 0;
  auto db = open_counted(sqld, "not-a-jwt", &requests);
  const auto read = db->query("SELECT 1");
  BOOST_TEST(read.status().code() == StatusCode::kInvalidConfig);
  BOOST_TEST(!read.status().retryable());
  BOOST_TEST(
      read.status().message().find("the auth token was refused (HTTP 401)") != std::string::npos,
      read.status().message());
  WriteBatch batch;
  batch.add("CREATE TABLE t (x)");
  BOOST_TEST(db->apply(batch).code() == StatusCode::kInvalidConfig);
  BOOST_TEST(requests == 2);  // no retry loop

  // A token signed by another key, and one that expired, are refused the same way.
  testing::SqldServer other;
  auto foreign = open_counted(sqld, other.rw_token(), &requests);
  BOOST_TEST(foreign->query("SELECT 1").status().code() == StatusCode::kInvalidConfig);
  auto expired = open_counted(sqld, sqld.mint_token(R"({"a":"rw","exp":1000})"), &requests);
  BOOST_TEST(expired->query("SELECT 1").status().code() == StatusCode::kInvalidConfig);
}

BOOST_AUTO_TEST_CASE(a_read_only_token_reads_but_cannot_write) {
  testing::SqldServer sqld;
  WriteBatch ddl;
  ddl.add("CREATE TABLE t (x)");
  ddl.add("INSERT INTO t VALUES (1)");
  BOOST_REQUIRE(sqld.open()->apply(ddl).ok());
  int requests = 0;
  auto ro = open_counted(sqld, sqld.ro_token(), &requests);
  BOOST_TEST(count_rows(*ro, "t") == 1);
  WriteBatch write;
  write.add("INSERT INTO t VALUES (2)");
  const Status s = ro->apply(write);
  BOOST_TEST(s.code() == StatusCode::kInvalidConfig);
  BOOST_TEST(s.message().find("HTTP 403") != std::string::npos, s.message());
  BOOST_TEST(s.message().find("a read-only token cannot write") != std::string::npos);
  BOOST_TEST(requests == 2);
  BOOST_TEST(count_rows(*ro, "t") == 1);
}

BOOST_AUTO_TEST_CASE(run_state_migrations_runs_checkpoints_and_locks_work_on_sqld) {
  testing::SqldServer sqld;
  auto db = sqld.open();
  RunState state(*db, ProcessIdentity{100, "host-a", 1},
                 [](const ProcessIdentity&) { return true; });
  BOOST_REQUIRE(state.migrate().ok());
  BOOST_REQUIRE(state.migrate().ok());  // idempotent
  auto lock = state.acquire_lock("job", "t0");
  BOOST_REQUIRE_MESSAGE(lock.ok(), lock.status().to_string());
  RunState other(*db, ProcessIdentity{200, "host-a", 2},
                 [](const ProcessIdentity&) { return true; });
  BOOST_TEST(other.acquire_lock("job", "t1").status().code() == StatusCode::kLocked);
  auto run = state.start_run("job", "{}", "", "t0");
  BOOST_REQUIRE(run.ok());
  auto second = state.start_run("job", "{}", "", "t1");
  BOOST_TEST(second->run_id == run->run_id + 1);
  WriteBatch chunk;
  chunk.add("CREATE TABLE IF NOT EXISTS rows (x)");
  chunk.add("INSERT INTO rows VALUES (?)", {Value(std::int64_t{1})});
  RunState::add_checkpoint(chunk, run->run_id, "load", R"({"chunks":1})", "t2");
  BOOST_REQUIRE(db->apply(chunk).ok());
  auto steps = state.steps(run->run_id).value();
  BOOST_REQUIRE(steps.size() == 1);
  BOOST_TEST(steps[0].checkpoint == R"({"chunks":1})");
  auto frozen = state.freeze_run_value(run->run_id, "k", "v1");
  BOOST_TEST(frozen.value() == "v1");
  BOOST_TEST(state.freeze_run_value(run->run_id, "k", "v2").value() == "v1");
  BOOST_TEST(state.release_lock("job", lock->token).ok());
  BOOST_TEST(!state.lock_holder("job").value().has_value());
}

}  // namespace
}  // namespace hades
