// request_log.h: the JSONL request log (`--request-log PATH`), one object per request, flushed
// as it is written so a test can read it while the simulator runs. Entries never contain
// secrets: callers put secret_hash() tags in place of tokens and client credentials.
//
// Thread safety: write() may be called from any thread.

#ifndef HADES_TOOLS_ZOHO_SIM_REQUEST_LOG_H_
#define HADES_TOOLS_ZOHO_SIM_REQUEST_LOG_H_

#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

namespace hades::zoho_sim {

class RequestLog {
 public:
  // "" disables the log. Throws std::runtime_error when `path` cannot be opened for appending.
  explicit RequestLog(const std::string& path);

  void write(const nlohmann::json& entry);

 private:
  std::mutex mu_;
  std::ofstream out_;
  bool enabled_ = false;
};

}  // namespace hades::zoho_sim

#endif  // HADES_TOOLS_ZOHO_SIM_REQUEST_LOG_H_
