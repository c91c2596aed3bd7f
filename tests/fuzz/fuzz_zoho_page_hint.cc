// What zoho_source reads from a Zoho page without a JSON parser (the page scanner that lets the
// next request leave early), and the other small parsers of text from Zoho or the checkpoint:
// positions, instants, ids, values.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "zoho_query.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const char* const kFields[] = {"Modified_Time", "Created_Time", "id", "data", ""};
  const std::string_view field = kFields[data[0] % 5];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  using namespace hades::zoho_source;
  (void)scan_page_hint(text, field);
  (void)decode_position(text);
  (void)decode_cursor(text);
  if (const auto instant = parse_instant(text)) {
    (void)shift_instant(text, -1);
    (void)format_instant(*instant);
  }
  (void)compare_ids(text.substr(0, text.size() / 2), text.substr(text.size() / 2));
  (void)coql_quote(text);
  (void)url_encode(text);
  const nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
  if (!parsed.is_discarded()) {
    (void)to_value(parsed, false);
    (void)to_value(parsed, true);
  }
  return 0;
}
