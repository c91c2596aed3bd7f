// The statistics against independent implementations (tests/oracles/oracle.py: statsmodels,
// scipy, sklearn, numpy) on generated data, to calibration.md's tolerances: Wilson 1e-12,
// chi-square 1e-10, AUC and Brier 1e-12, Holm 1e-15; inverted-CDF quantiles and the suggestion
// intervals exactly. Each case prints its largest error (--log_level=message).
// One oracle run serves every case: importing scipy and sklearn takes a second or two.

#include <algorithm>
#include <array>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <random>

#include "stats/stats.h"
#include "test_helpers.h"

namespace hades::calibrator {
namespace {

using nlohmann::json;

constexpr std::uint64_t kSeed = 20260211;

struct Dataset {
  std::vector<double> scores;
  std::vector<int> labels;
};

// Integer scores 0..100 (many ties, as real scores have) with a delivery chance rising in them.
Dataset make_dataset(std::mt19937_64& rng, int size, double intercept, double slope) {
  std::uniform_int_distribution<int> score(0, 100);
  std::uniform_real_distribution<double> u(0, 1);
  Dataset d;
  for (int i = 0; i < size; ++i) {
    const double s = score(rng);
    d.scores.push_back(s);
    d.labels.push_back(u(rng) < 1 / (1 + std::exp(-(intercept + slope * s))) ? 1 : 0);
  }
  // Both classes, so every statistic is defined.
  d.labels[0] = 1;
  d.labels[1] = 0;
  return d;
}

std::vector<ScoreLevel> levels_of(const Dataset& d) {
  std::vector<ScoreLevel> levels;
  for (std::size_t i = 0; i < d.scores.size(); ++i) {
    levels.push_back({d.scores[i], d.labels[i] ? 1.0 : 0.0, d.labels[i] ? 0.0 : 1.0});
  }
  return merge_levels(std::move(levels));
}

struct Cases {
  std::vector<std::pair<std::int64_t, std::int64_t>> wilson;
  std::vector<std::vector<BucketCount>> chi2;
  std::vector<std::pair<double, double>> gammaq;
  std::vector<Dataset> auc;
  std::vector<std::pair<std::vector<double>, std::vector<int>>> brier;
  std::vector<std::pair<Dataset, Dataset>> brier_fit;
  std::vector<std::tuple<std::int64_t, std::int64_t, double>> binomtest;
  std::vector<std::vector<std::optional<double>>> holm;
  std::vector<std::array<std::int64_t, 4>> newcombe;
  std::vector<std::pair<std::vector<double>, double>> quantile;
  // A dimension's buckets and the resamples suggestion_intervals() draws from them.
  struct Suggestion {
    std::vector<BucketCount> buckets;
    std::uint64_t seed = 0;
    std::vector<std::vector<BucketCount>> resamples;
  };
  std::vector<Suggestion> suggestion;
};

constexpr int kSuggestionResamples = 400;

// Buckets like a dimension's: a few large, some small (Low), rates around `base`.
std::vector<BucketCount> dimension_buckets(std::mt19937_64& rng, int v, double base) {
  std::vector<BucketCount> buckets;
  for (int b = 0; b < v; ++b) {
    const std::int64_t n = std::uniform_int_distribution<std::int64_t>(8, 900)(rng);
    const double p =
        std::clamp(base * std::uniform_real_distribution<double>(0.4, 1.8)(rng), 0.0, 1.0);
    buckets.push_back({n, std::binomial_distribution<std::int64_t>(n, p)(rng)});
  }
  return buckets;
}

Cases make_cases() {
  std::mt19937_64 rng(kSeed);
  Cases c;
  c.wilson = {{10, 100}, {0, 1}, {1, 1}, {0, 250}, {250, 250}, {3, 10}, {319, 3135}};
  for (int i = 0; i < 300; ++i) {
    const std::int64_t n = std::uniform_int_distribution<std::int64_t>(1, 20000)(rng);
    c.wilson.emplace_back(std::uniform_int_distribution<std::int64_t>(0, n)(rng), n);
  }
  for (int i = 0; i < 60; ++i) {
    std::vector<BucketCount> buckets;
    const int v = std::uniform_int_distribution<int>(2, 30)(rng);
    const double base = std::uniform_real_distribution<double>(0.02, 0.4)(rng);
    for (int b = 0; b < v; ++b) {
      const std::int64_t n = std::uniform_int_distribution<std::int64_t>(5, 5000)(rng);
      const double p =
          std::clamp(base * std::uniform_real_distribution<double>(0.3, 1.7)(rng), 0.0, 1.0);
      buckets.push_back({n, std::binomial_distribution<std::int64_t>(n, p)(rng)});
    }
    if (buckets[0].k == 0) buckets[0].k = 1;  // a column of zeros is not a contingency table
    c.chi2.push_back(std::move(buckets));
  }
  for (int i = 0; i < 200; ++i) {
    const double a = std::uniform_real_distribution<double>(0.5, 40)(rng);
    c.gammaq.emplace_back(a, a * std::uniform_real_distribution<double>(0.01, 4)(rng));
  }
  for (int size : {12, 500, 20000, 200000}) c.auc.push_back(make_dataset(rng, size, -3, 0.03));
  c.auc.push_back(make_dataset(rng, 5000, -2, 0));  // no signal: AUC near 1/2
  for (const Dataset& d : c.auc) {
    std::vector<double> p;
    for (double s : d.scores) p.push_back(s / 100.0);
    c.brier.emplace_back(std::move(p), d.labels);
  }
  for (int size : {300, 5000, 100000}) {
    c.brier_fit.emplace_back(make_dataset(rng, size, -3, 0.03), make_dataset(rng, size, -3, 0.03));
  }
  for (int i = 0; i < 150; ++i) {
    const std::int64_t n = std::uniform_int_distribution<std::int64_t>(1, 400)(rng);
    const double p = std::uniform_real_distribution<double>(0.001, 0.3)(rng);
    c.binomtest.emplace_back(
        std::uniform_int_distribution<std::int64_t>(0, std::min<std::int64_t>(n, 40))(rng), n, p);
  }
  c.binomtest.emplace_back(3, 10, 0.5);
  c.binomtest.emplace_back(0, 250, 0.01);
  for (int i = 0; i < 200; ++i) {
    const std::int64_t n1 = std::uniform_int_distribution<std::int64_t>(1, 5000)(rng);
    const std::int64_t n2 = std::uniform_int_distribution<std::int64_t>(1, 5000)(rng);
    c.newcombe.push_back({std::uniform_int_distribution<std::int64_t>(0, n1)(rng), n1,
                          std::uniform_int_distribution<std::int64_t>(0, n2)(rng), n2});
  }
  c.newcombe.push_back({0, 10, 10, 10});
  c.newcombe.push_back({319, 3135, 150, 1200});
  for (int i = 0; i < 100; ++i) {
    std::vector<std::optional<double>> family;
    const int m = std::uniform_int_distribution<int>(1, 7)(rng);
    for (int j = 0; j < m; ++j) {
      const double u = std::uniform_real_distribution<double>(0, 1)(rng);
      // Some tiny, some ties, some missing (a dimension without a test).
      if (u < 0.1) {
        family.emplace_back(std::nullopt);
      } else if (u < 0.2 && !family.empty() && family.back()) {
        family.push_back(family.back());
      } else {
        family.emplace_back(std::pow(u, 4));
      }
    }
    c.holm.push_back(std::move(family));
  }
  for (int i = 0; i < 100; ++i) {
    std::vector<double> values;
    const int size = std::uniform_int_distribution<int>(1, 60)(rng);
    for (int j = 0; j < size; ++j)
      values.push_back(std::uniform_int_distribution<int>(0, 100)(rng));
    std::sort(values.begin(), values.end());
    c.quantile.emplace_back(std::move(values), std::uniform_real_distribution<double>(0, 1)(rng));
  }
  c.quantile.emplace_back(std::vector<double>{1, 2, 3, 4}, 0.025);
  c.quantile.emplace_back(std::vector<double>{1, 2, 3, 4}, 0.975);
  for (int i = 0; i < 12; ++i) {
    Cases::Suggestion s;
    s.buckets = dimension_buckets(rng, std::uniform_int_distribution<int>(2, 18)(rng),
                                  std::uniform_real_distribution<double>(0.03, 0.2)(rng));
    s.seed = 1000 + static_cast<std::uint64_t>(i);
    // The resamples suggestion_intervals() draws: one engine, resample_buckets() in turn.
    std::mt19937_64 engine(s.seed);
    for (int r = 0; r < kSuggestionResamples; ++r) {
      s.resamples.push_back(resample_buckets(s.buckets, engine));
    }
    c.suggestion.push_back(std::move(s));
  }
  // No signal at all: equal rates.
  Cases::Suggestion flat;
  flat.buckets = {{200, 20}, {400, 40}, {100, 10}, {50, 5}};
  flat.seed = 77;
  std::mt19937_64 engine(flat.seed);
  for (int r = 0; r < kSuggestionResamples; ++r) {
    flat.resamples.push_back(resample_buckets(flat.buckets, engine));
  }
  c.suggestion.push_back(std::move(flat));
  return c;
}

json request_of(const Cases& c) {
  json r;
  for (const auto& [k, n] : c.wilson) r["wilson"].push_back({k, n});
  for (const auto& buckets : c.chi2) {
    json table = json::array();
    for (const BucketCount& b : buckets) table.push_back({b.k, b.n});
    r["chi2"].push_back(table);
  }
  for (const auto& [a, x] : c.gammaq) r["gammaq"].push_back({a, x});
  for (const Dataset& d : c.auc) r["auc"].push_back({{"scores", d.scores}, {"labels", d.labels}});
  for (const auto& [p, labels] : c.brier) r["brier"].push_back({{"p", p}, {"labels", labels}});
  for (const auto& [train, test] : c.brier_fit) {
    r["brier_fit"].push_back({{"train_scores", train.scores},
                              {"train_labels", train.labels},
                              {"test_scores", test.scores},
                              {"test_labels", test.labels}});
  }
  for (const auto& [k, n, p] : c.binomtest) r["binomtest"].push_back({k, n, p});
  for (const auto& family : c.holm) {
    json list = json::array();
    for (const auto& p : family) list.push_back(p ? json(*p) : json(nullptr));
    r["holm"].push_back(list);
  }
  for (const auto& [values, q] : c.quantile)
    r["quantile"].push_back({{"values", values}, {"q", q}});
  for (const auto& x : c.newcombe) r["newcombe"].push_back(x);
  const auto counts = [](const std::vector<BucketCount>& buckets) {
    json list = json::array();
    for (const BucketCount& b : buckets) list.push_back({b.k, b.n});
    return list;
  };
  for (const Cases::Suggestion& s : c.suggestion) {
    json resamples = json::array();
    for (const auto& one : s.resamples) resamples.push_back(counts(one));
    r["suggestion_interval"].push_back(
        {{"buckets", counts(s.buckets)}, {"resamples", std::move(resamples)}});
  }
  return r;
}

struct OracleRun {
  Cases cases;
  json answer;
};

// One oracle run for the whole module, made by the first test that asks.
const OracleRun& oracle_run() {
  static const OracleRun run = [] {
    OracleRun r{make_cases(), {}};
    r.answer = testing::run_oracle(request_of(r.cases));
    return r;
  }();
  return run;
}

// Each test reads the shared run through these references.
struct OracleFixture {
  const Cases& cases = oracle_run().cases;
  const json& answer = oracle_run().answer;
};

BOOST_FIXTURE_TEST_SUITE(oracles, OracleFixture)

BOOST_AUTO_TEST_CASE(the_oracle_uses_the_exact_z) {
  BOOST_TEST(answer["z95"].get<double>() == kZ95, boost::test_tools::tolerance(1e-15));
}

BOOST_AUTO_TEST_CASE(wilson_matches_statsmodels_to_1e_12) {
  double worst = 0;
  for (std::size_t i = 0; i < cases.wilson.size(); ++i) {
    const Interval ours = wilson_interval(cases.wilson[i].first, cases.wilson[i].second);
    worst = std::max({worst, std::fabs(ours.low - answer["wilson"][i][0].get<double>()),
                      std::fabs(ours.high - answer["wilson"][i][1].get<double>())});
  }
  BOOST_TEST_MESSAGE("wilson: " << cases.wilson.size() << " cases, max abs error " << worst);
  BOOST_TEST(worst <= 1e-12);
}

BOOST_AUTO_TEST_CASE(chi_square_matches_scipy_to_1e_10) {
  double worst_stat = 0;
  double worst_p = 0;
  for (std::size_t i = 0; i < cases.chi2.size(); ++i) {
    const Shrinkage s = shrink(cases.chi2[i]);
    const json& expected = answer["chi2"][i];
    BOOST_REQUIRE(s.chi_square.has_value());
    BOOST_TEST(s.df == expected[2].get<int>());
    worst_stat = std::max(worst_stat, std::fabs(*s.chi_square - expected[0].get<double>()));
    worst_p = std::max(worst_p, std::fabs(*s.p_value - expected[1].get<double>()));
  }
  BOOST_TEST_MESSAGE("chi-square: " << cases.chi2.size() << " tables, max abs error statistic "
                                    << worst_stat << ", p-value " << worst_p);
  BOOST_TEST(worst_stat <= 1e-10);
  BOOST_TEST(worst_p <= 1e-12);
}

BOOST_AUTO_TEST_CASE(regularized_gamma_q_matches_scipy) {
  double worst = 0;
  for (std::size_t i = 0; i < cases.gammaq.size(); ++i) {
    const double ours = regularized_gamma_q(cases.gammaq[i].first, cases.gammaq[i].second);
    const double theirs = answer["gammaq"][i].get<double>();
    worst = std::max(worst, std::fabs(ours - theirs) / std::max(theirs, 1e-300));
  }
  BOOST_TEST_MESSAGE("gamma Q: " << cases.gammaq.size() << " cases, max relative error " << worst);
  BOOST_TEST(worst <= 1e-12);
}

BOOST_AUTO_TEST_CASE(auc_matches_sklearn_to_1e_12_per_lead_and_grouped) {
  double worst = 0;
  for (std::size_t i = 0; i < cases.auc.size(); ++i) {
    const double theirs = answer["auc"][i].get<double>();
    const std::optional<double> per_lead = auc(cases.auc[i].scores, cases.auc[i].labels);
    const std::optional<double> grouped = auc(levels_of(cases.auc[i]));
    BOOST_REQUIRE(per_lead && grouped);
    worst = std::max({worst, std::fabs(*per_lead - theirs), std::fabs(*grouped - theirs)});
  }
  BOOST_TEST_MESSAGE("AUC: " << cases.auc.size() << " datasets, max abs error " << worst);
  BOOST_TEST(worst <= 1e-12);
}

BOOST_AUTO_TEST_CASE(brier_matches_sklearn_to_1e_12) {
  double worst = 0;
  for (std::size_t i = 0; i < cases.brier.size(); ++i) {
    const double ours = brier_score(cases.brier[i].first, cases.brier[i].second);
    worst = std::max(worst, std::fabs(ours - answer["brier"][i].get<double>()));
  }
  BOOST_TEST_MESSAGE("Brier (given p): max abs error " << worst);
  BOOST_TEST(worst <= 1e-12);
}

BOOST_AUTO_TEST_CASE(brier_after_the_logistic_fit_matches_statsmodels_and_sklearn) {
  double worst = 0;
  double worst_coefficient = 0;
  for (std::size_t i = 0; i < cases.brier_fit.size(); ++i) {
    const auto& [train, test] = cases.brier_fit[i];
    const LogisticFit fit = fit_logistic(levels_of(train));
    BOOST_TEST(fit.converged);
    const json& expected = answer["brier_fit"][i];
    worst = std::max(
        worst, std::fabs(brier_score(levels_of(test), fit) - expected["brier"].get<double>()));
    worst_coefficient =
        std::max({worst_coefficient, std::fabs(fit.intercept - expected["intercept"].get<double>()),
                  std::fabs(fit.slope - expected["slope"].get<double>())});
  }
  BOOST_TEST_MESSAGE("Brier after the fit: max abs error " << worst << ", coefficients "
                                                           << worst_coefficient);
  BOOST_TEST(worst <= 1e-12);
  BOOST_TEST(worst_coefficient <= 1e-9);
}

BOOST_AUTO_TEST_CASE(binomial_test_matches_scipy_binomtest) {
  double worst = 0;
  for (std::size_t i = 0; i < cases.binomtest.size(); ++i) {
    const auto& [k, n, p] = cases.binomtest[i];
    const double theirs = answer["binomtest"][i].get<double>();
    const double ours = binomial_test_two_sided(k, n, p);
    worst = std::max(worst, std::fabs(ours - theirs) / std::max(theirs, 1e-300));
  }
  BOOST_TEST_MESSAGE("binomial test: " << cases.binomtest.size() << " cases, max relative error "
                                       << worst);
  BOOST_TEST(worst <= 1e-9);
}

BOOST_AUTO_TEST_CASE(holm_matches_statsmodels_multipletests) {
  double worst = 0;
  for (std::size_t i = 0; i < cases.holm.size(); ++i) {
    const auto ours = holm_adjusted(cases.holm[i]);
    const json& theirs = answer["holm"][i];
    for (std::size_t j = 0; j < ours.size(); ++j) {
      BOOST_REQUIRE_EQUAL(ours[j].has_value(), !theirs[j].is_null());
      if (ours[j]) worst = std::max(worst, std::fabs(*ours[j] - theirs[j].get<double>()));
    }
  }
  BOOST_TEST_MESSAGE("Holm: " << cases.holm.size() << " families, max abs error " << worst);
  BOOST_TEST(worst <= 1e-15);
}

BOOST_AUTO_TEST_CASE(newcombe_difference_matches_statsmodels_to_1e_12) {
  double worst = 0;
  for (std::size_t i = 0; i < cases.newcombe.size(); ++i) {
    const auto& [k1, n1, k2, n2] = cases.newcombe[i];
    const Interval ours = newcombe_difference_interval(k1, n1, k2, n2);
    worst = std::max({worst, std::fabs(ours.low - answer["newcombe"][i][0].get<double>()),
                      std::fabs(ours.high - answer["newcombe"][i][1].get<double>())});
  }
  BOOST_TEST_MESSAGE("Newcombe: " << cases.newcombe.size() << " cases, max abs error " << worst);
  BOOST_TEST(worst <= 1e-12);
}

BOOST_AUTO_TEST_CASE(inverted_cdf_quantile_matches_numpy) {
  for (std::size_t i = 0; i < cases.quantile.size(); ++i) {
    const auto& [values, q] = cases.quantile[i];
    BOOST_TEST(quantile_inverted_cdf(values, q) == answer["quantile"][i].get<double>(),
               "q = " << q << " of " << values.size() << " values");
  }
}

// The whole suggestion (shrinkage, confidence, normalisation) recomputed by the oracle on the
// same resamples: every interval end must be the same score.
BOOST_AUTO_TEST_CASE(suggestion_intervals_match_the_spec_recomputed_on_the_same_resamples) {
  int compared = 0;
  for (std::size_t i = 0; i < cases.suggestion.size(); ++i) {
    const Cases::Suggestion& s = cases.suggestion[i];
    const auto ours = suggestion_intervals(s.buckets, kSuggestionResamples, s.seed);
    const json& theirs = answer["suggestion_interval"][i];
    BOOST_REQUIRE_EQUAL(ours.size(), theirs.size());
    for (std::size_t j = 0; j < ours.size(); ++j) {
      BOOST_REQUIRE_EQUAL(ours[j].has_value(), !theirs[j].is_null());
      if (!ours[j]) continue;
      BOOST_TEST(ours[j]->low == theirs[j][0].get<double>(), "case " << i << " bucket " << j);
      BOOST_TEST(ours[j]->high == theirs[j][1].get<double>(), "case " << i << " bucket " << j);
      ++compared;
    }
  }
  BOOST_TEST_MESSAGE("suggestion intervals: " << compared << " buckets compared");
  BOOST_TEST(compared > 50);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::calibrator
