// run, validate and plan: the commands that load and bind a job with its plugins.
#include <unistd.h>

#include <iostream>

#include "checkpoint.h"
#include "cli/commands.h"
#include "cli/session.h"
#include "exit_code.h"
#include "hades/file_checks.h"
#include "order_stage.h"
#include "run_plan.h"
#include "run_report.h"
#include "signals.h"

namespace hades::cli {
namespace {

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
  if (how->cursor_run == 0)
    return "run from the start" + note + " (incremental: no successful run yet)";
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

}  // namespace

int run_main(const std::vector<std::string>& args) {
  Session s;
  std::vector<std::string> sets;
  po::options_description d("run options");
  bool fresh = false;
  std::string summary, metrics;
  add_job_options(d, s, sets);
  d.add_options()("fresh", po::bool_switch(&fresh), "abandon the unfinished run, start anew")(
      "summary", po::value(&summary), "write a JSON run summary to this path")(
      "metrics", po::value(&metrics), "write Prometheus textfile metrics to this path");
  if (!parse("run", args, d, true, s)) return kExitOk;
  s.overrides = parse_overrides(sets);
  return cmd_run(s, fresh, summary, metrics);
}

int validate_main(const std::vector<std::string>& args) {
  Session s;
  std::vector<std::string> sets;
  po::options_description d("validate options");
  bool allow_missing_env = false;
  add_job_options(d, s, sets);
  d.add_options()("allow-missing-env", po::bool_switch(&allow_missing_env),
                  "check everything else when environment variables (secrets) are unset");
  if (!parse("validate", args, d, true, s)) return kExitOk;
  s.overrides = parse_overrides(sets);
  return cmd_validate(s, allow_missing_env);
}

int plan_main(const std::vector<std::string>& args) {
  Session s;
  std::vector<std::string> sets;
  po::options_description d("plan options");
  bool fresh = false;
  add_job_options(d, s, sets);
  d.add_options()("fresh", po::bool_switch(&fresh), "plan as if run with --fresh");
  if (!parse("plan", args, d, true, s)) return kExitOk;
  s.overrides = parse_overrides(sets);
  return cmd_plan(s, fresh);
}

}  // namespace hades::cli
