#include "hades/paging.h"

#include <charconv>

#include "hades/redact.h"

namespace hades {

namespace {

constexpr std::string_view kPrefix = "page1:";
constexpr std::string_view kEnd = "page1:end";

std::optional<std::uint64_t> parse_count(std::string_view text) {
  std::uint64_t value = 0;
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

Result<PageWalk> PageWalk::resume(std::string_view cursor, std::string_view who) {
  PageWalk walk;
  if (cursor.empty()) return walk;
  if (cursor == kEnd) {
    walk.done_ = true;
    return walk;
  }
  const std::size_t colon = cursor.find(':', kPrefix.size());
  const std::optional<std::uint64_t> skip =
      cursor.starts_with(kPrefix) && colon != std::string_view::npos
          ? parse_count(cursor.substr(kPrefix.size(), colon - kPrefix.size()))
          : std::nullopt;
  if (!skip) {
    return Status::corruption(std::string(who) + ": cursor '" + quote_body(cursor, {}, 200) +
                              "' is not one this source writes (page1:<rows>:<page>)");
  }
  walk.skip_ = *skip;
  walk.page_ = std::string(cursor.substr(colon + 1));
  return walk;
}

void PageWalk::finish_page(std::optional<std::string> next) {
  skip_ = 0;
  if (next) {
    page_ = std::move(*next);
  } else {
    page_.clear();
    done_ = true;
  }
}

std::string PageWalk::cursor() const {
  if (done_) return std::string(kEnd);
  return std::string(kPrefix) + std::to_string(skip_) + ":" + page_;
}

std::optional<std::uint64_t> page_offset(std::string_view page) {
  if (page.empty()) return 0;
  return parse_count(page);
}

std::optional<std::string> next_offset_page(std::string_view offset, std::uint64_t rows,
                                            std::uint64_t limit) {
  const std::optional<std::uint64_t> at = page_offset(offset);
  if (!at || rows == 0 || rows < limit) return std::nullopt;
  return std::to_string(*at + rows);
}

// Each part as <length>:<bytes>, so that no character needs escaping.
std::string encode_keyset(const std::vector<std::string>& key) {
  std::string out;
  for (const std::string& part : key) out += std::to_string(part.size()) + ":" + part;
  return out;
}

std::optional<std::vector<std::string>> decode_keyset(std::string_view page) {
  std::vector<std::string> key;
  while (!page.empty()) {
    const std::size_t colon = page.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const std::optional<std::uint64_t> size = colon == 1 && page[0] == '0'
                                                  ? std::optional<std::uint64_t>(0)
                                                  : parse_count(page.substr(0, colon));
    if (!size || *size > page.size() - colon - 1) return std::nullopt;
    key.emplace_back(page.substr(colon + 1, *size));
    page.remove_prefix(colon + 1 + *size);
  }
  return key;
}

}  // namespace hades
