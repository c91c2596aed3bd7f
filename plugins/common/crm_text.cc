#include "common/crm_text.h"

#include <algorithm>
#include <array>
#include <vector>

#include "common/iso_time.h"

namespace hades::plugin_common {
namespace {

constexpr std::array<std::string_view, 7> kLegalSuffixes = {"inc", "llc",         "corp",   "co",
                                                            "ltd", "corporation", "company"};

bool is_legal_suffix(std::string_view word) {
  for (std::string_view suffix : kLegalSuffixes) {
    if (word == suffix) return true;
  }
  return false;
}

bool is_ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

std::string normalize_company_name(std::string_view name) {
  std::vector<std::string> words;
  std::string word;
  for (const char c : name) {
    const bool part_of_word = is_ascii_alnum(c) || static_cast<unsigned char>(c) >= 0x80;
    if (part_of_word) {
      word += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  while (words.size() > 1 && is_legal_suffix(words.back())) words.pop_back();
  std::string out;
  for (const std::string& w : words) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

std::optional<std::string> to_utc_timestamp(std::string_view text) {
  const std::optional<OffsetTime> time = parse_offset_time(text);
  if (!time) return std::nullopt;
  return format_offset_time(time->epoch_seconds, 0, "Z");
}

}  // namespace hades::plugin_common
