// hades/value.h: the one scalar type records are made of.
//
// A Value is a closed variant: null, bool, 64-bit integer, double or UTF-8 string. Nothing else
// crosses between plugins, so every sink knows every type it can be handed.
//
// Thread safety: a value type.

#ifndef HADES_VALUE_H_
#define HADES_VALUE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace hades {

using Null = std::monostate;
using Value = std::variant<Null, bool, std::int64_t, double, std::string>;

inline bool is_null(const Value& v) { return std::holds_alternative<Null>(v); }

// "null", "bool", "integer", "float" or "text".
std::string_view type_name(const Value& v);

// The value as text: "" for null, "true"/"false", decimal integers, shortest round-trip doubles.
std::string to_text(const Value& v);

// Reads integer/float/bool values, and text that spells one exactly (surrounding blanks allowed).
// Returns nullopt for null and for anything else.
std::optional<std::int64_t> as_int(const Value& v);
std::optional<double> as_double(const Value& v);

}  // namespace hades

#endif  // HADES_VALUE_H_
