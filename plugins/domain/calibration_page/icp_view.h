// icp_view.h: icp.yaml as the page shows it: tables of every weight, tier and score, each with
// the comment written on its line, and the industry name of every SIC code.
//
// Values come from the scorer's own loader (leads/icp_config.h), so the page shows exactly what
// scoring uses; comments and names come from the file's text, since YAML parsers drop comments.
// Industry names are the comments of hard_filters.sic_codes ("# General Medical and Surgical
// Hospitals"), else of onsite_likelihood.sic_scores, without a trailing "(...)" note.
//
// Thread safety: a value.

#ifndef HADES_PLUGINS_CALIBRATION_PAGE_ICP_VIEW_H_
#define HADES_PLUGINS_CALIBRATION_PAGE_ICP_VIEW_H_

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "hades/status.h"

namespace hades::calibration_page {

struct IcpView {
  std::string path;
  std::string sha256;
  // {"weights": {"intent": [...], "geography": [...]}, "sic": [...], "sic_default": {...},
  //  "employee_scale": [...], "proximity": [...], "signal_strength": [...], "freshness": [...],
  //  "authority": [...]}; see docs/dashboard.md.
  std::string tables_json;
  std::map<std::string, std::string> industry_names;  // "8062" -> "General Medical ..."
};

// Reads and checks the icp.yaml at `path` (kIo, or kInvalidConfig with path:line:col).
Result<IcpView> read_icp_view(const std::string& path);

// The same from the file's text.
Result<IcpView> parse_icp_view(std::string_view text, const std::string& path);

// The comment of one YAML line: the text after a '#' that is outside quotes and starts the
// line or follows white space, trimmed; "" when the line has none.
std::string line_comment(std::string_view line);

}  // namespace hades::calibration_page

#endif  // HADES_PLUGINS_CALIBRATION_PAGE_ICP_VIEW_H_
