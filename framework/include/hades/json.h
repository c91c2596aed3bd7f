// hades/json.h: JSON replies to Values (hades/value.h). Uses nlohmann::json, which the installed
// package requires (find_package(Hades) finds it).
//
// Thread safety: pure functions.

#ifndef HADES_JSON_H_
#define HADES_JSON_H_

#include <nlohmann/json.hpp>
#include <string_view>

#include "hades/status.h"
#include "hades/value.h"

namespace hades {

// null -> Null, true/false -> bool, an integer that fits -> int64, any other number -> double
// (an unsigned integer above INT64_MAX is written out as text instead, so no digit is lost),
// a string -> text, an array or object -> its compact JSON text.
Value json_to_value(const nlohmann::json& json);

// The value at `path` inside `object`: keys separated by dots ("properties.email"); Null when
// any step is missing or not an object.
Value json_field(const nlohmann::json& object, std::string_view path);

// `body` parsed, which must be a JSON object: kRemote (retryable, a reply cut short on the way
// is worth another run) naming `what` otherwise, quoting at most the body's start.
Result<nlohmann::json> parse_json_object(std::string_view body, std::string_view what);

}  // namespace hades

#endif  // HADES_JSON_H_
