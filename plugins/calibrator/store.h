// store.h: calibration runs in the job's database, for the dashboard's history.
//
// Two tables, owned by the migration component kCalibrationComponent:
//   calibration_runs  one row per run: when, which run, how many leads, the hash of the inputs
//                     and of icp.yaml, and the whole JSON report;
//   calibration_rows  one row per dimension and bucket of a run (the CSV's columns).
// A run is stored in ONE WriteBatch, so the dashboard never sees a run without its rows. A
// resumed run (same run_id) replaces what an earlier attempt of it stored.
//
// Thread safety: as the Database passed in.

#ifndef HADES_PLUGINS_CALIBRATOR_STORE_H_
#define HADES_PLUGINS_CALIBRATOR_STORE_H_

#include <string_view>
#include <vector>

#include "hades/database.h"
#include "hades/migrations.h"
#include "hades/status.h"
#include "report.h"

namespace hades::calibrator {

inline constexpr std::string_view kCalibrationComponent = "calibration";

// Every migration of the calibration tables, in order. Released migrations never change.
const std::vector<Migration>& calibration_migrations();

// The statements that store `report` (whose JSON text is `report_json`), in order.
WriteBatch store_batch(const CalibrationReport& report, const std::string& report_json);

}  // namespace hades::calibrator

#endif  // HADES_PLUGINS_CALIBRATOR_STORE_H_
