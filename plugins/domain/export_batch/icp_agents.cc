#include "icp_agents.h"

#include <yaml-cpp/yaml.h>

#include "hades/redact.h"
#include "leads/icp_config.h"
#include "yaml_limits.h"

namespace hades::export_batch {
namespace {

constexpr std::string_view kKey = "call_center_agents";

Status error_at(const std::string& path, const YAML::Mark& mark, std::string_view what) {
  // yaml-cpp marks are 0-based; a null mark (-1) means "no position", reported as 1:1.
  const int line = mark.line >= 0 ? mark.line + 1 : 1;
  const int column = mark.column >= 0 ? mark.column + 1 : 1;
  return Status::invalid_config(path + ":" + std::to_string(line) + ":" + std::to_string(column) +
                                ": " + std::string(kKey) + ": " + std::string(what));
}

}  // namespace

Result<std::vector<std::string>> parse_call_center_agents(std::string_view text,
                                                          const std::string& path) {
  YAML::Node root;
  try {
    root = load_yaml(text);
  } catch (const YamlLimitError& e) {
    return error_at(path, e.mark, e.msg);
  } catch (const YAML::Exception& e) {
    return Status::invalid_config(path + ":" + std::to_string(e.mark.line + 1) + ":" +
                                  std::to_string(e.mark.column + 1) +
                                  ": YAML syntax error: " + e.msg);
  }
  if (!root.IsMap()) return error_at(path, root.Mark(), "icp.yaml is not a mapping");
  const YAML::Node agents = root[std::string(kKey)];
  if (!agents) {
    return error_at(path, root.Mark(),
                    "missing: list the agent e-mails that become Contact Owners");
  }
  if (!agents.IsSequence()) return error_at(path, agents.Mark(), "must be a list of e-mails");
  if (agents.size() == 0) return error_at(path, agents.Mark(), "is empty: list at least one agent");
  std::vector<std::string> out;
  for (const YAML::Node& item : agents) {
    const std::string value = item.IsScalar() ? item.Scalar() : "";
    if (value.find_first_not_of(" \t") == std::string::npos) {
      return error_at(path, item.Mark(), "every item must be a non-blank e-mail");
    }
    // Each becomes a Contact Owner in VanillaSoft, which matches it to a user's e-mail.
    if (!domain::is_email_address(value)) {
      return error_at(path, item.Mark(), "'" + printable(value) + "' is not an e-mail address");
    }
    out.push_back(value);
  }
  return out;
}

Result<std::vector<std::string>> load_call_center_agents(const std::string& path) {
  Result<std::string> text = domain::read_icp_file(path);
  if (!text.ok()) return Status::invalid_config(text.status().message());
  return parse_call_center_agents(*text, path);
}

}  // namespace hades::export_batch
