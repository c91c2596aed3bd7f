#include "cli.h"

#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "checkpoint.h"
#include "database_url.h"
#include "exit_code.h"
#include "hades/file_checks.h"
#include "hades/redact.h"
#include "job.h"
#include "job_paths.h"
#include "logging.h"
#include "order_stage.h"
#include "plugin_loader.h"
#include "run_plan.h"
#include "run_report.h"
#include "run_state.h"
#include "runner.h"
#include "serve.h"
#include "signals.h"

namespace hades {
namespace po = boost::program_options;

namespace {

constexpr const char* kUsage =
    "usage: hades [--log-format text|json] [--log-level LEVEL] [--plugin-path DIR]... COMMAND ...\n"
    "\n"
    "commands:\n"
    "  run JOB       run a job, resuming its unfinished run if there is one\n"
    "  validate JOB  check a job file and every plugin setting; print file:line:col errors\n"
    "  plan JOB      show what `run` would do now: skipped steps, resume points, guarantees\n"
    "  plugins       list the plugins found on the plugin path\n"
    "  runs JOB      list a job's runs\n"
    "  state JOB     show a run's steps and checkpoints; --reset STEP forgets a step's progress\n"
    "  unlock JOB    remove a job's lock left by a process on another host\n"
    "  serve         serve the page plugins (the Score Calibration page) over HTTP\n"
    "\n"
    "`hades COMMAND --help` describes a command. Exit codes: docs/exit-codes.md.\n";

// Options every command accepts.
struct GlobalOptions {
  std::string log_format = "text";
  std::string log_level = "info";
  std::vector<std::string> plugin_paths;
};

po::options_description global_description(GlobalOptions& g) {
  po::options_description d("global options");
  d.add_options()("help,h", "show this help")(
      "log-format", po::value(&g.log_format)->default_value("text"), "text or json (one object a line)")(
      "log-level", po::value(&g.log_level)->default_value("info"), "debug, info, warn or error")(
      "plugin-path", po::value(&g.plugin_paths), "a directory searched for plugins first (repeatable)");
  return d;
}

// What each command needs around its own logic: parsed options, a logger, a registry.
struct Session {
  GlobalOptions global;
  Redactor redactor;
  std::optional<HostLogger> log;
  std::optional<PluginRegistry> registry;
  std::string job_path;
  std::map<std::string, std::string> overrides;
};

struct UsageError {
  std::string message;
};

std::map<std::string, std::string> parse_overrides(const std::vector<std::string>& sets) {
  std::map<std::string, std::string> out;
  for (const std::string& kv : sets) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) throw UsageError{"--set expects KEY=VALUE, got '" + kv + "'"};
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

// Loads, interpolates and binds the job. On failure prints why and returns the exit code.
struct PreparedJob {
  LoadedJob loaded;
  std::optional<BoundJob> bound;
};

int prepare(Session& s, PreparedJob& out, bool allow_missing_env = false) {
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
  auto db = open_database(job.database,
                          [&](std::string_view token) { redactor.add_secret(token); });
  if (!db.ok()) return db.status().with_context(job.file + ": database");
  return db;
}

int fail(Session& s, const Status& status) {
  s.log->error(status.message());
  return exit_code_for(status);
}

int cmd_run(Session& s, bool fresh, const std::string& summary_path,
            const std::string& metrics_path) {
  // Block SIGTERM/SIGINT before any other thread exists, so they only reach the watcher.
  SignalWatcher signals;
  PreparedJob job;
  if (const int code = prepare(s, job); code != kExitOk) return code;
  // Found before the run, not after it: a run that did its work must not end in an error.
  for (const auto& [flag, path] :
       {std::pair{"--summary", &summary_path}, std::pair{"--metrics", &metrics_path}}) {
    if (path->empty()) continue;
    if (Status w = check_writable_file(*path, flag); !w.ok()) return fail(s, w);
  }
  auto db = open_job_database(job.loaded.job, s.redactor);
  if (!db.ok()) return fail(s, db.status());
  Runner runner(*job.bound, **db, *s.log, &signals);
  RunOptions options;
  options.fresh = fresh;
  options.show_progress = isatty(STDERR_FILENO) && s.log->format() == LogFormat::kText;
  const RunSummary summary = runner.run(options);
  int code = exit_code_for(summary.error);
  if (!summary.error.ok()) {
    s.log->error(summary.error.message());
    if (code == kExitFailed) s.log->info("run it again to resume from the last checkpoint");
  } else {
    s.log->info("run " + std::to_string(summary.run_id) + " of '" + summary.job + "' succeeded");
  }
  // A report that could not be written fails a run that succeeded: whoever reads it would
  // otherwise see the previous run's.
  const int run_code = code;
  const auto report = [&](const std::string& path, const std::string& content) {
    if (path.empty()) return;
    const Status w = write_file_atomically(path, s.redactor.redact(content));
    if (w.ok()) return;
    s.log->error(w.message());
    if (code == kExitOk) code = exit_code_for(w);
  };
  report(summary_path, summary_json(summary, run_code));
  report(metrics_path, prometheus_metrics(summary, run_code));
  return code;
}

int cmd_validate(Session& s, bool allow_missing_env) {
  PreparedJob job;
  if (const int code = prepare(s, job, allow_missing_env); code != kExitOk) return code;
  std::cout << s.job_path << ": OK (" << job.loaded.job.steps.size() << " steps)";
  const std::vector<std::string>& unset = job.loaded.job.unset_env;
  for (std::size_t i = 0; i < unset.size(); ++i) {
    std::cout << (i == 0 ? "; not set, so not checked: " : ", ") << unset[i];
  }
  std::cout << "\n";
  return kExitOk;
}

// What plan_step() decided for `step`, in words. `run` is the run it belongs to, if any.
std::string describe_step_start(const Result<StepStart>& how, const std::optional<RunRecord>& run) {
  if (!how.ok()) return "cannot start: " + how.status().message();
  const std::string note = run ? " (run " + std::to_string(run->run_id) + ")" : "";
  switch (how->kind) {
    case StepStart::Kind::kSkip:
      return "skip: completed in run " + std::to_string(run->run_id);
    case StepStart::Kind::kResume: {
      auto cp = decode_checkpoint(how->checkpoint);
      if (!cp.ok()) return "cannot resume: " + cp.status().message();
      if (cp->order) {
        return "resume run " + std::to_string(run->run_id) + " after record " +
               std::to_string(cp->order->emitted) + " of " + std::to_string(cp->order->records) +
               " ordered records (order_by complete: the input is not read again)";
      }
      return "resume run " + std::to_string(run->run_id) + " after chunk " +
             std::to_string(cp->chunks) + " (" + std::to_string(cp->counts.at(0).in) +
             " records read, cursor '" + cp->cursor + "')";
    }
    case StepStart::Kind::kIncremental:
      return "run incrementally" + note + " from the cursor of run " +
             std::to_string(how->cursor_run) + " ('" + how->cursor + "')";
    case StepStart::Kind::kFromStart:
      break;
  }
  if (!how->incremental) return "run from the start" + note;
  if (how->cursor_run == 0) return "run from the start" + note + " (incremental: no successful run yet)";
  return "run from the start" + note + " (incremental: run " + std::to_string(how->cursor_run) +
         " left no cursor)";
}

int cmd_plan(Session& s, bool fresh) {
  PreparedJob job;
  if (const int code = prepare(s, job); code != kExitOk) return code;
  auto db = open_job_database(job.loaded.job, s.redactor);
  if (!db.ok()) return fail(s, db.status());
  RunState state(**db, ProcessIdentity::current());
  if (Status m = state.migrate(); !m.ok()) return fail(s, m);
  std::cout << "job " << job.loaded.job.name << " (" << job.loaded.job.file << ") on "
            << (*db)->backend() << "\n";
  // `hades run` would refuse what plan_run refuses: the plan says so, with the same words and
  // exit code.
  auto plan = plan_run(state, job.loaded.job, fresh);
  if (!plan.ok()) return fail(s, plan.status());
  const std::optional<RunRecord>& run = plan->resume;
  std::vector<StepRecord> records;
  if (run) {
    std::cout << "resumes unfinished run " << run->run_id << " started " << run->started_at << "\n";
    auto steps = state.steps(run->run_id);
    if (!steps.ok()) return fail(s, steps.status());
    records = std::move(steps).value();
  } else {
    std::cout << "starts a new run\n";
  }
  for (const BoundStep& step : job.bound->steps) {
    std::cout << "\nstep " << step.spec->name << ": "
              << describe_step_start(plan_step(state, job.loaded.job.name, records, *step.spec),
                                     run)
              << "\n";
    for (std::size_t i = 0; i < step.plugins.size(); ++i) {
      const BoundPlugin& p = step.plugins[i];
      if (step.spec->order && i == step.spec->order_after + 1) {
        std::cout << "  " << kOrderStageLabel << " " << describe_order(*step.spec->order) << "\n";
      }
      std::cout << "  " << plugin_kind_name(p.info->kind) << " " << p.label << " "
                << p.info->version;
      if (p.info->kind == PluginKind::kSink) {
        const auto* sink = dynamic_cast<const Sink*>(p.instance->get());
        if (sink) std::cout << "  guarantee: " << delivery_guarantee_name(sink->guarantee());
      }
      std::cout << "\n";
    }
  }
  return kExitOk;
}

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

struct StateSession {
  LoadedJob job;
  std::unique_ptr<Database> db;
  std::optional<RunState> state;
};

int open_state(Session& s, StateSession& out) {
  if (const int code = load_only(s, out.job); code != kExitOk) return code;
  auto db = open_job_database(out.job.job, s.redactor);
  if (!db.ok()) return fail(s, db.status());
  out.db = std::move(db).value();
  out.state.emplace(*out.db, ProcessIdentity::current());
  if (Status m = out.state->migrate(); !m.ok()) return fail(s, m);
  return kExitOk;
}

int cmd_runs(Session& s, int limit) {
  StateSession st;
  if (const int code = open_state(s, st); code != kExitOk) return code;
  auto runs = st.state->runs(st.job.job.name, limit);
  if (!runs.ok()) return fail(s, runs.status());
  std::cout << "run_id  status      started_at            ended_at\n";
  for (const RunRecord& r : *runs) {
    std::printf("%-7lld %-11s %-21s %s\n", static_cast<long long>(r.run_id), r.status.c_str(),
                r.started_at.c_str(), r.ended_at.c_str());
  }
  return kExitOk;
}

// OK when `job` has a step called `name`; otherwise kInvalidConfig listing its steps.
Status check_step_name(const JobSpec& job, const std::string& name) {
  std::vector<std::string> names;
  for (const StepSpec& step : job.steps) {
    if (step.name == name) return Status::ok_status();
    names.push_back(step.name);
  }
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "'" : ", '") + n + "'";
  const auto suggestion = suggest_closest(name, names);
  return Status::invalid_config("job '" + job.name + "' has no step '" + printable(name) + "'" +
                                (suggestion ? "; did you mean '" + *suggestion + "'?" : "") +
                                "; its steps are " + list);
}

int print_steps(Session& s, RunState& state, const RunRecord& run) {
  std::cout << "run " << run.run_id << " (" << run.status << ", started " << run.started_at
            << ", params " << run.params_json << ")\n";
  auto steps = state.steps(run.run_id);
  if (!steps.ok()) return fail(s, steps.status());
  for (const StepRecord& r : *steps) {
    std::cout << "  step " << r.step << ": " << r.status << " (updated " << r.updated_at << ")\n";
    if (r.checkpoint.empty()) continue;
    auto cp = decode_checkpoint(r.checkpoint);
    if (!cp.ok()) return fail(s, cp.status().with_context("step '" + r.step + "'"));
    std::cout << "    chunks " << cp->chunks << ", rejected " << cp->rejected << ", cursor '"
              << cp->cursor << "'\n";
    for (const PluginCounts& c : cp->counts) {
      std::cout << "    " << c.plugin << ": in " << c.in << ", out " << c.out << ", rejected "
                << c.rejected << "\n";
    }
  }
  return kExitOk;
}

int cmd_state(Session& s, const std::string& reset_step, std::int64_t run_id) {
  StateSession st;
  if (const int code = open_state(s, st); code != kExitOk) return code;
  const std::string& name = st.job.job.name;
  auto run = run_id > 0 ? st.state->find_run(name, run_id) : st.state->unfinished_run(name);
  if (!run.ok()) return fail(s, run.status());
  if (!run->has_value() && run_id == 0) {
    auto latest = st.state->runs(name, 1);
    if (!latest.ok()) return fail(s, latest.status());
    if (!latest->empty()) *run = latest->front();
  }
  if (!run->has_value()) {
    std::cout << "job " << name << " has no " << (run_id > 0 ? "such run" : "runs yet") << "\n";
    return run_id > 0 ? kExitInvalid : kExitOk;
  }
  if (!reset_step.empty()) {
    // Deleting nothing and saying "will run from the start" would hide a typo.
    if (Status known = check_step_name(st.job.job, reset_step); !known.ok()) return fail(s, known);
    // Hold the lock so a running process cannot write the checkpoint being forgotten.
    auto lock = st.state->acquire_lock(name, utc_now_iso());
    if (!lock.ok()) return fail(s, lock.status());
    const Status reset = st.state->reset_step((*run)->run_id, reset_step);
    (void)st.state->release_lock(name, lock->token);
    if (!reset.ok()) return fail(s, reset);
    std::cout << "step " << reset_step << " of run " << (*run)->run_id
              << " will run from the start\n";
  }
  if (auto holder = st.state->lock_holder(name); holder.ok() && holder->has_value()) {
    std::cout << "locked by " << (*holder)->describe() << "\n";
  }
  return print_steps(s, *st.state, **run);
}

int cmd_unlock(Session& s, bool force) {
  StateSession st;
  if (const int code = open_state(s, st); code != kExitOk) return code;
  const std::string& name = st.job.job.name;
  auto holder = st.state->lock_holder(name);
  if (!holder.ok()) return fail(s, holder.status());
  if (!holder->has_value()) {
    std::cout << "job " << name << " is not locked\n";
    return kExitOk;
  }
  const LockHolder& h = **holder;
  const bool here = h.process.host == ProcessIdentity::current().host;
  if (here && process_is_alive(h.process) && !force) {
    return fail(s, Status::locked("job '" + name + "' is locked by a live process, " +
                                  h.describe() + "; stop it, or use --force"));
  }
  if (Status u = st.state->force_unlock(name); !u.ok()) return fail(s, u);
  std::cout << "removed the lock of job " << name << " (" << h.describe() << ")\n";
  return kExitOk;
}

// A notifier refusing a count or id below 1 (`--run -5` showed the latest run instead).
template <typename T>
std::function<void(const T&)> at_least_one(const char* flag) {
  return [flag](const T& value) {
    if (value < 1) {
      throw UsageError{std::string(flag) + " must be 1 or more, got " + std::to_string(value)};
    }
  };
}

// Splits argv into the command and the words around it; global options may stand anywhere.
std::pair<std::string, std::vector<std::string>> split_command(int argc, const char* const* argv) {
  std::vector<std::string> rest;
  std::string command;
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    const bool takes_value =
        word == "--log-format" || word == "--log-level" || word == "--plugin-path";
    if (command.empty() && !word.starts_with("-")) {
      command = word;
      continue;
    }
    rest.push_back(word);
    if (command.empty() && takes_value && i + 1 < argc) rest.push_back(argv[++i]);
  }
  return {command, rest};
}

// Each setting the served pages declare, as an option: `--reports DIR`. Values are kept as
// text and bound like a job's `with:` block (bind_settings), so types are checked the same way.
po::options_description page_setting_options(const std::vector<const PluginInfo*>& pages) {
  po::options_description d("page settings (each page declaring the name gets the value)");
  std::set<std::string> seen;
  for (const PluginInfo* page : pages) {
    for (const SettingSpec& spec : page->settings) {
      if (!seen.insert(spec.name).second) continue;
      std::string help = std::string(spec.description) + " [" + page->name + ", " +
                         std::string(setting_type_name(spec.type)) +
                         (spec.default_value ? std::string(", default ") + spec.default_value : "") +
                         "]";
      d.add_options()(spec.name, po::value<std::vector<std::string>>()->composing(), help.c_str());
    }
  }
  return d;
}

Result<std::vector<PageToServe>> bind_page_settings(const std::vector<const PluginInfo*>& pages,
                                                    const po::variables_map& vm, Session& s) {
  std::vector<PageToServe> out;
  std::vector<Diagnostic> diagnostics;
  for (const PluginInfo* page : pages) {
    PluginRef ref;
    ref.plugin = page->name;
    ref.where = SourceLocation{"command line", 0, 0};
    for (const SettingSpec& spec : page->settings) {
      if (!vm.count(spec.name)) continue;
      const auto& values = vm[spec.name].as<std::vector<std::string>>();
      RawSetting raw;
      raw.key_where = raw.value_where = ref.where;
      if (spec.type == SettingType::kStringList) {
        raw.shape = RawSetting::Shape::kList;
        raw.list = values;
        raw.item_where.assign(values.size(), ref.where);
      } else {
        if (values.size() > 1) throw UsageError{"--" + std::string(spec.name) + " given twice"};
        raw.scalar = values.front();
      }
      ref.with.emplace_back(spec.name, std::move(raw));
    }
    Settings settings =
        bind_settings(ref, page->settings.data(), page->settings.size(), &diagnostics);
    for (const SettingSpec& spec : page->settings) {
      if (!spec.secret) continue;
      if (auto value = settings.get_string(spec.name)) s.redactor.add_secret(*value);
    }
    out.push_back(PageToServe{page, std::move(settings)});
  }
  if (!diagnostics.empty()) {
    std::string message;
    for (const Diagnostic& d : diagnostics) message += (message.empty() ? "" : "; ") + d.message;
    return Status::invalid_config("page settings: " + message);
  }
  return out;
}

// `hades serve`: two passes over the options, since the pages found decide which settings exist.
int cmd_serve(const std::vector<std::string>& args) {
  SignalWatcher signals;  // before any thread starts: SIGTERM/SIGINT reach only the watcher
  Session s;
  ServeOptions o;
  po::options_description d("serve options");
  d.add_options()("listen", po::value(&o.listen)->default_value(o.listen),
                  "HOST:PORT to listen on; not loopback only with --auth-token-file")(
      "auth-token-file", po::value(&o.auth_token_file),
      "require a sign-in with the token in this file (its first line, 16+ characters)")(
      "server-name", po::value(&o.server_names),
      "another name the Host header may carry, e.g. behind a reverse proxy (repeatable)")(
      "database", po::value(&o.database),
      "the job database URL (default: $HADES_DB, else sqlite://var/hades.db)")(
      "page", po::value(&o.pages), "serve only this page plugin (repeatable; default: all)")(
      "port-file", po::value(&o.port_file), "write the port listened on to this file")(
      "request-timeout-ms", po::value(&o.request_timeout_ms)->default_value(o.request_timeout_ms),
      "time a client has to send a whole request; also the keep-alive idle time")(
      "max-body-bytes", po::value(&o.max_body_bytes)->default_value(o.max_body_bytes),
      "largest request body accepted (413 beyond)");
  po::options_description known;
  known.add(d).add(global_description(s.global));
  const po::parsed_options parsed =
      po::command_line_parser(args).options(known).allow_unregistered().run();
  po::variables_map vm;
  po::store(parsed, vm);
  po::notify(vm);
  const bool help = vm.count("help") > 0;
  start_session(s);
  auto pages = find_pages(*s.registry, o.pages);
  if (!pages.ok()) {
    if (!help) return fail(s, pages.status());
    std::cout << "usage: hades serve [options] [page settings]\n\n" << known << "\n("
              << pages.status().message() << ": no page settings to list)\n";
    return kExitOk;
  }
  const po::options_description settings = page_setting_options(*pages);
  if (help) {
    std::cout << "usage: hades serve [options] [page settings]\n\n"
              << d << "\n" << settings << "\n" << global_description(s.global) << "\n";
    return kExitOk;
  }
  po::variables_map page_vm;
  po::store(po::command_line_parser(po::collect_unrecognized(parsed.options,
                                                             po::include_positional))
                .options(settings)
                .run(),
            page_vm);
  auto bound = bind_page_settings(*pages, page_vm, s);
  if (!bound.ok()) return fail(s, bound.status());
  return serve(o, *s.registry, std::move(bound).value(), *s.log, s.redactor, signals);
}

int dispatch(const std::string& command, const std::vector<std::string>& args) {
  if (command == "serve") return cmd_serve(args);
  Session s;
  std::vector<std::string> sets;
  po::options_description d(command + " options");
  bool fresh = false;
  std::string summary, metrics, describe, reset;
  int limit = 20;
  std::int64_t run_id = 0;
  bool force = false;
  bool allow_missing_env = false;
  if (command == "run") {
    add_job_options(d, s, sets);
    d.add_options()("fresh", po::bool_switch(&fresh), "abandon the unfinished run, start anew")(
        "summary", po::value(&summary), "write a JSON run summary to this path")(
        "metrics", po::value(&metrics), "write Prometheus textfile metrics to this path");
  } else if (command == "validate") {
    add_job_options(d, s, sets);
    d.add_options()("allow-missing-env", po::bool_switch(&allow_missing_env),
                    "check everything else when environment variables (secrets) are unset");
  } else if (command == "plan") {
    add_job_options(d, s, sets);
    d.add_options()("fresh", po::bool_switch(&fresh), "plan as if run with --fresh");
  } else if (command == "plugins") {
    d.add_options()("describe", po::value(&describe), "show one plugin's summary and settings");
  } else if (command == "runs") {
    add_job_options(d, s, sets);
    d.add_options()("limit",
                    po::value(&limit)->default_value(20)->notifier(at_least_one<int>("--limit")),
                    "how many runs, newest first");
  } else if (command == "state") {
    add_job_options(d, s, sets);
    d.add_options()("reset", po::value(&reset), "forget this step's progress in the run")(
        "run", po::value(&run_id)->notifier(at_least_one<std::int64_t>("--run")),
        "the run to show (default: the unfinished or latest one)");
  } else if (command == "unlock") {
    add_job_options(d, s, sets);
    d.add_options()("force", po::bool_switch(&force),
                    "also remove a lock whose holder still runs on this host");
  } else {
    throw UsageError{"unknown command '" + command + "'"};
  }
  if (!parse(command, args, d, command != "plugins", s)) return kExitOk;
  s.overrides = parse_overrides(sets);
  if (command == "run") return cmd_run(s, fresh, summary, metrics);
  if (command == "validate") return cmd_validate(s, allow_missing_env);
  if (command == "plan") return cmd_plan(s, fresh);
  if (command == "plugins") return cmd_plugins(s, describe);
  if (command == "runs") return cmd_runs(s, limit);
  if (command == "state") return cmd_state(s, reset, run_id);
  return cmd_unlock(s, force);
}

}  // namespace

int run_cli(int argc, const char* const* argv) {
  try {
    const auto [command, args] = split_command(argc, argv);
    if (command.empty() && !args.empty() && args[0] == "--version") {
      std::cout << "hades " << HADES_VERSION << " (plugin API " << kApiMajor << "." << kApiMinor
                << ")\n";
      return kExitOk;
    }
    if (command.empty() || command == "help") {
      const bool asked = command == "help" || (!args.empty() && (args[0] == "--help" || args[0] == "-h"));
      (asked ? std::cout : std::cerr) << kUsage;
      return asked ? kExitOk : kExitInvalid;
    }
    if (command == "version" || command == "--version") {
      std::cout << "hades " << HADES_VERSION << " (plugin API " << kApiMajor << "." << kApiMinor
                << ")\n";
      return kExitOk;
    }
    return dispatch(command, args);
  } catch (const UsageError& e) {
    std::cerr << "hades: " << e.message << "\n\n" << kUsage;
    return kExitInvalid;
  } catch (const po::error& e) {
    std::cerr << "hades: " << e.what() << "\n(see hades --help)\n";
    return kExitInvalid;
  } catch (const std::exception& e) {
    std::cerr << "hades: internal error: " << e.what() << "\n";
    return kExitFailed;
  }
}

}  // namespace hades
