// report_view.h: a calibration report (docs/calibration-report.md) as the page's tables.
//
// One row per bucket with a suggested score, labelled for people ("SIC 8062", its industry),
// sorted by the size of the change; each row says how far the suggestion is from today (band:
// `close` within 5 points, `moderate` within 15, `far` beyond) and whether the data even say the
// current score is wrong: the report's evidence, the 95% interval of the suggested score
// (`suggested_low`, `suggested_high`) and its `verdict` (`supported`, `within_noise`; null in a
// report made before the calibrator had one), with `within_noise` true for the latter. Only rows
// whose suggestion differs from the current score can be selected for Apply. The report's
// `scoring_check` (is the scoring working?) is passed on as it is.
//
// Thread safety: pure functions.

#ifndef HADES_PLUGINS_CALIBRATION_PAGE_REPORT_VIEW_H_
#define HADES_PLUGINS_CALIBRATION_PAGE_REPORT_VIEW_H_

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <set>
#include <string>

namespace hades::calibration_page {

// The api/report reply for `report` (the parsed JSON of the file at `path`), given the
// SHA-256 of icp.yaml as it is now and the SIC industry names.
nlohmann::json report_reply(const nlohmann::json& report, const std::string& path,
                            const std::string& current_icp_sha256,
                            const std::map<std::string, std::string>& industry_names);

// The `dimension:bucket` items of `report` a person may select: scored, with a suggestion
// that differs from the current score.
std::set<std::string> selectable_items(const nlohmann::json& report);

// "close" (|delta| <= 5), "moderate" (<= 15) or "far".
std::string delta_band(long long delta);

}  // namespace hades::calibration_page

#endif  // HADES_PLUGINS_CALIBRATION_PAGE_REPORT_VIEW_H_
