#include "request_log.h"

#include <stdexcept>

namespace hades::zoho_sim {

RequestLog::RequestLog(const std::string& path) {
  if (path.empty()) return;
  out_.open(path, std::ios::app);
  if (!out_) throw std::runtime_error("cannot open request log " + path);
  enabled_ = true;
}

void RequestLog::write(const nlohmann::json& entry) {
  if (!enabled_) return;
  const std::string line = entry.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard lock(mu_);
  out_ << line << '\n';
  out_.flush();
}

}  // namespace hades::zoho_sim
