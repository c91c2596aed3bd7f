#include "buckets.h"

#include <cstdio>

#include "leads/normalize.h"
#include "leads/regions.h"
#include "leads/scoring.h"

namespace hades::calibrator {
namespace {

using domain::IcpConfig;

std::string miles_text(double miles) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", miles);
  return buffer;
}

Scheme sic_scheme(const IcpConfig& icp) {
  Scheme s;
  for (const auto& [sic, score] : icp.sic_scores) s.icp.push_back({sic, score});
  s.special.push_back({std::string(kUnknownBucket), domain::onsite_score(icp, "")});
  s.other_current = icp.sic_default;
  s.sorted_by_key = true;
  return s;
}

Scheme employee_scheme(const IcpConfig& icp) {
  Scheme s;
  for (const domain::EmployeeTier& tier : icp.employee_scale) {
    s.icp.push_back({std::to_string(tier.min) + "-" + std::to_string(tier.max), tier.score});
  }
  s.special.push_back({std::string(kOutsideTiers), domain::kEmployeeScoreOutsideTiers});
  s.special.push_back(
      {std::string(kUnknownBucket), domain::employee_scale_score(icp, std::nullopt)});
  return s;
}

Scheme proximity_scheme(const IcpConfig& icp) {
  Scheme s;
  std::string lower = "0";
  for (const domain::ProximityTier& tier : icp.proximity) {
    s.icp.push_back({lower + "-" + miles_text(tier.max_miles) + " mi", tier.score});
    lower = miles_text(tier.max_miles);
  }
  s.special.push_back({"beyond " + lower + " mi", domain::kProximityScoreBeyondTiers});
  s.special.push_back({std::string(kUnknownBucket), domain::proximity_score(icp, std::nullopt)});
  return s;
}

Scheme signal_scheme(const IcpConfig& icp) {
  Scheme s;
  for (const auto& [strength, score] : icp.signal_strength_scores)
    s.icp.push_back({strength, score});
  // The scorer scores a blank or unlisted strength as Low.
  s.other_current = domain::signal_score(icp, std::nullopt, "");
  s.special.push_back({std::string(kUnknownBucket), s.other_current});
  return s;
}

Scheme freshness_scheme(const IcpConfig& icp) {
  Scheme s;
  for (const domain::FreshnessTier& tier : icp.freshness) {
    s.icp.push_back({tier.label, static_cast<std::int64_t>(100.0 * tier.multiplier)});
  }
  s.special.push_back({std::string(kPastTiers), 0});
  s.special.push_back({std::string(kUnknownBucket), domain::freshness(icp, std::nullopt).score});
  return s;
}

}  // namespace

Scheme scheme_for(const IcpConfig& icp, Dimension dimension) {
  switch (dimension) {
    case Dimension::kSic:
      return sic_scheme(icp);
    case Dimension::kEmployeeTier:
      return employee_scheme(icp);
    case Dimension::kProximity:
      return proximity_scheme(icp);
    case Dimension::kSignalStrength:
      return signal_scheme(icp);
    case Dimension::kFreshness:
      return freshness_scheme(icp);
    case Dimension::kState: {
      Scheme s;
      s.special.push_back({std::string(kUnknownBucket), std::nullopt});
      s.sorted_by_key = true;
      return s;
    }
    case Dimension::kRegion: {
      Scheme s;
      for (std::string_view region : domain::kCensusRegions)
        s.special.push_back({std::string(region), {}});
      s.special.push_back({std::string(kUnknownBucket), std::nullopt});
      return s;
    }
  }
  return {};
}

const SchemeEntry* find_entry(const std::vector<SchemeEntry>& entries, std::string_view key) {
  for (const SchemeEntry& e : entries) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

std::string tier_bucket(const Scheme& scheme, const CellKey& layout, KeyDigit digit,
                        std::int64_t value) {
  switch (layout.code(digit, value)) {
    case TierCode::kTier:
      return scheme.icp[static_cast<std::size_t>(value)].key;
    case TierCode::kBeyond:
      return scheme.special.front().key;
    case TierCode::kUnknown:
      return std::string(kUnknownBucket);
    case TierCode::kNotApplicable:
      return std::string();
  }
  return std::string();
}

std::string sic_bucket(const Value& raw) {
  const std::optional<std::string> sic = domain::normalize_sic(to_text(raw));
  return sic ? *sic : std::string(kUnknownBucket);
}

std::string state_bucket(const Value& raw) {
  const std::optional<std::string> state = domain::normalize_state(to_text(raw));
  return state ? *state : std::string(kUnknownBucket);
}

std::string employee_bucket(const IcpConfig& icp, const Scheme& scheme, const CellKey& layout,
                            std::int64_t digit, const Value& text) {
  if (layout.code(KeyDigit::kEmployee, digit) != TierCode::kUnknown || is_null(text)) {
    return tier_bucket(scheme, layout, KeyDigit::kEmployee, digit);
  }
  Result<std::optional<std::int64_t>> count = domain::parse_employee_count(to_text(text));
  if (!count.ok() || !*count) return std::string(kUnknownBucket);
  for (std::size_t i = 0; i < icp.employee_scale.size(); ++i) {
    const domain::EmployeeTier& t = icp.employee_scale[i];
    if (t.min <= **count && **count <= t.max) return scheme.icp[i].key;
  }
  return std::string(kOutsideTiers);
}

std::string signal_bucket(const Scheme& scheme, const CellKey& layout, std::int64_t digit,
                          const Value& other) {
  if (layout.code(KeyDigit::kStrength, digit) == TierCode::kBeyond) {
    return std::string(domain::trim(to_text(other)));
  }
  return tier_bucket(scheme, layout, KeyDigit::kStrength, digit);
}

void add_count(std::map<std::string, KeyCount>& counts, const std::string& key, std::int64_t n,
               std::int64_t k) {
  KeyCount& c = counts[key];
  c.key = key;
  c.n += n;
  c.k += k;
}

std::optional<std::int64_t> scheme_current(const Scheme& scheme, std::string_view key) {
  if (const SchemeEntry* e = find_entry(scheme.icp, key)) return e->current;
  if (const SchemeEntry* e = find_entry(scheme.special, key)) return e->current;
  return scheme.other_current;
}

}  // namespace hades::calibrator
