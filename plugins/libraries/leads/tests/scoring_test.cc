// Tests of leads/scoring.h with the shipped icp.yaml: every lookup, default and tier
// edge of domain.md's rules, and whole scores computed by hand.

#include "leads/scoring.h"

#include <boost/test/unit_test.hpp>
#include <optional>
#include <string>
#include <vector>

#include "leads_testing.h"
#include "test_support.h"

namespace hades::domain {
namespace {

using scorer::testing::shipped_icp;
using OptInt = std::optional<std::int64_t>;

BOOST_AUTO_TEST_SUITE(scoring)

BOOST_AUTO_TEST_CASE(onsite_score_of_every_listed_sic_and_the_default) {
  const std::vector<std::pair<const char*, std::int64_t>> cases = {
      {"3599", 47},
      {"3999", 35},
      {"4213", 76},
      {"4581", 100},
      {"4731", 79},
      {"5511", 43},
      {"7011", 40},
      {"7991", 50},
      {"8051", 42},
      {"8059", 56},
      {"8062", 33},
      {"8211", 37},
      {"8221", 41},
      {"8322", 31},
      {"8331", 51},
      {"8361", 71},
      // A target SIC without enough data, an unknown one, and none: the default.
      {"3531", 40},
      {"1234", 40},
      {"", 40}};
  for (const auto& [sic, expected] : cases) {
    BOOST_TEST(onsite_score(shipped_icp(), sic) == expected, "SIC '" << sic << "'");
  }
}

BOOST_AUTO_TEST_CASE(employee_scale_tier_edges) {
  const std::vector<std::pair<OptInt, std::int64_t>> cases = {
      {0, 40},   {49, 40},  {50, 100},    {74, 100},     {100, 100},         {101, 80},
      {500, 80}, {501, 20}, {999999, 20}, {1000000, 40}, {std::nullopt, 100}};  // unknown: taken as
                                                                                // 50 employees
  for (const auto& [employees, expected] : cases) {
    BOOST_TEST(employee_scale_score(shipped_icp(), employees) == expected,
               "employees " << employees.value_or(-1));
  }
}

BOOST_AUTO_TEST_CASE(proximity_tier_edges) {
  const std::vector<std::pair<std::optional<double>, std::int64_t>> cases = {
      {0.0, 100},   {5.0, 100},   {5.01, 85},        {10.0, 85},  {10.01, 70},
      {25.0, 70},   {25.01, 50},  {50.0, 50},        {50.01, 30}, {100.0, 30},
      {100.01, 30}, {2500.0, 30}, {std::nullopt, 70}};  // unknown: 15 miles
  for (const auto& [miles, expected] : cases) {
    BOOST_TEST(proximity_score(shipped_icp(), miles) == expected, "miles " << miles.value_or(-1));
  }
}

BOOST_AUTO_TEST_CASE(authority_with_keyword_bonus_cap_and_default) {
  struct Case {
    const char* level;
    const char* title;
    std::int64_t expected;
  };
  const std::vector<Case> cases = {
      {"C Level Exec", "CEO", 100},
      {"C Level Exec", "Chief Operations Officer", 100},  // 110, capped
      {"VP Level Exec", "VP Sales", 85},
      {"VP Level Exec", "VP Operations", 95},
      {"Director", "Director of Nursing", 75},
      {"Director", "Food Service Director", 85},
      {"Manager", "Facilities Manager", 70},
      {"Manager", "FACILITIES and Operations Manager", 70},  // one bonus, whatever the count
      {"Board Member", "Trustee", 50},
      {"Non Manager", "Receptionist", 30},
      {"Non Manager", "Building Engineer", 40},
      {"Intern", "Summer Intern", 40},  // unlisted level: default
      {"", "", 40},
      {"", "Property Manager", 50},
      {" director ", "", 75},  // case and blanks ignored
  };
  for (const Case& c : cases) {
    BOOST_TEST(authority_score(shipped_icp(), c.level, c.title) == c.expected,
               "'" << c.level << "' / '" << c.title << "'");
  }
}

BOOST_AUTO_TEST_CASE(signal_from_intent_score_or_strength) {
  const IcpConfig& icp = shipped_icp();
  BOOST_TEST(signal_score(icp, 85, "Low") == 85);  // a score wins over the strength
  BOOST_TEST(signal_score(icp, 100, "") == 100);
  BOOST_TEST(signal_score(icp, 150, "Low") == 100);  // capped
  BOOST_TEST(signal_score(icp, 1, "High") == 1);
  BOOST_TEST(signal_score(icp, 0, "High") == 100);  // not > 0: the strength
  BOOST_TEST(signal_score(icp, -5, "Medium") == 70);
  BOOST_TEST(signal_score(icp, std::nullopt, "High") == 100);
  BOOST_TEST(signal_score(icp, std::nullopt, "Medium") == 70);
  BOOST_TEST(signal_score(icp, std::nullopt, "Low") == 40);
  BOOST_TEST(signal_score(icp, std::nullopt, "high") == 100);
  BOOST_TEST(signal_score(icp, std::nullopt, "") == 40);  // missing strength = Low
  BOOST_TEST(signal_score(icp, std::nullopt, "Very High") == 40);
}

BOOST_AUTO_TEST_CASE(freshness_tier_edges) {
  struct Case {
    OptInt age;
    double multiplier;
    std::int64_t score;
    const char* label;
  };
  const std::vector<Case> cases = {{-2, 1.0, 100, "Hot"},  // a date after as_of
                                   {0, 1.0, 100, "Hot"},    {3, 1.0, 100, "Hot"},
                                   {4, 0.7, 70, "Warm"},    {7, 0.7, 70, "Warm"},
                                   {8, 0.4, 40, "Cooling"}, {14, 0.4, 40, "Cooling"},
                                   {15, 0.0, 0, "Stale"},   {999, 0.0, 0, "Stale"},
                                   {1000, 0.0, 0, "Stale"}, {std::nullopt, 0.0, 0, "Stale"}};
  for (const Case& c : cases) {
    const Freshness f = freshness(shipped_icp(), c.age);
    const std::string at = "age " + (c.age ? std::to_string(*c.age) : std::string("unknown"));
    BOOST_TEST(f.multiplier == c.multiplier, at);
    BOOST_TEST(f.score == c.score, at);
    BOOST_TEST(f.label == c.label, at);
    BOOST_TEST(f.stale() == (c.multiplier == 0.0), at);
  }
  BOOST_TEST(freshness(shipped_icp(), std::nullopt).age_days == 999);
}

BOOST_AUTO_TEST_CASE(audience_bonus_a_to_d) {
  BOOST_TEST(audience_bonus("A") == 10);
  BOOST_TEST(audience_bonus("B") == 7);
  BOOST_TEST(audience_bonus("C") == 4);
  BOOST_TEST(audience_bonus("D") == 2);
  BOOST_TEST(audience_bonus(" a ") == 10);
  BOOST_TEST(audience_bonus("E") == 0);
  BOOST_TEST(audience_bonus("") == 0);
  BOOST_TEST(audience_bonus("AB") == 0);
}

BOOST_AUTO_TEST_CASE(employee_bonus_is_min_5_of_employees_over_200) {
  const std::vector<std::pair<OptInt, OptInt>> cases = {
      {0, 0},   {199, 0},  {200, 1},  {399, 1},  {400, 2},
      {999, 4}, {1000, 5}, {1200, 5}, {5000, 5}, {std::nullopt, std::nullopt}};
  for (const auto& [employees, expected] : cases) {
    BOOST_TEST((employee_bonus(employees) == expected), "employees " << employees.value_or(-1));
  }
}

BOOST_AUTO_TEST_CASE(round_half_to_even) {
  const std::vector<std::pair<double, double>> cases = {{72.5, 72.0},
                                                        {73.5, 74.0},
                                                        {0.5, 0.0},
                                                        {1.5, 2.0},
                                                        {2.5, 2.0},
                                                        {72.49999999999999, 72.0},
                                                        {72.50000000000001, 73.0},
                                                        {72.0, 72.0},
                                                        {99.5, 100.0},
                                                        {100.5, 100.0},
                                                        {101.5, 102.0},
                                                        {0.0, 0.0},
                                                        {0.49, 0.0}};
  for (const auto& [value, expected] : cases) {
    BOOST_TEST(round_half_even(value) == expected, "value " << value);
  }
}

BOOST_AUTO_TEST_CASE(final_score_rounds_then_caps_at_100) {
  BOOST_TEST(final_score(98.5) == 98);
  BOOST_TEST(final_score(99.5) == 100);
  BOOST_TEST(final_score(100.0) == 100);
  BOOST_TEST(final_score(100.5) == 100);
  BOOST_TEST(final_score(115.0) == 100);
}

BOOST_AUTO_TEST_CASE(priority_label_edges) {
  const std::vector<std::pair<std::int64_t, const char*>> cases = {
      {100, "High"}, {80, "High"}, {79, "Medium"},   {60, "Medium"},
      {59, "Low"},   {40, "Low"},  {39, "Very Low"}, {0, "Very Low"}};
  for (const auto& [score, label] : cases) {
    BOOST_TEST(priority_label(score) == label, "score " << score);
    BOOST_TEST(priority_note(score) == (score >= 80 ? "Call first" : ""), "score " << score);
  }
}

BOOST_AUTO_TEST_CASE(workflow_names) {
  BOOST_TEST((parse_workflow("intent") == Workflow::kIntent));
  BOOST_TEST((parse_workflow("geography") == Workflow::kGeography));
  BOOST_TEST(!parse_workflow("Intent").has_value());
  BOOST_TEST(!parse_workflow("").has_value());
  BOOST_TEST(workflow_name(Workflow::kGeography) == "geography");
}

// ---------------------------------------------------------------------------------------------
// Whole intent scores: signal*0.50 + onsite*0.25 + freshness*0.25 + audience + employee bonus.

IntentInputs intent(std::string_view sic, OptInt employees, OptInt intent_score,
                    std::string_view strength, OptInt age, std::string_view audience) {
  return {sic, employees, intent_score, strength, age, audience};
}

BOOST_AUTO_TEST_CASE(intent_score_by_hand) {
  // 100*0.5 + 33*0.25 + 100*0.25 + 10 + 5 = 50 + 8.25 + 25 + 15 = 98.25 -> 98
  const IntentScore s =
      score_intent(shipped_icp(), intent("8062", 1200, std::nullopt, "High", 2, "A"));
  BOOST_TEST(s.signal == 100);
  BOOST_TEST(s.onsite == 33);
  BOOST_TEST(s.freshness.score == 100);
  BOOST_TEST(s.audience_bonus == 10);
  BOOST_TEST((s.employee_bonus == OptInt(5)));
  BOOST_TEST(s.total == 98.25);
  BOOST_TEST(s.score == 98);
  BOOST_TEST(!s.excluded());
}

BOOST_AUTO_TEST_CASE(intent_defaults_unknown_sic_employees_and_strength) {
  // Low 40*0.5 + default 40*0.25 + Warm 70*0.25 = 20 + 10 + 17.5 = 47.5 -> 48 (even); no bonus.
  const IntentScore s =
      score_intent(shipped_icp(), intent("", std::nullopt, std::nullopt, "", 5, ""));
  BOOST_TEST(s.total == 47.5);
  BOOST_TEST(s.score == 48);
  BOOST_TEST(!s.employee_bonus.has_value());
  BOOST_TEST(s.audience_bonus == 0);
}

BOOST_AUTO_TEST_CASE(intent_rounds_half_to_even) {
  // 7991 (50): Medium 70*0.5 + 50*0.25 + Hot 100*0.25 = 35 + 12.5 + 25 = 72.5 -> 72
  const IntentScore even_down =
      score_intent(shipped_icp(), intent("7991", std::nullopt, std::nullopt, "Medium", 0, ""));
  BOOST_TEST(even_down.total == 72.5);
  BOOST_TEST(even_down.score == 72);
  // + employee bonus 1 (200 employees) = 73.5 -> 74
  const IntentScore even_up =
      score_intent(shipped_icp(), intent("7991", 200, std::nullopt, "Medium", 0, ""));
  BOOST_TEST(even_up.total == 73.5);
  BOOST_TEST(even_up.score == 74);
}

BOOST_AUTO_TEST_CASE(intent_caps_at_100) {
  // 4581 (100): 50 + 25 + 25 + 10 + 5 = 115 -> 100
  const IntentScore s =
      score_intent(shipped_icp(), intent("4581", 1000, std::nullopt, "High", 1, "A"));
  BOOST_TEST(s.total == 115.0);
  BOOST_TEST(s.score == 100);
}

BOOST_AUTO_TEST_CASE(intent_score_beats_strength_and_cooling_freshness) {
  // intent_score 85: 42.5 + 8051 (42) 10.5 + Cooling 40*0.25 = 10 -> 63 + C 4 = 67
  const IntentScore s = score_intent(shipped_icp(), intent("8051", 150, 85, "Low", 14, "C"));
  BOOST_TEST(s.signal == 85);
  BOOST_TEST(s.freshness.label == "Cooling");
  BOOST_TEST(s.total == 67.0);
  BOOST_TEST(s.score == 67);
}

BOOST_AUTO_TEST_CASE(stale_and_unknown_dates_are_excluded) {
  BOOST_TEST(score_intent(shipped_icp(), intent("8062", 100, 90, "High", 15, "A")).excluded());
  const IntentScore unknown =
      score_intent(shipped_icp(), intent("8062", 100, 90, "High", std::nullopt, "A"));
  BOOST_TEST(unknown.excluded());
  BOOST_TEST(unknown.freshness.age_days == 999);
  BOOST_TEST(!score_intent(shipped_icp(), intent("8062", 100, 90, "High", 14, "A")).excluded());
}

// ---------------------------------------------------------------------------------------------
// Whole geography scores: proximity*0.40 + onsite*0.25 + authority*0.15 + employee*0.20.

BOOST_AUTO_TEST_CASE(geography_score_by_hand) {
  // 100*0.4 + 33*0.25 + 85*0.15 + 100*0.2 = 40 + 8.25 + 12.75 + 20 = 81
  const GeographyScore s =
      score_geography(shipped_icp(), {"8062", 74, 4.2, "Director", "Director of Facilities"});
  BOOST_TEST(s.proximity == 100);
  BOOST_TEST(s.onsite == 33);
  BOOST_TEST(s.authority == 85);
  BOOST_TEST(s.employee == 100);
  BOOST_TEST(s.distance_miles == 4.2);
  BOOST_TEST(s.total == 81.0);
  BOOST_TEST(s.score == 81);
}

BOOST_AUTO_TEST_CASE(geography_defaults_for_unknowns) {
  // 15 miles -> 70*0.4 + 40*0.25 + 40*0.15 + unknown employees (taken as 50: the 50-100 tier,
  // 100) 100*0.2 = 28 + 10 + 6 + 20 = 64. Not an employee score of 50 (that was 54).
  const GeographyScore s = score_geography(shipped_icp(), {"", std::nullopt, std::nullopt, "", ""});
  BOOST_TEST(s.distance_miles == 15.0);
  BOOST_TEST(s.proximity == 70);
  BOOST_TEST(s.employee == 100);
  BOOST_TEST(s.total == 64.0);
  BOOST_TEST(s.score == 64);
}

BOOST_AUTO_TEST_CASE(geography_rounds_half_to_even_as_ieee_sums_it) {
  // 100*0.4 + 3599 (47)*0.25 + VP 85*0.15 + 50-100 employees 100*0.2 sums to exactly 84.5.
  const GeographyScore down =
      score_geography(shipped_icp(), {"3599", 60, 3.0, "VP Level Exec", "VP Sales"});
  BOOST_TEST(down.total == 84.5);
  BOOST_TEST(down.score == 84);
  // With 3999 (35): exactly 81.5 -> 82.
  const GeographyScore up =
      score_geography(shipped_icp(), {"3999", 60, 3.0, "VP Level Exec", "VP Sales"});
  BOOST_TEST(up.total == 81.5);
  BOOST_TEST(up.score == 82);
}

BOOST_AUTO_TEST_CASE(weights_that_land_on_half_in_binary) {
  // Weights that are exact binary fractions make x.5 totals certain: 0.5/0.25/0.125/0.125.
  IcpConfig icp = shipped_icp();
  icp.geography_weights = {0.5, 0.25, 0.125, 0.125};
  // 85*0.5 + 40*0.25 + 40*0.125 + 100*0.125 = 42.5 + 10 + 5 + 12.5 = 70 ; with 30 authority
  // (Non Manager): 42.5 + 10 + 3.75 + 12.5 = 68.75 -> 69
  BOOST_TEST(score_geography(icp, {"1234", 80, 7.0, "", ""}).total == 70.0);
  BOOST_TEST(score_geography(icp, {"1234", 80, 7.0, "Non Manager", ""}).score == 69);
  // 20 miles, 5511 (43), Manager, 600 employees: 35 + 10.75 + 7.5 + 2.5 = 55.75 -> 56
  BOOST_TEST(score_geography(icp, {"5511", 600, 20.0, "Manager", ""}).score == 56);
  // The same with 8051 (42): 35 + 10.5 + 7.5 + 2.5 = 55.5 -> 56, up to even
  const GeographyScore up = score_geography(icp, {"8051", 600, 20.0, "Manager", ""});
  BOOST_TEST(up.total == 55.5);
  BOOST_TEST(up.score == 56);
  // 7 miles, 8051, default authority, 80 employees: 42.5 + 10.5 + 5 + 12.5 = 70.5 -> 70, down
  const GeographyScore down = score_geography(icp, {"8051", 80, 7.0, "", ""});
  BOOST_TEST(down.total == 70.5);
  BOOST_TEST(down.score == 70);
}

BOOST_AUTO_TEST_CASE(geography_caps_at_100_with_generous_weights) {
  IcpConfig icp = shipped_icp();
  icp.geography_weights = {1.0, 1.0, 0.0, 0.0};  // not a valid file, but the cap must hold
  const GeographyScore s = score_geography(icp, {"4581", 75, 1.0, "", ""});
  BOOST_TEST(s.total == 200.0);
  BOOST_TEST(s.score == 100);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::domain
