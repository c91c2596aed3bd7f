// sim_time.h: the date and time formats Zoho CRM speaks, without the C library's time zone state.
//
// Zoho sends date-times as ISO-8601 with an offset ("2026-02-11T09:30:00-05:00") and dates as
// "YYYY-MM-DD"; If-Modified-Since may also arrive as an RFC 7231 HTTP date. Times are carried as
// seconds since the Unix epoch. All functions are pure and thread-safe.

#ifndef HADES_TOOLS_ZOHO_SIM_SIM_TIME_H_
#define HADES_TOOLS_ZOHO_SIM_SIM_TIME_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hades::zoho_sim {

// "2026-02-11T09:30:00-05:00", "...Z", "...+00:00", optional ".fff" fraction (ignored).
// nullopt when the text is not exactly that shape or names an impossible date.
std::optional<std::int64_t> parse_iso_datetime(std::string_view text);

// "Wed, 11 Feb 2026 00:00:00 GMT". nullopt when malformed.
std::optional<std::int64_t> parse_http_date(std::string_view text);

// ISO-8601 first, then the HTTP date form.
std::optional<std::int64_t> parse_any_datetime(std::string_view text);

// "YYYY-MM-DD" only; true when it names a real day.
bool is_iso_date(std::string_view text);

// "+HH:MM" / "-HH:MM" / "Z" as minutes east of UTC.
std::optional<int> parse_utc_offset(std::string_view text);

// `epoch` shown in the zone `offset_minutes` east of UTC: "2026-02-11T09:30:00-05:00".
std::string format_iso_datetime(std::int64_t epoch, int offset_minutes);

}  // namespace hades::zoho_sim

#endif  // HADES_TOOLS_ZOHO_SIM_SIM_TIME_H_
