// logistic.h: L2-regularised logistic regression on a one-hot design, by Newton's method.
//
// The objective (docs/model.md):
//
//   f(b, w) = sum_i [ log(1 + exp(eta_i)) - y_i eta_i ] + ||w||^2 / (2C),  eta_i = b + x_i . w
//
// with the intercept b not penalised: the same objective scikit-learn's LogisticRegression
// minimises (C * sum loss + ||w||^2 / 2, penalty l2, fit_intercept), hence the same solution.
//
// Every column of a one-hot design is 0 or 1, so a row is the list of its columns that are 1,
// and rows with the same list are one group: n rows, k of them positive. A Design holds the
// groups, not the rows. The likelihood of a group is the rows' likelihood summed, so the fit is
// exactly the fit on the rows, while the work per iteration is per group: a few thousand groups
// however many leads there are (the six features have a few hundred combinations that occur).
//
// Newton's method: the Hessian H = X' diag(n mu (1 - mu)) X + diag(0, 1/C, ..., 1/C) is built
// from the groups (each adds its weight to the entries of its columns' pairs) and solved by
// Cholesky (dense: a few dozen columns). A step that does not decrease f enough is halved
// (Armijo); near the optimum, where f's rounding hides the decrease, full steps are taken. It
// stops when a step moves no coefficient by more than 1e-13 (relative to the largest), which
// quadratic convergence reaches in well under 20 iterations; the gradient is then at rounding
// level (reported).
//
// Thread safety: pure functions over their arguments.

#ifndef HADES_LEAD_MODEL_LOGISTIC_H_
#define HADES_LEAD_MODEL_LOGISTIC_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "hades/status.h"

namespace hades::lead_model {

// Groups of one-hot rows. Column indices are 0..columns-1; the intercept is implicit.
class Design {
 public:
  explicit Design(std::size_t columns) : columns_(columns) {}

  // Adds a group of `n` rows with `k` positives whose 1-columns are `active` (distinct, each
  // < columns(); empty for a row that is all zeros). Groups with the same columns may be added
  // more than once: the fit is the same as with their counts summed.
  // REQUIRES: n > 0, 0 <= k <= n.
  void add(std::span<const std::int32_t> active, double n, double k);

  std::size_t columns() const { return columns_; }
  std::size_t groups() const { return n_.size(); }
  double rows() const;       // sum of n
  double positives() const;  // sum of k

  std::span<const std::int32_t> active(std::size_t g) const {
    return {index_.data() + offsets_[g], offsets_[g + 1] - offsets_[g]};
  }
  double n(std::size_t g) const { return n_[g]; }
  double k(std::size_t g) const { return k_[g]; }

 private:
  std::size_t columns_;
  std::vector<std::int32_t> index_;
  std::vector<std::size_t> offsets_ = {0};
  std::vector<double> n_;
  std::vector<double> k_;
};

struct Coefficients {
  double intercept = 0;
  std::vector<double> weights;  // one per column

  // b + the weights of `active`.
  double linear(std::span<const std::int32_t> active) const;
};

struct FitOptions {
  double c = 1.0;  // inverse penalty strength, > 0
  int max_iterations = 100;
  // Where Newton starts (a previous fit with a nearby C); zeros and the log-odds of the mean
  // rate as intercept when empty. REQUIRES: empty or weights.size() == columns.
  Coefficients start;
};

struct FitResult {
  Coefficients coefficients;
  int iterations = 0;
  bool converged = false;
  double objective = 0;     // f at the solution
  double gradient_max = 0;  // max |df/dtheta| at the solution: 0 up to rounding when converged
};

// Minimises f. Fails with kInvalidConfig when the design has no rows, or only positives or only
// negatives (the intercept would run off to infinity), or C is not positive.
Result<FitResult> fit_logistic(const Design& design, const FitOptions& options);

// f(b, w) of `design` (the penalty included when c > 0; c = 0 leaves it out: the log-loss).
double objective(const Design& design, const Coefficients& theta, double c);

// sum over rows of -[y log p + (1 - y) log(1 - p)]: the log-loss of `theta` on `design`.
double log_loss(const Design& design, const Coefficients& theta);

// 1 / (1 + exp(-eta)), without overflow.
double sigmoid(double eta);

}  // namespace hades::lead_model

#endif  // HADES_LEAD_MODEL_LOGISTIC_H_
