#include "table_sql.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace hades::turso_sink {
namespace {

// Comma-separated quoted identifiers, each optionally prefixed: `"a", "b"`.
std::string identifier_list(const std::vector<std::string>& names, std::string_view prefix = "") {
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out += ", ";
    out += prefix;
    out += quote_identifier(name);
  }
  return out;
}

bool is_blank_text(const Value& value) {
  const std::string* text = std::get_if<std::string>(&value);
  return text != nullptr && text->find_first_not_of(" \t") == std::string::npos;
}

// Whole-valued doubles in int64 range: "42.0" in an integer column means 42.
std::optional<std::int64_t> as_whole_number(const Value& value) {
  if (const std::optional<std::int64_t> exact = as_int(value)) return exact;
  const std::optional<double> real = as_double(value);
  if (real && std::isfinite(*real) && std::trunc(*real) == *real && std::fabs(*real) < 9.2e18) {
    return static_cast<std::int64_t>(*real);
  }
  return std::nullopt;
}

Status not_a(std::string_view column, const Value& value, std::string_view what) {
  constexpr std::size_t kMaxShown = 100;
  std::string shown = to_text(value);
  if (shown.size() > kMaxShown) shown = shown.substr(0, kMaxShown) + "...";
  return Status::rejected("column '" + std::string(column) + "': '" + shown + "' is not " +
                          std::string(what));
}

void append_json_string(std::string_view text, std::string* out) {
  *out += '"';
  for (const char c : text) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
          *out += escaped;
        } else {
          *out += c;
        }
    }
  }
  *out += '"';
}

void append_json_value(const Value& value, std::string* out) {
  if (is_null(value)) {
    *out += "null";
  } else if (std::holds_alternative<std::string>(value)) {
    append_json_string(std::get<std::string>(value), out);
  } else if (const double* d = std::get_if<double>(&value); d != nullptr && !std::isfinite(*d)) {
    append_json_string(to_text(value), out);  // JSON has no NaN or infinity
  } else {
    *out += to_text(value);  // bool, integer, finite double: already JSON
  }
}

}  // namespace

std::optional<ColumnType> parse_column_type(std::string_view name) {
  if (name == "integer") return ColumnType::kInteger;
  if (name == "real") return ColumnType::kReal;
  if (name == "text") return ColumnType::kText;
  return std::nullopt;
}

bool is_identifier(std::string_view name) {
  const auto letter = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
  };
  if (name.empty() || !letter(name.front())) return false;
  for (const char c : name) {
    if (!letter(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (const char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string create_table_sql(const TableSpec& spec) {
  return "CREATE TABLE IF NOT EXISTS " + quote_identifier(spec.table) + " (" +
         identifier_list(spec.columns) + ")";
}

std::string create_key_index_sql(const TableSpec& spec) {
  return "CREATE UNIQUE INDEX IF NOT EXISTS " + quote_identifier(spec.table + "_natural_key") +
         " ON " + quote_identifier(spec.table) + " (" + identifier_list(spec.key) + ")";
}

std::string insert_sql(const TableSpec& spec, std::size_t rows) {
  std::string tuple = "(";
  for (std::size_t i = 0; i < spec.columns.size(); ++i) tuple += i == 0 ? "?" : ", ?";
  tuple += ")";
  std::string sql = "INSERT INTO " + quote_identifier(spec.table) + " (" +
                    identifier_list(spec.columns) + ") VALUES ";
  sql.reserve(sql.size() + rows * (tuple.size() + 2) + 64 * spec.columns.size());
  for (std::size_t r = 0; r < rows; ++r) {
    if (r > 0) sql += ", ";
    sql += tuple;
  }
  if (spec.key.empty()) return sql;

  sql += " ON CONFLICT (" + identifier_list(spec.key) + ") DO ";
  std::string updates;
  for (const std::string& column : spec.columns) {
    if (std::find(spec.key.begin(), spec.key.end(), column) != spec.key.end()) continue;
    if (!updates.empty()) updates += ", ";
    const std::string quoted = quote_identifier(column);
    updates += quoted;
    updates += " = excluded.";
    updates += quoted;
  }
  return sql + (updates.empty() ? "NOTHING" : "UPDATE SET " + updates);
}

std::size_t max_rows_per_statement(const TableSpec& spec) {
  constexpr std::size_t kMaxArguments = 32766;
  return std::max<std::size_t>(1, kMaxArguments / std::max<std::size_t>(1, spec.columns.size()));
}

Result<Value> convert_value(const Value& value, ColumnType type, std::string_view column) {
  if (is_null(value) || type == ColumnType::kAsIs) return value;
  switch (type) {
    case ColumnType::kInteger: {
      if (is_blank_text(value)) return Value();
      const std::optional<std::int64_t> number = as_whole_number(value);
      if (!number) return not_a(column, value, "an integer");
      return Value(*number);
    }
    case ColumnType::kReal: {
      if (is_blank_text(value)) return Value();
      const std::optional<double> number = as_double(value);
      if (!number) return not_a(column, value, "a real number");
      return Value(*number);
    }
    case ColumnType::kText:
      return Value(to_text(value));
    case ColumnType::kAsIs:
      break;
  }
  return value;
}

std::string row_to_json(const Schema& schema, const Row& row) {
  std::string out = "{";
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (i > 0) out += ", ";
    append_json_string(schema.columns()[i], &out);
    out += ": ";
    append_json_value(row[i], &out);
  }
  return out + "}";
}

}  // namespace hades::turso_sink
