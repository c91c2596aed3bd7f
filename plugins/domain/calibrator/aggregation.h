// aggregation.h: the two ways the matured lead_outcomes are summed per bucket combination, behind
// one interface (calibration.h's LeadAggregation chooses).
//
//   - In the database (lead_cells_sql(), bucket_sql.h): a GROUP BY on the composite key, so only
//     the groups are read; on Turso no lead crosses the network.
//   - Streamed (lead_stream.h): on the embedded SQLite file every matured lead is read from the
//     covering index lead_outcomes_calibration, keyed in C++ and summed in flat maps of the same
//     groups, the batch check's and the scoring check's counts on the same pass. SQLite's GROUP
//     BY would sort every row, and its VM evaluate the bucket CASEs per row.
//
// Both hand each group over as a row of lead_cells_sql() (0, key, sic, employee text, other
// strength, n, k; then 1, NULL, state, NULL, NULL, n, k per state), so the loader normalises
// them alike, and both give the same groups: calibration_test and calibrator_test compare them.
// Memory is bounded by the groups and batches, not the leads.
//
// Internal to the calibrator. Thread safety: a LeadGrouping is used by one thread.

#ifndef HADES_PLUGINS_CALIBRATOR_AGGREGATION_H_
#define HADES_PLUGINS_CALIBRATOR_AGGREGATION_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bucket_sql.h"
#include "calibration.h"
#include "hades/database.h"
#include "hades/status.h"
#include "hades/value.h"
#include "leads/icp_config.h"

namespace hades::calibrator {

// A group, as a row of lead_cells_sql().
using GroupRow = std::function<void(const std::vector<Value>&)>;

struct GroupingInput {
  const domain::IcpConfig& icp;
  const CellKey& layout;
  std::string holdout_date;                      // leads exported at or after it are the holdout
  std::string matured_before;                    // leads exported before it count
  const std::vector<std::string>& change_times;  // the scoring check's periods (LoadOptions)
};

class LeadGrouping {
 public:
  virtual ~LeadGrouping() = default;

  // Sums the matured leads of published batches, calling `row` once per group; fills
  // data.scoring (the scoring check's counts), data.volume's counts per scoring rules version,
  // and data.batches when this path counts the batches on the way. Fails with the database's
  // status, naming what was read.
  virtual Status group(Database& db, const GroupingInput& in, const GroupRow& row,
                       OutcomeData& data) = 0;
};

// The path `aggregation` names for `db` (kAuto: streamed on SQLite, in the database elsewhere).
std::unique_ptr<LeadGrouping> make_lead_grouping(const Database& db, LeadAggregation aggregation);
std::unique_ptr<LeadGrouping> make_in_database_grouping();  // aggregation_sql.cc
std::unique_ptr<LeadGrouping> make_streamed_grouping();     // aggregation_stream.cc

// The value of an integer column; 0 for NULL or a non-number.
inline std::int64_t int_of(const Value& v) { return as_int(v).value_or(0); }

// `status` with the calibrator's context: "calibrator: reading <what>".
inline Status query_error(const Status& status, std::string_view what) {
  return status.with_context("calibrator: reading " + std::string(what));
}

}  // namespace hades::calibrator

#endif  // HADES_PLUGINS_CALIBRATOR_AGGREGATION_H_
