#include "leads/normalize.h"

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <system_error>

namespace hades::domain {
namespace {

bool is_blank_char(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool all_digits(std::string_view s) {
  for (const char c : s) {
    if (!is_digit(c)) return false;
  }
  return !s.empty();
}

std::string_view leading_digits(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && is_digit(s[n])) ++n;
  return s.substr(0, n);
}

std::string pad_left(std::string_view digits, std::size_t width) {
  std::string out(width > digits.size() ? width - digits.size() : 0, '0');
  out += digits;
  return out;
}

// `text` quoted for a message, cut on a UTF-8 character boundary when long.
std::string quoted_excerpt(std::string_view text) {
  constexpr std::size_t kMaxBytes = 40;
  if (text.size() <= kMaxBytes) return "'" + std::string(text) + "'";
  std::size_t cut = kMaxBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return "'" + std::string(text.substr(0, cut)) + "...'";
}

// A spreadsheet that saw a number writes `2134.0`: drop a fraction that is all zeros.
std::string_view drop_zero_fraction(std::string_view s) {
  const std::size_t dot = s.find('.');
  if (dot == std::string_view::npos || dot == 0) return s;
  for (std::size_t i = dot + 1; i < s.size(); ++i) {
    if (s[i] != '0') return s;
  }
  return s.substr(0, dot);
}

// Reads a count such as `1,200` or `1200.0` at the front of `*s` and consumes it. Commas
// separate thousands; a fraction must be all zeros. Returns nullopt when there is none.
std::optional<std::int64_t> take_count(std::string_view* s) {
  constexpr std::size_t kMaxDigits = 15;  // far beyond any company, far below int64 overflow
  std::int64_t value = 0;
  std::size_t digits = 0;
  std::size_t i = 0;
  for (; i < s->size(); ++i) {
    const char c = (*s)[i];
    if (is_digit(c)) {
      if (++digits > kMaxDigits) return std::nullopt;
      value = value * 10 + (c - '0');
    } else if (c != ',' || digits == 0) {
      break;
    }
  }
  if (digits == 0 || (*s)[i - 1] == ',') return std::nullopt;
  if (i < s->size() && (*s)[i] == '.') {
    std::size_t j = i + 1;
    while (j < s->size() && (*s)[j] == '0') ++j;
    if (j < s->size() && is_digit((*s)[j])) return std::nullopt;
    i = j;
  }
  s->remove_prefix(i);
  return value;
}

void skip_blanks(std::string_view* s) {
  while (!s->empty() && is_blank_char(s->front())) s->remove_prefix(1);
}

// Consumes a range separator: `to`, `-` or an en dash, with or without blanks around it.
bool take_range_separator(std::string_view* s) {
  skip_blanks(s);
  constexpr std::string_view kEnDash = "\xE2\x80\x93";
  if (s->size() >= 2 && lower((*s)[0]) == 't' && lower((*s)[1]) == 'o') {
    s->remove_prefix(2);
  } else if (!s->empty() && s->front() == '-') {
    s->remove_prefix(1);
  } else if (s->substr(0, kEnDash.size()) == kEnDash) {
    s->remove_prefix(kEnDash.size());
  } else {
    return false;
  }
  skip_blanks(s);
  return true;
}

struct StateName {
  std::string_view code;
  std::string_view name;  // lower case, single spaces, no periods
};

constexpr std::array<StateName, 56> kStates = {{
    {"AL", "alabama"},
    {"AK", "alaska"},
    {"AZ", "arizona"},
    {"AR", "arkansas"},
    {"CA", "california"},
    {"CO", "colorado"},
    {"CT", "connecticut"},
    {"DE", "delaware"},
    {"FL", "florida"},
    {"GA", "georgia"},
    {"HI", "hawaii"},
    {"ID", "idaho"},
    {"IL", "illinois"},
    {"IN", "indiana"},
    {"IA", "iowa"},
    {"KS", "kansas"},
    {"KY", "kentucky"},
    {"LA", "louisiana"},
    {"ME", "maine"},
    {"MD", "maryland"},
    {"MA", "massachusetts"},
    {"MI", "michigan"},
    {"MN", "minnesota"},
    {"MS", "mississippi"},
    {"MO", "missouri"},
    {"MT", "montana"},
    {"NE", "nebraska"},
    {"NV", "nevada"},
    {"NH", "new hampshire"},
    {"NJ", "new jersey"},
    {"NM", "new mexico"},
    {"NY", "new york"},
    {"NC", "north carolina"},
    {"ND", "north dakota"},
    {"OH", "ohio"},
    {"OK", "oklahoma"},
    {"OR", "oregon"},
    {"PA", "pennsylvania"},
    {"RI", "rhode island"},
    {"SC", "south carolina"},
    {"SD", "south dakota"},
    {"TN", "tennessee"},
    {"TX", "texas"},
    {"UT", "utah"},
    {"VT", "vermont"},
    {"VA", "virginia"},
    {"WA", "washington"},
    {"WV", "west virginia"},
    {"WI", "wisconsin"},
    {"WY", "wyoming"},
    {"DC", "district of columbia"},
    {"PR", "puerto rico"},
    {"GU", "guam"},
    {"VI", "virgin islands"},
    {"AS", "american samoa"},
    {"MP", "northern mariana islands"},
}};

// Lower case, runs of blanks as one space, periods dropped (`D.C.` -> `dc`).
std::string state_key(std::string_view raw) {
  std::string key;
  for (const char c : trim(raw)) {
    if (c == '.') continue;
    if (is_blank_char(c)) {
      if (!key.empty() && key.back() != ' ') key += ' ';
      continue;
    }
    key += lower(c);
  }
  if (!key.empty() && key.back() == ' ') key.pop_back();
  return key;
}

}  // namespace

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank_char(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank_char(text.back())) text.remove_suffix(1);
  return text;
}

bool is_blank(std::string_view text) { return trim(text).empty(); }

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = lower(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::optional<std::string> normalize_sic(std::string_view raw) {
  const std::string_view text = trim(raw);
  const std::string_view digits = leading_digits(text);
  const std::string_view rest = text.substr(digits.size());
  if (rest.empty()) {
    if (digits.size() >= 1 && digits.size() <= 3) return pad_left(digits, 4);
    if (digits.size() == 4) return std::string(digits);
    if (digits.size() == 6 || digits.size() == 8) return std::string(digits.substr(0, 4));
    return std::nullopt;
  }
  // A sub-code or a description after the code: `8062-01`, `8062.01`, `8062 Hospitals`.
  const char separator = rest.front();
  if (digits.size() == 4 && (separator == '-' || separator == '.' || separator == ' ' ||
                             separator == '/' || separator == '\t')) {
    return std::string(digits);
  }
  return std::nullopt;
}

std::optional<std::string> normalize_zip(std::string_view raw) {
  const std::string_view text = drop_zero_fraction(trim(raw));
  if (all_digits(text)) {
    if (text.size() <= 5) return pad_left(text, 5);
    // ZIP+4 written as one number, possibly without its leading zeros.
    if (text.size() <= 9) return pad_left(text, 9).substr(0, 5);
    return std::nullopt;
  }
  const std::string_view zip5 = leading_digits(text);
  const std::string_view rest = text.substr(zip5.size());
  if (!zip5.empty() && zip5.size() <= 5 && rest.size() == 5 && (rest[0] == '-' || rest[0] == ' ') &&
      all_digits(rest.substr(1))) {
    return pad_left(zip5, 5);
  }
  return std::nullopt;
}

std::optional<std::string> normalize_state(std::string_view raw) {
  const std::string key = state_key(raw);
  if (key.empty()) return std::nullopt;
  for (const StateName& state : kStates) {
    if (key.size() == 2 ? iequals(key, state.code) : key == state.name) {
      return std::string(state.code);
    }
  }
  return std::nullopt;
}

Result<std::optional<std::int64_t>> parse_employee_count(std::string_view raw) {
  std::string_view s = trim(raw);
  if (s.empty()) return std::optional<std::int64_t>();
  const auto garbage = [raw] {
    return Status::rejected(quoted_excerpt(trim(raw)) + " is not an employee count");
  };
  const std::optional<std::int64_t> low = take_count(&s);
  if (!low) return garbage();
  skip_blanks(&s);
  if (s.empty()) return low;
  if (s == "+") return low;  // `10,000+`: the open-ended top band, counted as its lower bound
  if (!take_range_separator(&s)) return garbage();
  const std::optional<std::int64_t> high = take_count(&s);
  skip_blanks(&s);
  if (!high || !s.empty()) return garbage();
  if (*high < *low) {
    return Status::rejected(quoted_excerpt(trim(raw)) + " is a range whose end is below its start");
  }
  return std::optional<std::int64_t>((*low + *high) / 2);
}

Result<std::optional<double>> parse_number(std::string_view raw) {
  const std::string_view s = trim(raw);
  if (s.empty()) return std::optional<double>();
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value)) {
    return Status::rejected(quoted_excerpt(s) + " is not a number");
  }
  return std::optional<double>(value);
}

Result<std::optional<std::int64_t>> parse_date(std::string_view raw) {
  const std::string_view s = trim(raw);
  if (s.empty()) return std::optional<std::int64_t>();
  const auto bad = [s] {
    return Status::rejected(quoted_excerpt(s) + " is not a YYYY-MM-DD date");
  };
  if (s.size() < 10 || s[4] != '-' || s[7] != '-' ||
      (s.size() > 10 && s[10] != 'T' && s[10] != ' ')) {
    return bad();
  }
  const std::string_view y = s.substr(0, 4);
  const std::string_view m = s.substr(5, 2);
  const std::string_view d = s.substr(8, 2);
  if (!all_digits(y) || !all_digits(m) || !all_digits(d)) return bad();
  const auto number = [](std::string_view t) {
    int v = 0;
    std::from_chars(t.data(), t.data() + t.size(), v);
    return v;
  };
  const std::chrono::year_month_day date{std::chrono::year(number(y)),
                                         std::chrono::month(static_cast<unsigned>(number(m))),
                                         std::chrono::day(static_cast<unsigned>(number(d)))};
  if (!date.ok()) return bad();
  return std::optional<std::int64_t>(std::chrono::sys_days(date).time_since_epoch().count());
}

std::string phone_digits(std::string_view raw) {
  std::string digits;
  for (const char c : raw) {
    if (is_digit(c)) {
      digits += c;
    } else if (lower(c) == 'x' || lower(c) == 'e' || c == '#') {
      break;  // `x12`, `ext. 12`, `#12`: an extension, not part of the number
    }
  }
  return digits;
}

}  // namespace hades::domain
