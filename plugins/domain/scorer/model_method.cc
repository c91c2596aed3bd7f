#include "model_method.h"

#include <algorithm>

#include "lead_model/model_store.h"

namespace hades::scorer {

std::optional<ModelSetting> parse_model_setting(std::string_view text) {
  if (text == "approved") return ModelSetting::kApproved;
  if (text == "off") return ModelSetting::kOff;
  return std::nullopt;
}

ModelMethod::ModelMethod(lead_model::ModelScorer scorer, lead_model::BucketRules rules,
                         std::string source, std::string sha256)
    : scorer_(std::move(scorer)),
      rules_(std::move(rules)),
      source_(std::move(source)),
      sha256_(std::move(sha256)) {}

lead_model::ModelLeadScore ModelMethod::score(domain::Workflow workflow, const Lead& lead,
                                              std::int64_t as_of_days) const {
  using lead_model::Feature;
  using lead_model::index_of;
  lead_model::Buckets b;
  b[index_of(Feature::kSic)] = lead.sic4 ? *lead.sic4 : std::string(lead_model::kUnknownLevel);
  b[index_of(Feature::kEmployeeTier)] = rules_.employee(lead.employees);
  b[index_of(Feature::kRegion)] = rules_.region(lead.state ? *lead.state : std::string());
  if (workflow == domain::Workflow::kGeography) {
    b[index_of(Feature::kProximity)] = rules_.proximity(lead.distance_miles.value);
    return scorer_.score(lead_model::RowKind::kGeography, b);
  }
  b[index_of(Feature::kSignalStrength)] = rules_.signal(lead.field(LeadField::kIntentStrength));
  std::optional<std::int64_t> age;
  if (lead.intent_date_days.value) {
    age = std::max<std::int64_t>(0, as_of_days - *lead.intent_date_days.value);
  }
  b[index_of(Feature::kFreshness)] = rules_.freshness(age);
  return scorer_.score(lead_model::RowKind::kIntent, b);
}

Result<std::unique_ptr<ModelMethod>> choose_method(Context& ctx, ModelSetting setting,
                                                   const domain::IcpConfig& icp) {
  const domain::ScoringMethod& method = icp.scoring_method;
  if (!method.use_model) return std::unique_ptr<ModelMethod>();
  if (setting == ModelSetting::kOff) {
    ctx.log().info("scorer: scoring with the weights (model: off), not with the model " +
                   method.model + " that " + icp.source + " names");
    return std::unique_ptr<ModelMethod>();
  }
  Result<lead_model::LoadedModel> loaded = lead_model::load_usable_model(
      ctx.database(), lead_model::parse_model_reference(method.model), icp);
  if (!loaded.ok()) {
    const StatusCode code = loaded.status().code();
    if (code != StatusCode::kInvalidConfig && code != StatusCode::kIo) return loaded.status();
    ctx.log().warn("scorer: " + icp.source + " approves the model " + method.model +
                   ", but the weights score instead: " + loaded.status().message());
    return std::unique_ptr<ModelMethod>();
  }
  lead_model::BucketRules rules(icp);
  Result<lead_model::ModelScorer> scorer =
      lead_model::ModelScorer::make(std::move(loaded->model), rules);
  if (!scorer.ok()) return scorer.status();  // load_usable_model() checked the feature set
  ctx.log().info("scorer: scoring with the model " + loaded->source + " (sha256 " +
                 loaded->sha256.substr(0, 12) + "), as " + icp.source + " approves");
  return std::make_unique<ModelMethod>(std::move(scorer).value(), std::move(rules),
                                       std::move(loaded->source), std::move(loaded->sha256));
}

}  // namespace hades::scorer
