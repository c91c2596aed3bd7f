#include "form.h"

#include <algorithm>

namespace hades::zoho_sim {
namespace {

constexpr std::string_view kCrlf = "\r\n";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

std::string_view trim(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

// The part of a header value before its parameters: `multipart/form-data`, `form-data`.
std::string_view header_main_value(std::string_view header_value) {
  return trim(header_value.substr(0, header_value.find(';')));
}

// One part's header block (up to, not including, the empty line) -> its Content-Disposition
// field name, if it is a form-data part with one.
std::optional<std::string> part_field_name(std::string_view headers) {
  while (!headers.empty()) {
    const auto end = std::min(headers.find(kCrlf), headers.size());
    const std::string_view line = headers.substr(0, end);
    headers.remove_prefix(std::min(end + kCrlf.size(), headers.size()));
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (!iequals(trim(line.substr(0, colon)), "Content-Disposition")) continue;
    const std::string_view value = line.substr(colon + 1);
    if (!iequals(header_main_value(value), "form-data")) return std::nullopt;
    return header_parameter(value, "name");
  }
  return std::nullopt;
}

}  // namespace

std::string percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
        hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += plus_is_space && c == '+' ? ' ' : c;
    }
  }
  return out;
}

void parse_urlencoded(std::string_view text, Params& out) {
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto amp = text.find('&', pos);
    if (amp == std::string_view::npos) amp = text.size();
    const std::string_view item = text.substr(pos, amp - pos);
    if (!item.empty()) {
      const auto eq = item.find('=');
      out[percent_decode(item.substr(0, eq), true)] =
          eq == std::string_view::npos ? "" : percent_decode(item.substr(eq + 1), true);
    }
    pos = amp + 1;
  }
}

std::optional<std::string> header_parameter(std::string_view header_value, std::string_view name) {
  std::size_t pos = header_value.find(';');
  while (pos != std::string_view::npos && pos < header_value.size()) {
    ++pos;  // past the ';'
    const auto eq = header_value.find('=', pos);
    if (eq == std::string_view::npos) return std::nullopt;
    if (const auto semicolon = header_value.find(';', pos); semicolon < eq) {
      pos = semicolon;  // a parameter without a value
      continue;
    }
    const std::string_view key = trim(header_value.substr(pos, eq - pos));
    pos = eq + 1;
    while (pos < header_value.size() && (header_value[pos] == ' ' || header_value[pos] == '\t')) {
      ++pos;
    }
    std::string value;
    if (pos < header_value.size() && header_value[pos] == '"') {
      // A quoted string: `\` escapes the next character; a ';' inside does not end it.
      for (++pos; pos < header_value.size() && header_value[pos] != '"'; ++pos) {
        if (header_value[pos] == '\\' && pos + 1 < header_value.size()) ++pos;
        value += header_value[pos];
      }
      pos = header_value.find(';', pos);
    } else {
      const auto end = header_value.find(';', pos);
      value = std::string(trim(header_value.substr(pos, end - pos)));
      pos = end;
    }
    if (iequals(key, name)) return value;
  }
  return std::nullopt;
}

bool parse_multipart(std::string_view content_type, std::string_view body, Params& out) {
  const auto boundary = header_parameter(content_type, "boundary");
  if (!boundary || boundary->empty()) return false;
  const std::string delimiter = "--" + *boundary;
  const std::string next_delimiter = std::string(kCrlf) + delimiter;
  // The first delimiter may open the body; a preamble before it is ignored.
  std::size_t pos = 0;
  if (body.starts_with(delimiter)) {
    pos = delimiter.size();
  } else {
    pos = body.find(next_delimiter);
    if (pos == std::string_view::npos) return false;
    pos += next_delimiter.size();
  }
  for (;;) {
    if (body.substr(pos).starts_with("--")) return true;  // the close delimiter
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
    if (!body.substr(pos).starts_with(kCrlf)) return false;
    pos += kCrlf.size();
    // The header block ends at the first empty line; a part may have no headers at all.
    std::size_t headers_end = pos;
    if (!body.substr(pos).starts_with(kCrlf)) {
      headers_end = body.find("\r\n\r\n", pos);
      if (headers_end == std::string_view::npos) return false;
      headers_end += kCrlf.size();
    }
    const std::size_t content_start = headers_end + kCrlf.size();
    const std::size_t content_end = body.find(next_delimiter, content_start);
    if (content_end == std::string_view::npos) return false;
    if (const auto name = part_field_name(body.substr(pos, headers_end - pos))) {
      out[*name] = std::string(body.substr(content_start, content_end - content_start));
    }
    pos = content_end + next_delimiter.size();
  }
}

void parse_form_body(const std::string* content_type, std::string_view body, Params& out) {
  if (content_type != nullptr && iequals(header_main_value(*content_type), "multipart/form-data")) {
    parse_multipart(*content_type, body, out);
    return;
  }
  parse_urlencoded(body, out);
}

}  // namespace hades::zoho_sim
