// The calibration_page plugin: its settings and HADES_PLUGIN() (README.md).
#include "calibration_page.h"
#include "hades/plugin_export.h"

namespace hades::calibration_page {
namespace {

Result<std::unique_ptr<Plugin>> create(const Settings& settings) {
  return std::unique_ptr<Plugin>(
      std::make_unique<CalibrationPage>(page_config(settings), make_weight_changes));
}

}  // namespace
}  // namespace hades::calibration_page

HADES_PLUGIN(calibration_page, "1.0.0", hades::PluginKind::kPage,
             "the Score Calibration page: weights, calibration report, outcomes (hades serve)",
             hades::calibration_page::kPageSettings, hades::calibration_page::create)
