// calibration.h: buckets from outcome rows (the SQL CASE expressions and json_extract, the
// normalisation after aggregation), what counts as matured, report order, the lists of
// buckets icp.yaml lacks or has without data, current scores, census regions.

#include "calibration.h"

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <set>

#include "leads/scoring.h"
#include "outcomes/outcome_tables.h"
#include "report.h"
#include "test_database.h"
#include "test_helpers.h"

namespace hades::calibrator {
namespace {

using testing::shipped_icp;

const BucketResult* find(const DimensionResult& d, const std::string& bucket) {
  for (const BucketResult& b : d.buckets) {
    if (b.bucket == bucket) return &b;
  }
  return nullptr;
}

const DimensionResult& dimension(const std::vector<DimensionResult>& all, Dimension d) {
  for (const DimensionResult& r : all) {
    if (r.dimension == d) return r;
  }
  throw std::runtime_error("dimension missing");
}

std::vector<std::string> keys(const DimensionResult& d) {
  std::vector<std::string> out;
  for (const BucketResult& b : d.buckets) out.push_back(b.bucket);
  return out;
}

// Registers export batch `id` in `state`: only published batches' leads count.
void register_batch(Database& db, const std::string& id, const std::string& state, int run) {
  WriteBatch batch;
  batch.add(
      "INSERT INTO hades_batch_ids (batch_id, day, seq, run_id, job, allocated_at, state) "
      "VALUES (?, '20250110', ?, ?, 'export', '2025-01-10T06:00:00Z', ?)",
      {Value(id), Value(std::int64_t{run}), Value(std::int64_t{run}), Value(state)});
  BOOST_REQUIRE(db.apply(batch).ok());
}

// A fresh database with the outcome tables, and the published batch insert() writes into:
// SQLite, or sqld under calibrator_test_sqld.
std::unique_ptr<Database> outcome_db() {
  auto db = hades::testing::scratch_database();
  BOOST_REQUIRE(domain::apply_outcome_migrations(*db).ok());
  register_batch(*db, "HADES-20250110-001", "published", 1);
  return db;
}

struct Lead {
  std::string workflow = "geography";
  Value sic = std::string("8062");
  Value employees = std::int64_t{75};
  Value miles = 3.0;
  Value state = std::string("MA");
  Value score = std::int64_t{70};
  std::string exported_at = "2025-01-10T06:00:00Z";
  Value outcome;
  Value features;
};

void insert(Database& db, const Lead& l, int id,
            const std::string& batch_id = "HADES-20250110-001") {
  WriteBatch batch;
  batch.add(
      "INSERT INTO lead_outcomes (batch_id, person_id, company_name, sic_code, employee_count, "
      "distance_miles, state, hades_score, workflow_type, exported_at, outcome, source_features, "
      "created_at) VALUES (?, ?, 'Co', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {Value(batch_id), Value("P" + std::to_string(id)), l.sic, l.employees, l.miles, l.state,
       l.score, Value(l.workflow), Value(l.exported_at), l.outcome, l.features,
       Value(l.exported_at)});
  BOOST_REQUIRE(db.apply(batch).ok());
}

std::string intent_features(const std::string& strength, const std::string& age,
                            const std::string& date = "\"2025-01-08\"",
                            const std::string& intent_score = "null") {
  return R"({"components":{"age_days":)" + age + R"(},"inputs":{"intent_date":)" + date +
         R"(,"intent_score":)" + intent_score + R"(,"intent_strength":)" + strength + "}}";
}

std::int64_t count_rows(Database& db, const std::string& sql) {
  Result<QueryResult> rows = db.query(sql);
  BOOST_REQUIRE_MESSAGE(rows.ok(), rows.status().to_string());
  return as_int(rows->rows.at(0).at(0)).value_or(-1);
}

BOOST_AUTO_TEST_SUITE(calibration)

BOOST_AUTO_TEST_CASE(census_regions_cover_50_states_and_dc) {
  int counts[4] = {0, 0, 0, 0};
  const std::vector<std::string> regions = {"Northeast", "Midwest", "South", "West"};
  for (const char* code :
       {"AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID",
        "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO",
        "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA",
        "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY"}) {
    const auto region = census_region(code);
    BOOST_REQUIRE_MESSAGE(region.has_value(), code);
    ++counts[std::find(regions.begin(), regions.end(), std::string(*region)) - regions.begin()];
  }
  BOOST_TEST(counts[0] == 9);   // Northeast
  BOOST_TEST(counts[1] == 12);  // Midwest
  BOOST_TEST(counts[2] == 17);  // South, DC included
  BOOST_TEST(counts[3] == 13);  // West
  BOOST_TEST(!census_region("PR").has_value());
  BOOST_TEST(*census_region("MA") == "Northeast");
}

BOOST_AUTO_TEST_CASE(automatic_holdout_keeps_80_percent_in_training) {
  // 10 leads at each of 10 times: 80 leads before the 9th time.
  std::vector<KeyCount> exports;
  for (int t = 0; t < 10; ++t)
    exports.push_back({"2025-01-0" + std::to_string(t) + "T06:00:00Z", 10, 0});
  BOOST_TEST(automatic_holdout_date(exports) == "2025-01-08T06:00:00Z");
  // One big batch is never split: with 5 + 100 leads the split lands on the big batch.
  BOOST_TEST(automatic_holdout_date({{"a", 5, 0}, {"b", 100, 0}}) == "b");
  BOOST_TEST(automatic_holdout_date({}).empty());
}

BOOST_AUTO_TEST_CASE(delivery_lag_quantile) {
  // 5 deliveries after 3 days, 4 after 10, 1 after 40: 90% of 10 = 9 arrive within 10 days.
  BOOST_TEST(*lag_quantile({{"3", 5, 0}, {"10", 4, 0}, {"40", 1, 0}}, 0.9) == 10);
  BOOST_TEST(*lag_quantile({{"3", 5, 0}, {"10", 4, 0}, {"40", 1, 0}}, 0.95) == 40);
  BOOST_TEST(!lag_quantile({}, 0.9).has_value());
}

BOOST_AUTO_TEST_CASE(sql_buckets_follow_icp_tiers_and_normalisation) {
  auto db = outcome_db();
  int id = 0;
  const auto add = [&](Lead l) { insert(*db, l, ++id); };
  Lead base;
  add(base);  // 8062, 50-100, 0-5 mi, MA
  Lead l = base;
  l.sic = std::string("8062-01");
  l.miles = 5.0;
  add(l);  // edge: 5 <= 5
  l = base;
  l.sic = Value();
  l.miles = 5.01;
  l.employees = std::int64_t{101};
  add(l);
  l = base;
  l.sic = std::string("80620100");
  l.miles = Value();
  l.employees = std::int64_t{20};
  add(l);
  l = base;
  l.sic = std::string(" 7033");
  l.miles = 250.0;
  l.employees = Value();
  add(l);
  l = base;
  l.employees = std::string("1,200");
  l.state = std::string("Massachusetts");
  add(l);
  l = base;
  l.state = std::string("ZZ");
  l.outcome = std::string("delivery");
  add(l);
  l = base;
  l.outcome = std::string("churned");
  l.state = Value();
  add(l);
  Lead intent = base;
  intent.workflow = "intent";
  intent.features = intent_features("\"high\"", "2");  // High, Hot
  add(intent);
  intent.features = intent_features("\"Medium\"", "5", "\"2025-01-05\"", "80");  // numeric signal
  add(intent);
  intent.features = intent_features("null", "999", "null");  // unknown, unknown
  add(intent);
  intent.features = intent_features("\"Very High\"", "20");  // past every tier
  add(intent);
  intent.features = std::string("{not json");  // unknown, unknown
  add(intent);
  // Pending: exported after matured_before, a delivery included: left out entirely.
  l = base;
  l.exported_at = "2025-06-01T06:00:00Z";
  l.outcome = std::string("delivery");
  add(l);

  Result<OutcomeData> data =
      load_outcomes(*db, shipped_icp(), {"2025-03-01T06:00:00Z", std::nullopt});
  BOOST_REQUIRE_MESSAGE(data.ok(), data.status().to_string());
  BOOST_TEST(data->volume.leads_matured == 13);
  BOOST_TEST(data->volume.leads_pending == 1);
  BOOST_TEST(data->volume.early_deliveries == 1);
  BOOST_TEST(data->holdout_date == "2025-01-10T06:00:00Z");  // one export time: all of it
  const auto dims = calibrate_dimensions(shipped_icp(), data->cells, data->states, false);

  const DimensionResult& sic = dimension(dims, Dimension::kSic);
  BOOST_TEST(keys(sic) == (std::vector<std::string>{"7033", "8062", "unknown"}));
  BOOST_TEST(find(sic, "8062")->n == 11);
  BOOST_TEST(find(sic, "8062")->k == 2);
  BOOST_TEST(*find(sic, "8062")->current_score == 33);
  BOOST_TEST(*find(sic, "7033")->current_score == 40);  // not in sic_scores: the default
  BOOST_TEST(!find(sic, "7033")->in_icp);
  BOOST_TEST(sic.not_in_icp == std::vector<std::string>{"7033"});
  BOOST_TEST(sic.icp_without_data.size() == 15u);  // 16 SICs in icp.yaml, 8062 has data

  const DimensionResult& emp = dimension(dims, Dimension::kEmployeeTier);
  BOOST_TEST(keys(emp) == (std::vector<std::string>{"50-100", "101-500", "501-999999",
                                                    "outside tiers", "unknown"}));
  BOOST_TEST(find(emp, "501-999999")->n == 1);  // "1,200" parsed after aggregation
  BOOST_TEST(*find(emp, "outside tiers")->current_score == 40);
  BOOST_TEST(*find(emp, "unknown")->current_score == 100);  // the scorer takes 50 employees

  const DimensionResult& prox = dimension(dims, Dimension::kProximity);
  BOOST_TEST(find(prox, "0-5 mi")->n == 5);  // 3 and 5.0 miles, geography only
  BOOST_TEST(find(prox, "5-10 mi")->n == 1);
  BOOST_TEST(find(prox, "beyond 100 mi")->n == 1);
  BOOST_TEST(*find(prox, "unknown")->current_score == 70);  // unknown counts as 15 miles
  BOOST_TEST(prox.icp_without_data ==
             (std::vector<std::string>{"10-25 mi", "25-50 mi", "50-100 mi"}));

  const DimensionResult& signal = dimension(dims, Dimension::kSignalStrength);
  BOOST_TEST(keys(signal) == (std::vector<std::string>{"High", "Medium", "Very High", "unknown"}));
  BOOST_TEST(*find(signal, "Very High")->current_score == 40);  // scored as Low
  BOOST_TEST(signal.not_in_icp == std::vector<std::string>{"Very High"});
  BOOST_TEST(find(signal, "unknown")->n == 2);  // null strength and malformed JSON

  const DimensionResult& fresh = dimension(dims, Dimension::kFreshness);
  // Age 20 is past `cooling` (14 days) and within `stale` (999): the Stale tier, scored 0.
  BOOST_TEST(keys(fresh) == (std::vector<std::string>{"Hot", "Warm", "Stale", "unknown"}));
  BOOST_TEST(*find(fresh, "Hot")->current_score == 100);
  BOOST_TEST(*find(fresh, "Stale")->current_score == 0);

  const DimensionResult& state = dimension(dims, Dimension::kState);
  BOOST_TEST(find(state, "MA")->n == 11);      // "Massachusetts" normalised
  BOOST_TEST(find(state, "unknown")->n == 2);  // "ZZ" and NULL
  BOOST_TEST(!find(state, "MA")->current_score.has_value());
  const DimensionResult& region = dimension(dims, Dimension::kRegion);
  BOOST_TEST(keys(region) == (std::vector<std::string>{"Northeast", "unknown"}));
}

BOOST_AUTO_TEST_CASE(historical_rows_count_in_sic_employee_and_state) {
  auto db = outcome_db();
  WriteBatch batch;
  for (int i = 0; i < 40; ++i) {
    batch.add(
        "INSERT INTO historical_outcomes (company_name, sic_code, employee_count, state, "
        "outcome, imported_at) VALUES ('H', '8361-02', 60, 'tx', ?, 'x')",
        {Value(std::string(i < 10 ? "delivery" : "no_delivery"))});
  }
  BOOST_REQUIRE(db->apply(batch).ok());
  Result<OutcomeData> data =
      load_outcomes(*db, shipped_icp(), {"2025-03-01T06:00:00Z", std::nullopt});
  BOOST_REQUIRE(data.ok());
  BOOST_TEST(data->volume.historical == 40);
  BOOST_TEST(data->holdout_date.empty());
  const auto dims = calibrate_dimensions(shipped_icp(), data->cells, data->states, false);
  const BucketResult* sic = find(dimension(dims, Dimension::kSic), "8361");
  BOOST_REQUIRE(sic != nullptr);
  BOOST_TEST(sic->n == 40);
  BOOST_TEST(sic->k == 10);
  BOOST_TEST(sic->confidence == Confidence::kMedium);
  BOOST_TEST(find(dimension(dims, Dimension::kState), "TX")->n == 40);
  BOOST_TEST(find(dimension(dims, Dimension::kRegion), "South")->n == 40);
  BOOST_TEST(dimension(dims, Dimension::kProximity).buckets.empty());
}

// Raw fields in every form the buckets must survive: text and integer codes, NULL and '',
// blanks and case, out-of-range and non-numeric scores, malformed and partial source_features.
// 600 leads of awkward values (SIC, employee, distance and state texts, scores, outcomes, and
// source_features of every JSON shape the strength, score, date and age can take) over three
// export times and seven batches, five of them published.
void insert_awkward_leads(Database& db) {
  const std::vector<Value> sics = {
      std::string("8062"), std::string("8062-01"), Value(),
      std::string(""),     std::string(" 7033"),   std::string("8361")};
  const std::vector<Value> employees = {std::int64_t{75},   std::int64_t{300}, std::int64_t{2000},
                                        std::int64_t{5},    Value(),           std::string("1,200"),
                                        std::string("many")};
  const std::vector<Value> miles = {3.0, 5.0, 5.01, 60.0, 250.0, Value(), std::string("far")};
  const std::vector<Value> states = {std::string("MA"), std::string("ma"), std::string("Texas"),
                                     Value(),           std::string(""),   std::string("ZZ")};
  const std::vector<Value> scores = {std::int64_t{70},  std::int64_t{0}, std::int64_t{100},
                                     std::int64_t{101}, Value(),         55.5};
  const std::vector<Value> outcomes = {Value(), std::string("delivery"), std::string("churned"),
                                       std::string("contacted")};
  const std::vector<Value> features = {
      Value(intent_features("\"High\"", "2")),
      Value(intent_features("\" medium \"", "9", "\"2025-01-01\"", "80")),
      Value(intent_features("\"Very High\"", "20", "\"2025-01-01\"", "\"90\"")),
      Value(intent_features("null", "999", "null")),
      Value(intent_features("\"\"", "400")),
      Value(intent_features(R"("Hi\u0067h")", "3")),  // "High" once unescaped
      Value(intent_features(R"({"x": [1, "a,b]"]})", "4")),
      Value(intent_features("[\"High\"]", "\"5\"")),
      Value(intent_features("\"\\tLow\\n\"", "true", "\"2025-01-01\"", "true")),
      Value(intent_features("7", "1.5e1", "\"2025-01-01\"", "-3")),
      Value(intent_features("2.5", "8", "{}", "0.5")),
      Value(intent_features("\"Medium\"", "7", "\"2025-01-01\"", "0")),
      Value(std::string("{not json")),
      Value(std::string("{}")),
      Value()};
  const std::vector<std::string> exported = {"2025-01-10T06:00:00Z", "2025-02-10T06:00:00Z",
                                             "2025-06-01T06:00:00Z"};
  // Scoring rules versions as recorded, and as no export writes them (text, a real).
  const std::vector<Value> rules = {Value(), std::int64_t{2}, std::int64_t{1}, std::string("1"),
                                    1.0,     std::int64_t{3}};
  WriteBatch batch;
  for (int i = 0; i < 600; ++i) {
    const auto pick = [i](const std::vector<Value>& v, int stride) {
      return v[static_cast<std::size_t>(i * stride + i / 7) % v.size()];
    };
    const bool intent = i % 3 == 0;
    const std::string at = exported[static_cast<std::size_t>(i) % exported.size()];
    batch.add(
        "INSERT INTO lead_outcomes (batch_id, person_id, company_name, sic_code, employee_count, "
        "distance_miles, state, hades_score, workflow_type, exported_at, outcome, "
        "source_features, created_at, scoring_rules) "
        "VALUES (?, ?, 'Co', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {Value("B" + std::to_string(i % 7)), Value("P" + std::to_string(i)), pick(sics, 1),
         pick(employees, 2), pick(miles, 3), pick(states, 5), pick(scores, 7),
         Value(std::string(intent ? "intent" : "geography")), Value(at), pick(outcomes, 11),
         intent ? pick(features, 13) : Value(), Value(at), pick(rules, 17)});
  }
  BOOST_REQUIRE(db.apply(batch).ok());
  for (int b = 0; b < 5; ++b) register_batch(db, "B" + std::to_string(b), "published", 10 + b);
  register_batch(db, "B5", "abandoned", 15);  // never published: its rows count nowhere
  register_batch(db, "B6", "allocated", 16);
}

BOOST_AUTO_TEST_CASE(streamed_and_database_aggregation_give_the_same_groups) {
  auto db = outcome_db();
  insert_awkward_leads(*db);
  LoadOptions options{"2025-03-01T06:00:00Z", std::string("2025-02-01T06:00:00Z")};
  // Two changes of icp.yaml, one at an export time exactly: three scoring-check periods.
  options.change_times = {"2025-01-20T00:00:00Z", "2025-02-10T06:00:00Z"};
  options.lead_aggregation = LeadAggregation::kInDatabase;
  const Result<OutcomeData> grouped = load_outcomes(*db, shipped_icp(), options);
  BOOST_REQUIRE_MESSAGE(grouped.ok(), grouped.status().to_string());
  options.lead_aggregation = LeadAggregation::kStreamed;
  const Result<OutcomeData> streamed = load_outcomes(*db, shipped_icp(), options);
  BOOST_REQUIRE_MESSAGE(streamed.ok(), streamed.status().to_string());
  // Two of the three export times, batches B0-B4 only.
  BOOST_TEST(grouped->volume.leads_matured == 287);
  BOOST_TEST(grouped->cells.size() > 50u);    // the data reach many groups
  BOOST_TEST(!grouped->batches.has_value());  // the batch check will ask the database
  BOOST_TEST(streamed->batches.has_value());  // summed while streaming
  testing::check_same_outcomes(*grouped, *streamed);
  testing::check_same_batches(*db, *grouped, *streamed);
  std::set<std::size_t> periods;
  for (const ScoreCount& c : grouped->scoring) periods.insert(c.period);
  // Exports of 2025-01-10 before both changes; those of 2025-02-10T06:00:00Z, the second's very
  // time, after it; none in between.
  BOOST_TEST(periods == (std::set<std::size_t>{0, 2}));
}

// One intent lead `id` into `json_only` with `features`, and into `columns` with its
// intent_strength, intent_score, intent_date and age_days set to `values` and source_features
// that cannot be parsed.
void insert_both(Database& json_only, Database& columns, const std::string& features,
                 const std::vector<Value>& values, int id) {
  Lead l;
  l.workflow = "intent";
  l.features = features;
  insert(json_only, l, id);
  l.features = std::string("{not read}");
  insert(columns, l, id);
  WriteBatch b;
  b.add(
      "UPDATE lead_outcomes SET intent_strength = ?, intent_score = ?, intent_date = ?, "
      "age_days = ? WHERE person_id = ?",
      {values.at(0), values.at(1), values.at(2), values.at(3), Value("P" + std::to_string(id))});
  BOOST_REQUIRE(columns.apply(b).ok());
}

// The columns an export writes (outcome_tables migration 6: intent_strength, intent_score,
// intent_date, age_days) are read as source_features is: the same leads with the columns filled
// by the migration's own backfill give the same groups as with source_features alone, and a row
// whose columns are written is not read from its source_features at all.
BOOST_AUTO_TEST_CASE(the_feature_columns_read_as_source_features_does) {
  auto json_only = outcome_db();
  auto columns = outcome_db();
  insert_awkward_leads(*json_only);
  insert_awkward_leads(*columns);
  WriteBatch backfill;
  for (const std::string& statement : domain::outcome_migrations().at(5).statements) {
    if (statement.rfind("UPDATE", 0) == 0) backfill.add(statement);
  }
  BOOST_REQUIRE(backfill.size() == 1u);
  BOOST_REQUIRE(columns->apply(backfill).ok());
  // As the export writes them: raw texts, a blank date, and source_features that no longer
  // matter (its columns are set) against the same lead recorded by source_features alone.
  insert_both(*json_only, *columns, intent_features("null", "999", "null"),
              {std::string("  "), std::string(""), std::string(" \t"), std::int64_t{999}}, 9001);
  insert_both(*json_only, *columns, intent_features("\" High \"", "2"),
              {std::string(" High "), Value(), std::string("2025-01-08"), std::int64_t{2}}, 9002);
  insert_both(*json_only, *columns, intent_features("\"Low\"", "6", "\"2025-01-04\"", "85"),
              {std::string("Low"), std::string("85"), std::string("2025-01-04"), std::int64_t{6}},
              9003);
  BOOST_TEST(count_rows(*columns, "SELECT count(*) FROM lead_outcomes WHERE age_days IS NOT NULL") >
             50);
  BOOST_TEST(count_rows(*columns,
                        "SELECT count(*) FROM lead_outcomes WHERE workflow_type = 'intent' AND "
                        "age_days IS NULL") > 20);  // shapes the scorer never writes stay JSON
  for (const LeadAggregation how : {LeadAggregation::kInDatabase, LeadAggregation::kStreamed}) {
    LoadOptions options{"2025-03-01T06:00:00Z", std::string("2025-02-01T06:00:00Z")};
    options.lead_aggregation = how;
    const Result<OutcomeData> from_json = load_outcomes(*json_only, shipped_icp(), options);
    const Result<OutcomeData> from_columns = load_outcomes(*columns, shipped_icp(), options);
    BOOST_REQUIRE_MESSAGE(from_json.ok(), from_json.status().to_string());
    BOOST_REQUIRE_MESSAGE(from_columns.ok(), from_columns.status().to_string());
    testing::check_same_outcomes(*from_json, *from_columns);
  }
}

BOOST_AUTO_TEST_CASE(only_published_batches_count_anywhere) {
  auto db = outcome_db();  // HADES-20250110-001 published
  register_batch(*db, "HADES-20250110-002", "abandoned", 2);
  register_batch(*db, "HADES-20250110-003", "allocated", 3);
  Lead l;
  l.outcome = std::string("delivery");
  insert(*db, l, 1);
  l.outcome = Value();
  insert(*db, l, 2);
  // The same leads in a batch whose CSV never reached the dialer, and one still unfinished:
  // counted, they would be leads nobody converted.
  l.outcome = Value();
  for (int i = 3; i < 9; ++i) insert(*db, l, i, "HADES-20250110-002");
  insert(*db, l, 9, "HADES-20250110-003");
  l.exported_at = "2025-06-01T06:00:00Z";  // pending, in the abandoned batch
  insert(*db, l, 10, "HADES-20250110-002");
  for (const LeadAggregation aggregation :
       {LeadAggregation::kInDatabase, LeadAggregation::kStreamed}) {
    LoadOptions options{"2025-03-01T06:00:00Z", std::nullopt};
    options.lead_aggregation = aggregation;
    Result<OutcomeData> data = load_outcomes(*db, shipped_icp(), options);
    BOOST_REQUIRE_MESSAGE(data.ok(), data.status().to_string());
    BOOST_TEST(data->volume.leads_matured == 2);
    BOOST_TEST(data->volume.leads_pending == 0);
    const auto dims = calibrate_dimensions(shipped_icp(), data->cells, data->states, false);
    BOOST_TEST(find(dimension(dims, Dimension::kSic), "8062")->n == 2);
    BOOST_TEST(find(dimension(dims, Dimension::kSic), "8062")->k == 1);
  }
}

// Scores recorded under the version 1 rules (no version recorded) for geography leads without an
// employee count are 10 points lower than today's: the report counts them, never mixes silently.
BOOST_AUTO_TEST_CASE(scoring_rules_versions_are_counted_and_outdated_scores_named) {
  auto db = outcome_db();
  Lead l;
  insert(*db, l, 1);  // version 1, with a count: the same score today
  l.employees = Value();
  insert(*db, l, 2);  // version 1, geography, no count: outdated
  insert(*db, l, 3);
  l.workflow = "intent";
  insert(*db, l, 4);  // version 1, intent, no count: the same score today (no bonus either way)
  WriteBatch current;
  current.add(
      "INSERT INTO lead_outcomes (batch_id, person_id, company_name, hades_score, workflow_type, "
      "exported_at, created_at, scoring_rules) VALUES ('HADES-20250110-001', 'P5', 'Co', 64, "
      "'geography', '2025-01-10T06:00:00Z', '2025-01-10T06:00:00Z', 2)");
  BOOST_REQUIRE(db->apply(current).ok());
  Result<OutcomeData> data =
      load_outcomes(*db, shipped_icp(), {"2025-03-01T06:00:00Z", std::nullopt});
  BOOST_REQUIRE_MESSAGE(data.ok(), data.status().to_string());
  const std::map<std::int64_t, std::int64_t> expected = {{1, 4}, {2, 1}};
  BOOST_TEST(data->volume.leads_by_scoring_rules == expected);
  BOOST_TEST(data->volume.leads_with_outdated_scores == 2);
  const std::string note = outdated_scores_note(data->volume);
  BOOST_TEST(note.starts_with("2 matured leads"), note);
}

BOOST_AUTO_TEST_CASE(current_scores_come_from_the_scoring_rules) {
  const auto& icp = shipped_icp();
  BOOST_TEST(*current_score(icp, Dimension::kSic, "8361") == 71);
  BOOST_TEST(*current_score(icp, Dimension::kSic, "unknown") == 40);
  BOOST_TEST(*current_score(icp, Dimension::kEmployeeTier, "101-500") == 80);
  // What the geography scorer gives a lead without a count: the tier holding 50 employees.
  BOOST_TEST(*current_score(icp, Dimension::kEmployeeTier, "unknown") ==
             domain::employee_scale_score(icp, std::nullopt));
  BOOST_TEST(*current_score(icp, Dimension::kEmployeeTier, "unknown") == 100);
  BOOST_TEST(*current_score(icp, Dimension::kProximity, "25-50 mi") == 50);
  BOOST_TEST(*current_score(icp, Dimension::kProximity, "beyond 100 mi") == 30);
  BOOST_TEST(*current_score(icp, Dimension::kSignalStrength, "Medium") == 70);
  BOOST_TEST(*current_score(icp, Dimension::kFreshness, "Warm") == 70);
  BOOST_TEST(!current_score(icp, Dimension::kRegion, "South").has_value());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::calibrator
