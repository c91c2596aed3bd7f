// Tests of the historical_importer sink on hand-made Zoho leads and staging tables (no Zoho):
// which leads count, the delivery rule, normalisation, UTC times, upserts that change nothing on
// a second run and only the changed row on a third, chunking, the plugin's log, and clear errors
// for a job whose staging or fields are wrong. The leads are planted in a table only to be read
// back as the records a leads step would hand the sink.

#define BOOST_TEST_MODULE historical_importer
#include "historical_importer.h"

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <memory>
#include <string>
#include <vector>

#include "test_database.h"
#include "test_support.h"

namespace hades::historical_importer {
namespace {

constexpr const char* kFirstRun = "2026-03-01T06:00:00Z";
constexpr const char* kSecondRun = "2026-03-02T06:00:00Z";

std::unique_ptr<Database> open_db() {
  return hades::testing::scratch_database();  // SQLite, or sqld under the _sqld twin
}

using testing::execute;

// Untyped tables keyed on id, as turso_sink creates them.
void create_staging(Database& db) {
  execute(
      db,
      "CREATE TABLE zoho_import_leads (id, company, lead_source, sic_code, employees, zip_code, "
      "state, converted, converted_deal, modified_at)");
  execute(db, "CREATE UNIQUE INDEX zoho_import_leads_natural_key ON zoho_import_leads (id)");
  execute(db, "CREATE TABLE zoho_import_deals (id, created_at, modified_at)");
  execute(db, "CREATE TABLE zoho_import_deliveries (id, deal, delivery_date, status, modified_at)");
}

void lead(Database& db, const std::string& id, const std::string& company, const Value& source,
          const Value& sic, const Value& employees, const Value& zip, const Value& state,
          const Value& deal = Value()) {
  execute(db,
          "INSERT INTO zoho_import_leads (id, company, lead_source, sic_code, employees, zip_code, "
          "state, converted, converted_deal, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
          "'2025-01-01T00:00:00-05:00')",
          {Value(id), Value(company), source, sic, employees, zip, state,
           Value(std::int64_t{is_null(deal) ? 0 : 1}), deal});
}

void deal(Database& db, const std::string& id, const std::string& created) {
  execute(db, "INSERT INTO zoho_import_deals (id, created_at) VALUES (?, ?)",
          {Value(id), Value(created)});
}

void delivery(Database& db, const std::string& id, const std::string& deal_id,
              const std::string& date, const std::string& status) {
  execute(
      db,
      "INSERT INTO zoho_import_deliveries (id, deal, delivery_date, status) VALUES (?, ?, ?, ?)",
      {Value(id), Value(deal_id), Value(date), Value(status)});
}

using testing::dump;

constexpr const char* kAllColumns =
    "SELECT zoho_lead_id, company_name, sic_code, employee_count, zip_code, state, outcome, "
    "deal_created_at, delivery_at, zoho_deal_id, delivery_count, sic_raw, employees_raw, "
    "zip_raw, state_raw, imported_at, updated_at FROM historical_outcomes ORDER BY zoho_lead_id";

// A small org with every trap of domain.md's CRM model.
void plant(Database& db) {
  create_staging(db);
  const Value vs("VanillaSoft");
  // 1: converted, two deliveries (one Removed, the earlier date counts).
  lead(db, "1001", "Summit Ridge Hospital Inc.", vs, Value("8062-01"), Value(std::int64_t{480}),
       Value("2134"), Value("MA"), Value("9001"));
  deal(db, "9001", "2024-03-04T22:30:00-05:00");
  delivery(db, "7001", "9001", "2024-05-20", "Removed");
  delivery(db, "7002", "9001", "2024-04-02", "Active");
  // 2: converted, no delivery.
  lead(db, "1002", "Pine Gate Hotel", vs, Value(" 8062"), Value(), Value("02134-1234"),
       Value("massachusetts"), Value("9002"));
  deal(db, "9002", "2024-06-01T10:00:00+00:00");
  // 3: unconverted, text employees, no SIC.
  lead(db, "1003", "Oak Bay Academy", vs, Value(), Value("1,200"), Value("75201"), Value("TX"));
  // 4: unparseable employees and an unknown state stay raw.
  lead(db, "1004", "Cedar Mill Trucking", vs, Value("4213"), Value("lots"), Value("x"),
       Value("Atlantis"));
  // Not VanillaSoft: look-alikes, other sources, null, other case.
  lead(db, "2001", "Legacy Co", Value("VanillaSoft Legacy"), Value("8062"), Value(), Value(),
       Value(), Value("9003"));
  deal(db, "9003", "2024-01-01T00:00:00-05:00");
  delivery(db, "7003", "9003", "2024-02-01", "Active");
  lead(db, "2002", "Vanilla Co", Value("Vanilla Soft"), Value(), Value(), Value(), Value());
  lead(db, "2003", "Web Co", Value("Web Site"), Value(), Value(), Value(), Value());
  lead(db, "2004", "Null Co", Value(), Value(), Value(), Value(), Value());
  lead(db, "2005", "Case Co", Value("vanillasoft"), Value(), Value(), Value(), Value());
}

constexpr const char* kLeadColumns =
    "id, company, lead_source, sic_code, employees, zip_code, state, converted_deal";

// The planted leads as the sink's input, and a config whose fields name these columns.
std::vector<Row> planted_leads(Database& db) {
  auto rows =
      db.query(std::string("SELECT ") + kLeadColumns + " FROM zoho_import_leads ORDER BY id");
  BOOST_REQUIRE_MESSAGE(rows.ok(), rows.status().to_string());
  return rows->rows;
}

ImporterConfig planted_config() {
  ImporterConfig config;
  config.fields = LeadFields{"company",  "lead_source", "sic_code",      "employees",
                             "zip_code", "state",       "converted_deal"};
  return config;
}

// The sink's work over the planted leads, `chunk` leads per committed batch.
Result<ImportStats> run_import(Database& db, const std::string& now, std::size_t chunk = 1000) {
  const ImporterConfig config = planted_config();
  HADES_RETURN_IF_ERROR(prepare(db, config));
  const std::vector<Row> rows = planted_leads(db);
  ImportStats stats;
  for (std::size_t start = 0; start < rows.size(); start += chunk) {
    std::vector<ZohoLead> leads;
    for (std::size_t i = start; i < std::min(rows.size(), start + chunk); ++i) {
      const Row& r = rows[i];
      leads.push_back(ZohoLead{to_text(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7]});
    }
    WriteBatch batch;
    HADES_RETURN_IF_ERROR(stage_outcomes(db, config, std::move(leads), now, batch, stats));
    if (!batch.empty()) HADES_RETURN_IF_ERROR(db.apply(batch));
  }
  return stats;
}

BOOST_AUTO_TEST_CASE(only_exact_source_leads_with_the_delivery_rule_and_normalised_values) {
  auto db = open_db();
  plant(*db);
  const Result<ImportStats> stats = run_import(*db, kFirstRun);
  BOOST_REQUIRE_MESSAGE(stats.ok(), stats.status().to_string());
  BOOST_TEST(stats->leads == 4);
  BOOST_TEST(stats->delivered == 1);
  BOOST_TEST(stats->inserted == 4);
  BOOST_TEST(stats->bad_employees == 1);
  const std::string t = kFirstRun;
  BOOST_TEST(dump(*db, kAllColumns) ==
             "1001|Summit Ridge Hospital Inc.|8062|480|02134|MA|delivery|2024-03-05T03:30:00Z|"
             "2024-04-02|9001|2|8062-01|480|2134|MA|" +
                 t +
                 "|<null>|\n"
                 "1002|Pine Gate Hotel|8062|<null>|02134|MA|no_delivery|2024-06-01T10:00:00Z|"
                 "<null>|9002|0| 8062|<null>|02134-1234|massachusetts|" +
                 t +
                 "|<null>|\n"
                 "1003|Oak Bay Academy|<null>|1200|75201|TX|no_delivery|<null>|<null>|<null>|0|"
                 "<null>|1,200|75201|TX|" +
                 t +
                 "|<null>|\n"
                 "1004|Cedar Mill Trucking|4213|<null>|<null>|<null>|no_delivery|<null>|<null>|"
                 "<null>|0|4213|lots|x|Atlantis|" +
                 t + "|<null>|\n");
}

BOOST_AUTO_TEST_CASE(a_second_run_changes_nothing_and_a_third_only_the_changed_row) {
  auto db = open_db();
  plant(*db);
  BOOST_REQUIRE(run_import(*db, kFirstRun).ok());
  const std::string first = dump(*db, kAllColumns);
  const std::string ids = dump(*db, "SELECT id, zoho_lead_id FROM historical_outcomes ORDER BY id");

  const Result<ImportStats> again = run_import(*db, kSecondRun);
  BOOST_REQUIRE(again.ok());
  BOOST_TEST(again->inserted == 0);
  BOOST_TEST(again->updated == 0);
  BOOST_TEST(again->unchanged == 4);
  BOOST_TEST(dump(*db, kAllColumns) == first);
  BOOST_TEST(dump(*db, "SELECT id, zoho_lead_id FROM historical_outcomes ORDER BY id") == ids);

  // A delivery arrives for lead 1002.
  delivery(*db, "7004", "9002", "2024-07-01", "Active");
  const Result<ImportStats> third = run_import(*db, kSecondRun);
  BOOST_REQUIRE(third.ok());
  BOOST_TEST(third->updated == 1);
  BOOST_TEST(third->unchanged == 3);
  BOOST_TEST(dump(*db,
                  "SELECT zoho_lead_id, outcome, delivery_at, imported_at, updated_at FROM "
                  "historical_outcomes WHERE updated_at IS NOT NULL") ==
             "1002|delivery|2024-07-01|" + std::string(kFirstRun) + "|" + kSecondRun + "|\n");
}

BOOST_AUTO_TEST_CASE(chunking_gives_the_same_table) {
  auto one = open_db();
  auto paged = open_db();
  plant(*one);
  plant(*paged);
  BOOST_REQUIRE(run_import(*one, kFirstRun).ok());
  const Result<ImportStats> stats = run_import(*paged, kFirstRun, 1);  // a chunk per lead
  BOOST_REQUIRE(stats.ok());
  BOOST_TEST(stats->leads == 4);
  BOOST_TEST(dump(*paged, kAllColumns) == dump(*one, kAllColumns));
}

BOOST_AUTO_TEST_CASE(the_sink_stages_rows_in_the_chunks_batch_and_logs_what_it_did) {
  auto db = open_db();
  plant(*db);
  Settings settings;
  const LeadFields f = planted_config().fields;
  settings.set("company_field", f.company);
  settings.set("lead_source_field", f.lead_source);
  settings.set("sic_field", f.sic);
  settings.set("employees_field", f.employees);
  settings.set("zip_field", f.zip);
  settings.set("state_field", f.state);
  settings.set("converted_deal_field", f.converted_deal);
  Result<std::unique_ptr<Plugin>> plugin = create(settings);
  BOOST_REQUIRE_MESSAGE(plugin.ok(), plugin.status().to_string());
  auto* sink = dynamic_cast<Sink*>(plugin->get());
  BOOST_REQUIRE(sink != nullptr);
  testing::FakeContext ctx(*db);
  ctx.run_info.started_at = kFirstRun;
  const auto schema = std::make_shared<const Schema>(
      std::vector<std::string>{"id", "company", "lead_source", "sic_code", "employees", "zip_code",
                               "state", "converted_deal"});
  BOOST_REQUIRE(sink->open(ctx, schema, "").ok());
  Chunk chunk(schema);
  for (Row& row : planted_leads(*db)) chunk.append(std::move(row), "Leads id=?");
  chunk.append({Value(), Value("No Id Co"), Value("VanillaSoft"), Value(), Value(), Value(),
                Value(), Value()},
               "Leads id=?");
  WriteBatch batch;
  testing::CollectingRejects rejects;
  BOOST_REQUIRE(sink->write(chunk, batch, rejects).ok());
  // Nothing is written until the runner commits the batch (with the step's checkpoint).
  BOOST_TEST(dump(*db, "SELECT count(*) FROM historical_outcomes") == "0|\n");
  BOOST_TEST(batch.size() == 4u);
  BOOST_TEST(rejects.size() == 1u);
  BOOST_REQUIRE(db->apply(batch).ok());
  BOOST_TEST(sink->finish(ctx).ok());
  BOOST_TEST(ctx.lines().at(0) ==
             "info: historical_outcomes: 4 VanillaSoft leads (1 delivered): 4 inserted, 0 "
             "updated, 0 unchanged");
  auto one = open_db();
  plant(*one);
  BOOST_REQUIRE(run_import(*one, kFirstRun).ok());
  BOOST_TEST(dump(*db, kAllColumns) == dump(*one, kAllColumns));
  // An input without the fields it is told to read is refused at open().
  const auto zoho = std::make_shared<const Schema>(std::vector<std::string>{"id", "Company"});
  const Status refused = sink->open(ctx, zoho, "");
  BOOST_TEST(refused.code() == StatusCode::kInvalidConfig);
  BOOST_TEST(refused.message().find("`company`") != std::string::npos, refused.message());
}

BOOST_AUTO_TEST_CASE(missing_staging_is_a_clear_config_error) {
  auto db = open_db();
  execute(*db, "CREATE TABLE zoho_import_leads (" + std::string(kLeadColumns) + ")");
  Result<ImportStats> stats = run_import(*db, kFirstRun);
  BOOST_REQUIRE(!stats.ok());
  BOOST_TEST(stats.status().code() == StatusCode::kInvalidConfig);
  BOOST_TEST(stats.status().message().find("'zoho_import_deals'") != std::string::npos,
             stats.status().message());
  execute(*db, "CREATE TABLE zoho_import_deals (id)");
  stats = run_import(*db, kFirstRun);
  BOOST_REQUIRE(!stats.ok());
  BOOST_TEST(stats.status().message().find("lacks column(s) created_at") != std::string::npos,
             stats.status().message());
}

BOOST_AUTO_TEST_CASE(bad_settings_are_refused) {
  Settings bad_table;
  bad_table.set("deals_table", std::string("deals; DROP TABLE x"));
  BOOST_TEST(bind_config(bad_table).status().code() == StatusCode::kInvalidConfig);
  Settings empty_field;
  empty_field.set("sic_field", std::string(""));
  BOOST_TEST(bind_config(empty_field).status().code() == StatusCode::kInvalidConfig);
  Settings empty_source;
  empty_source.set("lead_source", std::string(" "));
  BOOST_TEST(bind_config(empty_source).status().code() == StatusCode::kInvalidConfig);
}

BOOST_AUTO_TEST_CASE(readme_settings_table_matches) {
  const std::vector<std::string> missing =
      testing::missing_readme_setting_rows("historical_importer", kSettings);
  BOOST_TEST(missing.empty(), "README rows missing or different: " << missing.size());
  for (const std::string& row : missing) BOOST_TEST_MESSAGE(row);
}

}  // namespace
}  // namespace hades::historical_importer
