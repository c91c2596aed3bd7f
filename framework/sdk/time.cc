#include "hades/time.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace hades {
namespace {

// Reads `width` digits at `pos`; nullopt unless they are all there and all digits.
std::optional<int> digits(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  const char* first = text.data() + pos;
  const auto [end, error] = std::from_chars(first, first + width, value);
  if (error != std::errc() || end != first + width || *first == '-' || *first == '+') {
    return std::nullopt;
  }
  return value;
}

// The offset after the seconds: "Z", or "+HH:MM" / "-HH:MM" in seconds east of UTC.
std::optional<int> parse_offset(std::string_view zone) {
  if (zone == "Z") return 0;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':') {
    return std::nullopt;
  }
  const auto hours = digits(zone, 1, 2);
  const auto minutes = digits(zone, 4, 2);
  if (!hours || !minutes || *hours > 23 || *minutes > 59) return std::nullopt;
  return (zone[0] == '-' ? -1 : 1) * (*hours * 3600 + *minutes * 60);
}

}  // namespace

std::string format_utc(Timestamp t) {
  using namespace std::chrono;
  const auto seconds = floor<std::chrono::seconds>(t);
  const auto day = floor<days>(seconds);
  const year_month_day date{day};
  const hh_mm_ss time{seconds - day};
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02dZ", int(date.year()),
                unsigned(date.month()), unsigned(date.day()), int(time.hours().count()),
                int(time.minutes().count()), int(time.seconds().count()));
  return buffer;
}

std::optional<std::chrono::sys_days> parse_date(std::string_view text) {
  using namespace std::chrono;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto y = digits(text, 0, 4), mo = digits(text, 5, 2), d = digits(text, 8, 2);
  if (!y || !mo || !d) return std::nullopt;
  const year_month_day date{year{*y}, month{static_cast<unsigned>(*mo)},
                            day{static_cast<unsigned>(*d)}};
  if (!date.ok()) return std::nullopt;
  return sys_days{date};
}

std::optional<Timestamp> parse_utc(std::string_view text) {
  using namespace std::chrono;
  if (text.size() != 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
      text[19] != 'Z') {
    return std::nullopt;
  }
  const std::optional<sys_days> date = parse_date(text.substr(0, 10));
  const auto h = digits(text, 11, 2), mi = digits(text, 14, 2), s = digits(text, 17, 2);
  if (!date || !h || !mi || !s || *h > 23 || *mi > 59 || *s > 59) return std::nullopt;
  return Timestamp{*date} + hours{*h} + minutes{*mi} + seconds{*s};
}

std::optional<OffsetTime> parse_offset_time(std::string_view text) {
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != ' ') || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  const auto year = digits(text, 0, 4);
  const auto month = digits(text, 5, 2);
  const auto day = digits(text, 8, 2);
  const auto hour = digits(text, 11, 2);
  const auto minute = digits(text, 14, 2);
  const auto second = digits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{*year},
                                         std::chrono::month{static_cast<unsigned>(*month)},
                                         std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;

  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    const std::size_t digits_start = ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == digits_start) return std::nullopt;
  }
  const std::optional<int> offset_seconds = parse_offset(text.substr(pos));
  if (!offset_seconds) return std::nullopt;

  const std::int64_t local = std::chrono::sys_days{date}.time_since_epoch().count() * 86400 +
                             *hour * 3600 + *minute * 60 + std::min(*second, 59);
  return OffsetTime{local - *offset_seconds, *offset_seconds, std::string(text.substr(pos))};
}

std::string format_offset_time(std::int64_t epoch_seconds, int offset_seconds,
                               std::string_view offset) {
  const std::chrono::sys_seconds local{std::chrono::seconds{epoch_seconds + offset_seconds}};
  const std::chrono::sys_days day = std::chrono::floor<std::chrono::days>(local);
  const std::chrono::year_month_day date{day};
  const std::chrono::hh_mm_ss time{local - day};
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<int>(time.hours().count()),
                static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()));
  return std::string(buffer).append(offset);
}

std::string file_stamp(std::string_view iso) {
  std::string digits_only;
  for (const char c : iso.substr(0, 19)) {
    if (c >= '0' && c <= '9') digits_only += c;
  }
  if (digits_only.size() != 14) return digits_only;
  return digits_only.substr(0, 8) + "-" + digits_only.substr(8);
}

Result<std::string> days_before(const std::string& started_at, std::int64_t days) {
  const std::optional<std::chrono::sys_days> day = parse_date(started_at.substr(0, 10));
  if (!day) {
    return Status::invalid_config("the run's start time '" + started_at +
                                  "' does not begin with a YYYY-MM-DD date");
  }
  const std::chrono::year_month_day ymd{*day - std::chrono::days{days}};
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return std::string(buffer) + started_at.substr(10);
}

Result<std::optional<std::string>> parse_split_time(std::string_view key, const std::string& text) {
  if (text.empty()) return std::optional<std::string>();
  const bool date_ok = parse_date(text.substr(0, 10)).has_value();
  if (date_ok && text.size() == 10) return std::optional<std::string>(text + "T00:00:00Z");
  if (date_ok && text.size() == 20 && text[10] == 'T' && text[19] == 'Z') {
    return std::optional<std::string>(text);
  }
  return Status::invalid_config("`" + std::string(key) +
                                "` must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, got '" + text + "'");
}

}  // namespace hades
