// buckets.h: the lead model's features, and which bucket (level) of each a lead falls in.
//
// The model (model.h) is a logistic regression on the one-hot buckets of six features, the
// dimensions the calibration report measures (plugins/domain/calibrator,
// docs/calibration-report.md), named and bucketed the same way so that a level reads like a report
// row:
//
//   feature           levels                                          rows that have it
//   sic               4-digit SIC ("8062"), "unknown"                  all
//   employee_tier     icp.yaml's employee_scale tiers ("101-500"),     all
//                     "outside tiers", "unknown"
//   region            US Census region ("South"), "unknown"            all
//   proximity         icp.yaml's proximity tiers ("0-5 mi"),           geography leads
//                     "beyond 100 mi", "unknown"
//   signal_strength   icp.yaml's signal strengths ("High"), another    intent leads
//                     strength as written (trimmed), "unknown"
//   freshness         icp.yaml's freshness tier labels ("Hot"),        intent leads
//                     "past tiers", "unknown"
//
// A row that does not have a feature (a historical outcome has no workflow, hence no proximity,
// signal or freshness; an intent lead has no proximity) has no bucket for it: nullopt here, all
// zeros in the design (model.h). "unknown" is a bucket of its own: the row has the feature but
// the value is missing or unreadable.
//
// Which buckets exist depends on icp.yaml's tiers, not on its scores: BucketRules::definition
// states them (tiers, strengths, the bucketing version), and a model records the SHA-256 of the
// definition it was trained with. The weight_writer changes scores only, so a model stays usable
// across weight changes, and becomes unusable when a tier boundary is edited.
//
// Thread safety: BucketRules is immutable after construction.

#ifndef HADES_LEAD_MODEL_BUCKETS_H_
#define HADES_LEAD_MODEL_BUCKETS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "leads/icp_config.h"

namespace hades::lead_model {

enum class Feature : std::size_t {
  kSic,
  kEmployeeTier,
  kRegion,
  kProximity,
  kSignalStrength,
  kFreshness,
};
inline constexpr std::size_t kFeatureCount = 6;
inline constexpr std::array<Feature, kFeatureCount> kAllFeatures = {
    Feature::kSic,       Feature::kEmployeeTier,   Feature::kRegion,
    Feature::kProximity, Feature::kSignalStrength, Feature::kFreshness};

constexpr std::size_t index_of(Feature f) { return static_cast<std::size_t>(f); }

// "sic", "employee_tier", "region", "proximity", "signal_strength", "freshness": the
// calibration report's dimension names.
std::string_view feature_name(Feature f);
std::optional<Feature> feature_named(std::string_view name);

// Where an outcome row comes from, which decides the features it has.
enum class RowKind { kHistorical, kIntent, kGeography };

// True when rows of `kind` have feature `f` (see the table in the file comment).
bool has_feature(RowKind kind, Feature f);

inline constexpr std::string_view kUnknownLevel = "unknown";
// The level rare levels are pooled into (model.h).
inline constexpr std::string_view kOtherLevel = "Other";

// One bucket per feature; nullopt where the row does not have the feature.
using Buckets = std::array<std::optional<std::string>, kFeatureCount>;

class BucketRules {
 public:
  explicit BucketRules(const domain::IcpConfig& icp);

  // normalize_sic(raw), else "unknown".
  std::string sic(std::string_view raw) const;
  // The first employee_scale tier holding `count` ("101-500"), "outside tiers" past every tier,
  // "unknown" without a count.
  const std::string& employee(std::optional<std::int64_t> count) const;
  // The census region of normalize_state(raw) ("South"), else "unknown" (territories included).
  std::string region(std::string_view state_raw) const;
  // The first proximity tier with miles <= max_miles ("5-10 mi"), "beyond <last> mi" past every
  // tier, "unknown" without a distance.
  const std::string& proximity(std::optional<double> miles) const;
  // icp.yaml's spelling of a listed strength (matched ignoring ASCII case and surrounding
  // blanks), another strength trimmed as written, "unknown" when blank.
  std::string signal(std::string_view strength) const;
  // The label of the first freshness tier with age <= max_days ("Hot"), "past tiers" beyond
  // every tier, "unknown" without an intent date.
  const std::string& freshness(std::optional<std::int64_t> age_days) const;

  // The buckets icp.yaml's tiers define for a tiered feature, in icp.yaml's order, then the
  // buckets past the tiers; empty for sic and region, whose buckets come from the data.
  const std::vector<std::string>& tier_levels(Feature f) const;

  // The bucket definitions as compact JSON (keys sorted): the tiers and strengths above and the
  // bucketing version. Two icp.yaml files bucket every lead alike exactly when these are equal.
  const std::string& definition_json() const { return definition_json_; }
  // Lower-case hex SHA-256 of definition_json().
  const std::string& definition_sha256() const { return definition_sha256_; }

  // The version of the rules in this file; part of the definition. Bump it when a rule changes
  // which bucket a lead falls in.
  static constexpr int kBucketingVersion = 1;

 private:
  std::vector<domain::EmployeeTier> employee_;
  std::vector<double> miles_;
  std::vector<std::pair<std::string, std::string>> strengths_;  // lower case, as written
  std::vector<std::int64_t> days_;
  std::array<std::vector<std::string>, kFeatureCount> levels_;
  std::string unknown_;
  std::string definition_json_;
  std::string definition_sha256_;
};

}  // namespace hades::lead_model

#endif  // HADES_LEAD_MODEL_BUCKETS_H_
