// The simulator over real HTTP: an in-process server on a free port of 127.0.0.1, driven with
// the hades::net client; one test also runs the zoho_sim binary, and one the generator.
//
// Most tests use make_org(2500): 2,250 visible (unconverted) leads, 250 converted ones.

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "process.h"
#include "sim_client.h"
#include "test_support.h"

namespace hades::zoho_sim {
namespace {

using nlohmann::json;
using testing::body_json;
using testing::kClientSecret;
using testing::kRefreshToken;
using testing::lead_id;
using testing::make_org;
using testing::RunningSim;

std::string encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Follows page tokens from `target` (which has no page parameter) to the end.
std::vector<json> walk(RunningSim& sim, const std::string& target, int* calls = nullptr) {
  std::vector<json> rows;
  std::string next = target;
  for (int guard = 0; guard < 1000; ++guard) {
    const HttpResponse r = sim.api_get(next);
    if (calls != nullptr) ++*calls;
    if (r.status == 204) break;
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    const json body = body_json(r);
    for (const auto& row : body["data"]) rows.push_back(row);
    if (!body["info"]["more_records"].get<bool>()) break;
    next = target + "&page_token=" + body["info"]["next_page_token"].get<std::string>();
  }
  return rows;
}

json stats(RunningSim& sim) { return body_json(sim.request("GET", "/__sim/stats")); }

json control(RunningSim& sim, const std::string& what, const json& body) {
  const HttpResponse r = sim.request("POST", "/__sim/" + what, {}, body.dump());
  BOOST_TEST_REQUIRE(r.status == 200, r.body);
  return body_json(r);
}

SimulatorOptions with_faults(const std::string& spec) {
  SimulatorOptions options;
  std::string why;
  BOOST_TEST_REQUIRE(FaultSpec::parse(spec, options.faults, why), why);
  return options;
}

// Sends `calls` list requests with `token`; a transport failure (a reset) shows as status 0.
std::vector<HttpResponse> list_calls(RunningSim& sim, const std::string& token, int calls) {
  std::vector<HttpResponse> replies;
  for (int i = 0; i < calls; ++i) {
    auto result = sim.send("GET", "/crm/v8/Leads?fields=Company",
                           {{"Authorization", "Zoho-oauthtoken " + token}});
    replies.push_back(result.ok() ? std::move(result).value() : HttpResponse{});
  }
  return replies;
}

std::vector<int> statuses(const std::vector<HttpResponse>& replies) {
  std::vector<int> out;
  for (const auto& r : replies) out.push_back(r.status);
  return out;
}

constexpr const char* kInvalidToken =
    R"({"code":"INVALID_TOKEN","details":{},"message":"invalid oauth token","status":"error"})";

// ---- OAuth ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(oauth)

BOOST_AUTO_TEST_CASE(grant_returns_a_token_and_points_api_domain_back_at_the_simulator) {
  RunningSim sim(make_org(10));
  const HttpResponse r = sim.token_request();
  BOOST_TEST(r.status == 200);
  const json body = body_json(r);
  BOOST_TEST(body["access_token"].get<std::string>().starts_with("1000."));
  BOOST_TEST(body["expires_in"] == 3600);
  BOOST_TEST(body["token_type"] == "Bearer");
  BOOST_TEST(body["api_domain"] == "http://127.0.0.1:" + std::to_string(sim.port()));
  BOOST_TEST(!body.contains("refresh_token"));
}

BOOST_AUTO_TEST_CASE(failures_come_as_http_200_with_an_error) {
  RunningSim sim(make_org(10));
  HttpResponse r = sim.token_request(kRefreshToken, "wrong-secret");
  BOOST_TEST(r.status == 200);
  BOOST_TEST(body_json(r) == json({{"error", "invalid_client"}}));
  r = sim.token_request("1000.not.a.token");
  BOOST_TEST(r.status == 200);
  BOOST_TEST(body_json(r) == json({{"error", "invalid_code"}}));
  r = sim.request("POST", "/oauth/v2/token", {}, "grant_type=authorization_code");
  BOOST_TEST(body_json(r)["error"] == "unsupported_grant_type");
  // Parameters in the query string, as Zoho's own examples send them, work too.
  r = sim.request("POST", "/oauth/v2/token?grant_type=refresh_token&client_id=" +
                              std::string(testing::kClientId) +
                              "&client_secret=" + std::string(kClientSecret) +
                              "&refresh_token=" + std::string(kRefreshToken));
  BOOST_TEST(body_json(r).contains("access_token"));
}

// Zoho's Node SDK refreshes (and revokes) with multipart/form-data bodies, which Zoho accepts.
BOOST_AUTO_TEST_CASE(token_requests_may_come_as_multipart_form_data) {
  RunningSim sim(make_org(10));
  const std::string boundary = "--------------------------759430657119145490519738";
  const auto multipart = [&boundary](const std::vector<std::pair<std::string, std::string>>& f) {
    std::string body;
    for (const auto& [name, value] : f) {
      body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name +
              "\"\r\n\r\n" + value + "\r\n";
    }
    return body + "--" + boundary + "--\r\n";
  };
  const HttpHeaders type = {{"Content-Type", "multipart/form-data; boundary=" + boundary}};
  const HttpResponse r = sim.request("POST", "/oauth/v2/token", type,
                                     multipart({{"client_id", std::string(testing::kClientId)},
                                                {"client_secret", std::string(kClientSecret)},
                                                {"grant_type", "refresh_token"},
                                                {"refresh_token", std::string(kRefreshToken)}}));
  BOOST_TEST(r.status == 200);
  BOOST_TEST(body_json(r).contains("access_token"), r.body);
  // The same body read as urlencoded (no Content-Type) has no grant_type: the old failure.
  BOOST_TEST(body_json(sim.request("POST", "/oauth/v2/token", {},
                                   multipart({{"grant_type", "refresh_token"}})))["error"] ==
             "unsupported_grant_type");
  BOOST_TEST(body_json(sim.token_request()).contains("access_token"));  // urlencoded still works
  sim.request("POST", "/oauth/v2/token/revoke", type,
              multipart({{"token", std::string(kRefreshToken)}}));
  BOOST_TEST(body_json(sim.token_request()) == json({{"error", "invalid_code"}}));
}

BOOST_AUTO_TEST_CASE(revoking_the_refresh_token_kills_it_and_its_access_tokens) {
  RunningSim sim(make_org(10));
  sim.grant();
  BOOST_TEST(sim.api_get("/crm/v8/Leads?fields=Company").status == 200);
  control(sim, "revoke", {{"refresh_token", kRefreshToken}});
  BOOST_TEST(body_json(sim.token_request()) == json({{"error", "invalid_code"}}));
  const HttpResponse r = sim.api_get("/crm/v8/Leads?fields=Company");
  BOOST_TEST(r.status == 401);
  BOOST_TEST(r.body == kInvalidToken);
}

BOOST_AUTO_TEST_CASE(more_than_ten_grants_in_ten_minutes_are_denied) {
  RunningSim sim(make_org(10));
  for (int i = 0; i < 10; ++i) BOOST_TEST(body_json(sim.token_request()).contains("access_token"));
  const HttpResponse r = sim.token_request();
  BOOST_TEST(r.status == 400);
  BOOST_TEST(body_json(r) ==
             json({{"error", "Access Denied"},
                   {"error_description",
                    "You have made too many requests continuously. Please try again after some "
                    "time."}}));
  control(sim, "advance_clock", {{"seconds", 601}});
  BOOST_TEST(body_json(sim.token_request()).contains("access_token"));
  BOOST_TEST(stats(sim)["token_outcomes"]["throttled"] == 1);
}

BOOST_AUTO_TEST_CASE(the_sixteenth_live_token_kills_the_oldest) {
  SimulatorOptions options;
  options.oauth.throttle_limit = 100;
  RunningSim sim(make_org(10), options);
  std::vector<std::string> tokens;
  for (int i = 0; i < 16; ++i) tokens.push_back(body_json(sim.token_request())["access_token"]);
  const auto call = [&sim](const std::string& token) {
    return sim.request("GET", "/crm/v8/Leads?fields=Company",
                       {{"Authorization", "Zoho-oauthtoken " + token}});
  };
  BOOST_TEST(call(tokens[0]).status == 401);
  BOOST_TEST(call(tokens[1]).status == 200);
  BOOST_TEST(call(tokens[15]).status == 200);
  BOOST_TEST(stats(sim)["live_access_tokens"] == 15);
}

BOOST_AUTO_TEST_CASE(tokens_expire_after_their_ttl_and_legacy_replies_use_milliseconds) {
  SimulatorOptions options;
  options.oauth.token_ttl = std::chrono::seconds(60);
  options.oauth.legacy_expires_in = true;
  RunningSim sim(make_org(10), options);
  const json body = body_json(sim.token_request());
  BOOST_TEST(body["expires_in"] == 60000);
  BOOST_TEST(body["expires_in_sec"] == 60);
  sim.grant();
  BOOST_TEST(sim.api_get("/crm/v8/Leads?fields=Company").status == 200);
  control(sim, "advance_clock", {{"seconds", 61}});
  BOOST_TEST(sim.api_get("/crm/v8/Leads?fields=Company").body == kInvalidToken);
}

// Zoho's SDKs ask for the current user (and the org, and module metadata) unless told not to; a
// token with the simulator's scope may not read them. They are not modules (INVALID_MODULE).
BOOST_AUTO_TEST_CASE(endpoints_outside_the_granted_scope_answer_oauth_scope_mismatch) {
  RunningSim sim(make_org(10));
  // Authentication comes first.
  BOOST_TEST(body_json(sim.request("GET", "/crm/v8/users?type=CurrentUser"))["code"] ==
             "AUTHENTICATION_FAILURE");
  sim.grant();
  for (const std::string target :
       {"/crm/v8/users?type=CurrentUser", "/crm/v8/org", "/crm/v2/settings/modules"}) {
    const HttpResponse r = sim.api_get(target);
    BOOST_TEST(r.status == 401, target);
    BOOST_TEST(r.body == R"({"code":"OAUTH_SCOPE_MISMATCH","details":{},)"
                         R"("message":"invalid oauth scope to access this URL","status":"error"})",
               target);
  }
  BOOST_TEST(stats(sim)["kinds"]["out_of_scope"] == 4);
  BOOST_TEST(stats(sim)["credits_used"] == 0);
}

BOOST_AUTO_TEST_CASE(api_calls_need_the_zoho_oauthtoken_scheme) {
  RunningSim sim(make_org(10));
  const std::string token = sim.grant();
  const std::string target = "/crm/v8/Leads?fields=Company";
  HttpResponse r = sim.request("GET", target);
  BOOST_TEST(r.status == 401);
  BOOST_TEST(body_json(r)["code"] == "AUTHENTICATION_FAILURE");
  r = sim.request("GET", target, {{"Authorization", "Bearer " + token}});
  BOOST_TEST(r.status == 401);
  r = sim.request("GET", target, {{"Authorization", "Zoho-oauthtoken 1000.forged"}});
  BOOST_TEST(r.status == 401);
  BOOST_TEST(r.body == kInvalidToken);
  BOOST_TEST(sim.request("GET", target, {{"Authorization", "Zoho-oauthtoken " + token}}).status ==
             200);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- list records --------------------------------------------------------------------------

struct Org2500 {
  Org2500() { sim.grant(); }
  RunningSim sim{make_org(2500)};
};

BOOST_FIXTURE_TEST_SUITE(list_records, Org2500)

BOOST_AUTO_TEST_CASE(fields_are_mandatory_known_and_at_most_fifty) {
  HttpResponse r = sim.api_get("/crm/v8/Leads");
  BOOST_TEST(r.status == 400);
  BOOST_TEST(body_json(r)["code"] == "REQUIRED_PARAM_MISSING");
  r = sim.api_get("/crm/v8/Leads?fields=Company,Nope");
  BOOST_TEST(r.status == 400);
  BOOST_TEST(body_json(r)["code"] == "INVALID_DATA");
  BOOST_TEST(body_json(r)["details"]["api_name"] == "Nope");
  std::string many;
  for (int i = 0; i < 51; ++i) many += (i ? "," : "") + std::string("F") + std::to_string(i);
  r = sim.api_get("/crm/v8/Leads?fields=" + many);
  BOOST_TEST(r.status == 400);
  BOOST_TEST(body_json(r)["code"] == "LIMIT_EXCEEDED");
}

BOOST_AUTO_TEST_CASE(records_have_string_ids_lookups_nulls_and_offsets) {
  const HttpResponse r = sim.api_get(
      "/crm/v8/Leads?fields=Company,No_of_Employees,Converted_Deal,Modified_Time,Converted__s"
      "&converted=true&sort_order=asc&per_page=1");
  const json body = body_json(r);
  const json& lead = body["data"][0];
  BOOST_TEST(lead["id"] == lead_id(0));
  BOOST_TEST(lead["No_of_Employees"].is_null());
  BOOST_TEST(lead["Converted_Deal"]["name"] == "Deal 0");
  BOOST_TEST(lead["Converted_Deal"]["id"].is_string());
  BOOST_TEST(lead["Modified_Time"] == "2025-01-01T01:00:00-05:00");
  BOOST_TEST(lead["Converted__s"] == true);
  BOOST_TEST(lead.size() == 6u);
  const json& info = body["info"];
  for (const char* key : {"per_page", "count", "page", "more_records", "next_page_token",
                          "previous_page_token", "page_token_expiry", "sort_by", "sort_order"}) {
    BOOST_TEST(info.contains(key), key);
  }
  BOOST_TEST(info["count"] == 1);
  BOOST_TEST(info["sort_by"] == "id");
  BOOST_TEST(info["previous_page_token"].is_null());
}

BOOST_AUTO_TEST_CASE(pages_reach_only_the_first_2000_records) {
  HttpResponse r = sim.api_get("/crm/v8/Leads?fields=Company&per_page=500");
  BOOST_TEST(body_json(r)["info"]["per_page"] == 200);  // clamped
  BOOST_TEST(body_json(r)["data"].size() == 200u);
  std::set<std::string> ids;
  for (int page = 1; page <= 10; ++page) {
    r = sim.api_get("/crm/v8/Leads?fields=Company&sort_order=asc&page=" + std::to_string(page));
    BOOST_TEST_REQUIRE(r.status == 200);
    const json body = body_json(r);
    for (const auto& row : body["data"]) ids.insert(row["id"]);
    BOOST_TEST(body_json(r)["info"]["page"] == page);
  }
  BOOST_TEST(ids.size() == 2000u);
  r = sim.api_get("/crm/v8/Leads?fields=Company&sort_order=asc&page=11");
  BOOST_TEST(r.status == 400);
  BOOST_TEST(r.body ==
             R"({"code":"DISCRETE_PAGINATION_LIMIT_EXCEEDED","details":{"limit":2000},)"
             R"("message":"You can only get the first 2000 records without using page_token )"
             R"(param","status":"error"})");
  r = sim.api_get("/crm/v8/Leads?fields=Company&per_page=100&page=21");
  BOOST_TEST(body_json(r)["code"] == "DISCRETE_PAGINATION_LIMIT_EXCEEDED");
}

BOOST_AUTO_TEST_CASE(page_tokens_go_past_2000_and_are_bound_to_every_parameter) {
  const std::string target = "/crm/v8/Leads?fields=Company&sort_order=asc&per_page=200";
  const std::vector<json> rows = walk(sim, target);
  std::set<std::string> ids;
  for (const auto& row : rows) ids.insert(row["id"]);
  BOOST_TEST(rows.size() == 2250u);
  BOOST_TEST(ids.size() == 2250u);
  BOOST_TEST(rows.front()["id"] == lead_id(1));
  // Page 10 hands out a token for record 2001 onwards.
  const json page10 = body_json(sim.api_get(target + "&page=10"));
  const std::string token = page10["info"]["next_page_token"];
  BOOST_TEST(!page10["info"]["page_token_expiry"].is_null());
  const json page11 = body_json(sim.api_get(target + "&page_token=" + token));
  BOOST_TEST(page11["data"][0]["id"] == rows[2000]["id"]);
  BOOST_TEST(page11["info"]["page"] == 11);
  BOOST_TEST(page11["info"]["previous_page_token"].is_string());
  HttpResponse r = sim.api_get(
      "/crm/v8/Leads?fields=Company&sort_order=asc&per_page=100"
      "&page_token=" +
      token);
  BOOST_TEST(r.status == 400);
  BOOST_TEST(body_json(r)["code"] == "TOKEN_BOUND_DATA_MISMATCH");
  r = sim.api_get(target + "&converted=both&page_token=" + token);
  BOOST_TEST(body_json(r)["code"] == "TOKEN_BOUND_DATA_MISMATCH");
  r = sim.api_get(target + "&page=2&page_token=" + token);
  BOOST_TEST(body_json(r)["code"] == "AMBIGUITY_DURING_PROCESSING");
  r = sim.api_get(target + "&page_token=nonsense");
  BOOST_TEST(body_json(r)["code"] == "INVALID_DATA");
  control(sim, "expire_page_tokens", json::object());
  r = sim.api_get(target + "&page_token=" + token);
  BOOST_TEST(r.status == 400);
  BOOST_TEST(body_json(r)["code"] == "EXPIRED_VALUE");
}

BOOST_AUTO_TEST_CASE(page_tokens_expire_after_a_day) {
  const std::string target = "/crm/v8/Leads?fields=Company";
  const std::string token = body_json(sim.api_get(target))["info"]["next_page_token"];
  control(sim, "advance_clock", {{"seconds", 86401}});
  sim.grant();  // the access token expired too
  BOOST_TEST(body_json(sim.api_get(target + "&page_token=" + token))["code"] == "EXPIRED_VALUE");
}

BOOST_AUTO_TEST_CASE(converted_leads_are_hidden_unless_asked_for) {
  const std::string target = "/crm/v8/Leads?fields=Converted__s";
  BOOST_TEST(walk(sim, target).size() == 2250u);
  BOOST_TEST(walk(sim, target + "&converted=false").size() == 2250u);
  const auto converted = walk(sim, target + "&converted=true");
  BOOST_TEST(converted.size() == 250u);
  BOOST_TEST(converted.front()["Converted__s"] == true);
  BOOST_TEST(walk(sim, target + "&converted=both").size() == 2500u);
  BOOST_TEST(body_json(sim.api_get(target + "&converted=maybe"))["code"] == "INVALID_DATA");
}

BOOST_AUTO_TEST_CASE(no_rows_is_204_with_an_empty_body) {
  HttpResponse r = sim.api_get("/crm/v8/Empty?fields=Name");
  BOOST_TEST(r.status == 204);
  BOOST_TEST(r.body.empty());
  r = sim.api_get("/crm/v8/Deals?fields=Deal_Name&page=2");  // 250 deals: page 2 exists
  BOOST_TEST(r.status == 200);
  r = sim.api_get("/crm/v8/Deals?fields=Deal_Name&page=3");
  BOOST_TEST(r.status == 204);
}

BOOST_AUTO_TEST_CASE(if_modified_since_returns_only_changes_or_304) {
  const std::string target = "/crm/v8/Leads?fields=Company,Modified_Time&converted=both";
  // Lead 2499 was modified last, at 2025-01-02T18:39:00-05:00.
  HttpResponse r = sim.api_get(target, {{"If-Modified-Since", "2025-01-02T18:39:00-05:00"}});
  BOOST_TEST(r.status == 304);
  BOOST_TEST(r.body.empty());
  r = sim.api_get(target, {{"If-Modified-Since", "2025-01-02T23:37:00+00:00"}});
  BOOST_TEST(body_json(r)["data"].size() == 2u);  // the last two leads
  control(sim, "modify",
          {{"module", "Leads"}, {"id", lead_id(7)}, {"fields", {{"Company", "Renamed"}}}});
  r = sim.api_get(target, {{"If-Modified-Since", "2025-01-02T18:39:00-05:00"}});
  BOOST_TEST_REQUIRE(r.status == 200);
  const json data = body_json(r)["data"];
  BOOST_TEST(data.size() == 1u);
  BOOST_TEST(data[0]["id"] == lead_id(7));
  BOOST_TEST(data[0]["Company"] == "Renamed");
  r = sim.api_get(target, {{"If-Modified-Since", "Tue, 31 Dec 2030 00:00:00 GMT"}});
  BOOST_TEST(r.status == 304);
  BOOST_TEST(body_json(sim.api_get(target, {{"If-Modified-Since", "yesterday"}}))["code"] ==
             "INVALID_DATA");
}

BOOST_AUTO_TEST_CASE(sorting_by_modified_time) {
  control(sim, "modify", {{"module", "Leads"}, {"id", lead_id(3)}, {"fields", json::object()}});
  const json body = body_json(sim.api_get("/crm/v8/Leads?fields=Company&sort_by=Modified_Time"));
  BOOST_TEST(body["data"][0]["id"] == lead_id(3));  // desc by default: the newest first
  BOOST_TEST(body["info"]["sort_by"] == "Modified_Time");
  BOOST_TEST(body_json(sim.api_get("/crm/v8/Leads?fields=Company&sort_by=Company"))["code"] ==
             "INVALID_DATA");
}

BOOST_AUTO_TEST_CASE(unknown_modules_and_urls) {
  HttpResponse r = sim.api_get("/crm/v8/Nope?fields=Name");
  BOOST_TEST(r.status == 400);
  BOOST_TEST(r.body == R"({"code":"INVALID_MODULE","details":{},"message":"the module name given )"
                       R"(seems to be invalid","status":"error"})");
  BOOST_TEST(sim.api_get("/crm/v9/Leads?fields=Company").status == 404);
  BOOST_TEST(sim.api_get("/crm/v1/Leads?fields=Company").status == 404);
  BOOST_TEST(sim.api_get("/crm/v7/Leads?fields=Company").status == 200);
  BOOST_TEST(sim.api_get("/crm/v2/Leads?fields=Company").status == 200);
  BOOST_TEST(body_json(sim.api_get("/crm/v8/Leads/a/b"))["code"] == "INVALID_URL_PATTERN");
  BOOST_TEST(sim.api_get("/elsewhere").status == 404);
}

// ---- search, COQL, metadata ----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(search_is_capped_at_2000_and_v7_equals_means_contains) {
  const std::string criteria = encode("(Lead_Source:equals:VanillaSoft)");
  HttpResponse r = sim.api_get("/crm/v8/Leads/search?criteria=" + criteria + "&page=3");
  BOOST_TEST_REQUIRE(r.status == 200);
  BOOST_TEST(body_json(r)["info"]["more_records"] == false);  // 625 VanillaSoft leads, 500 visible
  BOOST_TEST(body_json(r)["data"].size() == 100u);
  const std::string legacy =
      encode("((Lead_Source:equals:VanillaSoft)and(Lead_Source:starts_with:VanillaSoft L))");
  BOOST_TEST(sim.api_get("/crm/v8/Leads/search?criteria=" + legacy).status == 204);
  r = sim.api_get("/crm/v7/Leads/search?criteria=" + legacy + "&fields=Lead_Source");
  BOOST_TEST_REQUIRE(r.status == 200);
  BOOST_TEST(body_json(r)["data"][0]["Lead_Source"] == "VanillaSoft Legacy");
  r = sim.api_get("/crm/v8/Leads/search?criteria=" + encode("(Company:starts_with:Company)") +
                  "&page=11");
  BOOST_TEST(r.status == 400);
  BOOST_TEST(body_json(r)["code"] == "LIMIT_REACHED");
  r = sim.api_get("/crm/v8/Leads/search?criteria=" + criteria + "&page_token=x");
  BOOST_TEST(r.status == 400);
  BOOST_TEST(body_json(sim.api_get("/crm/v8/Leads/search"))["code"] == "REQUIRED_PARAM_MISSING");
}

BOOST_AUTO_TEST_CASE(coql_over_http) {
  HttpResponse r =
      sim.coql("select Company from Leads where Lead_Source = 'VanillaSoft' limit 0, 2000");
  BOOST_TEST_REQUIRE(r.status == 200);
  json body = body_json(r);
  BOOST_TEST(body["data"].size() == 500u);
  BOOST_TEST(body["info"] == json({{"count", 500}, {"more_records", false}}));
  r = sim.coql("select Company from Leads where Lead_Source like '%nothing%'");
  BOOST_TEST(r.status == 204);
  BOOST_TEST(r.body.empty());
  r = sim.coql("select Company from Leads where");
  BOOST_TEST(r.status == 400);
  BOOST_TEST(body_json(r)["code"] == "SYNTAX_ERROR");
  r = sim.request("POST", "/crm/v8/coql", {{"Authorization", "Zoho-oauthtoken " + sim.grant()}},
                  "{}");
  BOOST_TEST(body_json(r)["code"] == "REQUIRED_PARAM_MISSING");
  // Zoho's Node SDK posts the query with no Content-Type at all.
  r = sim.request("POST", "/crm/v8/coql", {{"Authorization", "Zoho-oauthtoken " + sim.grant()}},
                  R"({"select_query":"select Company from Leads where id is not null limit 3"})");
  BOOST_TEST(r.status == 200);
  BOOST_TEST(body_json(r)["data"].size() == 3u);
  // Credits: LIMIT 1-200 costs 1, 201-1000 costs 2, 1001-2000 costs 3.
  const std::int64_t before = stats(sim)["credits_used"];
  sim.coql("select Company from Leads where id is not null limit 200");
  sim.coql("select Company from Leads where id is not null limit 1000");
  sim.coql("select Company from Leads where id is not null limit 2000");
  BOOST_TEST(stats(sim)["credits_used"].get<std::int64_t>() - before == 6);
}

BOOST_AUTO_TEST_CASE(field_metadata) {
  HttpResponse r = sim.api_get("/crm/v8/settings/fields?module=Leads");
  BOOST_TEST_REQUIRE(r.status == 200);
  const json fields = body_json(r)["fields"];
  BOOST_TEST(fields.size() == 10u);
  bool saw_lookup = false;
  for (const auto& f : fields) {
    BOOST_TEST(f.contains("api_name"));
    BOOST_TEST(f.contains("data_type"));
    BOOST_TEST(f["custom_field"].is_boolean());
    if (f["api_name"] == "Converted_Deal") {
      saw_lookup = true;
      BOOST_TEST(f["data_type"] == "lookup");
      BOOST_TEST(f["lookup"]["module"]["api_name"] == "Deals");
    }
  }
  BOOST_TEST(saw_lookup);
  BOOST_TEST(body_json(sim.api_get("/crm/v8/settings/fields"))["code"] == "REQUIRED_PARAM_MISSING");
  BOOST_TEST(body_json(sim.api_get("/crm/v8/settings/fields?module=Nope"))["code"] ==
             "INVALID_MODULE");
}

BOOST_AUTO_TEST_CASE(control_endpoints_insert_modify_and_read_records) {
  const json inserted = control(
      sim, "insert",
      {{"module", "Leads"}, {"record", {{"Company", "Fresh Co"}, {"Lead_Source", "VanillaSoft"}}}});
  const std::string id = inserted["id"];
  BOOST_TEST(id.size() == 19u);
  HttpResponse r = sim.coql("select Company from Leads where Company = 'Fresh Co'");
  BOOST_TEST(body_json(r)["data"][0]["id"] == id);
  control(sim, "modify",
          {{"module", "Leads"}, {"id", id}, {"fields", {{"Lead_Status", "Contacted"}}}});
  r = sim.request("GET", "/__sim/record?module=Leads&id=" + id);
  BOOST_TEST(body_json(r)["Lead_Status"] == "Contacted");
  BOOST_TEST(body_json(r)["Lead_Source"] == "VanillaSoft");
  BOOST_TEST(sim.request("POST", "/__sim/modify", {}, R"({"module":"Leads","id":"1","fields":{}})")
                 .status == 404);
  BOOST_TEST(sim.request("POST", "/__sim/insert", {}, R"({"module":"Leads","record":{"Nope":1}})")
                 .status == 400);
  BOOST_TEST(stats(sim)["inserted_ids"]["Leads"].size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(page_token_chains_stop_at_100000_records) {
  // Driven through Simulator::handle: 500 pages over HTTP would only add time.
  json data = make_org(0);
  json records = json::array();
  for (int i = 0; i < 100050; ++i)
    records.push_back({{"id", std::to_string(4150868000100000000LL + i)}, {"Name", "x"}});
  data["modules"]["Big"] = {{"fields", {{{"api_name", "Name"}, {"data_type", "text"}}}},
                            {"records", std::move(records)}};
  Simulator sim(data, SimulatorOptions{});
  const auto send = [&sim](const std::string& method, const std::string& target,
                           const std::string& body, const Headers& headers) {
    SimRequest request{method, target, headers, body};
    return sim.handle(request);
  };
  const SimResponse grant =
      send("POST", "/oauth/v2/token",
           "grant_type=refresh_token&client_id=" + std::string(testing::kClientId) +
               "&client_secret=" + std::string(kClientSecret) +
               "&refresh_token=" + std::string(kRefreshToken),
           {});
  const Headers auth = {
      {"Authorization",
       "Zoho-oauthtoken " + json::parse(grant.body)["access_token"].get<std::string>()}};
  const std::string target = "/crm/v8/Big?fields=Name&per_page=200&sort_order=asc";
  std::string next = target;
  std::int64_t rows = 0;
  json info;
  for (int page = 0; page < 500; ++page) {
    const SimResponse r = send("GET", next, "", auth);
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    const json body = json::parse(r.body);
    rows += body["info"]["count"].get<std::int64_t>();
    info = body["info"];
    next = target + "&page_token=" + info["next_page_token"].get<std::string>();
  }
  BOOST_TEST(rows == 100000);
  BOOST_TEST(info["more_records"] == true);
  const SimResponse r = send("GET", next, "", auth);
  BOOST_TEST(r.status == 400);
  BOOST_TEST(json::parse(r.body)["code"] == "PAGINATION_LIMIT_EXCEEDED");
}

// ---- faults --------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(faults)

// What a client must never print: a token in a garbled grant, a header echoed in an error.
BOOST_AUTO_TEST_CASE(garbled_grants_and_echoed_headers_carry_the_token) {
  RunningSim sim(make_org(10), with_faults("token_garbled=@2,echo_auth=@2"));
  const std::string token = sim.grant();
  const HttpResponse garbled = sim.token_request();
  BOOST_TEST(garbled.status == 200);
  BOOST_TEST(json::parse(garbled.body, nullptr, false).is_discarded(), garbled.body);
  BOOST_TEST(garbled.body.find("\"access_token\":\"1000.") != std::string::npos, garbled.body);
  const auto replies = list_calls(sim, token, 2);
  BOOST_TEST((statuses(replies) == std::vector<int>{200, 400}));
  const json echoed = body_json(replies[1]);
  BOOST_TEST(echoed["code"] == "INVALID_REQUEST");
  BOOST_TEST(echoed["details"]["request_headers"]["Authorization"] == "Zoho-oauthtoken " + token);
  BOOST_TEST(echoed["message"].get<std::string>().find(token) != std::string::npos);
  BOOST_TEST(stats(sim)["faults"] == json({{"echo_auth", 1}, {"token_garbled", 1}}));
}

BOOST_AUTO_TEST_CASE(each_scheduled_fault_fires_on_its_call) {
  RunningSim sim(make_org(50), with_faults("http500=@2,http502_html=@3,http503_empty=@4,reset=@5,"
                                           "burst429=2@6,storm401=@8"));
  const auto replies = list_calls(sim, sim.grant(), 9);
  BOOST_TEST((statuses(replies) == std::vector<int>{200, 500, 502, 503, 0, 429, 429, 401, 200}));
  BOOST_TEST(body_json(replies[1])["code"] == "INTERNAL_ERROR");
  BOOST_TEST(replies[2].body.find("<html>") != std::string::npos);
  BOOST_TEST(replies[2].header("Content-Type").value_or("") == "text/html");
  BOOST_TEST(replies[3].body.empty());
  BOOST_TEST(body_json(replies[5])["code"] == "TOO_MANY_REQUESTS");
  BOOST_TEST(!replies[5].header("Retry-After").has_value());
  BOOST_TEST(replies[7].body == kInvalidToken);
  const json faults = stats(sim)["faults"];
  BOOST_TEST(faults == json({{"burst429", 2},
                             {"http500", 1},
                             {"http502_html", 1},
                             {"http503_empty", 1},
                             {"reset", 1},
                             {"storm401", 1}}));
}

BOOST_AUTO_TEST_CASE(probabilistic_faults_repeat_for_a_seed) {
  const auto run = [](const std::string& spec) {
    RunningSim sim(make_org(20), with_faults(spec));
    return statuses(list_calls(sim, sim.grant(), 40));
  };
  const auto a = run("http500=0.3,http503_empty=0.1,reset=0.1,seed=11");
  BOOST_TEST((a == run("http500=0.3,http503_empty=0.1,reset=0.1,seed=11")));
  BOOST_TEST((a != run("http500=0.3,http503_empty=0.1,reset=0.1,seed=12")));
  BOOST_TEST(std::count(a.begin(), a.end(), 200) > 10);
  BOOST_TEST(std::count(a.begin(), a.end(), 500) > 3);
}

BOOST_AUTO_TEST_CASE(tokens_die_after_k_calls) {
  RunningSim sim(make_org(20), with_faults("token_expiry_every=3"));
  BOOST_TEST((statuses(list_calls(sim, sim.grant(), 4)) == std::vector<int>{200, 200, 200, 401}));
  BOOST_TEST((statuses(list_calls(sim, sim.grant(), 4)) == std::vector<int>{200, 200, 200, 401}));
  BOOST_TEST(stats(sim)["faults"]["token_expiry"] == 2);
}

BOOST_AUTO_TEST_CASE(slow_replies_and_latency) {
  SimulatorOptions options = with_faults("slow=@2:400ms");
  options.latency = std::chrono::milliseconds(50);
  RunningSim sim(make_org(20), options);
  const std::string token = sim.grant();
  std::vector<double> seconds;
  for (int i = 0; i < 3; ++i) {
    const auto start = std::chrono::steady_clock::now();
    list_calls(sim, token, 1);
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  BOOST_TEST(seconds[0] >= 0.05);
  BOOST_TEST(seconds[0] < 0.4);
  BOOST_TEST(seconds[1] >= 0.45);
  BOOST_TEST(seconds[2] < 0.4);
}

BOOST_AUTO_TEST_CASE(the_concurrency_limit_refuses_the_extra_request_with_429) {
  SimulatorOptions options = with_faults("concurrency=1");
  options.latency = std::chrono::milliseconds(400);
  RunningSim sim(make_org(20), options);
  const std::string token = sim.grant();
  std::vector<int> results(3, -1);
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] {
      auto client = make_http_client();
      HttpRequest request;
      request.url = sim.url("/crm/v8/Leads?fields=Company");
      request.headers = {{"Authorization", "Zoho-oauthtoken " + token}};
      auto reply = client->send(request);
      results[static_cast<std::size_t>(i)] = reply.ok() ? reply.value().status : 0;
    });
  }
  for (auto& t : threads) t.join();
  BOOST_TEST(std::count(results.begin(), results.end(), 200) >= 1);
  BOOST_TEST(std::count(results.begin(), results.end(), 429) >= 1);
  BOOST_TEST(std::count(results.begin(), results.end(), 200) +
                 std::count(results.begin(), results.end(), 429) ==
             3);
  BOOST_TEST(stats(sim)["in_flight_peak"] == 1);
}

BOOST_AUTO_TEST_CASE(records_are_modified_and_inserted_between_pages) {
  RunningSim sim(make_org(1000),
                 with_faults("modify_between_pages=2,modify_count=3,insert_count=1"));
  sim.grant();
  const std::string target =
      "/crm/v8/Leads?fields=Modified_Time&converted=both&sort_by=Modified_Time&sort_order=asc";
  int calls = 0;
  const std::vector<json> rows = walk(sim, target, &calls);
  const json s = stats(sim);
  BOOST_TEST(s["mutations"] == calls / 2);
  BOOST_TEST(s["records_modified"] == 3 * (calls / 2));
  BOOST_TEST(s["inserted_ids"]["Leads"].size() == static_cast<std::size_t>(calls / 2));
  // Records moved to the end while the walk was under way, so some came twice.
  std::set<std::string> unique;
  for (const auto& row : rows) unique.insert(row["id"]);
  BOOST_TEST(rows.size() > unique.size());
  BOOST_TEST(unique.size() >= 1000u);
  // Inserted records follow the module's insert_template.
  const std::string inserted = s["inserted_ids"]["Leads"][0];
  BOOST_TEST(body_json(sim.request(
                 "GET", "/__sim/record?module=Leads&id=" + inserted))["Lead_Source"] == "Web Site");
}

BOOST_AUTO_TEST_CASE(credits_run_out_with_a_distinct_429) {
  RunningSim sim(make_org(20), with_faults("credits=4"));
  const auto replies = list_calls(sim, sim.grant(), 5);
  BOOST_TEST((statuses(replies) == std::vector<int>{200, 200, 200, 200, 429}));
  BOOST_TEST(!replies[0].header("X-API-CREDITS-REMAINING").has_value());
  BOOST_TEST(replies[1].header("X-API-CREDITS-REMAINING").value_or("") == "2");
  BOOST_TEST(replies[3].header("X-API-CREDITS-REMAINING").value_or("") == "0");
  BOOST_TEST(body_json(replies[4])["code"] == "LIMIT_EXCEEDED");
  BOOST_TEST(replies[4].header("X-API-CREDITS-REMAINING").value_or("") == "0");
  control(sim, "reset_limits", json::object());
  BOOST_TEST(sim.api_get("/crm/v8/Leads?fields=Company").status == 200);
}

BOOST_AUTO_TEST_CASE(faults_can_be_replaced_at_run_time) {
  RunningSim sim(make_org(20));
  const std::string token = sim.grant();
  BOOST_TEST((statuses(list_calls(sim, token, 2)) == std::vector<int>{200, 200}));
  control(sim, "faults", {{"spec", "http500=@2"}});  // call numbers restart from the switch
  BOOST_TEST((statuses(list_calls(sim, token, 3)) == std::vector<int>{200, 500, 200}));
  BOOST_TEST(sim.request("POST", "/__sim/faults", {}, R"({"spec":"nonsense=1"})").status == 400);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- request log, binary, generator --------------------------------------------------------

BOOST_AUTO_TEST_CASE(the_request_log_counts_calls_and_holds_no_secrets) {
  hades::testing::TempDir dir;
  SimulatorOptions options = with_faults("http500=@2");
  options.request_log_path = dir.file("requests.jsonl");
  std::string token;
  {
    RunningSim sim(make_org(20), options);
    sim.token_request(kRefreshToken, "wrong");
    token = sim.grant();
    list_calls(sim, token, 3);
    sim.coql("select Company from Leads where id is not null");
    sim.request("GET", "/__sim/stats");
  }
  std::ifstream in(options.request_log_path);
  std::map<std::string, int> counts;
  std::string line;
  std::vector<json> entries;
  while (std::getline(in, line)) entries.push_back(json::parse(line));
  BOOST_TEST_REQUIRE(entries.size() == 7u);
  for (const auto& e : entries) {
    counts["token"] += e["token_request"].get<bool>();
    counts["api"] += e["api_call"].get<bool>();
    for (const char* key : {"method", "path", "query", "module", "status", "fault", "ts", "kind"}) {
      BOOST_TEST(e.contains(key), key);
    }
  }
  BOOST_TEST(counts["token"] == 2);
  BOOST_TEST(counts["api"] == 4);
  BOOST_TEST(entries[0]["token_outcome"] == "invalid_client");
  BOOST_TEST(entries[1]["token_outcome"] == "granted");
  BOOST_TEST(entries[3]["status"] == 500);
  BOOST_TEST(entries[3]["fault"] == "http500");
  BOOST_TEST(entries[5]["select_query"] == "select Company from Leads where id is not null");
  BOOST_TEST(entries[2]["auth"] == secret_hash(token));
  const std::string text = hades::testing::read_file(options.request_log_path);
  for (const std::string& secret :
       {std::string(kClientSecret), std::string(kRefreshToken), token}) {
    BOOST_TEST(text.find(secret) == std::string::npos, "a secret leaked into the log");
  }
}

BOOST_AUTO_TEST_CASE(the_binary_writes_its_port_serves_and_stops_on_sigterm) {
  const char* binary = std::getenv("ZOHO_SIM_BIN");
  BOOST_TEST_REQUIRE(binary != nullptr, "ZOHO_SIM_BIN is not set (run through ctest)");
  hades::testing::TempDir dir;
  hades::testing::write_file(dir.file("org.json"), make_org(30).dump());
  hades::testing::Process process({binary, "--data", dir.file("org.json"), "--port", "0",
                                   "--port-file", dir.file("port"), "--faults", "seed=3"},
                                  dir.path());
  std::string port;
  for (int i = 0; i < 200 && port.empty(); ++i) {
    std::ifstream in(dir.file("port"));
    std::getline(in, port);
    if (port.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  BOOST_TEST_REQUIRE(!port.empty(), "no port file");
  auto client = make_http_client();
  HttpRequest request;
  request.method = "POST";
  request.url = "http://127.0.0.1:" + port + "/oauth/v2/token";
  request.body = "grant_type=refresh_token&client_id=" + std::string(testing::kClientId) +
                 "&client_secret=" + std::string(kClientSecret) +
                 "&refresh_token=" + std::string(kRefreshToken);
  auto reply = client->send(request);
  BOOST_TEST_REQUIRE(reply.ok());
  BOOST_TEST(json::parse(reply.value().body)["api_domain"] == "http://127.0.0.1:" + port);
  process.send(SIGTERM);
  const auto result = process.wait(30);
  BOOST_TEST(result.exit_code == 0, result.err);
  const auto bad = hades::testing::run_process(
      {binary, "--data", dir.file("org.json"), "--faults", "bogus=1"}, dir.path());
  BOOST_TEST(bad.exit_code == 2);
}

// The generator's truth file matches what the simulator serves for its org.
BOOST_AUTO_TEST_CASE(the_generated_org_matches_its_truth_file) {
  const char* generator = std::getenv("ZOHO_SIM_GENERATOR");
  BOOST_TEST_REQUIRE(generator != nullptr, "ZOHO_SIM_GENERATOR is not set (run through ctest)");
  hades::testing::TempDir dir;
  const auto gen =
      hades::testing::run_process({"/usr/bin/env", "python3", generator, "--out",
                                   dir.file("org.json"), "--truth", dir.file("truth.json")},
                                  dir.path());
  BOOST_TEST_REQUIRE(gen.exit_code == 0, gen.err);
  const json truth = json::parse(hades::testing::read_file(dir.file("truth.json")));
  RunningSim sim(json::parse(hades::testing::read_file(dir.file("org.json"))));
  const json& creds = truth["credentials"];
  const HttpResponse granted =
      sim.request("POST", "/oauth/v2/token", {},
                  "grant_type=refresh_token&client_id=" + creds["client_id"].get<std::string>() +
                      "&client_secret=" + creds["client_secret"].get<std::string>() +
                      "&refresh_token=" + creds["refresh_token"].get<std::string>());
  const std::string token = body_json(granted)["access_token"];
  // All VanillaSoft leads, converted or not, paged by id as a COQL client must.
  const auto coql_all = [&](const std::string& select, const std::string& module,
                            const std::string& where) {
    std::vector<json> rows;
    std::string last = "0";
    for (;;) {
      const std::string q = "select " + select + " from " + module + " where (id > '" + last +
                            "' and " + where + ") order by id limit 2000";
      const HttpResponse r =
          sim.request("POST", "/crm/v8/coql", {{"Authorization", "Zoho-oauthtoken " + token}},
                      json{{"select_query", q}}.dump());
      if (r.status == 204) break;
      BOOST_TEST_REQUIRE(r.status == 200, r.body);
      const json body = body_json(r);
      for (const auto& row : body["data"]) rows.push_back(row);
      last = rows.back()["id"];
      if (!body["info"]["more_records"].get<bool>()) break;
    }
    return rows;
  };
  const auto leads =
      coql_all("SIC_Code, Converted__s, Converted_Deal", "Leads",
               "(Lead_Source = 'VanillaSoft' and (Converted__s = true or Converted__s = false))");
  const json& h = truth["historical"];
  BOOST_TEST(leads.size() == h["vanillasoft_leads"].get<std::size_t>());
  BOOST_TEST(leads.size() == 3135u);
  const auto deliveries = coql_all("Deal, Delivery_Date", "Deliveries", "Deal is not null");
  std::map<std::string, int> per_deal;
  for (const auto& d : deliveries) ++per_deal[d["Deal"]["id"].get<std::string>()];
  int converted = 0;
  int delivered = 0;
  std::map<std::string, std::pair<int, int>> per_sic;
  for (const auto& lead : leads) {
    converted += lead["Converted__s"].get<bool>();
    const bool has = lead["Converted_Deal"].is_object() &&
                     per_deal.count(lead["Converted_Deal"]["id"].get<std::string>()) > 0;
    delivered += has;
    std::string digits;
    for (char c : lead["SIC_Code"].is_string() ? lead["SIC_Code"].get<std::string>() : "") {
      if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
    }
    auto& bucket = per_sic[digits.size() >= 4 ? digits.substr(0, 4) : "null"];
    ++bucket.first;
    bucket.second += has;
  }
  BOOST_TEST(converted == h["converted"].get<int>());
  BOOST_TEST(delivered == h["delivered"].get<int>());
  BOOST_TEST(delivered == 319);
  BOOST_TEST(per_sic.size() == h["per_sic"].size());
  for (const auto& [sic, counts] : per_sic) {
    BOOST_TEST(counts.first == h["per_sic"][sic]["leads"].get<int>(), sic);
    BOOST_TEST(counts.second == h["per_sic"][sic]["delivered"].get<int>(), sic);
  }
  // Without naming Converted__s, COQL leaves converted leads out.
  const auto visible = coql_all("Company", "Leads", "Lead_Source = 'VanillaSoft'");
  BOOST_TEST(visible.size() == h["unconverted"].get<std::size_t>());
  // The look-alikes are there to be excluded.
  const auto like =
      coql_all("Lead_Source", "Leads",
               "(Lead_Source like 'Vanilla%' and (Converted__s = true or Converted__s = false))");
  BOOST_TEST(like.size() == leads.size() + h["look_alike_leads"].get<std::size_t>());
}

}  // namespace
}  // namespace hades::zoho_sim
