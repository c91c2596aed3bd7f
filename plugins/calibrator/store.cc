#include "store.h"

namespace hades::calibrator {
namespace {

Migration calibration_v1() {
  return Migration{
      1,
      "calibration_runs, calibration_rows",
      {
          "CREATE TABLE IF NOT EXISTS calibration_runs ("
          "id INTEGER PRIMARY KEY AUTOINCREMENT, "
          "created_at TEXT NOT NULL, "
          "run_id INTEGER NOT NULL UNIQUE, "
          "data_volume INTEGER NOT NULL, "
          "inputs_hash TEXT NOT NULL, "
          "icp_sha256 TEXT NOT NULL, "
          "report_json TEXT NOT NULL)",
          "CREATE INDEX IF NOT EXISTS calibration_runs_created_at ON calibration_runs (created_at)",
          "CREATE TABLE IF NOT EXISTS calibration_rows ("
          "calibration_id INTEGER NOT NULL REFERENCES calibration_runs (id), "
          "dimension TEXT NOT NULL, "
          "bucket TEXT NOT NULL, "
          "n INTEGER NOT NULL, "
          "k INTEGER NOT NULL, "
          "rate REAL NOT NULL, "
          "wilson_low REAL NOT NULL, "
          "wilson_high REAL NOT NULL, "
          "shrunk_rate REAL NOT NULL, "
          "current_score INTEGER, "
          "suggested_score INTEGER, "
          "delta INTEGER, "
          "confidence TEXT NOT NULL CHECK (confidence IN ('High', 'Medium', 'Low')), "
          "manual_review INTEGER NOT NULL CHECK (manual_review IN (0, 1)), "
          "PRIMARY KEY (calibration_id, dimension, bucket))",
      }};
}

// Version 2: the evidence of each suggestion (evidence.h). Rows of older runs have none (NULL).
Migration calibration_v2() {
  return Migration{2,
                   "calibration_rows suggested_low, suggested_high, verdict",
                   {
                       "ALTER TABLE calibration_rows ADD COLUMN suggested_low REAL",
                       "ALTER TABLE calibration_rows ADD COLUMN suggested_high REAL",
                       "ALTER TABLE calibration_rows ADD COLUMN verdict TEXT "
                       "CHECK (verdict IN ('supported', 'within_noise'))",
                   }};
}

Value optional_value(const std::optional<std::int64_t>& v) { return v ? Value(*v) : Value(); }

Value interval_end(const std::optional<Interval>& interval, bool high) {
  if (!interval) return Value();
  return Value(high ? interval->high : interval->low);
}

}  // namespace

const std::vector<Migration>& calibration_migrations() {
  // Built once and never changed: a function-local constant, not global mutable state.
  static const std::vector<Migration> kMigrations = {calibration_v1(), calibration_v2()};
  return kMigrations;
}

WriteBatch store_batch(const CalibrationReport& report, const std::string& report_json) {
  WriteBatch batch;
  const Value run_id(report.run_id);
  // A resumed run replaces its earlier attempt: rows first, they point at the run.
  batch.add(
      "DELETE FROM calibration_rows WHERE calibration_id IN "
      "(SELECT id FROM calibration_runs WHERE run_id = ?)",
      {run_id});
  batch.add("DELETE FROM calibration_runs WHERE run_id = ?", {run_id});
  batch.add(
      "INSERT INTO calibration_runs (created_at, run_id, data_volume, inputs_hash, "
      "icp_sha256, report_json) VALUES (?, ?, ?, ?, ?, ?)",
      {Value(report.created_at), run_id, Value(report.volume.counted()), Value(report.inputs_hash),
       Value(report.icp_sha256), Value(report_json)});
  for (const DimensionResult& d : report.dimensions) {
    for (const BucketResult& b : d.buckets) {
      batch.add(
          "INSERT INTO calibration_rows (calibration_id, dimension, bucket, n, k, rate, "
          "wilson_low, wilson_high, shrunk_rate, current_score, suggested_score, delta, "
          "confidence, manual_review, suggested_low, suggested_high, verdict) VALUES ((SELECT id "
          "FROM calibration_runs WHERE run_id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
          "?)",
          {run_id, Value(std::string(dimension_name(d.dimension))), Value(b.bucket), Value(b.n),
           Value(b.k), Value(b.rate), Value(b.wilson.low), Value(b.wilson.high),
           Value(b.shrunk_rate), optional_value(b.current_score), optional_value(b.suggested_score),
           optional_value(b.delta), Value(std::string(confidence_name(b.confidence))),
           Value(std::int64_t{b.manual_review ? 1 : 0}), interval_end(b.suggested_interval, false),
           interval_end(b.suggested_interval, true),
           b.verdict ? Value(std::string(verdict_name(*b.verdict))) : Value()});
    }
  }
  return batch;
}

}  // namespace hades::calibrator
