// Database::query_each: rows one at a time, in order, with what query() returns, on a SQLite file
// and (under framework_test_sqld) on sqld through the default implementation; and on SQLite a
// real stream: rows arrive before the statement has finished.

#include <boost/test/unit_test.hpp>

#include "sqlite_database.h"
#include "test_database.h"
#include "test_support.h"

namespace hades {
namespace {

std::unique_ptr<Database> seeded() {
  std::unique_ptr<Database> db = testing::scratch_database();
  WriteBatch batch;
  batch.add("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, size REAL, data BLOB)");
  // Texts of falling and rising length: a reused row buffer must not keep a longer one's tail.
  batch.add("INSERT INTO t VALUES (1, 'a fairly long name to start with', 1.5, NULL)");
  batch.add("INSERT INTO t VALUES (2, 'short', NULL, x'00ff')");
  batch.add("INSERT INTO t VALUES (3, NULL, 3, 'x')");
  batch.add("INSERT INTO t VALUES (4, 'the longest name of them all, by some way', -2.25, NULL)");
  BOOST_REQUIRE(db->apply(batch).ok());
  return db;
}

std::vector<std::vector<Value>> each(Database& db, const std::string& sql,
                                     const std::vector<Value>& args = {}) {
  std::vector<std::vector<Value>> rows;
  const Status s = db.query_each(sql, args, [&rows](const std::vector<Value>& row) {
    rows.push_back(row);
    return Status::ok_status();
  });
  BOOST_REQUIRE_MESSAGE(s.ok(), s.to_string());
  return rows;
}

BOOST_AUTO_TEST_SUITE(database)

BOOST_AUTO_TEST_CASE(query_each_gives_the_rows_query_gives_in_order) {
  auto db = seeded();
  const std::string sql = "SELECT id, name, size, data FROM t WHERE id >= ? ORDER BY id";
  const Result<QueryResult> all = db->query(sql, {Value(std::int64_t{1})});
  BOOST_REQUIRE(all.ok());
  BOOST_TEST_REQUIRE(all->rows.size() == 4u);
  const auto streamed = each(*db, sql, {Value(std::int64_t{1})});
  BOOST_TEST_REQUIRE(streamed.size() == all->rows.size());
  for (std::size_t i = 0; i < streamed.size(); ++i) {
    BOOST_TEST_REQUIRE(streamed[i].size() == 4u);
    for (std::size_t c = 0; c < 4; ++c) {
      BOOST_TEST((streamed[i][c] == all->rows[i][c]), "row " << i << " column " << c << ": "
                                                             << type_name(streamed[i][c]) << " "
                                                             << to_text(streamed[i][c]));
    }
  }
  BOOST_TEST(std::get<std::string>(streamed[1][1]) == "short");
  BOOST_TEST(is_null(streamed[2][1]));
  BOOST_TEST(std::get<double>(streamed[2][2]) == 3.0);  // REAL column: a real
  // The arguments are bound: a filter that keeps two rows, and one that keeps none.
  BOOST_TEST(each(*db, sql, {Value(std::int64_t{3})}).size() == 2u);
  BOOST_TEST(each(*db, sql, {Value(std::int64_t{9})}).empty());
}

BOOST_AUTO_TEST_CASE(query_each_stops_at_the_first_error_the_visitor_returns) {
  auto db = seeded();
  int seen = 0;
  const Status stopped =
      db->query_each("SELECT id FROM t ORDER BY id", {}, [&seen](const std::vector<Value>& row) {
        ++seen;
        return as_int(row.at(0)).value_or(0) == 2 ? Status::cancelled("enough at 2")
                                                  : Status::ok_status();
      });
  BOOST_TEST(stopped.code() == StatusCode::kCancelled);
  BOOST_TEST(stopped.message() == "enough at 2");
  BOOST_TEST(seen == 2);
  // The statement was reset: the same SQL runs again from the first row.
  BOOST_TEST(each(*db, "SELECT id FROM t ORDER BY id").size() == 4u);
}

BOOST_AUTO_TEST_CASE(query_each_reports_sql_and_argument_errors) {
  auto db = seeded();
  const auto ignore = [](const std::vector<Value>&) { return Status::ok_status(); };
  BOOST_TEST(!db->query_each("SELECT nope FROM t", {}, ignore).ok());
  BOOST_TEST(!db->query_each("SELECT id FROM t WHERE id = ?", {}, ignore).ok());
  BOOST_TEST(as_int(each(*db, "SELECT count(*) FROM t").at(0).at(0)).value_or(0) == 4);
}

BOOST_AUTO_TEST_SUITE_END()

// The embedded backend only (framework_test_sqld leaves this suite out).
BOOST_AUTO_TEST_SUITE(sqlite_database)

// A statement that fails at its third row: the streaming SQLite backend has handed over the first
// two by then (query() would have returned none), and reports the error after them.
BOOST_AUTO_TEST_CASE(sqlite_streams_rows_before_the_statement_ends) {
  testing::TempDir dir;
  auto opened = open_sqlite_database(dir.file("stream.db"));
  BOOST_REQUIRE(opened.ok());
  Database& db = **opened;
  std::vector<std::int64_t> seen;
  const Status failed = db.query_each(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) "
      "SELECT CASE WHEN i < 3 THEN i ELSE json_extract('not json', '$') END FROM n",
      {}, [&seen](const std::vector<Value>& row) {
        seen.push_back(as_int(row.at(0)).value_or(-1));
        return Status::ok_status();
      });
  BOOST_TEST(!failed.ok());
  BOOST_TEST(failed.message().find("malformed JSON") != std::string::npos, failed.to_string());
  BOOST_TEST(seen == (std::vector<std::int64_t>{1, 2}), "rows before the failing one");
  BOOST_TEST(db.query("SELECT 1").ok());  // the connection is usable afterwards
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades
