#include "weights_testing.h"

#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>

#include "leads/scoring.h"
#include "process.h"
#include "test_support.h"

namespace hades::weight_writer::testing {

std::string report_json(std::string_view icp_text, const std::vector<Bucket>& buckets) {
  nlohmann::ordered_json dimensions = nlohmann::ordered_json::array();
  std::map<std::string, std::size_t> index;
  for (const Bucket& b : buckets) {
    if (index.count(b.dimension) == 0) {
      index[b.dimension] = dimensions.size();
      const bool scored = b.dimension != "state" && b.dimension != "region";
      dimensions.push_back({{"dimension", b.dimension},
                            {"population", "all outcomes"},
                            {"scored", scored},
                            {"buckets", nlohmann::ordered_json::array()}});
    }
    nlohmann::ordered_json bucket = {
        {"bucket", b.bucket},
        {"n", b.n},
        {"deliveries", b.deliveries},
        {"rate", static_cast<double>(b.deliveries) / static_cast<double>(b.n)},
        {"current_score", b.current ? nlohmann::ordered_json(*b.current) : nullptr},
        {"suggested_score", b.suggested ? nlohmann::ordered_json(*b.suggested) : nullptr},
        {"confidence", b.n >= 100  ? "High"
                       : b.n >= 30 ? "Medium"
                                   : "Low"},
        {"manual_review", b.n < 30}};
    if (b.verdict) bucket["verdict"] = *b.verdict;
    dimensions[index[b.dimension]]["buckets"].push_back(std::move(bucket));
  }
  const nlohmann::ordered_json report = {
      {"schema_version", 1},
      {"status", "ok"},
      {"message", "made by weights_testing.cc"},
      {"created_at", "2026-12-06T06:00:00Z"},
      {"run_id", 1},
      {"job", "calibrate"},
      {"icp", {{"path", "config/icp.yaml"}, {"sha256", domain::sha256_hex(icp_text)}}},
      {"inputs_hash", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
      {"dimensions", dimensions}};
  return report.dump(2) + "\n";
}

std::vector<Bucket> shipped_buckets() {
  std::vector<Bucket> out;
  const std::pair<const char*, std::int64_t> sics[] = {
      {"3599", 47}, {"3999", 35}, {"4213", 76}, {"4225", 40},   {"4581", 100},
      {"4731", 79}, {"5511", 43}, {"7011", 40}, {"7033", 40},   {"7991", 50},
      {"8051", 42}, {"8059", 56}, {"8062", 33}, {"8211", 37},   {"8221", 41},
      {"8322", 31}, {"8331", 51}, {"8361", 71}, {"unknown", 40}};
  for (const auto& [sic, score] : sics) out.push_back({"sic", sic, score, {}});
  for (const auto& [tier, score] : {std::pair<const char*, std::int64_t>{"50-100", 100},
                                    {"101-500", 80},
                                    {"501-999999", 20},
                                    {"outside tiers", 40},
                                    {"unknown", 50}}) {
    out.push_back({"employee_tier", tier, score, {}});
  }
  for (const auto& [tier, score] : {std::pair<const char*, std::int64_t>{"0-5 mi", 100},
                                    {"5-10 mi", 85},
                                    {"10-25 mi", 70},
                                    {"25-50 mi", 50},
                                    {"50-100 mi", 30},
                                    {"beyond 100 mi", 30},
                                    {"unknown", 70}}) {
    out.push_back({"proximity", tier, score, {}});
  }
  for (const auto& [strength, score] : {std::pair<const char*, std::int64_t>{"High", 100},
                                        {"Medium", 70},
                                        {"Low", 40},
                                        {"unknown", 40}}) {
    out.push_back({"signal_strength", strength, score, {}});
  }
  for (const auto& [tier, score] : {std::pair<const char*, std::int64_t>{"Hot", 100},
                                    {"Warm", 70},
                                    {"Cooling", 40},
                                    {"Stale", 0},
                                    {"past tiers", 0},
                                    {"unknown", 0}}) {
    out.push_back({"freshness", tier, score, {}});
  }
  out.push_back({"state", "MA", {}, {}});
  out.push_back({"state", "TX", {}, {}});
  return out;
}

bool has_place(const Bucket& b) {
  if (b.dimension == "state" || b.dimension == "region" || b.bucket == "unknown") return false;
  return b.bucket != "outside tiers" && b.bucket != "beyond 100 mi" && b.bucket != "past tiers";
}

std::int64_t scorer_reads(const domain::IcpConfig& icp, const Bucket& b) {
  const std::map<std::string, std::int64_t> employees = {
      {"50-100", 75}, {"101-500", 300}, {"501-999999", 1000}};
  const std::map<std::string, double> miles = {
      {"0-5 mi", 3}, {"5-10 mi", 7}, {"10-25 mi", 20}, {"25-50 mi", 40}, {"50-100 mi", 80}};
  const std::map<std::string, std::int64_t> ages = {
      {"Hot", 1}, {"Warm", 5}, {"Cooling", 10}, {"Stale", 500}};
  if (b.dimension == "sic") return domain::onsite_score(icp, b.bucket);
  if (b.dimension == "employee_tier") {
    return domain::employee_scale_score(icp, employees.at(b.bucket));
  }
  if (b.dimension == "proximity") return domain::proximity_score(icp, miles.at(b.bucket));
  if (b.dimension == "signal_strength") {
    return domain::signal_score(icp, std::nullopt, b.bucket);
  }
  return domain::freshness(icp, ages.at(b.bucket)).score;
}

std::string repo_path(const std::string& relative) {
  return hades::testing::source_dir() + "/" + relative;
}

std::string golden_path(const std::string& name) {
  return repo_path("plugins/domain/weight_writer/tests/golden/" + name);
}

std::string golden(const std::string& name, const std::string& actual) {
  if (std::getenv("HADES_UPDATE_GOLDEN") != nullptr) {
    hades::testing::write_file(golden_path(name), actual);
  }
  return hades::testing::read_file(golden_path(name));
}

std::vector<std::string> fenced_blocks(const std::string& markdown, const std::string& lang) {
  std::vector<std::string> blocks;
  std::size_t at = 0;
  const std::string open = "```" + lang + "\n";
  while ((at = markdown.find(open, at)) != std::string::npos) {
    const std::size_t begin = at + open.size();
    const std::size_t end = markdown.find("```", begin);
    if (end == std::string::npos) break;
    blocks.push_back(markdown.substr(begin, end - begin));
    at = end + 3;
  }
  return blocks;
}

std::string to_crlf(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

}  // namespace hades::weight_writer::testing
