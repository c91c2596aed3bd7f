// The job-file loader over any text, and every plugin reference it finds bound against a schema
// with one setting of each type.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "job.h"

namespace {

const hades::SettingSpec kSchema[] = {
    {"text", hades::SettingType::kString, false, "d", false, ""},
    {"number", hades::SettingType::kInt, false, "1", false, ""},
    {"ratio", hades::SettingType::kDouble, false, "0.5", false, ""},
    {"flag", hades::SettingType::kBool, false, "true", false, ""},
    {"list", hades::SettingType::kStringList, false, nullptr, false, ""},
    {"map", hades::SettingType::kStringMap, false, nullptr, false, ""},
    {"token", hades::SettingType::kString, false, nullptr, true, ""},
    {"path", hades::SettingType::kString, true, nullptr, false, ""},
};

void bind_all(const hades::PluginRef& ref, std::vector<hades::Diagnostic>* out) {
  (void)hades::bind_settings(ref, kSchema, std::size(kSchema), out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  hades::LoadOptions options;
  options.overrides = {{"input", "in.csv"}, {"n", "5"}};
  options.env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "HOME") return "/home/fuzz";
    if (name == "EMPTY") return "";
    return std::nullopt;
  };
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const hades::LoadedJob job = hades::load_job_text(text, "fuzz.yaml", options);
  std::vector<hades::Diagnostic> diagnostics = job.diagnostics;
  for (const hades::StepSpec& step : job.job.steps) {
    bind_all(step.source, &diagnostics);
    bind_all(step.task, &diagnostics);
    for (const hades::PluginRef& ref : step.transforms) bind_all(ref, &diagnostics);
    for (const hades::PluginRef& ref : step.sinks) bind_all(ref, &diagnostics);
  }
  std::size_t total = 0;
  for (const hades::Diagnostic& d : diagnostics) total += d.to_string().size();
  return total > 0 ? 0 : 0;
}
