#include "crm_text/crm_text.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

#include "hades/time.h"

namespace hades::domain {
namespace {

constexpr std::array<std::string_view, 14> kLegalSuffixes = {
    "inc", "incorporated", "llc", "corp", "corporation", "co",   "company",
    "ltd", "limited",      "lp",  "llp",  "plc",         "pllc", "gmbh"};

bool is_legal_suffix(std::string_view word) {
  return std::find(kLegalSuffixes.begin(), kLegalSuffixes.end(), word) != kLegalSuffixes.end();
}

// NFKC of the case-folded text; invalid UTF-8 becomes U+FFFD first (a separator later).
std::string fold(std::string_view text) {
  std::string valid;
  valid.reserve(text.size());
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  for (utf8proc_ssize_t i = 0, n = static_cast<utf8proc_ssize_t>(text.size()); i < n;) {
    utf8proc_int32_t cp = 0;
    const utf8proc_ssize_t len = utf8proc_iterate(bytes + i, n - i, &cp);
    if (len <= 0) {
      valid += "\xEF\xBF\xBD";
      ++i;
    } else {
      valid.append(text.data() + i, static_cast<std::size_t>(len));
      i += len;
    }
  }
  utf8proc_uint8_t* folded = nullptr;
  const utf8proc_ssize_t size =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(valid.data()),
                   static_cast<utf8proc_ssize_t>(valid.size()), &folded,
                   static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                                  UTF8PROC_COMPAT | UTF8PROC_CASEFOLD));
  // utf8proc hands back malloc'ed memory; it fails only on invalid input (excluded above) or
  // when it cannot allocate.
  const std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(folded, &std::free);
  if (size < 0) throw std::bad_alloc();
  return std::string(reinterpret_cast<const char*>(folded), static_cast<std::size_t>(size));
}

bool is_deleted(utf8proc_int32_t cp) { return cp == '.' || cp == '\'' || cp == 0x2019; }

bool is_word_character(utf8proc_int32_t cp) {
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string company_key(std::string_view name) {
  const std::string folded = fold(name);
  std::vector<std::string> words(1);
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(folded.data());
  for (utf8proc_ssize_t i = 0, n = static_cast<utf8proc_ssize_t>(folded.size()); i < n;) {
    utf8proc_int32_t cp = 0;
    const utf8proc_ssize_t len = utf8proc_iterate(bytes + i, n - i, &cp);  // valid: utf8proc's
    if (is_word_character(cp)) {
      words.back().append(folded.data() + i, static_cast<std::size_t>(len));
    } else if (!is_deleted(cp) && !words.back().empty()) {
      words.emplace_back();
    }
    i += len;
  }
  if (words.back().empty()) words.pop_back();
  while (words.size() > 1 && is_legal_suffix(words.back())) words.pop_back();
  std::string key;
  for (const std::string& word : words) {
    if (!key.empty()) key += ' ';
    key += word;
  }
  return key;
}

std::optional<std::string> to_utc_timestamp(std::string_view text) {
  const std::optional<OffsetTime> time = parse_offset_time(text);
  if (!time) return std::nullopt;
  return format_offset_time(time->epoch_seconds, 0, "Z");
}

}  // namespace hades::domain
