// evidence.h: is a suggestion more than noise? (docs/calibration-report.md, "Evidence")
//
// A suggested score is a point estimate from a finite number of leads; with no effect at all the
// spread of the buckets' rates still makes some suggestions differ from today's scores by tens of
// points. Each scored bucket therefore gets:
//   - an interval of its suggested score: the basic bootstrap interval (stats.h,
//     suggestion_intervals()) of the whole suggestion, shrinkage and the normalisation to the
//     best bucket redone on every resample of the dimension's leads;
//   - a verdict: `supported` when the dimension's signal test (Pearson's chi-square) is
//     significant after Holm's correction across the scored dimensions (adjusted p below
//     kEvidenceAlpha) and the current score lies outside that interval; else `within_noise`.
// The first condition keeps the chance that a dimension without any effect shows a supported row
// at most kEvidenceAlpha (whatever the number of buckets); the second keeps buckets whose current
// score the data do not contradict where they are.
//
// Thread safety: pure functions.

#ifndef HADES_PLUGINS_CALIBRATOR_EVIDENCE_H_
#define HADES_PLUGINS_CALIBRATOR_EVIDENCE_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "calibration.h"

namespace hades::calibrator {

// The family-wise significance level of the dimensions' signal tests. 0.025 rather than 0.05:
// an organisation without any effect then shows a supported row in at most 1 calibration in 40
// (bench/calibration_quality.sh: 3 of 100 generated organisations, against 8 of 100 at 0.05),
// at the price of some power (mean calibration efficiency 0.77 over 50 organisations with
// planted effects, against 0.80 at 0.05). docs/calibration-report.md, "Evidence", has the
// numbers.
inline constexpr double kEvidenceAlpha = 0.025;
// The level of each suggested score's interval.
inline constexpr double kEvidenceLevel = 0.95;

struct EvidenceOptions {
  int resamples = 2000;  // bootstrap resamples per dimension
  std::uint64_t seed = 1;
};

// The seed of one dimension's bootstrap: SplitMix64 of the run's seed and the dimension, so each
// dimension has a stream of its own that does not depend on which other dimensions have data.
std::uint64_t dimension_seed(std::uint64_t seed, Dimension dimension);

// Fills p_value_holm of every scored dimension with a signal test, and suggested_interval and
// verdict of every bucket with a suggested and a current score. Unscored dimensions (state,
// region) get neither. REQUIRES: `dimensions` as calibrate_dimensions() made them.
void assess_evidence(std::vector<DimensionResult>& dimensions, const EvidenceOptions& options);

}  // namespace hades::calibrator

#endif  // HADES_PLUGINS_CALIBRATOR_EVIDENCE_H_
