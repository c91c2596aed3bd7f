// hrana_database.h: the Database backend for Turso and sqld, speaking libSQL's Hrana protocol
// over HTTP (POST /v2/pipeline; docs/databases.md, "How writes travel").
//
// Every call is one HTTP request on a fresh, closed stream: query() is one `execute`, apply() one
// `batch` whose steps are BEGIN IMMEDIATE, the statements (each run only if the one before
// succeeded), COMMIT and a ROLLBACK that runs when COMMIT did not. No transaction ever spans two
// requests, so Turso's 5 s lock-stealing cannot catch one half done.
//
// Committed means: HTTP 200, the batch result ok, a result for the COMMIT step and no step error.
//
// Retries happen inside: transport errors, timeouts, 429, 502-504, SQLITE_BUSY,
// TRANSACTION_TIMEOUT and STREAM_EXPIRED are retried up to `max_attempts` times with exponential
// backoff and jitter, then returned as retryable(). Resending a write is made safe whatever its
// statements are (plain INSERTs included): each batch also inserts a random id into the table
// hades_commit_guard inside its transaction, and a resend carries the same id, so when the reply
// to a batch that did commit was lost, the resend fails on that id, rolls back, and is reported
// as committed. apply() called again with an identical batch after a retryable failure (as the
// runner does) reuses the id too. Ids older than a day are deleted as batches go by.
//
// 401/403 (a wrong, expired or read-only token) are kInvalidConfig, never retried; SQL errors are
// non-retryable kRemote naming the statement index, sqld's code and message.
//
// Thread safety: one thread at a time, like every Database.

#ifndef HADES_FRAMEWORK_HRANA_DATABASE_H_
#define HADES_FRAMEWORK_HRANA_DATABASE_H_

#include <chrono>
#include <memory>
#include <string>

#include "hades/database.h"
#include "hades/http.h"

namespace hades {

struct HranaOptions {
  // The server: "http://127.0.0.1:8080" or "https://db-org.turso.io" (no path).
  std::string url;
  // Sent as `Authorization: Bearer <token>`; empty sends no Authorization header.
  std::string auth_token;
  // One HTTP exchange (connect, send, read the reply) must end by then.
  std::chrono::milliseconds timeout{30'000};
  // Attempts per call for retryable failures (1 = no retry).
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{5'000};
  HttpClientOptions http;
};

// Opens the backend; contacts nothing until the first call. `client` replaces the real HTTP
// client (tests inject faults, the benchmark counts round trips); null makes one from
// `options.http`. Fails with kInvalidConfig when the URL is not http(s)://host[:port].
Result<std::unique_ptr<Database>> open_hrana_database(HranaOptions options,
                                                      std::unique_ptr<HttpClient> client = nullptr);

}  // namespace hades

#endif  // HADES_FRAMEWORK_HRANA_DATABASE_H_
