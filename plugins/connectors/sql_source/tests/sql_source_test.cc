// Tests of sql_source: named-parameter translation, the paging SQL, cursors, and the plugin
// against the real SQLite backend, read and resumed the way the runner does.

#define BOOST_TEST_MODULE sql_source
#include "sql_source.h"

#include <boost/test/unit_test.hpp>
#include <memory>
#include <string>
#include <vector>

#include "sql_text.h"
#include "test_database.h"
#include "test_support.h"

namespace hades::sql_source {
namespace {

using hades::testing::CollectingRejects;
using hades::testing::FakeContext;
using Strings = std::vector<std::string>;

std::string show(const Value& v) { return is_null(v) ? "<null>" : to_text(v); }

// ---------------------------------------------------------------------------------------------
// Named parameters

BOOST_AUTO_TEST_CASE(named_params_become_positional_in_order) {
  const Result<PositionalQuery> q =
      translate_named_params("SELECT * FROM t WHERE a = :min AND b < :max_2 OR c = :min");
  BOOST_REQUIRE(q.ok());
  BOOST_TEST(q->sql == "SELECT * FROM t WHERE a = ? AND b < ? OR c = ?");
  BOOST_TEST(q->names == (Strings{"min", "max_2", "min"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(literals_identifiers_and_comments_are_not_params) {
  const std::string sql =
      "SELECT ':a', 'it''s :b', \"col:c\", `x:d`, [y:e] -- :f\n"
      "FROM t /* :g */ WHERE z = :h";
  const Result<PositionalQuery> q = translate_named_params(sql);
  BOOST_REQUIRE_MESSAGE(q.ok(), q.status().to_string());
  BOOST_TEST(q->names == Strings{"h"}, boost::test_tools::per_element());
  BOOST_TEST(q->sql ==
             "SELECT ':a', 'it''s :b', \"col:c\", `x:d`, [y:e] -- :f\n"
             "FROM t /* :g */ WHERE z = ?");
}

BOOST_AUTO_TEST_CASE(a_colon_without_a_name_and_a_trailing_semicolon) {
  const Result<PositionalQuery> q = translate_named_params("SELECT 1 AS ':' , :1x ;  -- done\n");
  BOOST_REQUIRE(q.ok());
  BOOST_TEST(q->names.empty());
  BOOST_TEST(q->sql == "SELECT 1 AS ':' , :1x ");
}

BOOST_AUTO_TEST_CASE(bad_queries_are_config_errors) {
  for (const char* sql :
       {"SELECT ?", "SELECT 1; SELECT 2", "SELECT 'open", "SELECT /* open", "SELECT \"open"}) {
    const Result<PositionalQuery> q = translate_named_params(sql);
    BOOST_TEST(!q.ok(), sql);
    if (!q.ok()) BOOST_TEST(q.status().code() == StatusCode::kInvalidConfig);
  }
}

BOOST_AUTO_TEST_CASE(integer_looking_params_bind_as_integers) {
  BOOST_TEST(type_name(param_value("42")) == "integer");
  BOOST_TEST(type_name(param_value("-7")) == "integer");
  BOOST_TEST(type_name(param_value("0")) == "integer");
  for (const char* text :
       {"007", "4.5", "", " 1", "1e3", "-", "-0", "99999999999999999999", "2026-02-11"}) {
    BOOST_TEST(type_name(param_value(text)) == "text", text);
  }
}

// ---------------------------------------------------------------------------------------------
// Paging SQL and cursors

BOOST_AUTO_TEST_CASE(key_columns_parse) {
  BOOST_TEST(parse_key_column("score").value().name == "score");
  BOOST_TEST(!parse_key_column("score").value().descending);
  BOOST_TEST(parse_key_column(" score  desc ").value().descending);
  BOOST_TEST(!parse_key_column("score ASC").value().descending);
  for (const char* bad : {"", "1x", "a b", "score DESC NULLS", "a-b"}) {
    BOOST_TEST(!parse_key_column(bad).ok(), bad);
  }
}

BOOST_AUTO_TEST_CASE(keyset_sql_seeks_after_the_last_key) {
  const std::vector<KeyColumn> key = {{"score", true}, {"id", false}};
  BOOST_TEST(keyset_page_sql("SELECT * FROM t", key, false) ==
             "SELECT * FROM (SELECT * FROM t\n) ORDER BY \"score\" DESC, \"id\" LIMIT ?");
  BOOST_TEST(keyset_page_sql("SELECT * FROM t", key, true) ==
             "SELECT * FROM (SELECT * FROM t\n) WHERE \"score\" <= ? AND (\"score\" < ? OR "
             "(\"id\" > ?)) ORDER BY \"score\" DESC, \"id\" LIMIT ?");
  const std::vector<Value> args = keyset_args({Value(std::int64_t{5}), Value("p")});
  BOOST_TEST(args.size() == 3u);
  BOOST_TEST(show(args[0]) + show(args[1]) + show(args[2]) == "55p");
  BOOST_TEST(offset_page_sql("SELECT 1") == "SELECT * FROM (SELECT 1\n) LIMIT ? OFFSET ?");
}

BOOST_AUTO_TEST_CASE(cursors_round_trip_every_value_type) {
  const SqlCursor cursor{42,
                         {Value(), Value(true), Value(std::int64_t{-3}), Value(0.1),
                          Value(std::string("a;b:c\ns5:")), Value(std::string())}};
  const std::string text = encode_cursor(cursor);
  const Result<SqlCursor> back = decode_cursor(text);
  BOOST_REQUIRE_MESSAGE(back.ok(), back.status().to_string());
  BOOST_TEST(back->rows == 42);
  BOOST_TEST((back->after == cursor.after));
  BOOST_TEST(encode_cursor(SqlCursor{7, {}}) == "rows=7");
  for (const char* bad : {"", "rows=", "rows=-1", "rows=1;after=", "rows=1;after=x1;",
                          "rows=1;after=s9:ab", "offset=1", "rows=1;b=2"}) {
    const Result<SqlCursor> r = decode_cursor(bad);
    BOOST_TEST(!r.ok(), bad);
    if (!r.ok()) BOOST_TEST(r.status().code() == StatusCode::kCorruption);
  }
}

// ---------------------------------------------------------------------------------------------
// The plugin on SQLite

// An in-memory database with `n` candidates whose scores repeat, so keys need the tiebreak.
class Fixture {
 public:
  explicit Fixture(int n = 23) : db(hades::testing::scratch_database()), ctx(*db) {
    WriteBatch batch;
    batch.add("CREATE TABLE c (run_id INTEGER, person_id TEXT, score INTEGER, name TEXT)");
    for (int i = 1; i <= n; ++i) {
      batch.add("INSERT INTO c VALUES (?, ?, ?, ?)",
                {std::int64_t{i % 5 == 0 ? 2 : 1}, "p" + std::to_string(100 + i),
                 std::int64_t{(i * 7) % 4}, "Name " + std::to_string(i)});
    }
    BOOST_REQUIRE(db->apply(batch).ok());
    ctx.run_info.run_id = 1;
  }

  std::unique_ptr<SqlSource> make(const Settings& settings) {
    Result<SqlSourceConfig> config = bind_config(settings);
    BOOST_REQUIRE_MESSAGE(config.ok(), config.status().to_string());
    return std::make_unique<SqlSource>(std::move(config).value());
  }

  // Reads everything in chunks of `chunk` rows; after every `restart_every` chunks, a new
  // source is opened at the last cursor, as a resumed step would. Rows as "a|b|c" lines.
  Strings read_all(const Settings& settings, std::size_t chunk, int restart_every = 0) {
    auto source = make(settings);
    BOOST_REQUIRE(source->open(ctx, "").ok());
    Strings lines;
    for (int chunks = 1;; ++chunks) {
      Chunk out(source->schema());
      const Result<bool> more = source->read(chunk, &out, rejects);
      BOOST_REQUIRE_MESSAGE(more.ok(), more.status().to_string());
      for (std::size_t i = 0; i < out.size(); ++i) {
        std::string line = out.position(i) + ":";
        for (const Value& v : out.row(i)) line += "|" + show(v);
        lines.push_back(line);
      }
      if (!*more) break;
      if (restart_every > 0 && chunks % restart_every == 0) {
        const std::string cursor = source->cursor();
        source = make(settings);
        const Status reopened = source->open(ctx, cursor);
        BOOST_REQUIRE_MESSAGE(reopened.ok(), reopened.to_string());
      }
    }
    return lines;
  }

  std::unique_ptr<Database> db;
  FakeContext ctx;
  CollectingRejects rejects;
};

Settings ranked_settings(bool keyset) {
  Settings settings;
  if (keyset) {
    settings.set("query",
                 "SELECT person_id, score, name FROM c WHERE run_id = :run_id "
                 "AND score >= :min_score");
    settings.set("key", std::vector<std::string>{"score DESC", "person_id"});
  } else {
    settings.set("query",
                 "SELECT person_id, score, name FROM c WHERE run_id = :run_id "
                 "AND score >= :min_score ORDER BY score DESC, person_id");
  }
  settings.set("params", StringMap{{"min_score", "1"}});
  settings.set("row_number", std::string("rank"));
  return settings;
}

BOOST_AUTO_TEST_CASE(offset_and_keyset_paging_read_the_same_rows) {
  Fixture f;
  const Strings by_offset = f.read_all(ranked_settings(false), 4);
  const Strings by_key = f.read_all(ranked_settings(true), 4);
  BOOST_TEST(by_offset == by_key, boost::test_tools::per_element());
  BOOST_REQUIRE(!by_offset.empty());
  BOOST_TEST(by_offset.front() == "sql:row 1:|p101|3|Name 1|1");
  // Resuming from the cursor after every chunk changes nothing.
  BOOST_TEST(f.read_all(ranked_settings(true), 3, 1) == by_key, boost::test_tools::per_element());
  BOOST_TEST(f.read_all(ranked_settings(false), 3, 1) == by_offset,
             boost::test_tools::per_element());
  // One big page as well.
  BOOST_TEST(f.read_all(ranked_settings(true), 1000) == by_key, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(limit_stops_the_read_and_survives_a_resume) {
  Fixture f;
  Settings settings = ranked_settings(true);
  settings.set("limit", std::int64_t{5});
  const Strings lines = f.read_all(settings, 2, 1);
  BOOST_TEST(lines.size() == 5u);
  BOOST_TEST(lines.back().starts_with("sql:row 5:"));
  settings.set("limit", std::int64_t{0});
  BOOST_TEST(f.read_all(settings, 2).empty());
}

BOOST_AUTO_TEST_CASE(run_params_and_text_params_bind) {
  Fixture f;
  f.ctx.run_info.run_id = 2;
  f.ctx.run_info.started_at = "2026-02-11T06:00:00Z";
  Settings settings;
  settings.set("query",
               "SELECT count(*) AS n, :run_started_at AS at, :tag AS tag FROM c "
               "WHERE run_id = :run_id");
  settings.set("params", StringMap{{"tag", "007"}});
  const Strings lines = f.read_all(settings, 10);
  BOOST_TEST(lines == Strings{"sql:row 1:|4|2026-02-11T06:00:00Z|007"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(init_statements_run_before_the_query_and_keyset_uses_the_index) {
  Fixture f(2000);
  Settings settings = ranked_settings(true);
  settings.set("init_statements", std::vector<std::string>{"CREATE INDEX IF NOT EXISTS c_rank ON c "
                                                           "(run_id, score DESC, person_id)"});
  BOOST_TEST(f.read_all(settings, 500).size() > 0u);
  // The page query must be answered from the index, not by sorting every row again.
  const Result<QueryResult> plan = f.db->query(
      "EXPLAIN QUERY PLAN " +
          keyset_page_sql("SELECT person_id, score, name FROM c WHERE run_id = ? AND score >= ?",
                          {{"score", true}, {"person_id", false}}, true),
      {std::int64_t{1}, std::int64_t{1}, std::int64_t{3}, std::int64_t{3}, "p1", std::int64_t{10}});
  BOOST_REQUIRE(plan.ok());
  std::string text;
  for (const auto& row : plan->rows) text += to_text(row.back()) + "\n";
  BOOST_TEST(text.find("USING INDEX c_rank") != std::string::npos, text);
  BOOST_TEST(text.find("TEMP B-TREE") == std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(a_key_that_is_not_unique_fails_instead_of_skipping_rows) {
  Fixture f;
  Settings settings = ranked_settings(true);
  settings.set("key", std::vector<std::string>{"score DESC"});
  auto source = f.make(settings);
  BOOST_REQUIRE(source->open(f.ctx, "").ok());
  Chunk out(source->schema());
  const Result<bool> read = source->read(100, &out, f.rejects);
  BOOST_TEST(!read.ok());
  BOOST_TEST(read.status().message().find("must be unique") != std::string::npos,
             read.status().message());
}

BOOST_AUTO_TEST_CASE(settings_and_results_are_checked) {
  const auto bind_error = [](const Settings& settings) {
    const Result<SqlSourceConfig> config = bind_config(settings);
    return config.ok() ? std::string("ok") : config.status().message();
  };
  Settings unknown;
  unknown.set("query", "SELECT :nope");
  BOOST_TEST(bind_error(unknown).find("uses :nope, which `params` does not set") !=
             std::string::npos);
  Settings builtin;
  builtin.set("query", "SELECT :run_id");
  builtin.set("params", StringMap{{"run_id", "3"}});
  BOOST_TEST(bind_error(builtin).find("may not set 'run_id'") != std::string::npos);
  Settings bad_name;
  bad_name.set("query", "SELECT 1");
  bad_name.set("row_number", std::string("a-b"));
  BOOST_TEST(bind_error(bad_name).find("row_number") != std::string::npos);

  Fixture f;
  // SQLite renames a repeated column of a subquery; the schema shows what it named it.
  Settings duplicate;
  duplicate.set("query", "SELECT name, name FROM c");
  auto source = f.make(duplicate);
  BOOST_REQUIRE(source->open(f.ctx, "").ok());
  BOOST_TEST(source->schema()->columns() == (Strings{"name", "name:1"}),
             boost::test_tools::per_element());
  Settings missing_key;
  missing_key.set("query", "SELECT name FROM c");
  missing_key.set("key", std::vector<std::string>{"id"});
  BOOST_TEST(f.make(missing_key)->open(f.ctx, "").message().find("'id' is not in the result") !=
             std::string::npos);
  Settings ok;
  ok.set("query", "SELECT name FROM c");
  BOOST_TEST(f.make(ok)->open(f.ctx, "bogus").code() == StatusCode::kCorruption);
}

}  // namespace
}  // namespace hades::sql_source
