#include "leads/scoring.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "leads/normalize.h"

namespace hades::domain {
namespace {

const std::int64_t* find_score(const ScoreTable& table, std::string_view name) {
  for (const auto& [key, score] : table) {
    if (iequals(key, name)) return &score;
  }
  return nullptr;
}

// True when `title` contains `keyword` (lower case), ignoring ASCII case.
bool contains_keyword(std::string_view title, std::string_view keyword) {
  if (keyword.empty() || keyword.size() > title.size()) return false;
  for (std::size_t start = 0; start + keyword.size() <= title.size(); ++start) {
    if (iequals(title.substr(start, keyword.size()), keyword)) return true;
  }
  return false;
}

}  // namespace

std::optional<Workflow> parse_workflow(std::string_view name) {
  if (name == "intent") return Workflow::kIntent;
  if (name == "geography") return Workflow::kGeography;
  return std::nullopt;
}

std::string_view workflow_name(Workflow workflow) {
  return workflow == Workflow::kIntent ? "intent" : "geography";
}

std::int64_t onsite_score(const IcpConfig& icp, std::string_view sic4) {
  for (const auto& [sic, score] : icp.sic_scores) {
    if (sic == sic4) return score;
  }
  return icp.sic_default;
}

std::int64_t employee_scale_score(const IcpConfig& icp, std::optional<std::int64_t> employees) {
  const std::int64_t n = employees.value_or(kAssumedEmployeesWhenUnknown);
  for (const EmployeeTier& tier : icp.employee_scale) {
    if (tier.min <= n && n <= tier.max) return tier.score;
  }
  return kEmployeeScoreOutsideTiers;
}

std::int64_t proximity_score(const IcpConfig& icp, std::optional<double> miles) {
  const double distance = miles.value_or(kUnknownDistanceMiles);
  for (const ProximityTier& tier : icp.proximity) {
    if (distance <= tier.max_miles) return tier.score;
  }
  return kProximityScoreBeyondTiers;
}

std::int64_t authority_score(const IcpConfig& icp, std::string_view management_level,
                             std::string_view title) {
  const std::int64_t* level = find_score(icp.authority_scores, trim(management_level));
  std::int64_t score = level != nullptr ? *level : icp.authority_default;
  for (const std::string& keyword : icp.authority_title_keywords) {
    if (contains_keyword(title, keyword)) {
      score += kTitleKeywordBonus;
      break;
    }
  }
  return std::min(score, kMaxComponentScore);
}

std::int64_t signal_score(const IcpConfig& icp, std::optional<std::int64_t> intent_score,
                          std::string_view strength) {
  if (intent_score && *intent_score > 0) return std::min(*intent_score, kMaxComponentScore);
  if (const std::int64_t* score = find_score(icp.signal_strength_scores, trim(strength))) {
    return *score;
  }
  // A missing (or unlisted) strength counts as Low; the config guarantees Low is present.
  const std::int64_t* low = find_score(icp.signal_strength_scores, "Low");
  return low != nullptr ? *low : 0;
}

Freshness freshness(const IcpConfig& icp, std::optional<std::int64_t> age_days) {
  Freshness out;
  out.age_days = age_days.value_or(kUnknownAgeDays);
  for (const FreshnessTier& tier : icp.freshness) {
    if (out.age_days <= tier.max_days) {
      out.multiplier = tier.multiplier;
      out.label = tier.label;
      // int(100 * multiplier): truncation, with the product computed in double as written.
      out.score = static_cast<std::int64_t>(100.0 * tier.multiplier);
      return out;
    }
  }
  out.label = "Stale";
  return out;
}

std::int64_t audience_bonus(std::string_view audience_strength) {
  const std::string_view a = trim(audience_strength);
  if (a.size() != 1) return 0;
  switch (a[0]) {
    case 'A':
    case 'a':
      return 10;
    case 'B':
    case 'b':
      return 7;
    case 'C':
    case 'c':
      return 4;
    case 'D':
    case 'd':
      return 2;
    default:
      return 0;
  }
}

std::optional<std::int64_t> employee_bonus(std::optional<std::int64_t> employees) {
  constexpr std::int64_t kEmployeesPerPoint = 200;
  constexpr std::int64_t kMaxBonus = 5;
  if (!employees) return std::nullopt;
  return std::min(kMaxBonus, *employees / kEmployeesPerPoint);
}

double round_half_even(double value) {
  const double below = std::floor(value);
  const double fraction = value - below;  // exact: both are doubles of the same binade or 0
  if (fraction < 0.5) return below;
  if (fraction > 0.5) return below + 1.0;
  return std::fmod(below, 2.0) == 0.0 ? below : below + 1.0;
}

std::int64_t final_score(double total) {
  return std::min(kMaxScore, static_cast<std::int64_t>(round_half_even(total)));
}

std::string_view priority_label(std::int64_t score) {
  if (score >= 80) return "High";
  if (score >= 60) return "Medium";
  if (score >= 40) return "Low";
  return "Very Low";
}

std::string_view priority_note(std::int64_t score) { return score >= 80 ? "Call first" : ""; }

IntentScore score_intent(const IcpConfig& icp, const IntentInputs& in) {
  const IntentWeights& w = icp.intent_weights;
  IntentScore out;
  out.signal = signal_score(icp, in.intent_score, in.intent_strength);
  out.onsite = onsite_score(icp, in.sic4);
  out.freshness = freshness(icp, in.age_days);
  out.audience_bonus = audience_bonus(in.audience_strength);
  out.employee_bonus = employee_bonus(in.employees);
  // Summed left to right, in the order of domain.md's formula: the order changes the last bit.
  double total = static_cast<double>(out.signal) * w.signal_strength;
  total += static_cast<double>(out.onsite) * w.onsite_likelihood;
  total += static_cast<double>(out.freshness.score) * w.freshness;
  total += static_cast<double>(out.audience_bonus);
  total += static_cast<double>(out.employee_bonus.value_or(0));
  out.total = total;
  out.score = final_score(total);
  return out;
}

GeographyScore score_geography(const IcpConfig& icp, const GeographyInputs& in) {
  const GeographyWeights& w = icp.geography_weights;
  GeographyScore out;
  out.distance_miles = in.distance_miles.value_or(kUnknownDistanceMiles);
  out.proximity = proximity_score(icp, out.distance_miles);
  out.onsite = onsite_score(icp, in.sic4);
  out.authority = authority_score(icp, in.management_level, in.title);
  out.employee = employee_scale_score(icp, in.employees);
  double total = static_cast<double>(out.proximity) * w.proximity;
  total += static_cast<double>(out.onsite) * w.onsite_likelihood;
  total += static_cast<double>(out.authority) * w.authority;
  total += static_cast<double>(out.employee) * w.employee_scale;
  out.total = total;
  out.score = final_score(total);
  return out;
}

}  // namespace hades::domain
