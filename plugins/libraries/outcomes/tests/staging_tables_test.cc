// Tests of the checks on the Zoho jobs' staging tables (outcomes/staging_tables.h): a mapping
// and a task that disagree give one clear error naming the setting, the table and the columns.
#include "outcomes/staging_tables.h"

#include <boost/test/unit_test.hpp>
#include <memory>
#include <string>

#include "test_database.h"

namespace hades::domain {
namespace {

Status create_leads_table(Database& db) {
  WriteBatch create;
  create.add("CREATE TABLE zoho_leads (id TEXT, company TEXT)", {});
  return db.apply(create);
}

BOOST_AUTO_TEST_SUITE(staging_tables)

BOOST_AUTO_TEST_CASE(identifiers_are_what_may_be_pasted_into_sql) {
  for (const char* name : {"zoho_leads", "_x", "Deals2"}) BOOST_TEST(is_sql_identifier(name));
  for (const char* name : {"", "2deals", "zoho-leads", "a b", "t;DROP", "l\xC3\xA9"}) {
    BOOST_TEST(!is_sql_identifier(name), name);
  }
}

BOOST_AUTO_TEST_CASE(columns_of_a_table_and_of_none) {
  const std::unique_ptr<Database> db = hades::testing::scratch_database();
  BOOST_REQUIRE(create_leads_table(*db).ok());
  const Result<std::set<std::string>> columns = table_columns(*db, "zoho_leads");
  BOOST_REQUIRE(columns.ok());
  BOOST_TEST((*columns == std::set<std::string>{"company", "id"}));
  const Result<std::set<std::string>> none = table_columns(*db, "no_such_table");
  BOOST_REQUIRE(none.ok());
  BOOST_TEST(none->empty());
}

BOOST_AUTO_TEST_CASE(a_missing_table_or_column_names_the_setting_and_the_columns) {
  const std::unique_ptr<Database> db = hades::testing::scratch_database();
  BOOST_REQUIRE(create_leads_table(*db).ok());
  BOOST_TEST(require_columns(*db, "zoho_leads", "leads_table", {"id", "company"}).ok());

  const Status missing = require_columns(*db, "zoho_leads", "leads_table", {"id", "batch_id"});
  BOOST_TEST(missing.code() == StatusCode::kInvalidConfig);
  BOOST_TEST(missing.message().find("leads_table") != std::string::npos, missing.to_string());
  BOOST_TEST(missing.message().find("batch_id") != std::string::npos, missing.to_string());

  const Status no_table = require_columns(*db, "zoho_deals", "deals_table", {"id"});
  BOOST_TEST(no_table.code() == StatusCode::kInvalidConfig);
  BOOST_TEST(no_table.message().find("zoho_deals") != std::string::npos, no_table.to_string());
}

BOOST_AUTO_TEST_CASE(table_names_come_from_the_settings_or_the_defaults) {
  const StagingTableNames defaults{"zoho_leads", "zoho_deals", "zoho_deliveries"};
  Settings settings;
  settings.set("deals_table", std::string("my_deals"));
  const Result<StagingTableNames> names = bind_staging_table_names(settings, defaults);
  BOOST_REQUIRE(names.ok());
  BOOST_TEST(names->leads == "zoho_leads");
  BOOST_TEST(names->deals == "my_deals");
  BOOST_TEST(names->deliveries == "zoho_deliveries");

  Settings bad;
  bad.set("leads_table", std::string("leads; DROP TABLE x"));
  const Result<StagingTableNames> refused = bind_staging_table_names(bad, defaults);
  BOOST_REQUIRE(!refused.ok());
  BOOST_TEST(refused.status().code() == StatusCode::kInvalidConfig);
  BOOST_TEST(refused.status().message().find("leads_table") != std::string::npos,
             refused.status().to_string());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::domain
