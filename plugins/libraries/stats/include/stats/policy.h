// policy.h: the thresholds the calibration's design chose, as opposed to the maths of stats.h.
//
// stats.h computes; these constants decide what its numbers mean for a person reading the report
// (how many leads make a bucket's rate trustworthy, how far off a batch must be to be warned
// about or flagged). Changing one changes the report's labels and verdicts, never a statistic.
//
// Thread safety: constants only.

#ifndef HADES_PLUGINS_STATS_POLICY_H_
#define HADES_PLUGINS_STATS_POLICY_H_

#include <cstdint>

namespace hades::calibrator {

// A bucket's confidence label (docs/calibration-report.md): High needs at least this many leads
// and deliveries (the event floor), Medium this many leads; fewer is Low (a manual review).
inline constexpr std::int64_t kHighConfidenceLeads = 100;
inline constexpr std::int64_t kHighConfidenceDeliveries = 10;
inline constexpr std::int64_t kMediumConfidenceLeads = 30;

// The batch check: two-sided normal tail probabilities of |z| = 2 and |z| = 3, so that the exact
// binomial test of a small batch warns and flags at the same evidence as the z rule.
inline constexpr double kWarnPValue = 0.04550026389635842;
inline constexpr double kFlagPValue = 0.0026997960632601866;

}  // namespace hades::calibrator

#endif  // HADES_PLUGINS_STATS_POLICY_H_
