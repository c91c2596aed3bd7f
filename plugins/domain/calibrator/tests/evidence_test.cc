// evidence.h: the verdict of each suggestion, on dimensions built by hand, so each case shows
// one rule: no significant signal, no verdict but within noise; Holm across the scored
// dimensions; a current score inside or outside the interval; unscored dimensions untouched.

#include "evidence.h"

#include <boost/test/unit_test.hpp>

#include "test_helpers.h"

namespace hades::calibrator {
namespace {

// A scored dimension of buckets (n, k, current score), its statistics as calibrate_dimensions()
// computes them.
DimensionResult scored(Dimension d, std::vector<std::tuple<std::int64_t, std::int64_t, int>> rows) {
  DimensionResult out;
  out.dimension = d;
  out.scored = d != Dimension::kState && d != Dimension::kRegion;
  std::vector<BucketCount> counts;
  for (const auto& [n, k, current] : rows) counts.push_back({n, k});
  out.shrinkage = shrink(counts);
  const std::vector<std::optional<std::int64_t>> suggested = suggest_from_counts(counts);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    BucketResult b;
    b.bucket = "b" + std::to_string(i);
    b.n = counts[i].n;
    b.k = counts[i].k;
    b.confidence = confidence_of(b.n, b.k);
    if (out.scored) {
      b.current_score = std::get<2>(rows[i]);
      b.suggested_score = suggested[i];
      if (b.suggested_score) b.delta = *b.suggested_score - *b.current_score;
    }
    out.buckets.push_back(b);
  }
  return out;
}

std::optional<Verdict> verdict(const DimensionResult& d, std::size_t bucket) {
  return d.buckets.at(bucket).verdict;
}

BOOST_AUTO_TEST_SUITE(evidence)

BOOST_AUTO_TEST_CASE(a_clear_effect_supports_the_buckets_whose_score_it_contradicts) {
  // 20%, 10% and 5% over 2000 leads each: suggestions 100, 50, 25 (about), intervals a few
  // points wide. Current 100 (right), 80 (far too high) and 25 (right).
  std::vector<DimensionResult> dims = {
      scored(Dimension::kSic, {{2000, 400, 100}, {2000, 200, 80}, {2000, 100, 25}})};
  assess_evidence(dims, {2000, 1});
  const DimensionResult& d = dims[0];
  BOOST_TEST(*d.p_value_holm < 1e-10);
  BOOST_TEST(*verdict(d, 0) == Verdict::kWithinNoise);
  BOOST_TEST(*verdict(d, 1) == Verdict::kSupported);
  BOOST_TEST(*verdict(d, 2) == Verdict::kWithinNoise);
  for (const BucketResult& b : d.buckets) {
    BOOST_REQUIRE(b.suggested_interval.has_value());
    BOOST_TEST(b.suggested_interval->low <= static_cast<double>(*b.suggested_score));
    BOOST_TEST(b.suggested_interval->high >= static_cast<double>(*b.suggested_score));
  }
}

BOOST_AUTO_TEST_CASE(without_a_significant_signal_nothing_is_supported) {
  // The same rates everywhere (10%): however far today's scores are from the suggestion (all
  // 100: no spread beyond chance), no row is supported.
  std::vector<DimensionResult> dims = {
      scored(Dimension::kEmployeeTier, {{1000, 100, 100}, {1000, 100, 20}, {500, 50, 40}})};
  assess_evidence(dims, {2000, 1});
  BOOST_TEST(*dims[0].p_value_holm > kEvidenceAlpha);
  for (std::size_t i = 0; i < 3; ++i) BOOST_TEST(*verdict(dims[0], i) == Verdict::kWithinNoise);
}

BOOST_AUTO_TEST_CASE(holm_corrects_across_the_scored_dimensions_only) {
  // Two scored dimensions with p of about 0.015 each: alone each would be significant at 0.025,
  // Holm makes both 2 x 0.015 = 0.03. The unscored state dimension is not in the family and
  // gets no adjusted p-value.
  // 2 buckets of n = 1000: chi-square 5.9 (df 1) -> p = 0.0151.
  const auto pair = [](Dimension d) { return scored(d, {{1000, 120, 100}, {1000, 87, 10}}); };
  std::vector<DimensionResult> dims = {pair(Dimension::kProximity), pair(Dimension::kFreshness)};
  dims.push_back(scored(Dimension::kState, {{1000, 300, 0}, {1000, 100, 0}}));
  const double raw = *dims[0].shrinkage.p_value;
  BOOST_TEST(raw < kEvidenceAlpha);
  BOOST_TEST(2 * raw > kEvidenceAlpha);
  assess_evidence(dims, {2000, 1});
  BOOST_TEST(*dims[0].p_value_holm == 2 * raw, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(*verdict(dims[0], 1) == Verdict::kWithinNoise);  // 10 is far, but no signal
  BOOST_TEST(!dims[2].p_value_holm.has_value());
  BOOST_TEST(!verdict(dims[2], 0).has_value());
  BOOST_TEST(!dims[2].buckets[0].suggested_interval.has_value());
  // Alone, the same dimension is significant and its far-off bucket supported.
  std::vector<DimensionResult> alone = {pair(Dimension::kProximity)};
  assess_evidence(alone, {2000, 1});
  BOOST_TEST(*alone[0].p_value_holm == raw);
  BOOST_TEST(*verdict(alone[0], 1) == Verdict::kSupported);
}

BOOST_AUTO_TEST_CASE(a_bucket_without_a_suggestion_has_no_verdict) {
  // Every bucket Low: no reference, no suggestion, no interval and no verdict.
  std::vector<DimensionResult> dims = {scored(Dimension::kSic, {{20, 10, 40}, {25, 1, 40}})};
  assess_evidence(dims, {2000, 1});
  for (const BucketResult& b : dims[0].buckets) {
    BOOST_TEST(!b.suggested_score.has_value());
    BOOST_TEST(!b.suggested_interval.has_value());
    BOOST_TEST(!b.verdict.has_value());
  }
}

BOOST_AUTO_TEST_CASE(each_dimension_has_a_seed_of_its_own) {
  BOOST_TEST(dimension_seed(1, Dimension::kSic) != dimension_seed(1, Dimension::kEmployeeTier));
  BOOST_TEST(dimension_seed(1, Dimension::kSic) != dimension_seed(2, Dimension::kSic));
  BOOST_TEST(dimension_seed(1, Dimension::kSic) == dimension_seed(1, Dimension::kSic));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::calibrator
