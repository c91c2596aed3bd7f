// outcome_summary.h: per-batch counts of lead_outcomes, kept current by triggers.
//
// The Score Calibration page shows the funnel, the latest batches and the delivery time lag
// over every exported lead. Read from lead_outcomes itself that is a scan of a million wide rows
// (each carries its source_features JSON): seconds. These two tables hold the same facts a few
// thousand rows deep, and triggers on lead_outcomes keep them equal to what a GROUP BY would
// give, whoever writes (the export, the sync, a repair by hand):
//
//   lead_outcome_batches  one row per batch_id: exported_at (earliest), workflow_type, leads,
//                         and how many reached contacted, appointment, delivery (delivery or
//                         churned) and churned. Outcomes only move forward, so each count
//                         includes the later stages: the funnel reads straight off it.
//   lead_outcome_lags     per batch_id and lag_days, how many leads have the outcome
//                         `delivery` with outcome_at that many whole days after exported_at
//                         (at least 0). Churned leads are left out: their outcome_at is when
//                         the delivery was removed, not when it happened.
//
// The migration (component kOutcomeSummaryComponent) creates both, fills them from the rows
// already there and creates the triggers, in one transaction, so no write can fall between the
// fill and the triggers. Cost: each insert into lead_outcomes also upserts one summary row
// (docs/dashboard.md, "Performance").
//
// REQUIRES: the outcome tables exist (apply_outcome_migrations() first).
// Thread safety: as the Database passed in.

#ifndef HADES_OUTCOMES_OUTCOME_SUMMARY_H_
#define HADES_OUTCOMES_OUTCOME_SUMMARY_H_

#include <string_view>
#include <vector>

#include "hades/database.h"
#include "hades/migrations.h"
#include "hades/status.h"

namespace hades::domain {

inline constexpr std::string_view kOutcomeSummaryComponent = "outcome_summary";

// Every migration of the summary tables, in order. Released migrations never change.
const std::vector<Migration>& outcome_summary_migrations();

// The outcome tables, then the summary tables and their triggers.
Status apply_outcome_summary_migrations(Database& db);

}  // namespace hades::domain

#endif  // HADES_OUTCOMES_OUTCOME_SUMMARY_H_
