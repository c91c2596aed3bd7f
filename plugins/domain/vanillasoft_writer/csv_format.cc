#include "csv_format.h"

#include <cstdio>
#include <optional>

namespace hades::vanillasoft_writer {
namespace {

// OWASP's list of characters that start a formula in Excel, LibreOffice and Google Sheets.
bool starts_formula(std::string_view value) {
  if (value.empty()) return false;
  const char c = value.front();
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

bool needs_quotes(std::string_view value) {
  for (const char c : value) {
    if (c == ',' || c == '"' || c == '\r' || c == '\n') return true;
  }
  return false;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// A plain phone number: its number part and its extension's digits ("" without one).
struct PhoneParts {
  std::string_view number;
  std::string_view extension;
};

// Splits `x123`, `x 123`, `ext 123`, `ext. 123`, `extension 123` or `#123` off the end.
PhoneParts split_extension(std::string_view text) {
  std::size_t start = text.size();
  while (start > 0 && is_digit(text[start - 1])) --start;
  if (start == text.size()) return {text, ""};
  const std::string_view digits = text.substr(start);
  std::string_view rest = text.substr(0, start);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  for (const std::string_view marker : {"extension", "ext.", "ext", "x", "#"}) {
    if (rest.size() < marker.size() || !iequals(rest.substr(rest.size() - marker.size()), marker)) {
      continue;
    }
    const std::string_view number = trim_spaces(rest.substr(0, rest.size() - marker.size()));
    // "x" glued to a letter ("Box5") is not an extension marker.
    if (!number.empty() && !is_digit(number.back()) && number.back() != ')') continue;
    return {number, digits};
  }
  return {text, ""};
}

// The parts of `raw` when it is a plain phone number: digits, spaces and `+ - ( ) .` (a `+` only
// first), at least one digit, optionally an extension; nullopt for anything else.
std::optional<PhoneParts> plain_phone(std::string_view raw) {
  const PhoneParts parts = split_extension(trim_spaces(raw));
  if (parts.number.empty()) return std::nullopt;
  bool has_digit = false;
  for (std::size_t i = 0; i < parts.number.size(); ++i) {
    const char c = parts.number[i];
    has_digit = has_digit || is_digit(c);
    const bool allowed = is_digit(c) || c == ' ' || c == '-' || c == '(' || c == ')' || c == '.' ||
                         (c == '+' && i == 0);
    if (!allowed) return std::nullopt;
  }
  if (!has_digit) return std::nullopt;
  return parts;
}

}  // namespace

bool is_plain_phone(std::string_view text) { return plain_phone(text).has_value(); }

void append_csv_field(std::string_view value, std::string* out, bool neutralise) {
  const bool quoted = needs_quotes(value);
  if (quoted) *out += '"';
  if (neutralise && starts_formula(value)) *out += '\'';
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
  const std::optional<PhoneParts> parts = plain_phone(raw);
  if (!parts) return std::string(raw);
  std::string digits;
  for (const char c : parts->number) {
    if (is_digit(c)) digits += c;
  }
  const bool international = parts->number.front() == '+';
  const bool country_code_1 = digits.size() == 11 && digits.front() == '1';
  if (country_code_1) digits.erase(0, 1);
  // +64 ... is another country's number: formatting its digits as a US one dials a stranger.
  if (digits.size() != 10 || (international && !country_code_1)) return std::string(raw);
  std::string out = "(";
  out.append(digits, 0, 3);
  out += ") ";
  out.append(digits, 3, 3);
  out += '-';
  out.append(digits, 6, 4);
  if (!parts->extension.empty()) {
    out += " x";
    out += parts->extension;
  }
  return out;
}

std::string_view cell_view(const Value& value, CellFormat format, std::string* scratch) {
  if (format == CellFormat::kText || format == CellFormat::kZip) {
    // Text as it is needs no copy; everything else is formatted into `scratch`.
    if (const std::string* text = std::get_if<std::string>(&value)) return *text;
  }
  *scratch = cell_text(value, format);
  return *scratch;
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
