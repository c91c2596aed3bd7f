// A task that does everything a careless plugin could do with a secret: logs it at every level
// and fails with it in the error message. The runner must mask it everywhere.
#include "hades/plugin_export.h"

namespace {

class SecretEchoTask final : public hades::Task {
 public:
  explicit SecretEchoTask(std::string token) : token_(std::move(token)) {}
  hades::Status run(hades::Context& ctx) override {
    ctx.log().debug("debug: using token " + token_);
    ctx.log().info("info: using token " + token_);
    ctx.log().error("error: token " + token_ + " was refused");
    return hades::Status::remote("401 for token " + token_);
  }

 private:
  std::string token_;
};

const hades::SettingSpec kSettings[] = {
    {"token", hades::SettingType::kString, true, nullptr, true, "an API token (secret)"},
};

hades::Result<std::unique_ptr<hades::Plugin>> create(const hades::Settings& settings) {
  return std::unique_ptr<hades::Plugin>(
      std::make_unique<SecretEchoTask>(settings.get_string("token").value_or("")));
}

}  // namespace

HADES_PLUGIN(secret_echo_task, "0.0.1", hades::PluginKind::kTask,
             "logs and fails with its secret (tests only)", kSettings, create)
