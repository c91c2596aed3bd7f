#include "lead_model/model.h"

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <ostream>

#include "lead_model/buckets.h"
#include "lead_model/logistic.h"
#include "leads/icp_config.h"
#include "process.h"
#include "test_support.h"

namespace hades::lead_model {

// Lets BOOST_TEST print a feature when a comparison fails.
inline std::ostream& operator<<(std::ostream& os, Feature f) { return os << feature_name(f); }

namespace {

const domain::IcpConfig& shipped_icp() {
  static const domain::IcpConfig icp = [] {
    auto loaded = domain::load_icp_config(hades::testing::source_dir() + "/config/icp.yaml");
    if (!loaded.ok()) throw std::runtime_error(loaded.status().to_string());
    return std::move(loaded).value();
  }();
  return icp;
}

ModelLevel level(std::string name, double coefficient, double share) {
  return ModelLevel{std::move(name), coefficient, share, 100, 10, {}};
}

// A small hand-made model over the shipped icp.yaml's feature set.
LeadModel hand_model() {
  const BucketRules rules(shipped_icp());
  LeadModel m;
  m.created_at = "2026-12-06T10:00:00Z";
  m.run_id = 7;
  m.icp_path = "config/icp.yaml";
  m.icp_sha256 = shipped_icp().sha256;
  m.feature_set_json = rules.definition_json();
  m.feature_set_sha256 = rules.definition_sha256();
  m.c = 0.3;
  m.c_selection = {
      {0.01, 0.03, 0.1, 0.3, 1, 3}, {0.31, 0.305, 0.301, 0.3, std::nullopt, 0.302}, 4, 0.3, ""};
  m.intercept = -2.0;
  m.features = {
      {Feature::kSic,
       {level("8062", 0.5, 0.5), level("8361", -0.2, 0.3), level("Other", 0.1, 0.2)}},
      {Feature::kEmployeeTier, {level("50-100", 0.3, 0.5), level("101-500", -0.3, 0.5)}},
      {Feature::kRegion, {level("South", 0.05, 1.0)}},
      {Feature::kProximity, {level("0-5 mi", 0.8, 0.4), level("5-10 mi", 0.0, 0.6)}},
      {Feature::kSignalStrength, {level("High", 0.4, 0.5), level("Low", -0.4, 0.5)}},
      {Feature::kFreshness, {level("Hot", 0.2, 0.5), level("Warm", -0.1, 0.5)}},
  };
  m.features[0].levels[2].pooled = {"7033", "4225"};
  m.training = {"2026-09-07T10:00:00Z",
                3135,
                319,
                20000,
                2100,
                "2025-03-01T09:00:00Z",
                "2026-09-01T09:00:00Z",
                std::string(64, 'a')};
  m.solver = {7, true, 6512.25, 1.5e-12};
  m.evaluation.verdict = std::string(kModelBetter);
  m.evaluation.reason = "AUC +0.031";
  m.evaluation.holdout_date = "2026-06-01T00:00:00Z";
  m.evaluation.test_leads = 4000;
  m.evaluation.model = {0.66, 1.8, 0.088, 0.30};
  m.evaluation.weights = {0.63, 1.5, 0.090, std::nullopt};
  m.evaluation.auc_difference = AucDifference{0.031, 0.018, 0.044, 2000};
  m.evaluation.reliability = {{400, 20, 0.045, 0.05, 0.033, 0.076}};
  return m;
}

Buckets buckets(std::optional<std::string> sic, std::optional<std::string> employee,
                std::optional<std::string> region, std::optional<std::string> proximity,
                std::optional<std::string> signal, std::optional<std::string> freshness) {
  return {sic, employee, region, proximity, signal, freshness};
}

BOOST_AUTO_TEST_SUITE(features)

BOOST_AUTO_TEST_CASE(buckets_are_named_as_the_calibration_report_names_them) {
  const BucketRules rules(shipped_icp());
  BOOST_TEST(rules.sic("8062-01") == "8062");
  BOOST_TEST(rules.sic("") == "unknown");
  BOOST_TEST(rules.sic("hospital") == "unknown");
  BOOST_TEST(rules.employee(75) == "50-100");
  BOOST_TEST(rules.employee(101) == "101-500");
  BOOST_TEST(rules.employee(10) == "outside tiers");
  BOOST_TEST(rules.employee(std::nullopt) == "unknown");
  BOOST_TEST(rules.region("Massachusetts") == "Northeast");
  BOOST_TEST(rules.region("tx") == "South");
  BOOST_TEST(rules.region("PR") == "unknown");
  BOOST_TEST(rules.region("") == "unknown");
  BOOST_TEST(rules.proximity(0.0) == "0-5 mi");
  BOOST_TEST(rules.proximity(5.0) == "0-5 mi");
  BOOST_TEST(rules.proximity(5.5) == "5-10 mi");
  BOOST_TEST(rules.proximity(1000.0) == "beyond 100 mi");
  BOOST_TEST(rules.proximity(std::nullopt) == "unknown");
  BOOST_TEST(rules.signal(" high ") == "High");
  BOOST_TEST(rules.signal("Surging") == "Surging");
  BOOST_TEST(rules.signal("  ") == "unknown");
  BOOST_TEST(rules.freshness(0) == "Hot");
  BOOST_TEST(rules.freshness(5) == "Warm");
  BOOST_TEST(rules.freshness(5000) == "past tiers");
  BOOST_TEST(rules.freshness(std::nullopt) == "unknown");
}

BOOST_AUTO_TEST_CASE(rows_have_the_features_of_their_kind) {
  BOOST_TEST(has_feature(RowKind::kHistorical, Feature::kSic));
  BOOST_TEST(!has_feature(RowKind::kHistorical, Feature::kProximity));
  BOOST_TEST(!has_feature(RowKind::kHistorical, Feature::kFreshness));
  BOOST_TEST(has_feature(RowKind::kGeography, Feature::kProximity));
  BOOST_TEST(!has_feature(RowKind::kGeography, Feature::kSignalStrength));
  BOOST_TEST(has_feature(RowKind::kIntent, Feature::kFreshness));
  BOOST_TEST(!has_feature(RowKind::kIntent, Feature::kProximity));
  for (const Feature f : kAllFeatures) BOOST_TEST((feature_named(feature_name(f)) == f));
  BOOST_TEST(!feature_named("state").has_value());
}

BOOST_AUTO_TEST_CASE(the_feature_set_changes_with_tiers_not_with_scores) {
  domain::IcpConfig scores = shipped_icp();
  scores.employee_scale[0].score = 7;
  scores.sic_scores.emplace_back("7033", 50);
  scores.freshness[0].multiplier = 0.5;
  BOOST_TEST(BucketRules(scores).definition_sha256() ==
             BucketRules(shipped_icp()).definition_sha256());
  domain::IcpConfig tiers = shipped_icp();
  tiers.proximity[0].max_miles = 6;
  BOOST_TEST(BucketRules(tiers).definition_sha256() !=
             BucketRules(shipped_icp()).definition_sha256());
  domain::IcpConfig labels = shipped_icp();
  labels.freshness[0].label = "Fresh";
  BOOST_TEST(BucketRules(labels).definition_sha256() !=
             BucketRules(shipped_icp()).definition_sha256());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(model_file)

BOOST_AUTO_TEST_CASE(the_json_reads_back_to_the_same_bytes) {
  const std::string json = model_to_json(hand_model());
  Result<LeadModel> back = model_from_json(json, "model.json");
  BOOST_TEST_REQUIRE(back.ok(), back.status().to_string());
  BOOST_TEST(model_to_json(*back) == json);
  BOOST_TEST(back->features[0].levels[2].pooled.size() == 2u);
  BOOST_TEST(back->evaluation.model_better());
  BOOST_TEST(!back->c_selection.log_loss[4].has_value());
  BOOST_TEST(json.find("\"format\": \"hades-lead-model\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_bad_file_is_refused_naming_the_field) {
  const std::string good = model_to_json(hand_model());
  const auto refused = [](const std::string& text) {
    const Status s = model_from_json(text, "m.json").status();
    BOOST_TEST(s.code() == StatusCode::kInvalidConfig);
    return s.message();
  };
  BOOST_TEST(refused("{not json") == "m.json: not JSON");
  BOOST_TEST(refused("[1]") == "m.json: not a JSON object");
  nlohmann::json j = nlohmann::json::parse(good);
  j["format_version"] = 2;
  BOOST_TEST(refused(j.dump()).find("format_version: the file is version 2; this hades reads "
                                    "version 1") != std::string::npos);
  j = nlohmann::json::parse(good);
  j["format"] = "pickle";
  BOOST_TEST(refused(j.dump()).find("format: expected 'hades-lead-model'") != std::string::npos);
  j = nlohmann::json::parse(good);
  j["features"].erase(2);
  BOOST_TEST(refused(j.dump()) == "m.json: features: feature 'region' is missing");
  j = nlohmann::json::parse(good);
  j["features"][1]["levels"][0]["coefficient"] = "big";
  BOOST_TEST(refused(j.dump()) ==
             "m.json: features[1].levels[0].coefficient: expected a finite number");
  j = nlohmann::json::parse(good);
  j["evaluation"]["verdict"] = "great";
  BOOST_TEST(refused(j.dump()) == "m.json: evaluation.verdict: unknown verdict 'great'");
  j = nlohmann::json::parse(good);
  j.erase("intercept");
  BOOST_TEST(refused(j.dump()) == "m.json: : missing field 'intercept'");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(model_scoring)

BOOST_AUTO_TEST_CASE(the_best_profile_of_a_workflow_scores_100) {
  Result<ModelScorer> scorer = ModelScorer::make(hand_model(), BucketRules(shipped_icp()));
  BOOST_TEST_REQUIRE(scorer.ok(), scorer.status().to_string());
  const ModelLeadScore best =
      scorer->score(RowKind::kGeography,
                    buckets("8062", "50-100", "South", "0-5 mi", std::nullopt, std::nullopt));
  BOOST_TEST(best.score == 100);
  BOOST_TEST(best.probability == sigmoid(-2.0 + 0.5 + 0.3 + 0.05 + 0.8),
             boost::test_tools::tolerance(1e-15));
  BOOST_TEST(scorer->p_max(RowKind::kGeography) == best.probability);
  // Intent: best is 8062, 50-100, South, High, Hot.
  BOOST_TEST(scorer->p_max(RowKind::kIntent) == sigmoid(-2.0 + 0.5 + 0.3 + 0.05 + 0.4 + 0.2),
             boost::test_tools::tolerance(1e-15));
  const ModelLeadScore worse = scorer->score(
      RowKind::kIntent, buckets("8361", "101-500", "South", std::nullopt, "Low", "Warm"));
  const double p = sigmoid(-2.0 - 0.2 - 0.3 + 0.05 - 0.4 - 0.1);
  BOOST_TEST(worse.probability == p, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(worse.score ==
             static_cast<std::int64_t>(std::nearbyint(100 * p / scorer->p_max(RowKind::kIntent))));
}

BOOST_AUTO_TEST_CASE(contributions_are_against_the_average_lead_largest_first) {
  Result<ModelScorer> scorer = ModelScorer::make(hand_model(), BucketRules(shipped_icp()));
  BOOST_TEST_REQUIRE(scorer.ok());
  const ModelLeadScore s = scorer->score(
      RowKind::kIntent, buckets("8062", "101-500", "South", std::nullopt, "Low", "Hot"));
  BOOST_TEST_REQUIRE(s.contributions.size() == 3u);
  // sic 8062: 0.5 - (0.25 - 0.06 + 0.02) = 0.29; employee 101-500: -0.3 - 0 = -0.3;
  // signal Low: -0.4 - 0 = -0.4; freshness Hot: 0.2 - 0.05 = 0.15; region: 0.
  BOOST_TEST(s.contributions[0].feature == Feature::kSignalStrength);
  BOOST_TEST(s.contributions[0].value == -0.4, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(s.contributions[1].feature == Feature::kEmployeeTier);
  BOOST_TEST(s.contributions[2].feature == Feature::kSic);
  BOOST_TEST(s.contributions[2].level == "8062");
  BOOST_TEST(s.contributions[2].value == 0.29, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(an_unseen_bucket_scores_as_other_or_as_nothing) {
  Result<ModelScorer> scorer = ModelScorer::make(hand_model(), BucketRules(shipped_icp()));
  BOOST_TEST_REQUIRE(scorer.ok());
  const auto p = [&](std::string sic, std::string employee) {
    return scorer
        ->score(RowKind::kGeography,
                buckets(sic, employee, "South", "5-10 mi", std::nullopt, std::nullopt))
        .probability;
  };
  BOOST_TEST(p("9999", "50-100") == p("Other", "50-100"));
  BOOST_TEST(p("9999", "50-100") == sigmoid(-2.0 + 0.1 + 0.3 + 0.05 + 0.0),
             boost::test_tools::tolerance(1e-15));
  // employee_tier has no Other: an unseen tier adds nothing.
  BOOST_TEST(p("8062", "outside tiers") == sigmoid(-2.0 + 0.5 + 0.05),
             boost::test_tools::tolerance(1e-15));
}

BOOST_AUTO_TEST_CASE(a_model_of_another_feature_set_is_refused) {
  domain::IcpConfig other = shipped_icp();
  other.employee_scale[0].max = 120;
  const Status s = ModelScorer::make(hand_model(), BucketRules(other)).status();
  BOOST_TEST(s.code() == StatusCode::kInvalidConfig);
  BOOST_TEST(s.message().find("trained on another feature set") != std::string::npos, s.message());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::lead_model
