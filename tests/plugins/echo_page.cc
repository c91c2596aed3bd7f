// A page for the host's tests (serve_e2e_test): it echoes what the host handed it, so a test
// can see the user, the query and the body a request arrived with, and it fails on purpose.
#include <chrono>
#include <thread>

#include "hades/page.h"
#include "hades/plugin_export.h"

namespace {

constexpr std::string_view kIndex =
    "<!doctype html><html><head><title>echo</title></head><body>echo page</body></html>\n";

std::string json_text(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) >= 0x20) out.push_back(c);
  }
  return out + "\"";
}

class EchoPage final : public hades::Page {
 public:
  explicit EchoPage(std::string greeting) : greeting_(std::move(greeting)) {}

  std::string title() const override { return "Echo"; }

  hades::Status start(hades::PageContext& ctx, hades::PageRoutes& routes) override {
    hades::Database& db = ctx.database();
    routes.asset("/", "text/html; charset=utf-8", kIndex);
    routes.get("/api/echo", [this](const hades::WebRequest& r) {
      return hades::WebResponse::json(
          200, "{\"greeting\":" + json_text(greeting_) + ",\"user\":" + json_text(r.user) +
                   ",\"path\":" + json_text(r.path) +
                   ",\"q\":" + json_text(r.query_value("q").value_or("")) + "}");
    });
    routes.post("/api/change", [](const hades::WebRequest& r) {
      return hades::WebResponse::json(
          200, "{\"user\":" + json_text(r.user) + ",\"body\":" + json_text(r.body) + "}");
    });
    routes.get("/api/throw", [](const hades::WebRequest&) -> hades::WebResponse {
      throw std::runtime_error("secret detail of the failure");
    });
    routes.get("/api/slow", [](const hades::WebRequest& r) {
      const int ms = std::stoi(r.query_value("ms").value_or("0"));
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      return hades::WebResponse::json(200, "{\"slept\":" + std::to_string(ms) + "}");
    });
    routes.get("/api/db", [&db](const hades::WebRequest& r) {
      auto rows = db.query("SELECT ? || '!'", {hades::Value(r.query_value("q").value_or(""))});
      if (!rows.ok()) return hades::WebResponse::json(500, json_text(rows.status().message()));
      return hades::WebResponse::json(200, json_text(hades::to_text(rows->rows.at(0).at(0))));
    });
    return hades::Status::ok_status();
  }

 private:
  std::string greeting_;
};

const hades::SettingSpec kSettings[] = {
    {"greeting", hades::SettingType::kString, false, "hello", false, "what /api/echo says"},
};

hades::Result<std::unique_ptr<hades::Plugin>> create(const hades::Settings& settings) {
  return std::unique_ptr<hades::Plugin>(
      std::make_unique<EchoPage>(settings.get_string("greeting").value_or("")));
}

}  // namespace

HADES_PLUGIN(echo_page, "0.0.1", hades::PluginKind::kPage,
             "echoes requests (tests of hades serve only)", kSettings, create)
