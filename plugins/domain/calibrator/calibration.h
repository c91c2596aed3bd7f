// calibration.h: outcome rows -> conversion per dimension and bucket, with current and suggested
// scores (docs/calibration-report.md), plus the counts the backtest and the batch check
// need (backtest.h).
//
// Each lead reduces to a bucket key from icp.yaml's tiers and, for intent leads, from its intent
// columns (or source_features). The matured lead_outcomes are summed per bucket combination one
// of two ways (aggregation.h): in the database (Turso: only the groups cross the network) or,
// on the embedded SQLite file, streamed and summed in C++ (lead_stream.h), the batch check's
// counts on the same pass. Memory is bounded by the groups and batches either way. Text keys
// that need the shared normalisation (SIC codes, states, signal strengths) are grouped as stored
// and normalised after aggregation (buckets.h).
//
// Where it lives: calibration.cc loads (load_outcomes(), load_batches()); buckets.cc knows the
// buckets; aggregation_sql.cc and aggregation_stream.cc sum the leads; dimensions.cc does the
// per-dimension maths (calibrate_dimensions()) with stats/stats.h.
//
// Which leads count (see README.md, "What counts"):
//   - every historical_outcomes row: outcome `delivery` = success, `no_delivery` = failure;
//   - lead_outcomes rows exported before `matured_before` (the run's start minus matured_days):
//     `delivery` or `churned` = success, anything else (NULL, contacted, appointment) = failure.
//   Younger leads are pending and left out entirely, their early deliveries included: counting
//   only the successes of young leads would inflate the rates of recently exported buckets.
//
// Thread safety: pure functions over their arguments, except load_outcomes(), which queries `db`.

#ifndef HADES_PLUGINS_CALIBRATOR_CALIBRATION_H_
#define HADES_PLUGINS_CALIBRATOR_CALIBRATION_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hades/database.h"
#include "hades/status.h"
#include "leads/icp_config.h"
#include "leads/scoring.h"
#include "scoring_check.h"
#include "stats/stats.h"

namespace hades::calibrator {

inline constexpr std::string_view kUnknownBucket = "unknown";

enum class Dimension {
  kSic,             // 4-digit SIC; all outcomes
  kEmployeeTier,    // icp.yaml's employee_scale tiers; all outcomes
  kState,           // USPS code; all outcomes
  kRegion,          // US Census region of the state; all outcomes
  kProximity,       // icp.yaml's proximity tiers; geography leads
  kSignalStrength,  // icp.yaml's signal_strength_scores keys; intent leads
  kFreshness,       // icp.yaml's freshness tiers; intent leads
};
inline constexpr Dimension kDimensions[] = {
    Dimension::kSic,       Dimension::kEmployeeTier,   Dimension::kState,    Dimension::kRegion,
    Dimension::kProximity, Dimension::kSignalStrength, Dimension::kFreshness};

// "sic", "employee_tier", "state", "region", "proximity", "signal_strength", "freshness".
std::string_view dimension_name(Dimension dimension);

// The US Census region of a USPS state code (domain::census_region, leads/regions.h).
std::optional<std::string_view> census_region(std::string_view state_code);

// ---------------------------------------------------------------------------------------------
// What the database gives back, after bucket keys are normalised.

// Leads that share every bucket and the recorded score: one group of the aggregation.
struct LeadCell {
  bool historical = false;  // historical_outcomes; else a matured lead_outcomes row
  std::optional<domain::Workflow> workflow;  // lead_outcomes only
  std::string sic;                           // bucket keys; "" where the dimension does not apply
  std::string employee;
  std::string proximity;        // geography leads
  std::string signal;           // intent leads
  bool numeric_signal = false;  // intent_score > 0 scored the signal, not the strength table
  std::string freshness;        // intent leads
  std::optional<std::int64_t> hades_score;  // lead_outcomes: the score it was exported with
  bool holdout = false;                     // exported at or after the holdout date
  std::int64_t n = 0;
  std::int64_t k = 0;
};

// The bucket `cell` falls in for dimension `d`, "" where the dimension does not count the cell
// (state and region are bucketed from their own query, not from cells).
const std::string& bucket_of(const LeadCell& cell, Dimension d);

struct KeyCount {
  std::string key;
  std::int64_t n = 0;
  std::int64_t k = 0;
};

// One matured export batch, with its leads' probabilities summed in SQL (backtest.h).
struct BatchRow {
  std::string batch_id;
  std::string exported_at;
  std::int64_t n = 0;         // leads with a score
  std::int64_t k = 0;         // their deliveries
  double expected = 0;        // sum of p(hades_score)
  double variance = 0;        // sum of p(1 - p)
  std::int64_t unscored = 0;  // leads without a usable hades_score (left out of n and k)
};

// The leads of one matured export batch per recorded score, counted while the leads are
// streamed (LeadAggregation::kStreamed), so that the batch check needs no second pass. Compact,
// since there is one per batch: a short list while the batch has few distinct scores, then one
// array of counts per score (808 bytes).
class BatchScores {
 public:
  // Counts a lead with a recorded score. Fails past 2^32 - 1 leads of one score in the batch.
  // REQUIRES: 0 <= score <= 100.
  Status add(std::int64_t score, bool success);

  // Calls f(score, leads, successes) for each score the batch has leads with.
  void for_each(const std::function<void(std::int64_t, std::int64_t, std::int64_t)>& f) const;

  std::string batch_id;
  std::string exported_at;    // the earliest of its leads
  std::int64_t unscored = 0;  // leads without a usable hades_score

 private:
  struct Few {
    std::uint32_t score;
    std::uint32_t n;
    std::uint32_t k;
  };
  std::vector<Few> few_;                 // while at most kFew distinct scores
  std::vector<std::uint32_t> by_score_;  // then n, k of score s at 2s, 2s + 1
};

struct DataVolume {
  std::int64_t historical = 0;        // historical_outcomes rows
  std::int64_t leads_matured = 0;     // lead_outcomes rows that count
  std::int64_t leads_pending = 0;     // exported on or after matured_before: left out
  std::int64_t early_deliveries = 0;  // deliveries among the pending ones: left out
  // Days from export by which 90% of the recorded deliveries had arrived (calibration.md item
  // 5: what matured_days should cover); nullopt without dated deliveries.
  std::optional<std::int64_t> delivery_lag_p90_days;
  // Matured leads per version of the scoring rules that computed their hades_score
  // (domain::kScoringRulesVersion; rows without one are version 1), and how many of them
  // today's rules would score differently (version 1: geography leads without an employee
  // count). The backtest and the batch check read recorded scores, so the report names them.
  std::map<std::int64_t, std::int64_t> leads_by_scoring_rules;
  std::int64_t leads_with_outdated_scores = 0;
  std::int64_t counted() const { return historical + leads_matured; }
};

struct OutcomeData {
  std::vector<LeadCell> cells;   // historical and matured lead groups
  std::vector<KeyCount> states;  // per state bucket, historical and matured leads
  DataVolume volume;
  std::string matured_before;  // ISO-8601 UTC
  std::string holdout_date;    // ISO-8601 UTC; "" when there are no matured leads
  bool holdout_automatic = true;
  // The matured batches' scores in batch_id order when the leads were streamed; else nullopt
  // and load_batches() asks the database.
  std::optional<std::vector<BatchScores>> batches;
  // Matured HADES leads per period (LoadOptions::change_times), workflow and recorded score,
  // for the scoring check (scoring_check.h).
  std::vector<ScoreCount> scoring;
};

// Where the matured lead_outcomes are summed per bucket combination. Both give the same groups.
enum class LeadAggregation {
  kAuto,        // streamed on SQLite, in the database on any other backend
  kInDatabase,  // GROUP BY in SQL: only the groups are read (Turso: no row crosses the network)
  kStreamed,    // every row read through Database::query_each and summed in a hash map
};

struct LoadOptions {
  std::string matured_before;               // run start minus matured_days, ISO-8601 UTC
  std::optional<std::string> holdout_date;  // given; else the automatic split
  LeadAggregation lead_aggregation = LeadAggregation::kAuto;
  // When icp.yaml changed (icp_changes.applied_at), ascending: the scoring check's periods.
  std::vector<std::string> change_times = {};
};

// Runs the aggregation queries. Creates nothing: the caller applies the outcome migrations
// first. Fails with the database's status (naming the query) when a query fails.
Result<OutcomeData> load_outcomes(Database& db, const domain::IcpConfig& icp,
                                  const LoadOptions& options);

// The lag within which `share` of the deliveries arrived, from (lag in days, deliveries) pairs in
// ascending lag; nullopt when there are none.
std::optional<std::int64_t> lag_quantile(const std::vector<KeyCount>& lags, double share);

// The automatic holdout date: the export time before which 80% of the matured HADES leads were
// exported, from (exported_at, leads) pairs in ascending time. A batch is never split, since
// its leads share one export time. "" when there are no leads.
std::string automatic_holdout_date(const std::vector<KeyCount>& exports_by_time);

// The matured batches (exported before data.matured_before) in batch_id order, each lead's
// probability p(hades_score) given per integer score 0..100 (`probability[s]`) and summed: from
// data.batches when the leads were streamed, else by the database. REQUIRES:
// probability.size() == 101.
Result<std::vector<BatchRow>> load_batches(Database& db, const OutcomeData& data,
                                           const std::vector<double>& probability);

// ---------------------------------------------------------------------------------------------
// Per dimension and bucket.

// Whether the data support moving a bucket to its suggested score (evidence.h).
enum class Verdict { kSupported, kWithinNoise };
std::string_view verdict_name(Verdict verdict);  // "supported", "within_noise"

struct BucketResult {
  std::string bucket;  // "8062", "50-100", "0-5 mi", "High", "Hot", "MA", "South", "unknown"
  std::int64_t n = 0;
  std::int64_t k = 0;
  double rate = 0;
  Interval wilson;
  double shrunk_rate = 0;
  std::optional<std::int64_t> current_score;  // icp.yaml's, or what the scorer gives it
  std::optional<std::int64_t> suggested_score;
  std::optional<std::int64_t> delta;  // suggested - current
  // evidence.h: the 95% interval of the suggested score and the verdict; nullopt without a
  // suggestion or a current score, or before assess_evidence().
  std::optional<Interval> suggested_interval;
  std::optional<Verdict> verdict;
  Confidence confidence = Confidence::kLow;
  bool manual_review = true;  // Low confidence, or no suggestion could be made
  bool in_icp = false;        // icp.yaml names this bucket (a SIC, a tier, a strength)
};

struct DimensionResult {
  Dimension dimension = Dimension::kSic;
  std::string population;             // "all outcomes", "geography leads", "intent leads"
  bool scored = false;                // icp.yaml has scores for it (state and region have none)
  std::vector<BucketResult> buckets;  // in icp.yaml's order, then others, `unknown` last
  Shrinkage shrinkage;                // N, K, m, chi-square, df, p-value, kappa, tau2
  // The p-value after Holm's correction across the scored dimensions (evidence.h); nullopt for
  // unscored dimensions, without a test, or before assess_evidence().
  std::optional<double> p_value_holm;
  std::vector<std::string> not_in_icp;        // buckets with data that icp.yaml lacks
  std::vector<std::string> icp_without_data;  // buckets icp.yaml defines that have no data
};

// Conversion, intervals, shrinkage and suggestions of every dimension from `cells` (and
// `states` for state and region). With `training_only`, cells of the holdout are left out (the
// backtest's suggestion must not see the leads it is tested on).
std::vector<DimensionResult> calibrate_dimensions(const domain::IcpConfig& icp,
                                                  const std::vector<LeadCell>& cells,
                                                  const std::vector<KeyCount>& states,
                                                  bool training_only);

// The current score the scorer gives a bucket of `dimension` (nullopt for state and region).
std::optional<std::int64_t> current_score(const domain::IcpConfig& icp, Dimension dimension,
                                          std::string_view bucket);

}  // namespace hades::calibrator

#endif  // HADES_PLUGINS_CALIBRATOR_CALIBRATION_H_
