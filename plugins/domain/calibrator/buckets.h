// buckets.h: which buckets icp.yaml defines for each dimension, the score each one gets, and the
// bucket of a group's raw keys (calibration.h's loader and its per-dimension maths share them).
//
// A Scheme lists a dimension's buckets in report order: icp.yaml's (its tiers, SICs or
// strengths) and the special ones past them (beyond the tiers, then `unknown`). Raw texts that
// need the shared normalisation (SIC codes, states, an employee count stored as text) are
// normalised here, after aggregation, with leads/normalize.h.
//
// Internal to the calibrator. Thread safety: pure functions; a Schemes is immutable.

#ifndef HADES_PLUGINS_CALIBRATOR_BUCKETS_H_
#define HADES_PLUGINS_CALIBRATOR_BUCKETS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bucket_sql.h"
#include "calibration.h"
#include "hades/value.h"
#include "leads/icp_config.h"

namespace hades::calibrator {

inline constexpr std::string_view kOutsideTiers = "outside tiers";
inline constexpr std::string_view kPastTiers = "past tiers";

struct SchemeEntry {
  std::string key;
  std::optional<std::int64_t> current;
};

struct Scheme {
  std::vector<SchemeEntry> icp;      // buckets icp.yaml defines, in its order
  std::vector<SchemeEntry> special;  // beyond the tiers, then `unknown`
  // The score of a data bucket icp.yaml does not name (a SIC without a score: the default).
  std::optional<std::int64_t> other_current;
  bool sorted_by_key = false;  // SIC and state rows read best in code order
};

// The buckets of `dimension` under `icp`.
Scheme scheme_for(const domain::IcpConfig& icp, Dimension dimension);

// Every scheme calibrate_dimensions() and the loader need, built once per icp.yaml.
struct Schemes {
  explicit Schemes(const domain::IcpConfig& icp) {
    for (Dimension d : kDimensions) by_dimension.push_back(scheme_for(icp, d));
  }
  const Scheme& operator[](Dimension d) const { return by_dimension[static_cast<std::size_t>(d)]; }
  std::vector<Scheme> by_dimension;
};

// The entry named `key`, or nullptr.
const SchemeEntry* find_entry(const std::vector<SchemeEntry>& entries, std::string_view key);

// The score the scorer gives bucket `key` of `scheme` today.
std::optional<std::int64_t> scheme_current(const Scheme& scheme, std::string_view key);

// The bucket of a tiered digit's value; "" when the digit does not apply to the lead.
std::string tier_bucket(const Scheme& scheme, const CellKey& layout, KeyDigit digit,
                        std::int64_t value);

// The normalised 4-digit SIC or state of a raw value, else `unknown`.
std::string sic_bucket(const Value& raw);
std::string state_bucket(const Value& raw);

// The employee digit's bucket; a count the INTEGER column kept as text ("1,200", "50 to 99")
// is parsed by the shared parser.
std::string employee_bucket(const domain::IcpConfig& icp, const Scheme& scheme,
                            const CellKey& layout, std::int64_t digit, const Value& text);

// The strength digit's bucket: icp.yaml's key, or the trimmed text of a strength icp.yaml
// does not list (`other`, the query's text column).
std::string signal_bucket(const Scheme& scheme, const CellKey& layout, std::int64_t digit,
                          const Value& other);

// Adds n leads and k deliveries to bucket `key`.
void add_count(std::map<std::string, KeyCount>& counts, const std::string& key, std::int64_t n,
               std::int64_t k);

}  // namespace hades::calibrator

#endif  // HADES_PLUGINS_CALIBRATOR_BUCKETS_H_
