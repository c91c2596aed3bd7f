// hades/plugin_export.h: HADES_PLUGIN(), the one line that makes a library a HADES plugin.
//
// Include it in exactly one source file of the plugin:
//
//   const hades::SettingSpec kSettings[] = {
//     {"path", hades::SettingType::kString, true, nullptr, false, "CSV file to read"},
//   };
//   hades::Result<std::unique_ptr<hades::Plugin>> create(const hades::Settings& settings);
//   HADES_PLUGIN(csv_source, "1.0.0", hades::PluginKind::kSource, "Reads CSV files",
//                kSettings, create)
//
// The macro defines the descriptor and a factory trampoline that turns any exception thrown by
// `create` into a Status, and exports both under fixed names with Boost.DLL aliases.

#ifndef HADES_PLUGIN_EXPORT_H_
#define HADES_PLUGIN_EXPORT_H_

#include <boost/dll/alias.hpp>
#include <exception>
#include <iterator>
#include <memory>

#include "hades/plugin.h"

#define HADES_PLUGIN(plugin_name, version_text, plugin_kind, summary_text, settings_array, \
                     create_function)                                                      \
  namespace hades_plugin_entry {                                                           \
  const ::hades::PluginDescriptor descriptor = {                                           \
      sizeof(::hades::PluginDescriptor),                                                   \
      ::hades::kApiMajor,                                                                  \
      ::hades::kApiMinor,                                                                  \
      plugin_kind,                                                                         \
      #plugin_name,                                                                        \
      version_text,                                                                        \
      HADES_BUILD_FINGERPRINT,                                                             \
      summary_text,                                                                        \
      std::data(settings_array),                                                           \
      static_cast<std::uint32_t>(std::size(settings_array))};                              \
  ::hades::Status factory(const ::hades::Settings& settings,                               \
                          std::unique_ptr<::hades::Plugin>* out) {                         \
    try {                                                                                  \
      auto made = create_function(settings);                                               \
      if (!made.ok()) return made.status();                                                \
      *out = std::move(made).value();                                                      \
      return ::hades::Status::ok_status();                                                 \
    } catch (const std::exception& e) {                                                    \
      return ::hades::Status::internal(std::string("create threw: ") + e.what());          \
    } catch (...) {                                                                        \
      return ::hades::Status::internal("create threw a non-standard exception");           \
    }                                                                                      \
  }                                                                                        \
  }                                                                                        \
  BOOST_DLL_ALIAS(hades_plugin_entry::descriptor, hades_plugin_descriptor)                 \
  BOOST_DLL_ALIAS(hades_plugin_entry::factory, hades_plugin_factory)

#endif  // HADES_PLUGIN_EXPORT_H_
