// leads_testing.h: what tests of icp.yaml and the scoring rules share (the leads library's and
// the scorer's): where the repository is, and the shipped config/icp.yaml, loaded once.

#ifndef HADES_LEADS_TESTS_LEADS_TESTING_H_
#define HADES_LEADS_TESTS_LEADS_TESTING_H_

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "leads/icp_config.h"

namespace hades::scorer::testing {

// <repo>/<relative>. The repository is $HADES_SOURCE_DIR (hades_add_test sets it), else found
// from this file's place in plugins/libraries/leads/tests/: __FILE__ may be relative to the build
// directory (ccache's CCACHE_BASEDIR rewrites it), so it is only the fallback.
inline std::string repo_path(const std::string& relative) {
  const char* const source_dir = std::getenv("HADES_SOURCE_DIR");
  const std::filesystem::path root = source_dir != nullptr && *source_dir != '\0'
                                         ? std::filesystem::path(source_dir)
                                         : std::filesystem::path(__FILE__)
                                               .parent_path()
                                               .parent_path()
                                               .parent_path()
                                               .parent_path()
                                               .parent_path();
  return (root / relative).string();
}

inline std::string shipped_icp_path() { return repo_path("config/icp.yaml"); }

// config/icp.yaml. Throws when it does not load: every scoring test depends on it.
inline const domain::IcpConfig& shipped_icp() {
  static const domain::IcpConfig kIcp = [] {
    Result<domain::IcpConfig> loaded = domain::load_icp_config(shipped_icp_path());
    if (!loaded.ok()) throw std::runtime_error(loaded.status().to_string());
    return std::move(loaded).value();
  }();
  return kIcp;
}

}  // namespace hades::scorer::testing

#endif  // HADES_LEADS_TESTS_LEADS_TESTING_H_
