// historical_importer.h: the sink that turns Zoho leads into historical_outcomes rows.
//
// jobs/import_historical.yaml stages Zoho's Deals and Deliveries into two tables with
// zoho_source -> turso_sink (upserted on the Zoho id), then reads Leads, with this sink next to
// the leads' own staging sink. For each lead of a chunk whose lead source is exactly
// `lead_source` (domain.md, "The CRM data model") it stages one historical_outcomes row in the
// chunk's batch, which the runner commits with the step's checkpoint:
//   outcome          `delivery` when some staged delivery's deal is the lead's converted deal
//                    (whatever the delivery's status: it happened), else `no_delivery`;
//   delivery_at      the earliest Delivery_Date of those deliveries;
//   deal_created_at  the converted deal's Created_Time, in UTC;
//   sic_code, employee_count, zip_code, state  normalised as the export does (leads/normalize.h),
//                    with the raw Zoho values kept in sic_raw, employees_raw, zip_raw, state_raw.
// Rows are keyed on zoho_lead_id: a row is inserted once, rewritten only when one of its values
// changed (updated_at says when), and left alone otherwise, so importing the same org again
// changes nothing. imported_at is the run's start when the row was first written.
//
// Building rows chunk by chunk, rather than in a step of its own after the reads, does the
// work while the leads step waits for Zoho's next page: the import takes about as long as its
// API calls (bench/zoho_import_bench.sh).
//
// The lead's fields are found by the record's column names (Zoho's field API names: settings);
// the staging tables' columns are fixed (the job maps Zoho's names onto them):
//   deals:      id, created_at
//   deliveries: id, deal, delivery_date
//
// Thread safety: one thread at a time.

#ifndef HADES_PLUGINS_HISTORICAL_IMPORTER_HISTORICAL_IMPORTER_H_
#define HADES_PLUGINS_HISTORICAL_IMPORTER_HISTORICAL_IMPORTER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hades/plugin.h"
#include "hades/settings.h"

namespace hades::historical_importer {

// The `with:` keys the sink accepts; also the source of the README's settings table.
extern const SettingSpec kSettings[10];

// The record columns holding a lead's fields (Zoho field API names; `id` is zoho_source's).
struct LeadFields {
  std::string company = "Company";
  std::string lead_source = "Lead_Source";
  std::string sic = "SIC_Code";
  std::string employees = "No_of_Employees";
  std::string zip = "Zip_Code";
  std::string state = "State";
  std::string converted_deal = "Converted_Deal";
};

struct ImporterConfig {
  std::string deals_table = "zoho_import_deals";
  std::string deliveries_table = "zoho_import_deliveries";
  std::string lead_source = "VanillaSoft";
  LeadFields fields;
};

// One Zoho lead's values, as the record has them.
struct ZohoLead {
  std::string id;
  Value company, lead_source, sic, employees, zip, state, converted_deal;
};

// What one run did, for the log and the tests.
struct ImportStats {
  std::int64_t leads = 0;          // leads of lead_source
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

// Applies the outcome migrations and checks the staging tables. Fails with kInvalidConfig when
// a staging table or column is missing, naming it and the setting.
Status prepare(Database& db, const ImporterConfig& config);

// Adds to `batch` the historical_outcomes upserts of `leads` (those of config.lead_source that
// are new or changed), looking up their deals and deliveries in the staging tables. `now`
// (ISO-8601 UTC) stamps imported_at and updated_at. REQUIRES: prepare() succeeded.
Status stage_outcomes(Database& db, const ImporterConfig& config, std::vector<ZohoLead> leads,
                      const std::string& now, WriteBatch& batch, ImportStats& stats);

class HistoricalImporter : public Sink {
 public:
  explicit HistoricalImporter(ImporterConfig config) : config_(std::move(config)) {}

  // Its rows commit with the step's checkpoint, and are upserts.
  DeliveryGuarantee guarantee() const override { return DeliveryGuarantee::kExactlyOnce; }
  Status open(Context& ctx, const std::shared_ptr<const Schema>& schema,
              std::string_view token) override;
  Status write(const Chunk& chunk, WriteBatch& batch, Rejects& rejects) override;
  Result<std::string> flush() override { return std::string(); }
  Status finish(Context& ctx) override;

 private:
  const ImporterConfig config_;
  Context* ctx_ = nullptr;
  std::shared_ptr<const Schema> schema_;
  ImportStats stats_;
};

}  // namespace hades::historical_importer

#endif  // HADES_PLUGINS_HISTORICAL_IMPORTER_HISTORICAL_IMPORTER_H_
