// turso_sink.h: the turso_sink plugin, rows into a table of the job's database.
//
// It writes through ctx.database() only, so the same plugin serves the embedded SQLite file and
// Turso/sqld: every row becomes one statement in the WriteBatch the runner commits together with
// the step's checkpoint, hence exactly-once. Settings bind once, in create(), into a
// TursoSinkConfig; open() resolves them against the input schema and the table.
//
// Thread safety: one thread at a time.

#ifndef HADES_PLUGINS_TURSO_SINK_TURSO_SINK_H_
#define HADES_PLUGINS_TURSO_SINK_TURSO_SINK_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hades/plugin.h"
#include "hades/settings.h"
#include "table_sql.h"

namespace hades::turso_sink {

// The `with:` keys turso_sink accepts; also the source of the README's settings table.
extern const SettingSpec kSettings[5];

struct TursoSinkConfig {
  std::string table;
  StringMap columns;             // table column -> record field; empty: every input field
  std::vector<std::string> key;  // natural key columns; empty: plain INSERT
  bool create_table = true;
  std::vector<std::pair<std::string, ColumnType>> types;  // column -> type
};

// Binds and checks settings. Fails with kInvalidConfig naming the offending key.
Result<TursoSinkConfig> bind_config(const Settings& settings);

// The factory HADES_PLUGIN exports.
Result<std::unique_ptr<Plugin>> create(const Settings& settings);

class TursoSink : public Sink {
 public:
  explicit TursoSink(TursoSinkConfig config);

  DeliveryGuarantee guarantee() const override { return DeliveryGuarantee::kExactlyOnce; }
  // Resolves columns against `schema`, runs the DDL in a batch of its own (Turso wants DDL
  // committed before the statements that use it) and checks the table has every column. A
  // non-empty token needs no undo: rows after it were never committed.
  Status open(Context& ctx, const std::shared_ptr<const Schema>& schema,
              std::string_view token) override;
  Status write(const Chunk& chunk, WriteBatch& batch, Rejects& rejects) override;
  // Nothing is staged outside the database: the token is always empty.
  Result<std::string> flush() override { return std::string(); }
  Status finish(Context& /*ctx*/) override { return Status::ok_status(); }

  // The statement that writes one row; write() adds one statement per chunk, with a VALUES
  // tuple per row (insert_sql(spec, n)). REQUIRES: open() succeeded.
  const std::string& insert_statement() const { return insert_sql_; }

 private:
  Status resolve_columns(const Schema& schema);
  Status check_table(Database& database) const;
  // The statement arguments for `row`, in column order; kRejected when a value does not convert.
  Result<std::vector<Value>> row_args(const Row& row) const;

  const TursoSinkConfig config_;
  std::shared_ptr<const Schema> schema_;
  TableSpec spec_;
  std::vector<std::size_t> field_of_column_;  // input field index of each table column
  std::vector<ColumnType> type_of_column_;
  std::string insert_sql_;
  std::size_t max_rows_ = 1;  // rows one statement may carry
};

}  // namespace hades::turso_sink

#endif  // HADES_PLUGINS_TURSO_SINK_TURSO_SINK_H_
