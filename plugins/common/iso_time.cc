#include "common/iso_time.h"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace hades::plugin_common {
namespace {

namespace chr = std::chrono;

std::optional<int> digits_at(std::string_view text, std::size_t pos, std::size_t count) {
  if (pos + count > text.size()) return std::nullopt;
  int value = 0;
  const char* first = text.data() + pos;
  const auto [end, error] = std::from_chars(first, first + count, value);
  if (error != std::errc() || end != first + count || *first == '-' || *first == '+') {
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
  const auto hours = digits_at(zone, 1, 2);
  const auto minutes = digits_at(zone, 4, 2);
  if (!hours || !minutes || *hours > 23 || *minutes > 59) return std::nullopt;
  return (zone[0] == '-' ? -1 : 1) * (*hours * 3600 + *minutes * 60);
}

}  // namespace

std::optional<OffsetTime> parse_offset_time(std::string_view text) {
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != ' ') || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  const auto year = digits_at(text, 0, 4);
  const auto month = digits_at(text, 5, 2);
  const auto day = digits_at(text, 8, 2);
  const auto hour = digits_at(text, 11, 2);
  const auto minute = digits_at(text, 14, 2);
  const auto second = digits_at(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  const chr::year_month_day date{chr::year{*year}, chr::month{static_cast<unsigned>(*month)},
                                 chr::day{static_cast<unsigned>(*day)}};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;

  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    const std::size_t digits_start = ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == digits_start) return std::nullopt;
  }
  const std::optional<int> offset_seconds = parse_offset(text.substr(pos));
  if (!offset_seconds) return std::nullopt;

  const std::int64_t local = chr::sys_days{date}.time_since_epoch().count() * 86400 + *hour * 3600 +
                             *minute * 60 + std::min(*second, 59);
  return OffsetTime{local - *offset_seconds, *offset_seconds, std::string(text.substr(pos))};
}

std::string format_offset_time(std::int64_t epoch_seconds, int offset_seconds,
                               std::string_view offset) {
  const chr::sys_seconds local{chr::seconds{epoch_seconds + offset_seconds}};
  const chr::sys_days day = chr::floor<chr::days>(local);
  const chr::year_month_day date{day};
  const chr::hh_mm_ss time{local - day};
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<int>(time.hours().count()),
                static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()));
  return std::string(buffer).append(offset);
}

}  // namespace hades::plugin_common
