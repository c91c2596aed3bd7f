// plugins: what the plugin path holds, and one plugin's settings.
#include <iostream>

#include "cli/commands.h"
#include "cli/session.h"
#include "exit_code.h"

namespace hades::cli {
namespace {

int cmd_plugins(Session& s, const std::string& describe) {
  int code = kExitOk;
  for (const std::string& name : s.registry->available()) {
    if (!describe.empty() && name != describe) continue;
    auto info = s.registry->load(name);
    if (!info.ok()) {
      std::cout << name << "  UNUSABLE: " << info.status().message() << "\n";
      code = exit_code_for(info.status());
      continue;
    }
    const PluginInfo& p = **info;
    std::cout << p.name << "  " << p.version << "  " << plugin_kind_name(p.kind) << "  API "
              << p.api_major << "." << p.api_minor << "  " << p.path << "\n";
    if (describe.empty()) continue;
    std::cout << "  " << p.summary << "\n\n  settings:\n";
    for (const SettingSpec& spec : p.settings) {
      std::cout << "    " << spec.name << " (" << setting_type_name(spec.type)
                << (spec.required ? ", required" : "")
                << (spec.default_value ? std::string(", default ") + spec.default_value : "")
                << (spec.secret ? ", secret" : "") << ")\n      " << spec.description << "\n";
    }
  }
  if (!describe.empty() && !s.registry->load(describe).ok() && code == kExitOk) {
    return fail(s, s.registry->load(describe).status());
  }
  return code;
}

}  // namespace

int plugins_main(const std::vector<std::string>& args) {
  Session s;
  std::vector<std::string> sets;
  po::options_description d("plugins options");
  std::string describe;
  d.add_options()("describe", po::value(&describe), "show one plugin's summary and settings");
  if (!parse("plugins", args, d, false, s)) return kExitOk;
  s.overrides = parse_overrides(sets);
  return cmd_plugins(s, describe);
}

}  // namespace hades::cli
