#include "token_service.h"

#include <array>
#include <cstdio>

#include "faults.h"

namespace hades::zoho_sim {
namespace {

using nlohmann::json;

std::string param(const std::map<std::string, std::string, std::less<>>& form,
                  std::string_view key) {
  const auto it = form.find(key);
  return it == form.end() ? std::string() : it->second;
}

std::string hex64(std::uint64_t value) {
  std::array<char, 17> buf{};
  std::snprintf(buf.data(), buf.size(), "%016llx", static_cast<unsigned long long>(value));
  return buf.data();
}

}  // namespace

std::string secret_hash(std::string_view secret) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : secret) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hex64(hash).substr(0, 8);
}

void TokenService::add_client(const std::string& client_id, const std::string& client_secret) {
  clients_[client_id] = client_secret;
}

void TokenService::add_refresh_token(const std::string& refresh_token,
                                     const std::string& client_id) {
  refresh_[refresh_token].client_id = client_id;
}

std::string TokenService::mint() {
  const auto draw = [this](std::uint64_t stream) {
    const auto index = static_cast<std::uint64_t>(issued_);
    return hex64(deterministic_bits(options_.seed, stream, index)) +
           hex64(deterministic_bits(options_.seed, stream + 1, index));
  };
  return "1000." + draw(101) + "." + draw(303);
}

TokenReply TokenService::grant(const std::map<std::string, std::string, std::less<>>& form,
                               std::int64_t now, const std::string& api_domain) {
  TokenReply reply;
  const std::string refresh_token = param(form, "refresh_token");
  if (!refresh_token.empty()) reply.client_hash = secret_hash(refresh_token);
  const auto fail = [&reply](std::string outcome, json body, int status = 200) {
    reply.status = status;
    reply.outcome = std::move(outcome);
    reply.body = std::move(body);
    return reply;
  };
  if (param(form, "grant_type") != "refresh_token") {
    return fail("unsupported_grant_type", {{"error", "unsupported_grant_type"}});
  }
  const auto client = clients_.find(param(form, "client_id"));
  if (client == clients_.end() || client->second != param(form, "client_secret")) {
    return fail("invalid_client", {{"error", "invalid_client"}});
  }
  const auto refresh = refresh_.find(refresh_token);
  if (refresh == refresh_.end() || refresh->second.revoked ||
      refresh->second.client_id != client->first) {
    return fail("invalid_code", {{"error", "invalid_code"}});
  }
  Refresh& r = refresh->second;
  while (!r.grants.empty() && r.grants.front() <= now - options_.throttle_window.count()) {
    r.grants.pop_front();
  }
  if (static_cast<int>(r.grants.size()) >= options_.throttle_limit) {
    return fail(
        "throttled",
        {{"error", "Access Denied"},
         {"error_description",
          "You have made too many requests continuously. Please try again after some time."}},
        400);
  }
  r.grants.push_back(now);
  const std::string token = mint();
  ++issued_;
  access_[token] = Access{refresh_token, now + options_.token_ttl.count(), 0};
  r.live.push_back(token);
  while (static_cast<int>(r.live.size()) > options_.max_live_tokens) {
    access_.erase(r.live.front());  // the oldest dies
    r.live.pop_front();
  }
  const std::int64_t ttl = options_.token_ttl.count();
  reply.outcome = "granted";
  reply.body = {{"access_token", token},
                {"scope", "ZohoCRM.modules.ALL ZohoCRM.settings.fields.READ ZohoCRM.coql.READ"},
                {"api_domain", api_domain},
                {"token_type", "Bearer"},
                {"expires_in", options_.legacy_expires_in ? ttl * 1000 : ttl}};
  if (options_.legacy_expires_in) reply.body["expires_in_sec"] = ttl;
  return reply;
}

AccessCheck TokenService::check(const std::string& access_token, std::int64_t now) const {
  AccessCheck result;
  const auto it = access_.find(access_token);
  if (it == access_.end()) return result;
  result.user = secret_hash(it->second.refresh_token);
  result.uses = it->second.uses;
  result.state =
      now >= it->second.expires_at ? AccessCheck::State::kExpired : AccessCheck::State::kValid;
  return result;
}

void TokenService::note_use(const std::string& access_token) {
  if (const auto it = access_.find(access_token); it != access_.end()) ++it->second.uses;
}

void TokenService::expire(const std::string& access_token) {
  const auto it = access_.find(access_token);
  if (it == access_.end()) return;
  auto& live = refresh_[it->second.refresh_token].live;
  std::erase(live, access_token);
  access_.erase(it);
}

void TokenService::expire_all_access_tokens() {
  access_.clear();
  for (auto& [token, r] : refresh_) r.live.clear();
}

bool TokenService::revoke(const std::string& refresh_token) {
  const auto it = refresh_.find(refresh_token);
  if (it == refresh_.end()) return false;
  it->second.revoked = true;
  for (const auto& token : it->second.live) access_.erase(token);
  it->second.live.clear();
  return true;
}

void TokenService::reset_throttle() {
  for (auto& [token, r] : refresh_) r.grants.clear();
}

std::size_t TokenService::live_tokens(std::int64_t now) const {
  std::size_t live = 0;
  for (const auto& [token, access] : access_) live += now < access.expires_at;
  return live;
}

}  // namespace hades::zoho_sim
