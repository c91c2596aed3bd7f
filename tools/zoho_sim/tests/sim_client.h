// sim_client.h: test helpers: a small synthetic org, and an in-process simulator behind a real
// HTTP listener with a hades::net client talking to it.

#ifndef HADES_TOOLS_ZOHO_SIM_TESTS_SIM_CLIENT_H_
#define HADES_TOOLS_ZOHO_SIM_TESTS_SIM_CLIENT_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "hades/http.h"
#include "server.h"
#include "simulator.h"

namespace hades::zoho_sim::testing {

inline constexpr std::string_view kClientId = "1000.TESTCLIENT";
inline constexpr std::string_view kClientSecret = "test-secret-0123456789";
inline constexpr std::string_view kRefreshToken = "1000.refresh.abcdef0123456789";

// An org of `leads` leads (ids ascending from 4150868000000001000 in steps of 3): Lead_Source
// cycles VanillaSoft / VanillaSoft Legacy / Web Site / null by i % 4; every 10th lead (i % 10 ==
// 0) is converted into a deal; Created_Time is 2025-01-01T00:00:00-05:00 plus i minutes and
// Modified_Time one hour later; lead 0's Company is "O'Brien Foods". Module "Empty" has no
// records. Credentials are the constants above.
nlohmann::json make_org(int leads);
std::string lead_id(int i);

// The reply body as JSON (null for an empty body); fails the test when it is not JSON.
nlohmann::json body_json(const HttpResponse& response);

class RunningSim {
 public:
  explicit RunningSim(const nlohmann::json& data, SimulatorOptions options = {});
  ~RunningSim();

  Simulator& sim() { return *sim_; }
  std::uint16_t port() const { return server_->port(); }
  std::string url(std::string_view target) const;

  // Transport failures (resets) come back as errors; everything else as a response.
  Result<HttpResponse> send(const std::string& method, std::string_view target,
                            const HttpHeaders& headers = {}, const std::string& body = "");
  // As send(), but fails the test on a transport error.
  HttpResponse request(const std::string& method, std::string_view target,
                       const HttpHeaders& headers = {}, const std::string& body = "");
  // POST /oauth/v2/token with the given refresh token (the test one by default).
  HttpResponse token_request(std::string_view refresh_token = kRefreshToken,
                             std::string_view secret = kClientSecret);
  // Grants and remembers an access token; returns it.
  std::string grant();
  // GET with the remembered access token.
  HttpResponse api_get(std::string_view target, HttpHeaders headers = {});
  // POST /crm/v8/coql with the remembered access token.
  HttpResponse coql(std::string_view query);

 private:
  std::unique_ptr<Simulator> sim_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<HttpClient> client_;
  std::string token_;
};

}  // namespace hades::zoho_sim::testing

#endif  // HADES_TOOLS_ZOHO_SIM_TESTS_SIM_CLIENT_H_
