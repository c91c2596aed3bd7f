// job_bind.cc: bind_settings, a plugin's `with:` block checked against its schema.
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
#include "job.h"
#include "job_detail.h"
#include "yaml_limits.h"

namespace hades {

// ---------------------------------------------------------------------------------------------
// bind_settings

namespace {

using namespace job_detail;  // NOLINT(google-build-using-namespace)

std::string with_article(std::string_view noun) {
  const bool vowel =
      !noun.empty() && std::string_view("aeiou").find(noun.front()) != std::string_view::npos;
  return (vowel ? "an " : "a ") + std::string(noun);
}

// Converts a scalar to `type` (not a list or map type) by the rules of job.h.
std::optional<SettingValue> parse_scalar_as(SettingType type, const std::string& text) {
  switch (type) {
    case SettingType::kString:
      return SettingValue(text);
    case SettingType::kInt:
      if (const auto v = parse_int(text)) return SettingValue(*v);
      return std::nullopt;
    case SettingType::kDouble:
      if (const auto v = parse_double(text)) return SettingValue(*v);
      return std::nullopt;
    case SettingType::kBool:
      if (const auto v = parse_bool(text)) return SettingValue(*v);
      return std::nullopt;
    case SettingType::kStringList:
    case SettingType::kStringMap:
      return std::nullopt;
  }
  return std::nullopt;
}

class Binder {
 public:
  Binder(const PluginRef& ref, const SettingSpec* schema, std::size_t size,
         std::vector<Diagnostic>* diagnostics)
      : ref_(ref), schema_(schema, schema + size), diagnostics_(diagnostics) {
    for (const SettingSpec& spec : schema_) names_.emplace_back(spec.name);
  }

  Settings bind() {
    for (const auto& [key, raw] : ref_.with) bind_one(key, raw);
    for (const SettingSpec& spec : schema_) complete_missing(spec);
    return std::move(settings_);
  }

 private:
  void bind_one(const std::string& key, const RawSetting& raw) {
    const auto spec = std::find_if(schema_.begin(), schema_.end(),
                                   [&](const SettingSpec& s) { return key == s.name; });
    if (spec == schema_.end()) {
      error(raw.key_where, "unknown key " + in_quotes(key) + did_you_mean(key, names_));
      return;
    }
    if (raw.is_null) {  // `key:` means "not set", which a required setting cannot be
      if (!spec->required) return;
      handled_.insert(key);
      error(raw.value_where, "required setting " + in_quotes(key) + " has no value");
      return;
    }
    handled_.insert(key);
    if (std::optional<SettingValue> value = convert(*spec, raw)) settings_.set(key, *value);
  }

  std::optional<SettingValue> convert(const SettingSpec& spec, const RawSetting& raw) {
    using Shape = RawSetting::Shape;
    if (spec.type == SettingType::kStringList && raw.shape == Shape::kList) return raw.list;
    if (spec.type == SettingType::kStringMap && raw.shape == Shape::kMap) return raw.map;
    if (raw.shape == Shape::kScalar) {
      if (auto value = parse_scalar_as(spec.type, raw.scalar)) return value;
    }
    error(raw.value_where, "setting " + in_quotes(spec.name) + " must be " +
                               with_article(setting_type_name(spec.type)) + ", got " +
                               shown(spec, raw));
    return std::nullopt;
  }

  // The value as a message may show it: secrets never appear.
  static std::string shown(const SettingSpec& spec, const RawSetting& raw) {
    if (raw.shape == RawSetting::Shape::kList) return "a list";
    if (raw.shape == RawSetting::Shape::kMap) return "a mapping";
    return spec.secret ? "<redacted>" : in_quotes(excerpt(raw.scalar));
  }

  void complete_missing(const SettingSpec& spec) {
    if (handled_.count(spec.name) != 0) return;
    if (spec.required) {
      error(ref_.where, "missing required setting " + in_quotes(spec.name));
      return;
    }
    // Lists and maps have no default other than empty (settings.h).
    if (spec.default_value == nullptr) return;
    if (std::optional<SettingValue> value = parse_scalar_as(spec.type, spec.default_value)) {
      settings_.set(spec.name, *value);
    } else if (spec.type != SettingType::kStringList && spec.type != SettingType::kStringMap) {
      error(ref_.where, "the plugin's default for setting " + in_quotes(spec.name) + " is not " +
                            with_article(setting_type_name(spec.type)) + " (a plugin bug)");
    }
  }

  void error(const SourceLocation& where, const std::string& message) {
    diagnostics_->push_back({where, "plugin " + in_quotes(ref_.plugin) + ": " + message});
  }

  const PluginRef& ref_;
  std::vector<SettingSpec> schema_;
  std::vector<std::string> names_;
  std::vector<Diagnostic>* diagnostics_;
  std::set<std::string> handled_;  // keys given a value (good or bad): not reported as missing
  Settings settings_;
};

}  // namespace

Settings bind_settings(const PluginRef& ref, const SettingSpec* schema, std::size_t schema_size,
                       std::vector<Diagnostic>* diagnostics) {
  return Binder(ref, schema, schema_size, diagnostics).bind();
}

}  // namespace hades
