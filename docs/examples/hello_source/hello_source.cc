// hello_source: the smallest useful source plugin. It yields `count` made-up CRM contacts
// ("id", "company", "email") and can resume from its cursor (the next id), which is all a
// source needs for exactly-once runs. docs/writing-a-plugin.md walks through it.
#include <charconv>
#include <string>

#include "hades/plugin_export.h"

namespace {

struct HelloConfig {
  std::int64_t count = 0;
  std::string domain;
};

class HelloSource final : public hades::Source {
 public:
  explicit HelloSource(HelloConfig config) : config_(std::move(config)) {}

  hades::Status open(hades::Context& /*ctx*/, std::string_view cursor) override {
    next_id_ = 1;
    if (!cursor.empty()) {
      auto [end, ec] = std::from_chars(cursor.data(), cursor.data() + cursor.size(), next_id_);
      if (ec != std::errc() || end != cursor.data() + cursor.size() || next_id_ < 1) {
        return hades::Status::corruption("hello_source cursor '" + std::string(cursor) +
                                         "' is not a positive id");
      }
    }
    return {};
  }

  std::shared_ptr<const hades::Schema> schema() const override { return schema_; }

  hades::Result<bool> read(std::size_t max_rows, hades::Chunk* out,
                           hades::Rejects& /*rejects*/) override {
    for (std::size_t i = 0; i < max_rows && next_id_ <= config_.count; ++i, ++next_id_) {
      const std::string id = std::to_string(next_id_);
      out->append({next_id_, "Company " + id, "contact" + id + "@" + config_.domain},
                  "hello:" + id);
    }
    return next_id_ <= config_.count;
  }

  std::string cursor() const override { return std::to_string(next_id_); }

 private:
  HelloConfig config_;
  std::int64_t next_id_ = 1;
  std::shared_ptr<const hades::Schema> schema_ =
      std::make_shared<hades::Schema>(std::vector<std::string>{"id", "company", "email"});
};

const hades::SettingSpec kSettings[] = {
    {"count", hades::SettingType::kInt, true, nullptr, false, "how many contacts to yield"},
    {"domain", hades::SettingType::kString, false, "example.com", false, "e-mail domain"},
};

hades::Result<std::unique_ptr<hades::Plugin>> create(const hades::Settings& settings) {
  HelloConfig config{settings.get_int("count").value_or(0),
                     settings.get_string("domain").value_or("example.com")};
  if (config.count < 0) return hades::Status::invalid_config("count must be >= 0");
  return std::unique_ptr<hades::Plugin>(std::make_unique<HelloSource>(std::move(config)));
}

}  // namespace

HADES_PLUGIN(hello_source, "1.0.0", hades::PluginKind::kSource,
             "yields made-up CRM contacts (the SDK example)", kSettings, create)
