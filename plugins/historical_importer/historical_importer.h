// historical_importer.h: the task that turns staged Zoho records into historical_outcomes.
//
// jobs/import_historical.yaml stages Zoho's Leads, Deals and Deliveries into three tables with
// zoho_source -> turso_sink (upserted on the Zoho id); this task then builds one
// historical_outcomes row per lead whose lead source is exactly `lead_source` (domain.md, "The
// CRM data model"):
//   outcome          `delivery` when some staged delivery's deal is the lead's converted deal
//                    (whatever the delivery's status: it happened), else `no_delivery`;
//   delivery_at      the earliest Delivery_Date of those deliveries;
//   deal_created_at  the converted deal's Created_Time, in UTC;
//   sic_code, employee_count, zip_code, state  normalised as the export does (common/normalize.h),
//                    with the raw Zoho values kept in sic_raw, employees_raw, zip_raw, state_raw.
// Rows are keyed on zoho_lead_id: a row is inserted once, rewritten only when one of its values
// changed (updated_at says when), and left alone otherwise, so running the task again on the
// same staging changes nothing. imported_at is the run's start when the row was first written.
//
// The staging tables' columns are fixed (the job maps Zoho's field API names onto them):
//   leads:      id, company, lead_source, sic_code, employees, zip_code, state, converted_deal
//   deals:      id, created_at
//   deliveries: id, deal, delivery_date
//
// Thread safety: one thread at a time.

#ifndef HADES_PLUGINS_HISTORICAL_IMPORTER_HISTORICAL_IMPORTER_H_
#define HADES_PLUGINS_HISTORICAL_IMPORTER_HISTORICAL_IMPORTER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "hades/plugin.h"
#include "hades/settings.h"

namespace hades::historical_importer {

// The `with:` keys the task accepts; also the source of the README's settings table.
extern const SettingSpec kSettings[5];

struct ImporterConfig {
  std::string leads_table = "zoho_import_leads";
  std::string deals_table = "zoho_import_deals";
  std::string deliveries_table = "zoho_import_deliveries";
  std::string lead_source = "VanillaSoft";
  std::int64_t page_size = 1000;
};

// What one run did, for the log and the tests.
struct ImportStats {
  std::int64_t leads = 0;          // staged leads of lead_source
  std::int64_t delivered = 0;      // of those, with a delivery
  std::int64_t inserted = 0;       // historical_outcomes rows added
  std::int64_t updated = 0;        // rows whose values changed
  std::int64_t unchanged = 0;      // rows left alone
  std::int64_t bad_employees = 0;  // employee counts that did not parse (stored as NULL)
  std::int64_t bad_times = 0;      // Created_Time values that are not ISO-8601 (stored raw)
};

// Binds and checks the settings. Fails with kInvalidConfig naming the key.
Result<ImporterConfig> bind_config(const Settings& settings);

// The factory HADES_PLUGIN exports.
Result<std::unique_ptr<Plugin>> create(const Settings& settings);

// Applies the outcome migrations and builds historical_outcomes from the staging tables.
// `now` (ISO-8601 UTC) stamps imported_at and updated_at. Fails with kInvalidConfig when a
// staging table or column is missing, naming it and the job step that should have made it.
Result<ImportStats> import_historical(Database& db, const ImporterConfig& config,
                                      const std::string& now);

class HistoricalImporter : public Task {
 public:
  explicit HistoricalImporter(ImporterConfig config) : config_(std::move(config)) {}
  Status run(Context& ctx) override;

 private:
  const ImporterConfig config_;
};

}  // namespace hades::historical_importer

#endif  // HADES_PLUGINS_HISTORICAL_IMPORTER_HISTORICAL_IMPORTER_H_
