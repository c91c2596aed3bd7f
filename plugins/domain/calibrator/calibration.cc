#include "calibration.h"

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "aggregation.h"
#include "bucket_sql.h"
#include "buckets.h"
#include "leads/scoring.h"
#include "outcomes/outcome_tables.h"

namespace hades::calibrator {
namespace {

using domain::IcpConfig;
using domain::Workflow;

constexpr double kTrainingShare = 0.8;
constexpr double kDeliveryLagShare = 0.9;

// Merges cells whose normalised keys coincide (`8062-01` and `8062`, `ma` and `MA`), in the
// order of their keys: whatever order the database (or the streamed aggregation) gave the groups
// in, the same data give the same cells, and so the same inputs hash.
std::vector<LeadCell> merge_cells(std::vector<LeadCell> cells) {
  std::map<std::string, std::size_t> index;
  std::vector<LeadCell> merged;
  for (LeadCell& c : cells) {
    std::string key = std::string(c.historical ? "h" : "l") + "|" +
                      (c.workflow ? std::string(domain::workflow_name(*c.workflow)) : "") + "|" +
                      c.sic + "|" + c.employee + "|" + c.proximity + "|" + c.signal + "|" +
                      (c.numeric_signal ? "1" : "0") + "|" + c.freshness + "|" +
                      (c.hades_score ? std::to_string(*c.hades_score) : "-") + "|" +
                      (c.holdout ? "1" : "0");
    auto [it, inserted] = index.emplace(std::move(key), merged.size());
    if (inserted) {
      merged.push_back(std::move(c));
    } else {
      merged[it->second].n += c.n;
      merged[it->second].k += c.k;
    }
  }
  std::vector<LeadCell> ordered;
  ordered.reserve(merged.size());
  for (const auto& [key, position] : index) ordered.push_back(std::move(merged[position]));
  return ordered;
}

Status load_historical(Database& db, const IcpConfig& icp, const Schemes& schemes,
                       OutcomeData& data, std::map<std::string, KeyCount>& states) {
  const CellKey layout(icp);
  Result<QueryResult> rows = db.query(historical_sql(icp, layout));
  if (!rows.ok()) return query_error(rows.status(), "historical_outcomes");
  for (const std::vector<Value>& r : rows->rows) {
    LeadCell c;
    c.historical = true;
    c.sic = sic_bucket(r[0]);
    c.employee =
        employee_bucket(icp, schemes[Dimension::kEmployeeTier], layout, int_of(r[1]), r[2]);
    c.n = int_of(r[4]);
    c.k = int_of(r[5]);
    data.volume.historical += c.n;
    add_count(states, state_bucket(r[3]), c.n, c.k);
    data.cells.push_back(std::move(c));
  }
  return Status::ok_status();
}

// A cells row of lead_cells_sql(), decoded and normalised.
LeadCell lead_cell(const IcpConfig& icp, const Schemes& schemes, const CellKey& layout,
                   const std::vector<Value>& r) {
  const auto digit = layout.decode(int_of(r[1]));
  const auto at = [&digit](KeyDigit d) { return digit[static_cast<std::size_t>(d)]; };
  LeadCell c;
  if (at(KeyDigit::kWorkflow) == kGeography) c.workflow = Workflow::kGeography;
  if (at(KeyDigit::kWorkflow) == kIntent) c.workflow = Workflow::kIntent;
  c.sic = sic_bucket(r[2]);
  c.employee = employee_bucket(icp, schemes[Dimension::kEmployeeTier], layout,
                               at(KeyDigit::kEmployee), r[3]);
  c.proximity = tier_bucket(schemes[Dimension::kProximity], layout, KeyDigit::kProximity,
                            at(KeyDigit::kProximity));
  c.signal =
      signal_bucket(schemes[Dimension::kSignalStrength], layout, at(KeyDigit::kStrength), r[4]);
  c.numeric_signal = at(KeyDigit::kNumericSignal) != 0;
  c.freshness = tier_bucket(schemes[Dimension::kFreshness], layout, KeyDigit::kFreshness,
                            at(KeyDigit::kFreshness));
  if (at(KeyDigit::kScore) != kNoScore) c.hades_score = at(KeyDigit::kScore);
  c.holdout = at(KeyDigit::kHoldout) != 0;
  c.n = int_of(r[5]);
  c.k = int_of(r[6]);
  return c;
}

// One row of lead_cells_sql() (or its equivalent from the streamed groups) into `data`.
void add_lead_row(const IcpConfig& icp, const Schemes& schemes, const CellKey& layout,
                  const std::vector<Value>& r, OutcomeData& data,
                  std::map<std::string, KeyCount>& states) {
  if (int_of(r[0]) == 1) {
    add_count(states, state_bucket(r[2]), int_of(r[5]), int_of(r[6]));
    return;
  }
  LeadCell c = lead_cell(icp, schemes, layout, r);
  data.volume.leads_matured += c.n;
  data.cells.push_back(std::move(c));
}

// The matured lead_outcomes per bucket combination, and per state (aggregation.h).
Status load_leads(Database& db, const IcpConfig& icp, const Schemes& schemes,
                  const LoadOptions& options, OutcomeData& data,
                  std::map<std::string, KeyCount>& states) {
  const CellKey layout(icp);
  const GroupingInput in{icp, layout, data.holdout_date, data.matured_before, options.change_times};
  return make_lead_grouping(db, options.lead_aggregation)
      ->group(
          db, in,
          [&](const std::vector<Value>& r) { add_lead_row(icp, schemes, layout, r, data, states); },
          data);
}

// Pending leads and their early deliveries, how long deliveries take to arrive, and the export
// times of the matured leads (for the automatic holdout date): walks of the covering index
// lead_outcomes_calibration, a published batch at a time, never of the rows.
Status load_timeline(Database& db, OutcomeData& data, std::vector<KeyCount>& exports) {
  Result<QueryResult> pending = db.query(
      "SELECT count(*), coalesce(sum(outcome IN ('delivery', 'churned')), 0) "
      "FROM lead_outcomes WHERE exported_at >= ? AND " +
          domain::published_batch_sql("batch_id"),
      {Value(data.matured_before)});
  if (!pending.ok()) return query_error(pending.status(), "pending lead_outcomes");
  data.volume.leads_pending = int_of(pending->rows.at(0).at(0));
  data.volume.early_deliveries = int_of(pending->rows.at(0).at(1));
  Result<QueryResult> lags = db.query(delivery_lag_sql());
  if (!lags.ok()) return query_error(lags.status(), "delivery dates");
  std::vector<std::pair<std::int64_t, std::int64_t>> by_lag;
  for (const std::vector<Value>& r : lags->rows) {
    if (!is_null(r[0])) by_lag.emplace_back(int_of(r[0]), int_of(r[1]));
  }
  std::sort(by_lag.begin(), by_lag.end());
  std::vector<KeyCount> lag_counts;
  lag_counts.reserve(by_lag.size());
  for (const auto& [lag, n] : by_lag) lag_counts.push_back({std::to_string(lag), n, 0});
  data.volume.delivery_lag_p90_days = lag_quantile(lag_counts, kDeliveryLagShare);
  // Grouped in the index's order (batch, then time): no sort of the leads. A batch's leads share
  // an export time, so the groups are about as many as the batches; merged here.
  Result<QueryResult> times =
      db.query("SELECT exported_at, count(*) FROM lead_outcomes WHERE exported_at < ? AND " +
                   domain::published_batch_sql("batch_id") + " GROUP BY batch_id, exported_at",
               {Value(data.matured_before)});
  if (!times.ok()) return query_error(times.status(), "lead_outcomes export times");
  std::map<std::string, std::int64_t> by_time;
  for (const std::vector<Value>& r : times->rows) by_time[to_text(r[0])] += int_of(r[1]);
  for (const auto& [at, n] : by_time) exports.push_back({at, n, 0});
  return Status::ok_status();
}

}  // namespace

std::unique_ptr<LeadGrouping> make_lead_grouping(const Database& db, LeadAggregation aggregation) {
  const bool in_database = aggregation == LeadAggregation::kAuto
                               ? db.backend() != "sqlite"
                               : aggregation == LeadAggregation::kInDatabase;
  return in_database ? make_in_database_grouping() : make_streamed_grouping();
}

std::optional<std::int64_t> lag_quantile(const std::vector<KeyCount>& lags, double share) {
  std::int64_t total = 0;
  for (const KeyCount& l : lags) total += l.n;
  std::int64_t seen = 0;
  for (const KeyCount& l : lags) {
    seen += l.n;
    if (static_cast<double>(seen) >= share * static_cast<double>(total)) return std::stoll(l.key);
  }
  return std::nullopt;
}

std::string automatic_holdout_date(const std::vector<KeyCount>& exports_by_time) {
  std::int64_t total = 0;
  for (const KeyCount& e : exports_by_time) total += e.n;
  const double wanted = kTrainingShare * static_cast<double>(total);
  std::int64_t before = 0;
  for (const KeyCount& e : exports_by_time) {
    if (static_cast<double>(before + e.n) > wanted) return e.key;
    before += e.n;
  }
  return exports_by_time.empty() ? std::string() : exports_by_time.back().key;
}

Result<OutcomeData> load_outcomes(Database& db, const IcpConfig& icp, const LoadOptions& options) {
  const Schemes schemes(icp);
  OutcomeData data;
  data.matured_before = options.matured_before;
  std::vector<KeyCount> exports;
  HADES_RETURN_IF_ERROR(load_timeline(db, data, exports));
  data.holdout_automatic = !options.holdout_date.has_value();
  data.holdout_date =
      options.holdout_date ? *options.holdout_date : automatic_holdout_date(exports);
  std::map<std::string, KeyCount> states;
  HADES_RETURN_IF_ERROR(load_historical(db, icp, schemes, data, states));
  if (!exports.empty()) {
    HADES_RETURN_IF_ERROR(load_leads(db, icp, schemes, options, data, states));
  }
  data.cells = merge_cells(std::move(data.cells));
  for (auto& [key, count] : states) data.states.push_back(std::move(count));
  return data;
}

Result<std::vector<BatchRow>> load_batches(Database& db, const OutcomeData& data,
                                           const std::vector<double>& probability) {
  std::vector<BatchRow> batches;
  if (data.batches) {
    batches.reserve(data.batches->size());
    for (const BatchScores& s : *data.batches) {
      BatchRow b;
      b.batch_id = s.batch_id;
      b.exported_at = s.exported_at;
      b.unscored = s.unscored;
      s.for_each([&b, &probability](std::int64_t score, std::int64_t n, std::int64_t k) {
        const double p = probability[static_cast<std::size_t>(score)];
        b.n += n;
        b.k += k;
        b.expected += static_cast<double>(n) * p;
        b.variance += static_cast<double>(n) * (p * (1 - p));
      });
      batches.push_back(std::move(b));
    }
    return batches;
  }
  Result<QueryResult> rows = db.query(batches_sql(probability), {Value(data.matured_before)});
  if (!rows.ok()) return query_error(rows.status(), "lead_outcomes batches");
  for (const std::vector<Value>& r : rows->rows) {
    BatchRow b;
    b.batch_id = to_text(r[0]);
    b.exported_at = to_text(r[1]);
    b.n = int_of(r[2]);
    b.k = int_of(r[3]);
    b.expected = as_double(r[4]).value_or(0);
    b.variance = as_double(r[5]).value_or(0);
    b.unscored = int_of(r[6]);
    batches.push_back(std::move(b));
  }
  return batches;
}

}  // namespace hades::calibrator
