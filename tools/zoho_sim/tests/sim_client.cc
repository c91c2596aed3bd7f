#include "sim_client.h"

#include <boost/test/unit_test.hpp>
#include <cstdio>

#include "sim_time.h"

namespace hades::zoho_sim::testing {
namespace {

using nlohmann::json;

constexpr std::int64_t kBase = 1735707600;  // 2025-01-01T00:00:00-05:00

json field(const char* name, const char* type, const char* lookup = nullptr) {
  json f = {{"api_name", name}, {"data_type", type}, {"custom_field", false}};
  if (lookup != nullptr) f["lookup_module"] = lookup;
  return f;
}

}  // namespace

std::string lead_id(int i) { return std::to_string(4150868000000001000LL + 3LL * i); }

json make_org(int leads) {
  json lead_records = json::array();
  json deal_records = json::array();
  static const json kSources[] = {"VanillaSoft", "VanillaSoft Legacy", "Web Site", nullptr};
  for (int i = 0; i < leads; ++i) {
    const std::int64_t created = kBase + 60LL * i;
    json lead = {{"id", lead_id(i)},
                 {"Company", i == 0 ? "O'Brien Foods" : "Company " + std::to_string(i)},
                 {"Lead_Source", kSources[i % 4]},
                 {"SIC_Code", i % 3 == 0 ? json("8062-01") : json(" 7011")},
                 {"No_of_Employees", i % 5 == 0 ? json(nullptr) : json(i)},
                 {"Lead_Status", i % 2 == 0 ? "Contacted" : "Not Contacted"},
                 {"HADES_Batch_ID", i % 7 == 0 ? json("HADES-20260211-001") : json(nullptr)},
                 {"Created_Time", format_iso_datetime(created, -300)},
                 {"Modified_Time", format_iso_datetime(created + 3600, -300)},
                 {"Converted__s", i % 10 == 0},
                 {"Converted_Deal", nullptr}};
    if (i % 10 == 0) {
      const std::string deal_id = std::to_string(4150868000900000000LL + i);
      deal_records.push_back({{"id", deal_id},
                              {"Deal_Name", "Deal " + std::to_string(i)},
                              {"Stage", "Closed Won"},
                              {"Created_Time", format_iso_datetime(created + 7200, -300)},
                              {"Modified_Time", format_iso_datetime(created + 7200, -300)}});
      lead["Converted_Deal"] = {{"name", "Deal " + std::to_string(i)}, {"id", deal_id}};
    }
    lead_records.push_back(std::move(lead));
  }
  return {{"format", "zoho-sim-data/1"},
          {"time_zone", "-05:00"},
          {"oauth",
           {{"clients", {{{"client_id", kClientId}, {"client_secret", kClientSecret}}}},
            {"refresh_tokens", {{{"client_id", kClientId}, {"refresh_token", kRefreshToken}}}}}},
          {"modules",
           {{"Leads",
             {{"fields",
               {field("Company", "text"), field("Lead_Source", "picklist"),
                field("SIC_Code", "text"), field("No_of_Employees", "integer"),
                field("Lead_Status", "picklist"), field("HADES_Batch_ID", "text"),
                field("Created_Time", "datetime"), field("Modified_Time", "datetime"),
                field("Converted__s", "boolean"), field("Converted_Deal", "lookup", "Deals")}},
              {"insert_template", {{"Company", "Inserted"}, {"Lead_Source", "Web Site"}}},
              {"records", lead_records}}},
            {"Deals",
             {{"fields",
               {field("Deal_Name", "text"), field("Stage", "picklist"),
                field("Created_Time", "datetime"), field("Modified_Time", "datetime")}},
              {"records", deal_records}}},
            {"Empty", {{"fields", {field("Name", "text")}}, {"records", json::array()}}}}}};
}

json body_json(const HttpResponse& response) {
  if (response.body.empty()) return nullptr;
  json parsed = json::parse(response.body, nullptr, false);
  BOOST_TEST_REQUIRE(!parsed.is_discarded(), "not JSON: " << response.body);
  return parsed;
}

RunningSim::RunningSim(const json& data, SimulatorOptions options)
    : sim_(std::make_unique<Simulator>(data, std::move(options))),
      server_(std::make_unique<Server>(*sim_, ServerOptions{0, 4})),
      client_(make_http_client()) {
  server_->start();
}

RunningSim::~RunningSim() {
  client_.reset();
  server_->stop();
}

std::string RunningSim::url(std::string_view target) const {
  return "http://127.0.0.1:" + std::to_string(server_->port()) + std::string(target);
}

Result<HttpResponse> RunningSim::send(const std::string& method, std::string_view target,
                                      const HttpHeaders& headers, const std::string& body) {
  HttpRequest request;
  request.method = method;
  request.url = url(target);
  request.headers = headers;
  request.body = body;
  return client_->send(request);
}

HttpResponse RunningSim::request(const std::string& method, std::string_view target,
                                 const HttpHeaders& headers, const std::string& body) {
  auto result = send(method, target, headers, body);
  BOOST_TEST_REQUIRE(result.ok(), "transport error on " << method << " " << target);
  return std::move(result).value();
}

HttpResponse RunningSim::token_request(std::string_view refresh_token, std::string_view secret) {
  const std::string form = "grant_type=refresh_token&client_id=" + std::string(kClientId) +
                           "&client_secret=" + std::string(secret) +
                           "&refresh_token=" + std::string(refresh_token);
  return request("POST", "/oauth/v2/token", {{"Content-Type", "application/x-www-form-urlencoded"}},
                 form);
}

std::string RunningSim::grant() {
  const json reply = body_json(token_request());
  BOOST_TEST_REQUIRE(reply.contains("access_token"), reply.dump());
  token_ = reply["access_token"].get<std::string>();
  return token_;
}

HttpResponse RunningSim::api_get(std::string_view target, HttpHeaders headers) {
  headers.emplace_back("Authorization", "Zoho-oauthtoken " + token_);
  return request("GET", target, headers);
}

HttpResponse RunningSim::coql(std::string_view query) {
  const std::string body = json{{"select_query", query}}.dump();
  return request(
      "POST", "/crm/v8/coql",
      {{"Authorization", "Zoho-oauthtoken " + token_}, {"Content-Type", "application/json"}}, body);
}

}  // namespace hades::zoho_sim::testing
