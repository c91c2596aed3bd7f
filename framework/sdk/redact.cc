#include "hades/redact.h"

#include <algorithm>
#include <cctype>

namespace hades {
namespace {

constexpr std::string_view kStops = " \t\r\n\"'\\,;&}])<>";

bool is_stop(char c) { return kStops.find(c) != std::string_view::npos; }

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
}

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

std::string lower(std::string_view word) {
  std::string out(word);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  return out;
}

// The end of the run of non-stop characters starting at `i`.
std::size_t value_end(std::string_view text, std::size_t i) {
  while (i < text.size() && !is_stop(text[i])) ++i;
  return i;
}

// The end of a JSON Web Token starting at `i` ("eyJ" + two more dot-separated base64url parts),
// or `i` when there is none.
std::size_t jwt_end(std::string_view text, std::size_t i) {
  if (text.substr(i, 3) != "eyJ") return i;
  std::size_t j = i;
  int dots = 0;
  while (j < text.size() && (is_word_char(text[j]) || text[j] == '.')) {
    dots += text[j] == '.' ? 1 : 0;
    ++j;
  }
  return dots >= 2 ? j : i;
}

// The end of a Zoho OAuth token starting at `i` ("1000.<hex>.<hex>", each part at least 16
// digits), or `i` when there is none.
std::size_t zoho_token_end(std::string_view text, std::size_t i) {
  if (text.substr(i, 5) != "1000.") return i;
  std::size_t j = i + 5;
  for (int part = 0; part < 2; ++part) {
    const std::size_t start = j;
    while (j < text.size() && is_hex(text[j])) ++j;
    if (j - start < 16) return i;
    if (part == 0) {
      if (j >= text.size() || text[j] != '.') return i;
      ++j;
    }
  }
  return j;
}

bool is_sensitive_key(const std::string& key) {
  return key == "authorization" || key.ends_with("token") || key.ends_with("secret") ||
         key.ends_with("password");
}

bool is_scheme(const std::string& word) { return word == "bearer" || word == "zoho-oauthtoken"; }

// After a sensitive key ending at `i`: where its value starts, when `:` or `=` follows (quotes,
// backslashes of escaped JSON and blanks allowed around it); npos otherwise.
std::size_t value_start(std::string_view text, std::size_t i) {
  const auto skip = [&](std::string_view chars) {
    while (i < text.size() && chars.find(text[i]) != std::string_view::npos) ++i;
  };
  skip("\"'\\ ");
  if (i >= text.size() || (text[i] != ':' && text[i] != '=')) return std::string_view::npos;
  ++i;
  skip("\"'\\ \t");
  return i;
}

}  // namespace

std::string mask_secrets(std::string_view text, std::span<const std::string> secrets) {
  std::string out(text);
  for (const std::string& secret : secrets) {
    if (secret.size() < 4) continue;
    for (auto pos = out.find(secret); pos != std::string::npos; pos = out.find(secret, pos)) {
      out.replace(pos, secret.size(), kMasked);
      pos += kMasked.size();
    }
  }
  return out;
}

std::string mask_credential_shapes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const bool word_start = is_word_char(text[i]) && (i == 0 || !is_word_char(text[i - 1]));
    if (!word_start) {
      out.push_back(text[i++]);
      continue;
    }
    if (const std::size_t end = std::max(jwt_end(text, i), zoho_token_end(text, i)); end > i) {
      out.append(kMasked);
      i = end;
      continue;
    }
    std::size_t word_end = i;
    while (word_end < text.size() && is_word_char(text[word_end])) ++word_end;
    const std::string word = lower(text.substr(i, word_end - i));
    std::size_t value = std::string_view::npos;
    if (is_scheme(word) && word_end + 1 < text.size() && text[word_end] == ' ' &&
        !is_stop(text[word_end + 1])) {
      value = word_end + 1;
    } else if (is_sensitive_key(word)) {
      value = value_start(text, word_end);
    }
    if (value == std::string_view::npos || value >= text.size() || is_stop(text[value])) {
      out.append(text.substr(i, word_end - i));
      i = word_end;
      continue;
    }
    // `Authorization: Bearer x`: the scheme stays, the credential after it goes.
    std::size_t end = value_end(text, value);
    if (word == "authorization" && end + 1 < text.size() && text[end] == ' ' &&
        is_scheme(lower(text.substr(value, end - value))) && !is_stop(text[end + 1])) {
      end = value_end(text, end + 1);
      out.append(text.substr(i, value - i));
      const std::size_t scheme_end = text.find(' ', value);
      out.append(text.substr(value, scheme_end + 1 - value));
    } else {
      out.append(text.substr(i, value - i));
    }
    out.append(kMasked);
    i = end;
  }
  return out;
}

std::string printable(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\r' || c == '\n' || c == '\t') {
      out.append(c == '\r' ? "\\r" : c == '\n' ? "\\n" : "\\t");
      ++i;
      continue;
    }
    std::size_t length = 1;
    bool valid = c >= 0x20 && c != 0x7f;
    if (c >= 0x80) {
      length = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
      valid = length > 0 && i + length <= text.size();
      for (std::size_t k = 1; valid && k < length; ++k) {
        valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
      }
      // Overlong forms and surrogates are not text a terminal should interpret either.
      if (valid && length == 3) {
        const auto next = static_cast<unsigned char>(text[i + 1]);
        valid = !(c == 0xE0 && next < 0xA0) && !(c == 0xED && next >= 0xA0);
      }
      if (valid && length == 4) {
        const auto next = static_cast<unsigned char>(text[i + 1]);
        valid = !(c == 0xF0 && next < 0x90) && !(c == 0xF4 && next >= 0x90);
      }
      if (!valid) length = 1;
    }
    if (valid) {
      out.append(text.substr(i, length));
    } else {
      out.append("\\x").push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
    i += length;
  }
  return out;
}

std::string quote_body(std::string_view body, std::span<const std::string> secrets,
                       std::size_t max_bytes) {
  if (body.empty()) return "(empty)";
  // Mask within a window a little longer than what is shown, so that a secret that starts in
  // the shown part is masked whole before the cut.
  std::size_t longest = 0;
  for (const std::string& secret : secrets) longest = std::max(longest, secret.size());
  const std::string_view window = body.substr(0, max_bytes + longest + 1);
  std::string masked = mask_credential_shapes(mask_secrets(window, secrets));
  const bool cut = masked.size() > max_bytes || window.size() < body.size();
  if (masked.size() > max_bytes) masked.resize(max_bytes);
  std::string out = printable(masked);
  if (cut) out += "... (" + std::to_string(body.size()) + " bytes)";
  return out;
}

}  // namespace hades
