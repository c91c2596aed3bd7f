#include "hades/value.h"

#include <charconv>
#include <cmath>
#include <string>

namespace hades {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view type_name(const Value& v) {
  switch (v.index()) {
    case 0:
      return "null";
    case 1:
      return "bool";
    case 2:
      return "integer";
    case 3:
      return "float";
    default:
      return "text";
  }
}

std::string to_text(const Value& v) {
  if (is_null(v)) return "";
  if (const bool* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (const std::int64_t* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const double* d = std::get_if<double>(&v)) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *d);
    return ec == std::errc() ? std::string(buf, end) : std::string("nan");
  }
  return std::get<std::string>(v);
}

std::optional<std::int64_t> as_int(const Value& v) {
  if (const std::int64_t* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const bool* b = std::get_if<bool>(&v)) return *b ? 1 : 0;
  if (const double* d = std::get_if<double>(&v)) {
    if (std::isfinite(*d) && std::trunc(*d) == *d && std::fabs(*d) < 9.2e18) {
      return static_cast<std::int64_t>(*d);
    }
    return std::nullopt;
  }
  if (const std::string* s = std::get_if<std::string>(&v)) {
    const std::string_view t = trim(*s);
    std::int64_t out = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
    if (ec == std::errc() && end == t.data() + t.size() && !t.empty()) return out;
  }
  return std::nullopt;
}

std::optional<double> as_double(const Value& v) {
  if (const double* d = std::get_if<double>(&v)) return *d;
  if (const std::int64_t* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (const bool* b = std::get_if<bool>(&v)) return *b ? 1.0 : 0.0;
  if (const std::string* s = std::get_if<std::string>(&v)) {
    const std::string_view t = trim(*s);
    double out = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
    if (ec == std::errc() && end == t.data() + t.size() && !t.empty()) return out;
  }
  return std::nullopt;
}

}  // namespace hades
