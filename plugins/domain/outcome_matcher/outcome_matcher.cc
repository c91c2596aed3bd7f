#include "outcome_matcher.h"

#include <array>
#include <optional>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "crm_text/crm_text.h"
#include "hades/plugin_export.h"
#include "leads/normalize.h"
#include "outcomes/batch_ids.h"
#include "outcomes/calibration_tables.h"
#include "outcomes/outcome_tables.h"
#include "outcomes/staging_tables.h"

namespace hades::outcome_matcher {

const SettingSpec kSettings[6] = {
    {"leads_table", SettingType::kString, false, "zoho_sync_leads", false,
     "Staging table of Zoho Leads: columns id, company, batch, status, modified_at, and "
     "optionally company_id."},
    {"deals_table", SettingType::kString, false, "zoho_sync_deals", false,
     "Staging table of Zoho Deals: columns id, company (the Account_Name), batch, stage, "
     "modified_at, and optionally company_id."},
    {"deliveries_table", SettingType::kString, false, "zoho_sync_deliveries", false,
     "Staging table of Zoho Deliveries: columns id, deal, batch, status, modified_at."},
    {"lead_status_outcomes", SettingType::kStringMap, false, nullptr, false,
     "Lead status -> outcome (contacted, appointment, delivery or churned). Absent: "
     "`{Contacted: contacted}`."},
    {"deal_stage_outcomes", SettingType::kStringMap, false, nullptr, false,
     "Deal stage -> outcome. Absent: `Appointment Scheduled`, `Appointment Completed` and "
     "`Closed Won` -> appointment."},
    {"delivery_status_outcomes", SettingType::kStringMap, false, nullptr, false,
     "Delivery status -> outcome. Absent: `{Active: delivery, Removed: churned}`."},
};

namespace {

constexpr std::array<std::string_view, 4> kOutcomes = {"contacted", "appointment", "delivery",
                                                       "churned"};

// 0 for no outcome, then 1.. in kOutcomes order.
int rank_of(std::string_view outcome) {
  for (std::size_t i = 0; i < kOutcomes.size(); ++i) {
    if (kOutcomes[i] == outcome) return static_cast<int>(i) + 1;
  }
  return 0;
}

// The SQL twin of rank_of(), for the forward-only guard in the UPDATE.
constexpr const char* kRankSql =
    "coalesce(CASE outcome WHEN 'contacted' THEN 1 WHEN 'appointment' THEN 2 "
    "WHEN 'delivery' THEN 3 WHEN 'churned' THEN 4 END, 0)";

std::string map_key(std::string_view value) { return domain::ascii_lower(domain::trim(value)); }

Result<OutcomeMap> bind_map(const Settings& settings, const char* key, const StringMap& fallback) {
  const StringMap given = settings.has(key) ? settings.get_string_map(key) : fallback;
  OutcomeMap out;
  for (const auto& [value, outcome] : given) {
    if (rank_of(outcome) == 0) {
      return Status::invalid_config(std::string(key) + ": '" + value + "' maps to '" + outcome +
                                    "'; outcomes are contacted, appointment, delivery, churned");
    }
    out[map_key(value)] = outcome;
  }
  return out;
}

// One staged record, whatever its module.
struct Record {
  std::string module;  // Leads, Deals, Deliveries
  std::string id;
  std::string company;
  std::string company_id;  // "" when unknown
  std::string batch_text;
  std::string status;
  std::string modified_at;  // as Zoho wrote it
  bool deal_known = true;   // deliveries: the deal is staged
};

// The lead_outcomes rows of one exported company in one batch.
struct Company {
  std::string label;                               // "Name (company_id)" for messages
  std::vector<std::pair<std::int64_t, int>> rows;  // lead_outcomes id, current rank
  // The best outcome the records show: rank, then earliest time, then lowest record id.
  int best_rank = 0;
  std::string best_at;
  std::string best_id;
};

struct Batch {
  std::map<std::string, Company> companies;              // by group key
  std::map<std::string, std::set<std::string>> by_name;  // normalised name -> group keys
  std::map<std::string, std::string> by_id;              // company_id -> group key
};

Result<Batch> load_batch(Database& db, const std::string& batch_id) {
  Result<QueryResult> rows = db.query(
      "SELECT id, company_name, company_id, outcome FROM lead_outcomes WHERE batch_id = ? "
      "ORDER BY id",
      {Value(batch_id)});
  if (!rows.ok()) return rows.status();
  Batch batch;
  for (const auto& r : rows->rows) {
    const std::string name = to_text(r[1]);
    const std::string company_id(domain::trim(to_text(r[2])));
    const std::string normalised = domain::company_key(name);
    const std::string key = company_id.empty() ? "name:" + normalised : "id:" + company_id;
    Company& company = batch.companies[key];
    if (company.label.empty()) {
      company.label = "'" + name + "'" + (company_id.empty() ? "" : " (" + company_id + ")");
    }
    company.rows.emplace_back(as_int(r[0]).value_or(0), rank_of(to_text(r[3])));
    batch.by_name[normalised].insert(key);
    if (!company_id.empty()) batch.by_id[company_id] = key;
  }
  return batch;
}

struct Unmatched {
  std::string batch_id;
  std::string company;
  std::string reason;
  std::string detail;
  std::string modified_at;
};

using UnmatchedKey = std::pair<std::string, std::string>;  // module, zoho id

class Matcher {
 public:
  Matcher(Database& db, const MatcherConfig& config, std::string now)
      : db_(db), config_(config), now_(std::move(now)) {}

  Result<MatchStats> run();

 private:
  Result<std::vector<Record>> load_records();
  Status consider(const Record& record);
  const OutcomeMap& mapping(const std::string& module) const {
    if (module == "Leads") return config_.lead_status;
    if (module == "Deals") return config_.deal_stage;
    return config_.delivery_status;
  }
  void unmatched(const Record& record, const std::string& batch_id, std::string reason,
                 std::string detail);
  Status write(WriteBatch& batch);
  Status write_flag();

  Database& db_;
  const MatcherConfig& config_;
  const std::string now_;
  MatchStats stats_;
  std::map<std::string, Batch> batches_;
  std::map<UnmatchedKey, Unmatched> unmatched_;
  std::set<UnmatchedKey> matched_;
};

Result<std::vector<Record>> Matcher::load_records() {
  const auto has_company_id = [&](const std::string& table) -> Result<bool> {
    Result<std::set<std::string>> columns = domain::table_columns(db_, table);
    if (!columns.ok()) return columns.status();
    return columns->count("company_id") > 0;
  };
  Result<bool> leads_ids = has_company_id(config_.leads_table);
  if (!leads_ids.ok()) return leads_ids.status();
  Result<bool> deals_ids = has_company_id(config_.deals_table);
  if (!deals_ids.ok()) return deals_ids.status();

  const std::string leads = "\"" + config_.leads_table + "\"";
  const std::string deals = "\"" + config_.deals_table + "\"";
  const std::string deliveries = "\"" + config_.deliveries_table + "\"";
  struct Source {
    const char* module;
    std::string sql;
  };
  const std::vector<Source> sources = {
      {"Leads", "SELECT id, company, " + std::string(*leads_ids ? "company_id" : "NULL") +
                    ", batch, status, modified_at, 1 FROM " + leads + " ORDER BY id"},
      {"Deals", "SELECT id, company, " + std::string(*deals_ids ? "company_id" : "NULL") +
                    ", batch, stage, modified_at, 1 FROM " + deals + " ORDER BY id"},
      {"Deliveries", "SELECT v.id, d.company, " +
                         std::string(*deals_ids ? "d.company_id" : "NULL") +
                         ", v.batch, v.status, v.modified_at, d.id IS NOT NULL FROM " + deliveries +
                         " v LEFT JOIN " + deals + " d ON d.id = v.deal ORDER BY v.id"},
  };
  std::vector<Record> records;
  for (const Source& source : sources) {
    Result<QueryResult> rows = db_.query(source.sql);
    if (!rows.ok()) return rows.status();
    for (const auto& r : rows->rows) {
      records.push_back(Record{source.module, to_text(r[0]), to_text(r[1]),
                               std::string(domain::trim(to_text(r[2]))), to_text(r[3]),
                               to_text(r[4]), to_text(r[5]), as_int(r[6]).value_or(0) != 0});
    }
  }
  return records;
}

void Matcher::unmatched(const Record& record, const std::string& batch_id, std::string reason,
                        std::string detail) {
  if (reason == "no_match") ++stats_.no_match;
  if (reason == "ambiguous") ++stats_.ambiguous;
  if (reason == "no_batch_id") ++stats_.no_batch_id;
  if (reason == "no_deal") ++stats_.no_deal;
  unmatched_[{record.module, record.id}] =
      Unmatched{batch_id, record.company, std::move(reason), std::move(detail), record.modified_at};
}

Status Matcher::consider(const Record& record) {
  ++stats_.records;
  const std::optional<std::string> batch_id = domain::find_batch_id(record.batch_text);
  if (!batch_id) {
    unmatched(record, "", "no_batch_id", "no HADES batch ID in '" + record.batch_text + "'");
    return Status::ok_status();
  }
  if (!record.deal_known) {
    unmatched(record, *batch_id, "no_deal",
              "the delivery's deal is not among the staged HADES deals, so its company is "
              "unknown");
    return Status::ok_status();
  }
  auto found = batches_.find(*batch_id);
  if (found == batches_.end()) {
    Result<Batch> loaded = load_batch(db_, *batch_id);
    if (!loaded.ok()) return loaded.status();
    found = batches_.emplace(*batch_id, std::move(loaded).value()).first;
  }
  Batch& batch = found->second;
  if (batch.companies.empty()) {
    unmatched(record, *batch_id, "no_match", "batch " + *batch_id + " has no exported leads");
    return Status::ok_status();
  }
  std::set<std::string> keys;
  if (!record.company_id.empty() && !batch.by_id.empty()) {
    if (const auto it = batch.by_id.find(record.company_id); it != batch.by_id.end()) {
      keys.insert(it->second);
    }
  } else if (const std::string name = domain::company_key(record.company); !name.empty()) {
    const auto it = batch.by_name.find(name);
    if (it != batch.by_name.end()) keys = it->second;
  }
  if (keys.empty()) {
    unmatched(record, *batch_id, "no_match",
              "no company of batch " + *batch_id + " is named like '" + record.company + "'" +
                  (record.company_id.empty() ? "" : " or has id " + record.company_id));
    return Status::ok_status();
  }
  if (keys.size() > 1) {
    std::string names;
    for (const std::string& key : keys) {
      names += (names.empty() ? "" : ", ") + batch.companies[key].label;
    }
    unmatched(record, *batch_id, "ambiguous",
              "'" + record.company + "' matches " + std::to_string(keys.size()) +
                  " companies of batch " + *batch_id + ": " + names);
    return Status::ok_status();
  }
  ++stats_.matched;
  matched_.insert({record.module, record.id});
  const auto outcome = mapping(record.module).find(map_key(record.status));
  if (outcome == mapping(record.module).end()) return Status::ok_status();
  const int rank = rank_of(outcome->second);
  const std::string at = domain::to_utc_timestamp(record.modified_at).value_or(record.modified_at);
  Company& company = batch.companies[*keys.begin()];
  if (rank > company.best_rank ||
      (rank == company.best_rank &&
       std::tie(at, record.id) < std::tie(company.best_at, company.best_id))) {
    company.best_rank = rank;
    company.best_at = at;
    company.best_id = record.id;
  }
  return Status::ok_status();
}

Status Matcher::write(WriteBatch& batch) {
  const std::string update = std::string("UPDATE lead_outcomes SET outcome = ?, outcome_at = ?, ") +
                             "updated_at = ? WHERE id = ? AND " + kRankSql + " < ?";
  for (auto& [batch_id, b] : batches_) {
    for (auto& [key, company] : b.companies) {
      if (company.best_rank == 0) continue;
      const std::string outcome(kOutcomes[static_cast<std::size_t>(company.best_rank - 1)]);
      for (const auto& [row_id, rank] : company.rows) {
        if (rank >= company.best_rank) continue;
        ++stats_.advanced;
        batch.add(update, {Value(outcome), Value(company.best_at), Value(now_), Value(row_id),
                           Value(std::int64_t{company.best_rank})});
      }
    }
  }
  Result<QueryResult> existing = db_.query(
      "SELECT module, zoho_id, batch_id, company, reason, detail, zoho_modified_at, "
      "resolved_at FROM unmatched_outcomes");
  if (!existing.ok()) return existing.status();
  std::map<UnmatchedKey, std::vector<Value>> before;
  for (auto& r : existing->rows) {
    before[{to_text(r[0]), to_text(r[1])}] = std::vector<Value>(r.begin() + 2, r.end());
  }
  for (const auto& [key, u] : unmatched_) {
    const Value batch_id = u.batch_id.empty() ? Value() : Value(u.batch_id);
    const Value company = u.company.empty() ? Value() : Value(u.company);
    const std::vector<Value> now_values = {
        batch_id, company, Value(u.reason), Value(u.detail), Value(u.modified_at), Value()};
    const auto it = before.find(key);
    if (it != before.end() && it->second == now_values) continue;
    ++stats_.unmatched_written;
    batch.add(
        "INSERT INTO unmatched_outcomes (module, zoho_id, batch_id, company, reason, detail, "
        "zoho_modified_at, first_seen_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (module, zoho_id) DO UPDATE SET batch_id = excluded.batch_id, "
        "company = excluded.company, reason = excluded.reason, detail = excluded.detail, "
        "zoho_modified_at = excluded.zoho_modified_at, updated_at = excluded.updated_at, "
        "resolved_at = NULL",
        {Value(key.first), Value(key.second), batch_id, company, Value(u.reason), Value(u.detail),
         Value(u.modified_at), Value(now_), Value(now_)});
  }
  for (const auto& [key, values] : before) {
    if (matched_.count(key) == 0 || !is_null(values.back())) continue;
    ++stats_.resolved;
    batch.add(
        "UPDATE unmatched_outcomes SET resolved_at = ? WHERE module = ? AND zoho_id = ? AND "
        "resolved_at IS NULL",
        {Value(now_), Value(key.first), Value(key.second)});
  }
  if (batch.empty()) return Status::ok_status();
  return db_.apply(batch);
}

Status Matcher::write_flag() {
  const Result<std::string> last_calibration = domain::last_calibration_at(db_);
  if (!last_calibration.ok()) return last_calibration.status();
  const std::string& last = *last_calibration;
  Result<QueryResult> advanced =
      db_.query("SELECT count(*) FROM lead_outcomes WHERE outcome IS NOT NULL AND updated_at > ?",
                {Value(last)});
  if (!advanced.ok()) return advanced.status();
  const std::int64_t count = as_int(advanced->rows[0][0]).value_or(0);
  stats_.recalibration_available = count > 0;
  const std::string since =
      last.empty() ? "(no calibration run yet)" : "the last calibration (" + last + ")";
  const std::string detail = count > 0
                                 ? std::to_string(count) + " lead outcomes advanced since " + since
                                 : "no lead outcome advanced since " + since;
  WriteBatch batch;
  batch.add(
      "INSERT INTO hades_flags (name, value, detail, updated_at) VALUES "
      "('recalibration_available', ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
      "value = excluded.value, detail = excluded.detail, updated_at = excluded.updated_at "
      "WHERE value IS NOT excluded.value OR detail IS NOT excluded.detail",
      {Value(std::string(count > 0 ? "true" : "false")), Value(detail), Value(now_)});
  return db_.apply(batch);
}

Result<MatchStats> Matcher::run() {
  HADES_RETURN_IF_ERROR(domain::apply_outcome_migrations(db_));
  HADES_RETURN_IF_ERROR(
      domain::require_columns(db_, config_.leads_table, "leads_table",
                              {"id", "company", "batch", "status", "modified_at"}));
  HADES_RETURN_IF_ERROR(domain::require_columns(
      db_, config_.deals_table, "deals_table", {"id", "company", "batch", "stage", "modified_at"}));
  HADES_RETURN_IF_ERROR(domain::require_columns(db_, config_.deliveries_table, "deliveries_table",
                                                {"id", "deal", "batch", "status", "modified_at"}));
  Result<std::vector<Record>> records = load_records();
  if (!records.ok()) return records.status();
  for (const Record& record : *records) HADES_RETURN_IF_ERROR(consider(record));
  WriteBatch batch;
  HADES_RETURN_IF_ERROR(write(batch));
  HADES_RETURN_IF_ERROR(write_flag());
  return stats_;
}

}  // namespace

Result<MatcherConfig> bind_config(const Settings& settings) {
  MatcherConfig c;
  Result<domain::StagingTableNames> tables = domain::bind_staging_table_names(
      settings, {c.leads_table, c.deals_table, c.deliveries_table});
  if (!tables.ok()) return tables.status();
  c.leads_table = tables->leads;
  c.deals_table = tables->deals;
  c.deliveries_table = tables->deliveries;
  Result<OutcomeMap> leads =
      bind_map(settings, "lead_status_outcomes", {{"Contacted", "contacted"}});
  if (!leads.ok()) return leads.status();
  Result<OutcomeMap> deals = bind_map(settings, "deal_stage_outcomes",
                                      {{"Appointment Scheduled", "appointment"},
                                       {"Appointment Completed", "appointment"},
                                       {"Closed Won", "appointment"}});
  if (!deals.ok()) return deals.status();
  Result<OutcomeMap> deliveries = bind_map(settings, "delivery_status_outcomes",
                                           {{"Active", "delivery"}, {"Removed", "churned"}});
  if (!deliveries.ok()) return deliveries.status();
  c.lead_status = std::move(leads).value();
  c.deal_stage = std::move(deals).value();
  c.delivery_status = std::move(deliveries).value();
  return c;
}

Result<std::unique_ptr<Plugin>> create(const Settings& settings) {
  Result<MatcherConfig> config = bind_config(settings);
  if (!config.ok()) return config.status();
  return std::unique_ptr<Plugin>(std::make_unique<OutcomeMatcher>(std::move(config).value()));
}

Result<MatchStats> match_outcomes(Database& db, const MatcherConfig& config,
                                  const std::string& now) {
  return Matcher(db, config, now).run();
}

Status OutcomeMatcher::run(Context& ctx) {
  Result<MatchStats> s = match_outcomes(ctx.database(), config_, ctx.run().started_at);
  if (!s.ok()) return s.status();
  ctx.log().info(
      std::to_string(s->records) + " Zoho records: " + std::to_string(s->matched) + " matched, " +
      std::to_string(s->no_match) + " no_match, " + std::to_string(s->ambiguous) + " ambiguous, " +
      std::to_string(s->no_batch_id) + " no_batch_id, " + std::to_string(s->no_deal) +
      " no_deal; " + std::to_string(s->advanced) + " lead_outcomes rows advanced; " +
      std::to_string(s->unmatched_written) + " unmatched_outcomes rows written, " +
      std::to_string(s->resolved) +
      " recovered (logged unmatched by an earlier run, matched now); recalibration_available=" +
      (s->recalibration_available ? "true" : "false"));
  return Status::ok_status();
}

}  // namespace hades::outcome_matcher

HADES_PLUGIN(outcome_matcher, "1.0.0", hades::PluginKind::kTask,
             "Moves lead_outcomes forward from staged Zoho Leads, Deals and Deliveries (the "
             "nightly outcome sync); logs what it cannot match",
             hades::outcome_matcher::kSettings, hades::outcome_matcher::create)
