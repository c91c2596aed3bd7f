#include "csv_format.h"

#include <cstdio>

namespace hades::vanillasoft_writer {
namespace {

// OWASP's list of characters that start a formula in Excel, LibreOffice and Google Sheets.
bool starts_formula(std::string_view value) {
  if (value.empty()) return false;
  const char c = value.front();
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

bool needs_quotes(std::string_view value) {
  return value.find_first_of(",\"\r\n") != std::string_view::npos;
}

}  // namespace

void append_csv_field(std::string_view value, std::string* out) {
  const bool quoted = needs_quotes(value);
  if (quoted) *out += '"';
  if (starts_formula(value)) *out += '\'';
  if (!quoted) {
    out->append(value);
    return;
  }
  for (const char c : value) {
    if (c == '"') *out += '"';
    *out += c;
  }
  *out += '"';
}

std::string format_phone(std::string_view raw) {
  std::string digits;
  for (const char c : raw) {
    if (c >= '0' && c <= '9') digits += c;
  }
  if (digits.size() == 11 && digits.front() == '1') digits.erase(0, 1);
  if (digits.size() != 10) return std::string(raw);
  std::string out = "(";
  out.append(digits, 0, 3);
  out += ") ";
  out.append(digits, 3, 3);
  out += '-';
  out.append(digits, 6, 4);
  return out;
}

std::string cell_text(const Value& value, CellFormat format) {
  switch (format) {
    case CellFormat::kEmpty:
      return "";
    case CellFormat::kPhone:
      return format_phone(to_text(value));
    case CellFormat::kZip:
      if (const std::int64_t* n = std::get_if<std::int64_t>(&value); n && *n >= 0 && *n < 100000) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "%05lld", static_cast<long long>(*n));
        return buf;
      }
      return to_text(value);
    case CellFormat::kText:
      break;
  }
  return to_text(value);
}

std::string header_line() {
  std::string line;
  for (const Column& column : kColumns) {
    if (!line.empty()) line += ',';
    append_csv_field(column.header, &line);
  }
  return line + "\r\n";
}

}  // namespace hades::vanillasoft_writer
