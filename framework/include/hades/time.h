// hades/time.h: instants as the SDK passes them, and their one text form.
//
// HADES stores and compares times as ISO-8601 UTC with whole seconds, "2026-02-11T06:00:00Z":
// run start times, exported_at, checkpoint and audit stamps. Those strings sort in time order,
// which SQL reads rely on. Code that needs "now" asks the Context (Context::now()), never the
// system clock, so tests can fix the time.
//
// Thread safety: pure functions.

#ifndef HADES_TIME_H_
#define HADES_TIME_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace hades {

using Clock = std::chrono::system_clock;
using Timestamp = Clock::time_point;

// `t` as "YYYY-MM-DDTHH:MM:SSZ" (UTC, fractions of a second dropped).
std::string format_utc(Timestamp t);

// Parses exactly "YYYY-MM-DDTHH:MM:SSZ" with a real calendar date; nullopt for anything else.
std::optional<Timestamp> parse_utc(std::string_view text);

// Parses exactly "YYYY-MM-DD", a real calendar date; nullopt for anything else.
std::optional<std::chrono::sys_days> parse_date(std::string_view text);

}  // namespace hades

#endif  // HADES_TIME_H_
