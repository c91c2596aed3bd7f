// Tests of the scorer plugin: chunks of leads through open() and apply() with a FakeContext.
// The output schema and values, stale exclusion, rejects, source_features, the as_of default,
// the factory's checks and the README's settings table.

#define BOOST_TEST_MODULE scorer
#include "scorer.h"

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "leads_testing.h"
#include "test_support.h"

namespace hades::scorer {
namespace {

using domain::Workflow;
using hades::testing::CollectingRejects;
using hades::testing::FakeContext;
using hades::testing::TempDir;
using nlohmann::json;
using testing::shipped_icp;
using testing::shipped_icp_path;

// The scorer never touches the database; any call is a test failure.
class NoDatabase : public Database {
 public:
  Result<QueryResult> query(std::string_view, const std::vector<Value>&) override {
    return Status::internal("the scorer must not query the database");
  }
  Status apply(const WriteBatch&) override {
    return Status::internal("the scorer must not write the database");
  }
  std::string backend() const override { return "none"; }
};

// domain.md's lead fields, in the order tools/generate_leads.py writes them.
const std::vector<std::string> kLeadHeader = {"person_id",
                                              "company_id",
                                              "company_name",
                                              "first_name",
                                              "last_name",
                                              "title",
                                              "management_level",
                                              "email",
                                              "direct_phone",
                                              "mobile_phone",
                                              "company_phone",
                                              "website",
                                              "sic_code",
                                              "industry",
                                              "employee_count",
                                              "address",
                                              "city",
                                              "state",
                                              "zip",
                                              "distance_miles",
                                              "intent_topic",
                                              "intent_strength",
                                              "intent_score",
                                              "intent_date",
                                              "audience_strength",
                                              "contact_accuracy",
                                              "phone_type"};

// The columns the next steps read by name, exactly as the export job depends on them.
const std::vector<std::string> kExpectedAppended = {
    "sic_code_raw",    "employee_count_raw", "zip_raw",         "state_raw",      "workflow",
    "hades_score",     "priority",           "priority_note",   "score_signal",   "score_onsite",
    "score_freshness", "score_proximity",    "score_authority", "score_employee", "audience_bonus",
    "employee_bonus",  "age_days",           "freshness_label", "icp_sha256",     "run_id",
    "scoring_rules",   "source_features"};

using Changes = std::map<std::string, std::optional<std::string>>;

// A lead at a Boston hospital, 2 days old as of 2026-02-11: intent 98, geography 63.
Row lead_row(const std::vector<std::string>& header, const Changes& changes = {}) {
  const std::map<std::string, std::string> base = {{"person_id", "p1"},
                                                   {"company_id", "c1"},
                                                   {"company_name", "=Acme, \"General\" Hospital"},
                                                   {"first_name", "Jos\xC3\xA9"},
                                                   {"last_name",
                                                    "N\xC3\xBA\xC3\xB1"
                                                    "ez"},
                                                   {"title", "Facilities Manager"},
                                                   {"management_level", "Manager"},
                                                   {"email", "jose@acme.example"},
                                                   {"direct_phone", "(617) 555-0100"},
                                                   {"company_phone", "617.555.0199"},
                                                   {"sic_code", "8062-01"},
                                                   {"industry", "Hospitals"},
                                                   {"employee_count", "1,200"},
                                                   {"city", "Boston"},
                                                   {"state", "Massachusetts"},
                                                   {"zip", "2134"},
                                                   {"distance_miles", "4.2"},
                                                   {"intent_topic", "Vending Machines"},
                                                   {"intent_strength", "High"},
                                                   {"intent_date", "2026-02-09"},
                                                   {"audience_strength", "A"},
                                                   {"contact_accuracy", "95"},
                                                   {"phone_type", "Direct"}};
  Row row(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) {
    const auto changed = changes.find(header[i]);
    if (changed != changes.end()) {
      if (changed->second) row[i] = *changed->second;
    } else if (const auto it = base.find(header[i]); it != base.end()) {
      row[i] = it->second;
    }
  }
  return row;
}

ScorerConfig config_for(Workflow workflow, std::string as_of = "") {
  ScorerConfig config;
  config.icp = shipped_icp();
  config.workflow = workflow;
  config.as_of = std::move(as_of);
  return config;
}

struct Fixture {
  Fixture() : ctx(db) {
    ctx.run_info.run_id = 7;
    ctx.run_info.started_at = "2026-02-11T06:00:00Z";
  }

  // Runs `rows` (over `header`) through a new scorer; fails the test when open or apply fails.
  Chunk run(const ScorerConfig& config, std::vector<Row> rows,
            const std::vector<std::string>& header = kLeadHeader) {
    Scorer scorer(config);
    auto schema = std::make_shared<const Schema>(header);
    const Result<std::shared_ptr<const Schema>> out_schema = scorer.open(ctx, schema);
    BOOST_REQUIRE_MESSAGE(out_schema.ok(), out_schema.status().to_string());
    Chunk input(schema);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      input.append(std::move(rows[i]), "leads.csv:" + std::to_string(i + 2));
    }
    Chunk output(*out_schema);
    const Status applied = scorer.apply(std::move(input), &output, rejects);
    BOOST_REQUIRE_MESSAGE(applied.ok(), applied.to_string());
    return output;
  }

  Status open_status(const ScorerConfig& config, const std::vector<std::string>& header) {
    Scorer scorer(config);
    return scorer.open(ctx, std::make_shared<const Schema>(header)).status();
  }

  NoDatabase db;
  FakeContext ctx;
  CollectingRejects rejects;
};

std::string show(const Value& v) { return is_null(v) ? "<null>" : to_text(v); }

json features_of(const Chunk& chunk, std::size_t row) {
  return json::parse(std::get<std::string>(chunk.get(row, "source_features")));
}

// ---------------------------------------------------------------------------------------------
// Schema and values

BOOST_FIXTURE_TEST_CASE(output_schema_is_the_input_then_the_appended_columns, Fixture) {
  std::vector<std::string> expected = kLeadHeader;
  expected.insert(expected.end(), kExpectedAppended.begin(), kExpectedAppended.end());
  const Chunk out = run(config_for(Workflow::kIntent), {});
  BOOST_TEST(out.schema()->columns() == expected, boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(intent_lead_is_normalized_scored_and_keeps_raw_values, Fixture) {
  const Chunk out = run(config_for(Workflow::kIntent), {lead_row(kLeadHeader)});
  BOOST_REQUIRE_EQUAL(out.size(), 1u);
  BOOST_TEST(rejects.size() == 0u);
  BOOST_TEST(out.position(0) == "leads.csv:2");
  const std::map<std::string, std::string> expected = {
      {"person_id", "p1"},
      {"company_name", "=Acme, \"General\" Hospital"},  // untouched: quoting is the writer's job
      {"sic_code", "8062"},
      {"sic_code_raw", "8062-01"},
      {"employee_count", "1200"},
      {"employee_count_raw", "1,200"},
      {"zip", "02134"},
      {"zip_raw", "2134"},
      {"state", "MA"},
      {"state_raw", "Massachusetts"},
      {"distance_miles", "4.2"},
      {"workflow", "intent"},
      // 100*0.5 + 33*0.25 + 100*0.25 + A 10 + min(5, 1200//200) 5 = 98.25 -> 98
      {"hades_score", "98"},
      {"priority", "High"},
      {"priority_note", "Call first"},
      {"score_signal", "100"},
      {"score_onsite", "33"},
      {"score_freshness", "100"},
      {"score_proximity", "<null>"},
      {"score_authority", "<null>"},
      {"score_employee", "<null>"},
      {"audience_bonus", "10"},
      {"employee_bonus", "5"},
      {"age_days", "2"},
      {"freshness_label", "Hot"},
      {"icp_sha256", shipped_icp().sha256},
      {"run_id", "7"}};
  for (const auto& [column, value] : expected) {
    BOOST_TEST(show(out.get(0, column)) == value, column);
  }
  BOOST_TEST(std::holds_alternative<std::int64_t>(out.get(0, "employee_count")));
  BOOST_TEST(std::holds_alternative<std::int64_t>(out.get(0, "hades_score")));
  BOOST_TEST(std::holds_alternative<std::int64_t>(out.get(0, "run_id")));
}

BOOST_FIXTURE_TEST_CASE(geography_lead_has_its_components_only, Fixture) {
  const Chunk out = run(config_for(Workflow::kGeography), {lead_row(kLeadHeader)});
  BOOST_REQUIRE_EQUAL(out.size(), 1u);
  const std::map<std::string, std::string> expected = {
      {"workflow", "geography"},
      // 100*0.4 + 33*0.25 + (60 + 10 facilities)*0.15 + 20*0.2 = 40 + 8.25 + 10.5 + 4 = 62.75
      {"hades_score", "63"},
      {"priority", "Medium"},
      {"priority_note", ""},
      {"score_signal", "<null>"},
      {"score_onsite", "33"},
      {"score_freshness", "<null>"},
      {"score_proximity", "100"},
      {"score_authority", "70"},
      {"score_employee", "20"},
      {"audience_bonus", "<null>"},
      {"employee_bonus", "<null>"},
      {"age_days", "<null>"},
      {"freshness_label", "<null>"}};
  for (const auto& [column, value] : expected) {
    BOOST_TEST(show(out.get(0, column)) == value, column);
  }
}

BOOST_FIXTURE_TEST_CASE(unnormalizable_values_become_null_and_stay_raw, Fixture) {
  const Chunk out = run(config_for(Workflow::kGeography),
                        {lead_row(kLeadHeader, {{"sic_code", "n/a"},
                                                {"zip", "ABCDE"},
                                                {"state", "Ontario"},
                                                {"employee_count", std::nullopt}})});
  BOOST_REQUIRE_EQUAL(out.size(), 1u);
  BOOST_TEST(show(out.get(0, "sic_code")) == "<null>");
  BOOST_TEST(show(out.get(0, "sic_code_raw")) == "n/a");
  BOOST_TEST(show(out.get(0, "zip")) == "<null>");
  BOOST_TEST(show(out.get(0, "zip_raw")) == "ABCDE");
  BOOST_TEST(show(out.get(0, "state")) == "<null>");
  BOOST_TEST(show(out.get(0, "state_raw")) == "Ontario");
  BOOST_TEST(show(out.get(0, "employee_count")) == "<null>");
  BOOST_TEST(show(out.get(0, "employee_count_raw")) == "<null>");
  BOOST_TEST(show(out.get(0, "score_onsite")) == "40");     // unknown SIC: the default
  BOOST_TEST(show(out.get(0, "score_employee")) == "100");  // unknown: 50 employees, tier 50-100
}

BOOST_FIXTURE_TEST_CASE(blank_numbers_are_unknown_not_garbage, Fixture) {
  const Chunk out =
      run(config_for(Workflow::kGeography), {lead_row(kLeadHeader, {{"distance_miles", "  "}})});
  BOOST_REQUIRE_EQUAL(out.size(), 1u);
  BOOST_TEST(rejects.size() == 0u);
  BOOST_TEST(show(out.get(0, "score_proximity")) == "70");  // 15 miles
  BOOST_TEST(features_of(out, 0)["components"]["distance_miles_scored"] == 15.0);
  BOOST_TEST(features_of(out, 0)["inputs"]["distance_miles"].is_null());
}

BOOST_FIXTURE_TEST_CASE(values_that_are_not_text_are_read_too, Fixture) {
  Row row = lead_row(kLeadHeader);
  row[14] = std::int64_t{250};  // employee_count
  row[19] = 12.5;               // distance_miles
  const Chunk out = run(config_for(Workflow::kGeography), {std::move(row)});
  BOOST_REQUIRE_EQUAL(out.size(), 1u);
  BOOST_TEST(show(out.get(0, "employee_count")) == "250");
  BOOST_TEST(std::holds_alternative<std::int64_t>(out.get(0, "employee_count_raw")));
  BOOST_TEST(show(out.get(0, "score_employee")) == "80");
  BOOST_TEST(show(out.get(0, "score_proximity")) == "70");
}

// ---------------------------------------------------------------------------------------------
// Exclusion and rejects

BOOST_FIXTURE_TEST_CASE(stale_and_undated_intent_leads_are_excluded_not_rejected, Fixture) {
  const Chunk out =
      run(config_for(Workflow::kIntent),
          {lead_row(kLeadHeader, {{"person_id", "fresh"}}),
           lead_row(kLeadHeader, {{"person_id", "stale"}, {"intent_date", "2026-01-27"}}),
           lead_row(kLeadHeader, {{"person_id", "undated"}, {"intent_date", ""}}),
           lead_row(kLeadHeader, {{"person_id", "cooling"}, {"intent_date", "2026-01-28"}})});
  BOOST_TEST(rejects.size() == 0u);
  BOOST_REQUIRE_EQUAL(out.size(), 2u);
  BOOST_TEST(show(out.get(0, "person_id")) == "fresh");
  BOOST_TEST(show(out.get(1, "person_id")) == "cooling");  // 14 days: the last cooling day
  BOOST_TEST(show(out.get(1, "freshness_label")) == "Cooling");
  BOOST_TEST(out.position(1) == "leads.csv:5");
}

BOOST_FIXTURE_TEST_CASE(geography_ignores_intent_dates, Fixture) {
  const Chunk out =
      run(config_for(Workflow::kGeography),
          {lead_row(kLeadHeader, {{"intent_date", "yesterday"}, {"intent_score", "x"}})});
  BOOST_TEST(rejects.size() == 0u);
  BOOST_REQUIRE_EQUAL(out.size(), 1u);
  BOOST_TEST(features_of(out, 0)["inputs"]["intent_score"] == "x");
}

struct RejectCase {
  Workflow workflow;
  std::string field;
  std::string value;
  std::string reason;
};

BOOST_FIXTURE_TEST_CASE(garbage_numbers_are_rejected_with_the_field_and_value, Fixture) {
  const std::vector<RejectCase> cases = {
      {Workflow::kGeography, "distance_miles", "abc", "distance_miles: 'abc' is not a number"},
      {Workflow::kGeography, "distance_miles", "-3", "distance_miles: '-3' is negative"},
      {Workflow::kGeography, "employee_count", "lots",
       "employee_count: 'lots' is not an employee count"},
      {Workflow::kIntent, "employee_count", "99 to 50",
       "employee_count: '99 to 50' is a range whose end is below its start"},
      {Workflow::kIntent, "intent_score", "x", "intent_score: 'x' is not a number"},
      {Workflow::kIntent, "intent_score", "85.5", "intent_score: '85.5' is not a whole number"},
      {Workflow::kIntent, "intent_date", "2026-02-30",
       "intent_date: '2026-02-30' is not a YYYY-MM-DD date"},
  };
  for (const RejectCase& c : cases) {
    rejects.clear();
    const Chunk out = run(config_for(c.workflow),
                          {lead_row(kLeadHeader, {{"person_id", "ok"}}),
                           lead_row(kLeadHeader, {{"person_id", "bad"}, {c.field, c.value}})});
    BOOST_TEST_REQUIRE(out.size() == 1u, c.reason);
    BOOST_TEST(show(out.get(0, "person_id")) == "ok");
    BOOST_TEST_REQUIRE(rejects.size() == 1u, c.reason);
    const CollectingRejects::Entry& entry = rejects.entries()[0];
    BOOST_TEST(entry.position == "leads.csv:3");
    BOOST_TEST(entry.reason == c.reason);
    const json record = json::parse(entry.record);
    BOOST_TEST(record[c.field] == c.value);
    BOOST_TEST(record["person_id"] == "bad");
    BOOST_TEST(record.size() == kLeadHeader.size());
  }
}

BOOST_FIXTURE_TEST_CASE(leads_without_person_id_or_company_name_are_rejected, Fixture) {
  struct IdentityCase {
    std::string field;
    std::optional<std::string> value;  // nullopt: a null value
  };
  const std::vector<IdentityCase> cases = {
      {"person_id", ""},    {"person_id", " \t"},   {"person_id", std::nullopt},
      {"company_name", ""}, {"company_name", "  "}, {"company_name", std::nullopt}};
  for (const Workflow workflow : {Workflow::kIntent, Workflow::kGeography}) {
    for (const IdentityCase& c : cases) {
      rejects.clear();
      const std::string label = c.field + "='" + c.value.value_or("<null>") + "'";
      Changes blanked = {{"person_id", "p2"}};
      blanked[c.field] = c.value;  // may blank person_id itself
      const Chunk out = run(config_for(workflow), {lead_row(kLeadHeader, {{"person_id", "ok"}}),
                                                   lead_row(kLeadHeader, blanked),
                                                   lead_row(kLeadHeader, {{"person_id", "p3"}})});
      BOOST_TEST_REQUIRE(out.size() == 2u, label);
      BOOST_TEST(show(out.get(0, "person_id")) == "ok");
      BOOST_TEST(show(out.get(1, "person_id")) == "p3");
      BOOST_TEST_REQUIRE(rejects.size() == 1u, label);
      const CollectingRejects::Entry& entry = rejects.entries()[0];
      BOOST_TEST(entry.position == "leads.csv:3", label);
      BOOST_TEST(entry.reason == c.field + " is empty", label);
      BOOST_TEST(json::parse(entry.record).size() == kLeadHeader.size());
    }
  }
}

BOOST_FIXTURE_TEST_CASE(intent_score_zero_or_negative_falls_back_to_strength, Fixture) {
  const Chunk out =
      run(config_for(Workflow::kIntent),
          {lead_row(kLeadHeader, {{"intent_score", "0"}, {"intent_strength", "Medium"}}),
           lead_row(kLeadHeader, {{"intent_score", "85.0"}})});
  BOOST_TEST(rejects.size() == 0u);
  BOOST_REQUIRE_EQUAL(out.size(), 2u);
  BOOST_TEST(show(out.get(0, "score_signal")) == "70");
  BOOST_TEST(show(out.get(1, "score_signal")) == "85");
}

// ---------------------------------------------------------------------------------------------
// source_features

BOOST_FIXTURE_TEST_CASE(source_features_holds_inputs_components_and_context, Fixture) {
  const Chunk out = run(config_for(Workflow::kIntent), {lead_row(kLeadHeader)});
  BOOST_REQUIRE_EQUAL(out.size(), 1u);
  const std::string& text = std::get<std::string>(out.get(0, "source_features"));
  const json f = json::parse(text);
  // Compact, with sorted keys: re-serializing gives the same bytes.
  BOOST_TEST(f.dump() == text);
  BOOST_TEST(f["workflow"] == "intent");
  BOOST_TEST(f["as_of"] == "2026-02-11");
  BOOST_TEST(f["icp_sha256"] == shipped_icp().sha256);
  BOOST_TEST(f["score"] == 98);
  BOOST_TEST(f["scoring_rules"] == 2);  // unknown employee count = 50 employees since version 2
  BOOST_TEST(std::get<std::int64_t>(out.get(0, "scoring_rules")) == 2);
  const json& in = f["inputs"];
  BOOST_TEST(in["sic_code"] == "8062");
  BOOST_TEST(in["sic_code_raw"] == "8062-01");
  BOOST_TEST(in["employee_count"] == 1200);
  BOOST_TEST(in["employee_count_raw"] == "1,200");
  BOOST_TEST(in["zip"] == "02134");
  BOOST_TEST(in["state"] == "MA");
  BOOST_TEST(in["distance_miles"] == 4.2);
  BOOST_TEST(in["intent_score"].is_null());
  BOOST_TEST(in["intent_strength"] == "High");
  BOOST_TEST(in["intent_date"] == "2026-02-09");
  BOOST_TEST(in["audience_strength"] == "A");
  BOOST_TEST(in["contact_accuracy"] == "95");
  BOOST_TEST(in["phone_type"] == "Direct");
  BOOST_TEST(in["title"] == "Facilities Manager");
  BOOST_TEST(in["management_level"] == "Manager");
  BOOST_TEST(in["intent_topic"] == "Vending Machines");
  BOOST_TEST(in.size() == 18u);
  const json& c = f["components"];
  BOOST_TEST(c["signal"] == 100);
  BOOST_TEST(c["onsite"] == 33);
  BOOST_TEST(c["freshness"] == 100);
  BOOST_TEST(c["freshness_multiplier"] == 1.0);
  BOOST_TEST(c["freshness_label"] == "Hot");
  BOOST_TEST(c["age_days"] == 2);
  BOOST_TEST(c["audience_bonus"] == 10);
  BOOST_TEST(c["employee_bonus"] == 5);
  BOOST_TEST(c["total"] == 98.25);
}

BOOST_FIXTURE_TEST_CASE(geography_source_features_components, Fixture) {
  const Chunk out = run(config_for(Workflow::kGeography), {lead_row(kLeadHeader)});
  BOOST_REQUIRE_EQUAL(out.size(), 1u);
  const json c = features_of(out, 0)["components"];
  BOOST_TEST(c.dump() == R"({"authority":70,"distance_miles_scored":4.2,"employee":20,"onsite":33,)"
                         R"("proximity":100,"total":62.75})");
}

BOOST_FIXTURE_TEST_CASE(source_features_escapes_hostile_text_as_json_tools_do, Fixture) {
  // No C0 control character but TAB: those reject the row (below).
  const std::string hostile =
      "Say \"hi\" \\ back\t\x7F Z\xC3\xBCrich \xE6\x9D\xB1 \xF0\x9F\x98\x80";
  const Chunk out = run(config_for(Workflow::kGeography),
                        {lead_row(kLeadHeader, {{"title", hostile},
                                                {"phone_type", "bad \xFF utf8 \xC3"},
                                                {"contact_accuracy", "\xED\xA0\x80"},
                                                {"distance_miles", "1e5"}})});
  BOOST_REQUIRE_EQUAL(out.size(), 1u);
  const std::string& text = std::get<std::string>(out.get(0, "source_features"));
  const json f = json::parse(text);  // throws on invalid JSON or invalid UTF-8
  BOOST_TEST(f.dump() == text);      // nlohmann writes exactly these bytes for these values
  BOOST_TEST(f["inputs"]["title"] == hostile);
  BOOST_TEST(f["inputs"]["phone_type"] == "bad \xEF\xBF\xBD utf8 \xEF\xBF\xBD");
  BOOST_TEST(f["inputs"]["contact_accuracy"] == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  BOOST_TEST(text.find(R"("distance_miles":100000.0,)") != std::string::npos, text);
  BOOST_TEST(text.find(R"(back\t Z)") != std::string::npos, text);
}

// Numbers are written as nlohmann (and Python's json) write them, whatever their size: fixed
// from 1e-4 up to 1e15, scientific beyond, shortest round-trip digits.
BOOST_FIXTURE_TEST_CASE(source_features_numbers_read_back_byte_for_byte, Fixture) {
  for (const char* miles :
       {"4.2", "0.30000000000000004", "0.00012", "0.000012", "100000", "1e14", "1e15",
        "123456789012345678", "1.5e-05", "5e-324", "1.7976931348623157e308", "0"}) {
    const Chunk out = run(config_for(Workflow::kGeography),
                          {lead_row(kLeadHeader, {{"distance_miles", std::string(miles)}})});
    BOOST_REQUIRE_EQUAL(out.size(), 1u);
    const std::string& text = std::get<std::string>(out.get(0, "source_features"));
    BOOST_TEST(json::parse(text).dump() == text, miles);
  }
}

// NUL and the other C0 characters (TAB aside in free text) never reach the dialer's CSV: the row
// is rejected naming the column, whichever column it is, lead field or not.
BOOST_FIXTURE_TEST_CASE(control_characters_reject_the_row_naming_the_field, Fixture) {
  const std::vector<std::string> header = {"person_id",    "company_name",    "first_name", "title",
                                           "direct_phone", "intent_strength", "intent_date"};
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"first_name", std::string("Ann\0e", 5), "first_name: control character U+0000 at byte 4"},
      {"title", "Manager\r\nBuilding", "title: control character U+000D at byte 8"},
      {"company_name", "\x1B[31mAcme", "company_name: control character U+001B at byte 1"},
      {"direct_phone", "617\t555 0100", "direct_phone: control character U+0009 at byte 4"},
  };
  for (const auto& [field, value, reason] : cases) {
    rejects.clear();
    const Chunk out = run(config_for(Workflow::kIntent),
                          {lead_row(header, {{"person_id", "ok"}, {"title", "Ops\tLead"}}),
                           lead_row(header, {{"person_id", "bad"}, {field, value}})},
                          header);
    BOOST_TEST_CONTEXT(field) {
      BOOST_TEST_REQUIRE(out.size() == 1u);  // TAB in a title is free text: kept
      BOOST_TEST(show(out.get(0, "person_id")) == "ok");
      BOOST_TEST_REQUIRE(rejects.size() == 1u);
      BOOST_TEST(rejects.entries()[0].position == "leads.csv:3");
      BOOST_TEST(rejects.entries()[0].kind == "control_character");
      BOOST_TEST(rejects.entries()[0].reason.starts_with(reason), rejects.entries()[0].reason);
    }
  }
}

// A day of clock skew between the intent provider and us is age 0; more is a wrong date, which
// used to rank first with a negative age.
BOOST_FIXTURE_TEST_CASE(intent_dates_after_as_of_are_skew_or_rejected, Fixture) {
  const Chunk out =
      run(config_for(Workflow::kIntent, "2026-02-11"),
          {lead_row(kLeadHeader, {{"person_id", "today"}, {"intent_date", "2026-02-11"}}),
           lead_row(kLeadHeader, {{"person_id", "skew"}, {"intent_date", "2026-02-12"}}),
           lead_row(kLeadHeader, {{"person_id", "future"}, {"intent_date", "2026-02-13"}})});
  BOOST_REQUIRE_EQUAL(out.size(), 2u);
  BOOST_TEST(show(out.get(1, "person_id")) == "skew");
  BOOST_TEST(show(out.get(1, "age_days")) == "0");
  BOOST_TEST(show(out.get(1, "hades_score")) == show(out.get(0, "hades_score")));
  BOOST_REQUIRE_EQUAL(rejects.size(), 1u);
  BOOST_TEST(rejects.entries()[0].position == "leads.csv:4");
  BOOST_TEST(rejects.entries()[0].kind == "future_intent_date");
  BOOST_TEST(rejects.entries()[0].reason.starts_with(
                 "intent_date: '2026-02-13' is 2 days after as_of 2026-02-11"),
             rejects.entries()[0].reason);
  // Geography leads do not score intent dates: nothing to refuse.
  rejects.clear();
  const Chunk geo = run(config_for(Workflow::kGeography, "2026-02-11"),
                        {lead_row(kLeadHeader, {{"intent_date", "2030-01-01"}})});
  BOOST_TEST(geo.size() == 1u);
  BOOST_TEST(rejects.size() == 0u);
}

BOOST_FIXTURE_TEST_CASE(as_of_more_than_a_day_after_the_run_date_fails_open, Fixture) {
  BOOST_TEST(open_status(config_for(Workflow::kIntent, "2026-02-12"), kLeadHeader).ok());
  const Status later = open_status(config_for(Workflow::kIntent, "2026-02-13"), kLeadHeader);
  BOOST_TEST(later.code() == StatusCode::kInvalidConfig);
  BOOST_TEST(later.message().find("`as_of` 2026-02-13 is more than a day after the run's date "
                                  "2026-02-11") != std::string::npos,
             later.message());
}

BOOST_FIXTURE_TEST_CASE(source_features_bytes_are_deterministic, Fixture) {
  const auto features = [this] {
    std::vector<Row> rows;
    for (const char* id : {"a", "b", "c"})
      rows.push_back(lead_row(kLeadHeader, {{"person_id", id}}));
    const Chunk out = run(config_for(Workflow::kIntent), std::move(rows));
    std::vector<std::string> texts;
    for (std::size_t i = 0; i < out.size(); ++i) {
      texts.push_back(std::get<std::string>(out.get(i, "source_features")));
    }
    return texts;
  };
  const std::vector<std::string> first = features();
  const std::vector<std::string> second = features();
  BOOST_TEST(first == second, boost::test_tools::per_element());
  // person_id is not a feature, so three leads that differ only by it have equal features.
  BOOST_TEST(first[0] == first[2]);
}

// ---------------------------------------------------------------------------------------------
// as_of

BOOST_FIXTURE_TEST_CASE(as_of_defaults_to_the_run_start_date, Fixture) {
  Scorer scorer(config_for(Workflow::kIntent));
  BOOST_REQUIRE(scorer.open(ctx, std::make_shared<const Schema>(kLeadHeader)).ok());
  BOOST_TEST(scorer.as_of() == "2026-02-11");
  // A resumed run keeps its started_at, so its leads age the same whenever it runs.
  ctx.run_info.started_at = "2026-02-20T23:59:59Z";
  const Chunk out = run(config_for(Workflow::kIntent), {lead_row(kLeadHeader)});
  BOOST_TEST(show(out.get(0, "age_days")) == "11");
  BOOST_TEST(show(out.get(0, "freshness_label")) == "Cooling");
}

BOOST_FIXTURE_TEST_CASE(as_of_setting_overrides_the_run_start, Fixture) {
  ctx.run_info.started_at = "2026-02-20T06:00:00Z";  // as_of may be any day up to tomorrow
  const Chunk out = run(config_for(Workflow::kIntent, "2026-02-13"), {lead_row(kLeadHeader)});
  BOOST_TEST(show(out.get(0, "age_days")) == "4");
  BOOST_TEST(show(out.get(0, "freshness_label")) == "Warm");
  BOOST_TEST(features_of(out, 0)["as_of"] == "2026-02-13");
}

BOOST_FIXTURE_TEST_CASE(no_as_of_and_no_run_start_date_fails_open, Fixture) {
  ctx.run_info.started_at = "";
  const Status s = open_status(config_for(Workflow::kIntent), kLeadHeader);
  BOOST_TEST(s.code() == StatusCode::kInvalidConfig);
  BOOST_TEST(s.message().find("as_of") != std::string::npos, s.message());
}

// ---------------------------------------------------------------------------------------------
// Input columns

BOOST_FIXTURE_TEST_CASE(missing_optional_columns_read_as_null, Fixture) {
  const std::vector<std::string> header = {"company_name", "person_id", "intent_date", "extra"};
  const Chunk out =
      run(config_for(Workflow::kIntent), {lead_row(header, {{"extra", "kept"}})}, header);
  BOOST_REQUIRE_EQUAL(out.size(), 1u);
  BOOST_TEST(out.schema()->size() == header.size() + kExpectedAppended.size());
  BOOST_TEST(show(out.get(0, "extra")) == "kept");
  BOOST_TEST(show(out.get(0, "sic_code_raw")) == "<null>");
  // Low 40*0.5 + default 40*0.25 + Hot 100*0.25 = 55; no bonuses
  BOOST_TEST(show(out.get(0, "hades_score")) == "55");
  BOOST_TEST(show(out.get(0, "employee_bonus")) == "<null>");
  BOOST_TEST(show(out.get(0, "audience_bonus")) == "0");
}

BOOST_FIXTURE_TEST_CASE(required_and_clashing_columns_fail_open, Fixture) {
  const Status no_person = open_status(config_for(Workflow::kIntent), {"company_name", "zip"});
  BOOST_TEST(no_person.code() == StatusCode::kInvalidConfig);
  BOOST_TEST(no_person.message().find("'person_id'") != std::string::npos, no_person.message());
  const Status no_company = open_status(config_for(Workflow::kIntent), {"person_id"});
  BOOST_TEST(no_company.message().find("'company_name'") != std::string::npos);
  const Status clash =
      open_status(config_for(Workflow::kIntent), {"person_id", "company_name", "hades_score"});
  BOOST_TEST(clash.code() == StatusCode::kInvalidConfig);
  BOOST_TEST(clash.message().find("'hades_score'") != std::string::npos, clash.message());
}

// The export's min_score: leads below it are left out before anything else sees them (no
// source_features built, nothing held by the ranking), and are not rejects.
BOOST_FIXTURE_TEST_CASE(min_score_leaves_lower_leads_out_without_rejecting_them, Fixture) {
  const Chunk all = run(config_for(Workflow::kGeography), {lead_row(kLeadHeader)});
  BOOST_REQUIRE_EQUAL(all.size(), 1u);
  const std::int64_t score = std::get<std::int64_t>(all.get(0, "hades_score"));
  for (const Workflow workflow : {Workflow::kGeography, Workflow::kIntent}) {
    ScorerConfig config = config_for(workflow);
    const Chunk plain = run(config, {lead_row(kLeadHeader)});
    const std::int64_t own = std::get<std::int64_t>(plain.get(0, "hades_score"));
    config.min_score = own;
    BOOST_TEST(run(config, {lead_row(kLeadHeader)}).size() == 1u);  // at min_score: kept
    config.min_score = own + 1;
    BOOST_TEST(run(config, {lead_row(kLeadHeader)}).size() == 0u);
  }
  BOOST_TEST(score > 0);
  BOOST_TEST(rejects.size() == 0u);
}

BOOST_AUTO_TEST_CASE(apply_before_open_is_an_internal_error) {
  Scorer scorer(config_for(Workflow::kIntent));
  Chunk output;
  CollectingRejects rejects;
  BOOST_TEST(scorer.apply(Chunk(), &output, rejects).code() == StatusCode::kInternal);
}

// ---------------------------------------------------------------------------------------------
// Factory and README

Settings settings_with(const std::string& icp, const std::string& workflow) {
  Settings settings;
  settings.set("icp", icp);
  settings.set("workflow", workflow);
  return settings;
}

BOOST_AUTO_TEST_CASE(factory_binds_settings_and_loads_icp) {
  Settings settings = settings_with(shipped_icp_path(), "geography");
  settings.set("as_of", std::string("2026-02-01"));
  const Result<ScorerConfig> config = bind_config(settings);
  BOOST_REQUIRE_MESSAGE(config.ok(), config.status().to_string());
  BOOST_TEST((config->workflow == Workflow::kGeography));
  BOOST_TEST(config->as_of == "2026-02-01");
  BOOST_TEST(config->icp.sha256 == shipped_icp().sha256);
  BOOST_TEST(config->min_score == 0);
  settings.set("min_score", std::int64_t{60});
  const Result<ScorerConfig> higher = bind_config(settings);
  BOOST_REQUIRE(higher.ok());
  BOOST_TEST(higher->min_score == 60);
  Result<std::unique_ptr<Plugin>> made = create(settings);
  BOOST_REQUIRE(made.ok());
  BOOST_TEST(dynamic_cast<Scorer*>(made->get()) != nullptr);
}

BOOST_AUTO_TEST_CASE(factory_rejects_bad_settings) {
  const auto code = [](const Settings& s) { return bind_config(s).status().code(); };
  BOOST_TEST(code(Settings()) == StatusCode::kInvalidConfig);
  BOOST_TEST(code(settings_with(shipped_icp_path(), "Intent")) == StatusCode::kInvalidConfig);
  BOOST_TEST(code(settings_with(shipped_icp_path(), "")) == StatusCode::kInvalidConfig);
  for (const char* as_of : {"2026-2-1", "2026-02-30", "today", "2026-02-01T00:00:00Z"}) {
    Settings s = settings_with(shipped_icp_path(), "intent");
    s.set("as_of", std::string(as_of));
    BOOST_TEST(code(s) == StatusCode::kInvalidConfig, as_of);
  }
  for (const std::int64_t min_score : {-1, 101}) {
    Settings s = settings_with(shipped_icp_path(), "intent");
    s.set("min_score", min_score);
    BOOST_TEST(code(s) == StatusCode::kInvalidConfig, min_score);
  }
  const Status missing = bind_config(settings_with("/nonexistent/icp.yaml", "intent")).status();
  BOOST_TEST(missing.code() == StatusCode::kInvalidConfig);
  BOOST_TEST(missing.message().find("/nonexistent/icp.yaml") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(factory_reports_a_bad_icp_yaml_with_file_line_and_column) {
  TempDir dir;
  std::string text = hades::testing::read_file(shipped_icp_path());
  text.replace(text.find("max_miles: 25"), 13, "max_miles: far");
  const std::string path = dir.file("icp.yaml");
  hades::testing::write_file(path, text);
  const Status s = bind_config(settings_with(path, "geography")).status();
  BOOST_TEST(s.code() == StatusCode::kInvalidConfig);
  BOOST_TEST(s.message() == "scorer: `icp`: " + path +
                                ":148:16: proximity[2].max_miles: expected a number, got 'far'");
}

BOOST_AUTO_TEST_CASE(readme_settings_table_matches_ksettings) {
  const std::vector<std::string> missing =
      hades::testing::missing_readme_setting_rows("scorer", kSettings);
  BOOST_TEST(missing.empty(), "README.md lacks the row: " << (missing.empty() ? "" : missing[0]));
}

BOOST_AUTO_TEST_CASE(readme_lists_the_output_columns) {
  const std::string text =
      hades::testing::read_file(testing::repo_path("plugins/domain/scorer/README.md"));
  for (const std::string_view column : kAppendedColumns) {
    BOOST_TEST(text.find("| `" + std::string(column) + "` |") != std::string::npos, column);
  }
}

}  // namespace
}  // namespace hades::scorer
