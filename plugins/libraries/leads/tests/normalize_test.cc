// Tests of leads/normalize.h: every messy form of the lead fields (docs/export.md, "The CSV").
#define BOOST_TEST_MODULE leads_test

#include "leads/normalize.h"

#include <boost/test/unit_test.hpp>
#include <optional>
#include <string>
#include <vector>

#include "test_support.h"

namespace hades::domain {
namespace {

using OptText = std::optional<std::string>;
using OptInt = std::optional<std::int64_t>;

struct TextCase {
  const char* raw;
  OptText expected;
};

BOOST_AUTO_TEST_SUITE(normalize)

BOOST_AUTO_TEST_CASE(sic_codes) {
  const std::vector<TextCase> cases = {
      {"8062", "8062"},        {" 8062", "8062"},       {"8062 ", "8062"},
      {"8062-01", "8062"},     {"8062.01", "8062"},     {"8062 Hospitals", "8062"},
      {"8062/01", "8062"},     {"80620100", "8062"},    {"806201", "8062"},
      {"742", "0742"},         {"100", "0100"},         {"7", "0007"},
      {"", std::nullopt},      {"   ", std::nullopt},   {"abc", std::nullopt},
      {"80621", std::nullopt}, {"8062x", std::nullopt}, {"806-01", std::nullopt},
  };
  for (const TextCase& c : cases) {
    BOOST_TEST((normalize_sic(c.raw) == c.expected), "'" << c.raw << "'");
  }
}

BOOST_AUTO_TEST_CASE(zip_codes) {
  const std::vector<TextCase> cases = {
      {"02134", "02134"},         {"2134", "02134"},
      {" 2134 ", "02134"},        {"02134-1234", "02134"},
      {"2134-1234", "02134"},     {"02134 1234", "02134"},
      {"021341234", "02134"},     {"21341234", "02134"},
      {"2134.0", "02134"},        {"501", "00501"},
      {"90210", "90210"},         {"", std::nullopt},
      {"ABCDE", std::nullopt},    {"1234567890", std::nullopt},
      {"02134-12", std::nullopt}, {"02134-", std::nullopt},
      {"2134.5", std::nullopt},
  };
  for (const TextCase& c : cases) {
    BOOST_TEST((normalize_zip(c.raw) == c.expected), "'" << c.raw << "'");
  }
}

BOOST_AUTO_TEST_CASE(states) {
  const std::vector<TextCase> cases = {
      {"MA", "MA"},
      {"ma", "MA"},
      {" Ma ", "MA"},
      {"Massachusetts", "MA"},
      {"MASSACHUSETTS", "MA"},
      {" new  york ", "NY"},
      {"New York", "NY"},
      {"D.C.", "DC"},
      {"District of Columbia", "DC"},
      {"Puerto Rico", "PR"},
      {"west virginia", "WV"},
      {"", std::nullopt},
      {"XX", std::nullopt},
      {"Mass", std::nullopt},
      {"Qu\xC3\xA9"
       "bec",
       std::nullopt},
  };
  for (const TextCase& c : cases) {
    BOOST_TEST((normalize_state(c.raw) == c.expected), "'" << c.raw << "'");
  }
}

BOOST_AUTO_TEST_CASE(employee_counts) {
  const std::vector<std::pair<const char*, OptInt>> cases = {
      {"1200", 1200},
      {"1,200", 1200},
      {" 1,200 ", 1200},
      {"1200.0", 1200},
      {"50 to 99", 74},
      {"50-99", 74},
      {"50 - 99", 74},
      {"50 TO 99", 74},
      {"50\xE2\x80\x93"
       "99",
       74},
      {"1,000 to 4,999", 2999},
      {"100-100", 100},
      {"10,000+", 10000},
      {"0", 0},
      {"", std::nullopt},
      {"  ", std::nullopt},
  };
  for (const auto& [raw, expected] : cases) {
    const Result<OptInt> got = parse_employee_count(raw);
    BOOST_TEST_REQUIRE(got.ok(), "'" << raw << "': " << got.status());
    BOOST_TEST((*got == expected), "'" << raw << "'");
  }
}

BOOST_AUTO_TEST_CASE(garbage_employee_counts_are_rejected_with_the_value) {
  for (const char* raw : {"lots", "-5", "99 to 50", "1200,", "12.5", "50 to", "50 to 99 staff",
                          "to 99", "1,2x", "9999999999999999"}) {
    const Result<OptInt> got = parse_employee_count(raw);
    BOOST_TEST((got.status().code() == StatusCode::kRejected), "'" << raw << "'");
  }
  BOOST_TEST(parse_employee_count("lots").status().message() == "'lots' is not an employee count");
  BOOST_TEST(parse_employee_count("99 to 50").status().message() ==
             "'99 to 50' is a range whose end is below its start");
}

BOOST_AUTO_TEST_CASE(numbers) {
  BOOST_TEST((*parse_number("4.2") == std::optional<double>(4.2)));
  BOOST_TEST((*parse_number(" 7.50 ") == std::optional<double>(7.5)));
  BOOST_TEST((*parse_number("12") == std::optional<double>(12.0)));
  BOOST_TEST(!parse_number("").value().has_value());
  for (const char* raw : {"abc", "4.2mi", "inf", "nan", "+4", "4,2", "1e999"}) {
    BOOST_TEST((parse_number(raw).status().code() == StatusCode::kRejected), raw);
  }
  BOOST_TEST(parse_number("abc").status().message() == "'abc' is not a number");
}

BOOST_AUTO_TEST_CASE(long_garbage_is_cut_in_messages_on_a_character_boundary) {
  const std::string raw = std::string(39, 'x') + "\xC3\xA9" + std::string(20, 'y');
  BOOST_TEST(parse_number(raw).status().message() ==
             "'" + std::string(39, 'x') + "...' is not a number");
}

BOOST_AUTO_TEST_CASE(dates) {
  const auto days = [](const char* raw) { return parse_date(raw).value().value(); };
  BOOST_TEST(days("1970-01-01") == 0);
  BOOST_TEST(days("1970-01-02") == 1);
  BOOST_TEST(days("2026-02-11") - days("2026-02-09") == 2);
  BOOST_TEST(days("2024-03-01") - days("2024-02-28") == 2);  // a leap year
  BOOST_TEST(days("2026-02-09T10:00:00Z") == days("2026-02-09"));
  BOOST_TEST(days(" 2026-02-09 10:00:00") == days("2026-02-09"));
  BOOST_TEST(!parse_date("").value().has_value());
  for (const char* raw : {"2026-02-30", "2026-13-01", "2026/02/09", "yesterday", "2026-2-9",
                          "2026-02-09x", "02/09/2026"}) {
    BOOST_TEST((parse_date(raw).status().code() == StatusCode::kRejected), raw);
  }
  BOOST_TEST(parse_date("2026-02-30").status().message() ==
             "'2026-02-30' is not a YYYY-MM-DD date");
}

BOOST_AUTO_TEST_CASE(phone_numbers) {
  BOOST_TEST(phone_digits("(617) 555-0100") == "6175550100");
  BOOST_TEST(phone_digits("+1 617.555.0100 x12") == "16175550100");
  BOOST_TEST(phone_digits("617-555-0100 ext. 4") == "6175550100");
  BOOST_TEST(phone_digits("617 555 0100 #9") == "6175550100");
  BOOST_TEST(phone_digits("") == "");
}

BOOST_AUTO_TEST_CASE(text_helpers) {
  BOOST_TEST(trim(" \t a b \r\n") == "a b");
  BOOST_TEST(is_blank(" \t"));
  BOOST_TEST(!is_blank(" x"));
  BOOST_TEST(ascii_lower("Food SERVICE \xC3\x89") == "food service \xC3\x89");
  BOOST_TEST(iequals("Director", "dIRECTOR"));
  BOOST_TEST(!iequals("Director", "Directors"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::domain
