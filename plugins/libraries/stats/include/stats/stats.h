// stats.h: the statistics of the calibration (docs/calibration-report.md), as pure functions.
//
// No I/O, no clock, no global state: every function is a value in, value out computation, so the
// tests can compare each one with an independent implementation (statsmodels, scipy, sklearn).
// Counts are int64; rates and scores are doubles. Scores are ranked as given (higher = better).
//
// Data come either per observation (a score and a 0/1 outcome) or grouped: a ScoreLevel holds
// how many positives and negatives share one score, which is how the calibrator gets them from
// the database (GROUP BY) without pulling every row. Grouped and per-observation forms of a
// statistic give the same result for the same data.
//
// Thread safety: pure functions; the bootstrap owns its random engine.

#ifndef HADES_PLUGINS_STATS_STATS_H_
#define HADES_PLUGINS_STATS_STATS_H_

#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string_view>
#include <vector>

#include "stats/policy.h"

namespace hades::calibrator {

// The exact two-sided 95% normal quantile. calibration.md: do not use 1.96.
inline constexpr double kZ95 = 1.959963984540054;
// Shrinkage strength is clamped to this range (calibration.md item 2).
inline constexpr double kKappaMin = 2.0;
inline constexpr double kKappaMax = 1e4;

struct Interval {
  double low = 0;
  double high = 0;
};

// Wilson score interval of k successes in n trials. REQUIRES: n > 0, 0 <= k <= n.
Interval wilson_interval(std::int64_t k, std::int64_t n, double z = kZ95);

// Newcombe's hybrid score interval (his method 10) of the difference of two proportions,
// k1/n1 - k2/n2, from their Wilson intervals (l, u): [d - sqrt((p1 - l1)^2 + (u2 - p2)^2),
// d + sqrt((u1 - p1)^2 + (p2 - l2)^2)], as statsmodels' confint_proportions_2indep(...,
// method='newcomb', compare='diff'). REQUIRES: n1, n2 > 0, 0 <= k <= n.
Interval newcombe_difference_interval(std::int64_t k1, std::int64_t n1, std::int64_t k2,
                                      std::int64_t n2, double z = kZ95);

// Regularized upper incomplete gamma Q(a, x) = Gamma(a, x) / Gamma(a): series below x < a + 1,
// Lentz's continued fraction above (Numerical Recipes 6.2), relative accuracy ~1e-15.
// REQUIRES: a > 0, x >= 0.
double regularized_gamma_q(double a, double x);

// P(chi-square with `df` degrees of freedom >= x). REQUIRES: df >= 1, x >= 0.
double chi_square_p_value(double x, int df);

// ---------------------------------------------------------------------------------------------
// Per dimension: shrinkage, the signal test, confidence and the suggested score.

struct BucketCount {
  std::int64_t n = 0;  // leads, > 0
  std::int64_t k = 0;  // deliveries, 0 <= k <= n
};

// Empirical-Bayes (beta-binomial) shrinkage of one dimension's buckets toward the overall rate,
// with the method-of-moments prior strength (calibration.md item 2).
struct Shrinkage {
  std::int64_t total_n = 0;  // N
  std::int64_t total_k = 0;  // K
  double mean = 0;           // m = K / N
  double s = 0;              // S = sum n_v (r_v - m)^2
  double tau2 = 0;           // between-bucket variance of the true rates, >= 0
  // kappa = m(1-m)/tau2 - 1 clamped to [kKappaMin, kKappaMax]; nullopt when tau2 = 0.
  std::optional<double> kappa;
  // tau2 = 0: the data show no spread beyond chance, every bucket shrinks to m.
  bool no_signal = true;
  // Pearson's chi-square S / (m(1-m)) with df = V - 1 and its p-value; nullopt when it is not
  // defined (one bucket, or m is 0 or 1).
  std::optional<double> chi_square;
  int df = 0;
  std::optional<double> p_value;
  std::vector<double> shrunk;  // r~_v = (k_v + kappa m) / (n_v + kappa), or m when no_signal
};

// REQUIRES: every bucket has n > 0 and 0 <= k <= n. An empty list gives an empty result.
Shrinkage shrink(std::span<const BucketCount> buckets);

enum class Confidence { kLow, kMedium, kHigh };

// By policy.h's thresholds. High: n >= 100 and k >= 10 (the event floor); Medium: n >= 30 (a
// bucket of 100+ leads with fewer than 10 deliveries is Medium); Low: n < 30, which needs a
// manual review.
Confidence confidence_of(std::int64_t n, std::int64_t k);
std::string_view confidence_name(Confidence confidence);  // "High", "Medium", "Low"

// round(100 * r~_v / max_u r~_u), the max over buckets of at least Medium confidence, rounded
// half to even and capped at 100 (a Low bucket may shrink to above the reference). All nullopt
// when no bucket is Medium or better or the reference rate is 0.
// REQUIRES: shrunk.size() == confidence.size().
std::vector<std::optional<std::int64_t>> suggested_scores(std::span<const double> shrunk,
                                                          std::span<const Confidence> confidence);

// ---------------------------------------------------------------------------------------------
// Evidence: is a suggestion more than noise? (docs/calibration-report.md, "Evidence")

// The suggested scores of one dimension's buckets from their counts alone, as the report makes
// them: shrink(), confidence_of() and suggested_scores(). A bucket with n = 0 (possible in a
// resample) has no data: it shrinks to the mean (or is the mean, without signal), is Low, and
// does not count in shrink()'s estimate. All nullopt when suggested_scores() makes none.
// REQUIRES: 0 <= k <= n for every bucket.
std::vector<std::optional<std::int64_t>> suggest_from_counts(std::span<const BucketCount> buckets);

// One nonparametric bootstrap resample of a dimension's leads: as many leads as there are,
// drawn with replacement, i.e. one multinomial draw over the 2V cells (bucket x delivered or
// not), made as conditional binomials with binomial_draw() in bucket order, delivered first.
// A bucket may come back empty. REQUIRES: every bucket has 0 <= k <= n.
std::vector<BucketCount> resample_buckets(std::span<const BucketCount> buckets,
                                          std::mt19937_64& engine);

// The smallest x_(i) of `sorted` (ascending) with i / n >= q: the inverted empirical CDF
// (numpy's method='inverted_cdf'), so the quantile is always one of the values.
// REQUIRES: non-empty, 0 <= q <= 1.
double quantile_inverted_cdf(std::span<const double> sorted, double q);

// The basic (reverse percentile) bootstrap interval of a statistic whose estimate is
// `estimate` and whose resampled values are `sorted` (ascending), clipped to [lo, hi]:
// [2 estimate - q(1 - a/2), 2 estimate - q(a/2)] with a = 1 - level and q the inverted-CDF
// quantiles. It takes the resampled values' offset from the estimate as the estimate's offset
// from the truth, which corrects a bias that resampling reproduces (shrinkage toward the mean):
// the percentile interval would double it. REQUIRES: non-empty, 0 < level < 1, lo <= hi.
Interval basic_bootstrap_interval(double estimate, std::span<const double> sorted, double level,
                                  double lo, double hi);

// The 95% (`level`) interval of each bucket's suggested score by a bootstrap of the whole
// suggestion: `resamples` times resample_buckets() (one std::mt19937_64 seeded with `seed`),
// suggest_from_counts() again (shrinkage, confidence and the normalisation to the best bucket
// included), then basic_bootstrap_interval() of the integer scores within [0, 100]. Resamples
// without a suggestion (no bucket of Medium confidence) are left out. All nullopt when the data
// themselves give no suggestion. Reproducible: the same counts, resamples and seed give the same
// intervals. REQUIRES: resamples >= 1, every bucket 0 <= k <= n.
std::vector<std::optional<Interval>> suggestion_intervals(std::span<const BucketCount> buckets,
                                                          int resamples, std::uint64_t seed,
                                                          double level = 0.95);

// Holm's step-down adjustment of a family of p-values (as statsmodels' multipletests with
// method='holm'): with the m given values in ascending order p(1) <= ... <= p(m), the adjusted
// p(i) is max over j <= i of min(1, (m - j + 1) p(j)). nullopt entries (no test) are not part of
// the family and stay nullopt. Rejecting where the adjusted value is below alpha keeps the chance
// of any false rejection in the family at most alpha.
std::vector<std::optional<double>> holm_adjusted(std::span<const std::optional<double>> p_values);

// ---------------------------------------------------------------------------------------------
// Ranking quality: AUC, lift, Brier after a 1-D logistic fit.

// Observations that share a score. Counts are doubles so that resampled counts fit too.
struct ScoreLevel {
  double score = 0;
  double positives = 0;
  double negatives = 0;
};

// Merges levels with equal scores and sorts them by score, ascending.
std::vector<ScoreLevel> merge_levels(std::vector<ScoreLevel> levels);

// Area under the ROC curve: P(a positive outscores a negative), ties counting 1/2. O(L log L).
// nullopt without at least one positive and one negative.
std::optional<double> auc(std::vector<ScoreLevel> levels);
// The same per observation (labels 0/1). O(n log n). REQUIRES: equal sizes.
std::optional<double> auc(std::span<const double> scores, std::span<const int> labels);

// Delivery rate among the top `fraction` of leads by score, divided by the overall rate. Leads
// tied at the cut-off count by the share of their level that fits. nullopt when there are no
// leads or no positives. REQUIRES: 0 < fraction <= 1.
std::optional<double> lift_at(std::vector<ScoreLevel> levels, double fraction);

// p(score) = 1 / (1 + exp(-(intercept + slope * score))), the maximum-likelihood fit.
struct LogisticFit {
  double intercept = 0;
  double slope = 0;
  int iterations = 0;
  bool converged = false;
  // No spread to fit a slope to (one score, or all outcomes equal): slope 0, the mean rate.
  bool degenerate = false;
  double probability(double score) const;
};

// Newton-Raphson on the grouped log-likelihood (scores centred and scaled for conditioning, step
// halving if the likelihood drops), until the step is below 1e-12 or 100 iterations.
// REQUIRES: at least one observation.
LogisticFit fit_logistic(std::span<const ScoreLevel> levels);

// Mean squared difference between the fitted probability and the outcome.
// REQUIRES: at least one observation.
double brier_score(std::span<const ScoreLevel> levels, const LogisticFit& fit);
// The same per observation, for given probabilities. REQUIRES: equal, non-zero sizes.
double brier_score(std::span<const double> probabilities, std::span<const int> labels);

// ---------------------------------------------------------------------------------------------
// The backtest's paired bootstrap.

// Leads of the holdout that share the score under configuration A and under configuration B.
struct PairedCell {
  double score_a = 0;
  double score_b = 0;
  std::int64_t positives = 0;
  std::int64_t negatives = 0;
};

struct BootstrapInterval {
  double estimate = 0;  // AUC(B) - AUC(A) on the data as given
  double low = 0;       // percentile interval of the resampled differences
  double high = 0;
  int resamples = 0;  // resamples that had both classes (the others are dropped)
};

// One Binomial(n, p) draw from `engine`, exact: inversion by sequential search when
// n * min(p, 1 - p) < 10 (Kachitvichyanukul and Schmeiser's BINV, as numpy), else Hormann's
// transformed rejection with squeeze (BTRS, "The generation of binomial random variates", 1993,
// as PyTorch), whose set-up is a square root and a logarithm and whose draw is two uniforms in
// 86% of cases. Both are cheap per call with a new (n, p), which is what the bootstrap's
// conditional binomials need (std::binomial_distribution pays its set-up on every new p).
// REQUIRES: n >= 0, 0 <= p <= 1.
std::int64_t binomial_draw(std::int64_t n, double p, std::mt19937_64& engine);

// Paired bootstrap of AUC(B) - AUC(A): each resample draws as many leads as there are, with
// replacement, keeping each lead's two scores together (one multinomial draw over the cells'
// positive and negative counts, which is the same as drawing leads one by one). `level` = 0.95
// gives the 2.5% and 97.5% percentiles (linear interpolation between order statistics).
// Reproducible: the same cells, resamples and seed give the same interval on the same build.
// nullopt when the data lack a positive or a negative. REQUIRES: resamples >= 1.
std::optional<BootstrapInterval> paired_bootstrap_auc_difference(std::span<const PairedCell> cells,
                                                                 int resamples, std::uint64_t seed,
                                                                 double level = 0.95);

// ---------------------------------------------------------------------------------------------
// Batch anomalies.

// Two-sided exact binomial test of k successes in n trials with success probability p, as
// scipy.stats.binomtest: the probability of every outcome no more likely than k (within a
// relative 1e-7). REQUIRES: 0 <= k <= n, 0 <= p <= 1.
double binomial_test_two_sided(std::int64_t k, std::int64_t n, double p);

enum class BatchStatus { kOk, kWarn, kFlag };
std::string_view batch_status_name(BatchStatus status);  // "ok", "warn", "flag"

struct BatchCheck {
  double expected = 0;            // E = sum p_i
  double variance = 0;            // sum p_i (1 - p_i)
  std::optional<double> z;        // (k - E) / sqrt(variance); nullopt when the variance is 0
  bool exact = false;             // n * mean p < 10: judged by the exact binomial test
  std::optional<double> p_value;  // the exact test's, when exact
  BatchStatus status = BatchStatus::kOk;
};

// Judges k deliveries of a batch whose leads' probabilities sum to `expected` with
// `variance` = sum p_i(1 - p_i): |z| > 2 warns, > 3 flags; when expected < 10 the exact binomial
// test at the mean probability decides, at the same tail probabilities (kWarnPValue,
// kFlagPValue). REQUIRES: n >= 1, 0 <= k <= n, 0 <= expected <= n.
BatchCheck check_batch(std::int64_t n, std::int64_t k, double expected, double variance);

// The q-quantile of `sorted` (ascending) by linear interpolation between order statistics
// (numpy's default). REQUIRES: non-empty, 0 <= q <= 1.
double quantile(std::span<const double> sorted, double q);

}  // namespace hades::calibrator

#endif  // HADES_PLUGINS_STATS_STATS_H_
