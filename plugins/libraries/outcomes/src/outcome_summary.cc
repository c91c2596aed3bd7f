#include "outcomes/outcome_summary.h"

#include <string>

#include "outcomes/outcome_tables.h"

namespace hades::domain {
namespace {

// How far a row's outcome got: 0 none, 1 contacted, 2 appointment, 3 delivery, 4 churned
// (domain order; churned comes after a delivery).
std::string stage(const std::string& row) {
  return "(CASE " + row + ".outcome WHEN 'contacted' THEN 1 WHEN 'appointment' THEN 2 " +
         "WHEN 'delivery' THEN 3 WHEN 'churned' THEN 4 ELSE 0 END)";
}

std::string lag_days(const std::string& row) {
  return "max(0, CAST(julianday(" + row + ".outcome_at) - julianday(" + row +
         ".exported_at) AS INTEGER))";
}

// Adds (sign "+") or takes away (sign "-") one row's contribution to its batch.
std::string batch_delta(const std::string& row, const std::string& sign) {
  const std::string s = stage(row);
  return "INSERT INTO lead_outcome_batches (batch_id, exported_at, workflow_type, leads, "
         "contacted, appointments, deliveries, churned) VALUES (" +
         row + ".batch_id, " + row + ".exported_at, " + row + ".workflow_type, " + sign + "1, " +
         sign + "(" + s + " >= 1), " + sign + "(" + s + " >= 2), " + sign + "(" + s + " >= 3), " +
         sign + "(" + s + " = 4)) ON CONFLICT (batch_id) DO UPDATE SET " +
         "exported_at = min(exported_at, excluded.exported_at), "
         "workflow_type = coalesce(workflow_type, excluded.workflow_type), "
         "leads = leads + excluded.leads, contacted = contacted + excluded.contacted, "
         "appointments = appointments + excluded.appointments, "
         "deliveries = deliveries + excluded.deliveries, churned = churned + excluded.churned;";
}

std::string lag_delta(const std::string& row, const std::string& sign) {
  return "INSERT INTO lead_outcome_lags (batch_id, lag_days, deliveries) SELECT " + row +
         ".batch_id, " + lag_days(row) + ", " + sign + "1 WHERE " + row +
         ".outcome = 'delivery' AND " + row + ".outcome_at IS NOT NULL AND " + row +
         ".exported_at IS NOT NULL ON CONFLICT (batch_id, lag_days) DO UPDATE SET "
         "deliveries = deliveries + excluded.deliveries;";
}

// Empties both tables and fills them from lead_outcomes, then makes the triggers (when they
// are missing): in one migration's transaction, so no write falls between the two.
std::vector<std::string> fill_and_keep() {
  const std::string fill_stage = stage("lo");
  return {
      "DELETE FROM lead_outcome_batches",
      "DELETE FROM lead_outcome_lags",
      "INSERT INTO lead_outcome_batches (batch_id, exported_at, workflow_type, leads, "
      "contacted, appointments, deliveries, churned) SELECT batch_id, min(exported_at), "
      "max(workflow_type), count(*), sum(" +
          fill_stage + " >= 1), sum(" + fill_stage + " >= 2), sum(" + fill_stage + " >= 3), sum(" +
          fill_stage + " = 4) FROM lead_outcomes lo GROUP BY batch_id",
      "INSERT INTO lead_outcome_lags (batch_id, lag_days, deliveries) SELECT batch_id, " +
          lag_days("lo") +
          ", count(*) FROM lead_outcomes lo WHERE outcome = 'delivery' AND outcome_at IS "
          "NOT NULL GROUP BY 1, 2",
      "CREATE TRIGGER IF NOT EXISTS lead_outcomes_summary_insert AFTER INSERT ON "
      "lead_outcomes BEGIN " +
          batch_delta("NEW", "+") + " " + lag_delta("NEW", "+") + " END",
      "CREATE TRIGGER IF NOT EXISTS lead_outcomes_summary_delete AFTER DELETE ON "
      "lead_outcomes BEGIN " +
          batch_delta("OLD", "-") + " " + lag_delta("OLD", "-") + " END",
      "CREATE TRIGGER IF NOT EXISTS lead_outcomes_summary_update AFTER UPDATE OF batch_id, "
      "exported_at, workflow_type, outcome, outcome_at ON lead_outcomes BEGIN " +
          batch_delta("OLD", "-") + " " + lag_delta("OLD", "-") + " " + batch_delta("NEW", "+") +
          " " + lag_delta("NEW", "+") + " END",
  };
}

Migration outcome_summary_v1() {
  Migration m{1,
              "lead_outcome_batches, lead_outcome_lags and the triggers that keep them",
              {
                  R"sql(CREATE TABLE IF NOT EXISTS lead_outcome_batches (
  batch_id TEXT PRIMARY KEY,
  exported_at TEXT NOT NULL,
  workflow_type TEXT,
  leads INTEGER NOT NULL,
  contacted INTEGER NOT NULL,
  appointments INTEGER NOT NULL,
  deliveries INTEGER NOT NULL,
  churned INTEGER NOT NULL))sql",
                  "CREATE INDEX IF NOT EXISTS lead_outcome_batches_exported_at "
                  "ON lead_outcome_batches (exported_at)",
                  R"sql(CREATE TABLE IF NOT EXISTS lead_outcome_lags (
  batch_id TEXT NOT NULL,
  lag_days INTEGER NOT NULL,
  deliveries INTEGER NOT NULL,
  PRIMARY KEY (batch_id, lag_days)) WITHOUT ROWID)sql",
              }};
  for (std::string& sql : fill_and_keep()) m.statements.push_back(std::move(sql));
  return m;
}

// Version 2: outcome_tables migration 5 rebuilt lead_outcomes, which dropped the triggers; rows
// written since are missing from the summary. Filled again and kept again.
Migration outcome_summary_v2() {
  return Migration{2, "the triggers again after lead_outcomes was rebuilt", fill_and_keep()};
}

}  // namespace

const std::vector<Migration>& outcome_summary_migrations() {
  // Built once and never changed: a function-local constant, not global mutable state.
  static const std::vector<Migration> kMigrations = {outcome_summary_v1(), outcome_summary_v2()};
  return kMigrations;
}

Status apply_outcome_summary_migrations(Database& db) {
  HADES_RETURN_IF_ERROR(apply_outcome_migrations(db));
  return apply_migrations(db, kOutcomeSummaryComponent, outcome_summary_migrations());
}

}  // namespace hades::domain
