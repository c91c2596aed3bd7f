// table_sql.h: the SQL turso_sink runs and the typing of values, with no plugin glue.
//
// Every statement is SQLite's dialect, which Turso/libsql and sqld speak too. Identifiers are
// always double-quoted, so column names taken from CSV headers ("Company Name") need no care;
// values are always bound as `?` arguments, never spliced into SQL text.
//
// Thread safety: pure functions.

#ifndef HADES_PLUGINS_TURSO_SINK_TABLE_SQL_H_
#define HADES_PLUGINS_TURSO_SINK_TABLE_SQL_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hades/record.h"
#include "hades/status.h"
#include "hades/value.h"

namespace hades::turso_sink {

// What a column's values are converted to before binding.
enum class ColumnType {
  kAsIs,     // no `types:` entry: bound as the record has it
  kInteger,  // int64
  kReal,     // double
  kText,     // UTF-8 text
};

// "integer", "real" or "text"; nullopt for anything else.
std::optional<ColumnType> parse_column_type(std::string_view name);

// True for [A-Za-z_][A-Za-z0-9_]*.
bool is_identifier(std::string_view name);

// `name` in double quotes, inner quotes doubled: safe for any column name.
std::string quote_identifier(std::string_view name);

struct TableSpec {
  std::string table;                 // REQUIRES: is_identifier(table)
  std::vector<std::string> columns;  // REQUIRES: not empty, no duplicates
  std::vector<std::string> key;      // natural key, a subset of columns; may be empty
};

// CREATE TABLE IF NOT EXISTS with untyped columns: SQLite then keeps each value's own type.
std::string create_table_sql(const TableSpec& spec);

// The unique index an upsert's ON CONFLICT needs, named "<table>_natural_key".
// REQUIRES: !spec.key.empty()
std::string create_key_index_sql(const TableSpec& spec);

// The statement that writes `rows` rows at once: a plain INSERT with `rows` VALUES tuples
// without a key, else an upsert that updates the non-key columns (DO NOTHING when every column
// is part of the key). REQUIRES: rows >= 1.
std::string insert_sql(const TableSpec& spec, std::size_t rows = 1);

// How many rows one insert_sql() statement may carry: SQLite (and libSQL) take at most 32766
// arguments a statement.
std::size_t max_rows_per_statement(const TableSpec& spec);

// Converts `value` for a column of `type`. Null stays null, and so does blank text for integer
// and real columns. Fails with kRejected, reason "column 'x': 'abc' is not an integer", when a
// value does not convert.
Result<Value> convert_value(const Value& value, ColumnType type, std::string_view column);

// The row as one JSON object, {"field": value, ...}, for the rejects file.
// REQUIRES: row.size() == schema.size()
std::string row_to_json(const Schema& schema, const Row& row);

}  // namespace hades::turso_sink

#endif  // HADES_PLUGINS_TURSO_SINK_TABLE_SQL_H_
