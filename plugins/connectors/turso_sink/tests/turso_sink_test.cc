// Tests of turso_sink: the SQL it builds, value typing, and the plugin against the real SQLite
// backend (an in-memory database), committing its batches the way the runner does.

#define BOOST_TEST_MODULE turso_sink
#include "turso_sink.h"

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "process.h"
#include "table_sql.h"
#include "test_database.h"
#include "test_support.h"

namespace hades::turso_sink {
namespace {

using hades::testing::CollectingRejects;
using hades::testing::FakeContext;
using Strings = std::vector<std::string>;

std::string show(const Value& v) { return is_null(v) ? "<null>" : to_text(v); }

// A scratch database (SQLite, or sqld under turso_sink_test_sqld), a context over it, and helpers
// to drive a sink like the runner.
class Fixture {
 public:
  Fixture() : db(open_db()), ctx(*db) {}

  static std::unique_ptr<Database> open_db() { return hades::testing::scratch_database(); }

  static std::unique_ptr<TursoSink> make(const Settings& settings) {
    Result<TursoSinkConfig> config = bind_config(settings);
    BOOST_REQUIRE_MESSAGE(config.ok(), config.status().to_string());
    return std::make_unique<TursoSink>(std::move(config).value());
  }

  std::unique_ptr<TursoSink> open(const Settings& settings,
                                  const std::shared_ptr<const Schema>& schema) {
    auto sink = make(settings);
    const Status s = sink->open(ctx, schema, "");
    BOOST_REQUIRE_MESSAGE(s.ok(), s.to_string());
    return sink;
  }

  Status open_status(const Settings& settings, const std::shared_ptr<const Schema>& schema) {
    return make(settings)->open(ctx, schema, "");
  }

  // write() then flush(), then commits the batch as the runner does with its checkpoint.
  WriteBatch write(TursoSink& sink, const Chunk& chunk) {
    WriteBatch batch;
    BOOST_REQUIRE(sink.write(chunk, batch, rejects).ok());
    const Result<std::string> token = sink.flush();
    BOOST_REQUIRE(token.ok());
    BOOST_TEST(token.value().empty());
    const Status applied = db->apply(batch);
    BOOST_REQUIRE_MESSAGE(applied.ok(), applied.to_string());
    return batch;
  }

  // Every row of `sql`, each value shown as text ("<null>" for null), joined by '|'.
  Strings select(const std::string& sql) {
    const Result<QueryResult> result = db->query(sql);
    BOOST_REQUIRE_MESSAGE(result.ok(), result.status().to_string());
    Strings rows;
    for (const auto& row : result->rows) {
      std::string line;
      for (std::size_t i = 0; i < row.size(); ++i) line += (i ? "|" : "") + show(row[i]);
      rows.push_back(line);
    }
    return rows;
  }

  std::unique_ptr<Database> db;
  FakeContext ctx;
  CollectingRejects rejects;
};

std::shared_ptr<const Schema> schema_of(Strings columns) {
  return std::make_shared<const Schema>(std::move(columns));
}

Chunk chunk_of(const std::shared_ptr<const Schema>& schema, std::vector<Row> rows) {
  Chunk chunk(schema);
  int line = 2;
  for (Row& row : rows) chunk.append(std::move(row), "in.csv:" + std::to_string(line++));
  return chunk;
}

Settings table_settings(const std::string& table) {
  Settings settings;
  settings.set("table", table);
  return settings;
}

// ---------------------------------------------------------------------------------------------
// SQL and typing

BOOST_AUTO_TEST_CASE(sql_text) {
  const TableSpec plain{"leads", {"id", "Company Name", "we\"ird"}, {}};
  BOOST_TEST(create_table_sql(plain) ==
             "CREATE TABLE IF NOT EXISTS \"leads\" (\"id\", \"Company Name\", \"we\"\"ird\")");
  BOOST_TEST(insert_sql(plain) ==
             "INSERT INTO \"leads\" (\"id\", \"Company Name\", \"we\"\"ird\") VALUES (?, ?, ?)");

  const TableSpec keyed{"leads", {"a", "b", "c"}, {"a", "b"}};
  BOOST_TEST(create_key_index_sql(keyed) ==
             "CREATE UNIQUE INDEX IF NOT EXISTS \"leads_natural_key\" ON \"leads\" (\"a\", \"b\")");
  BOOST_TEST(insert_sql(keyed) ==
             "INSERT INTO \"leads\" (\"a\", \"b\", \"c\") VALUES (?, ?, ?) "
             "ON CONFLICT (\"a\", \"b\") DO UPDATE SET \"c\" = excluded.\"c\"");

  const TableSpec all_key{"t", {"a"}, {"a"}};
  BOOST_TEST(insert_sql(all_key) ==
             "INSERT INTO \"t\" (\"a\") VALUES (?) ON CONFLICT (\"a\") DO NOTHING");
  BOOST_TEST(insert_sql(keyed, 3) ==
             "INSERT INTO \"leads\" (\"a\", \"b\", \"c\") VALUES (?, ?, ?), (?, ?, ?), (?, ?, ?) "
             "ON CONFLICT (\"a\", \"b\") DO UPDATE SET \"c\" = excluded.\"c\"");
  BOOST_TEST(max_rows_per_statement(keyed) == 10922u);  // 32766 arguments / 3 columns
}

// A chunk with more rows than one statement may take is split across statements, and a row
// repeating a key earlier in the same statement updates it, as separate statements would.
BOOST_FIXTURE_TEST_CASE(big_chunks_split_into_statements_and_upsert_within_one, Fixture) {
  std::vector<std::string> columns;
  for (int c = 0; c < 2000; ++c) columns.push_back("c" + std::to_string(c));
  const auto wide = schema_of(columns);  // SQLite's most columns: 16 rows per statement
  Settings settings = table_settings("wide");
  settings.set("key", Strings{"c0"});
  auto sink = open(settings, wide);
  std::vector<std::vector<Value>> rows;
  for (int r = 0; r < 40; ++r) {
    std::vector<Value> row(columns.size(), Value(std::int64_t{r}));
    row[0] = Value(std::int64_t{r % 38});  // rows 38 and 39 repeat the keys of rows 0 and 1
    rows.push_back(std::move(row));
  }
  const WriteBatch batch = write(*sink, chunk_of(wide, rows));
  BOOST_TEST(batch.size() == 3u);  // 16 + 16 + 8 rows
  const Strings got = select("SELECT c0, c1 FROM wide ORDER BY c0 LIMIT 3");
  BOOST_TEST((got == Strings{"0|38", "1|39", "2|2"}));
  BOOST_TEST((select("SELECT count(*) FROM wide") == Strings{"38"}));
}

BOOST_AUTO_TEST_CASE(identifiers) {
  for (const char* good : {"leads", "_x", "Leads_2024", "a1"}) BOOST_TEST(is_identifier(good));
  for (const char* bad : {"", "1abc", "a-b", "x;drop table y", "a b", "naïve", "\"q\""}) {
    BOOST_TEST(!is_identifier(bad), bad);
  }
}

BOOST_AUTO_TEST_CASE(value_conversion) {
  const auto convert = [](const Value& v, ColumnType type) {
    const Result<Value> r = convert_value(v, type, "x");
    return r.ok() ? std::string(type_name(*r)) + ":" + show(*r) : "error:" + r.status().message();
  };
  BOOST_TEST(convert(Value(std::string("42")), ColumnType::kInteger) == "integer:42");
  BOOST_TEST(convert(Value(std::string(" -7 ")), ColumnType::kInteger) == "integer:-7");
  BOOST_TEST(convert(Value(std::string("4.0")), ColumnType::kInteger) == "integer:4");
  BOOST_TEST(convert(Value(2.0), ColumnType::kInteger) == "integer:2");
  BOOST_TEST(convert(Value(true), ColumnType::kInteger) == "integer:1");
  BOOST_TEST(convert(Value(std::string("")), ColumnType::kInteger) == "null:<null>");
  BOOST_TEST(convert(Value(std::string("  ")), ColumnType::kReal) == "null:<null>");
  BOOST_TEST(convert(Value(), ColumnType::kInteger) == "null:<null>");
  BOOST_TEST(convert(Value(std::string("abc")), ColumnType::kInteger) ==
             "error:column 'x': 'abc' is not an integer");
  BOOST_TEST(convert(Value(std::string("4.5")), ColumnType::kInteger) ==
             "error:column 'x': '4.5' is not an integer");
  BOOST_TEST(convert(Value(std::string("1.5")), ColumnType::kReal) == "float:1.5");
  BOOST_TEST(convert(Value(std::int64_t{3}), ColumnType::kReal) == "float:3");
  BOOST_TEST(convert(Value(std::string("1,5")), ColumnType::kReal) ==
             "error:column 'x': '1,5' is not a real number");
  BOOST_TEST(convert(Value(std::int64_t{42}), ColumnType::kText) == "text:42");
  BOOST_TEST(convert(Value(std::string("")), ColumnType::kText) == "text:");
  BOOST_TEST(convert(Value(), ColumnType::kText) == "null:<null>");
  BOOST_TEST(convert_value(Value(std::string("abc")), ColumnType::kInteger, "x").status().code() ==
             StatusCode::kRejected);
}

BOOST_AUTO_TEST_CASE(rows_render_as_json) {
  const Schema schema({"a", "b\"", "c", "d", "e"});
  const Row row = {Value(), Value(std::string("x\"\\\n\x01")), Value(std::int64_t{5}), Value(true),
                   Value(1.5)};
  BOOST_TEST(
      row_to_json(schema, row) ==
      "{\"a\": null, \"b\\\"\": \"x\\\"\\\\\\n\\u0001\", \"c\": 5, \"d\": true, \"e\": 1.5}");
}

// ---------------------------------------------------------------------------------------------
// The plugin against the database (SQLite, or sqld under turso_sink_test_sqld)

BOOST_FIXTURE_TEST_CASE(creates_the_table_and_inserts, Fixture) {
  const auto schema = schema_of({"id", "name"});
  auto sink = open(table_settings("leads"), schema);
  // On sqld the Hrana backend keeps its commit guard table (databases.md) next to the job's.
  const std::string job_tables =
      "FROM sqlite_master WHERE tbl_name <> 'hades_commit_guard' AND type = ";
  BOOST_TEST((select("SELECT name " + job_tables + "'table'") == Strings{"leads"}));
  BOOST_TEST(select("SELECT name " + job_tables + "'index'").empty());

  const WriteBatch batch =
      write(*sink, chunk_of(schema, {{Value(std::string("1")), Value()},
                                     {Value(std::string("2")), Value(std::string("Bo"))}}));
  // One statement for the chunk, a tuple per row.
  BOOST_REQUIRE_EQUAL(batch.size(), 1u);
  BOOST_TEST(batch.statements()[0].sql ==
             "INSERT INTO \"leads\" (\"id\", \"name\") VALUES (?, ?), (?, ?)");
  BOOST_TEST(batch.statements()[0].args.size() == 4u);
  BOOST_TEST(sink->insert_statement() == "INSERT INTO \"leads\" (\"id\", \"name\") VALUES (?, ?)");
  BOOST_TEST((select("SELECT id, name FROM leads ORDER BY id") == Strings{"1|<null>", "2|Bo"}));
  // No key: inserting the same rows again duplicates them, as a plain INSERT should.
  write(*sink, chunk_of(schema, {{Value(std::string("1")), Value()}}));
  BOOST_TEST((select("SELECT count(*) FROM leads") == Strings{"3"}));
  BOOST_TEST(sink->finish(ctx).ok());
  BOOST_TEST((sink->guarantee() == DeliveryGuarantee::kExactlyOnce));
  BOOST_TEST(rejects.entries().empty());
}

BOOST_FIXTURE_TEST_CASE(upserts_on_the_key, Fixture) {
  const auto schema = schema_of({"person_id", "name", "city"});
  Settings settings = table_settings("people");
  settings.set("key", Strings{"person_id"});
  auto sink = open(settings, schema);
  BOOST_TEST((select("SELECT name FROM sqlite_master WHERE type = 'index'") ==
              Strings{"people_natural_key"}));

  const auto row = [](const char* id, const char* name, const char* city) {
    return Row{Value(std::string(id)), Value(std::string(name)), Value(std::string(city))};
  };
  write(*sink, chunk_of(schema, {row("1", "Ann", "Bern"), row("2", "Bo", "Genf")}));
  write(*sink, chunk_of(schema, {row("1", "Ann", "Basel"), row("3", "Cy", "Chur")}));
  BOOST_TEST((select("SELECT person_id, name, city FROM people ORDER BY person_id") ==
              Strings{"1|Ann|Basel", "2|Bo|Genf", "3|Cy|Chur"}));
}

BOOST_FIXTURE_TEST_CASE(resume_with_a_token_reopens_the_same_table, Fixture) {
  const auto schema = schema_of({"k", "v"});
  Settings settings = table_settings("t");
  settings.set("key", Strings{"k"});
  write(*open(settings, schema), chunk_of(schema, {{Value(std::string("a")), Value()}}));
  auto again = make(settings);
  BOOST_REQUIRE(again->open(ctx, schema, "anything").ok());
  write(*again, chunk_of(schema, {{Value(std::string("a")), Value(std::string("v2"))}}));
  BOOST_TEST((select("SELECT k, v FROM t") == Strings{"a|v2"}));
}

BOOST_FIXTURE_TEST_CASE(types_convert_and_reject_bad_rows, Fixture) {
  const auto schema = schema_of({"id", "score", "label"});
  Settings settings = table_settings("scores");
  settings.set("types", StringMap{{"id", "integer"}, {"score", "real"}, {"label", "text"}});
  auto sink = open(settings, schema);
  const auto text = [](const char* s) { return Value(std::string(s)); };
  write(*sink, chunk_of(schema, {{text("42"), text("1.5"), Value(std::int64_t{7})},
                                 {text("abc"), text("2"), text("x")},
                                 {text("43"), text(""), Value()},
                                 {text("44"), text("n/a"), text("y")}}));
  BOOST_TEST((select("SELECT id, typeof(id), score, typeof(score), label, typeof(label) "
                     "FROM scores ORDER BY id") ==
              Strings{"42|integer|1.5|real|7|text", "43|integer|<null>|null|<null>|null"}));
  BOOST_REQUIRE_EQUAL(rejects.size(), 2u);
  BOOST_TEST(rejects.entries()[0].position == "in.csv:3");
  BOOST_TEST(rejects.entries()[0].reason == "column 'id': 'abc' is not an integer");
  BOOST_TEST(rejects.entries()[0].record ==
             "{\"id\": \"abc\", \"score\": \"2\", \"label\": \"x\"}");
  BOOST_TEST(rejects.entries()[1].position == "in.csv:5");
  BOOST_TEST(rejects.entries()[1].reason == "column 'score': 'n/a' is not a real number");
}

BOOST_FIXTURE_TEST_CASE(columns_map_table_columns_to_fields, Fixture) {
  const auto schema = schema_of({"Id", "Company Name", "Ignored"});
  Settings settings = table_settings("companies");
  settings.set("columns", StringMap{{"company", "Company Name"}, {"person id", "Id"}});
  settings.set("key", Strings{"person id"});
  auto sink = open(settings, schema);
  write(*sink, chunk_of(schema, {{Value(std::string("7")), Value(std::string("Acme")),
                                  Value(std::string("zz"))}}));
  BOOST_TEST((select("SELECT name FROM pragma_table_info('companies')") ==
              Strings{"company", "person id"}));
  BOOST_TEST((select("SELECT company, \"person id\" FROM companies") == Strings{"Acme|7"}));
}

BOOST_FIXTURE_TEST_CASE(bad_table_names_are_invalid_config, Fixture) {
  for (const char* table : {"", "1abc", "a-b", "leads; DROP TABLE x"}) {
    BOOST_TEST(create(table_settings(table)).status().code() == StatusCode::kInvalidConfig, table);
  }
  BOOST_TEST(create(Settings()).status().code() == StatusCode::kInvalidConfig);
  const Result<std::unique_ptr<Plugin>> made = create(table_settings("leads"));
  BOOST_REQUIRE(made.ok());
  BOOST_TEST(dynamic_cast<const TursoSink*>(made->get()) != nullptr);
}

BOOST_AUTO_TEST_CASE(bad_settings_are_invalid_config) {
  Settings bad_type = table_settings("t");
  bad_type.set("types", StringMap{{"a", "float"}});
  Settings key_not_written = table_settings("t");
  key_not_written.set("columns", StringMap{{"a", "A"}});
  key_not_written.set("key", Strings{"b"});
  Settings type_not_written = table_settings("t");
  type_not_written.set("columns", StringMap{{"a", "A"}});
  type_not_written.set("types", StringMap{{"b", "integer"}});
  Settings twice = table_settings("t");
  twice.set("key", Strings{"a", "a"});
  for (const Settings* settings : {&bad_type, &key_not_written, &type_not_written, &twice}) {
    const Status s = create(*settings).status();
    BOOST_TEST(s.code() == StatusCode::kInvalidConfig, s.to_string());
  }
  const Status s = create(bad_type).status();
  BOOST_TEST(s.message().find("'float'") != std::string::npos, s.message());
}

BOOST_FIXTURE_TEST_CASE(missing_mapped_field_is_an_error_naming_it, Fixture) {
  Settings settings = table_settings("t");
  settings.set("columns", StringMap{{"email", "E-mail"}});
  const Status s = open_status(settings, schema_of({"id", "name"}));
  BOOST_TEST(s.code() == StatusCode::kInvalidConfig);
  BOOST_TEST(s.message().find("'E-mail'") != std::string::npos, s.message());
  BOOST_TEST(s.message().find("id, name") != std::string::npos, s.message());
}

BOOST_FIXTURE_TEST_CASE(key_or_type_not_in_the_input_is_an_error, Fixture) {
  Settings keyed = table_settings("t");
  keyed.set("key", Strings{"nope"});
  BOOST_TEST(open_status(keyed, schema_of({"id"})).code() == StatusCode::kInvalidConfig);
  Settings typed = table_settings("t");
  typed.set("types", StringMap{{"nope", "integer"}});
  BOOST_TEST(open_status(typed, schema_of({"id"})).code() == StatusCode::kInvalidConfig);
}

BOOST_FIXTURE_TEST_CASE(existing_table_must_fit, Fixture) {
  Settings no_create = table_settings("absent");
  no_create.set("create_table", false);
  const Status missing = open_status(no_create, schema_of({"id"}));
  BOOST_TEST(missing.code() == StatusCode::kInvalidConfig);
  BOOST_TEST(missing.message().find("does not exist") != std::string::npos, missing.message());

  WriteBatch ddl;
  ddl.add("CREATE TABLE narrow (ID INTEGER PRIMARY KEY)");
  BOOST_REQUIRE(db->apply(ddl).ok());
  Settings narrow = table_settings("narrow");
  narrow.set("create_table", false);
  BOOST_TEST(open_status(narrow, schema_of({"id"})).ok());  // names match case-insensitively
  const Status lacking = open_status(narrow, schema_of({"id", "extra"}));
  BOOST_TEST(lacking.code() == StatusCode::kInvalidConfig);
  BOOST_TEST(lacking.message().find("no column 'extra'") != std::string::npos, lacking.message());
}

// A Database that records batches and fails every query: checks what open() sends, and that a
// database error is reported, not swallowed.
class RecordingDatabase : public Database {
 public:
  Result<QueryResult> query(std::string_view, const std::vector<Value>&) override {
    return Status::remote("lost connection", /*retryable=*/true);
  }
  Status apply(const WriteBatch& batch) override {
    for (const Statement& s : batch.statements()) applied.push_back(s.sql);
    batches++;
    return Status::ok_status();
  }
  std::string backend() const override { return "recording"; }

  Strings applied;
  int batches = 0;
};

BOOST_AUTO_TEST_CASE(ddl_goes_in_its_own_batch_and_database_errors_surface) {
  RecordingDatabase db;
  FakeContext ctx(db);
  Settings settings = table_settings("t");
  settings.set("key", Strings{"k"});
  auto made = create(settings);
  BOOST_REQUIRE(made.ok());
  auto* sink = dynamic_cast<Sink*>(made->get());
  BOOST_REQUIRE(sink != nullptr);
  const Status s = sink->open(ctx, schema_of({"k", "v"}), "");
  BOOST_TEST(db.batches == 1);
  BOOST_TEST((db.applied == Strings{"CREATE TABLE IF NOT EXISTS \"t\" (\"k\", \"v\")",
                                    "CREATE UNIQUE INDEX IF NOT EXISTS \"t_natural_key\" ON "
                                    "\"t\" (\"k\")"}));
  BOOST_TEST(s.code() == StatusCode::kRemote);
  BOOST_TEST(s.retryable());
}

BOOST_AUTO_TEST_CASE(readme_settings_table_matches_ksettings) {
  const std::vector<std::string> missing =
      hades::testing::missing_readme_setting_rows("turso_sink", kSettings);
  BOOST_TEST(missing.empty(), "README.md lacks the row: " << (missing.empty() ? "" : missing[0]));
}

}  // namespace
}  // namespace hades::turso_sink
