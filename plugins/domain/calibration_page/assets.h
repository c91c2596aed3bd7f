// assets.h: the page's static files, compiled into the plugin by hades_embed_files()
// (cmake/HadesEmbed.cmake generates the definition from assets/).

#ifndef HADES_PLUGINS_CALIBRATION_PAGE_ASSETS_H_
#define HADES_PLUGINS_CALIBRATION_PAGE_ASSETS_H_

#include <span>
#include <string_view>

namespace hades::calibration_page {

struct EmbeddedFile {
  std::string_view name;   // the file name, "app.js"
  std::string_view bytes;  // static storage
};

// Every file of assets/, in name order.
std::span<const EmbeddedFile> embedded_files();

}  // namespace hades::calibration_page

#endif  // HADES_PLUGINS_CALIBRATION_PAGE_ASSETS_H_
