// hades/testkit.h: what a plugin's unit tests need in place of the runner. Link hades::testkit
// (installed with the SDK; docs/writing-a-plugin.md, "Test it").
//
//   auto db = hades::testkit::memory_database().value();   // a private in-memory SQLite
//   hades::testkit::FakeContext ctx(*db);                   // run info, log lines, frozen values
//   hades::testkit::CollectingRejects rejects;              // rejects kept in memory
//   auto plugin = hades::testkit::make_plugin("hubspot_source", settings, {build_dir}).value();
//   hades::Source& source = plugin.as<hades::Source>();
//
// make_plugin() loads hades_<name>.so the way `hades` does and calls its factory with the
// settings given plus the defaults its settings table declares, so a test needs no symbol of the
// plugin but its name.
//
// Thread safety: none of these is shared between threads.

#ifndef HADES_TESTKIT_H_
#define HADES_TESTKIT_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hades/context.h"
#include "hades/database.h"
#include "hades/plugin.h"
#include "hades/record.h"
#include "hades/settings.h"
#include "hades/status.h"

namespace hades::testkit {

// A Logger that keeps every line as "<level>: <message>".
class RecordingLogger : public Logger {
 public:
  void log(LogLevel level, std::string_view message) override;
  const std::vector<std::string>& lines() const { return lines_; }

 private:
  std::vector<std::string> lines_;
};

// A Context over a database the test owns. `run_info` and `cancelled_flag` are public so a test
// can set them; frozen values live in memory and `make` runs at most once per key.
class FakeContext : public Context {
 public:
  // REQUIRES: `database` outlives this context.
  explicit FakeContext(Database& database);

  Database& database() override { return database_; }
  const RunInfo& run() const override { return run_info; }
  Logger& log() override { return logger_; }
  bool cancelled() const override { return cancelled_flag; }
  Result<std::string> frozen_value(
      std::string_view key, const std::function<Result<std::string>(Database&)>& make) override;

  // The logged lines, oldest first, as "<level>: <message>".
  const std::vector<std::string>& lines() const { return logger_.lines(); }
  // How many times frozen_value() called a `make` function.
  int make_calls() const { return make_calls_; }

  RunInfo run_info;
  bool cancelled_flag = false;

 private:
  Database& database_;
  RecordingLogger logger_;
  std::map<std::string, std::string, std::less<>> frozen_;
  int make_calls_ = 0;
};

// Rejects kept in memory, in the order they arrived.
class CollectingRejects : public Rejects {
 public:
  struct Entry {
    std::string position;
    std::string reason;
    std::string record;
    std::string kind;  // "" when the plugin gave none
  };

  void reject(std::string_view position, std::string_view reason, std::string_view record) override;
  void reject(std::string_view kind, std::string_view position, std::string_view reason,
              std::string_view record) override;

  const std::vector<Entry>& entries() const { return entries_; }
  std::size_t size() const { return entries_.size(); }
  void clear() { entries_.clear(); }

 private:
  std::vector<Entry> entries_;
};

// A private in-memory SQLite database, the backend `hades` uses for sqlite:// URLs.
Result<std::unique_ptr<Database>> memory_database();

// A plugin object and the library that made it (which stays loaded while the object lives).
class LoadedPlugin {
 public:
  struct Library;
  LoadedPlugin(std::shared_ptr<Library> library, std::unique_ptr<Plugin> plugin);
  LoadedPlugin(LoadedPlugin&&) noexcept;
  LoadedPlugin& operator=(LoadedPlugin&&) noexcept;
  ~LoadedPlugin();

  Plugin& get() const { return *plugin_; }
  // The object as a Source, Sink, ...; throws std::bad_cast when it is another kind.
  template <typename T>
  T& as() const {
    return dynamic_cast<T&>(*plugin_);
  }

 private:
  std::shared_ptr<Library> library_;  // declared first: destroyed after plugin_
  std::unique_ptr<Plugin> plugin_;
};

// Loads hades_<name>.so from the first of `directories`, then of HADES_PLUGIN_PATH
// (colon-separated), that has it, and calls its factory with `settings` completed by the
// defaults of its settings table. kInvalidConfig when no directory has it or the factory
// refuses the settings; kPluginAbi when the library cannot be loaded or its descriptor is not
// for this SDK's API major version.
Result<LoadedPlugin> make_plugin(std::string_view name, Settings settings,
                                 const std::vector<std::string>& directories = {});

// Reads `source` (opened at `cursor` with `ctx`) to its end in chunks of `chunk_rows`; returns
// every row's values as text joined by "|", one string per row.
Result<std::vector<std::string>> read_all(Source& source, Context& ctx, std::string_view cursor,
                                          Rejects& rejects, std::size_t chunk_rows = 100);

}  // namespace hades::testkit

#endif  // HADES_TESTKIT_H_
