// Tests of the outcome tables' migrations (outcomes/outcome_tables.h), which the outcome_schema
// task applies: the design's columns and types, the keys, and idempotence.

#define BOOST_TEST_MODULE outcomes_test
#include "outcomes/outcome_tables.h"

#include <boost/test/unit_test.hpp>
#include <map>
#include <memory>
#include <string>

#include "test_database.h"
#include "test_support.h"

namespace hades::domain {
namespace {

std::unique_ptr<Database> migrated_db() {
  std::unique_ptr<Database> db = hades::testing::scratch_database();
  const Status applied = apply_outcome_migrations(*db);
  BOOST_REQUIRE_MESSAGE(applied.ok(), applied.to_string());
  return db;
}

// Column name -> declared type, from pragma_table_info.
std::map<std::string, std::string> columns_of(Database& db, const std::string& table) {
  const Result<QueryResult> rows =
      db.query("SELECT name, type FROM pragma_table_info(?)", {Value(table)});
  BOOST_REQUIRE(rows.ok());
  std::map<std::string, std::string> columns;
  for (const auto& row : rows->rows) columns[to_text(row[0])] = to_text(row[1]);
  return columns;
}

Status insert_outcome(Database& db, const std::string& batch, std::int64_t rank,
                      const Value& outcome) {
  WriteBatch batch_sql;
  batch_sql.add(
      "INSERT INTO lead_outcomes (batch_id, export_rank, person_id, company_name, exported_at, "
      "created_at, outcome) VALUES (?, ?, 'p1', 'Acme', '2026-02-11T06:00:00Z', "
      "'2026-02-11T06:00:00Z', ?)",
      {batch, rank, outcome});
  return db.apply(batch_sql);
}

BOOST_AUTO_TEST_CASE(lead_outcomes_has_the_design_columns_and_types) {
  auto db = migrated_db();
  const std::map<std::string, std::string> expected = {{"id", "INTEGER"},
                                                       {"batch_id", "TEXT"},
                                                       {"person_id", "TEXT"},
                                                       {"company_name", "TEXT"},
                                                       {"company_id", "TEXT"},
                                                       {"sic_code", "TEXT"},
                                                       {"employee_count", "INTEGER"},
                                                       {"distance_miles", "REAL"},
                                                       {"zip_code", "TEXT"},
                                                       {"state", "TEXT"},
                                                       {"hades_score", "INTEGER"},
                                                       {"workflow_type", "TEXT"},
                                                       {"exported_at", "TEXT"},
                                                       {"outcome", "TEXT"},
                                                       {"outcome_at", "TEXT"},
                                                       {"source_features", "TEXT"},
                                                       {"created_at", "TEXT"},
                                                       {"updated_at", "TEXT"},
                                                       // Version 3: the scoring rules' version.
                                                       {"scoring_rules", "INTEGER"},
                                                       // Version 5: the key with batch_id.
                                                       {"export_rank", "INTEGER"},
                                                       // Version 6: what calibration reads.
                                                       {"intent_strength", "TEXT"},
                                                       {"intent_score", "INTEGER"},
                                                       {"intent_date", "TEXT"},
                                                       {"age_days", "INTEGER"}};
  BOOST_TEST(columns_of(*db, "lead_outcomes") == expected);
}

BOOST_AUTO_TEST_CASE(historical_outcomes_and_batch_ids_have_their_columns) {
  auto db = migrated_db();
  const std::map<std::string, std::string> historical = {
      {"id", "INTEGER"},
      {"company_name", "TEXT"},
      {"sic_code", "TEXT"},
      {"employee_count", "INTEGER"},
      {"zip_code", "TEXT"},
      {"state", "TEXT"},
      {"outcome", "TEXT"},
      {"deal_created_at", "TEXT"},
      {"delivery_at", "TEXT"},
      {"imported_at", "TEXT"},
      // Version 2: the Zoho key and the raw values next to the normalised ones.
      {"zoho_lead_id", "TEXT"},
      {"zoho_deal_id", "TEXT"},
      {"delivery_count", "INTEGER"},
      {"sic_raw", "TEXT"},
      {"employees_raw", "TEXT"},
      {"zip_raw", "TEXT"},
      {"state_raw", "TEXT"},
      {"updated_at", "TEXT"}};
  BOOST_TEST(columns_of(*db, "historical_outcomes") == historical);
  const std::map<std::string, std::string> batch_ids = {{"batch_id", "TEXT"},
                                                        {"day", "TEXT"},
                                                        {"seq", "INTEGER"},
                                                        {"run_id", "INTEGER"},
                                                        {"job", "TEXT"},
                                                        {"allocated_at", "TEXT"},
                                                        // Version 3: the batch's state and its CSV.
                                                        {"state", "TEXT"},
                                                        {"state_at", "TEXT"},
                                                        {"output_file", "TEXT"}};
  BOOST_TEST(columns_of(*db, "hades_batch_ids") == batch_ids);
}

BOOST_AUTO_TEST_CASE(applying_twice_changes_nothing_and_records_the_version) {
  auto db = migrated_db();
  BOOST_TEST(apply_outcome_migrations(*db).ok());
  const Result<QueryResult> versions = db->query(
      "SELECT count(*), max(version) FROM hades_migrations WHERE component = 'outcome_tables'");
  BOOST_REQUIRE(versions.ok());
  BOOST_TEST(as_int(versions->rows[0][0]).value_or(-1) ==
             static_cast<std::int64_t>(outcome_migrations().size()));
  BOOST_TEST(as_int(versions->rows[0][1]).value_or(-1) == outcome_migrations().back().version);
}

BOOST_AUTO_TEST_CASE(migration_versions_have_no_gaps) {
  int expected = 1;
  for (const Migration& m : outcome_migrations()) BOOST_TEST(m.version == expected++);
}

BOOST_AUTO_TEST_CASE(one_row_per_rank_and_batch_and_only_known_outcomes) {
  auto db = migrated_db();
  BOOST_TEST(insert_outcome(*db, "HADES-20260211-001", 1, Value()).ok());
  BOOST_TEST(insert_outcome(*db, "HADES-20260211-002", 1, Value("delivery")).ok());
  BOOST_TEST(!insert_outcome(*db, "HADES-20260211-001", 1, Value()).ok());
  BOOST_TEST(!insert_outcome(*db, "HADES-20260211-003", 1, Value("won")).ok());
  // Only the key and the indexes of version 5 (the rank's, export time's and outcome's) and the
  // calibrator's covering index of version 6.
  const Result<QueryResult> indexes = db->query(
      "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = "
      "'index' AND tbl_name = 'lead_outcomes' ORDER BY name)");
  BOOST_REQUIRE(indexes.ok());
  BOOST_TEST(to_text(indexes->rows.at(0).at(0)) ==
             "lead_outcomes_calibration,lead_outcomes_exported_at,lead_outcomes_outcome,"
             "sqlite_autoindex_lead_outcomes_1");
}

// Version 5 rebuilds lead_outcomes keyed on the rank: rows written before keep their ids and
// values, and get their order of insertion in their batch as rank.
BOOST_AUTO_TEST_CASE(version_5_ranks_the_rows_already_there) {
  auto db = hades::testing::scratch_database();
  std::vector<Migration> first_four(outcome_migrations().begin(), outcome_migrations().begin() + 4);
  BOOST_REQUIRE(apply_migrations(*db, kOutcomeTablesComponent, first_four).ok());
  WriteBatch rows;
  for (const auto& [batch, person] : {std::pair{"B1", "p9"}, std::pair{"B2", "p1"},
                                      std::pair{"B1", "p2"}, std::pair{"B1", "p5"}}) {
    rows.add(
        "INSERT INTO lead_outcomes (batch_id, person_id, company_name, exported_at, "
        "created_at, outcome) VALUES (?, ?, 'Acme', 'x', 'x', 'delivery')",
        {Value(batch), Value(person)});
  }
  BOOST_REQUIRE(db->apply(rows).ok());
  BOOST_REQUIRE(apply_outcome_migrations(*db).ok());
  const Result<QueryResult> ranked = db->query(
      "SELECT group_concat(id || ':' || batch_id || ':' || person_id || ':' || export_rank || ':' "
      "|| outcome, ' ') FROM (SELECT * FROM lead_outcomes ORDER BY id)");
  BOOST_REQUIRE(ranked.ok());
  BOOST_TEST(to_text(ranked->rows.at(0).at(0)) ==
             "1:B1:p9:1:delivery 2:B2:p1:1:delivery 3:B1:p2:2:delivery 4:B1:p5:3:delivery");
  // AUTOINCREMENT carries on after the rebuild: a new row never reuses an id.
  WriteBatch more;
  more.add(
      "INSERT INTO lead_outcomes (batch_id, person_id, company_name, exported_at, "
      "created_at, export_rank) VALUES ('B3', 'p1', 'Acme', 'x', 'x', 1)");
  BOOST_REQUIRE(db->apply(more).ok());
  BOOST_TEST(to_text(db->query("SELECT max(id) FROM lead_outcomes")->rows.at(0).at(0)) == "5");
}

}  // namespace
}  // namespace hades::domain
