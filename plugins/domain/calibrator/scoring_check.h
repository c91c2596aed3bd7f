// scoring_check.h: is the scoring working? (issue 19 item 7; the design's month-3 question:
// "compare HADES conversion rates to the historical baseline").
//
// From the matured HADES leads (published batches only, as everywhere in the report) counted per
// period, workflow and recorded hades_score, and the historical outcomes as the baseline:
//   - per period and workflow (all, intent, geography): conversion with its Wilson interval, and
//     the difference from the historical baseline with Newcombe's interval;
//   - per period, conversion per priority band of the recorded score (High >= 80, Medium >= 60,
//     Low >= 40, Very Low) and per score decile, with Wilson intervals: whether higher scores
//     really convert more.
// A period is the time between two changes of icp.yaml that HADES made (icp_changes: applies
// and rollbacks of this icp.yaml, by applied_at): a lead belongs to the period its exported_at
// falls in, so each period's leads were scored with one version of the weights. The first
// period runs from the first export to the first change, the last from the last change on.
//
// Thread safety: pure functions.

#ifndef HADES_PLUGINS_CALIBRATOR_SCORING_CHECK_H_
#define HADES_PLUGINS_CALIBRATOR_SCORING_CHECK_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stats/stats.h"

namespace hades::calibrator {

// One change of icp.yaml made by HADES (domain::IcpChangeRecord, the fields used here).
struct ChangePoint {
  std::int64_t id = 0;
  std::string kind;        // "apply" or "rollback"
  std::string applied_at;  // ISO-8601 UTC
};

// The period of a lead exported at `exported_at` given the changes' applied_at in ascending
// order: 0 before the first change, i from the i-th change on (ISO-8601 texts compare as times).
std::size_t period_of(const std::vector<std::string>& change_times, std::string_view exported_at);

// Matured HADES leads of one period, workflow and recorded score.
struct ScoreCount {
  std::size_t period = 0;
  std::int64_t workflow = 0;  // bucket_sql.h's workflow digit: kGeography, kIntent, other
  std::int64_t score = 0;     // 0..100, or kNoScore (no usable hades_score)
  std::int64_t n = 0;
  std::int64_t k = 0;
};

struct Rate {
  std::int64_t n = 0;
  std::int64_t k = 0;
  std::optional<double> rate;      // k / n; nullopt when n = 0
  std::optional<Interval> wilson;  // 95%; nullopt when n = 0
};

struct WorkflowRate {
  std::string workflow;  // "all", "intent", "geography"
  Rate rate;
  // rate - the baseline's, with Newcombe's 95% interval; nullopt without leads or baseline.
  std::optional<double> difference;
  std::optional<Interval> difference_interval;
};

struct ScoreRangeRate {
  std::string label;  // "High", "Medium", "Low", "Very Low"; or the decile, "1" (lowest) .. "10"
  std::int64_t min_score = 0;
  std::int64_t max_score = 0;
  Rate rate;
};

struct ScoringPeriod {
  std::optional<ChangePoint> since;  // the change that opened it; nullopt for the first period
  std::string from;                  // its applied_at, "" for the first period
  std::string to;                    // the next change's applied_at, "" for the last period
  std::vector<WorkflowRate> workflows;
  std::int64_t unscored = 0;          // leads without a usable hades_score: in workflows, not below
  std::vector<ScoreRangeRate> bands;  // High, Medium, Low, Very Low
  std::vector<ScoreRangeRate> deciles;  // lowest first; see score_deciles()
};

struct ScoringCheck {
  Rate baseline;  // historical_outcomes
  std::vector<ScoringPeriod> periods;
};

Rate rate_of(std::int64_t n, std::int64_t k);

// Deciles of leads counted per score (`per_score[s]` = n, k of score s = 0..100), lowest first:
// decile d holds the scores above the (d-1)/10 quantile and up to the d/10 quantile (inverted
// empirical CDF of the leads' scores). Leads of one score stay together, so a score that reaches
// past the next cut takes the deciles it covers with it, labelled "3-4" (all leads of one score:
// one group "1-10"). Every lead is in exactly one group.
std::vector<ScoreRangeRate> score_deciles(const std::vector<Rate>& per_score);

// The check, one period per change and one before them. `changes` in ascending applied_at.
ScoringCheck check_scoring(const Rate& baseline, const std::vector<ChangePoint>& changes,
                           const std::vector<ScoreCount>& counts);

}  // namespace hades::calibrator

#endif  // HADES_PLUGINS_CALIBRATOR_SCORING_CHECK_H_
