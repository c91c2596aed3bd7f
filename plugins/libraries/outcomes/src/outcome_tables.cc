#include "outcomes/outcome_tables.h"

namespace hades::domain {
namespace {

// Version 1: the design's columns and types (docs/export.md, "Tables"), plus person_id and the
// keys the export and the sync need. CHECK constraints hold the outcome vocabularies of
// domain.md, so a bad write fails instead of polluting the calibration.
Migration outcome_tables_v1() {
  return Migration{1,
                   "historical_outcomes, lead_outcomes, hades_batch_ids",
                   {
                       R"sql(CREATE TABLE IF NOT EXISTS historical_outcomes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  company_name TEXT NOT NULL,
  sic_code TEXT,
  employee_count INTEGER,
  zip_code TEXT,
  state TEXT,
  outcome TEXT NOT NULL CHECK (outcome IN ('delivery', 'no_delivery')),
  deal_created_at TEXT,
  delivery_at TEXT,
  imported_at TEXT NOT NULL))sql",
                       R"sql(CREATE INDEX IF NOT EXISTS historical_outcomes_sic
  ON historical_outcomes (sic_code))sql",
                       R"sql(CREATE TABLE IF NOT EXISTS lead_outcomes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  batch_id TEXT NOT NULL,
  person_id TEXT NOT NULL,
  company_name TEXT NOT NULL,
  company_id TEXT,
  sic_code TEXT,
  employee_count INTEGER,
  distance_miles REAL,
  zip_code TEXT,
  state TEXT,
  hades_score INTEGER,
  workflow_type TEXT CHECK (workflow_type IN ('intent', 'geography')),
  exported_at TEXT NOT NULL,
  outcome TEXT CHECK (outcome IN ('contacted', 'appointment', 'delivery', 'churned')),
  outcome_at TEXT,
  source_features TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT,
  UNIQUE (batch_id, person_id)))sql",
                       // The sync matches Zoho records by batch and company; the dashboard
                       // lists by date and outcome.
                       R"sql(CREATE INDEX IF NOT EXISTS lead_outcomes_batch_company
  ON lead_outcomes (batch_id, company_name))sql",
                       R"sql(CREATE INDEX IF NOT EXISTS lead_outcomes_exported_at
  ON lead_outcomes (exported_at))sql",
                       R"sql(CREATE INDEX IF NOT EXISTS lead_outcomes_outcome
  ON lead_outcomes (outcome))sql",
                       R"sql(CREATE TABLE IF NOT EXISTS hades_batch_ids (
  batch_id TEXT PRIMARY KEY,
  day TEXT NOT NULL,
  seq INTEGER NOT NULL,
  run_id INTEGER NOT NULL,
  job TEXT NOT NULL,
  allocated_at TEXT NOT NULL,
  UNIQUE (day, seq),
  UNIQUE (job, run_id)))sql",
                   }};
}

// Version 2: what the Zoho jobs need (docs/zoho.md).
// - historical_outcomes gets its natural key, the Zoho lead id, so the import upserts: a second
//   import adds nothing and rewrites only rows whose values changed. The raw Zoho values are kept
//   next to the normalised ones the calibration reads, so a normalisation rule can be audited or
//   re-applied without asking Zoho again. A unique index, not a column constraint: SQLite cannot
//   add a UNIQUE column, and rows of an older import (NULL id) stay valid.
// - unmatched_outcomes logs the Zoho records the outcome sync could not attribute to exactly one
//   exported company, for pipeline debugging; one row per record, updated only when what is
//   wrong with it changes, and marked resolved once it matches.
// - hades_flags holds dashboard indicators such as recalibration_available.
Migration outcome_tables_v2() {
  return Migration{2,
                   "historical_outcomes Zoho key and raw values, unmatched_outcomes, hades_flags",
                   {
                       "ALTER TABLE historical_outcomes ADD COLUMN zoho_lead_id TEXT",
                       "ALTER TABLE historical_outcomes ADD COLUMN zoho_deal_id TEXT",
                       "ALTER TABLE historical_outcomes ADD COLUMN delivery_count INTEGER",
                       "ALTER TABLE historical_outcomes ADD COLUMN sic_raw TEXT",
                       "ALTER TABLE historical_outcomes ADD COLUMN employees_raw TEXT",
                       "ALTER TABLE historical_outcomes ADD COLUMN zip_raw TEXT",
                       "ALTER TABLE historical_outcomes ADD COLUMN state_raw TEXT",
                       "ALTER TABLE historical_outcomes ADD COLUMN updated_at TEXT",
                       R"sql(CREATE UNIQUE INDEX IF NOT EXISTS historical_outcomes_zoho_lead_id
  ON historical_outcomes (zoho_lead_id))sql",
                       R"sql(CREATE TABLE IF NOT EXISTS unmatched_outcomes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  module TEXT NOT NULL,
  zoho_id TEXT NOT NULL,
  batch_id TEXT,
  company TEXT,
  reason TEXT NOT NULL CHECK (reason IN ('no_match', 'ambiguous', 'no_batch_id', 'no_deal')),
  detail TEXT,
  zoho_modified_at TEXT,
  first_seen_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  resolved_at TEXT,
  UNIQUE (module, zoho_id)))sql",
                       R"sql(CREATE INDEX IF NOT EXISTS unmatched_outcomes_batch
  ON unmatched_outcomes (batch_id))sql",
                       R"sql(CREATE TABLE IF NOT EXISTS hades_flags (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  detail TEXT,
  updated_at TEXT NOT NULL))sql",
                   }};
}

// Version 3: what keeps wrong numbers out of the calibration (docs/export.md).
// - lead_outcomes.scoring_rules: the version of the scoring rules that computed hades_score
//   (kScoringRulesVersion); NULL for rows written before it existed, which are version 1.
// - hades_batch_ids.state: allocated -> published | abandoned (batch_ids.h). Batches exported
//   before states existed are taken as published: their runs could not be told apart any more.
//   output_file is the batch's CSV, so an abandoned batch's partial file can be removed.
Migration outcome_tables_v3() {
  return Migration{
      3,
      "lead_outcomes.scoring_rules, hades_batch_ids state and output_file",
      {
          "ALTER TABLE lead_outcomes ADD COLUMN scoring_rules INTEGER",
          "ALTER TABLE hades_batch_ids ADD COLUMN state TEXT NOT NULL DEFAULT 'published' "
          "CHECK (state IN ('allocated', 'published', 'abandoned'))",
          "ALTER TABLE hades_batch_ids ADD COLUMN state_at TEXT",
          "ALTER TABLE hades_batch_ids ADD COLUMN output_file TEXT",
      }};
}

// Version 4: the export ranks its leads in one pipeline (order_by) and stages nothing, so the
// tables older exports staged every lead in are dropped: scored_leads, and export_candidates
// before it. Nothing reads them; they held a copy of every lead of every export run.
Migration outcome_tables_v4() {
  return Migration{4,
                   "the export's old staging tables, gone",
                   {
                       "DROP TABLE IF EXISTS scored_leads",
                       "DROP TABLE IF EXISTS export_candidates",
                   }};
}

// Version 5: lead_outcomes keyed on (batch_id, export_rank), the order the export writes in.
// Keyed on (batch_id, person_id), and with an index on (batch_id, company_name), every exported
// row landed on random pages of two indexes: a 500-row chunk dirtied about a thousand pages, all
// written to the WAL at its commit, and that was most of the export's time. Keyed on the rank,
// a chunk's index entries append; batches are read through the same index (batch_id first).
// One lead per person and batch is kept by the export itself (order_by's `unique`). SQLite
// cannot drop a table constraint, so the table is rebuilt (its documented procedure): rows
// keep their ids, and the ranks of rows written before are their order of insertion in their
// batch, which is the order the export wrote them in. Dropping the table drops the triggers
// of the dashboard's summary tables too: outcome_summary migration 2 makes them again.
Migration outcome_tables_v5() {
  static constexpr const char* kColumns =
      "id, batch_id, person_id, company_name, company_id, sic_code, employee_count, "
      "distance_miles, zip_code, state, hades_score, workflow_type, exported_at, outcome, "
      "outcome_at, source_features, created_at, updated_at, scoring_rules";
  return Migration{
      5,
      "lead_outcomes keyed on (batch_id, export_rank)",
      {
          R"sql(CREATE TABLE lead_outcomes_by_rank (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  batch_id TEXT NOT NULL,
  person_id TEXT NOT NULL,
  company_name TEXT NOT NULL,
  company_id TEXT,
  sic_code TEXT,
  employee_count INTEGER,
  distance_miles REAL,
  zip_code TEXT,
  state TEXT,
  hades_score INTEGER,
  workflow_type TEXT CHECK (workflow_type IN ('intent', 'geography')),
  exported_at TEXT NOT NULL,
  outcome TEXT CHECK (outcome IN ('contacted', 'appointment', 'delivery', 'churned')),
  outcome_at TEXT,
  source_features TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT,
  scoring_rules INTEGER,
  export_rank INTEGER,
  UNIQUE (batch_id, export_rank)))sql",
          std::string("INSERT INTO lead_outcomes_by_rank (") + kColumns + ", export_rank) SELECT " +
              kColumns +
              ", row_number() OVER (PARTITION BY batch_id ORDER BY id) FROM lead_outcomes",
          "DROP TABLE lead_outcomes",
          "ALTER TABLE lead_outcomes_by_rank RENAME TO lead_outcomes",
          "CREATE INDEX lead_outcomes_exported_at ON lead_outcomes (exported_at)",
          "CREATE INDEX lead_outcomes_outcome ON lead_outcomes (outcome)",
      }};
}

// Version 6: what the calibrator reads, in a form it can scan (issue 19).
// - An intent lead's intent_strength, intent_score, intent_date and age_days as columns of their
//   own (the scorer's columns of the same names, mapped by jobs/export_leads.yaml), instead of
//   JSON to parse on every row. age_days is set on every intent lead the export writes (999 for
//   an unknown date), so a NULL age_days marks an intent row whose columns were not written (an
//   export job without the mapping): the calibrator reads such rows' source_features as before.
//   Existing intent rows are filled from their source_features when it holds the types the
//   scorer writes (an integer age, a text or null strength and date, an integer or null score);
//   the others keep NULL and are read from the JSON.
// - lead_outcomes_calibration, an index of every column the calibrator reads, by batch and
//   export time: it walks the index instead of the rows, about a tenth of their bytes
//   (source_features makes up most of a row), one published batch after the other (so the
//   published-batch condition seeks each batch once instead of testing every row). It costs the
//   export one more index entry per lead.
Migration outcome_tables_v6() {
  return Migration{6,
                   "lead_outcomes intent_strength, intent_score, intent_date, age_days; "
                   "lead_outcomes_calibration",
                   {
                       "ALTER TABLE lead_outcomes ADD COLUMN intent_strength TEXT",
                       "ALTER TABLE lead_outcomes ADD COLUMN intent_score INTEGER",
                       "ALTER TABLE lead_outcomes ADD COLUMN intent_date TEXT",
                       "ALTER TABLE lead_outcomes ADD COLUMN age_days INTEGER",
                       R"sql(UPDATE lead_outcomes SET
  intent_strength = json_extract(source_features, '$.inputs.intent_strength'),
  intent_score = json_extract(source_features, '$.inputs.intent_score'),
  intent_date = json_extract(source_features, '$.inputs.intent_date'),
  age_days = json_extract(source_features, '$.components.age_days')
WHERE workflow_type = 'intent' AND json_valid(source_features)
  AND json_type(source_features, '$.components.age_days') = 'integer'
  AND coalesce(json_type(source_features, '$.inputs.intent_strength'), 'null') IN ('text', 'null')
  AND coalesce(json_type(source_features, '$.inputs.intent_score'), 'null') IN ('integer', 'null')
  AND coalesce(json_type(source_features, '$.inputs.intent_date'), 'null') IN ('text', 'null'))sql",
                       R"sql(CREATE INDEX IF NOT EXISTS lead_outcomes_calibration ON lead_outcomes (
  batch_id, exported_at, workflow_type, hades_score, outcome, sic_code, employee_count,
  distance_miles, state, intent_strength, intent_score, intent_date, age_days, scoring_rules,
  outcome_at))sql",
                   }};
}

}  // namespace

const std::vector<Migration>& outcome_migrations() {
  // Built once and never changed: a function-local constant, not global mutable state.
  static const std::vector<Migration> kMigrations = {outcome_tables_v1(), outcome_tables_v2(),
                                                     outcome_tables_v3(), outcome_tables_v4(),
                                                     outcome_tables_v5(), outcome_tables_v6()};
  return kMigrations;
}

std::string published_batch_sql(std::string_view batch_id_column) {
  return std::string(batch_id_column) +
         " IN (SELECT batch_id FROM hades_batch_ids WHERE state = 'published')";
}

Status apply_outcome_migrations(Database& db) {
  return apply_migrations(db, kOutcomeTablesComponent, outcome_migrations());
}

}  // namespace hades::domain
