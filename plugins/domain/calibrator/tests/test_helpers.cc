#define BOOST_TEST_MODULE calibrator
#include "test_helpers.h"

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <stdexcept>

#include "process.h"
#include "test_support.h"

namespace hades::calibrator::testing {

std::string repo_path(const std::string& relative) {
  return hades::testing::source_dir() + "/" + relative;
}

const domain::IcpConfig& shipped_icp() {
  static const domain::IcpConfig icp = [] {
    Result<domain::IcpConfig> loaded = domain::load_icp_config(repo_path("config/icp.yaml"));
    if (!loaded.ok()) throw std::runtime_error(loaded.status().to_string());
    return std::move(loaded).value();
  }();
  return icp;
}

nlohmann::json run_oracle(const nlohmann::json& request) {
  hades::testing::TempDir dir;
  const std::string in = dir.file("request.json");
  const std::string out = dir.file("answer.json");
  hades::testing::write_file(in, request.dump());
  const hades::testing::ProcessResult result = hades::testing::run_process(
      {kSystemPython, repo_path("plugins/domain/calibrator/tests/oracles/oracle.py"), in, out},
      dir.path());
  BOOST_REQUIRE_MESSAGE(result.exit_code == 0,
                        "the oracle failed (install python3-statsmodels python3-scipy "
                        "python3-sklearn: tools/lib/setup.sh): " +
                            result.err);
  return nlohmann::json::parse(hades::testing::read_file(out));
}

void generate_outcomes(const std::string& db_path, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {kSystemPython, repo_path("tools/generate_outcomes.py"), "--db",
                                   db_path};
  argv.insert(argv.end(), args.begin(), args.end());
  const hades::testing::ProcessResult result =
      hades::testing::run_process(argv, hades::testing::source_dir());
  BOOST_REQUIRE_MESSAGE(result.exit_code == 0, "generate_outcomes.py failed: " + result.err);
}

namespace {

// Every field of a cell, for comparing two cell lists with readable differences.
std::string describe(const LeadCell& c) {
  return std::string(c.historical ? "historical" : "lead") +
         " workflow=" + (c.workflow ? std::string(domain::workflow_name(*c.workflow)) : "-") +
         " sic=" + c.sic + " employee=" + c.employee + " proximity=" + c.proximity +
         " signal=" + c.signal + " numeric=" + (c.numeric_signal ? "1" : "0") +
         " freshness=" + c.freshness +
         " score=" + (c.hades_score ? std::to_string(*c.hades_score) : "-") +
         " holdout=" + (c.holdout ? "1" : "0") + " n=" + std::to_string(c.n) +
         " k=" + std::to_string(c.k);
}

std::vector<std::string> describe_all(const OutcomeData& data) {
  std::vector<std::string> out;
  for (const LeadCell& c : data.cells) out.push_back(describe(c));
  for (const KeyCount& s : data.states) {
    out.push_back("state " + s.key + " n=" + std::to_string(s.n) + " k=" + std::to_string(s.k));
  }
  return out;
}

}  // namespace

void check_same_outcomes(const OutcomeData& a, const OutcomeData& b) {
  const std::vector<std::string> left = describe_all(a);
  const std::vector<std::string> right = describe_all(b);
  BOOST_TEST(left.size() == right.size());
  for (std::size_t i = 0; i < std::min(left.size(), right.size()); ++i) {
    BOOST_TEST(left[i] == right[i], "row " << i << ": " << left[i] << " vs " << right[i]);
  }
  BOOST_TEST(a.volume.historical == b.volume.historical);
  BOOST_TEST(a.volume.leads_matured == b.volume.leads_matured);
  BOOST_TEST(a.volume.leads_pending == b.volume.leads_pending);
  BOOST_TEST(a.volume.early_deliveries == b.volume.early_deliveries);
  BOOST_TEST(a.holdout_date == b.holdout_date);
  BOOST_CHECK(a.volume.leads_by_scoring_rules == b.volume.leads_by_scoring_rules);
  BOOST_TEST(a.volume.leads_with_outdated_scores == b.volume.leads_with_outdated_scores);
  const auto scoring = [](const OutcomeData& d) {
    std::vector<std::string> out;
    for (const ScoreCount& c : d.scoring) {
      out.push_back(std::to_string(c.period) + "|" + std::to_string(c.workflow) + "|" +
                    std::to_string(c.score) + "|" + std::to_string(c.n) + "|" +
                    std::to_string(c.k));
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  BOOST_TEST(scoring(a) == scoring(b), boost::test_tools::per_element());
}

void check_same_batches(Database& db, const OutcomeData& a, const OutcomeData& b) {
  std::vector<double> probability;
  for (int score = 0; score <= 100; ++score) probability.push_back(0.01 + score / 200.0);
  const Result<std::vector<BatchRow>> left = load_batches(db, a, probability);
  const Result<std::vector<BatchRow>> right = load_batches(db, b, probability);
  BOOST_REQUIRE_MESSAGE(left.ok(), left.status().to_string());
  BOOST_REQUIRE_MESSAGE(right.ok(), right.status().to_string());
  BOOST_TEST_REQUIRE(left->size() == right->size());
  const auto close = [](double x, double y) {
    return std::abs(x - y) <= 1e-12 * std::max({1.0, std::abs(x), std::abs(y)});
  };
  for (std::size_t i = 0; i < left->size(); ++i) {
    const BatchRow& l = (*left)[i];
    const BatchRow& r = (*right)[i];
    BOOST_TEST(l.batch_id == r.batch_id, "batch " << i);
    BOOST_TEST(l.exported_at == r.exported_at, l.batch_id);
    BOOST_TEST(l.n == r.n, l.batch_id);
    BOOST_TEST(l.k == r.k, l.batch_id);
    BOOST_TEST(l.unscored == r.unscored, l.batch_id);
    BOOST_TEST(close(l.expected, r.expected),
               l.batch_id << ": " << l.expected << " vs " << r.expected);
    BOOST_TEST(close(l.variance, r.variance),
               l.batch_id << ": " << l.variance << " vs " << r.variance);
  }
}

}  // namespace hades::calibrator::testing
