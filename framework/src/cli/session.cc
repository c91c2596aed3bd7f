#include "cli/session.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <tuple>

#include "database_url.h"
#include "exit_code.h"
#include "job_paths.h"

namespace hades::cli {

po::options_description global_description(GlobalOptions& g) {
  po::options_description d("global options");
  d.add_options()("help,h", "show this help")("log-format",
                                              po::value(&g.log_format)->default_value("text"),
                                              "text or json (one object a line)")(
      "log-level", po::value(&g.log_level)->default_value("info"), "debug, info, warn or error")(
      "plugin-path", po::value(&g.plugin_paths),
      "a directory searched for plugins first (repeatable)");
  return d;
}

std::map<std::string, std::string> parse_overrides(const std::vector<std::string>& sets) {
  std::map<std::string, std::string> out;
  for (const std::string& kv : sets) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UsageError{"--set expects KEY=VALUE, got '" + kv + "'"};
    out[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return out;
}

// The logger and the plugin registry, from the parsed global options.
void start_session(Session& session) {
  const auto format = parse_log_format(session.global.log_format);
  const auto level = parse_log_level(session.global.log_level);
  if (!format) throw UsageError{"--log-format must be text or json"};
  if (!level) throw UsageError{"--log-level must be debug, info, warn or error"};
  for (const std::string& dir : session.global.plugin_paths) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      throw UsageError{"--plugin-path " + dir + " is not a directory"};
    }
  }
  session.log.emplace(*format, *level, session.redactor);
  session.registry.emplace(PluginRegistry::default_directories(session.global.plugin_paths));
}

// Parses `args` (the words after the command) with `commands` plus the global options.
// Returns false when --help was asked (and printed).
bool parse(const std::string& command, const std::vector<std::string>& args,
           po::options_description& commands, bool takes_job, Session& session) {
  po::options_description all;
  all.add(commands).add(global_description(session.global));
  po::positional_options_description positional;
  if (takes_job) positional.add("job", 1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  if (vm.count("help")) {
    std::cout << "usage: hades " << command << (takes_job ? " JOB.yaml" : "") << " [options]\n\n"
              << all << "\n";
    return false;
  }
  po::notify(vm);
  if (takes_job && session.job_path.empty()) throw UsageError{command + " needs a job file"};
  start_session(session);
  return true;
}

void add_job_options(po::options_description& d, Session& s, std::vector<std::string>& sets) {
  d.add_options()("job", po::value(&s.job_path), "the job file")(
      "set", po::value(&sets), "override a job parameter: KEY=VALUE (repeatable)");
}

void print_diagnostics(const std::vector<Diagnostic>& diagnostics) {
  for (const Diagnostic& d : diagnostics) std::cerr << d.to_string() << "\n";
}

int prepare(Session& s, PreparedJob& out, bool allow_missing_env) {
  LoadOptions options;
  options.overrides = s.overrides;
  options.allow_missing_env = allow_missing_env;
  out.loaded = load_job_file(s.job_path, options);
  // Bind plugins even when the YAML has errors, so one `validate` reports every problem.
  std::vector<Diagnostic> diagnostics = out.loaded.diagnostics;
  if (out.loaded.ok()) {
    for (Diagnostic& d : check_job_paths(out.loaded.job)) diagnostics.push_back(std::move(d));
  }
  auto bound = bind_job(out.loaded.job, *s.registry, s.redactor, &diagnostics);
  for (Diagnostic& d : diagnostics) d.message = s.redactor.redact(d.message);
  if (!bound.ok()) {
    print_diagnostics(diagnostics);
    s.log->error(bound.status().message());
    return exit_code_for(bound.status());
  }
  if (!diagnostics.empty()) {
    std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const auto& a, const auto& b) {
      return std::tie(a.where.line, a.where.column) < std::tie(b.where.line, b.where.column);
    });
    print_diagnostics(diagnostics);
    return kExitInvalid;
  }
  out.bound.emplace(std::move(bound).value());
  return kExitOk;
}

// The database's auth token (Turso) joins the secrets masked in every log line.
Result<std::unique_ptr<Database>> open_job_database(const JobSpec& job, Redactor& redactor) {
  auto db =
      open_database(job.database, [&](std::string_view token) { redactor.add_secret(token); });
  if (!db.ok()) return db.status().with_context(job.file + ": database");
  return db;
}

int fail(Session& s, const Status& status) {
  s.log->error(status.message());
  return exit_code_for(status);
}

// For commands that need the job's name and database but not its plugins.
int load_only(Session& s, LoadedJob& out) {
  LoadOptions options;
  options.overrides = s.overrides;
  out = load_job_file(s.job_path, options);
  if (!out.ok()) {
    print_diagnostics(out.diagnostics);
    return kExitInvalid;
  }
  return kExitOk;
}

int open_state(Session& s, StateSession& out) {
  if (const int code = load_only(s, out.job); code != kExitOk) return code;
  auto db = open_job_database(out.job.job, s.redactor);
  if (!db.ok()) return fail(s, db.status());
  out.db = std::move(db).value();
  out.state.emplace(*out.db, ProcessIdentity::current());
  if (Status m = out.state->migrate(); !m.ok()) return fail(s, m);
  return kExitOk;
}

}  // namespace hades::cli
