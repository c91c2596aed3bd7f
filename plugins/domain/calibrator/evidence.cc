#include "evidence.h"

#include <optional>

namespace hades::calibrator {

std::uint64_t dimension_seed(std::uint64_t seed, Dimension dimension) {
  // SplitMix64's finaliser (Steele, Lea and Flood, "Fast splittable pseudorandom number
  // generators", 2014) over the seed advanced by the dimension's place.
  std::uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (static_cast<std::uint64_t>(dimension) + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void assess_evidence(std::vector<DimensionResult>& dimensions, const EvidenceOptions& options) {
  std::vector<std::optional<double>> p_values;
  for (const DimensionResult& d : dimensions) {
    p_values.push_back(d.scored ? d.shrinkage.p_value : std::nullopt);
  }
  const std::vector<std::optional<double>> adjusted = holm_adjusted(p_values);
  for (std::size_t i = 0; i < dimensions.size(); ++i) {
    DimensionResult& d = dimensions[i];
    if (!d.scored) continue;
    d.p_value_holm = adjusted[i];
    const bool signal = d.p_value_holm && *d.p_value_holm < kEvidenceAlpha;
    std::vector<BucketCount> counts;
    for (const BucketResult& b : d.buckets) counts.push_back({b.n, b.k});
    const std::vector<std::optional<Interval>> intervals = suggestion_intervals(
        counts, options.resamples, dimension_seed(options.seed, d.dimension), kEvidenceLevel);
    for (std::size_t j = 0; j < d.buckets.size(); ++j) {
      BucketResult& b = d.buckets[j];
      if (!b.suggested_score || !b.current_score || !intervals[j]) continue;
      b.suggested_interval = intervals[j];
      const auto current = static_cast<double>(*b.current_score);
      const bool outside = current < intervals[j]->low || current > intervals[j]->high;
      b.verdict = signal && outside ? Verdict::kSupported : Verdict::kWithinNoise;
    }
  }
}

}  // namespace hades::calibrator
