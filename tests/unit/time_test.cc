// The SDK's one text form of instants (hades/time.h): formatting and strict parsing.

#include "hades/time.h"

#include <boost/test/unit_test.hpp>

namespace hades {
namespace {

BOOST_AUTO_TEST_SUITE(time_text)

BOOST_AUTO_TEST_CASE(formats_utc_with_whole_seconds) {
  const Timestamp epoch{};
  BOOST_TEST(format_utc(epoch) == "1970-01-01T00:00:00Z");
  const Timestamp t = epoch + std::chrono::seconds(1770789600) + std::chrono::milliseconds(999);
  BOOST_TEST(format_utc(t) == "2026-02-11T06:00:00Z");  // the fraction is dropped
  BOOST_TEST(format_utc(epoch + std::chrono::seconds(951782400)) == "2000-02-29T00:00:00Z");
}

BOOST_AUTO_TEST_CASE(parses_back_what_it_formats) {
  for (const char* text :
       {"2026-02-11T06:00:00Z", "2000-02-29T23:59:59Z", "1970-01-01T00:00:00Z"}) {
    const std::optional<Timestamp> t = parse_utc(text);
    BOOST_REQUIRE_MESSAGE(t.has_value(), text);
    BOOST_TEST(format_utc(*t) == text);
  }
}

BOOST_AUTO_TEST_CASE(refuses_anything_else) {
  for (const char* text : {"", "2026-02-11", "2026-02-11T06:00:00", "2026-02-11T06:00:00+00:00",
                           "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-02-11T24:00:00Z",
                           "2026-02-11T06:60:00Z", "2026-02-11 06:00:00Z", "2026-02-11T06:00:00.5Z",
                           "x026-02-11T06:00:00Z", "2026-02-11T06:00:00Z "}) {
    BOOST_TEST(!parse_utc(text).has_value(), "'" << text << "'");
  }
}

BOOST_AUTO_TEST_CASE(dates_are_strict_and_real) {
  BOOST_TEST(parse_date("2026-02-11").has_value());
  BOOST_TEST(parse_date("2024-02-29").has_value());
  for (const char* text : {"2026-02-30", "2025-02-29", "2026-2-11", "2026-02-11T00:00:00Z",
                           " 2026-02-11", "20260211", "2026/02/11", ""}) {
    BOOST_TEST(!parse_date(text).has_value(), "'" << text << "'");
  }
  BOOST_TEST(format_utc(Timestamp{*parse_date("2026-02-11")}) == "2026-02-11T00:00:00Z");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades
