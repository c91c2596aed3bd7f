// The company key (crm_text.h): the cases domain.md's matching rule spells out, the ones real
// CRMs produce, and the edges (only suffixes, blank, bytes that are not UTF-8).

#define BOOST_TEST_MODULE crm_text_test
#include "crm_text/crm_text.h"

#include <boost/test/unit_test.hpp>
#include <string>
#include <utility>
#include <vector>

namespace hades::domain {
namespace {

BOOST_AUTO_TEST_SUITE(company_keys)

// Each pair names one company in two systems: the keys must be equal.
BOOST_AUTO_TEST_CASE(spellings_of_one_company_give_one_key) {
  const std::vector<std::pair<std::string, std::string>> same = {
      {"ACME, Inc.", "Acme Inc"},
      {"Acme L.L.C.", "ACME LLC"},
      {"Acme Limited", "Acme Ltd"},
      {"Acme Incorporated", "Acme Inc."},
      {"MÜLLER GMBH", "Müller GmbH"},
      {"HÔTEL DE PARIS", "Hôtel de Paris"},
      {"Straße Logistik GmbH", "STRASSE LOGISTIK"},  // full case folding: ß -> ss
      {"\xEF\xBC\xA1\xEF\xBD\x83\xEF\xBD\x8D\xEF\xBD\x85 Co", "Acme"},  // fullwidth (NFKC)
      {"O'Brien Foods",
       "O\xE2\x80\x99"
       "Brien Foods"},  // ' and U+2019 both deleted
      {"O'Brien Foods, LLP", "OBrien Foods"},
      {"Smith & Sons, P.L.L.C.", "smith sons"},
      {"Acme Corp. Ltd", "acme"},         // every trailing suffix
      {"Ho\xCC\x82tel", "H\xC3\xB4tel"},  // decomposed and composed ô
  };
  for (const auto& [a, b] : same) {
    BOOST_TEST(company_key(a) == company_key(b), "'" << a << "' vs '" << b << "'");
  }
}

BOOST_AUTO_TEST_CASE(keys_are_spelled_as_the_rule_says) {
  BOOST_TEST(company_key("ACME, Inc.") == "acme");
  BOOST_TEST(company_key("Keystone Springs Logistics Co.") == "keystone springs logistics");
  BOOST_TEST(company_key("  O'Brien   Foods, LLC ") == "obrien foods");
  BOOST_TEST(company_key("MÜLLER GMBH") == "müller");  // accents kept
  BOOST_TEST(company_key("Acme-West/Holdings PLC") == "acme west holdings");
  BOOST_TEST(company_key("Inc Solutions") == "inc solutions");  // only trailing words go
  BOOST_TEST(company_key("Company") == "company");              // a name that is only a suffix
  BOOST_TEST(company_key("Co. Inc.") == "co");
  BOOST_TEST(company_key("  ") == "");
  BOOST_TEST(company_key("...") == "");
}

BOOST_AUTO_TEST_CASE(different_companies_stay_apart) {
  BOOST_TEST(company_key("Acme") != company_key("Acme West"));
  BOOST_TEST(company_key("Hôtel") != company_key("Hotel"));  // accents are not stripped
  BOOST_TEST(company_key("A1 Vending") != company_key("A Vending"));
}

BOOST_AUTO_TEST_CASE(bytes_that_are_not_utf8_separate_words) {
  BOOST_TEST(company_key("Acme\xFF"
                         "Foods Inc") == "acme foods");
  BOOST_TEST(company_key("\xC3") == "");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::domain
