#include "hades/status.h"

#include <string>

namespace hades {

std::string_view status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidConfig:
      return "invalid_config";
    case StatusCode::kIo:
      return "io";
    case StatusCode::kRemote:
      return "remote";
    case StatusCode::kCorruption:
      return "corruption";
    case StatusCode::kRejected:
      return "rejected";
    case StatusCode::kCancelled:
      return "cancelled";
    case StatusCode::kPluginAbi:
      return "plugin_abi";
    case StatusCode::kLocked:
      return "locked";
    case StatusCode::kBudgetExceeded:
      return "budget_exceeded";
    case StatusCode::kInternal:
      return "internal";
  }
  return "unknown";
}

Status Status::with_context(std::string_view context) const {
  if (ok()) return *this;
  Status copy = *this;
  copy.message_ = std::string(context) + ": " + message_;
  return copy;
}

std::string Status::to_string() const {
  if (ok()) return "OK";
  return std::string(status_code_name(code_)) + ": " + message_;
}

}  // namespace hades
