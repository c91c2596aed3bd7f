#include "job_params.h"

#include <array>
#include <charconv>
#include <cmath>
#include <utility>

#include "hades/time.h"

namespace hades {
namespace {

constexpr std::array<std::pair<ParamKind, std::string_view>, 7> kKindNames = {{
    {ParamKind::kString, "string"},
    {ParamKind::kInteger, "integer"},
    {ParamKind::kNumber, "number"},
    {ParamKind::kBoolean, "boolean"},
    {ParamKind::kDate, "date"},
    {ParamKind::kPath, "path"},
    {ParamKind::kChoice, "choice"},
}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// -?[0-9]+ within int64, with no sign but '-', no blanks, no fraction.
std::optional<std::int64_t> strict_integer(std::string_view text) {
  const std::string_view digits = text.starts_with('-') ? text.substr(1) : text;
  if (digits.empty()) return std::nullopt;
  for (const char c : digits) {
    if (!is_digit(c)) return std::nullopt;
  }
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// -?[0-9]+(.[0-9]+)? : what a person types for a number; no exponent, no '+', no blanks.
std::optional<double> strict_number(std::string_view text) {
  const std::string_view body = text.starts_with('-') ? text.substr(1) : text;
  const std::size_t dot = body.find('.');
  const std::string_view whole = body.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? "" : body.substr(dot + 1);
  const auto all_digits = [](std::string_view part) {
    for (const char c : part) {
      if (!is_digit(c)) return false;
    }
    return !part.empty();
  };
  if (!all_digits(whole) || (dot != std::string_view::npos && !all_digits(fraction))) {
    return std::nullopt;
  }
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::int64_t> day_number(std::string_view text) {
  const std::optional<std::chrono::sys_days> day = parse_date(text);
  if (!day) return std::nullopt;
  return day->time_since_epoch().count();
}

// A date or today[+-N].
std::optional<DateBound> parse_date_bound(std::string_view text) {
  DateBound bound;
  bound.text = std::string(text);
  if (const std::optional<std::int64_t> day = day_number(text)) {
    bound.day = day;
    return bound;
  }
  if (!text.starts_with("today")) return std::nullopt;
  const std::string_view rest = text.substr(5);
  if (rest.empty()) return bound;
  if (rest.front() != '+' && rest.front() != '-') return std::nullopt;
  const std::optional<std::int64_t> days = strict_integer(rest.substr(1));
  if (!days) return std::nullopt;
  bound.offset_days = rest.front() == '-' ? -*days : *days;
  return bound;
}

std::string number_text(double value) {
  if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<std::int64_t>(value));
  }
  std::array<char, 32> buffer{};
  const auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return error == std::errc() ? std::string(buffer.data(), end) : std::to_string(value);
}

std::string range_text(const ParamType& t) {
  if (t.min && t.max) return " from " + number_text(*t.min) + " to " + number_text(*t.max);
  if (t.min) return " of at least " + number_text(*t.min);
  if (t.max) return " of at most " + number_text(*t.max);
  return "";
}

Status expected(const ParamType& type) {
  return Status::invalid_config("expected " + type.describe());
}

Result<std::string> check_number(const ParamType& type, std::string_view value) {
  double number = 0;
  std::string canonical(value);
  if (type.kind == ParamKind::kInteger) {
    const std::optional<std::int64_t> n = strict_integer(value);
    if (!n) return expected(type);
    number = static_cast<double>(*n);
    canonical = std::to_string(*n);  // "007" -> "7", "-0" -> "0"
  } else {
    const std::optional<double> n = strict_number(value);
    if (!n) return expected(type);
    number = *n;
  }
  if ((type.min && number < *type.min) || (type.max && number > *type.max)) {
    return expected(type);
  }
  return canonical;
}

Result<std::string> check_date(const ParamType& type, std::string_view value, std::int64_t today) {
  const std::optional<std::int64_t> day = day_number(value);
  if (!day) return expected(type);
  if ((type.min_date && *day < type.min_date->resolve(today)) ||
      (type.max_date && *day > type.max_date->resolve(today))) {
    return expected(type);
  }
  return std::string(value);
}

}  // namespace

std::string_view param_kind_name(ParamKind kind) {
  for (const auto& [k, name] : kKindNames) {
    if (k == kind) return name;
  }
  return "string";
}

std::optional<ParamKind> parse_param_kind(std::string_view name) {
  for (const auto& [kind, n] : kKindNames) {
    if (n == name) return kind;
  }
  return std::nullopt;
}

std::string ParamType::describe() const {
  switch (kind) {
    case ParamKind::kString:
      return "a string";
    case ParamKind::kInteger:
      return "an integer" + range_text(*this) + " (digits, an optional leading '-')";
    case ParamKind::kNumber:
      return "a number" + range_text(*this) + " (like 12 or 4.5)";
    case ParamKind::kBoolean:
      return "true or false";
    case ParamKind::kDate: {
      std::string text = "a date (YYYY-MM-DD)";
      if (min_date) text += " not before " + min_date->text;
      if (min_date && max_date) text += " and";
      if (max_date) text += " not after " + max_date->text;
      return text;
    }
    case ParamKind::kPath:
      return "a file path (not empty, no control characters)";
    case ParamKind::kChoice: {
      std::string text = "one of";
      for (std::size_t i = 0; i < values.size(); ++i) {
        text += (i == 0 ? " " : ", ") + values[i];
      }
      return text;
    }
  }
  return "a string";
}

Status parse_param_bound(ParamKind kind, std::string_view text, bool is_max, ParamType* type) {
  const char* key = is_max ? "max" : "min";
  if (kind == ParamKind::kInteger || kind == ParamKind::kNumber) {
    std::optional<double> n = strict_number(text);
    if (kind == ParamKind::kInteger) {
      const std::optional<std::int64_t> whole = strict_integer(text);
      n = whole ? std::optional<double>(static_cast<double>(*whole)) : std::nullopt;
    }
    if (!n) {
      return Status::invalid_config(std::string(key) + " must be " +
                                    (kind == ParamKind::kInteger ? "an integer" : "a number"));
    }
    (is_max ? type->max : type->min) = *n;
    return Status::ok_status();
  }
  if (kind == ParamKind::kDate) {
    std::optional<DateBound> bound = parse_date_bound(text);
    if (!bound) {
      return Status::invalid_config(std::string(key) +
                                    " must be a date (YYYY-MM-DD) or today, today+N, today-N");
    }
    (is_max ? type->max_date : type->min_date) = std::move(bound);
    return Status::ok_status();
  }
  return Status::invalid_config(std::string(key) +
                                " applies to integer, number and date "
                                "parameters only, not to " +
                                std::string(param_kind_name(kind)));
}

Result<std::string> check_param_value(const ParamType& type, std::string_view value,
                                      std::int64_t today) {
  switch (type.kind) {
    case ParamKind::kString:
      return std::string(value);
    case ParamKind::kInteger:
    case ParamKind::kNumber:
      return check_number(type, value);
    case ParamKind::kBoolean:
      if (value == "true" || value == "false") return std::string(value);
      return expected(type);
    case ParamKind::kDate:
      return check_date(type, value, today);
    case ParamKind::kPath:
      if (value.empty()) return expected(type);
      for (const char c : value) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return expected(type);
      }
      return std::string(value);
    case ParamKind::kChoice:
      for (const std::string& v : type.values) {
        if (v == value) return v;
      }
      return expected(type);
  }
  return expected(type);
}

}  // namespace hades
