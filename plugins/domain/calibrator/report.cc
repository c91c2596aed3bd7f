#include "report.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "evidence.h"

namespace hades::calibrator {
namespace {

using nlohmann::ordered_json;

constexpr std::int64_t kCloseDelta = 10;
constexpr std::int64_t kFarDelta = 25;
constexpr std::string_view kGreen = "\x1b[32m";
constexpr std::string_view kYellow = "\x1b[33m";
constexpr std::string_view kRed = "\x1b[31m";
constexpr std::string_view kReset = "\x1b[0m";
constexpr std::string_view kDash = "-";

// JSON has no NaN or infinity: a statistic that is not finite is not known.
ordered_json number(double v) { return std::isfinite(v) ? ordered_json(v) : ordered_json(); }

template <typename T>
ordered_json json_optional(const std::optional<T>& v) {
  if (!v) return nullptr;
  if constexpr (std::is_floating_point_v<T>) return number(*v);
  return ordered_json(*v);
}

ordered_json interval_end(const std::optional<Interval>& interval, bool high) {
  if (!interval) return nullptr;
  return number(high ? interval->high : interval->low);
}

ordered_json bucket_json(const BucketResult& b) {
  return ordered_json{{"bucket", b.bucket},
                      {"n", b.n},
                      {"deliveries", b.k},
                      {"rate", number(b.rate)},
                      {"wilson_low", number(b.wilson.low)},
                      {"wilson_high", number(b.wilson.high)},
                      {"shrunk_rate", number(b.shrunk_rate)},
                      {"current_score", json_optional(b.current_score)},
                      {"suggested_score", json_optional(b.suggested_score)},
                      {"delta", json_optional(b.delta)},
                      {"suggested_low", interval_end(b.suggested_interval, false)},
                      {"suggested_high", interval_end(b.suggested_interval, true)},
                      {"verdict", b.verdict ? ordered_json(verdict_name(*b.verdict)) : nullptr},
                      {"confidence", confidence_name(b.confidence)},
                      {"manual_review", b.manual_review},
                      {"in_icp", b.in_icp}};
}

ordered_json dimension_json(const DimensionResult& d) {
  const Shrinkage& s = d.shrinkage;
  ordered_json buckets = ordered_json::array();
  for (const BucketResult& b : d.buckets) buckets.push_back(bucket_json(b));
  return ordered_json{{"dimension", dimension_name(d.dimension)},
                      {"population", d.population},
                      {"scored", d.scored},
                      {"n", s.total_n},
                      {"deliveries", s.total_k},
                      {"rate", s.total_n > 0 ? number(s.mean) : ordered_json()},
                      {"chi_square", json_optional(s.chi_square)},
                      {"df", s.df},
                      {"p_value", json_optional(s.p_value)},
                      {"p_value_holm", json_optional(d.p_value_holm)},
                      {"tau2", number(s.tau2)},
                      {"kappa", json_optional(s.kappa)},
                      {"no_signal", s.no_signal},
                      {"buckets", std::move(buckets)},
                      {"not_in_icp", d.not_in_icp},
                      {"icp_without_data", d.icp_without_data}};
}

ordered_json fit_json(const LogisticFit& f) {
  return ordered_json{{"intercept", number(f.intercept)},
                      {"slope", number(f.slope)},
                      {"iterations", f.iterations},
                      {"converged", f.converged},
                      {"degenerate", f.degenerate}};
}

ordered_json metrics_json(const RankingMetrics& m) {
  return ordered_json{{"auc", json_optional(m.auc)},
                      {"lift_top10", json_optional(m.lift_top10)},
                      {"brier", json_optional(m.brier)},
                      {"fit", fit_json(m.fit)}};
}

ordered_json backtest_json(const CalibrationReport& r) {
  const BacktestResult& b = r.backtest;
  ordered_json out{
      {"ran", b.ran},
      {"skipped_reason", b.ran ? ordered_json() : ordered_json(b.skipped_reason)},
      {"holdout_date", r.holdout_date.empty() ? ordered_json() : ordered_json(r.holdout_date)},
      {"holdout_automatic", r.holdout_automatic},
      {"train_leads", b.train_leads},
      {"train_deliveries", b.train_deliveries},
      {"historical_in_training", b.historical_in_training},
      {"test_leads", b.test_leads},
      {"test_deliveries", b.test_deliveries}};
  if (!b.ran) return out;
  out["current"] = metrics_json(b.current);
  out["suggested"] = metrics_json(b.suggested);
  ordered_json diff = nullptr;
  if (b.auc_difference) {
    diff = {
        {"estimate", number(b.auc_difference->estimate)}, {"low", number(b.auc_difference->low)},
        {"high", number(b.auc_difference->high)},         {"level", 0.95},
        {"resamples", b.auc_difference->resamples},       {"seed", r.parameters.seed}};
  }
  out["auc_difference"] = std::move(diff);
  out["verdict"] = b.verdict;
  return out;
}

// n, deliveries, rate and its Wilson interval, into `out`.
void rate_fields(const Rate& r, ordered_json& out) {
  out["n"] = r.n;
  out["deliveries"] = r.k;
  out["rate"] = json_optional(r.rate);
  out["wilson_low"] = r.wilson ? number(r.wilson->low) : ordered_json();
  out["wilson_high"] = r.wilson ? number(r.wilson->high) : ordered_json();
}

ordered_json score_ranges_json(const std::vector<ScoreRangeRate>& ranges, const char* key) {
  ordered_json out = ordered_json::array();
  for (const ScoreRangeRate& r : ranges) {
    ordered_json one{{key, r.label}, {"min_score", r.min_score}, {"max_score", r.max_score}};
    rate_fields(r.rate, one);
    out.push_back(std::move(one));
  }
  return out;
}

ordered_json scoring_json(const ScoringCheck& check) {
  ordered_json baseline{{"source", "historical_outcomes"}};
  rate_fields(check.baseline, baseline);
  ordered_json periods = ordered_json::array();
  for (const ScoringPeriod& p : check.periods) {
    ordered_json workflows = ordered_json::array();
    for (const WorkflowRate& w : p.workflows) {
      ordered_json one{{"workflow", w.workflow}};
      rate_fields(w.rate, one);
      one["difference"] = json_optional(w.difference);
      one["difference_low"] =
          w.difference_interval ? number(w.difference_interval->low) : ordered_json();
      one["difference_high"] =
          w.difference_interval ? number(w.difference_interval->high) : ordered_json();
      workflows.push_back(std::move(one));
    }
    ordered_json change = nullptr;
    if (p.since) {
      change = {{"id", p.since->id}, {"kind", p.since->kind}, {"applied_at", p.since->applied_at}};
    }
    periods.push_back({{"from", p.from.empty() ? ordered_json() : ordered_json(p.from)},
                       {"to", p.to.empty() ? ordered_json() : ordered_json(p.to)},
                       {"change", std::move(change)},
                       {"workflows", std::move(workflows)},
                       {"unscored_leads", p.unscored},
                       {"bands", score_ranges_json(p.bands, "band")},
                       {"deciles", score_ranges_json(p.deciles, "decile")}});
  }
  return ordered_json{{"baseline", std::move(baseline)}, {"periods", std::move(periods)}};
}

ordered_json batches_json(const BatchSummary& s) {
  ordered_json findings = ordered_json::array();
  for (const BatchFinding& f : s.findings) {
    findings.push_back({{"batch_id", f.batch.batch_id},
                        {"exported_at", f.batch.exported_at},
                        {"n", f.batch.n},
                        {"deliveries", f.batch.k},
                        {"expected", number(f.check.expected)},
                        {"z", json_optional(f.check.z)},
                        {"method", f.check.exact ? "exact binomial" : "z"},
                        {"p_value", json_optional(f.check.p_value)},
                        {"status", batch_status_name(f.check.status)}});
  }
  ordered_json out{{"ran", s.ran},
                   {"skipped_reason", s.ran ? ordered_json() : ordered_json(s.skipped_reason)}};
  if (!s.ran) return out;
  out["fit"] = fit_json(s.fit);
  out["judged"] = s.judged;
  out["warned"] = s.warned;
  out["flagged"] = s.flagged;
  out["unscored_leads"] = s.unscored_leads;
  out["findings"] = std::move(findings);
  return out;
}

std::string percent(double rate) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f%%", 100.0 * rate);
  return buffer;
}

std::string fixed(double value, int digits) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

std::string general(double value) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.4g", value);
  return buffer;
}

std::string score_text(const std::optional<std::int64_t>& v) {
  return v ? std::to_string(*v) : std::string(kDash);
}

std::string signed_text(const std::optional<std::int64_t>& v) {
  if (!v) return std::string(kDash);
  return (*v > 0 ? "+" : "") + std::to_string(*v);
}

// "71-100": the interval of a suggested score, in whole points.
std::string interval_text(const std::optional<Interval>& interval) {
  if (!interval) return std::string(kDash);
  return fixed(interval->low, 0) + "-" + fixed(interval->high, 0);
}

// "supported", "within noise" or "-": the verdict as people read it.
std::string verdict_text(const std::optional<Verdict>& verdict) {
  if (!verdict) return std::string(kDash);
  return *verdict == Verdict::kSupported ? "supported" : "within noise";
}

std::string optional_fixed(const std::optional<double>& v, int digits) {
  return v && std::isfinite(*v) ? fixed(*v, digits) : std::string(kDash);
}

// Markdown table cells must not contain a bare `|`.
std::string md_cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string outdated_scores_note(const DataVolume& volume) {
  return std::to_string(volume.leads_with_outdated_scores) +
         " matured leads were exported with a hades_score of scoring rules version 1, which "
         "scored a geography lead without an employee count 10 points too low (with the shipped "
         "icp.yaml); today's rules (version " +
         std::to_string(domain::kScoringRulesVersion) +
         ") take the count as 50. The backtest and the batch check compare recorded scores, so "
         "these leads rank lower there than they would be scored today.";
}

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? std::string("none") : out;
}

// {"1": leads, "2": leads}: matured leads per scoring rules version.
ordered_json scoring_rules_json(const DataVolume& volume) {
  ordered_json out = ordered_json::object();
  for (const auto& [version, leads] : volume.leads_by_scoring_rules) {
    out[std::to_string(version)] = leads;
  }
  return out;
}

// Whether matured_days covers the time deliveries take (calibration.md item 5).
std::string lag_line(const CalibrationReport& r) {
  if (!r.volume.delivery_lag_p90_days) {
    return "No dated deliveries yet to check `matured_days` against.";
  }
  const std::int64_t lag = *r.volume.delivery_lag_p90_days;
  const std::string days = std::to_string(r.parameters.matured_days);
  const std::string line =
      "90% of the recorded deliveries arrived within " + std::to_string(lag) + " days of export";
  if (lag > r.parameters.matured_days) {
    return line + ": **longer than `matured_days` (" + days +
           ")**, so counted leads may still be missing deliveries; raise `matured_days`.";
  }
  return line + " (`matured_days`: " + days + ").";
}

std::string signal_line(const Shrinkage& s, const std::optional<double>& p_holm = std::nullopt) {
  if (!s.chi_square) return "no signal test (fewer than two buckets, or no spread in outcomes)";
  std::string line = "chi-square " + fixed(*s.chi_square, 2) + " (df " + std::to_string(s.df) +
                     ", p = " + general(*s.p_value) +
                     (p_holm ? ", Holm-adjusted p = " + general(*p_holm) : std::string()) +
                     "), tau2 = " + general(s.tau2);
  if (s.no_signal) return line + ": no spread beyond chance, every bucket shrinks to the mean";
  return line + ", kappa = " + general(*s.kappa);
}

void markdown_dimension(const DimensionResult& d, std::string& out) {
  out += "## " + std::string(dimension_name(d.dimension)) + " (" + d.population + ")\n\n";
  if (d.buckets.empty()) {
    out += "No data.\n\n";
  } else {
    out += std::to_string(d.shrinkage.total_n) + " leads, " + std::to_string(d.shrinkage.total_k) +
           " deliveries (" + percent(d.shrinkage.mean) + "); " +
           signal_line(d.shrinkage, d.p_value_holm) + ".\n\n";
    out +=
        "| Bucket | n | Deliveries | Rate | Wilson 95% | Shrunk | Current | Suggested | "
        "Suggested 95% | Delta | Verdict | Confidence | Review |\n"
        "|---|--:|--:|--:|---|--:|--:|--:|---|--:|---|---|---|\n";
    for (const BucketResult& b : d.buckets) {
      out += "| " + md_cell(b.bucket) + " | " + std::to_string(b.n) + " | " + std::to_string(b.k) +
             " | " + percent(b.rate) + " | " + percent(b.wilson.low) + " - " +
             percent(b.wilson.high) + " | " + percent(b.shrunk_rate) + " | " +
             score_text(b.current_score) + " | " + score_text(b.suggested_score) + " | " +
             interval_text(b.suggested_interval) + " | " + signed_text(b.delta) + " | " +
             verdict_text(b.verdict) + " | " + std::string(confidence_name(b.confidence)) + " | " +
             (b.manual_review ? "manual review" : "") + " |\n";
    }
    out += "\n";
  }
  if (d.scored) {
    out += "Buckets in the data but not in icp.yaml: " + md_cell(join(d.not_in_icp)) +
           ". In icp.yaml without data: " + md_cell(join(d.icp_without_data)) + ".\n\n";
  }
}

void markdown_backtest(const CalibrationReport& r, std::string& out) {
  const BacktestResult& b = r.backtest;
  out += "## Backtest\n\n";
  if (!b.ran) {
    out += "Not run: " + b.skipped_reason + ".\n\n";
    return;
  }
  out += "Holdout date " + r.holdout_date + (r.holdout_automatic ? " (automatic)" : " (given)") +
         ": trained on " + std::to_string(b.train_leads) + " leads and " +
         std::to_string(b.historical_in_training) + " historical outcomes, tested on " +
         std::to_string(b.test_leads) + " leads (" + std::to_string(b.test_deliveries) +
         " deliveries).\n\n| Configuration | AUC | Lift top 10% | Brier |\n|---|--:|--:|--:|\n";
  for (const auto& [name, m] :
       {std::pair<const char*, const RankingMetrics*>{"current", &b.current},
        {"suggested", &b.suggested}}) {
    out += std::string("| ") + name + " | " + optional_fixed(m->auc, 4) + " | " +
           optional_fixed(m->lift_top10, 2) + " | " + optional_fixed(m->brier, 5) + " |\n";
  }
  out += "\n";
  if (b.auc_difference) {
    out += "AUC(suggested) - AUC(current) = " + fixed(b.auc_difference->estimate, 4) +
           ", 95% paired bootstrap interval [" + fixed(b.auc_difference->low, 4) + ", " +
           fixed(b.auc_difference->high, 4) + "] (" + std::to_string(b.auc_difference->resamples) +
           " resamples, seed " + std::to_string(r.parameters.seed) + ").\n\n";
  }
  out += "**Verdict: " + b.verdict + ".**\n\n";
}

void markdown_batches(const BatchSummary& s, std::string& out) {
  out += "## Batch check\n\n";
  if (!s.ran) {
    out += "Not run: " + s.skipped_reason + ".\n\n";
    return;
  }
  out += std::to_string(s.judged) + " matured batches judged: " + std::to_string(s.warned) +
         " warned (|z| > 2), " + std::to_string(s.flagged) + " flagged (|z| > 3).\n\n";
  if (s.findings.empty()) return;
  out +=
      "| Batch | Exported | n | Deliveries | Expected | z | Method | p | Status |\n"
      "|---|---|--:|--:|--:|--:|---|--:|---|\n";
  for (const BatchFinding& f : s.findings) {
    out += "| " + md_cell(f.batch.batch_id) + " | " + f.batch.exported_at + " | " +
           std::to_string(f.batch.n) + " | " + std::to_string(f.batch.k) + " | " +
           fixed(f.check.expected, 1) + " | " + optional_fixed(f.check.z, 2) + " | " +
           (f.check.exact ? "exact binomial" : "z") + " | " +
           (f.check.p_value ? general(*f.check.p_value) : std::string(kDash)) + " | " +
           std::string(batch_status_name(f.check.status)) + " |\n";
  }
  out += "\n";
}

// "8.7% (6.9-10.9%)", or "-" without leads.
std::string rate_text(const Rate& r) {
  if (!r.rate) return std::string(kDash);
  return percent(*r.rate) + " (" + fixed(100 * r.wilson->low, 1) + "-" + percent(r.wilson->high) +
         ")";
}

// "+1.2 points (-0.4 to +2.8)".
std::string difference_text(const WorkflowRate& w) {
  if (!w.difference) return std::string(kDash);
  const auto points = [](double d) { return (d >= 0 ? "+" : "") + fixed(100 * d, 1); };
  return points(*w.difference) + " points (" + points(w.difference_interval->low) + " to " +
         points(w.difference_interval->high) + ")";
}

void markdown_ranges(const std::vector<ScoreRangeRate>& ranges, const char* title,
                     std::string& out) {
  out += std::string("| ") + title +
         " | Scores | Leads | Deliveries | Rate (95%) |\n"
         "|---|---|--:|--:|---|\n";
  for (auto it = ranges.rbegin(); it != ranges.rend(); ++it) {
    out += "| " + it->label + " | " + std::to_string(it->min_score) + "-" +
           std::to_string(it->max_score) + " | " + std::to_string(it->rate.n) + " | " +
           std::to_string(it->rate.k) + " | " + rate_text(it->rate) + " |\n";
  }
  out += "\n";
}

void markdown_scoring(const ScoringCheck& check, std::string& out) {
  out += "## Is the scoring working?\n\nHistorical baseline (historical_outcomes): " +
         std::to_string(check.baseline.n) + " leads, " + std::to_string(check.baseline.k) +
         " deliveries, " + rate_text(check.baseline) +
         ". Matured HADES leads of published batches, by the icp.yaml changes in force when they "
         "were exported; rates with their Wilson 95% intervals, differences with Newcombe's.\n\n";
  for (const ScoringPeriod& p : check.periods) {
    out += "### " +
           (p.since ? "Since change " + std::to_string(p.since->id) + " (" + p.since->kind + ", " +
                          p.from + ")"
                    : std::string("Before any change of icp.yaml")) +
           (p.to.empty() ? std::string() : ", until " + p.to) + "\n\n";
    out +=
        "| Workflow | Leads | Deliveries | Rate (95%) | Against the baseline |\n"
        "|---|--:|--:|---|---|\n";
    for (const WorkflowRate& w : p.workflows) {
      out += "| " + w.workflow + " | " + std::to_string(w.rate.n) + " | " +
             std::to_string(w.rate.k) + " | " + rate_text(w.rate) + " | " + difference_text(w) +
             " |\n";
    }
    out += "\n";
    if (p.workflows.front().rate.n == p.unscored) continue;  // no scored lead: no bands
    markdown_ranges(p.bands, "Band", out);
    markdown_ranges(p.deciles, "Decile", out);
  }
}

// RFC 4180 quoting, and a leading ' on text a spreadsheet would run as a formula.
std::string csv_field(std::string_view text) {
  std::string value(text);
  if (!value.empty() &&
      std::string_view("=+-@\t\r").find(value.front()) != std::string_view::npos) {
    value.insert(value.begin(), '\'');
  }
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string csv_number(double v) {
  if (!std::isfinite(v)) return "";
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  return buffer;
}

std::string csv_optional(const std::optional<std::int64_t>& v) {
  return v ? std::to_string(*v) : std::string();
}

std::string pad(std::string text, std::size_t width, bool right) {
  if (text.size() >= width) return text;
  const std::string fill(width - text.size(), ' ');
  return right ? fill + text : text + fill;
}

std::string coloured_delta(const std::optional<std::int64_t>& delta, bool colour) {
  std::string text = pad(signed_text(delta), 6, true);
  if (!colour || !delta) return text;
  const std::int64_t size = *delta < 0 ? -*delta : *delta;
  const std::string_view code = size <= kCloseDelta ? kGreen : size <= kFarDelta ? kYellow : kRed;
  return std::string(code) + text + std::string(kReset);
}

}  // namespace

std::string bucket_label(Dimension dimension, std::string_view bucket) {
  std::string b(bucket);
  switch (dimension) {
    case Dimension::kSic:
      return "SIC " + b;
    case Dimension::kEmployeeTier:
      return "Employees " + b;
    case Dimension::kState:
      return "State " + b;
    case Dimension::kRegion:
      return "Region " + b;
    case Dimension::kProximity:
      return "Proximity " + b;
    case Dimension::kSignalStrength:
      return "Signal " + b;
    case Dimension::kFreshness:
      return "Freshness " + b;
  }
  return b;
}

std::string to_json(const CalibrationReport& r) {
  ordered_json dimensions = ordered_json::array();
  for (const DimensionResult& d : r.dimensions) dimensions.push_back(dimension_json(d));
  const ordered_json out{
      {"schema_version", kReportSchemaVersion},
      {"status", r.status},
      {"message", r.message},
      {"created_at", r.created_at},
      {"run_id", r.run_id},
      {"job", r.job},
      {"icp", {{"path", r.icp_path}, {"sha256", r.icp_sha256}}},
      {"inputs_hash", r.inputs_hash},
      {"parameters",
       {{"matured_days", r.parameters.matured_days},
        {"matured_before", r.matured_before},
        {"holdout_date", r.holdout_date.empty() ? ordered_json() : ordered_json(r.holdout_date)},
        {"holdout_automatic", r.holdout_automatic},
        {"bootstrap_resamples", r.parameters.bootstrap_resamples},
        {"seed", r.parameters.seed},
        {"z", kZ95},
        {"evidence",
         {{"interval", "basic bootstrap"},
          {"level", kEvidenceLevel},
          {"resamples", r.parameters.bootstrap_resamples},
          {"test", "Pearson chi-square, Holm-adjusted across the scored dimensions"},
          {"alpha", kEvidenceAlpha}}}}},
      {"data",
       {{"historical_outcomes", r.volume.historical},
        {"lead_outcomes_matured", r.volume.leads_matured},
        {"lead_outcomes_pending", r.volume.leads_pending},
        {"early_deliveries_excluded", r.volume.early_deliveries},
        {"delivery_lag_p90_days", json_optional(r.volume.delivery_lag_p90_days)},
        {"scoring_rules", scoring_rules_json(r.volume)},
        {"leads_with_outdated_scores", r.volume.leads_with_outdated_scores}}},
      {"baseline",
       {{"n", r.baseline_n},
        {"deliveries", r.baseline_k},
        {"rate", r.baseline_n > 0
                     ? number(static_cast<double>(r.baseline_k) / static_cast<double>(r.baseline_n))
                     : ordered_json()}}},
      {"dimensions", std::move(dimensions)},
      {"backtest", backtest_json(r)},
      {"batches", batches_json(r.batches)},
      {"scoring_check", scoring_json(r.scoring)}};
  return out.dump(2) + "\n";
}

std::string to_markdown(const CalibrationReport& r) {
  std::string out = "# Calibration report\n\n";
  out += "Run " + std::to_string(r.run_id) + " of job `" + md_cell(r.job) + "`, " + r.created_at +
         ". icp.yaml: `" + md_cell(r.icp_path) + "` (sha256 " + r.icp_sha256.substr(0, 12) +
         "). Inputs hash " + r.inputs_hash.substr(0, 12) + ".\n\n";
  out +=
      "These are suggestions: icp.yaml is not changed. Approve buckets one by one; rows marked "
      "*manual review* have too few leads to trust.\n\n";
  if (r.status == kStatusNoOutcomes) return out + "**" + r.message + "**\n";
  out += "Baseline: " + std::to_string(r.baseline_n) + " leads, " + std::to_string(r.baseline_k) +
         " deliveries (" +
         percent(static_cast<double>(r.baseline_k) / static_cast<double>(r.baseline_n)) +
         "): " + std::to_string(r.volume.historical) + " historical outcomes and " +
         std::to_string(r.volume.leads_matured) + " HADES leads exported before " +
         r.matured_before + " (matured: " + std::to_string(r.parameters.matured_days) +
         " days). Left out as pending: " + std::to_string(r.volume.leads_pending) + " leads (" +
         std::to_string(r.volume.early_deliveries) + " early deliveries). " + lag_line(r) + "\n\n";
  if (r.volume.leads_with_outdated_scores > 0) {
    out += "**Scores of older rules:** " + outdated_scores_note(r.volume) + "\n\n";
  }
  for (const DimensionResult& d : r.dimensions) markdown_dimension(d, out);
  markdown_backtest(r, out);
  markdown_batches(r.batches, out);
  markdown_scoring(r.scoring, out);
  return out;
}

std::string to_csv(const CalibrationReport& r) {
  std::string out =
      "dimension,bucket,n,deliveries,rate,wilson_low,wilson_high,shrunk_rate,current_score,"
      "suggested_score,delta,confidence,manual_review,in_icp,suggested_low,suggested_high,"
      "verdict\r\n";
  for (const DimensionResult& d : r.dimensions) {
    for (const BucketResult& b : d.buckets) {
      out += std::string(dimension_name(d.dimension)) + "," + csv_field(b.bucket) + "," +
             std::to_string(b.n) + "," + std::to_string(b.k) + "," + csv_number(b.rate) + "," +
             csv_number(b.wilson.low) + "," + csv_number(b.wilson.high) + "," +
             csv_number(b.shrunk_rate) + "," + csv_optional(b.current_score) + "," +
             csv_optional(b.suggested_score) + "," + csv_optional(b.delta) + "," +
             std::string(confidence_name(b.confidence)) + "," +
             (b.manual_review ? "true" : "false") + "," + (b.in_icp ? "true" : "false") + "," +
             (b.suggested_interval ? csv_number(b.suggested_interval->low) : "") + "," +
             (b.suggested_interval ? csv_number(b.suggested_interval->high) : "") + "," +
             (b.verdict ? std::string(verdict_name(*b.verdict)) : "") + "\r\n";
    }
  }
  return out;
}

std::string terminal_table(const CalibrationReport& r, bool colour) {
  if (r.status == kStatusNoOutcomes) return r.message + "\n";
  std::string out = "Calibration: " + std::to_string(r.baseline_n) + " leads, " +
                    std::to_string(r.baseline_k) + " deliveries (" +
                    percent(static_cast<double>(r.baseline_k) / static_cast<double>(r.baseline_n)) +
                    ")\n\n";
  out += pad("Dimension", 26, false) +
         "Current -> Suggested  (95%)     Delta   Evidence       Confidence\n";
  for (const DimensionResult& d : r.dimensions) {
    if (!d.scored) continue;  // no scores to compare: summarised below
    for (const BucketResult& b : d.buckets) {
      out += pad(bucket_label(d.dimension, b.bucket), 26, false) +
             pad(score_text(b.current_score), 7, true) + " -> " +
             pad(score_text(b.suggested_score), 9, true) + "  " +
             pad("(" + interval_text(b.suggested_interval) + ")", 9, false) +
             coloured_delta(b.delta, colour) + "   " + pad(verdict_text(b.verdict), 15, false) +
             std::string(confidence_name(b.confidence)) + " (" + std::to_string(b.n) + " leads)" +
             (b.manual_review ? ", manual review" : "") + "\n";
    }
  }
  out += "\n";
  for (const DimensionResult& d : r.dimensions) {
    if (d.scored) continue;
    out += std::string(dimension_name(d.dimension)) + " (" + std::to_string(d.buckets.size()) +
           " buckets, no scores in icp.yaml): " + signal_line(d.shrinkage) + "\n";
  }
  const BacktestResult& bt = r.backtest;
  out += "Backtest: " + (bt.ran ? bt.verdict : "not run: " + bt.skipped_reason);
  if (bt.ran && bt.auc_difference) {
    out += " (AUC " + optional_fixed(bt.current.auc, 3) + " -> " +
           optional_fixed(bt.suggested.auc, 3) + ", difference 95% [" +
           fixed(bt.auc_difference->low, 3) + ", " + fixed(bt.auc_difference->high, 3) + "])";
  }
  out += "\n";
  if (r.batches.ran) {
    out += "Batches: " + std::to_string(r.batches.judged) + " judged, " +
           std::to_string(r.batches.warned) + " warned, " + std::to_string(r.batches.flagged) +
           " flagged\n";
  }
  return out;
}

}  // namespace hades::calibrator
