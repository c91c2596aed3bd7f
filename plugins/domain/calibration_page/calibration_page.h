// calibration_page.h: the Score Calibration page (README.md, docs/dashboard.md).
//
// Four tabs over the job database, icp.yaml and the calibration reports: Current weights,
// Calibration report (with Apply selected), Outcomes feed and Model (the lead model against the
// weights, with Approve and Revert), plus the "recalibration available" indicator. The JSON
// endpoints, all below the page's mount:
//   GET  api/summary       indicator, last calibration, icp.yaml and report identity
//   GET  api/weights       icp.yaml's tables with comments, and the history of changes
//   GET  api/report        the latest report's rows, backtest and guard
//   GET  api/outcomes      funnel, latest batches, time lag, batch check
//   GET  api/batch?id=B    one batch's leads
//   POST api/preview       {items}: the diff Apply would make
//   POST api/apply         {items, icp_sha256, report_created_at}: apply them
//   POST api/rollback      {change_id}: undo the latest change
//   GET  api/model         the newest lead model, its comparison with the weights, the method
//   POST api/model/preview {model_id}: the diff approving it would make
//   POST api/model/approve {model_id, icp_sha256}: score with it (icp.yaml's scoring_method)
//   POST api/model/revert  {icp_sha256}: back to the weights
// and the static files (index.html, app.css, app.js) compiled into the plugin.
//
// Thread safety: hades/page.h's: start() and handlers from one thread.

#ifndef HADES_PLUGINS_CALIBRATION_PAGE_CALIBRATION_PAGE_H_
#define HADES_PLUGINS_CALIBRATION_PAGE_CALIBRATION_PAGE_H_

#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "hades/page.h"
#include "icp_view.h"
#include "weight_changes.h"

namespace hades::calibration_page {

struct PageConfig {
  std::string reports_dir = "reports/";  // where calibration-latest.json is
  std::string icp_path;                  // the icp.yaml shown and changed
};

using WeightChangesFactory =
    std::function<std::unique_ptr<WeightChanges>(Database&, const std::string& icp_path)>;

class CalibrationPage final : public Page {
 public:
  // `weights` makes the Apply/Roll back implementation at start(); tests pass a fake.
  CalibrationPage(PageConfig config, WeightChangesFactory weights);

  std::string title() const override { return "Score Calibration"; }
  Status start(PageContext& ctx, PageRoutes& routes) override;

 private:
  // A file read again only when its modification time or size changed.
  template <typename T>
  struct Cached {
    std::filesystem::file_time_type mtime{};
    std::uintmax_t size = 0;
    std::optional<T> value;
    std::string error;
  };

  WebResponse summary(const WebRequest& request);
  WebResponse weights(const WebRequest& request);
  WebResponse report(const WebRequest& request);
  WebResponse outcomes(const WebRequest& request);
  WebResponse batch(const WebRequest& request);
  WebResponse preview(const WebRequest& request);
  WebResponse apply(const WebRequest& request);
  WebResponse rollback(const WebRequest& request);
  WebResponse model(const WebRequest& request);
  WebResponse model_preview(const WebRequest& request);
  WebResponse model_approve(const WebRequest& request);
  WebResponse model_revert(const WebRequest& request);
  // The latest changes of icp.yaml, newest first; empty when the history cannot be read.
  std::vector<WeightChangeRecord> recent_changes();
  // The model a Model-tab POST names: it must be the newest and usable.
  Result<std::int64_t> requested_model(const nlohmann::json& body);

  // icp.yaml as it is now; nullptr (and error) when it cannot be read.
  const IcpView* icp(std::string* error);
  // The latest report; nullptr when there is none (error says why, "" for simply none yet).
  const nlohmann::json* latest_report(std::string* error);
  std::string report_path() const;
  // The report file to record with a change: the run's own, else calibration-latest.json.
  std::string report_file_for(const nlohmann::json& report) const;
  nlohmann::json history_json();

  PageConfig config_;
  WeightChangesFactory make_weights_;
  Database* db_ = nullptr;
  Logger* log_ = nullptr;
  std::unique_ptr<WeightChanges> weights_;
  Cached<IcpView> icp_;
  Cached<nlohmann::json> report_;
};

// The page's settings: the plugin's schema, hence `hades serve` options (--reports, --icp).
inline constexpr SettingSpec kPageSettings[] = {
    // name,    type,                 required, default,    secret, description
    {"reports", SettingType::kString, false, "reports/", false,
     "directory of calibration-latest.json (jobs/calibrate.yaml's report_dir)"},
    {"icp", SettingType::kString, false, nullptr, false,
     "the icp.yaml shown and changed (default: $HADES_ICP, else config/icp.yaml)"},
};

// The bound settings as the page's config.
PageConfig page_config(const Settings& settings);

}  // namespace hades::calibration_page

#endif  // HADES_PLUGINS_CALIBRATION_PAGE_CALIBRATION_PAGE_H_
