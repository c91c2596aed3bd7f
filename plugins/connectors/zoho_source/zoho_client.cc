#include "zoho_client.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <span>
#include <thread>

#include "hades/redact.h"
#include "hades/token_seal.h"
#include "zoho_query.h"

namespace hades::zoho_source {

using nlohmann::json;

namespace {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string sha256_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

// The path without its query string: page tokens and field lists make log lines long.
std::string path_only(const std::string& url) {
  const std::size_t scheme = url.find("://");
  const std::size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  const std::string path = slash == std::string::npos ? "/" : url.substr(slash);
  return path.substr(0, path.find('?'));
}

json parse_json(const std::string& body) {
  return body.empty() ? json() : json::parse(body, nullptr, false);
}

// "INVALID_QUERY: the message (details)" from Zoho's error envelope, or the start of the body,
// with `secrets` and anything shaped like a credential masked: an error body may echo the request
// (its Authorization header), and a proxy's may be anything.
std::string describe_error(const HttpResponse& response, std::span<const std::string> secrets) {
  const json body = parse_json(response.body);
  if (body.is_object() && body.contains("code")) {
    std::string text = body["code"].is_string() ? body["code"].get<std::string>() : "?";
    if (body.contains("message") && body["message"].is_string()) {
      text += ": " + body["message"].get<std::string>();
    }
    if (body.contains("details") && !body["details"].empty()) {
      text += " (" + body["details"].dump(-1, ' ', false, json::error_handler_t::replace) + ")";
    }
    return quote_body(text, secrets);
  }
  if (response.body.empty()) return "empty body";
  return "body: " + quote_body(response.body, secrets);
}

// A token reply's lifetime in seconds: `expires_in_sec`, else `expires_in` (milliseconds in old
// replies), else an hour. Anything that is not a sane number of seconds counts as an hour too.
std::int64_t token_ttl(const json& body) {
  constexpr double kMaxTtl = 30.0 * 86400;
  double ttl = 3600;
  if (body.contains("expires_in_sec") && body["expires_in_sec"].is_number()) {
    ttl = body["expires_in_sec"].get<double>();
  } else if (body.contains("expires_in") && body["expires_in"].is_number()) {
    ttl = body["expires_in"].get<double>();
    if (ttl > 86400) ttl /= 1000;  // old replies count milliseconds
  }
  if (!std::isfinite(ttl) || ttl < 1 || ttl > kMaxTtl) return 3600;
  return static_cast<std::int64_t>(ttl);
}

std::string string_field(const json& body, const char* key) {
  return body.contains(key) && body[key].is_string() ? body[key].get<std::string>() : "";
}

std::string code_of(const HttpResponse& response) {
  const json body = parse_json(response.body);
  if (body.is_object() && body.contains("code") && body["code"].is_string()) {
    return body["code"].get<std::string>();
  }
  return "";
}

}  // namespace

ZohoClient::ZohoClient(ZohoClientConfig config, std::unique_ptr<HttpClient> http, Context& ctx)
    : config_(std::move(config)),
      http_(std::move(http)),
      ctx_(ctx),
      backoff_(RetryPolicy{.max_attempts = config_.max_attempts,
                           .base = config_.backoff_base,
                           .cap = config_.backoff_max}),
      sleep_(cancellable_sleeper(ctx)) {}

std::string ZohoClient::cache_key() const {
  return sha256_hex(config_.accounts_url + "\n" + config_.client_id + "\n" + config_.refresh_token);
}

std::string ZohoClient::seal_key() const {
  return config_.client_secret + "\n" + config_.refresh_token;
}

Status ZohoClient::prepare() {
  WriteBatch batch;
  batch.add("CREATE TABLE IF NOT EXISTS " + config_.token_table +
            " (cache_key TEXT PRIMARY KEY, access_token TEXT NOT NULL, api_domain TEXT NOT NULL,"
            " expires_at INTEGER NOT NULL, refresh_at INTEGER NOT NULL, updated_at INTEGER NOT "
            "NULL)");
  return ctx_.database().apply(batch).with_context("zoho_source: creating " + config_.token_table);
}

Result<std::optional<ZohoClient::Token>> ZohoClient::load_cached() {
  auto rows = ctx_.database().query("SELECT access_token, api_domain, refresh_at FROM " +
                                        config_.token_table + " WHERE cache_key = ?",
                                    {cache_key()});
  if (!rows.ok()) return rows.status().with_context("zoho_source: reading the token cache");
  if (rows->rows.empty()) return std::optional<Token>();
  const auto& row = rows->rows[0];
  // A row this client cannot open (written in clear by an older hades, or damaged) is a miss.
  std::optional<std::string> access = open_token(to_text(row[0]), seal_key());
  if (!access || !is_printable_token(*access)) return std::optional<Token>();
  return std::optional<Token>(Token{*access, to_text(row[1]), as_int(row[2]).value_or(0)});
}

Status ZohoClient::store_cached(const Token& token, std::int64_t expires_at) {
  WriteBatch batch;
  batch.add("INSERT INTO " + config_.token_table +
                " (cache_key, access_token, api_domain, expires_at, refresh_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (cache_key) DO UPDATE SET access_token ="
                " excluded.access_token, api_domain = excluded.api_domain, expires_at ="
                " excluded.expires_at, refresh_at = excluded.refresh_at, updated_at ="
                " excluded.updated_at",
            {cache_key(), seal_token(token.access, seal_key()), token.api_domain, expires_at,
             token.refresh_at, unix_now()});
  return ctx_.database().apply(batch).with_context("zoho_source: caching the access token");
}

Result<ZohoClient::Token> ZohoClient::current_token() {
  const std::lock_guard lock(token_mu_);
  if (!token_.access.empty() && unix_now() < token_.refresh_at) return token_;
  // Another run or plugin instance may have refreshed it since.
  auto cached = load_cached();
  if (!cached.ok()) return cached.status();
  if (cached->has_value() && unix_now() < (*cached)->refresh_at) {
    token_ = **cached;
    return token_;
  }
  HADES_RETURN_IF_ERROR(refresh_locked());
  return token_;
}

Status ZohoClient::refresh_after(const std::string& refused) {
  const std::lock_guard lock(token_mu_);
  if (token_.access != refused) return Status::ok_status();  // someone already did
  return refresh_locked();
}

Status ZohoClient::refresh_locked() {
  stop_reading_ahead();  // the token request needs the HttpClient
  auto token = request_token();
  if (!token.ok()) return token.status();
  token_ = std::move(token).value();
  return Status::ok_status();
}

Result<ZohoClient::Token> ZohoClient::request_token() {
  HttpRequest request;
  request.method = "POST";
  request.url = config_.accounts_url + "/oauth/v2/token";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  request.body = "grant_type=refresh_token&client_id=" + url_encode(config_.client_id) +
                 "&client_secret=" + url_encode(config_.client_secret) +
                 "&refresh_token=" + url_encode(config_.refresh_token);
  request.timeout = config_.request_timeout;
  Status last;
  for (int attempt = 1; attempt <= config_.max_attempts; ++attempt) {
    if (attempt > 1) HADES_RETURN_IF_ERROR(backoff(attempt - 1));
    ++token_requests_;
    const auto start = std::chrono::steady_clock::now();
    auto response = http_->send(request);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    if (!response.ok()) {
      ctx_.log().debug("zoho_source: POST /oauth/v2/token failed in " + std::to_string(ms) +
                       " ms: " + response.status().message());
      last = response.status();
      if (!last.retryable()) break;
      continue;
    }
    ctx_.log().debug("zoho_source: POST /oauth/v2/token -> " + std::to_string(response->status) +
                     " in " + std::to_string(ms) + " ms");
    if (is_retryable_status(response->status)) {
      last = Status::remote("HTTP " + std::to_string(response->status), true);
      continue;
    }
    const json body = parse_json(response->body);
    if (!body.is_object() && response->status == 200) {
      // Cut short or garbled on the way: worth another try. The body may hold the token.
      last = Status::remote(
          "zoho_source: the token endpoint answered HTTP 200 with a body that is "
          "not a JSON object: " +
              quote_body(response->body, secrets("")),
          true);
      continue;
    }
    if (body.is_object() && body.contains("access_token")) return accept_token(body);
    return token_refused(*response, body);
  }
  return last.with_context("zoho_source: the token request failed after " +
                           std::to_string(config_.max_attempts) + " attempts");
}

Result<ZohoClient::Token> ZohoClient::accept_token(const json& body) {
  // The token goes into an Authorization header and api_domain into request URLs: a line break
  // in either would split the request. Neither is ever quoted.
  const std::string access = string_field(body, "access_token");
  if (!is_printable_token(access)) {
    return Status::remote(
        "zoho_source: the token endpoint answered with an access_token that is "
        "not one line of printable text");
  }
  const std::string api_domain = string_field(body, "api_domain");
  if (!api_domain.empty() &&
      (!is_printable_token(api_domain) ||
       !(api_domain.starts_with("https://") || api_domain.starts_with("http://")))) {
    return Status::remote("zoho_source: the token reply's api_domain '" +
                          quote_body(api_domain, secrets(access), 100) + "' is not an http(s) URL");
  }
  const std::int64_t now = unix_now();
  const std::int64_t ttl = token_ttl(body);
  // A token shorter-lived than twice the margin is used for half its life.
  const std::int64_t margin = std::min<std::int64_t>(kRefreshMargin.count(), ttl / 2);
  Token token{access, api_domain, now + ttl - margin};
  HADES_RETURN_IF_ERROR(store_cached(token, now + ttl));
  ctx_.log().info("zoho_source: new access token, valid " + std::to_string(ttl) + " s");
  return token;
}

Status ZohoClient::token_refused(const HttpResponse& response, const json& body) const {
  const std::string error = body.is_object() ? string_field(body, "error") : "";
  // Retrying cannot fix these: the scheduler must not either (exit 2, docs/exit-codes.md).
  if (error == "invalid_client") {
    return Status::invalid_config(
        "zoho_source: the token request failed: invalid_client (a wrong client id or secret, "
        "or an accounts URL of another data centre)");
  }
  if (error == "invalid_code" || error == "invalid_grant") {
    return Status::invalid_config(
        "zoho_source: the token request failed: " + error +
        " (the refresh token is wrong, revoked or belongs to another client)");
  }
  const std::string description = body.is_object() ? string_field(body, "error_description") : "";
  if (error == "Access Denied") {
    // Retrying now would only extend the throttle: stop, and let the next run try later.
    return Status::remote(
        "zoho_source: Zoho refused the token request (too many token "
        "requests for this refresh token; try again after some minutes)" +
            (description.empty() ? "" : ": " + quote_body(description, secrets(""))),
        true);
  }
  return Status::remote(
      "zoho_source: the token request failed with HTTP " + std::to_string(response.status) + ": " +
      (error.empty() ? describe_error(response, secrets("")) : quote_body(error, secrets(""))));
}

std::vector<std::string> ZohoClient::secrets(const std::string& access) const {
  return {config_.client_id, config_.client_secret, config_.refresh_token, access};
}

Status ZohoClient::backoff(int retry) {
  const Status slept = sleep_(backoff_.delay(retry));
  return slept.ok() ? slept : slept.with_context("zoho_source");
}

Result<HttpRequest> ZohoClient::make_request(const std::string& method,
                                             const std::string& path_and_query,
                                             const std::string& body, const HttpHeaders& headers,
                                             std::string* access) {
  auto token = current_token();
  if (!token.ok()) return token.status();
  const std::string base = config_.api_url.empty() ? token->api_domain : config_.api_url;
  if (base.empty()) {
    return Status::invalid_config("zoho_source: the token reply has no api_domain: set `api_url`");
  }
  HttpRequest request;
  request.method = method;
  request.url = base + "/crm/" + config_.api_version + "/" + path_and_query;
  request.headers = headers;
  request.headers.emplace_back("Authorization", "Zoho-oauthtoken " + token->access);
  if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  request.body = body;
  request.timeout = config_.request_timeout;
  if (access != nullptr) *access = token->access;
  return request;
}

// The read-ahead thread and the replies it has not handed over yet. The thread is the last
// member, so it starts after the others exist and is joined before they go.
class ZohoClient::ReadAhead {
 public:
  ReadAhead(ZohoClient& client, HttpRequest first, NextPageBody next_page)
      : client_(client), next_page_(std::move(next_page)), thread_([this, first] { run(first); }) {}
  ~ReadAhead() {
    {
      const std::lock_guard lock(mu_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // False once the thread has ended and every reply it read was taken.
  bool active() {
    const std::lock_guard lock(mu_);
    return !ended_ || !ready_.empty();
  }

  // The next reply read ahead, when it answers `request`.
  std::optional<Sent> take(const HttpRequest& request) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [this] { return ended_ || !ready_.empty(); });
    if (ready_.empty()) return std::nullopt;
    const HttpRequest& sent = ready_.front().first;
    if (sent.method != request.method || sent.url != request.url || sent.body != request.body ||
        sent.headers != request.headers) {
      return std::nullopt;
    }
    Sent reply = std::move(ready_.front().second);
    ready_.pop_front();
    changed_.notify_all();
    return reply;
  }

 private:
  void run(HttpRequest request) {
    for (;;) {
      Sent sent = client_.exchange(request);
      const bool success = sent.response.ok() && sent.response->status >= 200 &&
                           sent.response->status < 300 && sent.response->status != 204;
      std::optional<std::string> next =
          success && next_page_ ? next_page_(sent.response->body) : std::nullopt;
      std::unique_lock lock(mu_);
      ready_.emplace_back(request, std::move(sent));
      changed_.notify_all();
      if (next) changed_.wait(lock, [this] { return stopping_ || ready_.size() < kReadAhead; });
      if (!next || stopping_) {
        ended_ = true;
        changed_.notify_all();
        return;
      }
      request.body = std::move(*next);
    }
  }

  ZohoClient& client_;
  const NextPageBody next_page_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::pair<HttpRequest, Sent>> ready_;
  bool stopping_ = false;
  bool ended_ = false;
  std::thread thread_;
};

ZohoClient::~ZohoClient() = default;

void ZohoClient::read_ahead(const std::string& method, const std::string& path_and_query,
                            const std::string& body, NextPageBody next_page) {
  if (read_ahead_ && read_ahead_->active()) return;
  stop_reading_ahead();
  auto request = make_request(method, path_and_query, body, {}, nullptr);
  if (!request.ok()) return;  // call() will meet the same problem and report it
  read_ahead_ =
      std::make_unique<ReadAhead>(*this, std::move(request).value(), std::move(next_page));
}

void ZohoClient::stop_reading_ahead() { read_ahead_.reset(); }

ZohoClient::Sent ZohoClient::exchange(const HttpRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  Sent sent{http_->send(request), 0};
  sent.ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  return sent;
}

ZohoClient::Sent ZohoClient::send(const HttpRequest& request) {
  if (read_ahead_) {
    if (std::optional<Sent> sent = read_ahead_->take(request)) return *std::move(sent);
    stop_reading_ahead();
  }
  return exchange(request);
}

Result<ApiReply> ZohoClient::call(const std::string& method, const std::string& path_and_query,
                                  const std::string& body, const HttpHeaders& headers) {
  Status last;
  bool refreshed = false;
  for (int attempt = 1; attempt <= config_.max_attempts;) {
    if (ctx_.cancelled()) return Status::cancelled("zoho_source: stopped by signal");
    std::string used_token;
    auto made = make_request(method, path_and_query, body, headers, &used_token);
    if (!made.ok()) return made.status();
    const HttpRequest& request = *made;
    Sent sent = send(request);
    auto& response = sent.response;
    const std::int64_t ms = sent.ms;
    const std::string what = method + " " + path_only(request.url);
    if (!response.ok()) {
      ctx_.log().debug("zoho_source: " + what + " failed in " + std::to_string(ms) +
                       " ms: " + response.status().message());
      last = response.status();
      if (!last.retryable()) return last.with_context("zoho_source: " + what);
    } else {
      const int status = response->status;
      ctx_.log().debug("zoho_source: " + what + " -> " + std::to_string(status) + " in " +
                       std::to_string(ms) + " ms");
      // A 200 body is large: only error replies are parsed for their code.
      const std::string code = status >= 400 ? code_of(*response) : "";
      if (status == 204 || status == 304) return ApiReply{status, json()};
      if (status >= 200 && status < 300) {
        json parsed = parse_json(response->body);
        if (!parsed.is_discarded() && parsed.is_object()) {
          return ApiReply{status, std::move(parsed)};
        }
        last = Status::remote("zoho_source: " + what + ": HTTP " + std::to_string(status) +
                                  " with a body that is not a JSON object",
                              true);
      } else if (status == 401 && (code == "INVALID_TOKEN" || code == "AUTHENTICATION_FAILURE")) {
        if (refreshed) {
          return Status::remote("zoho_source: " + what + ": HTTP 401 " +
                                describe_error(*response, secrets(used_token)) +
                                ", again after refreshing the access token");
        }
        refreshed = true;
        HADES_RETURN_IF_ERROR(refresh_after(used_token));
        continue;  // the retry with the new token is not a backoff attempt
      } else if (status == 429 && code == "LIMIT_EXCEEDED") {
        return Status::remote("zoho_source: " + what +
                                  ": the org's Zoho API credits are exhausted (HTTP 429 " +
                                  describe_error(*response, secrets(used_token)) +
                                  "); run again when they are renewed to resume",
                              true);
      } else if (is_retryable_status(status)) {
        last = Status::remote("zoho_source: " + what + ": HTTP " + std::to_string(status) + " " +
                                  describe_error(*response, secrets(used_token)),
                              true);
      } else {
        return Status::remote("zoho_source: " + what + ": HTTP " + std::to_string(status) + " " +
                              describe_error(*response, secrets(used_token)));
      }
    }
    if (attempt == config_.max_attempts) break;
    HADES_RETURN_IF_ERROR(backoff(attempt));
    ++attempt;
  }
  return Status::remote(
      last.message() + " (gave up after " + std::to_string(config_.max_attempts) + " attempts)",
      last.retryable());
}

}  // namespace hades::zoho_source
