#include "training.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>

#include "lead_model/logistic.h"
#include "leads/regions.h"
#include "stats/stats.h"

namespace hades::model_trainer {
namespace {

using lead_model::Coefficients;
using lead_model::Design;
using lead_model::Evaluation;
using lead_model::Feature;
using lead_model::FitOptions;
using lead_model::FitResult;
using lead_model::index_of;
using lead_model::kFeatureCount;
using lead_model::LeadModel;
using lead_model::ModelLevel;

using CellFilter = std::function<bool(const Cell&)>;
using TierOrder = std::array<std::vector<std::string>, kFeatureCount>;

constexpr int kReliabilityBins = 10;
constexpr double kLiftShare = 0.2;
constexpr double kDefaultC = 1.0;

// Each feature's levels, and where each bucket goes in the design.
struct Levels {
  std::array<std::vector<ModelLevel>, kFeatureCount> levels;
  std::array<std::vector<std::int32_t>, kFeatureCount> column;  // bucket id -> column, or -1
  std::array<std::size_t, kFeatureCount> offset{};
  std::size_t columns = 0;
};

// The order levels are listed in: icp.yaml's tiers and strengths, the census regions; others by
// name; "unknown" then "Other" last.
std::vector<std::string> preferred_order(Feature f, const std::vector<std::string>& tiers) {
  if (f == Feature::kRegion) {
    return std::vector<std::string>(domain::kCensusRegions.begin(), domain::kCensusRegions.end());
  }
  return tiers;
}

std::size_t rank_of(const std::vector<std::string>& preferred, const std::string& level) {
  if (level == lead_model::kOtherLevel) return preferred.size() + 2;
  if (level == lead_model::kUnknownLevel) return preferred.size() + 1;
  const auto it = std::find(preferred.begin(), preferred.end(), level);
  return it != preferred.end() ? static_cast<std::size_t>(it - preferred.begin())
                               : preferred.size();
}

Levels choose_levels(const TrainingSet& data, const TierOrder& tiers, const CellFilter& include) {
  Levels out;
  for (const Feature f : lead_model::kAllFeatures) {
    const std::size_t d = index_of(f);
    std::vector<std::int64_t> n(data.names[d].size(), 0);
    std::vector<std::int64_t> k(data.names[d].size(), 0);
    std::int64_t total = 0;
    for (const Cell& c : data.cells) {
      if (c.bucket[d] == kNoBucket || !include(c)) continue;
      n[static_cast<std::size_t>(c.bucket[d])] += c.n;
      k[static_cast<std::size_t>(c.bucket[d])] += c.k;
      total += c.n;
    }
    std::vector<std::size_t> kept;
    ModelLevel other{std::string(lead_model::kOtherLevel), 0, 0, 0, 0, {}};
    for (std::size_t b = 0; b < n.size(); ++b) {
      if (n[b] == 0) continue;
      if (n[b] >= lead_model::kMinLevelLeads && k[b] >= lead_model::kMinLevelDeliveries) {
        kept.push_back(b);
      } else {
        other.leads += n[b];
        other.deliveries += k[b];
        other.pooled.push_back(data.names[d][b]);
      }
    }
    const std::vector<std::string> preferred = preferred_order(f, tiers[d]);
    std::sort(kept.begin(), kept.end(), [&](std::size_t a, std::size_t b) {
      const std::string& x = data.names[d][a];
      const std::string& y = data.names[d][b];
      const std::size_t rx = rank_of(preferred, x);
      const std::size_t ry = rank_of(preferred, y);
      return rx != ry ? rx < ry : x < y;
    });
    out.column[d].assign(data.names[d].size(), -1);
    out.offset[d] = out.columns;
    for (const std::size_t b : kept) {
      out.column[d][b] = static_cast<std::int32_t>(out.columns + out.levels[d].size());
      out.levels[d].push_back(ModelLevel{data.names[d][b],
                                         0,
                                         static_cast<double>(n[b]) / static_cast<double>(total),
                                         n[b],
                                         k[b],
                                         {}});
    }
    if (!other.pooled.empty()) {
      std::sort(other.pooled.begin(), other.pooled.end());
      other.share = static_cast<double>(other.leads) / static_cast<double>(total);
      const auto column = static_cast<std::int32_t>(out.columns + out.levels[d].size());
      for (std::size_t b = 0; b < n.size(); ++b) {
        if (n[b] > 0 && out.column[d][b] < 0) out.column[d][b] = column;
      }
      out.levels[d].push_back(std::move(other));
    }
    out.columns += out.levels[d].size();
  }
  return out;
}

std::vector<std::int32_t> active_of(const Levels& levels, const Cell& c) {
  std::vector<std::int32_t> active;
  for (std::size_t d = 0; d < kFeatureCount; ++d) {
    if (c.bucket[d] == kNoBucket) continue;
    const std::int32_t column = levels.column[d][static_cast<std::size_t>(c.bucket[d])];
    if (column >= 0) active.push_back(column);
  }
  return active;
}

Design design_of(const TrainingSet& data, const Levels& levels, const CellFilter& include) {
  Design design(levels.columns);
  for (const Cell& c : data.cells) {
    if (include(c))
      design.add(active_of(levels, c), static_cast<double>(c.n), static_cast<double>(c.k));
  }
  return design;
}

bool fittable(const Design& d) { return d.positives() > 0 && d.positives() < d.rows(); }

// Step 2: C by time-ordered folds over blocks 0..kTimeBlocks.
lead_model::CSelection choose_c(const TrainingSet& data, const Levels& levels) {
  lead_model::CSelection s;
  s.grid.assign(lead_model::kCGrid.begin(), lead_model::kCGrid.end());
  struct Fold {
    Design train;
    Design valid;
    Coefficients warm;
  };
  std::vector<Fold> folds;
  for (int f = 1; f < kTimeBlocks; ++f) {
    Fold fold{design_of(data, levels, [f](const Cell& c) { return c.block <= f; }),
              design_of(data, levels, [f](const Cell& c) { return c.block == f + 1; }),
              {}};
    if (fold.valid.rows() > 0 && fittable(fold.train)) folds.push_back(std::move(fold));
  }
  s.folds = static_cast<int>(folds.size());
  if (folds.empty()) {
    s.log_loss.assign(s.grid.size(), std::nullopt);
    s.chosen = kDefaultC;
    s.note = "too few export times before the holdout for time-ordered folds: C = 1 was used";
    return s;
  }
  std::optional<double> best;
  for (const double c : s.grid) {
    double loss = 0;
    double rows = 0;
    for (Fold& fold : folds) {
      Result<FitResult> fit = lead_model::fit_logistic(fold.train, FitOptions{c, 100, fold.warm});
      if (!fit.ok()) continue;
      fold.warm = fit->coefficients;
      loss += lead_model::log_loss(fold.valid, fit->coefficients);
      rows += fold.valid.rows();
    }
    const std::optional<double> mean = rows > 0 ? std::optional<double>(loss / rows) : std::nullopt;
    s.log_loss.push_back(mean);
    if (mean && (!best || *mean < *best)) {
      best = mean;
      s.chosen = c;
    }
  }
  return s;
}

std::vector<ModelLevel> with_coefficients(std::vector<ModelLevel> levels, std::size_t offset,
                                          const Coefficients& fit) {
  for (std::size_t i = 0; i < levels.size(); ++i) levels[i].coefficient = fit.weights[offset + i];
  return levels;
}

std::optional<double> mean_brier(const std::vector<calibrator::ScoreLevel>& levels,
                                 const std::function<double(double)>& probability) {
  double sum = 0;
  double n = 0;
  for (const calibrator::ScoreLevel& l : levels) {
    const double p = probability(l.score);
    sum += l.positives * (1 - p) * (1 - p) + l.negatives * p * p;
    n += l.positives + l.negatives;
  }
  return n > 0 ? std::optional<double>(sum / n) : std::nullopt;
}

std::vector<lead_model::ReliabilityBin> reliability(
    std::vector<std::pair<double, const Cell*>> cells) {
  std::sort(cells.begin(), cells.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  double total = 0;
  for (const auto& [p, c] : cells) total += static_cast<double>(c->n);
  std::vector<lead_model::ReliabilityBin> bins(kReliabilityBins);
  std::vector<double> predicted(kReliabilityBins, 0);
  double before = 0;
  for (const auto& [p, c] : cells) {
    const double middle = before + static_cast<double>(c->n) / 2;
    const int bin =
        std::min(kReliabilityBins - 1, static_cast<int>(middle * kReliabilityBins / total));
    bins[static_cast<std::size_t>(bin)].leads += c->n;
    bins[static_cast<std::size_t>(bin)].deliveries += c->k;
    predicted[static_cast<std::size_t>(bin)] += p * static_cast<double>(c->n);
    before += static_cast<double>(c->n);
  }
  std::vector<lead_model::ReliabilityBin> out;
  for (std::size_t b = 0; b < bins.size(); ++b) {
    lead_model::ReliabilityBin bin = bins[b];
    if (bin.leads == 0) continue;
    bin.predicted = predicted[b] / static_cast<double>(bin.leads);
    bin.observed = static_cast<double>(bin.deliveries) / static_cast<double>(bin.leads);
    const calibrator::Interval wilson = calibrator::wilson_interval(bin.deliveries, bin.leads);
    bin.low = wilson.low;
    bin.high = wilson.high;
    out.push_back(bin);
  }
  return out;
}

std::string decide(Evaluation& e) {
  if (!e.auc_difference) return std::string(lead_model::kNotEvaluated);
  if (e.auc_difference->low > 0) return std::string(lead_model::kModelBetter);
  if (e.auc_difference->high < 0) return std::string(lead_model::kWeightsBetter);
  return std::string(lead_model::kInsufficientEvidence);
}

// Step 3.
Status evaluate(const TrainingSet& data, const TierOrder& tiers, double c,
                const TrainingOptions& options, Evaluation& e) {
  const CellFilter training = [](const Cell& cell) { return cell.block != kHoldoutBlock; };
  const Levels levels = choose_levels(data, tiers, training);
  const Design design = design_of(data, levels, training);
  for (const Cell& cell : data.cells) {
    if (cell.block == 0) e.train_historical += cell.n;
    if (cell.block > 0 && cell.block != kHoldoutBlock) e.train_hades_leads += cell.n;
  }
  std::vector<calibrator::ScoreLevel> model_levels, weights_levels, train_weights;
  std::vector<calibrator::PairedCell> paired;
  std::vector<std::pair<double, const Cell*>> predictions;
  Coefficients fitted;
  double log_loss = 0;
  const bool can_fit = fittable(design);
  if (can_fit) {
    Result<FitResult> fit = lead_model::fit_logistic(design, FitOptions{c, 100, {}});
    if (!fit.ok()) return fit.status().with_context("model_trainer: the holdout model");
    fitted = fit->coefficients;
  }
  for (const Cell& cell : data.cells) {
    const double positives = static_cast<double>(cell.k);
    const double negatives = static_cast<double>(cell.n - cell.k);
    if (cell.block != kHoldoutBlock) {
      if (cell.block > 0 && cell.weights_score != kNoScore) {
        train_weights.push_back({static_cast<double>(cell.weights_score), positives, negatives});
      }
      continue;
    }
    if (cell.weights_score == kNoScore || !can_fit) continue;
    e.test_leads += cell.n;
    e.test_deliveries += cell.k;
    const double eta = fitted.linear(active_of(levels, cell));
    const double p = lead_model::sigmoid(eta);
    model_levels.push_back({p, positives, negatives});
    weights_levels.push_back({static_cast<double>(cell.weights_score), positives, negatives});
    paired.push_back({static_cast<double>(cell.weights_score), p, cell.k, cell.n - cell.k});
    predictions.emplace_back(p, &cell);
    log_loss += cell.n * std::log1p(std::exp(eta)) - cell.k * eta;
  }
  e.test_rescored = data.holdout_rescored;
  if (e.test_leads == 0) {
    e.verdict = std::string(lead_model::kNotEvaluated);
    e.reason = can_fit ? "no matured HADES lead was exported on or after the holdout date"
                       : "the training window has only deliveries or only non-deliveries";
    return Status::ok_status();
  }
  e.model.auc = calibrator::auc(model_levels);
  e.weights.auc = calibrator::auc(weights_levels);
  e.model.lift_top20 = calibrator::lift_at(model_levels, kLiftShare);
  e.weights.lift_top20 = calibrator::lift_at(weights_levels, kLiftShare);
  e.model.brier = mean_brier(model_levels, [](double p) { return p; });
  e.model.log_loss = log_loss / static_cast<double>(e.test_leads);
  if (!train_weights.empty()) {
    const calibrator::LogisticFit fit =
        calibrator::fit_logistic(calibrator::merge_levels(train_weights));
    e.weights.brier = calibrator::brier_score(weights_levels, fit);
  }
  const std::optional<calibrator::BootstrapInterval> difference =
      calibrator::paired_bootstrap_auc_difference(paired, options.bootstrap_resamples,
                                                  options.seed);
  if (difference) {
    e.auc_difference = lead_model::AucDifference{difference->estimate, difference->low,
                                                 difference->high, difference->resamples};
  }
  e.reliability = reliability(std::move(predictions));
  e.verdict = decide(e);
  e.reason = verdict_reason(e);
  return Status::ok_status();
}

std::string fixed(double x, int digits) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, x);
  return buffer;
}

std::string signed_fixed(double x, int digits) { return (x >= 0 ? "+" : "") + fixed(x, digits); }

std::string optional_fixed(const std::optional<double>& x, int digits) {
  return x ? fixed(*x, digits) : std::string("-");
}

}  // namespace

std::string verdict_reason(const Evaluation& e) {
  if (!e.auc_difference) {
    return e.test_leads == 0 ? "no holdout leads to compare on"
                             : "the holdout has only deliveries or only non-deliveries: AUC is "
                               "not defined";
  }
  const lead_model::AucDifference& d = *e.auc_difference;
  const std::string numbers = "AUC " + optional_fixed(e.model.auc, 3) + " (model) against " +
                              optional_fixed(e.weights.auc, 3) + " (weights) on " +
                              std::to_string(e.test_leads) + " holdout leads, a difference of " +
                              signed_fixed(d.estimate, 3) + " (95% interval " +
                              signed_fixed(d.low, 3) + " to " + signed_fixed(d.high, 3) + ")";
  if (e.verdict == lead_model::kModelBetter) {
    return "The model ranks the holdout better: " + numbers +
           ". The interval lies above 0: the evidence suffices.";
  }
  if (e.verdict == lead_model::kWeightsBetter) {
    return "The weights rank the holdout better: " + numbers +
           ". The interval lies below 0: keep the weights.";
  }
  return "Neither is shown better: " + numbers +
         ". The interval includes 0: the evidence does not suffice; keep the weights.";
}

Status train(const TrainingSet& data, const TrainingOptions& options, LeadModel& model) {
  const auto& tiers = data.tier_order;
  const CellFilter all = [](const Cell&) { return true; };
  const Levels every = choose_levels(data, tiers, all);
  const Design design = design_of(data, every, all);
  if (!fittable(design)) {
    return Status::invalid_config(
        "model_trainer: every counted outcome is " +
        std::string(design.positives() > 0 ? "a delivery" : "a non-delivery") +
        ": there is nothing to learn from");
  }
  const CellFilter training = [](const Cell& c) { return c.block != kHoldoutBlock; };
  model.c_selection = choose_c(data, choose_levels(data, tiers, training));
  model.c = model.c_selection.chosen;
  HADES_RETURN_IF_ERROR(evaluate(data, tiers, model.c, options, model.evaluation));
  model.evaluation.holdout_date = data.holdout_date;
  model.evaluation.holdout_automatic = data.holdout_automatic;

  Result<FitResult> fit = lead_model::fit_logistic(design, FitOptions{model.c, 100, {}});
  if (!fit.ok()) return fit.status().with_context("model_trainer: the model");
  model.intercept = fit->coefficients.intercept;
  model.features.clear();
  for (const Feature f : lead_model::kAllFeatures) {
    const std::size_t d = index_of(f);
    model.features.push_back(
        {f, with_coefficients(every.levels[d], every.offset[d], fit->coefficients)});
  }
  model.solver = {fit->iterations, fit->converged, fit->objective, fit->gradient_max};
  model.training = {data.matured_before, data.historical,       data.historical_deliveries,
                    data.hades_leads,    data.hades_deliveries, data.first_export,
                    data.last_export,    data.data_sha256()};
  return Status::ok_status();
}

std::string summary_text(const LeadModel& m, const std::string& where) {
  const Evaluation& e = m.evaluation;
  std::string out;
  out += "Lead model, " + where + "\n";
  out += "  trained on " + std::to_string(m.training.hades_leads) + " matured HADES outcomes (" +
         std::to_string(m.training.hades_deliveries) + " deliveries) and " +
         std::to_string(m.training.historical) + " historical outcomes (" +
         std::to_string(m.training.historical_deliveries) + " deliveries)\n";
  out +=
      "  C = " + fixed(m.c, 2) + " (" +
      (m.c_selection.note.empty()
           ? "lowest log-loss over " + std::to_string(m.c_selection.folds) + " time-ordered folds"
           : m.c_selection.note) +
      "); Newton converged in " + std::to_string(m.solver.iterations) + " iterations\n";
  out += "\n  holdout (exported from " + e.holdout_date + "): " + std::to_string(e.test_leads) +
         " leads, " + std::to_string(e.test_deliveries) + " deliveries\n";
  out += "                 AUC    lift top 20%   Brier\n";
  out += "  model        " + optional_fixed(e.model.auc, 3) + "    " +
         optional_fixed(e.model.lift_top20, 2) + "           " + optional_fixed(e.model.brier, 4) +
         "\n";
  out += "  weights      " + optional_fixed(e.weights.auc, 3) + "    " +
         optional_fixed(e.weights.lift_top20, 2) + "           " +
         optional_fixed(e.weights.brier, 4) + "\n";
  out += "\n  verdict: " + e.verdict + ". " + e.reason + "\n";
  return out;
}

}  // namespace hades::model_trainer
