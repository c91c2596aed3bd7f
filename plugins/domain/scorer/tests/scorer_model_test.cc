// The scorer's `model` setting (model_method.h): scoring with an approved lead model, and the
// fallback to the weights, logged, when the model is missing, invalid, of another feature set or
// not better than the weights. A fallback scores exactly as `model: off` does.

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "lead_model/logistic.h"
#include "lead_model/model.h"
#include "lead_model/model_store.h"
#include "leads_testing.h"
#include "scorer.h"
#include "test_database.h"
#include "test_support.h"

namespace hades::scorer {
namespace {

using domain::Workflow;
using hades::testing::CollectingRejects;
using hades::testing::FakeContext;
using hades::testing::TempDir;
using lead_model::Feature;
using lead_model::LeadModel;
using lead_model::ModelLevel;
using nlohmann::json;

const std::vector<std::string> kHeader = {
    "person_id",      "company_name",    "sic_code",    "employee_count",   "state",
    "distance_miles", "intent_strength", "intent_date", "management_level", "title"};

Row lead(std::string id, std::string sic, std::string employees, std::string state,
         std::string miles, std::string strength, std::string date) {
  return Row{Value(std::move(id)),          Value(std::string("Acme")),
             Value(std::move(sic)),         Value(std::move(employees)),
             Value(std::move(state)),       Value(std::move(miles)),
             Value(std::move(strength)),    Value(std::move(date)),
             Value(std::string("Manager")), Value(std::string("Facilities Manager"))};
}

// Leads that reach different levels of the model below; as of 2026-02-11.
std::vector<Row> leads() {
  return {lead("p1", "8062", "1,200", "MA", "4.2", "High", "2026-02-09"),
          lead("p2", "8361", "75", "TX", "30", "Low", "2026-02-06"),
          lead("p3", "7033", "", "", "", "", "2026-02-10")};
}

ModelLevel level(std::string name, double coefficient, double share) {
  return ModelLevel{std::move(name), coefficient, share, 200, 20, {}};
}

// A model over the shipped icp.yaml's feature set that beat the weights on its holdout.
LeadModel model_for(const domain::IcpConfig& icp) {
  const lead_model::BucketRules rules(icp);
  LeadModel m;
  m.created_at = "2026-02-01T06:00:00Z";
  m.icp_path = "config/icp.yaml";
  m.icp_sha256 = icp.sha256;
  m.feature_set_json = rules.definition_json();
  m.feature_set_sha256 = rules.definition_sha256();
  m.c_selection = {{1}, {0.3}, 1, 1, ""};
  m.intercept = -2.2;
  m.features = {
      {Feature::kSic,
       {level("8062", -0.3, 0.4), level("8361", 0.6, 0.4), level("Other", 0.1, 0.2)}},
      {Feature::kEmployeeTier,
       {level("50-100", 0.35, 0.5), level("501-999999", -0.5, 0.3), level("unknown", 0.0, 0.2)}},
      {Feature::kRegion, {level("Northeast", 0.02, 0.5), level("South", -0.02, 0.5)}},
      {Feature::kProximity, {level("0-5 mi", 0.5, 0.5), level("25-50 mi", -0.2, 0.5)}},
      {Feature::kSignalStrength,
       {level("High", 0.4, 0.5), level("Low", -0.45, 0.4), level("unknown", -0.1, 0.1)}},
      {Feature::kFreshness, {level("Hot", 0.2, 0.6), level("Warm", -0.15, 0.4)}},
  };
  m.training = {
      "2026-01-01T00:00:00Z", 3000, 300, 5000, 500, "2025-01-01T00:00:00Z", "2025-12-01T00:00:00Z",
      std::string(64, '0')};
  m.solver = {6, true, 1000, 1e-13};
  m.evaluation.verdict = std::string(lead_model::kModelBetter);
  m.evaluation.reason = "AUC +0.05";
  m.evaluation.auc_difference = lead_model::AucDifference{0.05, 0.02, 0.08, 2000};
  return m;
}

// A directory with a model file and an icp.yaml (the shipped one plus `scoring_method`).
struct Setup {
  TempDir dir;
  std::string model_path = dir.file("model.json");
  std::string icp_path = dir.file("icp.yaml");

  explicit Setup(const std::string& model_reference = "") {
    const std::string shipped = hades::testing::read_file(testing::shipped_icp_path());
    hades::testing::write_file(
        icp_path, shipped + "\nscoring_method:\n  use: model\n  model: \"" +
                      (model_reference.empty() ? model_path : model_reference) + "\"\n");
    hades::testing::write_file(model_path, lead_model::model_to_json(model_for(icp())));
  }
  domain::IcpConfig icp() const {
    Result<domain::IcpConfig> loaded = domain::load_icp_config(icp_path);
    if (!loaded.ok()) throw std::runtime_error(loaded.status().to_string());
    return std::move(loaded).value();
  }
  ScorerConfig config(Workflow workflow, ModelSetting setting = ModelSetting::kApproved) const {
    ScorerConfig c;
    c.icp = icp();
    c.workflow = workflow;
    c.model = setting;
    return c;
  }
};

struct Scored {
  Chunk out;
  std::vector<std::string> log;
};

Scored score(Database& db, const ScorerConfig& config, std::vector<Row> rows) {
  FakeContext ctx(db);
  ctx.run_info.run_id = 3;
  ctx.run_info.started_at = "2026-02-11T06:00:00Z";
  Scorer scorer(config);
  auto schema = std::make_shared<const Schema>(kHeader);
  const Result<std::shared_ptr<const Schema>> out_schema = scorer.open(ctx, schema);
  BOOST_TEST_REQUIRE(out_schema.ok(), out_schema.status().to_string());
  Chunk input(schema);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    input.append(std::move(rows[i]), "leads.csv:" + std::to_string(i + 2));
  }
  Chunk out(*out_schema);
  CollectingRejects rejects;
  BOOST_TEST_REQUIRE(scorer.apply(std::move(input), &out, rejects).ok());
  BOOST_TEST(rejects.size() == 0u);
  return {std::move(out), ctx.lines()};
}

bool logged(const std::vector<std::string>& lines, const std::string& part) {
  for (const std::string& l : lines) {
    if (l.find(part) != std::string::npos) return true;
  }
  return false;
}

std::string all_rows(const Chunk& c) {
  std::string out;
  for (std::size_t i = 0; i < c.size(); ++i) {
    for (const Value& v : c.row(i)) out += (is_null(v) ? "<null>" : to_text(v)) + "|";
    out += "\n";
  }
  return out;
}

BOOST_AUTO_TEST_SUITE(scoring_with_the_model)

BOOST_AUTO_TEST_CASE(an_approved_usable_model_scores_the_leads) {
  const Setup s;
  auto db = hades::testing::scratch_database();
  for (const Workflow w : {Workflow::kIntent, Workflow::kGeography}) {
    const Scored scored = score(*db, s.config(w), leads());
    BOOST_TEST(logged(scored.log, "info: scorer: scoring with the model " + s.model_path));
    const lead_model::ModelScorer model =
        lead_model::ModelScorer::make(model_for(s.icp()), lead_model::BucketRules(s.icp())).value();
    const lead_model::RowKind kind =
        w == Workflow::kIntent ? lead_model::RowKind::kIntent : lead_model::RowKind::kGeography;
    BOOST_TEST_REQUIRE(scored.out.size() == 3u);
    for (std::size_t i = 0; i < 3; ++i) {
      const json f = json::parse(std::get<std::string>(scored.out.get(i, "source_features")));
      const std::int64_t hades_score = as_int(scored.out.get(i, "hades_score")).value();
      BOOST_TEST(f["score"] == hades_score);
      BOOST_TEST(f["model"]["source"] == s.model_path);
      BOOST_TEST(f["model"]["contributions"].size() == 3u);
      BOOST_TEST(f["model"]["sha256"].get<std::string>().size() == 64u);
      // weights_score: what the weights give, as the component total says.
      BOOST_TEST(f["model"]["weights_score"].get<double>() ==
                 domain::final_score(f["components"]["total"].get<double>()));
      const double p = f["model"]["probability"].get<double>();
      BOOST_TEST(hades_score ==
                 std::min<std::int64_t>(100, std::llround(100 * p / model.p_max(kind))));
    }
  }
}

BOOST_AUTO_TEST_CASE(the_mapping_gives_the_best_profile_100_and_contributions_in_order) {
  const Setup s;
  auto db = hades::testing::scratch_database();
  // The geography best profile: 8361, 50-100, Northeast, 0-5 mi.
  const Scored best =
      score(*db, s.config(Workflow::kGeography), {lead("b", "8361", "60", "MA", "1", "", "")});
  BOOST_TEST(as_int(best.out.get(0, "hades_score")).value_or(-1) == 100);
  const json f = json::parse(std::get<std::string>(best.out.get(0, "source_features")));
  // Contributions against the average lead: sic 0.6 - 0.14, proximity 0.5 - 0.15, employee
  // 0.35 - 0.025, region 0.02 - 0.
  BOOST_TEST(f["model"]["contributions"][0]["feature"] == "sic");
  BOOST_TEST(f["model"]["contributions"][0]["value"].get<double>() == 0.46,
             boost::test_tools::tolerance(1e-12));
  BOOST_TEST(f["model"]["contributions"][1]["feature"] == "proximity");
  BOOST_TEST(f["model"]["contributions"][2]["feature"] == "employee_tier");
}

BOOST_AUTO_TEST_CASE(min_score_applies_to_the_model_score) {
  const Setup s;
  auto db = hades::testing::scratch_database();
  ScorerConfig config = s.config(Workflow::kGeography);
  const Scored all = score(*db, config, leads());
  std::int64_t lowest = 100;
  for (std::size_t i = 0; i < all.out.size(); ++i) {
    lowest = std::min(lowest, *as_int(all.out.get(i, "hades_score")));
  }
  config.min_score = lowest + 1;
  BOOST_TEST(score(*db, config, leads()).out.size() == all.out.size() - 1);
}

BOOST_AUTO_TEST_CASE(a_model_in_lead_models_is_found_by_id) {
  auto db = hades::testing::scratch_database();
  const Setup plain;
  const LeadModel m = model_for(plain.icp());
  const Result<std::int64_t> id =
      lead_model::store_model(*db, m, lead_model::model_to_json(m), "train", "");
  BOOST_TEST_REQUIRE(id.ok());
  const Setup by_id(std::to_string(*id));
  const Scored scored = score(*db, by_id.config(Workflow::kIntent), leads());
  BOOST_TEST(logged(scored.log, "scoring with the model lead_models id " + std::to_string(*id)));
  const json f = json::parse(std::get<std::string>(scored.out.get(0, "source_features")));
  BOOST_TEST(f["model"]["source"] == "lead_models id " + std::to_string(*id));
}

BOOST_AUTO_TEST_CASE(the_readme_shows_the_model_object_of_a_lead) {
  auto db = hades::testing::scratch_database();
  const Setup plain;
  const LeadModel m = model_for(plain.icp());
  BOOST_TEST_REQUIRE(
      lead_model::store_model(*db, m, lead_model::model_to_json(m), "train", "").ok());
  const Setup by_id("1");
  const Scored scored = score(*db, by_id.config(Workflow::kIntent), {leads()[0]});
  json model = json::parse(std::get<std::string>(scored.out.get(0, "source_features")))["model"];
  model["sha256"] = "...";
  const std::string readme =
      hades::testing::read_file(testing::repo_path("plugins/domain/scorer/README.md"));
  const std::size_t begin = readme.find("```json\n\"model\":");
  BOOST_TEST_REQUIRE(begin != std::string::npos);
  const std::size_t end = readme.find("```", begin + 7);
  // Shown wrapped: a line break and the next line's indentation are not part of the JSON.
  std::string shown;
  bool line_start = false;
  for (const char c : readme.substr(begin + 8, end - begin - 8)) {
    if (c == '\n') {
      line_start = true;
    } else if (!(line_start && c == ' ')) {
      line_start = false;
      shown += c;
    }
  }
  BOOST_TEST(shown == "\"model\":" + model.dump());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(fallback_to_the_weights)

// Scores with the model setup `s` as broken by the caller; the rows must be those of model: off
// and the warning must give `why`.
void check_fallback(const Setup& s, const std::string& why) {
  auto db = hades::testing::scratch_database();
  for (const Workflow w : {Workflow::kIntent, Workflow::kGeography}) {
    const Scored approved = score(*db, s.config(w), leads());
    const Scored off = score(*db, s.config(w, ModelSetting::kOff), leads());
    BOOST_TEST(all_rows(approved.out) == all_rows(off.out));
    BOOST_TEST(all_rows(approved.out).find("\"model\"") == std::string::npos);
    BOOST_TEST(logged(approved.log, "warn: scorer: " + s.icp_path + " approves the model "),
               approved.log.back());
    BOOST_TEST(logged(approved.log, why), why << " not in: " << approved.log.back());
    BOOST_TEST(logged(off.log, "scoring with the weights (model: off)"));
  }
}

BOOST_AUTO_TEST_CASE(when_the_model_file_is_missing) {
  const Setup s;
  std::filesystem::remove(s.model_path);
  check_fallback(s, "the model file is missing or unreadable");
}

BOOST_AUTO_TEST_CASE(when_the_model_file_is_invalid) {
  const Setup s;
  hades::testing::write_file(s.model_path, "{\"format\": \"hades-lead-model\"}");
  check_fallback(s, s.model_path + ": : missing field 'format_version'");
  hades::testing::write_file(s.model_path, "not json");
  check_fallback(s, s.model_path + ": not JSON");
}

BOOST_AUTO_TEST_CASE(when_the_model_has_another_feature_set) {
  const Setup s;
  domain::IcpConfig other = s.icp();
  other.proximity[0].max_miles = 3;
  LeadModel m = model_for(s.icp());
  m.feature_set_json = lead_model::BucketRules(other).definition_json();
  m.feature_set_sha256 = lead_model::BucketRules(other).definition_sha256();
  hades::testing::write_file(s.model_path, lead_model::model_to_json(m));
  check_fallback(s, "was trained on another feature set");
}

BOOST_AUTO_TEST_CASE(when_the_model_is_not_better_on_its_holdout) {
  const Setup s;
  for (const std::string_view verdict :
       {lead_model::kInsufficientEvidence, lead_model::kWeightsBetter, lead_model::kNotEvaluated}) {
    LeadModel m = model_for(s.icp());
    m.evaluation.verdict = std::string(verdict);
    hades::testing::write_file(s.model_path, lead_model::model_to_json(m));
    check_fallback(s, "is not better than the weights on its holdout (" + std::string(verdict));
  }
}

BOOST_AUTO_TEST_CASE(when_no_row_has_the_id) {
  const Setup s("999");
  check_fallback(s, "there is no model 999 in lead_models");
}

BOOST_AUTO_TEST_CASE(the_setting_is_checked) {
  Settings settings;
  settings.set("icp", testing::shipped_icp_path());
  settings.set("workflow", std::string("intent"));
  BOOST_TEST((bind_config(settings)->model == ModelSetting::kApproved));
  settings.set("model", std::string("off"));
  BOOST_TEST((bind_config(settings)->model == ModelSetting::kOff));
  settings.set("model", std::string("yes"));
  const Status s = bind_config(settings).status();
  BOOST_TEST(s.code() == StatusCode::kInvalidConfig);
  BOOST_TEST(s.message() == "scorer: `model` must be approved or off, got 'yes'");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::scorer
