// The fault spec language and the date-time formats, without HTTP.

#include "faults.h"

#include <boost/test/unit_test.hpp>
#include <set>
#include <string>

#include "sim_time.h"

namespace hades::zoho_sim {
namespace {

FaultSpec parsed(const std::string& text) {
  FaultSpec spec;
  std::string why;
  BOOST_TEST_REQUIRE(FaultSpec::parse(text, spec, why), text << ": " << why);
  return spec;
}

std::set<std::int64_t> firing(const Schedule& s, std::uint64_t seed, FaultKind kind, int calls) {
  std::set<std::int64_t> out;
  for (int i = 1; i <= calls; ++i) {
    if (s.fires(seed, kind, i)) out.insert(i);
  }
  return out;
}

BOOST_AUTO_TEST_SUITE(fault_spec)

BOOST_AUTO_TEST_CASE(parses_every_item) {
  const FaultSpec f = parsed(
      "token_expiry_every=50,storm401=3@100,burst429=5@20/200,concurrency=2,coql_concurrency=1,"
      "http500=0.02,http502_html=@7,http503_empty=0.02,reset=0.01,slow=0.01:3000ms,"
      "modify_between_pages=10,modify_count=4,insert_count=2,credits=5000,seed=7,"
      "token_garbled=@2,echo_auth=2@3");
  BOOST_TEST(f.token_expiry_every == 50);
  BOOST_TEST(f.storm401.start == 100);
  BOOST_TEST(f.storm401.count == 3);
  BOOST_TEST(f.burst429.period == 200);
  BOOST_TEST(f.concurrency == 2);
  BOOST_TEST(f.coql_concurrency == 1);
  BOOST_TEST(f.http500.probability == 0.02);
  BOOST_TEST(f.http502_html.start == 7);
  BOOST_TEST(f.slow.probability == 0.01);
  BOOST_TEST(f.slow_delay.count() == 3000);
  BOOST_TEST(f.modify_between_pages == 10);
  BOOST_TEST(f.modify_count == 4);
  BOOST_TEST(f.insert_count == 2);
  BOOST_TEST(f.credits == 5000);
  BOOST_TEST(f.seed == 7u);
  BOOST_TEST(f.token_garbled.start == 2);
  BOOST_TEST(f.echo_auth.count == 2);
  BOOST_TEST(parsed(f.describe()).describe() == f.describe());
}

BOOST_AUTO_TEST_CASE(defaults_model_an_enterprise_org) {
  const FaultSpec f = parsed("");
  BOOST_TEST(f.concurrency == 20);
  BOOST_TEST(f.coql_concurrency == 10);
  BOOST_TEST(!f.http500.enabled());
  BOOST_TEST(parsed("slow=@2:2s").slow_delay.count() == 2000);
}

BOOST_AUTO_TEST_CASE(rejects_bad_items) {
  for (const char* bad : {"bogus=1", "http500", "http500=2", "http500=-0.1", "slow=0.1",
                          "slow=0.1:fast", "storm401=0@5", "storm401=3@0", "burst429=5@20/3",
                          "concurrency=0", "seed=x", "credits=-1"}) {
    FaultSpec spec;
    std::string why;
    BOOST_TEST(!FaultSpec::parse(bad, spec, why), bad);
    BOOST_TEST(!why.empty());
  }
}

BOOST_AUTO_TEST_CASE(scheduled_bursts_fire_on_exact_calls) {
  const FaultSpec f = parsed("storm401=3@100,burst429=2@5/10,http500=@4");
  BOOST_TEST((firing(f.storm401, f.seed, FaultKind::kStorm401, 200) ==
              std::set<std::int64_t>{100, 101, 102}));
  BOOST_TEST((firing(f.burst429, f.seed, FaultKind::kBurst429, 30) ==
              std::set<std::int64_t>{5, 6, 15, 16, 25, 26}));
  BOOST_TEST((firing(f.http500, f.seed, FaultKind::kHttp500, 30) == std::set<std::int64_t>{4}));
}

BOOST_AUTO_TEST_CASE(probabilistic_faults_depend_only_on_seed_kind_and_call) {
  const Schedule s = parsed("http500=0.02").http500;
  const auto a = firing(s, 7, FaultKind::kHttp500, 10000);
  BOOST_TEST((a == firing(s, 7, FaultKind::kHttp500, 10000)));
  BOOST_TEST((a != firing(s, 8, FaultKind::kHttp500, 10000)));
  BOOST_TEST((a != firing(s, 7, FaultKind::kReset, 10000)));
  BOOST_TEST(a.size() > 140u);
  BOOST_TEST(a.size() < 260u);
  BOOST_TEST(firing(parsed("http500=1").http500, 1, FaultKind::kHttp500, 50).size() == 50u);
  BOOST_TEST(firing(parsed("http500=0").http500, 1, FaultKind::kHttp500, 50).empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(sim_time)

BOOST_AUTO_TEST_CASE(iso_date_times_with_offsets) {
  const auto utc = parse_iso_datetime("2026-02-11T05:00:00+00:00");
  BOOST_TEST_REQUIRE(utc.has_value());
  BOOST_TEST(*utc == 1770786000);
  BOOST_TEST((parse_iso_datetime("2026-02-11T00:00:00-05:00") == utc));
  BOOST_TEST((parse_iso_datetime("2026-02-11T05:00:00Z") == utc));
  BOOST_TEST((parse_iso_datetime("2026-02-11T05:00:00.123Z") == utc));
  BOOST_TEST(format_iso_datetime(*utc, -300) == "2026-02-11T00:00:00-05:00");
  BOOST_TEST(format_iso_datetime(*utc, 330) == "2026-02-11T10:30:00+05:30");
  for (const char* bad : {"2026-02-30T00:00:00Z", "2026-02-11", "2026-02-11T25:00:00Z",
                          "2026-02-11T00:00:00", "2026-02-11 00:00:00Z", "2026-02-11T00:00:00+5"}) {
    BOOST_TEST(!parse_iso_datetime(bad).has_value(), bad);
  }
}

BOOST_AUTO_TEST_CASE(http_dates_and_plain_dates) {
  BOOST_TEST((parse_http_date("Wed, 11 Feb 2026 05:00:00 GMT") ==
              parse_iso_datetime("2026-02-11T05:00:00Z")));
  BOOST_TEST(parse_any_datetime("Wed, 11 Feb 2026 05:00:00 GMT").has_value());
  BOOST_TEST(!parse_http_date("Wed, 31 Feb 2026 05:00:00 GMT").has_value());
  BOOST_TEST(is_iso_date("2024-02-29"));
  BOOST_TEST(!is_iso_date("2025-02-29"));
  BOOST_TEST(!is_iso_date("2025-2-01"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::zoho_sim
