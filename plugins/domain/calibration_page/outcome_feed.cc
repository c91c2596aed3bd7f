#include "outcome_feed.h"

#include <nlohmann/json.hpp>
#include <vector>

#include "outcomes/calibration_tables.h"
#include "outcomes/outcome_tables.h"

namespace hades::calibration_page {
namespace {

using nlohmann::json;

// Bins of the time-lag histogram, in days (the last one is open).
constexpr long long kLagBins[] = {0, 8, 15, 31, 46, 61, 91, 121, 181};
// Export months shown in the median-lag chart.
constexpr std::size_t kLagMonths = 18;

json value_json(const Value& v) {
  if (is_null(v)) return nullptr;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  return to_text(v);
}

long long int_of(const Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<long long>(*d);
  return 0;
}

double share(long long part, long long whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

json funnel_json(const std::vector<Value>& row) {
  const long long exported = int_of(row[0]);
  json stages = json::array();
  const char* names[] = {"exported", "contacted", "appointment", "delivery"};
  for (int i = 0; i < 4; ++i) {
    const long long count = int_of(row[static_cast<std::size_t>(i)]);
    stages.push_back({{"stage", names[i]}, {"count", count}, {"rate", share(count, exported)}});
  }
  return {{"stages", stages}, {"churned", int_of(row[4])}, {"batches", int_of(row[5])}};
}

Result<json> lag_json(Database& db) {
  const std::string sql =
      "SELECT substr(s.exported_at, 1, 7), l.lag_days, sum(l.deliveries) FROM lead_outcome_lags l "
      "JOIN lead_outcome_batches s ON s.batch_id = l.batch_id WHERE l.deliveries > 0 AND " +
      domain::published_batch_sql("s.batch_id") + " GROUP BY 1, 2";
  auto rows = db.query(sql);
  if (!rows.ok()) return rows.status();
  std::map<long long, long long> all;
  std::map<std::string, std::map<long long, long long>> by_month;
  for (const auto& r : rows->rows) {
    const long long days = int_of(r[1]);
    const long long count = int_of(r[2]);
    all[days] += count;
    by_month[to_text(r[0])][days] += count;
  }
  json bins = json::array();
  const std::size_t n = std::size(kLagBins);
  for (std::size_t i = 0; i < n; ++i) {
    const long long from = kLagBins[i];
    const long long to = i + 1 < n ? kLagBins[i + 1] - 1 : -1;
    long long count = 0;
    for (const auto& [days, c] : all) {
      if (days >= from && (to < 0 || days <= to)) count += c;
    }
    bins.push_back({{"from", from}, {"to", to < 0 ? json() : json(to)}, {"count", count}});
  }
  json months = json::array();
  std::size_t skip = by_month.size() > kLagMonths ? by_month.size() - kLagMonths : 0;
  for (const auto& [month, counts] : by_month) {
    if (skip > 0) {
      --skip;
      continue;
    }
    long long total = 0;
    for (const auto& [days, c] : counts) total += c;
    months.push_back({{"month", month}, {"deliveries", total}, {"median_days", median_of(counts)}});
  }
  long long total = 0;
  for (const auto& [days, c] : all) total += c;
  return json{
      {"deliveries", total}, {"median_days", median_of(all)}, {"bins", bins}, {"months", months}};
}

}  // namespace

long long median_of(const std::map<long long, long long>& counts) {
  long long total = 0;
  for (const auto& [value, count] : counts) total += count;
  if (total == 0) return -1;
  const long long middle = (total + 1) / 2;  // 1-based rank of the (lower) middle value
  long long seen = 0;
  for (const auto& [value, count] : counts) {
    seen += count;
    if (seen >= middle) return value;
  }
  return counts.rbegin()->first;
}

Result<json> outcome_feed(Database& db, std::size_t batch_limit) {
  const std::string counted = domain::published_batch_sql("s.batch_id");
  auto funnel = db.query(
      "SELECT coalesce(sum(leads), 0), coalesce(sum(contacted), 0), "
      "coalesce(sum(appointments), 0), coalesce(sum(deliveries), 0), coalesce(sum(churned), 0), "
      "count(*) FROM lead_outcome_batches s WHERE s.leads > 0 AND " +
      counted);
  if (!funnel.ok()) return funnel.status();
  auto batches = db.query(
      "SELECT batch_id, exported_at, workflow_type, leads, contacted, appointments, deliveries, "
      "churned FROM lead_outcome_batches s WHERE s.leads > 0 AND " +
          counted + " ORDER BY exported_at DESC, batch_id DESC LIMIT ?",
      {Value(static_cast<std::int64_t>(batch_limit))});
  if (!batches.ok()) return batches.status();
  json list = json::array();
  for (const auto& r : batches->rows) {
    const long long leads = int_of(r[3]);
    list.push_back({{"batch_id", to_text(r[0])},
                    {"exported_at", to_text(r[1])},
                    {"workflow", value_json(r[2])},
                    {"leads", leads},
                    {"contacted", int_of(r[4])},
                    {"appointments", int_of(r[5])},
                    {"deliveries", int_of(r[6])},
                    {"churned", int_of(r[7])},
                    {"rate", share(int_of(r[6]), leads)}});
  }
  auto lag = lag_json(db);
  if (!lag.ok()) return lag.status();
  return json{{"funnel", funnel_json(funnel->rows.at(0))}, {"batches", list}, {"lag", *lag}};
}

Result<json> batch_detail(Database& db, const std::string& batch_id,
                          const std::map<std::string, std::string>& names, std::size_t limit) {
  auto summary = db.query(
      "SELECT exported_at, workflow_type, leads, contacted, appointments, deliveries, churned "
      "FROM lead_outcome_batches s WHERE s.batch_id = ? AND " +
          domain::published_batch_sql("s.batch_id"),
      {Value(batch_id)});
  if (!summary.ok()) return summary.status();
  if (summary->rows.empty()) return json(nullptr);
  auto rows = db.query(
      "SELECT lo.company_name, lo.sic_code, lo.hades_score, lo.outcome, lo.outcome_at "
      "FROM lead_outcomes lo WHERE lo.batch_id = ? AND " +
          domain::published_batch_sql("lo.batch_id") + " ORDER BY lo.id LIMIT ?",
      {Value(batch_id), Value(static_cast<std::int64_t>(limit))});
  if (!rows.ok()) return rows.status();
  json leads = json::array();
  for (const auto& r : rows->rows) {
    const std::string sic = is_null(r[1]) ? "" : to_text(r[1]);
    const auto name = names.find(sic);
    leads.push_back({{"company", to_text(r[0])},
                     {"sic", sic},
                     {"industry", name == names.end() ? "" : name->second},
                     {"score", value_json(r[2])},
                     {"outcome", value_json(r[3])},
                     {"outcome_at", value_json(r[4])}});
  }
  const auto& s = summary->rows.front();
  return json{{"batch_id", batch_id},         {"exported_at", to_text(s[0])},
              {"workflow", value_json(s[1])}, {"leads", int_of(s[2])},
              {"contacted", int_of(s[3])},    {"appointments", int_of(s[4])},
              {"deliveries", int_of(s[5])},   {"churned", int_of(s[6])},
              {"shown", leads.size()},        {"rows", leads}};
}

Result<json> recalibration_flag(Database& db) {
  auto rows = db.query(
      "SELECT value, detail, updated_at FROM hades_flags WHERE name = 'recalibration_available'");
  if (!rows.ok()) return rows.status();
  if (rows->rows.empty()) return json(nullptr);
  const auto& r = rows->rows.front();
  return json{{"available", to_text(r[0]) == "true"},
              {"detail", value_json(r[1])},
              {"updated_at", value_json(r[2])}};
}

Result<json> last_calibration(Database& db) {
  auto exists = domain::calibration_tables_exist(db);
  if (!exists.ok()) return exists.status();
  if (!*exists) return json(nullptr);
  auto rows = db.query(
      "SELECT created_at, run_id, data_volume, icp_sha256, "
      "json_extract(report_json, '$.baseline.n'), "
      "json_extract(report_json, '$.baseline.deliveries'), "
      "json_extract(report_json, '$.baseline.rate') "
      "FROM calibration_runs ORDER BY created_at DESC, id DESC LIMIT 1");
  if (!rows.ok()) return rows.status();
  if (rows->rows.empty()) return json(nullptr);
  const auto& r = rows->rows.front();
  return json{
      {"created_at", to_text(r[0])},
      {"run_id", int_of(r[1])},
      {"data_volume", int_of(r[2])},
      {"icp_sha256", to_text(r[3])},
      {"baseline",
       {{"n", value_json(r[4])}, {"deliveries", value_json(r[5])}, {"rate", value_json(r[6])}}}};
}

}  // namespace hades::calibration_page
