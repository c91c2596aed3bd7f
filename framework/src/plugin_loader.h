// plugin_loader.h: finding, checking and loading plugin libraries.
//
// A plugin named N is the file hades_N.so in the first plugin directory that has one. The
// directories are searched in order: every --plugin-path, then each entry of HADES_PLUGIN_PATH
// (colon-separated), then the built-in directory <hades binary>/../lib/hades/plugins.
//
// Loading reads and checks the descriptor before anything else in the library is called:
// struct size, API major (must be equal), API minor (must not be newer than the host's), build
// fingerprint (must be equal), and that the name matches the file. A refusal is kPluginAbi
// (exit 4) and names both sides. Each library is loaded once per process and stays loaded
// until the last object made from it is destroyed: every PluginInstance keeps its library alive.

#ifndef HADES_FRAMEWORK_PLUGIN_LOADER_H_
#define HADES_FRAMEWORK_PLUGIN_LOADER_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hades/plugin.h"

namespace hades {

class LoadedLibrary;

// What a descriptor says, copied into host-owned strings.
struct PluginInfo {
  std::string name;
  std::string version;
  PluginKind kind = PluginKind::kSource;
  std::uint32_t api_major = 0;
  std::uint32_t api_minor = 0;
  std::string fingerprint;
  std::string summary;
  std::string path;
  std::vector<SettingSpec> settings;  // the strings point into the loaded library
};

// A plugin object together with the library that made it; destroys the object first.
template <typename T>
class PluginInstance {
 public:
  PluginInstance(std::shared_ptr<LoadedLibrary> library, std::unique_ptr<T> object)
      : library_(std::move(library)), object_(std::move(object)) {}
  PluginInstance(PluginInstance&&) noexcept = default;
  PluginInstance& operator=(PluginInstance&&) noexcept = default;
  ~PluginInstance() { object_.reset(); }

  T& operator*() const { return *object_; }
  T* operator->() const { return object_.get(); }
  T* get() const { return object_.get(); }

 private:
  std::shared_ptr<LoadedLibrary> library_;  // declared first: destroyed after object_
  std::unique_ptr<T> object_;
};

class PluginRegistry {
 public:
  explicit PluginRegistry(std::vector<std::string> directories);
  ~PluginRegistry();
  PluginRegistry(PluginRegistry&&) noexcept;
  PluginRegistry& operator=(PluginRegistry&&) noexcept;

  // The default search path: `extra` (--plugin-path), HADES_PLUGIN_PATH, the built-in directory.
  static std::vector<std::string> default_directories(const std::vector<std::string>& extra);

  const std::vector<std::string>& directories() const { return directories_; }

  // Names of every hades_*.so in the directories, without loading them.
  std::vector<std::string> available() const;

  // Loads (once) and checks plugin `name`. kInvalidConfig when no directory has it (the message
  // lists the available ones and the directories searched); kPluginAbi when the file is not an
  // ELF library whose segments lie within it (checked before dlopen: a truncated file would
  // crash the process with SIGBUS), when it cannot be loaded, or when its descriptor is refused.
  Result<const PluginInfo*> load(const std::string& name);

  // Creates an object from bound settings. REQUIRES: load(name) succeeded.
  Result<PluginInstance<Plugin>> create(const std::string& name, const Settings& settings);

 private:
  std::string find_file(const std::string& name) const;

  std::vector<std::string> directories_;
  std::map<std::string, std::shared_ptr<LoadedLibrary>> loaded_;
};

}  // namespace hades

#endif  // HADES_FRAMEWORK_PLUGIN_LOADER_H_
