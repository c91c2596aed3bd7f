// iso_time.h: ISO-8601 date-times with a UTC offset, as Zoho CRM writes them.
//
// Zoho writes `2026-02-11T09:30:00-05:00` (the org's offset) and compares cursors and
// If-Modified-Since in that form; HADES stores UTC. One parser and one formatter serve both
// the Zoho source's cursor arithmetic and the outcome tables' UTC timestamps.
//
// Thread safety: pure functions.

#ifndef HADES_PLUGINS_COMMON_ISO_TIME_H_
#define HADES_PLUGINS_COMMON_ISO_TIME_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hades::plugin_common {

struct OffsetTime {
  std::int64_t epoch_seconds = 0;  // the instant, seconds since 1970-01-01T00:00:00Z
  int offset_seconds = 0;          // the offset it was written in, east of UTC
  std::string offset;              // that offset as written: "Z" or "+HH:MM" / "-HH:MM"
};

// Parses `YYYY-MM-DDTHH:MM:SS` (or a space for the T), optional `.fraction` (dropped), then `Z`
// or `±HH:MM`. A leap second (:60) counts as :59. Anything else, an impossible date such as
// 2026-02-30 or a time without an offset included, gives nullopt.
std::optional<OffsetTime> parse_offset_time(std::string_view text);

// `epoch_seconds` written as `YYYY-MM-DDTHH:MM:SS` in the offset `offset_seconds`, followed by
// `offset` ("Z" for UTC).
std::string format_offset_time(std::int64_t epoch_seconds, int offset_seconds,
                               std::string_view offset);

}  // namespace hades::plugin_common

#endif  // HADES_PLUGINS_COMMON_ISO_TIME_H_
