#include "hades/testkit.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "sqlite_database.h"

namespace hades::testkit {

namespace {

std::string_view level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "unknown";
}

// The directories make_plugin() searches, in order.
std::vector<std::string> search_path(const std::vector<std::string>& directories) {
  std::vector<std::string> out = directories;
  if (const char* env = std::getenv("HADES_PLUGIN_PATH"); env != nullptr) {
    std::stringstream parts(env);
    for (std::string dir; std::getline(parts, dir, ':');) {
      if (!dir.empty()) out.push_back(dir);
    }
  }
  return out;
}

// A setting's default, typed as the host binds it (YAML scalar text).
Status add_default(const SettingSpec& spec, Settings& settings) {
  const std::string text = spec.default_value;
  try {
    switch (spec.type) {
      case SettingType::kString:
        settings.set(spec.name, text);
        break;
      case SettingType::kInt:
        settings.set(spec.name, static_cast<std::int64_t>(std::stoll(text)));
        break;
      case SettingType::kDouble:
        settings.set(spec.name, std::stod(text));
        break;
      case SettingType::kBool:
        settings.set(spec.name, text == "true");
        break;
      case SettingType::kStringList:
      case SettingType::kStringMap:
        break;  // no default but empty
    }
  } catch (const std::exception&) {
    return Status::internal(std::string("the default of setting '") + spec.name + "' ('" + text +
                            "') is not a " + std::string(setting_type_name(spec.type)));
  }
  return Status::ok_status();
}

}  // namespace

void RecordingLogger::log(LogLevel level, std::string_view message) {
  std::string line(level_name(level));
  line += ": ";
  line += message;
  lines_.push_back(std::move(line));
}

FakeContext::FakeContext(Database& database) : database_(database) {
  run_info.run_id = 1;
  run_info.job_name = "test_job";
  run_info.step_name = "test_step";
  run_info.started_at = "2026-02-11T06:00:00Z";
}

Result<std::string> FakeContext::frozen_value(
    std::string_view key, const std::function<Result<std::string>(Database&)>& make) {
  const auto it = frozen_.find(key);
  if (it != frozen_.end()) return it->second;
  ++make_calls_;
  Result<std::string> made = make(database_);
  // Like the real runner, a failed `make` stores nothing, so the next call tries again.
  if (made.ok()) frozen_.emplace(std::string(key), made.value());
  return made;
}

void CollectingRejects::reject(std::string_view position, std::string_view reason,
                               std::string_view record) {
  reject("", position, reason, record);
}

void CollectingRejects::reject(std::string_view kind, std::string_view position,
                               std::string_view reason, std::string_view record) {
  entries_.push_back(
      Entry{std::string(position), std::string(reason), std::string(record), std::string(kind)});
}

Result<std::unique_ptr<Database>> memory_database() { return open_sqlite_database(":memory:"); }

struct LoadedPlugin::Library {
  void* handle = nullptr;
  ~Library() {
    if (handle != nullptr) dlclose(handle);
  }
};

LoadedPlugin::LoadedPlugin(std::shared_ptr<Library> library, std::unique_ptr<Plugin> plugin)
    : library_(std::move(library)), plugin_(std::move(plugin)) {}
LoadedPlugin::LoadedPlugin(LoadedPlugin&&) noexcept = default;
LoadedPlugin& LoadedPlugin::operator=(LoadedPlugin&&) noexcept = default;
LoadedPlugin::~LoadedPlugin() { plugin_.reset(); }

Result<LoadedPlugin> make_plugin(std::string_view name, Settings settings,
                                 const std::vector<std::string>& directories) {
  const std::string file = "hades_" + std::string(name) + ".so";
  const std::vector<std::string> dirs = search_path(directories);
  std::string path;
  for (const std::string& dir : dirs) {
    if (std::filesystem::exists(dir + "/" + file)) {
      path = dir + "/" + file;
      break;
    }
  }
  if (path.empty()) {
    std::string searched;
    for (const std::string& dir : dirs) searched += (searched.empty() ? "" : ", ") + dir;
    return Status::invalid_config("testkit: no " + file + " in " +
                                  (searched.empty() ? "(no directories)" : searched));
  }
  auto library = std::make_shared<LoadedPlugin::Library>();
  library->handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library->handle == nullptr) {
    return Status::plugin_abi("testkit: cannot load " + path + ": " + dlerror());
  }
  // HADES_PLUGIN() exports each as a pointer to the object (Boost.DLL aliases).
  void* descriptor_alias = dlsym(library->handle, "hades_plugin_descriptor");
  void* factory_alias = dlsym(library->handle, "hades_plugin_factory");
  if (descriptor_alias == nullptr || factory_alias == nullptr) {
    return Status::plugin_abi("testkit: " + path + " is not a HADES plugin (no HADES_PLUGIN())");
  }
  const auto* descriptor =
      static_cast<const PluginDescriptor*>(*static_cast<const void* const*>(descriptor_alias));
  if (descriptor->api_major != kApiMajor) {
    return Status::plugin_abi("testkit: " + path + " is built for API " +
                              std::to_string(descriptor->api_major) + ", this SDK is " +
                              std::to_string(kApiMajor));
  }
  for (std::uint32_t i = 0; i < descriptor->settings_count; ++i) {
    const SettingSpec& spec = descriptor->settings[i];
    if (spec.default_value != nullptr && !settings.has(spec.name)) {
      HADES_RETURN_IF_ERROR(add_default(spec, settings));
    }
  }
  auto* factory = reinterpret_cast<PluginFactory*>(*static_cast<void* const*>(factory_alias));
  std::unique_ptr<Plugin> plugin;
  const Status made = factory(settings, &plugin);
  if (!made.ok()) return made.with_context("testkit: creating " + std::string(name));
  return LoadedPlugin(std::move(library), std::move(plugin));
}

Result<std::vector<std::string>> read_all(Source& source, Context& ctx, std::string_view cursor,
                                          Rejects& rejects, std::size_t chunk_rows) {
  HADES_RETURN_IF_ERROR(source.open(ctx, cursor));
  std::vector<std::string> rows;
  for (bool more = true; more;) {
    Chunk chunk(source.schema());
    auto read = source.read(chunk_rows, &chunk, rejects);
    if (!read.ok()) return read.status();
    more = *read;
    for (std::size_t i = 0; i < chunk.size(); ++i) {
      std::string line;
      for (std::size_t c = 0; c < chunk.row(i).size(); ++c) {
        line += (c == 0 ? "" : "|") + to_text(chunk.row(i)[c]);
      }
      rows.push_back(std::move(line));
    }
  }
  return rows;
}

}  // namespace hades::testkit
