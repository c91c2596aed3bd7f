// outcome_tables.h: the tables that follow exported leads to their outcomes.
//
// The design's two outcome tables (docs/export.md, "Tables"), the batch ID register and what the
// Zoho jobs keep beside them:
//   historical_outcomes  pre-HADES leads and whether they led to a delivery (one-time import)
//   lead_outcomes        one row per exported lead: batch, score, features, outcome so far
//   hades_batch_ids      one row per export run: its batch ID (batch_ids.h)
//   unmatched_outcomes   Zoho records the outcome sync could not attribute (docs/zoho.md)
//   hades_flags          dashboard indicators, e.g. recalibration_available (docs/zoho.md)
//
// They belong to the migration component kOutcomeTablesComponent. Every plugin that reads or
// writes them (the export, the Zoho sync, the calibrator) calls apply_outcome_migrations()
// first, so whichever runs first creates them and none depends on the others' order.
//
// Adding a table or a column: append a Migration with the next version to the list in
// outcome_tables.cc. Released migrations never change.
//
// Thread safety: as the Database passed in.

#ifndef HADES_OUTCOMES_OUTCOME_TABLES_H_
#define HADES_OUTCOMES_OUTCOME_TABLES_H_

#include <string>
#include <string_view>
#include <vector>

#include "hades/database.h"
#include "hades/migrations.h"
#include "hades/status.h"

namespace hades::domain {

// The condition that the batch named by `batch_id_column` was published (batch_ids.h): only a
// published batch's lead_outcomes rows are leads the dialer received. Every reader that counts
// leads (calibration, the backtest, the batch check, the dashboard) adds it to its WHERE clause
// with AND; it holds no placeholders. The default's unary + keeps SQLite from walking the batch
// index for what is usually a near-full scan of lead_outcomes.
std::string published_batch_sql(std::string_view batch_id_column = "+batch_id");

// The component name the migrations are recorded under in hades_migrations.
inline constexpr std::string_view kOutcomeTablesComponent = "outcome_tables";

// Every migration of the outcome tables, in order, versions 1, 2, 3, ...
const std::vector<Migration>& outcome_migrations();

// Brings the outcome tables up to the last migration (see hades/migrations.h).
Status apply_outcome_migrations(Database& db);

}  // namespace hades::domain

#endif  // HADES_OUTCOMES_OUTCOME_TABLES_H_
