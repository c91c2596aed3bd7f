// Tests of leads/icp_edit.h and leads/text_diff.h: the plan of an edit of icp.yaml, without a
// database. Golden before/after files per dimension (regenerate on purpose with
// HADES_UPDATE_GOLDEN=1), a new SIC, CRLF line ends, a BOM, odd but valid YAML, every refusal,
// and a property test of random selections on the shipped config/icp.yaml: the diff touches only
// the selected lines and the scorer reads exactly the new values.

#include "leads/icp_edit.h"

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <map>
#include <random>
#include <set>

#include "leads/icp_config.h"
#include "leads/text_diff.h"
#include "process.h"
#include "test_support.h"
#include "weights_testing.h"

namespace hades::weight_writer {
namespace {

using domain::IcpChange;
using domain::IcpEditPlan;
using domain::Selection;
using testing::Bucket;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string before_text() {
  return hades::testing::read_file(testing::golden_path("icp.before.yaml"));
}

Selection items(const std::string& text) {
  Result<Selection> s = domain::parse_selection(text);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.status().to_string());
  return std::move(s).value();
}

domain::PlanOptions options() {
  domain::PlanOptions o;
  o.calibrated_on = testing::kCalibratedOn;
  o.icp_name = "config/icp.yaml";
  return o;
}

// The shipped buckets with these suggestions ("sic:8361" -> 100).
std::vector<Bucket> suggest(const std::map<std::string, std::int64_t>& suggestions) {
  std::vector<Bucket> out = testing::shipped_buckets();
  for (Bucket& b : out) {
    const auto it = suggestions.find(b.dimension + ":" + b.bucket);
    if (it != suggestions.end()) b.suggested = it->second;
  }
  return out;
}

Result<IcpEditPlan> plan(const std::string& icp, const std::vector<Bucket>& buckets,
                         const std::string& selection) {
  return domain::plan_icp_edit(testing::report_json(icp, buckets), icp, items(selection),
                               options());
}

IcpEditPlan plan_ok(const std::string& icp, const std::vector<Bucket>& buckets,
                    const std::string& selection) {
  Result<IcpEditPlan> p = plan(icp, buckets, selection);
  BOOST_REQUIRE_MESSAGE(p.ok(), p.status().to_string());
  return std::move(p).value();
}

std::string refusal(const std::string& icp, const std::vector<Bucket>& buckets,
                    const std::string& selection) {
  Result<IcpEditPlan> p = plan(icp, buckets, selection);
  BOOST_REQUIRE_MESSAGE(!p.ok(), "expected a refusal of " << selection);
  BOOST_TEST(p.status().code() == StatusCode::kInvalidConfig);
  return p.status().message();
}

// Each golden case: the selection on icp.before.yaml, and the expected bytes after.
struct GoldenCase {
  const char* name;
  std::map<std::string, std::int64_t> suggestions;
  const char* selection;
};

const std::vector<GoldenCase>& golden_cases() {
  static const std::vector<GoldenCase> cases = {
      // 8062 narrows in the right-aligned column, 8361 widens to 100, 4581 leaves 100.
      {"sic", {{"sic:8361", 100}, {"sic:8062", 9}, {"sic:4581", 76}}, "sic:8361,sic:8062,sic:4581"},
      // Not in sic_scores: inserted in code order, named after hard_filters.sic_codes' comments.
      {"sic_new", {{"sic:7033", 52}, {"sic:4225", 61}}, "sic:7033,sic:4225"},
      {"employee_tier",
       {{"employee_tier:101-500", 72}, {"employee_tier:50-100", 95}},
       "employee_tier:101-500,employee_tier:50-100"},
      {"proximity",
       {{"proximity:5-10 mi", 84}, {"proximity:50-100 mi", 43}},
       "proximity:5-10 mi,proximity:50-100 mi"},
      {"signal_strength",
       {{"signal_strength:Medium", 64}, {"signal_strength:Low", 44}},
       "signal_strength:Medium,signal_strength:Low"},
      // 29 needs a third digit (int(100 * 0.29) is 28); Stale moves off 0.0.
      {"freshness",
       {{"freshness:Warm", 29}, {"freshness:Cooling", 63}, {"freshness:Stale", 5}},
       "freshness:Warm,freshness:Cooling,freshness:Stale"},
  };
  return cases;
}

BOOST_AUTO_TEST_SUITE(icp_edit)

BOOST_AUTO_TEST_CASE(golden_before_and_after_for_each_dimension) {
  const std::string before = before_text();
  for (const GoldenCase& c : golden_cases()) {
    BOOST_TEST_CONTEXT("case " << c.name) {
      const IcpEditPlan p = plan_ok(before, suggest(c.suggestions), c.selection);
      BOOST_TEST(p.text_after ==
                 testing::golden(std::string(c.name) + ".after.yaml", p.text_after));
      BOOST_TEST(p.changes.size() == c.suggestions.size());
      BOOST_TEST(p.sha256_after == domain::sha256_hex(p.text_after));
      BOOST_TEST(!p.diff.empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(a_changed_line_states_its_evidence_and_keeps_the_industry_name) {
  std::vector<Bucket> buckets = suggest({{"sic:8361", 100}, {"freshness:Warm", 63}});
  for (Bucket& b : buckets) {
    if (b.bucket == "8361") b.n = 1523, b.deliveries = 235;
  }
  const IcpEditPlan p = plan_ok(before_text(), buckets, "sic:8361,freshness:Warm");
  BOOST_TEST(has(p.text_after,
                 "    \"8361\": 100    # Residential Care: 15.4% delivery rate, 1,523 leads, "
                 "calibrated 2026-12-06, was 71\n"),
             p.diff);
  BOOST_TEST(has(p.text_after,
                 "    multiplier: 0.63  # score 63, 11.2% delivery rate, 412 leads, "
                 "calibrated 2026-12-06, was 0.7\n"),
             p.diff);
  BOOST_REQUIRE(p.changes.size() == 2u);
  const IcpChange& warm = p.changes[0];  // file order: freshness comes first
  BOOST_TEST(warm.place == "freshness.warm.multiplier");
  BOOST_TEST(warm.old_value == "0.7");
  BOOST_TEST(warm.new_value == "0.63");
  BOOST_TEST(warm.old_score == 70);
  BOOST_TEST(warm.new_score == 63);
  const IcpChange& sic = p.changes[1];
  BOOST_TEST(sic.place == "onsite_likelihood.sic_scores.\"8361\"");
  BOOST_TEST(sic.line == 125);
  BOOST_TEST(sic.leads == 1523);
  BOOST_TEST(sic.confidence == "High");
}

BOOST_AUTO_TEST_CASE(new_sic_codes_are_inserted_in_order_with_the_neighbours_layout) {
  const IcpEditPlan p = plan_ok(before_text(), suggest({{"sic:7033", 52}}), "sic:7033");
  BOOST_TEST(has(p.text_after,
                 "    \"7011\":  40    # Hotels and Motels                 (N=410, rate=6.8%)\n"
                 "    \"7033\":  52    # Recreational Vehicle Parks: 11.2% delivery rate, 412 "
                 "leads, calibrated 2026-12-06, was default 40\n"
                 "    \"7991\":  50"),
             p.diff);
  BOOST_REQUIRE(p.changes.size() == 1u);
  BOOST_TEST(p.changes[0].inserted);
  BOOST_TEST(p.changes[0].line == 117);
  BOOST_TEST(p.changes[0].old_value == "");
  BOOST_TEST(p.changes[0].old_score == 40);
  // Codes sorted after and before every one: appended after 8361, and first.
  std::vector<Bucket> buckets = testing::shipped_buckets();
  buckets.push_back({"sic", "9711", 40, 44});
  buckets.push_back({"sic", "0742", 40, 30});
  const IcpEditPlan ends = plan_ok(before_text(), buckets, "sic:9711,sic:0742");
  BOOST_TEST(has(ends.text_after,
                 "  sic_scores:\n    \"0742\":  30    # 11.2% delivery rate, 412 leads, "
                 "calibrated 2026-12-06, was default 40\n    \"3599\":"),
             ends.diff);
  BOOST_TEST(
      has(ends.text_after, "(N=218, rate=17.4%)\n    \"9711\":  44    # National Security: "),
      ends.diff);
}

BOOST_AUTO_TEST_CASE(crlf_line_ends_stay_crlf) {
  const std::string before = testing::to_crlf(before_text());
  for (const GoldenCase& c : golden_cases()) {
    BOOST_TEST_CONTEXT("case " << c.name) {
      const IcpEditPlan p = plan_ok(before, suggest(c.suggestions), c.selection);
      BOOST_TEST(p.text_after == testing::to_crlf(hades::testing::read_file(
                                     testing::golden_path(std::string(c.name) + ".after.yaml"))));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_utf8_bom_is_kept_and_does_not_shift_the_edit) {
  const std::string bom = "\xEF\xBB\xBF";
  const GoldenCase& c = golden_cases()[1];  // sic_new
  const IcpEditPlan p = plan_ok(bom + before_text(), suggest(c.suggestions), c.selection);
  BOOST_TEST(p.text_after ==
             bom + hades::testing::read_file(testing::golden_path("sic_new.after.yaml")));
}

BOOST_AUTO_TEST_CASE(odd_but_valid_yaml_is_edited_in_place) {
  const std::string before = hades::testing::read_file(testing::golden_path("odd.before.yaml"));
  BOOST_REQUIRE_MESSAGE(domain::parse_icp_config(before, "odd").ok(),
                        domain::parse_icp_config(before, "odd").status().to_string());
  const std::vector<Bucket> buckets = {{"sic", "8062", 33, 33},
                                       {"sic", "8361", 71, 90},
                                       {"sic", "4213", 76, 70},
                                       {"sic", "7033", 40, 52},
                                       {"employee_tier", "50-100", 100, 95},
                                       {"employee_tier", "101-500", 80, 72},
                                       {"employee_tier", "501-999999", 20, 31},
                                       {"proximity", "0-5 mi", 100, 100},
                                       {"proximity", "5-10.5 mi", 85, 84},
                                       {"signal_strength", "High", 100, 90},
                                       {"signal_strength", "Medium", 70, 64},
                                       {"signal_strength", "Low", 40, 44},
                                       {"freshness", "Hot", 100, 100},
                                       {"freshness", "Warm", 70, 73},
                                       {"freshness", "Cooling", 40, 61}};
  const IcpEditPlan p = plan_ok(before, buckets,
                                "sic:8361,sic:7033,employee_tier:50-100,employee_tier:101-500,"
                                "employee_tier:501-999999,proximity:5-10.5 mi,"
                                "signal_strength:Medium,signal_strength:Low,freshness:Warm,"
                                "freshness:Cooling");
  BOOST_TEST(p.text_after == testing::golden("odd.after.yaml", p.text_after));
  BOOST_TEST(p.changes.size() == 10u);
  // High is shared with best_signal through the anchor &top: changing one would change both.
  const std::string shared = refusal(before, buckets, "signal_strength:High");
  BOOST_TEST(has(shared, "shared through a YAML anchor"), shared);
}

BOOST_AUTO_TEST_CASE(a_file_without_a_last_line_end_gets_the_new_entry_on_a_line_of_its_own) {
  std::string before = before_text();
  // Move onsite_likelihood to the end, sic_scores last in it, and drop the final line end.
  const std::size_t begin = before.find("onsite_likelihood:\n  sic_scores:");
  const std::size_t end = before.find("# Employee Scale Scoring");
  std::string section = before.substr(begin, end - begin);
  before.erase(begin, end - begin);
  const std::size_t fallback = section.find("  default: 40");
  const std::string fallback_line =
      section.substr(fallback, section.find('\n', fallback) + 1 - fallback);
  section.erase(fallback, fallback_line.size());
  section.insert(section.find("  sic_scores:"), fallback_line);
  while (!section.empty() && section.back() == '\n') section.pop_back();
  before += "\n" + section;
  BOOST_REQUIRE(domain::parse_icp_config(before, "x").ok());
  std::vector<Bucket> buckets = testing::shipped_buckets();
  buckets.push_back({"sic", "9711", 40, 44});
  const IcpEditPlan p = plan_ok(before, buckets, "sic:9711");
  BOOST_TEST(p.text_after.substr(before.size()) ==
             "\n    \"9711\":  44    # National Security: 11.2% delivery rate, 412 leads, "
             "calibrated 2026-12-06, was default 40");
  BOOST_TEST(p.text_after.substr(0, before.size()) == before);
}

BOOST_AUTO_TEST_CASE(the_report_must_be_made_from_this_very_file) {
  const std::string before = before_text();
  const std::string report =
      testing::report_json(before + "# edited\n", suggest({{"sic:8361", 100}}));
  const Result<IcpEditPlan> p = domain::plan_icp_edit(report, before, items("sic:8361"), options());
  BOOST_REQUIRE(!p.ok());
  BOOST_TEST(p.status().code() == StatusCode::kInvalidConfig);
  BOOST_TEST(has(p.status().message(), "icp.yaml changed since this report; recalibrate"),
             p.status().message());
}

BOOST_AUTO_TEST_CASE(every_bad_item_is_refused_naming_it) {
  const std::string before = before_text();
  std::vector<Bucket> buckets = suggest({{"sic:8361", 100},
                                         {"sic:unknown", 54},
                                         {"employee_tier:outside tiers", 72},
                                         {"proximity:beyond 100 mi", 31},
                                         {"freshness:past tiers", 5},
                                         {"signal_strength:unknown", 60}});
  const std::pair<const char*, const char*> cases[] = {
      {"colour:red", "select: colour:red: the report has no dimension 'colour'"},
      {"state:MA", "select: state:MA: icp.yaml has no scores for state"},
      {"sic:9999", "select: sic:9999: the report has no bucket '9999' in sic"},
      {"sic:8062", "select: sic:8062: the report makes no suggestion for it"},
      {"sic:unknown", "select: sic:unknown has no place in icp.yaml: leads without a SIC"},
      {"employee_tier:outside tiers", "employee_tier:outside tiers has no place in icp.yaml"},
      {"proximity:beyond 100 mi", "proximity:beyond 100 mi has no place in icp.yaml"},
      {"freshness:past tiers", "freshness:past tiers has no place in icp.yaml"},
      {"signal_strength:unknown", "signal_strength:unknown has no place in icp.yaml"},
  };
  for (const auto& [selection, message] : cases) {
    BOOST_TEST_CONTEXT(selection) {
      const std::string m = refusal(before, buckets, std::string("sic:8361,") + selection);
      BOOST_TEST(has(m, message), m);
    }
  }
  // The report's current score must be what the file gives: else they are not the same file.
  for (Bucket& b : buckets) {
    if (b.bucket == "8361") b.current = 60;
  }
  const std::string m = refusal(before, buckets, "sic:8361");
  BOOST_TEST(has(m, "the report's current score 60 is not what icp.yaml gives it"), m);
  for (Bucket& b : buckets) {
    if (b.bucket == "8361") b.current = 71, b.suggested = 120;
  }
  BOOST_TEST(has(refusal(before, buckets, "sic:8361"), "120 is not 0-100"));
}

BOOST_AUTO_TEST_CASE(a_report_that_is_not_a_calibration_report_is_refused) {
  const std::string before = before_text();
  const auto refused = [&](const std::string& report) {
    const Result<IcpEditPlan> p =
        domain::plan_icp_edit(report, before, items("sic:8361"), options());
    BOOST_REQUIRE(!p.ok());
    BOOST_TEST(p.status().code() == StatusCode::kInvalidConfig);
    return p.status().message();
  };
  BOOST_TEST(has(refused("not json"), "not a JSON object"));
  std::string report = testing::report_json(before, suggest({{"sic:8361", 100}}));
  std::string v2 = report;
  v2.replace(v2.find("\"schema_version\": 1"), 19, "\"schema_version\": 2");
  BOOST_TEST(has(refused(v2), "schema_version: version 2"));
  std::string none = report;
  none.replace(none.find("\"status\": \"ok\""), 14, "\"status\": \"no_outcomes\"");
  BOOST_TEST(has(refused(none), "nothing to apply"));
  std::string typo = report;
  typo.replace(typo.find("\"n\": 412"), 8, "\"n\": \"x\"");
  BOOST_TEST(has(refused(typo), "dimensions[0].buckets[0].n: expected an integer"));
}

BOOST_AUTO_TEST_CASE(all_takes_every_differing_bucket_with_a_place_and_lists_the_rest) {
  const IcpEditPlan p = plan_ok(before_text(),
                                suggest({{"sic:8361", 100},
                                         {"sic:8062", 33},  // unchanged: not a change
                                         {"sic:7033", 52},
                                         {"sic:unknown", 54},
                                         {"proximity:5-10 mi", 84}}),
                                "all");
  std::set<std::string> changed;
  for (const IcpChange& c : p.changes) changed.insert(c.dimension + ":" + c.bucket);
  BOOST_TEST((changed == std::set<std::string>{"sic:8361", "sic:7033", "proximity:5-10 mi"}));
  BOOST_REQUIRE(p.skipped.size() == 1u);
  BOOST_TEST(p.skipped[0].item.bucket == "unknown");
  BOOST_TEST(has(p.skipped[0].reason, "no place in icp.yaml"));
}

BOOST_AUTO_TEST_CASE(supported_needs_verdicts_and_takes_only_supported_buckets) {
  std::vector<Bucket> buckets = suggest({{"sic:8361", 100}, {"sic:8059", 80}});
  const std::string m = refusal(before_text(), buckets, "supported");
  BOOST_TEST(has(m, "the report predates evidence verdicts"), m);
  for (Bucket& b : buckets) {
    if (b.bucket == "8361") b.verdict = "supported";
    if (b.bucket == "8059") b.verdict = "within_noise";
  }
  const IcpEditPlan p = plan_ok(before_text(), buckets, "supported");
  BOOST_REQUIRE(p.changes.size() == 1u);
  BOOST_TEST(p.changes[0].bucket == "8361");
}

BOOST_AUTO_TEST_CASE(an_item_already_at_its_suggestion_is_skipped_and_nothing_is_a_plan) {
  const std::string before = before_text();
  const IcpEditPlan p = plan_ok(before, suggest({{"sic:8062", 33}}), "sic:8062");
  BOOST_TEST(p.empty());
  BOOST_TEST(p.diff.empty());
  BOOST_TEST(p.text_after == before);
  BOOST_TEST(p.sha256_after == p.sha256_before);
  BOOST_REQUIRE(p.skipped.size() == 1u);
  BOOST_TEST(p.skipped[0].reason == "already 33");
}

BOOST_AUTO_TEST_CASE(selections_parse_and_print_back) {
  const Selection s = items(" sic:8062 , proximity:5-10 mi,sic:8062,employee_tier:101-500 ");
  BOOST_REQUIRE(s.items.size() == 3u);
  BOOST_TEST(s.items[1].bucket == "5-10 mi");
  BOOST_TEST(domain::selection_text(s) == "sic:8062,proximity:5-10 mi,employee_tier:101-500");
  BOOST_TEST((items("all").kind == Selection::Kind::kAll));
  BOOST_TEST((items("supported").kind == Selection::Kind::kSupported));
  for (const char* bad : {"", "  ", "sic", "sic:", ":8062", "sic:8062,,sic:8361", "all,sic:8062"}) {
    BOOST_TEST_CONTEXT("'" << bad << "'") {
      const Result<Selection> r = domain::parse_selection(bad);
      BOOST_TEST(!r.ok());
      BOOST_TEST((r.status().code() == StatusCode::kInvalidConfig));
    }
  }
}

BOOST_AUTO_TEST_CASE(every_freshness_score_has_a_multiplier_the_scorer_reads_back) {
  for (std::int64_t score = 0; score <= 100; ++score) {
    const std::string text = domain::multiplier_text(score);
    BOOST_TEST_CONTEXT(score << " -> " << text) {
      BOOST_TEST(static_cast<std::int64_t>(100.0 * std::strtod(text.c_str(), nullptr)) == score);
      BOOST_TEST(text.size() <= 5u);
    }
  }
  BOOST_TEST(domain::multiplier_text(70) == "0.7");
  BOOST_TEST(domain::multiplier_text(63) == "0.63");
  BOOST_TEST(domain::multiplier_text(29) == "0.291");
  BOOST_TEST(domain::multiplier_text(100) == "1.0");
  BOOST_TEST(domain::multiplier_text(0) == "0.0");
}

BOOST_AUTO_TEST_CASE(evidence_numbers_read_as_in_the_comments) {
  BOOST_TEST(domain::count_text(0) == "0");
  BOOST_TEST(domain::count_text(999) == "999");
  BOOST_TEST(domain::count_text(1523) == "1,523");
  BOOST_TEST(domain::count_text(1234567) == "1,234,567");
  BOOST_TEST(domain::count_text(-1523) == "-1,523");
  BOOST_TEST(domain::rate_text(0.1124) == "11.2%");
  BOOST_TEST(domain::rate_text(0) == "0.0%");
}

BOOST_AUTO_TEST_CASE(changes_round_trip_through_their_json) {
  const IcpEditPlan p =
      plan_ok(before_text(), suggest({{"sic:8361", 100}, {"sic:7033", 52}}), "sic:8361,sic:7033");
  const Result<std::vector<IcpChange>> back =
      domain::changes_from_json(domain::changes_to_json(p.changes));
  BOOST_REQUIRE(back.ok());
  BOOST_REQUIRE(back->size() == p.changes.size());
  for (std::size_t i = 0; i < back->size(); ++i) {
    const IcpChange& a = (*back)[i];
    const IcpChange& b = p.changes[i];
    BOOST_TEST((a.dimension == b.dimension && a.bucket == b.bucket && a.place == b.place &&
                a.line == b.line && a.inserted == b.inserted && a.old_value == b.old_value &&
                a.new_value == b.new_value && a.old_score == b.old_score &&
                a.new_score == b.new_score && a.leads == b.leads && a.rate == b.rate &&
                a.comment == b.comment));
  }
  BOOST_TEST(domain::changes_from_json("{}").status().code() == StatusCode::kCorruption);
}

// The property: any selection of the shipped file's buckets changes exactly the selected lines
// (plus one inserted line per new SIC), and the scorer then reads the suggestion for every
// selected bucket and today's score for every other.
BOOST_AUTO_TEST_CASE(random_selections_touch_only_their_lines_and_the_scorer_reads_them) {
  const std::string before = hades::testing::read_file(testing::repo_path("config/icp.yaml"));
  const Result<domain::IcpConfig> old = domain::parse_icp_config(before, "icp");
  BOOST_REQUIRE(old.ok());
  const std::vector<std::string> lines_before = [&] {
    std::vector<std::string> out;
    for (std::string_view l : domain::split_lines(before)) out.emplace_back(l);
    return out;
  }();
  std::mt19937 rng(20261206);
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<Bucket> buckets = testing::shipped_buckets();
    std::string selection;
    std::set<std::string> selected;
    for (Bucket& b : buckets) {
      if (!b.current) continue;
      b.suggested = std::uniform_int_distribution<std::int64_t>(0, 100)(rng);
      if (testing::has_place(b) && rng() % 3 == 0) {
        selection += (selection.empty() ? "" : ",") + b.dimension + ":" + b.bucket;
        selected.insert(b.dimension + ":" + b.bucket);
      }
    }
    if (selection.empty()) continue;
    BOOST_TEST_CONTEXT("trial " << trial << ": " << selection) {
      const IcpEditPlan p = plan_ok(before, buckets, selection);
      // The scorer reads the suggestion where selected, today's score elsewhere.
      const Result<domain::IcpConfig> now = domain::parse_icp_config(p.text_after, "icp");
      BOOST_REQUIRE(now.ok());
      for (const Bucket& b : buckets) {
        if (!testing::has_place(b)) continue;
        const bool chosen = selected.count(b.dimension + ":" + b.bucket) != 0;
        BOOST_TEST(testing::scorer_reads(*now, b) == (chosen ? *b.suggested : *b.current),
                   b.dimension << ":" << b.bucket);
      }
      BOOST_TEST(now->sic_default == old->sic_default);
      // Only the selected lines differ, once the inserted lines are taken out.
      std::vector<std::string> after;
      for (std::string_view l : domain::split_lines(p.text_after)) after.emplace_back(l);
      std::set<int> inserted;
      for (const IcpChange& c : p.changes) {
        if (c.inserted) inserted.insert(c.line);
      }
      std::vector<std::string> kept;
      for (std::size_t i = 0; i < after.size(); ++i) {
        if (inserted.count(static_cast<int>(i) + 1) == 0) kept.push_back(after[i]);
      }
      BOOST_REQUIRE(kept.size() == lines_before.size());
      std::set<int> expected;
      for (const IcpChange& c : p.changes) {
        if (c.inserted) continue;
        const int shift = static_cast<int>(
            std::count_if(inserted.begin(), inserted.end(), [&](int l) { return l < c.line; }));
        expected.insert(c.line - shift);
      }
      std::set<int> differing;
      for (std::size_t i = 0; i < kept.size(); ++i) {
        if (kept[i] != lines_before[i]) differing.insert(static_cast<int>(i) + 1);
      }
      BOOST_TEST((differing == expected));
      BOOST_TEST(p.changes.size() + p.skipped.size() == selected.size());
    }
  }
}

BOOST_AUTO_TEST_CASE(unified_diff_applies_with_patch_and_matches_gnu_diff) {
  hades::testing::TempDir dir;
  const std::string before = before_text();
  std::mt19937 rng(7);
  std::vector<std::string> lines;
  for (std::string_view l : domain::split_lines(before)) lines.emplace_back(l);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<std::string> edited = lines;
    for (int k = 0; k < 4; ++k) {
      const std::size_t at = rng() % edited.size();
      switch (rng() % 3) {
        case 0:
          edited[at] = "changed " + std::to_string(trial) + "\n";
          break;
        case 1:
          edited.insert(edited.begin() + static_cast<long>(at), "added\n");
          break;
        default:
          edited.erase(edited.begin() + static_cast<long>(at));
          break;
      }
    }
    std::string after;
    for (const std::string& l : edited) after += l;
    if (trial % 2 == 0) after.pop_back();  // no newline at the end
    hades::testing::write_file(dir.file("a.yaml"), before);
    hades::testing::write_file(dir.file("patch.diff"),
                               domain::unified_diff(before, after, "a/a.yaml", "b/a.yaml"));
    const hades::testing::ProcessResult r = hades::testing::run_process(
        {"/usr/bin/patch", "-s", "-p1", "-i", dir.file("patch.diff")}, dir.path());
    BOOST_TEST(r.exit_code == 0, r.out + r.err);
    BOOST_TEST(hades::testing::read_file(dir.file("a.yaml")) == after, "trial " << trial);
  }
  // One change in the middle: the same bytes as GNU diff -u, below the headers.
  std::string after = before;
  after.replace(after.find("  Medium: 70"), 12, "  Medium: 64");
  hades::testing::write_file(dir.file("x"), before);
  hades::testing::write_file(dir.file("y"), after);
  const hades::testing::ProcessResult gnu = hades::testing::run_process(
      {"/usr/bin/diff", "-u", dir.file("x"), dir.file("y")}, dir.path());
  const std::string ours = domain::unified_diff(before, after, "x", "y");
  BOOST_TEST(gnu.out.substr(gnu.out.find("@@")) == ours.substr(ours.find("@@")));
  BOOST_TEST(domain::unified_diff(before, before, "x", "y").empty());
  BOOST_TEST(domain::diff_label('a', "config/icp.yaml") == "a/config/icp.yaml");
  BOOST_TEST(domain::diff_label('b', "/srv/icp.yaml") == "b/srv/icp.yaml");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::weight_writer
