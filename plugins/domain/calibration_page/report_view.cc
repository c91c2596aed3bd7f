#include "report_view.h"

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

namespace hades::calibration_page {
namespace {

using nlohmann::json;

std::string dimension_label(const std::string& dimension) {
  if (dimension == "sic") return "SIC";
  if (dimension == "employee_tier") return "Employees";
  if (dimension == "proximity") return "Proximity";
  if (dimension == "signal_strength") return "Signal";
  if (dimension == "freshness") return "Freshness";
  if (dimension == "state") return "State";
  if (dimension == "region") return "Region";
  return dimension;
}

bool has_suggestion(const json& bucket) {
  return bucket.contains("suggested_score") && !bucket["suggested_score"].is_null() &&
         bucket.contains("current_score") && !bucket["current_score"].is_null();
}

json backtest_reply(const json& backtest) {
  json out = {{"ran", backtest.value("ran", false)},
              {"verdict", backtest.value("verdict", json())},
              {"skipped_reason", backtest.value("skipped_reason", json())},
              {"test_leads", backtest.value("test_leads", json())},
              {"test_deliveries", backtest.value("test_deliveries", json())},
              {"holdout_date", backtest.value("holdout_date", json())}};
  if (backtest.value("ran", false)) {
    out["current_auc"] = backtest["current"].value("auc", json());
    out["suggested_auc"] = backtest["suggested"].value("auc", json());
    out["auc_difference"] = backtest.value("auc_difference", json());
  }
  return out;
}

// A change the weight writer can make: a suggestion that differs from today, for a bucket
// icp.yaml names, or a SIC code it can add. "unknown", "outside tiers" and the like have no
// place in icp.yaml to write to.
bool is_selectable(const std::string& dimension, const json& bucket) {
  if (!has_suggestion(bucket) || bucket["suggested_score"] == bucket["current_score"]) {
    return false;
  }
  if (bucket.value("in_icp", true)) return true;
  const std::string code = bucket.value("bucket", "");
  return dimension == "sic" && code.size() == 4 &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string delta_band(long long delta) {
  const long long size = std::llabs(delta);
  if (size <= 5) return "close";
  if (size <= 15) return "moderate";
  return "far";
}

std::set<std::string> selectable_items(const json& report) {
  std::set<std::string> items;
  for (const json& d : report.value("dimensions", json::array())) {
    if (!d.value("scored", false)) continue;
    for (const json& b : d.value("buckets", json::array())) {
      if (is_selectable(d.value("dimension", ""), b)) {
        items.insert(d.value("dimension", "") + ":" + b.value("bucket", ""));
      }
    }
  }
  return items;
}

json report_reply(const json& report, const std::string& path,
                  const std::string& current_icp_sha256,
                  const std::map<std::string, std::string>& industry_names) {
  const std::string report_sha = report.contains("icp") ? report["icp"].value("sha256", "") : "";
  json rows = json::array();
  json dimensions = json::array();
  for (const json& d : report.value("dimensions", json::array())) {
    const std::string dimension = d.value("dimension", "");
    dimensions.push_back({{"dimension", dimension},
                          {"label", dimension_label(dimension)},
                          {"population", d.value("population", "")},
                          {"scored", d.value("scored", false)},
                          {"n", d.value("n", 0)},
                          {"deliveries", d.value("deliveries", 0)},
                          {"p_value", d.value("p_value", json())},
                          {"p_value_holm", d.value("p_value_holm", json())},
                          {"no_signal", d.value("no_signal", false)}});
    if (!d.value("scored", false)) continue;
    for (const json& b : d.value("buckets", json::array())) {
      if (!has_suggestion(b)) continue;
      const std::string bucket = b.value("bucket", "");
      const long long current = b["current_score"].get<long long>();
      const long long suggested = b["suggested_score"].get<long long>();
      // The calibrator's evidence (docs/calibration-report.md, "Evidence"); null in reports
      // made before it had one.
      const json verdict = b.value("verdict", json());
      const auto industry = industry_names.find(bucket);
      rows.push_back(
          {{"item", dimension + ":" + bucket},
           {"dimension", dimension},
           {"label", dimension_label(dimension) + " " + bucket},
           {"name", dimension == "sic" && industry != industry_names.end() ? industry->second : ""},
           {"n", b.value("n", 0)},
           {"deliveries", b.value("deliveries", 0)},
           {"rate", b.value("rate", 0.0)},
           {"wilson_low", b.value("wilson_low", 0.0)},
           {"wilson_high", b.value("wilson_high", 0.0)},
           {"current", current},
           {"suggested", suggested},
           {"delta", suggested - current},
           {"band", delta_band(suggested - current)},
           {"confidence", b.value("confidence", "")},
           {"manual_review", b.value("manual_review", false)},
           {"in_icp", b.value("in_icp", true)},
           {"suggested_low", b.value("suggested_low", json())},
           {"suggested_high", b.value("suggested_high", json())},
           {"verdict", verdict},
           {"within_noise", verdict == "within_noise"},
           {"selectable", is_selectable(dimension, b)}});
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const json& a, const json& b) {
    return std::llabs(a["delta"].get<long long>()) > std::llabs(b["delta"].get<long long>());
  });
  return {{"available", true},
          {"path", path},
          {"status", report.value("status", "")},
          {"message", report.value("message", "")},
          {"created_at", report.value("created_at", "")},
          {"run_id", report.value("run_id", 0)},
          {"icp_sha256", report_sha},
          {"icp_unchanged", !report_sha.empty() && report_sha == current_icp_sha256},
          {"baseline", report.value("baseline", json::object())},
          {"data", report.value("data", json::object())},
          {"matured_days", report.value("parameters", json::object()).value("matured_days", 0)},
          {"backtest", backtest_reply(report.value("backtest", json::object()))},
          {"dimensions", dimensions},
          {"scoring_check", report.value("scoring_check", json())},
          {"rows", rows}};
}

}  // namespace hades::calibration_page
