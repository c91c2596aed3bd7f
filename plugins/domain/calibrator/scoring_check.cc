#include "scoring_check.h"

#include <algorithm>
#include <array>

#include "bucket_sql.h"
#include "leads/scoring.h"

namespace hades::calibrator {
namespace {

constexpr std::size_t kScores = domain::kMaxScore + 1;

struct Band {
  std::string_view label;
  std::int64_t min_score;
  std::int64_t max_score;
};
// domain::priority_label()'s thresholds, best first.
constexpr std::array<Band, 4> kBands = {
    {{"High", 80, 100}, {"Medium", 60, 79}, {"Low", 40, 59}, {"Very Low", 0, 39}}};

void add(Rate& r, std::int64_t n, std::int64_t k) {
  r.n += n;
  r.k += k;
}

Rate finished(const Rate& r) { return rate_of(r.n, r.k); }

WorkflowRate workflow_rate(std::string name, const Rate& counts, const Rate& baseline) {
  WorkflowRate w;
  w.workflow = std::move(name);
  w.rate = finished(counts);
  if (w.rate.rate && baseline.rate) {
    w.difference = *w.rate.rate - *baseline.rate;
    w.difference_interval =
        newcombe_difference_interval(w.rate.k, w.rate.n, baseline.k, baseline.n);
  }
  return w;
}

}  // namespace

std::size_t period_of(const std::vector<std::string>& change_times, std::string_view exported_at) {
  return static_cast<std::size_t>(
      std::upper_bound(change_times.begin(), change_times.end(), exported_at,
                       [](std::string_view at, const std::string& t) { return at < t; }) -
      change_times.begin());
}

Rate rate_of(std::int64_t n, std::int64_t k) {
  Rate r;
  r.n = n;
  r.k = k;
  if (n > 0) {
    r.rate = static_cast<double>(k) / static_cast<double>(n);
    r.wilson = wilson_interval(k, n);
  }
  return r;
}

std::vector<ScoreRangeRate> score_deciles(const std::vector<Rate>& per_score) {
  std::int64_t total = 0;
  for (const Rate& r : per_score) total += r.n;
  std::vector<ScoreRangeRate> out;
  std::size_t next_score = 0;  // the lowest score not yet in a decile
  std::int64_t below = 0;      // leads of the scores before next_score
  // Invariant: 10 * below < d * total, so decile d still needs leads (in whole leads: exact).
  for (std::int64_t d = 1; d <= 10 && total > 0;) {
    // The d/10 quantile: the lowest score whose cumulative count reaches d/10 of the leads.
    std::size_t cut = next_score;
    std::int64_t cumulative = below + per_score[cut].n;
    while (10 * cumulative < d * total) cumulative += per_score[++cut].n;
    // The cut's leads may reach further deciles too: they stay together.
    const std::int64_t last = std::min<std::int64_t>(10, 10 * cumulative / total);
    ScoreRangeRate r;
    r.label = last == d ? std::to_string(d) : std::to_string(d) + "-" + std::to_string(last);
    Rate counts;
    for (std::size_t s = next_score; s <= cut; ++s) add(counts, per_score[s].n, per_score[s].k);
    std::size_t lo = next_score;
    while (per_score[lo].n == 0) ++lo;
    r.min_score = static_cast<std::int64_t>(lo);
    r.max_score = static_cast<std::int64_t>(cut);
    r.rate = finished(counts);
    out.push_back(std::move(r));
    below = cumulative;
    next_score = cut + 1;
    d = last + 1;
  }
  return out;
}

ScoringCheck check_scoring(const Rate& baseline, const std::vector<ChangePoint>& changes,
                           const std::vector<ScoreCount>& counts) {
  ScoringCheck out;
  out.baseline = finished(baseline);
  const std::size_t periods = changes.size() + 1;
  // Per period: all, intent, geography; and leads per score.
  std::vector<std::array<Rate, 3>> workflows(periods);
  std::vector<std::vector<Rate>> scores(periods, std::vector<Rate>(kScores));
  std::vector<std::int64_t> unscored(periods, 0);
  for (const ScoreCount& c : counts) {
    if (c.period >= periods) continue;
    add(workflows[c.period][0], c.n, c.k);
    if (c.workflow == kIntent) add(workflows[c.period][1], c.n, c.k);
    if (c.workflow == kGeography) add(workflows[c.period][2], c.n, c.k);
    if (c.score >= 0 && c.score <= domain::kMaxScore) {
      add(scores[c.period][static_cast<std::size_t>(c.score)], c.n, c.k);
    } else {
      unscored[c.period] += c.n;
    }
  }
  for (std::size_t p = 0; p < periods; ++p) {
    ScoringPeriod period;
    if (p > 0) {
      period.since = changes[p - 1];
      period.from = changes[p - 1].applied_at;
    }
    if (p < changes.size()) period.to = changes[p].applied_at;
    period.workflows = {workflow_rate("all", workflows[p][0], out.baseline),
                        workflow_rate("intent", workflows[p][1], out.baseline),
                        workflow_rate("geography", workflows[p][2], out.baseline)};
    period.unscored = unscored[p];
    for (const Band& b : kBands) {
      Rate band;
      for (std::int64_t s = b.min_score; s <= b.max_score; ++s) {
        add(band, scores[p][static_cast<std::size_t>(s)].n,
            scores[p][static_cast<std::size_t>(s)].k);
      }
      period.bands.push_back({std::string(b.label), b.min_score, b.max_score, finished(band)});
    }
    for (Rate& r : scores[p]) r = finished(r);
    period.deciles = score_deciles(scores[p]);
    out.periods.push_back(std::move(period));
  }
  return out;
}

}  // namespace hades::calibrator
