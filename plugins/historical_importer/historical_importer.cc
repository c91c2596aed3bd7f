#include "historical_importer.h"

#include <map>
#include <utility>
#include <vector>

#include "common/crm_text.h"
#include "common/normalize.h"
#include "common/outcome_tables.h"
#include "common/staging_tables.h"
#include "hades/plugin_export.h"

namespace hades::historical_importer {

const SettingSpec kSettings[5] = {
    {"leads_table", SettingType::kString, false, "zoho_import_leads", false,
     "Staging table of Zoho Leads: columns id, company, lead_source, sic_code, employees, "
     "zip_code, state, converted_deal."},
    {"deals_table", SettingType::kString, false, "zoho_import_deals", false,
     "Staging table of Zoho Deals: columns id, created_at."},
    {"deliveries_table", SettingType::kString, false, "zoho_import_deliveries", false,
     "Staging table of Zoho Deliveries: columns id, deal, delivery_date."},
    {"lead_source", SettingType::kString, false, "VanillaSoft", false,
     "The lead source of dialer leads, compared exactly (case included): look-alikes such as "
     "`VanillaSoft Legacy` are other sources."},
    {"page_size", SettingType::kInt, false, "1000", false,
     "Leads read and written per round trip (1-100000)."},
};

namespace {

// historical_outcomes' columns this task writes, in the order outcome_values() returns them.
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
  if (plugin_common::is_blank(text)) return Value();
  return Value(std::move(text));
}

Value optional_text(const std::optional<std::string>& v) { return v ? Value(*v) : Value(); }

// The historical_outcomes values of one staged lead row (see lead_query()).
std::vector<Value> outcome_values(const std::vector<Value>& r, ImportStats& stats) {
  const Value sic_raw = text_or_null(r[2]);
  const Value employees_raw = text_or_null(r[3]);
  const Value zip_raw = text_or_null(r[4]);
  const Value state_raw = text_or_null(r[5]);
  const Value deal_id = text_or_null(r[6]);
  const std::int64_t deliveries = as_int(r[9]).value_or(0);

  Value employees;
  if (const auto n = as_int(r[3]); n && std::holds_alternative<std::int64_t>(r[3])) {
    employees = *n;
  } else if (!is_null(employees_raw)) {
    Result<std::optional<std::int64_t>> parsed =
        plugin_common::parse_employee_count(to_text(employees_raw));
    if (parsed.ok() && parsed->has_value()) {
      employees = **parsed;
    } else if (!parsed.ok()) {
      ++stats.bad_employees;
    }
  }
  Value deal_created;
  if (!is_null(r[7])) {
    const std::string raw = to_text(r[7]);
    const std::optional<std::string> utc = plugin_common::to_utc_timestamp(raw);
    if (!utc) ++stats.bad_times;
    deal_created = utc.value_or(raw);
  }
  const auto text_of = [](const Value& v) { return is_null(v) ? std::string() : to_text(v); };
  return {
      Value(is_null(r[1]) ? std::string() : to_text(r[1])),
      optional_text(plugin_common::normalize_sic(text_of(sic_raw))),
      employees,
      optional_text(plugin_common::normalize_zip(text_of(zip_raw))),
      optional_text(plugin_common::normalize_state(text_of(state_raw))),
      Value(std::string(deliveries > 0 ? "delivery" : "no_delivery")),
      deal_created,
      deliveries > 0 ? text_or_null(r[8]) : Value(),
      deal_id,
      Value(deliveries),
      sic_raw,
      employees_raw,
      zip_raw,
      state_raw,
  };
}

// Existing rows keyed on zoho_lead_id, their values in value_columns() order.
Result<std::map<std::string, std::vector<Value>>> existing_rows(Database& db) {
  std::string columns = "zoho_lead_id";
  for (const std::string& c : value_columns()) columns += ", " + c;
  Result<QueryResult> rows =
      db.query("SELECT " + columns + " FROM historical_outcomes WHERE zoho_lead_id IS NOT NULL");
  if (!rows.ok()) return rows.status();
  std::map<std::string, std::vector<Value>> out;
  for (auto& row : rows->rows) {
    std::string id = to_text(row[0]);
    out.emplace(std::move(id), std::vector<Value>(row.begin() + 1, row.end()));
  }
  return out;
}

std::string lead_query(const ImporterConfig& c) {
  const std::string deliveries = "\"" + c.deliveries_table + "\"";
  return "SELECT l.id, l.company, l.sic_code, l.employees, l.zip_code, l.state, "
         "l.converted_deal, d.created_at, "
         "(SELECT min(v.delivery_date) FROM " +
         deliveries +
         " v WHERE v.deal = l.converted_deal), "
         "(SELECT count(*) FROM " +
         deliveries +
         " v WHERE v.deal = l.converted_deal) "
         "FROM \"" +
         c.leads_table + "\" l LEFT JOIN \"" + c.deals_table +
         "\" d ON d.id = l.converted_deal "
         "WHERE l.lead_source = ? AND l.id > ? ORDER BY l.id LIMIT ?";
}

Status check_staging(Database& db, const ImporterConfig& c) {
  HADES_RETURN_IF_ERROR(
      plugin_common::require_columns(db, c.leads_table, "leads_table",
                                     {"id", "company", "lead_source", "sic_code", "employees",
                                      "zip_code", "state", "converted_deal"}));
  HADES_RETURN_IF_ERROR(
      plugin_common::require_columns(db, c.deals_table, "deals_table", {"id", "created_at"}));
  HADES_RETURN_IF_ERROR(plugin_common::require_columns(db, c.deliveries_table, "deliveries_table",
                                                       {"id", "deal", "delivery_date"}));
  // The per-lead delivery lookups go through the deal; staging tables come without it.
  WriteBatch index;
  index.add("CREATE INDEX IF NOT EXISTS \"" + c.deliveries_table + "_deal\" ON \"" +
            c.deliveries_table + "\" (deal)");
  return db.apply(index);
}

}  // namespace

Result<ImporterConfig> bind_config(const Settings& settings) {
  ImporterConfig c;
  Result<plugin_common::StagingTableNames> tables = plugin_common::bind_staging_table_names(
      settings, {c.leads_table, c.deals_table, c.deliveries_table});
  if (!tables.ok()) return tables.status();
  c.leads_table = tables->leads;
  c.deals_table = tables->deals;
  c.deliveries_table = tables->deliveries;
  c.lead_source = settings.get_string("lead_source").value_or(c.lead_source);
  c.page_size = settings.get_int("page_size").value_or(c.page_size);
  if (plugin_common::is_blank(c.lead_source)) {
    return Status::invalid_config("lead_source must not be empty");
  }
  if (c.page_size < 1 || c.page_size > 100000) {
    return Status::invalid_config("page_size must be 1-100000, not " + std::to_string(c.page_size));
  }
  return c;
}

Result<std::unique_ptr<Plugin>> create(const Settings& settings) {
  Result<ImporterConfig> config = bind_config(settings);
  if (!config.ok()) return config.status();
  return std::unique_ptr<Plugin>(std::make_unique<HistoricalImporter>(std::move(config).value()));
}

Result<ImportStats> import_historical(Database& db, const ImporterConfig& config,
                                      const std::string& now) {
  HADES_RETURN_IF_ERROR(plugin_common::apply_outcome_migrations(db));
  HADES_RETURN_IF_ERROR(check_staging(db, config));
  Result<std::map<std::string, std::vector<Value>>> existing = existing_rows(db);
  if (!existing.ok()) return existing.status();

  ImportStats stats;
  const std::string query = lead_query(config);
  const std::string upsert = upsert_sql();
  std::string after;
  for (;;) {
    Result<QueryResult> page =
        db.query(query, {Value(config.lead_source), Value(after), Value(config.page_size)});
    if (!page.ok()) return page.status();
    if (page->rows.empty()) break;
    WriteBatch batch;
    for (const std::vector<Value>& row : page->rows) {
      const std::string lead_id = to_text(row[0]);
      std::vector<Value> values = outcome_values(row, stats);
      ++stats.leads;
      if (std::get<std::string>(values[5]) == "delivery") ++stats.delivered;
      const auto found = existing->find(lead_id);
      if (found != existing->end() && found->second == values) {
        ++stats.unchanged;
        continue;
      }
      ++(found == existing->end() ? stats.inserted : stats.updated);
      std::vector<Value> args;
      args.reserve(values.size() + 3);
      args.emplace_back(lead_id);
      for (Value& v : values) args.push_back(std::move(v));
      args.emplace_back(now);  // imported_at of a new row
      args.emplace_back(now);  // updated_at of a changed row
      batch.add(upsert, std::move(args));
    }
    if (!batch.empty()) HADES_RETURN_IF_ERROR(db.apply(batch));
    after = to_text(page->rows.back()[0]);
    if (static_cast<std::int64_t>(page->rows.size()) < config.page_size) break;
  }
  return stats;
}

Status HistoricalImporter::run(Context& ctx) {
  Result<ImportStats> stats = import_historical(ctx.database(), config_, ctx.run().started_at);
  if (!stats.ok()) return stats.status();
  ctx.log().info("historical_outcomes: " + std::to_string(stats->leads) + " " +
                 config_.lead_source + " leads (" + std::to_string(stats->delivered) +
                 " delivered): " + std::to_string(stats->inserted) + " inserted, " +
                 std::to_string(stats->updated) + " updated, " + std::to_string(stats->unchanged) +
                 " unchanged");
  if (stats->bad_employees > 0) {
    ctx.log().warn(std::to_string(stats->bad_employees) +
                   " employee counts did not parse; stored as NULL with the raw text in "
                   "employees_raw");
  }
  if (stats->bad_times > 0) {
    ctx.log().warn(std::to_string(stats->bad_times) +
                   " deal Created_Time values are not ISO-8601 date-times; stored as given");
  }
  return Status::ok_status();
}

}  // namespace hades::historical_importer

HADES_PLUGIN(historical_importer, "1.0.0", hades::PluginKind::kTask,
             "Builds historical_outcomes from staged Zoho Leads, Deals and Deliveries (the "
             "one-time import of pre-HADES outcomes)",
             hades::historical_importer::kSettings, hades::historical_importer::create)
