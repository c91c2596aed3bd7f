// scorer.h: the scorer plugin, a Transform that scores leads with icp.yaml.
//
// Settings bind once, in create(), into a ScorerConfig: the workflow is checked and icp.yaml is
// loaded and validated there, so `hades validate` reports a bad icp.yaml with its file and line.
// open() fixes the date freshness is measured against (the `as_of` setting, else the run's start
// date, so a resumed run scores as the first attempt did) and maps the input's lead fields.
// open() also chooses the method, weights or the lead model (model_method.h), once per step.
// apply() normalizes each lead, scores it (leads/scoring.h), drops stale intent leads
// and leads below `min_score`, rejects leads whose text holds control characters or whose
// numbers or dates are garbage (each with a reject kind), and appends kAppendedColumns.
//
// Thread safety: one thread at a time.

#ifndef HADES_PLUGINS_SCORER_SCORER_H_
#define HADES_PLUGINS_SCORER_SCORER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hades/plugin.h"
#include "hades/settings.h"
#include "lead.h"
#include "leads/icp_config.h"
#include "leads/scoring.h"
#include "model_method.h"
#include "source_features.h"

namespace hades::scorer {

// The `with:` keys the scorer accepts; also the source of the README's settings table.
extern const SettingSpec kSettings[5];

// The columns appended after the input's own, in this order. The input's `sic_code`,
// `employee_count`, `zip` and `state` are replaced in place by their normalized values; the
// `_raw` columns keep what the input had.
inline constexpr std::array<std::string_view, 22> kAppendedColumns = {
    "sic_code_raw",    "employee_count_raw", "zip_raw",         "state_raw",      "workflow",
    "hades_score",     "priority",           "priority_note",   "score_signal",   "score_onsite",
    "score_freshness", "score_proximity",    "score_authority", "score_employee", "audience_bonus",
    "employee_bonus",  "age_days",           "freshness_label", "icp_sha256",     "run_id",
    "scoring_rules",   "source_features"};

struct ScorerConfig {
  domain::IcpConfig icp;
  domain::Workflow workflow = domain::Workflow::kIntent;
  std::string as_of;                             // YYYY-MM-DD, or "" for the run's start date
  std::int64_t min_score = 0;                    // leads scoring below are left out
  ModelSetting model = ModelSetting::kApproved;  // model_method.h
};

// Binds and checks settings and loads the icp.yaml they name. Fails with kInvalidConfig naming
// the key, or the icp.yaml file, line and column.
Result<ScorerConfig> bind_config(const Settings& settings);

// The factory HADES_PLUGIN exports.
Result<std::unique_ptr<Plugin>> create(const Settings& settings);

class Scorer : public Transform {
 public:
  explicit Scorer(ScorerConfig config);

  // Fails with kInvalidConfig when the input lacks `person_id` or `company_name`, already has
  // one of kAppendedColumns, or when no as_of date can be found (or it is more than a day after
  // the run's date).
  Result<std::shared_ptr<const Schema>> open(Context& ctx,
                                             const std::shared_ptr<const Schema>& input) override;
  Status apply(Chunk input, Chunk* output, Rejects& rejects) override;

  // The date scores are measured against, fixed by open().
  const std::string& as_of() const { return as_of_; }

 private:
  // Appends the scored row to `output` and returns its score; appends nothing and returns
  // nullopt when the lead is stale or scores below min_score.
  std::optional<std::int64_t> emit(Row row, std::string position, const Lead& lead,
                                   Chunk* output) const;
  // Fill the workflow's columns of `tail` (laid out as kAppendedColumns) and return the score;
  // nullopt, with nothing filled, for a lead left out (stale, or below min_score), so that no
  // source_features are built for it.
  std::optional<std::int64_t> score_intent(const Lead& lead, const FeatureContext& context,
                                           Row* tail) const;
  std::optional<std::int64_t> score_geography(const Lead& lead, const FeatureContext& context,
                                              Row* tail) const;
  // The model's part of source_features; unused (no model) when `by_model` is empty.
  ModelAnnotation annotate(const std::optional<lead_model::ModelLeadScore>& by_model,
                           std::int64_t weights_score) const;
  // The problem with an intent lead whose intent date is more than a day after as_of.
  std::optional<LeadProblem> future_intent_date(const Lead& lead) const;

  const ScorerConfig config_;
  LeadColumns columns_;
  std::string as_of_;
  // An intent date this many days after as_of (or an as_of this far after the run's date) is
  // clock skew between systems, not an error.
  static constexpr std::int64_t kClockSkewDays = 1;
  std::int64_t as_of_days_ = 0;
  std::int64_t run_id_ = 0;
  std::shared_ptr<const Schema> output_schema_;
  // The lead model when the step scores with it (model_method.h); null: the weights.
  std::unique_ptr<ModelMethod> model_;
};

}  // namespace hades::scorer

#endif  // HADES_PLUGINS_SCORER_SCORER_H_
