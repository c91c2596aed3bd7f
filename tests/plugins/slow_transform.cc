// Passes chunks through unchanged after sleeping `sleep_ms`: gives signal tests a run that is
// reliably still going when the signal arrives.
#include <chrono>
#include <thread>

#include "hades/plugin_export.h"

namespace {

class SlowTransform final : public hades::Transform {
 public:
  explicit SlowTransform(std::int64_t sleep_ms) : sleep_ms_(sleep_ms) {}
  hades::Result<std::shared_ptr<const hades::Schema>> open(
      hades::Context&, const std::shared_ptr<const hades::Schema>& input) override {
    return input;
  }
  hades::Status apply(hades::Chunk input, hades::Chunk* output, hades::Rejects&) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms_));
    *output = std::move(input);
    return {};
  }

 private:
  std::int64_t sleep_ms_;
};

const hades::SettingSpec kSettings[] = {
    {"sleep_ms", hades::SettingType::kInt, false, "50", false, "milliseconds to sleep per chunk"},
};

hades::Result<std::unique_ptr<hades::Plugin>> create(const hades::Settings& settings) {
  return std::unique_ptr<hades::Plugin>(
      std::make_unique<SlowTransform>(settings.get_int("sleep_ms").value_or(50)));
}

}  // namespace

HADES_PLUGIN(slow_transform, "0.0.1", hades::PluginKind::kTransform,
             "sleeps per chunk (tests only)", kSettings, create)
