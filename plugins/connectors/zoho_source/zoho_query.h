// zoho_query.h: the pure parts of zoho_source: the checkpoint cursor, COQL text, field columns,
// Zoho JSON values as hades::Value, and ISO-8601 date-times. No I/O, so all of it is unit-tested
// without a server.
//
// Thread safety: free functions and value types.

#ifndef HADES_PLUGINS_ZOHO_SOURCE_ZOHO_QUERY_H_
#define HADES_PLUGINS_ZOHO_SOURCE_ZOHO_QUERY_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hades/status.h"
#include "hades/value.h"

namespace hades::zoho_source {

// A position in the (cursor field, id) order every read walks in: just after the record whose
// cursor field is `modified` (ISO-8601 with an offset, as Zoho returns it) and id is `id`.
struct ZohoCursor {
  std::string modified;
  std::string id;
  bool operator==(const ZohoCursor&) const = default;
};

// A full read in id order (COQL from the start): after `after_id` ("" = from the first record),
// begun at `started` (unix seconds, this machine's clock), having seen cursor-field values up to
// `high`. Ordering by id is what Zoho (and the simulator) serve fastest, and ids never move
// while the walk goes on.
struct IdWalk {
  std::string after_id;
  std::int64_t started = 0;
  std::optional<ZohoCursor> high;
  bool operator==(const IdWalk&) const = default;
};

// Where a source stands: after a (cursor field, id) position, inside an id walk, or at the start
// (both empty).
struct Position {
  std::optional<ZohoCursor> after;
  std::optional<IdWalk> walk;
  bool operator==(const Position&) const = default;
};

// How far this machine's clock may be from Zoho's: a finished id walk never puts its watermark
// later than its start minus this, so records changed while it ran are read again next time.
inline constexpr std::int64_t kClockSkewSeconds = 3600;

// The (cursor field, id) position a finished walk hands on: the greatest it saw, but no later
// than `started - kClockSkewSeconds`; nullopt when it saw nothing.
std::optional<ZohoCursor> walk_watermark(const IdWalk& walk);

// "" <-> the start. decode_position() fails with kCorruption on anything encode_position() did
// not write (a resumed run must never silently start over).
std::string encode_position(const Position& position);
Result<Position> decode_position(std::string_view text);
// The same for a plain (cursor field, id) position.
std::string encode_cursor(const std::optional<ZohoCursor>& cursor);
Result<std::optional<ZohoCursor>> decode_cursor(std::string_view text);

// Seconds since the epoch of an ISO-8601 date-time with an offset or Z
// ("2026-02-11T09:30:00-05:00"); nullopt when malformed.
std::optional<std::int64_t> parse_instant(std::string_view text);
// `text` moved by `seconds`, written in the same offset. REQUIRES: parse_instant(text).
std::string shift_instant(std::string_view text, std::int64_t seconds);
// Unix seconds as "YYYY-MM-DDTHH:MM:SSZ".
std::string format_instant(std::int64_t epoch);

// Orders Zoho ids (decimal digit strings) numerically: <0, 0, >0.
int compare_ids(std::string_view a, std::string_view b);
// Orders cursors by instant, then id. REQUIRES: both `modified` parse.
int compare_cursors(const ZohoCursor& a, const ZohoCursor& b);

// Percent-encodes everything but RFC 3986 unreserved characters (query values, form fields).
std::string url_encode(std::string_view text);

// `value` inside single quotes for COQL, with every `'` (and `\`) escaped.
std::string coql_quote(std::string_view value);

// One output column after `id`: `X` (a value, or a lookup's id) or `X.name` (a lookup's name).
struct FieldColumn {
  std::string column;    // as listed in `fields`
  std::string api_name;  // the field requested from Zoho (X for both forms)
  bool lookup_name = false;
};
// The columns of `fields` plus the cursor field when not listed, and the distinct API names to
// request (each once, in first-use order). Fails with kInvalidConfig naming the bad entry.
struct FieldPlan {
  std::vector<FieldColumn> columns;
  std::vector<std::string> request;
};
Result<FieldPlan> plan_fields(const std::vector<std::string>& fields,
                              const std::string& cursor_field);

// What one COQL page asks for.
struct CoqlPage {
  std::string module;
  std::vector<std::string> select;  // API names
  std::string criteria;             // a WHERE fragment as the job wrote it, or ""
  // both | true add a Converted__s condition (COQL leaves converted leads out otherwise);
  // false adds none: the server's default.
  std::string converted;
  std::string cursor_field;
  std::optional<ZohoCursor> after;  // keyset position, or from the start
  int limit = 2000;
  // An id walk: `where ... and (id > after_id)` (unless empty), `order by id asc`.
  bool by_id = false;
  std::string after_id;
};
// select ... from M where (criteria) and (cursor condition) order by F asc, id asc limit N, or
// for an id walk: select ... where (criteria) and (id > 'X') order by id asc limit N.
// Every interpolated value is quoted with coql_quote(); one and/or per bracket level, as COQL
// requires.
std::string build_coql(const CoqlPage& page);

// What the next keyset page needs from a page's reply, read from its raw text without building
// a DOM: whether `info.more_records` is true, and the last record's `id` and `cursor_field`
// values (as their JSON text: a string's characters, a number's digits). A page's parse takes
// ~10 ms a megabyte; this scan a fraction of one, so the next page's request can leave first.
// It is a hint, not a parser: it does not validate, and a reply it cannot read plainly (a
// backslash in a value it needs, no records) gives nullopt. The caller must check the hint
// against the parsed page; a wrong one costs a request, never a row.
struct PageHint {
  std::string last_id;
  std::string last_cursor;  // "" when the last record has no cursor field
};
std::optional<PageHint> scan_page_hint(std::string_view reply, std::string_view cursor_field);

// A Zoho JSON value as a record value: strings (ids included) as text, integers as int64,
// decimals as double, booleans, null; a lookup object as its id, or its name when
// `lookup_name`; an array as its JSON text.
Value to_value(const nlohmann::json& value, bool lookup_name);

}  // namespace hades::zoho_source

#endif  // HADES_PLUGINS_ZOHO_SOURCE_ZOHO_QUERY_H_
