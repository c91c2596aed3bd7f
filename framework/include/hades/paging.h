// hades/paging.h: walking an API's pages with a cursor that resumes exactly.
//
// A source hands out a page's rows over several read() calls and the runner checkpoints
// cursor() after each, so a cursor must say which page and how many of its rows are already
// out. PageWalk keeps both: `page` is the page to fetch ("" for the first; for offset paging the
// offset, for token paging the provider's token, for keyset paging an encoded key), `skip` the
// rows of it already handed out before a restart. After a resume, fetch page() again and drop its
// first skip() rows: exact as long as the provider serves a page the same way twice (true for
// keyset paging; for offset and token paging, as true as the provider makes it).
//
// Cursor text: "page1:<skip>:<page>" while pages remain, "page1:end" once the last row is out.
//
// Thread safety: a value type.

#ifndef HADES_PAGING_H_
#define HADES_PAGING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hades/status.h"

namespace hades {

class PageWalk {
 public:
  // At the first page.
  PageWalk() = default;

  // Where cursor() left it; "" is the first page. kCorruption, naming `who`, for anything
  // cursor() cannot have written.
  static Result<PageWalk> resume(std::string_view cursor, std::string_view who);

  const std::string& page() const { return page_; }
  std::uint64_t skip() const { return skip_; }
  bool done() const { return done_; }

  // `rows` more rows of the current page were handed out.
  void took(std::uint64_t rows) { skip_ += rows; }
  // Every row of the current page is out; `next` is the page after it, nullopt when none.
  void finish_page(std::optional<std::string> next);

  std::string cursor() const;

 private:
  std::string page_;
  std::uint64_t skip_ = 0;
  bool done_ = false;
};

// Offset paging: the page after a page at `offset` that had `rows` rows of at most `limit`;
// nullopt when that page was short (the last one). Pages are named by their offset in decimal.
std::optional<std::string> next_offset_page(std::string_view offset, std::uint64_t rows,
                                            std::uint64_t limit);

// The offset a page name stands for ("" = 0); nullopt when it is not one.
std::optional<std::uint64_t> page_offset(std::string_view page);

// Keyset paging: a key (e.g. {updated_at, id} of the last row) as one page name and back. Any
// text survives; decode_keyset() is nullopt for text encode_keyset() cannot have written.
std::string encode_keyset(const std::vector<std::string>& key);
std::optional<std::vector<std::string>> decode_keyset(std::string_view page);

}  // namespace hades

#endif  // HADES_PAGING_H_
