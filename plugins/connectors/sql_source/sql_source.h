// sql_source.h: the sql_source plugin, a Source over one SELECT on the job's database.
//
// Settings bind once, in create(), into a SqlSourceConfig: the query's `:name` parameters are
// translated to positional ones there, so an unknown parameter fails `hades validate`. open()
// runs the init statements, binds the parameters (the job's, plus :run_id and :run_started_at
// from the run) and learns the result's columns. read() fetches one page per call through
// ctx.database().query(), by offset or, with a `key`, by keyset (sql_text.h). The cursor is the
// number of rows emitted (and the last key), so a resumed step asks for the rows after it.
//
// Thread safety: one thread at a time.

#ifndef HADES_PLUGINS_SQL_SOURCE_SQL_SOURCE_H_
#define HADES_PLUGINS_SQL_SOURCE_SQL_SOURCE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hades/plugin.h"
#include "hades/settings.h"
#include "sql_text.h"

namespace hades::sql_source {

// The `with:` keys sql_source accepts; also the source of the README's settings table.
extern const SettingSpec kSettings[6];

// Parameter names every query may use without declaring them.
inline constexpr std::string_view kRunIdParam = "run_id";
inline constexpr std::string_view kRunStartedAtParam = "run_started_at";

struct SqlSourceConfig {
  PositionalQuery query;
  StringMap params;                          // name -> value text, from the job
  std::vector<KeyColumn> key;                // empty: offset paging
  std::string row_number;                    // output column for the 1-based row number, or ""
  std::optional<std::int64_t> limit;         // most rows to read in all, or unlimited
  std::vector<std::string> init_statements;  // applied in one batch by open()
};

// Binds and checks settings. Fails with kInvalidConfig naming the offending key.
Result<SqlSourceConfig> bind_config(const Settings& settings);

// The factory HADES_PLUGIN exports.
Result<std::unique_ptr<Plugin>> create(const Settings& settings);

class SqlSource : public Source {
 public:
  explicit SqlSource(SqlSourceConfig config);

  // Fails with kInvalidConfig when the result has duplicate column names, lacks a key column
  // or already has the row_number column; kCorruption for a cursor it did not write.
  Status open(Context& ctx, std::string_view cursor) override;
  std::shared_ptr<const Schema> schema() const override { return schema_; }
  Result<bool> read(std::size_t max_rows, Chunk* out, Rejects& rejects) override;
  std::string cursor() const override { return encode_cursor(cursor_); }

 private:
  Status bind_args(const RunInfo& run);
  Status build_schema(const std::vector<std::string>& columns);
  Result<QueryResult> fetch(std::size_t rows);
  // The key of each row of a page, checked: never null, never the same as the row before
  // (the first row is compared with the cursor's key).
  Result<std::vector<std::vector<Value>>> page_keys(
      const std::vector<std::vector<Value>>& rows) const;

  const SqlSourceConfig config_;
  Database* db_ = nullptr;
  std::vector<Value> args_;  // the query's own arguments, in `?` order
  std::shared_ptr<const Schema> schema_;
  std::size_t query_columns_ = 0;       // columns of the query, before row_number
  std::vector<std::size_t> key_index_;  // result column of each key column
  SqlCursor cursor_;
  bool exhausted_ = false;
};

}  // namespace hades::sql_source

#endif  // HADES_PLUGINS_SQL_SOURCE_SQL_SOURCE_H_
