// scoring.h: the lead score of domain.md ("Scoring"), as the live system computes it.
//
// Each rule is one function so that tests can pin every tier edge and default; score_intent()
// and score_geography() combine them exactly as written: IEEE doubles summed left to right in
// the order of the formula, rounded half to even, capped at 100. Inputs are already normalized
// (normalize.h); text inputs use "" for unknown.
//
// Thread safety: pure functions over a const IcpConfig.

#ifndef HADES_LEADS_SCORING_H_
#define HADES_LEADS_SCORING_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "leads/icp_config.h"

namespace hades::domain {

// The version of the rules in this file, recorded with every exported lead (lead_outcomes
// .scoring_rules and source_features) so that scores computed under different rules are never
// compared as if they were one scale. Bump it whenever a rule changes a score.
//   1  until 2026-12: an unknown employee count in geography scored an employee score of 50
//      (10 points too low with the shipped icp.yaml). Rows without a version are version 1.
//   2  an unknown employee count is taken as 50 employees (the tier that holds 50).
inline constexpr std::int64_t kScoringRulesVersion = 2;

enum class Workflow { kIntent, kGeography };

// "intent" / "geography" -> the workflow; anything else (other case included) -> nullopt.
std::optional<Workflow> parse_workflow(std::string_view name);
std::string_view workflow_name(Workflow workflow);

// Age used when the intent date is unknown: older than any fresh tier.
inline constexpr std::int64_t kUnknownAgeDays = 999;
// Distance used when it is unknown.
inline constexpr double kUnknownDistanceMiles = 15.0;
// Employee score when no employee_scale tier holds the count.
inline constexpr std::int64_t kEmployeeScoreOutsideTiers = 40;
// The employee count the geography workflow assumes when it is unknown (the live system's
// `employees or 50`): the score is the tier holding 50, not a score of 50.
inline constexpr std::int64_t kAssumedEmployeesWhenUnknown = 50;
// Proximity score when the distance is beyond every tier.
inline constexpr std::int64_t kProximityScoreBeyondTiers = 30;
// Authority bonus for a title with a keyword, and the cap it may not push the score past.
inline constexpr std::int64_t kTitleKeywordBonus = 10;
inline constexpr std::int64_t kMaxComponentScore = 100;
inline constexpr std::int64_t kMaxScore = 100;

// `sic_scores[sic4]`, else `default` (also for an unknown SIC, "").
std::int64_t onsite_score(const IcpConfig& icp, std::string_view sic4);

// The first employee_scale tier with `min <= n <= max`, else 40; an unknown count is taken as
// kAssumedEmployeesWhenUnknown employees.
std::int64_t employee_scale_score(const IcpConfig& icp, std::optional<std::int64_t> employees);

// The first proximity tier with `miles <= max_miles`, else 30; an unknown distance is 15 miles.
std::int64_t proximity_score(const IcpConfig& icp, std::optional<double> miles);

// `authority_scores[level]` (ASCII case and surrounding blanks ignored), else `default`; +10
// when the title contains a keyword (ignoring ASCII case); at most 100.
std::int64_t authority_score(const IcpConfig& icp, std::string_view management_level,
                             std::string_view title);

// `intent_score` when present and > 0 (at most 100), else `signal_strength_scores[strength]`;
// a blank or unlisted strength counts as Low. Strength matching ignores ASCII case.
std::int64_t signal_score(const IcpConfig& icp, std::optional<std::int64_t> intent_score,
                          std::string_view strength);

// Where an intent of a given age falls among the freshness tiers.
struct Freshness {
  std::int64_t age_days = 0;  // kUnknownAgeDays when the date was unknown
  double multiplier = 0;
  std::int64_t score = 0;  // int(100 * multiplier), truncated as the live system does
  std::string_view label;  // the tier's label; "Stale" past every tier. Points into the config.
  bool stale() const { return multiplier == 0.0; }
};

// The first tier with `age <= max_days`. An unknown age is 999. An age past every tier is
// stale (multiplier 0, label "Stale"). A date in the future has a negative age: the first tier.
Freshness freshness(const IcpConfig& icp, std::optional<std::int64_t> age_days);

// A 10, B 7, C 4, D 2 (ASCII case and blanks ignored); anything else 0.
std::int64_t audience_bonus(std::string_view audience_strength);

// `min(5, employees // 200)`; nullopt (no bonus) when the count is unknown.
std::optional<std::int64_t> employee_bonus(std::optional<std::int64_t> employees);

// Rounds half to even (72.5 -> 72, 73.5 -> 74) whatever the floating-point rounding mode.
double round_half_even(double value);

// min(100, round_half_even(total)).
std::int64_t final_score(double total);

// High >= 80, Medium >= 60, Low >= 40, else Very Low.
std::string_view priority_label(std::int64_t score);
// "Call first" for High, else "".
std::string_view priority_note(std::int64_t score);

// ---------------------------------------------------------------------------------------------
// Workflows

struct IntentInputs {
  std::string_view sic4;                  // normalized; "" when unknown
  std::optional<std::int64_t> employees;  // normalized
  std::optional<std::int64_t> intent_score;
  std::string_view intent_strength;
  std::optional<std::int64_t> age_days;  // days from the intent date to as_of
  std::string_view audience_strength;
};

struct IntentScore {
  std::int64_t signal = 0;
  std::int64_t onsite = 0;
  Freshness freshness;
  std::int64_t audience_bonus = 0;
  std::optional<std::int64_t> employee_bonus;
  double total = 0;  // the weighted sum plus bonuses, before rounding
  std::int64_t score = 0;
  // Stale leads are not exported.
  bool excluded() const { return freshness.stale(); }
};

// signal*w.signal_strength + onsite*w.onsite_likelihood + freshness*w.freshness
//   + audience bonus + employee bonus, then min(100, round()).
IntentScore score_intent(const IcpConfig& icp, const IntentInputs& in);

struct GeographyInputs {
  std::string_view sic4;
  std::optional<std::int64_t> employees;
  std::optional<double> distance_miles;
  std::string_view management_level;
  std::string_view title;
};

struct GeographyScore {
  double distance_miles = 0;  // the distance scored: kUnknownDistanceMiles when unknown
  std::int64_t proximity = 0;
  std::int64_t onsite = 0;
  std::int64_t authority = 0;
  std::int64_t employee = 0;
  double total = 0;
  std::int64_t score = 0;
};

// proximity*w.proximity + onsite*w.onsite_likelihood + authority*w.authority
//   + employee*w.employee_scale, then min(100, round()).
GeographyScore score_geography(const IcpConfig& icp, const GeographyInputs& in);

}  // namespace hades::domain

#endif  // HADES_LEADS_SCORING_H_
