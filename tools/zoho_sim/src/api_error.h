// api_error.h: Zoho CRM's error envelope, {"code","details","message","status":"error"}.

#ifndef HADES_TOOLS_ZOHO_SIM_API_ERROR_H_
#define HADES_TOOLS_ZOHO_SIM_API_ERROR_H_

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

namespace hades::zoho_sim {

struct ApiError {
  int status = 400;
  std::string code;
  std::string message;
  nlohmann::json details = nlohmann::json::object();

  nlohmann::json body() const {
    return {{"code", code}, {"details", details}, {"message", message}, {"status", "error"}};
  }
};

inline ApiError api_error(int status, std::string code, std::string message,
                          nlohmann::json details = nlohmann::json::object()) {
  return ApiError{status, std::move(code), std::move(message), std::move(details)};
}

}  // namespace hades::zoho_sim

#endif  // HADES_TOOLS_ZOHO_SIM_API_ERROR_H_
