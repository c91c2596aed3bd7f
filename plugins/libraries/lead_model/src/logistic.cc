#include "lead_model/logistic.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace hades::lead_model {
namespace {

// A step that moves no coefficient by more than this (relative to the largest, at least 1) is
// the last: Newton's quadratic convergence put the previous iterate within rounding.
constexpr double kStepTolerance = 1e-13;
// Below this predicted decrease (relative to f), f's own rounding can hide a true decrease, so
// the line search would stall: take the full Newton step instead.
constexpr double kFullStepDecrement = 1e-9;
constexpr double kArmijo = 1e-4;
constexpr int kMaxHalvings = 60;

// log(1 + exp(x)) without overflow or loss of precision.
double softplus(double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }

// theta[0] is the intercept, theta[1 + j] the weight of column j.
using Theta = std::vector<double>;

Theta to_theta(const Coefficients& c) {
  Theta theta(c.weights.size() + 1);
  theta[0] = c.intercept;
  std::copy(c.weights.begin(), c.weights.end(), theta.begin() + 1);
  return theta;
}

Coefficients to_coefficients(const Theta& theta) {
  return Coefficients{theta[0], Theta(theta.begin() + 1, theta.end())};
}

double linear_of(const Design& d, std::size_t g, const Theta& theta) {
  double eta = theta[0];
  for (const std::int32_t j : d.active(g)) eta += theta[static_cast<std::size_t>(j) + 1];
  return eta;
}

double objective_of(const Design& d, const Theta& theta, double c) {
  double f = 0;
  for (std::size_t g = 0; g < d.groups(); ++g) {
    const double eta = linear_of(d, g, theta);
    f += d.n(g) * softplus(eta) - d.k(g) * eta;
  }
  if (c > 0) {
    double squares = 0;
    for (std::size_t j = 1; j < theta.size(); ++j) squares += theta[j] * theta[j];
    f += squares / (2 * c);
  }
  return f;
}

// The gradient and the Hessian (dense, row-major, both triangles) at theta.
struct Derivatives {
  std::vector<double> gradient;
  std::vector<double> hessian;
};

Derivatives derivatives(const Design& d, const Theta& theta, double c) {
  const std::size_t p = theta.size();
  Derivatives out{std::vector<double>(p, 0.0), std::vector<double>(p * p, 0.0)};
  std::vector<std::size_t> idx;
  for (std::size_t g = 0; g < d.groups(); ++g) {
    const double mu = sigmoid(linear_of(d, g, theta));
    const double residual = d.n(g) * mu - d.k(g);
    const double weight = d.n(g) * mu * (1 - mu);
    idx.assign(1, 0);
    for (const std::int32_t j : d.active(g)) idx.push_back(static_cast<std::size_t>(j) + 1);
    for (std::size_t a = 0; a < idx.size(); ++a) {
      out.gradient[idx[a]] += residual;
      for (std::size_t b = a; b < idx.size(); ++b) {
        const std::size_t lo = std::min(idx[a], idx[b]);
        const std::size_t hi = std::max(idx[a], idx[b]);
        out.hessian[lo * p + hi] += weight;
      }
    }
  }
  for (std::size_t j = 1; j < p; ++j) {
    out.gradient[j] += theta[j] / c;
    out.hessian[j * p + j] += 1 / c;
  }
  for (std::size_t i = 0; i < p; ++i) {
    for (std::size_t j = i + 1; j < p; ++j) out.hessian[j * p + i] = out.hessian[i * p + j];
  }
  return out;
}

// Solves H x = rhs by Cholesky (H symmetric positive definite, row-major). False when a pivot is
// not positive: H is not positive definite in floating point.
bool cholesky_solve(std::vector<double> h, std::size_t p, std::vector<double>& rhs) {
  for (std::size_t j = 0; j < p; ++j) {
    double pivot = h[j * p + j];
    for (std::size_t k = 0; k < j; ++k) pivot -= h[j * p + k] * h[j * p + k];
    if (!(pivot > 0)) return false;
    const double root = std::sqrt(pivot);
    h[j * p + j] = root;
    for (std::size_t i = j + 1; i < p; ++i) {
      double v = h[i * p + j];
      for (std::size_t k = 0; k < j; ++k) v -= h[i * p + k] * h[j * p + k];
      h[i * p + j] = v / root;
    }
  }
  for (std::size_t i = 0; i < p; ++i) {  // L y = rhs
    double v = rhs[i];
    for (std::size_t k = 0; k < i; ++k) v -= h[i * p + k] * rhs[k];
    rhs[i] = v / h[i * p + i];
  }
  for (std::size_t i = p; i-- > 0;) {  // L' x = y
    double v = rhs[i];
    for (std::size_t k = i + 1; k < p; ++k) v -= h[k * p + i] * rhs[k];
    rhs[i] = v / h[i * p + i];
  }
  return true;
}

double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (const double x : v) m = std::max(m, std::fabs(x));
  return m;
}

Status check_fittable(const Design& design, const FitOptions& options) {
  if (!(options.c > 0) || !std::isfinite(options.c)) {
    return Status::invalid_config("logistic regression: C must be a positive number, got " +
                                  std::to_string(options.c));
  }
  const double rows = design.rows();
  const double positives = design.positives();
  if (rows <= 0) return Status::invalid_config("logistic regression: no rows to fit");
  if (positives <= 0 || positives >= rows) {
    return Status::invalid_config(
        "logistic regression: every row has the same outcome (" +
        std::to_string(static_cast<std::int64_t>(positives)) + " positive of " +
        std::to_string(static_cast<std::int64_t>(rows)) + "): there is nothing to fit");
  }
  if (!options.start.weights.empty() && options.start.weights.size() != design.columns()) {
    return Status::internal("logistic regression: the start has " +
                            std::to_string(options.start.weights.size()) + " weights for " +
                            std::to_string(design.columns()) + " columns");
  }
  return Status::ok_status();
}

}  // namespace

void Design::add(std::span<const std::int32_t> active, double n, double k) {
  index_.insert(index_.end(), active.begin(), active.end());
  offsets_.push_back(index_.size());
  n_.push_back(n);
  k_.push_back(k);
}

double Design::rows() const {
  double total = 0;
  for (const double n : n_) total += n;
  return total;
}

double Design::positives() const {
  double total = 0;
  for (const double k : k_) total += k;
  return total;
}

double Coefficients::linear(std::span<const std::int32_t> active) const {
  double eta = intercept;
  for (const std::int32_t j : active) eta += weights[static_cast<std::size_t>(j)];
  return eta;
}

double sigmoid(double eta) {
  if (eta >= 0) return 1 / (1 + std::exp(-eta));
  const double e = std::exp(eta);
  return e / (1 + e);
}

double objective(const Design& design, const Coefficients& theta, double c) {
  return objective_of(design, to_theta(theta), c);
}

double log_loss(const Design& design, const Coefficients& theta) {
  return objective(design, theta, 0);
}

Result<FitResult> fit_logistic(const Design& design, const FitOptions& options) {
  HADES_RETURN_IF_ERROR(check_fittable(design, options));
  const std::size_t p = design.columns() + 1;
  const double c = options.c;
  Theta theta(p, 0.0);
  if (options.start.weights.empty()) {
    const double rate = design.positives() / design.rows();
    theta[0] = std::log(rate / (1 - rate));
  } else {
    theta = to_theta(options.start);
  }

  FitResult result;
  double f = objective_of(design, theta, c);
  double previous_step = std::numeric_limits<double>::infinity();
  while (result.iterations < options.max_iterations) {
    ++result.iterations;
    Derivatives d = derivatives(design, theta, c);
    std::vector<double> step(p);
    for (std::size_t i = 0; i < p; ++i) step[i] = -d.gradient[i];
    if (!cholesky_solve(std::move(d.hessian), p, step)) {
      return Status::internal(
          "logistic regression: the Hessian is not positive definite at "
          "iteration " +
          std::to_string(result.iterations));
    }
    double decrement = 0;  // -g' step = step' H step >= 0
    for (std::size_t i = 0; i < p; ++i) decrement -= d.gradient[i] * step[i];
    const double step_size = max_abs(step);
    const double scale = std::max(1.0, max_abs(theta));
    const bool in_rounding = decrement <= kFullStepDecrement * (1 + std::fabs(f));
    if (in_rounding && step_size >= previous_step) {
      result.converged = true;  // the steps stopped shrinking: the gradient is rounding noise
      break;
    }
    double t = 1;
    Theta next(p);
    double f_next = 0;
    for (int halvings = 0;; ++halvings) {
      for (std::size_t i = 0; i < p; ++i) next[i] = theta[i] + t * step[i];
      f_next = objective_of(design, next, c);
      if (in_rounding || f_next <= f - kArmijo * t * decrement) break;
      if (halvings == kMaxHalvings) {
        return Status::internal(
            "logistic regression: no decrease along the Newton direction at "
            "iteration " +
            std::to_string(result.iterations));
      }
      t /= 2;
    }
    theta.swap(next);
    f = f_next;
    previous_step = t * step_size;
    if (t * step_size <= kStepTolerance * scale) {
      result.converged = true;
      break;
    }
  }
  result.objective = f;
  result.gradient_max = max_abs(derivatives(design, theta, c).gradient);
  result.coefficients = to_coefficients(theta);
  return result;
}

}  // namespace hades::lead_model
