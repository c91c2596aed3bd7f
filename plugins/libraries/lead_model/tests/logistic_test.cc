#define BOOST_TEST_MODULE lead_model
#include "lead_model/logistic.h"

#include <boost/test/unit_test.hpp>
#include <cmath>

#include "synthetic.h"
#include "test_support.h"

namespace hades::lead_model {
namespace {

std::vector<std::int32_t> cols(std::initializer_list<std::int32_t> c) { return c; }

double logit(double p) { return std::log(p / (1 - p)); }

BOOST_AUTO_TEST_SUITE(logistic)

BOOST_AUTO_TEST_CASE(a_weak_penalty_gives_the_rates_of_each_level) {
  // One binary column: rows without it convert at 10%, rows with it at 25%. As C grows the fit
  // tends to the maximum likelihood, which reproduces the two rates exactly.
  Design d(1);
  d.add(cols({}), 1000, 100);
  d.add(cols({0}), 400, 100);
  Result<FitResult> fit = fit_logistic(d, FitOptions{1e12, 100, {}});
  BOOST_TEST_REQUIRE(fit.ok(), fit.status().to_string());
  BOOST_TEST(fit->converged);
  BOOST_TEST(fit->coefficients.intercept == logit(0.1), boost::test_tools::tolerance(1e-9));
  BOOST_TEST(fit->coefficients.weights[0] == logit(0.25) - logit(0.1),
             boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(the_penalty_pulls_toward_zero_and_spares_the_intercept) {
  Design d(2);
  d.add(cols({0}), 500, 50);
  d.add(cols({1}), 500, 150);
  Result<FitResult> strong = fit_logistic(d, FitOptions{0.001, 100, {}});
  Result<FitResult> weak = fit_logistic(d, FitOptions{100, 100, {}});
  BOOST_TEST_REQUIRE((strong.ok() && weak.ok()));
  BOOST_TEST(std::fabs(strong->coefficients.weights[1]) < std::fabs(weak->coefficients.weights[1]));
  // With the weights near zero, the unpenalised intercept carries the overall rate (20%).
  BOOST_TEST(sigmoid(strong->coefficients.intercept) == 0.2, boost::test_tools::tolerance(0.01));
  // The optimum's gradient: zero up to rounding, for the intercept too.
  BOOST_TEST(strong->gradient_max < 1e-9);
}

BOOST_AUTO_TEST_CASE(grouped_rows_fit_as_the_rows_do) {
  const std::vector<testing::Group> groups = testing::synthetic_groups(7, 5000);
  Design expanded(testing::kColumns);
  for (const testing::Group& g : groups) {
    for (std::int64_t i = 0; i < g.n; ++i) expanded.add(g.active, 1, i < g.k ? 1 : 0);
  }
  const FitOptions options{0.3, 100, {}};
  Result<FitResult> a = fit_logistic(testing::design_of(groups), options);
  Result<FitResult> b = fit_logistic(expanded, options);
  BOOST_TEST_REQUIRE((a.ok() && b.ok()));
  BOOST_TEST(expanded.groups() == 5000u);
  BOOST_TEST(a->coefficients.intercept == b->coefficients.intercept,
             boost::test_tools::tolerance(1e-11));
  for (std::size_t j = 0; j < a->coefficients.weights.size(); ++j) {
    BOOST_TEST(a->coefficients.weights[j] == b->coefficients.weights[j],
               boost::test_tools::tolerance(1e-11));
  }
}

BOOST_AUTO_TEST_CASE(newton_converges_to_rounding_in_a_few_iterations) {
  for (const double c : {0.01, 0.3, 3.0}) {
    Result<FitResult> fit = fit_logistic(testing::design_of(testing::synthetic_groups(11, 200000)),
                                         FitOptions{c, 100, {}});
    BOOST_TEST_REQUIRE(fit.ok());
    BOOST_TEST(fit->converged);
    BOOST_TEST(fit->iterations <= 15, "C=" << c << ": " << fit->iterations);
    // The objective is a sum over 200,000 rows: rounding alone leaves a gradient of ~1e-11.
    BOOST_TEST(fit->gradient_max < 1e-8, "C=" << c << ": " << fit->gradient_max);
  }
}

BOOST_AUTO_TEST_CASE(a_warm_start_reaches_the_same_optimum) {
  const Design d = testing::design_of(testing::synthetic_groups(3, 20000));
  Result<FitResult> from_zero = fit_logistic(d, FitOptions{1, 100, {}});
  BOOST_TEST_REQUIRE(from_zero.ok());
  Result<FitResult> near = fit_logistic(d, FitOptions{0.3, 100, {}});
  BOOST_TEST_REQUIRE(near.ok());
  Result<FitResult> warm = fit_logistic(d, FitOptions{1, 100, near->coefficients});
  BOOST_TEST_REQUIRE(warm.ok());
  BOOST_TEST(warm->coefficients.intercept == from_zero->coefficients.intercept,
             boost::test_tools::tolerance(1e-10));
  BOOST_TEST(warm->iterations <= from_zero->iterations);
}

BOOST_AUTO_TEST_CASE(what_cannot_be_fitted_is_refused) {
  Design empty(2);
  BOOST_TEST(fit_logistic(empty, FitOptions{}).status().code() == StatusCode::kInvalidConfig);
  Design all_positive(1);
  all_positive.add(cols({0}), 10, 10);
  all_positive.add(cols({}), 5, 5);
  const Status s = fit_logistic(all_positive, FitOptions{}).status();
  BOOST_TEST(s.code() == StatusCode::kInvalidConfig);
  BOOST_TEST(s.message().find("same outcome") != std::string::npos, s.message());
  Design fine(1);
  fine.add(cols({0}), 10, 3);
  BOOST_TEST(fit_logistic(fine, FitOptions{0, 100, {}}).status().code() ==
             StatusCode::kInvalidConfig);
}

BOOST_AUTO_TEST_CASE(log_loss_and_sigmoid) {
  Design d(1);
  d.add(cols({0}), 4, 1);
  const Coefficients theta{0, {std::log(1.0 / 3.0)}};  // p = 1/4
  BOOST_TEST(log_loss(d, theta) == -(std::log(0.25) + 3 * std::log(0.75)),
             boost::test_tools::tolerance(1e-14));
  BOOST_TEST(
      objective(d, theta, 2) == log_loss(d, theta) + std::log(1.0 / 3.0) * std::log(1.0 / 3.0) / 4,
      boost::test_tools::tolerance(1e-14));
  BOOST_TEST(sigmoid(-800) >= 0.0);
  BOOST_TEST(sigmoid(800) == 1.0);
  BOOST_TEST(sigmoid(0) == 0.5);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::lead_model
