// calibrator.h: the calibrator plugin, a Task that turns outcomes into a calibration report.
//
// Settings bind once, in create(): icp.yaml is loaded and checked there, so `hades validate`
// reports a bad file with its line and column (exit 2). run() then:
//   1. applies the outcome tables' and its own migrations (it may be the first to run);
//   2. aggregates the outcomes in the database (calibration.h) as of the run's start;
//   3. computes every dimension, the backtest and the batch check (backtest.h);
//   4. stores the run and its rows in one WriteBatch (store.h);
//   5. writes calibration-YYYYMMDD-HHMMSS.{json,md,csv} and replaces calibration-latest.* in
//      report_dir, each file appearing whole (written aside, then renamed);
//   6. prints the table on stdout (coloured deltas on a terminal).
// With no outcome at all it writes and stores a "no outcomes yet" report and succeeds. It never
// writes icp.yaml. Everything is a function of the database, icp.yaml, the settings and the
// run's start time, so a resumed run reproduces the same report and replaces the stored one.
//
// Thread safety: one thread at a time.

#ifndef HADES_PLUGINS_CALIBRATOR_CALIBRATOR_H_
#define HADES_PLUGINS_CALIBRATOR_CALIBRATOR_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "hades/plugin.h"
#include "hades/settings.h"
#include "leads/icp_config.h"
#include "report.h"

namespace hades::calibrator {

// The `with:` keys the calibrator accepts; also the source of the README's settings table.
extern const SettingSpec kSettings[6];

inline constexpr std::int64_t kMinResamples = 2000;
inline constexpr std::int64_t kMaxResamples = 1'000'000;
inline constexpr std::int64_t kMaxMaturedDays = 3650;

struct CalibratorConfig {
  domain::IcpConfig icp;
  std::string report_dir = "reports/";
  std::int64_t matured_days = 90;
  std::optional<std::string> holdout_date;  // ISO-8601 UTC; nullopt: automatic
  int bootstrap_resamples = 2000;
  std::uint64_t seed = 1;
};

// Binds and checks the settings and loads icp.yaml. Fails with kInvalidConfig naming the key,
// or icp.yaml's file, line and column.
Result<CalibratorConfig> bind_config(const Settings& settings);

// The factory HADES_PLUGIN exports.
Result<std::unique_ptr<Plugin>> create(const Settings& settings);

// `started_at` (ISO-8601 UTC) moved back by `days`, same time of day. Fails with
// kInvalidConfig when it does not begin with a YYYY-MM-DD date.
Result<std::string> days_before(const std::string& started_at, std::int64_t days);

class Calibrator : public Task {
 public:
  explicit Calibrator(CalibratorConfig config);
  Status run(Context& ctx) override;

  // The report of the last run(), for tests.
  const CalibrationReport& report() const { return report_; }

 private:
  Result<CalibrationReport> calibrate(Context& ctx);
  Status write_files(const std::string& report_json);

  const CalibratorConfig config_;
  CalibrationReport report_;
};

}  // namespace hades::calibrator

#endif  // HADES_PLUGINS_CALIBRATOR_CALIBRATOR_H_
