// model.h: the lead model (docs/model.md): what training
// produces, its JSON file, and scoring a lead with it.
//
// A LeadModel is a logistic regression on the one-hot levels of the six features of
// buckets.h: p(delivery) = sigmoid(intercept + sum over the lead's features of the coefficient
// of its level). Each feature's levels are the buckets seen in training with at least
// kMinLevelLeads leads and kMinLevelDeliveries deliveries; rarer buckets are pooled into the
// level "Other" (which lists them). A bucket the model has no level for scores as "Other" when
// there is one, else contributes nothing (a coefficient of 0).
//
// The JSON file (model_to_json; docs/model.md documents every field) is the model: versioned
// (`format`, `format_version`), never a pickle-like binary, read back by model_from_json() with
// every field checked. The same bytes go into the lead_models table (model_store.h).
//
// Scoring (ModelScorer), for the scorer's `model` setting:
//   probability p = sigmoid(intercept + sum of the lead's level coefficients);
//   score = round_half_even(100 * p / p_max), at most 100, where p_max is the probability of
//     the best feasible profile of the lead's workflow (each of its features at its highest
//     coefficient), so "best = 100" reads as it does with the weights;
//   contribution of feature d = beta(d, level) - sum_u share(d, u) * beta(d, u), in log-odds:
//     how much the lead's level moves it from an average lead of the training data.
//
// Thread safety: values; a ModelScorer is immutable after make().

#ifndef HADES_LEAD_MODEL_MODEL_H_
#define HADES_LEAD_MODEL_MODEL_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hades/status.h"
#include "lead_model/buckets.h"

namespace hades::lead_model {

inline constexpr std::string_view kModelFormat = "hades-lead-model";
inline constexpr int kModelFormatVersion = 1;

// Levels rarer than this are pooled into "Other" (calibration.md: n < 30 or k < 5).
inline constexpr std::int64_t kMinLevelLeads = 30;
inline constexpr std::int64_t kMinLevelDeliveries = 5;

// The C grid the trainer chooses from by time-ordered cross-validation.
inline constexpr std::array<double, 6> kCGrid = {0.01, 0.03, 0.1, 0.3, 1, 3};

struct ModelLevel {
  std::string level;  // a bucket, "unknown", or "Other"
  double coefficient = 0;
  double share = 0;  // of the training rows that have the feature, the share at this level
  std::int64_t leads = 0;
  std::int64_t deliveries = 0;
  std::vector<std::string> pooled;  // "Other": the buckets pooled into it
};

struct ModelFeature {
  Feature feature = Feature::kSic;
  std::vector<ModelLevel> levels;  // the design's columns, in order
};

// Ranking quality of one scoring method on the holdout.
struct MethodMetrics {
  std::optional<double> auc;         // ties count 1/2
  std::optional<double> lift_top20;  // delivery rate in the top 20% / overall rate
  std::optional<double> brier;       // of the probabilities (the weights': a 1-D logistic fit)
  std::optional<double> log_loss;    // mean per lead (the model only)
};

struct AucDifference {
  double estimate = 0;  // AUC(model) - AUC(weights)
  double low = 0;       // 95% paired bootstrap percentile interval
  double high = 0;
  int resamples = 0;
};

// Holdout leads of similar predicted probability: what the model said against what happened.
struct ReliabilityBin {
  std::int64_t leads = 0;
  std::int64_t deliveries = 0;
  double predicted = 0;  // mean predicted probability
  double observed = 0;   // deliveries / leads
  double low = 0;        // Wilson 95% interval of the observed rate
  double high = 0;
};

inline constexpr std::string_view kModelBetter = "model better";
inline constexpr std::string_view kWeightsBetter = "weights better";
inline constexpr std::string_view kInsufficientEvidence = "insufficient evidence";
inline constexpr std::string_view kNotEvaluated = "not evaluated";

// Champion (the weights of icp.yaml) against challenger (the model) on a time-based holdout.
struct Evaluation {
  std::string verdict = std::string(kNotEvaluated);
  std::string reason;        // the sentence the report shows with the verdict
  std::string holdout_date;  // ISO-8601 UTC; leads exported at or after it are the holdout
  bool holdout_automatic = true;
  std::int64_t train_hades_leads = 0;
  std::int64_t train_historical = 0;
  std::int64_t test_leads = 0;
  std::int64_t test_deliveries = 0;
  std::int64_t test_rescored = 0;  // holdout leads whose weights score was recomputed
  MethodMetrics model;
  MethodMetrics weights;
  std::optional<AucDifference> auc_difference;
  std::vector<ReliabilityBin> reliability;
  bool model_better() const { return verdict == kModelBetter; }
};

struct CSelection {
  std::vector<double> grid;
  std::vector<std::optional<double>> log_loss;  // mean per validation lead, per C
  int folds = 0;                                // folds that had validation leads
  double chosen = 1;
  std::string note;  // why the default was used, when it was
};

struct TrainingData {
  std::string matured_before;  // ISO-8601 UTC: HADES leads exported before it count
  std::int64_t historical = 0;
  std::int64_t historical_deliveries = 0;
  std::int64_t hades_leads = 0;
  std::int64_t hades_deliveries = 0;
  std::string first_export;  // of the HADES leads, ISO-8601 UTC
  std::string last_export;
  std::string data_sha256;  // of the training rows as the model sees them (their groups)
};

struct SolverInfo {
  int iterations = 0;
  bool converged = false;
  double objective = 0;
  double gradient_max = 0;
};

struct LeadModel {
  int format_version = kModelFormatVersion;
  std::string created_at;  // ISO-8601 UTC
  std::optional<std::int64_t> run_id;
  std::string icp_path;
  std::string icp_sha256;
  std::string feature_set_json;  // BucketRules::definition_json()
  std::string feature_set_sha256;
  double c = 1;
  CSelection c_selection;
  double intercept = 0;
  std::vector<ModelFeature> features;  // the six, in kAllFeatures order
  TrainingData training;
  SolverInfo solver;
  Evaluation evaluation;
};

// The model as a JSON document (2-space indent, keys in a fixed order, ending in a newline).
std::string model_to_json(const LeadModel& model);

// Reads a model_to_json() document. kInvalidConfig naming `where` and the field when it is not
// one: not JSON, another format, a newer format_version ("... this hades reads version 1"), a
// missing or mistyped field, a feature missing or repeated, a coefficient that is not finite.
Result<LeadModel> model_from_json(std::string_view text, const std::string& where);

// sigmoid(intercept + the highest coefficient of each feature rows of `kind` have): the
// probability of the best feasible profile, which scores 100.
double best_probability(const LeadModel& model, RowKind kind);

struct Contribution {
  Feature feature = Feature::kSic;
  std::string level;
  double value = 0;  // log-odds, against an average training lead
};

struct ModelLeadScore {
  double probability = 0;
  std::int64_t score = 0;                   // 0-100
  std::vector<Contribution> contributions;  // the three largest |value|, largest first
};

class ModelScorer {
 public:
  // Fails with kInvalidConfig when the model was trained on another feature set than `rules`
  // define (another icp.yaml tier layout): "trained on another feature set ...".
  static Result<ModelScorer> make(LeadModel model, const BucketRules& rules);

  // Scores a lead of an intent or geography workflow. REQUIRES: kind != kHistorical.
  ModelLeadScore score(RowKind kind, const Buckets& buckets) const;
  double p_max(RowKind kind) const;
  const LeadModel& model() const { return model_; }

 private:
  explicit ModelScorer(LeadModel model);

  // The level index of `bucket` for feature f; -1 when it has none.
  int level_of(Feature f, const std::string& bucket) const;

  LeadModel model_;
  std::array<std::unordered_map<std::string, int>, kFeatureCount> index_;
  std::array<int, kFeatureCount> other_{};
  std::array<double, kFeatureCount> mean_{};  // sum_u share * beta
  std::array<double, 2> p_max_{};             // intent, geography
};

}  // namespace hades::lead_model

#endif  // HADES_LEAD_MODEL_MODEL_H_
