// job_yaml.cc: scalar parsing and YAML diagnostics shared by the loader and bind_settings.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <limits>
#include <set>
#include <sstream>
#include <utility>

#include "hades/time.h"
#include "job_detail.h"
#include "yaml_limits.h"

namespace hades::job_detail {
namespace {

char to_lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// Scalar parsing shared by the loader and bind_settings

std::string_view without_plus(std::string_view text) {
  return !text.empty() && text.front() == '+' ? text.substr(1) : text;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  text = without_plus(text);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> parse_double(std::string_view text) {
  text = without_plus(text);
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (!std::isfinite(value)) return std::nullopt;  // "nan" and "inf" are not settings
  return value;
}

std::optional<bool> parse_bool(std::string_view text) {
  std::string folded;
  for (char c : text) folded.push_back(to_lower(c));
  if (folded == "true" || folded == "yes" || folded == "on") return true;
  if (folded == "false" || folded == "no" || folded == "off") return false;
  return std::nullopt;
}

// A byte count: digits, optionally followed by a unit (B, KiB, MiB, GiB; a blank before it is
// allowed). Decimal units (MB) are not accepted: which one was meant would be a guess.
std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + digits, value);
  if (digits == 0 || ec != std::errc() || end != text.data() + digits) return std::nullopt;
  std::string_view unit = text.substr(digits);
  if (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  const std::pair<std::string_view, int> kUnits[] = {
      {"", 0}, {"B", 0}, {"KiB", 10}, {"MiB", 20}, {"GiB", 30}};
  for (const auto& [name, shift] : kUnits) {
    if (unit != name) continue;
    if (value > (std::numeric_limits<std::uint64_t>::max() >> shift)) return std::nullopt;
    return value << shift;
  }
  return std::nullopt;
}

// Job, step and parameter names end up in file names, table rows and log fields.
bool is_valid_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

bool is_env_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

std::string excerpt(std::string_view text) {
  if (text.size() <= kMaxQuoted) return std::string(text);
  return std::string(text.substr(0, kMaxQuoted)) + "...";
}

std::string in_quotes(std::string_view text) { return "'" + std::string(text) + "'"; }

// What a user wrote, for "got ..." in a message.
std::string describe(const YAML::Node& node) {
  if (node.IsNull()) return "nothing";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  return in_quotes(excerpt(node.Scalar()));
}

// ---------------------------------------------------------------------------------------------
// Diagnostics of one file

// yaml-cpp keeps every pair of a mapping, duplicates included, so iterating is how duplicates
// are found. The first occurrence is kept; each later one is an error.
Entries read_mapping(Reporter& reporter, const YAML::Node& map) {
  Entries entries;
  std::map<std::string, int> first_line;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar()) {
      reporter.error(it->first.Mark(), "keys must be plain strings, got " + describe(it->first));
      continue;
    }
    const std::string key = it->first.Scalar();
    const int line = reporter.locate(it->first.Mark()).line;
    if (const auto [seen, inserted] = first_line.emplace(key, line); !inserted) {
      reporter.error(it->first.Mark(), "duplicate key " + in_quotes(key) + " (first at line " +
                                           std::to_string(seen->second) + ")");
      continue;
    }
    entries.push_back({key, it->first, it->second});
  }
  return entries;
}

void reject_unknown(Reporter& reporter, const Entries& entries,
                    const std::vector<std::string>& allowed, const std::string& context) {
  for (const Entry& e : entries) {
    if (std::find(allowed.begin(), allowed.end(), e.key) != allowed.end()) continue;
    reporter.error(e.key_node.Mark(), "unknown key " + in_quotes(e.key) + " in " + context +
                                          did_you_mean(e.key, allowed));
  }
}

const Entry* find_entry(const Entries& entries, std::string_view key) {
  for (const Entry& e : entries) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

// An empty value (`key:`) has no token of its own: yaml-cpp marks it at whatever follows, often
// the next line, so such a value is located at its key instead.
YAML::Mark value_mark(const Entry& e) {
  const YAML::Mark mark = e.value.Mark();
  if (e.value.IsNull() && (mark.is_null() || mark.line != e.key_node.Mark().line)) {
    return e.key_node.Mark();
  }
  return mark;
}

}  // namespace hades::job_detail
