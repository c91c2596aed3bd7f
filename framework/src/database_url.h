// database_url.h: opens the job's database from its URL.
//
//   sqlite:///abs/path/hades.db   an absolute path
//   sqlite://var/hades.db         a path relative to the working directory
//   sqlite://:memory:             a private in-memory database (tests)
//   libsql://db-org.turso.io      Turso over HTTPS (the same as https://db-org.turso.io)
//   https://host[:port]           Turso or sqld over HTTPS, the certificate verified
//   http://127.0.0.1:8080         sqld over plain HTTP (a local or test server)
// Anything else is kInvalidConfig naming the supported schemes.
//
// The auth token of a libsql/https/http URL never sits in the URL (a URL with a query string is
// refused): it is read from the file named by HADES_DB_TOKEN_FILE when that is set, else from
// TURSO_AUTH_TOKEN; with neither, requests carry no token (sqld without --auth-jwt-key-file).
// HADES_DB_CA_FILE may name a PEM file of extra CA certificates (a self-hosted sqld behind TLS).
// See docs/databases.md.

#ifndef HADES_FRAMEWORK_DATABASE_URL_H_
#define HADES_FRAMEWORK_DATABASE_URL_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "hades/database.h"

namespace hades {

// What can be told about `url` without opening it (no side effects, for `hades validate`): a
// supported scheme, no query string, and for sqlite:// that the file can be created or opened
// for writing (check_sqlite_path()). kInvalidConfig otherwise; the URL is not quoted.
Status check_database_url(const std::string& url);

// Opens the database `url` names, after check_database_url(). `on_secret`, when set, is handed the
// auth token before any request is sent, so the caller can mask it in every log line (the CLI's
// Redactor).
Result<std::unique_ptr<Database>> open_database(
    const std::string& url, const std::function<void(std::string_view)>& on_secret = {});

}  // namespace hades

#endif  // HADES_FRAMEWORK_DATABASE_URL_H_
