// model_method.h: which method the scorer scores with, weights or the lead model, and the model's
// score of a lead (the scorer's `model` setting; docs/model.md).
//
// `model: approved` (the default) follows icp.yaml's `scoring_method`, which a person changes
// through the weight_writer (an audited change that can be rolled back): absent or `use:
// weights` scores with the weights; `use: model` with the model it names, when
// lead_model::load_usable_model() accepts it. When it does not (the file is missing or invalid,
// the model was trained on another feature set, it is not better than the weights on its
// holdout), the scorer falls back to the weights and logs why, once, when the step opens.
// `model: off` scores with the weights whatever icp.yaml says.
//
// Scores with the model stay 0-100: round(100 * p / p_max) (lead_model/model.h). Everything else
// about a lead is as with the weights: stale intent leads are left out, `min_score` applies to
// the score the lead gets, and the component columns hold the weights' components.
//
// Thread safety: a ModelMethod is immutable after choose_method().

#ifndef HADES_PLUGINS_SCORER_MODEL_METHOD_H_
#define HADES_PLUGINS_SCORER_MODEL_METHOD_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hades/context.h"
#include "hades/status.h"
#include "lead.h"
#include "lead_model/buckets.h"
#include "lead_model/model.h"
#include "leads/icp_config.h"
#include "leads/scoring.h"

namespace hades::scorer {

enum class ModelSetting { kApproved, kOff };

// "approved" / "off"; nullopt for anything else.
std::optional<ModelSetting> parse_model_setting(std::string_view text);

// A model the scorer scores with.
class ModelMethod {
 public:
  ModelMethod(lead_model::ModelScorer scorer, lead_model::BucketRules rules, std::string source,
              std::string sha256);

  // The model's score of `lead` (as_of_days: the date freshness is measured against).
  lead_model::ModelLeadScore score(domain::Workflow workflow, const Lead& lead,
                                   std::int64_t as_of_days) const;

  const std::string& source() const { return source_; }  // "lead_models id 12", or the path
  const std::string& sha256() const { return sha256_; }

 private:
  lead_model::ModelScorer scorer_;
  lead_model::BucketRules rules_;
  std::string source_;
  std::string sha256_;
};

// The method for a step: a model, or nullptr for the weights. Logs the choice (info) or the
// fallback and its reason (warn). Fails only when the database cannot be read.
Result<std::unique_ptr<ModelMethod>> choose_method(Context& ctx, ModelSetting setting,
                                                   const domain::IcpConfig& icp);

}  // namespace hades::scorer

#endif  // HADES_PLUGINS_SCORER_MODEL_METHOD_H_
