// simulator.h: the Zoho CRM simulator's behaviour, independent of any network code.
//
// Simulator::handle() takes one parsed HTTP request and returns the reply, plus what the
// transport must do with it: wait (`delay`, for --latency-ms and slow replies), or drop the
// connection without answering (`reset`). The Server (server.h) is the only code that touches
// sockets, so every behaviour here can be tested without one, and the HTTP tests exercise both.
//
// Served paths (README.md documents each):
//   POST /oauth/v2/token, POST /oauth/v2/token/revoke         the accounts server
//   GET  /crm/v{2..8}/{Module}                                 list records
//   GET  /crm/v{2..8}/{Module}/search                          search
//   POST /crm/v{2..8}/coql                                     COQL
//   GET  /crm/v{2..8}/settings/fields?module=M                 field metadata
//   /crm/v{2..8}/users, /org, /settings/modules                401 OAUTH_SCOPE_MISMATCH
//   GET|POST /__sim/...                                        test control (no auth, not counted)
//
// Thread safety: handle() and stats() may be called from any number of threads; one mutex
// serialises them (replies are small and the data in memory, so this does not limit the
// concurrency the server can model: waiting happens outside the lock).

#ifndef HADES_TOOLS_ZOHO_SIM_SIMULATOR_H_
#define HADES_TOOLS_ZOHO_SIM_SIMULATOR_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "api_error.h"
#include "faults.h"
#include "request_log.h"
#include "store.h"
#include "token_service.h"

namespace hades::zoho_sim {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct SimRequest {
  std::string method;
  std::string target;  // path and query as received, still percent-encoded
  Headers headers;
  std::string body;

  // The first header called `name` (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const;
};

// Requests in flight, for the concurrency limits. Shared with the slots that count them.
struct InFlight {
  std::mutex mu;
  int api = 0;
  int coql = 0;
  int peak = 0;
};

// Holds one API request's place in the concurrency count until destroyed, i.e. until the
// server has written the reply (waiting for latency included, as on a real server).
class InFlightSlot {
 public:
  InFlightSlot() = default;
  InFlightSlot(std::shared_ptr<InFlight> counters, bool coql)
      : counters_(std::move(counters)), coql_(coql) {}
  InFlightSlot(InFlightSlot&& other) noexcept = default;
  InFlightSlot& operator=(InFlightSlot&& other) noexcept {
    release();
    counters_ = std::move(other.counters_);
    coql_ = other.coql_;
    return *this;
  }
  InFlightSlot(const InFlightSlot&) = delete;
  InFlightSlot& operator=(const InFlightSlot&) = delete;
  ~InFlightSlot() { release(); }

  void release();

 private:
  std::shared_ptr<InFlight> counters_;
  bool coql_ = false;
};

struct SimResponse {
  int status = 200;
  Headers headers;
  std::string body;
  // The reply must not leave before this long after the request was read.
  std::chrono::milliseconds delay{0};
  // Close the connection (with a TCP reset) instead of replying.
  bool reset = false;
  InFlightSlot slot;
};

struct SimulatorOptions {
  FaultSpec faults;
  std::chrono::milliseconds latency{0};  // every token and API reply takes at least this long
  std::string request_log_path;          // "" for none
  OAuthOptions oauth;
  std::chrono::seconds page_token_ttl{86400};
  bool coql_hides_converted = true;  // see CoqlOptions
  // Credentials accepted in addition to those in the data file ("" for none).
  std::string client_id;
  std::string client_secret;
  std::string refresh_token;
  // The simulator's clock; system_clock::now when empty. /__sim/advance_clock adds to it.
  std::function<std::chrono::system_clock::time_point()> clock;
};

class Simulator {
 public:
  // Reads and loads the data file. Throws std::runtime_error naming the problem.
  static std::unique_ptr<Simulator> from_file(const std::string& path, SimulatorOptions options);
  // Loads `data` (format "zoho-sim-data/1"). Throws std::runtime_error naming the problem.
  Simulator(const nlohmann::json& data, SimulatorOptions options);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Where token replies send clients ("http://127.0.0.1:PORT"); set once the port is known.
  void set_api_domain(std::string api_domain);
  SimResponse handle(const SimRequest& request);
  // What GET /__sim/stats returns.
  nlohmann::json stats() const;

 private:
  struct Call;
  struct PageCursor {
    std::string signature;
    std::string module;
    std::int64_t offset = 0;
    std::int64_t expires_at = 0;
  };

  std::int64_t now() const;
  std::int64_t next_stamp();
  std::string stamp_text(std::int64_t epoch) const;
  SimResponse route(Call& call);
  SimResponse handle_token(Call& call);
  SimResponse handle_token_revoke(Call& call);
  SimResponse handle_control(Call& call);
  SimResponse control_record(const Call& call);
  SimResponse control_write(const std::string& what, const nlohmann::json& body);
  SimResponse control_state(const std::string& what, const nlohmann::json& body);
  bool classify_api(Call& call);
  SimResponse handle_api(Call& call);
  std::optional<SimResponse> inject_faults(Call& call, SimResponse& held);
  std::optional<SimResponse> authenticate(Call& call);
  SimResponse dispatch_api(Call& call);
  SimResponse list_records(Call& call, const Module& module);
  // Where `token` continues, if it is valid for a request with this `signature`.
  std::variant<std::int64_t, ApiError> token_offset(const std::string& token,
                                                    const std::string& signature) const;
  SimResponse search_records(Call& call, const Module& module);
  SimResponse coql(Call& call);
  SimResponse field_metadata(Call& call);
  void after_page(Call& call, const std::string& module);
  void mutate(Module& module, std::uint64_t event);
  std::string new_page_token(const std::string& signature, const std::string& module,
                             std::int64_t offset);
  SimResponse error(Call& call, const ApiError& error);
  void log(const Call& call, const SimResponse& response);
  nlohmann::json stats_locked() const;

  mutable std::mutex mu_;
  SimulatorOptions options_;
  Store store_;
  TokenService tokens_;
  RequestLog log_;
  std::string api_domain_ = "http://127.0.0.1";
  std::shared_ptr<InFlight> in_flight_ = std::make_shared<InFlight>();
  std::int64_t clock_offset_ = 0;
  std::int64_t last_stamp_ = 0;
  std::int64_t seq_ = 0;
  std::int64_t api_calls_ = 0;
  std::int64_t fault_call_ = 0;  // schedule index; restarts when /__sim/faults replaces the plan
  std::int64_t token_requests_ = 0;
  std::int64_t fault_token_request_ = 0;  // token_garbled's index; restarts like fault_call_
  std::int64_t credits_used_ = 0;
  std::int64_t pages_served_ = 0;
  std::int64_t mutations_ = 0;
  std::int64_t records_modified_ = 0;
  std::map<std::string, std::vector<std::string>> inserted_ids_;
  std::map<std::string, std::int64_t> fault_counts_;
  std::map<std::string, std::int64_t> status_counts_;
  std::map<std::string, std::int64_t> kind_counts_;
  std::map<std::string, std::int64_t> token_outcomes_;
  std::map<std::string, PageCursor, std::less<>> page_tokens_;
  std::int64_t page_token_seq_ = 0;
};

}  // namespace hades::zoho_sim

#endif  // HADES_TOOLS_ZOHO_SIM_SIMULATOR_H_
