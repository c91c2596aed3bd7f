// The simulator checked by a client nobody here wrote: Zoho's official Node SDK
// (@zohocrm/nodejs-sdk-8.0, pinned in tools/lib/setup.sh) runs zoho_sdk_check.mjs against
// tools/zoho_sim serving the org tools/generate_crm.py plants, and every answer is compared with
// the org's data: the refresh-token grant (the SDK posts multipart/form-data), every lead walked
// with page_token past 2,000 records with nothing lost, duplicated or altered, `converted`, COQL
// paged by LIMIT offset, 204 and If-Modified-Since/304, and access tokens that die every 8 calls
// (a 401 INVALID_TOKEN, one refresh, one successful retry, as the request log shows).
//
// The simulator runs in-process on a free port; node runs once for the whole module.
#define BOOST_TEST_MODULE zoho_sdk_test
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "process.h"
#include "server.h"
#include "sim_time.h"
#include "simulator.h"
#include "test_support.h"

namespace hades {
namespace {

using nlohmann::json;
using testing::TempDir;

constexpr int kTokenExpiryEvery = 8;  // API calls an access token serves before it dies
constexpr int kPerPage = 200;
constexpr int kCoqlLimit = 2000;
// If-Modified-Since is set so that this many distinct Modified_Times are newer: one page.
constexpr std::size_t kModifiedAfter = 150;

const std::string& npm_dir() {
  static const std::string kDir = testing::source_dir() + "/.deps/npm";
  return kDir;
}

// Ids are 19-digit strings: ordered as numbers, which for equal lengths is as text.
bool id_less(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

json lead_row(const json& lead) {
  const json& deal = lead["Converted_Deal"];
  return {lead["id"],           lead["Company"],         lead["Lead_Source"],
          lead["Converted__s"], lead["No_of_Employees"], deal.is_null() ? deal : deal["id"]};
}

std::int64_t modified(const json& record) {
  const auto at = zoho_sim::parse_iso_datetime(record["Modified_Time"].get<std::string>());
  BOOST_TEST_REQUIRE(at.has_value(), "bad Modified_Time in " << record.dump());
  return *at;
}

// What is wrong with `got` as a list of `want` ids, or "" when nothing is.
std::string id_difference(const std::vector<std::string>& got,
                          const std::vector<std::string>& want) {
  if (got == want) return "";
  std::ostringstream out;
  std::map<std::string, int> seen;
  for (const auto& id : got) ++seen[id];
  const std::set<std::string> wanted(want.begin(), want.end());
  int missing = 0;
  int duplicated = 0;
  int unexpected = 0;
  for (const auto& id : want) missing += seen.count(id) == 0;
  for (const auto& [id, n] : seen) {
    duplicated += n > 1;
    unexpected += wanted.count(id) == 0;
  }
  out << got.size() << " ids for " << want.size() << ": " << missing << " missing, " << duplicated
      << " duplicated, " << unexpected << " unexpected";
  for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
    if (got[i] != want[i]) {
      out << "; first difference at " << i << ": " << got[i] << " for " << want[i];
      break;
    }
  }
  return out.str();
}

std::vector<std::string> ids_of(const json& rows) {
  std::vector<std::string> ids;
  for (const auto& row : rows) ids.push_back((row.is_array() ? row[0] : row).get<std::string>());
  return ids;
}

// The first rows of `got` that differ from `want` (same length and ids assumed).
std::string row_difference(const json& got, const json& want) {
  std::ostringstream out;
  int shown = 0;
  for (std::size_t i = 0; i < got.size() && i < want.size() && shown < 5; ++i) {
    if (got[i] != want[i]) {
      out << "\n  got " << got[i].dump() << "\n want " << want[i].dump();
      ++shown;
    }
  }
  return out.str();
}

// The org, the simulator with tokens that die every kTokenExpiryEvery calls, one run of the
// script; the simulator is stopped before the checks read its request log.
struct Run {
  TempDir dir;
  json data;
  json truth;
  std::string since;  // the If-Modified-Since given to the script
  std::string url;
  std::map<std::string, json> checks;  // the script's lines by "check"
  std::vector<json> log;               // the simulator's request log

  Run() {
    BOOST_TEST_REQUIRE(
        std::filesystem::exists(npm_dir() + "/node_modules/@zohocrm/nodejs-sdk-8.0/package.json"),
        "no @zohocrm/nodejs-sdk-8.0 in " << npm_dir() << ": run tools/test (setup.sh)");
    generate_org();
    since = modified_since_cutoff();
    const testing::ProcessResult js = run_script();
    BOOST_TEST_REQUIRE(js.exit_code == 0, "node exited " << js.exit_code << ":\n"
                                                         << js.err << sdk_log_tail());
    std::istringstream lines(js.out);
    for (std::string line; std::getline(lines, line);) {
      json entry = json::parse(line, nullptr, false);
      BOOST_TEST_REQUIRE((entry.is_object() && entry["check"].is_string()),
                         "not a line of the script: " << line);
      const std::string name = entry["check"].get<std::string>();
      checks[name] = std::move(entry);
    }
    std::istringstream requests(testing::read_file(dir.file("requests.jsonl")));
    for (std::string line; std::getline(requests, line);) log.push_back(json::parse(line));
  }

  void generate_org() {
    const char* generator = std::getenv("ZOHO_SIM_GENERATOR");
    BOOST_TEST_REQUIRE(generator != nullptr, "ZOHO_SIM_GENERATOR is not set (run through ctest)");
    const testing::ProcessResult gen =
        testing::run_process({"/usr/bin/python3", generator, "--out", dir.file("org.json"),
                              "--truth", dir.file("truth.json")},
                             dir.path());
    BOOST_TEST_REQUIRE(gen.exit_code == 0, gen.err);
    data = json::parse(testing::read_file(dir.file("org.json")));
    truth = json::parse(testing::read_file(dir.file("truth.json")));
  }

  // The simulator serves on a free port while node runs the script.
  testing::ProcessResult run_script() {
    zoho_sim::SimulatorOptions options;
    std::string why;
    BOOST_TEST_REQUIRE(
        zoho_sim::FaultSpec::parse("token_expiry_every=" + std::to_string(kTokenExpiryEvery),
                                   options.faults, why),
        why);
    options.request_log_path = dir.file("requests.jsonl");
    zoho_sim::Simulator sim(data, options);
    zoho_sim::Server server(sim, zoho_sim::ServerOptions{});
    server.start();
    url = "http://127.0.0.1:" + std::to_string(server.port());
    const json& creds = truth["credentials"];
    return testing::run_process(
        {"/usr/bin/env", "node", testing::source_dir() + "/tests/e2e/zoho_sdk_check.mjs"},
        dir.path(),
        {{"HADES_NPM_DIR", npm_dir()},
         {"ZOHO_URL", url},
         {"ZOHO_CLIENT_ID", creds["client_id"].get<std::string>()},
         {"ZOHO_CLIENT_SECRET", creds["client_secret"].get<std::string>()},
         {"ZOHO_REFRESH_TOKEN", creds["refresh_token"].get<std::string>()},
         {"ZOHO_SDK_DIR", dir.path()},
         {"ZOHO_MODIFIED_SINCE", since}},
        300);
  }

  const json& leads() const { return data["modules"]["Leads"]["records"]; }

  const json& check(const std::string& name) const {
    const auto it = checks.find(name);
    BOOST_TEST_REQUIRE((it != checks.end()), "the script printed no '" << name << "' line");
    return it->second;
  }

  std::string sdk_log_tail() const {
    const std::string path = dir.file("sdk.log");
    if (!std::filesystem::exists(path)) return "";
    const std::string text = testing::read_file(path);
    return "\nsdk.log (end):\n" + text.substr(text.size() > 4000 ? text.size() - 4000 : 0);
  }

  // The Modified_Time with exactly kModifiedAfter distinct later ones.
  std::string modified_since_cutoff() const {
    std::map<std::int64_t, std::string, std::greater<>> times;
    for (const auto& lead : leads()) {
      times.emplace(modified(lead), lead["Modified_Time"].get<std::string>());
    }
    BOOST_TEST_REQUIRE(times.size() > kModifiedAfter);
    return std::next(times.begin(), kModifiedAfter)->second;
  }
};

// Made by the first test case; when that fails, the others fail at once instead of running the
// SDK again.
const Run& run() {
  static std::unique_ptr<Run> the_run;
  static bool attempted = false;
  if (!the_run) {
    BOOST_TEST_REQUIRE(!attempted, "the SDK run failed: see the first test case");
    attempted = true;
    the_run = std::make_unique<Run>();
  }
  return *the_run;
}

BOOST_AUTO_TEST_CASE(the_sdk_gets_its_token_with_a_multipart_refresh_token_grant) {
  const json& grant = run().check("grant");
  BOOST_TEST(grant["has_access_token"] == true);
  BOOST_TEST(grant["api_domain"] == run().url);
  // The first request is the grant, and no token request was refused (before the simulator read
  // multipart bodies, every one was unsupported_grant_type).
  BOOST_TEST_REQUIRE(!run().log.empty());
  BOOST_TEST(run().log.front()["kind"] == "token");
  for (const auto& entry : run().log) {
    if (entry["kind"] == "token") BOOST_TEST(entry["token_outcome"] == "granted", entry.dump());
  }
}

BOOST_AUTO_TEST_CASE(every_lead_comes_once_through_page_tokens_as_stored) {
  const json& records = run().check("records");
  std::vector<json> want;
  for (const auto& lead : run().leads()) want.push_back(lead_row(lead));
  std::sort(want.begin(), want.end(), [](const json& a, const json& b) {
    return id_less(b[0], a[0]);  // the default order: id descending
  });
  BOOST_TEST_REQUIRE(want.size() > 2000u, "the org must need page tokens");
  const json& rows = records["rows"];
  std::vector<std::string> want_ids = ids_of(want);
  BOOST_TEST_REQUIRE(id_difference(ids_of(rows), want_ids) == "");
  BOOST_TEST(row_difference(rows, want) == "");
  const int pages = static_cast<int>((want.size() + kPerPage - 1) / kPerPage);
  BOOST_TEST(records["pages"] == pages);
  BOOST_TEST(records["token_pages"] == pages - 1);
  // The simulator saw the walk as the SDK's: no `page`, one page_token per page after the first.
  std::set<std::string> tokens;
  for (const auto& entry : run().log) {
    if (entry["kind"] != "list") continue;
    BOOST_TEST(!entry["query"].contains("page"), entry.dump());
    if (entry["status"] == 200 && entry["query"].contains("page_token")) {
      tokens.insert(entry["query"]["page_token"].get<std::string>());
    }
  }
  BOOST_TEST(tokens.size() == static_cast<std::size_t>(pages - 1));
}

BOOST_AUTO_TEST_CASE(converted_true_gives_converted_leads_only) {
  std::vector<std::string> want;
  for (const auto& lead : run().leads()) {
    if (lead["Converted__s"] == true) want.push_back(lead["id"].get<std::string>());
  }
  std::sort(want.begin(), want.end(), [](const auto& a, const auto& b) { return id_less(b, a); });
  want.resize(std::min<std::size_t>(want.size(), kPerPage));
  BOOST_TEST(id_difference(ids_of(run().check("converted")["ids"]), want) == "");
}

BOOST_AUTO_TEST_CASE(coql_pages_by_limit_offset_and_answers_no_rows_with_204) {
  std::vector<json> want;
  for (const auto& lead : run().leads()) {
    if (lead["Lead_Source"] == "VanillaSoft") {
      want.push_back({lead["id"], lead["Company"], lead["Converted__s"]});
    }
  }
  std::sort(want.begin(), want.end(), [](const json& a, const json& b) {
    return id_less(a[0], b[0]);  // order by id (ascending)
  });
  BOOST_TEST_REQUIRE(want.size() > static_cast<std::size_t>(kCoqlLimit));
  const json& coql = run().check("coql");
  BOOST_TEST_REQUIRE(id_difference(ids_of(coql["rows"]), ids_of(want)) == "");
  BOOST_TEST(row_difference(coql["rows"], want) == "");
  BOOST_TEST(coql["calls"] == (want.size() + kCoqlLimit - 1) / kCoqlLimit);
  BOOST_TEST(run().check("coql_empty")["status"] == 204);
  BOOST_TEST(run().check("coql_empty")["object"] == true);
}

BOOST_AUTO_TEST_CASE(if_modified_since_as_the_sdk_sends_it) {
  const auto since = zoho_sim::parse_iso_datetime(run().since);
  BOOST_TEST_REQUIRE(since.has_value());
  std::vector<std::string> want;
  for (const auto& lead : run().leads()) {
    if (modified(lead) > *since) want.push_back(lead["id"].get<std::string>());
  }
  BOOST_TEST_REQUIRE((!want.empty() && want.size() <= static_cast<std::size_t>(kPerPage)));
  const json& check = run().check("modified_since");
  BOOST_TEST(check["status"] == 200);
  BOOST_TEST(check["more_records"] == false);
  std::vector<std::string> got = ids_of(check["ids"]);
  std::sort(got.begin(), got.end(), id_less);
  std::sort(want.begin(), want.end(), id_less);
  BOOST_TEST(id_difference(got, want) == "");
  BOOST_TEST(check["latest_status"] == 304);
}

// Each 401 is a token that died (the planted fault), followed by exactly one grant and a retry of
// the same request with the new token, which succeeds.
BOOST_AUTO_TEST_CASE(a_401_is_answered_by_one_refresh_and_a_successful_retry) {
  const std::vector<json>& log = run().log;
  int unauthorized = 0;
  int grants = 0;
  for (std::size_t i = 0; i < log.size(); ++i) {
    if (log[i]["kind"] == "token") ++grants;
    if (log[i]["status"] != 401) continue;
    ++unauthorized;
    BOOST_TEST(log[i]["error"] == "INVALID_TOKEN");
    BOOST_TEST(log[i]["fault"] == "token_expiry");
    BOOST_TEST_REQUIRE(i + 2 < log.size(), "the log ends after a 401");
    BOOST_TEST(log[i + 1]["token_outcome"] == "granted", log[i + 1].dump());
    const json& retry = log[i + 2];
    BOOST_TEST(retry["path"] == log[i]["path"]);
    BOOST_TEST(retry["query"] == log[i]["query"]);
    BOOST_TEST(retry["auth"] != log[i]["auth"]);
    BOOST_TEST(retry["status"].get<int>() < 400, retry.dump());
  }
  int api_calls = 0;
  for (const auto& entry : log) api_calls += entry["api_call"] == true;
  BOOST_TEST(unauthorized == api_calls / (kTokenExpiryEvery + 1));
  BOOST_TEST(unauthorized >= 2);
  BOOST_TEST(grants == unauthorized + 1);
  BOOST_TEST(run().check("refresh")["invalid_token_replies"] == unauthorized);
}

}  // namespace
}  // namespace hades
