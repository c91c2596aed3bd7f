// training.h: from the grouped outcomes (training_data.h) to a LeadModel with its evaluation.
//
//   1. Levels. Per feature, the buckets of the rows used (each with its leads n and deliveries
//      k); a bucket with n < 30 or k < 5 is pooled into "Other" (lead_model/model.h).
//   2. C. For each C of {0.01, 0.03, 0.1, 0.3, 1, 3}, time-ordered folds over the training
//      window (training_data.h: historical rows, then HADES blocks 1..5): fold f trains on
//      blocks 0..f and is scored on block f + 1 by its log-loss; the C with the lowest mean
//      log-loss per validation lead wins (the smaller C on a tie). With fewer than two blocks
//      there is nothing to validate on: C = 1, and the model says so.
//   3. Champion and challenger. The model fitted on the training window (levels and C from it)
//      scores the holdout; so do icp.yaml's weights (each lead's weights score). Compared on the
//      holdout leads that have a weights score: AUC (ties 1/2) of each, with a 95% paired
//      bootstrap interval of AUC(model) - AUC(weights); lift in the top 20%; Brier score (the
//      model's probabilities; the weights' score mapped to a probability by a 1-D logistic fit
//      over the training window's HADES leads); the model's log-loss; and a reliability table of
//      the model (ten bins of about equal leads by predicted probability: mean predicted, the
//      observed rate and its Wilson interval). The verdict: "model better" when the interval
//      lies above 0, "weights better" when below, else "insufficient evidence"; "not evaluated"
//      when the holdout lacks deliveries or non-deliveries (or leads).
//   4. The model. Levels from every row, fitted with the chosen C on every row; its evaluation
//      is the holdout's of step 3.
//
// AUC, lift, Brier, the 1-D fit, Wilson and the bootstrap are the calibrator's statistics
// (plugins/libraries/stats/stats.h), checked against statsmodels, scipy and sklearn there.
//
// Thread safety: pure functions.

#ifndef HADES_PLUGINS_MODEL_TRAINER_TRAINING_H_
#define HADES_PLUGINS_MODEL_TRAINER_TRAINING_H_

#include <cstdint>
#include <string>

#include "hades/status.h"
#include "lead_model/model.h"
#include "leads/icp_config.h"
#include "training_data.h"

namespace hades::model_trainer {

struct TrainingOptions {
  int bootstrap_resamples = 2000;
  std::uint64_t seed = 1;
};

// Steps 1-4. `model` arrives with its identity (created_at, run, icp) filled in and leaves with
// the rest. Fails with kInvalidConfig when every counted row has the same outcome.
Status train(const TrainingSet& data, const TrainingOptions& options, lead_model::LeadModel& model);

// The verdict's sentence for people: which is better and whether the evidence suffices.
std::string verdict_reason(const lead_model::Evaluation& e);

// The terminal summary: data, C, the largest coefficients, the comparison, the verdict.
std::string summary_text(const lead_model::LeadModel& model, const std::string& where);

}  // namespace hades::model_trainer

#endif  // HADES_PLUGINS_MODEL_TRAINER_TRAINING_H_
