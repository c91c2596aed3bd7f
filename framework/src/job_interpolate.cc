// job_interpolate.cc: where interpolation finds environment variables.
#include <cstdlib>

#include "job_detail.h"

namespace hades::job_detail {

EnvLookup default_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

}  // namespace hades::job_detail
