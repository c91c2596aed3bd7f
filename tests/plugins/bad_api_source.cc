// A plugin built "for another API": its descriptor claims API major 99. The host must refuse it
// (exit 4) before calling anything else in it, so its factory must never run.
#include <boost/dll/alias.hpp>
#include <cstdlib>
#include <iterator>
#include <memory>

#include "hades/plugin.h"

namespace {

const hades::SettingSpec kSettings[] = {
    {"path", hades::SettingType::kString, false, nullptr, false, "unused"},
};

hades::Status factory(const hades::Settings&, std::unique_ptr<hades::Plugin>*) {
  std::abort();  // reaching this means the host called into a refused plugin
}

}  // namespace

namespace bad_api {
const hades::PluginDescriptor descriptor = {sizeof(hades::PluginDescriptor),
                                            99,
                                            0,
                                            hades::PluginKind::kSource,
                                            "bad_api_source",
                                            "0.0.1",
                                            HADES_BUILD_FINGERPRINT,
                                            "built for plugin API 99",
                                            std::data(kSettings),
                                            1};
hades::Status make(const hades::Settings& settings, std::unique_ptr<hades::Plugin>* out) {
  return factory(settings, out);
}
}  // namespace bad_api

BOOST_DLL_ALIAS(bad_api::descriptor, hades_plugin_descriptor)
BOOST_DLL_ALIAS(bad_api::make, hades_plugin_factory)
