// The per-dimension maths of calibration.h: counts per bucket, shrinkage, suggestions.

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "buckets.h"
#include "calibration.h"
#include "leads/regions.h"

namespace hades::calibrator {

using domain::IcpConfig;

const std::string& bucket_of(const LeadCell& c, Dimension d) {
  static const std::string kNone;
  switch (d) {
    case Dimension::kSic:
      return c.sic;
    case Dimension::kEmployeeTier:
      return c.employee;
    case Dimension::kProximity:
      return c.proximity;
    case Dimension::kSignalStrength:
      return c.signal;
    case Dimension::kFreshness:
      return c.freshness;
    case Dimension::kState:
    case Dimension::kRegion:
      return kNone;
  }
  return kNone;
}

namespace {

std::string_view population_of(Dimension d) {
  switch (d) {
    case Dimension::kProximity:
      return "geography leads";
    case Dimension::kSignalStrength:
    case Dimension::kFreshness:
      return "intent leads";
    default:
      return "all outcomes";
  }
}

std::map<std::string, KeyCount> counts_of(Dimension d, const std::vector<LeadCell>& cells,
                                          const std::vector<KeyCount>& states, bool training_only) {
  std::map<std::string, KeyCount> counts;
  if (d == Dimension::kState || d == Dimension::kRegion) {
    for (const KeyCount& s : states) {
      std::string key = s.key;
      if (d == Dimension::kRegion) {
        key = std::string(census_region(s.key).value_or(kUnknownBucket));
      }
      add_count(counts, key, s.n, s.k);
    }
    return counts;
  }
  for (const LeadCell& c : cells) {
    if (training_only && c.holdout) continue;
    const std::string& key = bucket_of(c, d);
    if (!key.empty()) add_count(counts, key, c.n, c.k);
  }
  return counts;
}

// Buckets in report order: icp.yaml's (or all data keys sorted, for SIC and state), then data
// buckets icp.yaml lacks, then the special buckets, `unknown` last.
std::vector<std::string> ordered_keys(const Scheme& scheme,
                                      const std::map<std::string, KeyCount>& counts) {
  std::vector<std::string> keys;
  std::set<std::string> placed;
  auto place = [&](const std::string& key) {
    if (counts.count(key) != 0 && placed.insert(key).second) keys.push_back(key);
  };
  if (!scheme.sorted_by_key) {
    for (const SchemeEntry& e : scheme.icp) place(e.key);
  }
  for (const auto& [key, count] : counts) {
    if (find_entry(scheme.special, key) == nullptr) place(key);
  }
  for (const SchemeEntry& e : scheme.special) place(e.key);
  return keys;
}

DimensionResult calibrate_dimension(Dimension d, const Scheme& scheme,
                                    const std::map<std::string, KeyCount>& counts) {
  DimensionResult out;
  out.dimension = d;
  out.population = std::string(population_of(d));
  out.scored = d != Dimension::kState && d != Dimension::kRegion;
  const std::vector<std::string> keys = ordered_keys(scheme, counts);
  std::vector<BucketCount> bucket_counts;
  std::vector<Confidence> confidence;
  for (const std::string& key : keys) {
    const KeyCount& c = counts.at(key);
    bucket_counts.push_back({c.n, c.k});
    confidence.push_back(confidence_of(c.n, c.k));
  }
  out.shrinkage = shrink(bucket_counts);
  const std::vector<std::optional<std::int64_t>> suggested =
      suggested_scores(out.shrinkage.shrunk, confidence);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    BucketResult b;
    b.bucket = keys[i];
    b.n = bucket_counts[i].n;
    b.k = bucket_counts[i].k;
    b.rate = static_cast<double>(b.k) / static_cast<double>(b.n);
    b.wilson = wilson_interval(b.k, b.n);
    b.shrunk_rate = out.shrinkage.shrunk[i];
    b.confidence = confidence[i];
    b.in_icp = find_entry(scheme.icp, keys[i]) != nullptr;
    if (out.scored) {
      b.current_score = scheme_current(scheme, keys[i]);
      b.suggested_score = suggested[i];
    }
    if (b.current_score && b.suggested_score) b.delta = *b.suggested_score - *b.current_score;
    b.manual_review = b.confidence == Confidence::kLow || (out.scored && !b.suggested_score);
    if (!b.in_icp && b.bucket != kUnknownBucket && !scheme.icp.empty()) {
      out.not_in_icp.push_back(b.bucket);
    }
    out.buckets.push_back(std::move(b));
  }
  for (const SchemeEntry& e : scheme.icp) {
    if (counts.count(e.key) == 0) out.icp_without_data.push_back(e.key);
  }
  return out;
}

}  // namespace

std::string_view dimension_name(Dimension dimension) {
  switch (dimension) {
    case Dimension::kSic:
      return "sic";
    case Dimension::kEmployeeTier:
      return "employee_tier";
    case Dimension::kState:
      return "state";
    case Dimension::kRegion:
      return "region";
    case Dimension::kProximity:
      return "proximity";
    case Dimension::kSignalStrength:
      return "signal_strength";
    case Dimension::kFreshness:
      return "freshness";
  }
  return "unknown";
}

std::string_view verdict_name(Verdict verdict) {
  return verdict == Verdict::kSupported ? "supported" : "within_noise";
}

std::optional<std::string_view> census_region(std::string_view state_code) {
  return domain::census_region(state_code);
}

std::vector<DimensionResult> calibrate_dimensions(const IcpConfig& icp,
                                                  const std::vector<LeadCell>& cells,
                                                  const std::vector<KeyCount>& states,
                                                  bool training_only) {
  const Schemes schemes(icp);
  std::vector<DimensionResult> out;
  for (Dimension d : kDimensions) {
    if (training_only && (d == Dimension::kState || d == Dimension::kRegion)) continue;
    out.push_back(calibrate_dimension(d, schemes[d], counts_of(d, cells, states, training_only)));
  }
  return out;
}

std::optional<std::int64_t> current_score(const IcpConfig& icp, Dimension dimension,
                                          std::string_view bucket) {
  if (dimension == Dimension::kState || dimension == Dimension::kRegion) return std::nullopt;
  return scheme_current(scheme_for(icp, dimension), bucket);
}

}  // namespace hades::calibrator
