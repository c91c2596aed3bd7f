// model_view.h: what the page's Model tab shows (docs/dashboard.md, docs/model.md): the newest
// lead model (lead_models) with its holdout comparison against the weights, whether it may score
// (lead_model::load_usable_model, the scorer's own rule), what icp.yaml's scoring_method says and
// what the scorer would do with it now, and how a Revert would go back to the weights.
//
// Thread safety: functions over the database and files passed in; call from the page's thread.

#ifndef HADES_PLUGINS_CALIBRATION_PAGE_MODEL_VIEW_H_
#define HADES_PLUGINS_CALIBRATION_PAGE_MODEL_VIEW_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hades/database.h"
#include "hades/status.h"
#include "weight_changes.h"

namespace hades::calibration_page {

// The item a scoring-method change records ("scoring_method:use").
inline constexpr const char* kMethodItem = "scoring_method:use";

// How Revert goes back to the weights: by rolling back the approval when it is the latest
// change of icp.yaml (the file is restored byte for byte), else by a new change that sets
// `use: weights`. nullopt when the scorer already scores with the weights.
struct RevertPlan {
  std::optional<std::int64_t> rollback_change;  // roll back this change
  bool set_weights = false;                     // else set use: weights
};

// `history` newest first (WeightChanges::history); `uses_model`: icp.yaml says use: model.
std::optional<RevertPlan> revert_plan(bool uses_model,
                                      const std::vector<WeightChangeRecord>& history);

// The api/model reply:
//   {"available": false, "icp_error": ...} without a model; else
//   {"available": true, "id", "created_at", "file", "sha256", "model": <the model file as JSON>,
//    "usable", "unusable_reason", "method": {"use", "model", "approves_this_model", "scorer_now"},
//    "icp_sha256", "revert": {"available", "rollback_change", "set_weights"},
//    "history": [method changes, newest first]}
// `history`: the page's change history, newest first. Fails only when the database does.
Result<nlohmann::json> model_reply(Database& db, const std::string& icp_path,
                                   const std::vector<WeightChangeRecord>& history);

}  // namespace hades::calibration_page

#endif  // HADES_PLUGINS_CALIBRATION_PAGE_MODEL_VIEW_H_
