#include "outcomes/calibration_tables.h"

namespace hades::domain {
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

}  // namespace

const std::vector<Migration>& calibration_migrations() {
  // Built once and never changed: a function-local constant, not global mutable state.
  static const std::vector<Migration> kMigrations = {calibration_v1(), calibration_v2()};
  return kMigrations;
}

Result<bool> calibration_tables_exist(Database& db) {
  Result<QueryResult> rows =
      db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'calibration_runs'");
  if (!rows.ok()) return rows.status();
  return !rows->rows.empty();
}

Result<std::string> last_calibration_at(Database& db) {
  Result<bool> exists = calibration_tables_exist(db);
  if (!exists.ok()) return exists.status();
  if (!*exists) return std::string();
  Result<QueryResult> runs = db.query("SELECT max(created_at) FROM calibration_runs");
  if (!runs.ok()) return runs.status();
  return to_text(runs->rows.at(0).at(0));
}

}  // namespace hades::domain
