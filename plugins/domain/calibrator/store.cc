#include "store.h"

namespace hades::calibrator {
namespace {

Value optional_value(const std::optional<std::int64_t>& v) { return v ? Value(*v) : Value(); }

Value interval_end(const std::optional<Interval>& interval, bool high) {
  if (!interval) return Value();
  return Value(high ? interval->high : interval->low);
}

}  // namespace

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
