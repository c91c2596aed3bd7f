// token_service.h: the simulated Zoho accounts server (OAuth refresh-token grant).
//
// Reproduces what clients trip over: failures as HTTP 200 with {"error":...}; at most
// `throttle_limit` grants per refresh token per `throttle_window` (then "Access Denied");
// at most `max_live_tokens` live access tokens per refresh token (granting one more kills the
// oldest); revocation of a refresh token kills its access tokens; the legacy reply that gave
// expires_in in milliseconds plus expires_in_sec.
//
// Thread safety: none; the Simulator serialises calls.

#ifndef HADES_TOOLS_ZOHO_SIM_TOKEN_SERVICE_H_
#define HADES_TOOLS_ZOHO_SIM_TOKEN_SERVICE_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace hades::zoho_sim {

// A short, non-reversible tag for a secret (8 hex digits of FNV-1a), so logs can correlate
// tokens without containing them.
std::string secret_hash(std::string_view secret);

struct OAuthOptions {
  std::chrono::seconds token_ttl{3600};
  bool legacy_expires_in = false;
  int throttle_limit = 10;
  std::chrono::seconds throttle_window{600};
  int max_live_tokens = 15;
  std::uint64_t seed = 1;  // access tokens are derived from it, so runs are reproducible
};

struct TokenReply {
  int status = 200;
  nlohmann::json body;
  std::string outcome;      // "granted", "invalid_client", "invalid_code", "throttled", ...
  std::string client_hash;  // secret_hash of the refresh token asked about, or ""
};

struct AccessCheck {
  enum class State { kValid, kUnknown, kExpired };
  State state = State::kUnknown;
  std::string user;       // secret_hash of the refresh token the access token came from
  std::int64_t uses = 0;  // API calls this token has served so far
};

class TokenService {
 public:
  explicit TokenService(OAuthOptions options) : options_(options) {}

  void add_client(const std::string& client_id, const std::string& client_secret);
  void add_refresh_token(const std::string& refresh_token, const std::string& client_id);

  // POST /oauth/v2/token with `form` (query and body parameters merged).
  TokenReply grant(const std::map<std::string, std::string, std::less<>>& form, std::int64_t now,
                   const std::string& api_domain);
  AccessCheck check(const std::string& access_token, std::int64_t now) const;
  void note_use(const std::string& access_token);
  void expire(const std::string& access_token);
  void expire_all_access_tokens();
  // Returns false when the refresh token is unknown.
  bool revoke(const std::string& refresh_token);
  void reset_throttle();
  std::int64_t issued() const { return issued_; }
  std::size_t live_tokens(std::int64_t now) const;

 private:
  struct Access {
    std::string refresh_token;
    std::int64_t expires_at = 0;
    std::int64_t uses = 0;
  };
  struct Refresh {
    std::string client_id;
    bool revoked = false;
    std::deque<std::int64_t> grants;  // grant times inside the throttle window
    std::deque<std::string> live;     // access tokens, oldest first
  };

  std::string mint();

  OAuthOptions options_;
  std::map<std::string, std::string, std::less<>> clients_;  // id -> secret
  std::map<std::string, Refresh, std::less<>> refresh_;
  std::map<std::string, Access, std::less<>> access_;
  std::int64_t issued_ = 0;
};

}  // namespace hades::zoho_sim

#endif  // HADES_TOOLS_ZOHO_SIM_TOKEN_SERVICE_H_
