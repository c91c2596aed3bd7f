#include "hades/oauth2.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "hades/redact.h"
#include "hades/token_seal.h"

namespace hades {

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

bool is_identifier(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// `expires_in` in seconds; an hour when absent or not a sane number.
std::int64_t token_ttl(const json& body) {
  double ttl = 3600;
  if (body.contains("expires_in") && body["expires_in"].is_number()) {
    ttl = body["expires_in"].get<double>();
  }
  if (!std::isfinite(ttl) || ttl < 1 || ttl > 30.0 * 86400) return 3600;
  return static_cast<std::int64_t>(ttl);
}

std::string string_field(const json& body, const char* key) {
  return body.is_object() && body.contains(key) && body[key].is_string()
             ? body[key].get<std::string>()
             : "";
}

}  // namespace

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

OAuth2Session::OAuth2Session(OAuth2Config config, HttpClient& http, Context& ctx, Sleeper sleep)
    : config_(std::move(config)),
      http_(http),
      ctx_(ctx),
      sleep_(sleep ? std::move(sleep) : cancellable_sleeper(ctx)),
      backoff_(config_.retry) {}

std::string OAuth2Session::cache_key() const {
  return sha256_hex(config_.token_url + "\n" + config_.client_id + "\n" + config_.refresh_token);
}

std::string OAuth2Session::seal_key() const {
  return config_.client_secret + "\n" + config_.refresh_token;
}

std::vector<std::string> OAuth2Session::secrets() const {
  const std::lock_guard lock(mu_);
  return {config_.client_id, config_.client_secret, config_.refresh_token, access_};
}

Status OAuth2Session::prepare() {
  if (!is_identifier(config_.cache_table)) {
    return Status::invalid_config("oauth2: the token cache table '" +
                                  printable(config_.cache_table) + "' is not a plain SQL name");
  }
  if (!config_.token_url.starts_with("https://") && !config_.token_url.starts_with("http://")) {
    return Status::invalid_config("oauth2: the token URL must start with https:// or http://");
  }
  WriteBatch batch;
  batch.add("CREATE TABLE IF NOT EXISTS " + config_.cache_table +
            " (cache_key TEXT PRIMARY KEY, access_token TEXT NOT NULL,"
            " expires_at INTEGER NOT NULL, refresh_at INTEGER NOT NULL,"
            " updated_at INTEGER NOT NULL)");
  return ctx_.database().apply(batch).with_context("oauth2: creating " + config_.cache_table);
}

Result<bool> OAuth2Session::load_cached() {
  auto rows = ctx_.database().query(
      "SELECT access_token, refresh_at FROM " + config_.cache_table + " WHERE cache_key = ?",
      {cache_key()});
  if (!rows.ok()) return rows.status().with_context("oauth2: reading the token cache");
  if (rows->rows.empty()) return false;
  const std::int64_t refresh_at = as_int(rows->rows[0][1]).value_or(0);
  // A row these credentials cannot open (other credentials, damage) is a miss.
  const std::optional<std::string> access = open_token(to_text(rows->rows[0][0]), seal_key());
  if (!access || !is_printable_token(*access) || unix_now() >= refresh_at) return false;
  access_ = *access;
  refresh_at_ = refresh_at;
  return true;
}

Status OAuth2Session::store_cached(std::int64_t expires_at) {
  WriteBatch batch;
  batch.add("INSERT INTO " + config_.cache_table +
                " (cache_key, access_token, expires_at, refresh_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (cache_key) DO UPDATE SET access_token ="
                " excluded.access_token, expires_at = excluded.expires_at, refresh_at ="
                " excluded.refresh_at, updated_at = excluded.updated_at",
            {cache_key(), seal_token(access_, seal_key()), expires_at, refresh_at_, unix_now()});
  return ctx_.database().apply(batch).with_context("oauth2: caching the access token");
}

Result<std::string> OAuth2Session::access_token() {
  const std::lock_guard lock(mu_);
  if (!access_.empty() && unix_now() < refresh_at_) return access_;
  // Another run or plugin instance may have refreshed it since.
  auto cached = load_cached();
  if (!cached.ok()) return cached.status();
  if (!*cached) HADES_RETURN_IF_ERROR(refresh_locked());
  return access_;
}

Status OAuth2Session::refresh_after(const std::string& refused) {
  const std::lock_guard lock(mu_);
  if (access_ != refused) return Status::ok_status();  // someone already did
  return refresh_locked();
}

Status OAuth2Session::refresh_locked() {
  auto token = request_token();
  if (!token.ok()) return token.status();
  return Status::ok_status();
}

Result<std::string> OAuth2Session::request_token() {
  HttpRequest request;
  request.method = "POST";
  request.url = config_.token_url;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"Accept", "application/json"}};
  request.body = "grant_type=refresh_token&refresh_token=" + url_encode(config_.refresh_token) +
                 "&client_id=" + url_encode(config_.client_id) +
                 "&client_secret=" + url_encode(config_.client_secret);
  if (!config_.scope.empty()) request.body += "&scope=" + url_encode(config_.scope);
  request.timeout = config_.request_timeout;
  const std::vector<std::string> masked = {config_.client_id, config_.client_secret,
                                           config_.refresh_token};
  ++token_requests_;  // per refresh, not per resend: what the single-flight promise is about
  auto response = send_with_retry(http_, request, backoff_, sleep_);
  if (!response.ok()) return response.status().with_context("oauth2: the token request failed");
  const json body = json::parse(response->body, nullptr, false);
  const std::string error = string_field(body, "error");
  if (response->status >= 200 && response->status < 300 && error.empty()) {
    const std::string access = string_field(body, "access_token");
    if (!is_printable_token(access)) {
      return Status::remote("oauth2: the token endpoint answered HTTP " +
                                std::to_string(response->status) +
                                " without an access_token that is one line of printable text",
                            !body.is_object());  // cut short on the way: worth another run
    }
    const std::int64_t now = unix_now();
    const std::int64_t ttl = token_ttl(body);
    access_ = access;
    refresh_at_ = now + ttl - std::min<std::int64_t>(config_.refresh_margin.count(), ttl / 2);
    HADES_RETURN_IF_ERROR(store_cached(now + ttl));
    ctx_.log().info("oauth2: new access token, valid " + std::to_string(ttl) + " s");
    return access_;
  }
  if (error == "invalid_client" || error == "invalid_grant" || error == "unauthorized_client") {
    return Status::invalid_config(
        "oauth2: the token endpoint refused the credentials: " + error +
        " (a wrong client id or secret, or a refresh token that is wrong, revoked or of "
        "another client)");
  }
  return Status::remote("oauth2: the token request failed with HTTP " +
                            std::to_string(response->status) + ": " +
                            quote_body(response->body, masked),
                        is_retryable_status(response->status));
}

Result<HttpResponse> OAuth2Session::send(HttpRequest request) {
  const HttpHeaders headers = request.headers;
  for (int round = 0;; ++round) {
    auto access = access_token();
    if (!access.ok()) return access.status();
    request.headers = headers;
    request.headers.emplace_back("Authorization", "Bearer " + *access);
    auto response = send_with_retry(http_, request, backoff_, sleep_);
    if (!response.ok() || response->status != 401 || round == 1) return response;
    ctx_.log().info("oauth2: the access token was refused (HTTP 401); refreshing it once");
    HADES_RETURN_IF_ERROR(refresh_after(*access));
  }
}

}  // namespace hades
