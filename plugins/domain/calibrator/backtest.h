// backtest.h: is the suggestion better than the current scores? (calibration.md items 4 and 5)
//
// Backtest. Leads exported before the holdout date (and all historical outcomes, which predate
// HADES) are the training window; matured leads exported on or after it are the holdout. The
// calibration is redone on the training window alone, and each holdout lead gets two scores:
//   current    the hades_score it was exported with;
//   suggested  that score moved by what the training suggestion changes in its components:
//              round(hades_score + sum_d w_d * (suggested_d(bucket) - current_d(bucket))),
//              kept within 0..100, over the calibrated components of its workflow (geography:
//              SIC, employee tier, proximity; intent: SIC, signal strength unless a numeric
//              intent_score set the signal, freshness) with icp.yaml's weights; a bucket
//              without a suggestion keeps its score.
// Both are compared on the holdout by AUC (ties 1/2), lift in the top 10% and the Brier score of
// a 1-D logistic fit of the outcome on the score over the training window's leads, with a seeded
// paired bootstrap interval of AUC(suggested) - AUC(current).
//
// Batch check. Each matured export batch's deliveries k against E = sum p_i, where p_i is the
// probability of the lead's hades_score under a logistic fit over all matured leads;
// stats.h's check_batch() judges it.
//
// Thread safety: pure functions.

#ifndef HADES_PLUGINS_CALIBRATOR_BACKTEST_H_
#define HADES_PLUGINS_CALIBRATOR_BACKTEST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "calibration.h"
#include "leads/icp_config.h"
#include "stats/stats.h"

namespace hades::calibrator {

struct RankingMetrics {
  std::optional<double> auc;
  std::optional<double> lift_top10;
  std::optional<double> brier;
  LogisticFit fit;  // on the training window
};

struct BacktestResult {
  bool ran = false;
  std::string skipped_reason;    // why not, when !ran
  std::int64_t train_leads = 0;  // scored lead_outcomes in the training window
  std::int64_t train_deliveries = 0;
  std::int64_t test_leads = 0;  // scored matured lead_outcomes in the holdout
  std::int64_t test_deliveries = 0;
  std::int64_t historical_in_training = 0;
  RankingMetrics current;
  RankingMetrics suggested;
  std::optional<BootstrapInterval> auc_difference;  // suggested - current
  std::string verdict;  // "suggested better", "current better", "insufficient evidence"
};

struct BacktestOptions {
  int resamples = 2000;
  std::uint64_t seed = 1;
};

BacktestResult run_backtest(const domain::IcpConfig& icp, const OutcomeData& data,
                            const BacktestOptions& options);

// The suggested score of a lead of `cell` given the training suggestion `dimensions`.
// REQUIRES: cell.hades_score and cell.workflow are set.
std::int64_t suggested_lead_score(const domain::IcpConfig& icp,
                                  const std::vector<DimensionResult>& dimensions,
                                  const LeadCell& cell);

struct BatchFinding {
  BatchRow batch;
  BatchCheck check;
};

struct BatchSummary {
  bool ran = false;
  std::string skipped_reason;
  LogisticFit fit;  // hades_score -> probability, over all matured leads
  std::int64_t judged = 0;
  std::int64_t warned = 0;
  std::int64_t flagged = 0;
  std::int64_t unscored_leads = 0;     // leads without a usable hades_score, not judged
  std::vector<BatchFinding> findings;  // warn and flag only, oldest export first
};

// The logistic fit of the recorded hades_score over every matured lead, for the batch check.
// nullopt when no matured lead has a score.
std::optional<LogisticFit> fit_recorded_scores(const OutcomeData& data);

// p(s) for s = 0..100 under `fit`.
std::vector<double> score_probabilities(const LogisticFit& fit);

// Judges each batch with check_batch(); `fit` is the one the probabilities came from.
BatchSummary judge_batches(const std::vector<BatchRow>& batches, const LogisticFit& fit);

}  // namespace hades::calibrator

#endif  // HADES_PLUGINS_CALIBRATOR_BACKTEST_H_
