#include "historical_importer.h"

#include <nlohmann/json.hpp>
#include <unordered_map>
#include <utility>
#include <vector>

#include "crm_text/crm_text.h"
#include "hades/plugin_export.h"
#include "leads/normalize.h"
#include "outcomes/outcome_tables.h"
#include "outcomes/staging_tables.h"

namespace hades::historical_importer {

const SettingSpec kSettings[10] = {
    {"deals_table", SettingType::kString, false, "zoho_import_deals", false,
     "Staging table of Zoho Deals: columns id, created_at."},
    {"deliveries_table", SettingType::kString, false, "zoho_import_deliveries", false,
     "Staging table of Zoho Deliveries: columns id, deal, delivery_date."},
    {"lead_source", SettingType::kString, false, "VanillaSoft", false,
     "The lead source of dialer leads, compared exactly (case included): look-alikes such as "
     "`VanillaSoft Legacy` are other sources."},
    {"company_field", SettingType::kString, false, "Company", false,
     "The record column with the lead's company."},
    {"lead_source_field", SettingType::kString, false, "Lead_Source", false,
     "The record column with the lead's source."},
    {"sic_field", SettingType::kString, false, "SIC_Code", false,
     "The record column with the raw SIC code."},
    {"employees_field", SettingType::kString, false, "No_of_Employees", false,
     "The record column with the employee count."},
    {"zip_field", SettingType::kString, false, "Zip_Code", false,
     "The record column with the ZIP code."},
    {"state_field", SettingType::kString, false, "State", false,
     "The record column with the state."},
    {"converted_deal_field", SettingType::kString, false, "Converted_Deal", false,
     "The record column with the converted deal's id."},
};

namespace {

// historical_outcomes' columns this sink writes, in the order outcome_values() returns them.
const std::vector<std::string>& value_columns() {
  static const std::vector<std::string> kColumns = {
      "company_name", "sic_code",        "employee_count", "zip_code",     "state",
      "outcome",      "deal_created_at", "delivery_at",    "zoho_deal_id", "delivery_count",
      "sic_raw",      "employees_raw",   "zip_raw",        "state_raw"};
  return kColumns;
}

std::string upsert_sql() {
  std::string columns = "zoho_lead_id";
  std::string marks = "?";
  std::string set;
  std::string changed;
  for (const std::string& c : value_columns()) {
    columns += ", " + c;
    marks += ", ?";
    set += c + " = excluded." + c + ", ";
    changed += (changed.empty() ? "" : " OR ") + c + " IS NOT excluded." + c;
  }
  return "INSERT INTO historical_outcomes (" + columns + ", imported_at) VALUES (" + marks +
         ", ?) ON CONFLICT (zoho_lead_id) DO UPDATE SET " + set + "updated_at = ? WHERE " + changed;
}

Value text_or_null(const Value& v) {
  if (is_null(v)) return Value();
  std::string text = to_text(v);
  if (domain::is_blank(text)) return Value();
  return Value(std::move(text));
}

Value optional_text(const std::optional<std::string>& v) { return v ? Value(*v) : Value(); }

// What the staging tables know of a converted deal.
struct DealFacts {
  Value created_at;
  Value first_delivery;
  std::int64_t deliveries = 0;
};

// The historical_outcomes values of `lead`, in value_columns() order.
std::vector<Value> outcome_values(const ZohoLead& lead, const DealFacts& deal, ImportStats& stats) {
  const Value sic_raw = text_or_null(lead.sic);
  const Value employees_raw = text_or_null(lead.employees);
  const Value zip_raw = text_or_null(lead.zip);
  const Value state_raw = text_or_null(lead.state);
  const Value deal_id = text_or_null(lead.converted_deal);
  const std::int64_t deliveries = deal.deliveries;

  Value employees;
  if (const auto n = as_int(lead.employees);
      n && std::holds_alternative<std::int64_t>(lead.employees)) {
    employees = *n;
  } else if (!is_null(employees_raw)) {
    Result<std::optional<std::int64_t>> parsed =
        domain::parse_employee_count(to_text(employees_raw));
    if (parsed.ok() && parsed->has_value()) {
      employees = **parsed;
    } else if (!parsed.ok()) {
      ++stats.bad_employees;
    }
  }
  Value deal_created;
  if (!is_null(deal.created_at)) {
    const std::string raw = to_text(deal.created_at);
    const std::optional<std::string> utc = domain::to_utc_timestamp(raw);
    if (!utc) ++stats.bad_times;
    deal_created = utc.value_or(raw);
  }
  return {
      Value(to_text(lead.company)),
      optional_text(domain::normalize_sic(to_text(sic_raw))),
      employees,
      optional_text(domain::normalize_zip(to_text(zip_raw))),
      optional_text(domain::normalize_state(to_text(state_raw))),
      Value(std::string(deliveries > 0 ? "delivery" : "no_delivery")),
      deal_created,
      deliveries > 0 ? text_or_null(deal.first_delivery) : Value(),
      deal_id,
      Value(deliveries),
      sic_raw,
      employees_raw,
      zip_raw,
      state_raw,
  };
}

// `ids` as one JSON array argument: a chunk's lookups are one statement on either backend
// (json_each), however many ids.
Value json_array(const std::vector<std::string>& ids) { return Value(nlohmann::json(ids).dump()); }

// The historical_outcomes rows of `leads` that exist, keyed on zoho_lead_id, their values in
// value_columns() order.
Result<std::unordered_map<std::string, std::vector<Value>>> existing_rows(
    Database& db, const std::vector<ZohoLead>& leads) {
  std::vector<std::string> ids;
  ids.reserve(leads.size());
  for (const ZohoLead& lead : leads) ids.push_back(lead.id);
  std::string columns = "zoho_lead_id";
  for (const std::string& c : value_columns()) columns += ", " + c;
  Result<QueryResult> rows = db.query(
      "SELECT " + columns +
          " FROM historical_outcomes WHERE zoho_lead_id IN (SELECT value FROM json_each(?))",
      {json_array(ids)});
  if (!rows.ok()) return rows.status();
  std::unordered_map<std::string, std::vector<Value>> out;
  for (auto& row : rows->rows) {
    std::string id = to_text(row[0]);
    out.emplace(std::move(id), std::vector<Value>(row.begin() + 1, row.end()));
  }
  return out;
}

Result<std::unordered_map<std::string, DealFacts>> deal_facts(
    Database& db, const ImporterConfig& c, const std::vector<std::string>& deals) {
  const std::string deliveries = "\"" + c.deliveries_table + "\"";
  Result<QueryResult> rows =
      db.query("SELECT ids.value, d.created_at, (SELECT min(v.delivery_date) FROM " + deliveries +
                   " v WHERE v.deal = ids.value), (SELECT count(*) FROM " + deliveries +
                   " v WHERE v.deal = ids.value) FROM json_each(?) ids LEFT JOIN \"" +
                   c.deals_table + "\" d ON d.id = ids.value",
               {json_array(deals)});
  if (!rows.ok()) return rows.status();
  std::unordered_map<std::string, DealFacts> out;
  for (auto& row : rows->rows) {
    out[to_text(row[0])] = DealFacts{row[1], row[2], as_int(row[3]).value_or(0)};
  }
  return out;
}

// `v` as a lookup key: its text, "" for null or blank.
std::string key_text(const Value& v) {
  const Value text = text_or_null(v);
  return is_null(text) ? "" : std::get<std::string>(text);
}

}  // namespace

Result<ImporterConfig> bind_config(const Settings& settings) {
  ImporterConfig c;
  Result<domain::StagingTableNames> tables =
      domain::bind_staging_table_names(settings, {"unused", c.deals_table, c.deliveries_table});
  if (!tables.ok()) return tables.status();
  c.deals_table = tables->deals;
  c.deliveries_table = tables->deliveries;
  c.lead_source = settings.get_string("lead_source").value_or(c.lead_source);
  if (domain::is_blank(c.lead_source)) {
    return Status::invalid_config("lead_source must not be empty");
  }
  LeadFields& f = c.fields;
  for (auto [key, field] : {std::pair{"company_field", &f.company},
                            {"lead_source_field", &f.lead_source},
                            {"sic_field", &f.sic},
                            {"employees_field", &f.employees},
                            {"zip_field", &f.zip},
                            {"state_field", &f.state},
                            {"converted_deal_field", &f.converted_deal}}) {
    *field = settings.get_string(key).value_or(*field);
    if (domain::is_blank(*field)) {
      return Status::invalid_config(std::string(key) + " must not be empty");
    }
  }
  return c;
}

Result<std::unique_ptr<Plugin>> create(const Settings& settings) {
  Result<ImporterConfig> config = bind_config(settings);
  if (!config.ok()) return config.status();
  return std::unique_ptr<Plugin>(std::make_unique<HistoricalImporter>(std::move(config).value()));
}

Status prepare(Database& db, const ImporterConfig& config) {
  HADES_RETURN_IF_ERROR(domain::apply_outcome_migrations(db));
  HADES_RETURN_IF_ERROR(
      domain::require_columns(db, config.deals_table, "deals_table", {"id", "created_at"}));
  HADES_RETURN_IF_ERROR(domain::require_columns(db, config.deliveries_table, "deliveries_table",
                                                {"id", "deal", "delivery_date"}));
  // The per-lead delivery lookups go through the deal; staging tables come without it.
  WriteBatch index;
  index.add("CREATE INDEX IF NOT EXISTS \"" + config.deliveries_table + "_deal\" ON \"" +
            config.deliveries_table + "\" (deal)");
  return db.apply(index);
}

Status stage_outcomes(Database& db, const ImporterConfig& config, std::vector<ZohoLead> leads,
                      const std::string& now, WriteBatch& batch, ImportStats& stats) {
  std::erase_if(leads, [&](const ZohoLead& lead) {
    return is_null(lead.lead_source) || to_text(lead.lead_source) != config.lead_source;
  });
  if (leads.empty()) return Status::ok_status();
  std::vector<std::string> deals;
  for (const ZohoLead& lead : leads) {
    if (std::string deal = key_text(lead.converted_deal); !deal.empty()) {
      deals.push_back(std::move(deal));
    }
  }
  Result<std::unordered_map<std::string, DealFacts>> facts = deal_facts(db, config, deals);
  if (!facts.ok()) return facts.status();
  Result<std::unordered_map<std::string, std::vector<Value>>> existing = existing_rows(db, leads);
  if (!existing.ok()) return existing.status();
  const std::string upsert = upsert_sql();
  for (const ZohoLead& lead : leads) {
    const auto deal = facts->find(key_text(lead.converted_deal));
    const DealFacts none;
    const DealFacts& f = deal == facts->end() ? none : deal->second;
    std::vector<Value> values = outcome_values(lead, f, stats);
    ++stats.leads;
    if (std::get<std::string>(values[5]) == "delivery") ++stats.delivered;
    const auto found = existing->find(lead.id);
    if (found != existing->end() && found->second == values) {
      ++stats.unchanged;
      continue;
    }
    ++(found == existing->end() ? stats.inserted : stats.updated);
    std::vector<Value> args;
    args.reserve(values.size() + 3);
    args.emplace_back(lead.id);
    for (Value& v : values) args.push_back(std::move(v));
    args.emplace_back(now);  // imported_at of a new row
    args.emplace_back(now);  // updated_at of a changed row
    batch.add(upsert, std::move(args));
  }
  return Status::ok_status();
}

Status HistoricalImporter::open(Context& ctx, const std::shared_ptr<const Schema>& schema,
                                std::string_view /*token*/) {
  ctx_ = &ctx;
  schema_ = schema;
  stats_ = ImportStats{};
  if (!schema->index_of("id")) {
    return Status::invalid_config("historical_importer: the input has no `id` column");
  }
  const LeadFields& f = config_.fields;
  for (const std::string* field :
       {&f.company, &f.lead_source, &f.sic, &f.employees, &f.zip, &f.state, &f.converted_deal}) {
    if (!schema->index_of(*field)) {
      return Status::invalid_config("historical_importer: the input has no column `" + *field +
                                    "` (set the *_field settings to the source's field names)");
    }
  }
  return prepare(ctx.database(), config_);
}

Status HistoricalImporter::write(const Chunk& chunk, WriteBatch& batch, Rejects& rejects) {
  const LeadFields& f = config_.fields;
  std::vector<ZohoLead> leads;
  leads.reserve(chunk.size());
  for (std::size_t i = 0; i < chunk.size(); ++i) {
    std::string id = key_text(chunk.get(i, "id"));
    if (id.empty()) {
      rejects.reject(chunk.position(i), "historical_importer: a lead without an id", "");
      continue;
    }
    leads.push_back(ZohoLead{std::move(id), chunk.get(i, f.company), chunk.get(i, f.lead_source),
                             chunk.get(i, f.sic), chunk.get(i, f.employees), chunk.get(i, f.zip),
                             chunk.get(i, f.state), chunk.get(i, f.converted_deal)});
  }
  return stage_outcomes(ctx_->database(), config_, std::move(leads), ctx_->run().started_at, batch,
                        stats_);
}

Status HistoricalImporter::finish(Context& ctx) {
  ctx.log().info("historical_outcomes: " + std::to_string(stats_.leads) + " " +
                 config_.lead_source + " leads (" + std::to_string(stats_.delivered) +
                 " delivered): " + std::to_string(stats_.inserted) + " inserted, " +
                 std::to_string(stats_.updated) + " updated, " + std::to_string(stats_.unchanged) +
                 " unchanged");
  if (stats_.bad_employees > 0) {
    ctx.log().warn(std::to_string(stats_.bad_employees) +
                   " employee counts did not parse; stored as NULL with the raw text in "
                   "employees_raw");
  }
  if (stats_.bad_times > 0) {
    ctx.log().warn(std::to_string(stats_.bad_times) +
                   " deal Created_Time values are not ISO-8601 date-times; stored as given");
  }
  return Status::ok_status();
}

}  // namespace hades::historical_importer

HADES_PLUGIN(historical_importer, "2.0.0", hades::PluginKind::kSink,
             "Writes historical_outcomes rows for Zoho leads, with their staged deals and "
             "deliveries (the one-time import of pre-HADES outcomes)",
             hades::historical_importer::kSettings, hades::historical_importer::create)
