#include "icp_view.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "leads/icp_config.h"

namespace hades::calibration_page {
namespace {

using nlohmann::json;

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return "";
  const auto last = text.find_last_not_of(" \t\r");
  return std::string(text.substr(first, last - first + 1));
}

// "Trucking, Except Local (NEW - 19.0% delivery rate)" -> "Trucking, Except Local", and
// "Hospitals: 11.2% delivery rate, ..." (a comment the weight writer rewrote) -> "Hospitals".
std::string without_note(const std::string& comment) {
  const auto cut = std::min(comment.find('('), comment.find(": "));
  return trimmed(cut == std::string::npos ? comment : comment.substr(0, cut));
}

// The comment on the line of `node` in `lines`.
class Comments {
 public:
  explicit Comments(std::string_view text) {
    std::size_t start = 0;
    while (start <= text.size()) {
      const auto end = text.find('\n', start);
      lines_.emplace_back(text.substr(start, end == std::string_view::npos ? end : end - start));
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
  }
  std::string of(const YAML::Node& node) const {
    if (!node.IsDefined()) return "";
    const int line = node.Mark().line;
    if (line < 0 || static_cast<std::size_t>(line) >= lines_.size()) return "";
    return line_comment(lines_[static_cast<std::size_t>(line)]);
  }

 private:
  std::vector<std::string_view> lines_;
};

json weights_table(const YAML::Node& section, const Comments& comments,
                   const std::vector<std::pair<std::string, double>>& values) {
  json rows = json::array();
  for (const auto& [name, weight] : values) {
    rows.push_back(
        {{"component", name}, {"weight", weight}, {"comment", comments.of(section[name])}});
  }
  return rows;
}

// Sequence items of `list` in order, with the comment of the line holding `key` (or the item's
// first line when `key` has none).
std::string item_comment(const YAML::Node& item, const std::string& key, const Comments& c) {
  std::string comment = c.of(item[key]);
  return comment.empty() ? c.of(item) : comment;
}

// "General Medical Hospitals (N=133, rate=4.5%)" -> "N=133, rate=4.5%", and "Hospitals: 11.2%
// delivery rate, ..." -> "11.2% delivery rate, ...": the name is shown in its own column.
// Comments of another shape are kept whole.
std::string sic_evidence(const std::string& comment) {
  const auto colon = comment.find(": ");
  if (colon != std::string::npos && comment.find('(') > colon) {
    return trimmed(comment.substr(colon + 2));
  }
  const auto open = comment.find('(');
  const auto close = comment.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open ||
      trimmed(comment.substr(close + 1)) != "") {
    return comment;
  }
  return trimmed(comment.substr(open + 1, close - open - 1));
}

}  // namespace

std::string line_comment(std::string_view line) {
  char quote = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quote != 0) {
      if (ch == quote) quote = 0;
    } else if (ch == '"' || ch == '\'') {
      quote = ch;
    } else if (ch == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
      return trimmed(line.substr(i + 1));
    }
  }
  return "";
}

Result<IcpView> read_icp_view(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::io("cannot read icp.yaml at " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return parse_icp_view(text.str(), path);
}

Result<IcpView> parse_icp_view(std::string_view text, const std::string& path) {
  auto config = domain::parse_icp_config(text, path);
  if (!config.ok()) return config.status();
  const YAML::Node root = YAML::Load(std::string(text));  // valid: parse_icp_config read it
  const Comments comments(text);
  IcpView view{path, config->sha256, "", {}};

  // Industry names: the target list first (its names are the fuller ones), then the scores.
  const YAML::Node scores = root["onsite_likelihood"]["sic_scores"];
  for (const auto& entry : scores) {
    const std::string name = without_note(comments.of(entry.second));
    if (!name.empty()) view.industry_names[entry.first.Scalar()] = name;
  }
  std::vector<std::string> codes;
  const YAML::Node targets = root["hard_filters"]["sic_codes"];
  if (targets.IsSequence()) {
    for (const auto& code : targets) {
      codes.push_back(code.Scalar());
      const std::string name = without_note(comments.of(code));
      if (!name.empty()) view.industry_names[code.Scalar()] = name;
    }
  }
  for (const auto& [code, score] : config->sic_scores) {
    if (std::find(codes.begin(), codes.end(), code) == codes.end()) codes.push_back(code);
  }

  json tables;
  const YAML::Node scoring = root["scoring"];
  const auto& iw = config->intent_weights;
  const auto& gw = config->geography_weights;
  tables["weights"]["intent"] = weights_table(scoring["intent"], comments,
                                              {{"signal_strength", iw.signal_strength},
                                               {"onsite_likelihood", iw.onsite_likelihood},
                                               {"freshness", iw.freshness}});
  tables["weights"]["geography"] = weights_table(scoring["geography"], comments,
                                                 {{"proximity", gw.proximity},
                                                  {"onsite_likelihood", gw.onsite_likelihood},
                                                  {"authority", gw.authority},
                                                  {"employee_scale", gw.employee_scale}});

  json sic = json::array();
  for (const std::string& code : codes) {
    const auto own = std::find_if(config->sic_scores.begin(), config->sic_scores.end(),
                                  [&](const auto& e) { return e.first == code; });
    const bool has_own = own != config->sic_scores.end();
    const std::string comment = has_own ? sic_evidence(comments.of(scores[code])) : "";
    const auto industry = view.industry_names.find(code);
    sic.push_back({{"code", code},
                   {"industry", industry == view.industry_names.end() ? "" : industry->second},
                   {"score", has_own ? own->second : config->sic_default},
                   {"source", !has_own                                          ? "default"
                              : comment.find("calibrated") != std::string::npos ? "calibrated"
                                                                                : "icp.yaml"},
                   {"comment", comment}});
  }
  tables["sic"] = sic;
  tables["sic_default"] = {{"score", config->sic_default},
                           {"comment", comments.of(root["onsite_likelihood"]["default"])}};

  json employees = json::array();
  const YAML::Node employee_nodes = root["employee_scale"];
  for (std::size_t i = 0; i < config->employee_scale.size(); ++i) {
    const auto& tier = config->employee_scale[i];
    employees.push_back({{"min", tier.min},
                         {"max", tier.max},
                         {"score", tier.score},
                         {"comment", item_comment(employee_nodes[i], "score", comments)}});
  }
  tables["employee_scale"] = employees;

  json proximity = json::array();
  const YAML::Node proximity_nodes = root["proximity"];
  for (std::size_t i = 0; i < config->proximity.size(); ++i) {
    const auto& tier = config->proximity[i];
    proximity.push_back({{"max_miles", tier.max_miles},
                         {"score", tier.score},
                         {"comment", item_comment(proximity_nodes[i], "score", comments)}});
  }
  tables["proximity"] = proximity;

  json signal = json::array();
  for (const auto& [name, score] : config->signal_strength_scores) {
    signal.push_back({{"name", name},
                      {"score", score},
                      {"comment", comments.of(root["signal_strength_scores"][name])}});
  }
  tables["signal_strength"] = signal;

  json freshness = json::array();
  for (const auto& tier : config->freshness) {
    const YAML::Node node = root["freshness"][tier.name];
    freshness.push_back({{"name", tier.name},
                         {"label", tier.label},
                         {"max_days", tier.max_days},
                         {"multiplier", tier.multiplier},
                         {"comment", item_comment(node, "multiplier", comments)}});
  }
  tables["freshness"] = freshness;

  json authority = json::array();
  for (const auto& [name, score] : config->authority_scores) {
    authority.push_back({{"name", name}, {"score", score}});
  }
  authority.push_back({{"name", "default"}, {"score", config->authority_default}});
  tables["authority"] = authority;

  view.tables_json = tables.dump();
  return view;
}

}  // namespace hades::calibration_page
