// simulator_call.h: private to simulator.cc and records_api.cc. One request while it is being
// handled: the parsed URL and what the request log will say about it.

#ifndef HADES_TOOLS_ZOHO_SIM_SIMULATOR_CALL_H_
#define HADES_TOOLS_ZOHO_SIM_SIMULATOR_CALL_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "form.h"
#include "simulator.h"

namespace hades::zoho_sim {

struct Simulator::Call {
  explicit Call(const SimRequest& r) : request(r) {}

  void add_fault(std::string_view name) { fault += (fault.empty() ? "" : "+") + std::string(name); }
  const std::string* param(std::string_view name) const {
    const auto it = params.find(name);
    return it == params.end() ? nullptr : &it->second;
  }

  const SimRequest& request;
  std::string path;            // percent-decoded
  Params params;               // query parameters, percent-decoded
  std::string kind = "other";  // token revoke list search coql fields out_of_scope sim other
  std::string module;
  int version = 0;
  bool token_request = false;
  bool api_call = false;
  std::int64_t call_index = 0;  // API call number, 1-based
  std::string access_token;     // never logged
  std::string auth;             // secret_hash(access_token)
  std::string user;             // secret_hash of the refresh token behind it
  std::string fault;
  std::int64_t rows = -1;
  std::int64_t credits = 0;
  std::string error_code;
  std::string select_query;
  std::string token_outcome;
  std::string client_hash;
  std::int64_t handle_us = 0;  // time spent in the simulator, without latency or the network
};

// Reply helpers shared by the two translation units.
SimResponse json_reply(int status, const nlohmann::json& body);
SimResponse empty_reply(int status);

}  // namespace hades::zoho_sim

#endif  // HADES_TOOLS_ZOHO_SIM_SIMULATOR_CALL_H_
