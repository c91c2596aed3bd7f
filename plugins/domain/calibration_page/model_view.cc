#include "model_view.h"

#include "lead_model/model_store.h"
#include "leads/icp_config.h"

namespace hades::calibration_page {
namespace {

using nlohmann::json;

bool is_method_change(const WeightChangeRecord& c) {
  return c.kind == "apply" && !c.items.empty() && c.items.front().item == kMethodItem;
}

json change_summary(const WeightChangeRecord& c) {
  const WeightChangeItem* item = c.items.empty() ? nullptr : &c.items.front();
  return {{"id", c.id},
          {"applied_at", c.applied_at},
          {"applied_by", c.applied_by},
          {"kind", c.kind},
          {"before", item != nullptr ? json(item->before) : json()},
          {"after", item != nullptr ? json(item->after) : json()},
          {"rolls_back", c.rolls_back ? json(*c.rolls_back) : json()},
          {"rolled_back", c.rolled_back}};
}

// The method changes and their rollbacks, newest first.
json method_history(const std::vector<WeightChangeRecord>& history) {
  json out = json::array();
  for (const WeightChangeRecord& c : history) {
    bool method = is_method_change(c);
    if (c.rolls_back) {
      for (const WeightChangeRecord& undone : history) {
        if (undone.id == *c.rolls_back) method = is_method_change(undone);
      }
    }
    if (method) out.push_back(change_summary(c));
  }
  return out;
}

// What the scorer does with icp.yaml now (model_method.h's choice, in words).
std::string scorer_now(Database& db, const domain::IcpConfig& icp) {
  if (!icp.scoring_method.use_model) return "the weights";
  const auto usable = lead_model::load_usable_model(
      db, lead_model::parse_model_reference(icp.scoring_method.model), icp);
  if (usable.ok()) return "the model " + usable->source;
  return "the weights: icp.yaml approves the model " + icp.scoring_method.model + ", but " +
         usable.status().message();
}

}  // namespace

std::optional<RevertPlan> revert_plan(bool uses_model,
                                      const std::vector<WeightChangeRecord>& history) {
  if (!uses_model) return std::nullopt;
  RevertPlan plan;
  if (!history.empty() && is_method_change(history.front()) && !history.front().rolled_back &&
      history.front().items.front().after.rfind("model", 0) == 0) {
    plan.rollback_change = history.front().id;
  } else {
    plan.set_weights = true;
  }
  return plan;
}

Result<json> model_reply(Database& db, const std::string& icp_path,
                         const std::vector<WeightChangeRecord>& history) {
  auto icp = domain::load_icp_config(icp_path);
  auto row = lead_model::latest_model(db);
  if (!row.ok()) return row.status();
  json out = {{"available", row->has_value()},
              {"icp_sha256", icp.ok() ? json(icp->sha256) : json()},
              {"icp_error", icp.ok() ? json() : json(icp.status().message())},
              {"history", method_history(history)}};
  const std::optional<RevertPlan> revert =
      icp.ok() ? revert_plan(icp->scoring_method.use_model, history) : std::nullopt;
  out["revert"] = {{"available", revert.has_value()},
                   {"rollback_change",
                    revert && revert->rollback_change ? json(*revert->rollback_change) : json()},
                   {"set_weights", revert && revert->set_weights}};
  if (icp.ok()) {
    const domain::ScoringMethod& m = icp->scoring_method;
    out["method"] = {{"use", m.use_model ? "model" : "weights"},
                     {"model", m.model},
                     {"approves_this_model", false},
                     {"scorer_now", scorer_now(db, *icp)}};
  }
  if (!*row) return out;
  const lead_model::StoredModel& stored = **row;
  out["id"] = stored.id;
  out["created_at"] = stored.created_at;
  out["file"] = stored.file;
  out["sha256"] = stored.sha256;
  out["model"] = json::parse(stored.json, nullptr, false);
  if (!icp.ok()) {
    out["usable"] = false;
    out["unusable_reason"] = icp.status().message();
    return out;
  }
  const auto usable = lead_model::load_usable_model(
      db, lead_model::parse_model_reference(std::to_string(stored.id)), *icp);
  out["usable"] = usable.ok();
  out["unusable_reason"] = usable.ok() ? json() : json(usable.status().message());
  const domain::ScoringMethod& m = icp->scoring_method;
  out["method"]["approves_this_model"] =
      m.use_model &&
      (m.model == std::to_string(stored.id) || (!stored.file.empty() && m.model == stored.file));
  return out;
}

}  // namespace hades::calibration_page
