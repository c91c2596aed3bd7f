// synthetic.h: one-hot designs shaped like the lead model's (six features, rows that lack some),
// with planted effects, for the solver's tests.

#ifndef HADES_LEAD_MODEL_TESTS_SYNTHETIC_H_
#define HADES_LEAD_MODEL_TESTS_SYNTHETIC_H_

#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "lead_model/logistic.h"

namespace hades::lead_model::testing {

// One group of identical rows.
struct Group {
  std::vector<std::int32_t> active;
  std::int64_t n = 0;
  std::int64_t k = 0;
};

// Levels per feature, in column order: sic, employee tier, region, proximity, signal, freshness.
inline constexpr std::array<int, 6> kLevels = {24, 5, 5, 6, 4, 4};
inline constexpr int kColumns = 48;

// `rows` leads: a quarter historical (sic, employee, region), the rest intent (plus signal and
// freshness) or geography (plus proximity). Each feature's levels are drawn with uneven
// probabilities, so some are rare, and move the log-odds by a planted effect (sd `effect`) from
// an intercept of -2.3 (about 10% delivering). Identical rows are grouped.
inline std::vector<Group> synthetic_groups(std::uint64_t seed, int rows, double effect = 0.5) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0, effect);
  std::uniform_real_distribution<double> u(0, 1);
  std::array<std::vector<double>, 6> weights, effects;
  for (std::size_t f = 0; f < 6; ++f) {
    for (int l = 0; l < kLevels[f]; ++l) {
      weights[f].push_back(std::pow(u(rng), 2) + 0.01);
      effects[f].push_back(normal(rng));
    }
  }
  std::map<std::vector<std::int32_t>, std::pair<std::int64_t, std::int64_t>> grouped;
  for (int i = 0; i < rows; ++i) {
    const double kind = u(rng);
    std::array<bool, 6> has = {
        true, true, true, kind >= 0.65, kind >= 0.25 && kind < 0.65, kind >= 0.25 && kind < 0.65};
    std::vector<std::int32_t> active;
    double eta = -2.3;
    int offset = 0;
    for (std::size_t f = 0; f < 6; ++f) {
      if (has[f]) {
        std::discrete_distribution<int> pick(weights[f].begin(), weights[f].end());
        const int level = pick(rng);
        active.push_back(offset + level);
        eta += effects[f][static_cast<std::size_t>(level)];
      }
      offset += kLevels[f];
    }
    const bool y = u(rng) < 1 / (1 + std::exp(-eta));
    auto& [n, k] = grouped[active];
    ++n;
    k += y ? 1 : 0;
  }
  std::vector<Group> out;
  for (const auto& [active, nk] : grouped) out.push_back({active, nk.first, nk.second});
  return out;
}

inline Design design_of(const std::vector<Group>& groups) {
  Design d(kColumns);
  for (const Group& g : groups) {
    d.add(g.active, static_cast<double>(g.n), static_cast<double>(g.k));
  }
  return d;
}

}  // namespace hades::lead_model::testing

#endif  // HADES_LEAD_MODEL_TESTS_SYNTHETIC_H_
