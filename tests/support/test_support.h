// test_support.h: helpers shared by the unit and end-to-end tests.
//
// TempDir gives each test a private directory that disappears with it; FakeContext and
// CollectingRejects stand in for what the runner lends a plugin, so a plugin can be driven and
// inspected without the runner; read_file/write_file are the whole-file I/O tests keep needing.
//
// Thread safety: none of these is shared between threads.

#ifndef HADES_TESTS_SUPPORT_TEST_SUPPORT_H_
#define HADES_TESTS_SUPPORT_TEST_SUPPORT_H_

#include <functional>
#include <map>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hades/context.h"
#include "hades/database.h"
#include "hades/settings.h"
#include "hades/status.h"

namespace hades {

// Let BOOST_TEST print statuses and codes when a comparison fails.
std::ostream& operator<<(std::ostream& os, StatusCode code);
std::ostream& operator<<(std::ostream& os, const Status& status);

}  // namespace hades

namespace hades::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
// Throws std::runtime_error when the directory cannot be made (a broken test machine).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // "<path>/<name>"; creates nothing.
  std::string file(std::string_view name) const;

 private:
  std::string path_;
};

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

// The folder of `plugin`'s sources: plugins/connectors/<plugin> or plugins/domain/<plugin>.
// Throws when there is neither.
std::string plugin_source_dir(const std::string& plugin);

// The rows of the plugin's README.md's settings table that do not match `specs` exactly
// ("| `name` | type | yes/no | `default` or - | description |"): empty when the README and the
// plugin's kSettings agree, which is what every plugin's tests check.
std::vector<std::string> missing_readme_setting_rows(const std::string& plugin,
                                                     std::span<const SettingSpec> specs);

// The whole file as bytes. Throws std::runtime_error when it cannot be read.
std::string read_file(const std::string& path);
// Replaces the file's contents with `text`. Throws std::runtime_error on failure.
void write_file(const std::string& path, std::string_view text);

// Applies one statement; throws std::runtime_error (a failed test) naming the SQL when it fails.
void execute(Database& db, const std::string& sql, std::vector<Value> args = {});
// The rows of `sql`, each value then "|" ("<null>" for null), one line per row; throws on error.
std::string dump(Database& db, const std::string& sql);

}  // namespace hades::testing

#endif  // HADES_TESTS_SUPPORT_TEST_SUPPORT_H_
