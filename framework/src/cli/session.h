// cli/session.h: what every `hades` command needs around its own logic: the global options,
// a logger and a plugin registry (Session), the job loaded and bound (prepare), the job's
// database and run state (open_state), and how a command fails (fail, UsageError).
//
// Used by the command groups in framework/src/cli/; not part of the SDK.

#ifndef HADES_FRAMEWORK_CLI_SESSION_H_
#define HADES_FRAMEWORK_CLI_SESSION_H_

#include <boost/program_options.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hades/redact.h"
#include "job.h"
#include "logging.h"
#include "plugin_loader.h"
#include "run_state.h"
#include "runner.h"

namespace hades::cli {

namespace po = boost::program_options;

// Options every command accepts.
struct GlobalOptions {
  std::string log_format = "text";
  std::string log_level = "info";
  std::vector<std::string> plugin_paths;
};

po::options_description global_description(GlobalOptions& g);

// What each command needs around its own logic: parsed options, a logger, a registry.
struct Session {
  GlobalOptions global;
  Redactor redactor;
  std::optional<HostLogger> log;
  std::optional<PluginRegistry> registry;
  std::string job_path;
  std::map<std::string, std::string> overrides;
};

// A command line that cannot be used: run_cli prints it with the usage and exits 2.
struct UsageError {
  std::string message;
};

// `--set KEY=VALUE` words as a map. Throws UsageError for a word without '='.
std::map<std::string, std::string> parse_overrides(const std::vector<std::string>& sets);

// The logger and the plugin registry, from the parsed global options. Throws UsageError.
void start_session(Session& session);

// Parses `args` (the words after the command) with `commands` plus the global options.
// Returns false when --help was asked (and printed).
bool parse(const std::string& command, const std::vector<std::string>& args,
           po::options_description& commands, bool takes_job, Session& session);

// The JOB positional and --set, for the commands that take a job file.
void add_job_options(po::options_description& d, Session& s, std::vector<std::string>& sets);

void print_diagnostics(const std::vector<Diagnostic>& diagnostics);

// Loads, interpolates and binds the job. On failure prints why and returns the exit code.
struct PreparedJob {
  LoadedJob loaded;
  std::optional<BoundJob> bound;
};
int prepare(Session& s, PreparedJob& out, bool allow_missing_env = false);

// The database's auth token (Turso) joins the secrets masked in every log line.
Result<std::unique_ptr<Database>> open_job_database(const JobSpec& job, Redactor& redactor);

// Logs `status` and returns its exit code.
int fail(Session& s, const Status& status);

// For commands that need the job's name and database but not its plugins.
int load_only(Session& s, LoadedJob& out);

struct StateSession {
  LoadedJob job;
  std::unique_ptr<Database> db;
  std::optional<RunState> state;
};
int open_state(Session& s, StateSession& out);

// A notifier refusing a count or id below 1 (`--run -5` showed the latest run instead).
template <typename T>
std::function<void(const T&)> at_least_one(const char* flag) {
  return [flag](const T& value) {
    if (value < 1) {
      throw UsageError{std::string(flag) + " must be 1 or more, got " + std::to_string(value)};
    }
  };
}

}  // namespace hades::cli

#endif  // HADES_FRAMEWORK_CLI_SESSION_H_
