#include "stats/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "leads/scoring.h"

namespace hades::calibrator {
namespace {

constexpr double kEpsilon = std::numeric_limits<double>::epsilon();
// Lentz's guard against a zero denominator in the continued fraction.
constexpr double kTiny = std::numeric_limits<double>::min() / kEpsilon;
constexpr int kMaxGammaIterations = 100'000;
constexpr int kMaxNewtonIterations = 100;
constexpr double kNewtonTolerance = 1e-12;
// scipy.stats.binomtest's relative slack when comparing probabilities of outcomes.
constexpr double kBinomialRelativeError = 1 + 1e-7;

// exp(a log x - x - lgamma(a)): the factor both gamma expansions share.
double gamma_prefactor(double a, double x) {
  return std::exp(a * std::log(x) - x - std::lgamma(a));
}

// P(a, x) by its power series; converges quickly for x < a + 1.
double gamma_p_series(double a, double x) {
  double term = 1.0 / a;
  double sum = term;
  double ap = a;
  for (int i = 0; i < kMaxGammaIterations; ++i) {
    ap += 1.0;
    term *= x / ap;
    sum += term;
    if (std::fabs(term) < std::fabs(sum) * kEpsilon) break;
  }
  return sum * gamma_prefactor(a, x);
}

// Q(a, x) by its continued fraction (modified Lentz); converges quickly for x >= a + 1.
double gamma_q_continued_fraction(double a, double x) {
  double b = x + 1.0 - a;
  double c = 1.0 / kTiny;
  double d = 1.0 / b;
  double h = d;
  for (int i = 1; i < kMaxGammaIterations; ++i) {
    const double an = -i * (i - a);
    b += 2.0;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1.0) < kEpsilon) break;
  }
  return gamma_prefactor(a, x) * h;
}

// log(1 / (1 + exp(-t))) without overflow for large |t|.
double log_sigmoid(double t) {
  return t >= 0 ? -std::log1p(std::exp(-t)) : t - std::log1p(std::exp(t));
}

double sigmoid(double t) {
  return t >= 0 ? 1.0 / (1.0 + std::exp(-t)) : std::exp(t) / (1.0 + std::exp(t));
}

double log_binomial_pmf(std::int64_t i, std::int64_t n, double p) {
  const double ni = static_cast<double>(n);
  const double ii = static_cast<double>(i);
  return std::lgamma(ni + 1) - std::lgamma(ii + 1) - std::lgamma(ni - ii + 1) + ii * std::log(p) +
         (ni - ii) * std::log1p(-p);
}

// Positives and negatives per level, in the order of `levels` (ascending scores).
double auc_of_sorted(std::span<const ScoreLevel> levels) {
  double positives = 0;
  double negatives = 0;
  double wins = 0;  // positive-negative pairs the positive wins, ties counting 1/2
  for (const ScoreLevel& level : levels) {
    wins += level.positives * (negatives + 0.5 * level.negatives);
    positives += level.positives;
    negatives += level.negatives;
  }
  return wins / (positives * negatives);
}

// The scaled log-likelihood the Newton iteration climbs; `x` already centred and scaled.
double log_likelihood(std::span<const ScoreLevel> levels, std::span<const double> x, double a,
                      double b) {
  double sum = 0;
  for (std::size_t i = 0; i < levels.size(); ++i) {
    const double t = a + b * x[i];
    sum += levels[i].positives * log_sigmoid(t) + levels[i].negatives * log_sigmoid(-t);
  }
  return sum;
}

}  // namespace

Interval wilson_interval(std::int64_t k, std::int64_t n, double z) {
  const double nn = static_cast<double>(n);
  const double r = static_cast<double>(k) / nn;
  const double z2 = z * z;
  const double denominator = 1 + z2 / nn;
  const double centre = (r + z2 / (2 * nn)) / denominator;
  const double half = z * std::sqrt(r * (1 - r) / nn + z2 / (4 * nn * nn)) / denominator;
  // At k = 0 (k = n) the lower (upper) bound is exactly 0 (1); elsewhere clamp away rounding
  // residue so that a bound never leaves [0, 1].
  return {k == 0 ? 0.0 : std::clamp(centre - half, 0.0, 1.0),
          k == n ? 1.0 : std::clamp(centre + half, 0.0, 1.0)};
}

double regularized_gamma_q(double a, double x) {
  if (x <= 0) return 1.0;
  if (x < a + 1) return 1.0 - gamma_p_series(a, x);
  return gamma_q_continued_fraction(a, x);
}

double chi_square_p_value(double x, int df) { return regularized_gamma_q(df / 2.0, x / 2.0); }

Interval newcombe_difference_interval(std::int64_t k1, std::int64_t n1, std::int64_t k2,
                                      std::int64_t n2, double z) {
  const double p1 = static_cast<double>(k1) / static_cast<double>(n1);
  const double p2 = static_cast<double>(k2) / static_cast<double>(n2);
  const Interval w1 = wilson_interval(k1, n1, z);
  const Interval w2 = wilson_interval(k2, n2, z);
  const double d = p1 - p2;
  return {d - std::sqrt((p1 - w1.low) * (p1 - w1.low) + (w2.high - p2) * (w2.high - p2)),
          d + std::sqrt((w1.high - p1) * (w1.high - p1) + (p2 - w2.low) * (p2 - w2.low))};
}

Shrinkage shrink(std::span<const BucketCount> buckets) {
  Shrinkage out;
  if (buckets.empty()) return out;
  for (const BucketCount& b : buckets) {
    out.total_n += b.n;
    out.total_k += b.k;
  }
  const double n_total = static_cast<double>(out.total_n);
  const double m = static_cast<double>(out.total_k) / n_total;
  out.mean = m;
  double sum_n2 = 0;
  for (const BucketCount& b : buckets) {
    const double n = static_cast<double>(b.n);
    const double r = static_cast<double>(b.k) / n;
    out.s += n * (r - m) * (r - m);
    sum_n2 += n * n;
  }
  const int v = static_cast<int>(buckets.size());
  const double binomial_variance = m * (1 - m);
  if (v >= 2 && binomial_variance > 0) {
    out.chi_square = out.s / binomial_variance;
    out.df = v - 1;
    out.p_value = chi_square_p_value(*out.chi_square, out.df);
  }
  // N - sum n_v^2 / N is 0 with one bucket: no spread between buckets can be measured.
  const double spread_denominator = n_total - sum_n2 / n_total;
  if (v >= 2 && spread_denominator > 0) {
    out.tau2 = std::max(0.0, (out.s - (v - 1) * binomial_variance) / spread_denominator);
  }
  out.shrunk.assign(buckets.size(), m);
  if (out.tau2 > 0) {
    const double kappa = std::clamp(binomial_variance / out.tau2 - 1, kKappaMin, kKappaMax);
    out.kappa = kappa;
    out.no_signal = false;
    for (std::size_t i = 0; i < buckets.size(); ++i) {
      out.shrunk[i] = (static_cast<double>(buckets[i].k) + kappa * m) /
                      (static_cast<double>(buckets[i].n) + kappa);
    }
  }
  return out;
}

Confidence confidence_of(std::int64_t n, std::int64_t k) {
  if (n >= kHighConfidenceLeads && k >= kHighConfidenceDeliveries) return Confidence::kHigh;
  if (n >= kMediumConfidenceLeads) return Confidence::kMedium;
  return Confidence::kLow;
}

std::string_view confidence_name(Confidence confidence) {
  switch (confidence) {
    case Confidence::kHigh:
      return "High";
    case Confidence::kMedium:
      return "Medium";
    case Confidence::kLow:
      return "Low";
  }
  return "Low";
}

std::vector<std::optional<std::int64_t>> suggested_scores(std::span<const double> shrunk,
                                                          std::span<const Confidence> confidence) {
  std::vector<std::optional<std::int64_t>> out(shrunk.size());
  double reference = 0;
  for (std::size_t i = 0; i < shrunk.size(); ++i) {
    if (confidence[i] != Confidence::kLow) reference = std::max(reference, shrunk[i]);
  }
  if (reference <= 0) return out;
  for (std::size_t i = 0; i < shrunk.size(); ++i) {
    const double score = domain::round_half_even(100.0 * shrunk[i] / reference);
    out[i] = std::min<std::int64_t>(100, static_cast<std::int64_t>(score));
  }
  return out;
}

std::vector<std::optional<std::int64_t>> suggest_from_counts(std::span<const BucketCount> buckets) {
  std::vector<BucketCount> observed;
  for (const BucketCount& b : buckets) {
    if (b.n > 0) observed.push_back(b);
  }
  const Shrinkage s = shrink(observed);
  std::vector<double> shrunk(buckets.size(), s.mean);
  std::vector<Confidence> confidence(buckets.size(), Confidence::kLow);
  std::size_t next = 0;
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    if (buckets[i].n == 0) continue;
    shrunk[i] = s.shrunk[next++];
    confidence[i] = confidence_of(buckets[i].n, buckets[i].k);
  }
  return suggested_scores(shrunk, confidence);
}

std::vector<BucketCount> resample_buckets(std::span<const BucketCount> buckets,
                                          std::mt19937_64& engine) {
  std::int64_t total = 0;
  for (const BucketCount& b : buckets) total += b.n;
  std::vector<BucketCount> out(buckets.size());
  std::int64_t leads_left = total;
  std::int64_t weight_left = total;
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    for (const bool delivered : {true, false}) {
      const std::int64_t weight = delivered ? buckets[i].k : buckets[i].n - buckets[i].k;
      std::int64_t drawn = 0;
      if (weight > 0 && leads_left > 0) {
        const double p =
            std::min(1.0, static_cast<double>(weight) / static_cast<double>(weight_left));
        drawn = binomial_draw(leads_left, p, engine);
      }
      out[i].n += drawn;
      if (delivered) out[i].k = drawn;
      leads_left -= drawn;
      weight_left -= weight;
    }
  }
  return out;
}

double quantile_inverted_cdf(std::span<const double> sorted, double q) {
  const double n = static_cast<double>(sorted.size());
  // The smallest i (1-based) with i / n >= q, i.e. ceil(n q), at least 1.
  const auto i = static_cast<std::size_t>(std::max(1.0, std::ceil(n * q)));
  return sorted[std::min(i, sorted.size()) - 1];
}

Interval basic_bootstrap_interval(double estimate, std::span<const double> sorted, double level,
                                  double lo, double hi) {
  // In percent first, as numpy.percentile(x, [2.5, 97.5]) takes it: (1 - 0.95) / 2 is
  // 0.025000000000000022, which moves an inverted-CDF quantile to the next value when n q is a
  // whole number; (100 - 95) / 2 / 100 is the double nearest 0.025.
  const double tail_percent = (100 - 100 * level) / 2;
  Interval out;
  out.low =
      std::clamp(2 * estimate - quantile_inverted_cdf(sorted, (100 - tail_percent) / 100), lo, hi);
  out.high = std::clamp(2 * estimate - quantile_inverted_cdf(sorted, tail_percent / 100), lo, hi);
  return out;
}

std::vector<std::optional<Interval>> suggestion_intervals(std::span<const BucketCount> buckets,
                                                          int resamples, std::uint64_t seed,
                                                          double level) {
  std::vector<std::optional<Interval>> out(buckets.size());
  const std::vector<std::optional<std::int64_t>> estimate = suggest_from_counts(buckets);
  if (buckets.empty() || !estimate.front()) return out;
  std::mt19937_64 engine(seed);
  std::vector<std::vector<double>> replicates(buckets.size());
  for (int r = 0; r < resamples; ++r) {
    const std::vector<std::optional<std::int64_t>> scores =
        suggest_from_counts(resample_buckets(buckets, engine));
    if (!scores.front()) continue;  // all or none: suggested_scores() makes every one or none
    for (std::size_t i = 0; i < buckets.size(); ++i) {
      replicates[i].push_back(static_cast<double>(*scores[i]));
    }
  }
  if (replicates.front().empty()) return out;
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    std::sort(replicates[i].begin(), replicates[i].end());
    out[i] = basic_bootstrap_interval(static_cast<double>(*estimate[i]), replicates[i], level, 0,
                                      static_cast<double>(domain::kMaxScore));
  }
  return out;
}

std::vector<std::optional<double>> holm_adjusted(std::span<const std::optional<double>> p_values) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < p_values.size(); ++i) {
    if (p_values[i]) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return *p_values[a] < *p_values[b]; });
  std::vector<std::optional<double>> out(p_values.size());
  const double m = static_cast<double>(order.size());
  double running = 0;
  for (std::size_t j = 0; j < order.size(); ++j) {
    const double scaled = std::min(1.0, (m - static_cast<double>(j)) * *p_values[order[j]]);
    running = std::max(running, scaled);
    out[order[j]] = running;
  }
  return out;
}

std::vector<ScoreLevel> merge_levels(std::vector<ScoreLevel> levels) {
  std::sort(levels.begin(), levels.end(),
            [](const ScoreLevel& a, const ScoreLevel& b) { return a.score < b.score; });
  std::vector<ScoreLevel> merged;
  for (const ScoreLevel& level : levels) {
    if (!merged.empty() && merged.back().score == level.score) {
      merged.back().positives += level.positives;
      merged.back().negatives += level.negatives;
    } else {
      merged.push_back(level);
    }
  }
  return merged;
}

std::optional<double> auc(std::vector<ScoreLevel> levels) {
  const std::vector<ScoreLevel> merged = merge_levels(std::move(levels));
  double positives = 0;
  double negatives = 0;
  for (const ScoreLevel& level : merged) {
    positives += level.positives;
    negatives += level.negatives;
  }
  if (positives <= 0 || negatives <= 0) return std::nullopt;
  return auc_of_sorted(merged);
}

std::optional<double> auc(std::span<const double> scores, std::span<const int> labels) {
  std::vector<ScoreLevel> levels;
  levels.reserve(scores.size());
  for (std::size_t i = 0; i < scores.size(); ++i) {
    levels.push_back({scores[i], labels[i] != 0 ? 1.0 : 0.0, labels[i] != 0 ? 0.0 : 1.0});
  }
  return auc(std::move(levels));
}

std::optional<double> lift_at(std::vector<ScoreLevel> levels, double fraction) {
  std::vector<ScoreLevel> merged = merge_levels(std::move(levels));
  double positives = 0;
  double total = 0;
  for (const ScoreLevel& level : merged) {
    positives += level.positives;
    total += level.positives + level.negatives;
  }
  if (total <= 0 || positives <= 0) return std::nullopt;
  const double wanted = fraction * total;
  double taken = 0;
  double taken_positives = 0;
  for (auto it = merged.rbegin(); it != merged.rend() && taken < wanted; ++it) {
    const double size = it->positives + it->negatives;
    const double share = std::min(1.0, (wanted - taken) / size);
    taken += share * size;
    taken_positives += share * it->positives;
  }
  return (taken_positives / taken) / (positives / total);
}

double LogisticFit::probability(double score) const { return sigmoid(intercept + slope * score); }

LogisticFit fit_logistic(std::span<const ScoreLevel> levels) {
  double n = 0;
  double k = 0;
  double sum_x = 0;
  for (const ScoreLevel& level : levels) {
    const double size = level.positives + level.negatives;
    n += size;
    k += level.positives;
    sum_x += size * level.score;
  }
  const double mean_x = sum_x / n;
  double sum_dx2 = 0;
  for (const ScoreLevel& level : levels) {
    sum_dx2 +=
        (level.positives + level.negatives) * (level.score - mean_x) * (level.score - mean_x);
  }
  const double scale = std::sqrt(sum_dx2 / n);
  LogisticFit fit;
  const double m = k / n;
  if (k <= 0 || k >= n || scale <= 0) {
    // Nothing to fit a slope to: every lead gets the mean rate (0 and 1 saturate the sigmoid).
    fit.degenerate = true;
    fit.converged = true;
    fit.intercept = m <= 0   ? -std::numeric_limits<double>::infinity()
                    : m >= 1 ? std::numeric_limits<double>::infinity()
                             : std::log(m / (1 - m));
    return fit;
  }
  std::vector<double> x(levels.size());
  for (std::size_t i = 0; i < levels.size(); ++i) x[i] = (levels[i].score - mean_x) / scale;

  double a = std::log(m / (1 - m));
  double b = 0;
  double current = log_likelihood(levels, x, a, b);
  for (fit.iterations = 1; fit.iterations <= kMaxNewtonIterations; ++fit.iterations) {
    double g0 = 0, g1 = 0, h00 = 0, h01 = 0, h11 = 0;
    for (std::size_t i = 0; i < levels.size(); ++i) {
      const double size = levels[i].positives + levels[i].negatives;
      const double p = sigmoid(a + b * x[i]);
      const double residual = levels[i].positives - size * p;
      const double w = size * p * (1 - p);
      g0 += residual;
      g1 += residual * x[i];
      h00 += w;
      h01 += w * x[i];
      h11 += w * x[i] * x[i];
    }
    const double det = h00 * h11 - h01 * h01;
    if (!(det > 0)) break;  // separated data: the curvature vanished
    double step_a = (h11 * g0 - h01 * g1) / det;
    double step_b = (h00 * g1 - h01 * g0) / det;
    // Newton can overshoot far from the optimum: halve the step until the likelihood rises.
    double next = log_likelihood(levels, x, a + step_a, b + step_b);
    for (int halvings = 0; next < current && halvings < 50; ++halvings) {
      step_a /= 2;
      step_b /= 2;
      next = log_likelihood(levels, x, a + step_a, b + step_b);
    }
    a += step_a;
    b += step_b;
    current = next;
    if (std::max(std::fabs(step_a), std::fabs(step_b)) < kNewtonTolerance) {
      fit.converged = true;
      break;
    }
  }
  fit.iterations = std::min(fit.iterations, kMaxNewtonIterations);
  fit.slope = b / scale;
  fit.intercept = a - b * mean_x / scale;
  return fit;
}

double brier_score(std::span<const ScoreLevel> levels, const LogisticFit& fit) {
  double sum = 0;
  double n = 0;
  for (const ScoreLevel& level : levels) {
    const double p = fit.probability(level.score);
    sum += level.positives * (1 - p) * (1 - p) + level.negatives * p * p;
    n += level.positives + level.negatives;
  }
  return sum / n;
}

double brier_score(std::span<const double> probabilities, std::span<const int> labels) {
  double sum = 0;
  for (std::size_t i = 0; i < probabilities.size(); ++i) {
    const double miss = (labels[i] != 0 ? 1.0 : 0.0) - probabilities[i];
    sum += miss * miss;
  }
  return sum / static_cast<double>(probabilities.size());
}

namespace {

// A uniform double in [0, 1) from the top 53 bits of one 64-bit draw.
double uniform(std::mt19937_64& engine) { return static_cast<double>(engine() >> 11) * 0x1.0p-53; }

// BINV: walks the pmf from 0 with the recurrence f(x) = f(x - 1) (n - x + 1) p / (x q). The walk
// is cut (and restarted with a new uniform) past 10 standard deviations, where the rounding of
// the remaining mass would otherwise decide. REQUIRES: 0 < p <= 0.5, n * p < 10.
std::int64_t binomial_inversion(std::int64_t n, double p, std::mt19937_64& engine) {
  const double q = 1 - p;
  const double nd = static_cast<double>(n);
  const double q_n = std::exp(nd * std::log1p(-p));
  const double mean = nd * p;
  const double bound = std::min(nd, mean + 10 * std::sqrt(mean * q + 1));
  std::int64_t x = 0;
  double px = q_n;
  double u = uniform(engine);
  while (u > px) {
    ++x;
    if (static_cast<double>(x) > bound) {
      x = 0;
      px = q_n;
      u = uniform(engine);
    } else {
      u -= px;
      px = (nd - static_cast<double>(x) + 1) * p * px / (static_cast<double>(x) * q);
    }
  }
  return x;
}

// BTRS. A candidate k is accepted at once inside the squeeze, else when log(v) is below
// log(f(k) / f(m)), m the mode, computed exactly with lgamma. REQUIRES: 0 < p <= 0.5, n p >= 10.
std::int64_t binomial_btrs(std::int64_t n, double p, std::mt19937_64& engine) {
  const double nd = static_cast<double>(n);
  const double q = 1 - p;
  const double spq = std::sqrt(nd * p * q);
  const double b = 1.15 + 2.53 * spq;
  const double a = -0.0873 + 0.0248 * b + 0.01 * p;
  const double c = nd * p + 0.5;
  const double v_r = 0.92 - 4.2 / b;
  const double alpha = (2.83 + 5.1 / b) * spq;
  const double log_odds = std::log(p / q);
  const double m = std::floor((nd + 1) * p);
  double log_f_m = 0;  // lgamma(m + 1) + lgamma(n - m + 1), computed when first needed
  bool have_log_f_m = false;
  for (;;) {
    const double u = uniform(engine) - 0.5;
    double v = uniform(engine);
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2 * a / us + b) * u + c);
    if (k < 0 || k > nd) continue;
    if (us >= 0.07 && v <= v_r) return static_cast<std::int64_t>(k);
    if (!have_log_f_m) {
      log_f_m = std::lgamma(m + 1) + std::lgamma(nd - m + 1);
      have_log_f_m = true;
    }
    v = std::log(v * alpha / (a / (us * us) + b));
    if (v <= log_f_m - std::lgamma(k + 1) - std::lgamma(nd - k + 1) + (k - m) * log_odds) {
      return static_cast<std::int64_t>(k);
    }
  }
}

}  // namespace

std::int64_t binomial_draw(std::int64_t n, double p, std::mt19937_64& engine) {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial_draw(n, 1 - p, engine);
  if (static_cast<double>(n) * p < 10) return binomial_inversion(n, p, engine);
  return binomial_btrs(n, p, engine);
}

namespace {

// Each cell's level index under one configuration's scores, and the number of levels.
struct LevelIndex {
  std::vector<std::size_t> of_cell;
  std::size_t levels = 0;
};

LevelIndex index_levels(std::span<const PairedCell> cells, bool use_a) {
  std::vector<double> scores;
  for (const PairedCell& c : cells) scores.push_back(use_a ? c.score_a : c.score_b);
  std::vector<double> distinct = scores;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  LevelIndex index;
  index.levels = distinct.size();
  for (double s : scores) {
    index.of_cell.push_back(static_cast<std::size_t>(
        std::lower_bound(distinct.begin(), distinct.end(), s) - distinct.begin()));
  }
  return index;
}

// AUC from per-level counts already in ascending score order; nullopt without both classes.
std::optional<double> auc_of_counts(const std::vector<ScoreLevel>& levels) {
  double positives = 0;
  double negatives = 0;
  for (const ScoreLevel& level : levels) {
    positives += level.positives;
    negatives += level.negatives;
  }
  if (positives <= 0 || negatives <= 0) return std::nullopt;
  return auc_of_sorted(levels);
}

}  // namespace

std::optional<BootstrapInterval> paired_bootstrap_auc_difference(std::span<const PairedCell> cells,
                                                                 int resamples, std::uint64_t seed,
                                                                 double level) {
  const LevelIndex index_a = index_levels(cells, true);
  const LevelIndex index_b = index_levels(cells, false);
  std::vector<ScoreLevel> levels_a(index_a.levels);
  std::vector<ScoreLevel> levels_b(index_b.levels);
  auto difference = [&](const std::vector<std::int64_t>& pos,
                        const std::vector<std::int64_t>& neg) -> std::optional<double> {
    for (ScoreLevel& l : levels_a) l.positives = l.negatives = 0;
    for (ScoreLevel& l : levels_b) l.positives = l.negatives = 0;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      levels_a[index_a.of_cell[c]].positives += static_cast<double>(pos[c]);
      levels_a[index_a.of_cell[c]].negatives += static_cast<double>(neg[c]);
      levels_b[index_b.of_cell[c]].positives += static_cast<double>(pos[c]);
      levels_b[index_b.of_cell[c]].negatives += static_cast<double>(neg[c]);
    }
    const std::optional<double> a = auc_of_counts(levels_a);
    const std::optional<double> b = auc_of_counts(levels_b);
    if (!a || !b) return std::nullopt;
    return *b - *a;
  };

  std::vector<std::int64_t> pos(cells.size());
  std::vector<std::int64_t> neg(cells.size());
  std::int64_t total = 0;
  for (std::size_t c = 0; c < cells.size(); ++c) {
    pos[c] = cells[c].positives;
    neg[c] = cells[c].negatives;
    total += pos[c] + neg[c];
  }
  const std::optional<double> estimate = difference(pos, neg);
  if (!estimate) return std::nullopt;

  std::mt19937_64 engine(seed);
  std::vector<double> differences;
  differences.reserve(static_cast<std::size_t>(resamples));
  for (int r = 0; r < resamples; ++r) {
    // A multinomial draw of `total` leads over the 2 * cells categories, by conditional
    // binomials: category c gets Binomial(leads left, its weight / weight left).
    std::int64_t leads_left = total;
    std::int64_t weight_left = total;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      for (const bool positive : {true, false}) {
        const std::int64_t weight = positive ? cells[c].positives : cells[c].negatives;
        std::int64_t drawn = 0;
        if (weight > 0 && leads_left > 0) {
          const double p =
              std::min(1.0, static_cast<double>(weight) / static_cast<double>(weight_left));
          drawn = binomial_draw(leads_left, p, engine);
        }
        (positive ? pos : neg)[c] = drawn;
        leads_left -= drawn;
        weight_left -= weight;
      }
    }
    if (const std::optional<double> d = difference(pos, neg)) differences.push_back(*d);
  }
  if (differences.empty()) return std::nullopt;
  std::sort(differences.begin(), differences.end());
  BootstrapInterval out;
  out.estimate = *estimate;
  out.low = quantile(differences, (1 - level) / 2);
  out.high = quantile(differences, 1 - (1 - level) / 2);
  out.resamples = static_cast<int>(differences.size());
  return out;
}

double binomial_test_two_sided(std::int64_t k, std::int64_t n, double p) {
  if (p <= 0) return k == 0 ? 1.0 : 0.0;
  if (p >= 1) return k == n ? 1.0 : 0.0;
  if (static_cast<double>(k) == p * static_cast<double>(n)) return 1.0;
  const double threshold = log_binomial_pmf(k, n, p) + std::log(kBinomialRelativeError);
  double sum = 0;
  for (std::int64_t i = 0; i <= n; ++i) {
    const double log_pmf = log_binomial_pmf(i, n, p);
    if (log_pmf <= threshold) sum += std::exp(log_pmf);
  }
  return std::min(1.0, sum);
}

std::string_view batch_status_name(BatchStatus status) {
  switch (status) {
    case BatchStatus::kOk:
      return "ok";
    case BatchStatus::kWarn:
      return "warn";
    case BatchStatus::kFlag:
      return "flag";
  }
  return "ok";
}

BatchCheck check_batch(std::int64_t n, std::int64_t k, double expected, double variance) {
  BatchCheck out;
  out.expected = expected;
  out.variance = variance;
  if (variance > 0) out.z = (static_cast<double>(k) - expected) / std::sqrt(variance);
  out.exact = expected < 10;
  if (out.exact) {
    out.p_value = binomial_test_two_sided(k, n, expected / static_cast<double>(n));
    out.status = *out.p_value < kFlagPValue   ? BatchStatus::kFlag
                 : *out.p_value < kWarnPValue ? BatchStatus::kWarn
                                              : BatchStatus::kOk;
  } else if (out.z) {
    const double size = std::fabs(*out.z);
    out.status = size > 3 ? BatchStatus::kFlag : size > 2 ? BatchStatus::kWarn : BatchStatus::kOk;
  }
  return out;
}

double quantile(std::span<const double> sorted, double q) {
  const double h = static_cast<double>(sorted.size() - 1) * q;
  const std::size_t lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace hades::calibrator
