#include "database_url.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "hades/redact.h"
#include "hrana_database.h"
#include "sqlite_database.h"

namespace hades {
namespace {

constexpr std::string_view kSqlite = "sqlite://";

bool is_remote(const std::string& url) {
  return url.starts_with("libsql://") || url.starts_with("https://") || url.starts_with("http://");
}

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

// Tokens are a few hundred bytes (a Turso JWT is under 1 KB); a file far larger than that is the
// wrong file (/dev/zero, a log), and reading it whole could exhaust memory.
constexpr std::size_t kMaxTokenBytes = 64 * 1024;

// The token goes into an HTTP header: a line break in it would start another header.
Status check_token(const std::string& token, const std::string& where) {
  const bool clean = std::all_of(token.begin(), token.end(), [](char c) {
    const auto b = static_cast<unsigned char>(c);
    return b >= 0x21 && b != 0x7f;
  });
  if (clean) return Status::ok_status();
  return Status::invalid_config("the database auth token in " + where +
                                " contains a line break, a space or another control character; "
                                "a token is one line of printable text");
}

Result<std::string> read_token_file(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return Status::invalid_config("cannot read HADES_DB_TOKEN_FILE " + file + ": " +
                                  std::strerror(errno));
  }
  std::string text(kMaxTokenBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return Status::invalid_config("cannot read HADES_DB_TOKEN_FILE " + file);
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxTokenBytes) {
    return Status::invalid_config("HADES_DB_TOKEN_FILE " + file + " is larger than " +
                                  std::to_string(kMaxTokenBytes) +
                                  " bytes: it cannot be a token file");
  }
  return trimmed(std::move(text));
}

Result<std::string> auth_token() {
  const std::string file = env("HADES_DB_TOKEN_FILE");
  if (file.empty()) {
    std::string token = trimmed(env("TURSO_AUTH_TOKEN"));
    HADES_RETURN_IF_ERROR(check_token(token, "TURSO_AUTH_TOKEN"));
    return token;
  }
  auto token = read_token_file(file);
  if (!token.ok()) return token.status();
  if (token->empty()) return Status::invalid_config("HADES_DB_TOKEN_FILE " + file + " is empty");
  HADES_RETURN_IF_ERROR(check_token(*token, "HADES_DB_TOKEN_FILE " + file));
  return token;
}

Result<std::unique_ptr<Database>> open_remote(
    std::string url, const std::function<void(std::string_view)>& on_secret) {
  constexpr std::string_view kLibsql = "libsql://";
  if (url.starts_with(kLibsql)) url = "https://" + url.substr(kLibsql.size());
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

Status check_database_url(const std::string& url) {
  if (url.starts_with(kSqlite)) {
    const std::string path = url.substr(kSqlite.size());
    if (path.empty()) return Status::invalid_config("database URL names no file");
    // `u.db?key=...` would create a file of that name, key included; the query is not quoted.
    if (path.find('?') != std::string::npos) {
      return Status::invalid_config(
          "a sqlite:// database URL must not have a query string ('?...'): SQLite options are "
          "not read from the URL, and the file would be named after it");
    }
    return check_sqlite_path(path);
  }
  if (is_remote(url)) {
    if (url.find('?') != std::string::npos) {
      // Above all no ?authToken=: URLs end up in logs, job files and process lists.
      return Status::invalid_config(
          "database URL must not have a query string; give the auth token in TURSO_AUTH_TOKEN "
          "or HADES_DB_TOKEN_FILE");
    }
    return Status::ok_status();
  }
  const auto scheme_end = url.find("://");
  const std::string scheme = scheme_end == std::string::npos ? url : url.substr(0, scheme_end);
  return Status::invalid_config("unsupported database URL scheme '" + printable(scheme) +
                                "'; this build supports sqlite://, libsql://, https:// and "
                                "http:// URLs");
}

Result<std::unique_ptr<Database>> open_database(
    const std::string& url, const std::function<void(std::string_view)>& on_secret) {
  HADES_RETURN_IF_ERROR(check_database_url(url));
  if (url.starts_with(kSqlite)) return open_sqlite_database(url.substr(kSqlite.size()));
  return open_remote(url, on_secret);
}

}  // namespace hades
