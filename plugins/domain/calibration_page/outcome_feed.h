// outcome_feed.h: the page's reads of the job database, all parameterised SQL.
//
// Counts of exported leads come from the summary tables (outcomes/outcome_summary.h), never from a
// scan of lead_outcomes, and every one of them counts only published batches
// (domain::published_batch_sql(), outcomes/outcome_tables.h). Tables another component
// creates (calibration_runs) may not exist yet: the reads then answer "nothing yet" rather than
// fail.
//
// Thread safety: as the Database passed in.

#ifndef HADES_PLUGINS_CALIBRATION_PAGE_OUTCOME_FEED_H_
#define HADES_PLUGINS_CALIBRATION_PAGE_OUTCOME_FEED_H_

#include <cstddef>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "hades/database.h"
#include "hades/status.h"

namespace hades::calibration_page {

// The funnel, the latest `batch_limit` batches, and the delivery time lag (api/outcomes
// without the batch check, which the report holds).
Result<nlohmann::json> outcome_feed(Database& db, std::size_t batch_limit);

// One batch's leads (at most `limit`, in export order) with their outcome; `names` gives the
// industry of each SIC code.
Result<nlohmann::json> batch_detail(Database& db, const std::string& batch_id,
                                    const std::map<std::string, std::string>& names,
                                    std::size_t limit);

// hades_flags' recalibration_available: {"available", "detail", "updated_at"}, or null.
Result<nlohmann::json> recalibration_flag(Database& db);

// The newest calibration_runs row: {"created_at", "run_id", "data_volume", "icp_sha256",
// "baseline": {"n", "deliveries", "rate"}}, or null when nothing was calibrated.
Result<nlohmann::json> last_calibration(Database& db);

// Middle value of a distribution given as value -> count (the lower middle for an even total);
// -1 when empty.
long long median_of(const std::map<long long, long long>& counts);

}  // namespace hades::calibration_page

#endif  // HADES_PLUGINS_CALIBRATION_PAGE_OUTCOME_FEED_H_
