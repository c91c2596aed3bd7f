// Tests of the outcome_matcher task on hand-made staging tables and lead_outcomes (no Zoho):
// name variants, several contacts of one company, ambiguous and unmatched records, the mapping,
// outcomes that only move forward, company ids, idempotence and the recalibration flag.

#define BOOST_TEST_MODULE outcome_matcher
#include "outcome_matcher.h"

#include <boost/test/unit_test.hpp>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "crm_text/crm_text.h"
#include "outcomes/outcome_tables.h"
#include "test_database.h"
#include "test_support.h"

namespace hades::outcome_matcher {
namespace {

constexpr const char* kBatch = "HADES-20260211-001";
constexpr const char* kNight1 = "2026-02-20T06:00:00Z";
constexpr const char* kNight2 = "2026-02-21T06:00:00Z";
constexpr const char* kNight3 = "2026-02-22T06:00:00Z";

using testing::execute;

using testing::dump;

Value text(const char* s) { return Value(std::string(s)); }

// lead_outcomes as the export wrote them, and empty staging tables as turso_sink makes them.
class Org {
 public:
  explicit Org(bool company_ids = false) {
    db_ = hades::testing::scratch_database();  // SQLite, or sqld under the _sqld twin
    BOOST_REQUIRE(domain::apply_outcome_migrations(*db_).ok());
    const std::string extra = company_ids ? ", company_id" : "";
    execute(*db_,
            "CREATE TABLE zoho_sync_leads (id, company, batch, status, modified_at" + extra + ")");
    execute(*db_,
            "CREATE TABLE zoho_sync_deals (id, company, batch, stage, modified_at" + extra + ")");
    execute(*db_, "CREATE TABLE zoho_sync_deliveries (id, deal, batch, status, modified_at)");
    exported("p1", "Acme, Inc.", "ZI-1");
    exported("p2", "Acme, Inc.", "ZI-1");  // a second contact of the same company
    exported("p3", "Harbor Care Services Inc.", "ZI-2");
    exported("p4", "Harbor Care Services LLC", "ZI-3");
    exported("p5", "Keystone Springs Logistics Co.", "ZI-4");
  }
  Database& db() { return *db_; }

  void exported(const char* person, const char* company, const char* company_id,
                const char* batch = kBatch) {
    execute(*db_,
            "INSERT INTO lead_outcomes (batch_id, person_id, company_name, company_id, "
            "exported_at, created_at) VALUES (?, ?, ?, ?, '2026-02-11T06:00:00Z', "
            "'2026-02-11T06:00:00Z')",
            {text(batch), text(person), text(company), text(company_id)});
  }
  // Upserts a staged record, as the next night's incremental staging does.
  void lead(const char* id, const char* company, const char* batch, const char* status,
            const char* modified, const Value& company_id = Value()) {
    upsert("zoho_sync_leads", "status", id, company, batch, status, modified, company_id);
  }
  void deal(const char* id, const char* company, const char* batch, const char* stage,
            const char* modified, const Value& company_id = Value()) {
    upsert("zoho_sync_deals", "stage", id, company, batch, stage, modified, company_id);
  }
  void delivery(const char* id, const char* deal_id, const char* batch, const char* status,
                const char* modified) {
    execute(*db_, "DELETE FROM zoho_sync_deliveries WHERE id = ?", {text(id)});
    execute(*db_,
            "INSERT INTO zoho_sync_deliveries (id, deal, batch, status, modified_at) VALUES "
            "(?, ?, ?, ?, ?)",
            {text(id), text(deal_id), text(batch), text(status), text(modified)});
  }

  MatchStats run(const char* now, const MatcherConfig& config = default_config()) {
    Result<MatchStats> stats = match_outcomes(*db_, config, now);
    BOOST_REQUIRE_MESSAGE(stats.ok(), stats.status().to_string());
    return *stats;
  }
  std::string outcomes() {
    return dump(*db_,
                "SELECT person_id, outcome, outcome_at, updated_at FROM lead_outcomes "
                "ORDER BY person_id");
  }
  // The two contacts of Acme.
  std::string acme() {
    return dump(*db_,
                "SELECT person_id, outcome, outcome_at, updated_at FROM lead_outcomes "
                "WHERE company_id = 'ZI-1' ORDER BY person_id");
  }
  std::string unmatched() {
    return dump(*db_,
                "SELECT module, zoho_id, batch_id, company, reason, first_seen_at, updated_at, "
                "resolved_at FROM unmatched_outcomes ORDER BY module, zoho_id");
  }
  std::string everything() {
    return outcomes() + unmatched() +
           dump(*db_, "SELECT detail FROM unmatched_outcomes ORDER BY id") +
           dump(*db_, "SELECT * FROM hades_flags");
  }
  static MatcherConfig default_config() {
    Result<MatcherConfig> c = bind_config(Settings());
    BOOST_REQUIRE(c.ok());
    return *c;
  }

 private:
  void upsert(const std::string& table, const std::string& status_column, const char* id,
              const char* company, const char* batch, const char* status, const char* modified,
              const Value& company_id) {
    execute(*db_, "DELETE FROM " + table + " WHERE id = ?", {text(id)});
    const bool ids = !is_null(company_id) || has_company_id(table);
    execute(*db_,
            "INSERT INTO " + table + " (id, company, batch, " + status_column + ", modified_at" +
                (ids ? ", company_id" : "") + ") VALUES (?, ?, ?, ?, ?" + (ids ? ", ?" : "") + ")",
            ids ? std::vector<Value>{text(id), text(company), text(batch), text(status),
                                     text(modified), company_id}
                : std::vector<Value>{text(id), text(company), text(batch), text(status),
                                     text(modified)});
  }
  bool has_company_id(const std::string& table) {
    return !dump(*db_,
                 "SELECT name FROM pragma_table_info('" + table + "') WHERE name = 'company_id'")
                .empty();
  }

  std::unique_ptr<Database> db_;
};

const std::string kNotes = std::string("Batch: ") + kBatch + " | Score: 85 | Age: 2d";

BOOST_AUTO_TEST_CASE(name_variants_match_and_every_contact_of_the_company_moves) {
  Org org;
  org.lead("L1", "ACME INC", kNotes.c_str(), "Contacted", "2026-02-12T09:30:00-05:00");
  org.lead("L2", "keystone springs logistics", kBatch, "Not Contacted",
           "2026-02-12T10:00:00-05:00");
  const MatchStats stats = org.run(kNight1);
  BOOST_TEST(stats.matched == 2);
  BOOST_TEST(stats.advanced == 2);
  BOOST_TEST(org.outcomes() ==
             "p1|contacted|2026-02-12T14:30:00Z|" + std::string(kNight1) +
                 "|\n"
                 "p2|contacted|2026-02-12T14:30:00Z|" +
                 kNight1 +
                 "|\n"
                 "p3|<null>|<null>|<null>|\np4|<null>|<null>|<null>|\np5|<null>|<null>|<null>|\n");
}

BOOST_AUTO_TEST_CASE(ambiguous_and_unmatched_records_are_logged_not_guessed) {
  Org org;
  org.lead("L3", "HARBOR CARE SERVICES", kBatch, "Contacted", "2026-02-12T09:00:00-05:00");
  org.lead("L4", "Initech Systems", kNotes.c_str(), "Contacted", "2026-02-12T09:00:00-05:00");
  org.lead("L5", "Acme Inc", "HADES-20250101-009", "Contacted", "2026-02-12T09:00:00-05:00");
  org.deal("D9", "Acme", "no batch here", "Closed Won", "2026-02-12T09:00:00-05:00");
  org.delivery("V9", "D404", kBatch, "Active", "2026-02-12T09:00:00-05:00");
  const MatchStats stats = org.run(kNight1);
  BOOST_TEST(stats.ambiguous == 1);
  BOOST_TEST(stats.no_match == 2);
  BOOST_TEST(stats.no_batch_id == 1);
  BOOST_TEST(stats.no_deal == 1);
  BOOST_TEST(stats.advanced == 0);
  const std::string n = kNight1;
  BOOST_TEST(org.unmatched() ==
             "Deals|D9|<null>|Acme|no_batch_id|" + n + "|" + n + "|<null>|\n" + "Deliveries|V9|" +
                 kBatch + "|<null>|no_deal|" + n + "|" + n + "|<null>|\n" + "Leads|L3|" + kBatch +
                 "|HARBOR CARE SERVICES|ambiguous|" + n + "|" + n + "|<null>|\n" + "Leads|L4|" +
                 kBatch + "|Initech Systems|no_match|" + n + "|" + n + "|<null>|\n" +
                 "Leads|L5|HADES-20250101-009|Acme Inc|no_match|" + n + "|" + n + "|<null>|\n");
  BOOST_TEST(dump(org.db(), "SELECT detail FROM unmatched_outcomes WHERE zoho_id = 'L3'") ==
             "'HARBOR CARE SERVICES' matches 2 companies of batch HADES-20260211-001: "
             "'Harbor Care Services Inc.' (ZI-2), 'Harbor Care Services LLC' (ZI-3)|\n");
  BOOST_TEST(org.outcomes().find("contacted") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_record_without_a_company_matches_nothing) {
  Org org;
  org.exported("p9", "", "");  // an exported row whose company name was blank
  org.deal("D5", "", kBatch, "Closed Won", "2026-02-12T09:00:00-05:00");
  const MatchStats stats = org.run(kNight1);
  BOOST_TEST(stats.no_match == 1);
  BOOST_TEST(stats.advanced == 0);
}

BOOST_AUTO_TEST_CASE(outcomes_move_forward_only_across_nights) {
  Org org;
  org.lead("L1", "Acme", kBatch, "Contacted", "2026-02-12T09:00:00-05:00");
  org.run(kNight1);
  // Night 2: the lead converted into a won deal, and a delivery of that deal is active.
  org.deal("D1", "ACME, INC.", kBatch, "Closed Won", "2026-02-13T09:00:00-05:00");
  org.delivery("V1", "D1", kNotes.c_str(), "Active", "2026-02-15T09:00:00-05:00");
  MatchStats stats = org.run(kNight2);
  BOOST_TEST(stats.advanced == 2);
  BOOST_TEST(org.acme() ==
             "p1|delivery|2026-02-15T14:00:00Z|2026-02-21T06:00:00Z|\n"
             "p2|delivery|2026-02-15T14:00:00Z|2026-02-21T06:00:00Z|\n");
  // Night 3: someone moves every record back; the delivery is removed (churned goes forward).
  org.lead("L1", "Acme", kBatch, "Not Contacted", "2026-02-16T09:00:00-05:00");
  org.deal("D1", "ACME, INC.", kBatch, "Qualification", "2026-02-16T09:00:00-05:00");
  org.delivery("V1", "D1", kBatch, "Removed", "2026-02-16T10:00:00-05:00");
  stats = org.run(kNight3);
  BOOST_TEST(stats.advanced == 2);
  BOOST_TEST(org.acme() ==
             "p1|churned|2026-02-16T15:00:00Z|2026-02-22T06:00:00Z|\n"
             "p2|churned|2026-02-16T15:00:00Z|2026-02-22T06:00:00Z|\n");
  // And back to Active: churned stays.
  org.delivery("V1", "D1", kBatch, "Active", "2026-02-17T10:00:00-05:00");
  const std::string before = org.everything();
  stats = org.run("2026-02-23T06:00:00Z");
  BOOST_TEST(stats.advanced == 0);
  BOOST_TEST(org.everything() == before);
}

BOOST_AUTO_TEST_CASE(a_second_run_with_nothing_new_changes_nothing) {
  Org org;
  org.lead("L1", "Acme", kBatch, "Contacted", "2026-02-12T09:00:00-05:00");
  org.lead("L3", "HARBOR CARE SERVICES", kBatch, "Contacted", "2026-02-12T09:00:00-05:00");
  org.deal("D1", "Keystone Springs Logistics", kBatch, "Appointment Scheduled",
           "2026-02-13T09:00:00-05:00");
  org.run(kNight1);
  const std::string before = org.everything();
  const MatchStats stats = org.run(kNight2);
  BOOST_TEST(stats.advanced == 0);
  BOOST_TEST(stats.unmatched_written == 0);
  BOOST_TEST(org.everything() == before);
}

BOOST_AUTO_TEST_CASE(ties_take_the_earliest_modified_time) {
  Org org;
  org.lead("L2", "Acme", kBatch, "Contacted", "2026-02-13T09:00:00-05:00");
  org.lead("L1", "acme inc", kBatch, "Contacted", "2026-02-12T23:00:00-05:00");
  org.run(kNight1);
  BOOST_TEST(org.acme() ==
             "p1|contacted|2026-02-13T04:00:00Z|2026-02-20T06:00:00Z|\n"
             "p2|contacted|2026-02-13T04:00:00Z|2026-02-20T06:00:00Z|\n");
}

BOOST_AUTO_TEST_CASE(company_ids_match_when_both_sides_have_them) {
  Org org(true);
  // The name alone is ambiguous; the id says which one.
  org.lead("L3", "HARBOR CARE SERVICES", kBatch, "Contacted", "2026-02-12T09:00:00-05:00",
           text("ZI-3"));
  // A matching name with another id is not this batch's company.
  org.lead("L1", "Acme", kBatch, "Contacted", "2026-02-12T09:00:00-05:00", text("ZI-99"));
  // No id on the record: the name decides.
  org.lead("L5", "Keystone Springs Logistics", kBatch, "Contacted", "2026-02-12T09:00:00-05:00");
  const MatchStats stats = org.run(kNight1);
  BOOST_TEST(stats.matched == 2);
  BOOST_TEST(stats.no_match == 1);
  BOOST_TEST(dump(org.db(),
                  "SELECT person_id FROM lead_outcomes WHERE outcome IS NOT NULL "
                  "ORDER BY person_id") == "p4|\np5|\n");
}

BOOST_AUTO_TEST_CASE(a_logged_record_that_matches_later_is_resolved) {
  Org org;
  org.lead("L4", "Initech Systems", kBatch, "Contacted", "2026-02-12T09:00:00-05:00");
  org.run(kNight1);
  org.lead("L4", "Keystone Springs Logistics", kBatch, "Contacted", "2026-02-14T09:00:00-05:00");
  const MatchStats stats = org.run(kNight2);
  BOOST_TEST(stats.resolved == 1);
  BOOST_TEST(org.unmatched() == "Leads|L4|" + std::string(kBatch) + "|Initech Systems|no_match|" +
                                    kNight1 + "|" + kNight1 + "|" + kNight2 + "|\n");
  // Unmatched again: the row is reopened with what is wrong now.
  org.lead("L4", "Umbrella", kBatch, "Contacted", "2026-02-15T09:00:00-05:00");
  org.run(kNight3);
  BOOST_TEST(org.unmatched() == "Leads|L4|" + std::string(kBatch) + "|Umbrella|no_match|" +
                                    kNight1 + "|" + kNight3 + "|<null>|\n");
}

BOOST_AUTO_TEST_CASE(the_mapping_is_configuration) {
  Org org;
  Settings settings;
  settings.set("lead_status_outcomes", StringMap{{"Attempted to Contact", "contacted"}});
  settings.set("deal_stage_outcomes", StringMap{{"Closed Won", "delivery"}});
  const Result<MatcherConfig> config = bind_config(settings);
  BOOST_REQUIRE(config.ok());
  org.lead("L1", "Acme", kBatch, "Contacted", "2026-02-12T09:00:00-05:00");
  org.lead("L5", "Keystone Springs Logistics", kBatch, " attempted to contact ",
           "2026-02-12T09:00:00-05:00");
  org.deal("D3", "Harbor Care Services Inc", kBatch, "Appointment Scheduled",
           "2026-02-12T09:00:00-05:00");
  org.run(kNight1, *config);
  BOOST_TEST(dump(org.db(),
                  "SELECT person_id, outcome FROM lead_outcomes WHERE outcome IS NOT "
                  "NULL ORDER BY person_id") == "p5|contacted|\n");

  Settings bad;
  bad.set("delivery_status_outcomes", StringMap{{"Active", "won"}});
  const Result<MatcherConfig> refused = bind_config(bad);
  BOOST_TEST(refused.status().code() == StatusCode::kInvalidConfig);
  BOOST_TEST(refused.status().message() ==
             "delivery_status_outcomes: 'Active' maps to 'won'; outcomes are contacted, "
             "appointment, delivery, churned");
}

BOOST_AUTO_TEST_CASE(recalibration_is_flagged_when_outcomes_advanced_after_the_last_run) {
  Org org;
  org.lead("L1", "Acme", kBatch, "Contacted", "2026-02-12T09:00:00-05:00");
  BOOST_TEST(org.run(kNight1).recalibration_available);
  BOOST_TEST(dump(org.db(), "SELECT value, detail, updated_at FROM hades_flags") ==
             "true|2 lead outcomes advanced since (no calibration run yet)|" +
                 std::string(kNight1) + "|\n");
  // A calibration after that night: nothing new since.
  execute(org.db(), "CREATE TABLE calibration_runs (id INTEGER PRIMARY KEY, created_at TEXT)");
  execute(org.db(), "INSERT INTO calibration_runs (created_at) VALUES ('2026-02-20T12:00:00Z')");
  BOOST_TEST(!org.run(kNight2).recalibration_available);
  BOOST_TEST(dump(org.db(), "SELECT value, updated_at FROM hades_flags") ==
             "false|" + std::string(kNight2) + "|\n");
  // A new outcome the next night.
  org.deal("D1", "Acme", kBatch, "Closed Won", "2026-02-21T09:00:00-05:00");
  BOOST_TEST(org.run(kNight3).recalibration_available);
  BOOST_TEST(dump(org.db(), "SELECT value, detail FROM hades_flags") ==
             "true|2 lead outcomes advanced since the last calibration "
             "(2026-02-20T12:00:00Z)|\n");
}

BOOST_AUTO_TEST_CASE(missing_staging_is_a_clear_config_error) {
  const std::unique_ptr<Database> db = hades::testing::scratch_database();
  const Result<MatchStats> stats = match_outcomes(*db, Org::default_config(), kNight1);
  BOOST_TEST(stats.status().code() == StatusCode::kInvalidConfig);
  BOOST_TEST(stats.status().message().find("'zoho_sync_leads'") != std::string::npos);
}

// An older matcher compared names in ASCII case only, so `Müller GmbH` never met `MÜLLER GMBH`
// and real deliveries stayed unmatched. Upgrading must recover them: every unresolved record is
// tried again with today's company key, resolved ones get resolved_at, and the log says so.
BOOST_AUTO_TEST_CASE(records_an_older_matcher_left_unmatched_are_recovered) {
  Org org;
  org.exported("p6", "MÜLLER GMBH", "ZI-6");
  org.exported("p7", "Vista Hôtel Group Limited", "ZI-7");
  org.lead("L6", "Müller GmbH", kBatch, "Contacted", "2026-02-15T10:00:00-05:00");
  org.deal("D7", "VISTA HÔTEL GROUP LTD", kBatch, "Appointment Scheduled",
           "2026-02-16T10:00:00-05:00");
  for (const auto& [module, id, company] : {std::tuple{"Leads", "L6", "Müller GmbH"},
                                            std::tuple{"Deals", "D7", "VISTA HÔTEL GROUP LTD"}}) {
    execute(org.db(),
            "INSERT INTO unmatched_outcomes (module, zoho_id, batch_id, company, reason, detail, "
            "zoho_modified_at, first_seen_at, updated_at) VALUES (?, ?, ?, ?, 'no_match', "
            "'logged by an older matcher', '2026-02-15T15:00:00Z', ?, ?)",
            {text(module), text(id), text(kBatch), text(company), text(kNight1), text(kNight1)});
  }

  hades::testing::FakeContext ctx(org.db());
  ctx.run_info.started_at = kNight2;
  OutcomeMatcher task(Org::default_config());
  BOOST_REQUIRE(task.run(ctx).ok());

  BOOST_TEST(org.unmatched() ==
             "Deals|D7|" + std::string(kBatch) + "|VISTA HÔTEL GROUP LTD|no_match|" + kNight1 +
                 "|" + kNight1 + "|" + kNight2 + "|\n" + "Leads|L6|" + kBatch +
                 "|Müller GmbH|no_match|" + kNight1 + "|" + kNight1 + "|" + kNight2 + "|\n");
  BOOST_TEST(dump(org.db(),
                  "SELECT person_id, outcome FROM lead_outcomes WHERE person_id IN "
                  "('p6', 'p7') ORDER BY person_id") == "p6|contacted|\np7|appointment|\n");
  bool said = false;
  for (const std::string& line : ctx.lines()) {
    said =
        said || line.find("2 recovered (logged unmatched by an earlier run") != std::string::npos;
  }
  BOOST_TEST(said, "the log says how many were recovered");
}

BOOST_AUTO_TEST_CASE(zoho_times_become_utc) {
  using domain::to_utc_timestamp;
  BOOST_TEST(to_utc_timestamp("2026-02-11T09:30:00-05:00").value_or("") == "2026-02-11T14:30:00Z");
  BOOST_TEST(to_utc_timestamp("2026-12-31T22:00:00-05:00").value_or("") == "2027-01-01T03:00:00Z");
  BOOST_TEST(to_utc_timestamp("2026-03-01T01:00:00+05:30").value_or("") == "2026-02-28T19:30:00Z");
  BOOST_TEST(to_utc_timestamp("2024-02-29T10:00:00.123Z").value_or("") == "2024-02-29T10:00:00Z");
  BOOST_TEST(!to_utc_timestamp("2026-02-11").has_value());
  BOOST_TEST(!to_utc_timestamp("2026-02-11T09:30:00").has_value());
  BOOST_TEST(!to_utc_timestamp("2026-02-30T09:30:00Z").has_value());
  BOOST_TEST(!to_utc_timestamp("yesterday").has_value());
}

BOOST_AUTO_TEST_CASE(readme_settings_table_matches) {
  const std::vector<std::string> missing =
      testing::missing_readme_setting_rows("outcome_matcher", kSettings);
  BOOST_TEST(missing.empty(), "README rows missing or different: " << missing.size());
  for (const std::string& row : missing) BOOST_TEST_MESSAGE(row);
}

}  // namespace
}  // namespace hades::outcome_matcher
