// hubspot_source: a CRM source over HTTP, built only on the installed SDK. It reads HubSpot's
// contacts (GET {api_url}/crm/v3/objects/contacts?limit=N&after=T, the next page's token in
// `paging.next.after`) with a bearer token from the refresh-token grant, and resumes exactly from
// its cursor. docs/writing-a-plugin.md, section 8, walks through it; tests/e2e/
// crm_example_test.cc builds it against the installed package and runs it against a fake HubSpot.
//
// What the SDK does for it: the HTTP client (TLS verified, timeouts, one kept-alive connection),
// retries (429 with Retry-After, 5xx, resets), the OAuth2 token (cached in the job's database,
// refreshed once on a 401, never logged), the page cursor, and JSON to Values.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hades/http.h"
#include "hades/json.h"
#include "hades/oauth2.h"
#include "hades/paging.h"
#include "hades/plugin_export.h"

namespace {

struct HubSpotConfig {
  std::string api_url;  // "https://api.hubapi.com", no trailing slash
  hades::OAuth2Config oauth;
  std::int64_t page_size = 100;
};

// The contact properties kept, in column order after `id`.
const std::vector<std::string> kProperties = {"email", "firstname", "lastname", "lastmodifieddate"};

class HubSpotSource final : public hades::Source {
 public:
  explicit HubSpotSource(HubSpotConfig config) : config_(std::move(config)) {}

  hades::Status open(hades::Context& ctx, std::string_view cursor) override {
    auto walk = hades::PageWalk::resume(cursor, "hubspot_source");
    if (!walk.ok()) return walk.status();
    walk_ = *walk;
    http_ = hades::make_http_client();
    session_ = std::make_unique<hades::OAuth2Session>(config_.oauth, *http_, ctx);
    return session_->prepare();
  }

  std::shared_ptr<const hades::Schema> schema() const override { return schema_; }

  // One page per call at most, so that the runner checkpoints after every page.
  hades::Result<bool> read(std::size_t max_rows, hades::Chunk* out,
                           hades::Rejects& rejects) override {
    if (pending_.empty() && !walk_.done()) HADES_RETURN_IF_ERROR(fetch_page());
    std::size_t handed = 0;
    while (handed < max_rows && !pending_.empty()) {
      add_row(pending_.front(), out, rejects);
      pending_.erase(pending_.begin());
      ++handed;
    }
    walk_.took(handed);
    if (pending_.empty() && page_fetched_) {
      walk_.finish_page(next_);
      page_fetched_ = false;
    }
    return !walk_.done() || !pending_.empty();
  }

  std::string cursor() const override { return walk_.cursor(); }

 private:
  hades::Status fetch_page() {
    hades::HttpRequest request;
    request.url = config_.api_url +
                  "/crm/v3/objects/contacts?limit=" + std::to_string(config_.page_size) +
                  "&properties=email,firstname,lastname," + "lastmodifieddate";
    if (!walk_.page().empty()) request.url += "&after=" + hades::url_encode(walk_.page());
    auto response = session_->send(request);
    if (!response.ok()) return response.status().with_context("hubspot_source");
    if (response->status != 200) {
      // Retries are spent (429, 5xx) or the API refused the request: stop, and say which. A
      // 429 or 5xx may pass: retryable, so the scheduler runs the job again later.
      return hades::Status::remote(
          "hubspot_source: GET contacts: HTTP " + std::to_string(response->status),
          hades::is_retryable_status(response->status));
    }
    auto body = hades::parse_json_object(response->body, "hubspot_source: GET contacts");
    if (!body.ok()) return body.status();
    const nlohmann::json& results = (*body)["results"];
    pending_.clear();
    if (results.is_array()) pending_.assign(results.begin(), results.end());
    // After a resume, the rows of this page handed out before the restart.
    const std::size_t skip = std::min<std::size_t>(walk_.skip(), pending_.size());
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(skip));
    const hades::Value after = hades::json_field(*body, "paging.next.after");
    next_ = hades::is_null(after) ? std::nullopt : std::optional(hades::to_text(after));
    page_fetched_ = true;
    return hades::Status::ok_status();
  }

  void add_row(const nlohmann::json& contact, hades::Chunk* out, hades::Rejects& rejects) {
    const hades::Value id = hades::json_field(contact, "id");
    if (hades::is_null(id)) {
      rejects.reject("missing_id", "hubspot:contact ?", "a contact without an id",
                     contact.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      return;
    }
    hades::Row row{id};
    for (const std::string& property : kProperties) {
      row.push_back(hades::json_field(contact, "properties." + property));
    }
    out->append(std::move(row), "hubspot:contact " + hades::to_text(id));
  }

  HubSpotConfig config_;
  hades::PageWalk walk_;
  std::unique_ptr<hades::HttpClient> http_;
  std::unique_ptr<hades::OAuth2Session> session_;
  std::vector<nlohmann::json> pending_;  // the fetched page's rows not handed out yet
  std::optional<std::string> next_;      // the fetched page's successor
  bool page_fetched_ = false;
  std::shared_ptr<const hades::Schema> schema_ = std::make_shared<hades::Schema>(
      std::vector<std::string>{"id", "email", "firstname", "lastname", "lastmodifieddate"});
};

const hades::SettingSpec kSettings[] = {
    {"api_url", hades::SettingType::kString, false, "https://api.hubapi.com", false,
     "the API's base URL"},
    {"token_url", hades::SettingType::kString, false, "https://api.hubapi.com/oauth/v1/token",
     false, "the OAuth2 token endpoint"},
    {"client_id", hades::SettingType::kString, true, nullptr, true, "the app's client id"},
    {"client_secret", hades::SettingType::kString, true, nullptr, true, "the app's secret"},
    {"refresh_token", hades::SettingType::kString, true, nullptr, true,
     "the refresh token of the installing account"},
    {"page_size", hades::SettingType::kInt, false, "100", false, "contacts per request, 1-100"},
};

hades::Result<std::unique_ptr<hades::Plugin>> create(const hades::Settings& settings) {
  HubSpotConfig config;
  config.api_url = settings.get_string("api_url").value_or("");
  config.oauth.token_url = settings.get_string("token_url").value_or("");
  config.oauth.client_id = settings.get_string("client_id").value_or("");
  config.oauth.client_secret = settings.get_string("client_secret").value_or("");
  config.oauth.refresh_token = settings.get_string("refresh_token").value_or("");
  config.oauth.cache_table = "hubspot_oauth_tokens";
  config.page_size = settings.get_int("page_size").value_or(100);
  if (config.page_size < 1 || config.page_size > 100) {
    return hades::Status::invalid_config("page_size must be between 1 and 100");
  }
  for (const std::string* url : {&config.api_url, &config.oauth.token_url}) {
    if (!url->starts_with("https://") && !url->starts_with("http://")) {
      return hades::Status::invalid_config("api_url and token_url must be http(s) URLs");
    }
  }
  while (config.api_url.ends_with('/')) config.api_url.pop_back();
  return std::unique_ptr<hades::Plugin>(std::make_unique<HubSpotSource>(std::move(config)));
}

}  // namespace

HADES_PLUGIN(hubspot_source, "1.0.0", hades::PluginKind::kSource,
             "reads HubSpot contacts over HTTP (the SDK's HTTP example)", kSettings, create)
