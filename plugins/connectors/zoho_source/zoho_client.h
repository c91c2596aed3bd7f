// zoho_client.h: calls to one Zoho CRM org: the OAuth access token and API requests with
// retries.
//
// Access token: obtained with the refresh-token grant from `{accounts_url}/oauth/v2/token`;
// success means `access_token` is present (Zoho answers some failures with HTTP 200 and
// {"error":...}). It is cached with its expiry in the job's database (table `token_table`, keyed
// by a SHA-256 of accounts URL, client id and refresh token, so accounts never collide and the
// refresh token is never stored; the access token sealed with a key derived from the client
// secret and the refresh token, token_seal.h), shared by every run and plugin instance, and
// refreshed five minutes before it expires. One refresher at a time per client (a mutex): a caller
// whose token was refused refreshes only if nobody has replaced that token yet, so simultaneous
// 401s cost one token request (Zoho allows 10 per 10 minutes).
//
// API calls: `Authorization: Zoho-oauthtoken`, against the token's api_domain (or `api_url`).
// 429, 5xx (whatever their body), resets and timeouts are retried with the SDK's backoff
// (hades/retry.h: exponential, jitter, a cap), at most `max_attempts` times. A 401 INVALID_TOKEN or
// AUTHENTICATION_FAILURE refreshes the token once and retries once, then fails. Any other 4xx
// fails at once with Zoho's code and message. 429 LIMIT_EXCEEDED (the day's API credits are
// spent) fails at once with a retryable kRemote status: the step stops, its checkpoint keeps what
// was committed, and the next run resumes.
//
// A refused client (`invalid_client`) or refresh token (`invalid_code`, `invalid_grant`) is
// kInvalidConfig (exit 2: retrying cannot help) and not retried; a token reply that is not a JSON
// object (cut short on the way) is retried like a 5xx.
//
// Secrets (client id and secret, refresh token, access token) never appear in a message or log
// line this class writes: a reply is quoted only through quote_body() (hades/redact.h), with
// them and anything shaped like a credential masked. The access token and api_domain of a token
// reply must be one line of printable text (they go into a header and a URL). Each call is
// logged at debug level: method, path, status, time.
//
// Thread safety: use from one thread (the Context's). read_ahead() runs HTTP exchanges on a
// helper thread; while it does, no other thread uses the HttpClient (a request that is not the
// one read ahead, or a token request, first stops and joins it). The Context must outlive the
// client.

#ifndef HADES_PLUGINS_ZOHO_SOURCE_ZOHO_CLIENT_H_
#define HADES_PLUGINS_ZOHO_SOURCE_ZOHO_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "hades/context.h"
#include "hades/http.h"
#include "hades/retry.h"
#include "hades/status.h"

namespace hades::zoho_source {

struct ZohoClientConfig {
  std::string accounts_url;  // "https://accounts.zoho.eu", no trailing slash
  std::string api_url;       // overrides the token's api_domain when not empty
  std::string api_version = "v8";
  std::string client_id;
  std::string client_secret;
  std::string refresh_token;
  std::string token_table = "zoho_oauth_tokens";
  int max_attempts = 8;
  std::chrono::milliseconds backoff_base{500};
  std::chrono::milliseconds backoff_max{30'000};
  std::chrono::milliseconds request_timeout{60'000};
};

// A successful API reply: the parsed body, or null for 204/304 (no rows).
struct ApiReply {
  int status = 0;
  nlohmann::json body;
};

// How early a cached token is replaced.
inline constexpr std::chrono::seconds kRefreshMargin{300};

class ZohoClient {
 public:
  // REQUIRES: `ctx` outlives the client.
  ZohoClient(ZohoClientConfig config, std::unique_ptr<HttpClient> http, Context& ctx);
  ~ZohoClient();

  // Creates the token cache table when missing.
  Status prepare();

  // Sends `method` `/crm/{version}/{path_and_query}` with `body` (JSON when not empty) and
  // `headers`. See the file comment for retries and errors.
  Result<ApiReply> call(const std::string& method, const std::string& path_and_query,
                        const std::string& body, const HttpHeaders& headers = {});

  // Given a page's raw reply, the body of the request for the page after it; nullopt when there
  // is none or the reply does not tell. Runs on the read-ahead thread.
  using NextPageBody = std::function<std::optional<std::string>(std::string_view reply)>;

  // Starts sending, on another thread, the request call() with the same arguments would send,
  // and after each 2xx reply the one `next_page` derives from it, at most kReadAhead replies
  // ahead of call(): a keyset walk's next round trip leaves as soon as a page arrives, while
  // this thread parses and hands out the page before. Only HTTP exchanges run on that thread;
  // the token, retries, parsing, logging and the Context stay on the caller's. call() uses a
  // reply read ahead only if its request is identical (same token included); otherwise reading
  // ahead stops, and a guess that was wrong costs one request. Does nothing while reading ahead
  // is still going.
  void read_ahead(const std::string& method, const std::string& path_and_query,
                  const std::string& body, NextPageBody next_page);

  // Token requests this client sent (granted or not), for logs and tests.
  int token_requests() const { return token_requests_; }

 private:
  struct Token {
    std::string access;
    std::string api_domain;
    std::int64_t refresh_at = 0;  // unix seconds
  };

  struct Sent {
    Result<HttpResponse> response;
    std::int64_t ms = 0;
  };
  class ReadAhead;

  // Sends `request`: pure work, safe on the read-ahead thread.
  Sent exchange(const HttpRequest& request);
  // The request for an API call with the current token (whose value goes to `*access`).
  Result<HttpRequest> make_request(const std::string& method, const std::string& path_and_query,
                                   const std::string& body, const HttpHeaders& headers,
                                   std::string* access);
  // The reply read ahead for `request`, or a fresh exchange when it is not the one read ahead.
  Sent send(const HttpRequest& request);
  // Ends reading ahead, waiting for its exchange in flight: the HttpClient is then free.
  void stop_reading_ahead();
  Result<Token> current_token();
  // Replaces the token unless someone already replaced `refused` (single flight).
  Status refresh_after(const std::string& refused);
  Status refresh_locked();
  Result<Token> request_token();
  // A token reply with an access_token: checked, cached and returned.
  Result<Token> accept_token(const nlohmann::json& body);
  // Why a token reply without an access_token is refused; invalid_client and a bad refresh token
  // are kInvalidConfig (exit 2), a throttle retryable.
  Status token_refused(const HttpResponse& response, const nlohmann::json& body) const;
  // What messages must never show: the credentials and the access token `access`.
  std::vector<std::string> secrets(const std::string& access) const;
  Result<std::optional<Token>> load_cached();
  Status store_cached(const Token& token, std::int64_t expires_at);
  Status backoff(int attempt);
  std::string cache_key() const;
  // What the cached access token is sealed with (token_seal.h): never stored.
  std::string seal_key() const;

  ZohoClientConfig config_;
  std::unique_ptr<HttpClient> http_;
  Context& ctx_;
  std::mutex token_mu_;
  Token token_;
  int token_requests_ = 0;
  Backoff backoff_;  // hades/retry.h: the SDK's backoff with jitter and a cap
  Sleeper sleep_;
  std::unique_ptr<ReadAhead> read_ahead_;
};

// Replies read ahead and not yet taken by call(), at most: enough to ride out a stall of the
// caller (an SQLite checkpoint of the step's writes takes a few hundred milliseconds) without
// the round trips stopping, at a few megabytes of memory (a COQL page is ~0.5-1 MB).
inline constexpr std::size_t kReadAhead = 8;

}  // namespace hades::zoho_source

#endif  // HADES_PLUGINS_ZOHO_SOURCE_ZOHO_CLIENT_H_
