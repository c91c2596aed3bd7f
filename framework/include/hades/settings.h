// hades/settings.h: a plugin's settings, declared as data and bound once.
//
// Each plugin declares the keys its `with:` block accepts as an array of SettingSpec. The same
// table drives `hades validate` (unknown keys, missing required keys, wrong types), `hades plugins
// --describe` and the settings table of the plugin's README. The host checks a step's settings
// against it, applies defaults, and hands the plugin a Settings object in which every declared
// key with a value or a default is present with the declared type. The plugin copies what it
// needs into its own typed config struct inside its factory.
//
// Settings marked `secret` are redacted from every log line, error message and report.
//
// Thread safety: a value type.

#ifndef HADES_SETTINGS_H_
#define HADES_SETTINGS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace hades {

enum class SettingType : std::uint32_t {
  kString = 0,
  kInt = 1,
  kDouble = 2,
  kBool = 3,
  kStringList = 4,  // a YAML sequence of scalars
  kStringMap = 5,   // a YAML mapping of scalars; order is kept
};

std::string_view setting_type_name(SettingType type);

// One key of a plugin's `with:` block. Plain data so that it can live in a static array inside
// the plugin and be read by the host before any plugin code runs.
struct SettingSpec {
  const char* name;
  SettingType type;
  bool required;
  // The default as YAML scalar text ("500", "true", ","), or nullptr for none. Lists and maps
  // have no default other than empty.
  const char* default_value;
  bool secret;
  const char* description;
};

using StringMap = std::vector<std::pair<std::string, std::string>>;
using SettingValue =
    std::variant<std::string, std::int64_t, double, bool, std::vector<std::string>, StringMap>;

class Settings {
 public:
  // Accessors for a key the schema declares with that type. Return nullopt when the key has
  // neither a value nor a default; a type mismatch (a plugin bug) also yields nullopt.
  std::optional<std::string> get_string(std::string_view name) const;
  std::optional<std::int64_t> get_int(std::string_view name) const;
  std::optional<double> get_double(std::string_view name) const;
  std::optional<bool> get_bool(std::string_view name) const;
  std::vector<std::string> get_string_list(std::string_view name) const;
  StringMap get_string_map(std::string_view name) const;

  // The string, or `fallback`. For keys the schema gives a default, prefer get_string().
  std::string get_string_or(std::string_view name, std::string_view fallback) const;

  bool has(std::string_view name) const;
  void set(std::string name, SettingValue value);
  const std::map<std::string, SettingValue, std::less<>>& values() const { return values_; }

 private:
  std::map<std::string, SettingValue, std::less<>> values_;
};

}  // namespace hades

#endif  // HADES_SETTINGS_H_
