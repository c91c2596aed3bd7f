// scoring_check.h by hand: which period a lead falls in, score deciles with and without ties,
// bands, workflows and the difference from the baseline.

#include "scoring_check.h"

#include <boost/test/unit_test.hpp>

#include "bucket_sql.h"
#include "test_helpers.h"

namespace hades::calibrator {
namespace {

namespace tt = boost::test_tools;

std::vector<Rate> per_score(const std::vector<std::pair<std::int64_t, std::int64_t>>& at) {
  std::vector<Rate> out(101);
  for (const auto& [score, n] : at) out[static_cast<std::size_t>(score)] = rate_of(n, n / 2);
  return out;
}

std::vector<std::string> labels(const std::vector<ScoreRangeRate>& ranges) {
  std::vector<std::string> out;
  for (const ScoreRangeRate& r : ranges) {
    out.push_back(r.label + ":" + std::to_string(r.min_score) + "-" + std::to_string(r.max_score) +
                  ":" + std::to_string(r.rate.n));
  }
  return out;
}

BOOST_AUTO_TEST_SUITE(scoring_check)

BOOST_AUTO_TEST_CASE(a_lead_belongs_to_the_period_of_its_export_time) {
  const std::vector<std::string> changes = {"2025-02-01T00:00:00Z", "2025-03-01T00:00:00Z"};
  BOOST_TEST(period_of(changes, "2025-01-31T23:59:59Z") == 0u);
  BOOST_TEST(period_of(changes, "2025-02-01T00:00:00Z") == 1u);  // exported as it changed: after
  BOOST_TEST(period_of(changes, "2025-02-15T06:00:00Z") == 1u);
  BOOST_TEST(period_of(changes, "2025-03-01T00:00:00Z") == 2u);
  BOOST_TEST(period_of({}, "2025-03-01T00:00:00Z") == 0u);
}

BOOST_AUTO_TEST_CASE(deciles_of_distinct_scores_hold_a_tenth_each) {
  std::vector<std::pair<std::int64_t, std::int64_t>> one_each;
  for (std::int64_t s = 0; s < 100; ++s) one_each.emplace_back(s, 1);
  const auto deciles = score_deciles(per_score(one_each));
  BOOST_TEST_REQUIRE(deciles.size() == 10u);
  BOOST_TEST(labels(deciles).front() == "1:0-9:10");
  BOOST_TEST(labels(deciles).back() == "10:90-99:10");
}

BOOST_AUTO_TEST_CASE(leads_of_one_score_stay_in_one_decile_group) {
  // All at 50: one group covering every decile.
  BOOST_TEST(labels(score_deciles(per_score({{50, 100}}))) ==
             std::vector<std::string>{"1-10:50-50:100"});
  // 50 at 10, 50 at 90: the 1/10 quantile is 10, and its leads reach the 5/10 cut.
  BOOST_TEST(labels(score_deciles(per_score({{10, 50}, {90, 50}}))) ==
             (std::vector<std::string>{"1-5:10-10:50", "6-10:90-90:50"}));
  // 15 at 20, 85 spread over 30..46 (5 each): 20 covers decile 1 (10 leads) and part of 2.
  std::vector<std::pair<std::int64_t, std::int64_t>> mixed = {{20, 15}};
  for (std::int64_t s = 30; s < 47; ++s) mixed.emplace_back(s, 5);
  const auto groups = score_deciles(per_score(mixed));
  BOOST_TEST(labels(groups).front() == "1:20-20:15");  // 15 leads: 10 * 15 / 100 = 1.5 -> 1
  std::int64_t total = 0;
  for (const ScoreRangeRate& g : groups) total += g.rate.n;
  BOOST_TEST(total == 100);
  BOOST_TEST(groups.back().label == "10");
  BOOST_TEST(score_deciles(per_score({})).empty());
}

BOOST_AUTO_TEST_CASE(periods_workflows_bands_and_the_baseline) {
  const Rate baseline = rate_of(1000, 100);  // 10%
  const std::vector<ChangePoint> changes = {{7, "apply", "2025-02-01T00:00:00Z"}};
  const std::vector<ScoreCount> counts = {
      {0, kIntent, 85, 10, 5},           // before the change: High, 50%
      {0, kGeography, 30, 20, 1},        // Very Low, 5%
      {1, kIntent, 70, 10, 2},           // after: Medium, 20%
      {1, kGeography, kNoScore, 5, 0}};  // no usable score: counted, not banded
  const ScoringCheck check = check_scoring(baseline, changes, counts);
  BOOST_TEST(*check.baseline.rate == 0.1);
  BOOST_TEST_REQUIRE(check.periods.size() == 2u);
  const ScoringPeriod& before = check.periods[0];
  BOOST_TEST(!before.since.has_value());
  BOOST_TEST(before.from.empty());
  BOOST_TEST(before.to == "2025-02-01T00:00:00Z");
  BOOST_TEST(before.workflows[0].workflow == "all");
  BOOST_TEST(before.workflows[0].rate.n == 30);
  BOOST_TEST(before.workflows[0].rate.k == 6);
  BOOST_TEST(before.workflows[1].workflow == "intent");
  BOOST_TEST(*before.workflows[1].rate.rate == 0.5);
  BOOST_TEST(*before.workflows[1].difference == 0.4, tt::tolerance(1e-15));
  BOOST_TEST(before.workflows[1].difference_interval->low < 0.4);
  BOOST_TEST(before.workflows[1].difference_interval->low > 0.1);  // clearly above the baseline
  BOOST_TEST(before.workflows[2].rate.n == 20);
  BOOST_TEST(before.bands[0].label == "High");
  BOOST_TEST(before.bands[0].rate.n == 10);
  BOOST_TEST(before.bands[1].rate.n == 0);
  BOOST_TEST(!before.bands[1].rate.rate.has_value());  // no leads, no rate
  BOOST_TEST(before.bands[3].label == "Very Low");
  BOOST_TEST(before.bands[3].rate.k == 1);
  const ScoringPeriod& after = check.periods[1];
  BOOST_TEST(after.since->id == 7);
  BOOST_TEST(after.from == "2025-02-01T00:00:00Z");
  BOOST_TEST(after.to.empty());
  BOOST_TEST(after.workflows[0].rate.n == 15);
  BOOST_TEST(after.unscored == 5);
  BOOST_TEST(after.bands[1].rate.n == 10);  // Medium
  BOOST_TEST(after.deciles.size() == 1u);   // one score: one group
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::calibrator
