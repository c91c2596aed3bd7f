// staging_tables.h: checks on the tables the Zoho jobs stage CRM records in.
//
// jobs/import_historical.yaml and jobs/sync_outcomes.yaml copy Zoho modules into staging tables
// (zoho_source -> turso_sink); the tasks that read them name their columns. These checks turn a
// job whose mapping and task disagree into one clear error instead of an SQL one.
//
// Thread safety: as the Database passed in.

#ifndef HADES_OUTCOMES_STAGING_TABLES_H_
#define HADES_OUTCOMES_STAGING_TABLES_H_

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "hades/database.h"
#include "hades/settings.h"
#include "hades/status.h"

namespace hades::domain {

// True for `[A-Za-z_][A-Za-z0-9_]*`, the table names the tasks accept (they are pasted into SQL).
bool is_sql_identifier(std::string_view name);

// The columns of `table`, empty when the table does not exist.
Result<std::set<std::string>> table_columns(Database& db, const std::string& table);

// OK when `table` exists and has every one of `columns`; otherwise kInvalidConfig naming the
// table, the missing columns and `setting` (the task setting that names the table).
Status require_columns(Database& db, const std::string& table, std::string_view setting,
                       const std::vector<std::string>& columns);

// The staging tables a Zoho job's task reads.
struct StagingTableNames {
  std::string leads;
  std::string deals;
  std::string deliveries;
};

// The task settings `leads_table`, `deals_table` and `deliveries_table` (each `defaults`' when
// absent). Fails with kInvalidConfig naming the setting when a name is not is_sql_identifier().
Result<StagingTableNames> bind_staging_table_names(const Settings& settings,
                                                   StagingTableNames defaults);

}  // namespace hades::domain

#endif  // HADES_OUTCOMES_STAGING_TABLES_H_
