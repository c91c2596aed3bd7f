#include "hades/settings.h"

namespace hades {

std::string_view setting_type_name(SettingType type) {
  switch (type) {
    case SettingType::kString:
      return "string";
    case SettingType::kInt:
      return "integer";
    case SettingType::kDouble:
      return "number";
    case SettingType::kBool:
      return "boolean";
    case SettingType::kStringList:
      return "list of strings";
    case SettingType::kStringMap:
      return "map of strings";
  }
  return "unknown";
}

namespace {

template <typename T>
std::optional<T> lookup(const std::map<std::string, SettingValue, std::less<>>& values,
                        std::string_view name) {
  const auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  if (const T* v = std::get_if<T>(&it->second)) return *v;
  return std::nullopt;
}

}  // namespace

std::optional<std::string> Settings::get_string(std::string_view name) const {
  return lookup<std::string>(values_, name);
}
std::optional<std::int64_t> Settings::get_int(std::string_view name) const {
  return lookup<std::int64_t>(values_, name);
}
std::optional<double> Settings::get_double(std::string_view name) const {
  return lookup<double>(values_, name);
}
std::optional<bool> Settings::get_bool(std::string_view name) const {
  return lookup<bool>(values_, name);
}
std::vector<std::string> Settings::get_string_list(std::string_view name) const {
  return lookup<std::vector<std::string>>(values_, name).value_or(std::vector<std::string>{});
}
StringMap Settings::get_string_map(std::string_view name) const {
  return lookup<StringMap>(values_, name).value_or(StringMap{});
}
std::string Settings::get_string_or(std::string_view name, std::string_view fallback) const {
  return get_string(name).value_or(std::string(fallback));
}
bool Settings::has(std::string_view name) const { return values_.find(name) != values_.end(); }
void Settings::set(std::string name, SettingValue value) {
  values_.insert_or_assign(std::move(name), std::move(value));
}

}  // namespace hades
