// Hand-worked cases of stats.h: the arithmetic is in the comments, so a reader can check each
// expected value without running anything.

#include "stats/stats.h"

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <random>

#include "test_helpers.h"

namespace hades::calibrator {
namespace {

namespace tt = boost::test_tools;

std::vector<BucketCount> buckets(std::initializer_list<BucketCount> list) { return list; }

BOOST_AUTO_TEST_SUITE(stats)

BOOST_AUTO_TEST_CASE(wilson_reference_interval) {
  // calibration.md: 10/100 -> [0.0552, 0.1744]; with z = 1.96 exactly the bounds are
  // 0.05522854161313612 and 0.1743673043676654.
  const Interval exact_z = wilson_interval(10, 100);
  BOOST_TEST(exact_z.low == 0.0552, tt::tolerance(0.0001 / 0.0552));
  BOOST_TEST(exact_z.high == 0.1744, tt::tolerance(0.0001 / 0.1744));
  const Interval z196 = wilson_interval(10, 100, 1.96);
  BOOST_TEST(z196.low == 0.05522854161313612, tt::tolerance(1e-14));
  BOOST_TEST(z196.high == 0.1743673043676654, tt::tolerance(1e-14));
  // The exact z is not 1.96: the interval is (slightly) narrower.
  BOOST_TEST(exact_z.low > z196.low);
}

BOOST_AUTO_TEST_CASE(wilson_bounds_stay_in_the_unit_interval) {
  for (std::int64_t n : {1, 2, 10, 1000}) {
    const Interval none = wilson_interval(0, n);
    const Interval all = wilson_interval(n, n);
    BOOST_TEST(none.low == 0.0);
    BOOST_TEST(all.high == 1.0);
    BOOST_TEST(none.high > 0.0);
    BOOST_TEST(all.low < 1.0);
  }
}

BOOST_AUTO_TEST_CASE(regularized_gamma_q_closed_forms) {
  // Q(1, x) = exp(-x); Q(1/2, x) = erfc(sqrt(x)); Q(a, 0) = 1.
  for (double x : {0.001, 0.5, 1.0, 2.5, 10.0, 40.0}) {
    BOOST_TEST(regularized_gamma_q(1.0, x) == std::exp(-x), tt::tolerance(1e-14));
    BOOST_TEST(regularized_gamma_q(0.5, x) == std::erfc(std::sqrt(x)), tt::tolerance(1e-13));
  }
  BOOST_TEST(regularized_gamma_q(3.0, 0.0) == 1.0);
  // df = 2: P(chi2 >= x) = exp(-x/2); x = 12.5 -> exp(-6.25).
  BOOST_TEST(chi_square_p_value(12.5, 2) == 0.0019304541362277093, tt::tolerance(1e-14));
}

BOOST_AUTO_TEST_CASE(shrinkage_hand_worked) {
  // A 30/100, B 10/100, C 20/100: N = 300, K = 60, m = 0.2, m(1-m) = 0.16.
  // S = 100(0.3-0.2)^2 + 100(0.1-0.2)^2 + 100(0.2-0.2)^2 = 1 + 1 + 0 = 2.
  // tau2 = (S - (V-1) m(1-m)) / (N - sum n^2 / N) = (2 - 2*0.16) / (300 - 30000/300)
  //      = 1.68 / 200 = 0.0084.
  // kappa = m(1-m)/tau2 - 1 = 0.16/0.0084 - 1 = 19.047619... - 1 = 18.047619...
  // r~A = (30 + 18.047619*0.2) / (100 + 18.047619) = 33.6095238 / 118.047619 = 0.2847116
  // r~B = (10 + 3.6095238) / 118.047619 = 0.1152884;  r~C = (20 + 3.6095238)/118.047619 = 0.2.
  // chi-square = S / m(1-m) = 2 / 0.16 = 12.5, df 2, p = exp(-6.25) = 0.00193045.
  const Shrinkage s = shrink(buckets({{100, 30}, {100, 10}, {100, 20}}));
  BOOST_TEST(s.total_n == 300);
  BOOST_TEST(s.total_k == 60);
  BOOST_TEST(s.mean == 0.2, tt::tolerance(1e-15));
  BOOST_TEST(s.s == 2.0, tt::tolerance(1e-14));
  BOOST_TEST(s.tau2 == 0.0084, tt::tolerance(1e-12));
  BOOST_REQUIRE(s.kappa.has_value());
  BOOST_TEST(*s.kappa == 18.047619047619047, tt::tolerance(1e-12));
  BOOST_TEST(!s.no_signal);
  BOOST_TEST(s.shrunk[0] == 0.2847115772488907, tt::tolerance(1e-12));
  BOOST_TEST(s.shrunk[1] == 0.11528842275110932, tt::tolerance(1e-12));
  BOOST_TEST(s.shrunk[2] == 0.2, tt::tolerance(1e-12));
  BOOST_TEST(*s.chi_square == 12.5, tt::tolerance(1e-13));
  BOOST_TEST(s.df == 2);
  BOOST_TEST(*s.p_value == 0.0019304541362277093, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(normalisation_hand_worked) {
  // The buckets above are all High (n = 100 >= 100, k >= 10). Reference = r~A = 0.2847116.
  // A: 100. B: round(100 * 0.1152884 / 0.2847116) = round(40.49) = 40.
  // C: round(100 * 0.2 / 0.2847116) = round(70.25) = 70.
  const Shrinkage s = shrink(buckets({{100, 30}, {100, 10}, {100, 20}}));
  const std::vector<Confidence> conf(3, Confidence::kHigh);
  const auto scores = suggested_scores(s.shrunk, conf);
  BOOST_TEST(*scores[0] == 100);
  BOOST_TEST(*scores[1] == 40);
  BOOST_TEST(*scores[2] == 70);
}

BOOST_AUTO_TEST_CASE(kappa_is_clamped_to_2_and_to_10000) {
  // 0/100 and 100/100: m = 0.5, S = 100*0.25*2 = 50, tau2 = (50 - 0.25) / (200 - 100) = 0.4975,
  // kappa = 0.25/0.4975 - 1 = -0.497 -> clamped to 2: r~ = (0 + 1)/102 and (100 + 1)/102.
  const Shrinkage wide = shrink(buckets({{100, 0}, {100, 100}}));
  BOOST_TEST(*wide.kappa == 2.0);
  BOOST_TEST(wide.shrunk[0] == 1.0 / 102, tt::tolerance(1e-14));
  BOOST_TEST(wide.shrunk[1] == 101.0 / 102, tt::tolerance(1e-14));
  // 1030/10000 and 970/10000: m = 0.1, S = 2 * 10000 * 0.003^2 = 0.18,
  // tau2 = (0.18 - 0.09) / (20000 - 10000) = 9e-6, kappa = 0.09/9e-6 - 1 = 9999 (in range);
  // 1020 and 980: S = 0.08 < 0.09 -> tau2 = 0 (no signal). 1025 and 975: S = 0.125,
  // tau2 = 3.5e-6, kappa = 0.09/3.5e-6 - 1 = 25713 -> clamped to 10000.
  BOOST_TEST(*shrink(buckets({{10000, 1030}, {10000, 970}})).kappa == 9999.0, tt::tolerance(1e-9));
  BOOST_TEST(*shrink(buckets({{10000, 1025}, {10000, 975}})).kappa == 1e4);
  BOOST_TEST(shrink(buckets({{10000, 1020}, {10000, 980}})).no_signal);
}

BOOST_AUTO_TEST_CASE(no_signal_collapses_every_suggestion_to_the_same_score) {
  // Equal rates: 10/100, 20/200, 5/50 -> S = 0 -> tau2 = 0: every r~ is m = 0.1 and every
  // suggestion is round(100 * 0.1 / 0.1) = 100, whatever the raw rates.
  const Shrinkage equal = shrink(buckets({{100, 10}, {200, 20}, {50, 5}}));
  BOOST_TEST(equal.no_signal);
  BOOST_TEST(!equal.kappa.has_value());
  const std::vector<Confidence> conf = {Confidence::kHigh, Confidence::kHigh, Confidence::kMedium};
  for (const auto& score : suggested_scores(equal.shrunk, conf)) BOOST_TEST(*score == 100);
  // Spread below chance: 11/100 and 9/100, m = 0.1, S = 100*0.01^2*2 = 0.02 < (V-1)m(1-m) = 0.09
  // -> tau2 = 0, both suggestions 100 although the raw rates differ by 22%.
  const Shrinkage chance = shrink(buckets({{100, 11}, {100, 9}}));
  BOOST_TEST(chance.no_signal);
  BOOST_TEST(chance.shrunk[0] == chance.shrunk[1]);
  for (const auto& score : suggested_scores(
           chance.shrunk, std::vector<Confidence>{Confidence::kHigh, Confidence::kMedium})) {
    BOOST_TEST(*score == 100);
  }
}

BOOST_AUTO_TEST_CASE(a_small_lucky_bucket_does_not_squash_the_others) {
  // 3/10 (30% raw, Low) next to 50/500 and 100/2000. Without shrinkage it would be "100" and the
  // others 33 and 17. It is Low, so it is not the reference, and it is shrunk toward m.
  // N = 2510, K = 153, m = 0.060956; the reference is r~ of 50/500.
  const Shrinkage s = shrink(buckets({{10, 3}, {500, 50}, {2000, 100}}));
  const std::vector<Confidence> conf = {confidence_of(10, 3), confidence_of(500, 50),
                                        confidence_of(2000, 100)};
  BOOST_TEST(conf[0] == Confidence::kLow);
  const auto scores = suggested_scores(s.shrunk, conf);
  BOOST_TEST(*scores[1] == 100);
  BOOST_TEST(*scores[2] < 100);
  BOOST_TEST(*scores[0] <= 100);  // capped even when it shrinks above the reference
  BOOST_TEST(s.shrunk[0] < 0.3);
}

BOOST_AUTO_TEST_CASE(confidence_labels_and_the_event_floor) {
  BOOST_TEST(confidence_of(100, 10) == Confidence::kHigh);
  BOOST_TEST(confidence_of(150, 9) == Confidence::kMedium);  // n >= 100 but under 10 events
  BOOST_TEST(confidence_of(99, 50) == Confidence::kMedium);
  BOOST_TEST(confidence_of(30, 0) == Confidence::kMedium);
  BOOST_TEST(confidence_of(29, 29) == Confidence::kLow);
  BOOST_TEST(confidence_name(Confidence::kMedium) == "Medium");
}

BOOST_AUTO_TEST_CASE(no_reference_no_suggestion) {
  const std::vector<double> shrunk = {0.1, 0.2};
  for (const auto& s :
       suggested_scores(shrunk, std::vector<Confidence>{Confidence::kLow, Confidence::kLow})) {
    BOOST_TEST(!s.has_value());
  }
  for (const auto& s :
       suggested_scores(std::vector<double>{0.0, 0.0},
                        std::vector<Confidence>{Confidence::kHigh, Confidence::kHigh})) {
    BOOST_TEST(!s.has_value());
  }
}

BOOST_AUTO_TEST_CASE(auc_and_lift_hand_worked) {
  // Scores 1,2,3 with labels 0,1,1: both positives beat the negative -> 1.
  BOOST_TEST(*auc(std::vector<double>{1, 2, 3}, std::vector<int>{0, 1, 1}) == 1.0);
  // One tie between the only positive and the only negative -> 1/2.
  BOOST_TEST(*auc(std::vector<double>{5, 5}, std::vector<int>{1, 0}) == 0.5);
  // Positives at 2 and 4, negatives at 1, 3, 4: pairs won 1 + 2 + 1/2 (the tie) of 6 -> 7/12.
  BOOST_TEST(*auc(std::vector<double>{2, 4, 1, 3, 4}, std::vector<int>{1, 1, 0, 0, 0}) == 7.0 / 12,
             tt::tolerance(1e-15));
  BOOST_TEST(!auc(std::vector<double>{1, 2}, std::vector<int>{1, 1}).has_value());
  // 20 leads, 4 positives (rate 0.2). Top 10% = 2 leads: the level at 9 holds 3 leads, 2 of them
  // positive, and 2/3 of it fits: 2/3*2 = 4/3 positives in 2 leads -> rate 2/3, lift 10/3.
  std::vector<ScoreLevel> levels = {{9, 2, 1}, {5, 1, 5}, {1, 1, 10}};
  BOOST_TEST(*lift_at(levels, 0.10) == 10.0 / 3, tt::tolerance(1e-14));
  BOOST_TEST(*lift_at(levels, 1.0) == 1.0, tt::tolerance(1e-14));
}

BOOST_AUTO_TEST_CASE(logistic_fit_degenerate_cases) {
  // All outcomes equal: the mean rate, no slope.
  const LogisticFit none = fit_logistic(std::vector<ScoreLevel>{{10, 0, 5}, {90, 0, 5}});
  BOOST_TEST(none.degenerate);
  BOOST_TEST(none.probability(50) == 0.0);
  // One score: intercept = logit(1/4), p = 0.25 everywhere.
  const LogisticFit flat = fit_logistic(std::vector<ScoreLevel>{{40, 1, 3}});
  BOOST_TEST(flat.degenerate);
  BOOST_TEST(flat.probability(0) == 0.25, tt::tolerance(1e-14));
  // Two levels: the MLE reproduces each level's rate, 1/4 at 0 and 3/4 at 10.
  const LogisticFit two = fit_logistic(std::vector<ScoreLevel>{{0, 1, 3}, {10, 3, 1}});
  BOOST_TEST(two.converged);
  BOOST_TEST(two.probability(0) == 0.25, tt::tolerance(1e-12));
  BOOST_TEST(two.probability(10) == 0.75, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(binomial_test_hand_worked) {
  // Binomial(10, 1/2), k = 3: outcomes no likelier than P(3) = 120/1024 are 0-3 and 7-10:
  // 2 * (1 + 10 + 45 + 120) / 1024 = 0.34375.
  BOOST_TEST(binomial_test_two_sided(3, 10, 0.5) == 0.34375, tt::tolerance(1e-13));
  BOOST_TEST(binomial_test_two_sided(5, 10, 0.5) == 1.0);
  BOOST_TEST(binomial_test_two_sided(0, 5, 0.0) == 1.0);
  BOOST_TEST(binomial_test_two_sided(1, 5, 0.0) == 0.0);
}

BOOST_AUTO_TEST_CASE(batch_rule) {
  // n = 400, E = 40, variance 36 (p = 0.1 each): k = 53 -> z = 13/6 = 2.17 warn; k = 59 ->
  // z = 3.17 flag; k = 45 -> 0.83 ok.
  BOOST_TEST(check_batch(400, 53, 40, 36).status == BatchStatus::kWarn);
  BOOST_TEST(check_batch(400, 59, 40, 36).status == BatchStatus::kFlag);
  BOOST_TEST(check_batch(400, 45, 40, 36).status == BatchStatus::kOk);
  BOOST_TEST(*check_batch(400, 53, 40, 36).z == 13.0 / 6, tt::tolerance(1e-14));
  // E = 5 < 10: the exact test decides. Binomial(50, 0.1): 12 deliveries has p = 0.0032 (warn),
  // 15 has p < 0.0027 (flag), 7 is ordinary.
  const BatchCheck small = check_batch(50, 12, 5, 4.5);
  BOOST_TEST(small.exact);
  BOOST_TEST(small.status == BatchStatus::kWarn);
  BOOST_TEST(check_batch(50, 15, 5, 4.5).status == BatchStatus::kFlag);
  BOOST_TEST(check_batch(50, 7, 5, 4.5).status == BatchStatus::kOk);
}

BOOST_AUTO_TEST_CASE(quantile_interpolates_like_numpy) {
  const std::vector<double> x = {1, 2, 3, 4};
  // numpy.quantile([1,2,3,4], 0.025) = 1 + 0.075 * 1 = 1.075.
  BOOST_TEST(quantile(x, 0.025) == 1.075, tt::tolerance(1e-14));
  BOOST_TEST(quantile(x, 1.0) == 4.0);
  BOOST_TEST(quantile(x, 0.5) == 2.5);
}

BOOST_AUTO_TEST_CASE(inverted_cdf_quantile_is_one_of_the_values) {
  // numpy.percentile([1, 2, 3, 4], [0, 2.5, 25, 25.1, 50, 97.5, 100], method='inverted_cdf')
  // = 1, 1, 1, 2, 2, 4, 4: the smallest x_(i) with i/4 >= q.
  const std::vector<double> x = {1, 2, 3, 4};
  BOOST_TEST(quantile_inverted_cdf(x, 0.0) == 1.0);
  BOOST_TEST(quantile_inverted_cdf(x, 0.025) == 1.0);
  BOOST_TEST(quantile_inverted_cdf(x, 0.25) == 1.0);
  BOOST_TEST(quantile_inverted_cdf(x, 0.251) == 2.0);
  BOOST_TEST(quantile_inverted_cdf(x, 0.5) == 2.0);
  BOOST_TEST(quantile_inverted_cdf(x, 0.975) == 4.0);
  BOOST_TEST(quantile_inverted_cdf(x, 1.0) == 4.0);
}

BOOST_AUTO_TEST_CASE(basic_interval_reflects_the_resamples_about_the_estimate) {
  // Estimate 60; 40 resamples 40 (x1), 50 (x38), 55 (x1): q(2.5%) = x(1) = 40 (1/40 = 2.5%),
  // q(97.5%) = x(39) = 50. Interval [2*60 - 50, 2*60 - 40] = [70, 80]:
  // the resamples sit below the estimate, so the truth is taken to sit above it.
  std::vector<double> r = {40};
  r.insert(r.end(), 38, 50.0);
  r.push_back(55);
  const Interval i = basic_bootstrap_interval(60, r, 0.95, 0, 100);
  BOOST_TEST(i.low == 70.0);
  BOOST_TEST(i.high == 80.0);
  // Clipped to the score range.
  const Interval top = basic_bootstrap_interval(95, std::vector<double>{70, 100}, 0.95, 0, 100);
  BOOST_TEST(top.low == 90.0);
  BOOST_TEST(top.high == 100.0);
}

BOOST_AUTO_TEST_CASE(holm_hand_worked) {
  // p = 0.01, 0.04, 0.03, none, 0.2 (m = 4): sorted 0.01, 0.03, 0.04, 0.2 ->
  // 4*0.01 = 0.04; max(0.04, 3*0.03 = 0.09) = 0.09; max(0.09, 2*0.04 = 0.08) = 0.09;
  // max(0.09, 1*0.2) = 0.2. The missing test stays missing and does not count in m.
  const std::vector<std::optional<double>> p = {0.01, 0.04, 0.03, std::nullopt, 0.2};
  const auto adjusted = holm_adjusted(p);
  BOOST_TEST(*adjusted[0] == 0.04, tt::tolerance(1e-15));
  BOOST_TEST(*adjusted[1] == 0.09, tt::tolerance(1e-15));
  BOOST_TEST(*adjusted[2] == 0.09, tt::tolerance(1e-15));
  BOOST_TEST(!adjusted[3].has_value());
  BOOST_TEST(*adjusted[4] == 0.2, tt::tolerance(1e-15));
  // Capped at 1.
  BOOST_TEST(*holm_adjusted(std::vector<std::optional<double>>{0.6, 0.7})[0] == 1.0);
}

BOOST_AUTO_TEST_CASE(resamples_keep_the_number_of_leads) {
  const std::vector<BucketCount> b = {{100, 10}, {50, 0}, {7, 7}, {300, 30}};
  std::mt19937_64 engine(3);
  for (int i = 0; i < 200; ++i) {
    std::int64_t total = 0;
    for (const BucketCount& r : resample_buckets(b, engine)) {
      BOOST_REQUIRE(r.k >= 0);
      BOOST_REQUIRE(r.k <= r.n);
      total += r.n;
    }
    BOOST_REQUIRE(total == 457);
  }
  // A bucket without deliveries never gets any; one with only deliveries nothing else.
  std::mt19937_64 again(3);
  for (int i = 0; i < 200; ++i) {
    const std::vector<BucketCount> r = resample_buckets(b, again);
    BOOST_REQUIRE(r[1].k == 0);
    BOOST_REQUIRE(r[2].k == r[2].n);
  }
}

BOOST_AUTO_TEST_CASE(suggest_from_counts_is_the_reports_suggestion) {
  // The buckets of normalisation_hand_worked give 100, 40, 70; an empty bucket added is Low and
  // shrinks to the mean of the others: round(100 * 0.2 / 0.2847116) = 70.
  const auto scores = suggest_from_counts(buckets({{100, 30}, {100, 10}, {100, 20}, {0, 0}}));
  BOOST_TEST(*scores[0] == 100);
  BOOST_TEST(*scores[1] == 40);
  BOOST_TEST(*scores[2] == 70);
  BOOST_TEST(*scores[3] == 70);
  // No Medium bucket, no suggestion.
  BOOST_TEST(!suggest_from_counts(buckets({{20, 3}, {10, 1}}))[0].has_value());
}

BOOST_AUTO_TEST_CASE(suggestion_intervals_are_seeded_and_narrow_with_the_data) {
  // The same rates with 10x and 100x the leads: the intervals hold the suggestion and narrow.
  const auto at = [](std::int64_t scale) {
    return suggestion_intervals(
        buckets({{100 * scale, 30 * scale}, {100 * scale, 10 * scale}, {100 * scale, 20 * scale}}),
        2000, 11);
  };
  const auto small = at(1);
  const auto large = at(100);
  for (std::size_t i = 1; i < 3; ++i) {
    BOOST_TEST(small[i]->high - small[i]->low > large[i]->high - large[i]->low);
  }
  // At 100x (kappa is about the same, the buckets 100 times larger, so shrinkage hardly moves
  // them): B's suggestion 33 and C's 67 are inside intervals a few points wide.
  const auto scores = suggest_from_counts(buckets({{10000, 3000}, {10000, 1000}, {10000, 2000}}));
  BOOST_TEST(*scores[1] == 33);
  BOOST_TEST(*scores[2] == 67);
  for (std::size_t i = 1; i < 3; ++i) {
    BOOST_TEST(large[i]->low <= static_cast<double>(*scores[i]));
    BOOST_TEST(large[i]->high >= static_cast<double>(*scores[i]));
    BOOST_TEST(large[i]->high - large[i]->low <= 8.0);
  }
  // The best bucket is 100 in (nearly) every resample.
  BOOST_TEST(large[0]->high == 100.0);
  // Seeded.
  const auto again = suggestion_intervals(buckets({{100, 30}, {100, 10}, {100, 20}}), 2000, 11);
  const auto other = suggestion_intervals(buckets({{100, 30}, {100, 10}, {100, 20}}), 2000, 12);
  BOOST_TEST(again[1]->low == small[1]->low);
  BOOST_TEST(again[1]->high == small[1]->high);
  bool differs = false;
  for (std::size_t i = 0; i < 3; ++i) {
    differs = differs || other[i]->low != small[i]->low || other[i]->high != small[i]->high;
  }
  BOOST_TEST(differs);
  // No suggestion, no interval.
  BOOST_TEST(!suggestion_intervals(buckets({{20, 3}, {10, 1}}), 2000, 1)[0].has_value());
}

// Pearson's chi-square of `draws` Binomial(n, p) values against the exact pmf of Binomial(n,
// pmf_p), bins of expected count below 5 pooled with the next; returns the p-value.
double binomial_fit_p_value(std::int64_t n, double p, double pmf_p, int draws, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::vector<double> observed(static_cast<std::size_t>(n) + 1, 0.0);
  for (int i = 0; i < draws; ++i) {
    const std::int64_t x = binomial_draw(n, p, engine);
    BOOST_REQUIRE(x >= 0);
    BOOST_REQUIRE(x <= n);
    observed[static_cast<std::size_t>(x)] += 1;
  }
  std::vector<double> expected;
  for (std::int64_t x = 0; x <= n; ++x) {
    const double log_pmf = std::lgamma(n + 1.0) - std::lgamma(x + 1.0) - std::lgamma(n - x + 1.0) +
                           static_cast<double>(x) * std::log(pmf_p) +
                           static_cast<double>(n - x) * std::log1p(-pmf_p);
    expected.push_back(draws * std::exp(log_pmf));
  }
  double chi_square = 0;
  int bins = 0;
  double bin_observed = 0;
  double bin_expected = 0;
  for (std::size_t x = 0; x < expected.size(); ++x) {
    bin_observed += observed[x];
    bin_expected += expected[x];
    if (bin_expected >= 5 || x + 1 == expected.size()) {
      chi_square += (bin_observed - bin_expected) * (bin_observed - bin_expected) / bin_expected;
      ++bins;
      bin_observed = bin_expected = 0;
    }
  }
  BOOST_REQUIRE(bins >= 3);
  return chi_square_p_value(chi_square, bins - 1);
}

BOOST_AUTO_TEST_CASE(binomial_draws_follow_the_binomial_pmf) {
  // Inversion (n min(p, 1-p) < 10), rejection (BTRS) and the mirrored p > 0.5 of each, with
  // 200000 draws: a sampler off by a fraction of a percent in any bin fails by far.
  struct Case {
    std::int64_t n;
    double p;
  };
  for (const Case c : {Case{30, 0.2}, Case{100000, 0.00005}, Case{10, 0.5}, Case{100, 0.93},
                       Case{60, 0.5}, Case{2000, 0.3}, Case{500, 0.97}, Case{100000, 0.002}}) {
    const double p_value = binomial_fit_p_value(c.n, c.p, c.p, 200000, 17);
    BOOST_TEST_MESSAGE("n=" << c.n << " p=" << c.p << ": p-value " << p_value);
    BOOST_TEST(p_value > 1e-3, "n=" << c.n << " p=" << c.p << ": chi-square p-value " << p_value);
  }
  // The check has the power to tell: draws of Binomial(2000, 0.3) do not fit p = 0.303.
  BOOST_TEST(binomial_fit_p_value(2000, 0.3, 0.303, 200000, 17) < 1e-6);
  std::mt19937_64 engine(17);
  BOOST_TEST(binomial_draw(0, 0.5, engine) == 0);
  BOOST_TEST(binomial_draw(7, 0.0, engine) == 0);
  BOOST_TEST(binomial_draw(7, 1.0, engine) == 7);
}

BOOST_AUTO_TEST_CASE(paired_bootstrap_is_seeded_and_paired) {
  // Identical configurations: every resample differs by exactly 0 -> [0, 0].
  const std::vector<PairedCell> same = {{10, 10, 5, 50}, {50, 50, 10, 40}, {90, 90, 30, 20}};
  const auto zero = paired_bootstrap_auc_difference(same, 2000, 7);
  BOOST_REQUIRE(zero.has_value());
  BOOST_TEST(zero->low == 0.0);
  BOOST_TEST(zero->high == 0.0);
  BOOST_TEST(zero->resamples == 2000);
  // B ranks perfectly, A reverses it: B is better in every resample.
  const std::vector<PairedCell> better = {{90, 10, 0, 300}, {10, 90, 100, 0}, {50, 50, 20, 20}};
  const auto up = paired_bootstrap_auc_difference(better, 2000, 7);
  BOOST_TEST(up->low > 0.0);
  // The same seed gives the same interval; another seed another one.
  // B reorders the cells, so its AUC differs from A's by a different amount in each resample.
  const std::vector<PairedCell> noisy = {{10, 60, 5, 50}, {50, 20, 10, 40}, {90, 40, 30, 20}};
  const auto a = paired_bootstrap_auc_difference(noisy, 2000, 7);
  const auto b = paired_bootstrap_auc_difference(noisy, 2000, 7);
  const auto c = paired_bootstrap_auc_difference(noisy, 2000, 8);
  BOOST_TEST(a->low == b->low);
  BOOST_TEST(a->high == b->high);
  BOOST_TEST((a->low != c->low || a->high != c->high));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::calibrator
