// calibration_tables.h: the calibrator's run history in the job's database.
//
// Two tables, owned by the migration component kCalibrationComponent:
//   calibration_runs  one row per run: when, which run, how many leads, the hash of the inputs
//                     and of icp.yaml, and the whole JSON report;
//   calibration_rows  one row per dimension and bucket of a run (the CSV's columns), with the
//                     evidence of each suggestion since version 2.
// The calibrator writes them; the outcome sync (is a recalibration due?) and the Score
// Calibration page read them, and may run before any calibration has created them.
//
// Thread safety: as the Database passed in.

#ifndef HADES_OUTCOMES_CALIBRATION_TABLES_H_
#define HADES_OUTCOMES_CALIBRATION_TABLES_H_

#include <string>
#include <string_view>
#include <vector>

#include "hades/database.h"
#include "hades/migrations.h"
#include "hades/status.h"

namespace hades::domain {

inline constexpr std::string_view kCalibrationComponent = "calibration";

// Every migration of the calibration tables, in order. Released migrations never change.
const std::vector<Migration>& calibration_migrations();

// Whether a calibration has created the tables in `db`.
Result<bool> calibration_tables_exist(Database& db);

// created_at of the latest calibration run, "" when there is none (or no tables yet).
Result<std::string> last_calibration_at(Database& db);

}  // namespace hades::domain

#endif  // HADES_OUTCOMES_CALIBRATION_TABLES_H_
