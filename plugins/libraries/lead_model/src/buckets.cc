#include "lead_model/buckets.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "leads/normalize.h"
#include "leads/regions.h"

namespace hades::lead_model {
namespace {

using domain::IcpConfig;

constexpr std::array<std::string_view, kFeatureCount> kNames = {
    "sic", "employee_tier", "region", "proximity", "signal_strength", "freshness"};

// Miles as the calibration report writes them: "5", "2.5".
std::string miles_text(double miles) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", miles);
  return buffer;
}

}  // namespace

std::string_view feature_name(Feature f) { return kNames[index_of(f)]; }

std::optional<Feature> feature_named(std::string_view name) {
  for (const Feature f : kAllFeatures) {
    if (feature_name(f) == name) return f;
  }
  return std::nullopt;
}

bool has_feature(RowKind kind, Feature f) {
  switch (f) {
    case Feature::kSic:
    case Feature::kEmployeeTier:
    case Feature::kRegion:
      return true;
    case Feature::kProximity:
      return kind == RowKind::kGeography;
    case Feature::kSignalStrength:
    case Feature::kFreshness:
      return kind == RowKind::kIntent;
  }
  return false;
}

BucketRules::BucketRules(const IcpConfig& icp)
    : employee_(icp.employee_scale), unknown_(kUnknownLevel) {
  nlohmann::json definition = {{"bucketing", kBucketingVersion}, {"region", "us_census"}};

  std::vector<std::string>& employee = levels_[index_of(Feature::kEmployeeTier)];
  for (const domain::EmployeeTier& t : icp.employee_scale) {
    employee.push_back(std::to_string(t.min) + "-" + std::to_string(t.max));
    definition["employee_tiers"].push_back({t.min, t.max});
  }
  employee.emplace_back("outside tiers");

  std::vector<std::string>& proximity = levels_[index_of(Feature::kProximity)];
  std::string lower = "0";
  for (const domain::ProximityTier& t : icp.proximity) {
    miles_.push_back(t.max_miles);
    proximity.push_back(lower + "-" + miles_text(t.max_miles) + " mi");
    lower = miles_text(t.max_miles);
    definition["proximity_max_miles"].push_back(t.max_miles);
  }
  proximity.push_back("beyond " + lower + " mi");

  std::vector<std::string>& signal = levels_[index_of(Feature::kSignalStrength)];
  for (const auto& [strength, score] : icp.signal_strength_scores) {
    strengths_.emplace_back(domain::ascii_lower(strength), strength);
    signal.push_back(strength);
    definition["signal_strengths"].push_back(strength);
  }

  std::vector<std::string>& freshness = levels_[index_of(Feature::kFreshness)];
  for (const domain::FreshnessTier& t : icp.freshness) {
    days_.push_back(t.max_days);
    freshness.push_back(t.label);
    definition["freshness_tiers"].push_back({t.label, t.max_days});
  }
  freshness.emplace_back("past tiers");

  definition_json_ = definition.dump();
  definition_sha256_ = domain::sha256_hex(definition_json_);
}

std::string BucketRules::sic(std::string_view raw) const {
  return domain::normalize_sic(raw).value_or(unknown_);
}

const std::string& BucketRules::employee(std::optional<std::int64_t> count) const {
  if (!count) return unknown_;
  const std::vector<std::string>& levels = levels_[index_of(Feature::kEmployeeTier)];
  for (std::size_t i = 0; i < employee_.size(); ++i) {
    if (employee_[i].min <= *count && *count <= employee_[i].max) return levels[i];
  }
  return levels.back();
}

std::string BucketRules::region(std::string_view state_raw) const {
  const std::optional<std::string> state = domain::normalize_state(state_raw);
  if (!state) return unknown_;
  return std::string(domain::census_region(*state).value_or(kUnknownLevel));
}

const std::string& BucketRules::proximity(std::optional<double> miles) const {
  if (!miles) return unknown_;
  const std::vector<std::string>& levels = levels_[index_of(Feature::kProximity)];
  for (std::size_t i = 0; i < miles_.size(); ++i) {
    if (*miles <= miles_[i]) return levels[i];
  }
  return levels.back();
}

std::string BucketRules::signal(std::string_view strength) const {
  const std::string_view trimmed = domain::trim(strength);
  if (trimmed.empty()) return unknown_;
  for (const auto& [lower, written] : strengths_) {
    if (domain::iequals(trimmed, lower)) return written;
  }
  return std::string(trimmed);
}

const std::string& BucketRules::freshness(std::optional<std::int64_t> age_days) const {
  if (!age_days) return unknown_;
  const std::vector<std::string>& levels = levels_[index_of(Feature::kFreshness)];
  for (std::size_t i = 0; i < days_.size(); ++i) {
    if (*age_days <= days_[i]) return levels[i];
  }
  return levels.back();
}

const std::vector<std::string>& BucketRules::tier_levels(Feature f) const {
  return levels_[index_of(f)];
}

}  // namespace hades::lead_model
