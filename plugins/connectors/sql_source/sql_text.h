// sql_text.h: the SQL text sql_source runs, built from the user's query, with no plugin glue.
//
// The Database interface takes positional `?` arguments only (Turso's Hrana protocol has no
// names), while job files are easier to read with `:name`. translate_named_params() rewrites
// one into the other with a small scanner that knows SQLite's lexical rules for string literals,
// quoted identifiers and comments, so `':x'`, `"a:b"` and `-- :x` are left alone.
//
// Paging: the query is wrapped, never edited. Offset paging reads `LIMIT ? OFFSET ?` of the
// query as written; keyset paging orders by a unique key and asks for the rows after the last
// one read, which SQLite answers from an index in time independent of how far the read has got.
//
// Thread safety: pure functions.

#ifndef HADES_PLUGINS_SQL_SOURCE_SQL_TEXT_H_
#define HADES_PLUGINS_SQL_SOURCE_SQL_TEXT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hades/status.h"
#include "hades/value.h"

namespace hades::sql_source {

// A query with its `:name` parameters replaced by `?`.
struct PositionalQuery {
  std::string sql;                 // the query, `?` for each parameter, trailing `;` removed
  std::vector<std::string> names;  // the parameter of each `?`, in order; repeats repeat
};

// Rewrites `:name` parameters ([A-Za-z_][A-Za-z0-9_]*) outside string literals, quoted
// identifiers ("", ``, []) and comments into `?`. Fails with kInvalidConfig for a `?` parameter
// (named ones only), more than one statement, or an unterminated literal or comment.
Result<PositionalQuery> translate_named_params(std::string_view sql);

// A parameter value from the job file: canonical decimal integers within int64 ("42", "-7",
// "0") become integers; anything else, "007" and "4.5" included, stays text.
Value param_value(std::string_view text);

// One column of a keyset paging key.
struct KeyColumn {
  std::string name;
  bool descending = false;
};

// Parses "name" or "name ASC|DESC" (any case). Fails with kInvalidConfig on anything else;
// names must be identifiers ([A-Za-z_][A-Za-z0-9_]*).
Result<KeyColumn> parse_key_column(std::string_view text);

// "SELECT * FROM (<query>) LIMIT 0": the query's columns without its rows.
std::string probe_sql(std::string_view query);

// "SELECT * FROM (<query>) LIMIT ? OFFSET ?".
std::string offset_page_sql(std::string_view query);

// "SELECT * FROM (<query>) [WHERE <after>] ORDER BY <key> LIMIT ?". With `after`, the WHERE
// keeps the rows that sort after a row whose key values are bound (in key order) before the
// LIMIT: k1 >= ? AND (k1 > ? OR (k2 >= ? AND (k2 > ? OR ...))) with < for DESC columns. Its
// leading range on k1 is what lets SQLite seek an index. Every key value is bound twice but the
// last once: see keyset_args().
std::string keyset_page_sql(std::string_view query, const std::vector<KeyColumn>& key, bool after);

// The arguments keyset_page_sql(..., after = true) needs for the key values `last`, in order.
// REQUIRES: last.size() == key size
std::vector<Value> keyset_args(const std::vector<Value>& last);

// Read position of a sql_source: rows emitted so far and, with keyset paging, the key of the
// last one. Encoded as "rows=<n>" or "rows=<n>;after=<values>", each value typed and
// self-delimiting (n; i<int>; d<double>; s<bytes>:<text>), so text with any bytes round-trips.
struct SqlCursor {
  std::int64_t rows = 0;
  std::vector<Value> after;  // empty: from the start of the key order
};

std::string encode_cursor(const SqlCursor& cursor);
// Fails with kCorruption on anything encode_cursor() did not produce.
Result<SqlCursor> decode_cursor(std::string_view text);

}  // namespace hades::sql_source

#endif  // HADES_PLUGINS_SQL_SOURCE_SQL_TEXT_H_
