#include "outcomes/staging_tables.h"

namespace hades::domain {

bool is_sql_identifier(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0)) return false;
  }
  return true;
}

Result<std::set<std::string>> table_columns(Database& db, const std::string& table) {
  Result<QueryResult> rows = db.query("SELECT name FROM pragma_table_info(?)", {Value(table)});
  if (!rows.ok()) return rows.status();
  std::set<std::string> columns;
  for (const auto& row : rows->rows) columns.insert(to_text(row[0]));
  return columns;
}

Status require_columns(Database& db, const std::string& table, std::string_view setting,
                       const std::vector<std::string>& columns) {
  Result<std::set<std::string>> present = table_columns(db, table);
  if (!present.ok()) return present.status();
  if (present->empty()) {
    return Status::invalid_config("staging table '" + table + "' (setting '" +
                                  std::string(setting) +
                                  "') does not exist: the job's staging step for it must run "
                                  "first (see docs/zoho.md)");
  }
  std::string missing;
  for (const std::string& column : columns) {
    if (present->count(column) == 0) missing += (missing.empty() ? "" : ", ") + column;
  }
  if (missing.empty()) return Status::ok_status();
  std::string have;
  for (const std::string& column : *present) have += (have.empty() ? "" : ", ") + column;
  return Status::invalid_config("staging table '" + table + "' (setting '" + std::string(setting) +
                                "') lacks column(s) " + missing + " (it has " + have +
                                "): map them in the staging step's turso_sink columns");
}

Result<StagingTableNames> bind_staging_table_names(const Settings& settings,
                                                   StagingTableNames defaults) {
  StagingTableNames names{settings.get_string("leads_table").value_or(defaults.leads),
                          settings.get_string("deals_table").value_or(defaults.deals),
                          settings.get_string("deliveries_table").value_or(defaults.deliveries)};
  for (const auto& [key, table] :
       {std::pair<const char*, const std::string&>{"leads_table", names.leads},
        {"deals_table", names.deals},
        {"deliveries_table", names.deliveries}}) {
    if (!is_sql_identifier(table)) {
      return Status::invalid_config(std::string(key) + " '" + table +
                                    "' is not a table name ([A-Za-z_][A-Za-z0-9_]*)");
    }
  }
  return names;
}

}  // namespace hades::domain
