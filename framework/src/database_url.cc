#include "database_url.h"

#include "sqlite_database.h"

namespace hades {

Result<std::unique_ptr<Database>> open_database(const std::string& url) {
  constexpr std::string_view kSqlite = "sqlite://";
  if (url.starts_with(kSqlite)) {
    const std::string path = url.substr(kSqlite.size());
    if (path.empty()) return Status::invalid_config("database URL '" + url + "' names no file");
    return open_sqlite_database(path);
  }
  const auto scheme_end = url.find("://");
  const std::string scheme = scheme_end == std::string::npos ? url : url.substr(0, scheme_end);
  return Status::invalid_config("unsupported database URL scheme '" + scheme +
                                "' in '" + url + "'; this build supports sqlite:// URLs");
}

}  // namespace hades
