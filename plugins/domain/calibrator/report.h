// report.h: a calibration run as JSON, Markdown, CSV and a terminal table.
//
// CalibrationReport is everything one run found; the writers only format it. The JSON is the
// documented, versioned record (docs/calibration-report.md: kReportSchemaVersion), stored with
// the run in calibration_runs.report_json; Markdown is for people, CSV holds one row per bucket
// (the columns of calibration_rows), and the terminal table is the design's
// "Current Score -> Suggested Score  Confidence" view, with the delta coloured (ANSI) only when
// asked, i.e. when stdout is a terminal.
//
// Thread safety: pure functions.

#ifndef HADES_PLUGINS_CALIBRATOR_REPORT_H_
#define HADES_PLUGINS_CALIBRATOR_REPORT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "backtest.h"
#include "calibration.h"

namespace hades::calibrator {

// Bump when a field changes meaning or disappears; adding a field keeps the version.
inline constexpr int kReportSchemaVersion = 1;

inline constexpr std::string_view kStatusOk = "ok";
inline constexpr std::string_view kStatusNoOutcomes = "no_outcomes";

struct ReportParameters {
  std::int64_t matured_days = 0;
  int bootstrap_resamples = 0;
  std::uint64_t seed = 0;
};

struct CalibrationReport {
  std::string status;      // kStatusOk or kStatusNoOutcomes
  std::string message;     // one line for people: what the run found, or why there is nothing
  std::string created_at;  // the run's start, ISO-8601 UTC
  std::int64_t run_id = 0;
  std::string job;
  std::string icp_path;
  std::string icp_sha256;
  std::string inputs_hash;
  ReportParameters parameters;
  std::string matured_before;
  std::string holdout_date;
  bool holdout_automatic = true;
  DataVolume volume;
  std::int64_t baseline_n = 0;  // every counted lead
  std::int64_t baseline_k = 0;
  std::vector<DimensionResult> dimensions;
  BacktestResult backtest;
  BatchSummary batches;
  ScoringCheck scoring;  // is the scoring working? (scoring_check.h)
};

// One sentence for the log, the Markdown and people: how many matured leads carry a hades_score
// that today's scoring rules would compute differently, and what that means for the backtest.
std::string outdated_scores_note(const DataVolume& volume);

std::string to_json(const CalibrationReport& report);
std::string to_markdown(const CalibrationReport& report);
// One row per bucket: dimension,bucket,n,deliveries,rate,wilson_low,wilson_high,shrunk_rate,
// current_score,suggested_score,delta,confidence,manual_review,in_icp,suggested_low,
// suggested_high,verdict (RFC 4180, CRLF).
std::string to_csv(const CalibrationReport& report);
// The design's table; `colour` wraps each delta in green (|delta| <= 10), yellow (<= 25) or red.
std::string terminal_table(const CalibrationReport& report, bool colour);

// "SIC 8062", "Employees 50-100", "Proximity 0-5 mi", ... : a bucket as people read it.
std::string bucket_label(Dimension dimension, std::string_view bucket);

}  // namespace hades::calibrator

#endif  // HADES_PLUGINS_CALIBRATOR_REPORT_H_
