// Tests of leads/icp_config.h: the shipped icp.yaml loads with its numbers, and each
// kind of mistake is an invalid_config error that points at the exact line and column.

#include "leads/icp_config.h"

#include <boost/test/unit_test.hpp>
#include <string>

#include "leads_testing.h"
#include "test_support.h"

namespace hades::domain {
namespace {

using scorer::testing::shipped_icp;
using scorer::testing::shipped_icp_path;

std::string shipped_text() { return hades::testing::read_file(shipped_icp_path()); }

// The shipped file with the first occurrence of `from` replaced by `to`.
std::string edited(const std::string& from, const std::string& to) {
  std::string text = shipped_text();
  const std::size_t at = text.find(from);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, "the shipped icp.yaml has no '" << from << "'");
  return text.replace(at, from.size(), to);
}

// The message of the error parsing `text` gives; fails the test when it parses.
std::string error_of(const std::string& text) {
  const Result<IcpConfig> got = parse_icp_config(text, "icp.yaml");
  BOOST_REQUIRE_MESSAGE(!got.ok(), "expected an error");
  BOOST_TEST(got.status().code() == StatusCode::kInvalidConfig);
  return got.status().message();
}

BOOST_AUTO_TEST_SUITE(icp_config)

BOOST_AUTO_TEST_CASE(shipped_config_loads_with_its_numbers) {
  const IcpConfig& icp = shipped_icp();
  BOOST_TEST(icp.intent_weights.signal_strength == 0.50);
  BOOST_TEST(icp.intent_weights.onsite_likelihood == 0.25);
  BOOST_TEST(icp.intent_weights.freshness == 0.25);
  BOOST_TEST(icp.geography_weights.proximity == 0.40);
  BOOST_TEST(icp.geography_weights.onsite_likelihood == 0.25);
  BOOST_TEST(icp.geography_weights.authority == 0.15);
  BOOST_TEST(icp.geography_weights.employee_scale == 0.20);
  BOOST_TEST(icp.authority_scores.size() == 6u);
  BOOST_TEST(icp.authority_scores.front().first == "C Level Exec");
  BOOST_TEST(icp.authority_default == 40);
  BOOST_TEST(icp.authority_title_keywords.size() == 7u);
  BOOST_TEST(icp.authority_title_keywords[3] == "food service");
  BOOST_TEST(icp.signal_strength_scores.size() == 3u);
  BOOST_TEST(icp.freshness.size() == 4u);
  BOOST_TEST(icp.freshness[1].name == "warm");
  BOOST_TEST(icp.freshness[1].max_days == 7);
  BOOST_TEST(icp.freshness[1].multiplier == 0.7);
  BOOST_TEST(icp.freshness[1].label == "Warm");
  BOOST_TEST(icp.freshness[3].multiplier == 0.0);
  BOOST_TEST(icp.sic_scores.size() == 16u);
  BOOST_TEST(icp.sic_default == 40);
  BOOST_TEST(icp.employee_scale.size() == 3u);
  BOOST_TEST(icp.employee_scale[2].max == 999999);
  BOOST_TEST(icp.proximity.size() == 5u);
  BOOST_TEST(icp.proximity[4].max_miles == 100.0);
  BOOST_TEST(icp.call_center_agents.size() == 5u);
  BOOST_TEST(icp.source == shipped_icp_path());
  BOOST_TEST(icp.sha256 == sha256_hex(shipped_text()));
}

BOOST_AUTO_TEST_CASE(sha256_of_known_inputs) {
  BOOST_TEST(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  BOOST_TEST(sha256_hex("abc") ==
             "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(missing_key_points_at_its_mapping) {
  // scoring.intent starts at line 42, column 5 (`signal_strength: 0.50`).
  BOOST_TEST(error_of(edited("    freshness: 0.25\n", "")) ==
             "icp.yaml:42:5: scoring.intent: missing key 'freshness'");
}

BOOST_AUTO_TEST_CASE(mistyped_number_points_at_the_value) {
  BOOST_TEST(error_of(edited("multiplier: 0.7", "multiplier: high")) ==
             "icp.yaml:93:17: freshness.warm.multiplier: expected a number, got 'high'");
}

BOOST_AUTO_TEST_CASE(mistyped_score_points_at_the_value) {
  BOOST_TEST(error_of(edited("\"Director\": 75", "\"Director\": 7.5")) ==
             "icp.yaml:63:15: authority_scores.Director: expected a whole number, got '7.5'");
}

BOOST_AUTO_TEST_CASE(empty_value_points_at_its_key) {
  BOOST_TEST(error_of(edited("max_days: 7\n", "max_days:\n")) ==
             "icp.yaml:92:5: freshness.warm.max_days: expected a whole number, got nothing");
}

BOOST_AUTO_TEST_CASE(list_where_a_mapping_belongs) {
  BOOST_TEST(error_of(edited("  intent:\n    signal_strength: 0.50\n    onsite_likelihood: 0.25\n"
                             "    freshness: 0.25\n",
                             "  intent: [0.5, 0.25, 0.25]\n")) ==
             "icp.yaml:41:11: scoring.intent: expected a mapping, got a list");
}

BOOST_AUTO_TEST_CASE(out_of_range_values) {
  BOOST_TEST(error_of(edited("\"4581\": 100", "\"4581\": 120")) ==
             "icp.yaml:113:13: onsite_likelihood.sic_scores.4581: must be between 0 and 100, "
             "got 120");
  BOOST_TEST(error_of(edited("multiplier: 0.7", "multiplier: 1.5")) ==
             "icp.yaml:93:17: freshness.warm.multiplier: must be between 0 and 1, got 1.5");
}

BOOST_AUTO_TEST_CASE(weights_must_sum_to_one) {
  BOOST_TEST(error_of(edited("signal_strength: 0.50", "signal_strength: 0.60")) ==
             "icp.yaml:42:5: scoring.intent: weights sum to 1.1; they must sum to 1.0");
}

BOOST_AUTO_TEST_CASE(signal_strength_needs_low) {
  BOOST_TEST(error_of(edited("  Low: 40\n", "")) ==
             "icp.yaml:81:3: signal_strength_scores: missing key 'Low'");
}

BOOST_AUTO_TEST_CASE(sic_keys_must_be_four_digits) {
  BOOST_TEST(error_of(edited("\"3599\":  47", "\"359\":  47")) ==
             "icp.yaml:110:5: onsite_likelihood.sic_scores.359: a SIC code must be 4 digits");
}

BOOST_AUTO_TEST_CASE(duplicate_keys) {
  BOOST_TEST(error_of(edited("  Low: 40\n", "  Low: 40\n  High: 90\n")) ==
             "icp.yaml:84:3: signal_strength_scores: duplicate key 'High' (first at line 81)");
}

BOOST_AUTO_TEST_CASE(missing_section_points_at_the_document) {
  BOOST_TEST(
      error_of(edited("proximity:\n  - max_miles: 5", "proximity_tiers:\n  - max_miles: 5")) ==
      "icp.yaml:5:1: missing key 'proximity'");
}

BOOST_AUTO_TEST_CASE(yaml_syntax_error_has_a_location) {
  const std::string message = error_of("scoring:\n  intent: [0.5,\n");
  BOOST_TEST(message.rfind("icp.yaml:", 0) == 0u, message);
  BOOST_TEST(error_of("") == "icp.yaml:1:1: expected a mapping of sections, got nothing");
}

BOOST_AUTO_TEST_CASE(agents_are_optional_but_typed) {
  const Result<IcpConfig> without =
      parse_icp_config(edited("call_center_agents:", "call_center_agents_unused:"), "icp.yaml");
  BOOST_REQUIRE(without.ok());
  BOOST_TEST(without->call_center_agents.empty());
  BOOST_TEST(error_of(edited("  - \"agent1@example.com\"", "  - {name: agent1}"))
                 .find("call_center_agents[0]: expected text, got a mapping") != std::string::npos);
}

// A missing file stays missing on the next try: exit 2, not a retried exit 1.
BOOST_AUTO_TEST_CASE(a_missing_file_is_a_config_error_naming_it) {
  const Result<IcpConfig> got = load_icp_config("/nonexistent/icp.yaml");
  BOOST_TEST(got.status().code() == StatusCode::kInvalidConfig);
  BOOST_TEST(got.status().message() ==
             "cannot open icp.yaml /nonexistent/icp.yaml: No such file or directory");
}

BOOST_AUTO_TEST_CASE(agents_must_be_e_mail_addresses) {
  const std::string named = error_of(edited("  - \"agent3@example.com\"", "  - \"Agent Three\""));
  BOOST_TEST(named ==
                 "icp.yaml:177:5: call_center_agents[2]: 'Agent Three' is not an e-mail "
                 "address",
             named);
  BOOST_TEST(error_of(edited("  - \"agent3@example.com\"", "  - \"a@b@c\""))
                 .find("is not an e-mail address") != std::string::npos);
  for (const char* good : {"a@x", "first.last+tag@sub.example.co.uk", "o'brien@example.com"}) {
    BOOST_TEST(is_email_address(good), good);
  }
  for (const char* bad : {"", "@x", "a@", "a b@x", "a@x..y", "a@.x", "a@x.", "<a@x>", "a@x\r",
                          "a@exa mple.com", "a@ex_ample.com"}) {
    BOOST_TEST(!is_email_address(bad), bad);
  }
}

// The rules take the first tier that fits: a tier after a wider one is never reached.
BOOST_AUTO_TEST_CASE(tiers_out_of_order_are_errors) {
  BOOST_TEST(error_of(edited("max_days: 7", "max_days: 2"))
                 .find("freshness.warm: tiers must be in order of max_days, each above the one "
                       "before: 2 after 3") != std::string::npos);
  BOOST_TEST(error_of(edited("max_days: 14", "max_days: 7")).find("7 after 7") !=
             std::string::npos);
  BOOST_TEST(error_of(edited("  - min: 101", "  - min: 100"))
                 .find("employee_scale[1]: tiers must be in order and must not overlap: min 100 "
                       "is not above the previous tier's max 100") != std::string::npos);
  BOOST_TEST(error_of(edited("max_miles: 10", "max_miles: 4"))
                 .find("proximity[1]: tiers must be in order of max_miles, each above the one "
                       "before: 4 after 5") != std::string::npos);
}

// Fast and clear, where yaml-cpp said "bad file" or a walk of the tree would never end.
BOOST_AUTO_TEST_CASE(alias_bombs_deep_nesting_and_huge_files_are_refused) {
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 12; ++i) {
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) bomb += (k ? ", *a" : "*a") + std::to_string(i - 1);
    bomb += "]\n";
  }
  BOOST_TEST(error_of(shipped_text() + bomb)
                 .find("the YAML expands to more than 100000 nodes once its aliases are "
                       "followed (an alias bomb?)") != std::string::npos);
  const std::string deep = std::string(5000, '[') + std::string(5000, ']');
  const std::string nested = error_of("hard_filters: " + deep);
  BOOST_TEST(nested == "icp.yaml:1:78: the YAML is nested more than 64 levels deep", nested);
  BOOST_TEST(error_of(shipped_text() + "# " + std::string(1 << 20, 'x') + "\n")
                 .find("the YAML is larger than 1048576 bytes") != std::string::npos);
  // A small alias is fine.
  BOOST_TEST(parse_icp_config(shipped_text() + "x: &x [1, 2]\ny: [*x, *x]\n", "icp.yaml").ok());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::domain
