#include "sim_time.h"

#include <array>
#include <charconv>
#include <cstdio>

namespace hades::zoho_sim {
namespace {

// Howard Hinnant's days_from_civil: proleptic Gregorian, no time zone database involved.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

bool leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30,
                                                     31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `width` digits at `pos`.
bool digits(std::string_view text, std::size_t pos, std::size_t width, int& out) {
  if (pos + width > text.size()) return false;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  std::from_chars(text.data() + pos, text.data() + pos + width, out);
  return true;
}

bool parse_date_part(std::string_view text, int& y, int& m, int& d) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return false;
  if (!digits(text, 0, 4, y) || !digits(text, 5, 2, m) || !digits(text, 8, 2, d)) return false;
  return m >= 1 && m <= 12 && d >= 1 && static_cast<unsigned>(d) <= days_in_month(y, m);
}

}  // namespace

std::optional<int> parse_utc_offset(std::string_view text) {
  if (text == "Z") return 0;
  int h = 0;
  int m = 0;
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':') return std::nullopt;
  if (!digits(text, 1, 2, h) || !digits(text, 4, 2, m) || h > 23 || m > 59) return std::nullopt;
  const int minutes = h * 60 + m;
  return text[0] == '-' ? -minutes : minutes;
}

std::optional<std::int64_t> parse_iso_datetime(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!parse_date_part(text, y, mo, d) || text.size() < 20 || text[10] != 'T') return std::nullopt;
  if (text[13] != ':' || text[16] != ':') return std::nullopt;
  if (!digits(text, 11, 2, h) || !digits(text, 14, 2, mi) || !digits(text, 17, 2, s)) {
    return std::nullopt;
  }
  if (h > 23 || mi > 59 || s > 60) return std::nullopt;
  std::size_t pos = 19;
  if (text[pos] == '.') {
    ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
  }
  const auto offset = parse_utc_offset(text.substr(pos));
  if (!offset) return std::nullopt;
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return days * 86400 + h * 3600 + mi * 60 + s - std::int64_t{*offset} * 60;
}

std::optional<std::int64_t> parse_http_date(std::string_view text) {
  // "Wed, 11 Feb 2026 00:00:00 GMT": fixed width after the weekday.
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (text.size() != 29 || text.substr(3, 2) != ", " || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  int d = 0, y = 0, h = 0, mi = 0, s = 0;
  unsigned mo = 0;
  for (unsigned i = 0; i < kMonths.size(); ++i) {
    if (text.substr(8, 3) == kMonths[i]) mo = i + 1;
  }
  if (mo == 0 || !digits(text, 5, 2, d) || !digits(text, 12, 4, y) || !digits(text, 17, 2, h) ||
      !digits(text, 20, 2, mi) || !digits(text, 23, 2, s)) {
    return std::nullopt;
  }
  if (d < 1 || static_cast<unsigned>(d) > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60) {
    return std::nullopt;
  }
  return days_from_civil(y, mo, static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + s;
}

std::optional<std::int64_t> parse_any_datetime(std::string_view text) {
  if (auto iso = parse_iso_datetime(text)) return iso;
  return parse_http_date(text);
}

bool is_iso_date(std::string_view text) {
  int y = 0, m = 0, d = 0;
  return text.size() == 10 && parse_date_part(text, y, m, d);
}

std::string format_iso_datetime(std::int64_t epoch, int offset_minutes) {
  const std::int64_t local = epoch + std::int64_t{offset_minutes} * 60;
  std::int64_t days = local / 86400;
  std::int64_t secs = local % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  const int off = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  std::array<char, 96> buf{};
  std::snprintf(buf.data(), buf.size(), "%04lld-%02u-%02uT%02lld:%02lld:%02lld%c%02d:%02d",
                static_cast<long long>(y), m, d, static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60),
                offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
  return buf.data();
}

}  // namespace hades::zoho_sim
