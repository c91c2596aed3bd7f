// outcome_matcher.h: the task that moves lead_outcomes forward from staged Zoho records.
//
// jobs/sync_outcomes.yaml stages the HADES-originated records of Zoho's Leads, Deals and
// Deliveries (those whose HADES_Batch_ID holds a batch ID) into three tables, incrementally, with
// zoho_source -> turso_sink upserted on the Zoho id. This task then, over every staged record:
//   1. finds the batch ID in the record's batch text (bare, or inside the Import Notes text);
//   2. finds the exported company: the lead_outcomes rows of that batch whose company_name
//      normalises (crm_text/crm_text.h) to the record's company (a delivery's company is its
//      deal's Account_Name), or whose company_id equals the record's when the staging table has
//      a company_id column and both sides have one. Rows with the same company_id (or, without
//      ids, the same normalised name) are one company: several contacts of one company all get
//      its outcome;
//   3. maps the record's status/stage to an outcome with the configured mapping;
//   4. moves each matched company's rows to the highest outcome its records show
//      (contacted < appointment < delivery < churned), never backwards; outcome_at is the
//      Modified_Time (UTC) of the record that set it, the earliest one when several tie;
// A record whose batch has no such company (no_match), several different companies
// (ambiguous), no batch ID (no_batch_id), or whose deal is unknown (no_deal, deliveries only)
// is logged in unmatched_outcomes, never guessed; a logged record that later matches is marked
// resolved. Finally hades_flags.recalibration_available says whether any outcome advanced after
// the last calibration run (calibration_runs.created_at).
//
// Every write is conditional on a change, so a run over unchanged staging changes nothing.
//
// Staging columns (the job maps Zoho's field API names onto them):
//   leads:      id, company, batch, status, modified_at [, company_id]
//   deals:      id, company, batch, stage, modified_at [, company_id]
//   deliveries: id, deal, batch, status, modified_at
//
// Thread safety: one thread at a time.

#ifndef HADES_PLUGINS_OUTCOME_MATCHER_OUTCOME_MATCHER_H_
#define HADES_PLUGINS_OUTCOME_MATCHER_OUTCOME_MATCHER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "hades/plugin.h"
#include "hades/settings.h"

namespace hades::outcome_matcher {

// The `with:` keys the task accepts; also the source of the README's settings table.
extern const SettingSpec kSettings[6];

// Zoho value (compared trimmed and case-insensitively, keys stored lower-case) -> outcome.
using OutcomeMap = std::map<std::string, std::string>;

struct MatcherConfig {
  std::string leads_table = "zoho_sync_leads";
  std::string deals_table = "zoho_sync_deals";
  std::string deliveries_table = "zoho_sync_deliveries";
  OutcomeMap lead_status;      // Leads.Lead_Status -> outcome
  OutcomeMap deal_stage;       // Deals.Stage -> outcome
  OutcomeMap delivery_status;  // Deliveries.Status -> outcome
};

// What one run did, for the log and the tests.
struct MatchStats {
  std::int64_t records = 0;  // staged records considered
  std::int64_t matched = 0;  // attributed to exactly one exported company
  std::int64_t no_match = 0;
  std::int64_t ambiguous = 0;
  std::int64_t no_batch_id = 0;
  std::int64_t no_deal = 0;
  std::int64_t advanced = 0;           // lead_outcomes rows whose outcome moved forward
  std::int64_t unmatched_written = 0;  // unmatched_outcomes rows added or changed
  std::int64_t resolved = 0;           // unmatched_outcomes rows marked resolved
  bool recalibration_available = false;
};

// Binds and checks the settings (outcome names, table names). Fails with kInvalidConfig naming
// the key. A mapping setting that is absent gets domain.md's default.
Result<MatcherConfig> bind_config(const Settings& settings);

// The factory HADES_PLUGIN exports.
Result<std::unique_ptr<Plugin>> create(const Settings& settings);

// Applies the outcome migrations and does steps 1-4 and the flag. `now` (ISO-8601 UTC) stamps
// updated_at, first_seen_at and resolved_at. Fails with kInvalidConfig when a staging table or
// column is missing.
Result<MatchStats> match_outcomes(Database& db, const MatcherConfig& config,
                                  const std::string& now);

class OutcomeMatcher : public Task {
 public:
  explicit OutcomeMatcher(MatcherConfig config) : config_(std::move(config)) {}
  Status run(Context& ctx) override;

 private:
  const MatcherConfig config_;
};

}  // namespace hades::outcome_matcher

#endif  // HADES_PLUGINS_OUTCOME_MATCHER_OUTCOME_MATCHER_H_
