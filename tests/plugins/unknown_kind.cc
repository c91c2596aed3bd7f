// A plugin of a kind this host does not know (as a plugin built for a later SDK minor might
// declare): the loader must refuse it before calling anything in it.
#include "hades/plugin_export.h"

namespace {

const hades::SettingSpec kSettings[] = {
    {"unused", hades::SettingType::kString, false, nullptr, false, "nothing"},
};

hades::Result<std::unique_ptr<hades::Plugin>> create(const hades::Settings&) {
  return hades::Status::internal("never called");
}

}  // namespace

HADES_PLUGIN(unknown_kind, "0.0.1", static_cast<hades::PluginKind>(99),
             "declares kind 99 (tests only)", kSettings, create)
