#include "backtest.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "leads/scoring.h"

namespace hades::calibrator {
namespace {

using domain::IcpConfig;
using domain::Workflow;

constexpr double kTopFraction = 0.10;
constexpr std::int64_t kMaxScore = 100;

struct Component {
  Dimension dimension;
  double weight;
};

// The calibrated components of a workflow's formula and their weights in icp.yaml.
std::vector<Component> components_of(const IcpConfig& icp, const LeadCell& cell) {
  if (cell.workflow == Workflow::kGeography) {
    const auto& w = icp.geography_weights;
    return {{Dimension::kSic, w.onsite_likelihood},
            {Dimension::kEmployeeTier, w.employee_scale},
            {Dimension::kProximity, w.proximity}};
  }
  const auto& w = icp.intent_weights;
  std::vector<Component> out = {{Dimension::kSic, w.onsite_likelihood},
                                {Dimension::kFreshness, w.freshness}};
  // A numeric intent_score replaced the strength table for this lead: nothing to move.
  if (!cell.numeric_signal) out.push_back({Dimension::kSignalStrength, w.signal_strength});
  return out;
}

const BucketResult* find_bucket(const std::vector<DimensionResult>& dimensions, Dimension d,
                                const std::string& bucket) {
  for (const DimensionResult& dim : dimensions) {
    if (dim.dimension != d) continue;
    for (const BucketResult& b : dim.buckets) {
      if (b.bucket == bucket) return &b;
    }
  }
  return nullptr;
}

bool scored_lead(const LeadCell& c) { return !c.historical && c.hades_score && c.workflow; }

void add_level(std::vector<ScoreLevel>& levels, double score, const LeadCell& c) {
  levels.push_back({score, static_cast<double>(c.k), static_cast<double>(c.n - c.k)});
}

RankingMetrics evaluate(const std::vector<ScoreLevel>& train, const std::vector<ScoreLevel>& test) {
  RankingMetrics m;
  m.fit = fit_logistic(train);
  m.auc = auc(test);
  m.lift_top10 = lift_at(test, kTopFraction);
  m.brier = brier_score(test, m.fit);
  return m;
}

std::string verdict_of(const BootstrapInterval& interval) {
  if (interval.low > 0) return "suggested better";
  if (interval.high < 0) return "current better";
  return "insufficient evidence";
}

// Why the backtest cannot run on these data, or "" when it can.
std::string skip_reason(const BacktestResult& r) {
  if (r.train_leads + r.test_leads == 0) {
    return "no matured HADES leads with a score yet: the backtest needs lead_outcomes";
  }
  if (r.train_leads == 0)
    return "the training window (before the holdout date) has no scored leads";
  if (r.test_leads == 0) return "the holdout (on or after the holdout date) has no scored leads";
  if (r.test_deliveries == 0 || r.test_deliveries == r.test_leads) {
    return "the holdout needs both delivered and undelivered leads to rank";
  }
  return "";
}

}  // namespace

std::int64_t suggested_lead_score(const IcpConfig& icp,
                                  const std::vector<DimensionResult>& dimensions,
                                  const LeadCell& cell) {
  double total = static_cast<double>(*cell.hades_score);
  for (const Component& c : components_of(icp, cell)) {
    const BucketResult* b = find_bucket(dimensions, c.dimension, bucket_of(cell, c.dimension));
    if (b == nullptr || !b->delta) continue;
    total += c.weight * static_cast<double>(*b->delta);
  }
  const double rounded = domain::round_half_even(total);
  return std::clamp<std::int64_t>(static_cast<std::int64_t>(rounded), 0, kMaxScore);
}

BacktestResult run_backtest(const IcpConfig& icp, const OutcomeData& data,
                            const BacktestOptions& options) {
  BacktestResult r;
  const std::vector<DimensionResult> training =
      calibrate_dimensions(icp, data.cells, data.states, /*training_only=*/true);
  std::vector<ScoreLevel> train_current, train_suggested, test_current, test_suggested;
  // Holdout leads by their pair of scores: at most 101 x 101 cells whatever the data volume,
  // which is what keeps 2,000 bootstrap resamples cheap.
  std::map<std::pair<double, double>, PairedCell> paired;
  for (const LeadCell& c : data.cells) {
    if (c.historical) r.historical_in_training += c.n;
    if (!scored_lead(c)) continue;
    const double current = static_cast<double>(*c.hades_score);
    const double suggested = static_cast<double>(suggested_lead_score(icp, training, c));
    if (c.holdout) {
      r.test_leads += c.n;
      r.test_deliveries += c.k;
      add_level(test_current, current, c);
      add_level(test_suggested, suggested, c);
      PairedCell& cell = paired[{current, suggested}];
      cell.score_a = current;
      cell.score_b = suggested;
      cell.positives += c.k;
      cell.negatives += c.n - c.k;
    } else {
      r.train_leads += c.n;
      r.train_deliveries += c.k;
      add_level(train_current, current, c);
      add_level(train_suggested, suggested, c);
    }
  }
  r.skipped_reason = skip_reason(r);
  if (!r.skipped_reason.empty()) return r;
  r.ran = true;
  r.current = evaluate(train_current, test_current);
  r.suggested = evaluate(train_suggested, test_suggested);
  std::vector<PairedCell> cells;
  cells.reserve(paired.size());
  for (const auto& [scores, cell] : paired) cells.push_back(cell);
  r.auc_difference = paired_bootstrap_auc_difference(cells, options.resamples, options.seed);
  r.verdict = r.auc_difference ? verdict_of(*r.auc_difference) : "insufficient evidence";
  return r;
}

std::optional<LogisticFit> fit_recorded_scores(const OutcomeData& data) {
  std::vector<ScoreLevel> levels;
  for (const LeadCell& c : data.cells) {
    if (scored_lead(c)) add_level(levels, static_cast<double>(*c.hades_score), c);
  }
  if (levels.empty()) return std::nullopt;
  return fit_logistic(levels);
}

std::vector<double> score_probabilities(const LogisticFit& fit) {
  std::vector<double> p;
  p.reserve(kMaxScore + 1);
  for (std::int64_t s = 0; s <= kMaxScore; ++s)
    p.push_back(fit.probability(static_cast<double>(s)));
  return p;
}

BatchSummary judge_batches(const std::vector<BatchRow>& batches, const LogisticFit& fit) {
  BatchSummary out;
  out.fit = fit;
  for (const BatchRow& b : batches) {
    out.unscored_leads += b.unscored;
    if (b.n == 0) continue;
    BatchCheck check = check_batch(b.n, b.k, b.expected, b.variance);
    ++out.judged;
    if (check.status == BatchStatus::kWarn) ++out.warned;
    if (check.status == BatchStatus::kFlag) ++out.flagged;
    if (check.status != BatchStatus::kOk) out.findings.push_back({b, check});
  }
  std::sort(out.findings.begin(), out.findings.end(),
            [](const BatchFinding& a, const BatchFinding& b) {
              return std::tie(a.batch.exported_at, a.batch.batch_id) <
                     std::tie(b.batch.exported_at, b.batch.batch_id);
            });
  out.ran = true;
  return out;
}

}  // namespace hades::calibrator
