// store.h: calibration runs in the job's database, for the dashboard's history.
//
// The tables (calibration_runs, calibration_rows) are declared by the outcomes library
// (outcomes/calibration_tables.h). A run is stored in ONE WriteBatch, so the dashboard never sees a
// run without its rows. A resumed run (same run_id) replaces what an earlier attempt of it stored.
//
// Thread safety: as the Database passed in.

#ifndef HADES_PLUGINS_CALIBRATOR_STORE_H_
#define HADES_PLUGINS_CALIBRATOR_STORE_H_

#include <string_view>
#include <vector>

#include "hades/database.h"
#include "hades/status.h"
#include "report.h"

namespace hades::calibrator {

// The statements that store `report` (whose JSON text is `report_json`), in order.
WriteBatch store_batch(const CalibrationReport& report, const std::string& report_json);

}  // namespace hades::calibrator

#endif  // HADES_PLUGINS_CALIBRATOR_STORE_H_
