// COQL and search criteria against an in-memory store, without HTTP.
//
// The org is make_org(100): lead i has Lead_Source VanillaSoft / VanillaSoft Legacy / Web Site /
// null by i % 4, is converted when i % 10 == 0, has a null employee count when i % 5 == 0 (else
// i), and lead 0 is "O'Brien Foods".

#include "coql.h"

#include <boost/test/unit_test.hpp>
#include <string>

#include "criteria.h"
#include "sim_client.h"
#include "store.h"

namespace hades::zoho_sim {
namespace {

using nlohmann::json;
using testing::lead_id;
using testing::make_org;

struct Org {
  Store store = Store::from_json(make_org(100));

  CoqlResult ok(const std::string& query, bool hide_converted = true) {
    auto result = run_coql(query, store, CoqlOptions{hide_converted});
    if (const auto* error = std::get_if<ApiError>(&result)) {
      BOOST_FAIL(query << " -> " << error->body().dump());
    }
    return std::get<CoqlResult>(std::move(result));
  }
  std::size_t count(const std::string& where) {
    return ok("select Company from Leads where " + where + " limit 2000").rows.size();
  }
  ApiError fails(const std::string& query) {
    auto result = run_coql(query, store, CoqlOptions{});
    BOOST_TEST_REQUIRE(std::holds_alternative<ApiError>(result), query << " should fail");
    return std::get<ApiError>(result);
  }
};

BOOST_FIXTURE_TEST_SUITE(coql, Org)

BOOST_AUTO_TEST_CASE(select_returns_id_and_fields_and_hides_converted_leads) {
  const CoqlResult r =
      ok("select Company, Lead_Source from Leads where Lead_Source = 'VanillaSoft'");
  BOOST_TEST(r.rows.size() == 20u);  // 25 VanillaSoft leads, 5 of them converted
  BOOST_TEST(r.rows[0]["id"] == lead_id(4));
  BOOST_TEST(r.rows[0]["Company"] == "Company 4");
  BOOST_TEST(r.rows[0].size() == 3u);
  BOOST_TEST(!r.more_records);
  BOOST_TEST(r.limit == 200);
}

BOOST_AUTO_TEST_CASE(converted_leads_come_back_when_the_query_names_converted) {
  BOOST_TEST(
      count("(Lead_Source = 'VanillaSoft' and (Converted__s = true or Converted__s = false))") ==
      25u);
  BOOST_TEST(count("Converted__s = true") == 10u);
  BOOST_TEST(ok("select Company from Leads where Lead_Source = 'VanillaSoft'", false).rows.size() ==
             25u);
}

BOOST_AUTO_TEST_CASE(comparison_operators) {
  BOOST_TEST(count("Lead_Source != 'VanillaSoft'") == 45u);  // nulls never match !=
  BOOST_TEST(count("Lead_Source <> 'VanillaSoft'") == 45u);
  BOOST_TEST(count("Lead_Source = 'vanillasoft'") == 20u);  // case-insensitive
  BOOST_TEST(count("No_of_Employees > 90") == 8u);          // 91..99 but 95 (null)
  BOOST_TEST(count("No_of_Employees >= 90") == 8u);         // 90 has a null count
  BOOST_TEST(count("No_of_Employees < 5") == 4u);
  BOOST_TEST(count("No_of_Employees <= 5") == 4u);
  BOOST_TEST(count("No_of_Employees between 10 and 20") == 8u);
  BOOST_TEST(count("id > '" + lead_id(95) + "'") == 4u);
  BOOST_TEST(count("id = " + lead_id(3)) == 1u);
}

BOOST_AUTO_TEST_CASE(like_in_and_null_tests) {
  BOOST_TEST(count("Lead_Source like 'VanillaSoft%'") == 45u);
  BOOST_TEST(count("Lead_Source like '%Legacy'") == 25u);
  BOOST_TEST(count("Lead_Source like '%soft leg%'") == 25u);
  BOOST_TEST(count("Lead_Source not like 'Vanilla%'") == 20u);
  BOOST_TEST(count("Lead_Source in ('VanillaSoft', 'Web Site')") == 40u);
  BOOST_TEST(count("Lead_Source not in ('VanillaSoft')") == 45u);
  BOOST_TEST(count("Lead_Source is null") == 25u);
  BOOST_TEST(count("Lead_Source is not null") == 65u);
  BOOST_TEST(count("(HADES_Batch_ID like 'HADES-%' and Lead_Source is not null)") == 9u);
}

BOOST_AUTO_TEST_CASE(quotes_escape_as_backslash_or_doubled) {
  BOOST_TEST(count("(Company = 'O\\'Brien Foods' and Converted__s = true)") == 1u);
  BOOST_TEST(count("(Company = 'O''Brien Foods' and Converted__s = true)") == 1u);
  BOOST_TEST(count("Company = 'O\\'Brien'") == 0u);
}

BOOST_AUTO_TEST_CASE(more_than_two_criteria_need_brackets) {
  const ApiError e =
      fails("select Company from Leads where Lead_Source = 'a' and Company = 'b' and id > 1");
  BOOST_TEST(e.code == "SYNTAX_ERROR");
  BOOST_TEST(e.status == 400);
  BOOST_TEST(
      count("((Lead_Source = 'VanillaSoft' and No_of_Employees > 50) or Lead_Source is null)") ==
      35u);
}

BOOST_AUTO_TEST_CASE(syntax_and_query_errors) {
  BOOST_TEST(fails("select Company from Leads").code == "SYNTAX_ERROR");  // no where
  BOOST_TEST(fails("select * from Leads where id is not null").code == "SYNTAX_ERROR");
  BOOST_TEST(fails("select Company from Leads where Company = 'open").code == "SYNTAX_ERROR");
  BOOST_TEST(fails("select Company from Leads where Company = null").code == "SYNTAX_ERROR");
  BOOST_TEST(fails("select Company Leads where id is not null").code == "SYNTAX_ERROR");
  BOOST_TEST(fails("select Nope from Leads where id is not null").code == "INVALID_QUERY");
  BOOST_TEST(fails("select Company from Nope where id is not null").code == "INVALID_QUERY");
  BOOST_TEST(fails("select Company from Leads where Nope = 'x'").code == "INVALID_QUERY");
  BOOST_TEST(fails("select Company from Leads where No_of_Employees = 'many'").code ==
             "INVALID_QUERY");
  BOOST_TEST(fails("select Company from Leads where Modified_Time > '2026-01-01'").code ==
             "INVALID_QUERY");
  BOOST_TEST(fails("select Company from Leads where Converted__s > true").code == "INVALID_QUERY");
  BOOST_TEST(fails("select Company from Leads where id is not null order by id, id").code ==
             "DUPLICATE_DATA");
  BOOST_TEST(fails("select count(id) from Leads where id is not null").code == "INVALID_QUERY");
}

BOOST_AUTO_TEST_CASE(limit_and_offset) {
  Store big = Store::from_json(make_org(1000));
  const auto run = [&big](const std::string& q) {
    auto r = run_coql(q, big, CoqlOptions{});
    BOOST_TEST_REQUIRE(std::holds_alternative<CoqlResult>(r), q);
    return std::get<CoqlResult>(std::move(r));
  };
  const std::string base = "select Company from Leads where Lead_Source is not null ";
  const CoqlResult first = run(base);
  BOOST_TEST(first.rows.size() == 200u);  // default limit
  BOOST_TEST(first.more_records);
  const CoqlResult a = run(base + "limit 10, 5");
  const CoqlResult b = run(base + "limit 5 offset 10");
  BOOST_TEST(a.rows == b.rows);
  BOOST_TEST(a.rows[0]["id"] == first.rows[10]["id"]);
  BOOST_TEST(run(base + "limit 2000").rows.size() == 650u);  // 750 with a source, 100 converted
  BOOST_TEST(!run(base + "limit 2000").more_records);
  BOOST_TEST(run(base + "limit 98000, 2000").rows.empty());
  BOOST_TEST(fails(base + "limit 2001").code == "LIMIT_EXCEEDED");
  BOOST_TEST(fails(base + "limit 99000, 1001").code == "LIMIT_EXCEEDED");
  BOOST_TEST(fails(base + "limit 0").code == "LIMIT_EXCEEDED");
}

BOOST_AUTO_TEST_CASE(order_by_and_date_times_in_any_offset) {
  const CoqlResult desc =
      ok("select Company from Leads where Lead_Source is null order by id desc limit 3");
  BOOST_TEST(desc.rows[0]["id"] == lead_id(99));
  BOOST_TEST(desc.rows[2]["id"] == lead_id(91));
  const CoqlResult by_source =
      ok("select Lead_Source from Leads where Lead_Source is not null order by Lead_Source desc, "
         "id asc limit 1");
  BOOST_TEST(by_source.rows[0]["Lead_Source"] == "Web Site");
  // Lead i was modified at 2025-01-01T06:00:00Z + i minutes.
  BOOST_TEST(count("Modified_Time > '2025-01-01T07:00:00+00:00'") ==
             count("Modified_Time > '2025-01-01T02:00:00-05:00'"));
  BOOST_TEST(count("(Modified_Time >= '2025-01-01T06:59:00Z' and Converted__s = false)") == 37u);
}

BOOST_AUTO_TEST_CASE(lookups_come_back_as_id_and_name_and_join_to_their_module) {
  const CoqlResult r =
      ok("select Converted_Deal, Converted_Deal.Deal_Name, Converted_Deal.id from Leads "
         "where Converted__s = true order by id limit 1");
  const json& row = r.rows.at(0);
  BOOST_TEST(row["Converted_Deal"]["name"] == "Deal 0");
  BOOST_TEST(row["Converted_Deal"]["id"] == row["Converted_Deal.id"]);
  BOOST_TEST(row["Converted_Deal.Deal_Name"] == "Deal 0");
  const std::string deal = row["Converted_Deal"]["id"];
  BOOST_TEST(count("(Converted_Deal = '" + deal + "' and Converted__s = true)") == 1u);
  BOOST_TEST(count("(Converted_Deal.id in ('" + deal + "', '1') and Converted__s = true)") == 1u);
  BOOST_TEST(count("(Converted_Deal.Deal_Name = 'deal 10' and Converted__s = true)") == 1u);
  BOOST_TEST(count("Converted_Deal.Deal_Name = 'deal 10'") == 0u);  // converted: hidden
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(search_criteria, Org)

std::size_t matches(const Store& store, const std::string& criteria, int version) {
  const Module& leads = *store.module("Leads");
  const Evaluator eval(store, leads);
  auto parsed = parse_criteria(criteria, version, eval);
  if (const auto* error = std::get_if<ApiError>(&parsed)) BOOST_FAIL(error->body().dump());
  std::size_t n = 0;
  for (const Record& r : leads.records()) n += eval.matches(r, *std::get<0>(parsed));
  return n;
}

BOOST_AUTO_TEST_CASE(v7_equals_behaves_like_contains) {
  BOOST_TEST(matches(store, "(Lead_Source:equals:VanillaSoft)", 8) == 25u);
  BOOST_TEST(matches(store, "(Lead_Source:equals:VanillaSoft)", 7) == 50u);
  BOOST_TEST(matches(store, "((Lead_Source:starts_with:Web)or(Lead_Source:in:VanillaSoft,x))", 8) ==
             50u);
  BOOST_TEST(matches(store,
                     "((Lead_Source:not_equal:Web Site)and(No_of_Employees:greater_than:90))",
                     8) == 4u);
  BOOST_TEST(matches(store, "(Company:equals:O'Brien Foods)", 8) == 1u);
  BOOST_TEST(matches(store, "(Company:equals:Company 1\\,2)", 8) == 0u);
}

BOOST_AUTO_TEST_CASE(bad_criteria) {
  const Module& leads = *store.module("Leads");
  const Evaluator eval(store, leads);
  for (const char* bad :
       {"Lead_Source:equals:x", "(Lead_Source:resembles:x)", "(Nope:equals:x)",
        "(Lead_Source:equals:x", "((Lead_Source:equals:x)xor(Company:equals:y))"}) {
    auto parsed = parse_criteria(bad, 8, eval);
    BOOST_TEST(std::holds_alternative<ApiError>(parsed), bad);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::zoho_sim
