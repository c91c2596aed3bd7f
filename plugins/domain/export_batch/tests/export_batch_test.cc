// Tests of export_batch: the texts it writes, batch IDs (outcomes/batch_ids.h) on a real SQLite
// database, the icp.yaml agents, and the plugin driven the way the runner drives it.

#define BOOST_TEST_MODULE export_batch
#include "export_batch.h"

#include <boost/test/unit_test.hpp>
#include <memory>
#include <string>
#include <vector>

#include "export_text.h"
#include "icp_agents.h"
#include "outcomes/batch_ids.h"
#include "outcomes/outcome_tables.h"
#include "test_database.h"
#include "test_support.h"

namespace hades::export_batch {
namespace {

using hades::testing::CollectingRejects;
using hades::testing::FakeContext;
using hades::testing::TempDir;
using Strings = std::vector<std::string>;

// ---------------------------------------------------------------------------------------------
// Texts

BOOST_AUTO_TEST_CASE(list_source_date_is_mon_dd_yyyy) {
  BOOST_TEST(list_source_date("2026-01-29T06:00:00Z").value() == "Jan 29 2026");
  BOOST_TEST(list_source_date("2026-02-05T23:59:59Z").value() == "Feb 05 2026");
  BOOST_TEST(list_source_date("2025-12-31").value() == "Dec 31 2025");
  for (const char* bad : {"", "2026-13-01T00:00:00Z", "2026/01/29", "26-01-29T00", "2026-01-00"}) {
    BOOST_TEST(!list_source_date(bad).ok(), bad);
  }
}

BOOST_AUTO_TEST_CASE(intent_tags_and_notes) {
  LeadNotes notes;
  notes.batch_id = "HADES-20260211-001";
  notes.score = 85;
  notes.age_days = 2;
  notes.freshness = "Hot";
  notes.signal = "High";
  BOOST_TEST(lead_source("ZoomInfo", false, notes) == "ZoomInfo Intent - Vending - 85 - 2d");
  BOOST_TEST(import_notes(false, notes) ==
             "Batch: HADES-20260211-001 | Score: 85 | Age: 2d | Freshness: Hot | Signal: High");
  notes.age_days.reset();
  BOOST_TEST(lead_source("ZoomInfo", false, notes) == "ZoomInfo Intent - Vending - 85");
  BOOST_TEST(import_notes(false, notes) ==
             "Batch: HADES-20260211-001 | Score: 85 | Age: unknown | Freshness: Hot | "
             "Signal: High");
}

BOOST_AUTO_TEST_CASE(geography_tags_and_notes) {
  LeadNotes notes;
  notes.batch_id = "HADES-20260211-002";
  notes.score = 85;
  notes.distance_miles = 4.2;
  BOOST_TEST(lead_source("ZoomInfo", true, notes) == "ZoomInfo Geography - Vending - 85 - 4.2mi");
  BOOST_TEST(import_notes(true, notes) ==
             "Batch: HADES-20260211-002 | Score: 85 | Distance: 4.2mi");
  notes.distance_miles = 12.0;
  BOOST_TEST(import_notes(true, notes) ==
             "Batch: HADES-20260211-002 | Score: 85 | Distance: 12.0mi");
  notes.distance_miles.reset();
  BOOST_TEST(lead_source("Apollo", true, notes) == "Apollo Geography - Vending - 85");
  BOOST_TEST(import_notes(true, notes) ==
             "Batch: HADES-20260211-002 | Score: 85 | Distance: unknown");
}

BOOST_AUTO_TEST_CASE(signal_label_prefers_strength_then_score_then_low) {
  BOOST_TEST(signal_label(" Medium ", 90) == "Medium");
  BOOST_TEST(signal_label("", 92) == "92");
  BOOST_TEST(signal_label("", 0) == "Low");
  BOOST_TEST(signal_label("  ", std::nullopt) == "Low");
}

BOOST_AUTO_TEST_CASE(contact_owner_is_round_robin_by_rank) {
  const Strings agents = {"a@x", "b@x", "c@x"};
  Strings owners;
  for (std::int64_t rank = 1; rank <= 7; ++rank) owners.push_back(contact_owner(agents, rank));
  BOOST_TEST(owners == (Strings{"a@x", "b@x", "c@x", "a@x", "b@x", "c@x", "a@x"}),
             boost::test_tools::per_element());
}

// ---------------------------------------------------------------------------------------------
// Batch IDs

BOOST_AUTO_TEST_CASE(batch_id_format_grows_past_999) {
  using domain::format_batch_id;
  BOOST_TEST(format_batch_id("20260211", 1) == "HADES-20260211-001");
  BOOST_TEST(format_batch_id("20260211", 42) == "HADES-20260211-042");
  BOOST_TEST(format_batch_id("20260211", 999) == "HADES-20260211-999");
  BOOST_TEST(format_batch_id("20260211", 1000) == "HADES-20260211-1000");
  BOOST_TEST(format_batch_id("20260211", 12345) == "HADES-20260211-12345");
  BOOST_TEST(domain::batch_day("2026-02-11T06:00:00Z").value() == "20260211");
  BOOST_TEST(!domain::batch_day("yesterday").ok());
}

BOOST_AUTO_TEST_CASE(batch_ids_are_found_in_import_notes) {
  using domain::find_batch_id;
  BOOST_TEST(find_batch_id("Batch: HADES-20260211-001 | Score: 85").value() ==
             "HADES-20260211-001");
  BOOST_TEST(find_batch_id("HADES-20260211-1000").value() == "HADES-20260211-1000");
  BOOST_TEST(!find_batch_id("HADES-2026021-001").has_value());
  BOOST_TEST(!find_batch_id("Batch: none").has_value());
}

std::unique_ptr<Database> outcome_db() {
  auto db = hades::testing::scratch_database();
  BOOST_REQUIRE(domain::apply_outcome_migrations(*db).ok());
  return db;
}

std::string allocate(Database& db, const std::string& day, std::int64_t run_id,
                     const std::string& job = "export_leads") {
  const Result<std::string> id =
      domain::allocate_batch_id(db, {day, job, run_id, "2026-02-11T06:00:01Z"});
  BOOST_REQUIRE_MESSAGE(id.ok(), id.status().to_string());
  return *id;
}

BOOST_AUTO_TEST_CASE(allocation_counts_per_day_and_keeps_a_runs_id) {
  auto db = outcome_db();
  BOOST_TEST(allocate(*db, "20260211", 1) == "HADES-20260211-001");
  BOOST_TEST(allocate(*db, "20260211", 2) == "HADES-20260211-002");
  BOOST_TEST(allocate(*db, "20260211", 1) == "HADES-20260211-001");  // resumed run 1
  BOOST_TEST(allocate(*db, "20260211", 1, "other_job") == "HADES-20260211-003");
  BOOST_TEST(allocate(*db, "20260212", 4) == "HADES-20260212-001");
}

BOOST_AUTO_TEST_CASE(allocation_past_999_uses_four_digits) {
  auto db = outcome_db();
  WriteBatch fill;
  for (std::int64_t seq = 1; seq <= 999; ++seq) {
    fill.add(
        "INSERT INTO hades_batch_ids (batch_id, day, seq, run_id, job, allocated_at) "
        "VALUES (?, '20260211', ?, ?, 'j', 'x')",
        {domain::format_batch_id("20260211", seq), seq, seq});
  }
  BOOST_REQUIRE(db->apply(fill).ok());
  BOOST_TEST(allocate(*db, "20260211", 1000) == "HADES-20260211-1000");
  BOOST_TEST(allocate(*db, "20260211", 1001) == "HADES-20260211-1001");
}

// ---------------------------------------------------------------------------------------------
// icp.yaml agents

std::string agents_error(const std::string& yaml) {
  const auto agents = parse_call_center_agents(yaml, "icp.yaml");
  return agents.ok() ? "ok" : agents.status().message();
}

BOOST_AUTO_TEST_CASE(agents_are_read_in_order_and_errors_have_lines) {
  const auto agents = parse_call_center_agents(
      "scoring: {}\ncall_center_agents:\n  - \"a@x.com\"\n  - b@x.com  # second\n", "icp.yaml");
  BOOST_REQUIRE(agents.ok());
  BOOST_TEST(*agents == (Strings{"a@x.com", "b@x.com"}), boost::test_tools::per_element());
  BOOST_TEST(agents_error("scoring: {}\n") ==
             "icp.yaml:1:1: call_center_agents: missing: list the agent e-mails that become "
             "Contact Owners");
  BOOST_TEST(agents_error("a: 1\ncall_center_agents: me@x.com\n") ==
             "icp.yaml:2:21: call_center_agents: must be a list of e-mails");
  BOOST_TEST(agents_error("call_center_agents: []\n")
                 .find("icp.yaml:1:21: call_center_agents: "
                       "is empty") == 0u);
  BOOST_TEST(agents_error("call_center_agents:\n  - a@x\n  - ''\n")
                 .find("icp.yaml:3:5: call_center_agents: every item") == 0u);
  BOOST_TEST(agents_error("call_center_agents: [a\n").find("icp.yaml:") == 0u);
  BOOST_TEST(load_call_center_agents("/nonexistent/icp.yaml").status().code() ==
             StatusCode::kInvalidConfig);
}

// Each agent becomes a Contact Owner that VanillaSoft matches to a user's e-mail.
BOOST_AUTO_TEST_CASE(agents_must_be_e_mail_addresses_and_the_yaml_within_limits) {
  BOOST_TEST(agents_error("call_center_agents:\n  - a@x\n  - Agent Two\n") ==
             "icp.yaml:3:5: call_center_agents: 'Agent Two' is not an e-mail address");
  BOOST_TEST(agents_error("call_center_agents: [a@x, \"b@x\\r\"]\n") ==
             "icp.yaml:1:27: call_center_agents: 'b@x\\r' is not an e-mail address");
  BOOST_TEST(agents_error("x: " + std::string(100, '[') + std::string(100, ']') +
                          "\ncall_center_agents: [a@x]\n") ==
             "icp.yaml:1:67: call_center_agents: the YAML is nested more than 64 levels deep");
}

// ---------------------------------------------------------------------------------------------
// The plugin

struct PluginFixture {
  PluginFixture() : db(outcome_db()), ctx(*db) {
    testing::write_file(dir.file("icp.yaml"), "call_center_agents: [a@x, b@x]\n");
  }

  std::unique_ptr<ExportBatch> make(const std::string& workflow) {
    Settings settings;
    settings.set("icp", dir.file("icp.yaml"));
    settings.set("workflow", workflow);
    settings.set("operator_name", std::string("Vend Co"));
    Result<ExportBatchConfig> config = bind_config(settings);
    BOOST_REQUIRE_MESSAGE(config.ok(), config.status().to_string());
    return std::make_unique<ExportBatch>(std::move(config).value());
  }

  TempDir dir;
  std::unique_ptr<Database> db;
  FakeContext ctx;
  CollectingRejects rejects;
};

std::shared_ptr<const Schema> lead_schema() {
  return std::make_shared<const Schema>(Strings{"person_id", "hades_score", "workflow", "age_days",
                                                "freshness_label", "intent_strength",
                                                "intent_score", "distance_miles", "export_rank"});
}

// Opens `plugin` and applies an empty chunk, which takes the run's batch ID; returns it.
std::string open_and_take_batch(ExportBatch& plugin, FakeContext& ctx) {
  const auto opened = plugin.open(ctx, lead_schema());
  BOOST_REQUIRE_MESSAGE(opened.ok(), opened.status().to_string());
  Chunk out(*opened);
  CollectingRejects rejects;
  BOOST_REQUIRE(plugin.apply(Chunk(lead_schema()), &out, rejects).ok());
  return plugin.batch_id();
}

std::int64_t batches(Database& db) {
  return as_int(db.query("SELECT count(*) FROM hades_batch_ids")->rows.at(0).at(0)).value_or(-1);
}

// The runner opens the sinks after the transforms: allocating in open() gave a batch to an
// export whose file could not be opened. The first apply() comes after every sink's open().
BOOST_AUTO_TEST_CASE(open_allocates_no_batch_the_first_apply_does) {
  PluginFixture f;
  auto plugin = f.make("intent");
  const auto opened = plugin->open(f.ctx, lead_schema());
  BOOST_REQUIRE_MESSAGE(opened.ok(), opened.status().to_string());
  BOOST_TEST(plugin->batch_id() == "");
  BOOST_TEST(batches(*f.db) == 0);
  BOOST_TEST(f.ctx.make_calls() == 0);
  Chunk out(*opened);
  BOOST_REQUIRE(plugin->apply(Chunk(lead_schema()), &out, f.rejects).ok());
  BOOST_TEST(plugin->batch_id() == "HADES-20260211-001");
  BOOST_TEST(batches(*f.db) == 1);
}

BOOST_AUTO_TEST_CASE(leads_get_batch_owner_tags_and_notes) {
  PluginFixture f;
  auto plugin = f.make("intent");
  const auto opened = plugin->open(f.ctx, lead_schema());
  BOOST_REQUIRE_MESSAGE(opened.ok(), opened.status().to_string());
  Chunk in(lead_schema());
  in.append({"p1", std::int64_t{85}, "intent", std::int64_t{2}, "Hot", "High", Value(), Value(),
             std::int64_t{1}},
            "sql:row 1");
  in.append({"p2", std::int64_t{61}, "intent", std::int64_t{9}, "Cooling", Value(),
             std::int64_t{77}, Value(), std::int64_t{2}},
            "sql:row 2");
  in.append({"p3", "n/a", "intent", Value(), Value(), Value(), Value(), Value(), std::int64_t{3}},
            "sql:row 3");
  in.append({"p4", std::int64_t{50}, "geography", Value(), Value(), Value(), Value(), Value(),
             std::int64_t{4}},
            "sql:row 4");
  in.append({" ", std::int64_t{70}, "intent", std::int64_t{1}, "Hot", "High", Value(), Value(),
             std::int64_t{5}},
            "sql:row 5");
  Chunk out(*opened);
  const Status applied = plugin->apply(std::move(in), &out, f.rejects);
  BOOST_REQUIRE(applied.ok());
  BOOST_REQUIRE(out.size() == 2u);
  BOOST_TEST(to_text(out.get(0, "batch_id")) == "HADES-20260211-001");
  BOOST_TEST(to_text(out.get(0, "exported_at")) == "2026-02-11T06:00:00Z");
  BOOST_TEST(to_text(out.get(0, "workflow_type")) == "intent");
  BOOST_TEST(to_text(out.get(0, "contact_owner")) == "a@x");
  BOOST_TEST(to_text(out.get(1, "contact_owner")) == "b@x");
  BOOST_TEST(to_text(out.get(0, "list_source")) == "ZoomInfo Feb 11 2026");
  BOOST_TEST(to_text(out.get(0, "lead_source")) == "ZoomInfo Intent - Vending - 85 - 2d");
  BOOST_TEST(to_text(out.get(1, "import_notes")) ==
             "Batch: HADES-20260211-001 | Score: 61 | Age: 9d | Freshness: Cooling | Signal: 77");
  BOOST_TEST(to_text(out.get(0, "operator_name")) == "Vend Co");
  BOOST_TEST(to_text(out.get(0, "team")) == "");
  BOOST_REQUIRE(f.rejects.size() == 3u);
  BOOST_TEST(f.rejects.entries()[2].reason == "person_id is empty");
  BOOST_TEST(f.rejects.entries()[0].position == "sql:row 3");
  BOOST_TEST(f.rejects.entries()[0].reason == "hades_score 'n/a' is not an integer");
  BOOST_TEST(f.rejects.entries()[1].reason ==
             "lead scored for workflow 'geography' in the intent export");
}

BOOST_AUTO_TEST_CASE(a_resumed_run_keeps_its_batch_id_and_the_next_run_gets_the_next) {
  PluginFixture f;
  BOOST_TEST(open_and_take_batch(*f.make("geography"), f.ctx) == "HADES-20260211-001");
  BOOST_TEST(open_and_take_batch(*f.make("geography"), f.ctx) == "HADES-20260211-001");
  BOOST_TEST(f.ctx.make_calls() == 1);
  // Frozen value lost (crash between allocation and freezing): (job, run_id) still finds it.
  FakeContext fresh_context(*f.db);
  BOOST_TEST(open_and_take_batch(*f.make("geography"), fresh_context) == "HADES-20260211-001");
  FakeContext next_run(*f.db);
  next_run.run_info.run_id = 2;
  BOOST_TEST(open_and_take_batch(*f.make("geography"), next_run) == "HADES-20260211-002");
}

BOOST_AUTO_TEST_CASE(bad_settings_and_inputs_fail_at_create_or_open) {
  PluginFixture f;
  Settings settings;
  settings.set("icp", f.dir.file("icp.yaml"));
  settings.set("workflow", std::string("Intent"));
  BOOST_TEST(bind_config(settings).status().code() == StatusCode::kInvalidConfig);
  settings.set("workflow", std::string("intent"));
  settings.set("icp", f.dir.file("missing.yaml"));
  BOOST_TEST(bind_config(settings).status().message().find("missing.yaml") != std::string::npos);
  auto plugin = f.make("intent");
  const auto no_rank =
      plugin->open(f.ctx, std::make_shared<const Schema>(Strings{"person_id", "hades_score"}));
  BOOST_TEST(no_rank.status().message().find("'export_rank'") != std::string::npos);
  const auto clash = plugin->open(
      f.ctx, std::make_shared<const Schema>(Strings{"export_rank", "hades_score", "batch_id"}));
  BOOST_TEST(clash.status().message().find("already has a field 'batch_id'") != std::string::npos);
}

}  // namespace
}  // namespace hades::export_batch
