// hades/time.h: instants as the SDK passes them, and their one text form.
//
// HADES stores and compares times as ISO-8601 UTC with whole seconds, "2026-02-11T06:00:00Z":
// run start times, exported_at, checkpoint and audit stamps. Those strings sort in time order,
// which SQL reads rely on. Code that needs "now" asks the Context (Context::now()), never the
// system clock, so tests can fix the time.
//
// Other services' times come with an offset (Zoho writes `2026-02-11T09:30:00-05:00`, the org's
// offset, and compares cursors and If-Modified-Since in that form): OffsetTime reads and writes
// those, so a source can keep a server's form while HADES stores UTC.
//
// Thread safety: pure functions.

#ifndef HADES_TIME_H_
#define HADES_TIME_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hades/status.h"

namespace hades {

using Clock = std::chrono::system_clock;
using Timestamp = Clock::time_point;

// `t` as "YYYY-MM-DDTHH:MM:SSZ" (UTC, fractions of a second dropped).
std::string format_utc(Timestamp t);

// Parses exactly "YYYY-MM-DDTHH:MM:SSZ" with a real calendar date; nullopt for anything else.
std::optional<Timestamp> parse_utc(std::string_view text);

// Parses exactly "YYYY-MM-DD", a real calendar date; nullopt for anything else.
std::optional<std::chrono::sys_days> parse_date(std::string_view text);

// ISO-8601 date-times with a UTC offset.
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

// Dated outputs of a run (reports, models): names, cut-offs and split dates.

// "2026-02-11T06:00:00Z" -> "20260211-060000", for file names.
std::string file_stamp(std::string_view iso);

// `started_at` (ISO-8601 UTC) moved back by `days`, same time of day. Fails with kInvalidConfig
// when it does not begin with a YYYY-MM-DD date.
Result<std::string> days_before(const std::string& started_at, std::int64_t days);

// A date setting that splits outcomes in time (a holdout): "" gives nullopt, YYYY-MM-DD midnight
// UTC, YYYY-MM-DDTHH:MM:SSZ itself; anything else kInvalidConfig naming `key`
// ("`holdout_date` must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, got 'June'").
Result<std::optional<std::string>> parse_split_time(std::string_view key, const std::string& text);

}  // namespace hades

#endif  // HADES_TIME_H_
