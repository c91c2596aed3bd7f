#include "database_url.h"

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "hrana_database.h"
#include "sqlite_database.h"

namespace hades {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

// Leading and trailing blanks and newlines are not part of a token (files end with one).
std::string trimmed(std::string s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

Result<std::string> auth_token() {
  const std::string file = env("HADES_DB_TOKEN_FILE");
  if (file.empty()) return trimmed(env("TURSO_AUTH_TOKEN"));
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::invalid_config("cannot read HADES_DB_TOKEN_FILE " + file);
  std::string token = trimmed(std::string(std::istreambuf_iterator<char>(in), {}));
  if (token.empty()) return Status::invalid_config("HADES_DB_TOKEN_FILE " + file + " is empty");
  return token;
}

Result<std::unique_ptr<Database>> open_remote(
    std::string url, const std::function<void(std::string_view)>& on_secret) {
  constexpr std::string_view kLibsql = "libsql://";
  if (url.starts_with(kLibsql)) url = "https://" + url.substr(kLibsql.size());
  if (url.find('?') != std::string::npos) {
    // Above all no ?authToken=: URLs end up in logs, job files and process lists.
    return Status::invalid_config(
        "database URL must not have a query string; give the auth token in TURSO_AUTH_TOKEN or "
        "HADES_DB_TOKEN_FILE");
  }
  auto token = auth_token();
  if (!token.ok()) return token.status();
  if (on_secret && !token->empty()) on_secret(*token);
  HranaOptions options;
  options.url = std::move(url);
  options.auth_token = std::move(token).value();
  options.http.ca_file = env("HADES_DB_CA_FILE");
  return open_hrana_database(std::move(options));
}

}  // namespace

Result<std::unique_ptr<Database>> open_database(
    const std::string& url, const std::function<void(std::string_view)>& on_secret) {
  constexpr std::string_view kSqlite = "sqlite://";
  if (url.starts_with(kSqlite)) {
    const std::string path = url.substr(kSqlite.size());
    if (path.empty()) return Status::invalid_config("database URL '" + url + "' names no file");
    return open_sqlite_database(path);
  }
  if (url.starts_with("libsql://") || url.starts_with("https://") || url.starts_with("http://")) {
    return open_remote(url, on_secret);
  }
  const auto scheme_end = url.find("://");
  const std::string scheme = scheme_end == std::string::npos ? url : url.substr(0, scheme_end);
  return Status::invalid_config("unsupported database URL scheme '" + scheme +
                                "'; this build supports sqlite://, libsql://, https:// and "
                                "http:// URLs");
}

}  // namespace hades
