// The solver against scikit-learn's LogisticRegression on the same design matrix
// (tests/oracles/logistic_oracle.py, Debian's python3-sklearn 1.2), on designs shaped like the
// model's (synthetic.h) for every C of the grid and 300 to 100,000 rows.
//
// Two sklearn fits per case, both minimising sum log-loss + ||w||^2/(2C) on the same CSR matrix:
//   - newton-cholesky, tol=1e-14: the objective solved to rounding. Ours must equal it to 1e-8
//     in every coefficient (it does to ~1e-12), 1e-10 in every probability, 1e-12 relative in
//     the objective.
//   - lbfgs, tol=1e-10, max_iter=10000 (the brief's oracle). In sklearn 1.2 its L-BFGS-B works on
//     the objective summed over the rows and also stops on scipy's default relative decrease
//     (ftol 2.2e-9), which comes long before tol: it stops with a gradient of 5e-5 to 1.3 and
//     coefficients 1e-6 to 1e-2 from the optimum (printed per case; rescaling the objective by
//     sample weights does not help). So 1e-6 against lbfgs cannot hold for any solver that finds
//     the optimum. What is checked instead: ours reaches an objective no higher than lbfgs's,
//     and lbfgs is no nearer to newton-cholesky than to ours (1e-9), i.e. every difference from
//     lbfgs is lbfgs's own distance from the optimum.
// Each case prints its numbers (--log_level=message).

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "lead_model/logistic.h"
#include "process.h"
#include "synthetic.h"
#include "test_support.h"

namespace hades::lead_model {
namespace {

using nlohmann::json;
using testing::Group;

struct Case {
  int rows;
  double c;
  std::vector<Group> groups;
};

std::vector<Case> make_cases() {
  std::vector<Case> cases;
  std::uint64_t seed = 20261206;
  for (const int rows : {300, 3000, 30000}) {
    for (const double c : {0.01, 0.03, 0.1, 0.3, 1.0, 3.0}) {
      cases.push_back({rows, c, testing::synthetic_groups(seed++, rows)});
    }
  }
  for (const double c : {0.01, 1.0}) {
    cases.push_back({100000, c, testing::synthetic_groups(seed++, 100000)});
  }
  return cases;
}

json request_of(const std::vector<Case>& cases) {
  json request = {{"cases", json::array()}};
  for (const Case& c : cases) {
    json groups = json::array();
    for (const Group& g : c.groups) groups.push_back({g.active, g.n, g.k});
    request["cases"].push_back(
        {{"columns", testing::kColumns}, {"c", c.c}, {"groups", std::move(groups)}});
  }
  return request;
}

json run_oracle(const json& request) {
  hades::testing::TempDir dir;
  const std::string in = dir.file("request.json");
  const std::string out = dir.file("answer.json");
  hades::testing::write_file(in, request.dump());
  const hades::testing::ProcessResult result = hades::testing::run_process(
      {"/usr/bin/python3",
       hades::testing::source_dir() +
           "/plugins/libraries/lead_model/tests/oracles/logistic_oracle.py",
       in, out},
      dir.path(), {}, 900);
  BOOST_REQUIRE_MESSAGE(
      result.exit_code == 0,
      "the oracle failed (install python3-sklearn: tools/lib/setup.sh): " + result.err);
  return json::parse(hades::testing::read_file(out));
}

struct OracleRun {
  std::vector<Case> cases = make_cases();
  json answer = run_oracle(request_of(cases));
};

const OracleRun& oracle_run() {
  static const OracleRun run;
  return run;
}

double max_coefficient_error(const FitResult& ours, const json& theirs) {
  double worst = std::fabs(ours.coefficients.intercept - theirs["intercept"].get<double>());
  for (std::size_t j = 0; j < ours.coefficients.weights.size(); ++j) {
    worst =
        std::max(worst, std::fabs(ours.coefficients.weights[j] - theirs["coef"][j].get<double>()));
  }
  return worst;
}

double max_probability_error(const FitResult& ours, const std::vector<Group>& groups,
                             const json& theirs) {
  double worst = 0;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const double p = sigmoid(ours.coefficients.linear(groups[g].active));
    worst = std::max(worst, std::fabs(p - theirs["p"][g].get<double>()));
  }
  return worst;
}

BOOST_AUTO_TEST_SUITE(oracle)

// The largest coefficient difference between two sklearn answers.
double max_difference(const json& a, const json& b) {
  double worst = std::fabs(a["intercept"].get<double>() - b["intercept"].get<double>());
  for (std::size_t j = 0; j < a["coef"].size(); ++j) {
    worst = std::max(worst, std::fabs(a["coef"][j].get<double>() - b["coef"][j].get<double>()));
  }
  return worst;
}

BOOST_AUTO_TEST_CASE(coefficients_equal_sklearn_on_the_same_design) {
  const OracleRun& run = oracle_run();
  BOOST_TEST_REQUIRE(run.answer["cases"].size() == run.cases.size());
  double worst_newton = 0;
  double worst_lbfgs = 0;
  for (std::size_t i = 0; i < run.cases.size(); ++i) {
    const Case& c = run.cases[i];
    const json& answer = run.answer["cases"][i];
    Result<FitResult> fit = fit_logistic(testing::design_of(c.groups), FitOptions{c.c, 100, {}});
    BOOST_TEST_REQUIRE(fit.ok(), fit.status().to_string());
    BOOST_TEST(fit->converged);
    const json& lbfgs = answer["lbfgs"];
    const json& newton = answer["newton"];
    const double vs_newton = max_coefficient_error(*fit, newton);
    const double p_newton = max_probability_error(*fit, c.groups, newton);
    const double vs_lbfgs = max_coefficient_error(*fit, lbfgs);
    const double lbfgs_off = max_difference(lbfgs, newton);
    const double objective_newton = newton["objective"].get<double>();
    BOOST_TEST_MESSAGE(
        c.rows << " rows, C=" << c.c << ": ours " << fit->iterations << " iterations, gradient "
               << fit->gradient_max << "; newton-cholesky |coef diff| " << vs_newton
               << ", |p diff| " << p_newton << "; lbfgs " << lbfgs["n_iter"]
               << " iterations, gradient " << lbfgs["gradient_max"] << ", |coef diff| from ours "
               << vs_lbfgs << ", from newton-cholesky " << lbfgs_off);
    BOOST_TEST(vs_newton <= 1e-8, "newton-cholesky, case " << i);
    BOOST_TEST(p_newton <= 1e-10, "newton-cholesky probabilities, case " << i);
    BOOST_TEST(std::fabs(fit->objective - objective_newton) <= 1e-12 * objective_newton);
    // Never the less converged of the two, and lbfgs is as far from sklearn's own optimum.
    BOOST_TEST(fit->objective <= lbfgs["objective"].get<double>() * (1 + 1e-14), "case " << i);
    BOOST_TEST(std::fabs(vs_lbfgs - lbfgs_off) <= 1e-9, "case " << i);
    worst_newton = std::max(worst_newton, vs_newton);
    worst_lbfgs = std::max(worst_lbfgs, vs_lbfgs);
  }
  BOOST_TEST_MESSAGE("max |coef diff|: newton-cholesky " << worst_newton << ", lbfgs "
                                                         << worst_lbfgs);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::lead_model
