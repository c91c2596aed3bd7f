#include "hades/json.h"

#include <cstdint>
#include <limits>

#include "hades/redact.h"

namespace hades {

Value json_to_value(const nlohmann::json& json) {
  switch (json.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      return Null{};
    case nlohmann::json::value_t::boolean:
      return json.get<bool>();
    case nlohmann::json::value_t::number_integer:
      return json.get<std::int64_t>();
    case nlohmann::json::value_t::number_unsigned: {
      const auto u = json.get<std::uint64_t>();
      if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return static_cast<std::int64_t>(u);
      }
      return std::to_string(u);
    }
    case nlohmann::json::value_t::number_float:
      return json.get<double>();
    case nlohmann::json::value_t::string:
      return json.get<std::string>();
    default:
      return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
}

Value json_field(const nlohmann::json& object, std::string_view path) {
  const nlohmann::json* at = &object;
  while (true) {
    const std::size_t dot = path.find('.');
    const std::string key(path.substr(0, dot));
    if (!at->is_object()) return Null{};
    const auto found = at->find(key);
    if (found == at->end()) return Null{};
    at = &*found;
    if (dot == std::string_view::npos) return json_to_value(*at);
    path.remove_prefix(dot + 1);
  }
}

Result<nlohmann::json> parse_json_object(std::string_view body, std::string_view what) {
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Status::remote(
        std::string(what) + ": the reply is not a JSON object: " + quote_body(body, {}, 200), true);
  }
  return parsed;
}

}  // namespace hades
