// The pure parts of zoho_source: cursor, COQL text, date-times, values, settings.
#include "zoho_query.h"

#include <boost/test/unit_test.hpp>
#include <span>

#include "test_support.h"
#include "zoho_source.h"

namespace hades::zoho_source {
namespace {

using nlohmann::json;

BOOST_AUTO_TEST_SUITE(zoho_query)

BOOST_AUTO_TEST_CASE(cursor_round_trips_and_refuses_what_it_did_not_write) {
  const ZohoCursor c{"2026-02-11T09:30:00-05:00", "4150868000000100021"};
  auto back = decode_cursor(encode_cursor(c));
  BOOST_TEST_REQUIRE(back.ok());
  BOOST_TEST((back->value() == c));
  BOOST_TEST(encode_cursor(std::nullopt).empty());
  BOOST_TEST(!decode_cursor("").value().has_value());
  for (const char* bad : {"x", "{}", "[1]", R"({"v":1,"modified":"yesterday","id":"1"})",
                          R"({"v":1,"modified":"2026-02-11T09:30:00Z","id":"1 or 1=1"})",
                          R"({"v":2,"modified":"2026-02-11T09:30:00Z","id":"1"})",
                          // Found by fuzz_zoho_page_hint: json::value() threw on a string "v".
                          R"({"v":"r"})", R"({"v":1.5,"walk":"id"})", R"({"v":null})"}) {
    BOOST_TEST(decode_cursor(bad).status().code() == StatusCode::kCorruption, bad);
  }
}

BOOST_AUTO_TEST_CASE(instants_compare_across_offsets_and_shift_in_their_own_offset) {
  BOOST_TEST(parse_instant("2026-02-11T09:30:00-05:00").value_or(0) ==
             parse_instant("2026-02-11T14:30:00Z").value_or(1));
  BOOST_TEST(parse_instant("2026-02-11T14:30:00.250+00:00").value_or(0) == 1770820200);
  BOOST_TEST(!parse_instant("2026-02-11").has_value());
  BOOST_TEST(!parse_instant("2026-02-11T09:30:00").has_value());
  BOOST_TEST(shift_instant("2026-03-01T00:00:00-05:00", -1) == "2026-02-28T23:59:59-05:00");
  BOOST_TEST(shift_instant("2025-01-01T00:00:00Z", -1) == "2024-12-31T23:59:59Z");
  BOOST_TEST(compare_ids("999", "1000") < 0);
  BOOST_TEST(compare_ids("4150868000000100021", "4150868000000100021") == 0);
  BOOST_TEST(compare_cursors({"2026-02-11T09:30:00-05:00", "2"}, {"2026-02-11T14:30:00Z", "10"}) <
             0);
}

BOOST_AUTO_TEST_CASE(coql_escapes_every_interpolated_value) {
  BOOST_TEST(coql_quote("O'Brien") == R"('O\'Brien')");
  BOOST_TEST(coql_quote(R"(a\')") == R"('a\\\'')");
  CoqlPage page{"Leads",
                {"Company", "Modified_Time"},
                "Lead_Source = 'VanillaSoft'",
                "both",
                "Modified_Time",
                ZohoCursor{"2026-02-11T09:30:00-05:00", "41"},
                2000,
                false,
                ""};
  BOOST_TEST(build_coql(page) ==
             "select Company, Modified_Time from Leads where (((Lead_Source = 'VanillaSoft') and "
             "(Converted__s = true or Converted__s = false)) and ((Modified_Time > "
             "'2026-02-11T09:30:00-05:00') or ((Modified_Time = '2026-02-11T09:30:00-05:00') and "
             "(id > '41')))) order by Modified_Time asc, id asc limit 2000");
  page.criteria.clear();
  page.converted = "false";
  page.after.reset();
  BOOST_TEST(build_coql(page) ==
             "select Company, Modified_Time from Leads where (id is not null) order by "
             "Modified_Time asc, id asc limit 2000");
  // An id walk: the id condition at the top level of the AND chain, ordered by id.
  page.criteria = "Lead_Source = 'VanillaSoft'";
  page.by_id = true;
  page.after_id = "4150868000000100021";
  BOOST_TEST(build_coql(page) ==
             "select Company, Modified_Time from Leads where ((Lead_Source = 'VanillaSoft') and "
             "(id > '4150868000000100021')) order by id asc limit 2000");
  page.after_id.clear();
  BOOST_TEST(build_coql(page) ==
             "select Company, Modified_Time from Leads where (Lead_Source = 'VanillaSoft') order "
             "by id asc limit 2000");
}

BOOST_AUTO_TEST_CASE(id_walk_positions_round_trip_and_end_in_a_safe_watermark) {
  const IdWalk walk{"41", 1770820200, ZohoCursor{"2026-02-11T08:00:00-05:00", "7"}};
  auto back = decode_position(encode_position(Position{std::nullopt, walk}));
  BOOST_TEST_REQUIRE(back.ok(), back.status().message());
  BOOST_TEST((back->walk == walk));
  BOOST_TEST(!back->after.has_value());
  BOOST_TEST(decode_cursor(encode_position(Position{std::nullopt, walk})).status().code() ==
             StatusCode::kCorruption);
  BOOST_TEST(
      decode_position(R"({"v":1,"walk":"id","after_id":"x1","started":5})").status().code() ==
      StatusCode::kCorruption);
  // Seen values older than the walk's start (minus the clock margin) are the watermark as is.
  BOOST_TEST((walk_watermark(walk) == walk.high));
  // Values newer than that are capped: what changed while the walk ran is read again next time.
  const IdWalk recent{"41", 1770820200, ZohoCursor{"2026-02-11T14:00:00Z", "7"}};
  BOOST_TEST((walk_watermark(recent) == ZohoCursor{format_instant(1770820200 - 3600), "0"}));
  BOOST_TEST(format_instant(1770820200) == "2026-02-11T14:30:00Z");
  BOOST_TEST(!walk_watermark(IdWalk{}).has_value());
}

BOOST_AUTO_TEST_CASE(page_hint_is_the_last_records_id_and_cursor_when_more_follow) {
  // A lookup's own id after the record's, braces, quotes and escapes inside values, blanks
  // between tokens: the hint is still the last record's.
  const std::string page = R"({"data": [
      {"id": "11", "Modified_Time": "2026-02-11T09:30:00-05:00", "Company": "A"},
      {"Company": "B \"}]{[\\", "id": "12", "Notes": "\"id\": \"99\"",
       "Modified_Time": "2026-02-11T09:31:00-05:00",
       "Owner": {"name": "Ann", "id": "777"}, "Tags": [{"id": "888"}]}
    ],
    "info": {"count": 2, "more_records": true}})";
  const auto hint = scan_page_hint(page, "Modified_Time");
  BOOST_TEST_REQUIRE(hint.has_value());
  BOOST_TEST(hint->last_id == "12");
  BOOST_TEST(hint->last_cursor == "2026-02-11T09:31:00-05:00");
  // The parsed page agrees, which is what makes the hint usable.
  const json parsed = json::parse(page);
  BOOST_TEST(parsed["data"].back()["id"].get<std::string>() == hint->last_id);
  // A number id reads as its digits; a record without the cursor field gives "".
  const auto numeric = scan_page_hint(
      R"({"data":[{"id":4150868000000100021}],"info":{"more_records":true}})", "Modified_Time");
  BOOST_TEST_REQUIRE(numeric.has_value());
  BOOST_TEST(numeric->last_id == "4150868000000100021");
  BOOST_TEST(numeric->last_cursor.empty());
  // No hint: the last page, no records, an escaped id, a cut-off reply, not JSON.
  for (const char* none : {R"({"data":[{"id":"1"}],"info":{"more_records":false}})",
                           R"({"data":[{"id":"1"}],"info":{"more_records":"true"}})",
                           R"({"data":[],"info":{"more_records":true}})",
                           R"({"data":[{"id":"1\u0032"}],"info":{"more_records":true}})",
                           R"({"data":[{"id":"1"}],"info":{"more_records":true}, "x": "cut)",
                           "<html>502</html>", ""}) {
    BOOST_TEST(!scan_page_hint(none, "Modified_Time").has_value(), none);
  }
}

BOOST_AUTO_TEST_CASE(values_keep_their_types_and_lookups_give_id_or_name) {
  BOOST_TEST(std::get<std::string>(to_value(json("4150868000000100021"), false)) ==
             "4150868000000100021");
  BOOST_TEST(std::get<std::int64_t>(to_value(json(250), false)) == 250);
  BOOST_TEST(std::get<double>(to_value(json(2.5), false)) == 2.5);
  BOOST_TEST(std::get<bool>(to_value(json(true), false)));
  BOOST_TEST(is_null(to_value(json(), false)));
  const json lookup = {{"name", "Deal 7"}, {"id", "4150868000900000007"}};
  BOOST_TEST(std::get<std::string>(to_value(lookup, false)) == "4150868000900000007");
  BOOST_TEST(std::get<std::string>(to_value(lookup, true)) == "Deal 7");
  BOOST_TEST(std::get<std::string>(to_value(json::array({"a", "b"}), false)) == R"(["a","b"])");
}

BOOST_AUTO_TEST_CASE(fields_plan_columns_and_requests_each_field_once) {
  auto plan = plan_fields({"Company", "Converted_Deal", "Converted_Deal.name"}, "Modified_Time");
  BOOST_TEST_REQUIRE(plan.ok());
  BOOST_TEST(plan->columns.size() == 4u);
  BOOST_TEST(plan->columns[2].column == "Converted_Deal.name");
  BOOST_TEST(plan->columns[2].lookup_name);
  BOOST_TEST(plan->columns[3].column == "Modified_Time");
  BOOST_TEST(
      (plan->request == std::vector<std::string>{"Company", "Converted_Deal", "Modified_Time"}));
  BOOST_TEST(plan_fields({"id"}, "Modified_Time").status().code() == StatusCode::kInvalidConfig);
  BOOST_TEST(plan_fields({"A", "A"}, "Modified_Time").status().code() ==
             StatusCode::kInvalidConfig);
  BOOST_TEST(plan_fields({"A;drop"}, "Modified_Time").status().code() ==
             StatusCode::kInvalidConfig);
}

Settings valid_settings() {
  Settings s;
  for (const SettingSpec& spec : kSettings) {
    if (spec.default_value == nullptr) continue;
    if (spec.type == SettingType::kInt) {
      s.set(spec.name, static_cast<std::int64_t>(std::stoll(spec.default_value)));
    } else {
      s.set(spec.name, std::string(spec.default_value));
    }
  }
  s.set("accounts_url", std::string("https://accounts.zoho.eu"));
  s.set("client_id", std::string("id"));
  s.set("client_secret", std::string("secret"));
  s.set("refresh_token", std::string("refresh"));
  s.set("module", std::string("Leads"));
  s.set("fields", std::vector<std::string>{"Company"});
  return s;
}

BOOST_AUTO_TEST_CASE(settings_bind_and_bad_ones_name_the_key) {
  auto config = bind_config(valid_settings());
  BOOST_TEST_REQUIRE(config.ok(), config.status().message());
  BOOST_TEST(config->per_page == 2000);
  const auto fails_with = [](const char* key, SettingValue value, const std::string& part) {
    Settings s = valid_settings();
    s.set(key, std::move(value));
    const Status status = bind_config(s).status();
    BOOST_TEST(status.code() == StatusCode::kInvalidConfig, key);
    BOOST_TEST(status.message().find(part) != std::string::npos, status.message());
  };
  fails_with("read_path", std::string("search"), "`read_path`");
  fails_with("converted", std::string("maybe"), "`converted`");
  fails_with("per_page", std::int64_t{2001}, "`per_page`");
  fails_with("accounts_url", std::string("accounts.zoho.com"), "`accounts_url`");
  fails_with("api_version", std::string("v9"), "`api_version`");
  fails_with("module", std::string("Leads; drop"), "`module`");
  fails_with("fields", std::vector<std::string>(51, "F"), "`fields`");
  Settings records = valid_settings();
  records.set("read_path", std::string("records"));
  records.set("per_page", std::int64_t{201});
  BOOST_TEST(bind_config(records).status().message().find("200") != std::string::npos);
  records.set("per_page", std::int64_t{0});
  records.set("criteria", std::string("Lead_Source = 'x'"));
  BOOST_TEST(bind_config(records).status().message().find("`criteria`") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(readme_settings_table_matches_the_schema) {
  const auto missing = testing::missing_readme_setting_rows("zoho_source", std::span(kSettings));
  BOOST_TEST(missing.empty(),
             "README.md lacks or differs on: " << (missing.empty() ? "" : missing[0]));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::zoho_source
