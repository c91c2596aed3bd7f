#include "plugin_loader.h"

#include <unistd.h>

#include <boost/dll/shared_library.hpp>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>

#include "elf_check.h"
#include "job.h"

namespace hades {

namespace fs = std::filesystem;

class LoadedLibrary {
 public:
  boost::dll::shared_library library;
  PluginInfo info;
  PluginFactory* factory = nullptr;
};

namespace {

constexpr const char* kPrefix = "hades_";
constexpr const char* kSuffix = ".so";
constexpr std::size_t kMinDescriptorSize = sizeof(PluginDescriptor);

std::string host_side() {
  std::ostringstream out;
  out << "hades " << HADES_VERSION << " (API " << kApiMajor << "." << kApiMinor << ", "
      << HADES_BUILD_FINGERPRINT << ")";
  return out.str();
}

Status check_descriptor(const PluginDescriptor& d, const std::string& name,
                        const std::string& path) {
  const std::string who = "plugin '" + name + "' (" + path + ")";
  if (d.struct_size < kMinDescriptorSize) {
    return Status::plugin_abi(who + " has a descriptor of " + std::to_string(d.struct_size) +
                              " bytes; " + host_side() + " needs at least " +
                              std::to_string(kMinDescriptorSize) + ": rebuild the plugin");
  }
  if (d.api_major != kApiMajor || d.api_minor > kApiMinor) {
    return Status::plugin_abi(who + " was built for plugin API " + std::to_string(d.api_major) +
                              "." + std::to_string(d.api_minor) + " but this is " + host_side() +
                              ": rebuild the plugin against this SDK");
  }
  const std::string fingerprint = d.fingerprint ? d.fingerprint : "";
  if (fingerprint != HADES_BUILD_FINGERPRINT) {
    return Status::plugin_abi(who + " was built with " + fingerprint + " but this is " +
                              host_side() + ": rebuild the plugin with the same toolchain");
  }
  if (d.name == nullptr || name != d.name) {
    return Status::plugin_abi(who + " calls itself '" + std::string(d.name ? d.name : "") +
                              "': the file must be named hades_<name>.so");
  }
  if (static_cast<std::uint32_t>(d.kind) > static_cast<std::uint32_t>(kLastPluginKind)) {
    return Status::plugin_abi(who + " declares an unknown kind " +
                              std::to_string(static_cast<std::uint32_t>(d.kind)));
  }
  return Status::ok_status();
}

PluginInfo info_from(const PluginDescriptor& d, const std::string& path) {
  PluginInfo info{d.name,        d.version ? d.version : "", d.kind, d.api_major, d.api_minor,
                  d.fingerprint, d.summary ? d.summary : "", path,   {}};
  for (std::uint32_t i = 0; i < d.settings_count; ++i) info.settings.push_back(d.settings[i]);
  return info;
}

std::string clean_dl_error(std::string message) {
  // Boost 1.74 appends a meaningless errno text to dlopen errors.
  const auto cut = message.find(": Success");
  if (cut != std::string::npos) message.erase(cut);
  return message;
}

Result<std::shared_ptr<LoadedLibrary>> open_library(const std::string& name,
                                                    const std::string& path) {
  // A truncated or corrupt file would otherwise kill the process with SIGBUS inside dlopen().
  HADES_RETURN_IF_ERROR(check_elf_library(path));
  auto lib = std::make_shared<LoadedLibrary>();
  try {
    lib->library.load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    return Status::plugin_abi("cannot load plugin '" + name + "' from " + path + ": " +
                              clean_dl_error(e.what()));
  }
  if (!lib->library.has("hades_plugin_descriptor") || !lib->library.has("hades_plugin_factory")) {
    return Status::plugin_abi(path +
                              " is not a hades plugin: it does not export "
                              "hades_plugin_descriptor and hades_plugin_factory (HADES_PLUGIN())");
  }
  const auto& descriptor =
      lib->library.get_alias<const PluginDescriptor>("hades_plugin_descriptor");
  HADES_RETURN_IF_ERROR(check_descriptor(descriptor, name, path));
  lib->info = info_from(descriptor, path);
  lib->factory = &lib->library.get_alias<PluginFactory>("hades_plugin_factory");
  return lib;
}

}  // namespace

PluginRegistry::PluginRegistry(std::vector<std::string> directories)
    : directories_(std::move(directories)) {}
PluginRegistry::~PluginRegistry() = default;
PluginRegistry::PluginRegistry(PluginRegistry&&) noexcept = default;
PluginRegistry& PluginRegistry::operator=(PluginRegistry&&) noexcept = default;

std::vector<std::string> PluginRegistry::default_directories(
    const std::vector<std::string>& extra) {
  std::vector<std::string> dirs = extra;
  if (const char* env = std::getenv("HADES_PLUGIN_PATH")) {
    std::istringstream in(env);
    std::string dir;
    while (std::getline(in, dir, ':')) {
      if (!dir.empty()) dirs.push_back(dir);
    }
  }
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec)
    dirs.push_back((exe.parent_path() / ".." / "lib" / "hades" / "plugins").lexically_normal());
  return dirs;
}

std::vector<std::string> PluginRegistry::available() const {
  std::set<std::string> names;
  for (const std::string& dir : directories_) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const std::string file = entry.path().filename().string();
      if (file.starts_with(kPrefix) && file.ends_with(kSuffix)) {
        names.insert(file.substr(6, file.size() - 6 - 3));
      }
    }
  }
  return {names.begin(), names.end()};
}

std::string PluginRegistry::find_file(const std::string& name) const {
  for (const std::string& dir : directories_) {
    const fs::path candidate = fs::path(dir) / (kPrefix + name + kSuffix);
    std::error_code ec;
    if (fs::exists(candidate, ec)) return candidate.string();
  }
  return "";
}

Result<const PluginInfo*> PluginRegistry::load(const std::string& name) {
  if (auto it = loaded_.find(name); it != loaded_.end()) return &it->second->info;
  const std::string path = find_file(name);
  if (path.empty()) {
    const std::vector<std::string> names = available();
    std::string known;
    for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
    std::string searched;
    for (const std::string& dir : directories_) searched += (searched.empty() ? "" : ", ") + dir;
    const auto suggestion = suggest_closest(name, names);
    return Status::invalid_config("unknown plugin '" + name + "'; " +
                                  (suggestion ? "did you mean '" + *suggestion + "'? " : "") +
                                  "known plugins: " + (known.empty() ? "(none found)" : known) +
                                  " (searched " + (searched.empty() ? "no directory" : searched) +
                                  " for hades_" + name + ".so)");
  }
  auto lib = open_library(name, path);
  if (!lib.ok()) return lib.status();
  const PluginInfo* info = &(*lib)->info;
  loaded_.emplace(name, std::move(lib).value());
  return info;
}

Result<PluginInstance<Plugin>> PluginRegistry::create(const std::string& name,
                                                      const Settings& settings) {
  auto it = loaded_.find(name);
  if (it == loaded_.end()) return Status::internal("plugin '" + name + "' was not loaded");
  std::unique_ptr<Plugin> object;
  Status made;
  try {
    made = (*it->second->factory)(settings, &object);
  } catch (...) {
    made = Status::internal("the factory let an exception escape");
  }
  if (!made.ok()) {
    return made.with_context("plugin '" + name + "' (" + it->second->info.path + "): create");
  }
  if (!object) return Status::internal("plugin '" + name + "' created nothing");
  return PluginInstance<Plugin>(it->second, std::move(object));
}

}  // namespace hades
