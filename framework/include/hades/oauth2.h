// hades/oauth2.h: an OAuth2 access token from a refresh token, and API calls that carry it.
//
// The token: POST `token_url` with the refresh-token grant (client id and secret in the form
// body, RFC 6749 section 6); a reply is a grant when it is a JSON object with a string
// `access_token` (some providers answer failures with HTTP 200 and {"error": ...}). Its lifetime
// is `expires_in` seconds (an hour when absent or absurd); it is replaced `refresh_margin` before
// it ends (half its life for short-lived tokens).
//
// The cache: the token lives in the job's database (table `cache_table`), keyed by a SHA-256 of
// token URL, client id and refresh token, so that every run and plugin instance shares it and
// accounts never collide. The refresh token is never stored; the access token is stored sealed
// (hades/token_seal.h) with a key derived from the client secret and the refresh token.
//
// Single flight: one refresh at a time per session (a mutex), and a caller whose token was
// refused refreshes only if nobody has replaced that token yet, so simultaneous 401s cost one
// token request. Token requests are retried like any call (hades/retry.h).
//
// send(): the request with `Authorization: Bearer <token>`, retried per hades/retry.h; a 401
// refreshes the token once and resends once; a second 401 is returned to the caller as is.
//
// Errors: a refused client (`invalid_client`) or refresh token (`invalid_grant`) is
// kInvalidConfig (exit 2: retrying cannot help); a token reply without a usable token is kRemote.
// Secrets (client id and secret, refresh token, access token) never appear in a message or a log
// line of this class: replies are quoted only through quote_body() (hades/redact.h) with them
// masked; secrets() lists them for the caller's own messages.
//
// Thread safety: access_token() and refresh_after() may be called from several threads; send()
// uses the HttpClient, which is used from one thread at a time. The Context and the HttpClient
// must outlive the session.

#ifndef HADES_OAUTH2_H_
#define HADES_OAUTH2_H_

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "hades/context.h"
#include "hades/http.h"
#include "hades/retry.h"
#include "hades/status.h"

namespace hades {

struct OAuth2Config {
  std::string token_url;  // "https://auth.example.com/oauth/token"
  std::string client_id;
  std::string client_secret;
  std::string refresh_token;
  std::string scope;  // sent when not empty
  // A plain SQL identifier: [A-Za-z_][A-Za-z0-9_]*.
  std::string cache_table = "hades_oauth_tokens";
  std::chrono::seconds refresh_margin{300};
  std::chrono::milliseconds request_timeout{30'000};
  RetryPolicy retry;
};

// Percent-encodes everything but RFC 3986's unreserved characters: for form bodies and query
// strings.
std::string url_encode(std::string_view text);

class OAuth2Session {
 public:
  // REQUIRES: `http` and `ctx` outlive the session. `sleep` waits between retries (default:
  // cancellable_sleeper(ctx)).
  OAuth2Session(OAuth2Config config, HttpClient& http, Context& ctx, Sleeper sleep = nullptr);

  // Checks the config and creates the cache table when missing. Call once before the others.
  Status prepare();

  // A token valid for at least a while: from memory, else the cache, else a refresh.
  Result<std::string> access_token();

  // Replaces the token unless someone already replaced `refused` (single flight).
  Status refresh_after(const std::string& refused);

  // Sends `request` with the bearer token; see the file comment.
  Result<HttpResponse> send(HttpRequest request);

  // The credentials and the current access token: what a caller's messages must mask.
  std::vector<std::string> secrets() const;

  // Token refreshes started (granted or not; each may have been resent per the retry policy),
  // for logs and tests.
  int token_requests() const { return token_requests_; }

 private:
  Status refresh_locked();
  Result<std::string> request_token();
  Result<bool> load_cached();
  Status store_cached(std::int64_t expires_at);
  std::string cache_key() const;
  std::string seal_key() const;

  OAuth2Config config_;
  HttpClient& http_;
  Context& ctx_;
  Sleeper sleep_;
  Backoff backoff_;
  mutable std::mutex mu_;
  std::string access_;
  std::int64_t refresh_at_ = 0;  // unix seconds
  int token_requests_ = 0;
};

}  // namespace hades

#endif  // HADES_OAUTH2_H_
