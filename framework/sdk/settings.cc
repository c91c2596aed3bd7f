#include "hades/settings.h"

namespace hades {

std::string_view SettingTypeName(SettingType type) {
  switch (type) {
    case SettingType::kString: return "string";
    case SettingType::kInt: return "integer";
    case SettingType::kDouble: return "number";
    case SettingType::kBool: return "boolean";
    case SettingType::kStringList: return "list of strings";
    case SettingType::kStringMap: return "map of strings";
  }
  return "unknown";
}

namespace {

template <typename T>
std::optional<T> Lookup(const std::map<std::string, SettingValue, std::less<>>& values,
                        std::string_view name) {
  const auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  if (const T* v = std::get_if<T>(&it->second)) return *v;
  return std::nullopt;
}

}  // namespace

std::optional<std::string> Settings::GetString(std::string_view name) const {
  return Lookup<std::string>(values_, name);
}
std::optional<std::int64_t> Settings::GetInt(std::string_view name) const {
  return Lookup<std::int64_t>(values_, name);
}
std::optional<double> Settings::GetDouble(std::string_view name) const {
  return Lookup<double>(values_, name);
}
std::optional<bool> Settings::GetBool(std::string_view name) const {
  return Lookup<bool>(values_, name);
}
std::vector<std::string> Settings::GetStringList(std::string_view name) const {
  return Lookup<std::vector<std::string>>(values_, name).value_or(std::vector<std::string>{});
}
StringMap Settings::GetStringMap(std::string_view name) const {
  return Lookup<StringMap>(values_, name).value_or(StringMap{});
}
std::string Settings::GetStringOr(std::string_view name, std::string_view fallback) const {
  return GetString(name).value_or(std::string(fallback));
}
bool Settings::Has(std::string_view name) const { return values_.find(name) != values_.end(); }
void Settings::Set(std::string name, SettingValue value) {
  values_.insert_or_assign(std::move(name), std::move(value));
}

}  // namespace hades
