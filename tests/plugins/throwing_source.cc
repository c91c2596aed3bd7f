// A source whose read() throws: the host must turn it into an error naming the plugin and the
// operation (exit 1), never crash or unwind through the runner.
#include <stdexcept>

#include "hades/plugin_export.h"

namespace {

class ThrowingSource final : public hades::Source {
 public:
  hades::Status open(hades::Context&, std::string_view) override { return {}; }
  std::shared_ptr<const hades::Schema> schema() const override { return schema_; }
  hades::Result<bool> read(std::size_t, hades::Chunk*, hades::Rejects&) override {
    throw std::runtime_error("boom from throwing_source");
  }
  std::string cursor() const override { return ""; }

 private:
  std::shared_ptr<const hades::Schema> schema_ =
      std::make_shared<hades::Schema>(std::vector<std::string>{"x"});
};

const hades::SettingSpec kSettings[] = {
    {"message", hades::SettingType::kString, false, "boom", false, "unused"},
};

hades::Result<std::unique_ptr<hades::Plugin>> create(const hades::Settings&) {
  return std::unique_ptr<hades::Plugin>(std::make_unique<ThrowingSource>());
}

}  // namespace

HADES_PLUGIN(throwing_source, "0.0.1", hades::PluginKind::kSource, "read() always throws",
             kSettings, create)
